/*  zp_publisher: see zp_publisher.h. */
#include "zp_publisher.h"
#include "zp_actor.h"
#include "zp_cbor.h"
#include "zp_grow.h"
#include "zp_log.h"
#include "zp_node.h"
#include "zp_wire.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t size;
} s_frame_t;

struct zp_publisher_s {
    pthread_mutex_t lock; /* over everything below but the actor */
    zsock_t *sock;
    zp_cbor_writer_t w;
    s_frame_t *log;        /* log[i] is broadcast first + i */
    size_t n_log, cap_log; /* n_log <= ZP_PUBLISHER_LOG_MAX */
    uint64_t first, published;
    uint32_t step; /* of the last BEGIN or TERMINATE */
    /* the pulse */
    zactor_t *actor;
    uint32_t interval_ms;
    const char *control;
};

/* Forgets the older half of a full log. */
static void s_trim (zp_publisher_t *self)
{
    if (self->n_log < ZP_PUBLISHER_LOG_MAX)
        return;
    size_t drop = self->n_log / 2;
    for (size_t i = 0; i < drop; i++)
        free (self->log[i].data);
    memmove (self->log, self->log + drop, (self->n_log - drop) * sizeof *self->log);
    self->n_log -= drop;
    self->first += drop;
}

/* zp_publisher_publish, under the lock. */
static int s_publish (zp_publisher_t *self, zp_broadcast_t *b)
{
    s_trim (self);
    b->seq = self->published + 1;
    if (zp_broadcast_encode (b, &self->w) != 0)
        return -1;
    s_frame_t *log = zp_grow (self->log, &self->cap_log, self->n_log, sizeof *log, 256);
    if (!log)
        return -1;
    self->log = log;
    s_frame_t *f = &self->log[self->n_log];
    f->data = malloc (self->w.size);
    if (!f->data)
        return -1;
    memcpy (f->data, self->w.data, self->w.size);
    f->size = self->w.size;
    self->n_log++;
    self->published++;
    if (b->kind == ZP_MSG_BEGIN || b->kind == ZP_MSG_TERMINATE)
        self->step = b->step;
    /* A PUB drops what a subscriber has no room for; it never waits. */
    zp_wire_send_raw (self->sock, NULL, f->data, f->size, false);
    return 0;
}

int zp_publisher_publish (zp_publisher_t *self, zp_broadcast_t *b)
{
    pthread_mutex_lock (&self->lock);
    int rc = s_publish (self, b);
    pthread_mutex_unlock (&self->lock);
    return rc;
}

static void s_beat (zp_publisher_t *self)
{
    pthread_mutex_lock (&self->lock);
    zp_broadcast_t b = {.kind = ZP_MSG_HEARTBEAT, .step = self->step, .control = self->control};
    s_publish (self, &b);
    pthread_mutex_unlock (&self->lock);
}

static void s_actor (zsock_t *pipe, void *args)
{
    zp_publisher_t *self = args;
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    int64_t next = zclock_mono () + self->interval_ms;
    while (poller) {
        int64_t now = zclock_mono ();
        if (now >= next) {
            s_beat (self);
            next = now + self->interval_ms;
        }
        zsock_t *which = zpoller_wait (poller, (int) (next - now > 0 ? next - now : 0));
        if (which == pipe ? zp_node_told_to_end (pipe) : !which && zpoller_terminated (poller))
            break;
    }
    zpoller_destroy (&poller);
}

zp_publisher_t *zp_publisher_new (zsock_t **sock)
{
    zp_publisher_t *self = calloc (1, sizeof *self);
    if (!self || pthread_mutex_init (&self->lock, NULL) != 0) {
        free (self);
        zsock_destroy (sock);
        return NULL;
    }
    self->sock = *sock;
    *sock = NULL;
    self->first = 1;
    zp_cbor_writer_init (&self->w, 1 << 16);
    return self;
}

int zp_publisher_start_heartbeat (zp_publisher_t *self, uint32_t interval_ms, const char *control)
{
    if (self->actor)
        return 0;
    self->interval_ms = interval_ms ? interval_ms : 1;
    self->control = control;
    self->actor = zp_actor_new (s_actor, self);
    return self->actor ? 0 : -1;
}

void zp_publisher_kept (zp_publisher_t *self, uint64_t *first, uint64_t *last)
{
    pthread_mutex_lock (&self->lock);
    *first = self->first;
    *last = self->published;
    pthread_mutex_unlock (&self->lock);
}

uint64_t zp_publisher_replay (zp_publisher_t *self, uint64_t from, uint64_t to, zsock_t *sock,
                              const zmq_msg_t *identity)
{
    uint64_t sent = 0;
    pthread_mutex_lock (&self->lock);
    if (from < self->first)
        from = self->first;
    if (to > self->published)
        to = self->published;
    for (uint64_t seq = from; seq <= to; seq++, sent++) {
        const s_frame_t *f = &self->log[seq - self->first];
        /* A peer that went away is no reason to stop: ROUTER_MANDATORY says so. */
        if (zp_wire_send_raw (sock, identity, f->data, f->size, true) != 0)
            break;
    }
    pthread_mutex_unlock (&self->lock);
    return sent;
}

void zp_publisher_destroy (zp_publisher_t **self_p)
{
    zp_publisher_t *self = *self_p;
    if (!self)
        return;
    zp_actor_destroy (&self->actor);
    for (size_t i = 0; i < self->n_log; i++)
        free (self->log[i].data);
    free (self->log);
    zp_cbor_writer_free (&self->w);
    zsock_destroy (&self->sock);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}
