/*  zp_actor: see zp_actor.h. */
#include "zp_actor.h"
#include "zp_log.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

/* What zp_actor_new wraps: the function, and the word it has returned. */
typedef struct s_run_s {
    zactor_fn *fn;
    void *args;
    _Atomic bool ended;
    zactor_t *actor; /* the key of the registry below */
    struct s_run_s *next;
} s_run_t;

/* The live actors zp_actor_new started: few, so a list. */
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static s_run_t *s_runs;

static void s_shim (zsock_t *pipe, void *arg)
{
    s_run_t *run = arg;
    run->fn (pipe, run->args);
    /* The last touch of `run`: the owner may free it from here on. */
    atomic_store_explicit (&run->ended, true, memory_order_release);
}

zactor_t *zp_actor_new (zactor_fn *actor, void *args)
{
    s_run_t *run = calloc (1, sizeof *run);
    if (!run)
        return NULL;
    run->fn = actor;
    run->args = args;
    run->actor = zactor_new (s_shim, run);
    if (!run->actor) {
        free (run);
        return NULL;
    }
    pthread_mutex_lock (&s_lock);
    run->next = s_runs;
    s_runs = run;
    pthread_mutex_unlock (&s_lock);
    return run->actor;
}

/* Takes the actor's entry out of the registry: NULL if zactor_new made it. */
static s_run_t *s_take (const zactor_t *actor)
{
    pthread_mutex_lock (&s_lock);
    s_run_t **at = &s_runs;
    while (*at && (*at)->actor != actor)
        at = &(*at)->next;
    s_run_t *run = *at;
    if (run)
        *at = run->next;
    pthread_mutex_unlock (&s_lock);
    return run;
}

/* Whether a message from the pipe is the shim's end signal. */
static bool s_is_signal (zmsg_t *msg)
{
    if (zmsg_size (msg) != 1 || zmsg_content_size (msg) != 8)
        return false;
    int64_t value;
    memcpy (&value, zframe_data (zmsg_first (msg)), sizeof value);
    return (value & ~(int64_t) 0xFF) == 0x7766554433221100LL;
}

/* Waits for the end signal, or for the word that the function returned
   (then a short while more for the signal, so that the shim closes its end
   of the pipe before ours), or for the bound of an interrupted process.
   Whether the function returned. */
static bool s_wait_end (zsock_t *pipe, s_run_t *run)
{
    const int slice_ms = 20;
    int64_t ended_at = 0, interrupted_at = 0;
    zsock_set_rcvtimeo (pipe, slice_ms);
    while (true) {
        zmsg_t *msg = zmsg_recv (pipe);
        bool signal = msg && s_is_signal (msg);
        zmsg_destroy (&msg);
        if (signal)
            return true;
        int64_t now = zclock_mono ();
        if (atomic_load_explicit (&run->ended, memory_order_acquire)) {
            if (!ended_at)
                ended_at = now;
            if (now - ended_at >= 200)
                return true; /* its signal was lost: it has ended all the same */
        } else if (zsys_interrupted) {
            if (!interrupted_at)
                interrupted_at = now;
            if (now - interrupted_at >= ZP_ACTOR_INTERRUPTED_MS) {
                zp_log_error ("a thread of this process did not end within %d ms of the "
                              "interruption; the process ends without it",
                              ZP_ACTOR_INTERRUPTED_MS);
                return false;
            }
        }
    }
}

void zp_actor_destroy (zactor_t **self_p)
{
    if (!*self_p)
        return;
    /* The waits below cannot be interrupted while this thread takes no
       SIGINT or SIGTERM: another thread of the process handles them
       meanwhile (zsys_interrupted is set all the same), and one that came
       for this thread is handled here after. */
    sigset_t block, was;
    sigemptyset (&block);
    sigaddset (&block, SIGINT);
    sigaddset (&block, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &block, &was);
    s_run_t *run = s_take (*self_p);
    if (run) {
        zsock_t *pipe = zactor_sock (*self_p);
        zsock_set_sndtimeo (pipe, 0);
        zstr_send (pipe, "$TERM");
        /* Freed only once its function returned: the shim writes to it. */
        if (s_wait_end (pipe, run))
            free (run);
        /* zactor_destroy sends $TERM again and waits for a signal already
           taken (or lost): it waits no more than this. */
        zsock_set_rcvtimeo (pipe, 0);
    }
    zactor_destroy (self_p);
    pthread_sigmask (SIG_SETMASK, &was, NULL);
}
