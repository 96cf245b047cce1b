/*  The commands that plan and generate, run as a user runs them: zpregel
    plan (the topology optimizer over a job file or a traffic file, its
    costs and its picture) and zpregel gen (R-MAT graphs and traffic). The
    functions behind them have unit tests in tests/unit/. */
#include "zp_test.h"
#include "zp_graph.h"

static char s_err[2048];

Test (commands, the_plan_command_prints_the_costs_and_a_dot_picture)
{
    const char *dir = zp_test_tmpdir ();
    char traffic[4200], dot[4200];
    snprintf (traffic, sizeof traffic, "%s/t.jsonl", dir);
    snprintf (dot, sizeof dot, "%s/plan.dot", dir);
    zp_test_run_t r;
    const char *gen[] = {zp_test_bin (), "gen", "traffic", "--workers",
                         "1024",         "-o",  traffic,   NULL};
    zp_test_run (gen, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    const char *plan[] = {zp_test_bin (), "plan",  "--traffic", traffic, "--routers",
                          "32",           "--dot", dot,         NULL};
    zp_test_run (plan, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strstr (r.out, "route plan for 1024 workers and 32 routers"), "%s", r.out);
    double vs_direct = 0, vs_routed = 0;
    const char *line = strstr (r.out, "the plan costs ");
    cr_assert_not_null (line, "%s", r.out);
    cr_assert_eq (sscanf (line, "the plan costs %lf%% of all-direct and %lf%% of all-routed",
                          &vs_direct, &vs_routed),
                  2);
    cr_assert (vs_direct < 100 && vs_routed < 100, "%s", line);
    char *picture = zp_test_read (dot, NULL);
    cr_assert (picture && strncmp (picture, "digraph zpregel_plan {", 22) == 0);
    cr_assert (strstr (picture, "-> r"), "no routed link in the picture");
    free (picture);
    zp_test_run_free (&r);
    const char *noroutes[] = {zp_test_bin (), "plan", "--traffic", traffic, NULL};
    zp_test_run (noroutes, 30, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "say how many routers (--routers N)"), "%s", r.err);
    zp_test_run_free (&r);
}

/* `zpregel plan` on the Debian graph with `workers` tcp workers and
   `routers` routers, each on a host of its own: how many pairs it routes
   direct and aggregated (the output in r, freed by the caller). */
static void s_plan_hosts (int workers, int routers, unsigned long *direct,
                          unsigned long *aggregated, zp_test_run_t *r)
{
    const char *dir = zp_test_tmpdir ();
    char yaml[16384];
    int at = snprintf (yaml, sizeof yaml,
                       "job:\n  algorithm: pr\n  graph: %s\n"
                       "master:\n  control: tcp://10.0.0.1:5555\n  broadcast: tcp://10.0.0.1:5556\n"
                       "  host: m\nworkers:\n",
                       zp_test_path ("data/debian-deps.properties"));
    for (int w = 0; w < workers; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at,
                        "  - name: w%d\n    transport: tcp\n    endpoint: tcp://10.0.1.%d:5601\n"
                        "    host: h%d\n",
                        w, w + 1, w);
    at += snprintf (yaml + at, sizeof yaml - (size_t) at, "routers:\n");
    for (int k = 0; k < routers; k++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at,
                        "  - name: r%d\n    transport: tcp\n    endpoint: tcp://10.0.2.%d:5701\n"
                        "    host: rh%d\n",
                        k, k + 1, k);
    const char *argv[] = {zp_test_bin (), "plan", zp_test_write (dir, "hosts.yaml", yaml), NULL};
    zp_test_run (argv, 60, r);
    cr_assert_eq (r->status, 0, "%s", r->err);
    unsigned long balanced, within;
    const char *line = strstr (r->out, "pairs with traffic between processes: ");
    cr_assert_not_null (line, "%s", r->out);
    cr_assert_eq (sscanf (line,
                          "pairs with traffic between processes: %lu direct, %lu aggregated, %lu "
                          "load-balanced; %lu within a process",
                          direct, aggregated, &balanced, &within),
                  4);
    cr_assert_eq (within, 0, "every worker has a host of its own: %s", r->out);
}

Test (commands,
      on_the_skewed_debian_graph_light_senders_are_aggregated_where_routers_share_the_load)
{
    /* Sixteen workers on sixteen hosts, four routers: the pairs of a
       power-law graph are light (far below a batch a superstep), so they
       go through the routers, which combine. */
    unsigned long direct, aggregated;
    zp_test_run_t r;
    s_plan_hosts (16, 4, &direct, &aggregated, &r);
    cr_assert_eq (aggregated, 240, "%s", r.out);
    cr_assert (strstr (r.out, "aggregated via r"), "%s", r.out);
    zp_test_run_free (&r);
    /* With one router, every frame of the job would pass one process (the
       emulated cluster's 16 hosts ran PageRank 2.16 times slower so): direct. */
    s_plan_hosts (16, 1, &direct, &aggregated, &r);
    cr_assert_eq (direct, 240, "%s", r.out);
    zp_test_run_free (&r);
}

Test (commands, racks_put_the_router_of_a_cross_rack_pair_in_the_senders_rack)
{
    /* Two racks of two workers and a router, aggregated routes: a pair
       across the racks goes through the sender's rack's router, a pair in
       one rack through its own. */
    const char *dir = zp_test_tmpdir ();
    char yaml[8192];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n"
              "master:\n  control: tcp://10.0.0.1:5555\n  broadcast: tcp://10.0.0.1:5556\n"
              "  host: m\nrouting:\n  mode: aggregated\nworkers:\n"
              "  - {name: a1, transport: tcp, endpoint: 'tcp://10.0.1.1:5601', host: ha1}\n"
              "  - {name: a2, transport: tcp, endpoint: 'tcp://10.0.1.2:5601', host: ha2}\n"
              "  - {name: b1, transport: tcp, endpoint: 'tcp://10.0.2.1:5601', host: hb1}\n"
              "  - {name: b2, transport: tcp, endpoint: 'tcp://10.0.2.2:5601', host: hb2}\n"
              "routers:\n"
              "  - {name: rb, transport: tcp, endpoint: 'tcp://10.0.2.9:5701', host: hrb}\n"
              "  - {name: ra, transport: tcp, endpoint: 'tcp://10.0.1.9:5701', host: hra}\n"
              "racks:\n  a: [m, ha1, ha2, hra]\n  b: [hb1, hb2, hrb]\n",
              zp_test_path ("data/debian-deps.properties"));
    const char *argv[] = {zp_test_bin (), "plan", zp_test_write (dir, "racks.yaml", yaml), NULL};
    zp_test_run_t r;
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    const char *want[] = {"a1           -> b1           aggregated via ra",
                          "a2           -> b2           aggregated via ra",
                          "b1           -> a2           aggregated via rb",
                          "b2           -> b1           aggregated via rb",
                          "a2           -> a1           aggregated via ra"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert (strstr (r.out, want[i]), "no \"%s\" in:\n%s", want[i], r.out);
    zp_test_run_free (&r);
}

Test (commands, pairs_inside_a_process_are_counted_apart)
{
    /* configs/mixed.yaml: w1 and w2 share the master's process (inproc,
       always direct); every other pair crosses processes, aggregated. */
    const char *argv[] = {zp_test_bin (), "plan", zp_test_path ("configs/mixed.yaml"), NULL};
    zp_test_run_t r;
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strstr (r.out, "pairs with traffic between processes: 0 direct, 10 aggregated, 0 "
                              "load-balanced; 2 within a process (inproc, direct)"),
               "%s", r.out);
    cr_assert (strstr (r.out, "w1           -> w2           direct"), "%s", r.out);
    zp_test_run_free (&r);
}

Test (commands, the_rmat_generator_writes_the_same_graph_as_text_and_binary)
{
    const char *dir = zp_test_tmpdir ();
    char prefix[4200];
    snprintf (prefix, sizeof prefix, "%s/rmat", dir);
    const char *argv[] = {zp_test_bin (), "gen", "rmat", "--scale", "12",
                          "--seed",       "3",   "-o",   prefix,    NULL};
    zp_test_run_t r;
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    /* The text and the binary files describe the same graph. */
    char text[4300], bin[4300];
    snprintf (text, sizeof text, "%s.properties", prefix);
    snprintf (bin, sizeof bin, "%s.zpg", prefix);
    zp_graph_source_t a = {text, ZP_FORMAT_AUTO, -1, NULL, false, 0, NULL},
                      b = {bin, ZP_FORMAT_AUTO, -1, NULL, false, 0, NULL};
    zp_graph_t *ga = zp_graph_load (&a, NULL, s_err, sizeof s_err);
    cr_assert_not_null (ga, "%s", s_err);
    zp_graph_t *gb = zp_graph_load (&b, NULL, s_err, sizeof s_err);
    cr_assert_not_null (gb, "%s", s_err);
    cr_assert_eq (ga->n, 4096);
    cr_assert_eq (ga->m, gb->m);
    cr_assert_gt (ga->m, 4096 * 12, "about 16 edges a vertex, less repeats");
    cr_assert_eq (memcmp (ga->targets, gb->targets, ga->m * 4), 0);
    cr_assert_eq (ga->dropped_duplicates + ga->dropped_self_loops, 0, "the generator removed them");
    /* Power law: the busiest vertex has far more than the average degree. */
    uint64_t max = 0;
    for (uint64_t v = 0; v < ga->n; v++)
        max = ga->offsets[v + 1] - ga->offsets[v] > max ? ga->offsets[v + 1] - ga->offsets[v] : max;
    cr_assert_gt (max, 20 * ga->m / ga->n);
    zp_graph_destroy (&ga);
    zp_graph_destroy (&gb);
    /* With --weights, the same edges with the same weights in both, each
       k / 65536 with k from 1 to 65536, and SSSP runs on the dataset. */
    char wprefix[4300];
    snprintf (wprefix, sizeof wprefix, "%s/rmatw", dir);
    const char *wargv[] = {zp_test_bin (), "gen", "rmat",  "--scale", "12", "--seed", "3",
                           "--weights",    "-o",  wprefix, NULL};
    zp_test_run (wargv, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    snprintf (text, sizeof text, "%s.properties", wprefix);
    snprintf (bin, sizeof bin, "%s.zpg", wprefix);
    a = (zp_graph_source_t){text, ZP_FORMAT_AUTO, -1, "weight", false, 0, NULL};
    b = (zp_graph_source_t){bin, ZP_FORMAT_AUTO, -1, "weight", false, 0, NULL};
    cr_assert_not_null (ga = zp_graph_load (&a, NULL, s_err, sizeof s_err), "%s", s_err);
    cr_assert_not_null (gb = zp_graph_load (&b, NULL, s_err, sizeof s_err), "%s", s_err);
    cr_assert (ga->weights && gb->weights && ga->m == gb->m);
    cr_assert_eq (memcmp (ga->weights, gb->weights, ga->m * sizeof (double)), 0);
    for (uint64_t e = 0; e < ga->m; e++) {
        double k = ga->weights[e] * 65536;
        cr_assert (k >= 1 && k <= 65536 && k == (double) (uint64_t) k, "weight %g", ga->weights[e]);
    }
    zp_graph_destroy (&ga);
    zp_graph_destroy (&gb);
    char yaml[9000], out[4400];
    snprintf (out, sizeof out, "%s/sssp.out", dir);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: sssp\n  graph: %s\n  output: %s\nworkers:\n  - name: w1\n", text,
              out);
    const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, "sssp.yaml", yaml), "--quiet",
                         NULL};
    zp_test_run (run, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    /* The source is the busiest vertex: most vertices are reached. */
    char *values = zp_test_read (out, NULL);
    cr_assert_not_null (values);
    size_t unreached = 0;
    for (char *p = values; (p = strstr (p, " infinity")); p++)
        unreached++;
    cr_assert_lt (unreached, 4096 / 2, "%zu of 4096 vertices unreached", unreached);
    free (values);
}
