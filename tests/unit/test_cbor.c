/*  The CBOR writer and strict reader. */
#include "zp_test.h"
#include "zp_cbor.h"

#include <math.h>

Test (cbor, scalars_round_trip)
{
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 16);
    zp_cbor_write_array (&w, 9);
    zp_cbor_write_uint (&w, 0);
    zp_cbor_write_uint (&w, UINT64_MAX);
    zp_cbor_write_int (&w, -1);
    zp_cbor_write_int (&w, INT64_MIN);
    zp_cbor_write_double (&w, -2.5);
    zp_cbor_write_bool (&w, true);
    zp_cbor_write_null (&w);
    zp_cbor_write_text (&w, "héllo");
    zp_cbor_write_bytes (&w, "\0\1\2", 3);
    cr_assert_not (w.failed);

    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, w.data, w.size);
    uint64_t u;
    int64_t i;
    double d;
    bool b;
    const char *t;
    const uint8_t *p;
    size_t len;
    cr_assert_eq (zp_cbor_read_array_n (&r, 9), 0);
    cr_assert_eq (zp_cbor_read_uint (&r, &u), 0);
    cr_assert_eq (u, 0);
    cr_assert_eq (zp_cbor_read_uint (&r, &u), 0);
    cr_assert_eq (u, UINT64_MAX);
    cr_assert_eq (zp_cbor_read_int (&r, &i), 0);
    cr_assert_eq (i, -1);
    cr_assert_eq (zp_cbor_read_int (&r, &i), 0);
    cr_assert_eq (i, INT64_MIN);
    cr_assert_eq (zp_cbor_read_double (&r, &d), 0);
    cr_assert_eq (d, -2.5);
    cr_assert_eq (zp_cbor_read_bool (&r, &b), 0);
    cr_assert (b);
    cr_assert_eq (zp_cbor_read_null (&r), 1);
    cr_assert_eq (zp_cbor_read_text (&r, &t, &len), 0);
    cr_assert_eq (len, strlen ("héllo"));
    cr_assert_eq (memcmp (t, "héllo", len), 0);
    cr_assert_eq (zp_cbor_read_bytes (&r, &p, &len), 0);
    cr_assert_eq (len, 3);
    cr_assert_eq (p[2], 2);
    cr_assert (zp_cbor_at_end (&r));
    zp_cbor_writer_free (&w);
}

Test (cbor, typed_array_points_into_the_frame)
{
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    zp_cbor_write_uint (&w, 7); /* shifts the array off 8-byte alignment */
    double values[3] = {1.5, -0.0, INFINITY};
    zp_cbor_write_typed (&w, ZP_TAG_F64LE, values, sizeof values);
    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, w.data, w.size);
    uint64_t u;
    const uint8_t *p;
    size_t n;
    cr_assert_eq (zp_cbor_read_uint (&r, &u), 0);
    /* Wrong tag or element size: refused, and the reader does not move. */
    size_t pos = r.pos;
    cr_assert_eq (zp_cbor_read_typed (&r, ZP_TAG_U64LE, 8, &p, &n), -1);
    cr_assert_eq (zp_cbor_read_typed (&r, ZP_TAG_F64LE, 16, &p, &n), -1);
    cr_assert_eq (r.pos, pos);
    cr_assert_eq (zp_cbor_read_typed (&r, ZP_TAG_F64LE, 8, &p, &n), 0);
    cr_assert_eq (n, 3);
    cr_assert (p >= w.data && p + 24 <= w.data + w.size);
    cr_assert_eq (zp_load_f64 (p), 1.5);
    cr_assert (isinf (zp_load_f64 (p + 16)));
    zp_cbor_writer_free (&w);
}

Test (cbor, a_reserved_writer_does_not_move)
{
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    zp_cbor_write_uint (&w, 7);
    zp_cbor_writer_reserve (&w, 4000);
    cr_assert_eq (w.capacity, w.size + 4000);
    const uint8_t *data = w.data;
    uint8_t block[3990] = {0};
    zp_cbor_write_bytes (&w, block, sizeof block);
    cr_assert_eq (w.data, data, "a write within the reservation grew the buffer");
    zp_cbor_writer_reserve (&w, 5); /* room already there: nothing changes */
    cr_assert_eq (w.data, data);
    zp_cbor_writer_free (&w);
}

Test (cbor, every_truncation_is_refused)
{
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    zp_cbor_write_array (&w, 4);
    zp_cbor_write_text (&w, "a longer string");
    zp_cbor_write_map (&w, 1);
    zp_cbor_write_uint (&w, 1000000);
    zp_cbor_write_double (&w, 3.25);
    uint64_t ids[4] = {1, 2, 3, 4};
    zp_cbor_write_typed (&w, ZP_TAG_U64LE, ids, sizeof ids);
    zp_cbor_write_bytes (&w, "xyz", 3);
    for (size_t len = 0; len < w.size; len++) {
        zp_cbor_reader_t r;
        zp_cbor_reader_init (&r, w.data, len);
        cr_assert_eq (zp_cbor_skip (&r), -1, "prefix of %zu bytes accepted", len);
        cr_assert_eq (r.pos, 0);
    }
    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, w.data, w.size);
    cr_assert_eq (zp_cbor_skip (&r), 0);
    cr_assert (zp_cbor_at_end (&r));
    zp_cbor_writer_free (&w);
}

Test (cbor, hostile_items_are_refused)
{
    /* Indefinite-length array, byte string and map. */
    const uint8_t indef[][2] = {{0x9f, 0xff}, {0x5f, 0xff}, {0xbf, 0xff}};
    for (int i = 0; i < 3; i++) {
        zp_cbor_reader_t r;
        zp_cbor_item_t item;
        zp_cbor_reader_init (&r, indef[i], 2);
        cr_assert_eq (zp_cbor_next (&r, &item), -1);
    }
    /* A byte string claiming 2^64-1 bytes. */
    const uint8_t huge[] = {0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
    zp_cbor_reader_t r;
    const uint8_t *p;
    size_t len;
    zp_cbor_reader_init (&r, huge, sizeof huge);
    cr_assert_eq (zp_cbor_read_bytes (&r, &p, &len), -1);
    /* An array claiming 2^64-1 elements cannot be skipped. */
    const uint8_t many[] = {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
    zp_cbor_reader_init (&r, many, sizeof many);
    cr_assert_eq (zp_cbor_skip (&r), -1);
    /* Nesting deeper than the reader allows. */
    uint8_t deep[200];
    memset (deep, 0x81, sizeof deep); /* [[[[...]]]] */
    deep[199] = 0x00;
    zp_cbor_reader_init (&r, deep, sizeof deep);
    cr_assert_eq (zp_cbor_skip (&r), -1);
    /* Reserved additional information (28..30) is malformed. */
    const uint8_t reserved[] = {0x1c};
    zp_cbor_item_t item;
    zp_cbor_reader_init (&r, reserved, 1);
    cr_assert_eq (zp_cbor_next (&r, &item), -1);
}

Test (cbor, integers_out_of_int64_range_are_refused)
{
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    zp_cbor_write_uint (&w, (uint64_t) INT64_MAX + 1);
    zp_cbor_reader_t r;
    int64_t v;
    zp_cbor_reader_init (&r, w.data, w.size);
    cr_assert_eq (zp_cbor_read_int (&r, &v), -1);
    zp_cbor_writer_free (&w);
}
