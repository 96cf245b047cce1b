/*  zp_node_args: how a worker or router actor finds its job. Both take the
    same arguments; zp_worker_args_t and zp_router_args_t name this type. */
#ifndef ZP_NODE_ARGS_H
#define ZP_NODE_ARGS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct zp_security_s zp_security_t;

typedef struct {
    const char *name;         /* as in the job's workers: or routers: list */
    const char *control;      /* master's control endpoint */
    const char *broadcast;    /* master's broadcast endpoint */
    const char *data[2];      /* where the data ROUTER binds: inproc and/or tcp (NULL: unused) */
    const char *advertise;    /* where peers reach the tcp one, if not where it binds (or NULL) */
    const char *locality;     /* "host/pid" of this process */
    uint32_t join_timeout_ms; /* no ASSIGN (or ROUTE) by then: give up */
    const zp_security_t *security; /* CURVE on its tcp sockets, or NULL (zp_security.h) */
    /* The program this node's own job file names (job.algorithm): the node
       loads it and nothing else, whatever the master's ASSIGN or ROUTE
       says (a path there is never loaded). NULL: the program the master
       names, for nodes in the master's own process. */
    const char *program;
    /* Before it ends, the actor sends "OK", "FAILED" or "LOST" on its pipe
       (for a process that runs one node and wants its exit status). */
    bool report_exit;
} zp_node_args_t;

#endif
