/*  The topology optimizer, its cost model, and traffic files. */
#include "zp_test.h"
#include "zp_plan.h"

#include <math.h>

/* n workers, each in its own process on its own host; r routers on their own hosts. */
typedef struct {
    char *process[1100], *host[1100];
    zp_topology_t topo;
} s_world_t;

static void s_world (s_world_t *w, uint32_t n, uint32_t r)
{
    for (uint32_t i = 0; i < n + r; i++) {
        w->process[i] = malloc (16);
        w->host[i] = malloc (16);
        snprintf (w->process[i], 16, "p%u", i);
        snprintf (w->host[i], 16, "h%u", i);
    }
    w->topo = (zp_topology_t){n,
                              r,
                              (const char *const *) w->process,
                              (const char *const *) w->host,
                              (const char *const *) w->host + n,
                              NULL,
                              NULL,
                              NULL};
}

static void s_world_free (s_world_t *w)
{
    for (uint32_t i = 0; i < w->topo.n_workers + w->topo.n_routers; i++) {
        free (w->process[i]);
        free (w->host[i]);
    }
}

static zp_traffic_matrix_t s_matrix (uint32_t n)
{
    zp_traffic_matrix_t m = {.n = n,
                             .messages = calloc ((size_t) n * n, sizeof (double)),
                             .bytes = calloc ((size_t) n * n, sizeof (double)),
                             .steps = 1};
    return m;
}

static void s_set (zp_traffic_matrix_t *m, uint32_t i, uint32_t j, double bytes)
{
    m->messages[(size_t) i * m->n + j] = bytes / 16;
    m->bytes[(size_t) i * m->n + j] = bytes;
}

Test (plan, on_a_1024_worker_power_law_matrix_the_plan_beats_both_extremes)
{
    s_world_t w;
    s_world (&w, 1024, 32);
    zp_traffic_matrix_t m;
    cr_assert_eq (zp_traffic_generate (1024, 1.2, 64, 1e8, 16, 1, &m), 0);
    zp_plan_options_t o = zp_plan_defaults ();
    zp_plan_t *plan = zp_plan_new (&m, &w.topo, &o);
    zp_plan_t *direct = zp_plan_uniform (&w.topo, ZP_ROUTE_DIRECT);
    zp_plan_t *routed = zp_plan_uniform (&w.topo, ZP_ROUTE_AGGREGATED);
    zp_plan_cost_t cp, cd, cr;
    zp_plan_cost (plan, &m, &w.topo, &o, &cp);
    zp_plan_cost (direct, &m, &w.topo, &o, &cd);
    zp_plan_cost (routed, &m, &w.topo, &o, &cr);
    cr_assert_lt (cp.cost, cd.cost, "plan %.1f, all-direct %.1f", cp.cost, cd.cost);
    cr_assert_lt (cp.cost, cr.cost, "plan %.1f, all-routed %.1f", cp.cost, cr.cost);
    cr_assert_gt (cp.routes[ZP_ROUTE_AGGREGATED], 0);
    cr_assert_gt (cp.routes[ZP_ROUTE_DIRECT], 0, "heavy pairs stay direct");
    cr_assert_lt (cp.connections, cd.connections);
    zp_plan_destroy (&plan);
    zp_plan_destroy (&direct);
    zp_plan_destroy (&routed);
    zp_traffic_free (&m);
    s_world_free (&w);
}

Test (plan, many_light_senders_are_aggregated_heavy_uniform_traffic_goes_direct)
{
    /* 16 workers on 16 hosts sending each other a little (4 KiB) a superstep,
       and one heavy pair: routing shares links (each sender reaches both
       routers, each router every receiver), the heavy pair stays direct. */
    s_world_t w;
    s_world (&w, 16, 2);
    zp_plan_options_t o = zp_plan_defaults ();
    zp_traffic_matrix_t m = s_matrix (16);
    for (uint32_t i = 0; i < 16; i++)
        for (uint32_t j = 0; j < 16; j++)
            if (i != j)
                s_set (&m, i, j, 4096);
    s_set (&m, 1, 2, 50 << 20);
    zp_plan_t *plan = zp_plan_new (&m, &w.topo, &o);
    for (uint32_t i = 0; i < 16; i++)
        for (uint32_t j = 0; j < 16; j++) {
            if (i == j || (i == 1 && j == 2))
                continue;
            uint32_t route = plan->routes[i * 16 + j];
            cr_assert_eq (zp_route_kind (route), ZP_ROUTE_AGGREGATED, "%u -> %u", i, j);
            /* Every sender to one receiver goes through the same router, which can combine. */
            cr_assert_eq (zp_route_router (route),
                          zp_route_router (plan->routes[(j ? 0 : 1) * 16 + j]));
        }
    cr_assert_eq (zp_route_kind (plan->routes[1 * 16 + 2]), ZP_ROUTE_DIRECT, "the heavy pair");
    zp_plan_cost_t cp, cd;
    zp_plan_t *direct = zp_plan_uniform (&w.topo, ZP_ROUTE_DIRECT);
    zp_plan_cost (plan, &m, &w.topo, &o, &cp);
    zp_plan_cost (direct, &m, &w.topo, &o, &cd);
    cr_assert_lt (cp.connections, cd.connections / 2);
    zp_plan_destroy (&direct);
    zp_plan_destroy (&plan);
    zp_traffic_free (&m);

    /* Heavy traffic between every pair: nothing to gain from a detour. */
    m = s_matrix (16);
    for (uint32_t i = 0; i < 16; i++)
        for (uint32_t j = 0; j < 16; j++)
            if (i != j)
                s_set (&m, i, j, 20 << 20);
    plan = zp_plan_new (&m, &w.topo, &o);
    for (size_t k = 0; k < 256; k++)
        cr_assert_eq (zp_route_kind (plan->routes[k]), ZP_ROUTE_DIRECT, "pair %zu", k);
    zp_plan_destroy (&plan);
    zp_traffic_free (&m);
    s_world_free (&w);
}

Test (plan, forced_modes_route_every_pair_but_a_process_own)
{
    s_world_t w;
    s_world (&w, 4, 2);
    free (w.process[1]);
    w.process[1] = strdup ("p0"); /* workers 0 and 1 share a process */
    zp_traffic_matrix_t m = s_matrix (4);
    zp_plan_options_t o = zp_plan_defaults ();
    zp_routing_mode_t modes[] = {ZP_ROUTING_DIRECT, ZP_ROUTING_AGGREGATED, ZP_ROUTING_BALANCED};
    zp_route_kind_t kinds[] = {ZP_ROUTE_DIRECT, ZP_ROUTE_AGGREGATED, ZP_ROUTE_BALANCED};
    for (int k = 0; k < 3; k++) {
        o.mode = modes[k];
        zp_plan_t *plan = zp_plan_new (&m, &w.topo, &o);
        for (uint32_t i = 0; i < 4; i++)
            for (uint32_t j = 0; j < 4; j++) {
                zp_route_kind_t want = i == j || (i < 2 && j < 2) ? ZP_ROUTE_DIRECT : kinds[k];
                uint32_t route = plan->routes[i * 4 + j];
                cr_assert_eq (zp_route_kind (route), want, "mode %d, %u -> %u", k, i, j);
                if (want != ZP_ROUTE_DIRECT)
                    cr_assert_lt (zp_route_router (route), 2);
            }
        zp_plan_destroy (&plan);
    }
    zp_traffic_free (&m);
    s_world_free (&w);
}

Test (plan, aggregated_pairs_across_racks_combine_in_the_senders_rack)
{
    /* Workers 0, 1 in rack a and 2, 3 in rack b; router 0 in rack b, router 1
       in rack a (not in the workers' order, so that no index lines up). */
    s_world_t w;
    s_world (&w, 4, 2);
    const char *racks[] = {"a", "a", "b", "b", "b", "a"};
    zp_traffic_matrix_t m = s_matrix (4);
    zp_plan_options_t o = zp_plan_defaults ();
    o.mode = ZP_ROUTING_AGGREGATED;
    for (int known = 0; known <= 1; known++) {
        w.topo.worker_rack = known ? racks : NULL;
        w.topo.router_rack = known ? racks + 4 : NULL;
        zp_plan_t *plan = zp_plan_new (&m, &w.topo, &o);
        for (uint32_t i = 0; i < 4; i++)
            for (uint32_t j = 0; j < 4; j++) {
                if (i == j)
                    continue;
                uint32_t route = plan->routes[i * 4 + j];
                cr_assert_eq (zp_route_kind (route), ZP_ROUTE_AGGREGATED);
                uint32_t r = zp_route_router (route);
                if (!known) {
                    /* As before racks: by the receiver alone. */
                    uint32_t other = (j + 1) % 4 == i ? (j + 2) % 4 : (j + 1) % 4;
                    cr_assert_eq (route, plan->routes[other * 4 + j]);
                    continue;
                }
                /* Across racks, the sender's rack's router; inside one, its own. */
                cr_assert_str_eq (racks[4 + r], racks[i], "%u -> %u via router %u", i, j, r);
            }
        zp_plan_destroy (&plan);
    }
    zp_traffic_free (&m);
    s_world_free (&w);
}

/* Two racks of two worker hosts and a router host each, 1 Gbit/s host
   links, a 200 Mbit/s uplink: every pair sends 512 KB a superstep, and a
   rack's two senders point at the same vertices of a receiver in the
   other rack (group_reached: what one sender sends). Direct routes put
   4 x 512 KB on the uplink each way; the racks' routers combine the two
   senders first, so 2 x 512 KB cross it: the optimizer, pricing seconds,
   takes the routers, and its price is the busiest link's bytes at its
   speed. Without link speeds there are no seconds (NAN), and on a flat
   network (no racks) the router's one link is the bottleneck: direct. */
Test (plan, with_link_speeds_the_plan_is_priced_in_seconds_and_routers_pay_before_a_slow_uplink)
{
    s_world_t w;
    s_world (&w, 4, 2);
    const char *racks[] = {"a", "a", "b", "b", "a", "b"};
    zp_traffic_matrix_t m = s_matrix (4);
    double pair = 512e3;
    for (uint32_t i = 0; i < 4; i++)
        for (uint32_t j = 0; j < 4; j++)
            if (i != j)
                s_set (&m, i, j, pair);
    m.n_groups = 2;
    m.group_of = malloc (4 * sizeof *m.group_of);
    m.group_reached = calloc (8, sizeof *m.group_reached);
    for (uint32_t i = 0; i < 4; i++) {
        m.group_of[i] = i / 2;
        m.group_reached[(i / 2 == 0 ? 1 : 0) * 4 + i] = pair / 16; /* from the other rack */
        m.group_reached[(i / 2) * 4 + i] = pair / 16;              /* from its own rack's other */
    }
    zp_plan_options_t o = zp_plan_defaults ();
    zp_plan_t *direct = zp_plan_uniform (&w.topo, ZP_ROUTE_DIRECT);
    zp_plan_cost_t c;
    zp_plan_cost (direct, &m, &w.topo, &o, &c);
    cr_assert (isnan (c.seconds), "no link speeds, no seconds: %g", c.seconds);

    o.host_rate = 1e9 / 8;
    o.uplink_rate = 200e6 / 8;
    w.topo.worker_rack = racks;
    w.topo.router_rack = racks + 4;
    zp_plan_cost (direct, &m, &w.topo, &o, &c);
    double uplink = 4 * pair / o.uplink_rate;
    cr_assert_float_eq (c.seconds, uplink, 1e-9, "direct: %g s, the uplink %g s", c.seconds,
                        uplink);
    cr_assert_float_eq (c.busiest_seconds_bytes, 4 * pair, 1e-6);
    zp_plan_t *plan = zp_plan_new (&m, &w.topo, &o);
    zp_plan_cost_t cp;
    zp_plan_cost (plan, &m, &w.topo, &o, &cp);
    cr_assert_lt (cp.seconds * 1.5, c.seconds, "plan %g s, direct %g s", cp.seconds, c.seconds);
    for (uint32_t i = 0; i < 4; i++)
        for (uint32_t j = 0; j < 4; j++) {
            uint32_t route = plan->routes[i * 4 + j];
            if (i / 2 == j / 2 || i == j)
                continue;
            cr_assert_eq (zp_route_kind (route), ZP_ROUTE_AGGREGATED, "%u -> %u", i, j);
            cr_assert_str_eq (racks[4 + zp_route_router (route)], racks[i]);
        }
    /* A hop's latency counts once direct, twice through a router. */
    o.latency = 0.001;
    zp_plan_cost_t lat;
    zp_plan_cost (direct, &m, &w.topo, &o, &lat);
    cr_assert_float_eq (lat.seconds, c.seconds + 0.001, 1e-9);
    zp_plan_cost (plan, &m, &w.topo, &o, &lat);
    cr_assert_float_eq (lat.seconds, cp.seconds + 0.002, 1e-9);
    o.latency = 0;
    zp_plan_destroy (&plan);

    /* Flat: no racks, no uplink; a router's link carries what it merges
       twice (in and out), where direct routes spread it over every host. */
    w.topo.worker_rack = NULL;
    w.topo.router_rack = NULL;
    free (m.group_of);
    free (m.group_reached);
    m.group_of = NULL;
    m.group_reached = NULL;
    m.n_groups = 0;
    plan = zp_plan_new (&m, &w.topo, &o);
    zp_plan_cost (plan, &m, &w.topo, &o, &cp);
    zp_plan_cost (direct, &m, &w.topo, &o, &c);
    cr_assert_eq (cp.routes[ZP_ROUTE_AGGREGATED] + cp.routes[ZP_ROUTE_BALANCED], 0,
                  "flat: every pair direct");
    cr_assert_float_eq (cp.seconds, 3 * pair / o.host_rate, 1e-9);
    /* A slow host's link sets the pace. */
    const char *slow[] = {"h3"};
    double rate[] = {100e6 / 8};
    o.rate_hosts = slow;
    o.rates = rate;
    o.n_rates = 1;
    zp_plan_cost (direct, &m, &w.topo, &o, &c);
    cr_assert_float_eq (c.seconds, 3 * pair / rate[0], 1e-9);
    zp_plan_destroy (&plan);
    zp_plan_destroy (&direct);
    zp_traffic_free (&m);
    s_world_free (&w);
}

Test (plan, traffic_files_round_trip_and_bad_lines_are_named)
{
    const char *dir = zp_test_tmpdir ();
    char path[4200];
    snprintf (path, sizeof path, "%s/stats.jsonl", dir);
    FILE *f = fopen (path, "w");
    uint64_t msgs[4] = {5, 10, 0, 7}, bytes[4] = {0, 160, 0, 0};
    zp_traffic_t t = {2, msgs, bytes};
    fprintf (f, "{\"step\":0,\"seconds\":0.1}\n");
    zp_traffic_write (f, 0, &t);
    msgs[1] = 30;
    bytes[1] = 480;
    zp_traffic_write (f, 1, &t);
    fclose (f);
    zp_traffic_matrix_t m;
    char err[1024];
    cr_assert_eq (zp_traffic_read (path, &m, err, sizeof err), 0, "%s", err);
    cr_assert_eq (m.n, 2);
    cr_assert_eq (m.steps, 2);
    cr_assert_eq (m.messages[1], 20);
    cr_assert_eq (m.bytes[1], 320);
    cr_assert_eq (m.messages[3], 7);
    zp_traffic_free (&m);

    const char *bad[][2] = {
        {"{\"traffic\":true,\"step\":0,\"workers\":2,\"pairs\":[[0,5,1,1]]}\n",
         ":1: expected [sender, receiver, messages, bytes] with workers below 2 near \"]}"},
        {"{\"traffic\":true,\"step\":0,\"pairs\":[]}\n",
         ":1: expected \"step\", \"workers\" (1 to 65536) and \"pairs\""},
        {"{\"step\":1}\n", ": no traffic lines (write them with zpregel run --stats FILE)"},
    };
    for (int i = 0; i < 3; i++) {
        const char *p = zp_test_write (dir, "bad.jsonl", bad[i][0]);
        cr_assert_eq (zp_traffic_read (p, &m, err, sizeof err), -1);
        char want[4400];
        snprintf (want, sizeof want, "%s%s", p, bad[i][1]);
        cr_assert (strncmp (err, want, strlen (want)) == 0, "%s\nwanted %s", err, want);
    }
}
