/*  zpregel serve: the jobs of a history directory (master.history), in a
    browser, after they ended. */
#include "zp_cli.h"
#include "zp_history.h"

#include <sys/stat.h>

static void s_usage (FILE *out)
{
    fprintf (out, "usage: zpregel serve DIR [--http HOST:PORT]\n\n"
                  "Serves the jobs whose records master.history (or run --history) keeps in DIR:\n"
                  "the list of jobs at /, each job's status page at /jobs/ID/ (its chart of\n"
                  "supersteps, its workers, its route plan, as the live page showed them), and\n"
                  "their files (status.json, steps.jsonl, summary.json). Jobs still running show\n"
                  "their progress, refreshed every second. Runs until SIGINT or SIGTERM.\n\n"
                  "  --http HOST:PORT  where to listen (default 127.0.0.1:8080; port 0: any free\n"
                  "                    one). It has no authentication: keep it on loopback or a\n"
                  "                    cluster-internal address\n"
                  "  -h, --help        this help\n");
}

int zp_cli_serve (int argc, char **argv)
{
    static const struct option longopts[] = {{"http", required_argument, NULL, 'H'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *address = "127.0.0.1:8080";
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'H':
            address = optarg;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf (stderr, "zpregel serve: expected one history directory (master.history)\n");
        s_usage (stderr);
        return 2;
    }
    char *dir = argv[optind];
    struct stat st;
    if (stat (dir, &st) != 0) {
        fprintf (stderr, "zpregel serve: %s: %s\n", dir, strerror (errno));
        return 1;
    }
    if (!S_ISDIR (st.st_mode)) {
        fprintf (stderr, "zpregel serve: %s: not a directory (expected master.history's)\n", dir);
        return 1;
    }
    char bound[400], err[1024];
    zp_http_t *http = zp_http_serve (address, "serve --http", zp_history_site, dir, bound,
                                     sizeof bound, err, sizeof err);
    if (!http) {
        fprintf (stderr, "zpregel serve: %s\n", err);
        return 1;
    }
    fprintf (stderr, "zpregel: serving the jobs of %s at %s\n", dir, bound);
    while (!zsys_interrupted)
        zclock_sleep (100);
    zp_http_stop (&http);
    return 0;
}
