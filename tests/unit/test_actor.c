/*  Actors end for sure: zp_actor_destroy returns once the actor's function
    has returned, even when czmq's end signal is lost, and an interrupted
    process is not held by an actor that does not end. */
#include "zp_test.h"
#include "zp_actor.h"

#include <criterion/redirect.h>

#include <stdatomic.h>

/* Ends on its own after filling its pipe, so that the end signal czmq's
   shim sends (without waiting for room) cannot go: it is lost. */
static void s_loses_its_end_signal (zsock_t *pipe, void *args)
{
    _Atomic int *sent = args;
    zsock_signal (pipe, 0);
    zsock_set_sndtimeo (pipe, 0);
    int n = 0;
    while (n < 100000 && zstr_send (pipe, "noise") == 0)
        n++;
    atomic_store (sent, n);
}

Test (actor, an_actor_whose_end_signal_is_lost_is_still_seen_to_end, .timeout = 60)
{
    /* zactor_destroy waits for ever when its $TERM goes before the pipe's
       end is seen to close: about one time in four here, so 16 rounds. */
    for (int round = 0; round < 16; round++) {
        _Atomic int sent = 0;
        zactor_t *actor = zp_actor_new (s_loses_its_end_signal, &sent);
        cr_assert (actor);
        for (int i = 0; i < 1000 && !atomic_load (&sent); i++)
            zclock_sleep (10);
        cr_assert_gt (atomic_load (&sent), 0, "the actor did not fill its pipe within 10 s");
        cr_assert_lt (atomic_load (&sent), 100000, "the pipe never filled");
        zp_actor_destroy (&actor); /* the test's timeout fails a wait for ever */
        cr_assert_null (actor);
    }
}

/* Never reads its pipe: it ends only when told to by the test. */
static _Atomic bool s_stop, s_stopped;

static void s_deaf (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    while (!atomic_load (&s_stop))
        zclock_sleep (10);
    atomic_store (&s_stopped, true);
}

Test (actor, an_interrupted_process_is_not_held_by_an_actor_that_does_not_end, .timeout = 60,
      .init = cr_redirect_stderr)
{
    zsys_set_logstream (stderr);
    zactor_t *actor = zp_actor_new (s_deaf, NULL);
    cr_assert (actor);
    zsys_interrupted = 1;
    int64_t start = zclock_mono ();
    zp_actor_destroy (&actor);
    int64_t took = zclock_mono () - start;
    cr_assert_null (actor);
    cr_assert_geq (took, ZP_ACTOR_INTERRUPTED_MS, "left after %lld ms, before the bound",
                   (long long) took);
    fflush (stderr);
    char said[512] = "";
    size_t n = fread (said, 1, sizeof said - 1, cr_get_redirected_stderr ());
    said[n] = 0;
    cr_assert (strstr (said, "did not end within 5000 ms of the interruption"), "%s", said);
    /* Ended now, it leaves no socket open for the process's exit. */
    atomic_store (&s_stop, true);
    for (int i = 0; i < 1000 && !atomic_load (&s_stopped); i++)
        zclock_sleep (10);
    zclock_sleep (100); /* for czmq's shim to close its end of the pipe */
}

/* Ends on $TERM, as every zpregel actor does. */
static void s_polite (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    while (true) {
        char *cmd = zstr_recv (pipe);
        bool end = !cmd || streq (cmd, "$TERM");
        zstr_free (&cmd);
        if (end)
            break;
    }
}

Test (actor, many_actors_end_on_term_at_once_with_their_signal, .timeout = 60)
{
    zactor_t *actors[64];
    for (int i = 0; i < 64; i++)
        cr_assert (actors[i] = zp_actor_new (s_polite, NULL));
    for (int i = 63; i >= 0; i--) {
        zp_actor_destroy (&actors[i]);
        cr_assert_null (actors[i]);
    }
    /* A zactor_new actor is ended as zactor_destroy ends it. */
    zactor_t *plain = zactor_new (s_polite, NULL);
    zp_actor_destroy (&plain);
    cr_assert_null (plain);
}
