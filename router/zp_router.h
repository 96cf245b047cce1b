/*  zp_router: the router node, as a czmq actor.

    A router joins like a worker (HELLO with its data endpoints, READY after
    it has seen a broadcast), gets a ROUTE from the master (the workers'
    endpoints, the program, the settings), and follows PLAN and BEGIN
    broadcasts to know which senders aggregate through it in each superstep.

    On a load-balanced route it forwards each batch as it is and relays the
    receiver's ACK to the sender. On an aggregated route it keeps the batches
    of every sender for a receiver until each has said END, merges them in
    (sender, sequence) order (combining messages to the same vertex with the
    program's combiner, or concatenating them when there is none), sends the
    result as its own batches (source = number of workers + router index),
    and ACKs the senders' batches only when the receiver has ACKed the
    merged ones: a sender's DONE still means "delivered".

    It counts frames and messages in and out, and reports them (RSTATS) when
    the job terminates.
*/
#ifndef ZP_ROUTER_H
#define ZP_ROUTER_H

#include "zp_node_args.h"

#include <czmq.h>

typedef zp_node_args_t zp_router_args_t;

void zp_router_actor (zsock_t *pipe, void *args);

#endif
