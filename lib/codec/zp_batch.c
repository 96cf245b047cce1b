/*  zp_batch: encoding and validating decoding of message batches.

    The payload [ids, values] is written straight into the frame when it is
    not compressed, so an uncompressed batch costs one copy of its arrays.
    When it is compressed, the payload goes to a scratch writer first, with ids
    delta-coded, and the frame holds the zstd bytes. The decoder reverses the
    delta in the decompression buffer, which the link owns.
*/
#include "zp_batch.h"
#include "zp_frame.h"
#include "zp_frame_internal.h"

#include <stdlib.h>

#define S_FIELDS 11

/* The RFC 8746 typed-array tag of fixed-size values of `type`. */
static uint64_t s_value_tag (zp_type_t type)
{
    return type == ZP_F64 ? ZP_TAG_F64LE : type == ZP_U64 ? ZP_TAG_U64LE : ZP_TAG_S64LE;
}

/* Writes [ids, values] for `b`; ids delta-coded if `delta`. */
static void s_write_payload (const zp_batch_out_t *b, bool delta, zp_cbor_writer_t *w)
{
    size_t n = b->header.count;
    zp_cbor_write_array (w, 2);
    uint8_t *ids = zp_cbor_write_typed_reserve (w, ZP_TAG_U64LE, n * 8);
    if (ids) {
        uint64_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t id = b->ids[i];
            zp_store_u64 (ids + 8 * i, delta ? id - prev : id);
            prev = id;
        }
    }
    if (b->header.type == ZP_BYTES) {
        zp_cbor_write_array (w, n);
        for (size_t i = 0; i < n; i++)
            zp_cbor_write_bytes (w, b->data + b->offsets[i], b->offsets[i + 1] - b->offsets[i]);
    } else {
        uint64_t tag = s_value_tag (b->header.type);
        uint8_t *vals = zp_cbor_write_typed_reserve (w, tag, n * 8);
        if (vals)
            for (size_t i = 0; i < n; i++)
                zp_store_u64 (vals + 8 * i, b->values[i].bits);
    }
}

static size_t s_payload_estimate (const zp_batch_out_t *b)
{
    size_t n = b->header.count;
    if (b->header.type == ZP_BYTES)
        return 16 + n * 8 + b->offsets[n] + n * 5;
    return 16 + n * 16;
}

size_t zp_batch_max_plain (uint64_t batch_bytes)
{
    return (size_t) (2 * batch_bytes + (64u << 10));
}

/* The most [ids, values] of `count` fixed-size messages take: two typed
   arrays of 8-byte items, with their tags and headers. */
static size_t s_fixed_payload_max (uint64_t count)
{
    return (size_t) (16 * count + 64);
}

int zp_batch_encode (const zp_batch_out_t *b, zp_compress_t *z, size_t min_bytes,
                     zp_cbor_writer_t *out)
{
    const zp_batch_header_t *h = &b->header;
    size_t estimate = s_payload_estimate (b);
    bool squeeze = z && estimate >= min_bytes && estimate <= zp_compress_max (z);
    /* An uncompressed frame is the payload and a few header bytes: one
       allocation, where growing by doubling would copy the arrays over
       and over (a writer whose buffer went out with the last frame starts
       empty). */
    zp_frame_write_begin (out, ZP_MSG_BATCH, S_FIELDS);
    if (!squeeze)
        zp_cbor_writer_reserve (out, estimate + 128);
    zp_cbor_write_uint (out, h->job);
    zp_cbor_write_uint (out, h->step);
    zp_cbor_write_uint (out, h->src);
    zp_cbor_write_uint (out, h->dst);
    zp_cbor_write_uint (out, h->seq);
    zp_cbor_write_uint (out, (uint64_t) h->type);
    zp_cbor_write_uint (out, h->count);
    if (squeeze) {
        zp_cbor_writer_t payload;
        zp_cbor_writer_init (&payload, estimate + 64);
        s_write_payload (b, true, &payload);
        size_t zsize = 0;
        /* Never more than the receiver inflates: else it goes as it is. */
        const uint8_t *zdata = payload.failed || payload.size > zp_compress_max (z)
                                   ? NULL
                                   : zp_compress (z, payload.data, payload.size, &zsize);
        bool failed = payload.failed;
        zp_cbor_writer_free (&payload);
        if (failed)
            return -1;
        if (zdata) {
            zp_cbor_write_uint (out, ZP_BATCH_ZSTD |
                                         (h->flags & (ZP_BATCH_AGGREGATE | ZP_BATCH_MIRROR)));
            zp_cbor_write_bytes (out, zdata, zsize);
            return out->failed ? -1 : 0;
        }
    }
    zp_cbor_write_uint (out, h->flags & (ZP_BATCH_AGGREGATE | ZP_BATCH_MIRROR));
    s_write_payload (b, false, out);
    return out->failed ? -1 : 0;
}

/* Parses [ids, values] of `count` messages of type `type` from `r`. */
static int s_read_payload (zp_cbor_reader_t *r, zp_batch_view_t *view)
{
    size_t n = view->header.count, got;
    zp_cbor_item_t item;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    if (zp_cbor_read_array_n (r, 2) != 0)
        return ZP_ETYPE;
    if (zp_cbor_read_typed (r, ZP_TAG_U64LE, 8, &view->ids, &got) != 0)
        return zp_cbor_peek (r, &item) != 0 ? ZP_EMALFORMED : ZP_ETYPE;
    if (got != n)
        return ZP_ECOUNT;
    if (view->header.type == ZP_BYTES) {
        if (zp_cbor_read_array (r, &got) != 0)
            return zp_cbor_peek (r, &item) != 0 ? ZP_EMALFORMED : ZP_ETYPE;
        if (got != n)
            return ZP_ECOUNT;
        view->blobs = *r;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p;
            size_t len;
            if (zp_cbor_read_bytes (r, &p, &len) != 0)
                return zp_cbor_peek (r, &item) != 0 ? ZP_EMALFORMED : ZP_ETYPE;
        }
        view->values = NULL;
        return 0;
    }
    uint64_t tag = s_value_tag (view->header.type);
    if (zp_cbor_read_typed (r, tag, 8, &view->values, &got) != 0)
        return zp_cbor_peek (r, &item) != 0 ? ZP_EMALFORMED : ZP_ETYPE;
    return got == n ? 0 : ZP_ECOUNT;
}

/* Reads and checks the fields before the payload. */
static int s_read_header (zp_cbor_reader_t *r, const void *frame, size_t size, zp_batch_header_t *h)
{
    int rc = zp_frame_begin (r, frame, size, ZP_MSG_BATCH, S_FIELDS);
    if (rc)
        return rc;
    uint64_t type;
    ZP_READ_U (r, UINT64_MAX, h->job);
    ZP_READ_U (r, UINT32_MAX, h->step);
    ZP_READ_U (r, UINT32_MAX, h->src);
    ZP_READ_U (r, UINT32_MAX, h->dst);
    ZP_READ_U (r, UINT64_MAX, h->seq);
    ZP_READ_U (r, ZP_U64, type);
    if (type < ZP_F64)
        return ZP_ERANGE;
    h->type = (zp_type_t) type;
    /* A message costs at least 9 bytes on the wire (8-byte id + its value),
       so a count above that bound cannot be honest: refuse it before trusting it. */
    ZP_READ_U (r, ZP_MAX_VERTICES * 64, h->count);
    ZP_READ_U (r, ZP_BATCH_ZSTD | ZP_BATCH_AGGREGATE | ZP_BATCH_MIRROR, h->flags);
    if ((h->flags & ZP_BATCH_AGGREGATE) && (h->flags & ZP_BATCH_MIRROR))
        return ZP_ERANGE;
    return 0;
}

int zp_batch_peek (const void *frame, size_t size, zp_batch_header_t *header)
{
    zp_cbor_reader_t r;
    memset (header, 0, sizeof *header);
    return s_read_header (&r, frame, size, header);
}

int zp_batch_decode (const void *frame, size_t size, zp_compress_t *z, zp_batch_view_t *view)
{
    zp_cbor_reader_t r;
    memset (view, 0, sizeof *view);
    zp_batch_header_t *h = &view->header;
    int rc = s_read_header (&r, frame, size, h);
    if (rc)
        return rc;
    if (!(h->flags & ZP_BATCH_ZSTD)) {
        if ((rc = s_read_payload (&r, view)) != 0)
            return rc;
        return zp_frame_end (&r);
    }
    const uint8_t *zdata;
    size_t zsize, plain_size;
    zp_cbor_item_t item;
    if (zp_cbor_peek (&r, &item) != 0)
        return ZP_EMALFORMED;
    if (zp_cbor_read_bytes (&r, &zdata, &zsize) != 0)
        return ZP_ETYPE;
    if ((rc = zp_frame_end (&r)) != 0)
        return rc;
    if (!z)
        return ZP_ECOMPRESS;
    int err = 0;
    size_t limit = h->type == ZP_BYTES ? SIZE_MAX : s_fixed_payload_max (h->count);
    uint8_t *plain = zp_decompress (z, zdata, zsize, limit, &plain_size, &err);
    if (!plain)
        return err;
    zp_cbor_reader_t pr;
    zp_cbor_reader_init (&pr, plain, plain_size);
    if ((rc = s_read_payload (&pr, view)) != 0)
        return rc;
    if (!zp_cbor_at_end (&pr))
        return ZP_ETRAILING;
    /* Undo the delta coding in place: the ids live in our own buffer. */
    uint8_t *ids = plain + (view->ids - plain);
    uint64_t acc = 0;
    for (size_t i = 0; i < h->count; i++) {
        acc += zp_load_u64 (ids + 8 * i);
        zp_store_u64 (ids + 8 * i, acc);
    }
    return 0;
}

int zp_batch_next_bytes (zp_batch_view_t *view, const uint8_t **data, size_t *len)
{
    return zp_cbor_read_bytes (&view->blobs, data, len);
}

int zp_ack_encode (const zp_ack_t *ack, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_ACK, 8);
    zp_cbor_write_uint (out, ack->job);
    zp_cbor_write_uint (out, ack->step);
    zp_cbor_write_uint (out, ack->src);
    zp_cbor_write_uint (out, ack->dst);
    zp_cbor_write_uint (out, ack->seq);
    zp_cbor_write_uint (out, ack->upto);
    return out->failed ? -1 : 0;
}

int zp_ack_decode (const void *frame, size_t size, zp_ack_t *ack)
{
    zp_cbor_reader_t r;
    int rc = zp_frame_begin (&r, frame, size, ZP_MSG_ACK, 8);
    if (rc)
        return rc;
    ZP_READ_U (&r, UINT64_MAX, ack->job);
    ZP_READ_U (&r, UINT32_MAX, ack->step);
    ZP_READ_U (&r, UINT32_MAX, ack->src);
    ZP_READ_U (&r, UINT32_MAX, ack->dst);
    ZP_READ_U (&r, UINT64_MAX, ack->seq);
    ZP_READ_U (&r, UINT64_MAX, ack->upto);
    return zp_frame_end (&r);
}

int zp_end_encode (const zp_end_t *end, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_END, 7);
    zp_cbor_write_uint (out, end->job);
    zp_cbor_write_uint (out, end->step);
    zp_cbor_write_uint (out, end->src);
    zp_cbor_write_uint (out, end->dst);
    zp_cbor_write_uint (out, end->batches);
    return out->failed ? -1 : 0;
}

int zp_end_decode (const void *frame, size_t size, zp_end_t *end)
{
    zp_cbor_reader_t r;
    int rc = zp_frame_begin (&r, frame, size, ZP_MSG_END, 7);
    if (rc)
        return rc;
    ZP_READ_U (&r, UINT64_MAX, end->job);
    ZP_READ_U (&r, UINT32_MAX, end->step);
    ZP_READ_U (&r, UINT32_MAX, end->src);
    ZP_READ_U (&r, UINT32_MAX, end->dst);
    ZP_READ_U (&r, UINT64_MAX, end->batches);
    return zp_frame_end (&r);
}
