/*  zp_worker: the worker node, as a czmq actor.

    A worker connects a SUB to the master's broadcast and subscribes before it
    says HELLO on its DEALER to the master's control socket, binds its data
    ROUTER, and then follows the master: ASSIGN gives it its partition and its
    peers; BEGIN runs one superstep (deliver last superstep's batches in source
    order, compute, flush batches, wait until every batch is ACKed, DONE);
    TERMINATE makes it send its values (RESULT); BYE ends it.

    Broadcasts are handled strictly in sequence: one that arrives early waits
    until the master has replayed the missing ones (REPLAY over control).

    The same actor runs as a thread of `zpregel run` (inproc endpoints) or
    alone in a `zpregel worker` process (tcp endpoints).

        zactor_t *w = zp_actor_new (zp_worker_actor, &args);  // returns when bound
        ...
        zp_actor_destroy (&w);                               // sends $TERM, waits
*/
#ifndef ZP_WORKER_H
#define ZP_WORKER_H

#include "zp_node_args.h"

#include <czmq.h>

typedef zp_node_args_t zp_worker_args_t;

/* The actor body: pass it to zactor_new with a zp_worker_args_t (copied
   before the constructor returns). */
void zp_worker_actor (zsock_t *pipe, void *args);

#endif
