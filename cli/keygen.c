/*  zpregel keygen: a CURVE certificate for security:. */
#include "zp_cli.h"

int zp_cli_keygen (int argc, char **argv)
{
    if (argc != 2 || streq (argv[1], "--help") || streq (argv[1], "-h")) {
        bool help = argc == 2;
        fprintf (help ? stdout : stderr,
                 "usage: zpregel keygen PATH\n\n"
                 "Writes a new CURVE certificate: PATH holds its public key (give it to the\n"
                 "security.allowed directory of the servers it connects to, or as\n"
                 "security.server_cert to the clients), PATH_secret both keys (keep it on\n"
                 "the hosts that use it, readable by its user only).\n");
        return help ? 0 : 2;
    }
    char err[1024];
    if (zp_security_keygen (argv[1], err, sizeof err) != 0) {
        fprintf (stderr, "zpregel: %s\n", err);
        return 1;
    }
    printf ("wrote %s and %s_secret\n", argv[1], argv[1]);
    return 0;
}
