/*  zp_batch: a batch of messages from one worker to another, on the wire.

    A batch is struct-of-arrays: n target handles as an RFC 8746 uint64-LE
    typed array, and n values as a float64-LE or sint64-LE typed array (fixed
    size), or as a CBOR array of n byte strings (variable size). The frame:

      [BATCH, version, job, step, src, dst, seq, type, count, flags, payload]

    payload is [ids, values], or, when flags has ZP_BATCH_ZSTD, a byte string
    holding that array compressed with zstd (its ids delta-coded first, since
    sorted ids then compress far better).

    Decoding checks every length, count, tag and type, and gives a view whose
    pointers aim into the frame (or into the link's decompression buffer):
    reading it costs no copy and no per-message parse.
*/
#ifndef ZP_BATCH_H
#define ZP_BATCH_H

#include "zp_cbor.h"
#include "zp_compress.h"
#include "zpregel/zp_types.h"

#include <stdbool.h>

#define ZP_BATCH_ZSTD 1u
/* Sent to a router on an aggregated route: merge with the other senders'. */
#define ZP_BATCH_AGGREGATE 2u
/* Values of the sender's own vertices for the receiver's mirrors
   (ZP_READS_NEIGHBOURS), of the program's value type, not messages: the
   receiver keeps them as its neighbours' values, and a router never sees
   one (they go direct). */
#define ZP_BATCH_MIRROR 4u

typedef struct {
    uint64_t job;
    uint32_t step;
    uint32_t src;
    uint32_t dst;
    uint64_t seq;
    zp_type_t type;
    uint32_t flags;
    size_t count;
} zp_batch_header_t;

/* What a sender encodes: handles and values in memory. */
typedef struct {
    zp_batch_header_t header;
    const zp_handle_t *ids;   /* count handles, ascending when compressed is wanted */
    const zp_value_t *values; /* F64/I64: count values */
    const uint64_t *offsets;  /* BYTES: count+1 offsets into data */
    const uint8_t *data;      /* BYTES: the concatenated messages */
} zp_batch_out_t;

/* What a receiver decodes: a view into the frame. */
typedef struct {
    zp_batch_header_t header;
    const uint8_t *ids;     /* count uint64-LE */
    const uint8_t *values;  /* F64/I64: count x 8 bytes LE */
    zp_cbor_reader_t blobs; /* BYTES: positioned at the first byte string */
} zp_batch_view_t;

/* The largest payload a data link compresses, and so the most a compressed
   batch may inflate to: twice batch_bytes plus 64 KiB (a batch is flushed
   once it reaches batch_bytes). A larger batch (one big byte message)
   travels uncompressed. One batch thus never costs its receiver more
   memory than a batch may hold: a small frame cannot expand to gigabytes. */
size_t zp_batch_max_plain (uint64_t batch_bytes);

/* Encodes `batch` into `out` (which is reset first). If `z` is not NULL and the
   payload is at least `min_bytes` and at most what `z` accepts (see
   zp_batch_max_plain), the payload is compressed with it. Returns 0, or -1 on
   allocation failure. */
int zp_batch_encode (const zp_batch_out_t *batch, zp_compress_t *z, size_t min_bytes,
                     zp_cbor_writer_t *out);

/* Decodes and validates a batch frame. A compressed payload needs `z` (its
   buffer then backs the view until the next call on `z`); the header is
   checked first, and a payload is never inflated beyond what `z` accepts,
   nor, for fixed-size messages, beyond what `count` of them take. Returns
   0 or a negative zp_frame_err_t. */
int zp_batch_decode (const void *frame, size_t size, zp_compress_t *z, zp_batch_view_t *view);
/* Reads and checks a batch frame's header alone, neither its payload nor
   what follows (which zp_batch_decode checks): what a router needs to pass
   a batch on. 0 or a negative zp_frame_err_t. */
int zp_batch_peek (const void *frame, size_t size, zp_batch_header_t *header);

static inline uint64_t zp_batch_id (const zp_batch_view_t *view, size_t i)
{
    return zp_load_u64 (view->ids + 8 * i);
}
static inline zp_value_t zp_batch_value (const zp_batch_view_t *view, size_t i)
{
    zp_value_t v;
    v.bits = zp_load_u64 (view->values + 8 * i);
    return v;
}
/* The next byte-string message of a BYTES batch (call count times, in order). */
int zp_batch_next_bytes (zp_batch_view_t *view, const uint8_t **data, size_t *len);

/* ACK of one batch, and of all before it: [ACK, version, job, step, src,
   dst, seq, upto]. The receiver has every batch of src with a sequence
   number below `upto` (0 says nothing), so one ACK can clear many. */
typedef struct {
    uint64_t job;
    uint32_t step;
    uint32_t src;
    uint32_t dst;
    uint64_t seq;
    uint64_t upto;
} zp_ack_t;

int zp_ack_encode (const zp_ack_t *ack, zp_cbor_writer_t *out);
int zp_ack_decode (const void *frame, size_t size, zp_ack_t *ack);

/* END of a sender's batches to one receiver through a router in one
   superstep: [END, version, job, step, src, dst, batches]. */
typedef struct {
    uint64_t job;
    uint32_t step;
    uint32_t src;
    uint32_t dst;
    uint64_t batches;
} zp_end_t;

int zp_end_encode (const zp_end_t *end, zp_cbor_writer_t *out);
int zp_end_decode (const void *frame, size_t size, zp_end_t *end);

#endif
