/*  Fuzz target: graph files: a SNAP edge list (undirected, so both
    directions are built), a zpregel binary graph (.zpg) and a CSV edge
    list (with a header, names or numbers, and a weight column), as
    zp_graph_load reads them; a graph it accepts gets its in-edges built
    and its names read. */
#include "fuzz.h"
#include "zp_graph.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    int fd;
    const char *path = zp_fuzz_file (data, size, &fd);
    if (!path)
        return 0;
    char err[1024];
    zp_format_t formats[] = {ZP_FORMAT_SNAP, ZP_FORMAT_BINARY, ZP_FORMAT_CSV};
    const zp_csv_t csv = {0, 1, "1", "2", "3"};
    for (int i = 0; i < 3; i++) {
        bool is_csv = formats[i] == ZP_FORMAT_CSV;
        zp_graph_source_t src = {path, formats[i],          0, is_csv ? "weight" : NULL, false,
                                 0,    is_csv ? &csv : NULL};
        zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
        if (g) {
            zp_graph_build_in_edges (g);
            size_t total = 0;
            for (uint64_t v = 0; v < g->n; v++)
                total += zp_graph_name (g, v) ? strlen (zp_graph_name (g, v)) : 0;
            (void) total;
        }
        zp_graph_destroy (&g);
    }
    close (fd);
    return 0;
}
