/*  zpregel gen: R-MAT graphs and synthetic traffic. */
#include "zp_cli.h"

static int s_cmd_gen_rmat (int argc, char **argv)
{
    static const struct option longopts[] = {{"scale", required_argument, NULL, 's'},
                                             {"edge-factor", required_argument, NULL, 'e'},
                                             {"seed", required_argument, NULL, 'S'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"weights", no_argument, NULL, 'w'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    unsigned long scale = 0, factor = 16, seed = 1;
    const char *prefix = NULL;
    bool help = false, bad = false, weights = false;
    int c;
    optind = 2;
    while ((c = getopt_long (argc, argv, "s:e:S:o:wh", longopts, NULL)) != -1) {
        char *end;
        unsigned long *field = c == 's' ? &scale : c == 'e' ? &factor : c == 'S' ? &seed : NULL;
        if (c == 'o')
            prefix = optarg;
        else if (c == 'h')
            help = true;
        else if (c == 'w')
            weights = true;
        else if (!field || (*field = strtoul (optarg, &end, 10), *end != 0 || optarg[0] == '-')) {
            if (field)
                fprintf (stderr, "zpregel gen rmat: expected a whole number, got \"%s\"\n", optarg);
            bad = true;
        }
    }
    if (help || bad || !prefix || !scale || optind < argc) {
        fprintf (help ? stdout : stderr,
                 "usage: zpregel gen rmat --scale S [--edge-factor E] [--seed N] [--weights]\n"
                 "                        -o PREFIX\n\n"
                 "Writes a Graph500-style R-MAT graph with 2^S vertices and about E x 2^S\n"
                 "directed edges (default E = 16; a=0.57, b=0.19, c=0.19; ids permuted;\n"
                 "self-loops and repeated edges removed) as PREFIX.v, PREFIX.e and\n"
                 "PREFIX.properties (LDBC Graphalytics) and PREFIX.zpg (binary, fast to load).\n"
                 "--weights gives each edge a weight k/65536 (k from 1 to 65536, drawn from\n"
                 "the seed and the edge), so that SSSP runs on the graph too.\n");
        return help ? 0 : 2;
    }
    char err[1024];
    int64_t t0 = zclock_usecs ();
    zp_graph_t *g = zp_gen_rmat ((uint32_t) scale, (uint32_t) factor, seed, err, sizeof err);
    if (g && weights && zp_gen_weigh (g, seed, err, sizeof err) != 0)
        zp_graph_destroy (&g);
    if (!g) {
        fprintf (stderr, "zpregel: %s\n", err);
        return 1;
    }
    double gen = (double) (zclock_usecs () - t0) / 1e6;
    t0 = zclock_usecs ();
    int rc = zp_gen_write (g, prefix, err, sizeof err);
    if (rc != 0)
        fprintf (stderr, "zpregel: %s\n", err);
    else
        printf ("%s: %" PRIu64 " vertices, %" PRIu64 " edges (%" PRIu64 " self-loops and %" PRIu64
                " repeats dropped); generated in %.2f s, written in %.2f s\n",
                prefix, g->n, g->edges, g->dropped_self_loops, g->dropped_duplicates, gen,
                (double) (zclock_usecs () - t0) / 1e6);
    zp_graph_destroy (&g);
    return rc == 0 ? 0 : 1;
}

int zp_cli_gen (int argc, char **argv)
{
    if (argc > 1 && streq (argv[1], "rmat"))
        return s_cmd_gen_rmat (argc, argv);
    if (argc < 2 || !streq (argv[1], "traffic")) {
        /* No subcommand, or help for `gen` itself: both. */
        bool help = argc == 2 && (streq (argv[1], "--help") || streq (argv[1], "-h"));
        fprintf (help ? stdout : stderr,
                 "usage: zpregel gen rmat --scale S [--edge-factor E] [--seed N] [--weights]\n"
                 "                        -o PREFIX\n"
                 "       zpregel gen traffic --workers N -o FILE [--alpha A] [--fanout F]\n"
                 "                           [--messages M] [--seed S]\n\n"
                 "gen rmat writes a Graph500 R-MAT graph; gen traffic a synthetic traffic\n"
                 "matrix for 'zpregel plan --traffic'. 'zpregel gen rmat --help' and\n"
                 "'zpregel gen traffic --help' say more.\n");
        return help ? 0 : 2;
    }
    static const struct option longopts[] = {
        {"workers", required_argument, NULL, 'w'}, {"alpha", required_argument, NULL, 'a'},
        {"fanout", required_argument, NULL, 'f'},  {"messages", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 'S'},    {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    double workers = 1024, alpha = 1.2, fanout = 64, messages = 1e8, seed = 1;
    const char *output = NULL;
    bool help = false, bad = argc < 2 || !streq (argv[1], "traffic");
    int c;
    optind = 2;
    while (!bad && (c = getopt_long (argc, argv, "w:a:f:m:S:o:h", longopts, NULL)) != -1) {
        double *field = c == 'w'   ? &workers
                        : c == 'a' ? &alpha
                        : c == 'f' ? &fanout
                        : c == 'm' ? &messages
                        : c == 'S' ? &seed
                                   : NULL;
        char *end;
        if (c == 'o')
            output = optarg;
        else if (c == 'h')
            help = true;
        else if (!field)
            bad = true;
        else if ((*field = strtod (optarg, &end), *end != 0 || *field < 0)) {
            fprintf (stderr, "zpregel gen traffic: expected a number >= 0, got \"%s\"\n", optarg);
            bad = true;
        }
    }
    if (help || bad || !output || optind < argc || workers < 2 || workers > 65536) {
        FILE *out = help ? stdout : stderr;
        fprintf (out,
                 "usage: zpregel gen traffic --workers N -o FILE [--alpha A] [--fanout F]\n"
                 "                           [--messages M] [--seed S]\n\n"
                 "Writes a synthetic power-law traffic matrix for N workers (2 to 65536) as a\n"
                 "traffic line that 'zpregel plan --traffic' reads: worker activity and\n"
                 "popularity follow Zipf laws with exponent A (default 1.2); each worker sends\n"
                 "to F receivers (default 64); M messages a superstep in all (default 1e8),\n"
                 "16 bytes each.\n");
        return help ? 0 : 2;
    }
    zp_traffic_matrix_t m;
    if (zp_traffic_generate ((uint32_t) workers, alpha, (uint32_t) fanout, messages, 16,
                             (uint64_t) seed, &m) != 0) {
        fprintf (stderr, "zpregel: out of memory\n");
        return 1;
    }
    FILE *out = fopen (output, "w");
    if (!out) {
        fprintf (stderr, "zpregel: %s: cannot write: %s\n", output, strerror (errno));
        zp_traffic_free (&m);
        return 1;
    }
    zp_traffic_write_matrix (out, &m);
    int rc = fclose (out) == 0 ? 0 : 1;
    zp_traffic_free (&m);
    return rc;
}
