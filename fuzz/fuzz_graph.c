/*  Fuzz target: graph files: a SNAP edge list (undirected, so both
    directions are built) and a zpregel binary graph (.zpg), as
    zp_graph_load reads them; a graph it accepts gets its in-edges built. */
#include "fuzz.h"
#include "zp_graph.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    int fd;
    const char *path = zp_fuzz_file (data, size, &fd);
    if (!path)
        return 0;
    char err[1024];
    zp_format_t formats[] = {ZP_FORMAT_SNAP, ZP_FORMAT_BINARY};
    for (int i = 0; i < 2; i++) {
        zp_graph_source_t src = {path, formats[i], 0, NULL, false, 0};
        zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
        if (g)
            zp_graph_build_in_edges (g);
        zp_graph_destroy (&g);
    }
    close (fd);
    return 0;
}
