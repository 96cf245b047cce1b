/*  zp_heartbeat: a node's pulse, on a thread of its own (internal:
    lib/node/, used by nodes/ and router/).

    The master takes a worker or router that says nothing for liveness x
    heartbeat_ms for dead. A node's main thread cannot be the one that
    speaks: it may be inside one compute() call of a hub vertex for
    seconds, building its inbox or pull index, writing a checkpoint, or
    merging at a router, and none of that is death. So every node, once it
    has its settings, starts a zp_heartbeat: a czmq actor with a DEALER of
    its own to the master's control socket, under the node's identity with
    ZP_HEARTBEAT_SUFFIX appended (and the node's CURVE key), that sends a
    PING every heartbeat_ms whatever the node's main thread is doing.

    What it proves is that the node's process is alive and reaches the
    master; a process stopped (SIGSTOP), killed or cut off is silent, as
    before. Sends never block: a PING that finds no room is dropped (the
    next one follows). The master accepts a PING, and nothing else, from a
    heartbeat identity whose node has joined, with that node's key.
*/
#ifndef ZP_HEARTBEAT_H
#define ZP_HEARTBEAT_H

#include "zpregel/zp_security.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Appended to a node's identity (its name) for its heartbeat socket. A
   name cannot hold it: names have no control characters (ZP_NODE_NAME_MAX). */
#define ZP_HEARTBEAT_SUFFIX "\001hb"

typedef struct zp_heartbeat_s zp_heartbeat_t;

/* Starts the thread: PINGs as `name` + ZP_HEARTBEAT_SUFFIX to `control`
   every `interval_ms`, under `security` (NULL: none). NULL when out of
   memory; a socket that cannot connect is logged, and sends nothing. */
zp_heartbeat_t *zp_heartbeat_new (const char *control, const char *name,
                                  const zp_security_t *security, uint32_t interval_ms);
/* What the next PINGs say: the superstep and how far compute is. Any
   thread may call it. */
void zp_heartbeat_set (zp_heartbeat_t *self, uint32_t step, uint64_t progress);
/* Stops the thread and frees it; NULL-safe, sets *self_p to NULL. */
void zp_heartbeat_destroy (zp_heartbeat_t **self_p);

/* Whether `identity` (`len` bytes) is the heartbeat identity of the node
   whose identity is `node` (`node_len` bytes). */
bool zp_heartbeat_is_of (const void *identity, size_t len, const void *node, size_t node_len);

#endif
