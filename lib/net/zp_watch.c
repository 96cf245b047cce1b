/*  zp_watch: an ordered, gap-free view of a job's broadcasts.

    Frames from the SUB and frames replayed over the DEALER go through one
    sequencer (zp_sequencer.h), from sequence 1: events come out in order,
    repeats are dropped, and a gap is asked for with REPLAY.
*/
#include "zpregel/zp_watch.h"
#include "zp_security_internal.h"
#include "zp_control.h"
#include "zp_sequencer.h"
#include "zp_wire.h"
#include "zp_log.h"

#include <inttypes.h>

#include <stdlib.h>

/* The public event kinds are the wire's frame kinds. */
_Static_assert(ZP_EVENT_SYNC == (int) ZP_MSG_SYNC && ZP_EVENT_BEGIN == (int) ZP_MSG_BEGIN &&
                   ZP_EVENT_TERMINATE == (int) ZP_MSG_TERMINATE &&
                   ZP_EVENT_HEARTBEAT == (int) ZP_MSG_HEARTBEAT &&
                   ZP_EVENT_PLAN == (int) ZP_MSG_PLAN &&
                   ZP_EVENT_CHECKPOINT == (int) ZP_MSG_CHECKPOINT,
               "zp_event_kind_t follows zp_msg_kind_t");

struct zp_watch_s {
    zsock_t *sub;
    zsock_t *control; /* DEALER, once the endpoint is known */
    zpoller_t *poller;
    zp_sequencer_t *sequencer; /* from seq 1: a watcher wants the whole job */
    uint64_t bad_frames;
    const zp_security_t *security;
};

const char *zp_event_name (zp_event_kind_t kind)
{
    switch (kind) {
    case ZP_EVENT_SYNC:
        return "sync";
    case ZP_EVENT_BEGIN:
        return "begin";
    case ZP_EVENT_TERMINATE:
        return "terminate";
    case ZP_EVENT_HEARTBEAT:
        return "heartbeat";
    case ZP_EVENT_PLAN:
        return "plan";
    case ZP_EVENT_CHECKPOINT:
        return "checkpoint";
    default:
        return "unknown";
    }
}

static int s_connect_control (zp_watch_t *self, const char *endpoint)
{
    self->control = zsock_new (ZMQ_DEALER);
    if (!self->control)
        return -1;
    zp_security_client (self->security, self->control);
    if (zsock_connect (self->control, "%s", endpoint) != 0) {
        zsock_destroy (&self->control);
        return -1;
    }
    zpoller_add (self->poller, self->control);
    return 0;
}

zp_watch_t *zp_watch_new (const char *broadcast, const char *control, const zp_security_t *security)
{
    zp_watch_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->security = security;
    self->sequencer = zp_sequencer_new (true);
    self->sub = zsock_new (ZMQ_SUB);
    if (self->sub) {
        zp_security_client (security, self->sub);
        zsock_set_subscribe (self->sub, "");
        if (zsock_connect (self->sub, "%s", broadcast) != 0)
            zsock_destroy (&self->sub);
    }
    self->poller = self->sub ? zpoller_new (self->sub, NULL) : NULL;
    if (!self->sequencer || !self->poller || (control && s_connect_control (self, control) != 0))
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
    zp_sequencer_destroy (&self->sequencer);
    free (self);
    *self_p = NULL;
}

uint64_t zp_watch_bad_frames (const zp_watch_t *self)
{
    return self->bad_frames;
}

/* Asks the master for a gap, if there is one and it is time. */
static void s_ask (zp_watch_t *self)
{
    uint64_t from, to;
    if (!self->control || !zp_sequencer_gap (self->sequencer, &from, &to))
        return;
    zp_replay_t r = {from, to};
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 32);
    if (zp_replay_encode (&r, &w) == 0)
        zp_wire_send (self->control, NULL, &w, true);
    zp_cbor_writer_free (&w);
}

static void s_event (const zp_broadcast_t *b, zp_event_t *e)
{
    *e = (zp_event_t){.kind = (zp_event_kind_t) b->kind,
                      .seq = b->seq,
                      .step = b->step,
                      .active = b->active,
                      .messages = b->messages,
                      .status = b->status,
                      .plan_version = b->plan_version,
                      .slowest_seconds = b->slowest_seconds};
    snprintf (e->slowest, sizeof e->slowest, "%.*s", (int) b->slowest_len,
              b->slowest ? b->slowest : "");
    snprintf (e->control, sizeof e->control, "%.*s", (int) b->control_len,
              b->control ? b->control : "");
    snprintf (e->reason, sizeof e->reason, "%.*s", (int) b->reason_len, b->reason ? b->reason : "");
}

/* Takes one frame from `from` into the sequencer; learns the control
   endpoint from the first SYNC or HEARTBEAT that names it. */
static void s_take (zp_watch_t *self, zsock_t *from)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (from, false, &msg) != 0)
        return;
    uint64_t first;
    if (zp_gone_decode (zp_wire_data (&msg), zp_wire_size (&msg), &first) == 0) {
        /* A long job: the master keeps only its newest broadcasts. */
        if (zp_sequencer_expected (self->sequencer) < first)
            zp_log_warning ("watch: the master no longer keeps broadcasts %" PRIu64 " to %" PRIu64
                            "; following from %" PRIu64,
                            zp_sequencer_expected (self->sequencer), first - 1, first);
        zp_sequencer_skip (self->sequencer, first);
        zp_wire_close (&msg);
        return;
    }
    zp_broadcast_t b;
    if (zp_broadcast_decode (zp_wire_data (&msg), zp_wire_size (&msg), &b) != 0) {
        self->bad_frames++;
        zp_wire_close (&msg);
        return;
    }
    if (!self->control && b.control_len) {
        char endpoint[256];
        snprintf (endpoint, sizeof endpoint, "%.*s", (int) b.control_len, b.control);
        s_connect_control (self, endpoint);
    }
    zp_sequencer_offer (self->sequencer, &msg, b.seq);
    s_ask (self);
}

/* The next event in order, if it is here. */
static bool s_next (zp_watch_t *self, zp_event_t *event)
{
    zp_wire_msg_t msg;
    while (zp_sequencer_next (self->sequencer, &msg)) {
        zp_broadcast_t b;
        int rc = zp_broadcast_decode (zp_wire_data (&msg), zp_wire_size (&msg), &b);
        if (rc == 0)
            s_event (&b, event);
        zp_wire_close (&msg);
        if (rc == 0)
            return true;
    }
    return false;
}

int zp_watch_next (zp_watch_t *self, zp_event_t *event, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : zclock_mono () + timeout_ms;
    while (true) {
        if (s_next (self, event))
            return 0;
        int64_t now = zclock_mono ();
        if (now >= deadline)
            return 1;
        int wait = deadline - now > 200 ? 200 : (int) (deadline - now);
        zsock_t *which = zpoller_wait (self->poller, wait);
        if (!which) {
            if (zpoller_terminated (self->poller))
                return -1;
            s_ask (self);
            continue;
        }
        s_take (self, which);
    }
}
