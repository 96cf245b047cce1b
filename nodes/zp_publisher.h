/*  zp_publisher: the master's broadcast side, and its pulse (internal to
    nodes/).

    Every broadcast (SYNC, PLAN, BEGIN, CHECKPOINT, TERMINATE, HEARTBEAT)
    gets the next sequence number, goes out on the master's PUB socket and
    is kept in a log, so that a node or watcher that missed some can ask
    for them again (REPLAY). The log keeps the newest ZP_PUBLISHER_LOG_MAX
    frames (about 10 MB of BEGINs): a job of millions of supersteps keeps
    its memory, and a watcher that asks for older ones is told they are
    gone (GONE) and follows from the oldest kept; a node never lags that
    far (its SUB queue holds fewer).

    Nodes take a master that says nothing for liveness x heartbeat_ms for
    gone. The master's main loop cannot be the one that speaks: it may be
    busy for a long spell (a flood of frames, a plan to compute, a
    manifest to write) or wait for a CPU on a loaded host. So the
    publisher runs a thread of its own that publishes a HEARTBEAT every
    heartbeat_ms whatever the main loop is doing, as every node's
    zp_heartbeat does for the master. The socket and the log are shared
    by the two threads under one lock, held only while a frame is encoded,
    logged and handed to libzmq (a PUB never blocks) or while kept frames
    are sent again (never waiting either).
*/
#ifndef ZP_PUBLISHER_H
#define ZP_PUBLISHER_H

#include "zp_control.h"

#include <czmq.h>
#include <stdint.h>

#define ZP_PUBLISHER_LOG_MAX (1u << 17)

typedef struct zp_publisher_s zp_publisher_t;

/* Takes the bound PUB socket `sock`. NULL when out of memory (the socket
   is then destroyed). */
zp_publisher_t *zp_publisher_new (zsock_t **sock);
/* Starts the pulse: a HEARTBEAT naming `control` every `interval_ms`, with
   the step of the last BEGIN or TERMINATE published. -1 when the thread
   cannot start. */
int zp_publisher_start_heartbeat (zp_publisher_t *self, uint32_t interval_ms, const char *control);
/* Publishes `b` under the next sequence number (set in b->seq). -1 when
   out of memory: nothing was published, subscribers see no gap. */
int zp_publisher_publish (zp_publisher_t *self, zp_broadcast_t *b);
/* The broadcasts kept: [*first, *last] (*last 0: none published yet). */
void zp_publisher_kept (zp_publisher_t *self, uint64_t *first, uint64_t *last);
/* Sends the kept ones of broadcasts [from, to] again to `identity` on the
   ROUTER `sock`, never waiting for room; stops at the first that finds
   none. Returns how many were sent. */
uint64_t zp_publisher_replay (zp_publisher_t *self, uint64_t from, uint64_t to, zsock_t *sock,
                              const zmq_msg_t *identity);
/* Stops the pulse, closes the socket and frees the log; NULL-safe. */
void zp_publisher_destroy (zp_publisher_t **self_p);

#endif
