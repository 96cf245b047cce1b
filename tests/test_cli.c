/*  The zpregel command, run as a user would: real processes, real files. */
#include "zp_test.h"
#include "zpregel/zp_config.h"

#include <arpa/inet.h>
#include <glob.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <inttypes.h>

static const char *s_job (const char *dir, const char *graph, const char *extra, int workers)
{
    char yaml[4096];
    int at = snprintf (yaml, sizeof yaml,
                       "job:\n  algorithm: pr\n  graph: %s\n  output: %s/out/result.txt\n%s"
                       "workers:\n",
                       graph, dir, extra);
    for (int w = 0; w < workers; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at, "  - name: w%d\n", w);
    return zp_test_write (dir, "job.yaml", yaml);
}

Test (cli, pagerank_on_every_ldbc_graph_with_a_pr_output)
{
    const char *graphs[] = {"example-directed", "example-undirected", "test-pr-directed",
                            "test-pr-undirected"};
    for (int i = 0; i < 4; i++) {
        char dir[4096], rel[512], graph[4096], out[4200], ref[4096], msg[512];
        snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
        snprintf (rel, sizeof rel, "tests/data/ldbc/%s/%s.properties", graphs[i], graphs[i]);
        snprintf (graph, sizeof graph, "%s", zp_test_path (rel));
        const char *job = s_job (dir, graph, "", 2);
        const char *argv[] = {zp_test_bin (), "run", job, NULL};
        zp_test_run_t r;
        zp_test_run (argv, 60, &r);
        cr_assert_eq (r.status, 0, "%s: exit %d\n%s", graphs[i], r.status, r.err);
        cr_assert (strstr (r.out, "zpregel: pr on"), "no summary:\n%s", r.out);
        cr_assert (strstr (r.err, "superstep 0: active"), "no progress lines:\n%s", r.err);
        snprintf (out, sizeof out, "%s/out/result.txt", dir);
        snprintf (rel, sizeof rel, "tests/data/ldbc/%s/%s-PR", graphs[i], graphs[i]);
        snprintf (ref, sizeof ref, "%s", zp_test_path (rel));
        cr_assert_eq (zp_test_validate (out, ref, "epsilon", msg, sizeof msg), 0, "%s: %s",
                      graphs[i], msg);
        zp_test_run_free (&r);
    }
}

Test (cli, a_job_without_a_yaml_file_runs_from_flags)
{
    /* The same job from flags and from a file: the same bytes, and the
       LDBC reference. */
    char dir[4096], graph[4096], out[4200], flags_out[4200], ref[4096], msg[512];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (graph, sizeof graph, "%s",
              zp_test_path ("tests/data/ldbc/test-bfs-directed/test-bfs-directed.properties"));
    const char *job = s_job (dir, graph, "  params:\n    source: 1\nengine:\n  threads: 2\n", 3);
    zp_test_run_t r;
    const char *file_argv[] = {zp_test_bin (), "run", job, "--set", "job.algorithm=bfs", NULL};
    zp_test_run (file_argv, 60, &r);
    cr_assert_eq (r.status, 0, "the job file: exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
    snprintf (flags_out, sizeof flags_out, "%s/flags.txt", dir);
    const char *argv[] = {zp_test_bin (), "run",     "--algorithm", "bfs",      "--graph",
                          graph,          "-w",      "3",           "-t",       "2",
                          "--output",     flags_out, "--param",     "source=1", NULL};
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    cr_assert (strstr (r.out, "zpregel: bfs on") && strstr (r.out, "workers   3"), "%s", r.out);
    zp_test_run_free (&r);
    snprintf (out, sizeof out, "%s/out/result.txt", dir);
    cr_assert (zp_test_same_file (out, flags_out), "flags and file gave different outputs");
    snprintf (ref, sizeof ref, "%s",
              zp_test_path ("tests/data/ldbc/test-bfs-directed/test-bfs-directed-BFS"));
    cr_assert_eq (zp_test_validate (flags_out, ref, "exact", msg, sizeof msg), 0, "%s", msg);
    /* Flags also override a job file. */
    const char *both[] = {zp_test_bin (), "run",      job,         "--algorithm", "bfs",
                          "--param",      "source=2", "--threads", "1",           NULL};
    zp_test_run (both, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    cr_assert (strstr (r.out, "zpregel: bfs on"), "%s", r.out);
    cr_assert (!zp_test_same_file (out, flags_out), "--param source=2 changed nothing");
    zp_test_run_free (&r);
}

Test (cli, results_come_as_csv_or_json_lines_with_the_vertices_names)
{
    char dir[4096], csv[4200], jsonl[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (csv, sizeof csv, "%s/pr.csv", dir);
    snprintf (jsonl, sizeof jsonl, "%s/pr.out", dir);
    const char *graph = zp_test_path ("data/debian-deps.properties");
    char labels[4200];
    snprintf (labels, sizeof labels, "job.labels=%s", zp_test_path ("data/debian-deps.names"));
    const char *as_csv[] = {zp_test_bin (), "run", "-q",    "-a",   "pr", "-g", graph,
                            "-w",           "2",   "--set", labels, "-o", csv,  NULL};
    zp_test_run_t r;
    zp_test_run (as_csv, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
    char *text = zp_test_read (csv, NULL);
    cr_assert (text && strncmp (text, "id,name,value\n1,0ad,", 20) == 0, "%.200s", text);
    cr_assert (strstr (text, "\n16808,libc6,"), "no row for libc6");
    free (text);
    /* Named by job.output_format, whatever the extension. */
    const char *as_jsonl[] = {zp_test_bin (),
                              "run",
                              "-q",
                              "-a",
                              "pr",
                              "-g",
                              graph,
                              "--set",
                              labels,
                              "--set",
                              "job.output_format=jsonl",
                              "-o",
                              jsonl,
                              NULL};
    zp_test_run (as_jsonl, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
    text = zp_test_read (jsonl, NULL);
    cr_assert (text && strncmp (text, "{\"id\":1,\"name\":\"0ad\",\"value\":", 29) == 0, "%.200s",
               text);
    cr_assert (strstr (text, "\n{\"id\":16808,\"name\":\"libc6\",\"value\":"), "no line for libc6");
    free (text);
}

Test (cli, a_bad_flag_is_named_in_its_error)
{
    /* A copy: zp_test_path's buffers are reused by later calls. */
    char graph[4200];
    snprintf (graph, sizeof graph, "%s", zp_test_path ("data/debian-deps.properties"));
    struct {
        const char *args[6];
        int status;
        const char *says;
    } cases[] = {
        {{"--algorithm", "pr"}, 1, "the command line: job.graph: required key is missing"},
        {{"--algorithm", "nope", "--graph", graph}, 1, "--algorithm nope: job.algorithm: unknown"},
        {{"--algorithm", "pr", "--graph", "/nonexistent.e"}, 1, "/nonexistent.e"},
        {{"-a", "pr", "-g", graph}, 0, NULL},
        {{"--threads", "many", "-a", "pr"}, 1, "--threads many: engine.threads: expected"},
        {{"--workers", "0", "-a", "pr"}, 2, "--workers 0: expected a number from 1 to 256"},
        {{"--param", "iterations", "-a", "pr"}, 2, "--param iterations: expected NAME=VALUE"},
        {{"--param", "nope=1", "-a", "pr", "-g", graph}, 1, "--param nope=1: job.params.nope"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[12] = {zp_test_bin (), "run", "--quiet"};
        size_t n = 3;
        for (size_t k = 0; k < 6 && cases[i].args[k]; k++)
            argv[n++] = cases[i].args[k];
        if (cases[i].status == 0) {
            /* The working case, made to fail only on its output path. */
            argv[n++] = "--output";
            argv[n++] = "/dev/null/out.txt";
        }
        zp_test_run_t r;
        zp_test_run (argv, 60, &r);
        if (cases[i].says)
            cr_assert (r.status == cases[i].status && strstr (r.err, cases[i].says),
                       "case %zu: exit %d, expected %d and \"%s\":\n%s", i, r.status,
                       cases[i].status, cases[i].says, r.err);
        else
            cr_assert (r.status == 1 && strstr (r.err, "--output /dev/null/out.txt"),
                       "case %zu: exit %d:\n%s", i, r.status, r.err);
        zp_test_run_free (&r);
    }
}

Test (cli, stats_file_has_a_line_per_superstep_and_a_summary)
{
    char dir[4096], stats[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (stats, sizeof stats, "%s/stats.jsonl", dir);
    const char *job = s_job (
        dir, zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.properties"), "", 3);
    const char *argv[] = {zp_test_bin (), "run", job, "--stats", stats, "--quiet", NULL};
    zp_test_run_t r;
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert_str_eq (r.out, "", "--quiet printed: %s", r.out);
    char *text = zp_test_read (stats, NULL);
    cr_assert_not_null (text);
    /* 14 iterations: supersteps 0..14, each a step line and a traffic line,
       then the summary. */
    int lines = 0;
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save), lines++) {
        int step = lines / 2;
        char prefix[64];
        if (lines < 30 && lines % 2 == 0) {
            snprintf (prefix, sizeof prefix, "{\"step\":%d,", step);
            cr_assert (strncmp (line, prefix, strlen (prefix)) == 0, "line %d: %s", lines, line);
            cr_assert (strstr (line, "\"seconds\":") && strstr (line, "\"active\":") &&
                           strstr (line, "\"messages\":") && strstr (line, "\"bytes\":"),
                       "%s", line);
            /* docs/STATS.md: the slowest worker by name, and a UTC time. */
            const char *slowest = strstr (line, "\"slowest_worker\":\"w");
            const char *time = strstr (line, ",\"time\":\"20");
            cr_assert (slowest && time &&
                           strlen (time) == strlen (",\"time\":\"2026-12-01T12:53:17.572Z\"}"),
                       "%s", line);
        } else if (lines < 30) {
            snprintf (prefix, sizeof prefix, "{\"traffic\":true,\"step\":%d,\"workers\":3,", step);
            cr_assert (strncmp (line, prefix, strlen (prefix)) == 0, "line %d: %s", lines, line);
            /* Superstep 14 sends nothing; every earlier one sends between workers. */
            cr_assert (step == 14 ? strstr (line, "\"pairs\":[]") != NULL
                                  : strstr (line, "\"pairs\":[[") != NULL,
                       "%s", line);
        } else {
            cr_assert (strncmp (line, "{\"summary\":true,", 16) == 0, "%s", line);
            cr_assert (strstr (line, ",\"time\":\"20"), "%s", line);
            cr_assert (
                strstr (line, "\"load_seconds\":") && strstr (line, "\"compute_seconds\":") &&
                    strstr (line, "\"output_seconds\":") && strstr (line, "\"supersteps\":15") &&
                    strstr (line, "\"vertices_per_worker\":[") &&
                    strstr (line, "\"edges_per_worker\":["),
                "%s", line);
        }
    }
    cr_assert_eq (lines, 31);
    free (text);
    zp_test_run_free (&r);
}

Test (cli, set_overrides_the_job_file)
{
    char dir[4096], out[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *job =
        s_job (dir, zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties"),
               "  params:\n    iterations: 7\n", 1);
    const char *argv[] = {
        zp_test_bin (),        "run", job, "--set", "job.params.iterations=2", "-s",
        "workers[0].weight=3", NULL};
    zp_test_run_t r;
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    snprintf (out, sizeof out, "%s/out/result.txt", dir);
    char msg[512];
    cr_assert_eq (zp_test_validate (
                      out, zp_test_path ("tests/data/ldbc/example-directed/example-directed-PR"),
                      "epsilon", msg, sizeof msg),
                  0, "%s", msg);
    zp_test_run_free (&r);
}

Test (cli, what_cannot_work_is_said_before_the_job_runs)
{
    /* An output that cannot be written, and an algorithm set on the command
       line that does not exist: each is named where it was written, at
       once, before any superstep (the job would run a million). */
    char dir[4096], set[4400];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *job =
        s_job (dir, zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties"),
               "  params:\n    iterations: 1000000\n", 1);
    snprintf (set, sizeof set, "job.output=%s", dir); /* a directory */
    const char *to_dir[] = {zp_test_bin (), "run", job, "--set", set, NULL};
    zp_test_run_t r;
    zp_test_run (to_dir, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    char want[4500];
    snprintf (want, sizeof want, "--set %s: job.output: %s: cannot write: it is a directory", set,
              dir);
    cr_assert (strstr (r.err, want), "%s", r.err);
    cr_assert (!strstr (r.err, "superstep"), "%s", r.err);
    zp_test_run_free (&r);
    const char *under_a_file[] = {
        zp_test_bin (), "run", job, "--set", "job.output=/dev/null/out.txt", NULL};
    zp_test_run (under_a_file, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "job.output: /dev/null/out.txt: cannot write: its directory cannot "
                              "be made"),
               "%s", r.err);
    zp_test_run_free (&r);
    const char *algo[] = {zp_test_bin (), "run", job, "--set", "job.algorithm=nope", NULL};
    zp_test_run (algo, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "zpregel: --set job.algorithm=nope: job.algorithm: unknown "
                              "algorithm \"nope\""),
               "%s", r.err);
    zp_test_run_free (&r);
}

Test (cli, bad_input_exits_1_with_file_and_line)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *job = zp_test_write (dir, "bad.yaml",
                                     "job:\n  algorithm: pr\n  graph: g.txt\n"
                                     "workers:\n  - name: w\n    weight: -1\n");
    const char *argv[] = {zp_test_bin (), "run", job, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    cr_assert_eq (r.status, 1);
    char want[4200];
    snprintf (want, sizeof want,
              "zpregel: %s:6: workers[0].weight: expected a positive number, got \"-1\"\n", job);
    cr_assert_str_eq (r.err, want);
    zp_test_run_free (&r);

    /* A graph file with a bad line. */
    zp_test_write (dir, "g.txt", "1 2\n2 x\n");
    job = zp_test_write (dir, "job.yaml",
                         "job:\n  algorithm: pr\n  graph: g.txt\nworkers:\n  - name: w\n");
    const char *argv2[] = {zp_test_bin (), "run", job, NULL};
    zp_test_run (argv2, 30, &r);
    cr_assert_eq (r.status, 1);
    snprintf (
        want, sizeof want,
        "zpregel: %s/g.txt:2: expected \"source target\" with unsigned integer ids, got \"2 x\"\n",
        dir);
    cr_assert_str_eq (r.err, want);
    zp_test_run_free (&r);
}

Test (cli, a_master_that_cannot_bind_says_so)
{
    int port = zp_test_port ();
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons ((uint16_t) port),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    cr_assert (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 && listen (fd, 1) == 0);
    char dir[4096], yaml[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\nmaster:\n  control: tcp://127.0.0.1:%d\n"
              "  broadcast: tcp://127.0.0.1:%d\nworkers:\n  - name: w\n",
              zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties"), port,
              zp_test_port ());
    const char *argv[] = {zp_test_bin (), "run", zp_test_write (dir, "job.yaml", yaml), NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    close (fd);
    cr_assert_eq (r.status, 1);
    char want[128];
    snprintf (want, sizeof want,
              "zpregel: the master cannot bind tcp://127.0.0.1:%d: Address already in use", port);
    cr_assert (strstr (r.err, want), "%s", r.err);
    zp_test_run_free (&r);
}

/* Starts a long mixed job (an inproc and a tcp worker, a tcp router),
   sends `signo` to zpregel run alone once it computes, and checks that it
   exits with 128 + signo, stops every process it started, and writes no
   output. */
static void s_interrupt (const char *dir, const char *name, int signo)
{
    char yaml[4096], out[4300], err[4300], output[4300];
    snprintf (output, sizeof output, "%s/%s.out", dir, name);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s\n"
              "  params:\n    iterations: 1000000\n"
              "master:\n  control: tcp://127.0.0.1\n  broadcast: tcp://127.0.0.1\n"
              "workers:\n  - name: w1\n  - name: w2\n    transport: tcp\n"
              "    endpoint: tcp://127.0.0.1\n"
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1\n"
              "routing:\n  mode: aggregated\n",
              zp_test_path ("data/debian-deps.properties"), output);
    char file[300];
    snprintf (file, sizeof file, "%s.yaml", name);
    const char *job = zp_test_write (dir, file, yaml);
    const char *argv[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (argv, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 3:", 60), "the job did not start:\n%s",
               zp_test_read (err, NULL));
    kill (pid, signo);
    int status = zp_test_wait (pid, 20);
    char *text = zp_test_read (err, NULL);
    cr_assert_eq (status, 128 + signo, "exit %d after signal %d:\n%s", status, signo, text);
    free (text);
    /* Its children were stopped with it (the wait is bounded). */
    for (int i = 0; i < 50 && zp_test_count_processes (job) > 0; i++)
        usleep (100000);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
    cr_assert_neq (access (output, F_OK), 0, "an interrupted job wrote output");
}

Test (cli, sigint_and_sigterm_stop_the_whole_job_with_130_and_143, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_interrupt (dir, "int", SIGINT);
    s_interrupt (dir, "term", SIGTERM);
}

Test (cli, a_second_job_whose_master_cannot_bind_starts_no_nodes, .timeout = 120)
{
    /* Two copies of one job with fixed master endpoints: the second one's
       master cannot bind. Its tcp worker must not be started, or it would
       join the first job's master under a name of that job, compute for
       it and then die, forcing a recovery that the first job does not
       allow. */
    char dir[4096], first[4096], second[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    int control = zp_test_port (), broadcast = zp_test_port ();
    const char *form = "job:\n  algorithm: pr\n  graph: %s\n  output: %s/%s.out\n"
                       "  params:\n    iterations: 3000\n"
                       "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
                       "workers:\n  - name: w1\n  - name: w2\n    transport: tcp\n"
                       "    endpoint: tcp://127.0.0.1:%d\n"
                       "reliability:\n  max_recoveries: 0\n  liveness: 20\n";
    /* A liveness window of 20 s (not what this tests): with the default 5 s,
       the first job once lost its tcp worker, silent 5.3 s, in a suite
       under the sanitizers beside two others (load 22). */
    const char *graph = zp_test_path ("data/debian-deps.properties");
    snprintf (first, sizeof first, form, graph, dir, "first", control, broadcast, zp_test_port ());
    snprintf (second, sizeof second, form, graph, dir, "second", control, broadcast,
              zp_test_port ());
    char out[4300], err[4300];
    const char *a[] = {zp_test_bin (), "run", zp_test_write (dir, "first.yaml", first), NULL};
    int pid = zp_test_start (a, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 2:", 60), "the first job did not start");
    const char *job2 = zp_test_write (dir, "second.yaml", second);
    const char *b[] = {zp_test_bin (), "run", job2, NULL};
    char out2[4300], err2[4300];
    int pid2 = zp_test_start (b, out2, err2);
    /* While it tries to bind (3 s) and fails: no node process of its own
       (zpregel worker JOB --name NAME). */
    int nodes = 0, status2 = -1;
    for (int i = 0; i < 600; i++) {
        if (zp_test_find_process (job2, "--name") > 0)
            nodes++;
        int raw;
        if (waitpid (pid2, &raw, WNOHANG) == pid2) {
            status2 = WIFEXITED (raw) ? WEXITSTATUS (raw) : -1;
            break;
        }
        usleep (100000);
    }
    if (status2 == -1)
        status2 = zp_test_wait (pid2, 1);
    char *text2 = zp_test_read (err2, NULL);
    cr_assert_eq (status2, 1, "%s", text2);
    char want[128];
    snprintf (want, sizeof want, "the master cannot bind tcp://127.0.0.1:%d", control);
    cr_assert (strstr (text2, want), "%s", text2);
    cr_assert_eq (nodes, 0, "the second job started a node process for a master it has not");
    free (text2);
    int status = zp_test_wait (pid, 100);
    char *text = zp_test_read (err, NULL);
    cr_assert_eq (status, 0, "the first job was disturbed:\n%s", text);
    free (text);
}

Test (cli, usage_and_help)
{
    zp_test_run_t r;
    const char *help[] = {zp_test_bin (), "--help", NULL};
    zp_test_run (help, 10, &r);
    cr_assert_eq (r.status, 0);
    cr_assert (strstr (r.out, "usage: zpregel COMMAND"));
    zp_test_run_free (&r);
    const char *run_help[] = {zp_test_bin (), "run", "--help", NULL};
    zp_test_run (run_help, 10, &r);
    cr_assert_eq (r.status, 0);
    cr_assert (strstr (r.out, "--set KEY=VALUE"));
    zp_test_run_free (&r);
    const char *programs[] = {zp_test_bin (), "programs", NULL};
    zp_test_run (programs, 10, &r);
    cr_assert_eq (r.status, 0);
    cr_assert (strstr (r.out, "job.params.damping"), "%s", r.out);
    /* Every parameter a job may set, the weight column's name included. */
    cr_assert (strstr (r.out, "job.params.weight_property name of the edge property that holds "
                              "the weights (from sssp.weight-property; default weight)"),
               "%s", r.out);
    zp_test_run_free (&r);
    const char *unknown[] = {zp_test_bin (), "frobnicate", NULL};
    zp_test_run (unknown, 10, &r);
    cr_assert_eq (r.status, 2);
    cr_assert (strstr (r.err, "unknown command \"frobnicate\""));
    zp_test_run_free (&r);
    const char *noarg[] = {zp_test_bin (), "run", NULL};
    zp_test_run (noarg, 10, &r);
    cr_assert_eq (r.status, 2);
    cr_assert (strstr (r.err, "expected exactly one JOB.yaml"));
    zp_test_run_free (&r);
    const char *badopt[] = {zp_test_bin (), "run", "--bogus", "x.yaml", NULL};
    zp_test_run (badopt, 10, &r);
    cr_assert_eq (r.status, 2);
    zp_test_run_free (&r);
    /* Every command and subcommand has --help: exit 0, its usage on stdout,
       and the main help names them all. */
    const char *commands[][2] = {{"run", NULL},      {"master", NULL},   {"worker", NULL},
                                 {"router", NULL},   {"launch", NULL},   {"watch", NULL},
                                 {"plan", NULL},     {"gen", NULL},      {"gen", "rmat"},
                                 {"gen", "traffic"}, {"programs", NULL}, {"keygen", NULL}};
    zp_test_run (help, 10, &r);
    char *main_help = strdup (r.out);
    zp_test_run_free (&r);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *argv[] = {zp_test_bin (), commands[i][0],
                              commands[i][1] ? commands[i][1] : "--help",
                              commands[i][1] ? "--help" : NULL, NULL};
        zp_test_run (argv, 10, &r);
        char want[64], listed[64];
        snprintf (want, sizeof want, "usage: zpregel %s%s%s", commands[i][0],
                  commands[i][1] ? " " : "", commands[i][1] ? commands[i][1] : "");
        snprintf (listed, sizeof listed, "  %s%s%s ", commands[i][0], commands[i][1] ? " " : "",
                  commands[i][1] ? commands[i][1] : "");
        cr_assert_eq (r.status, 0, "%s --help: exit %d\n%s", want, r.status, r.err);
        cr_assert (strstr (r.out, want), "%s --help printed:\n%s", want, r.out);
        cr_assert (commands[i][0][0] == 'g' && !commands[i][1] ? true
                                                               : strstr (main_help, listed) != NULL,
                   "zpregel --help does not list %s", listed);
        zp_test_run_free (&r);
    }
    free (main_help);
    /* programs names what it is given, and says it in JSON. */
    char so[4300];
    const char *build =
        getenv ("ZPREGEL_BUILD") ? getenv ("ZPREGEL_BUILD") : zp_test_path ("build");
    snprintf (so, sizeof so, "%s/libzp_indegree.so", build);
    const char *json[] = {zp_test_bin (), "programs", "--json", "hits", so, NULL};
    zp_test_run (json, 10, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strncmp (r.out, "{\"name\":\"hits\",", 15) == 0, "%s", r.out);
    cr_assert (strstr (r.out, "\"api_version\":1") && !strstr (r.out, "\"name\":\"pr\""), "%s",
               r.out);
    /* A shared object by the name it gives itself, and its file. */
    cr_assert (strstr (r.out, "{\"name\":\"indegree-centrality\",\"file\":"), "%s", r.out);
    zp_test_run_free (&r);
}

Test (cli, the_main_job_runs)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    char out[4200], set[4300];
    snprintf (out, sizeof out, "%s/pr.csv", dir);
    snprintf (set, sizeof set, "job.output=%s", out);
    const char *argv[] = {zp_test_bin (), "run", zp_test_path ("configs/local.yaml"),
                          "--set",        set,   NULL};
    zp_test_run_t r;
    zp_test_run (argv, 120, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    /* The package everything rests on comes first. */
    cr_assert (strstr (r.out, "top 10 vertices by value:"), "%s", r.out);
    cr_assert (strstr (r.out, "  libc6\n"), "%s", r.out);
    size_t len;
    char *text = zp_test_read (out, &len);
    cr_assert_not_null (text);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    /* A header, then a row a package, by its name. */
    cr_assert_eq (lines, 63437);
    const char *head = "id,name,value\n1,0ad,";
    cr_assert (strncmp (text, head, strlen (head)) == 0, "%.100s", text);
    cr_assert (strstr (text, "\n16808,libc6,1.54"), "libc6 is not 16808's name");
    free (text);
    zp_test_run_free (&r);
}

Test (cli, every_bundled_config_runs)
{
    glob_t found;
    cr_assert_eq (glob (zp_test_path ("configs/*.yaml"), 0, NULL, &found), 0);
    cr_assert_geq (found.gl_pathc, 2);
    for (size_t i = 0; i < found.gl_pathc; i++) {
        /* Every config loads; those whose nodes all run here also run. */
        char err[2048];
        zp_config_t *cfg = zp_config_load (found.gl_pathv[i], NULL, 0, err, sizeof err);
        cr_assert_not_null (cfg, "%s", err);
        bool here = zp_config_is_local (cfg->master_host);
        for (size_t w = 0; w < cfg->n_workers; w++)
            here = here && zp_config_is_local (cfg->workers[w].host);
        zp_config_destroy (&cfg);
        if (!here)
            continue;
        char dir[4096], set[4300];
        snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
        snprintf (set, sizeof set, "job.output=%s/out.txt", dir);
        const char *argv[] = {zp_test_bin (), "run", found.gl_pathv[i], "--set", set,
                              "--quiet",      NULL};
        zp_test_run_t r;
        zp_test_run (argv, 120, &r);
        cr_assert_eq (r.status, 0, "%s: %s", found.gl_pathv[i], r.err);
        zp_test_run_free (&r);
    }
    globfree (&found);
}

Test (cli, the_sample_configs_run_every_builtin_on_every_ldbc_dataset, .timeout = 300)
{
    /* configs/local.yaml and configs/mixed.yaml name no parameters: a
       dataset's .properties gives them, so switching the algorithm and the
       graph with --set is all it takes. The six LDBC algorithms pass their
       reference outputs; kcore and hits run on every one of those graphs. */
    const char *algos[] = {"bfs", "cdlp", "lcc", "pr", "sssp", "wcc"};
    const char *rules[] = {"exact", "exact", "epsilon", "epsilon", "epsilon", "equivalence"};
    const char *suffix[] = {"BFS", "CDLP", "LCC", "PR", "SSSP", "WCC"};
    const char *configs[] = {"configs/local.yaml", "configs/mixed.yaml"};
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    for (int a = 0; a < 6; a++)
        for (int d = 0; d < 2; d++) {
            const char *kind = d ? "undirected" : "directed";
            char name[128], graph[4300], ref[4300], rel[512], out[4300];
            snprintf (name, sizeof name, "test-%s-%s", algos[a], kind);
            snprintf (rel, sizeof rel, "tests/data/ldbc/%s/%s.properties", name, name);
            snprintf (graph, sizeof graph, "%s", zp_test_path (rel));
            snprintf (rel, sizeof rel, "tests/data/ldbc/%s/%s-%s", name, name, suffix[a]);
            snprintf (ref, sizeof ref, "%s", zp_test_path (rel));
            const char *programs[] = {algos[a], "kcore", "hits"};
            for (int p = 0; p < 3; p++) {
                /* Alternate the configs: both are covered, the run stays short. */
                const char *config = zp_test_path (configs[(a + d + p) % 2]);
                char set_algo[256], set_graph[4400], set_out[4400];
                snprintf (out, sizeof out, "%s/%s-%s.out", dir, name, programs[p]);
                snprintf (set_algo, sizeof set_algo, "job.algorithm=%s", programs[p]);
                snprintf (set_graph, sizeof set_graph, "job.graph=%s", graph);
                snprintf (set_out, sizeof set_out, "job.output=%s", out);
                const char *argv[] = {zp_test_bin (), "run",    config,  "--quiet",
                                      "--set",        set_algo, "--set", set_graph,
                                      "--set",        set_out,  NULL};
                zp_test_run_t r;
                zp_test_run (argv, 60, &r);
                cr_assert_eq (r.status, 0, "%s on %s with %s: %s", programs[p], name, config,
                              r.err);
                zp_test_run_free (&r);
                if (p == 0) {
                    char msg[512];
                    cr_assert_eq (zp_test_validate (out, ref, rules[a], msg, sizeof msg), 0,
                                  "%s on %s: %s", algos[a], name, msg);
                }
            }
        }
}

/* data/debian-deps as a CSV of package names ("package,depends" and a
   line per dependency, a name quoted now and then), at DIR/deps.csv. */
static void s_deps_csv (const char *dir, char *path, size_t len)
{
    size_t nn = 0;
    char *names_text = zp_test_read (zp_test_path ("data/debian-deps.names"), &nn);
    cr_assert (names_text);
    /* ids are 1..63436, one "id name" line each */
    static char *names[70000];
    for (char *line = strtok (names_text, "\n"); line; line = strtok (NULL, "\n")) {
        char *space = strchr (line, ' ');
        long id = strtol (line, NULL, 10);
        if (space && id > 0 && id < 70000)
            names[id] = space + 1;
    }
    char *edges = zp_test_read (zp_test_path ("data/debian-deps.e"), NULL);
    cr_assert (edges);
    snprintf (path, len, "%s/deps.csv", dir);
    FILE *out = fopen (path, "w");
    cr_assert (out);
    fputs ("package,depends\n", out);
    long n = 0;
    for (char *line = strtok (edges, "\n"); line; line = strtok (NULL, "\n")) {
        long a, b;
        cr_assert_eq (sscanf (line, "%ld %ld", &a, &b), 2);
        cr_assert (names[a] && names[b], "edge %ld %ld has no names", a, b);
        fprintf (out, n++ % 7 == 0 ? "\"%s\",%s\n" : "%s,%s\n", names[a], names[b]);
    }
    fclose (out);
    free (edges);
    free (names_text);
}

Test (cli, a_csv_edge_list_of_names_gives_results_by_name, .timeout = 120)
{
    char dir[4096], csv[4200], out[4200], ids_out[4200], jsonl[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_deps_csv (dir, csv, sizeof csv);
    snprintf (out, sizeof out, "%s/bfs.csv", dir);
    snprintf (ids_out, sizeof ids_out, "%s/bfs.txt", dir);
    /* BFS from 0ad (id 1) by name, and by id on the .properties graph. */
    const char *by_name[] = {zp_test_bin (),
                             "run",
                             "-q",
                             "-a",
                             "bfs",
                             "-g",
                             csv,
                             "-w",
                             "2",
                             "-p",
                             "source=0ad",
                             "--set",
                             "job.csv.source=package",
                             "--set",
                             "job.csv.target=depends",
                             "-o",
                             out,
                             NULL};
    zp_test_run_t r;
    zp_test_run (by_name, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
    const char *by_id[] = {zp_test_bin (),
                           "run",
                           "-q",
                           "-a",
                           "bfs",
                           "-g",
                           zp_test_path ("data/debian-deps.properties"),
                           "-p",
                           "source=1",
                           "-o",
                           ids_out,
                           NULL};
    zp_test_run (by_id, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
    /* Every row of the named run is the id run's hop count of that package. */
    char *named = zp_test_read (out, NULL), *numbered = zp_test_read (ids_out, NULL);
    char *names_text = zp_test_read (zp_test_path ("data/debian-deps.names"), NULL);
    cr_assert (named && numbered && names_text);
    cr_assert (strncmp (named, "name,value\n", 11) == 0, "%.100s", named);
    static char hops_of[70000][24];
    for (char *line = strtok (numbered, "\n"); line; line = strtok (NULL, "\n")) {
        long id;
        char v[24];
        if (sscanf (line, "%ld %23s", &id, v) == 2 && id > 0 && id < 70000)
            snprintf (hops_of[id], sizeof hops_of[id], "%s", v);
    }
    size_t rows = 0, reached = 0;
    char *save = NULL;
    for (char *line = strtok_r (named + 11, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        char *comma = strrchr (line, ',');
        cr_assert (comma, "%s", line);
        *comma = 0;
        char *name = line;
        /* No package name has a comma or a quote: none is written quoted. */
        cr_assert (*name != '"', "a quoted name: %s", name);
        /* Find the package's id in the names file. */
        char key[300];
        snprintf (key, sizeof key, " %s\n", name);
        char *at = strstr (names_text, key);
        while (at && at > names_text && at[-1] != '\n' && !(at[-1] >= '0' && at[-1] <= '9'))
            at = strstr (at + 1, key);
        cr_assert (at, "package %s is not in the names file", name);
        char *start = at;
        while (start > names_text && start[-1] != '\n')
            start--;
        long id = strtol (start, NULL, 10);
        cr_assert_str_eq (comma + 1, hops_of[id], "package %s (id %ld)", name, id);
        rows++;
        reached += strcmp (comma + 1, "9223372036854775807") != 0;
    }
    cr_assert_eq (rows, 59417, "%zu rows: the packages with a dependency either way", rows);
    cr_assert_gt (reached, 10, "%zu reached", reached);
    free (named);
    free (numbered);
    free (names_text);
    /* The same through a job file, as JSON lines. */
    char yaml[9000];
    snprintf (jsonl, sizeof jsonl, "%s/pr.jsonl", dir);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s\n  csv:\n    source: package\n"
              "    target: depends\n    delimiter: \",\"\nworkers:\n  - name: w1\n",
              csv, jsonl);
    const char *job[] = {zp_test_bin (), "run", "-q", zp_test_write (dir, "csv.yaml", yaml), NULL};
    zp_test_run (job, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
    char *lines = zp_test_read (jsonl, NULL);
    cr_assert (lines && strstr (lines, "{\"name\":\"libc6\",\"value\":"), "%.200s", lines);
    free (lines);
}

Test (cli, csv_input_errors_name_the_file_line_or_key)
{
    char dir[4096], d[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (d, sizeof d, "%s", dir);
    const char *empty = zp_test_write (d, "empty.csv", "");
    const char *twice = zp_test_write (d, "twice.csv", "a,b,a\nx,y,z\n");
    const char *semi = zp_test_write (d, "semi.csv", "a;b\nx;y\n");
    const struct {
        const char *graph, *set, *want;
    } cases[] = {
        {empty, NULL, "empty.csv: no edges: the file is empty"},
        {twice, NULL, "twice.csv:1: the header names column \"a\" twice"},
        {semi, NULL,
         "semi.csv:2: expected at least 2 fields separated by ',', got 1 in \"x;y\" "
         "(is the delimiter ';'?)"},
        {semi, "job.csv.source=from",
         "semi.csv:1: job.csv.source: no column \"from\" in the header"},
        {semi, "job.csv.delimiter=;;",
         "--set job.csv.delimiter=;;: job.csv.delimiter: expected one character (not a quote), "
         "or \"tab\", got \";;\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *argv[] = {zp_test_bin (), "run", "-q",           "-a",
                              "wcc",          "-g",  cases[i].graph, cases[i].set ? "--set" : NULL,
                              cases[i].set,   NULL};
        zp_test_run_t r;
        zp_test_run (argv, 60, &r);
        cr_assert_eq (r.status, 1, "%s: exit %d\n%s", cases[i].want, r.status, r.err);
        cr_assert (strstr (r.err, cases[i].want), "want %s, got: %s", cases[i].want, r.err);
        zp_test_run_free (&r);
    }
    /* The right delimiter reads it. */
    const char *argv[] = {zp_test_bin (),        "run", "-q", "-a", "wcc", "-g", semi, "--set",
                          "job.csv.delimiter=;", NULL};
    zp_test_run_t r;
    zp_test_run (argv, 60, &r);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    zp_test_run_free (&r);
}
