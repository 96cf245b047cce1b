/*  zp_frame: error texts and the frame-kind peek shared by every decoder. */
#include "zp_frame.h"
#include "zp_cbor.h"
#include "zp_frame_internal.h"

const char *zp_frame_strerror (int err)
{
    switch (err) {
    case 0:
        return "ok";
    case ZP_EMALFORMED:
        return "malformed or truncated CBOR";
    case ZP_ETYPE:
        return "field of the wrong type";
    case ZP_EKIND:
        return "unknown or unexpected message kind";
    case ZP_EVERSION:
        return "unsupported protocol version";
    case ZP_ECOUNT:
        return "array length disagrees with its count";
    case ZP_ERANGE:
        return "value out of range";
    case ZP_ETRAILING:
        return "trailing bytes after the message";
    case ZP_ECOMPRESS:
        return "invalid or oversized compressed payload";
    case ZP_ENOMEM:
        return "out of memory";
    case ZP_ESENDER:
        return "the claimed sender is not the link it came on";
    case ZP_EAHEAD:
        return "a superstep too far ahead";
    default:
        return "unknown error";
    }
}

int zp_frame_begin (zp_cbor_reader_t *r, const void *data, size_t size, int kind, size_t fields)
{
    zp_cbor_reader_init (r, data, size);
    size_t n;
    uint64_t k, version;
    if (zp_cbor_read_array (r, &n) != 0)
        return size == 0 ? ZP_EMALFORMED : ZP_ETYPE;
    if (n < 2)
        return ZP_ECOUNT;
    if (zp_cbor_read_uint (r, &k) != 0 || zp_cbor_read_uint (r, &version) != 0)
        return ZP_ETYPE;
    if (version != ZP_PROTOCOL_VERSION)
        return ZP_EVERSION;
    if (kind >= 0 && k != (uint64_t) kind)
        return ZP_EKIND;
    if (n != fields)
        return ZP_ECOUNT;
    return 0;
}

void zp_frame_write_begin (zp_cbor_writer_t *w, int kind, size_t fields)
{
    zp_cbor_writer_reset (w);
    zp_cbor_write_array (w, fields);
    zp_cbor_write_uint (w, (uint64_t) kind);
    zp_cbor_write_uint (w, ZP_PROTOCOL_VERSION);
}

int zp_frame_end (const zp_cbor_reader_t *r)
{
    return zp_cbor_at_end (r) ? 0 : ZP_ETRAILING;
}

int zp_frame_kind (const void *data, size_t size)
{
    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, data, size);
    size_t n;
    uint64_t k, version;
    if (zp_cbor_read_array (&r, &n) != 0 || n < 2 || zp_cbor_read_uint (&r, &k) != 0 ||
        zp_cbor_read_uint (&r, &version) != 0 || version != ZP_PROTOCOL_VERSION || k > 255)
        return -1;
    return (int) k;
}

/* Reads a uint that must be <= max into a field of any unsigned width. */
int zp_frame_read_u (zp_cbor_reader_t *r, uint64_t max, uint64_t *value)
{
    zp_cbor_item_t item;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    if (zp_cbor_read_uint (r, value) != 0)
        return ZP_ETYPE;
    return *value <= max ? 0 : ZP_ERANGE;
}
