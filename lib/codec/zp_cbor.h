/*  zp_cbor: a CBOR writer and a strict pull reader for zpregel frames.

    Every zpregel frame is one CBOR item. The writer appends items to a growable
    buffer through libcbor's streaming encoders; the reader pulls one item at a
    time through libcbor's streaming decoder (cbor_stream_decode), so no item
    tree is ever built on a hot path.

    Bulk data travels as RFC 8746 typed arrays: a tag (64..87) followed by a
    byte string holding the little-endian elements. Reading one is a bounds
    check and a pointer into the frame; the elements are then read with
    zp_load_u64() and friends, which do not assume alignment.

    The reader trusts nothing: every call checks that the item exists, is
    complete inside the buffer and has the expected type, and returns -1
    otherwise, leaving the reader where it was. Indefinite-length items are
    rejected: zpregel never writes them.
*/
#ifndef ZP_CBOR_H
#define ZP_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* RFC 8746 typed-array tags used by zpregel. */
#define ZP_TAG_U8    64
#define ZP_TAG_U32LE 70
#define ZP_TAG_U64LE 71
#define ZP_TAG_S64LE 79
#define ZP_TAG_F64LE 86

/* A growable output buffer. Fields are read-only for callers. On allocation
   failure `failed` is set and later writes are ignored: check it once at the end. */
typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    bool failed;
} zp_cbor_writer_t;

void zp_cbor_writer_init (zp_cbor_writer_t *w, size_t initial_capacity);
/* Frees the buffer. */
void zp_cbor_writer_free (zp_cbor_writer_t *w);
/* Empties the buffer, keeping its memory. */
void zp_cbor_writer_reset (zp_cbor_writer_t *w);
/* Makes room for `extra` more bytes in one allocation of exactly that
   much (writes that follow, up to it, do not grow the buffer). */
void zp_cbor_writer_reserve (zp_cbor_writer_t *w, size_t extra);
/* Hands the buffer to the caller (who frees it) and leaves the writer empty. */
uint8_t *zp_cbor_writer_take (zp_cbor_writer_t *w, size_t *size);

void zp_cbor_write_uint (zp_cbor_writer_t *w, uint64_t value);
void zp_cbor_write_int (zp_cbor_writer_t *w, int64_t value);
void zp_cbor_write_double (zp_cbor_writer_t *w, double value);
void zp_cbor_write_bool (zp_cbor_writer_t *w, bool value);
void zp_cbor_write_null (zp_cbor_writer_t *w);
void zp_cbor_write_array (zp_cbor_writer_t *w, size_t count);
void zp_cbor_write_map (zp_cbor_writer_t *w, size_t count);
void zp_cbor_write_text (zp_cbor_writer_t *w, const char *text);
void zp_cbor_write_bytes (zp_cbor_writer_t *w, const void *data, size_t size);
/* A typed array: tag, then a byte string of `size` bytes copied from `data`. */
void zp_cbor_write_typed (zp_cbor_writer_t *w, uint64_t tag, const void *data, size_t size);
/* Like zp_cbor_write_typed, but returns a pointer to `size` bytes inside the
   buffer for the caller to fill before the next write (NULL on failure). */
uint8_t *zp_cbor_write_typed_reserve (zp_cbor_writer_t *w, uint64_t tag, size_t size);

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
} zp_cbor_reader_t;

typedef enum {
    ZP_CBOR_UINT,
    ZP_CBOR_NEGINT,
    ZP_CBOR_BYTES,
    ZP_CBOR_TEXT,
    ZP_CBOR_ARRAY,
    ZP_CBOR_MAP,
    ZP_CBOR_TAG,
    ZP_CBOR_FLOAT,
    ZP_CBOR_BOOL,
    ZP_CBOR_NULL,
    ZP_CBOR_OTHER
} zp_cbor_kind_t;

/* One decoded item header. For BYTES/TEXT, `ptr`/`len` point into the frame;
   for ARRAY/MAP, `len` is the number of elements/pairs; for NEGINT, `u` is the
   CBOR argument (the value is -1 - u). */
typedef struct {
    zp_cbor_kind_t kind;
    uint64_t u;
    double f;
    bool b;
    const uint8_t *ptr;
    size_t len;
} zp_cbor_item_t;

void zp_cbor_reader_init (zp_cbor_reader_t *r, const void *data, size_t size);
bool zp_cbor_at_end (const zp_cbor_reader_t *r);
/* Reads the next item header. 0 on success, -1 on truncated or malformed data. */
int zp_cbor_next (zp_cbor_reader_t *r, zp_cbor_item_t *item);
/* Peeks at the kind of the next item without consuming it; -1 at end or on error. */
int zp_cbor_peek (const zp_cbor_reader_t *r, zp_cbor_item_t *item);
/* Skips one complete item, nested items included (depth-limited). */
int zp_cbor_skip (zp_cbor_reader_t *r);

/* Typed reads: 0 on success, -1 if the next item is missing or of another type. */
int zp_cbor_read_uint (zp_cbor_reader_t *r, uint64_t *value);
int zp_cbor_read_int (zp_cbor_reader_t *r, int64_t *value);
/* Accepts a float or an integer. */
int zp_cbor_read_double (zp_cbor_reader_t *r, double *value);
int zp_cbor_read_bool (zp_cbor_reader_t *r, bool *value);
/* Reads an array header with exactly `count` elements. */
int zp_cbor_read_array_n (zp_cbor_reader_t *r, size_t count);
int zp_cbor_read_array (zp_cbor_reader_t *r, size_t *count);
int zp_cbor_read_map (zp_cbor_reader_t *r, size_t *count);
int zp_cbor_read_text (zp_cbor_reader_t *r, const char **text, size_t *len);
int zp_cbor_read_bytes (zp_cbor_reader_t *r, const uint8_t **data, size_t *len);
/* Reads a null if one is next: 1 if it was null, 0 if something else is next. */
int zp_cbor_read_null (zp_cbor_reader_t *r);
/* Reads a typed array with tag `tag` whose byte length is a multiple of
   `elem_size`; returns a pointer into the frame and the element count. */
int zp_cbor_read_typed (zp_cbor_reader_t *r, uint64_t tag, size_t elem_size, const uint8_t **data,
                        size_t *count);

/* Unaligned little-endian loads and stores for typed-array elements. */
static inline uint64_t zp_load_u64 (const uint8_t *p)
{
    uint64_t v;
    memcpy (&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64 (v);
#endif
    return v;
}
static inline uint32_t zp_load_u32 (const uint8_t *p)
{
    uint32_t v;
    memcpy (&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32 (v);
#endif
    return v;
}
static inline double zp_load_f64 (const uint8_t *p)
{
    uint64_t u = zp_load_u64 (p);
    double d;
    memcpy (&d, &u, 8);
    return d;
}
static inline void zp_store_u64 (uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64 (v);
#endif
    memcpy (p, &v, 8);
}
static inline void zp_store_u32 (uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32 (v);
#endif
    memcpy (p, &v, 4);
}

#endif
