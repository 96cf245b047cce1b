/*  zp_types: the small value types every layer shares. */
#ifndef ZP_TYPES_H
#define ZP_TYPES_H

#include <stdint.h>

/* A vertex handle: the dense, job-wide number of a vertex (0 .. |V|-1). Each
   worker owns one contiguous range of handles. Handles are what messages are
   addressed to; the vertex's own id from the input (any uint64) is separate. */
typedef uint32_t zp_handle_t;
#define ZP_MAX_VERTICES ((uint64_t) UINT32_MAX)

/* The type of a vertex value, a message or an aggregator. */
typedef enum {
    ZP_F64 = 1,    /* IEEE-754 double */
    ZP_I64 = 2,    /* signed 64-bit integer */
    ZP_BYTES = 3,  /* variable-size byte string (messages only) */
    ZP_U64 = 4,    /* unsigned 64-bit integer: a vertex id is one (min/max compare unsigned) */
    ZP_VERTEX = 5, /* parameters only: a vertex id (uint64) that must be in the graph */
    ZP_STRUCT = 6  /* the program's own fixed-size type (value_size or message_size bytes) */
} zp_type_t;

/* A fixed-size value: which member is meant follows from its zp_type_t. */
typedef union {
    double f64;
    int64_t i64;
    uint64_t u64;
    uint64_t bits; /* the raw 8 bytes, whatever the type */
} zp_value_t;

/* Typed arrays on the wire are little-endian, and zpregel passes in-memory
   arrays to the encoders as they are: it supports little-endian hosts only. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "zpregel needs a little-endian host");

#endif
