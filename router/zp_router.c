/*  zp_router: the router node. See zp_router.h for what it does.

    Aggregations are kept per (superstep, receiver): the held batches, the
    END count each sender announced, and the merged batches, kept until the
    receiver ACKs them. An aggregation can complete only once the router
    knows the plan of its superstep (from BEGIN), since the plan says which
    senders aggregate through it; batches and ENDs may arrive before that.
    Senders are ACKed only once the receiver has ACKed every merged batch,
    so until then they send their batches again after ack_timeout_ms; such
    a repeat makes the router send its unACKed merged batches again (at
    most once per ack_timeout_ms), and a lost merged batch is not lost.
*/
#include "zp_router.h"
#include "zp_security_internal.h"
#include "zp_batch.h"
#include "zp_control.h"
#include "zp_plan.h"
#include "zpregel/zp_program.h"
#include "zp_wire.h"
#include "zp_grow.h"
#include "zp_node.h"
#include "zp_heartbeat.h"
#include "zp_link.h"
#include "zp_log.h"

#include <errno.h>
#include <stdlib.h>

typedef struct {
    uint32_t src;
    uint64_t seq;
    zp_wire_msg_t msg;
} s_held_t;

/* A merged batch as sent, kept until the receiver ACKs it: the frame
   itself, each send another reference to it (zp_wire_keep). */
typedef struct {
    uint64_t seq;
    zmq_msg_t *frame;
    bool acked;
} s_sent_t;

typedef struct {
    uint32_t step, dst;
    s_held_t *held;
    size_t n_held, cap_held;
    uint64_t *ends; /* per sender: batches announced + 1, 0 before its END */
    s_sent_t *sent; /* the merged batches */
    size_t n_sent, cap_sent;
    int64_t sent_at;  /* when they were last sent (again) */
    uint32_t retries; /* times they were sent again (s_retry_merged) */
    bool merged;
    uint64_t *in; /* per sender: messages taken in (for the master's check) */
    uint64_t out; /* messages in the merged batches */
} s_agg_t;

typedef struct {
    uint64_t version;
    uint32_t *routes;
} s_plan_t;

typedef struct {
    uint32_t step;
    uint64_t version;
} s_step_plan_t;

typedef struct {
    zp_link_t link;    /* to a worker (zp_link.h) */
    uint64_t next_seq; /* of our merged batches to this worker */
} s_link_t;

typedef struct {
    zsock_t *pipe;
    zp_node_t node; /* sockets to the master and for data, ordered broadcasts */
    zpoller_t *poller;
    zp_router_args_t args;
    bool routed, ready_sent, stop, failed, finished;
    bool lost;     /* the job was lost to us: the master is silent, or lost a node */
    int64_t begun; /* the newest superstep a BEGIN announced (or the restored one - 1) */
    uint64_t job;
    uint32_t index, n_workers, n_routers;
    const zp_program_t *program;
    zp_settings_t settings;
    s_link_t *links;
    zp_compress_t *rx_z;
    s_plan_t *plans;
    size_t n_plans;
    s_step_plan_t *steps;
    size_t n_steps, cap_steps;
    s_agg_t *aggs;
    size_t n_aggs, cap_aggs;
    zp_rstats_t stats;
    zp_heartbeat_t *heartbeat; /* from ROUTE on: our PINGs, on a thread of their own */
    zp_cbor_writer_t w;        /* batches */
    /* Fault injection for tests (ZPREGEL_INJECT_FAULTS=N, N >= 2): every
       Nth merged batch is not sent the first time, as if it were lost on
       the way; the senders' retries make us send it again. 0: off. */
    uint32_t inject;
    uint64_t injected;
    /* ZPREGEL_INJECT_LATE_BEGIN (ms): no broadcast is read until `deaf_until`. */
    uint32_t late_begin;
    int64_t deaf_until;
    /* ZPREGEL_INJECT_LOSS=N, N >= 2: every Nth batch taken in is left out
       of its merge, though ACKed to its sender with the rest, as a faulty
       router would; only the master's count check can tell. 0: off. */
    uint32_t lose;
    uint64_t lossy;
} self_t;

#define s_log(self, ...) zp_node_log (&(self)->node, __VA_ARGS__)

static void s_fail (self_t *self, const char *text)
{
    s_log (self, "%s", text);
    zp_fail_t fail = {self->index, text, strlen (text)};
    if (zp_fail_encode (&fail, &self->node.w) == 0)
        zp_node_send (&self->node);
    self->failed = true;
}

/* Sends an ACK for (step, src -> dst, seq) to the sender's data link. */
static void s_ack_sender (self_t *self, uint32_t step, uint32_t src, uint32_t dst, uint64_t seq)
{
    zp_ack_t ack = {self->job, step, src, dst, seq, 0};
    char identity[48];
    int len = zp_wire_data_identity (identity, sizeof identity, 'w', src, self->job);
    zmq_msg_t id;
    zmq_msg_init_size (&id, (size_t) len);
    memcpy (zmq_msg_data (&id), identity, (size_t) len);
    zp_cbor_writer_t aw;
    zp_cbor_writer_init (&aw, 64);
    /* The data socket's send timeout bounds the wait (zp_node.c). */
    if (zp_ack_encode (&ack, &aw) == 0 && zp_wire_send (self->node.data, &id, &aw, false) != 0)
        s_log (self, "cannot ACK to worker %u: %s", src, zmq_strerror (errno));
    zp_cbor_writer_free (&aw);
    zmq_msg_close (&id);
}

static const uint32_t *s_routes_for_step (const self_t *self, uint32_t step)
{
    for (size_t i = 0; i < self->n_steps; i++)
        if (self->steps[i].step == step)
            for (size_t k = 0; k < self->n_plans; k++)
                if (self->plans[k].version == self->steps[i].version)
                    return self->plans[k].routes;
    return NULL;
}

static s_agg_t *s_agg (self_t *self, uint32_t step, uint32_t dst)
{
    for (size_t i = 0; i < self->n_aggs; i++)
        if (self->aggs[i].step == step && self->aggs[i].dst == dst)
            return &self->aggs[i];
    s_agg_t *aggs = zp_grow (self->aggs, &self->cap_aggs, self->n_aggs, sizeof *aggs, 16);
    if (!aggs)
        return NULL;
    self->aggs = aggs;
    s_agg_t *a = &self->aggs[self->n_aggs];
    memset (a, 0, sizeof *a);
    a->step = step;
    a->dst = dst;
    a->ends = calloc (self->n_workers, sizeof *a->ends);
    a->in = calloc (self->n_workers, sizeof *a->in);
    if (!a->ends || !a->in) {
        free (a->ends);
        free (a->in);
        return NULL;
    }
    self->n_aggs++;
    return a;
}

static void s_agg_free (s_agg_t *a)
{
    for (size_t i = 0; i < a->n_held; i++)
        zp_wire_close (&a->held[i].msg);
    for (size_t i = 0; i < a->n_sent; i++)
        zp_wire_kept_free (&a->sent[i].frame);
    free (a->held);
    free (a->ends);
    free (a->in);
    free (a->sent);
}

/* Sends the merged batches of `a` the receiver has not ACKed (again). */
static void s_send_unacked (self_t *self, s_agg_t *a, bool again)
{
    for (size_t i = 0; i < a->n_sent; i++) {
        s_sent_t *s = &a->sent[i];
        if (s->acked)
            continue;
        if (!again && self->inject && ++self->injected % self->inject == 0)
            continue; /* held back: see `inject` */
        /* Never blocking: a receiver whose queue is full gets it again
           from s_retry_merged (a router that waits on one worker hears
           nothing else, not even its owner's $TERM). */
        if (zp_wire_send_kept (self->links[a->dst].link.sock, s->frame, true) != 0)
            zp_log_debug ("router %s: worker %u's queue is full: a merged batch waits",
                          self->node.name, a->dst);
        else if (again)
            self->stats.resent++;
    }
    a->sent_at = zclock_mono ();
}

/* Sends again the merged batches not ACKed within ack_timeout_ms, twice
   as late each time (at most 64 times): a batch lost on a tcp link, or
   not sent for a full queue. Called from the main loop. */
static void s_retry_merged (self_t *self, int64_t now)
{
    for (size_t i = 0; i < self->n_aggs; i++) {
        s_agg_t *a = &self->aggs[i];
        int64_t wait = (int64_t) self->settings.ack_timeout_ms << (a->retries < 6 ? a->retries : 6);
        if (a->merged && a->n_sent && now - a->sent_at >= wait) {
            a->retries++;
            s_send_unacked (self, a, true);
        }
    }
}

static int s_cmp_held (const void *x, const void *y)
{
    const s_held_t *a = x, *b = y;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* One message on its way through a merge: its target, its value or bytes,
   and its place in (sender, sequence, position) order. */
typedef struct {
    uint32_t id;
    uint32_t len;
    uint64_t order;
    zp_value_t value;
    const uint8_t *bytes;
} s_item_t;

static int s_cmp_item (const void *x, const void *y)
{
    const s_item_t *a = x, *b = y;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Encodes items [from, to) for the receiver as one batch and keeps it in
   a->sent (s_merge sends them all). */
static int s_keep_merged (self_t *self, s_agg_t *a, const s_item_t *items, size_t count)
{
    a->out += count;
    s_link_t *link = &self->links[a->dst];
    s_sent_t *sent = zp_grow (a->sent, &a->cap_sent, a->n_sent, sizeof *sent, 4);
    if (!sent)
        return -1;
    a->sent = sent;
    zp_handle_t *ids = malloc ((count ? count : 1) * sizeof *ids);
    zp_value_t *values = malloc ((count ? count : 1) * sizeof *values);
    uint64_t *offsets = malloc ((count + 1) * sizeof *offsets);
    size_t data_size = 0;
    for (size_t i = 0; i < count; i++)
        data_size += items[i].len;
    uint8_t *data = malloc (data_size ? data_size : 1);
    int rc = -1;
    if (ids && values && offsets && data) {
        offsets[0] = 0;
        for (size_t i = 0; i < count; i++) {
            ids[i] = items[i].id;
            values[i] = items[i].value;
            if (items[i].len)
                memcpy (data + offsets[i], items[i].bytes, items[i].len);
            offsets[i + 1] = offsets[i] + items[i].len;
        }
        zp_batch_out_t out = {.header = {.job = self->job,
                                         .step = a->step,
                                         .src = self->n_workers + self->index,
                                         .dst = a->dst,
                                         .seq = link->next_seq++,
                                         .type = zp_program_wire_type (self->program),
                                         .count = count},
                              .ids = ids,
                              .values = values,
                              .offsets = offsets,
                              .data = data};
        s_sent_t *s = &a->sent[a->n_sent];
        if (zp_batch_encode (&out, link->link.z, self->settings.compress_min, &self->w) == 0 &&
            (s->frame = zp_wire_keep (&self->w))) {
            s->seq = out.header.seq;
            s->acked = false;
            a->n_sent++;
            self->stats.frames_out++;
            self->stats.messages_out += count;
            rc = 0;
        }
    }
    free (ids);
    free (values);
    free (offsets);
    free (data);
    return rc;
}

/* Merges the held batches of a complete aggregation and sends the result. */
static int s_merge (self_t *self, s_agg_t *a)
{
    if (!a->n_held) {
        /* Every sender announced no batch: nobody waits for a merged one,
           and one sent now could reach the receiver after its superstep. */
        a->merged = true;
        return 0;
    }
    qsort (a->held, a->n_held, sizeof *a->held, s_cmp_held);
    size_t total = 0;
    zp_batch_view_t view;
    for (size_t i = 0; i < a->n_held; i++) {
        if (zp_batch_peek (zp_wire_data (&a->held[i].msg), zp_wire_size (&a->held[i].msg),
                           &view.header) != 0)
            return -1;
        total += view.header.count;
    }
    s_item_t *items = malloc ((total ? total : 1) * sizeof *items);
    /* Byte messages point into the frames; compressed ones need a copy that
       outlives the next decompression. */
    uint8_t **copies = calloc (a->n_held + 1, sizeof *copies);
    if (!items || !copies) {
        free (items);
        free (copies);
        return -1;
    }
    size_t at = 0;
    for (size_t i = 0; i < a->n_held; i++) {
        if (zp_batch_decode (zp_wire_data (&a->held[i].msg), zp_wire_size (&a->held[i].msg),
                             self->rx_z, &view) != 0)
            break; /* cannot be: it was decoded when it came */
        if (self->lose && ++self->lossy % self->lose == 0)
            continue; /* see `lose` */
        if (view.header.type == ZP_BYTES && (view.header.flags & ZP_BATCH_ZSTD)) {
            /* The view reads the link's decompression buffer, which the next
               decode reuses: read from a copy instead, at the same place. */
            size_t len = view.blobs.size, pos = view.blobs.pos;
            copies[i] = malloc (len ? len : 1);
            if (!copies[i])
                break;
            memcpy (copies[i], view.blobs.data, len);
            zp_cbor_reader_init (&view.blobs, copies[i], len);
            view.blobs.pos = pos;
        }
        for (size_t k = 0; k < view.header.count; k++, at++) {
            s_item_t *it = &items[at];
            it->id = (uint32_t) zp_batch_id (&view, k);
            it->order = at;
            it->len = 0;
            it->bytes = NULL;
            if (view.header.type == ZP_BYTES) {
                const uint8_t *p;
                size_t len;
                if (zp_batch_next_bytes (&view, &p, &len) != 0)
                    break;
                it->bytes = p;
                it->len = (uint32_t) len;
            } else
                it->value = zp_batch_value (&view, k);
        }
        self->stats.messages_in += view.header.count;
        a->in[a->held[i].src] += view.header.count;
    }
    total = at;
    size_t out = total;
    const zp_program_t *prog = self->program;
    if (prog->combiner != ZP_COMBINE_NONE && zp_program_wire_type (prog) != ZP_BYTES && total) {
        /* One message per target: fold each run of equal ids in order. */
        qsort (items, total, sizeof *items, s_cmp_item);
        out = 0;
        for (size_t i = 0; i < total; i++) {
            if (out && items[out - 1].id == items[i].id) {
                if (prog->combiner == ZP_COMBINE_FN)
                    prog->combine (&items[out - 1].value, items[i].value);
                else
                    zp_combiner_apply (prog->combiner, prog->message_type, &items[out - 1].value,
                                       items[i].value);
            } else
                items[out++] = items[i];
        }
    }
    /* Batches of at most batch_bytes (at least one, so that the receiver
       ACKs it and we can ACK the senders). */
    int rc = 0;
    size_t limit = self->settings.batch_bytes / 16 ? self->settings.batch_bytes / 16 : 16;
    size_t from = 0;
    do {
        size_t to = from, bytes = 0;
        while (to < out && to - from < limit && bytes < self->settings.batch_bytes)
            bytes += 16 + items[to++].len;
        if (s_keep_merged (self, a, items + from, to - from) != 0)
            rc = -1;
        from = to;
    } while (rc == 0 && from < out);
    if (rc == 0)
        s_send_unacked (self, a, false);
    for (size_t i = 0; i <= a->n_held; i++)
        free (copies[i]);
    free (copies);
    free (items);
    a->merged = true;
    return rc;
}

/* Merges an aggregation if every sender the plan routes through us has
   said END and every announced batch is here. */
static void s_try_complete (self_t *self, s_agg_t *a)
{
    if (a->merged)
        return;
    const uint32_t *routes = s_routes_for_step (self, a->step);
    if (!routes)
        return; /* its BEGIN has not arrived yet */
    uint32_t me = zp_route_make (ZP_ROUTE_AGGREGATED, self->index);
    for (uint32_t i = 0; i < self->n_workers; i++) {
        if (routes[(size_t) i * self->n_workers + a->dst] != me)
            continue;
        if (!a->ends[i])
            return;
        uint64_t have = 0;
        for (size_t k = 0; k < a->n_held; k++)
            have += a->held[k].src == i;
        if (have != a->ends[i] - 1)
            return;
    }
    if (s_merge (self, a) != 0)
        s_fail (self, "cannot merge batches (out of memory, or a bad batch)");
}

/* Tries aggregation i, and forgets it if it completed with nothing to
   send. Whether it was forgotten (aggs[i] is then another one). */
static bool s_complete (self_t *self, size_t i)
{
    s_agg_t *a = &self->aggs[i];
    s_try_complete (self, a);
    if (!a->merged || a->n_held)
        return false;
    s_agg_free (a);
    self->aggs[i] = self->aggs[--self->n_aggs];
    return true;
}

static void s_check_all (self_t *self)
{
    for (size_t i = 0; i < self->n_aggs;)
        if (!s_complete (self, i))
            i++;
}

/* How far ahead of the newest BEGIN seen here an aggregation's frame may
   be. A router that no route used for a while can be that far behind on
   broadcasts while the workers run on (supersteps of a millisecond on a
   busy host), and an END it drops is never sent again: with a bound of
   2, a job of configs/mixed.yaml once failed so. The bound only keeps a
   sender from filling the router with aggregations of supersteps to come. */
#define S_AHEAD_MAX 64

static void s_drain_broadcasts (self_t *self);

/* A frame that claims worker `src` must come on that worker's link; one
   for an aggregation (held until it completes) may be at most
   S_AHEAD_MAX supersteps ahead of the newest BEGIN seen here, once the
   broadcasts waiting here are read. `step` 0 passes always. 0 or a
   zp_frame_err_t. */
static int s_check_sender (self_t *self, zp_wire_msg_t *msg, uint32_t src, uint32_t step)
{
    if (!zp_wire_is_data_identity (&msg->identity, 'w', src, self->job) ||
        !zp_node_has_key (&self->node, msg, src))
        return ZP_ESENDER;
    if ((int64_t) step > self->begun + S_AHEAD_MAX)
        s_drain_broadcasts (self);
    return (int64_t) step > self->begun + S_AHEAD_MAX ? ZP_EAHEAD : 0;
}

/* A batch or an END from a worker. */
static void s_on_data (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->node.data, true, &msg) != 0) {
        if (errno == EPROTO)
            zp_node_reject (&self->node, &msg, "a frame", "expected one part after the identity");
        zp_wire_close (&msg);
        return;
    }
    if (self->routed && zp_node_foreign (&self->node, &msg, self->job)) {
        zp_wire_close (&msg);
        return;
    }
    int kind = zp_frame_kind (zp_wire_data (&msg), zp_wire_size (&msg));
    if (kind == ZP_MSG_END) {
        zp_end_t end;
        int rc = zp_end_decode (zp_wire_data (&msg), zp_wire_size (&msg), &end);
        if (rc == 0 &&
            (end.job != self->job || end.src >= self->n_workers || end.dst >= self->n_workers))
            rc = ZP_ERANGE;
        if (rc == 0)
            rc = s_check_sender (self, &msg, end.src, end.step);
        s_agg_t *a = rc == 0 ? s_agg (self, end.step, end.dst) : NULL;
        if (rc != 0 || !a)
            zp_node_reject (&self->node, &msg, "a bad END",
                            zp_frame_strerror (rc ? rc : ZP_ENOMEM));
        else {
            a->ends[end.src] = end.batches + 1;
            s_complete (self, (size_t) (a - self->aggs));
        }
        zp_wire_close (&msg);
        return;
    }
    /* A load-balanced batch goes on as it came: its header is all we read
       (the receiver decodes and checks the rest). One to aggregate is
       decoded whole now, so that a bad one is refused before it is held. */
    zp_batch_view_t view;
    int rc = self->routed ? zp_batch_peek (zp_wire_data (&msg), zp_wire_size (&msg), &view.header)
                          : ZP_EKIND;
    if (rc == 0 && (view.header.flags & ZP_BATCH_AGGREGATE))
        rc = zp_batch_decode (zp_wire_data (&msg), zp_wire_size (&msg), self->rx_z, &view);
    const zp_batch_header_t *h = &view.header;
    if (rc == 0 && (h->job != self->job || h->src >= self->n_workers || h->dst >= self->n_workers ||
                    h->type != zp_program_wire_type (self->program)))
        rc = ZP_ERANGE;
    /* Only an aggregation is held, so only its superstep is bounded. A
       load-balanced batch goes on at once, however far behind on
       broadcasts this router is (it forwards without them, and may not
       yet have seen superstep 0 begin): dropping it would hang the job,
       since an in-process sender never sends a batch again. */
    if (rc == 0)
        rc = s_check_sender (self, &msg, h->src, (h->flags & ZP_BATCH_AGGREGATE) ? h->step : 0);
    if (rc != 0) {
        zp_node_reject (&self->node, &msg, "a bad batch", zp_frame_strerror (rc));
        zp_wire_close (&msg);
        return;
    }
    self->stats.frames_in++;
    if (!(h->flags & ZP_BATCH_AGGREGATE)) {
        /* Load-balanced: on as it is; the receiver's ACK comes back to us and
           is relayed to the sender. */
        self->stats.messages_in += h->count;
        self->stats.messages_out += h->count;
        self->stats.frames_out++;
        /* Never blocking (see s_send_unacked): on a full queue the batch is
           dropped, unACKed, and its sender sends it again (a worker keeps
           every batch it sends through a router, in-process or not). */
        if (zp_wire_send_raw (self->links[h->dst].link.sock, NULL, zp_wire_data (&msg),
                              zp_wire_size (&msg), true) != 0) {
            self->stats.frames_out--;
            zp_log_debug ("router %s: worker %u's queue is full: a batch from worker %u waits "
                          "for its sender's retry",
                          self->node.name, h->dst, h->src);
        }
        zp_wire_close (&msg);
        return;
    }
    s_agg_t *a = s_agg (self, h->step, h->dst);
    if (!a) {
        zp_wire_close (&msg); /* not ACKed: the sender keeps it */
        return;
    }
    for (size_t i = 0; i < a->n_held; i++)
        if (a->held[i].src == h->src && a->held[i].seq == h->seq) {
            /* A repeat: the sender has no ACK yet. If our merged batches
               are out, one may be lost: send the unACKed ones again. */
            zp_wire_close (&msg);
            if (a->merged && zclock_mono () - a->sent_at >= (int64_t) self->settings.ack_timeout_ms)
                s_send_unacked (self, a, true);
            return;
        }
    s_held_t *held = zp_grow (a->held, &a->cap_held, a->n_held, sizeof *held, 16);
    if (!held) {
        zp_wire_close (&msg);
        return;
    }
    a->held = held;
    a->held[a->n_held++] = (s_held_t){h->src, h->seq, msg};
    s_try_complete (self, a);
}

/* An ACK from a worker: of a forwarded batch (relay it), or of a merged one. */
static void s_on_worker (self_t *self, zsock_t *sock)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (sock, false, &msg) != 0)
        return;
    zp_ack_t ack;
    int rc = zp_ack_decode (zp_wire_data (&msg), zp_wire_size (&msg), &ack);
    zp_wire_close (&msg);
    if (rc != 0 || ack.job != self->job || ack.dst >= self->n_workers) {
        s_log (self, "dropped a bad ACK: %s", rc ? zp_frame_strerror (rc) : "not ours");
        return;
    }
    if (ack.src < self->n_workers) {
        s_ack_sender (self, ack.step, ack.src, ack.dst, ack.seq);
        return;
    }
    if (ack.src != self->n_workers + self->index)
        return;
    /* This batch, and (cumulative) every one below `upto`, of any superstep. */
    for (size_t i = 0; i < self->n_aggs;) {
        s_agg_t *a = &self->aggs[i];
        bool all = a->merged && a->dst == ack.dst;
        for (size_t k = 0; all && k < a->n_sent; k++)
            a->sent[k].acked |= a->sent[k].seq == ack.seq || a->sent[k].seq < ack.upto;
        for (size_t k = 0; all && k < a->n_sent; k++)
            all = a->sent[k].acked;
        if (!all) {
            i++;
            continue;
        }
        /* Delivered: the master learns what went in and out (before any
           sender can count its batches as delivered and say DONE), then
           the senders may. */
        zp_merged_t report = {
            self->index, a->step, a->dst, self->n_workers, (const uint8_t *) a->in, a->out};
        if (a->n_held && zp_merged_encode (&report, &self->node.w) == 0)
            zp_node_send (&self->node);
        for (size_t k = 0; k < a->n_held; k++)
            s_ack_sender (self, a->step, a->held[k].src, a->dst, a->held[k].seq);
        s_agg_free (a);
        self->aggs[i] = self->aggs[--self->n_aggs];
    }
}

static void s_on_route (self_t *self, const void *frame, size_t size)
{
    zp_route_msg_t m;
    char err[512];
    int rc = zp_route_decode (frame, size, &m);
    if (rc != 0) {
        snprintf (err, sizeof err, "bad ROUTE from the master: %s", zp_frame_strerror (rc));
        s_fail (self, err);
        return;
    }
    if (!(self->program =
              zp_node_load_program (&self->node, m.program, m.program_len, err, sizeof err))) {
        s_fail (self, err);
        return;
    }
    self->job = m.job;
    self->begun = (int64_t) m.settings.restore_step - 1;
    self->index = m.router;
    self->n_workers = m.n_workers;
    self->n_routers = m.n_routers;
    self->settings = m.settings;
    self->settings.checkpoint_dir = NULL; /* points into the frame; routers keep no state */
    self->stats.router = m.router;
    self->links = calloc (m.n_workers, sizeof *self->links);
    if (zp_node_set_keys (&self->node, m.keys, (size_t) m.n_workers + m.n_routers) != 0) {
        s_fail (self, "out of memory");
        return;
    }
    self->rx_z = zp_compress_new ((int) m.settings.compress_level,
                                  zp_batch_max_plain (m.settings.batch_bytes));
    if (!self->links || !self->rx_z) {
        s_fail (self, "out of memory");
        return;
    }
    char identity[48];
    zp_wire_data_identity (identity, sizeof identity, 'r', m.router, m.job);
    for (uint32_t i = 0; i < m.n_workers; i++) {
        const char *ep;
        size_t len;
        char endpoint[512];
        if (zp_route_next_worker (&m, &ep, &len) != 0) {
            s_fail (self, "bad worker list in ROUTE");
            return;
        }
        snprintf (endpoint, sizeof endpoint, "%.*s", (int) len, ep);
        s_link_t *link = &self->links[i];
        char why[512];
        if (zp_link_open (&link->link, endpoint, identity, false, &m.settings, self->node.security,
                          why, sizeof why) != 0) {
            snprintf (err, sizeof err, "worker %u: %s", i, why);
            s_fail (self, err);
            return;
        }
        zpoller_add (self->poller, link->link.sock);
    }
    self->heartbeat = zp_heartbeat_new (self->args.control, self->node.name, self->node.security,
                                        m.settings.heartbeat_ms);
    if (!self->heartbeat) {
        s_fail (self, "cannot start the heartbeat thread");
        return;
    }
    self->routed = true;
}

static void s_on_plan (self_t *self, const zp_broadcast_t *b)
{
    size_t bytes = (size_t) b->n_workers * b->n_workers * 4;
    uint32_t *routes = malloc (bytes ? bytes : 1);
    s_plan_t *grown = realloc (self->plans, (self->n_plans + 1) * sizeof *grown);
    if (grown)
        self->plans = grown;
    if (!routes || !grown || b->n_workers != self->n_workers) {
        free (routes);
        s_fail (self, "cannot take the route plan");
        return;
    }
    memcpy (routes, b->routes, bytes);
    self->plans[self->n_plans++] = (s_plan_t){b->plan_version, routes};
}

/* Supersteps whose plan is kept behind the newest BEGIN. An aggregation
   of superstep s is complete before any worker can say DONE for s, so
   before BEGIN s + 1: a few are margin enough. */
#define S_STEPS_KEPT 8

/* Forgets the supersteps (and the plans only they used) that no
   aggregation can still need, so that memory and the plan look-up stay
   the same size however long the job runs. */
static void s_forget_old_steps (self_t *self)
{
    size_t kept = 0;
    uint64_t oldest = UINT64_MAX; /* the oldest plan version still used */
    for (size_t i = 0; i < self->n_steps; i++) {
        const s_step_plan_t *st = &self->steps[i];
        bool needed = (int64_t) st->step + S_STEPS_KEPT > self->begun;
        for (size_t k = 0; !needed && k < self->n_aggs; k++)
            needed = self->aggs[k].step == st->step;
        if (needed) {
            self->steps[kept++] = *st;
            oldest = st->version < oldest ? st->version : oldest;
        }
    }
    self->n_steps = kept;
    /* Versions only grow: a plan older than every kept step's is done
       with (a newer one may wait for its BEGIN). */
    kept = 0;
    for (size_t k = 0; k < self->n_plans; k++) {
        if (self->plans[k].version < oldest)
            free (self->plans[k].routes);
        else
            self->plans[kept++] = self->plans[k];
    }
    self->n_plans = kept;
}

static void s_handle_broadcast (self_t *self, const zp_broadcast_t *b)
{
    if (b->kind == ZP_MSG_SYNC && self->routed && !self->ready_sent) {
        zp_ready_t ready = {self->index, zp_sequencer_expected (self->node.sequencer)};
        if (zp_ready_encode (&ready, &self->node.w) == 0)
            zp_node_send (&self->node);
        self->ready_sent = true;
        if (self->late_begin) {
            self->deaf_until = zclock_mono () + self->late_begin;
            zpoller_remove (self->poller, self->node.bcast);
        }
    } else if (b->kind == ZP_MSG_PLAN && self->routed)
        s_on_plan (self, b);
    else if (b->kind == ZP_MSG_BEGIN && self->routed) {
        if ((int64_t) b->step > self->begun)
            self->begun = b->step;
        s_step_plan_t *grown =
            zp_grow (self->steps, &self->cap_steps, self->n_steps, sizeof *grown, 16);
        if (grown) {
            self->steps = grown;
            self->steps[self->n_steps++] = (s_step_plan_t){b->step, b->plan_version};
        }
        s_check_all (self);
        s_forget_old_steps (self);
    } else if (b->kind == ZP_MSG_TERMINATE && !self->finished) {
        self->finished = true;
        if (b->status != 0 && !self->failed)
            zp_node_job_failed (&self->node, b->reason, b->reason_len);
        self->failed |= b->status != 0;
        self->lost |= b->status == ZP_STATUS_LOST;
        if (b->status == 0 && self->routed && zp_rstats_encode (&self->stats, &self->node.w) == 0)
            zp_node_send (&self->node);
    }
}

static void s_on_broadcast_cb (void *ctx, const zp_broadcast_t *b)
{
    s_handle_broadcast (ctx, b);
}

/* One broadcast from the SUB socket; whether there was one. */
static bool s_on_bcast (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->node.bcast, false, &msg) != 0)
        return false;
    zp_node_broadcast (&self->node, &msg, s_on_broadcast_cb, self);
    return true;
}

/* Reads the broadcasts that wait on the SUB socket now (not while the
   test hook keeps the router deaf). */
static void s_drain_broadcasts (self_t *self)
{
    for (int i = 0; !self->deaf_until && i < 10000; i++)
        if (!(zsock_events (self->node.bcast) & ZMQ_POLLIN) || !s_on_bcast (self))
            break;
}

static void s_on_control (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->node.control, false, &msg) != 0)
        return;
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
    else if (kind == ZP_MSG_ROUTE && !self->routed)
        s_on_route (self, data, size);
    else if (kind == ZP_MSG_BYE && zp_bye_decode (data, size, &status, &reason, &reason_len) == 0) {
        if (status != 0 && !self->failed)
            zp_node_job_failed (&self->node, reason, reason_len);
        self->stop = true;
        self->failed |= status != 0;
        self->lost |= status == ZP_STATUS_LOST;
    } else
        s_log (self, "dropped an unexpected control frame (kind %d)", kind);
    zp_wire_close (&msg);
}

static void s_destroy (self_t *self)
{
    zp_heartbeat_destroy (&self->heartbeat);
    zpoller_destroy (&self->poller);
    for (uint32_t i = 0; self->links && i < self->n_workers; i++) {
        zp_link_close (&self->links[i].link);
    }
    free (self->links);
    for (size_t i = 0; i < self->n_aggs; i++)
        s_agg_free (&self->aggs[i]);
    free (self->aggs);
    for (size_t i = 0; i < self->n_plans; i++)
        free (self->plans[i].routes);
    free (self->plans);
    free (self->steps);
    zp_compress_destroy (&self->rx_z);
    zp_node_close (&self->node, self->lost);
    zp_cbor_writer_free (&self->w);
}

void zp_router_actor (zsock_t *pipe, void *args)
{
    self_t self_s = {0}, *self = &self_s;
    self->pipe = pipe;
    self->args = *(zp_router_args_t *) args;
    self->inject = zp_node_inject_faults ();
    self->lose = zp_node_inject_loss ();
    self->late_begin = zp_node_inject_late_begin ();
    zp_cbor_writer_init (&self->w, 1 << 16);
    if (zp_node_start (&self->node, pipe, "router", ZP_ROLE_ROUTER, &self->args) != 0) {
        s_destroy (self);
        /* zactor_new took the signal; the owner still waits for the exit word. */
        zp_node_report_exit (pipe, self->args.report_exit, true, false);
        return;
    }
    self->poller = zpoller_new (pipe, self->node.control, self->node.bcast, self->node.data, NULL);
    while (!self->stop) {
        zsock_t *which = zpoller_wait (self->poller, 50);
        int64_t now = zclock_mono ();
        if (self->deaf_until && now >= self->deaf_until) {
            self->deaf_until = 0;
            zpoller_add (self->poller, self->node.bcast);
        }
        if (self->routed)
            s_retry_merged (self, now);
        else
            zp_node_hello_again (&self->node);
        if (self->routed && zp_node_master_silent (&self->node, self->settings.heartbeat_ms,
                                                   self->settings.liveness)) {
            self->failed = self->lost = true;
            break;
        }
        if (which == self->node.control || which == self->node.bcast)
            self->node.heard = now;
        if (!which) {
            if (zpoller_terminated (self->poller))
                break;
            zp_node_ask_gaps (&self->node);
            if (!self->routed && zp_node_join_expired (&self->node, "ROUTE")) {
                self->failed = true;
                break;
            }
            continue;
        }
        if (which == pipe) {
            if (zp_node_told_to_end (pipe))
                break;
        } else if (which == self->node.control)
            s_on_control (self);
        else if (which == self->node.bcast)
            s_on_bcast (self);
        else if (which == self->node.data)
            s_on_data (self);
        else
            s_on_worker (self, which);
    }
    bool failed = self->failed, lost = self->lost;
    s_destroy (self);
    zp_node_report_exit (pipe, self->args.report_exit, failed, lost);
}
