/*  zpregel worker, router and launch: one tcp node in this process, or
    every node of a host (or of a Slurm task) as supervised processes. */
#include "zp_cli.h"

/* Runs one tcp worker or router of `cfg` in this process until the job
   ends: 0 finished, 1 failed. */
static int s_run_node_once (const zp_config_t *cfg, const zp_worker_config_t *wc, bool router,
                            const zp_security_t *security, bool *lost)
{
    char locality[300];
    snprintf (locality, sizeof locality, "%s/%d", zp_process_hostname (), (int) getpid ());
    zp_node_args_t args = zp_node_args_of (cfg, wc, locality, security);
    zactor_t *actor = zp_actor_new (router ? zp_router_actor : zp_worker_actor, &args);
    if (!actor) {
        fprintf (stderr, "zpregel: %s %s: cannot start on %s\n", router ? "router" : "worker",
                 wc->name, wc->endpoint);
        return 1;
    }
    int rc = 1;
    zpoller_t *poller = zpoller_new (actor, NULL);
    while (true) {
        zsock_t *which = zpoller_wait (poller, 200);
        if (which) {
            char *status = zstr_recv (actor);
            rc = status && streq (status, "OK") ? 0 : 1;
            *lost = status && streq (status, "LOST");
            zstr_free (&status);
            break;
        }
        if (zpoller_terminated (poller) || zsys_interrupted)
            break;
    }
    zpoller_destroy (&poller);
    zp_actor_destroy (&actor);
    return rc;
}

/* Runs the node; when the job is lost to it (the master went silent, or
   ended the job because a node was lost) it registers again, after a
   growing pause, up to reliability.max_recoveries times: a restarted
   master (zpregel master --resume) finds it waiting. */
static int s_run_node (const zp_config_t *cfg, const zp_worker_config_t *wc, bool router)
{
    zp_security_t *security = NULL;
    char err[1024];
    if (zp_security_open (cfg, true, &security, err, sizeof err) != 0) {
        fprintf (stderr, "zpregel: %s: %s\n", cfg->path, err);
        return 1;
    }
    for (uint32_t attempt = 0;; attempt++) {
        bool lost = false;
        int rc = s_run_node_once (cfg, wc, router, security, &lost);
        if (!lost || attempt >= cfg->max_recoveries || zsys_interrupted) {
            zp_security_destroy (&security);
            return rc;
        }
        int64_t pause = (int64_t) cfg->heartbeat_ms << (attempt < 5 ? attempt : 5);
        zp_log_info ("%s %s: registering again with the master at %s in %.1fs (%u of %u)",
                     router ? "router" : "worker", wc->name, cfg->control, (double) pause / 1000,
                     attempt + 1, cfg->max_recoveries);
        for (int64_t end = zclock_mono () + pause; zclock_mono () < end && !zsys_interrupted;)
            zclock_sleep (50);
    }
}

/* One process zpregel launch runs: the master (under Slurm, on task 0)
   or a tcp node, with its own --set values. */
typedef struct {
    const zp_worker_config_t *node; /* NULL: the master */
    bool router;
    const char *sets[4]; /* after the caller's: where the master is, where to bind */
    size_t n_sets;
    pid_t pid;
    uint32_t restarts;
    int status;
} s_child_t;

static pid_t s_spawn_child (const zp_config_t *cfg, s_child_t *c, const char *const *overrides,
                            size_t n_overrides)
{
    const char *sets[n_overrides + 5];
    size_t n = 0;
    for (size_t i = 0; i < n_overrides; i++)
        sets[n++] = overrides[i];
    for (size_t i = 0; i < c->n_sets; i++)
        sets[n++] = c->sets[i];
    if (c->node)
        return zp_job_spawn_node (zp_cli_exe (), cfg, c->router, c->node->name, sets, n);
    const char *argv[4 + 2 * n];
    size_t at = 0;
    argv[at++] = zp_cli_exe ();
    argv[at++] = "master";
    argv[at++] = cfg->path;
    for (size_t i = 0; i < n; i++) {
        argv[at++] = "--set";
        argv[at++] = sets[i];
    }
    argv[at] = NULL;
    return zp_process_spawn (argv);
}

/* Runs `children` until they all end. A node that dies of a signal (a
   crash, kill -9) is started again, up to reliability.max_recoveries
   times: it registers with the master, which waits for it after a loss.
   Then says how the job ended here, and returns the job's status: the
   master's if it runs here, else the worst of the nodes'. */
static int s_launch_children (const zp_config_t *cfg, const char *where, s_child_t *children,
                              size_t n, const char *const *overrides, size_t n_overrides)
{
    size_t running = 0;
    for (size_t i = 0; i < n; i++) {
        children[i].status = 1;
        if ((children[i].pid = s_spawn_child (cfg, &children[i], overrides, n_overrides)) > 0)
            running++;
        else
            fprintf (stderr, "zpregel launch: %s: cannot start %s %s: %s\n", where,
                     children[i].router ? "router" : "worker",
                     children[i].node ? children[i].node->name : "the master", strerror (errno));
    }
    while (running > 0 && !zsys_interrupted) {
        zclock_sleep (50);
        for (size_t i = 0; i < n; i++) {
            s_child_t *c = &children[i];
            int status = 0;
            if (c->pid <= 0 || zp_process_poll (c->pid, &status) != 1)
                continue;
            const char *role = !c->node ? "master" : c->router ? "router" : "worker";
            zp_child_end_t end = zp_process_end (status);
            char how[600];
            zp_process_end_text (role, c->node ? c->node->name : "", c->pid, status, how,
                                 sizeof how);
            if (c->node && end == ZP_CHILD_LOST && c->restarts < cfg->max_recoveries) {
                c->restarts++;
                zp_log_warning ("zpregel launch: %s; starting it again (%u of at most %u)", how,
                                c->restarts, cfg->max_recoveries);
                if ((c->pid = s_spawn_child (cfg, c, overrides, n_overrides)) > 0)
                    continue;
            }
            if (end == ZP_CHILD_CRASHED)
                zp_log_error ("zpregel launch: %s", how);
            c->status = status;
            c->pid = 0;
            running--;
        }
    }
    /* Interrupted: whatever still runs is stopped, all at once. */
    pid_t pids[n + 1];
    for (size_t i = 0; i <= n; i++)
        pids[i] = i < n ? children[i].pid : 0;
    zp_process_stop_all (pids, NULL, n, 0);
    for (size_t i = 0; i < n; i++)
        if (children[i].pid > 0)
            children[i].status = zp_cli_interrupted_status ();
    /* The job's status, and a closing line: what ran here and how it ended
       (each node has logged why a failed job failed, as the master said). */
    int rc = 0;
    bool has_master = n > 0 && !children[0].node;
    char ended[1024] = "";
    for (size_t i = 0; i < n; i++) {
        const s_child_t *c = &children[i];
        if (has_master ? !c->node : c->status > rc)
            rc = c->status;
        size_t at = strlen (ended);
        snprintf (ended + at, sizeof ended - at, "%s%s%s (exit %d)", at ? ", " : "",
                  !c->node    ? "master"
                  : c->router ? "router "
                              : "worker ",
                  c->node ? c->node->name : "", c->status);
    }
    fprintf (stderr, "zpregel launch: %s: the job %s; %s\n", where,
             rc == 0   ? "finished"
             : rc == 3 ? "did not converge"
                       : "failed",
             ended);
    return rc;
}

/* The first host of a Slurm host list ("node[01-04,07],gpu1" -> "node01"). */
static void s_first_host (const char *list, char *out, size_t len)
{
    size_t at = 0;
    for (const char *p = list; *p && *p != ',' && at + 1 < len;) {
        if (*p == '[') {
            for (p++; *p && *p != ',' && *p != '-' && *p != ']' && at + 1 < len; p++)
                out[at++] = *p;
            while (*p && *p != ']')
                p++;
            if (*p)
                p++;
        } else
            out[at++] = *p++;
    }
    out[at] = 0;
}

/* The first two ports of Slurm's list of a step's reserved ports
   ("12000-12001", "12000,12005-12007") in ports[]; how many were found
   (0 when `list` is NULL or says nothing sensible). */
static int s_reserved_ports (const char *list, int ports[2])
{
    int n = 0;
    for (const char *p = list; p && *p && n < 2;) {
        char *end;
        long lo = strtol (p, &end, 10), hi = lo;
        if (end == p || lo < 1 || lo > 65535)
            return 0;
        p = end;
        if (*p == '-') {
            hi = strtol (p + 1, &end, 10);
            if (end == p + 1 || hi < lo || hi > 65535)
                return 0;
            p = end;
        }
        for (long port = lo; port <= hi && n < 2; port++)
            ports[n++] = (int) port;
        if (*p == ',')
            p++;
        else if (*p)
            return 0;
    }
    return n;
}

/* Under Slurm (srun zpregel launch JOB.yaml): task 0 runs the master on the
   first node of the step; the tcp nodes, workers then routers as the job
   file lists them, go to the tasks in turn from task 1 (the k-th, from 0,
   to task (k + 1) mod tasks),
   each binding on its task's node with a port chosen at run time. The
   master's ports are the job file's, or, when it leaves them open, the
   first two Slurm reserved for the step, or two taken from the Slurm job
   and step ids (every task computes the same). */
static int s_launch_slurm (const zp_config_t *cfg, const char *const *overrides, size_t n_overrides)
{
    const char *procid = getenv ("SLURM_PROCID"), *ntasks = getenv ("SLURM_NTASKS");
    const char *list = getenv ("SLURM_STEP_NODELIST");
    if (!list)
        list = getenv ("SLURM_JOB_NODELIST");
    const char *node = getenv ("SLURMD_NODENAME");
    int rank = procid ? atoi (procid) : -1, tasks = ntasks ? atoi (ntasks) : 0;
    if (rank < 0 || tasks < 1 || rank >= tasks || !list || !*list) {
        fprintf (stderr,
                 "zpregel launch: %s: not in a Slurm job step (SLURM_PROCID, "
                 "SLURM_NTASKS and SLURM_STEP_NODELIST are not all set): run it with "
                 "srun, or give --host HOST\n",
                 cfg->path);
        return 1;
    }
    char first[256], here[300];
    s_first_host (list, first, sizeof first);
    snprintf (here, sizeof here, "task %d of %d on %s", rank, tasks,
              node ? node : zp_process_hostname ());
    zp_endpoint_t control = {.port = 0}, bcast = {.port = 0};
    char why[512];
    if (zp_endpoint_is_tcp (cfg->control))
        zp_endpoint_parse (cfg->control, &control, why, sizeof why);
    if (zp_endpoint_is_tcp (cfg->broadcast))
        zp_endpoint_parse (cfg->broadcast, &bcast, why, sizeof why);
    /* Ports Slurm reserved for the step (MpiParams=ports=... in
       slurm.conf), which nothing else on the node is handed; else, by
       unsigned arithmetic on whatever the ids hold (a huge or a bad one
       included), a port from 20000 to 59998, the same on every task, which
       any other program may hold already. */
    int reserved[2];
    int base;
    bool resv = s_reserved_ports (getenv ("SLURM_STEP_RESV_PORTS"), reserved) == 2;
    if (resv)
        base = reserved[0];
    else {
        uint64_t job = strtoull (getenv ("SLURM_JOB_ID") ? getenv ("SLURM_JOB_ID") : "0", NULL, 10);
        uint64_t step =
            strtoull (getenv ("SLURM_STEP_ID") ? getenv ("SLURM_STEP_ID") : "0", NULL, 10);
        base = 20000 + (int) (((job % 40000) * 64 + (step % 40000) * 2) % 40000);
        reserved[1] = base + 1;
    }
    char set_control[400], set_bcast[400];
    snprintf (set_control, sizeof set_control, "master.control=tcp://%s:%d", first,
              control.port ? control.port : base);
    snprintf (set_bcast, sizeof set_bcast, "master.broadcast=tcp://%s:%d", first,
              bcast.port ? bcast.port : reserved[1]);
    size_t total = cfg->n_workers + cfg->n_routers, n = 0, tcp = 0;
    s_child_t *children = calloc (total + 1, sizeof *children);
    char (*binds)[400] = calloc (total + 1, sizeof *binds);
    if (!children || !binds) {
        free (children);
        free (binds);
        fprintf (stderr, "zpregel launch: out of memory\n");
        return 1;
    }
    if (rank == 0) {
        children[n++] = (s_child_t){.sets = {set_control, set_bcast}, .n_sets = 2};
        fprintf (stderr, "zpregel launch: %s: the master listens on %s and %s (%s)\n", here,
                 set_control + strlen ("master.control="), set_bcast + strlen ("master.broadcast="),
                 control.port && bcast.port ? "the job file's ports"
                 : resv                     ? "ports Slurm reserved for the step"
                                            : "ports from the Slurm job id: srun --resv-ports=2 "
                                              "reserves two");
    }
    for (size_t i = 0; i < total; i++) {
        bool router = i >= cfg->n_workers;
        size_t k = router ? i - cfg->n_workers : i;
        const zp_worker_config_t *wc = router ? &cfg->routers[k] : &cfg->workers[k];
        if (wc->transport != ZP_TRANSPORT_TCP || (int) (++tcp % (size_t) tasks) != rank)
            continue;
        zp_endpoint_t own;
        zp_endpoint_parse (wc->endpoint, &own, why, sizeof why);
        char port[16] = "";
        if (own.port)
            snprintf (port, sizeof port, ":%d", own.port);
        snprintf (binds[n], sizeof binds[n], "%s[%zu].endpoint=tcp://%s%s",
                  router ? "routers" : "workers", k, node ? node : zp_process_hostname (), port);
        children[n] = (s_child_t){
            .node = wc, .router = router, .sets = {set_control, set_bcast, binds[n]}, .n_sets = 3};
        n++;
    }
    int rc = 0;
    if (n == 0)
        fprintf (stderr, "zpregel launch: %s: nothing to run here (%zu tcp nodes for %d tasks)\n",
                 here, tcp, tasks);
    else
        rc = s_launch_children (cfg, here, children, n, overrides, n_overrides);
    free (children);
    free (binds);
    return rc;
}

/* zpregel launch --host HOST: every tcp worker and router whose host: is
   HOST, as child processes, until they all end. */
static int s_launch (const zp_config_t *cfg, const char *host, const char *const *overrides,
                     size_t n_overrides)
{
    size_t total = cfg->n_workers + cfg->n_routers, n = 0;
    s_child_t children[total + 1];
    for (size_t i = 0; i < total; i++) {
        bool router = i >= cfg->n_workers;
        const zp_worker_config_t *wc =
            router ? &cfg->routers[i - cfg->n_workers] : &cfg->workers[i];
        if (wc->transport == ZP_TRANSPORT_TCP && wc->host && streq (wc->host, host))
            children[n++] = (s_child_t){.node = wc, .router = router};
    }
    if (n == 0) {
        fprintf (stderr, "zpregel: %s: no tcp worker or router has host: %s\n", cfg->path, host);
        return 1;
    }
    return s_launch_children (cfg, host, children, n, overrides, n_overrides);
}

/* A node started on its own must know where the master listens. */
static bool s_master_known (const zp_config_t *cfg)
{
    if (!zp_endpoint_port_at_run_time (cfg->control) &&
        !zp_endpoint_port_at_run_time (cfg->broadcast))
        return true;
    fprintf (stderr,
             "zpregel: %s: master.control and master.broadcast leave their ports to be chosen "
             "at run time, so a node started on its own cannot find the master: give them ports "
             "in the job file, or pass the ones the master printed (--set "
             "master.control=tcp://HOST:PORT --set master.broadcast=tcp://HOST:PORT)\n",
             cfg->path);
    return false;
}

/* zpregel worker, zpregel router and zpregel launch. */
int zp_cli_node (int argc, char **argv, const char *cmd)
{
    bool launch = streq (cmd, "launch"), router = streq (cmd, "router");
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'}, {"host", required_argument, NULL, 'H'},
        {"set", required_argument, NULL, 's'},  {"unset", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc, sizeof *overrides);
    size_t n_overrides = 0;
    const char *name = NULL, *host = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "n:H:s:h", longopts, NULL)) != -1) {
        if (c == 'n' && !launch)
            name = optarg;
        else if (c == 'H' && launch)
            host = optarg;
        else if (c == 's')
            overrides[n_overrides++] = optarg;
        else if (c == 'u' && (overrides[n_overrides] = zp_cli_unset (optarg)))
            n_overrides++;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            if (launch)
                fprintf (out,
                         "usage: zpregel launch JOB.yaml --host HOST [--set key=value]...\n"
                         "       srun zpregel launch JOB.yaml [--set key=value]...\n\n"
                         "Starts every tcp worker and router of JOB.yaml whose host: is HOST, as\n"
                         "processes, and waits for them. Run it on each host of the job. One\n"
                         "that dies of a signal is started again, up to\n"
                         "reliability.max_recoveries times, and joins the job again.\n\n"
                         "In a Slurm job step (srun), without --host: task 0 runs the master on\n"
                         "the step's first node, and the tcp workers and routers go to the tasks\n"
                         "in turn, each bound on its task's node (docs/CLUSTERS.md).\n\n"
                         "It ends when the job ends, says how (each node logs why a failed job\n"
                         "failed), and exits 0 when it finished; otherwise with the master's exit\n"
                         "status where the master runs, else 1 (or a node's 128 + signal).\n");
            else
                fprintf (out,
                         "usage: zpregel %s JOB.yaml --name NAME [--set key=value]...\n\n"
                         "Runs the tcp %s NAME of JOB.yaml in this process: it binds its\n"
                         "endpoint, joins the master, and exits when the job ends (status 0)\n"
                         "or fails (status 1).\n",
                         cmd, cmd);
            free (overrides);
            return c == 'h' ? 0 : 2;
        }
    }
    bool slurm = launch && !host && getenv ("SLURM_PROCID");
    if (optind != argc - 1 || (!launch && !name) || (launch && !host && !slurm)) {
        fprintf (stderr, "zpregel %s: expected JOB.yaml and %s\n", cmd,
                 launch ? "--host HOST (or run it with srun, in a Slurm job)" : "--name NAME");
        free (overrides);
        return 2;
    }
    zp_config_t *cfg = zp_cli_load (argv[optind], overrides, n_overrides);
    if (!cfg) {
        free (overrides);
        return 1;
    }
    int rc = 0;
    if (!slurm && !s_master_known (cfg))
        rc = 1;
    else if (slurm)
        rc = s_launch_slurm (cfg, overrides, n_overrides);
    else if (!launch) {
        const zp_worker_config_t *list = router ? cfg->routers : cfg->workers, *wc = NULL;
        size_t count = router ? cfg->n_routers : cfg->n_workers;
        for (size_t i = 0; i < count; i++)
            if (streq (list[i].name, name))
                wc = &list[i];
        if (!wc || wc->transport != ZP_TRANSPORT_TCP) {
            fprintf (stderr, "zpregel: %s: no tcp %s named \"%s\" in %ss\n", cfg->path, cmd, name,
                     cmd);
            rc = 1;
        } else
            rc = s_run_node (cfg, wc, router);
    } else
        rc = s_launch (cfg, host, overrides, n_overrides);
    if (rc != 0 && zsys_interrupted)
        rc = zp_cli_interrupted_status ();
    zp_config_destroy (&cfg);
    free (overrides);
    return rc;
}
