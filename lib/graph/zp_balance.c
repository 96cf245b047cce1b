/*  zp_balance: the four balancers. See zp_balance.h. */
#include "zp_balance.h"

#include <stdlib.h>
#include <string.h>

static const char *const s_names[] = {"hash", "round_robin", "weighted", "range"};

int zp_balancer_from_name (const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp (name, s_names[i]) == 0)
            return i;
    return -1;
}

const char *zp_balancer_name (zp_balancer_t kind)
{
    return (unsigned) kind < 4 ? s_names[kind] : "?";
}

uint64_t zp_mix64 (uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint32_t zp_jump_hash (uint64_t key, uint32_t buckets)
{
    int64_t b = -1, j = 0;
    while (j < (int64_t) buckets) {
        b = j;
        key = key * 2862933555777941757ULL + 1;
        j = (int64_t) ((double) (b + 1) * ((double) (1LL << 31) / (double) ((key >> 33) + 1)));
    }
    return (uint32_t) b;
}

static double s_size (const double *sizes, size_t i)
{
    return sizes ? sizes[i] : 1.0;
}

static double s_weight (const double *weights, uint32_t b)
{
    return weights ? weights[b] : 1.0;
}

/* Greedy: each item to the bin with the smallest (load + size) / weight. A
   heap would make this n log bins; bins are workers, a few thousand at most,
   and placement runs once, so a scan keeps it plain. */
static int s_weighted (const double *sizes, size_t n, const double *weights, uint32_t n_bins,
                       uint32_t *bin)
{
    double *load = calloc (n_bins, sizeof *load);
    if (!load)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double size = s_size (sizes, i);
        uint32_t best = 0;
        double best_cost = 0;
        for (uint32_t b = 0; b < n_bins; b++) {
            double cost = (load[b] + size) / s_weight (weights, b);
            if (b == 0 || cost < best_cost) {
                best = b;
                best_cost = cost;
            }
        }
        bin[i] = best;
        load[best] += size;
    }
    free (load);
    return 0;
}

/* Contiguous runs: bin b ends where the running size passes the sum of the
   weights of bins 0..b over the total weight, times the total size. */
static void s_range (const double *sizes, size_t n, const double *weights, uint32_t n_bins,
                     uint32_t *bin)
{
    double total = 0, total_weight = 0;
    for (size_t i = 0; i < n; i++)
        total += s_size (sizes, i);
    for (uint32_t b = 0; b < n_bins; b++)
        total_weight += s_weight (weights, b);
    double before = 0, edge = total * s_weight (weights, 0) / total_weight;
    uint32_t b = 0;
    for (size_t i = 0; i < n; i++) {
        /* An item goes to the bin its middle falls in. */
        double middle = before + s_size (sizes, i) / 2;
        while (b + 1 < n_bins && middle >= edge) {
            b++;
            edge += total * s_weight (weights, b) / total_weight;
        }
        bin[i] = b;
        before += s_size (sizes, i);
    }
}

int zp_balance (zp_balancer_t kind, const uint64_t *keys, const double *sizes, size_t n,
                const double *weights, uint32_t n_bins, uint32_t *bin)
{
    switch (kind) {
    case ZP_BALANCE_HASH:
        for (size_t i = 0; i < n; i++)
            bin[i] = zp_jump_hash (zp_mix64 (keys[i]), n_bins);
        return 0;
    case ZP_BALANCE_ROUND_ROBIN:
        for (size_t i = 0; i < n; i++)
            bin[i] = (uint32_t) (i % n_bins);
        return 0;
    case ZP_BALANCE_WEIGHTED:
        return s_weighted (sizes, n, weights, n_bins, bin);
    case ZP_BALANCE_RANGE:
        s_range (sizes, n, weights, n_bins, bin);
        return 0;
    }
    return -1;
}
