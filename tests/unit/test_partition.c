/*  The partition driven by hand, without a socket or a thread of a node:
    the graph placed as the master places it (zp_layout), one ASSIGN per
    worker decoded into a zp_partition, and supersteps run as a worker and
    a master would run them. Batches go from a partition's flush callback
    straight into the receiver's inbox, in (source, sequence) order, and
    the aggregators are combined here. The answers of the six Graphalytics
    algorithms must match the LDBC reference outputs on any number of
    partitions and threads, whichever message path the program takes:
    combined (BFS, WCC, PageRank, SSSP), listed (CDLP) or bytes (LCC). */
#include "zp_test.h"
#include "zp_batch.h"
#include "zp_graph.h"
#include "zp_layout.h"
#include "zp_partition.h"
#include "zp_properties.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>

/* A batch in flight: the encoded frame, as a worker would send it. */
typedef struct {
    uint32_t dst;
    uint8_t *frame;
    size_t size;
} s_flight_t;

typedef struct {
    uint32_t n;
    zp_partition_t *parts[4];
    uint64_t next_seq[4][4]; /* [src][dst] */
    uint32_t src;            /* the partition computing */
    s_flight_t *flights;
    size_t n_flights, cap_flights;
    zp_cbor_writer_t w;
} s_cluster_t;

static int s_flush (void *ctx, uint32_t dst, const zp_batch_out_t *batch)
{
    s_cluster_t *c = ctx;
    cr_assert_neq (dst, c->src, "a partition never flushes to itself");
    zp_batch_out_t out = *batch;
    out.header.seq = c->next_seq[c->src][dst]++;
    cr_assert_eq (zp_batch_encode (&out, NULL, 0, &c->w), 0);
    if (c->n_flights == c->cap_flights) {
        c->cap_flights = c->cap_flights ? 2 * c->cap_flights : 64;
        c->flights = realloc (c->flights, c->cap_flights * sizeof *c->flights);
        cr_assert_not_null (c->flights);
    }
    s_flight_t *f = &c->flights[c->n_flights++];
    f->dst = dst;
    f->size = c->w.size;
    f->frame = malloc (f->size);
    cr_assert_not_null (f->frame);
    memcpy (f->frame, c->w.data, f->size);
    return 0;
}

static void s_tick (void *ctx, uint64_t progress)
{
    (void) ctx;
    (void) progress;
}

/* The program's parameters as the job resolves them from a dataset: the
   property, else the program's fallback. */
static void s_params (const zp_program_t *prog, const zp_properties_t *props, uint64_t *raw)
{
    for (size_t i = 0; i < prog->n_params; i++) {
        const zp_param_def_t *d = &prog->params[i];
        const char *text = d->property ? zp_properties_get (props, d->property) : NULL;
        zp_value_t v = d->fallback;
        if (text && d->type == ZP_F64)
            v.f64 = strtod (text, NULL);
        else if (text && d->type == ZP_I64)
            v.i64 = strtoll (text, NULL, 10);
        else if (text)
            v.u64 = strtoull (text, NULL, 10);
        cr_assert (text || !d->required, "%s needs %s", prog->name, d->property);
        raw[i] = v.bits;
    }
}

/* Set: s_run runs the inline calls (engine.check_program off). */
static bool s_unchecked;

/* Runs `algo` on the LDBC dataset `name` (tests/data/ldbc/NAME/NAME) over
   `n` partitions computing on `threads` threads each, with batches of
   `batch_bytes`, and checks the output against the dataset's reference
   by the Graphalytics rule `rule` (unless `upper`, the reference's
   suffix, is NULL). Returns the output's text (the caller frees it). */
static char *s_run (const char *name, const char *algo, const char *upper, const char *rule,
                    uint32_t n, uint32_t threads, uint64_t batch_bytes, bool pull)
{
    char path[512], err[1024];
    snprintf (path, sizeof path, "tests/data/ldbc/%s/%s.properties", name, name);
    const zp_program_t *prog = zp_program_find (algo);
    cr_assert_not_null (prog, "%s", algo);
    zp_properties_t *props = NULL;
    const char *weight = (prog->flags & ZP_NEEDS_WEIGHTS) ? "weight" : NULL;
    zp_graph_source_t src = {zp_test_path (path), ZP_FORMAT_AUTO, -1, weight, false, 0, NULL};
    zp_graph_t *g = zp_graph_load (&src, &props, err, sizeof err);
    cr_assert_not_null (g, "%s", err);
    if (zp_program_in_edges (prog))
        cr_assert_eq (zp_graph_build_in_edges (g), 0);
    uint64_t params[ZP_MAX_PARAMS];
    s_params (prog, props, params);
    zp_placement_t how = {.vertices = ZP_BALANCE_HASH, .workers = ZP_BALANCE_ROUND_ROBIN};
    zp_layout_t *layout = zp_layout_new (g, n, n, &how);
    cr_assert_not_null (layout);

    s_cluster_t c = {.n = n};
    zp_cbor_writer_init (&c.w, 1 << 12);
    zp_cbor_writer_t aw;
    zp_cbor_writer_init (&aw, 1 << 12);
    const char *peers[4] = {"", "", "", ""};
    zp_assign_t base = {.job = 7,
                        .directed = g->directed,
                        .program = algo,
                        .params = (const uint8_t *) params,
                        .n_params = prog->n_params,
                        .peers = peers,
                        .settings = {.batch_bytes = batch_bytes,
                                     .compress = ZP_COMPRESS_OFF,
                                     .max_supersteps = 1000,
                                     .check_program = s_unchecked ? 0 : 1,
                                     .threads = threads,
                                     .pull = pull}};
    for (uint32_t w = 0; w < n; w++) {
        cr_assert_eq (zp_layout_encode_assign (layout, g, w, &base, &aw), 0);
        zp_assign_t a;
        cr_assert_eq (zp_assign_decode (aw.data, aw.size, &a), 0);
        c.parts[w] = zp_partition_new (&a, prog, err, sizeof err);
        cr_assert_not_null (c.parts[w], "worker %u: %s", w, err);
    }

    /* Supersteps: begin with the aggregates, deliver the batches of the
       superstep before in (source, sequence) order, compute; until every
       vertex has halted and no message is on its way. */
    size_t n_aggs = prog->n_aggregators;
    zp_value_t aggs[ZP_MAX_AGGREGATORS] = {{0}};
    for (size_t k = 0; k < n_aggs; k++)
        aggs[k] = zp_combiner_identity (prog->aggregators[k].op, prog->aggregators[k].type);
    uint64_t sent[4], received[5];
    uint32_t step = 0;
    for (;; step++) {
        cr_assert_lt (step, 1000, "%s on %s does not end", algo, name);
        s_flight_t *flights = c.flights;
        size_t n_flights = c.n_flights;
        c.flights = NULL;
        c.n_flights = c.cap_flights = 0;
        uint64_t active = 0, messages = 0;
        zp_value_t next[ZP_MAX_AGGREGATORS];
        for (size_t k = 0; k < n_aggs; k++)
            next[k] =
                (prog->persistent_aggregators & (1u << k))
                    ? aggs[k]
                    : zp_combiner_identity (prog->aggregators[k].op, prog->aggregators[k].type);
        for (uint32_t w = 0; w < n; w++) {
            zp_partition_begin (c.parts[w], step, (const uint8_t *) aggs, n_aggs);
            for (size_t i = 0; i < n_flights; i++) {
                if (flights[i].dst != w)
                    continue;
                zp_batch_view_t view;
                cr_assert_eq (zp_batch_decode (flights[i].frame, flights[i].size, NULL, &view), 0);
                cr_assert_eq (view.header.step, step - 1, "a batch of the superstep before");
                cr_assert_eq (zp_partition_check_batch (c.parts[w], &view), 0);
                cr_assert_eq (zp_partition_deliver (c.parts[w], &view), 0);
            }
        }
        for (size_t i = 0; i < n_flights; i++)
            free (flights[i].frame);
        free (flights);
        for (uint32_t w = 0; w < n; w++) {
            c.src = w;
            zp_step_stats_t stats = {.sent = sent, .received = received};
            cr_assert_eq (zp_partition_compute (c.parts[w], s_flush, s_tick, &c, &stats), 0, "%s",
                          zp_partition_error (c.parts[w]));
            active += stats.active;
            messages += stats.messages;
            for (size_t k = 0; k < n_aggs; k++)
                zp_combiner_apply (prog->aggregators[k].op, prog->aggregators[k].type, &next[k],
                                   stats.aggregates[k]);
        }
        memcpy (aggs, next, sizeof next);
        if (active == 0 && messages == 0)
            break;
    }

    /* The values by vertex index, written as the job writes them. */
    size_t words = zp_program_value_words (prog);
    zp_value_t *values = calloc (g->n * words, sizeof *values);
    cr_assert_not_null (values);
    for (uint32_t w = 0; w < n; w++) {
        const zp_value_t *mine = zp_partition_values (c.parts[w]);
        for (uint32_t h = layout->ranges[w]; h < layout->ranges[w + 1]; h++)
            memcpy (&values[(size_t) layout->index_of[h] * words],
                    &mine[(size_t) (h - layout->ranges[w]) * words], words * sizeof *values);
    }
    char out[4200], ref[600], msg[1024];
    snprintf (out, sizeof out, "%s/%s.out", zp_test_tmpdir (), algo);
    snprintf (ref, sizeof ref, "tests/data/ldbc/%s/%s-%s", name, name, upper);
    if (prog->result && !prog->format) {
        for (uint64_t i = 0; i < g->n; i++)
            values[i] = prog->result (&values[i * words]);
        words = 1;
    }
    if (prog->format)
        cr_assert_eq (
            zp_graph_write_formatted (g, values, words, prog->format, out, err, sizeof err), 0,
            "%s", err);
    else
        cr_assert_eq (
            zp_graph_write_values (g, values, zp_program_result_type (prog), out, err, sizeof err),
            0, "%s", err);
    cr_assert (!upper || zp_test_validate (out, zp_test_path (ref), rule, msg, sizeof msg) == 0,
               "%s on %s, %u partitions x %u threads, batches of %" PRIu64 " bytes: %s", algo, name,
               n, threads, batch_bytes, msg);

    char *text = zp_test_read (out, NULL);
    free (values);
    for (uint32_t w = 0; w < n; w++)
        zp_partition_destroy (&c.parts[w]);
    zp_cbor_writer_free (&c.w);
    zp_cbor_writer_free (&aw);
    zp_layout_destroy (&layout);
    zp_graph_destroy (&g);
    zp_properties_destroy (&props);
    return text;
}

/* Every algorithm on its LDBC test graphs, directed and undirected, on 1
   to 4 partitions, with batches small enough that a superstep flushes
   many. */
static void s_every_size (const char *algo, const char *upper, const char *rule, uint32_t threads,
                          bool pull)
{
    const char *kinds[] = {"directed", "undirected"};
    for (int k = 0; k < 2; k++) {
        char test[64], example[64];
        snprintf (test, sizeof test, "test-%s-%s", algo, kinds[k]);
        snprintf (example, sizeof example, "example-%s", kinds[k]);
        for (uint32_t n = 1; n <= 4; n++) {
            free (s_run (test, algo, upper, rule, n, threads, 64, pull));
            free (s_run (example, algo, upper, rule, n, threads, n == 4 ? 1 << 16 : 64, pull));
        }
    }
}

Test (partition, bfs_matches_ldbc_on_one_to_four_partitions)
{
    s_every_size ("bfs", "BFS", "exact", 1, false);
}

Test (partition, bfs_pulled_on_two_threads_matches_ldbc)
{
    s_every_size ("bfs", "BFS", "exact", 2, true);
}

Test (partition, wcc_matches_ldbc_on_one_to_four_partitions)
{
    s_every_size ("wcc", "WCC", "equivalence", 2, false);
}

Test (partition, pagerank_matches_ldbc_on_one_to_four_partitions)
{
    s_every_size ("pr", "PR", "epsilon", 2, true);
}

Test (partition, sssp_matches_ldbc_on_one_to_four_partitions)
{
    s_every_size ("sssp", "SSSP", "epsilon", 1, false);
}

Test (partition, cdlp_reading_its_neighbours_matches_ldbc_on_one_to_four_partitions)
{
    /* Labels read in place: the other partitions' through mirror batches. */
    s_every_size ("cdlp", "CDLP", "equivalence", 1, false);
    s_every_size ("cdlp", "CDLP", "equivalence", 3, false);
}

Test (partition, lcc_byte_messages_match_ldbc_on_one_to_four_partitions)
{
    s_every_size ("lcc", "LCC", "epsilon", 1, false);
}

/* A listed program whose answer depends on the order its messages arrive
   in: each vertex sends its id to its out-neighbours, and each folds what
   it received, in order, into a hash. */
static void s_order_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_send_out_u64 (v, zp_id (v));
        return;
    }
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < zp_message_count (v); i++)
        h = (h ^ zp_message_u64 (v, i)) * 1099511628211ull;
    zp_set_u64 (v, h);
    zp_vote_to_halt (v);
}

static const zp_program_t s_order_program = {
    .api_version = ZP_API_VERSION,
    .name = "t-order",
    .value_type = ZP_U64,
    .message_type = ZP_U64,
    .flags = ZP_THREAD_SAFE,
    .compute = s_order_compute,
};

Test (partition, listed_and_byte_messages_on_three_threads_give_the_bytes_of_one)
{
    /* Each thread takes a range of the vertices; what the later ones send
       follows what the first sent, so receivers see one thread's order. */
    char err[256];
    if (!zp_program_find ("t-order"))
        cr_assert_eq (zp_program_register (&s_order_program, err, sizeof err), 0, "%s", err);
    const char *algos[][3] = {
        {"t-order", NULL, NULL}, {"cdlp", "CDLP", "equivalence"}, {"lcc", "LCC", "epsilon"}};
    const char *graphs[] = {"example-directed", "example-undirected", "test-cdlp-directed",
                            "test-lcc-undirected"};
    for (size_t a = 0; a < 3; a++)
        for (size_t k = 0; k < 4; k++) {
            if (strstr (graphs[k], "test-") && !strstr (graphs[k], algos[a][0]))
                continue;
            for (uint32_t n = 1; n <= 3; n++) {
                char *one =
                    s_run (graphs[k], algos[a][0], algos[a][1], algos[a][2], n, 1, 64, false);
                char *three =
                    s_run (graphs[k], algos[a][0], algos[a][1], algos[a][2], n, 3, 64, false);
                cr_assert (one && three && strcmp (one, three) == 0,
                           "%s on %s, %u partitions: 3 threads differ from 1:\n%s\n%s", algos[a][0],
                           graphs[k], n, one, three);
                free (one);
                free (three);
            }
        }
}

/* A min-combined program whose dense supersteps send one value from
   every sender (a gather may stop at a target's first sender), then mixed
   values (it may not), then one value from some senders; each vertex
   keeps the digits of what it received. */
static void s_levels_compute (zp_vertex_t *v)
{
    uint32_t step = zp_superstep (v);
    if (step > 0) {
        int64_t got = zp_message_count (v) ? zp_message_i64 (v, 0) : 0;
        zp_set_i64 (v, zp_get_i64 (v) * 10 + got);
    }
    uint64_t id = zp_id (v);
    if (step == 0)
        zp_send_out_i64 (v, 4);
    else if (step == 1)
        zp_send_out_i64 (v, (int64_t) (id % 3) + 1);
    else if (step == 2 && id % 2 == 0)
        zp_send_out_i64 (v, 9);
    else if (step == 3)
        zp_send_out_i64 (v, id < 6 ? 5 : 7);
    if (step == 4)
        zp_vote_to_halt (v);
}

static const zp_program_t s_levels_program = {
    .api_version = ZP_API_VERSION,
    .name = "t-levels",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_MIN,
    .flags = ZP_THREAD_SAFE,
    .compute = s_levels_compute,
};

Test (partition, a_min_gather_that_stops_at_a_first_sender_gives_what_pushing_gives)
{
    char err[256];
    if (!zp_program_find ("t-levels"))
        cr_assert_eq (zp_program_register (&s_levels_program, err, sizeof err), 0, "%s", err);
    const char *graphs[] = {"example-directed", "example-undirected", "test-bfs-directed",
                            "test-bfs-undirected"};
    for (size_t k = 0; k < 4; k++)
        for (uint32_t n = 1; n <= 3; n++) {
            char *pushed = s_run (graphs[k], "t-levels", NULL, NULL, n, 1, 64, false);
            for (uint32_t threads = 1; threads <= 3; threads++) {
                char *pulled = s_run (graphs[k], "t-levels", NULL, NULL, n, threads, 64, true);
                cr_assert (pushed && pulled && strcmp (pushed, pulled) == 0,
                           "%s, %u partitions x %u threads: pulled differs from pushed:\n%s\n%s",
                           graphs[k], n, threads, pushed, pulled);
                free (pulled);
            }
            free (pushed);
        }
}

/* Label-correcting programs, each with and without ZP_MONOTONE, that
   count the messages they were given that were no better than their
   value: a min of mixed labels (as WCC: the gather combines what the
   senders sent), and depths from several sources (as BFS: every sender
   of a superstep sends one value, and the gather stops at a first one).
   With the flag, a pull leaves such messages out; the output is the same. */
static _Atomic uint64_t s_not_better;

static void s_note (zp_vertex_t *v)
{
    if (zp_message_count (v) && zp_message_i64 (v, 0) >= zp_get_i64 (v))
        atomic_fetch_add (&s_not_better, 1);
}

static void s_mins_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_set_i64 (v, 1000 + (int64_t) (zp_id (v) * 7 % 13));
        zp_send_out_i64 (v, zp_get_i64 (v));
    } else {
        s_note (v);
        if (zp_message_count (v) && zp_message_i64 (v, 0) < zp_get_i64 (v)) {
            zp_set_i64 (v, zp_message_i64 (v, 0));
            zp_send_out_i64 (v, zp_get_i64 (v));
        }
    }
    zp_vote_to_halt (v);
}

static void s_depths_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_set_i64 (v, zp_id (v) % 5 == 0 ? 0 : INT64_MAX);
        if (zp_get_i64 (v) == 0)
            zp_send_out_i64 (v, 1);
    } else {
        s_note (v);
        if (zp_message_count (v) && zp_message_i64 (v, 0) < zp_get_i64 (v)) {
            zp_set_i64 (v, zp_message_i64 (v, 0));
            zp_send_out_i64 (v, zp_get_i64 (v) + 1);
        }
    }
    zp_vote_to_halt (v);
}

#define S_CORRECTING(NAME, COMPUTE, FLAGS)                                                         \
    {                                                                                              \
        .api_version = ZP_API_VERSION, .name = NAME, .value_type = ZP_I64, .message_type = ZP_I64, \
        .combiner = ZP_COMBINE_MIN, .flags = ZP_THREAD_SAFE | (FLAGS), .compute = COMPUTE          \
    }
static const zp_program_t s_correcting[] = {
    S_CORRECTING ("t-mins", s_mins_compute, 0),
    S_CORRECTING ("t-mins-monotone", s_mins_compute, ZP_MONOTONE),
    S_CORRECTING ("t-depths", s_depths_compute, 0),
    S_CORRECTING ("t-depths-monotone", s_depths_compute, ZP_MONOTONE),
};

Test (partition, a_pull_leaves_out_the_messages_that_cannot_better_a_monotone_programs_value)
{
    char err[256];
    for (size_t k = 0; k < 4; k++)
        cr_assert_eq (zp_program_register (&s_correcting[k], err, sizeof err), 0, "%s", err);
    const char *graphs[] = {"example-directed", "example-undirected", "test-bfs-directed",
                            "test-wcc-undirected"};
    uint64_t left_out[4] = {0};
    for (size_t k = 0; k < 4; k++)
        for (size_t p = 0; p < 4; p += 2)
            for (uint32_t n = 1; n <= 3; n++)
                for (uint32_t threads = 1; threads <= 2; threads++)
                    for (int pull = 0; pull < 2; pull++) {
                        const char *plain = s_correcting[p].name, *mono = s_correcting[p + 1].name;
                        atomic_store (&s_not_better, 0);
                        char *a = s_run (graphs[k], plain, NULL, NULL, n, threads, 64, pull);
                        uint64_t without = atomic_load (&s_not_better);
                        atomic_store (&s_not_better, 0);
                        char *b = s_run (graphs[k], mono, NULL, NULL, n, threads, 64, pull);
                        cr_assert (a && b && strcmp (a, b) == 0,
                                   "%s on %s, %u partitions x %u threads, pull %d: the output "
                                   "differs without the messages that cannot better a value",
                                   mono, graphs[k], n, threads, pull);
                        uint64_t with = atomic_load (&s_not_better);
                        cr_assert_leq (with, without,
                                       "%s on %s, %u partitions x %u threads, pull %d: %" PRIu64
                                       " messages that could not better the value, %" PRIu64
                                       " without the flag",
                                       mono, graphs[k], n, threads, pull, with, without);
                        if (!pull)
                            cr_assert_eq (with, without, "%s: only a pull leaves them out", mono);
                        left_out[p] += without - with;
                        free (a);
                        free (b);
                    }
    /* Pulls left such messages out, of both programs. */
    cr_assert (left_out[0] > 0 && left_out[2] > 0, "no message left out: %" PRIu64 ", %" PRIu64,
               left_out[0], left_out[2]);
}

Test (partition, a_monotone_program_must_keep_to_a_min_or_max_of_its_own_type)
{
    char err[256];
    zp_program_t p = s_correcting[1];
    cr_assert_eq (zp_program_check (&p, err, sizeof err), 0, "%s", err);
    p.combiner = ZP_COMBINE_SUM;
    cr_assert_neq (zp_program_check (&p, err, sizeof err), 0);
    cr_assert (strstr (err, "ZP_MONOTONE needs"), "%s", err);
    p = s_correcting[1];
    p.message_type = ZP_F64;
    cr_assert_neq (zp_program_check (&p, err, sizeof err), 0);
    p = s_correcting[1];
    p.api_version = 5;
    cr_assert_neq (zp_program_check (&p, err, sizeof err), 0);
    cr_assert (strstr (err, "API version 6"), "%s", err);
}

/* zp_send_out_plus_weight gives what a zp_send_f64 an out-edge gives, on
   the listed path (no combiner), summed, and under a min. */
static void s_weighted (zp_vertex_t *v, bool fused)
{
    if (zp_superstep (v) == 0) {
        double base = (double) (zp_id (v) % 7) + 0.5;
        if (fused)
            zp_send_out_plus_weight (v, base);
        else
            for (size_t i = 0; i < zp_out_degree (v); i++)
                zp_send_f64 (v, zp_out_target (v, i), base + zp_out_weight (v, i));
        return;
    }
    double x = 0;
    for (size_t i = 0; i < zp_message_count (v); i++)
        x = x * 3 + zp_message_f64 (v, i); /* the order shows */
    zp_set_f64 (v, x);
    zp_vote_to_halt (v);
}
static void s_weighted_loop (zp_vertex_t *v)
{
    s_weighted (v, false);
}
static void s_weighted_fused (zp_vertex_t *v)
{
    s_weighted (v, true);
}

#define S_WEIGHTED(NAME, COMPUTE, COMBINER)                                                        \
    {                                                                                              \
        .api_version = ZP_API_VERSION, .name = NAME, .value_type = ZP_F64, .message_type = ZP_F64, \
        .combiner = COMBINER, .flags = ZP_THREAD_SAFE | ZP_NEEDS_WEIGHTS, .compute = COMPUTE       \
    }
static const zp_program_t s_weighted_programs[] = {
    S_WEIGHTED ("t-w-listed", s_weighted_loop, ZP_COMBINE_NONE),
    S_WEIGHTED ("t-w-listed-fused", s_weighted_fused, ZP_COMBINE_NONE),
    S_WEIGHTED ("t-w-sum", s_weighted_loop, ZP_COMBINE_SUM),
    S_WEIGHTED ("t-w-sum-fused", s_weighted_fused, ZP_COMBINE_SUM),
    S_WEIGHTED ("t-w-min", s_weighted_loop, ZP_COMBINE_MIN),
    S_WEIGHTED ("t-w-min-fused", s_weighted_fused, ZP_COMBINE_MIN),
};

Test (partition, sending_plus_each_weight_gives_what_a_send_an_edge_gives)
{
    char err[256];
    for (size_t k = 0; k < 6; k++)
        cr_assert_eq (zp_program_register (&s_weighted_programs[k], err, sizeof err), 0, "%s", err);
    for (size_t k = 0; k < 6; k += 2)
        for (uint32_t n = 1; n <= 3; n++)
            for (uint32_t threads = 1; threads <= 2; threads++) {
                const char *loop = s_weighted_programs[k].name;
                const char *fused = s_weighted_programs[k + 1].name;
                char *a = s_run ("example-directed", loop, NULL, NULL, n, threads, 64, true);
                char *b = s_run ("example-directed", fused, NULL, NULL, n, threads, 64, true);
                cr_assert (a && b && strcmp (a, b) == 0,
                           "%s on %u partitions x %u threads:\n%s\nagainst %s:\n%s", fused, n,
                           threads, b, loop, a);
                free (a);
                free (b);
            }
}

/* API version 7: reading the values of the worker's vertices in place
   (zp_local_value) and sending to a list (zp_send_each_u64) gives what a
   message along every edge gives. Each vertex sums its in-neighbours'
   3 id + 1: from a message an edge, or by reading the in-neighbours on its
   worker in place, with messages from the others only. */
typedef struct {
    uint64_t mine, sum;
} s_sum_t;
static void s_sum (zp_vertex_t *v, bool local)
{
    s_sum_t *s = zp_value (v);
    zp_handle_t first = zp_local_first (v);
    size_t count = zp_local_count (v);
    if (zp_superstep (v) == 0) {
        s->mine = zp_id (v) * 3 + 1;
        if (!local) {
            zp_send_out_u64 (v, s->mine);
            return;
        }
        size_t n = 0, out = zp_out_degree (v);
        zp_handle_t *far = zp_scratch (v, (out + 1) * sizeof *far);
        const zp_handle_t *t = zp_out_targets (v);
        for (size_t i = 0; i < out; i++)
            if ((zp_handle_t) (t[i] - first) >= count)
                far[n++] = t[i];
        zp_send_each_u64 (v, far, n, s->mine);
        return; /* awake into superstep 1 */
    }
    s->sum = zp_message_count (v) ? zp_message_u64 (v, 0) : 0;
    const zp_handle_t *src = zp_in_sources (v);
    for (size_t i = 0; local && i < zp_in_degree (v); i++) {
        const s_sum_t *u = zp_local_value (v, src[i]);
        bool here = (zp_handle_t) (src[i] - first) < count;
        if (here != (u != NULL))
            s->sum += (uint64_t) 1 << 40; /* shows in the output */
        else if (u)
            s->sum += u->mine;
    }
    zp_vote_to_halt (v);
}
static void s_sum_sent (zp_vertex_t *v)
{
    s_sum (v, false);
}
static void s_sum_local (zp_vertex_t *v)
{
    s_sum (v, true);
}
static int s_sum_format (const void *value, char *buf, size_t len)
{
    return snprintf (buf, len, "%llu", (unsigned long long) ((const s_sum_t *) value)->sum);
}
#define S_SUM(NAME, COMPUTE)                                                                       \
    {                                                                                              \
        .api_version = ZP_API_VERSION, .name = NAME, .value_type = ZP_STRUCT,                      \
        .message_type = ZP_U64, .combiner = ZP_COMBINE_SUM,                                        \
        .flags = ZP_THREAD_SAFE | ZP_NEEDS_IN_EDGES, .compute = COMPUTE,                           \
        .value_size = sizeof (s_sum_t), .format = s_sum_format                                     \
    }
static const zp_program_t s_sum_programs[] = {S_SUM ("t-sum-sent", s_sum_sent),
                                              S_SUM ("t-sum-local", s_sum_local)};

Test (partition, reading_the_workers_values_in_place_gives_what_messages_give)
{
    char err[256];
    for (size_t k = 0; k < 2; k++)
        cr_assert_eq (zp_program_register (&s_sum_programs[k], err, sizeof err), 0, "%s", err);
    const char *graphs[] = {"example-directed", "example-undirected"};
    for (int unchecked = 0; unchecked <= 1; unchecked++)
        for (int g = 0; g < 2; g++)
            for (uint32_t n = 1; n <= 3; n++)
                for (uint32_t threads = 1; threads <= 2; threads++) {
                    s_unchecked = unchecked;
                    char *a = s_run (graphs[g], "t-sum-sent", NULL, NULL, n, threads, 64, false);
                    char *b = s_run (graphs[g], "t-sum-local", NULL, NULL, n, threads, 64, false);
                    s_unchecked = false;
                    cr_assert (a && b && strcmp (a, b) == 0,
                               "%s, %u partitions x %u threads%s:\n%s\nagainst messages:\n%s",
                               graphs[g], n, threads, unchecked ? ", unchecked" : "", b, a);
                    free (a);
                    free (b);
                }
}

/* result() names a struct value's answer: API version 7, struct values,
   a number type; with it a struct needs no format(). */
Test (partition, a_result_needs_a_struct_value_and_a_number_type)
{
    char err[256];
    zp_program_t p = *zp_program_find ("wcc");
    cr_assert_eq (zp_program_check (&p, err, sizeof err), 0, "%s", err);
    cr_assert_eq (zp_program_result_type (&p), ZP_U64);
    zp_program_t bad = p;
    bad.result_type = ZP_BYTES;
    cr_assert_neq (zp_program_check (&bad, err, sizeof err), 0);
    cr_assert (strstr (err, "result() needs"), "%s", err);
    bad = p;
    bad.api_version = 6;
    cr_assert_neq (zp_program_check (&bad, err, sizeof err), 0);
    cr_assert (strstr (err, "API version 7"), "%s", err);
    bad = p;
    bad.result = NULL;
    cr_assert_neq (zp_program_check (&bad, err, sizeof err), 0);
    cr_assert (strstr (err, "format or result"), "%s", err);
}

/* WCC's union-find inside each worker, with the inline calls. */
Test (partition, wcc_with_the_inline_calls_matches_ldbc)
{
    s_unchecked = true;
    s_every_size ("wcc", "WCC", "equivalence", 2, false);
    s_unchecked = false;
}

/* The ASSIGN of worker `w` of 2 of `algo` on the directed example graph
   (its in-edges loaded, the program's fallback parameters), placed by
   `vertices`: decoded into `a` from `aw`, which holds it. */
static void s_example_assign (const char *algo, uint32_t w, zp_balancer_t vertices,
                              zp_layout_t **layout_p, zp_cbor_writer_t *aw, zp_assign_t *a)
{
    char err[1024];
    const zp_program_t *prog = zp_program_find (algo);
    zp_graph_source_t src = {
        zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties"),
        ZP_FORMAT_AUTO,
        -1,
        NULL,
        false,
        0,
        NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    cr_assert_not_null (g, "%s", err);
    cr_assert_eq (zp_graph_build_in_edges (g), 0);
    zp_placement_t how = {.vertices = vertices, .workers = ZP_BALANCE_ROUND_ROBIN};
    *layout_p = zp_layout_new (g, 2, 2, &how);
    cr_assert_not_null (*layout_p);
    static uint64_t params[ZP_MAX_PARAMS];
    for (size_t i = 0; i < prog->n_params; i++)
        params[i] = prog->params[i].fallback.bits;
    static const char *peers[2] = {"", ""};
    zp_assign_t base = {.job = 1,
                        .directed = true,
                        .program = algo,
                        .params = (const uint8_t *) params,
                        .n_params = prog->n_params,
                        .peers = peers,
                        .settings = {.batch_bytes = 64, .threads = 1}};
    zp_cbor_writer_init (aw, 1 << 12);
    cr_assert_eq (zp_layout_encode_assign (*layout_p, g, w, &base, aw), 0);
    cr_assert_eq (zp_assign_decode (aw->data, aw->size, a), 0);
    zp_graph_destroy (&g);
}

Test (partition, an_assign_with_ranges_that_do_not_cover_the_graph_is_refused)
{
    char err[1024];
    zp_layout_t *layout;
    zp_cbor_writer_t w;
    zp_assign_t a;
    s_example_assign ("wcc", 0, ZP_BALANCE_HASH, &layout, &w, &a);
    uint32_t ranges[3] = {0, 3, 5}; /* the graph has 10 vertices */
    a.ranges = (const uint8_t *) ranges;
    cr_assert_null (zp_partition_new (&a, zp_program_find ("wcc"), err, sizeof err));
    cr_assert_str_eq (err, "ASSIGN: worker ranges do not cover the graph");
    zp_cbor_writer_free (&w);
    zp_layout_destroy (&layout);
}

/* Worker `w` of 2 of `algo` on the directed example graph, placed by range. */
static zp_partition_t *s_example_part (const char *algo, uint32_t w, zp_layout_t **layout_p)
{
    char err[1024];
    zp_cbor_writer_t aw;
    zp_assign_t a;
    s_example_assign (algo, w, ZP_BALANCE_RANGE, layout_p, &aw, &a);
    zp_partition_t *p = zp_partition_new (&a, zp_program_find (algo), err, sizeof err);
    cr_assert_not_null (p, "%s", err);
    zp_cbor_writer_free (&aw);
    return p;
}

/* A mirror batch from worker 0 to worker 1 with ids `ids`, decoded. */
static void s_mirror_batch (zp_type_t type, const zp_handle_t *ids, size_t n, zp_cbor_writer_t *w,
                            zp_batch_view_t *view)
{
    zp_value_t values[8] = {{0}};
    zp_batch_out_t b = {.header = {.job = 1,
                                   .step = 0,
                                   .src = 0,
                                   .dst = 1,
                                   .type = type,
                                   .flags = ZP_BATCH_MIRROR,
                                   .count = n},
                        .ids = ids,
                        .values = values};
    cr_assert_eq (zp_batch_encode (&b, NULL, 0, w), 0);
    cr_assert_eq (zp_batch_decode (w->data, w->size, NULL, view), 0);
    cr_assert_eq (view->header.flags, ZP_BATCH_MIRROR);
}

Test (partition, a_mirror_batch_is_checked_against_its_sender_and_the_program)
{
    /* Worker 1 of 2 (range placement: worker 0 owns the first handles). */
    zp_layout_t *layout;
    zp_partition_t *p = s_example_part ("cdlp", 1, &layout);
    uint32_t mid = layout->ranges[1];
    cr_assert_gt (mid, 1);
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 256);
    zp_batch_view_t view;
    zp_handle_t good[2] = {0, mid - 1}, theirs[1] = {mid}, past[1] = {100};
    s_mirror_batch (ZP_U64, good, 2, &w, &view);
    cr_assert_eq (zp_partition_check_batch (p, &view), 0);
    /* A handle that is not the sender's own, or not in the graph. */
    s_mirror_batch (ZP_U64, theirs, 1, &w, &view);
    cr_assert_eq (zp_partition_check_batch (p, &view), ZP_ERANGE);
    s_mirror_batch (ZP_U64, past, 1, &w, &view);
    cr_assert_eq (zp_partition_check_batch (p, &view), ZP_ERANGE);
    /* Values of another type than the program's. */
    s_mirror_batch (ZP_F64, good, 2, &w, &view);
    cr_assert_eq (zp_partition_check_batch (p, &view), ZP_ETYPE);
    zp_partition_destroy (&p);
    zp_layout_destroy (&layout);
    /* A program that reads no neighbour takes none. */
    p = s_example_part ("wcc", 1, &layout);
    s_mirror_batch (ZP_U64, good, 2, &w, &view);
    cr_assert_eq (zp_partition_check_batch (p, &view), ZP_ERANGE);
    zp_partition_destroy (&p);
    zp_layout_destroy (&layout);
    zp_cbor_writer_free (&w);
}
