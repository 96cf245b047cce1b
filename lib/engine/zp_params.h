/*  Resolved program parameters (internal): values in the order of the
    program's zp_param_def_t list. */
#ifndef ZP_PARAMS_H
#define ZP_PARAMS_H

#include "zpregel/zp_program.h"

struct zp_params_s {
    const zp_program_t *program;
    zp_value_t values[ZP_MAX_PARAMS];
};

#endif
