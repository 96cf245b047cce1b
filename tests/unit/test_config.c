/*  The YAML job loader: what it accepts, and the message for each kind of bad input. */
#include "zp_test.h"
#include "zpregel/zp_config.h"

static char s_err[2048];
static char s_file[4096];

/* Loads `yaml` from job.yaml in a fresh directory with `n` overrides. */
static zp_config_t *s_load (const char *yaml, const char *const *overrides, size_t n)
{
    const char *dir = zp_test_tmpdir ();
    snprintf (s_file, sizeof s_file, "%s", zp_test_write (dir, "job.yaml", yaml));
    s_err[0] = 0;
    return zp_config_load (s_file, overrides, n, s_err, sizeof s_err);
}

/* Asserts that `yaml` fails with "<file>:<rest>". */
static void s_fails (const char *yaml, const char *rest)
{
    zp_config_t *cfg = s_load (yaml, NULL, 0);
    cr_assert_null (cfg, "accepted:\n%s", yaml);
    char want[4200];
    snprintf (want, sizeof want, "%s:%s", s_file, rest);
    cr_assert_str_eq (s_err, want);
}

#define S_JOB     "job:\n  algorithm: pr\n  graph: g.properties\n"
#define S_WORKERS "workers:\n  - name: w1\n"

Test (config, a_full_job_is_read_with_defaults_and_paths)
{
    zp_config_t *cfg = s_load ("job:\n"
                               "  name: demo\n"
                               "  algorithm: pr\n"
                               "  graph: data/g.properties\n"
                               "  output: /abs/out.txt\n"
                               "  params:\n"
                               "    damping: 0.9\n"
                               "    iterations: 3\n"
                               "master:\n"
                               "  control: tcp://127.0.0.1:5555\n"
                               "  broadcast: tcp://127.0.0.1:5556\n"
                               "  join_timeout: 1500ms\n"
                               "workers:\n"
                               "  - name: a\n"
                               "  - name: b\n"
                               "    transport: tcp\n"
                               "    endpoint: tcp://127.0.0.1:5601\n"
                               "    weight: 2.5\n"
                               "engine:\n"
                               "  batch_bytes: 64KiB\n"
                               "compression:\n"
                               "  mode: on\n"
                               "  level: 3\n",
                               NULL, 0);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_str_eq (cfg->name, "demo");
    cr_assert_str_eq (cfg->algorithm, "pr");
    char want[4200];
    snprintf (want, sizeof want, "%.*s/data/g.properties", (int) (strrchr (s_file, '/') - s_file),
              s_file);
    cr_assert_str_eq (cfg->graph, want);
    cr_assert_str_eq (cfg->output, "/abs/out.txt");
    cr_assert_eq (cfg->n_params, 2);
    cr_assert_str_eq (zp_config_param (cfg, "damping")->value, "0.9");
    cr_assert_eq (cfg->join_timeout_ms, 1500);
    cr_assert_eq (cfg->n_workers, 2);
    cr_assert_eq (cfg->workers[0].transport, ZP_TRANSPORT_INPROC);
    cr_assert_eq (cfg->workers[0].weight, 1.0);
    cr_assert_eq (cfg->workers[1].transport, ZP_TRANSPORT_TCP);
    cr_assert_eq (cfg->workers[1].weight, 2.5);
    cr_assert_eq (cfg->batch_bytes, 65536);
    cr_assert_eq (cfg->compress_mode, ZP_COMPRESS_ON);
    cr_assert_eq (cfg->compress_level, 3);
    cr_assert_eq (cfg->max_supersteps, 100000);
    cr_assert_eq (cfg->directed, -1);
    zp_config_destroy (&cfg);
    zp_config_destroy (&cfg); /* safe twice */
}

Test (config, the_issue_example_message)
{
    s_fails ("job:\n"                  /* 1 */
             "  algorithm: pr\n"       /* 2 */
             "  graph: g.properties\n" /* 3 */
             "workers:\n"              /* 4 */
             "  - name: w1\n"          /* 5 */
             "    weight: 1\n"         /* 6 */
             "  - name: w2\n"          /* 7 */
             "    # a comment\n"       /* 8 */
             "\n"                      /* 9 */
             "    transport: inproc\n" /* 10 */
             "    host: here\n"        /* 11 */
             "    weight: abc\n",      /* 12 */
             "12: workers[1].weight: expected a positive number, got \"abc\"");
}

Test (config, unknown_keys_are_errors)
{
    s_fails (
        S_JOB S_WORKERS "jobs: 1\n",
        "6: jobs: unknown key (expected one of: job, master, workers, routers, routing, engine, "
        "compression, placement, reliability, security, racks, links)");
    s_fails (
        "job:\n  algorithm: pr\n  grpah: x\n" S_WORKERS,
        "3: job.grpah: unknown key (expected one of: name, algorithm, graph, format, directed, "
        "output, labels, output_format, csv, params)");
    s_fails (S_JOB "workers:\n  - name: w1\n    cores: 4\n",
             "6: workers[0].cores: unknown key (expected one of: name, transport, endpoint, "
             "advertise, host, weight, key)");
}

Test (config, missing_required_keys)
{
    s_fails (S_WORKERS, "1: job: required key is missing");
    s_fails ("job:\n  graph: g\n" S_WORKERS, "1: job.algorithm: required key is missing");
    s_fails (S_JOB, "1: workers: required key is missing");
    s_fails (S_JOB "workers:\n  - transport: inproc\n",
             "5: workers[0].name: required key is missing");
}

Test (config, wrong_types_and_ranges)
{
    s_fails (S_JOB "workers: w1\n", "4: workers: expected a list of workers, got \"w1\"");
    s_fails (S_JOB "workers: []\n", "4: workers: expected at least one worker");
    s_fails ("job:\n  algorithm: [pr]\n  graph: g\n" S_WORKERS,
             "2: job.algorithm: expected a single value, got a list");
    s_fails ("job:\n  algorithm: pr\n  graph:\n" S_WORKERS,
             "3: job.graph: expected a file path, got an empty value");
    s_fails (S_JOB S_WORKERS "engine:\n  max_supersteps: -3\n",
             "7: engine.max_supersteps: expected a whole number from 1 to 100000000, got \"-3\"");
    s_fails (S_JOB S_WORKERS "engine:\n  batch_bytes: 12 MB\n",
             "7: engine.batch_bytes: expected a size in bytes from 256 to 1073741824 (suffix KiB, "
             "MiB, GiB allowed), got \"12 MB\"");
    s_fails (S_JOB S_WORKERS "compression:\n  mode: fast\n",
             "7: compression.mode: expected one of: auto, on, off, got \"fast\"");
    s_fails (S_JOB S_WORKERS "master:\n  join_timeout: soon\n",
             "7: master.join_timeout: expected a duration such as 500ms, 10s or 2m, got \"soon\"");
    s_fails ("job:\n  algorithm: pr\n  graph: g\n  directed: maybe\n" S_WORKERS,
             "4: job.directed: expected true or false, got \"maybe\"");
    s_fails (S_JOB "workers:\n  - name: w1\n    weight: 0\n",
             "6: workers[0].weight: expected a positive number, got \"0\"");
    s_fails (S_JOB S_WORKERS "job: 3\n", "6: job: duplicate key");
}

Test (config, workers_are_checked_together)
{
    s_fails (S_JOB "workers:\n  - name: a\n  - name: a\n",
             "6: workers[1]: worker name \"a\" is used twice");
    /* A name is a ZeroMQ identity (255 bytes at most, with a suffix). */
    char yaml[1024], name[257];
    memset (name, 'n', 256);
    name[256] = 0;
    snprintf (yaml, sizeof yaml, S_JOB "workers:\n  - name: a\nrouters:\n  - name: %s\n", name);
    s_fails (yaml, "7: routers[0]: a router name is 1 to 200 bytes with no control characters, "
                   "got 256 bytes");
    s_fails (S_JOB "workers:\n  - name: \"a\\tb\"\n",
             "5: workers[0]: a worker name is 1 to 200 bytes with no control characters, got 3 "
             "bytes with control characters");
    name[200] = 0;
    snprintf (yaml, sizeof yaml, S_JOB "workers:\n  - name: %s\n", name);
    zp_config_t *ok = s_load (yaml, NULL, 0);
    cr_assert_not_null (ok, "%s", s_err);
    zp_config_destroy (&ok);
    s_fails (S_JOB "workers:\n  - name: a\n    transport: tcp\n",
             "5: workers[0]: a tcp worker needs an endpoint (e.g. tcp://localhost: the port is "
             "chosen at run time)");
    zp_config_t *cfg = s_load (
        S_JOB "workers:\n  - name: a\n    transport: tcp\n    endpoint: tcp://127.0.0.1:7\n", NULL,
        0);
    cr_assert_null (cfg);
    char want[4400];
    snprintf (want, sizeof want,
              "%s: master: worker a uses tcp, so master.control and master.broadcast must be tcp "
              "endpoints (e.g. tcp://localhost, the ports chosen at run time)",
              s_file);
    cr_assert_str_eq (s_err, want);
    cfg = s_load (S_JOB "workers:\n  - name: a\n    transport: tcp\n    endpoint: inproc://a\n",
                  NULL, 0);
    cr_assert_null (cfg);
    snprintf (want, sizeof want,
              "%s:7: workers[0].endpoint: expected tcp://HOST:PORT (HOST a name or an address, "
              "PORT from 1 to 65535, or * or no port for one chosen at run time), got "
              "\"inproc://a\"",
              s_file);
    cr_assert_str_eq (s_err, want);
}

Test (config, yaml_syntax_and_files)
{
    s_fails ("job:\n  algorithm: pr\n   graph: x\n",
             "3: YAML syntax error: mapping values are not allowed in this context");
    s_fails ("", " the file is empty; a job needs at least job: and workers:");
    s_fails ("- a\n- b\n", "1: expected a mapping, got a list");
    zp_config_t *cfg = zp_config_load ("/nonexistent/job.yaml", NULL, 0, s_err, sizeof s_err);
    cr_assert_null (cfg);
    cr_assert_str_eq (s_err, "/nonexistent/job.yaml: cannot open: No such file or directory");
}

Test (config, set_overrides_any_key)
{
    const char *sets[] = {"job.params.iterations=5", "workers[1].weight=2",
                          "engine.batch_bytes=1MiB", "job.output=rel/out.txt", "job.algorithm=wcc"};
    zp_config_t *cfg = s_load (S_JOB "workers:\n  - name: a\n  - name: b\n", sets, 5);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_str_eq (zp_config_param (cfg, "iterations")->value, "5");
    cr_assert_str_eq (zp_config_param (cfg, "iterations")->origin, "--set job.params.iterations=5");
    cr_assert_eq (cfg->workers[1].weight, 2.0);
    cr_assert_eq (cfg->batch_bytes, 1 << 20);
    cr_assert_str_eq (cfg->output, "rel/out.txt"); /* relative to where zpregel runs */
    cr_assert_str_eq (cfg->algorithm, "wcc");
    zp_config_destroy (&cfg);
}

Test (config, bad_overrides_name_the_command_line)
{
    const char *bad_value[] = {"workers[0].weight=abc"};
    cr_assert_null (s_load (S_JOB S_WORKERS, bad_value, 1));
    cr_assert_str_eq (
        s_err,
        "--set workers[0].weight=abc: workers[0].weight: expected a positive number, got \"abc\"");
    const char *unknown[] = {"engine.turbo=yes"};
    cr_assert_null (s_load (S_JOB S_WORKERS, unknown, 1));
    cr_assert_str_eq (s_err,
                      "--set engine.turbo=yes: engine.turbo: unknown key (expected one of: "
                      "batch_bytes, max_supersteps, on_limit, check_program, threads, pull)");
    const char *range[] = {"workers[3].weight=1"};
    cr_assert_null (s_load (S_JOB S_WORKERS, range, 1));
    cr_assert_str_eq (s_err, "--set workers[3].weight=1: index 3 out of range (workers has 1: "
                             "index 1 adds one)");
    const char *noeq[] = {"job.algorithm"};
    cr_assert_null (s_load (S_JOB S_WORKERS, noeq, 1));
    cr_assert_str_eq (s_err, "--set job.algorithm: expected key.path=value");
    const char *section[] = {"job=pr"};
    cr_assert_null (s_load (S_JOB S_WORKERS, section, 1));
    cr_assert_str_eq (s_err, "--set job=pr: cannot replace a whole section with a value");
}

Test (config, params_keep_their_origin)
{
    zp_config_t *cfg = s_load (S_JOB S_WORKERS "  # comment\n", NULL, 0);
    cr_assert_not_null (cfg);
    cr_assert_eq (cfg->n_params, 0);
    cr_assert_str_eq (cfg->name, "job");
    zp_config_destroy (&cfg);
    cfg = s_load ("job:\n  algorithm: pr\n  graph: g\n  params:\n    damping: 0.5\n" S_WORKERS,
                  NULL, 0);
    cr_assert_not_null (cfg);
    char want[4200];
    snprintf (want, sizeof want, "%s:5", s_file);
    cr_assert_str_eq (cfg->params[0].origin, want);
    zp_config_destroy (&cfg);
    s_fails ("job:\n  algorithm: pr\n  graph: g\n  params:\n    damping: [1]\n" S_WORKERS,
             "5: job.params.damping: expected a value, got a list");
}

/* The part of `text` from the heading `start` to the next "## " heading. */
static char *s_doc_section (const char *text, const char *start)
{
    const char *from = strstr (text, start);
    cr_assert_not_null (from, "docs/CONFIG.md has no \"%s\"", start);
    const char *to = strstr (from + strlen (start), "\n## ");
    return strndup (from, to ? (size_t) (to - from) : strlen (from));
}

Test (config, every_key_is_documented_and_every_documented_key_exists)
{
    char *doc = zp_test_read (zp_test_path ("docs/CONFIG.md"), NULL);
    cr_assert_not_null (doc);
    char *workers = s_doc_section (doc, "\n## workers"),
         *routers = s_doc_section (doc, "\n## routers");
    const char *const *keys = zp_config_keys ();
    size_t n = 0;
    for (; keys[n]; n++) {
        char want[128];
        const char *key = keys[n];
        const char *in = doc;
        if (strncmp (key, "workers[].", 10) == 0) {
            snprintf (want, sizeof want, "| `%s` |", key + 10);
            in = workers;
        } else if (strncmp (key, "routers[].", 10) == 0) {
            snprintf (want, sizeof want, "`%s`", key + 10);
            in = routers;
        } else if (strcmp (key, "job.params") == 0)
            snprintf (want, sizeof want, "| `job.params.NAME` |");
        else
            snprintf (want, sizeof want, "| `%s` |", key);
        cr_assert (strstr (in, want), "docs/CONFIG.md does not document %s (no %s)", key, want);
    }
    cr_assert_gt (n, 40);
    /* The other way: every key in a table of the doc is in the schema. */
    for (const char *row = strstr (doc, "\n| `"); row; row = strstr (row + 1, "\n| `")) {
        char name[128];
        if (sscanf (row, "\n| `%127[^`]`", name) != 1)
            continue;
        bool in_workers = row > strstr (doc, "\n## workers") && row < strstr (doc, "\n## routers");
        if (!strchr (name, '.') && !in_workers)
            continue; /* a value or a program, in another table */
        char full[160];
        snprintf (full, sizeof full, "%s%s", in_workers ? "workers[]." : "", name);
        if (strcmp (full, "job.params.NAME") == 0)
            snprintf (full, sizeof full, "job.params");
        bool found = false;
        for (size_t i = 0; keys[i] && !found; i++)
            found = strcmp (keys[i], full) == 0;
        cr_assert (found, "docs/CONFIG.md documents %s, which the schema does not have", full);
    }
    free (workers);
    free (routers);
    free (doc);
}

Test (config, a_program_file_is_a_file_in_yaml_and_in_set_alike)
{
    /* "libx.so" in the job file is a file next to it; from --set, a file in
       the current directory: neither searches the library path. */
    zp_config_t *cfg =
        s_load ("job:\n  algorithm: libx.so\n  graph: g.properties\n" S_WORKERS, NULL, 0);
    cr_assert_not_null (cfg, "%s", s_err);
    char *dir = strdup (s_file), *slash = strrchr (dir, '/');
    *slash = 0;
    char want[4400];
    snprintf (want, sizeof want, "%s/libx.so", dir);
    cr_assert_str_eq (cfg->algorithm, want);
    zp_config_destroy (&cfg);
    free (dir);
    const char *set[] = {"job.algorithm=libx.so"};
    cfg = s_load (S_JOB S_WORKERS, set, 1);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_str_eq (cfg->algorithm, "./libx.so");
    zp_config_destroy (&cfg);
    const char *builtin[] = {"job.algorithm=kcore"};
    cfg = s_load (S_JOB S_WORKERS, builtin, 1);
    cr_assert_str_eq (cfg->algorithm, "kcore");
    zp_config_destroy (&cfg);
}

Test (config, set_adds_list_items_and_unset_removes_keys_and_items)
{
    const char *add[] = {"workers[1].name=w2", "workers[1].weight=3"};
    zp_config_t *cfg = s_load (S_JOB S_WORKERS, add, 2);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_eq (cfg->n_workers, 2);
    cr_assert_str_eq (cfg->workers[1].name, "w2");
    cr_assert_eq (cfg->workers[1].weight, 3);
    zp_config_destroy (&cfg);
    const char *drop[] = {"-workers[0]", "-job.params"};
    cfg = s_load (S_JOB "  params:\n    damping: 0.5\n"
                        "workers:\n  - name: a\n  - name: b\n",
                  drop, 2);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_eq (cfg->n_workers, 1);
    cr_assert_str_eq (cfg->workers[0].name, "b");
    cr_assert_eq (cfg->n_params, 0);
    zp_config_destroy (&cfg);
    const char *far[] = {"workers[3].name=w4"};
    cr_assert_null (s_load (S_JOB S_WORKERS, far, 1));
    cr_assert (strstr (s_err, "index 3 out of range (workers has 1: index 1 adds one)"), "%s",
               s_err);
    const char *none[] = {"-job.nothing"};
    cr_assert_null (s_load (S_JOB S_WORKERS, none, 1));
    cr_assert (strstr (s_err, "--unset job.nothing: no such key or list item"), "%s", s_err);
}

Test (config, a_job_without_a_file_is_made_of_labelled_overrides)
{
    const char *sets[] = {"job.algorithm=pr", "job.graph=g.properties", "workers[0].name=w1",
                          "engine.threads=2"};
    const char *labels[] = {"--algorithm pr", "--graph g.properties", "--workers 1", NULL};
    zp_config_t *cfg = zp_config_load_flags (NULL, sets, labels, 4, s_err, sizeof s_err);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_str_eq (cfg->path, ZP_CONFIG_NO_FILE);
    cr_assert_str_eq (cfg->name, "pr");
    cr_assert_str_eq (cfg->graph, "g.properties"); /* as given: relative to where it runs */
    cr_assert_eq (cfg->n_workers, 1);
    cr_assert_eq (cfg->threads, 2);
    cr_assert_str_eq (zp_config_origin (cfg, "job.graph"), "--graph g.properties");
    cr_assert_str_eq (zp_config_origin (cfg, "engine.threads"), "--set engine.threads=2");
    zp_config_destroy (&cfg);
    /* A bad value is named by its flag, a missing key by the command line. */
    sets[3] = "engine.threads=lots";
    labels[3] = "--threads lots";
    cr_assert_null (zp_config_load_flags (NULL, sets, labels, 4, s_err, sizeof s_err));
    cr_assert (strstr (s_err, "--threads lots: engine.threads: expected"), "%s", s_err);
    const char *no_graph[] = {"job.algorithm=pr", "workers[0].name=w1"};
    cr_assert_null (zp_config_load_flags (NULL, no_graph, labels, 2, s_err, sizeof s_err));
    cr_assert_str_eq (s_err, ZP_CONFIG_NO_FILE ": job.graph: required key is missing");
}

Test (config, the_output_format_is_named_or_follows_the_extension)
{
    const char *sets[] = {"job.output=out/x.CSV"};
    zp_config_t *cfg = s_load (S_JOB S_WORKERS, sets, 1);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_eq (cfg->output_format, ZP_OUTPUT_CSV);
    zp_config_destroy (&cfg);
    const char *jsonl[] = {"job.output=x.ndjson"};
    cfg = s_load (S_JOB S_WORKERS, jsonl, 1);
    cr_assert_eq (cfg->output_format, ZP_OUTPUT_JSONL);
    zp_config_destroy (&cfg);
    const char *named[] = {"job.output=x.csv", "job.output_format=text"};
    cfg = s_load (S_JOB S_WORKERS, named, 2);
    cr_assert_eq (cfg->output_format, ZP_OUTPUT_TEXT);
    zp_config_destroy (&cfg);
    cfg = s_load (S_JOB S_WORKERS, NULL, 0);
    cr_assert_eq (cfg->output_format, ZP_OUTPUT_TEXT);
    zp_config_destroy (&cfg);
    const char *bad[] = {"job.output_format=xml"};
    cr_assert_null (s_load (S_JOB S_WORKERS, bad, 1));
    cr_assert (strstr (s_err, "--set job.output_format=xml: job.output_format: expected one of"),
               "%s", s_err);
}

Test (config, links_give_speeds_in_bits_or_bytes_and_a_latency)
{
    zp_config_t *cfg = s_load (S_JOB S_WORKERS "links:\n  host: 1Gbit\n  uplink: 200Mbit/s\n"
                                               "  latency: 100us\n  hosts:\n    b2: 12.5MB/s\n",
                               NULL, 0);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_float_eq (cfg->link_host, 125e6, 1e-3);
    cr_assert_float_eq (cfg->link_uplink, 25e6, 1e-3);
    cr_assert_float_eq (cfg->link_latency, 1e-4, 1e-12);
    cr_assert_float_eq (zp_config_link (cfg, "b2"), 12.5e6, 1e-3);
    cr_assert_float_eq (zp_config_link (cfg, "a1"), 125e6, 1e-3);
    zp_config_destroy (&cfg);
    cfg = s_load (S_JOB S_WORKERS, NULL, 0);
    cr_assert_eq (zp_config_link (cfg, "a1"), 0, "not given: not known");
    zp_config_destroy (&cfg);
    s_fails (S_JOB S_WORKERS "links:\n  host: fast\n",
             "7: links.host: expected a link speed such as 1Gbit, 200Mbit/s or 125MB/s (above "
             "0), got \"fast\"");
    s_fails (S_JOB S_WORKERS "links:\n  uplink: 0Gbit\n",
             "7: links.uplink: expected a link speed such as 1Gbit, 200Mbit/s or 125MB/s (above "
             "0), got \"0Gbit\"");
    s_fails (S_JOB S_WORKERS "links:\n  latency: 3 days\n",
             "7: links.latency: expected a delay such as 100us, 2ms or 0.5s, got \"3 days\"");
    s_fails (S_JOB S_WORKERS "links:\n  hosts:\n    b2: 1Gbit\n    b2: 2Gbit\n",
             "9: links.hosts.b2: duplicate key");
    s_fails (S_JOB S_WORKERS "links:\n  hosts: [b2]\n",
             "7: links.hosts: expected a mapping of host names to link speeds, got a list");
}

Test (config, racks_name_each_hosts_rack_once)
{
    zp_config_t *cfg = s_load (S_JOB S_WORKERS "racks:\n  a: [h1, h2]\n  b:\n    - h3\n", NULL, 0);
    cr_assert_not_null (cfg, "%s", s_err);
    cr_assert_str_eq (zp_config_rack (cfg, "h2"), "a");
    cr_assert_str_eq (zp_config_rack (cfg, "h3"), "b");
    cr_assert_null (zp_config_rack (cfg, "h4"));
    cr_assert_null (zp_config_rack (cfg, NULL));
    zp_config_destroy (&cfg);
    s_fails (S_JOB S_WORKERS "racks:\n  a: [h1]\n  b: [h2, h1]\n",
             "8: racks.b: host \"h1\" is already in rack \"a\"");
    s_fails (S_JOB S_WORKERS "racks: [h1, h2]\n",
             "6: racks: expected a mapping of rack names to lists of hosts, got a list");
    s_fails (S_JOB S_WORKERS "racks:\n  a: h1\n",
             "7: racks.a: expected a list of host names ([host1, host2]), got \"h1\"");
}
