/*  zp_box: see zp_box.h. */
#include "zp_box.h"

#include <stdlib.h>

int zp_box_grow (zp_box_t *b, size_t count, bool with_values, bool with_offsets)
{
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->count + count)
        cap *= 2;
    uint32_t *ids = realloc (b->ids, cap * sizeof *ids);
    if (!ids)
        return -1;
    b->ids = ids;
    if (with_values) {
        zp_value_t *values = realloc (b->values, cap * sizeof *values);
        if (!values)
            return -1;
        b->values = values;
    }
    if (with_offsets) {
        uint64_t *offsets = realloc (b->offsets, (cap + 1) * sizeof *offsets);
        if (!offsets)
            return -1;
        if (!b->offsets)
            offsets[0] = 0;
        b->offsets = offsets;
    }
    b->cap = cap;
    return 0;
}

int zp_box_grow_data (zp_box_t *b, size_t len)
{
    size_t cap = b->data_cap ? b->data_cap : 4096;
    while (cap < b->data_size + len)
        cap *= 2;
    uint8_t *data = realloc (b->data, cap);
    if (!data)
        return -1;
    b->data = data;
    b->data_cap = cap;
    return 0;
}

void zp_box_free (zp_box_t *b)
{
    free (b->ids);
    free (b->values);
    free (b->offsets);
    free (b->data);
}
