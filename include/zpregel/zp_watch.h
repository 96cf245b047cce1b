/*  zp_watch: follow a job's control broadcast from any program.

        zp_watch_t *watch = zp_watch_new ("tcp://10.0.0.1:5556", NULL, NULL);
        zp_event_t event;
        while (zp_watch_next (watch, &event, -1) == 0) {
            ... event.kind, event.step, event.active, ...
            if (event.kind == ZP_EVENT_TERMINATE)
                break;
        }
        zp_watch_destroy (&watch);

    Events come in sequence order from the job's first broadcast, with no gap
    and no repeat, even for a watcher that starts late or whose subscription
    drops frames: it asks the master (over a DEALER to the control endpoint,
    which SYNC and HEARTBEAT broadcasts name) for what it missed. A watcher
    started before the job waits for it.
*/
#ifndef ZP_WATCH_H
#define ZP_WATCH_H

#include "zp_security.h"

#include <stdint.h>

/* The broadcasts a watcher sees (their numbers are the wire's frame kinds). */
typedef enum {
    ZP_EVENT_SYNC = 32,      /* the master checks that subscriptions work */
    ZP_EVENT_BEGIN = 33,     /* a superstep begins */
    ZP_EVENT_TERMINATE = 34, /* the job ended */
    ZP_EVENT_HEARTBEAT = 35, /* the master is alive */
    ZP_EVENT_PLAN = 36,      /* a new route plan */
    ZP_EVENT_CHECKPOINT = 37 /* a checkpoint is complete */
} zp_event_kind_t;

typedef struct {
    zp_event_kind_t kind;
    uint64_t seq;
    uint32_t step;          /* BEGIN: the superstep that starts; TERMINATE, HEARTBEAT: the last one;
                               CHECKPOINT: the superstep checkpointed */
    uint64_t active;        /* BEGIN, TERMINATE: active vertices after the previous superstep */
    uint64_t messages;      /* BEGIN, TERMINATE: messages sent in the previous superstep */
    uint32_t status;        /* TERMINATE: 0 finished, 1 failed, 2 failed: a node was lost */
    uint64_t plan_version;  /* PLAN: the new plan's version; BEGIN: the plan in force */
    char control[256];      /* SYNC, HEARTBEAT: the master's control endpoint */
    char reason[1024];      /* TERMINATE: why the job failed ("" when it finished) */
    char slowest[64];       /* BEGIN, TERMINATE: the previous superstep's slowest worker */
    double slowest_seconds; /* and the time it spent computing */
} zp_event_t;

typedef struct zp_watch_s zp_watch_t;

/* Subscribes to `broadcast`. `control` may be NULL: it is learned from the
   first SYNC or HEARTBEAT. `security` (borrowed; NULL: none) is the CURVE
   client side for a job with security.curve on. NULL if the sockets cannot
   be made. */
zp_watch_t *zp_watch_new (const char *broadcast, const char *control,
                          const zp_security_t *security);
void zp_watch_destroy (zp_watch_t **self_p);

/* The next event, waiting up to timeout_ms (-1: no limit). 0 with an event,
   1 on timeout, -1 when interrupted. */
int zp_watch_next (zp_watch_t *self, zp_event_t *event, int timeout_ms);

/* Frames dropped because they did not decode. */
uint64_t zp_watch_bad_frames (const zp_watch_t *self);

/* The event's kind as a word: "sync", "begin", "terminate", "heartbeat". */
const char *zp_event_name (zp_event_kind_t kind);

#endif
