/*  zp_pool: see zp_pool.h. One mutex and two condition variables: a run
    bumps `generation` and wakes the threads; each runs its lane, and the
    last one to finish wakes the caller. */
#include "zp_pool.h"
#include "zp_ticker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    zp_pool_t *pool;
    uint32_t lane;
    pthread_t thread;
} s_thread_t;

struct zp_pool_s {
    uint32_t size;
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    uint64_t generation;
    uint32_t running; /* lanes of this generation not done yet */
    bool stop;
    zp_pool_fn *fn;
    void *arg;
    void (*on_start) (void *);
    void (*on_stop) (void *);
    void *start_arg;
    s_thread_t *threads; /* size - 1 */
    uint32_t started;
};

static void *s_main (void *arg)
{
    s_thread_t *t = arg;
    zp_pool_t *pool = t->pool;
    if (pool->on_start)
        pool->on_start (pool->start_arg);
    uint64_t seen = 0;
    pthread_mutex_lock (&pool->lock);
    for (;;) {
        while (!pool->stop && pool->generation == seen)
            pthread_cond_wait (&pool->start, &pool->lock);
        if (pool->stop)
            break;
        seen = pool->generation;
        zp_pool_fn *fn = pool->fn;
        void *fn_arg = pool->arg;
        pthread_mutex_unlock (&pool->lock);
        fn (fn_arg, t->lane);
        pthread_mutex_lock (&pool->lock);
        if (--pool->running == 0)
            pthread_cond_signal (&pool->done);
    }
    pthread_mutex_unlock (&pool->lock);
    if (pool->on_stop)
        pool->on_stop (pool->start_arg);
    return NULL;
}

zp_pool_t *zp_pool_new (uint32_t size, void (*on_start) (void *), void (*on_stop) (void *),
                        void *arg)
{
    zp_pool_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->size = size ? size : 1;
    self->on_start = on_start;
    self->on_stop = on_stop;
    self->start_arg = arg;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->start, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->done, &attr);
    pthread_condattr_destroy (&attr);
    if (self->size > 1 && !(self->threads = calloc (self->size - 1, sizeof *self->threads))) {
        zp_pool_destroy (&self);
        return NULL;
    }
    /* The threads take no asynchronous signal; a fault is still theirs. */
    sigset_t mask, old;
    sigfillset (&mask);
    sigdelset (&mask, SIGSEGV);
    sigdelset (&mask, SIGBUS);
    sigdelset (&mask, SIGFPE);
    sigdelset (&mask, SIGILL);
    sigdelset (&mask, SIGABRT);
    pthread_sigmask (SIG_SETMASK, &mask, &old);
    for (uint32_t i = 0; i + 1 < self->size; i++) {
        s_thread_t *t = &self->threads[i];
        t->pool = self;
        t->lane = i + 1;
        if (pthread_create (&t->thread, NULL, s_main, t) != 0)
            break;
        self->started++;
    }
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    if (self->started + 1 < self->size)
        zp_pool_destroy (&self);
    return self;
}

void zp_pool_destroy (zp_pool_t **self_p)
{
    zp_pool_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_cond_broadcast (&self->start);
    pthread_mutex_unlock (&self->lock);
    for (uint32_t i = 0; i < self->started; i++)
        pthread_join (self->threads[i].thread, NULL);
    pthread_cond_destroy (&self->start);
    pthread_cond_destroy (&self->done);
    pthread_mutex_destroy (&self->lock);
    free (self->threads);
    free (self);
    *self_p = NULL;
}

void zp_pool_run (zp_pool_t *self, zp_pool_fn *fn, void *arg, void (*waiting) (void *),
                  void *wait_arg)
{
    if (!self || self->size == 1) {
        fn (arg, 0);
        return;
    }
    pthread_mutex_lock (&self->lock);
    self->fn = fn;
    self->arg = arg;
    self->running = self->size - 1;
    self->generation++;
    pthread_cond_broadcast (&self->start);
    pthread_mutex_unlock (&self->lock);
    fn (arg, 0);
    pthread_mutex_lock (&self->lock);
    while (self->running) {
        struct timespec until;
        clock_gettime (CLOCK_MONOTONIC, &until);
        until.tv_nsec += ZP_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait (&self->done, &self->lock, &until) == ETIMEDOUT && waiting) {
            pthread_mutex_unlock (&self->lock);
            waiting (wait_arg);
            pthread_mutex_lock (&self->lock);
        }
    }
    pthread_mutex_unlock (&self->lock);
}
