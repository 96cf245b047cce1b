/*  zp_cli: see zp_cli.h. */
#include "zp_cli.h"

/* --unset KEY: the override "-KEY" (zp_config_load), kept for the life of
   the process. NULL when there are too many. */
const char *zp_cli_unset (const char *key)
{
    static char *kept[256];
    static size_t n;
    if (n == sizeof kept / sizeof kept[0])
        return NULL;
    size_t size = strlen (key) + 2;
    if (!(kept[n] = malloc (size)))
        return NULL;
    snprintf (kept[n], size, "-%s", key);
    return kept[n++];
}

/* This binary, for starting worker processes. */
const char *zp_cli_exe (void)
{
    static char path[4096];
    ssize_t n = readlink ("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return NULL;
    path[n] = 0;
    return path;
}

/* The exit status of a process that SIGINT or SIGTERM interrupted:
   128 + the signal (130, 143), as shells expect; 1 if no signal did. */
int zp_cli_interrupted_status (void)
{
    int signo = zp_process_signal ();
    return signo ? 128 + signo : 1;
}

zp_config_t *zp_cli_load (const char *path, const char *const *overrides, size_t n_overrides)
{
    char err[2048];
    zp_config_t *cfg = zp_config_load (path, overrides, n_overrides, err, sizeof err);
    if (!cfg)
        fprintf (stderr, "zpregel: %s\n", err);
    return cfg;
}
