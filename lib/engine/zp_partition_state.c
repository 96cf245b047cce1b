/*  zp_partition_state: the whole state of a superstep, between its
    deliveries and its compute, as a checkpoint holds it (zp_partition.h):
    values, halted flags and the inbox in the order compute reads it.
*/
#include "zp_partition_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The boxes the listed/bytes inbox is built from, in the order zp_partition_build_inbox reads them.
 */
static const zp_box_t *s_inbox_box (const zp_partition_t *p, uint32_t w)
{
    return w == p->worker ? &p->outbox[w] : &p->inbound[w];
}

void zp_partition_state_write (const zp_partition_state_t *s, zp_cbor_writer_t *out)
{
    zp_cbor_write_array (out, s->mirror_ids ? 8 : 7);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, s->values, s->n * s->words * 8);
    zp_cbor_write_bytes (out, s->halted, s->n);
    zp_cbor_write_uint (out, s->path);
    zp_cbor_write_typed (out, ZP_TAG_U32LE, s->ids, s->count * 4);
    if (s->offsets) {
        zp_cbor_write_null (out);
        zp_cbor_write_typed (out, ZP_TAG_U64LE, s->offsets, (s->count + 1) * 8);
        zp_cbor_write_typed (out, ZP_TAG_U8, s->blob, s->blob_size);
    } else {
        zp_cbor_write_typed (out, ZP_TAG_U64LE, s->msgs, s->count * 8);
        zp_cbor_write_null (out);
        zp_cbor_write_null (out);
    }
    if (s->mirror_ids) {
        zp_cbor_write_array (out, 2);
        zp_cbor_write_typed (out, ZP_TAG_U32LE, s->mirror_ids, s->n_mirrors * 4);
        zp_cbor_write_typed (out, ZP_TAG_U64LE, s->mirror_values, s->n_mirrors * 8);
    }
}

int zp_partition_state_read (zp_cbor_reader_t *in, zp_partition_state_t *s, const char **what)
{
    size_t n_halted, n_values, n_msgs = 0, n_offsets = 0, parts = 0;
    memset (s, 0, sizeof *s);
    *what = "the state";
    if (zp_cbor_read_array (in, &parts) != 0 || (parts != 7 && parts != 8) ||
        zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->values, &n_values) != 0 ||
        zp_cbor_read_bytes (in, &s->halted, &n_halted) != 0 ||
        zp_cbor_read_uint (in, &s->path) != 0 ||
        zp_cbor_read_typed (in, ZP_TAG_U32LE, 4, &s->ids, &s->count) != 0)
        return -1;
    /* The values: `words` of them per vertex, whatever the program. */
    *what = "the vertex count";
    s->n = n_halted;
    s->words = n_halted ? n_values / n_halted : 1;
    if (s->words == 0 || s->words > ZP_MAX_VALUE_SIZE / 8 || n_values != s->n * s->words)
        return -1;
    *what = "the message path";
    if (s->path > ZP_PATH_BYTES)
        return -1;
    *what = "the inbox";
    if (s->path == ZP_PATH_BYTES) {
        if (!zp_cbor_read_null (in) ||
            zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->offsets, &n_offsets) != 0 ||
            zp_cbor_read_typed (in, ZP_TAG_U8, 1, &s->blob, &s->blob_size) != 0 ||
            n_offsets != s->count + 1 || zp_load_u64 (s->offsets) != 0 ||
            zp_load_u64 (s->offsets + 8 * s->count) != s->blob_size)
            return -1;
        for (size_t i = 0; i < s->count; i++)
            if (zp_load_u64 (s->offsets + 8 * i) > zp_load_u64 (s->offsets + 8 * (i + 1)))
                return -1;
    } else if (zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->msgs, &n_msgs) != 0 ||
               n_msgs != s->count || !zp_cbor_read_null (in) || !zp_cbor_read_null (in))
        return -1;
    *what = "the neighbours' values";
    size_t n_mirror_values;
    if (parts == 8 &&
        (zp_cbor_read_array_n (in, 2) != 0 ||
         zp_cbor_read_typed (in, ZP_TAG_U32LE, 4, &s->mirror_ids, &s->n_mirrors) != 0 ||
         zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->mirror_values, &n_mirror_values) != 0 ||
         n_mirror_values != s->n_mirrors))
        return -1;
    *what = "the state";
    if (!zp_cbor_at_end (in))
        return -1;
    for (size_t i = 0; i < s->count; i++)
        if (zp_load_u32 (s->ids + 4 * i) >= s->n)
            return -1;
    return 0;
}

void zp_partition_save (const zp_partition_t *p, zp_cbor_writer_t *out)
{
    zp_partition_state_t s = {.n = p->n,
                              .words = p->words,
                              .values = (const uint8_t *) p->values,
                              .halted = p->halted,
                              .path = p->path};
    /* The inbox, gathered in the order compute would read it. */
    if (p->path == ZP_PATH_COMBINED) {
        for (uint32_t v = 0; v < p->n; v++)
            s.count += zp_got (p, (p->step + 1) & 1, (uint64_t) p->lo + v);
    } else
        for (uint32_t w = 0; w < p->n_sources; w++) {
            s.count += s_inbox_box (p, w)->count;
            s.blob_size += s_inbox_box (p, w)->data_size;
        }
    uint8_t *ids = malloc (s.count * 4 + 1);
    uint8_t *msgs = p->path != ZP_PATH_BYTES ? malloc (s.count * 8 + 1) : NULL;
    uint8_t *offsets = p->path == ZP_PATH_BYTES ? malloc ((s.count + 1) * 8) : NULL;
    uint8_t *blob = p->path == ZP_PATH_BYTES ? malloc (s.blob_size + 1) : NULL;
    uint8_t *mirror_values = NULL;
    if (!ids || (p->path != ZP_PATH_BYTES && !msgs) ||
        (p->path == ZP_PATH_BYTES && (!offsets || !blob))) {
        out->failed = true;
        goto done;
    }
    size_t at = 0;
    if (p->path == ZP_PATH_COMBINED) {
        const zp_value_t *buf = p->combine[(p->step + 1) & 1];
        for (uint32_t v = 0; v < p->n; v++)
            if (zp_got (p, (p->step + 1) & 1, (uint64_t) p->lo + v)) {
                zp_store_u32 (ids + 4 * at, v);
                zp_store_u64 (msgs + 8 * at++, buf[p->lo + v].bits);
            }
    } else {
        uint64_t pos = 0;
        for (uint32_t w = 0; w < p->n_sources; w++) {
            const zp_box_t *b = s_inbox_box (p, w);
            for (size_t i = 0; i < b->count; i++, at++) {
                zp_store_u32 (ids + 4 * at, b->ids[i] - p->lo);
                if (msgs)
                    zp_store_u64 (msgs + 8 * at, b->values[i].bits);
                else {
                    zp_store_u64 (offsets + 8 * at, pos);
                    pos += b->offsets[i + 1] - b->offsets[i];
                }
            }
            if (blob && b->data_size)
                memcpy (blob + pos - b->data_size, b->data, b->data_size);
        }
        if (offsets)
            zp_store_u64 (offsets + 8 * at, pos);
    }
    s.ids = ids;
    s.msgs = msgs;
    s.offsets = offsets;
    s.blob = blob;
    /* The mirrors: the view's entries of the other workers' vertices read here. */
    const zp_mirror_t *m = &p->mirror;
    if (m->view) {
        if (!(mirror_values = malloc (m->n_in * 8 + 1))) {
            out->failed = true;
            goto done;
        }
        for (size_t i = 0; i < m->n_in; i++)
            zp_store_u64 (mirror_values + 8 * i, m->view[m->in[i]].bits);
        s.n_mirrors = m->n_in;
        s.mirror_ids = (const uint8_t *) m->in; /* little-endian hosts only (zp_types.h) */
        s.mirror_values = mirror_values;
    }
    zp_partition_state_write (&s, out);
done:
    free (mirror_values);
    free (ids);
    free (msgs);
    free (offsets);
    free (blob);
}

int zp_partition_restore (zp_partition_t *p, uint32_t step, zp_cbor_reader_t *in, char *err,
                          size_t errlen)
{
    zp_partition_state_t s;
    const char *what;
    if (zp_partition_state_read (in, &s, &what) != 0)
        goto bad;
    what = "the vertex count";
    if (s.n != p->n || (s.n && s.words != p->words))
        goto bad;
    what = "the message path (another program?)";
    if (s.path != p->path)
        goto bad;
    what = "the neighbours' values (another program?)";
    if (!s.mirror_ids != !p->mirror.view)
        goto bad;
    for (size_t i = 0; i < s.n_mirrors; i++) {
        uint32_t h = zp_load_u32 (s.mirror_ids + 4 * i);
        if (h >= p->n_vertices || (h >= p->lo && h - p->lo < p->n))
            goto bad;
        p->mirror.view[h].bits = zp_load_u64 (s.mirror_values + 8 * i);
    }
    for (size_t i = 0; i < (size_t) p->n * p->words; i++)
        p->values[i].bits = zp_load_u64 (s.values + 8 * i);
    for (uint32_t v = 0; v < p->n; v++)
        p->halted[v] = s.halted[v] != 0;
    zp_partition_wake_blocks (p);
    zp_mirror_restored (p);
    if (p->path == ZP_PATH_COMBINED) {
        uint32_t b = (step + 1) & 1;
        for (size_t i = 0; i < s.count; i++) {
            uint64_t h = (uint64_t) p->lo + zp_load_u32 (s.ids + 4 * i);
            p->combine[b][h].bits = zp_load_u64 (s.msgs + 8 * i);
            p->touched[b][h] = 1;
            p->dirty[b][h >> ZP_BLOCK] = 1;
        }
        return 0;
    }
    /* Listed and bytes: the whole inbox, in order, as if we had sent it to ourselves. */
    zp_box_t *box = &p->outbox[p->worker];
    zp_box_clear (box);
    what = "memory";
    if (zp_box_reserve (box, s.count, p->path == ZP_PATH_LISTED, p->path == ZP_PATH_BYTES) != 0 ||
        (p->path == ZP_PATH_BYTES && zp_box_reserve_data (box, s.blob_size) != 0))
        goto bad;
    for (size_t i = 0; i < s.count; i++) {
        box->ids[i] = p->lo + zp_load_u32 (s.ids + 4 * i);
        if (p->path == ZP_PATH_LISTED)
            box->values[i].bits = zp_load_u64 (s.msgs + 8 * i);
        else
            box->offsets[i + 1] = (uint32_t) zp_load_u64 (s.offsets + 8 * (i + 1));
    }
    if (s.blob_size)
        memcpy (box->data, s.blob, s.blob_size);
    box->data_size = s.blob_size;
    box->count = s.count;
    return 0;
bad:
    snprintf (err, errlen, "the checkpoint does not fit this partition: bad %s", what);
    return -1;
}
