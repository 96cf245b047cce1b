/*  zp_cbor: writer and strict pull reader over libcbor's streaming API.

    The writer grows its buffer geometrically and encodes each item with
    libcbor's cbor_encode_* functions. The reader decodes one item header per
    call with cbor_stream_decode(); the callbacks below only record what was
    seen. A byte or text string is reported whole (libcbor checks that it lies
    inside the buffer), so a typed array is a tag item followed by one bytes
    item whose pointer aims into the frame.
*/
#include "zp_cbor.h"

#include <cbor.h>
#include <stdlib.h>

#define ZP_CBOR_MAX_DEPTH 32

void zp_cbor_writer_init (zp_cbor_writer_t *w, size_t initial_capacity)
{
    memset (w, 0, sizeof *w);
    if (initial_capacity) {
        w->data = malloc (initial_capacity);
        if (w->data)
            w->capacity = initial_capacity;
        else
            w->failed = true;
    }
}

void zp_cbor_writer_free (zp_cbor_writer_t *w)
{
    free (w->data);
    memset (w, 0, sizeof *w);
}

void zp_cbor_writer_reset (zp_cbor_writer_t *w)
{
    w->size = 0;
    w->failed = false;
}

uint8_t *zp_cbor_writer_take (zp_cbor_writer_t *w, size_t *size)
{
    uint8_t *data = w->data;
    *size = w->size;
    memset (w, 0, sizeof *w);
    return data;
}

/* Makes room for `extra` more bytes: exactly that much, or by doubling
   (which amortises many small writes). */
static int s_grow (zp_cbor_writer_t *w, size_t extra, bool exact)
{
    if (w->failed)
        return -1;
    if (extra > SIZE_MAX - w->size) {
        w->failed = true;
        return -1;
    }
    size_t need = w->size + extra;
    if (need <= w->capacity)
        return 0;
    size_t cap = need;
    if (!exact) {
        cap = w->capacity ? w->capacity : 256;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    uint8_t *data = realloc (w->data, cap);
    if (!data) {
        w->failed = true;
        return -1;
    }
    w->data = data;
    w->capacity = cap;
    return 0;
}

static int s_reserve (zp_cbor_writer_t *w, size_t extra)
{
    return s_grow (w, extra, false);
}

void zp_cbor_writer_reserve (zp_cbor_writer_t *w, size_t extra)
{
    s_grow (w, extra, true);
}

/* Every header fits in 9 bytes. */
#define S_ENCODE(w, call)                                                                          \
    do {                                                                                           \
        if (s_reserve (w, 9) == 0)                                                                 \
            w->size += call;                                                                       \
    } while (0)
#define S_AT(w) ((w)->data + (w)->size), 9

void zp_cbor_write_uint (zp_cbor_writer_t *w, uint64_t value)
{
    S_ENCODE (w, cbor_encode_uint (value, S_AT (w)));
}

void zp_cbor_write_int (zp_cbor_writer_t *w, int64_t value)
{
    if (value >= 0)
        S_ENCODE (w, cbor_encode_uint ((uint64_t) value, S_AT (w)));
    else
        S_ENCODE (w, cbor_encode_negint ((uint64_t) (-1 - value), S_AT (w)));
}

void zp_cbor_write_double (zp_cbor_writer_t *w, double value)
{
    S_ENCODE (w, cbor_encode_double (value, S_AT (w)));
}

void zp_cbor_write_bool (zp_cbor_writer_t *w, bool value)
{
    S_ENCODE (w, cbor_encode_bool (value, S_AT (w)));
}

void zp_cbor_write_null (zp_cbor_writer_t *w)
{
    S_ENCODE (w, cbor_encode_null (S_AT (w)));
}

void zp_cbor_write_array (zp_cbor_writer_t *w, size_t count)
{
    S_ENCODE (w, cbor_encode_array_start (count, S_AT (w)));
}

void zp_cbor_write_map (zp_cbor_writer_t *w, size_t count)
{
    S_ENCODE (w, cbor_encode_map_start (count, S_AT (w)));
}

void zp_cbor_write_text (zp_cbor_writer_t *w, const char *text)
{
    size_t len = strlen (text);
    S_ENCODE (w, cbor_encode_string_start (len, S_AT (w)));
    if (s_reserve (w, len) == 0) {
        memcpy (w->data + w->size, text, len);
        w->size += len;
    }
}

void zp_cbor_write_bytes (zp_cbor_writer_t *w, const void *data, size_t size)
{
    S_ENCODE (w, cbor_encode_bytestring_start (size, S_AT (w)));
    if (s_reserve (w, size) == 0 && size) {
        memcpy (w->data + w->size, data, size);
        w->size += size;
    }
}

uint8_t *zp_cbor_write_typed_reserve (zp_cbor_writer_t *w, uint64_t tag, size_t size)
{
    S_ENCODE (w, cbor_encode_tag (tag, S_AT (w)));
    S_ENCODE (w, cbor_encode_bytestring_start (size, S_AT (w)));
    if (s_reserve (w, size) != 0)
        return NULL;
    uint8_t *at = w->data + w->size;
    w->size += size;
    return at;
}

void zp_cbor_write_typed (zp_cbor_writer_t *w, uint64_t tag, const void *data, size_t size)
{
    uint8_t *at = zp_cbor_write_typed_reserve (w, tag, size);
    if (at && size)
        memcpy (at, data, size);
}

/* Reader: the callbacks fill the item the decoder just saw. */

typedef struct {
    zp_cbor_item_t *item;
    bool bad; /* indefinite-length or unsupported item */
} s_ctx_t;

#define S_ITEM(ctx) (((s_ctx_t *) (ctx))->item)
static void s_uint8 (void *c, uint8_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_UINT, S_ITEM (c)->u = v;
}
static void s_uint16 (void *c, uint16_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_UINT, S_ITEM (c)->u = v;
}
static void s_uint32 (void *c, uint32_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_UINT, S_ITEM (c)->u = v;
}
static void s_uint64 (void *c, uint64_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_UINT, S_ITEM (c)->u = v;
}
static void s_negint8 (void *c, uint8_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_NEGINT, S_ITEM (c)->u = v;
}
static void s_negint16 (void *c, uint16_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_NEGINT, S_ITEM (c)->u = v;
}
static void s_negint32 (void *c, uint32_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_NEGINT, S_ITEM (c)->u = v;
}
static void s_negint64 (void *c, uint64_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_NEGINT, S_ITEM (c)->u = v;
}
static void s_bytes (void *c, cbor_data data, size_t len)
{
    S_ITEM (c)->kind = ZP_CBOR_BYTES, S_ITEM (c)->ptr = data, S_ITEM (c)->len = len;
}
static void s_text (void *c, cbor_data data, size_t len)
{
    S_ITEM (c)->kind = ZP_CBOR_TEXT, S_ITEM (c)->ptr = data, S_ITEM (c)->len = len;
}
static void s_array (void *c, size_t len)
{
    S_ITEM (c)->kind = ZP_CBOR_ARRAY, S_ITEM (c)->len = len;
}
static void s_map (void *c, size_t len)
{
    S_ITEM (c)->kind = ZP_CBOR_MAP, S_ITEM (c)->len = len;
}
static void s_tag (void *c, uint64_t v)
{
    S_ITEM (c)->kind = ZP_CBOR_TAG, S_ITEM (c)->u = v;
}
static void s_float4 (void *c, float v)
{
    S_ITEM (c)->kind = ZP_CBOR_FLOAT, S_ITEM (c)->f = v;
}
static void s_float8 (void *c, double v)
{
    S_ITEM (c)->kind = ZP_CBOR_FLOAT, S_ITEM (c)->f = v;
}
static void s_null (void *c)
{
    S_ITEM (c)->kind = ZP_CBOR_NULL;
}
static void s_bool (void *c, bool v)
{
    S_ITEM (c)->kind = ZP_CBOR_BOOL, S_ITEM (c)->b = v;
}
static void s_bad (void *c)
{
    ((s_ctx_t *) c)->bad = true;
}

static const struct cbor_callbacks s_callbacks = {
    .uint8 = s_uint8,
    .uint16 = s_uint16,
    .uint32 = s_uint32,
    .uint64 = s_uint64,
    .negint8 = s_negint8,
    .negint16 = s_negint16,
    .negint32 = s_negint32,
    .negint64 = s_negint64,
    .byte_string_start = s_bad,
    .byte_string = s_bytes,
    .string_start = s_bad,
    .string = s_text,
    .indef_array_start = s_bad,
    .array_start = s_array,
    .indef_map_start = s_bad,
    .map_start = s_map,
    .tag = s_tag,
    .float2 = s_float4,
    .float4 = s_float4,
    .float8 = s_float8,
    .undefined = s_bad,
    .null = s_null,
    .boolean = s_bool,
    .indef_break = s_bad,
};

void zp_cbor_reader_init (zp_cbor_reader_t *r, const void *data, size_t size)
{
    r->data = data;
    r->size = size;
    r->pos = 0;
}

bool zp_cbor_at_end (const zp_cbor_reader_t *r)
{
    return r->pos >= r->size;
}

static int s_decode (const zp_cbor_reader_t *r, zp_cbor_item_t *item, size_t *read)
{
    if (r->pos >= r->size)
        return -1;
    memset (item, 0, sizeof *item);
    item->kind = ZP_CBOR_OTHER;
    s_ctx_t ctx = {item, false};
    struct cbor_decoder_result res =
        cbor_stream_decode (r->data + r->pos, r->size - r->pos, &s_callbacks, &ctx);
    if (res.status != CBOR_DECODER_FINISHED || ctx.bad || item->kind == ZP_CBOR_OTHER)
        return -1;
    *read = res.read;
    return 0;
}

int zp_cbor_peek (const zp_cbor_reader_t *r, zp_cbor_item_t *item)
{
    size_t read;
    return s_decode (r, item, &read);
}

int zp_cbor_next (zp_cbor_reader_t *r, zp_cbor_item_t *item)
{
    size_t read;
    if (s_decode (r, item, &read) != 0)
        return -1;
    r->pos += read;
    return 0;
}

static int s_skip (zp_cbor_reader_t *r, int depth)
{
    zp_cbor_item_t item;
    if (depth > ZP_CBOR_MAX_DEPTH || zp_cbor_next (r, &item) != 0)
        return -1;
    size_t children = 0;
    if (item.kind == ZP_CBOR_ARRAY)
        children = item.len;
    else if (item.kind == ZP_CBOR_MAP) {
        if (item.len > SIZE_MAX / 2)
            return -1;
        children = item.len * 2;
    } else if (item.kind == ZP_CBOR_TAG)
        children = 1;
    for (size_t i = 0; i < children; i++)
        if (s_skip (r, depth + 1) != 0)
            return -1;
    return 0;
}

int zp_cbor_skip (zp_cbor_reader_t *r)
{
    size_t saved = r->pos;
    if (s_skip (r, 0) != 0) {
        r->pos = saved;
        return -1;
    }
    return 0;
}

/* Consumes the next item only if it has the wanted kind. */
static int s_expect (zp_cbor_reader_t *r, zp_cbor_kind_t kind, zp_cbor_item_t *item)
{
    size_t read;
    if (s_decode (r, item, &read) != 0 || item->kind != kind)
        return -1;
    r->pos += read;
    return 0;
}

int zp_cbor_read_uint (zp_cbor_reader_t *r, uint64_t *value)
{
    zp_cbor_item_t item;
    if (s_expect (r, ZP_CBOR_UINT, &item) != 0)
        return -1;
    *value = item.u;
    return 0;
}

int zp_cbor_read_int (zp_cbor_reader_t *r, int64_t *value)
{
    zp_cbor_item_t item;
    size_t read;
    if (s_decode (r, &item, &read) != 0 || item.u > (uint64_t) INT64_MAX)
        return -1;
    if (item.kind == ZP_CBOR_UINT)
        *value = (int64_t) item.u;
    else if (item.kind == ZP_CBOR_NEGINT)
        *value = -1 - (int64_t) item.u;
    else
        return -1;
    r->pos += read;
    return 0;
}

int zp_cbor_read_double (zp_cbor_reader_t *r, double *value)
{
    zp_cbor_item_t item;
    size_t read;
    if (s_decode (r, &item, &read) != 0)
        return -1;
    if (item.kind == ZP_CBOR_FLOAT)
        *value = item.f;
    else if (item.kind == ZP_CBOR_UINT)
        *value = (double) item.u;
    else if (item.kind == ZP_CBOR_NEGINT)
        *value = -1.0 - (double) item.u;
    else
        return -1;
    r->pos += read;
    return 0;
}

int zp_cbor_read_bool (zp_cbor_reader_t *r, bool *value)
{
    zp_cbor_item_t item;
    if (s_expect (r, ZP_CBOR_BOOL, &item) != 0)
        return -1;
    *value = item.b;
    return 0;
}

int zp_cbor_read_array (zp_cbor_reader_t *r, size_t *count)
{
    zp_cbor_item_t item;
    if (s_expect (r, ZP_CBOR_ARRAY, &item) != 0)
        return -1;
    *count = item.len;
    return 0;
}

int zp_cbor_read_array_n (zp_cbor_reader_t *r, size_t count)
{
    size_t saved = r->pos, n;
    if (zp_cbor_read_array (r, &n) != 0 || n != count) {
        r->pos = saved;
        return -1;
    }
    return 0;
}

int zp_cbor_read_map (zp_cbor_reader_t *r, size_t *count)
{
    zp_cbor_item_t item;
    if (s_expect (r, ZP_CBOR_MAP, &item) != 0)
        return -1;
    *count = item.len;
    return 0;
}

int zp_cbor_read_text (zp_cbor_reader_t *r, const char **text, size_t *len)
{
    zp_cbor_item_t item;
    if (s_expect (r, ZP_CBOR_TEXT, &item) != 0)
        return -1;
    *text = (const char *) item.ptr;
    *len = item.len;
    return 0;
}

int zp_cbor_read_bytes (zp_cbor_reader_t *r, const uint8_t **data, size_t *len)
{
    zp_cbor_item_t item;
    if (s_expect (r, ZP_CBOR_BYTES, &item) != 0)
        return -1;
    *data = item.ptr;
    *len = item.len;
    return 0;
}

int zp_cbor_read_null (zp_cbor_reader_t *r)
{
    zp_cbor_item_t item;
    return s_expect (r, ZP_CBOR_NULL, &item) == 0 ? 1 : 0;
}

int zp_cbor_read_typed (zp_cbor_reader_t *r, uint64_t tag, size_t elem_size, const uint8_t **data,
                        size_t *count)
{
    size_t saved = r->pos;
    zp_cbor_item_t item;
    const uint8_t *bytes;
    size_t len;
    if (s_expect (r, ZP_CBOR_TAG, &item) != 0 || item.u != tag ||
        zp_cbor_read_bytes (r, &bytes, &len) != 0 || len % elem_size != 0) {
        r->pos = saved;
        return -1;
    }
    *data = bytes;
    *count = len / elem_size;
    return 0;
}
