/*  zp_actor: ending a czmq actor for sure.

    zactor_destroy sends $TERM and waits for the actor's last signal, but a
    signal that arrives meanwhile (SIGTERM from a dying parent, SIGINT)
    interrupts the wait (EINTR), and zactor_destroy then returns while the
    actor still runs. The process may then exit under it: zsys_shutdown
    closes its sockets ("dangling socket"), and the actor asserts on them
    or reads freed arguments. zp_actor_destroy keeps SIGINT and SIGTERM
    away from the waiting thread, so that the wait lasts until the actor
    has really ended.

    The actor must end on $TERM (every zpregel actor does, and ends on its
    own once zsys_interrupted is set).
*/
#ifndef ZP_ACTOR_H
#define ZP_ACTOR_H

#include <czmq.h>

/* zactor_destroy, with SIGINT and SIGTERM blocked in this thread while it
   waits. NULL-safe; sets *self_p to NULL. */
void zp_actor_destroy (zactor_t **self_p);

#endif
