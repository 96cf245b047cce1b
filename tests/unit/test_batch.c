/*  Message batches on the wire: round trips, compression, every kind of
    truncated or corrupt frame rejected without a crash, and a batch kept
    for its retries. */
#define _GNU_SOURCE /* memmem */
#include "zp_test.h"
#include "zp_batch.h"
#include "zp_frame.h"
#include "zp_wire.h"

#include <stdlib.h>

static zp_batch_out_t s_fixed_batch (zp_type_t type, size_t n, zp_handle_t *ids, zp_value_t *vals)
{
    for (size_t i = 0; i < n; i++) {
        ids[i] = (zp_handle_t) (i * 3 + 1);
        if (type == ZP_F64)
            vals[i].f64 = (double) i / 7.0 - 3;
        else
            vals[i].i64 = (int64_t) i * -1000003;
    }
    zp_batch_out_t b = {
        .header = {.job = 42, .step = 3, .src = 1, .dst = 2, .seq = 9, .type = type, .count = n},
        .ids = ids,
        .values = vals};
    return b;
}

static void s_check_fixed (const zp_batch_view_t *v, const zp_batch_out_t *b)
{
    cr_assert_eq (v->header.job, b->header.job);
    cr_assert_eq (v->header.step, b->header.step);
    cr_assert_eq (v->header.src, b->header.src);
    cr_assert_eq (v->header.dst, b->header.dst);
    cr_assert_eq (v->header.seq, b->header.seq);
    cr_assert_eq (v->header.type, b->header.type);
    cr_assert_eq (v->header.count, b->header.count);
    for (size_t i = 0; i < b->header.count; i++) {
        cr_assert_eq (zp_batch_id (v, i), b->ids[i]);
        cr_assert_eq (zp_batch_value (v, i).bits, b->values[i].bits);
    }
}

Test (batch, fixed_size_round_trip)
{
    zp_type_t types[] = {ZP_F64, ZP_I64};
    for (int t = 0; t < 2; t++) {
        zp_handle_t ids[100];
        zp_value_t vals[100];
        zp_batch_out_t b = s_fixed_batch (types[t], 100, ids, vals);
        zp_cbor_writer_t w;
        zp_cbor_writer_init (&w, 0);
        cr_assert_eq (zp_batch_encode (&b, NULL, 0, &w), 0);
        /* One allocation of the frame's size, not a buffer grown by doubling. */
        cr_assert (w.capacity >= w.size && w.capacity <= w.size + 256, "capacity %zu, size %zu",
                   w.capacity, w.size);
        zp_batch_view_t v;
        cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), 0);
        cr_assert_eq (v.header.flags, 0);
        s_check_fixed (&v, &b);
        zp_cbor_writer_free (&w);
    }
}

Test (batch, a_mirror_batch_keeps_its_flag_compressed_or_not_and_never_aggregates)
{
    zp_handle_t ids[300];
    zp_value_t vals[300];
    zp_batch_out_t b = s_fixed_batch (ZP_I64, 300, ids, vals);
    b.header.flags = ZP_BATCH_MIRROR;
    zp_compress_t *z = zp_compress_new (1, 1 << 20);
    cr_assert_not_null (z);
    for (int squeeze = 0; squeeze < 2; squeeze++) {
        zp_cbor_writer_t w;
        zp_cbor_writer_init (&w, 0);
        cr_assert_eq (zp_batch_encode (&b, squeeze ? z : NULL, 0, &w), 0);
        zp_batch_view_t v;
        cr_assert_eq (zp_batch_decode (w.data, w.size, z, &v), 0);
        cr_assert_eq (v.header.flags, ZP_BATCH_MIRROR | (squeeze ? ZP_BATCH_ZSTD : 0));
        s_check_fixed (&v, &b);
        zp_cbor_writer_free (&w);
    }
    /* Mirrors to a router to merge: no such batch. */
    b.header.flags = ZP_BATCH_MIRROR | ZP_BATCH_AGGREGATE;
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_batch_encode (&b, NULL, 0, &w), 0);
    zp_batch_view_t v;
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_ERANGE);
    zp_cbor_writer_free (&w);
    zp_compress_destroy (&z);
}

Test (batch, empty_batch_round_trip)
{
    zp_batch_out_t b = {.header = {.job = 1, .type = ZP_F64, .count = 0}};
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_batch_encode (&b, NULL, 0, &w), 0);
    zp_batch_view_t v;
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), 0);
    cr_assert_eq (v.header.count, 0);
    zp_cbor_writer_free (&w);
}

Test (batch, bytes_round_trip)
{
    const char *msgs[] = {"", "a", "hello world", "\0\1\2"};
    size_t lens[] = {0, 1, 11, 3};
    zp_handle_t ids[4] = {5, 6, 6, 100};
    uint64_t offsets[5] = {0};
    uint8_t data[64];
    for (int i = 0; i < 4; i++) {
        memcpy (data + offsets[i], msgs[i], lens[i]);
        offsets[i + 1] = offsets[i] + lens[i];
    }
    zp_batch_out_t b = {.header = {.job = 7, .type = ZP_BYTES, .count = 4},
                        .ids = ids,
                        .offsets = offsets,
                        .data = data};
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_batch_encode (&b, NULL, 0, &w), 0);
    zp_batch_view_t v;
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), 0);
    for (int i = 0; i < 4; i++) {
        const uint8_t *p;
        size_t len;
        cr_assert_eq (zp_batch_id (&v, i), ids[i]);
        cr_assert_eq (zp_batch_next_bytes (&v, &p, &len), 0);
        cr_assert_eq (len, lens[i]);
        cr_assert_eq (memcmp (p, msgs[i], len), 0);
    }
    zp_cbor_writer_free (&w);
}

Test (batch, compressed_round_trip_is_smaller)
{
    size_t n = 20000;
    zp_handle_t *ids = malloc (n * sizeof *ids);
    zp_value_t *vals = malloc (n * sizeof *vals);
    zp_batch_out_t b = s_fixed_batch (ZP_I64, n, ids, vals);
    zp_compress_t *z = zp_compress_new (1, 1 << 24);
    zp_cbor_writer_t plain, packed;
    zp_cbor_writer_init (&plain, 0);
    zp_cbor_writer_init (&packed, 0);
    cr_assert_eq (zp_batch_encode (&b, NULL, 0, &plain), 0);
    cr_assert_eq (zp_batch_encode (&b, z, 1024, &packed), 0);
    cr_assert_lt (packed.size * 2, plain.size, "compressed %zu, plain %zu", packed.size,
                  plain.size);
    zp_batch_view_t v;
    cr_assert_eq (zp_batch_decode (packed.data, packed.size, z, &v), 0);
    cr_assert_eq (v.header.flags, ZP_BATCH_ZSTD);
    s_check_fixed (&v, &b);
    /* Without a link's compression context a compressed frame cannot be read. */
    cr_assert_eq (zp_batch_decode (packed.data, packed.size, NULL, &v), ZP_ECOMPRESS);
    /* A link that accepts at most 1 KiB refuses to expand it. */
    zp_compress_t *small = zp_compress_new (1, 1024);
    cr_assert_eq (zp_batch_decode (packed.data, packed.size, small, &v), ZP_ECOMPRESS);
    /* Below min_bytes nothing is compressed. */
    cr_assert_eq (zp_batch_encode (&b, z, 1 << 30, &packed), 0);
    cr_assert_eq (zp_batch_decode (packed.data, packed.size, NULL, &v), 0);
    /* Above what a link inflates, a batch travels as it is, and is read. */
    cr_assert_eq (zp_batch_encode (&b, small, 0, &packed), 0);
    cr_assert_eq (zp_batch_decode (packed.data, packed.size, small, &v), 0);
    cr_assert_eq (v.header.flags, 0);
    s_check_fixed (&v, &b);
    /* A compressed payload larger than its count of fixed-size messages
       takes is refused before it is inflated: the count 20000 (0x19 0x4e
       0x20 in CBOR) says 1000 (0x19 0x03 0xe8) instead. */
    cr_assert_eq (zp_batch_encode (&b, z, 1024, &packed), 0);
    uint8_t *at = memmem (packed.data, 32, "\x19\x4e\x20", 3);
    cr_assert_not_null (at);
    memcpy (at, "\x19\x03\xe8", 3);
    cr_assert_eq (zp_batch_decode (packed.data, packed.size, z, &v), ZP_ECOMPRESS);
    zp_compress_destroy (&z);
    zp_compress_destroy (&small);
    zp_cbor_writer_free (&plain);
    zp_cbor_writer_free (&packed);
    free (ids);
    free (vals);
}

Test (batch, a_peek_reads_the_header_of_a_compressed_batch_without_inflating_it)
{
    size_t n = 20000;
    zp_handle_t *ids = malloc (n * sizeof *ids);
    zp_value_t *vals = malloc (n * sizeof *vals);
    zp_batch_out_t b = s_fixed_batch (ZP_F64, n, ids, vals);
    b.header.flags = ZP_BATCH_AGGREGATE;
    zp_compress_t *z = zp_compress_new (1, 1 << 24);
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_batch_encode (&b, z, 1024, &w), 0);
    /* No decompression context: a decode cannot read it, a peek can. */
    zp_batch_header_t h;
    cr_assert_eq (zp_batch_peek (w.data, w.size, &h), 0);
    cr_assert (h.job == 42 && h.step == 3 && h.src == 1 && h.dst == 2 && h.seq == 9);
    cr_assert (h.type == ZP_F64 && h.count == n);
    cr_assert_eq (h.flags, ZP_BATCH_ZSTD | ZP_BATCH_AGGREGATE);
    /* A header cut short, or of another kind of frame, is refused. */
    for (size_t len = 0; len < 12; len++)
        cr_assert_lt (zp_batch_peek (w.data, len, &h), 0, "a %zu-byte prefix was read", len);
    zp_ack_t ack = {42, 3, 1, 2, 9, 10};
    zp_cbor_writer_t aw;
    zp_cbor_writer_init (&aw, 64);
    cr_assert_eq (zp_ack_encode (&ack, &aw), 0);
    cr_assert_eq (zp_batch_peek (aw.data, aw.size, &h), ZP_EKIND);
    zp_cbor_writer_free (&aw);
    zp_compress_destroy (&z);
    zp_cbor_writer_free (&w);
    free (ids);
    free (vals);
}

/* Every prefix and every single-byte corruption of `frame` must decode to an
   error or to a view that is consistent with the frame, never crash. */
static void s_torture (const uint8_t *frame, size_t size, zp_compress_t *z)
{
    zp_batch_view_t v;
    for (size_t len = 0; len < size; len++)
        cr_assert_lt (zp_batch_decode (frame, len, z, &v), 0, "prefix %zu/%zu accepted", len, size);
    uint8_t *copy = malloc (size);
    for (size_t i = 0; i < size; i++) {
        memcpy (copy, frame, size);
        copy[i] ^= 0xff;
        if (zp_batch_decode (copy, size, z, &v) == 0 && v.header.type != ZP_BYTES) {
            /* Accepted (a value byte flipped): then the arrays lie inside real memory. */
            volatile uint64_t sum = 0;
            for (size_t k = 0; k < v.header.count; k++)
                sum += zp_batch_id (&v, k) + zp_batch_value (&v, k).bits;
        }
    }
    free (copy);
}

Test (batch, truncated_and_corrupt_frames_are_rejected)
{
    zp_handle_t ids[16];
    zp_value_t vals[16];
    zp_batch_out_t b = s_fixed_batch (ZP_F64, 16, ids, vals);
    zp_compress_t *z = zp_compress_new (1, 1 << 20);
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_batch_encode (&b, NULL, 0, &w), 0);
    s_torture (w.data, w.size, z);
    cr_assert_eq (zp_batch_encode (&b, z, 0, &w), 0);
    s_torture (w.data, w.size, z);
    uint64_t offsets[3] = {0, 2, 5};
    zp_batch_out_t bb = {.header = {.type = ZP_BYTES, .count = 2},
                         .ids = ids,
                         .offsets = offsets,
                         .data = (const uint8_t *) "abcde"};
    cr_assert_eq (zp_batch_encode (&bb, NULL, 0, &w), 0);
    s_torture (w.data, w.size, z);
    zp_compress_destroy (&z);
    zp_cbor_writer_free (&w);
}

/* Builds a batch frame field by field, to test what an honest encoder never writes. */
static void s_frame (zp_cbor_writer_t *w, uint64_t kind, uint64_t version, uint64_t type,
                     uint64_t count, size_t ids, uint64_t values_tag, size_t values, bool trailing)
{
    uint8_t zeros[256] = {0};
    zp_cbor_writer_reset (w);
    zp_cbor_write_array (w, 11);
    zp_cbor_write_uint (w, kind);
    zp_cbor_write_uint (w, version);
    for (int i = 0; i < 5; i++)
        zp_cbor_write_uint (w, 0);
    zp_cbor_write_uint (w, type);
    zp_cbor_write_uint (w, count);
    zp_cbor_write_uint (w, 0);
    zp_cbor_write_array (w, 2);
    zp_cbor_write_typed (w, ZP_TAG_U64LE, zeros, ids * 8);
    zp_cbor_write_typed (w, values_tag, zeros, values * 8);
    if (trailing)
        zp_cbor_write_uint (w, 0);
}

Test (batch, each_kind_of_bad_frame_gets_its_error)
{
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    zp_batch_view_t v;
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION, ZP_F64, 2, 2, ZP_TAG_F64LE, 2, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), 0);
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION + 1, ZP_F64, 2, 2, ZP_TAG_F64LE, 2, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_EVERSION);
    s_frame (&w, ZP_MSG_ACK, ZP_PROTOCOL_VERSION, ZP_F64, 2, 2, ZP_TAG_F64LE, 2, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_EKIND);
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION, ZP_F64, 3, 2, ZP_TAG_F64LE, 2, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_ECOUNT);
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION, ZP_F64, 2, 2, ZP_TAG_F64LE, 1, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_ECOUNT);
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION, ZP_F64, 2, 2, ZP_TAG_S64LE, 2, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_ETYPE);
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION, 9, 2, 2, ZP_TAG_F64LE, 2, false);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_ERANGE);
    /* A well-formed frame followed by a stray item. */
    s_frame (&w, ZP_MSG_BATCH, ZP_PROTOCOL_VERSION, ZP_F64, 2, 2, ZP_TAG_F64LE, 2, true);
    cr_assert_eq (zp_batch_decode (w.data, w.size, NULL, &v), ZP_ETRAILING);
    /* Not an array at all, and an empty frame. */
    cr_assert_eq (zp_batch_decode ("\x01", 1, NULL, &v), ZP_ETYPE);
    cr_assert_eq (zp_batch_decode ("", 0, NULL, &v), ZP_EMALFORMED);
    for (int e = ZP_ENOMEM; e <= -1; e++)
        cr_assert_str_neq (zp_frame_strerror (e), "unknown error");
    zp_cbor_writer_free (&w);
}

Test (batch, ack_round_trip_and_truncation)
{
    zp_ack_t a = {1ull << 40, 5, 1, 2, 77, 70}, b;
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_ack_encode (&a, &w), 0);
    cr_assert_eq (zp_ack_decode (w.data, w.size, &b), 0);
    cr_assert_eq (a.job, b.job);
    cr_assert_eq (a.step, b.step);
    cr_assert_eq (a.src, b.src);
    cr_assert_eq (a.dst, b.dst);
    cr_assert_eq (a.seq, b.seq);
    cr_assert_eq (a.upto, b.upto);
    for (size_t len = 0; len < w.size; len++)
        cr_assert_lt (zp_ack_decode (w.data, len, &b), 0);
    cr_assert_eq (zp_frame_kind (w.data, w.size), ZP_MSG_ACK);
    zp_cbor_writer_free (&w);
}

/* A batch on a tcp link is kept until it is ACKed, to be sent again: a
   large one is the memory the writer encoded it into, not a copy, a small
   one a copy; each is sent as often as asked, byte for byte, on a real
   tcp socket, and stays until it is closed. */
Test (batch, a_kept_batch_is_sent_again_from_the_same_memory)
{
    zsock_t *in = zsock_new_pull ("tcp://127.0.0.1:*");
    cr_assert_not_null (in);
    zsock_set_rcvtimeo (in, 10000);
    zsock_t *out = zsock_new_push (zsock_endpoint (in));
    cr_assert_not_null (out);
    const size_t sizes[] = {100000, 10}; /* above and below ZP_WIRE_ZEROCOPY_BYTES */
    for (size_t k = 0; k < 2; k++) {
        size_t n = sizes[k];
        zp_handle_t *ids = malloc (n * sizeof *ids);
        zp_value_t *vals = malloc (n * sizeof *vals);
        cr_assert (ids && vals);
        zp_batch_out_t b = s_fixed_batch (ZP_F64, n, ids, vals);
        zp_cbor_writer_t w;
        zp_cbor_writer_init (&w, 256);
        cr_assert_eq (zp_batch_encode (&b, NULL, 0, &w), 0);
        const uint8_t *encoded = w.data;
        size_t size = w.size;
        uint8_t *expected = malloc (size);
        cr_assert_not_null (expected);
        memcpy (expected, w.data, size);
        zmq_msg_t *kept = zp_wire_keep (&w);
        cr_assert_not_null (kept);
        cr_assert_eq (w.size, 0, "the writer starts empty");
        cr_assert_eq (zmq_msg_size (kept), size);
        if (size >= ZP_WIRE_ZEROCOPY_BYTES)
            cr_assert_eq (zmq_msg_data (kept), (void *) encoded, "a large batch was copied");
        for (int sends = 0; sends < 3; sends++)
            cr_assert_eq (zp_wire_send_kept (out, kept, false), 0);
        for (int sends = 0; sends < 3; sends++) {
            zmq_msg_t got;
            zmq_msg_init (&got);
            cr_assert_geq (zmq_msg_recv (&got, zsock_resolve (in), 0), 0, "send %d of %zu bytes",
                           sends, size);
            cr_assert_eq (zmq_msg_size (&got), size);
            cr_assert_eq (memcmp (zmq_msg_data (&got), expected, size), 0);
            zp_batch_view_t v;
            cr_assert_eq (zp_batch_decode (zmq_msg_data (&got), size, NULL, &v), 0);
            s_check_fixed (&v, &b);
            zmq_msg_close (&got);
        }
        cr_assert_eq (zmq_msg_size (kept), size, "the kept batch stays after its sends");
        cr_assert_eq (memcmp (zmq_msg_data (kept), expected, size), 0);
        zp_wire_kept_free (&kept);
        zp_cbor_writer_free (&w);
        free (expected);
        free (ids);
        free (vals);
    }
    zsock_destroy (&out);
    zsock_destroy (&in);
}
