/*  zp_program: how to write a vertex program.

    A program is a zp_program_t: the types of its vertex values and messages,
    an optional combiner, its parameters and aggregators, and two callbacks.
    init() runs once per vertex before superstep 0; compute() runs in every
    superstep for each vertex that is active or has messages. A vertex that
    calls zp_vote_to_halt() sleeps until a message wakes it (in init(),
    from superstep 0 on: a vertex with nothing to do until a message comes
    then costs nothing before it does); the job ends when
    every vertex sleeps and no message is in flight, or at max_supersteps.

    Inside compute() a program may read its value and edges, read the messages
    sent to it in the previous superstep, send messages (to a neighbour, to all
    out- or in-neighbours, or to any vertex handle it learned), add to an
    aggregator and read the aggregators' values from the previous superstep.

    Messages with a combiner (sum/min/max or a function) are merged at the
    sender, so a vertex sees at most one message per superstep. Messages
    without one arrive one by one, in an order fixed by the senders' worker
    and send order, never by arrival time: runs are deterministic.

    A program is either built in (see zp_program_find) or loaded from a shared
    object that exports `const zp_program_t zp_program` (see docs/PROGRAMS.md).

    API version 2 adds, at the end of zp_program_t: values of the program's
    own fixed-size type (ZP_STRUCT, read and written through zp_value), an
    output formatter, and master compute: a function that runs on the master
    before every superstep, reads the aggregators, sets their values for the
    vertices, and can end the job; aggregators may keep their value across
    supersteps. Version 1 programs (without those fields) run as they are.

    API version 3 makes the calls a compute() makes for every vertex inline
    (see "Inline calls" at the end): zp_program_t is as in version 2, and
    version 1 and 2 programs run as they are.

    API version 4 adds supersteps() at the end of zp_program_t.

    API version 5 lets compute() read its neighbours' values of the
    previous superstep in place (ZP_READS_NEIGHBOURS, zp_out_value_*,
    zp_in_value_*): the engine keeps a copy of every neighbour's value on
    each worker, refreshed once a superstep with the values that changed,
    so a program that needs every neighbour's value (label propagation)
    sends no message an edge. zp_program_t is as in version 4.

    API version 6 adds ZP_MONOTONE: a label-correcting program says that a
    message no better than its vertex's value changes nothing, and the
    engine may leave such messages out; and zp_send_out_plus_weight, a
    shortest-path relaxation in one call. zp_program_t is as in version 4.

    API version 7 adds zp_local_value: compute() may reach the value of
    any vertex on its own worker in place (a union-find over the worker's
    vertices), with zp_local_first and zp_local_count; zp_out_targets and
    zp_in_sources, a vertex's edges as one array; and zp_send_each_*, one
    message to a list of handles. zp_program_t is as in version 4.
*/
#ifndef ZP_PROGRAM_H
#define ZP_PROGRAM_H

#include "zp_types.h"

#include <stdbool.h>
#include <stddef.h>

#define ZP_API_VERSION     7
#define ZP_MAX_AGGREGATORS 8
#define ZP_MAX_PARAMS      16
#define ZP_MAX_VALUE_SIZE  256 /* bytes of a ZP_STRUCT value */

typedef enum {
    ZP_COMBINE_NONE = 0,
    ZP_COMBINE_SUM = 1,
    ZP_COMBINE_MIN = 2,
    ZP_COMBINE_MAX = 3,
    ZP_COMBINE_FN = 4, /* the program's combine() function */
} zp_combiner_t;

/* Program flags. */
#define ZP_NEEDS_IN_EDGES 1u /* compute() reads in-edges (zp_in_degree, zp_send_in_*) */
#define ZP_NEEDS_WEIGHTS  2u /* compute() reads edge weights (zp_out_weight) */
/* Its values and messages never hold a zp_handle_t (handles depend on
   where the vertices are placed), so a checkpoint can move to other
   workers: when a worker is lost for good, or --resume names other
   workers. Without it, such a recovery starts again from superstep 0 and
   such a --resume is refused. */
#define ZP_PLACEMENT_FREE 4u
/* compute() reads each vertex's input value (zp_input_f64): the number
   after its id in a Graphalytics .v file, which must then have one. */
#define ZP_NEEDS_VERTEX_VALUES 8u
/* compute() may run for several vertices at once, on engine.threads
   threads: it reads and writes only through its zp_vertex_t (its value,
   its messages, its sends and aggregates, its zp_scratch, the worker's
   other values through zp_local_value with atomics) and at most reads
   zp_state(). Without it a worker computes on one thread. Messages
   arrive in the same order on any number of threads: each thread takes
   a range of the vertices, and what the later ranges send follows what
   the earlier ones sent. Without a combiner, what the threads after the
   first send is held in memory until the superstep's compute ends (the
   first thread's goes out as it is sent). ZP_STRUCT messages merged
   with combine_message are computed on one thread. */
#define ZP_THREAD_SAFE 16u
/* compute() reads its out- and in-neighbours' values as they were when
   the previous superstep ended (zp_out_value_*, zp_in_value_*; API
   version 5, ZP_F64, ZP_I64 or ZP_U64 values). Each worker keeps the
   values of its own vertices' neighbours: its own, and mirrors of the
   others' that the engine refreshes after each superstep with one
   update for each value that changed, per worker that reads it (not per
   edge). Superstep 0 reads no neighbour: the values are there from
   superstep 1 on. A neighbour's change does not wake a vertex that voted
   to halt (a message does). The in-edges are loaded (as with
   ZP_NEEDS_IN_EDGES). Cost: 8 bytes a vertex of the graph on each worker,
   and 4 bytes a mirrored vertex; docs/PROGRAMS.md. */
#define ZP_READS_NEIGHBOURS 32u
/* compute() only ever moves the vertex's value to a message it was sent
   that is better than the value (smaller under ZP_COMBINE_MIN, larger
   under ZP_COMBINE_MAX), and a message that is not better changes
   nothing: a label-correcting program (BFS, SSSP, WCC). The engine may
   then leave such a message out: a dense superstep's pull skips the
   vertices of its worker whose value no message sent can better (a
   bottom-up BFS searches parents for unvisited vertices only), and does
   not wake them. Needs API version 6, a MIN or MAX combiner, and
   value_type equal to message_type (ZP_F64, ZP_I64 or ZP_U64). */
#define ZP_MONOTONE 64u

typedef struct {
    const char *name;
    zp_type_t type;   /* ZP_F64, ZP_I64 or ZP_U64 */
    zp_combiner_t op; /* SUM, MIN or MAX */
} zp_aggregator_def_t;

typedef struct {
    const char *name; /* the key under job.params */
    /* ZP_F64, ZP_I64, ZP_U64, or ZP_VERTEX: a vertex id, which the job
       checks is in the graph before it starts (read it with zp_param_u64) */
    zp_type_t type;
    const char
        *property; /* Graphalytics key that gives the value, e.g. "pr.damping-factor", or NULL */
    bool required; /* true: must come from job.params or the property */
    zp_value_t fallback; /* used when not required and given nowhere */
    const char *help;
} zp_param_def_t;

typedef struct zp_vertex_s zp_vertex_t;
typedef struct zp_params_s zp_params_t;
typedef struct zp_master_ctx_s zp_master_ctx_t;

typedef struct {
    int api_version; /* ZP_API_VERSION */
    const char *name;
    const char *description;
    zp_type_t value_type;   /* ZP_F64, ZP_I64 or ZP_U64 */
    zp_type_t message_type; /* ZP_F64, ZP_I64, ZP_U64 or ZP_BYTES */
    zp_combiner_t combiner; /* not for ZP_BYTES messages */
    /* ZP_COMBINE_FN: merge msg into *acc; must be associative and commutative. */
    void (*combine) (zp_value_t *acc, zp_value_t msg);
    unsigned flags;
    /* ZP_NEEDS_WEIGHTS: the Graphalytics properties key naming the weight
       column (e.g. "sssp.weight-property"), or NULL; job.params.weight_property
       overrides it, and "weight" is used when neither names one. */
    const char *weight_property;
    const zp_param_def_t *params;
    size_t n_params;
    const zp_aggregator_def_t *aggregators;
    size_t n_aggregators;
    /* Optional: check parameters and build shared read-only state, returned in
     *state (read it in compute with zp_state). 0, or -1 with a message in err. */
    int (*setup) (const zp_params_t *params, void **state, char *err, size_t errlen);
    void (*teardown) (void *state);
    void (*init) (zp_vertex_t *v);
    void (*compute) (zp_vertex_t *v);
    /* --- API version 2 (a version 1 program ends above) --- */
    /* ZP_STRUCT values: the size of one (sizeof your struct), at most
       ZP_MAX_VALUE_SIZE; every vertex's starts zeroed. */
    size_t value_size;
    /* Optional: writes a vertex's output columns after its id (without a
       newline), e.g. "0.25 0.5" for `id hub authority`; returns what
       snprintf would. Without it: the value as one column (ZP_STRUCT
       values need it). */
    int (*format) (const void *value, char *buf, size_t len);
    /* Optional master compute: runs on the master before every superstep
       (zp_master_superstep says which), after the aggregators of the one
       before were combined. */
    void (*master) (zp_master_ctx_t *m);
    /* Bit i set: aggregator i keeps its value from superstep to superstep
       (what vertices add is combined into it) instead of starting again
       from its identity. */
    unsigned persistent_aggregators;
    /* ZP_STRUCT messages: the size of one, at most ZP_MAX_VALUE_SIZE; sent
       with zp_send, read with zp_message. */
    size_t message_size;
    /* Optional, for ZP_STRUCT messages (with combiner ZP_COMBINE_FN): merge
       `message` into `acc`; associative and commutative. A vertex then sees
       one message, the merge of all sent to it. */
    void (*combine_message) (void *acc, const void *message);

    /* --- API version 4 (a version 2 or 3 program ends above) --- */
    /* Optional: how many supersteps a job takes with these parameters, when
       that is known before it starts (PageRank: iterations + 1), or 0 when
       the graph decides. It may end sooner (a graph without edges), never
       later. The progress line, the status page and the history show
       "superstep i of N" and the time left. */
    uint32_t (*supersteps) (const zp_params_t *params);

    /* --- API version 7 (a version 4 to 6 program ends above) --- */
    /* Optional, for ZP_STRUCT values: the vertex's answer as one number
       of result_type (ZP_F64, ZP_I64 or ZP_U64), such as WCC's label,
       kept in a struct beside its union-find. The output writes it (a
       format function, if there is one, is used instead), and the values
       a job leaves in memory (zp_job_summary_t, Python's Result) are
       these numbers, as for a program of scalar values. */
    zp_type_t result_type;
    zp_value_t (*result) (const void *value);
} zp_program_t;

/* Parameters, in setup(). */
double zp_param_f64 (const zp_params_t *params, const char *name);
int64_t zp_param_i64 (const zp_params_t *params, const char *name);
uint64_t zp_param_u64 (const zp_params_t *params, const char *name); /* ZP_U64, ZP_VERTEX */

/* The vertex and the job. */
uint64_t zp_id (const zp_vertex_t *v);        /* the id from the input */
zp_handle_t zp_handle (const zp_vertex_t *v); /* where to send messages for it */
uint32_t zp_superstep (const zp_vertex_t *v);
uint64_t zp_vertex_count (const zp_vertex_t *v); /* |V| of the whole graph */
bool zp_directed (const zp_vertex_t *v);
void *zp_state (const zp_vertex_t *v); /* what setup() returned */

/* The vertex value. */
double zp_get_f64 (const zp_vertex_t *v);
int64_t zp_get_i64 (const zp_vertex_t *v);
uint64_t zp_get_u64 (const zp_vertex_t *v);
void zp_set_f64 (zp_vertex_t *v, double value);
void zp_set_i64 (zp_vertex_t *v, int64_t value);
void zp_set_u64 (zp_vertex_t *v, uint64_t value);

/* The vertex's input value: the number after its id in the .v file (needs
   ZP_NEEDS_VERTEX_VALUES). */
double zp_input_f64 (const zp_vertex_t *v);

/* Edges. Targets and sources are handles. Undirected graphs have each edge in
   both directions, so in-edges equal out-edges there. */
size_t zp_out_degree (const zp_vertex_t *v);
zp_handle_t zp_out_target (const zp_vertex_t *v, size_t i);
double zp_out_weight (const zp_vertex_t *v, size_t i); /* needs ZP_NEEDS_WEIGHTS */
size_t zp_in_degree (const zp_vertex_t *v);            /* needs ZP_NEEDS_IN_EDGES */
zp_handle_t zp_in_source (const zp_vertex_t *v, size_t i);
/* The same edges as one array each (API version 7): zp_out_degree (v)
   targets, and zp_in_degree (v) sources (needs ZP_NEEDS_IN_EDGES), valid
   for the whole job. */
const zp_handle_t *zp_out_targets (const zp_vertex_t *v);
const zp_handle_t *zp_in_sources (const zp_vertex_t *v);

/* Messages received (sent in the previous superstep). */
size_t zp_message_count (const zp_vertex_t *v);
double zp_message_f64 (const zp_vertex_t *v, size_t i);
int64_t zp_message_i64 (const zp_vertex_t *v, size_t i);
uint64_t zp_message_u64 (const zp_vertex_t *v, size_t i);
const void *zp_message_bytes (const zp_vertex_t *v, size_t i, size_t *len);

/* ZP_STRUCT messages (API version 2): message_size bytes each, 8-byte
   aligned when read. With combine_message, a vertex sees one message. */
const void *zp_message (const zp_vertex_t *v, size_t i);
void zp_send (zp_vertex_t *v, zp_handle_t to, const void *message);
void zp_send_out (zp_vertex_t *v, const void *message); /* to every out-neighbour */
void zp_send_in (zp_vertex_t *v, const void *message);  /* to every in-neighbour */

/* Sending, for delivery in the next superstep. */
void zp_send_f64 (zp_vertex_t *v, zp_handle_t to, double message);
void zp_send_i64 (zp_vertex_t *v, zp_handle_t to, int64_t message);
void zp_send_u64 (zp_vertex_t *v, zp_handle_t to, uint64_t message);
/* The same message to each of `count` handles (API version 7): one call
   for a list the program chose (the neighbours on other workers), sent as
   zp_send_out_* sends to every neighbour. */
void zp_send_each_f64 (zp_vertex_t *v, const zp_handle_t *to, size_t count, double message);
void zp_send_each_i64 (zp_vertex_t *v, const zp_handle_t *to, size_t count, int64_t message);
void zp_send_each_u64 (zp_vertex_t *v, const zp_handle_t *to, size_t count, uint64_t message);
void zp_send_bytes (zp_vertex_t *v, zp_handle_t to, const void *data, size_t len);
void zp_send_out_f64 (zp_vertex_t *v, double message); /* to every out-neighbour */
void zp_send_out_i64 (zp_vertex_t *v, int64_t message);
void zp_send_out_u64 (zp_vertex_t *v, uint64_t message);
void zp_send_out_bytes (zp_vertex_t *v, const void *data, size_t len);
void zp_send_in_f64 (zp_vertex_t *v, double message); /* to every in-neighbour */
void zp_send_in_i64 (zp_vertex_t *v, int64_t message);
void zp_send_in_u64 (zp_vertex_t *v, uint64_t message);
void zp_send_in_bytes (zp_vertex_t *v, const void *data, size_t len);
/* `base` plus each out-edge's weight, along that edge: a shortest-path
   relaxation in one call, where a zp_send_f64 an edge costs a call, its
   checks and the edge's zp_out_target and zp_out_weight each (ZP_F64
   messages, ZP_NEEDS_WEIGHTS; API version 6). */
void zp_send_out_plus_weight (zp_vertex_t *v, double base);

/* Aggregators: add to aggregator `index` in this superstep; read its
   combined value from the previous superstep (the identity in superstep 0). */
void zp_aggregate_f64 (zp_vertex_t *v, size_t index, double value);
void zp_aggregate_i64 (zp_vertex_t *v, size_t index, int64_t value);
void zp_aggregate_u64 (zp_vertex_t *v, size_t index, uint64_t value);
double zp_aggregated_f64 (const zp_vertex_t *v, size_t index);
int64_t zp_aggregated_i64 (const zp_vertex_t *v, size_t index);
uint64_t zp_aggregated_u64 (const zp_vertex_t *v, size_t index);

/* Neighbours' values (API version 5, ZP_READS_NEIGHBOURS): the value
   out-neighbour i (zp_out_target (v, i)) or in-neighbour i
   (zp_in_source (v, i)) had when the previous superstep ended, wherever
   it is placed. From superstep 1 on. */
double zp_out_value_f64 (const zp_vertex_t *v, size_t i);
int64_t zp_out_value_i64 (const zp_vertex_t *v, size_t i);
uint64_t zp_out_value_u64 (const zp_vertex_t *v, size_t i);
double zp_in_value_f64 (const zp_vertex_t *v, size_t i);
int64_t zp_in_value_i64 (const zp_vertex_t *v, size_t i);
uint64_t zp_in_value_u64 (const zp_vertex_t *v, size_t i);

/* The value of vertex `h`, in place, when h is on this worker (each
   worker owns one contiguous range of handles), else NULL (API version
   7). For work that a worker does over its own vertices at once, which a
   message an edge would make slow: WCC links each vertex to its neighbours
   on the worker in a union-find (examples/algorithms/wcc.c). What is
   written there is that vertex's value: checkpointed with it, and a value
   that holds a handle makes the program not ZP_PLACEMENT_FREE. With
   ZP_THREAD_SAFE other threads of the worker compute other vertices at
   the same time, in no set order: a field that another vertex's compute()
   may write in the same superstep is read and written with atomics
   (__atomic_load_n, __atomic_compare_exchange_n), and the program's
   answer must not depend on that order. Between supersteps every write is
   seen. */
void *zp_local_value (zp_vertex_t *v, zp_handle_t h);
/* This worker's handles: zp_local_count (v) of them from zp_local_first
   (v) (API version 7). */
zp_handle_t zp_local_first (const zp_vertex_t *v);
size_t zp_local_count (const zp_vertex_t *v);

void zp_vote_to_halt (zp_vertex_t *v);
/* Scratch memory of the thread that computes v, for work inside one
   compute() (a histogram, a sorted copy of the edges): at least `bytes`,
   16-byte aligned; NULL if memory ran out, and the job then fails, saying
   so (a program that went on without it would give a wrong answer). It is the same buffer for
   every vertex the thread computes, so what a compute() leaves in it the
   next one on that thread finds; it grows when asked for more, keeping
   its contents, and bytes no call asked for before start zeroed. The
   engine frees it with the partition. This is how a ZP_THREAD_SAFE
   program keeps scratch that zp_state() (shared by the threads) cannot. */
void *zp_scratch (zp_vertex_t *v, size_t bytes);

/* The vertex value of any type, in place: a double, int64_t or uint64_t for
   ZP_F64, ZP_I64 and ZP_U64 values, or the program's struct for ZP_STRUCT
   (value_size bytes, 8-byte aligned). */
void *zp_value (zp_vertex_t *v);
const void *zp_value_const (const zp_vertex_t *v);

/* Master compute (API version 2), in master(): the superstep about to
   start; the aggregators' values, as the vertices will read them in it
   (combined from the superstep before, or kept); setting one changes what
   they read; halting ends the job, as converged, before that superstep. */
uint32_t zp_master_superstep (const zp_master_ctx_t *m);
uint64_t zp_master_vertex_count (const zp_master_ctx_t *m);
double zp_master_aggregated_f64 (const zp_master_ctx_t *m, size_t index);
int64_t zp_master_aggregated_i64 (const zp_master_ctx_t *m, size_t index);
uint64_t zp_master_aggregated_u64 (const zp_master_ctx_t *m, size_t index);
void zp_master_set_f64 (zp_master_ctx_t *m, size_t index, double value);
void zp_master_set_i64 (zp_master_ctx_t *m, size_t index, int64_t value);
void zp_master_set_u64 (zp_master_ctx_t *m, size_t index, uint64_t value);
void zp_master_halt (zp_master_ctx_t *m);

/* A program by name: a registered one, else a built-in ("pr", ...); NULL if none. */
const zp_program_t *zp_program_find (const char *name);
/* A program by name, or from a shared object when `name` is a path (contains
   a '/' or ends in ".so"): the object must export `const zp_program_t
   zp_program` built for this API version. Loaded objects stay loaded and are
   registered under their path. NULL with a message in err. */
const zp_program_t *zp_program_load (const char *name, char *err, size_t errlen);
/* Makes `program` (which must outlive its use) findable by name in this
   process, for programs that embed zpregel. It is checked first; 0 or -1
   with a message in err (invalid program, name taken, registry full). */
int zp_program_register (const zp_program_t *program, char *err, size_t errlen);
/* The name a program gives itself: a built-in's, or the `name` a shared
   object's zp_program declares (zp_program_load registers it under its
   path, which is what job files and nodes name it by). */
const char *zp_program_own_name (const zp_program_t *program);

/* NULL-terminated list of the built-in programs. */
const zp_program_t *const *zp_program_builtins (void);

/* The identity of a combiner (0 for sum, +inf or INT64_MAX for min, ...). */
zp_value_t zp_combiner_identity (zp_combiner_t op, zp_type_t type);
/* acc = op(acc, value) for SUM, MIN and MAX. */
void zp_combiner_apply (zp_combiner_t op, zp_type_t type, zp_value_t *acc, zp_value_t value);

/* Checks a program definition (API version, types, combiner, counts);
   0, or -1 with a message in err. */
int zp_program_check (const zp_program_t *program, char *err, size_t errlen);

/* Whether the program's workers get in-edges: ZP_NEEDS_IN_EDGES or
   ZP_READS_NEIGHBOURS. */
bool zp_program_in_edges (const zp_program_t *program);
/* 64-bit words a vertex value takes: 1, or value_size rounded up for ZP_STRUCT. */
size_t zp_program_value_words (const zp_program_t *program);
/* The type of a vertex's answer: result_type with a result() (API
   version 7), else value_type. */
zp_type_t zp_program_result_type (const zp_program_t *program);
/* How messages travel in batches: ZP_STRUCT ones as byte strings of
   message_size rounded up to 8 bytes; others as they are. */
zp_type_t zp_program_wire_type (const zp_program_t *program);
size_t zp_program_message_bytes (const zp_program_t *program);

/* Inline calls (API version 3).

   The calls a compute() makes for every vertex (the superstep, |V|, the
   state, its value, its out-degree, its messages when they are combined,
   the aggregators, voting to halt) are inline functions: each is a macro
   for a zp_inline_* function that reads the fields below, which the engine
   sets before each init() and compute(). With engine.check_program, or
   when the fields do not hold the answer, they call the function of the
   same name, which checks. `(zp_get_f64) (v)`, the name in parentheses,
   calls the function itself, and defining ZP_NO_INLINE before including
   this header makes every call one: a program built so, with its
   api_version at 1 or 2, also runs on the engines of those versions.

   The fields are not API: a program reads them only through these calls,
   and they may change with ZP_API_VERSION, which is why an engine runs
   programs built for its version or an older one, never a newer one. */
typedef struct {
    uint32_t superstep;
    bool checked;  /* engine.check_program: every call goes to the function */
    bool combined; /* messages are combined: at most one, at zp_vertex_t.message */
    uint64_t vertex_count;
    void *state;
    const zp_value_t *aggregated; /* the previous superstep's aggregators */
    size_t n_aggregators;
    /* API version 5: the values the neighbours had when the previous
       superstep ended, by handle (ZP_READS_NEIGHBOURS from superstep 1 on,
       else NULL), and the edges to find them by. */
    const zp_value_t *view;
    const uint32_t *out_target;
    const uint64_t *in_offset; /* by the vertex's index in its worker */
    const uint32_t *in_source;
    /* API version 7: the worker's values and its range of handles
       [local_lo, local_lo + local_n), for zp_local_value; whether the
       graph is directed (in-edges are the out-edges when it is not). */
    zp_value_t *local_values;
    size_t local_words;
    uint32_t local_lo, local_n;
    bool directed;
} zp_vertex_step_t;

struct zp_partition_s;
struct zp_lane_s;
struct zp_vertex_s {
    const zp_vertex_step_t *step;
    zp_value_t *value;          /* its value: a scalar, or the words of a struct */
    const zp_value_t *message;  /* combined: its message, or NULL */
    const uint64_t *out_offset; /* its out-edges are [out_offset[0], out_offset[1]) */
    uint8_t *halted;
    /* The engine's own. */
    struct zp_partition_s *p;
    struct zp_lane_s *lane;
    uint32_t v;
};

static inline uint32_t zp_inline_superstep (const zp_vertex_t *v)
{
    return v->step->superstep;
}
static inline uint64_t zp_inline_vertex_count (const zp_vertex_t *v)
{
    return v->step->vertex_count;
}
static inline void *zp_inline_state (const zp_vertex_t *v)
{
    return v->step->state;
}
static inline void *zp_inline_value (zp_vertex_t *v)
{
    return v->value;
}
static inline const void *zp_inline_value_const (const zp_vertex_t *v)
{
    return v->value;
}
static inline size_t zp_inline_out_degree (const zp_vertex_t *v)
{
    return (size_t) (v->out_offset[1] - v->out_offset[0]);
}
static inline void zp_inline_vote_to_halt (zp_vertex_t *v)
{
    *v->halted = 1;
}
static inline size_t zp_inline_message_count (const zp_vertex_t *v)
{
    return v->step->combined ? v->message != NULL : (zp_message_count) (v);
}

#define ZP_INLINE_GET(type, member)                                                                \
    static inline type zp_inline_get_##member (const zp_vertex_t *v)                               \
    {                                                                                              \
        return v->step->checked ? (zp_get_##member) (v) : v->value->member;                        \
    }                                                                                              \
    static inline void zp_inline_set_##member (zp_vertex_t *v, type value)                         \
    {                                                                                              \
        if (v->step->checked)                                                                      \
            (zp_set_##member) (v, value);                                                          \
        else                                                                                       \
            v->value->member = value;                                                              \
    }                                                                                              \
    static inline type zp_inline_message_##member (const zp_vertex_t *v, size_t i)                 \
    {                                                                                              \
        if (!v->step->checked && v->message && i == 0)                                             \
            return v->message->member;                                                             \
        return (zp_message_##member) (v, i);                                                       \
    }                                                                                              \
    static inline type zp_inline_aggregated_##member (const zp_vertex_t *v, size_t index)          \
    {                                                                                              \
        if (!v->step->checked && index < v->step->n_aggregators)                                   \
            return v->step->aggregated[index].member;                                              \
        return (zp_aggregated_##member) (v, index);                                                \
    }
#define ZP_INLINE_NEIGHBOUR(type, member)                                                          \
    static inline type zp_inline_out_value_##member (const zp_vertex_t *v, size_t i)               \
    {                                                                                              \
        if (!v->step->checked && v->step->view)                                                    \
            return v->step->view[v->step->out_target[v->out_offset[0] + i]].member;                \
        return (zp_out_value_##member) (v, i);                                                     \
    }                                                                                              \
    static inline type zp_inline_in_value_##member (const zp_vertex_t *v, size_t i)                \
    {                                                                                              \
        if (!v->step->checked && v->step->view)                                                    \
            return v->step->view[v->step->in_source[v->step->in_offset[v->v] + i]].member;         \
        return (zp_in_value_##member) (v, i);                                                      \
    }
static inline const zp_handle_t *zp_inline_out_targets (const zp_vertex_t *v)
{
    return v->step->out_target + v->out_offset[0];
}
/* In-edges: their own CSR in a directed graph (ZP_NEEDS_IN_EDGES), the
   out-edges in an undirected one; the function says what is missing. */
static inline size_t zp_inline_in_degree (const zp_vertex_t *v)
{
    const zp_vertex_step_t *s = v->step;
    if (!s->checked && s->in_offset)
        return (size_t) (s->in_offset[v->v + 1] - s->in_offset[v->v]);
    if (!s->checked && !s->directed)
        return zp_inline_out_degree (v);
    return (zp_in_degree) (v);
}
static inline const zp_handle_t *zp_inline_in_sources (const zp_vertex_t *v)
{
    const zp_vertex_step_t *s = v->step;
    if (!s->checked && s->in_offset)
        return s->in_source + s->in_offset[v->v];
    if (!s->checked && !s->directed)
        return zp_inline_out_targets (v);
    return (zp_in_sources) (v);
}
static inline zp_handle_t zp_inline_local_first (const zp_vertex_t *v)
{
    return v->step->local_lo;
}
static inline size_t zp_inline_local_count (const zp_vertex_t *v)
{
    return v->step->local_n;
}
static inline void *zp_inline_local_value (zp_vertex_t *v, zp_handle_t h)
{
    const zp_vertex_step_t *s = v->step;
    if (s->checked)
        return (zp_local_value) (v, h);
    return (uint32_t) (h - s->local_lo) < s->local_n
               ? s->local_values + (size_t) (h - s->local_lo) * s->local_words
               : NULL;
}

ZP_INLINE_NEIGHBOUR (double, f64)
ZP_INLINE_NEIGHBOUR (int64_t, i64)
ZP_INLINE_NEIGHBOUR (uint64_t, u64)
#undef ZP_INLINE_NEIGHBOUR

ZP_INLINE_GET (double, f64)
ZP_INLINE_GET (int64_t, i64)
ZP_INLINE_GET (uint64_t, u64)
#undef ZP_INLINE_GET

#ifndef ZP_NO_INLINE
#define zp_superstep(v)         zp_inline_superstep (v)
#define zp_vertex_count(v)      zp_inline_vertex_count (v)
#define zp_state(v)             zp_inline_state (v)
#define zp_value(v)             zp_inline_value (v)
#define zp_value_const(v)       zp_inline_value_const (v)
#define zp_out_degree(v)        zp_inline_out_degree (v)
#define zp_vote_to_halt(v)      zp_inline_vote_to_halt (v)
#define zp_message_count(v)     zp_inline_message_count (v)
#define zp_get_f64(v)           zp_inline_get_f64 (v)
#define zp_get_i64(v)           zp_inline_get_i64 (v)
#define zp_get_u64(v)           zp_inline_get_u64 (v)
#define zp_set_f64(v, x)        zp_inline_set_f64 (v, x)
#define zp_set_i64(v, x)        zp_inline_set_i64 (v, x)
#define zp_set_u64(v, x)        zp_inline_set_u64 (v, x)
#define zp_message_f64(v, i)    zp_inline_message_f64 (v, i)
#define zp_message_i64(v, i)    zp_inline_message_i64 (v, i)
#define zp_message_u64(v, i)    zp_inline_message_u64 (v, i)
#define zp_aggregated_f64(v, i) zp_inline_aggregated_f64 (v, i)
#define zp_aggregated_i64(v, i) zp_inline_aggregated_i64 (v, i)
#define zp_aggregated_u64(v, i) zp_inline_aggregated_u64 (v, i)
#define zp_out_value_f64(v, i)  zp_inline_out_value_f64 (v, i)
#define zp_out_value_i64(v, i)  zp_inline_out_value_i64 (v, i)
#define zp_out_value_u64(v, i)  zp_inline_out_value_u64 (v, i)
#define zp_in_value_f64(v, i)   zp_inline_in_value_f64 (v, i)
#define zp_in_value_i64(v, i)   zp_inline_in_value_i64 (v, i)
#define zp_in_value_u64(v, i)   zp_inline_in_value_u64 (v, i)
#define zp_out_targets(v)       zp_inline_out_targets (v)
#define zp_in_degree(v)         zp_inline_in_degree (v)
#define zp_in_sources(v)        zp_inline_in_sources (v)
#define zp_local_value(v, h)    zp_inline_local_value (v, h)
#define zp_local_first(v)       zp_inline_local_first (v)
#define zp_local_count(v)       zp_inline_local_count (v)
#endif

#endif
