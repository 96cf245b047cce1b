/*  Placement: hash partitions, jump consistent hash, contiguous handle ranges. */
#include "zp_test.h"
#include "zpregel/zp_layout.h"

Test (layout, jump_hash_moves_about_one_in_n_plus_one)
{
    const uint32_t keys = 20000;
    for (uint32_t n = 1; n < 12; n++) {
        uint32_t moved = 0;
        for (uint32_t k = 0; k < keys; k++) {
            uint32_t a = zp_jump_hash (k, n), b = zp_jump_hash (k, n + 1);
            cr_assert_lt (a, n);
            cr_assert_lt (b, n + 1);
            if (a != b) {
                cr_assert_eq (b, n, "a key may only move to the new bucket");
                moved++;
            }
        }
        double share = (double) moved / keys, ideal = 1.0 / (n + 1);
        cr_assert (share > ideal * 0.9 && share < ideal * 1.1, "n=%u: moved %.4f, ideal %.4f", n,
                   share, ideal);
    }
}

Test (layout, every_vertex_gets_one_handle_in_its_workers_range)
{
    char err[1024];
    zp_graph_source_t src = {
        zp_test_path ("tests/data/ldbc/test-pr-undirected/test-pr-undirected.properties"),
        ZP_FORMAT_AUTO, -1, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    cr_assert_not_null (g, "%s", err);
    for (uint32_t workers = 1; workers <= 5; workers++) {
        zp_layout_t *l = zp_layout_new (g, workers, 16 * workers);
        cr_assert_not_null (l);
        cr_assert_eq (l->ranges[0], 0);
        cr_assert_eq (l->ranges[workers], g->n);
        uint64_t edges = 0;
        for (uint32_t w = 0; w < workers; w++) {
            cr_assert_leq (l->ranges[w], l->ranges[w + 1]);
            edges += l->edges_of[w];
        }
        cr_assert_eq (edges, g->m);
        bool *seen = calloc (g->n, 1);
        for (uint64_t i = 0; i < g->n; i++) {
            uint32_t h = l->handle_of[i];
            cr_assert_lt (h, g->n);
            cr_assert_not (seen[h], "handle %u given twice", h);
            seen[h] = true;
            cr_assert_eq (l->index_of[h], i);
            /* The worker that owns the handle is the one its partition hashes to. */
            uint32_t part = (uint32_t) (zp_mix64 (g->ids[i]) % (16 * workers));
            uint32_t w = zp_jump_hash (part, workers);
            cr_assert (h >= l->ranges[w] && h < l->ranges[w + 1], "vertex %lu not on worker %u",
                       (unsigned long) g->ids[i], w);
        }
        free (seen);
        zp_layout_destroy (&l);
    }
    zp_graph_destroy (&g);
}
