/*  zpregel watch: a job's broadcast, printed as it happens. */
#include "zp_cli.h"

int zp_cli_watch (int argc, char **argv)
{
    static const struct option longopts[] = {{"control", required_argument, NULL, 'c'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"set", required_argument, NULL, 's'},
                                             {"server-cert", required_argument, NULL, 'S'},
                                             {"cert", required_argument, NULL, 'C'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc + 1, sizeof *overrides);
    size_t n_overrides = 0;
    const char *control = NULL, *server_cert = NULL, *client_cert = NULL;
    bool json = false, all = false;
    double timeout = 30; /* seconds without any event (a live job heartbeats every second) */
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "c:jat:s:S:C:h", longopts, NULL)) != -1) {
        char *end;
        if (c == 'c')
            control = optarg;
        else if (c == 's' && overrides)
            overrides[n_overrides++] = optarg;
        else if (c == 'S')
            server_cert = optarg;
        else if (c == 'C')
            client_cert = optarg;
        else if (c == 'j')
            json = true;
        else if (c == 'a')
            all = true;
        else if (c == 't' && (timeout = strtod (optarg, &end), *end == 0 && timeout >= 0))
            ;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            if (c == 't')
                fprintf (out, "zpregel watch: --timeout: expected seconds, got \"%s\"\n", optarg);
            fprintf (
                out,
                "usage: zpregel watch ENDPOINT|JOB.yaml [--control ENDPOINT] [--json] [--all]\n"
                "                     [--timeout SECONDS] [--set key=value]...\n\n"
                "Prints a job's control broadcast, one line per event, from the job's first\n"
                "superstep, and exits when the job terminates (status 1 if it failed, or if\n"
                "no event came within the timeout). ENDPOINT may be the ipc:// endpoint\n"
                "that 'zpregel run' prints for a job with no tcp master endpoints.\n"
                "ENDPOINT is the master's broadcast endpoint; with JOB.yaml, its\n"
                "master.broadcast and master.control are used, and its security section\n"
                "when CURVE is on (a watcher needs a client certificate the job allows).\n\n"
                "  -c, --control EP   the master's control endpoint (else learned from the job)\n"
                "  -j, --json         one JSON object per line\n"
                "  -a, --all          also SYNC events (the join phase)\n"
                "  -t, --timeout S    give up after S seconds without an event (default 30: a\n"
                "                     running job sends one every reliability.heartbeat_ms;\n"
                "                     0: wait for ever)\n"
                "  -s, --set K=V      override a key of JOB.yaml\n"
                "  --server-cert P --cert P\n"
                "                     with ENDPOINT, watch a CURVE job: the servers' (public)\n"
                "                     certificate and this watcher's own\n");
            free (overrides);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind != argc - 1) {
        fprintf (stderr, "zpregel watch: expected one ENDPOINT or JOB.yaml\n");
        free (overrides);
        return 2;
    }
    const char *target = argv[optind];
    zp_config_t *cfg = NULL;
    zp_security_t *security = NULL;
    char err[2048];
    if (!strstr (target, "://")) {
        cfg = zp_cli_load (target, overrides, n_overrides);
        free (overrides);
        if (!cfg)
            return 1;
        if (!cfg->broadcast || strncmp (cfg->broadcast, "tcp://", 6) != 0) {
            fprintf (stderr,
                     "zpregel: %s: the master binds no tcp broadcast endpoint: 'zpregel run' "
                     "prints where to watch it (an ipc:// endpoint on this machine), or give "
                     "master.broadcast a tcp endpoint\n",
                     target);
            zp_config_destroy (&cfg);
            return 1;
        }
        if (zp_endpoint_port_at_run_time (cfg->broadcast)) {
            fprintf (stderr,
                     "zpregel: %s: master.broadcast has no port: the master chooses one when it "
                     "starts and prints it (\"zpregel watch tcp://HOST:PORT\"): watch that\n",
                     target);
            zp_config_destroy (&cfg);
            return 1;
        }
        if (zp_security_open (cfg, false, &security, err, sizeof err) != 0) {
            fprintf (stderr, "zpregel: %s: %s\n", cfg->path, err);
            zp_config_destroy (&cfg);
            return 1;
        }
        target = cfg->broadcast;
        if (!control)
            control = cfg->control;
    } else {
        free (overrides);
        if (!server_cert != !client_cert) {
            fprintf (stderr, "zpregel watch: --server-cert and --cert go together\n");
            return 2;
        }
        zp_config_t curve = {
            .curve = 1, .server_cert = (char *) server_cert, .client_cert = (char *) client_cert};
        if (server_cert && zp_security_open (&curve, false, &security, err, sizeof err) != 0) {
            fprintf (stderr, "zpregel: %s\n", err);
            return 1;
        }
    }
    zp_watch_t *watch = zp_watch_new (target, control, security);
    if (!watch) {
        fprintf (stderr, "zpregel: cannot watch %s\n", target);
        zp_security_destroy (&security);
        zp_config_destroy (&cfg);
        return 1;
    }
    if (timeout > 0)
        fprintf (stderr,
                 "zpregel watch: waiting for the job's broadcast at %s (giving up after %gs "
                 "without an event; --timeout 0 waits for ever)\n",
                 target, timeout);
    else
        fprintf (stderr, "zpregel watch: waiting for the job's broadcast at %s\n", target);
    int rc = 1;
    zp_event_t e;
    int got;
    while ((got = zp_watch_next (watch, &e, timeout > 0 ? (int) (timeout * 1000) : -1)) == 0) {
        if (e.kind == ZP_EVENT_SYNC && !all)
            continue;
        char now[40];
        zp_stats_now (now, sizeof now);
        if (json) {
            printf ("{\"seq\":%" PRIu64 ",\"event\":\"%s\",\"step\":%u,"
                    "\"active\":%" PRIu64 ",\"messages\":%" PRIu64 ",\"status\":%u,"
                    "\"plan_version\":%" PRIu64 ",\"slowest_worker\":",
                    e.seq, zp_event_name (e.kind), e.step, e.active, e.messages, e.status,
                    e.plan_version);
            zp_json_string (stdout, e.slowest);
            printf (",\"slowest_compute_seconds\":%.6f,\"time\":\"%s\"}\n", e.slowest_seconds, now);
        } else if (e.kind == ZP_EVENT_BEGIN && e.step == 0)
            printf ("%6" PRIu64 "  begin      superstep 0\n", e.seq);
        else if (e.kind == ZP_EVENT_BEGIN)
            printf ("%6" PRIu64 "  begin      superstep %u (after superstep %u: %" PRIu64
                    " active, %" PRIu64 " messages; slowest %s, %.4fs computing)\n",
                    e.seq, e.step, e.step - 1, e.active, e.messages, e.slowest, e.slowest_seconds);
        else if (e.kind == ZP_EVENT_TERMINATE)
            printf ("%6" PRIu64 "  terminate  %s after superstep %u (%" PRIu64 " active, %" PRIu64
                    " messages)%s%s\n",
                    e.seq,
                    e.status == ZP_STATUS_LOST ? "failed (a node was lost)"
                    : e.status                 ? "failed"
                                               : "finished",
                    e.step, e.active, e.messages, e.reason[0] ? ": " : "", e.reason);
        else if (e.kind == ZP_EVENT_PLAN)
            printf ("%6" PRIu64 "  plan       version %" PRIu64 "\n", e.seq, e.plan_version);
        else if (e.kind == ZP_EVENT_CHECKPOINT)
            printf ("%6" PRIu64 "  checkpoint of superstep %u complete\n", e.seq, e.step);
        else
            printf ("%6" PRIu64 "  %-10s superstep %u\n", e.seq, zp_event_name (e.kind), e.step);
        fflush (stdout);
        if (e.kind == ZP_EVENT_TERMINATE) {
            rc = e.status ? 1 : 0;
            break;
        }
    }
    if (got == 1)
        fprintf (stderr, "zpregel watch: no event for %gs from %s\n", timeout, target);
    zp_watch_destroy (&watch);
    zp_security_destroy (&security);
    zp_config_destroy (&cfg);
    return rc;
}
