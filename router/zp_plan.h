/*  zp_plan: route plans, their cost, and the topology optimizer.

    A plan gives every (sender worker, receiver worker) pair a route:
      direct         the sender's DEALER to the receiver's data socket
      aggregated     via a router, which merges the batches of all its
                     senders for that receiver with the program's combiner
                     before forwarding: one in the sender's rack when the
                     receiver is in another (the combined batch crosses the
                     uplink), else one near the receiver
      load_balanced  via a router picked by a balancer over the pool, which
                     forwards each batch as it is
    Every plan gives the same results: routes change how messages travel,
    never which messages arrive.

    The cost model (docs/ROUTING.md) prices one superstep of a traffic matrix
    under a plan, in frame-equivalents:
      cost = frames + connection_cost x connections + bytes / batch_bytes
             + busiest_link_bytes / batch_bytes
    With the links' speeds (the job file's links:), a plan is also priced
    in seconds: the busiest link moving its bytes, plus a hop's latency per
    hop.
    The optimizer sends pairs inside one process or host and heavy pairs
    direct, aggregates destinations with at least `fan_in` light senders,
    spreads the remaining light pairs over the router pool, and keeps the
    cheapest of that plan, all-direct and all-routed: in seconds when the
    links are known, else in frames.
*/
#ifndef ZP_PLAN_H
#define ZP_PLAN_H

#include "zp_traffic.h"
#include "zpregel/zp_config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    ZP_ROUTE_DIRECT = 0,
    ZP_ROUTE_AGGREGATED = 1,
    ZP_ROUTE_BALANCED = 2,
} zp_route_kind_t;

typedef enum {
    ZP_ROUTING_AUTO = 0,
    ZP_ROUTING_DIRECT = 1,
    ZP_ROUTING_AGGREGATED = 2,
    ZP_ROUTING_BALANCED = 3,
} zp_routing_mode_t;

/* A route as one number: 0 direct, else ((router + 1) << 2) | kind. */
static inline uint32_t zp_route_make (zp_route_kind_t kind, uint32_t router)
{
    return kind == ZP_ROUTE_DIRECT ? 0 : ((router + 1) << 2) | (uint32_t) kind;
}
static inline zp_route_kind_t zp_route_kind (uint32_t route)
{
    return (zp_route_kind_t) (route & 3);
}
static inline uint32_t zp_route_router (uint32_t route)
{
    return (route >> 2) - 1;
}

typedef struct {
    uint64_t version;
    uint32_t n_workers;
    uint32_t n_routers;
    uint32_t *routes; /* n_workers x n_workers, row = sender */
} zp_plan_t;

/* Where the nodes run: two nodes with the same place string share a process
   (inproc); the same host string, a machine. */
typedef struct {
    uint32_t n_workers;
    uint32_t n_routers;
    const char *const *worker_process; /* n_workers */
    const char *const *worker_host;
    const char *const *router_host;  /* n_routers */
    const uint64_t *worker_vertices; /* n_workers, or NULL: bounds what combining can save */
    /* The racks (the job file's racks:) of the workers and the routers, or
       NULL (an item NULL: not known). A pair of workers in two racks is
       aggregated at a router in the sender's rack, before the uplink. */
    const char *const *worker_rack;
    const char *const *router_rack;
} zp_topology_t;

typedef struct {
    zp_routing_mode_t mode;
    double batch_bytes;     /* B in the cost model */
    double heavy_bytes;     /* a pair sending at least this a superstep goes direct */
    uint32_t fan_in;        /* light senders that make a destination worth aggregating */
    double connection_cost; /* one connection, in frame-equivalents per superstep */
    /* The links (the job file's links:), in bytes a second, 0 when not
       known: each host's link to its switch (host_rate, or its entry of
       rate_hosts/rates), each rack's uplink, and the delay of a hop. With a
       speed for every host that sends or receives, a plan is priced in
       seconds too (zp_plan_cost_t.seconds), and `auto` keeps the plan of
       fewest seconds. */
    double host_rate;
    double uplink_rate;
    double latency;
    const char *const *rate_hosts;
    const double *rates;
    size_t n_rates;
} zp_plan_options_t;

typedef struct {
    double connections;
    double frames;
    double bytes;
    double busiest_link;   /* bytes */
    double busiest_router; /* frames in and out of the router that handles the most */
    double cost;
    uint64_t routes[3]; /* pairs with traffic, by zp_route_kind_t */
    /* The network's part of a superstep, in seconds, when the links are
       known (else NAN): the busiest link, each way (a host's link, or a
       rack's uplink), moving its bytes at its speed, plus the latency of
       the longest route (one hop direct, two through a router). */
    double seconds;
    double busiest_seconds_bytes; /* the bytes of that link */
} zp_plan_cost_t;

/* The options' defaults (docs/ROUTING.md explains them). */
zp_plan_options_t zp_plan_defaults (void);
/* The options a job file sets (routing:, engine.batch_bytes). */
zp_plan_options_t zp_plan_options_of (const zp_config_t *cfg);

/* A plan that sends every pair the same way: direct, or (kind aggregated)
   through the router nearest each receiver. */
zp_plan_t *zp_plan_uniform (const zp_topology_t *topo, zp_route_kind_t kind);
/* The optimizer's plan for `traffic` (see above). */
zp_plan_t *zp_plan_new (const zp_traffic_matrix_t *traffic, const zp_topology_t *topo,
                        const zp_plan_options_t *opt);
void zp_plan_destroy (zp_plan_t **self_p);

/* Prices `plan` for `traffic`. */
void zp_plan_cost (const zp_plan_t *plan, const zp_traffic_matrix_t *traffic,
                   const zp_topology_t *topo, const zp_plan_options_t *opt, zp_plan_cost_t *cost);

/* A Graphviz picture: workers as boxes, routers as ellipses, one edge per
   link with its bytes a superstep; aggregated links blue, load-balanced green. */
void zp_plan_write_dot (FILE *out, const zp_plan_t *plan, const zp_traffic_matrix_t *traffic,
                        const zp_topology_t *topo, const char *const *worker_names,
                        const char *const *router_names);

#endif
