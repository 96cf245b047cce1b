/*  Graph input and output: LDBC Graphalytics and SNAP loaders, CSR invariants,
    and a file:line message for every kind of malformed input. */
#include "zp_test.h"
#include "zp_graph.h"
#include "zp_output.h"

#include <inttypes.h>
#include <math.h>

static char s_err[2048];

static zp_graph_t *s_ldbc (const char *name, const char *weight, zp_properties_t **props)
{
    char path[512];
    snprintf (path, sizeof path, "tests/data/ldbc/%s/%s.properties", name, name);
    zp_graph_source_t src = {zp_test_path (path), ZP_FORMAT_AUTO, -1, weight, false, 0, NULL};
    return zp_graph_load (&src, props, s_err, sizeof s_err);
}

static void s_check_csr (const zp_graph_t *g)
{
    cr_assert_eq (g->offsets[0], 0);
    cr_assert_eq (g->offsets[g->n], g->m);
    for (uint64_t v = 0; v < g->n; v++)
        for (uint64_t i = g->offsets[v]; i < g->offsets[v + 1]; i++) {
            cr_assert_lt (g->targets[i], g->n);
            cr_assert_neq (g->targets[i], v, "self-loop kept");
            if (i > g->offsets[v])
                cr_assert_lt (g->targets[i - 1], g->targets[i], "unsorted or repeated arc");
        }
    for (uint64_t i = 1; i < g->n; i++)
        cr_assert_lt (g->ids[i - 1], g->ids[i]);
}

Test (graph, ldbc_directed_with_weights)
{
    zp_properties_t *props;
    zp_graph_t *g = s_ldbc ("example-directed", "weight", &props);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (g->n, 10);
    cr_assert_eq (g->edges, 17);
    cr_assert_eq (g->m, 17);
    cr_assert (g->directed);
    cr_assert_not_null (g->weights);
    s_check_csr (g);
    /* 1 -> 3 has weight 0.5 and 1 -> 5 has 0.3 (first lines of the .e file). */
    int64_t v1 = zp_graph_index (g, 1), v3 = zp_graph_index (g, 3);
    cr_assert_eq (g->targets[g->offsets[v1]], (uint32_t) v3);
    cr_assert_eq (g->weights[g->offsets[v1]], 0.5);
    cr_assert_str_eq (zp_properties_get (props, "pr.damping-factor"), "0.85");
    cr_assert_str_eq (zp_properties_name (props), "example-directed");
    zp_properties_destroy (&props);
    zp_graph_destroy (&g);
}

Test (graph, ldbc_undirected_has_both_directions_and_gaps)
{
    zp_graph_t *g = s_ldbc ("example-undirected", NULL, NULL);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (g->n, 9);
    cr_assert_eq (zp_graph_index (g, 1), -1, "vertex 1 does not exist");
    cr_assert_eq (g->edges, 12);
    cr_assert_eq (g->m, 24);
    cr_assert_not (g->directed);
    cr_assert_null (g->weights);
    s_check_csr (g);
    cr_assert_eq (zp_graph_build_in_edges (g), 0);
    cr_assert_eq (g->in_offsets, g->offsets, "undirected in-edges are the out-edges");
    zp_graph_destroy (&g);
}

Test (graph, in_edges_of_a_directed_graph)
{
    zp_graph_t *g = s_ldbc ("test-pr-directed", NULL, NULL);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (zp_graph_build_in_edges (g), 0);
    cr_assert_eq (g->in_offsets[g->n], g->m);
    /* Every arc u -> v appears once among v's in-arcs, and in-lists are ascending. */
    for (uint64_t u = 0; u < g->n; u++)
        for (uint64_t i = g->offsets[u]; i < g->offsets[u + 1]; i++) {
            uint32_t v = g->targets[i];
            int found = 0;
            for (uint64_t k = g->in_offsets[v]; k < g->in_offsets[v + 1]; k++) {
                found += g->in_sources[k] == u;
                if (k > g->in_offsets[v])
                    cr_assert_lt (g->in_sources[k - 1], g->in_sources[k]);
            }
            cr_assert_eq (found, 1);
        }
    zp_graph_destroy (&g);
}

Test (graph, snap_edge_list)
{
    const char *dir = zp_test_tmpdir ();
    const char *path = zp_test_write (dir, "g.txt",
                                      "# Directed graph: a comment\n"
                                      "% another comment style\n"
                                      "\n"
                                      "100\t7\n"
                                      "7 100\n"
                                      "  18446744073709551615   7  \r\n"
                                      "7 7\n"
                                      "100 7\n");
    zp_graph_source_t src = {path, ZP_FORMAT_AUTO, 1, NULL, false, 0, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, s_err, sizeof s_err);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (g->n, 3);
    cr_assert_eq (g->ids[2], UINT64_MAX);
    cr_assert_eq (g->edges, 3);
    cr_assert_eq (g->dropped_self_loops, 1);
    cr_assert_eq (g->dropped_duplicates, 1);
    s_check_csr (g);
    zp_graph_destroy (&g);
    /* Undirected: "100 7" and "7 100" are the same edge. */
    src.directed = 0;
    g = zp_graph_load (&src, NULL, s_err, sizeof s_err);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (g->edges, 2);
    cr_assert_eq (g->m, 4);
    s_check_csr (g);
    zp_graph_destroy (&g);
}

/* Writes a Graphalytics dataset "g" with the given files and expects `want`
   (with DIR standing for the directory) as the error. */
static void s_bad_ldbc (const char *props, const char *v, const char *e, const char *weight,
                        const char *want)
{
    const char *dir = zp_test_tmpdir ();
    char d[4096];
    snprintf (d, sizeof d, "%s", dir);
    const char *p = zp_test_write (d, "g.properties", props);
    if (v)
        zp_test_write (d, "g.v", v);
    if (e)
        zp_test_write (d, "g.e", e);
    zp_graph_source_t src = {p, ZP_FORMAT_AUTO, -1, weight, false, 0, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, s_err, sizeof s_err);
    cr_assert_null (g, "accepted");
    char expect[8192] = "";
    for (const char *at; (at = strstr (want, "DIR")); want = at + 3) {
        size_t len = strlen (expect);
        snprintf (expect + len, sizeof expect - len, "%.*s%s", (int) (at - want), want, d);
    }
    size_t len = strlen (expect);
    snprintf (expect + len, sizeof expect - len, "%s", want);
    cr_assert_str_eq (s_err, expect);
}

#define S_PROPS                                                                                    \
    "graph.g.vertex-file = g.v\ngraph.g.edge-file = g.e\ngraph.g.directed = true\n"                \
    "graph.g.edge-properties.names = weight\n"

Test (graph, malformed_graphalytics_input_names_file_and_line)
{
    s_bad_ldbc (
        S_PROPS, "1\n2\nthree\n", "", NULL,
        "DIR/g.v:3: expected one vertex id (an unsigned 64-bit integer) per line, got \"three\"");
    s_bad_ldbc (
        S_PROPS, "1\n2 3\n", "", NULL,
        "DIR/g.v:2: expected one vertex id (an unsigned 64-bit integer) per line, got \"2 3\"");
    s_bad_ldbc (S_PROPS, "1\n99999999999999999999\n", "", NULL,
                "DIR/g.v:2: expected one vertex id (an unsigned 64-bit integer) per line, got "
                "\"99999999999999999999\"");
    s_bad_ldbc (S_PROPS, "2\n1\n2\n", "", NULL, "DIR/g.v: vertex id 2 is listed twice");
    s_bad_ldbc (S_PROPS, "1\n2\n", "1 2 0.5\n1 3 0.5\n", NULL,
                "DIR/g.e:2: vertex 3 is not in DIR/g.v");
    s_bad_ldbc (
        S_PROPS, "1\n2\n", "1 2 0.5\n2\n", NULL,
        "DIR/g.e:2: expected \"source target [properties]\" with unsigned integer ids, got \"2\"");
    s_bad_ldbc (S_PROPS, "1\n2\n", "1 2 -0.5\n", "weight",
                "DIR/g.e:1: expected a finite, non-negative weight, got \"1 2 -0.5\"");
    s_bad_ldbc (S_PROPS, "1\n2\n", "1 2\n", "weight",
                "DIR/g.e:1: expected a weight column on the edge, got \"1 2\"");
    s_bad_ldbc (
        S_PROPS, "1\n2\n", "1 2 1\n", "cost",
        "DIR/g.properties: edge property \"cost\" is not among edge-properties.names (weight)");
    s_bad_ldbc (S_PROPS, NULL, "", NULL, "DIR/g.v: cannot open: No such file or directory");
    s_bad_ldbc ("graph.g.vertex-file = g.v\n", "1\n", "", NULL,
                "DIR/g.properties: missing graph.g.edge-file");
    s_bad_ldbc ("graph.g.vertex-file = g.v\ngraph.g.edge-file = g.e\ngraph.g.directed = yes\n",
                "1\n", "", NULL,
                "DIR/g.properties:3: graph.g.directed: expected true or false, got \"yes\"");
    s_bad_ldbc ("this is not a properties file\n", NULL, NULL, NULL,
                "DIR/g.properties:1: expected graph.NAME.KEY = VALUE, got \"this is not a "
                "properties file\"");
    s_bad_ldbc (
        "vertex-file = g.v\n", NULL, NULL, NULL,
        "DIR/g.properties:1: expected a key of the form graph.NAME.KEY, got \"vertex-file\"");
}

Test (graph, malformed_snap_input_names_file_and_line)
{
    const char *dir = zp_test_tmpdir ();
    const char *cases[][2] = {
        {"1 2\n3\n", "g.txt:2: expected \"source target\" with unsigned integer ids, got \"3\""},
        {"1 2\n3 4 5 6\n",
         "g.txt:2: expected \"source target\" with unsigned integer ids, or \"source target "
         "weight\", got \"3 4 5 6\""},
        {"1 2\n3 4 x\n",
         "g.txt:2: expected \"source target\" with unsigned integer ids, or \"source target "
         "weight\", got \"3 4 x\""},
        {"1 -2\n", "g.txt:1: expected \"source target\" with unsigned integer ids, got \"1 -2\""},
        {"1 2\n\x01\x02\n",
         "g.txt:2: expected \"source target\" with unsigned integer ids, got \"??\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = zp_test_write (dir, "g.txt", cases[i][0]);
        zp_graph_source_t src = {path, ZP_FORMAT_SNAP, 1, NULL, false, 0, NULL};
        cr_assert_null (zp_graph_load (&src, NULL, s_err, sizeof s_err));
        char want[8192];
        snprintf (want, sizeof want, "%s/%s", dir, cases[i][1]);
        cr_assert_str_eq (s_err, want);
    }
    /* An empty edge list is a mistake (a failed download, a wrong path),
       not a graph to run on: 0 vertices would "succeed" with no answer. */
    const char *path = zp_test_write (dir, "empty.txt", "# nothing\n");
    zp_graph_source_t src = {path, ZP_FORMAT_SNAP, 1, NULL, false, 0, NULL};
    cr_assert_null (zp_graph_load (&src, NULL, s_err, sizeof s_err));
    char want[8192];
    snprintf (want, sizeof want, "%s/empty.txt: no edges: the file is empty", dir);
    cr_assert_str_eq (s_err, want);
}

Test (graph, output_in_graphalytics_format)
{
    zp_graph_t *g = s_ldbc ("test-wcc-directed", NULL, NULL);
    cr_assert_not_null (g, "%s", s_err);
    zp_value_t *values = calloc (g->n, sizeof *values);
    values[0].f64 = 2.476533217845853e-08;
    values[1].f64 = INFINITY;
    values[2].f64 = 0;
    const char *dir = zp_test_tmpdir ();
    char path[4200];
    snprintf (path, sizeof path, "%s/out.txt", dir);
    cr_assert_eq (zp_graph_write_values (g, values, ZP_F64, path, s_err, sizeof s_err), 0);
    char *text = zp_test_read (path, NULL);
    cr_assert (
        strncmp (text, "1 2.476533217845853e-08\n2 infinity\n3 0.000000000000000e+00\n", 57) == 0,
        "%s", text);
    free (text);
    values[0].i64 = INT64_MAX;
    values[1].i64 = -5;
    cr_assert_eq (zp_graph_write_values (g, values, ZP_I64, path, s_err, sizeof s_err), 0);
    text = zp_test_read (path, NULL);
    cr_assert (strncmp (text, "1 9223372036854775807\n2 -5\n3 0\n", 31) == 0, "%s", text);
    free (text);
    /* The vertex set is the input's: 8 lines, no vertex 5. */
    cr_assert_eq (g->n, 8);
    cr_assert_eq (zp_graph_index (g, 5), -1);
    cr_assert_eq (
        zp_graph_write_values (g, values, ZP_I64, "/nonexistent/dir/out", s_err, sizeof s_err), -1);
    cr_assert_str_eq (s_err, "/nonexistent/dir/out: cannot write: No such file or directory");
    free (values);
    zp_graph_destroy (&g);
}

Test (graph, binary_format_round_trips_and_refuses_damage)
{
    /* example-directed has 17 arcs (an odd count: the weights need padding)
       and weights; test-wcc-undirected has none. */
    const char *names[] = {"example-directed", "test-wcc-undirected"};
    for (int k = 0; k < 2; k++) {
        zp_graph_t *g = s_ldbc (names[k], k == 0 ? "weight" : NULL, NULL);
        cr_assert_not_null (g, "%s", s_err);
        const char *dir = zp_test_tmpdir ();
        char path[4200];
        snprintf (path, sizeof path, "%s/g.zpg", dir);
        cr_assert_eq (zp_graph_write_binary (g, path, s_err, sizeof s_err), 0, "%s", s_err);
        zp_graph_source_t src = {path, ZP_FORMAT_AUTO, -1, k == 0 ? "weight" : NULL, false, 0,
                                 NULL};
        zp_graph_t *h = zp_graph_load (&src, NULL, s_err, sizeof s_err);
        cr_assert_not_null (h, "%s", s_err);
        cr_assert_eq (h->n, g->n);
        cr_assert_eq (h->m, g->m);
        cr_assert_eq (h->directed, g->directed);
        cr_assert_eq (memcmp (h->ids, g->ids, g->n * 8), 0);
        cr_assert_eq (memcmp (h->offsets, g->offsets, (g->n + 1) * 8), 0);
        cr_assert_eq (memcmp (h->targets, g->targets, g->m * 4), 0);
        cr_assert_eq (!h->weights, !g->weights);
        if (g->weights)
            cr_assert_eq (memcmp (h->weights, g->weights, g->m * 8), 0);
        zp_graph_destroy (&h);
        /* Weights are read only when asked for (a program that reads them). */
        src.weight_property = NULL;
        h = zp_graph_load (&src, NULL, s_err, sizeof s_err);
        cr_assert_not_null (h, "%s", s_err);
        cr_assert_null (h->weights);
        cr_assert_eq (memcmp (h->targets, g->targets, g->m * 4), 0);
        zp_graph_destroy (&h);
        /* Truncated by one byte, and a target out of range. */
        size_t len;
        char *bytes = zp_test_read (path, &len);
        FILE *f = fopen (path, "wb");
        fwrite (bytes, 1, len - 1, f);
        fclose (f);
        cr_assert_null (zp_graph_load (&src, NULL, s_err, sizeof s_err));
        cr_assert (strstr (s_err, "truncated or damaged"), "%s", s_err);
        size_t targets = 40 + g->n * 8 + (g->n + 1) * 8;
        memset (bytes + targets, 0xff, 4);
        f = fopen (path, "wb");
        fwrite (bytes, 1, len, f);
        fclose (f);
        cr_assert_null (zp_graph_load (&src, NULL, s_err, sizeof s_err));
        cr_assert (strstr (s_err, "inconsistent arrays"), "%s", s_err);
        free (bytes);
        zp_graph_destroy (&g);
    }
    const char *dir = zp_test_tmpdir ();
    const char *junk =
        zp_test_write (dir, "junk.zpg", "not a graph at all, longer than forty bytes");
    zp_graph_source_t src = {junk, ZP_FORMAT_AUTO, -1, NULL, false, 0, NULL};
    cr_assert_null (zp_graph_load (&src, NULL, s_err, sizeof s_err));
    cr_assert (strstr (s_err, "not a zpregel binary graph (no ZPGRAPH1 header)"), "%s", s_err);
}

Test (graph, csv_and_json_lines_carry_names_and_quote_what_needs_it)
{
    zp_graph_t *g = s_ldbc ("test-wcc-directed", NULL, NULL);
    cr_assert_not_null (g, "%s", s_err);
    zp_value_t *values = calloc (g->n, sizeof *values);
    values[0].f64 = 0.5;
    values[1].f64 = INFINITY;
    const char *dir = zp_test_tmpdir ();
    const char *names_path =
        zp_test_write (dir, "v.names", "# id name\n2 b, \"quoted\"\n1 plain\n\n3 tab\there\n");
    zp_names_t names;
    cr_assert_eq (zp_names_load (&names, names_path, s_err, sizeof s_err), 0, "%s", s_err);
    cr_assert_str_eq (zp_names_find (&names, 3), "tab\there");
    cr_assert_null (zp_names_find (&names, 4));
    char path[4200];
    snprintf (path, sizeof path, "%s/out", dir);
    zp_output_t how = {ZP_OUTPUT_CSV, &names, 1, ZP_F64, NULL};
    cr_assert_eq (zp_output_write (g, values, &how, path, s_err, sizeof s_err), 0, "%s", s_err);
    char *text = zp_test_read (path, NULL);
    const char *csv = "id,name,value\n1,plain,5.000000000000000e-01\n"
                      "2,\"b, \"\"quoted\"\"\",infinity\n3,tab\there,0.000000000000000e+00\n4,,";
    cr_assert (strncmp (text, csv, strlen (csv)) == 0, "%s", text);
    free (text);
    how.format = ZP_OUTPUT_JSONL;
    cr_assert_eq (zp_output_write (g, values, &how, path, s_err, sizeof s_err), 0, "%s", s_err);
    text = zp_test_read (path, NULL);
    const char *jsonl = "{\"id\":1,\"name\":\"plain\",\"value\":5.000000000000000e-01}\n"
                        "{\"id\":2,\"name\":\"b, \\\"quoted\\\"\",\"value\":\"infinity\"}\n"
                        "{\"id\":3,\"name\":\"tab\\u0009here\",\"value\":0.000000000000000e+00}\n"
                        "{\"id\":4,\"name\":null,";
    cr_assert (strncmp (text, jsonl, strlen (jsonl)) == 0, "%s", text);
    free (text);
    /* Text stays what the validators read: no names. */
    how.format = ZP_OUTPUT_TEXT;
    cr_assert_eq (zp_output_write (g, values, &how, path, s_err, sizeof s_err), 0, "%s", s_err);
    text = zp_test_read (path, NULL);
    cr_assert (strncmp (text, "1 5.000000000000000e-01\n2 infinity\n", 35) == 0, "%s", text);
    free (text);
    zp_names_free (&names);
    /* A bad names file is named by file and line. */
    const char *bad = zp_test_write (dir, "bad.names", "1 one\nx two\n");
    cr_assert_eq (zp_names_load (&names, bad, s_err, sizeof s_err), -1);
    cr_assert (strstr (s_err, "bad.names:2: expected \"id name\""), "%s", s_err);
    bad = zp_test_write (dir, "twice.names", "1 one\n1 uno\n");
    cr_assert_eq (zp_names_load (&names, bad, s_err, sizeof s_err), -1);
    cr_assert (strstr (s_err, "vertex 1 is named twice"), "%s", s_err);
    free (values);
    zp_graph_destroy (&g);
}

/* Loads DIR/g.properties with the edge file parsed in `threads` shares. */
static zp_graph_t *s_load_in_shares (const char *props, uint32_t threads)
{
    zp_graph_source_t src = {props, ZP_FORMAT_AUTO, -1, "weight", false, threads, NULL};
    return zp_graph_load (&src, NULL, s_err, sizeof s_err);
}

/* Every load of `path` in 1 to 9 shares fails with the same message as
   one pass, which holds `needle`. */
static void s_same_error_in_shares (zp_graph_t *(*load) (const char *, uint32_t), const char *path,
                                    const char *needle)
{
    char want[4096];
    for (uint32_t threads = 1; threads <= 9; threads++) {
        cr_assert_null (load (path, threads), "accepted");
        if (threads == 1)
            snprintf (want, sizeof want, "%s", s_err);
        cr_assert_str_eq (s_err, want, "%u shares", threads);
    }
    cr_assert (strstr (want, needle), "%s", want);
}

Test (graph, an_edge_file_parsed_in_shares_gives_the_graph_and_errors_of_one_pass)
{
    char d[4096];
    snprintf (d, sizeof d, "%s", zp_test_tmpdir ());
    const char *props = zp_test_write (d, "g.properties", S_PROPS);
    char *v = malloc (1 << 16), *e = malloc (1 << 20);
    size_t vn = 0, en = 0;
    for (int i = 1; i <= 500; i++)
        vn += (size_t) snprintf (v + vn, 16, "%d\n", i);
    zp_test_write (d, "g.v", v);
    /* Blank lines, CR LF ends, trailing blanks and extra columns, repeated
       arcs and self-loops, and no newline after the last line. */
    uint64_t x = 12345;
    for (int line = 1; line <= 3000; line++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int a = (int) (x >> 33) % 500 + 1, b = (int) (x >> 45) % 500 + 1;
        if (line % 97 == 0)
            en += (size_t) snprintf (e + en, 64, "\n");
        else
            en += (size_t) snprintf (e + en, 64, "%d %d %d.25%s%s", a, b, line % 7,
                                     line % 11 == 0 ? " 7 x  \r" : "", line < 3000 ? "\n" : "");
    }
    zp_test_write (d, "g.e", e);
    zp_graph_t *one = s_load_in_shares (props, 1);
    cr_assert_not_null (one, "%s", s_err);
    s_check_csr (one);
    for (uint32_t threads = 2; threads <= 9; threads++) {
        zp_graph_t *g = s_load_in_shares (props, threads);
        cr_assert_not_null (g, "%u shares: %s", threads, s_err);
        cr_assert_eq (g->m, one->m, "%u shares", threads);
        cr_assert_eq (g->dropped_duplicates, one->dropped_duplicates);
        cr_assert_eq (g->dropped_self_loops, one->dropped_self_loops);
        cr_assert_arr_eq (g->offsets, one->offsets, (one->n + 1) * sizeof *one->offsets);
        cr_assert_arr_eq (g->targets, one->targets, one->m * sizeof *one->targets);
        cr_assert_arr_eq (g->weights, one->weights, one->m * sizeof *one->weights);
        zp_graph_destroy (&g);
    }
    zp_graph_destroy (&one);
    /* A bad line at the start, in the middle or at the end is named by its
       line in the whole file however many shares parse it; of two, the first. */
    const int bad_lines[] = {1, 1500, 2999, 3000};
    for (size_t k = 0; k < sizeof bad_lines / sizeof *bad_lines; k++) {
        int bad = bad_lines[k];
        char *copy = strdup (e), *at = copy;
        for (int line = 1; line < bad; line++)
            at = strchr (at, '\n') + 1;
        at[0] = 'x'; /* "x..." is no id */
        if (bad == 1500)
            strchr (strchr (at, '\n') + 1, ' ')[-1] = '?'; /* the next line too */
        zp_test_write (d, "g.e", copy);
        char line[32];
        snprintf (line, sizeof line, "/g.e:%d: expected", bad);
        s_same_error_in_shares (s_load_in_shares, props, line);
        free (copy);
    }
    free (v);
    free (e);
}

/* Loads DIR/NAME written with `text` as a CSV edge list read as `how` says. */
static zp_graph_t *s_csv (const char *name, const char *text, const zp_csv_t *how,
                          const char *weight)
{
    char d[4096];
    snprintf (d, sizeof d, "%s", zp_test_tmpdir ());
    const char *path = zp_test_write (d, name, text);
    zp_graph_source_t src = {path, ZP_FORMAT_AUTO, -1, weight, false, 0, how};
    return zp_graph_load (&src, NULL, s_err, sizeof s_err);
}

/* Loads `path` as a CSV edge list (header, weights in column w) parsed
   in `threads` shares. */
static zp_graph_t *s_csv_in_shares (const char *path, uint32_t threads)
{
    zp_csv_t how = {0, 1, "src", "dst", "w"};
    zp_graph_source_t src = {path, ZP_FORMAT_AUTO, -1, "weight", false, threads, &how};
    return zp_graph_load (&src, NULL, s_err, sizeof s_err);
}

Test (graph, a_csv_file_parsed_in_shares_gives_the_graph_names_and_errors_of_one_pass)
{
    char d[4096];
    snprintf (d, sizeof d, "%s", zp_test_tmpdir ());
    /* Names that recur across the file (so that the shares see them in
       another order than the file), blank lines, CR LF ends, no newline
       after the last line; then the same with numbers. */
    for (int numbers = 0; numbers <= 1; numbers++) {
        char *e = malloc (1 << 20);
        size_t en = (size_t) snprintf (e, 64, "w,src,dst\n");
        uint64_t x = 777;
        for (int line = 2; line <= 3000; line++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            int a = (int) (x >> 33) % 700, b = (int) (x >> 45) % 700;
            if (line % 89 == 0)
                en += (size_t) snprintf (e + en, 64, "%s", line % 2 ? "\n" : "\r\n");
            else
                en += (size_t) snprintf (e + en, 96, "%d.5,%s%d,%s%d%s%s", line % 5,
                                         numbers ? "" : "v", a, numbers ? "" : "v", b,
                                         line % 13 == 0 ? "\r" : "", line < 3000 ? "\n" : "");
        }
        const char *path = zp_test_write (d, numbers ? "n.csv" : "g.csv", e);
        zp_graph_t *one = s_csv_in_shares (path, 1);
        cr_assert_not_null (one, "%s", s_err);
        s_check_csr (one);
        cr_assert_eq (!one->names, numbers, "names %p for numbers %d", (void *) one->names,
                      numbers);
        for (uint32_t threads = 2; threads <= 9; threads++) {
            zp_graph_t *g = s_csv_in_shares (path, threads);
            cr_assert_not_null (g, "%u shares: %s", threads, s_err);
            cr_assert_eq (g->n, one->n, "%u shares", threads);
            cr_assert_eq (g->m, one->m, "%u shares", threads);
            cr_assert_arr_eq (g->ids, one->ids, one->n * sizeof *one->ids);
            cr_assert_arr_eq (g->offsets, one->offsets, (one->n + 1) * sizeof *one->offsets);
            cr_assert_arr_eq (g->targets, one->targets, one->m * sizeof *one->targets);
            cr_assert_arr_eq (g->weights, one->weights, one->m * sizeof *one->weights);
            for (uint64_t i = 0; !numbers && i < one->n; i++)
                cr_assert_str_eq (zp_graph_name (g, i), zp_graph_name (one, i), "%u shares",
                                  threads);
            zp_graph_destroy (&g);
        }
        zp_graph_destroy (&one);
        /* A bad line near the start, in the middle or at the end is named
           by its line in the whole file however many shares parse it; of
           two, the first. */
        const int bad_lines[] = {2, 1500, 2999, 3000};
        for (size_t k = 0; !numbers && k < sizeof bad_lines / sizeof *bad_lines; k++) {
            int bad = bad_lines[k];
            char *copy = strdup (e), *at = copy;
            for (int line = 1; line < bad; line++)
                at = strchr (at, '\n') + 1;
            at[0] = 'x'; /* "x.5" is no weight */
            if (bad == 1500)
                *strchr (strchr (at, '\n') + 1, ',') = ';'; /* the next line: one field short */
            char line[64];
            snprintf (line, sizeof line, "/bad.csv:%d: expected a finite, non-negative weight",
                      bad);
            s_same_error_in_shares (s_csv_in_shares, zp_test_write (d, "bad.csv", copy), line);
            free (copy);
        }
        free (e);
    }
}

Test (graph, csv_edge_lists_with_names_or_numbers_quoted_or_not)
{
    /* Names, numbered in the order they first appear; a quoted field
       holds the delimiter, a doubled quote and a line break. */
    zp_csv_t how = {0, -1, "to", "from", "w"};
    zp_graph_t *g = s_csv ("named.csv",
                           "from,to,w\r\n"
                           "alice,bob,1.5\r\n"
                           "\n"
                           "bob,\"carol, \"\"jr\"\"\",2\n"
                           " \"carol, \"\"jr\"\"\" ,alice , 0.5\n"
                           "\"line\nbreak\",alice,1",
                           &how, "weight");
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (g->n, 4);
    cr_assert_str_eq (zp_graph_name (g, 0), "bob"); /* the target column comes first */
    cr_assert_str_eq (zp_graph_name (g, 1), "alice");
    cr_assert_str_eq (zp_graph_name (g, 2), "carol, \"jr\"");
    cr_assert_str_eq (zp_graph_name (g, 3), "line\nbreak");
    cr_assert_eq (zp_graph_find_name (g, "carol, \"jr\""), 2);
    cr_assert_eq (zp_graph_find_name (g, "nobody"), -1);
    /* source = "to", target = "from": bob -> alice with 1.5 */
    cr_assert_eq (g->offsets[1] - g->offsets[0], 1);
    cr_assert_eq (g->targets[g->offsets[0]], 1);
    cr_assert_eq (g->weights[g->offsets[0]], 1.5);
    s_check_csr (g);
    zp_graph_destroy (&g);
    /* Numbers everywhere: they are the ids; columns by number, no header, TSV. */
    how = (zp_csv_t){0, 0, "2", "1", NULL};
    g = s_csv ("numbers.tsv", "10\t20\tx\n30\t10\ty\n", &how, NULL);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_eq (g->n, 3);
    cr_assert_null (g->names);
    cr_assert_eq (g->ids[0], 10);
    cr_assert_eq (g->ids[2], 30);
    cr_assert_eq (g->targets[g->offsets[1]], 0, "20 -> 10");
    zp_graph_destroy (&g);
    /* One name among numbers makes them all names. */
    g = s_csv ("mixed.csv", "a,b\n1,2\n2,x\n", NULL, NULL);
    cr_assert_not_null (g, "%s", s_err);
    cr_assert_str_eq (zp_graph_name (g, 2), "x");
    cr_assert_str_eq (zp_graph_name (g, 0), "1");
    zp_graph_destroy (&g);
}

/* Expects loading `text` as NAME to fail with `want` after the directory. */
static void s_bad_csv (const char *name, const char *text, const zp_csv_t *how, const char *weight,
                       const char *want)
{
    cr_assert_null (s_csv (name, text, how, weight), "accepted %s", text);
    const char *slash = strrchr (s_err, '/');
    cr_assert (slash, "%s", s_err);
    cr_assert_str_eq (slash + 1, want);
}

Test (graph, malformed_csv_input_names_file_line_and_column)
{
    zp_csv_t named = {0, 1, "src", "dst", NULL};
    s_bad_csv ("e.csv", "", NULL, NULL, "e.csv: no edges: the file is empty");
    s_bad_csv ("e.csv", "a,b\n", NULL, NULL, "e.csv: no edges: the file has its header only");
    s_bad_csv ("e.csv", "src,dst,src\n1,2,3\n", &named, NULL,
               "e.csv:1: the header names column \"src\" twice");
    s_bad_csv ("e.csv", "source,target\n1,2\n", &named, NULL,
               "e.csv:1: job.csv.source: no column \"src\" in the header (its columns, separated "
               "by ',': \"source\", \"target\")");
    s_bad_csv ("e.csv", "src;dst\nalice;bob\n", &named, NULL,
               "e.csv:1: job.csv.source: no column \"src\" in the header (its columns, separated "
               "by ',': \"src;dst\")");
    s_bad_csv ("e.csv", "a,b\nalice;bob\n", NULL, NULL,
               "e.csv:2: expected at least 2 fields separated by ',', got 1 in \"alice;bob\" (is "
               "the delimiter ';'?)");
    zp_csv_t plain = {0, 0, "src", NULL, NULL};
    s_bad_csv ("e.csv", "1,2\n", &plain, NULL,
               "e.csv: job.csv.source: \"src\" names a column, but the file has no header "
               "(job.csv.header: false): give its number from 1");
    s_bad_csv ("e.csv", "a,b\nx,\"y\n", NULL, NULL, "e.csv:2: a quote that is never closed");
    s_bad_csv ("e.csv", "a,b\nx,\n", NULL, NULL, "e.csv:2: an empty target vertex");
    s_bad_csv ("e.csv", "a,b\nx,y\n", NULL, "weight",
               "e.csv: the program reads edge weights: name their column with job.csv.weight");
    zp_csv_t weighted = {0, 1, NULL, NULL, "w"};
    s_bad_csv ("e.csv", "a,b,w\nx,y,-1\n", &weighted, "weight",
               "e.csv:2: expected a finite, non-negative weight, got \"-1\"");
    zp_csv_t far = {0, 1, "99", NULL, NULL};
    s_bad_csv ("e.csv", "a,b\nx,y\n", &far, NULL,
               "e.csv: job.csv.source: expected a column number from 1 to 64, got 99");
}

Test (graph, integers_are_written_as_printf_writes_them)
{
    const struct {
        zp_type_t type;
        zp_value_t value;
    } cases[] = {
        {ZP_I64, {.i64 = 0}},          {ZP_I64, {.i64 = 7}},
        {ZP_I64, {.i64 = -7}},         {ZP_I64, {.i64 = 10}},
        {ZP_I64, {.i64 = 99}},         {ZP_I64, {.i64 = -100}},
        {ZP_I64, {.i64 = INT64_MAX}},  {ZP_I64, {.i64 = INT64_MIN}},
        {ZP_U64, {.u64 = 0}},          {ZP_U64, {.u64 = 9}},
        {ZP_U64, {.u64 = 100}},        {ZP_U64, {.u64 = 1001}},
        {ZP_U64, {.u64 = UINT64_MAX}}, {ZP_U64, {.u64 = UINT64_MAX / 10}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char got[32], want[32];
        int n = zp_format_value (got, sizeof got, cases[k].value, cases[k].type);
        int m = cases[k].type == ZP_I64
                    ? snprintf (want, sizeof want, "%" PRId64, cases[k].value.i64)
                    : snprintf (want, sizeof want, "%" PRIu64, cases[k].value.u64);
        cr_assert_eq (n, m);
        cr_assert_str_eq (got, want);
    }
    /* Too small a buffer: nothing written past it, and the length it takes. */
    char small[4] = "xyz";
    cr_assert_eq (zp_format_u64 (small, sizeof small, 12345, false), 5);
    cr_assert_eq (zp_format_u64 (small, sizeof small, 123, true), 4);
    cr_assert_eq (zp_format_u64 (small, sizeof small, 123, false), 3);
    cr_assert_str_eq (small, "123");
}
