/*  zpregel: the command-line interface.

        zpregel run JOB.yaml [--set key=value]... [--stats FILE] [--quiet] [--resume]
        zpregel master JOB.yaml [...]         the master and inproc workers only
        zpregel worker JOB.yaml --name W      one tcp worker
        zpregel launch JOB.yaml --host H      every tcp worker of host H
        zpregel watch ENDPOINT|JOB.yaml       follow a job's broadcast
        zpregel serve DIR [--http HOST:PORT]  the jobs master.history kept, in a browser
        zpregel programs
        zpregel keygen PATH                   a CURVE certificate for security:
        zpregel version

    Progress goes to stderr: a live line on a terminal, one plain line per
    superstep otherwise. The summary goes to stdout. Exit status (README):
    0 on success, 1 when the job fails, 2 on a usage error, 3 when
    engine.max_supersteps stopped a job that had not converged
    (engine.on_limit: fail), 4 when a vertex program crashed.
*/
#include "zp_cli.h"

static void s_usage_main (FILE *out)
{
    fprintf (out,
             "usage: zpregel COMMAND [OPTIONS]\n"
             "\n"
             "commands:\n"
             "  run JOB.yaml      run a whole job from one YAML file: the master, the\n"
             "                    inproc workers, and this host's tcp workers as processes\n"
             "  master JOB.yaml   run the master and the inproc workers; wait for tcp workers\n"
             "  worker JOB.yaml   run one tcp worker (--name W)\n"
             "  router JOB.yaml   run one tcp router (--name R)\n"
             "  launch JOB.yaml   run every tcp worker and router placed on a host (--host H),\n"
             "                    or, under srun, this task's part of the job\n"
             "  watch ENDPOINT    print a job's control broadcast as it happens\n"
             "  plan JOB.yaml     show the route plan for a job's traffic, and what it saves\n"
             "  gen rmat          write a Graph500 R-MAT graph (Graphalytics files and .zpg)\n"
             "  gen traffic       write a synthetic power-law traffic matrix\n"
             "  programs [P]...   list vertex programs (built-ins, or shared objects) and their\n"
             "                    parameters (--json: one JSON object each)\n"
             "  keygen PATH       write a CURVE certificate: PATH (public) and PATH_secret\n"
             "  serve DIR         serve the jobs kept in DIR (master.history), with their status\n"
             "                    pages, over HTTP (--http HOST:PORT)\n"
             "  version           print the version\n"
             "\n"
             "Every command takes --log-level error|warning|info|debug (default info, or\n"
             "ZPREGEL_LOG_LEVEL), which the nodes it starts inherit.\n"
             "Run 'zpregel COMMAND --help' for a command's options.\n");
}

/* Takes --log-level LEVEL (or --log-level=LEVEL) out of argv, wherever it
   is, into ZPREGEL_LOG_LEVEL, which zp_log reads and child processes
   inherit. 0, or -1 after a message about a bad level. */
static int s_log_level (int *argc, char **argv)
{
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        const char *value = NULL;
        if (streq (argv[i], "--log-level")) {
            if (i + 1 == *argc) {
                fprintf (stderr,
                         "zpregel: --log-level needs a level: error, warning, info or debug\n");
                return -1;
            }
            value = argv[++i];
        } else if (strncmp (argv[i], "--log-level=", 12) == 0)
            value = argv[i] + 12;
        else {
            argv[kept++] = argv[i];
            continue;
        }
        zp_log_level_t level;
        if (zp_log_parse (value, &level) != 0) {
            fprintf (stderr,
                     "zpregel: --log-level: expected error, warning, info or debug, got \"%s\"\n",
                     value);
            return -1;
        }
        setenv ("ZPREGEL_LOG_LEVEL", value, 1);
    }
    *argc = kept;
    argv[kept] = NULL;
    return 0;
}

/* Every node of a job allocates and frees a frame of up to twice
   engine.batch_bytes for each batch it sends. With glibc's defaults a
   block of that size may be mapped on malloc and unmapped on free, or
   given back from the top of the heap, and then every page of the next
   frame faults in again (perf, 2 inproc workers at scale 20: the faults
   sat under the packing of every batch). Blocks under 4 MiB come from
   the heap, which keeps up to 32 MiB it no longer uses; larger ones (the
   graph, the partitions) are still mapped, and given back when freed.
   GLIBC_TUNABLES with malloc settings leaves the choice to the user. */
static void s_malloc_setup (void)
{
#ifdef __GLIBC__
    const char *tunables = getenv ("GLIBC_TUNABLES");
    if (tunables && strstr (tunables, "glibc.malloc."))
        return;
    mallopt (M_MMAP_THRESHOLD, 4 << 20);
    mallopt (M_TRIM_THRESHOLD, 32 << 20);
#endif
}

int main (int argc, char **argv)
{
    s_malloc_setup ();
    /* SIGINT and SIGTERM set zsys_interrupted, as czmq's own handler does,
       and are remembered for the exit status (128 + signal). Logs go to
       stderr. */
    zsys_init ();
    zp_process_catch_signals ();
    zsys_set_logident ("zpregel");
    zsys_set_logstream (stderr);
    if (s_log_level (&argc, argv) != 0)
        return 2;
    if (argc < 2) {
        s_usage_main (stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (streq (cmd, "run") || streq (cmd, "master"))
        return zp_cli_run (argc - 1, argv + 1, streq (cmd, "run"));
    if (streq (cmd, "worker") || streq (cmd, "router") || streq (cmd, "launch"))
        return zp_cli_node (argc - 1, argv + 1, cmd);
    if (streq (cmd, "watch"))
        return zp_cli_watch (argc - 1, argv + 1);
    if (streq (cmd, "plan"))
        return zp_cli_plan (argc - 1, argv + 1);
    if (streq (cmd, "gen"))
        return zp_cli_gen (argc - 1, argv + 1);
    if (streq (cmd, "programs"))
        return zp_cli_programs (argc - 1, argv + 1);
    if (streq (cmd, "keygen"))
        return zp_cli_keygen (argc - 1, argv + 1);
    if (streq (cmd, "serve"))
        return zp_cli_serve (argc - 1, argv + 1);
    if (streq (cmd, "version") || streq (cmd, "--version")) {
        printf ("zpregel %s\n", ZP_VERSION);
        return 0;
    }
    if (streq (cmd, "help") || streq (cmd, "--help") || streq (cmd, "-h")) {
        s_usage_main (stdout);
        return 0;
    }
    fprintf (stderr, "zpregel: unknown command \"%s\"\n", cmd);
    s_usage_main (stderr);
    return 2;
}
