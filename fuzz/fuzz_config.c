/*  Fuzz target: a YAML job file (zp_config_load), with its keys, types,
    ranges and paths checked; every error must be a message, never a crash. */
#include "fuzz.h"
#include "zpregel/zp_config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    int fd;
    const char *path = zp_fuzz_file (data, size, &fd);
    if (!path)
        return 0;
    char err[2048];
    zp_config_t *cfg = zp_config_load (path, NULL, 0, err, sizeof err);
    zp_config_destroy (&cfg);
    close (fd);
    return 0;
}
