/*  zpregel plan: the route plan for a job's traffic, and what it saves. */
#include "zp_cli.h"

#include <math.h>

static void s_print_cost (const char *what, const zp_plan_cost_t *c)
{
    printf ("  %-12s %12.0f %12.0f %14.0f %14.0f %14.0f %14.1f", what, c->connections, c->frames,
            c->bytes, c->busiest_link, c->busiest_router, c->cost);
    if (isnan (c->seconds))
        printf ("\n");
    else
        printf (" %14.6f\n", c->seconds);
}

int zp_cli_plan (int argc, char **argv)
{
    static const struct option longopts[] = {
        {"traffic", required_argument, NULL, 't'}, {"dot", required_argument, NULL, 'd'},
        {"routers", required_argument, NULL, 'r'}, {"set", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc, sizeof *overrides);
    size_t n_overrides = 0;
    const char *traffic_path = NULL, *dot_path = NULL;
    long routers = -1;
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "t:d:r:s:h", longopts, NULL)) != -1) {
        char *end;
        if (c == 't')
            traffic_path = optarg;
        else if (c == 'd')
            dot_path = optarg;
        else if (c == 'r' && (routers = strtol (optarg, &end, 10), *end == 0 && routers >= 0))
            ;
        else if (c == 's')
            overrides[n_overrides++] = optarg;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            fprintf (
                out,
                "usage: zpregel plan [JOB.yaml] [--traffic FILE] [--routers N] [--dot FILE]\n"
                "                    [--set key=value]...\n\n"
                "Plans the routes between a job's workers (direct, aggregated through a router,\n"
                "or load-balanced over the routers) and prices the plan against all-direct and\n"
                "all-routed with the cost model of docs/ROUTING.md.\n\n"
                "  -t, --traffic FILE  traffic lines as written by 'zpregel run --stats' or\n"
                "                      'zpregel gen traffic' (default: estimated from JOB's "
                "graph)\n"
                "  -r, --routers N     without JOB.yaml: the size of the router pool\n"
                "  -d, --dot FILE      write a Graphviz picture of nodes and routes\n");
            free (overrides);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind < argc - 1 || (optind == argc && !traffic_path)) {
        fprintf (stderr, "zpregel plan: expected JOB.yaml, or --traffic FILE and --routers N\n");
        free (overrides);
        return 2;
    }
    char err[2048];
    zp_config_t *cfg = NULL;
    zp_traffic_matrix_t tm = {0};
    zp_plan_options_t opt = zp_plan_defaults ();
    int rc = 1;
    uint32_t nw = 0, nr = 0;
    char **names = NULL, **process = NULL, **host = NULL;
    const char **rack = NULL;
    uint64_t *vertices = NULL;
    const char *source = traffic_path;
    if (optind == argc - 1) {
        if (!(cfg = zp_cli_load (argv[optind], overrides, n_overrides))) {
            free (overrides);
            return 1;
        }
        opt = zp_plan_options_of (cfg);
        nw = (uint32_t) cfg->n_workers;
        nr = (uint32_t) cfg->n_routers;
    }
    if (traffic_path && zp_traffic_read (traffic_path, &tm, err, sizeof err) != 0) {
        fprintf (stderr, "zpregel: %s\n", err);
        goto done;
    }
    if (cfg && traffic_path && tm.n != nw) {
        fprintf (stderr, "zpregel: %s has %u workers, %s has %u\n", traffic_path, tm.n, cfg->path,
                 nw);
        goto done;
    }
    if (!cfg) {
        nw = tm.n;
        if (routers < 0) {
            fprintf (stderr,
                     "zpregel plan: without JOB.yaml, say how many routers (--routers N)\n");
            goto done;
        }
        nr = (uint32_t) routers;
    }
    names = calloc (nw + nr, sizeof *names);
    process = calloc (nw + nr, sizeof *process);
    host = calloc (nw + nr, sizeof *host);
    rack = calloc (nw + nr, sizeof *rack);
    if (!names || !process || !host || !rack)
        goto done;
    /* Where each node runs: inproc nodes share the master's process and host. */
    for (uint32_t i = 0; i < nw + nr; i++) {
        bool router = i >= nw;
        const zp_worker_config_t *n =
            cfg ? (router ? &cfg->routers[i - nw] : &cfg->workers[i]) : NULL;
        const char *master_host = cfg && cfg->master_host ? cfg->master_host : "localhost";
        names[i] =
            n ? strdup (n->name) : zsys_sprintf ("%c%u", router ? 'r' : 'w', router ? i - nw : i);
        if (!n) {
            process[i] = zsys_sprintf ("p%u", i);
            host[i] = zsys_sprintf ("%s%u", router ? "router-host" : "host", router ? i - nw : i);
        } else if (n->transport == ZP_TRANSPORT_INPROC) {
            process[i] = strdup ("master");
            host[i] = strdup (master_host);
        } else {
            process[i] = zsys_sprintf ("tcp:%s", n->name);
            host[i] = strdup (n->host ? n->host : "localhost");
        }
        rack[i] = cfg ? zp_config_rack (cfg, host[i]) : NULL;
    }
    if (cfg) {
        /* Estimate from the graph, placed as the job would place it: the
           traffic, unless a file gives it, and in any case what a router
           can combine (a measured matrix counts what the workers sent,
           not what the routers merged). */
        zp_graph_source_t src = {.path = cfg->graph,
                                 .format = cfg->format,
                                 .directed = cfg->directed < 0 ? 1 : cfg->directed};
        zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
        if (!g) {
            fprintf (stderr, "zpregel: %s\n", err);
            goto done;
        }
        zp_layout_t *l = zp_job_layout (cfg, g);
        zp_traffic_matrix_t est = {0};
        int ok = l ? zp_job_estimate_traffic (cfg, l, g, (const char *const *) host,
                                              traffic_path ? &est : &tm)
                   : -1;
        if (ok == 0 && traffic_path)
            zp_traffic_take_bounds (&tm, &est);
        zp_traffic_free (&est);
        if (l) {
            vertices = calloc (nw, sizeof *vertices);
            for (uint32_t w = 0; vertices && w < nw; w++)
                vertices[w] = l->ranges[w + 1] - l->ranges[w];
        }
        zp_layout_destroy (&l);
        zp_graph_destroy (&g);
        if (ok != 0) {
            fprintf (stderr, "zpregel: out of memory estimating the traffic\n");
            goto done;
        }
        if (!traffic_path)
            source = "estimated from the graph (one combined message per edge)";
    }
    zp_topology_t topo = {nw,
                          nr,
                          (const char *const *) process,
                          (const char *const *) host,
                          (const char *const *) host + nw,
                          vertices,
                          rack,
                          rack + nw};
    zp_plan_t *plan = zp_plan_new (&tm, &topo, &opt);
    zp_plan_t *direct = zp_plan_uniform (&topo, ZP_ROUTE_DIRECT);
    zp_plan_t *routed = zp_plan_uniform (&topo, ZP_ROUTE_AGGREGATED);
    if (!plan || !direct || !routed) {
        fprintf (stderr, "zpregel: out of memory planning\n");
        zp_plan_destroy (&plan);
        zp_plan_destroy (&direct);
        zp_plan_destroy (&routed);
        goto done;
    }
    zp_plan_cost_t cp, cd, cr;
    zp_plan_cost (plan, &tm, &topo, &opt, &cp);
    zp_plan_cost (direct, &tm, &topo, &opt, &cd);
    zp_plan_cost (routed, &tm, &topo, &opt, &cr);
    static const char *const modes[] = {"auto", "direct", "aggregated", "load_balanced"};
    printf ("route plan for %u workers and %u routers (routing.mode %s)\n", nw, nr,
            modes[opt.mode]);
    printf ("traffic: %s\n", source);
    /* Pairs in one process talk inproc, always direct, and cost nothing. */
    uint64_t with_traffic = 0;
    for (uint32_t i = 0; i < nw; i++)
        for (uint32_t j = 0; j < nw; j++)
            with_traffic += i != j && tm.bytes[(size_t) i * nw + j] > 0;
    uint64_t between = cp.routes[0] + cp.routes[1] + cp.routes[2];
    printf ("pairs with traffic between processes: %" PRIu64 " direct, %" PRIu64
            " aggregated, %" PRIu64 " load-balanced; %" PRIu64
            " within a process (inproc, direct)\n\n",
            cp.routes[0], cp.routes[1], cp.routes[2], with_traffic - between);
    bool timed = !isnan (cp.seconds) && !isnan (cd.seconds) && !isnan (cr.seconds);
    printf ("  %-12s %12s %12s %14s %14s %14s %14s%s\n", "per superstep", "connections", "frames",
            "bytes", "busiest link", "busiest router", "cost", timed ? "   network (s)" : "");
    s_print_cost ("plan", &cp);
    s_print_cost ("all-direct", &cd);
    s_print_cost ("all-routed", &cr);
    if (timed && cd.seconds > 0 && cr.seconds > 0)
        printf ("\nthe plan takes %.1f%% of all-direct's network time and %.1f%% of "
                "all-routed's\n",
                100 * cp.seconds / cd.seconds, 100 * cp.seconds / cr.seconds);
    else if (cd.cost > 0 && cr.cost > 0)
        printf ("\nthe plan costs %.1f%% of all-direct and %.1f%% of all-routed\n",
                100 * cp.cost / cd.cost, 100 * cp.cost / cr.cost);
    else
        printf ("\nno traffic crosses a process: every plan costs nothing\n");
    if (!timed && cfg)
        printf ("(the job file gives no link speeds, links.host: the plans are priced in "
                "frames, not seconds)\n");
    if (timed && traffic_path && !isnan (tm.measured_seconds)) {
        /* The run that wrote the file: its compute, and the network as the
           model prices the plan its job used (routing.mode). */
        printf ("\nmeasured in %s: a superstep %.6f s (the mean, as the traffic is), its "
                "compute %.6f s;\n"
                "predicted: that compute + the plan's network %.6f s = %.6f s (%.0f%% of the "
                "measured)\n",
                traffic_path, tm.measured_seconds, tm.measured_compute, cp.seconds,
                tm.measured_compute + cp.seconds,
                100 * (tm.measured_compute + cp.seconds) / tm.measured_seconds);
    }
    if (nw <= 16) {
        printf ("\nroutes (sender -> receiver):\n");
        for (uint32_t i = 0; i < nw; i++)
            for (uint32_t j = 0; j < nw; j++) {
                if (i == j)
                    continue;
                uint32_t route = plan->routes[(size_t) i * nw + j];
                zp_route_kind_t kind = zp_route_kind (route);
                printf ("  %-12s -> %-12s %s%s%s  (%.0f messages, %.0f bytes)\n", names[i],
                        names[j],
                        kind == ZP_ROUTE_DIRECT       ? "direct"
                        : kind == ZP_ROUTE_AGGREGATED ? "aggregated via "
                                                      : "load-balanced via ",
                        kind == ZP_ROUTE_DIRECT ? "" : names[nw + zp_route_router (route)], "",
                        tm.messages[(size_t) i * nw + j], tm.bytes[(size_t) i * nw + j]);
            }
    }
    rc = 0;
    if (dot_path) {
        FILE *dot = fopen (dot_path, "w");
        if (!dot) {
            fprintf (stderr, "zpregel: %s: cannot write: %s\n", dot_path, strerror (errno));
            rc = 1;
        } else {
            zp_plan_write_dot (dot, plan, &tm, &topo, (const char *const *) names,
                               (const char *const *) names + nw);
            fclose (dot);
        }
    }
    zp_plan_destroy (&plan);
    zp_plan_destroy (&direct);
    zp_plan_destroy (&routed);
done:
    for (uint32_t i = 0; names && i < nw + nr; i++) {
        free (names[i]);
        free (process[i]);
        free (host[i]);
    }
    free (names);
    free (process);
    free (host);
    free (rack);
    free (vertices);
    zp_traffic_free (&tm);
    zp_config_destroy (&cfg);
    free (overrides);
    return rc;
}
