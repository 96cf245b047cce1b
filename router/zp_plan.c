/*  zp_plan: the topology optimizer and its cost model. See zp_plan.h and
    docs/ROUTING.md.

    Links are kept in three dense tables (worker->worker, worker->router,
    router->worker), which for 1,024 workers and 32 routers is about 1.1 M
    entries: pricing a plan is a few linear passes.
*/
#include "zp_plan.h"
#include "zp_balance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

zp_plan_options_t zp_plan_defaults (void)
{
    zp_plan_options_t o = {.mode = ZP_ROUTING_AUTO,
                           .batch_bytes = 1 << 20,
                           .heavy_bytes = 0, /* 0: one batch, batch_bytes */
                           .fan_in = 3,
                           .connection_cost = 1.0};
    return o;
}

zp_plan_options_t zp_plan_options_of (const zp_config_t *cfg)
{
    return (zp_plan_options_t){.mode = (zp_routing_mode_t) cfg->routing_mode,
                               .batch_bytes = (double) cfg->batch_bytes,
                               .heavy_bytes = (double) cfg->heavy_bytes,
                               .fan_in = cfg->fan_in,
                               .connection_cost = cfg->connection_cost,
                               .host_rate = cfg->link_host,
                               .uplink_rate = cfg->link_uplink,
                               .latency = cfg->link_latency,
                               .rate_hosts = (const char *const *) cfg->link_hosts,
                               .rates = cfg->link_rates,
                               .n_rates = cfg->n_link_hosts};
}

/* The speed of `host`'s link in bytes a second, 0 if not known. */
static double s_rate (const zp_plan_options_t *o, const char *host)
{
    for (size_t i = 0; host && i < o->n_rates; i++)
        if (strcmp (o->rate_hosts[i], host) == 0)
            return o->rates[i];
    return o->host_rate;
}

static bool s_same (const char *const *place, uint32_t a, uint32_t b)
{
    return place && place[a] && place[b] && strcmp (place[a], place[b]) == 0;
}

/* Whether router r's place (host or rack) is `place`. */
static bool s_router_at (const char *const *router_place, uint32_t r, const char *place)
{
    return router_place && place && router_place[r] && strcmp (router_place[r], place) == 0;
}

/* Router `pick` (modulo their count) of those at `place`; false if none is. */
static bool s_router_of (const zp_topology_t *t, const char *const *router_place, const char *place,
                         uint32_t pick, uint32_t *r)
{
    uint32_t there = 0;
    for (uint32_t k = 0; k < t->n_routers; k++)
        there += s_router_at (router_place, k, place);
    if (!there)
        return false;
    pick %= there;
    for (uint32_t k = 0; k < t->n_routers; k++)
        if (s_router_at (router_place, k, place) && pick-- == 0) {
            *r = k;
            return true;
        }
    return false;
}

/* The router that aggregates what worker i sends worker j: when they are
   in two racks, one in i's rack (the batches are combined before they
   cross the uplink); else one on j's host, or in j's rack; else one picked
   by j. Among several, spread by j. */
static uint32_t s_near (const zp_topology_t *t, uint32_t i, uint32_t j)
{
    const char *ri = t->worker_rack ? t->worker_rack[i] : NULL;
    const char *rj = t->worker_rack ? t->worker_rack[j] : NULL;
    uint32_t r;
    if (ri && rj && strcmp (ri, rj) != 0 && s_router_of (t, t->router_rack, ri, j, &r))
        return r;
    if (s_router_of (t, t->router_host, t->worker_host ? t->worker_host[j] : NULL, j, &r) ||
        s_router_of (t, t->router_rack, rj, j, &r))
        return r;
    return zp_jump_hash (zp_mix64 (j), t->n_routers);
}

static uint32_t s_spread (const zp_topology_t *t, uint32_t i, uint32_t j)
{
    return zp_jump_hash (zp_mix64 ((uint64_t) i * t->n_workers + j), t->n_routers);
}

static zp_plan_t *s_plan_alloc (const zp_topology_t *t)
{
    zp_plan_t *p = calloc (1, sizeof *p);
    if (!p)
        return NULL;
    p->n_workers = t->n_workers;
    p->n_routers = t->n_routers;
    p->routes = calloc ((size_t) t->n_workers * t->n_workers, sizeof *p->routes);
    if (!p->routes)
        zp_plan_destroy (&p);
    return p;
}

void zp_plan_destroy (zp_plan_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->routes);
    free (*self_p);
    *self_p = NULL;
}

zp_plan_t *zp_plan_uniform (const zp_topology_t *t, zp_route_kind_t kind)
{
    zp_plan_t *p = s_plan_alloc (t);
    if (!p || kind == ZP_ROUTE_DIRECT || t->n_routers == 0)
        return p;
    uint32_t n = t->n_workers;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            if (i == j || s_same (t->worker_process, i, j))
                continue; /* a process never sends its own traffic out through a router */
            uint32_t r = kind == ZP_ROUTE_AGGREGATED ? s_near (t, i, j) : s_spread (t, i, j);
            p->routes[(size_t) i * n + j] = zp_route_make (kind, r);
        }
    return p;
}

/* The heuristic plan of the optimizer; with `spread` false, the light pairs
   of destinations not worth aggregating go direct instead of load-balanced. */
static zp_plan_t *s_heuristic (const zp_traffic_matrix_t *tm, const zp_topology_t *t,
                               const zp_plan_options_t *o, bool spread)
{
    zp_plan_t *p = s_plan_alloc (t);
    if (!p || t->n_routers == 0)
        return p;
    uint32_t n = t->n_workers;
    double heavy = o->heavy_bytes > 0 ? o->heavy_bytes : o->batch_bytes;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t light = 0;
        for (uint32_t i = 0; i < n; i++) {
            double b = tm->bytes[(size_t) i * n + j];
            if (i != j && b > 0 && b < heavy && !s_same (t->worker_process, i, j) &&
                !s_same (t->worker_host, i, j))
                light++;
        }
        for (uint32_t i = 0; i < n; i++) {
            double b = tm->bytes[(size_t) i * n + j];
            if (i == j || b >= heavy || s_same (t->worker_process, i, j) ||
                s_same (t->worker_host, i, j))
                continue;
            uint32_t *route = &p->routes[(size_t) i * n + j];
            if (light >= o->fan_in)
                *route = zp_route_make (ZP_ROUTE_AGGREGATED, s_near (t, i, j));
            else if (spread && b > 0)
                *route = zp_route_make (ZP_ROUTE_BALANCED, s_spread (t, i, j));
        }
    }
    return p;
}

static double s_frames (double bytes, double batch)
{
    return bytes > 0 ? ceil (bytes / batch) : 0;
}

/* The seconds model: what crosses each host's link and each rack's
   uplink, each way. Nodes are the workers, then the routers; a host or a
   rack is numbered by its first node. */
typedef struct {
    uint32_t nodes;
    uint32_t *host, *rack;  /* by node: the first node of its host, of its rack (or UINT32_MAX) */
    double *out, *in;       /* by host */
    double *up_out, *up_in; /* by rack */
    bool routed;
} s_net_t;

static const char *s_node_place (const char *const *workers, const char *const *routers, uint32_t n,
                                 uint32_t k)
{
    if (k < n)
        return workers ? workers[k] : NULL;
    return routers ? routers[k - n] : NULL;
}

static void s_number (const zp_topology_t *t, bool racks, uint32_t *ids)
{
    uint32_t n = t->n_workers, all = n + t->n_routers;
    const char *const *w = racks ? t->worker_rack : t->worker_host;
    const char *const *r = racks ? t->router_rack : t->router_host;
    for (uint32_t k = 0; k < all; k++) {
        const char *place = s_node_place (w, r, n, k);
        ids[k] = place ? k : racks ? UINT32_MAX : k; /* no host known: a host of its own */
        for (uint32_t j = 0; place && j < k; j++) {
            const char *other = s_node_place (w, r, n, j);
            if (other && strcmp (other, place) == 0) {
                ids[k] = ids[j];
                break;
            }
        }
    }
}

static int s_net_new (s_net_t *net, const zp_topology_t *t)
{
    memset (net, 0, sizeof *net);
    uint32_t all = t->n_workers + t->n_routers;
    net->nodes = all;
    net->host = calloc (all + 1, sizeof *net->host);
    net->rack = calloc (all + 1, sizeof *net->rack);
    net->out = calloc (all + 1, sizeof *net->out);
    net->in = calloc (all + 1, sizeof *net->in);
    net->up_out = calloc (all + 1, sizeof *net->up_out);
    net->up_in = calloc (all + 1, sizeof *net->up_in);
    if (!net->host || !net->rack || !net->out || !net->in || !net->up_out || !net->up_in)
        return -1;
    s_number (t, false, net->host);
    s_number (t, true, net->rack);
    return 0;
}

static void s_net_free (s_net_t *net)
{
    free (net->host);
    free (net->rack);
    free (net->out);
    free (net->in);
    free (net->up_out);
    free (net->up_in);
}

/* `bytes` from node a to node b: nothing leaves a host for itself. */
static void s_net_move (s_net_t *net, uint32_t a, uint32_t b, double bytes)
{
    if (bytes <= 0 || net->host[a] == net->host[b])
        return;
    net->out[net->host[a]] += bytes;
    net->in[net->host[b]] += bytes;
    uint32_t ra = net->rack[a], rb = net->rack[b];
    if (ra != UINT32_MAX && rb != UINT32_MAX && ra != rb) {
        net->up_out[ra] += bytes;
        net->up_in[rb] += bytes;
    }
}

/* The seconds of the busiest link (NAN when a host that moves bytes has
   no known speed), plus the route's hops' latency. */
static double s_net_seconds (const s_net_t *net, const zp_topology_t *t, const zp_plan_options_t *o,
                             double *busiest_bytes)
{
    uint32_t n = t->n_workers;
    double worst = 0, moved = 0;
    *busiest_bytes = 0;
    for (uint32_t k = 0; k < net->nodes; k++) {
        if (net->host[k] != k || (net->out[k] <= 0 && net->in[k] <= 0))
            continue; /* not the first node of its host, or nothing through it */
        double rate = s_rate (o, s_node_place (t->worker_host, t->router_host, n, k));
        if (rate <= 0)
            return NAN;
        double b = fmax (net->out[k], net->in[k]);
        moved += b;
        if (b / rate > worst) {
            worst = b / rate;
            *busiest_bytes = b;
        }
    }
    for (uint32_t k = 0; o->uplink_rate > 0 && k < net->nodes; k++) {
        double b = fmax (net->up_out[k], net->up_in[k]);
        if (b / o->uplink_rate > worst) {
            worst = b / o->uplink_rate;
            *busiest_bytes = b;
        }
    }
    return worst + (moved > 0 ? o->latency * (net->routed ? 2 : 1) : 0);
}

void zp_plan_cost (const zp_plan_t *plan, const zp_traffic_matrix_t *tm, const zp_topology_t *t,
                   const zp_plan_options_t *o, zp_plan_cost_t *c)
{
    memset (c, 0, sizeof *c);
    c->seconds = NAN;
    uint32_t n = t->n_workers, nr = t->n_routers;
    double B = o->batch_bytes;
    s_net_t net;
    bool timed = o->host_rate > 0 || o->n_rates > 0;
    if (timed && s_net_new (&net, t) != 0) {
        s_net_free (&net);
        timed = false;
    }
    /* Per router->worker link: aggregated messages and bytes in, forwarded bytes and frames. */
    double *agg_msgs = calloc ((size_t) nr * n + 1, sizeof (double));
    double *agg_bytes = calloc ((size_t) nr * n + 1, sizeof (double));
    double *fwd_bytes = calloc ((size_t) nr * n + 1, sizeof (double));
    double *fwd_frames = calloc ((size_t) nr * n + 1, sizeof (double));
    double *in_bytes = calloc ((size_t) n * nr + 1, sizeof (double)); /* worker -> router */
    double *in_frames = calloc ((size_t) n * nr + 1, sizeof (double));
    /* Per router->worker link: the group (rack) of all its aggregated
       senders, S_NO_SENDER while none, S_NO_GROUP when they are of
       several or of none. */
    enum { S_NO_GROUP = UINT32_MAX, S_NO_SENDER = UINT32_MAX - 1 };
    uint32_t *agg_group = malloc (((size_t) nr * n + 1) * sizeof *agg_group);
    for (size_t k = 0; agg_group && k < (size_t) nr * n; k++)
        agg_group[k] = S_NO_SENDER;
    if (!agg_msgs || !agg_bytes || !fwd_bytes || !fwd_frames || !in_bytes || !in_frames ||
        !agg_group) {
        c->cost = INFINITY;
        goto done;
    }
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            size_t k = (size_t) i * n + j;
            double b = tm->bytes[k], m = tm->messages[k];
            if (i == j || b <= 0 || s_same (t->worker_process, i, j))
                continue;
            uint32_t route = plan->routes[k];
            zp_route_kind_t kind = zp_route_kind (route);
            c->routes[kind]++;
            if (kind == ZP_ROUTE_DIRECT) {
                c->connections++;
                c->frames += s_frames (b, B);
                c->bytes += b;
                c->busiest_link = fmax (c->busiest_link, b);
                if (timed)
                    s_net_move (&net, i, j, b);
                continue;
            }
            uint32_t r = zp_route_router (route);
            in_bytes[(size_t) i * nr + r] += b;
            in_frames[(size_t) i * nr + r] += s_frames (b, B);
            if (kind == ZP_ROUTE_AGGREGATED) {
                size_t rj = (size_t) r * n + j;
                agg_msgs[rj] += m;
                agg_bytes[rj] += b;
                uint32_t g =
                    tm->group_of && tm->group_of[i] < tm->n_groups ? tm->group_of[i] : S_NO_GROUP;
                agg_group[rj] = agg_group[rj] == S_NO_SENDER || agg_group[rj] == g ? g : S_NO_GROUP;
            } else {
                fwd_bytes[(size_t) r * n + j] += b;
                fwd_frames[(size_t) r * n + j] += s_frames (b, B);
            }
        }
    double *router_frames = calloc ((size_t) nr + 1, sizeof (double));
    if (!router_frames) {
        c->cost = INFINITY;
        goto done;
    }
    for (size_t k = 0; k < (size_t) n * nr; k++)
        if (in_bytes[k] > 0) {
            if (timed) {
                s_net_move (&net, (uint32_t) (k / nr), n + (uint32_t) (k % nr), in_bytes[k]);
                net.routed = true;
            }
            router_frames[k % nr] += in_frames[k];
            c->connections++;
            c->frames += in_frames[k];
            c->bytes += in_bytes[k];
            c->busiest_link = fmax (c->busiest_link, in_bytes[k]);
        }
    for (uint32_t r = 0; r < nr; r++)
        for (uint32_t j = 0; j < n; j++) {
            size_t k = (size_t) r * n + j;
            double out = fwd_bytes[k], frames = fwd_frames[k];
            if (agg_bytes[k] > 0) {
                /* Combining leaves at most one message per receiving
                   vertex, per vertex another worker points at, and per
                   vertex the senders' rack points at. */
                double msgs = agg_msgs[k];
                if (t->worker_vertices)
                    msgs = fmin (msgs, (double) t->worker_vertices[j]);
                if (tm->reached)
                    msgs = fmin (msgs, tm->reached[j]);
                if (tm->group_reached && agg_group[k] < tm->n_groups)
                    msgs = fmin (msgs, tm->group_reached[(size_t) agg_group[k] * n + j]);
                double merged = agg_msgs[k] > 0 ? agg_bytes[k] * msgs / agg_msgs[k] : agg_bytes[k];
                out += merged;
                frames += s_frames (merged, B);
            }
            if (out > 0) {
                if (timed)
                    s_net_move (&net, n + r, j, out);
                router_frames[r] += frames;
                c->connections++;
                c->frames += frames;
                c->bytes += out;
                c->busiest_link = fmax (c->busiest_link, out);
            }
        }
    for (uint32_t r = 0; r < nr; r++)
        c->busiest_router = fmax (c->busiest_router, router_frames[r]);
    free (router_frames);
    c->cost = c->frames + o->connection_cost * c->connections + c->bytes / B + c->busiest_link / B +
              c->busiest_router;
    if (timed)
        c->seconds = s_net_seconds (&net, t, o, &c->busiest_seconds_bytes);
done:
    if (timed)
        s_net_free (&net);
    free (agg_msgs);
    free (agg_bytes);
    free (fwd_bytes);
    free (fwd_frames);
    free (in_bytes);
    free (in_frames);
    free (agg_group);
}

/* Whether plan a is cheaper than plan b: in seconds, or in frames; two
   as fast as each other (the same busiest link) by their frames, which
   count the hops and connections. */
static bool s_cheaper (const zp_plan_cost_t *a, const zp_plan_cost_t *b, bool seconds)
{
    if (seconds && fabs (a->seconds - b->seconds) > 1e-9 * fmax (a->seconds, b->seconds))
        return a->seconds < b->seconds;
    return a->cost < b->cost;
}

zp_plan_t *zp_plan_new (const zp_traffic_matrix_t *tm, const zp_topology_t *t,
                        const zp_plan_options_t *o)
{
    switch (o->mode) {
    case ZP_ROUTING_DIRECT:
        return zp_plan_uniform (t, ZP_ROUTE_DIRECT);
    case ZP_ROUTING_AGGREGATED:
        return zp_plan_uniform (t, ZP_ROUTE_AGGREGATED);
    case ZP_ROUTING_BALANCED:
        return zp_plan_uniform (t, ZP_ROUTE_BALANCED);
    case ZP_ROUTING_AUTO:
        break;
    }
    zp_plan_t *candidates[4] = {s_heuristic (tm, t, o, true), s_heuristic (tm, t, o, false),
                                zp_plan_uniform (t, ZP_ROUTE_DIRECT),
                                zp_plan_uniform (t, ZP_ROUTE_AGGREGATED)};
    /* In seconds when the links price every candidate, else in frames. */
    zp_plan_cost_t c[4];
    bool seconds = true;
    for (int i = 0; i < 4; i++) {
        if (!candidates[i])
            continue;
        zp_plan_cost (candidates[i], tm, t, o, &c[i]);
        seconds &= !isnan (c[i].seconds);
    }
    int best = -1;
    for (int i = 0; i < 4; i++)
        if (candidates[i] && (best < 0 || s_cheaper (&c[i], &c[best], seconds)))
            best = i;
    zp_plan_t *plan = best >= 0 ? candidates[best] : NULL;
    for (int i = 0; i < 4; i++)
        if (i != best)
            zp_plan_destroy (&candidates[i]);
    return plan;
}

void zp_plan_write_dot (FILE *out, const zp_plan_t *plan, const zp_traffic_matrix_t *tm,
                        const zp_topology_t *t, const char *const *worker_names,
                        const char *const *router_names)
{
    uint32_t n = t->n_workers, nr = t->n_routers;
    fprintf (out, "digraph zpregel_plan {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (uint32_t i = 0; i < n; i++)
        fprintf (out, "  w%u [shape=box,label=\"%s\"];\n", i, worker_names ? worker_names[i] : "");
    for (uint32_t r = 0; r < nr; r++)
        fprintf (out, "  r%u [shape=ellipse,style=filled,fillcolor=lightgrey,label=\"%s\"];\n", r,
                 router_names ? router_names[r] : "router");
    /* One edge per link: sum what the plan puts on it. */
    double *in = calloc ((size_t) n * nr + 1, sizeof *in),
           *outb = calloc ((size_t) nr * n + 1, sizeof *outb);
    uint8_t *kind = calloc ((size_t) nr * n + 1, 1);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            size_t k = (size_t) i * n + j;
            double b = tm ? tm->bytes[k] : 0;
            if (i == j || (tm && b <= 0))
                continue;
            uint32_t route = plan->routes[k];
            if (zp_route_kind (route) == ZP_ROUTE_DIRECT) {
                if (tm)
                    fprintf (out, "  w%u -> w%u [label=\"%.0f B\"];\n", i, j, b);
                continue;
            }
            uint32_t r = zp_route_router (route);
            if (in && outb && kind) {
                in[(size_t) i * nr + r] += b + (tm ? 0 : 1);
                outb[(size_t) r * n + j] += b + (tm ? 0 : 1);
                kind[(size_t) r * n + j] |= (uint8_t) (1u << zp_route_kind (route));
            }
        }
    for (size_t k = 0; in && k < (size_t) n * nr; k++)
        if (in[k] > 0)
            fprintf (out, "  w%zu -> r%zu [label=\"%.0f B\"];\n", k / nr, k % nr, tm ? in[k] : 0);
    for (size_t k = 0; outb && k < (size_t) nr * n; k++)
        if (outb[k] > 0)
            fprintf (out, "  r%zu -> w%zu [color=%s,label=\"%.0f B in\"];\n", k / n, k % n,
                     kind[k] & (1u << ZP_ROUTE_AGGREGATED) ? "blue" : "darkgreen",
                     tm ? outb[k] : 0);
    fprintf (out, "}\n");
    free (in);
    free (outb);
    free (kind);
}
