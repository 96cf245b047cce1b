/*  Helpers shared by the frame decoders and encoders (not public API). */
#ifndef ZP_FRAME_INTERNAL_H
#define ZP_FRAME_INTERNAL_H

#include "zp_cbor.h"
#include "zp_frame.h"

/* Opens frame `data`: an array of exactly `fields` elements starting with
   `kind` (any kind if kind < 0) and this protocol version. */
int zp_frame_begin (zp_cbor_reader_t *r, const void *data, size_t size, int kind, size_t fields);
/* 0 if the reader is at the end of the frame, ZP_ETRAILING otherwise. */
int zp_frame_end (const zp_cbor_reader_t *r);
int zp_frame_read_u (zp_cbor_reader_t *r, uint64_t max, uint64_t *value);
/* Resets `w` and writes the array header, kind and version. */
void zp_frame_write_begin (zp_cbor_writer_t *w, int kind, size_t fields);

/* Reads into an unsigned lvalue, returning the error from the enclosing function. */
#define ZP_READ_U(r, max, lvalue)                                                                  \
    do {                                                                                           \
        uint64_t v_;                                                                               \
        int rc_ = zp_frame_read_u (r, max, &v_);                                                   \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
        (lvalue) = v_;                                                                             \
    } while (0)

#endif
