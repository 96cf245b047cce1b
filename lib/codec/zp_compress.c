/*  zp_compress: reusable zstd contexts and scratch buffers for one link. */
#include "zp_compress.h"
#include "zp_frame.h"

#include <stdlib.h>
#include <zstd.h>

struct zp_compress_s {
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    size_t max_bytes;
    uint8_t *buf;
    size_t buf_cap;
};

zp_compress_t *zp_compress_new (int level, size_t max_bytes)
{
    zp_compress_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cctx = ZSTD_createCCtx ();
    self->dctx = ZSTD_createDCtx ();
    self->max_bytes = max_bytes;
    if (!self->cctx || !self->dctx ||
        ZSTD_isError (ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_compressionLevel, level)))
        zp_compress_destroy (&self);
    return self;
}

int zp_compress_set_checksum (zp_compress_t *self, bool on)
{
    return ZSTD_isError (ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_checksumFlag, on)) ? -1 : 0;
}

void zp_compress_destroy (zp_compress_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_compress_t *self = *self_p;
    ZSTD_freeCCtx (self->cctx);
    ZSTD_freeDCtx (self->dctx);
    free (self->buf);
    free (self);
    *self_p = NULL;
}

static int s_grow (zp_compress_t *self, size_t need)
{
    if (need <= self->buf_cap)
        return 0;
    uint8_t *buf = realloc (self->buf, need);
    if (!buf)
        return -1;
    self->buf = buf;
    self->buf_cap = need;
    return 0;
}

const uint8_t *zp_compress (zp_compress_t *self, const void *data, size_t size, size_t *out_size)
{
    size_t bound = ZSTD_compressBound (size);
    if (s_grow (self, bound) != 0)
        return NULL;
    size_t n = ZSTD_compress2 (self->cctx, self->buf, bound, data, size);
    if (ZSTD_isError (n))
        return NULL;
    *out_size = n;
    return self->buf;
}

size_t zp_compress_max (const zp_compress_t *self)
{
    return self->max_bytes;
}

uint8_t *zp_decompress (zp_compress_t *self, const void *data, size_t size, size_t limit,
                        size_t *out_size, int *err)
{
    unsigned long long content = ZSTD_getFrameContentSize (data, size);
    if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN ||
        content > self->max_bytes || content > limit) {
        *err = ZP_ECOMPRESS;
        return NULL;
    }
    /* One spare byte so that an empty payload still gets a buffer. */
    if (s_grow (self, (size_t) content + 1) != 0) {
        *err = ZP_ENOMEM;
        return NULL;
    }
    size_t n = ZSTD_decompressDCtx (self->dctx, self->buf, (size_t) content, data, size);
    if (ZSTD_isError (n) || n != content) {
        *err = ZP_ECOMPRESS;
        return NULL;
    }
    *out_size = n;
    return self->buf;
}
