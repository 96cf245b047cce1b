/*  Struct messages (API version 2): every vertex sends each out-neighbour
    {its id as a double, 1, a tag} (20 bytes: padded on the wire), and
    keeps {the sum of the ids, the count} of what it received: the sum of
    its in-neighbours' ids and its in-degree. Built twice: merged by
    combine_message (a vertex sees one message), and listed (S_MERGED 0:
    the vertex adds them up itself). Output: id sum count. */
#include "zpregel/zp_program.h"

#include <inttypes.h>
#include <stdio.h>

#ifndef S_MERGED
#define S_MERGED 0
#endif

typedef struct {
    double sum;
    int64_t count;
    int32_t tag;
} s_message_t;

typedef struct {
    double sum;
    int64_t count;
} s_vertex_t;

static void s_merge (void *acc, const void *message)
{
    s_message_t *a = acc;
    const s_message_t *m = message;
    a->sum += m->sum;
    a->count += m->count;
}

static void s_compute (zp_vertex_t *v)
{
    s_vertex_t *s = zp_value (v);
    if (zp_superstep (v) == 0) {
        s_message_t m = {(double) zp_id (v), 1, 7};
        zp_send_out (v, &m);
        return;
    }
    size_t n = zp_message_count (v);
    for (size_t i = 0; i < n; i++) {
        const s_message_t *m = zp_message (v, i);
        if (m->tag != 7)
            return; /* a damaged message: the test sees a wrong count */
        s->sum += m->sum;
        s->count += m->count;
    }
    zp_vote_to_halt (v);
}

static int s_format (const void *value, char *buf, size_t len)
{
    const s_vertex_t *s = value;
    return snprintf (buf, len, "%.17g %" PRId64, s->sum, s->count);
}

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = S_MERGED ? "struct-merged" : "struct-listed",
    .value_type = ZP_STRUCT,
    .message_type = ZP_STRUCT,
    .combiner = S_MERGED ? ZP_COMBINE_FN : ZP_COMBINE_NONE,
    .flags = ZP_PLACEMENT_FREE,
    .compute = s_compute,
    .value_size = sizeof (s_vertex_t),
    .format = s_format,
    .message_size = 20, /* the struct's meaningful bytes, not its padding */
    .combine_message = S_MERGED ? s_merge : NULL,
};
