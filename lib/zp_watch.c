/*  zp_watch: an ordered, gap-free view of a job's broadcasts.

    Frames from the SUB and frames replayed over the DEALER go through one
    gate: a frame with the next sequence number becomes an event, an earlier
    one is a duplicate and is dropped, a later one waits in `early` while the
    gap is asked for (again every 500 ms while it persists).
*/
#include "zpregel/zp_watch.h"
#include "zpregel/zp_control.h"
#include "zpregel/zp_wire.h"

#include <stdlib.h>

typedef struct {
    uint64_t seq;
    zp_event_t event;
} s_early_t;

struct zp_watch_s {
    zsock_t *sub;
    zsock_t *control; /* DEALER, once the endpoint is known */
    zpoller_t *poller;
    char endpoint[256];
    uint64_t next_seq;
    s_early_t *early;
    size_t n_early, cap_early;
    int64_t asked;
    uint64_t bad_frames;
};

const char *zp_event_name (zp_msg_kind_t kind)
{
    switch (kind) {
    case ZP_MSG_SYNC:
        return "sync";
    case ZP_MSG_BEGIN:
        return "begin";
    case ZP_MSG_TERMINATE:
        return "terminate";
    case ZP_MSG_HEARTBEAT:
        return "heartbeat";
    default:
        return "unknown";
    }
}

static int s_connect_control (zp_watch_t *self, const char *endpoint)
{
    self->control = zsock_new (ZMQ_DEALER);
    if (!self->control)
        return -1;
    if (zsock_connect (self->control, "%s", endpoint) != 0) {
        zsock_destroy (&self->control);
        return -1;
    }
    snprintf (self->endpoint, sizeof self->endpoint, "%s", endpoint);
    zpoller_add (self->poller, self->control);
    return 0;
}

zp_watch_t *zp_watch_new (const char *broadcast, const char *control)
{
    zp_watch_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->next_seq = 1;
    self->sub = zsock_new_sub (broadcast, "");
    self->poller = self->sub ? zpoller_new (self->sub, NULL) : NULL;
    if (!self->poller || (control && s_connect_control (self, control) != 0))
        zp_watch_destroy (&self);
    return self;
}

void zp_watch_destroy (zp_watch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_watch_t *self = *self_p;
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->control);
    free (self->early);
    free (self);
    *self_p = NULL;
}

uint64_t zp_watch_bad_frames (const zp_watch_t *self)
{
    return self->bad_frames;
}

static void s_ask (zp_watch_t *self)
{
    if (!self->control || !self->n_early)
        return;
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < self->n_early; i++)
        if (self->early[i].seq < first)
            first = self->early[i].seq;
    zp_replay_t r = {self->next_seq, first - 1};
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 32);
    if (zp_replay_encode (&r, &w) == 0)
        zp_wire_send (self->control, NULL, &w, true);
    zp_cbor_writer_free (&w);
    self->asked = zclock_mono ();
}

/* Takes one frame; returns 1 and fills `event` if it is the next one. */
static int s_take (zp_watch_t *self, zsock_t *from, zp_event_t *event)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (from, false, &msg) != 0)
        return 0;
    zp_broadcast_t b;
    int rc = zp_broadcast_decode (zp_wire_data (&msg), zp_wire_size (&msg), &b);
    if (rc != 0) {
        self->bad_frames++;
        zp_wire_close (&msg);
        return 0;
    }
    zp_event_t e = {.kind = b.kind,
                    .seq = b.seq,
                    .step = b.step,
                    .active = b.active,
                    .messages = b.messages,
                    .status = b.status};
    snprintf (e.control, sizeof e.control, "%.*s", (int) b.control_len, b.control ? b.control : "");
    zp_wire_close (&msg);
    if (!self->control && e.control[0])
        s_connect_control (self, e.control);
    if (e.seq < self->next_seq)
        return 0;
    if (e.seq > self->next_seq) {
        for (size_t i = 0; i < self->n_early; i++)
            if (self->early[i].seq == e.seq)
                return 0;
        if (self->n_early == self->cap_early) {
            size_t cap = self->cap_early ? self->cap_early * 2 : 64;
            s_early_t *grown = realloc (self->early, cap * sizeof *grown);
            if (!grown)
                return 0; /* asked again later */
            self->early = grown;
            self->cap_early = cap;
        }
        self->early[self->n_early++] = (s_early_t){e.seq, e};
        if (!self->asked || zclock_mono () - self->asked > 500)
            s_ask (self);
        return 0;
    }
    *event = e;
    self->next_seq++;
    return 1;
}

/* An early event that is now next, if any. */
static int s_take_early (zp_watch_t *self, zp_event_t *event)
{
    for (size_t i = 0; i < self->n_early; i++)
        if (self->early[i].seq == self->next_seq) {
            *event = self->early[i].event;
            self->early[i] = self->early[--self->n_early];
            self->next_seq++;
            if (!self->n_early)
                self->asked = 0;
            return 1;
        }
    return 0;
}

int zp_watch_next (zp_watch_t *self, zp_event_t *event, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : zclock_mono () + timeout_ms;
    while (true) {
        if (s_take_early (self, event))
            return 0;
        int64_t now = zclock_mono ();
        if (now >= deadline)
            return 1;
        int wait = deadline - now > 200 ? 200 : (int) (deadline - now);
        zsock_t *which = zpoller_wait (self->poller, wait);
        if (!which) {
            if (zpoller_terminated (self->poller))
                return -1;
            if (self->n_early && zclock_mono () - self->asked > 500)
                s_ask (self);
            continue;
        }
        if (s_take (self, which, event))
            return 0;
    }
}
