/*  The compute threads: every lane runs once a run, lane 0 on the caller;
    the caller ticks while it waits for slower lanes; start and stop hooks
    run once per thread; asynchronous signals stay with the node. */
#include "zp_test.h"
#include "zp_pool.h"
#include "zp_process.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct {
    _Atomic uint32_t ran[8];
    _Atomic uint32_t started, stopped;
    _Atomic uint32_t blocked; /* lanes that found SIGTERM blocked */
    pthread_t caller;
    _Atomic bool lane0_on_caller;
} s_counts_t;

static void s_lane (void *arg, uint32_t lane)
{
    s_counts_t *c = arg;
    atomic_fetch_add (&c->ran[lane], 1);
    if (lane == 0)
        c->lane0_on_caller = pthread_equal (pthread_self (), c->caller);
    sigset_t set;
    pthread_sigmask (SIG_BLOCK, NULL, &set);
    if (lane > 0 && sigismember (&set, SIGTERM))
        atomic_fetch_add (&c->blocked, 1);
}

static void s_start (void *arg)
{
    atomic_fetch_add (&((s_counts_t *) arg)->started, 1);
}

static void s_stop (void *arg)
{
    atomic_fetch_add (&((s_counts_t *) arg)->stopped, 1);
}

Test (pool, every_lane_runs_once_a_run_and_the_hooks_once_a_thread)
{
    static s_counts_t c;
    c.caller = pthread_self ();
    zp_pool_t *pool = zp_pool_new (4, s_start, s_stop, &c);
    cr_assert_not_null (pool);
    for (int run = 0; run < 50; run++)
        zp_pool_run (pool, s_lane, &c, NULL, NULL);
    for (uint32_t l = 0; l < 4; l++)
        cr_assert_eq (c.ran[l], 50, "lane %u ran %u times", l, c.ran[l]);
    cr_assert (c.lane0_on_caller);
    cr_assert_eq (c.blocked, 3 * 50, "a compute thread took an asynchronous signal");
    zp_pool_destroy (&pool);
    cr_assert_null (pool);
    cr_assert_eq (c.started, 3);
    cr_assert_eq (c.stopped, 3);
}

typedef struct {
    _Atomic uint32_t ticks;
} s_slow_t;

/* Lane 1 is a hub vertex: it ends once the caller has ticked three times
   (or after 10 s, and the test fails). */
static void s_slow_lane (void *arg, uint32_t lane)
{
    s_slow_t *s = arg;
    for (int i = 0; lane == 1 && i < 1000 && atomic_load (&s->ticks) < 3; i++)
        usleep (10 * 1000);
}

static void s_waiting (void *arg)
{
    atomic_fetch_add (&((s_slow_t *) arg)->ticks, 1);
}

Test (pool, the_caller_ticks_while_a_lane_is_slow)
{
    s_slow_t s = {0};
    zp_pool_t *pool = zp_pool_new (2, NULL, NULL, NULL);
    cr_assert_not_null (pool);
    zp_pool_run (pool, s_slow_lane, &s, s_waiting, &s);
    cr_assert_geq (s.ticks, 3, "the caller ticked %u times in 10 s", s.ticks);
    zp_pool_destroy (&pool);
}

Test (pool, a_pool_of_one_runs_on_the_caller_alone)
{
    static s_counts_t c;
    c.caller = pthread_self ();
    zp_pool_t *pool = zp_pool_new (1, s_start, s_stop, &c);
    cr_assert_not_null (pool);
    zp_pool_run (pool, s_lane, &c, NULL, NULL);
    cr_assert_eq (c.ran[0], 1);
    cr_assert (c.lane0_on_caller);
    zp_pool_destroy (&pool);
    cr_assert_eq (c.started, 0);
    cr_assert_geq (zp_process_cpus (), 1);
}
