/*  A user program as a shared object: in-degree centrality, the share of all
    other vertices that point at a vertex, in-degree / (|V| - 1).

    On the Debian dependency graph (configs/plugin.yaml) it says what share of
    the archive depends directly on each package.

    Build: make (gives build/libzp_indegree.so); run:
        zpregel run configs/plugin.yaml
    A plugin exports exactly one symbol, `zp_program`, and is checked against
    the zpregel it is loaded into (api_version, types, combiner) before use.
    It calls the zp_* API of the process that loads it, so it links against
    nothing: build it with `cc -shared -fPIC $(pkg-config --cflags zpregel)`.
*/
#define ZP_NO_INLINE /* see zp_program below */
#include <zpregel/zp_program.h>

static void s_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0)
        zp_send_out_f64 (v, 1.0); /* summed at the sender: one message per target */
    else {
        double n = (double) zp_vertex_count (v);
        double in = zp_message_count (v) ? zp_message_f64 (v, 0) : 0.0;
        zp_set_f64 (v, n > 1 ? in / (n - 1) : 0.0);
    }
    zp_vote_to_halt (v);
}

/* Version 1 of the API is all it needs; zpregel runs version 1 programs as
   they are (docs/PROGRAMS.md). ZP_NO_INLINE, defined before the include,
   makes its calls function calls, so the object also runs on engines of
   versions 1 and 2, which do not set the fields the inline calls read. */
const zp_program_t zp_program = {
    .api_version = 1,
    .name = "indegree-centrality",
    .description = "in-degree / (|V| - 1), as a shared-object program",
    .value_type = ZP_F64,
    .message_type = ZP_F64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .compute = s_compute,
};
