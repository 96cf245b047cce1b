/*  zp_actor: czmq actors that end for sure, and whose ending is known.

    zactor_destroy sends $TERM and waits, without a bound, for the signal
    czmq's thread shim sends once the actor function has returned. Two
    things break that wait:
    - a signal (SIGTERM from a dying parent, SIGINT) interrupts it (EINTR):
      zactor_destroy returns while the actor still runs, and the process
      may exit under it (zsys_shutdown closes its sockets, "dangling
      socket", and the actor asserts on them or reads freed arguments);
    - the shim sends its end signal without waiting (a zero send timeout):
      when that send fails, the signal is lost and the wait lasts for ever,
      although the actor has ended. A tcp worker of a master that was
      killed hung so, waiting for its heartbeat thread, which had gone.

    An actor started with zp_actor_new also says, itself, that its function
    has returned. zp_actor_destroy keeps SIGINT and SIGTERM away from the
    waiting thread, and waits for the end signal or for that word, which
    cannot be lost. An actor that has not returned is waited for as long as
    it takes, except once the process is interrupted (zsys_interrupted):
    it is then given ZP_ACTOR_INTERRUPTED_MS, and left with an error line,
    so that an interrupted process always ends.

    The actor must end on $TERM (every zpregel actor does, and ends on its
    own once zsys_interrupted is set).
*/
#ifndef ZP_ACTOR_H
#define ZP_ACTOR_H

#include <czmq.h>

#define ZP_ACTOR_INTERRUPTED_MS 5000

/* zactor_new, for an actor whose end zp_actor_destroy can see. */
zactor_t *zp_actor_new (zactor_fn *actor, void *args);

/* Ends the actor: $TERM, then a wait as above. NULL-safe; sets *self_p to
   NULL. Also takes an actor zactor_new started (then waiting as
   zactor_destroy does, with the signals kept away). */
void zp_actor_destroy (zactor_t **self_p);

#endif
