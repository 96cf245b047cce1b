/*  zp_box: the messages of one superstep for one worker (an outbox) or from
    one worker (an inbound box) on the listed and bytes paths
    (zp_partition.h): handles, values, and for bytes the concatenated
    messages with their offsets. Internal to lib/engine.

    A send reserves room first; the check that room is there is inline (a
    compare per message), the growth (doubling) is not.
*/
#ifndef ZP_BOX_H
#define ZP_BOX_H

#include "zpregel/zp_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Messages for one worker (outbound) or from one worker (inbound). */
typedef struct {
    uint32_t *ids;
    zp_value_t *values;
    uint64_t *offsets; /* bytes: count+1 offsets into data (no 4 GiB bound) */
    uint8_t *data;
    size_t count, cap;
    size_t data_size, data_cap;
} zp_box_t;

/* Grows `b` for `count` more messages (values and offsets as asked). 0 or -1. */
int zp_box_grow (zp_box_t *b, size_t count, bool with_values, bool with_offsets);
/* Grows the bytes of `b` for `len` more. 0 or -1. */
int zp_box_grow_data (zp_box_t *b, size_t len);
void zp_box_free (zp_box_t *b);

/* Room for `count` more messages: 0, or -1 when memory ran out. */
static inline int zp_box_reserve (zp_box_t *b, size_t count, bool with_values, bool with_offsets)
{
    return b->count + count <= b->cap ? 0 : zp_box_grow (b, count, with_values, with_offsets);
}
/* Room for `len` more bytes of messages: 0 or -1. */
static inline int zp_box_reserve_data (zp_box_t *b, size_t len)
{
    return b->data_size + len <= b->data_cap ? 0 : zp_box_grow_data (b, len);
}
/* Appends a fixed-size message: 0, or -1 when memory ran out. */
static inline int zp_box_push (zp_box_t *b, uint32_t id, zp_value_t m)
{
    if (zp_box_reserve (b, 1, true, false) != 0)
        return -1;
    b->ids[b->count] = id;
    b->values[b->count++] = m;
    return 0;
}
/* Appends a byte message of `len` bytes: 0, or -1 when memory ran out. */
static inline int zp_box_push_bytes (zp_box_t *b, uint32_t id, const void *data, size_t len)
{
    if (zp_box_reserve (b, 1, false, true) != 0 || zp_box_reserve_data (b, len) != 0)
        return -1;
    b->ids[b->count] = id;
    if (len)
        memcpy (b->data + b->data_size, data, len);
    b->data_size += len;
    b->offsets[++b->count] = b->data_size;
    return 0;
}
static inline void zp_box_clear (zp_box_t *b)
{
    b->count = 0;
    b->data_size = 0;
    if (b->offsets)
        b->offsets[0] = 0;
}
/* What its messages weigh in a batch, about. */
static inline size_t zp_box_bytes (const zp_box_t *b)
{
    return b->count * 16 + b->data_size;
}

#endif
