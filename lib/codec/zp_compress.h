/*  zp_compress: zstd compression of frame payloads, one context pair per link.

    A link (a pair of sockets between two nodes) owns one zp_compress_t so that
    the zstd contexts and the scratch buffer are reused for every batch instead
    of allocated per frame. Decompression refuses frames that do not state
    their size or that would expand beyond `max_bytes`: a peer cannot make a
    node allocate without bound.
*/
#ifndef ZP_COMPRESS_H
#define ZP_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zp_compress_s zp_compress_t;

/* level: zstd level (1..19); max_bytes: largest decompressed payload accepted. */
zp_compress_t *zp_compress_new (int level, size_t max_bytes);
void zp_compress_destroy (zp_compress_t **self_p);
/* With `on`, every frame carries zstd's checksum of its content, which
   decompression verifies (for files; links have their own ACKs). 0 or -1. */
int zp_compress_set_checksum (zp_compress_t *self, bool on);
/* The largest decompressed payload this object accepts. */
size_t zp_compress_max (const zp_compress_t *self);

/* Compresses `size` bytes; returns a pointer to the compressed bytes, valid
   until the next call on this object, or NULL on failure. */
const uint8_t *zp_compress (zp_compress_t *self, const void *data, size_t size, size_t *out_size);

/* Decompresses one zstd frame into the object's scratch buffer; returns a
   writable pointer valid until the next call, or NULL (and *err set to a
   zp_frame_err_t) when the frame is invalid or states a size above `limit`
   or the object's max_bytes (checked before anything is allocated). */
uint8_t *zp_decompress (zp_compress_t *self, const void *data, size_t size, size_t limit,
                        size_t *out_size, int *err);

#endif
