/*  zp_worker: the worker node.

    One zpoller loop over: the actor pipe, the control DEALER (ASSIGN, BYE,
    replayed broadcasts), the broadcast SUB (SYNC, PLAN, BEGIN, TERMINATE),
    the data ROUTER (batches from peers and routers, which we ACK), and one
    DEALER per peer and per router (ACKs of our batches).

    Broadcasts pass through a sequencer: they are handled strictly in order,
    and a gap is asked for with REPLAY. A PLAN is kept by version; BEGIN says
    which version routes the superstep, so routes change only at a superstep
    boundary.

    Batches received for a superstep are kept as raw frames until the BEGIN of
    the next superstep, then decoded and delivered in (source, sequence)
    order: the inbox never depends on arrival order, so runs are
    deterministic. A batch is ACKed once it is stored; a duplicate is ACKed
    again and dropped. DONE goes to the master only when every batch we sent
    in the superstep is ACKed (through a router, only once the router has
    delivered it), so when the master has every DONE, every message of the
    superstep has been delivered: that is the barrier.

    Sending waits for room on the socket (ZMQ_POLLOUT) and, while it waits,
    keeps serving its own data socket, so two workers flooding each other
    cannot deadlock and a slow receiver slows its senders down.
*/
#include "zp_worker.h"
#include "zp_security_internal.h"
#include "zp_batch.h"
#include "zp_checkpoint.h"
#include "zp_control.h"
#include "zp_plan.h"
#include "zp_wire.h"
#include "zp_crash.h"
#include "zp_grow.h"
#include "zp_partition.h"
#include "zp_pool.h"
#include "zp_process.h"
#include "zp_log.h"
#include "zp_node.h"
#include "zp_heartbeat.h"
#include "zp_link.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#define S_NO_STEP UINT32_MAX

typedef struct {
    uint32_t step;
    uint32_t src;
    uint64_t seq;
    zp_wire_msg_t msg;
} s_stored_t;

/* Sequence numbers received from one source: all below `next`, plus `ahead`. */
typedef struct {
    uint64_t next;
    uint64_t *ahead;
    size_t n_ahead, cap_ahead;
} s_rx_t;

/* A batch sent and not yet ACKed. On links that can lose frames (tcp) it
   keeps its frame (zp_wire_keep: the memory that was sent, shared), to
   send again. */
typedef struct {
    uint64_t seq;
    zmq_msg_t *frame; /* NULL on inproc links, which lose nothing */
    uint32_t link;
    uint32_t retries;
    int64_t due; /* when to send it again */
} s_pending_t;

/* What we owe and were sent per receiving peer. */
typedef struct {
    uint64_t next_seq;
    s_pending_t *pending;
    size_t n_pending, cap_pending;
    uint64_t bytes; /* this superstep */
    uint64_t batches;
    uint64_t aggregated; /* of them, those to a router to merge: what an END announces */
} s_peer_t;

typedef struct {
    uint64_t version;
    uint32_t *routes; /* n_workers x n_workers */
} s_plan_t;

typedef enum {
    S_JOINING,
    S_ASSIGNED,
    S_IDLE,
    S_COMPUTING,
    S_WAIT_ACKS,
    S_FINISHING,
    S_FAILED
} s_state_t;

typedef struct {
    zsock_t *pipe;
    zp_node_t node; /* sockets to the master and for data, ordered broadcasts */
    zpoller_t *poller;
    zp_worker_args_t args;
    s_state_t state;
    bool ready_sent, stop, failed;
    bool lost; /* the job was lost to us: the master is silent, or lost a node */
    zp_partition_t *partition;
    const zp_program_t *program;
    uint64_t job;
    uint32_t worker, n_workers, n_routers;
    uint32_t step;
    zp_link_t *links; /* n_workers peers, then n_routers routers */
    s_peer_t *peers;
    s_rx_t *rx; /* per source: workers, then routers */
    zp_compress_t *rx_z;
    s_stored_t *stored;
    size_t n_stored, cap_stored;
    s_plan_t *plans;
    size_t n_plans;
    const uint32_t *routes; /* the plan of this superstep, or NULL: all direct */
    uint64_t unacked;
    /* Since the last DONE, which reports them: a re-sent batch may arrive
       after this worker's DONE and before the next BEGIN, and counts then
       in the next superstep's report. */
    uint64_t retries, duplicates;
    zp_heartbeat_t *heartbeat; /* from ASSIGN on: our PINGs, on a thread of their own */
    zp_settings_t settings;    /* as ASSIGN gave them (checkpoint_dir: ours) */
    zp_step_stats_t stats;
    double compute_seconds;
    int64_t computed_at; /* when compute ended: the wait for ACKs starts */
    zp_cbor_writer_t bw; /* batches */
    uint64_t bad_frames;
    /* checkpoints */
    uint64_t fingerprint;
    uint32_t restored; /* the superstep restored from a checkpoint, or 0 */
    char checkpoint_dir[ZP_CHECKPOINT_PATH_MAX];
    /* Fault injection for tests (ZPREGEL_INJECT_FAULTS=N, N >= 2): of the
       batches sent on links that can lose frames, every Nth is sent twice
       and the one after it is held back, to be sent by the retry timer
       after batches numbered after it: duplicates and reordering, made by
       the real sender. 0: off. */
    uint32_t inject;
    uint64_t injected; /* batches counted for it */
} self_t;

#define s_log(self, ...) zp_node_log (&(self)->node, __VA_ARGS__)

static void s_fail (self_t *self, const char *text)
{
    s_log (self, "%s", text);
    zp_fail_t fail = {self->worker, text, strlen (text)};
    if (zp_fail_encode (&fail, &self->node.w) == 0)
        zp_node_send (&self->node);
    self->state = S_FAILED;
    self->failed = true;
}

/* Appends v to a growable array; -1 if memory ran out. */
static int s_push_u64 (uint64_t **data, size_t *n, size_t *cap, uint64_t v)
{
    uint64_t *grown = zp_grow (*data, cap, *n, sizeof *grown, 16);
    if (!grown)
        return -1;
    *data = grown;
    (*data)[(*n)++] = v;
    return 0;
}

/* Whether `seq` from a source has been received already. */
static bool s_rx_seen (const s_rx_t *rx, uint64_t seq)
{
    if (seq < rx->next)
        return true;
    for (size_t i = 0; i < rx->n_ahead; i++)
        if (rx->ahead[i] == seq)
            return true;
    return false;
}

/* Dedup: 1 if `seq` from a source is new (and records it), 0 if already seen. */
static int s_rx_accept (s_rx_t *rx, uint64_t seq)
{
    if (s_rx_seen (rx, seq))
        return 0;
    if (seq == rx->next) {
        rx->next++;
        /* Absorb any that were ahead. */
        for (bool moved = true; moved;) {
            moved = false;
            for (size_t i = 0; i < rx->n_ahead; i++)
                if (rx->ahead[i] == rx->next) {
                    rx->ahead[i] = rx->ahead[--rx->n_ahead];
                    rx->next++;
                    moved = true;
                }
        }
        return 1;
    }
    return s_push_u64 (&rx->ahead, &rx->n_ahead, &rx->cap_ahead, seq) == 0 ? 1 : -1;
}

/* Whether a batch from `src` may come on the link of `msg`: a worker's
   batches come from that worker, or through a router that forwards them
   (load-balanced routes); a router's merged ones from that router. */
static bool s_sent_by (self_t *self, zp_wire_msg_t *msg, uint32_t src)
{
    uint32_t n = self->n_workers;
    if (src >= n)
        return zp_wire_is_data_identity (&msg->identity, 'r', src - n, self->job) &&
               zp_node_has_key (&self->node, msg, src);
    if (zp_wire_is_data_identity (&msg->identity, 'w', src, self->job))
        return zp_node_has_key (&self->node, msg, src);
    for (uint32_t r = 0; r < self->n_routers; r++)
        if (zp_wire_is_data_identity (&msg->identity, 'r', r, self->job))
            return zp_node_has_key (&self->node, msg, n + r);
    return false;
}

static void s_on_batch (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->node.data, true, &msg) != 0) {
        if (errno == EPROTO) {
            self->bad_frames++;
            zp_node_reject (&self->node, &msg, "a frame", "expected one part after the identity");
        }
        zp_wire_close (&msg);
        return;
    }
    if (self->partition && zp_node_foreign (&self->node, &msg, self->job)) {
        zp_wire_close (&msg);
        return;
    }
    char who[128];
    zp_batch_view_t view;
    int rc = self->partition
                 ? zp_batch_decode (zp_wire_data (&msg), zp_wire_size (&msg), self->rx_z, &view)
                 : ZP_EKIND;
    if (rc == 0)
        rc = zp_partition_check_batch (self->partition, &view);
    if (rc == 0 && !s_sent_by (self, &msg, view.header.src))
        rc = ZP_ESENDER;
    uint32_t step = view.header.step;
    /* A batch seen before (its sender re-sent it, perhaps a superstep ago)
       is ACKed again and dropped; only a new one must be of this superstep
       or the next. */
    bool seen = rc == 0 && s_rx_seen (&self->rx[view.header.src], view.header.seq);
    /* An empty batch of a superstep that has ended carries nothing to
       deliver: it is ACKed (so its sender forgets it) and dropped. */
    bool late_empty = rc == 0 && !seen && view.header.count == 0 && step < self->step;
    if (rc == 0 && !seen && !late_empty && step != self->step && step != self->step + 1)
        rc = ZP_ERANGE;
    if (rc != 0) {
        zp_node_reject (&self->node, &msg, "a bad batch", zp_frame_strerror (rc));
        self->bad_frames++;
        zp_wire_close (&msg);
        return;
    }
    int fresh = seen ? 0 : s_rx_accept (&self->rx[view.header.src], view.header.seq);
    if (fresh < 0) {
        zp_wire_close (&msg);
        return; /* out of memory: not ACKed, the sender keeps it */
    }
    bool store = fresh > 0 && !late_empty; /* a late empty one is only recorded as seen */
    zp_ack_t ack = {view.header.job, step,
                    view.header.src, view.header.dst,
                    view.header.seq, self->rx[view.header.src].next};
    if (fresh == 0)
        self->duplicates++;
    if (store) {
        s_stored_t *stored =
            zp_grow (self->stored, &self->cap_stored, self->n_stored, sizeof *stored, 64);
        if (!stored) {
            zp_wire_close (&msg);
            return; /* not ACKed: the sender keeps it */
        }
        self->stored = stored;
        self->stored[self->n_stored++] = (s_stored_t){step, view.header.src, view.header.seq, msg};
    }
    zp_cbor_writer_t aw;
    zp_cbor_writer_init (&aw, 64);
    if (zp_ack_encode (&ack, &aw) == 0 &&
        zp_wire_send (self->node.data, &msg.identity, &aw, false) != 0) {
        zp_wire_identity_text (&msg.identity, who, sizeof who);
        s_log (self, "cannot ACK to %s: %s", who, zmq_strerror (errno));
    }
    zp_cbor_writer_free (&aw);
    if (!store)
        zp_wire_close (&msg);
}

static void s_send_done (self_t *self);

/* An ACK of one of our batches, from a peer or relayed by a router. */
static void s_on_ack (self_t *self, zsock_t *sock)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (sock, false, &msg) != 0)
        return;
    zp_ack_t ack;
    int rc = zp_ack_decode (zp_wire_data (&msg), zp_wire_size (&msg), &ack);
    zp_wire_close (&msg);
    if (rc != 0 || ack.job != self->job || ack.src != self->worker || ack.dst >= self->n_workers) {
        s_log (self, "dropped a bad ACK: %s", rc ? zp_frame_strerror (rc) : "not ours");
        self->bad_frames++;
        return;
    }
    /* This batch, and (cumulative) every batch below `upto`. */
    s_peer_t *p = &self->peers[ack.dst];
    for (size_t i = 0; i < p->n_pending;) {
        s_pending_t *e = &p->pending[i];
        if (e->seq == ack.seq || e->seq < ack.upto) {
            zp_wire_kept_free (&e->frame);
            *e = p->pending[--p->n_pending];
            self->unacked--;
        } else
            i++;
    }
    if (self->state == S_WAIT_ACKS && self->unacked == 0)
        s_send_done (self);
}

/* Sends again every batch whose ACK is overdue, waiting twice as long each
   time; past max_retries the peer is taken for gone. */
static void s_retry (self_t *self)
{
    if (!self->partition || !self->unacked)
        return;
    const zp_settings_t *set = &self->settings;
    int64_t now = zclock_mono ();
    for (uint32_t j = 0; j < self->n_workers; j++) {
        s_peer_t *p = &self->peers[j];
        for (size_t i = 0; i < p->n_pending; i++) {
            s_pending_t *e = &p->pending[i];
            if (!e->frame || now < e->due)
                continue;
            if (e->retries >= set->max_retries) {
                char text[256];
                snprintf (text, sizeof text,
                          "worker %u did not acknowledge batch %" PRIu64 " after %u retries", j,
                          e->seq, e->retries);
                s_fail (self, text);
                return;
            }
            /* DONTWAIT: a full queue is itself a reason to try later. */
            if (zp_wire_send_kept (self->links[e->link].sock, e->frame, true) == 0) {
                e->retries++;
                self->retries++;
            }
            e->due = now + ((int64_t) set->ack_timeout_ms << (e->retries < 16 ? e->retries : 16));
        }
    }
}

/* What our heartbeat thread tells the master: how far compute is. The
   master hears from us whatever this thread does (zp_heartbeat.h). */
static void s_ping (self_t *self, uint64_t progress)
{
    zp_heartbeat_set (self->heartbeat, self->step, progress);
}

/* Serves incoming batches and ACKs for up to `timeout_ms`. */
static void s_service (self_t *self, int timeout_ms)
{
    uint32_t n = self->n_workers + self->n_routers;
    zmq_pollitem_t items[1 + n];
    items[0] = (zmq_pollitem_t){zsock_resolve (self->node.data), 0, ZMQ_POLLIN, 0};
    for (uint32_t i = 0; i < n; i++) {
        zsock_t *sock = self->links[i].sock;
        items[1 + i] =
            (zmq_pollitem_t){sock ? zsock_resolve (sock) : NULL, 0, sock ? ZMQ_POLLIN : 0, 0};
    }
    if (zmq_poll (items, (int) n + 1, timeout_ms) <= 0)
        return;
    if (items[0].revents & ZMQ_POLLIN)
        s_on_batch (self);
    for (uint32_t i = 0; i < n; i++)
        if (items[1 + i].revents & ZMQ_POLLIN)
            s_on_ack (self, self->links[i].sock);
}

/* While busy: the master hears from us, and what it says is read and held
   (zp_node_hold), so that neither side takes our busy loop for a death. */
static void s_keepalive (self_t *self, uint64_t progress)
{
    s_ping (self, progress);
    zp_node_hold (&self->node);
}

/* The partition's tick during compute: heartbeat, retries, incoming traffic. */
static void s_tick (void *ctx, uint64_t progress)
{
    self_t *self = ctx;
    s_keepalive (self, progress);
    s_retry (self);
    s_service (self, 0);
}

/* The route from us to dst in this superstep. */
static uint32_t s_route (const self_t *self, uint32_t dst)
{
    return self->routes ? self->routes[(size_t) self->worker * self->n_workers + dst] : 0;
}

/* Sends `kept`, or what bw holds if NULL, on `link`, waiting for room
   (back-pressure). */
static void s_on_control (self_t *self);

static int s_send_on (self_t *self, zp_link_t *link, zmq_msg_t *kept)
{
    while (!(zsock_events (link->sock) & ZMQ_POLLOUT)) {
        s_service (self, 10);
        s_ping (self, 0);
        s_retry (self);
        /* A receiver that never makes room (it failed) must not keep us
           here after the job is over: the master's BYE, or our owner's
           $TERM (left on the pipe for the main loop), ends the wait. */
        if (zsock_events (self->node.control) & ZMQ_POLLIN)
            s_on_control (self);
        if (zsys_interrupted || self->failed || self->stop ||
            (zsock_events (self->pipe) & ZMQ_POLLIN))
            return -1;
    }
    return kept ? zp_wire_send_kept (link->sock, kept, false)
                : zp_wire_send (link->sock, NULL, &self->bw, false);
}

/* The partition's flush callback: number, encode and send one batch, on
   the route the plan gives. */
static int s_flush (void *ctx, uint32_t dst, const zp_batch_out_t *batch)
{
    self_t *self = ctx;
    s_peer_t *p = &self->peers[dst];
    const zp_settings_t *set = &self->settings;
    /* Mirrors go direct: a router would merge what it aggregates with the
       job's combiner, and forward nothing else faster than the link. */
    uint32_t route = (batch->header.flags & ZP_BATCH_MIRROR) ? 0 : s_route (self, dst);
    zp_link_t *link =
        route ? &self->links[self->n_workers + zp_route_router (route)] : &self->links[dst];
    zp_batch_out_t out = *batch;
    out.header.seq = p->next_seq++;
    if (route && zp_route_kind (route) == ZP_ROUTE_AGGREGATED)
        out.header.flags |= ZP_BATCH_AGGREGATE;
    if (zp_batch_encode (&out, link->z, set->compress_min, &self->bw) != 0)
        return -1;
    size_t size = self->bw.size;
    s_pending_t *pending = zp_grow (p->pending, &p->cap_pending, p->n_pending, sizeof *pending, 16);
    if (!pending)
        return -1;
    p->pending = pending;
    s_pending_t *e = &p->pending[p->n_pending];
    *e = (s_pending_t){out.header.seq, NULL, (uint32_t) (link - self->links), 0,
                       zclock_mono () + set->ack_timeout_ms};
    if (!link->lossless && !(e->frame = zp_wire_keep (&self->bw)))
        return -1;
    /* Pending from now on: waiting for room below serves ACKs and retries,
       which reorder p->pending and may free the entry, so what is sent
       below is a reference of our own to the frame. */
    zmq_msg_t sent;
    zmq_msg_init (&sent);
    if (e->frame && zmq_msg_copy (&sent, e->frame) != 0) {
        zp_wire_kept_free (&e->frame);
        return -1;
    }
    bool kept = e->frame != NULL;
    p->n_pending++;
    self->unacked++;
    uint64_t k = kept && self->inject ? ++self->injected % self->inject : UINT64_MAX;
    int rc = k != 1 ? s_send_on (self, link, kept ? &sent : NULL) : 0;
    if (rc == 0 && k == 0) /* the duplicate only if there is room: it must never block */
        zp_wire_send_kept (link->sock, &sent, true);
    zmq_msg_close (&sent);
    if (rc != 0)
        return -1;
    p->bytes += size;
    p->batches++;
    p->aggregated += (out.header.flags & ZP_BATCH_AGGREGATE) != 0;
    /* Let ACKs and incoming batches flow while we compute. */
    s_service (self, 0);
    return 0;
}

/* Tells every router that aggregates for us that we are done with each of
   its receivers (how many batches to expect, zero included). */
static int s_send_ends (self_t *self)
{
    for (uint32_t dst = 0; dst < self->n_workers; dst++) {
        uint32_t route = s_route (self, dst);
        if (dst == self->worker || zp_route_kind (route) != ZP_ROUTE_AGGREGATED)
            continue;
        zp_end_t end = {self->job, self->step, self->worker, dst, self->peers[dst].aggregated};
        if (zp_end_encode (&end, &self->bw) != 0 ||
            s_send_on (self, &self->links[self->n_workers + zp_route_router (route)], NULL) != 0)
            return -1;
    }
    return 0;
}

static void s_send_done (self_t *self)
{
    uint32_t n = self->n_workers;
    uint64_t sent_bytes[n];
    uint64_t bytes = 0, batches = 0;
    for (uint32_t i = 0; i < n; i++) {
        sent_bytes[i] = self->peers[i].bytes;
        bytes += self->peers[i].bytes;
        batches += self->peers[i].batches;
    }
    uint64_t aggs[ZP_MAX_AGGREGATORS];
    for (size_t i = 0; i < ZP_MAX_AGGREGATORS; i++)
        aggs[i] = self->stats.aggregates[i].bits;
    zp_done_t done = {.worker = self->worker,
                      .step = self->step,
                      .active = self->stats.active,
                      .messages = self->stats.messages,
                      .bytes = bytes,
                      .batches = batches,
                      .compute_seconds = self->compute_seconds,
                      .send_wait_seconds = (double) (zclock_usecs () - self->computed_at) / 1e6,
                      .n_workers = n,
                      .sent = (const uint8_t *) self->stats.sent,
                      .sent_bytes = (const uint8_t *) sent_bytes,
                      .received = (const uint8_t *) self->stats.received,
                      .n_received = (size_t) n + self->n_routers,
                      .n_aggregates = self->program->n_aggregators,
                      .aggregates = (const uint8_t *) aggs,
                      .retries = self->retries,
                      .duplicates = self->duplicates,
                      .mirrored = self->stats.mirrored};
    if (zp_done_encode (&done, &self->node.w) == 0) {
        zp_node_send (&self->node);
        self->retries = self->duplicates = 0;
    }
    self->state = S_IDLE;
}

static int s_cmp_stored (const void *a, const void *b)
{
    const s_stored_t *x = a, *y = b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const uint32_t *s_plan (const self_t *self, uint64_t version)
{
    for (size_t i = 0; i < self->n_plans; i++)
        if (self->plans[i].version == version)
            return self->plans[i].routes;
    return NULL;
}

static void s_begin (self_t *self, const zp_broadcast_t *b)
{
    if (self->state != S_IDLE) {
        s_log (self, "BEGIN %u while not idle: ignored", b->step);
        return;
    }
    self->step = b->step;
    self->routes = b->plan_version ? s_plan (self, b->plan_version) : NULL;
    if (b->plan_version && !self->routes) {
        s_fail (self, "BEGIN names a route plan this worker never received");
        return;
    }
    zp_partition_begin (self->partition, b->step, b->aggregates, b->n_aggregates);
    /* Deliver last superstep's batches in (source, sequence) order. */
    if (self->n_stored)
        qsort (self->stored, self->n_stored, sizeof *self->stored, s_cmp_stored);
    size_t kept = 0;
    for (size_t i = 0; i < self->n_stored; i++) {
        if ((i & 63) == 63)
            s_keepalive (self, 0);
        s_stored_t *s = &self->stored[i];
        if (s->step + 1 == b->step) {
            zp_batch_view_t view;
            int rc =
                zp_batch_decode (zp_wire_data (&s->msg), zp_wire_size (&s->msg), self->rx_z, &view);
            if (rc == 0)
                rc = zp_partition_deliver (self->partition, &view);
            zp_wire_close (&s->msg);
            if (rc != 0) {
                s_fail (self, "cannot deliver a stored batch (out of memory)");
                return;
            }
        } else if (s->step + 1 < b->step) {
            zp_wire_close (&s->msg); /* stale: cannot happen unless a peer misbehaves */
        } else
            self->stored[kept++] = *s;
    }
    self->n_stored = kept;
    /* Every message of this superstep is here: the state to checkpoint. */
    if (zp_checkpoint_due (self->settings.checkpoint_every, b->step) && b->step != self->restored) {
        char err[ZP_CHECKPOINT_PATH_MAX + 256];
        s_ping (self, 0);
        if (zp_checkpoint_save (self->checkpoint_dir, self->fingerprint, self->worker, b->step,
                                self->partition, err, sizeof err) != 0) {
            s_fail (self, err);
            return;
        }
        /* Two before it are kept: the master keeps the manifest in force
           and the one before it (to fall back to if the newest is
           damaged), and this one has no manifest yet. */
        if (b->step > 3 * self->settings.checkpoint_every)
            zp_checkpoint_remove (self->checkpoint_dir, self->fingerprint, self->worker,
                                  b->step - 3 * self->settings.checkpoint_every);
    }
    for (uint32_t i = 0; i < self->n_workers; i++)
        self->peers[i].bytes = self->peers[i].batches = self->peers[i].aggregated = 0;
    /* ACKs served during compute must not end the superstep early. */
    self->state = S_COMPUTING;
    int64_t start = zclock_usecs ();
    int rc = zp_partition_compute (self->partition, s_flush, s_tick, self, &self->stats);
    if (rc == 0)
        rc = s_send_ends (self);
    self->computed_at = zclock_usecs ();
    self->compute_seconds = (double) (self->computed_at - start) / 1e6;
    if (rc == 0 && zp_partition_pulled (self->partition))
        zp_log_debug ("worker %s: superstep %u was dense: it pulled over in-edges", self->node.name,
                      self->step);
    if (rc != 0) {
        const char *why = zp_partition_error (self->partition);
        s_fail (self, why ? why : "superstep failed: out of memory, or a batch could not be sent");
        return;
    }
    self->state = S_WAIT_ACKS;
    if (self->unacked == 0)
        s_send_done (self);
}

static void s_send_ready (self_t *self)
{
    zp_ready_t ready = {self->worker, zp_sequencer_expected (self->node.sequencer)};
    if (zp_ready_encode (&ready, &self->node.w) == 0 && zp_node_send (&self->node) == 0) {
        self->ready_sent = true;
        self->state = S_IDLE;
    }
}

/* Connects link i to `endpoint` as "w<worker>" (zp_link.h says what a
   link is: its queue bound, its compression, whether it loses nothing). */
static int s_connect_link (self_t *self, uint32_t i, const char *ep, size_t len,
                           const zp_settings_t *set, char *err, size_t errlen)
{
    char endpoint[512], identity[48];
    snprintf (endpoint, sizeof endpoint, "%.*s", (int) len, ep);
    zp_wire_data_identity (identity, sizeof identity, 'w', self->worker, self->job);
    if (zp_link_open (&self->links[i], endpoint, identity, i >= self->n_workers, set,
                      self->node.security, err, errlen) != 0)
        return -1;
    zpoller_add (self->poller, self->links[i].sock);
    return 0;
}

static void s_on_assign (self_t *self, const void *frame, size_t size)
{
    zp_assign_t a;
    int rc = zp_assign_decode (frame, size, &a);
    char err[512];
    if (rc != 0) {
        snprintf (err, sizeof err, "bad ASSIGN from the master: %s", zp_frame_strerror (rc));
        s_fail (self, err);
        return;
    }
    self->program = zp_node_load_program (&self->node, a.program, a.program_len, err, sizeof err);
    if (!self->program) {
        s_fail (self, err);
        return;
    }
    self->job = a.job;
    self->worker = a.worker;
    self->n_workers = a.n_workers;
    self->n_routers = a.n_routers;
    if (zp_node_set_keys (&self->node, a.keys, (size_t) a.n_workers + a.n_routers) != 0) {
        s_fail (self, "out of memory");
        return;
    }
    /* engine.threads unset: the CPUs this process may use, shared by the
       job's workers on this host. */
    if (!a.settings.threads) {
        uint32_t here = a.settings.host_workers;
        a.settings.threads = zp_process_cpus () / (here ? here : 1);
        if (!a.settings.threads)
            a.settings.threads = 1;
    }
    self->heartbeat = zp_heartbeat_new (self->args.control, self->node.name, self->node.security,
                                        a.settings.heartbeat_ms);
    if (!self->heartbeat) {
        s_fail (self, "cannot start the heartbeat thread");
        return;
    }
    self->partition = zp_partition_new (&a, self->program, err, sizeof err);
    if (!self->partition) {
        s_fail (self, err);
        return;
    }
    zp_log_debug ("worker %s: computes with %u thread%s", self->node.name,
                  zp_partition_threads (self->partition),
                  zp_partition_threads (self->partition) == 1 ? "" : "s");
    zp_partition_watch_crashes (self->partition, "worker", self->node.name);
    self->fingerprint = zp_checkpoint_fingerprint (a.program, a.program_len, a.params, a.n_params,
                                                   a.n_vertices, a.n_workers, a.ranges);
    snprintf (self->checkpoint_dir, sizeof self->checkpoint_dir, "%.*s",
              (int) a.settings.checkpoint_dir_len, a.settings.checkpoint_dir);
    self->settings = a.settings;
    self->settings.checkpoint_dir = self->checkpoint_dir; /* not the frame's */
    self->settings.checkpoint_dir_len = strlen (self->checkpoint_dir);
    if (a.settings.restore_step) {
        char why[ZP_CHECKPOINT_PATH_MAX + 256];
        if (zp_checkpoint_restore (self->checkpoint_dir, self->fingerprint, self->worker,
                                   a.settings.restore_step, self->partition, why,
                                   sizeof why) != 0) {
            s_fail (self, why);
            return;
        }
        self->restored = a.settings.restore_step;
        /* Peers may send batches of the restored superstep before its
           BEGIN reaches us: that superstep is "the next" one. */
        self->step = a.settings.restore_step - 1;
    }
    uint32_t n = a.n_workers, nl = a.n_workers + a.n_routers;
    self->links = calloc (nl, sizeof *self->links);
    self->peers = calloc (n, sizeof *self->peers);
    self->rx = calloc (nl, sizeof *self->rx);
    self->stats.sent = calloc (n, sizeof (uint64_t));
    self->stats.received = calloc (nl, sizeof (uint64_t));
    self->rx_z = zp_compress_new ((int) a.settings.compress_level,
                                  zp_batch_max_plain (a.settings.batch_bytes));
    if (!self->links || !self->peers || !self->rx || !self->stats.sent || !self->stats.received ||
        !self->rx_z) {
        s_fail (self, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < nl; i++) {
        const char *ep;
        size_t len;
        bool router = i >= n;
        if ((router ? zp_assign_next_router (&a, &ep, &len)
                    : zp_assign_next_peer (&a, &ep, &len)) != 0) {
            s_fail (self, "bad peer list in ASSIGN");
            return;
        }
        if (i == a.worker)
            continue;
        char why[600];
        if (s_connect_link (self, i, ep, len, &a.settings, why, sizeof why) != 0) {
            snprintf (err, sizeof err, "%s %u: %s", router ? "router" : "peer", router ? i - n : i,
                      why);
            s_fail (self, err);
            return;
        }
    }
    self->state = S_ASSIGNED;
}

static void s_send_result (self_t *self)
{
    zp_result_t result = {
        self->worker, zp_partition_size (self->partition) * zp_program_value_words (self->program),
        (const uint8_t *) zp_partition_values (self->partition)};
    if (zp_result_encode (&result, &self->node.w) == 0)
        zp_node_send (&self->node);
    self->state = S_FINISHING;
}

static void s_on_plan (self_t *self, const zp_broadcast_t *b)
{
    if (b->n_workers != self->n_workers) {
        s_fail (self, "a route plan for another number of workers");
        return;
    }
    size_t bytes = (size_t) b->n_workers * b->n_workers * 4;
    uint32_t *routes = malloc (bytes ? bytes : 1);
    s_plan_t *grown = realloc (self->plans, (self->n_plans + 1) * sizeof *grown);
    if (!routes || !grown) {
        free (routes);
        if (grown)
            self->plans = grown;
        s_fail (self, "out of memory for a route plan");
        return;
    }
    memcpy (routes, b->routes, bytes);
    for (size_t k = 0; k < (size_t) b->n_workers * b->n_workers; k++)
        if (routes[k] && zp_route_router (routes[k]) >= self->n_routers) {
            free (routes);
            self->plans = grown;
            s_fail (self, "a route plan names a router that does not exist");
            return;
        }
    self->plans = grown;
    self->plans[self->n_plans++] = (s_plan_t){b->plan_version, routes};
}

/* Handles one broadcast, in sequence order. */
static void s_handle_broadcast (self_t *self, const zp_broadcast_t *b)
{
    if (b->kind == ZP_MSG_SYNC) {
        if (self->state == S_ASSIGNED && !self->ready_sent)
            s_send_ready (self);
    } else if (b->kind == ZP_MSG_PLAN && self->partition) {
        s_on_plan (self, b);
    } else if (b->kind == ZP_MSG_BEGIN && self->partition) {
        s_begin (self, b);
    } else if (b->kind == ZP_MSG_TERMINATE) {
        if (b->status == 0 && self->partition && self->state == S_IDLE)
            s_send_result (self);
        else {
            self->state = S_FINISHING;
            if (b->status != 0 && !self->failed)
                zp_node_job_failed (&self->node, b->reason, b->reason_len);
            if (b->status != 0)
                self->failed = true;
            if (b->status == ZP_STATUS_LOST)
                self->lost = true;
        }
    }
}

static void s_on_broadcast_cb (void *ctx, const zp_broadcast_t *b)
{
    s_handle_broadcast (ctx, b);
}

static void s_on_broadcast (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->node.bcast, false, &msg) == 0)
        zp_node_broadcast (&self->node, &msg, s_on_broadcast_cb, self);
}

static void s_on_control_msg (self_t *self, zp_wire_msg_t msg)
{
    const void *data = zp_wire_data (&msg);
    size_t size = zp_wire_size (&msg);
    int kind = zp_frame_kind (data, size);
    uint32_t status;
    const char *reason;
    size_t reason_len;
    if (kind >= ZP_MSG_SYNC && kind <= ZP_MSG_CHECKPOINT) {
        zp_node_broadcast (&self->node, &msg, s_on_broadcast_cb, self); /* replayed */
        return;
    }
    uint64_t first;
    if (kind == ZP_MSG_GONE && zp_gone_decode (data, size, &first) == 0)
        s_fail (self, "missed broadcasts the master no longer keeps");
    else if (kind == ZP_MSG_ASSIGN && self->state == S_JOINING)
        s_on_assign (self, data, size);
    else if (kind == ZP_MSG_BYE && zp_bye_decode (data, size, &status, &reason, &reason_len) == 0) {
        if (status != 0 && !self->failed)
            zp_node_job_failed (&self->node, reason, reason_len);
        self->stop = true;
        self->failed |= status != 0;
        self->lost |= status == ZP_STATUS_LOST;
    } else {
        s_log (self, "dropped an unexpected control frame (kind %d)", kind);
        self->bad_frames++;
    }
    zp_wire_close (&msg);
}

static void s_on_control (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->node.control, false, &msg) == 0)
        s_on_control_msg (self, msg);
}

/* Handles what was read and held while we computed, in arrival order. */
static void s_on_held (self_t *self)
{
    zp_wire_msg_t msg;
    bool broadcast;
    while (!self->stop && zp_node_take_held (&self->node, &msg, &broadcast)) {
        if (broadcast)
            zp_node_broadcast (&self->node, &msg, s_on_broadcast_cb, self);
        else
            s_on_control_msg (self, msg);
    }
}

static void s_destroy (self_t *self)
{
    zp_heartbeat_destroy (&self->heartbeat);
    zpoller_destroy (&self->poller);
    for (uint32_t i = 0; self->links && i < self->n_workers + self->n_routers; i++) {
        zp_link_close (&self->links[i]);
    }
    for (uint32_t i = 0; self->peers && i < self->n_workers; i++) {
        for (size_t k = 0; k < self->peers[i].n_pending; k++)
            zp_wire_kept_free (&self->peers[i].pending[k].frame);
        free (self->peers[i].pending);
    }
    for (uint32_t i = 0; self->rx && i < self->n_workers + self->n_routers; i++)
        free (self->rx[i].ahead);
    for (size_t i = 0; i < self->n_stored; i++)
        zp_wire_close (&self->stored[i].msg);
    for (size_t i = 0; i < self->n_plans; i++)
        free (self->plans[i].routes);
    free (self->plans);
    free (self->stored);
    free (self->links);
    free (self->peers);
    free (self->rx);
    free (self->stats.sent);
    free (self->stats.received);
    zp_compress_destroy (&self->rx_z);
    zp_crash_unwatch ();
    zp_partition_destroy (&self->partition);
    zp_node_close (&self->node, self->lost);
    zp_cbor_writer_free (&self->bw);
}

void zp_worker_actor (zsock_t *pipe, void *args)
{
    self_t self_s = {0}, *self = &self_s;
    self->pipe = pipe;
    self->args = *(zp_worker_args_t *) args;
    self->step = S_NO_STEP;
    self->inject = zp_node_inject_faults ();
    zp_cbor_writer_init (&self->bw, 1 << 16);
    if (zp_node_start (&self->node, pipe, "worker", ZP_ROLE_WORKER, &self->args) != 0) {
        s_destroy (self);
        /* zactor_new took the signal; the owner still waits for the exit word. */
        zp_node_report_exit (pipe, self->args.report_exit, true, false);
        return;
    }
    self->poller = zpoller_new (pipe, self->node.control, self->node.bcast, self->node.data, NULL);
    while (!self->stop) {
        s_on_held (self);
        if (self->stop)
            break;
        zsock_t *which = zpoller_wait (self->poller, 50);
        s_ping (self, 0);
        if (self->state == S_JOINING)
            zp_node_hello_again (&self->node);
        s_retry (self);
        /* A master silent for liveness heartbeats is gone: do not wait forever. */
        const zp_settings_t *set = self->partition ? &self->settings : NULL;
        if (set && zp_node_master_silent (&self->node, set->heartbeat_ms, set->liveness)) {
            self->failed = self->lost = true;
            break;
        }
        if (!which) {
            if (zpoller_terminated (self->poller))
                break;
            if (self->state == S_JOINING && zp_node_join_expired (&self->node, "ASSIGN")) {
                self->failed = true;
                break;
            }
            zp_node_ask_gaps (&self->node);
            continue;
        }
        if (which == pipe) {
            if (zp_node_told_to_end (pipe))
                break;
        } else if (which == self->node.control) {
            self->node.heard = zclock_mono ();
            s_on_control (self);
        } else if (which == self->node.bcast) {
            self->node.heard = zclock_mono ();
            s_on_broadcast (self);
        } else if (which == self->node.data)
            s_on_batch (self);
        else
            s_on_ack (self, which);
    }
    bool failed = self->failed, lost = self->lost;
    s_destroy (self);
    zp_node_report_exit (pipe, self->args.report_exit, failed, lost);
}
