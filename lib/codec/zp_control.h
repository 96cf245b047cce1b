/*  zp_control: the control messages between the master and its nodes.

    Over the control ROUTER/DEALER pair (docs/PROTOCOL.md has every field):
      HELLO   node -> master   role, name, the endpoints it bound, where it runs
      ASSIGN  master -> worker its partition, the program, the peers, settings
      ROUTE   master -> router the workers it reaches, the program, settings
      READY   node -> master   settings taken and a broadcast seen
      PING    node -> master   alive, and how far compute is (from the node's
                               heartbeat thread, on a socket of its own)
      DONE    worker -> master a superstep finished: counts, traffic, aggregates
      MERGED  router -> master what one aggregation took in and sent on
      RESULT  worker -> master final vertex values
      RSTATS  router -> master what it forwarded and combined over the job
      FAIL    node -> master   a fatal error, with its text
      BYE     master -> node   the job is over (or lost); the node may exit
      REPLAY  anyone -> master broadcasts [from, to] again, over control
      GONE    master -> anyone the broadcasts before `first` are not kept
    Over the broadcast PUB/SUB pair, each with a sequence number:
      SYNC       until every node has confirmed it is subscribed
      PLAN       a route plan, by version
      BEGIN      start of a superstep, with the aggregated values of the last
                 one and the plan to route by
      CHECKPOINT the checkpoint of a superstep is complete
      TERMINATE  the job is over (status 0) or failed (status 1)
      HEARTBEAT  periodically (from the master's publisher thread), so that
                 subscribers know the master lives
    On the data links (zp_batch.h): BATCH, ACK, and END (worker -> router: no
    more batches this superstep for a receiver).
    SYNC and HEARTBEAT name the master's control endpoint, so that a watcher
    that knows only the broadcast endpoint can ask for what it missed.

    Decoded structs point into the frame: they are valid while the frame is.
    Typed arrays are passed as little-endian byte pointers (on a little-endian
    host an in-memory array can be passed as it is; see zp_types.h).
*/
#ifndef ZP_CONTROL_H
#define ZP_CONTROL_H

#include "zp_cbor.h"
#include "zp_frame.h"
#include "zpregel/zp_config.h"
#include "zpregel/zp_types.h"

#include <stdbool.h>

typedef enum { ZP_ROLE_WORKER = 0, ZP_ROLE_ROUTER = 1 } zp_role_t;

#define ZP_HELLO_MAX_ENDPOINTS 4

typedef struct {
    zp_role_t role;
    const char *name; /* not NUL-terminated when decoded: use name_len */
    size_t name_len;
    size_t n_endpoints; /* data endpoints the node bound: inproc and/or tcp */
    const char *endpoints[ZP_HELLO_MAX_ENDPOINTS];
    size_t endpoint_lens[ZP_HELLO_MAX_ENDPOINTS];
    const char *locality; /* "host/pid": nodes with the same one share inproc */
    size_t locality_len;
} zp_hello_t;

typedef struct {
    uint64_t from; /* first broadcast sequence number wanted */
    uint64_t to;   /* last one */
} zp_replay_t;

/* TERMINATE status: finished, failed, or failed because a node was lost
   (a restart may follow: nodes started on their own register again). */
#define ZP_STATUS_OK     0
#define ZP_STATUS_FAILED 1
#define ZP_STATUS_LOST   2

#define ZP_MAX_THREADS 1024 /* engine.threads */

/* Engine settings a worker needs, fixed for the job. */
typedef struct {
    uint64_t batch_bytes;        /* flush an outbox at this many bytes */
    uint32_t compress_level;     /* zstd level */
    uint64_t compress_min;       /* compress payloads of at least this size */
    zp_compress_mode_t compress; /* compression.mode; on the wire 0 auto, 1 on, 2 off */
    uint32_t max_supersteps;
    uint32_t ack_timeout_ms;   /* tcp links: an unACKed batch is sent again after this, doubling */
    uint32_t max_retries;      /* ... this many times, then the worker fails */
    uint32_t heartbeat_ms;     /* nodes PING the master this often, even while computing */
    uint32_t liveness;         /* a master silent for liveness x heartbeat_ms is gone */
    uint32_t checkpoint_every; /* checkpoint supersteps that are multiples of this; 0 never */
    const char
        *checkpoint_dir; /* encode: NUL-terminated, or NULL; decode: checkpoint_dir_len bytes */
    size_t checkpoint_dir_len;
    uint32_t restore_step;  /* 0: start afresh; S: restore the checkpoint of superstep S */
    uint32_t check_program; /* 1: every vertex API call is checked (engine.check_program) */
    uint32_t threads;       /* compute threads (engine.threads); 0: the worker picks */
    uint32_t host_workers;  /* ASSIGN: the job's workers on this worker's host (HELLO's locality) */
    uint32_t pull;          /* 1: dense supersteps pull (engine.pull) */
} zp_settings_t;

/* A CURVE public key as Z85 text, as ZeroMQ's User-Id gives it. Under
   CURVE, ASSIGN and ROUTE carry `keys`: n_workers + n_routers of them
   back to back (no NUL), the key each node joined with, so that a data
   frame is taken only from its sender's key. */
#define ZP_KEY_TEXT 40

typedef struct {
    uint64_t job;
    uint32_t worker; /* this worker's index */
    uint32_t n_workers;
    uint64_t n_vertices; /* |V| of the whole graph */
    bool directed;
    const char *program; /* name or shared-object path; not NUL-terminated when decoded */
    size_t program_len;
    const uint8_t *params; /* n_params raw 8-byte values, in the program's parameter order */
    size_t n_params;
    const uint8_t *ranges; /* n_workers+1 uint32 handle boundaries: worker w owns [r[w], r[w+1]) */
    const uint8_t *ids;    /* n local original ids (uint64) */
    const uint8_t *out_offsets; /* n+1 uint64 */
    const uint8_t *out_targets; /* m uint32 handles */
    const uint8_t *out_weights; /* m float64, or NULL */
    size_t n_edges;
    const uint8_t *in_offsets; /* n+1 uint64, or NULL when the program needs no in-edges */
    const uint8_t *in_targets; /* in-edge sources (uint32 handles) */
    size_t n_in_edges;
    const char **peers;            /* encode: n_workers data endpoints (NUL-terminated) */
    zp_cbor_reader_t peers_reader; /* decode: read them with zp_assign_next_peer */
    uint32_t n_routers;
    const char **routers; /* encode: n_routers data endpoints, as this worker reaches them */
    zp_cbor_reader_t routers_reader; /* decode: read them with zp_assign_next_peer */
    const uint8_t *keys;             /* see ZP_KEY_TEXT, or NULL */
    const uint8_t *vertex_values;    /* n float64 input values, or NULL */
    zp_settings_t settings;
} zp_assign_t;

/* ROUTE: what a router needs. */
typedef struct {
    uint64_t job;
    uint32_t router; /* this router's index */
    uint32_t n_workers;
    uint32_t n_routers;
    const char *program; /* not NUL-terminated when decoded */
    size_t program_len;
    const char **workers;            /* encode: n_workers endpoints, as this router reaches them */
    zp_cbor_reader_t workers_reader; /* decode: zp_route_next_worker */
    const uint8_t *keys;             /* see ZP_KEY_TEXT, or NULL */
    zp_settings_t settings;
} zp_route_msg_t;

/* RSTATS: a router's counters for the whole job (the master reports them
   as a zp_router_report_t, zp_job.h). */
typedef struct {
    uint32_t router;
    uint64_t frames_in, frames_out;
    uint64_t messages_in, messages_out;
    uint64_t resent; /* merged batches sent again */
} zp_rstats_t;

typedef struct {
    uint32_t worker; /* or router index, for a router */
    uint64_t seen_seq;
} zp_ready_t;

typedef struct {
    uint32_t worker;
    uint32_t step;
    uint64_t active;          /* vertices not halted after this step */
    uint64_t messages;        /* messages sent in this step, local ones included */
    uint64_t bytes;           /* bytes of batches sent to other workers */
    uint64_t batches;         /* batches sent to other workers */
    double compute_seconds;   /* time in compute() and sending */
    double send_wait_seconds; /* then waiting for the last ACK */
    uint32_t n_workers;
    const uint8_t *sent;       /* n_workers uint64: messages sent to each worker this step */
    const uint8_t *sent_bytes; /* n_workers uint64: batch bytes sent to each worker */
    const uint8_t *received;   /* n_received uint64: messages received from each worker, then
                                  each router, for the previous step */
    size_t n_received;
    size_t n_aggregates;
    const uint8_t *aggregates; /* n_aggregates raw 8-byte partial values */
    uint64_t retries;          /* batches sent again this superstep */
    uint64_t duplicates;       /* batches received twice and dropped */
    uint64_t mirrored;         /* values sent to other workers' mirrors (zp_mirror.h) */
} zp_done_t;

/* PING: a node is alive, and how far its compute is. */
typedef struct {
    uint32_t step;
    uint64_t progress; /* vertices computed in this superstep */
} zp_ping_t;

typedef struct {
    uint32_t worker;
    size_t count;
    const uint8_t *values; /* count raw 8-byte values, in handle order */
} zp_result_t;

typedef struct {
    uint32_t worker;
    const char *text;
    size_t text_len;
} zp_fail_t;

typedef struct {
    zp_msg_kind_t kind; /* SYNC, BEGIN, TERMINATE or HEARTBEAT */
    uint64_t seq;
    uint32_t step;         /* BEGIN: the superstep starting; TERMINATE, HEARTBEAT: the last one */
    uint64_t plan_version; /* BEGIN: the plan to route by; PLAN: its version */
    size_t n_aggregates;   /* BEGIN */
    const uint8_t *aggregates;
    uint64_t active; /* BEGIN, TERMINATE: totals of the superstep just finished */
    uint64_t messages;
    uint32_t status;     /* TERMINATE: 0 finished, 1 failed */
    const char *control; /* SYNC, HEARTBEAT: the master's control endpoint */
    size_t control_len;
    const char *reason; /* TERMINATE: why the job failed (NULL or "" when it finished) */
    size_t reason_len;
    uint32_t n_workers;    /* PLAN */
    const uint8_t *routes; /* PLAN: n_workers x n_workers uint32 (zp_plan.h encoding) */
    const char *slowest;   /* BEGIN, TERMINATE: the slowest worker of the superstep just
                              finished (NULL or "": none), and its compute seconds */
    size_t slowest_len;
    double slowest_seconds;
} zp_broadcast_t;

/* Encoders reset `out` and return 0, or -1 on allocation failure.
   Decoders return 0 or a negative zp_frame_err_t. */
int zp_hello_encode (const zp_hello_t *m, zp_cbor_writer_t *out);
int zp_hello_decode (const void *frame, size_t size, zp_hello_t *m);
int zp_assign_encode (const zp_assign_t *m, zp_cbor_writer_t *out);
/* Where zp_assign_encode_room left room for a partition's arrays: byte
   offsets into the writer's data, 0 for an array the frame does not carry. */
typedef struct {
    size_t ids, out_offsets, out_targets, out_weights, in_offsets, in_targets, vertex_values;
} zp_assign_room_t;
/* zp_assign_encode without copying the partition's arrays (ids, offsets,
   targets, weights, in-edges, input values): it leaves room for them and
   says where in `room`, for the caller to fill in place once the frame is
   whole (the master slices the graph straight into the frame). It reads
   those pointers only to know which arrays are present; n_edges and
   n_in_edges give the sizes. */
int zp_assign_encode_room (const zp_assign_t *m, zp_cbor_writer_t *out, zp_assign_room_t *room);
int zp_assign_decode (const void *frame, size_t size, zp_assign_t *m);
/* Reads the next peer endpoint of a decoded ASSIGN (n_workers times). */
int zp_assign_next_peer (zp_assign_t *m, const char **endpoint, size_t *len);
/* Reads the next router endpoint of a decoded ASSIGN (n_routers times). */
int zp_assign_next_router (zp_assign_t *m, const char **endpoint, size_t *len);
int zp_route_encode (const zp_route_msg_t *m, zp_cbor_writer_t *out);
int zp_route_decode (const void *frame, size_t size, zp_route_msg_t *m);
int zp_route_next_worker (zp_route_msg_t *m, const char **endpoint, size_t *len);
/* MERGED: what one aggregation of a router (superstep `step`, receiver
   `dst`) took in from each sender and sent on, once the receiver has ACKed
   it all. The master checks both ends of every aggregated link with it. */
typedef struct {
    uint32_t router;
    uint32_t step;
    uint32_t dst;
    uint32_t n_workers;
    const uint8_t *in; /* n_workers uint64: messages taken in from each worker */
    uint64_t out;      /* messages in the merged batches */
} zp_merged_t;
int zp_merged_encode (const zp_merged_t *m, zp_cbor_writer_t *out);
int zp_merged_decode (const void *frame, size_t size, zp_merged_t *m);

int zp_rstats_encode (const zp_rstats_t *m, zp_cbor_writer_t *out);
int zp_rstats_decode (const void *frame, size_t size, zp_rstats_t *m);
int zp_ping_encode (const zp_ping_t *m, zp_cbor_writer_t *out);
int zp_ping_decode (const void *frame, size_t size, zp_ping_t *m);
int zp_ready_encode (const zp_ready_t *m, zp_cbor_writer_t *out);
int zp_ready_decode (const void *frame, size_t size, zp_ready_t *m);
int zp_done_encode (const zp_done_t *m, zp_cbor_writer_t *out);
int zp_done_decode (const void *frame, size_t size, zp_done_t *m);
int zp_result_encode (const zp_result_t *m, zp_cbor_writer_t *out);
int zp_result_decode (const void *frame, size_t size, zp_result_t *m);
int zp_fail_encode (const zp_fail_t *m, zp_cbor_writer_t *out);
int zp_fail_decode (const void *frame, size_t size, zp_fail_t *m);
int zp_replay_encode (const zp_replay_t *m, zp_cbor_writer_t *out);
int zp_replay_decode (const void *frame, size_t size, zp_replay_t *m);
/* GONE answers a REPLAY that asks for broadcasts the master no longer
   keeps: those before `first` (>= 2). */
int zp_gone_encode (uint64_t first, zp_cbor_writer_t *out);
int zp_gone_decode (const void *frame, size_t size, uint64_t *first);
/* BYE carries how the job ended and why, as TERMINATE does (a node may
   see the BYE before the TERMINATE broadcast). `reason`: NULL or "" when
   the job finished; decoded, not NUL-terminated. */
int zp_bye_encode (uint32_t status, const char *reason, zp_cbor_writer_t *out);
int zp_bye_decode (const void *frame, size_t size, uint32_t *status, const char **reason,
                   size_t *reason_len);
int zp_broadcast_encode (const zp_broadcast_t *m, zp_cbor_writer_t *out);
int zp_broadcast_decode (const void *frame, size_t size, zp_broadcast_t *m);

#endif
