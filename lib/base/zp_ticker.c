/*  zp_ticker: see zp_ticker.h. The thread is detached and sleeps; it
    holds no resource, so it ends with the process. */
#include "zp_ticker.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

_Atomic uint32_t zp_ticks;

static int s_started = -1;

static void *s_run (void *arg)
{
    (void) arg;
    struct timespec period = {0, ZP_TICK_MS * 1000000L};
    for (;;) {
        nanosleep (&period, NULL);
        atomic_fetch_add_explicit (&zp_ticks, 1, memory_order_relaxed);
    }
    return NULL;
}

static void s_start (void)
{
    /* The thread takes no signal: they belong to the threads that handle them. */
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_SETMASK, &all, &old);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init (&attr);
    pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize (&attr, 64 * 1024);
    s_started = pthread_create (&thread, &attr, s_run, NULL) == 0 ? 0 : -1;
    pthread_attr_destroy (&attr);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
}

int zp_ticker_start (void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once (&once, s_start);
    return s_started;
}
