/*  A program as a version 1 shared object exports it: an object of version
    1's zp_program_t, which ends where version 2's fields begin. zpregel
    must read no byte past it (the sanitizer build checks). The program:
    every vertex's out-degree. */
#include "zpregel/zp_program.h"

#include <stddef.h>

static void s_compute (zp_vertex_t *v)
{
    zp_set_i64 (v, (int64_t) zp_out_degree (v));
    zp_vote_to_halt (v);
}

/* Version 1's zp_program_t, field for field. */
typedef struct {
    int api_version;
    const char *name;
    const char *description;
    zp_type_t value_type;
    zp_type_t message_type;
    zp_combiner_t combiner;
    void (*combine) (zp_value_t *acc, zp_value_t msg);
    unsigned flags;
    const char *weight_property;
    const zp_param_def_t *params;
    size_t n_params;
    const zp_aggregator_def_t *aggregators;
    size_t n_aggregators;
    int (*setup) (const zp_params_t *params, void **state, char *err, size_t errlen);
    void (*teardown) (void *state);
    void (*init) (zp_vertex_t *v);
    void (*compute) (zp_vertex_t *v);
} s_program_v1_t;

_Static_assert(sizeof (s_program_v1_t) == offsetof (zp_program_t, value_size),
               "version 1's layout is version 2's first part");

const s_program_v1_t zp_program = {
    .api_version = 1,
    .name = "out-degree-v1",
    .description = "out-degree, as a version 1 object",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .compute = s_compute,
};
