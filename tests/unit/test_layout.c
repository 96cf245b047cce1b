/*  Placement: hash partitions, jump consistent hash, contiguous handle ranges. */
#include "zp_test.h"
#include "zp_layout.h"

#include <math.h>

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
        ZP_FORMAT_AUTO,
        -1,
        NULL,
        false,
        0,
        NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    cr_assert_not_null (g, "%s", err);
    for (uint32_t workers = 1; workers <= 5; workers++) {
        zp_layout_t *l = zp_layout_new (g, workers, 16 * workers, NULL);
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
            uint32_t part = zp_jump_hash (zp_mix64 (g->ids[i]), 16 * workers);
            uint32_t w = zp_jump_hash (zp_mix64 (part), workers);
            cr_assert (h >= l->ranges[w] && h < l->ranges[w + 1], "vertex %lu not on worker %u",
                       (unsigned long) g->ids[i], w);
        }
        free (seen);
        zp_layout_destroy (&l);
    }
    zp_graph_destroy (&g);
}

Test (balance, weighted_shares_follow_the_weights)
{
    /* 1000 items of uneven size onto 4 bins weighted 1:2:3:4. */
    size_t n = 1000;
    double *size = malloc (n * sizeof *size), load[4] = {0}, total = 0;
    uint64_t *keys = malloc (n * sizeof *keys);
    uint32_t *bin = malloc (n * sizeof *bin);
    for (size_t i = 0; i < n; i++) {
        keys[i] = i;
        size[i] = 1 + (double) (zp_mix64 (i) % 100);
        total += size[i];
    }
    double weights[4] = {1, 2, 3, 4};
    cr_assert_eq (zp_balance (ZP_BALANCE_WEIGHTED, keys, size, n, weights, 4, bin), 0);
    for (size_t i = 0; i < n; i++)
        load[bin[i]] += size[i];
    for (int b = 0; b < 4; b++) {
        double share = load[b] / total, want = weights[b] / 10;
        cr_assert (fabs (share - want) < 0.05 * want, "bin %d: share %.4f, weight share %.4f", b,
                   share, want);
    }
    free (size);
    free (keys);
    free (bin);
}

Test (balance, range_is_contiguous_and_balanced)
{
    size_t n = 10000;
    uint64_t *keys = malloc (n * sizeof *keys);
    uint32_t *bin = malloc (n * sizeof *bin);
    for (size_t i = 0; i < n; i++)
        keys[i] = i;
    cr_assert_eq (zp_balance (ZP_BALANCE_RANGE, keys, NULL, n, NULL, 7, bin), 0);
    size_t count[7] = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            cr_assert (bin[i] == bin[i - 1] || bin[i] == bin[i - 1] + 1, "not contiguous at %zu",
                       i);
        count[bin[i]]++;
    }
    for (int b = 0; b < 7; b++)
        cr_assert (count[b] >= n / 7 - 1 && count[b] <= n / 7 + 2, "bin %d has %zu", b, count[b]);
    cr_assert_eq (zp_balance (ZP_BALANCE_ROUND_ROBIN, keys, NULL, n, NULL, 7, bin), 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq (bin[i], i % 7);
    cr_assert_eq (zp_balancer_from_name ("weighted"), ZP_BALANCE_WEIGHTED);
    cr_assert_eq (zp_balancer_from_name ("fastest"), -1);
    free (keys);
    free (bin);
}

Test (balance, placing_a_real_graph_by_edges_follows_worker_weights)
{
    char err[1024];
    zp_graph_source_t src = {
        zp_test_path ("data/debian-deps.properties"), ZP_FORMAT_AUTO, -1, NULL, false, 0, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    cr_assert_not_null (g, "%s", err);
    double weights[3] = {1, 1, 2};
    zp_placement_t how = {ZP_BALANCE_HASH, ZP_BALANCE_WEIGHTED, true, weights, NULL};
    zp_layout_t *l = zp_layout_new (g, 3, 256, &how);
    cr_assert_not_null (l);
    /* Sizes were out-degree + 1: compare the shares of that. */
    for (uint32_t w = 0; w < 3; w++) {
        double size = (double) (l->edges_of[w] + (l->ranges[w + 1] - l->ranges[w]));
        double share = size / (double) (g->m + g->n), want = weights[w] / 4;
        cr_assert (fabs (share - want) < 0.05 * want, "worker %u: share %.4f, weight share %.4f", w,
                   share, want);
    }
    zp_layout_destroy (&l);
    zp_graph_destroy (&g);
}
