/*  zp_ticker: a clock hand that compute loops can afford to look at.

    Internal to the library. A worker's compute loop must hand control back
    to the node (heartbeats, ACKs) every few milliseconds, however slow the
    program's compute() is, but reading the clock per vertex would cost a
    tight PageRank loop a fifth of its time. One thread per process
    advances `zp_ticks` every ZP_TICK_MS; a loop compares it with the value
    it saw last, which is one load from a cache line that changes 50 times
    a second.
*/
#ifndef ZP_TICKER_H
#define ZP_TICKER_H

#include <stdatomic.h>
#include <stdint.h>

#define ZP_TICK_MS 20

extern _Atomic uint32_t zp_ticks;

/* Starts the ticker thread once per process (later calls do nothing).
   0, or -1 if the thread cannot be started (zp_ticks then never moves). */
int zp_ticker_start (void);

static inline uint32_t zp_ticker_read (void)
{
    return atomic_load_explicit (&zp_ticks, memory_order_relaxed);
}

#endif
