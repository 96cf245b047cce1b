/*  zp_partition: the vertices a worker owns and the machinery of one superstep.

    Internal to the library: the worker node (nodes/zp_worker.c) drives it,
    the vertex API (lib/engine/zp_vertex.c) reads and writes it. It knows nothing of
    sockets: batches leave through a flush callback and come in as decoded
    views.

    Messages take one of three paths, chosen by the program:
    - combined (fixed-size messages with a combiner): every worker has two
      dense arrays over all |V| handles, one per superstep parity, kept at the
      combiner's identity. A send is one combine into the array and one bit in
      a `touched` bitset, with no lookup of the owner. At the end of compute the
      touched entries of each other worker's range are packed into batches;
      the entries of our own range are already next superstep's inbox, and
      remote batches are combined into them in source order.
      With engine.threads, each thread computes a slice of the vertices and
      sends into its own such array (the first thread into the partition's);
      after compute the threads merge them, each over a share of the handles.
      With engine.pull, a zp_send_out_* (the same message to every
      out-neighbour) only puts the message in the sender's slot; after
      compute, a superstep whose senders have more than a twentieth of the
      out-edges is dense and pulls the slots over in-edges into the
      array, each thread over a slice of the handles (zp_pull.h), and
      another pushes them as a send would have.
    - listed (fixed-size, no combiner) and bytes (variable size): an outbox per
      destination worker, flushed as a batch whenever it reaches batch_bytes,
      so sending overlaps computing. Next superstep's inbox is built as a CSR
      (count, prefix sum, fill) from our own outbox and the remote batches,
      in source order.
*/
#ifndef ZP_PARTITION_H
#define ZP_PARTITION_H

#include "zp_batch.h"
#include "zp_control.h"
#include "zpregel/zp_program.h"

typedef struct zp_partition_s zp_partition_t;

/* Called with a batch for worker `dst` (never ourselves); 0 or -1 to stop. */
typedef int (zp_flush_fn) (void *ctx, uint32_t dst, const zp_batch_out_t *batch);
/* Called during compute every few thousand vertices and at least every
   ZP_TICK_MS (after the compute() call that ends the period), with how
   many vertices are done: the worker's chance to heartbeat and serve its
   sockets. A single compute() call on the calling thread must return
   within the job's heartbeat_ms x liveness: one that does not is taken for
   a stuck node. While the calling thread waits for the other threads
   (engine.threads), it ticks every ZP_TICK_MS. */
typedef void (zp_tick_fn) (void *ctx, uint64_t progress);

/* Per-superstep figures a worker reports in DONE. `sent` has n_workers
   entries; `received` one per source: the workers, then the routers. */
typedef struct {
    uint64_t active;
    uint64_t messages;  /* sends, before combining, local ones included */
    uint64_t mirrored;  /* values sent to other workers' mirrors (zp_mirror.h) */
    uint64_t *sent;     /* messages put into batches for each worker */
    uint64_t *received; /* messages received from each source (previous superstep) */
    zp_value_t aggregates[ZP_MAX_AGGREGATORS];
} zp_step_stats_t;

/* Builds a partition from a decoded ASSIGN and the resolved program: copies
   and checks the arrays (offsets ascending, handles inside |V|), runs the
   program's setup() and init(). NULL with a message on error. */
zp_partition_t *zp_partition_new (const zp_assign_t *assign, const zp_program_t *program, char *err,
                                  size_t errlen);
void zp_partition_destroy (zp_partition_t **self_p);

uint32_t zp_partition_worker (const zp_partition_t *self);
uint32_t zp_partition_workers (const zp_partition_t *self);
uint64_t zp_partition_size (const zp_partition_t *self);
/* The program error that failed the last compute (see the vertex API in
   zp_partition.c), or NULL: then it was memory or a flush. */
const char *zp_partition_error (const zp_partition_t *self);
/* From now on, a crash (zp_crash.h) in this thread or in the partition's
   compute threads while a program computes is reported as `kind` `name`
   with the program, the superstep and the vertex. The strings must
   outlive the partition. */
void zp_partition_watch_crashes (zp_partition_t *self, const char *kind, const char *name);
/* The vertex whose compute() is running (its id in *id), or UINT32_MAX;
   and the superstep. For crash reports. */
uint32_t zp_partition_vertex (const zp_partition_t *self, uint64_t *id);
uint32_t zp_partition_step (const zp_partition_t *self);
/* The threads compute runs on: settings.threads when the program is
   ZP_THREAD_SAFE and its messages are combined, else 1. */
uint32_t zp_partition_threads (const zp_partition_t *self);
/* Whether the last compute was dense and pulled its zp_send_out_*
   messages over in-edges (engine.pull, zp_pull.h) instead of pushing. */
bool zp_partition_pulled (const zp_partition_t *self);
const char *zp_partition_program_name (const zp_partition_t *self);

/* Checks a received batch against this partition (job, destination, message
   type, every id inside our range). 0 or a negative zp_frame_err_t. */
int zp_partition_check_batch (const zp_partition_t *self, const zp_batch_view_t *view);

/* Starts superstep `step`: `aggregates` (n raw values) are last superstep's. */
void zp_partition_begin (zp_partition_t *self, uint32_t step, const uint8_t *aggregates, size_t n);
/* Adds a checked batch sent in the previous superstep to this superstep's
   inbox. Call for every batch, in ascending (src, seq) order, between begin and compute. */
int zp_partition_deliver (zp_partition_t *self, zp_batch_view_t *view);
/* Runs compute() on every vertex that is active or has messages, sending
   batches through `flush`. Fills `stats`. 0, or -1 if a flush failed or memory ran out. */
int zp_partition_compute (zp_partition_t *self, zp_flush_fn *flush, zp_tick_fn *tick, void *ctx,
                          zp_step_stats_t *stats);

/* Checkpoints. Between zp_partition_begin + deliveries and compute, the
   whole state of a superstep is: the values, the halted flags and the
   inbox. Saved as the CBOR array [values, halted, path, ids, messages or
   null, offsets or null, blob or null]: the inbox in the order compute
   would read it, ids local to the worker's range; `messages` for fixed-size
   messages (one per id), `offsets` (count + 1) into `blob` for bytes;
   then, for a program that reads its neighbours, [mirror handles, their
   values] (a state of seven elements, as before API version 5, has none). */
typedef struct {
    size_t n;               /* vertices */
    size_t words;           /* 64-bit words of a vertex value (zp_program_value_words) */
    const uint8_t *values;  /* n x words little-endian uint64 */
    const uint8_t *halted;  /* n bytes, 0 or 1 */
    uint64_t path;          /* which message path wrote the inbox */
    size_t count;           /* inbox messages */
    const uint8_t *ids;     /* count little-endian uint32, each < n */
    const uint8_t *msgs;    /* count little-endian uint64, or NULL (bytes) */
    const uint8_t *offsets; /* count + 1 little-endian uint64, or NULL (fixed size) */
    const uint8_t *blob;
    size_t blob_size;
    /* ZP_READS_NEIGHBOURS: the neighbours' values of other workers this
       worker holds (zp_mirror.h), `n_mirrors` handles (little-endian
       uint32) and their values (uint64); mirror_ids NULL: none. */
    size_t n_mirrors;
    const uint8_t *mirror_ids;
    const uint8_t *mirror_values;
} zp_partition_state_t;

void zp_partition_state_write (const zp_partition_state_t *state, zp_cbor_writer_t *out);
/* Reads and checks the shape (lengths, ids, offsets): the state then points
   into the reader's buffer. 0, or -1 with `what` was wrong. */
int zp_partition_state_read (zp_cbor_reader_t *in, zp_partition_state_t *state, const char **what);

/* zp_partition_save writes this partition's state; on ENOMEM it marks
   `out` failed. zp_partition_restore reads one into a partition fresh from
   zp_partition_new, as the inbox of superstep `step`; 0, or -1 with a message. */
void zp_partition_save (const zp_partition_t *self, zp_cbor_writer_t *out);
int zp_partition_restore (zp_partition_t *self, uint32_t step, zp_cbor_reader_t *in, char *err,
                          size_t errlen);

/* The current vertex values, n raw values in handle order (borrowed). */
const zp_value_t *zp_partition_values (const zp_partition_t *self);

#endif
