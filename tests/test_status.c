/*  master.http: the metrics and the status page of a running job, read by
    Prometheus's own checker and by a real browser (headless Chromium). */
#include "zp_test.h"

#include <math.h>
#include <time.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A job of `steps` supersteps of about `step_ms` each (the paced test
   program) on the Debian graph, two inproc workers and a tcp one behind a
   router, serving master.http on `port`. Its tcp ports are the tests' own
   (zp_test_port), not ones the system picks: a node of a job that is
   ending keeps reconnecting for a moment, and must not reach a port that
   the system has since given to another test's job. */
static const char *s_paced_job (const char *dir, int port, int steps, int step_ms)
{
    char yaml[8192];
    snprintf (yaml, sizeof yaml,
              "job:\n  name: paced\n  algorithm: %s/tests/libzp_paced.so\n"
              "  graph: %s\n  output: %s/paced.out\n"
              "  params:\n    steps: %d\n    step_ms: %d\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "  http: 127.0.0.1:%d\n"
              "workers:\n  - name: a\n  - name: b\n"
              "  - name: c\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routers:\n  - name: r1\n"
              "routing:\n  mode: aggregated\n",
              getenv ("ZPREGEL_BUILD") ? getenv ("ZPREGEL_BUILD") : zp_test_path ("build"),
              zp_test_path ("data/debian-deps.properties"), dir, steps, step_ms, zp_test_port (),
              zp_test_port (), port, zp_test_port ());
    return zp_test_write (dir, "paced.yaml", yaml);
}

/* Starts the paced job in a new directory (dir, 4096 bytes) with
   `extra` arguments after it (NULL-terminated, at most 4); its stderr
   goes to err (4200 bytes). */
static int s_start_paced (char *dir, int port, int steps, const char *const *extra, char *err)
{
    char job[4096], out[4200];
    snprintf (dir, 4096, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s", s_paced_job (dir, port, steps, 150));
    const char *argv[8] = {zp_test_bin (), "run", job};
    for (int i = 0; extra && extra[i] && i < 4; i++)
        argv[3 + i] = extra[i];
    int pid = zp_test_start (argv, out, err);
    cr_assert (pid > 0);
    return pid;
}

/* The value of the sample `name` (a whole line's first word) in an
   exposition, or -1. */
static double s_sample (const char *metrics, const char *name)
{
    size_t len = strlen (name);
    for (const char *p = metrics; p && *p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp (p, name, len) == 0 && p[len] == ' ')
            return strtod (p + len + 1, NULL);
    return -1;
}

/* The number after "key": in `record`, or -1. */
static double s_field (const char *record, const char *key)
{
    char pattern[128];
    snprintf (pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr (record, pattern);
    return at ? strtod (at + strlen (pattern), NULL) : -1;
}

static bool s_have (const char *command)
{
    char probe[256];
    snprintf (probe, sizeof probe, "command -v %s >/dev/null 2>&1", command);
    return system (probe) == 0;
}

Test (status, metrics_scraped_during_a_job_pass_promtool_and_agree_with_its_stats, .timeout = 240)
{
    if (!s_have ("promtool"))
        cr_skip_test ("promtool is not installed (Debian's prometheus; scripts/deps.sh web)");
    char dir[4096], err[4300], stats[4300];
    int port = zp_test_port ();
    char *stats_tmp = strdup (zp_test_tmpdir ());
    snprintf (stats, sizeof stats, "%s/stats.jsonl", stats_tmp);
    free (stats_tmp);
    const char *extra[] = {"--stats", stats, NULL};
    int pid = s_start_paced (dir, port, 24, extra, err);
    /* Scrape while it runs, until a few supersteps are done (bounded). */
    char *metrics = NULL;
    int code = 0;
    for (int i = 0; i < 600; i++) {
        free (metrics);
        metrics = zp_test_http_get (port, "/metrics", &code);
        if (metrics && s_sample (metrics, "zpregel_superstep") >= 4)
            break;
        usleep (50 * 1000);
    }
    cr_assert (metrics, "nothing answered on 127.0.0.1:%d", port);
    cr_assert_eq (code, 200);
    double step = s_sample (metrics, "zpregel_superstep");
    cr_assert (step >= 4 && step < 23, "scraped at superstep %g: not during the job", step);
    cr_assert_eq (s_sample (metrics, "zpregel_job_state{state=\"running\"}"), 1, "%s", metrics);
    char *status = zp_test_http_get (port, "/status.json", &code);
    cr_assert (status && code == 200 && strstr (status, "\"state\":\"running\""));
    free (status);
    char *missing = zp_test_http_get (port, "/nothing", &code);
    cr_assert_eq (code, 404);
    free (missing);
    zp_test_write (dir, "metrics.txt", metrics);
    cr_assert_eq (zp_test_wait (pid, 180), 0, "the job failed: %s", zp_test_read (err, NULL));

    /* Prometheus's own checker finds nothing to say. */
    char check[8400];
    snprintf (check, sizeof check, "promtool check metrics < '%s/metrics.txt'", dir);
    const char *sh[] = {"/bin/bash", "-c", check, NULL};
    zp_test_run_t r;
    zp_test_run (sh, 60, &r);
    cr_assert_eq (r.status, 0, "promtool check metrics: %s%s", r.out, r.err);
    zp_test_run_free (&r);

    /* The values are the job's: the step records up to the superstep
       scraped add up to the counters, and per worker too. */
    cr_assert_eq (s_sample (metrics, "zpregel_graph_vertices"), 63436);
    /* The start time to the millisecond, not rounded to 9 digits (100 s). */
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    double started = s_sample (metrics, "zpregel_job_start_time_seconds");
    cr_assert (started <= (double) now.tv_sec + 1 && started > (double) now.tv_sec - 120 &&
                   started != floor (started / 100) * 100,
               "zpregel_job_start_time_seconds %f, now %ld", started, (long) now.tv_sec);
    cr_assert_eq (s_sample (metrics, "zpregel_workers"), 3);
    cr_assert_eq (s_sample (metrics, "zpregel_supersteps_total"), step + 1);
    char *text = zp_test_read (stats, NULL);
    cr_assert (text);
    double messages = 0, bytes = 0, mirrored = 0, active = -1, c_out = 0, c_compute = 0;
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        if (strncmp (line, "{\"step\":", 8) != 0 || s_field (line, "step") > step)
            continue;
        messages += s_field (line, "messages");
        bytes += s_field (line, "bytes");
        mirrored += s_field (line, "mirrored");
        active = s_field (line, "active");
        const char *c = strstr (line, "{\"name\":\"c\"");
        cr_assert (c, "no record of worker c: %s", line);
        c_out += s_field (c, "messages_out");
        c_compute += s_field (c, "compute_seconds");
    }
    free (text);
    cr_assert_eq (s_sample (metrics, "zpregel_messages_total"), messages);
    cr_assert_eq (s_sample (metrics, "zpregel_sent_bytes_total"), bytes);
    cr_assert_eq (s_sample (metrics, "zpregel_mirrored_total"), mirrored);
    cr_assert_eq (s_sample (metrics, "zpregel_active_vertices"), active);
    cr_assert_eq (s_sample (metrics, "zpregel_worker_sent_messages_total{worker=\"c\"}"), c_out);
    double compute = s_sample (metrics, "zpregel_worker_compute_seconds_total{worker=\"c\"}");
    cr_assert (compute > 0.15 * (step + 1) * 0.9 && compute - c_compute < 1e-3 * (step + 1),
               "worker c computed %g s by the metrics, %g s by --stats", compute, c_compute);
    free (metrics);
}

/* The DOM headless Chromium shows for `url` once the page has run. */
static char *s_dom (const char *url, const char *screenshot)
{
    char script[8192];
    snprintf (script, sizeof script,
              "chromium --headless --no-sandbox --disable-gpu --no-first-run "
              "--user-data-dir=\"$(mktemp -d)\" --window-size=1280,1100 "
              "--virtual-time-budget=2500 %s%s '%s' 2>/dev/null",
              screenshot ? "--screenshot=" : "--dump-dom", screenshot ? screenshot : "", url);
    const char *sh[] = {"/bin/bash", "-c", script, NULL};
    zp_test_run_t r;
    zp_test_run (sh, 90, &r);
    cr_assert_eq (r.status, 0, "chromium: %s", r.err);
    char *dom = r.out;
    r.out = NULL;
    zp_test_run_free (&r);
    return dom;
}

/* The superstep the page showed: its body's data-superstep. */
static int s_page_step (const char *dom)
{
    const char *at = strstr (dom, "data-superstep=\"");
    return at ? atoi (at + 16) : -1;
}

Test (status, the_status_page_updates_in_a_browser_during_a_job, .timeout = 300)
{
    if (!s_have ("chromium"))
        cr_skip_test ("chromium is not installed (Debian's chromium; scripts/deps.sh web)");
    char dir[4096], err[4300], url[128];
    int port = zp_test_port ();
    int pid = s_start_paced (dir, port, 120, NULL, err);
    snprintf (url, sizeof url, "http://127.0.0.1:%d/", port);
    cr_assert (zp_test_wait_for (err, "status page is http://127.0.0.1:", 60), "%s",
               zp_test_read (err, NULL));
    char *first = NULL;
    int step1 = -1;
    for (int i = 0; i < 5 && step1 < 1; i++) {
        free (first);
        first = s_dom (url, NULL);
        step1 = s_page_step (first);
    }
    cr_assert (step1 >= 1, "the page shows no superstep: %s", first);
    /* What the page shows is the job: its state, program and workers, the
       router in the plan, the aggregators. */
    cr_assert (strstr (first, "class=\"state running\""), "%s", first);
    cr_assert (strstr (first, "<dd id=\"program\">paced</dd>"), "%s", first);
    cr_assert (strstr (first, "<dd id=\"vertices\">63,436</dd>"), "%s", first);
    cr_assert (strstr (first, "<td>c</td><td>tcp</td>"), "%s", first);
    cr_assert (strstr (first, ">r1</text>"), "the plan has no router: %s", first);
    cr_assert (strstr (first, "class=\"link aggregated\""), "%s", first);
    cr_assert (strstr (first, "<td>vertices_computed</td><td>63436</td>"), "%s", first);
    /* Later, it has moved on. */
    sleep (2);
    char *second = s_dom (url, NULL);
    int step2 = s_page_step (second);
    cr_assert (step2 > step1, "the page stayed at superstep %d (then %d)", step1, step2);
    char shot[4300];
    snprintf (shot, sizeof shot, "%s/status.png", dir);
    free (s_dom (url, shot));
    size_t size = 0;
    char *png = zp_test_read (shot, &size);
    cr_assert (png && size > 10000 && memcmp (png, "\x89PNG", 4) == 0, "no screenshot (%zu bytes)",
               size);
    free (png);
    free (first);
    free (second);
    kill (pid, SIGTERM);
    zp_test_wait (pid, 60);
}

Test (status, a_bad_or_taken_http_address_is_named)
{
    char dir[4096], job[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s", s_paced_job (dir, zp_test_port (), 2, 1));
    zp_test_run_t r;
    const char *bad[] = {zp_test_bin (), "run", job, "--set", "master.http=localhost:http", NULL};
    zp_test_run (bad, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "master.http") && strstr (r.err, "expected HOST:PORT"), "%s", r.err);
    zp_test_run_free (&r);
    /* A port alone is not a host. */
    const char *bare[] = {zp_test_bin (), "run", job, "--set", "master.http=9464", NULL};
    zp_test_run (bare, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "got \"9464\" (a port needs its host: 127.0.0.1:9464)"), "%s", r.err);
    zp_test_run_free (&r);
    /* A port someone else has: the job says so and does not run. */
    int port = zp_test_port ();
    char busy[64];
    snprintf (busy, sizeof busy, "master.http=127.0.0.1:%d", port);
    int holder = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons ((uint16_t) port),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    cr_assert (holder >= 0 && bind (holder, (struct sockaddr *) &addr, sizeof addr) == 0 &&
               listen (holder, 4) == 0);
    const char *taken[] = {zp_test_bin (), "run", job, "--set", busy, NULL};
    zp_test_run (taken, 60, &r);
    close (holder);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "master.http: cannot listen on 127.0.0.1:"), "%s", r.err);
    zp_test_run_free (&r);
}

Test (status, log_level_sets_what_the_nodes_log, .timeout = 120)
{
    zp_test_run_t r;
    const char *job = zp_test_path ("configs/local.yaml");
    const char *debug[] = {zp_test_bin (), "run", job, "-q", "--log-level", "debug", NULL};
    zp_test_run (debug, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strstr (r.err, "master: w1 joined") && strstr (r.err, "master: w2 joined"), "%s",
               r.err);
    cr_assert (strstr (r.err, "master: superstep 3: worker w2 done"), "%s", r.err);
    zp_test_run_free (&r);
    /* The default (info) has none of it. */
    const char *plain[] = {zp_test_bin (), "run", job, "-q", NULL};
    zp_test_run (plain, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert_null (strstr (r.err, "joined"), "%s", r.err);
    zp_test_run_free (&r);
    /* A level that is none is a usage error. */
    const char *bad[] = {zp_test_bin (), "run", job, "--log-level=loud", NULL};
    zp_test_run (bad, 30, &r);
    cr_assert_eq (r.status, 2);
    cr_assert (strstr (r.err, "--log-level: expected error, warning, info or debug, got \"loud\""),
               "%s", r.err);
    zp_test_run_free (&r);
}

/* A tcp connection to 127.0.0.1:port from `source` (a loopback address),
   or -1. */
static int s_connect_from (const char *source, int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
    inet_pton (AF_INET, source, &from.sin_addr);
    inet_pton (AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons ((uint16_t) port);
    if (fd < 0 || bind (fd, (struct sockaddr *) &from, sizeof from) != 0 ||
        connect (fd, (struct sockaddr *) &to, sizeof to) != 0) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    return fd;
}

static size_t s_count_lines_with (const char *path, const char *needle)
{
    char *text = zp_test_read (path, NULL);
    size_t n = 0;
    for (const char *p = text; p && (p = strstr (p, needle)); p++)
        n++;
    free (text);
    return n;
}

Test (status, bad_and_idle_clients_neither_flood_the_log_nor_hold_the_server, .timeout = 120)
{
    /* 2,000 malformed requests make a few rated lines, not 2,000; then 64
       connections from one address that send nothing (all the server's
       slots, once) leave the metrics to everyone else. */
    char dir[4096], err[4200];
    int port = zp_test_port ();
    int pid = s_start_paced (dir, port, 200, NULL, err);
    cr_assert (zp_test_wait_for (err, "superstep 1:", 60), "the job did not start");
    for (int i = 0; i < 2000; i++) {
        int fd = s_connect_from ("127.0.0.1", port);
        if (fd < 0)
            continue;
        const char garbage[] = "GARBAGE \x01\x02 HTTP/9.9\r\nno colon here\r\n\r\n";
        if (write (fd, garbage, sizeof garbage - 1) < 0)
            cr_log_warn ("write failed");
        close (fd);
    }
    int idle[64], held = 0;
    for (int i = 0; i < 64; i++)
        if ((idle[held] = s_connect_from ("127.0.0.2", port)) >= 0)
            held++;
    cr_assert_gt (held, 0, "no connection from 127.0.0.2");
    int code = 0;
    char *metrics = zp_test_http_get (port, "/metrics", &code);
    cr_assert (metrics && code == 200,
               "the metrics did not answer while %d idle connections were "
               "held",
               held);
    free (metrics);
    for (int i = 0; i < held; i++)
        close (idle[i]);
    kill (pid, SIGTERM);
    zp_test_wait (pid, 30);
    size_t lines = s_count_lines_with (err, "master.http:");
    cr_assert (lines < 200, "2,000 bad requests made %zu log lines", lines);
}

/* The one record directory of `hist` whose job.json holds `needle`, into
   path (4096 bytes); false if none does. */
static bool s_record (const char *hist, const char *needle, char *path)
{
    char cmd[8192];
    snprintf (cmd, sizeof cmd, "grep -l -- '%s' '%s'/*/job.json | head -1 | xargs -r dirname",
              needle, hist);
    const char *sh[] = {"/bin/sh", "-c", cmd, NULL};
    zp_test_run_t r;
    zp_test_run (sh, 30, &r);
    bool found = r.status == 0 && r.out && *r.out;
    if (found) {
        r.out[strcspn (r.out, "\n")] = 0;
        snprintf (path, 4096, "%s", r.out);
    }
    zp_test_run_free (&r);
    return found;
}

static size_t s_count (const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *at = text; at && (at = strstr (at, needle)); at += strlen (needle))
        n++;
    return n;
}

/* Starts `zpregel serve hist` on a port of its own (into *port) and waits
   until it listens; its pid. */
static int s_serve (const char *hist, int *port)
{
    char address[64], out[4200], err[4200];
    *port = zp_test_port ();
    snprintf (address, sizeof address, "127.0.0.1:%d", *port);
    const char *serve[] = {zp_test_bin (), "serve", hist, "--http", address, NULL};
    int pid = zp_test_start (serve, out, err);
    cr_assert (zp_test_wait_for (err, "serving the jobs of", 30), "%s", zp_test_read (err, NULL));
    return pid;
}

Test (status, a_job_kept_in_its_history_is_served_after_it_ended, .timeout = 300)
{
    char dir[4096], hist[4200], job[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (hist, sizeof hist, "%s/history", dir);
    snprintf (job, sizeof job, "%s", s_paced_job (dir, zp_test_port (), 6, 20));
    /* A job that finishes, and one that fails (stopped at
       engine.max_supersteps), both kept. */
    zp_test_run_t r;
    const char *ok[] = {zp_test_bin (), "run", job, "--history", hist, NULL};
    zp_test_run (ok, 120, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strstr (r.err, "the job's record is kept in ") && strstr (r.err, "zpregel serve "),
               "%s", r.err);
    /* The progress line knows where the job ends. */
    cr_assert (strstr (r.err, "superstep 2: ") && strstr (r.err, "3 of 6 done, about "), "%s",
               r.err);
    zp_test_run_free (&r);
    const char *failing[] = {zp_test_bin (),
                             "run",
                             job,
                             "--history",
                             hist,
                             "--set",
                             "job.name=limited",
                             "--set",
                             "engine.max_supersteps=2",
                             NULL};
    zp_test_run (failing, 120, &r);
    cr_assert_eq (r.status, 3, "%s", r.err);
    zp_test_run_free (&r);

    char done[4096], failed[4096], path[4400];
    cr_assert (s_record (hist, "\"state\":\"finished\"", done), "no finished job in %s", hist);
    cr_assert (s_record (hist, "\"state\":\"failed\"", failed), "no failed job in %s", hist);
    /* Each file of a record holds what it should. */
    const struct {
        const char *record, *file, *needles[3];
    } want[] = {
        {done, "job.json", {"\"job\":\"paced\"", "\"superstep\":5,", "\"planned_supersteps\":6"}},
        {done, "summary.json", {"\"supersteps\":6,", "\"converged\":true", NULL}},
        {failed,
         "status.json",
         {"\"job\":\"limited\"", "\"error\":\"not converged: stopped at engine.max_supersteps (2)",
          NULL}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        snprintf (path, sizeof path, "%s/%s", want[i].record, want[i].file);
        char *text = zp_test_read (path, NULL);
        for (size_t k = 0; k < 3 && want[i].needles[k]; k++)
            cr_assert (text && strstr (text, want[i].needles[k]), "%s has no %s: %s", path,
                       want[i].needles[k], text);
        free (text);
    }
    snprintf (path, sizeof path, "%s/steps.jsonl", done);
    char *steps = zp_test_read (path, NULL);
    cr_assert_eq (s_count (steps, "{\"step\":"), 6, "%s", steps);
    cr_assert_eq (s_count (steps, "\"traffic\""), 6, "%s", steps);
    free (steps);
    snprintf (path, sizeof path, "%s/summary.json", failed);
    cr_assert_null (zp_test_read (path, NULL), "a failed job has no summary");

    /* A link in the history to a record elsewhere is not one of its jobs. */
    char outside[4300], link[4400];
    snprintf (outside, sizeof outside, "%s/outside", dir);
    snprintf (link, sizeof link, "%s/linked", hist);
    cr_assert_eq (mkdir (outside, 0700), 0);
    zp_test_write (outside, "job.json", "{\"id\":\"linked\",\"state\":\"finished\"}\n");
    zp_test_write (outside, "status.json", "{}\n");
    cr_assert_eq (symlink (outside, link), 0);

    /* zpregel serve shows both. */
    int port;
    int pid = s_serve (hist, &port);
    int code = 0;
    char *list = zp_test_http_get (port, "/jobs.json", &code);
    cr_assert_eq (code, 200, "%s", list);
    cr_assert (list[0] == '[' && s_count (list, "\"id\":") == 2, "%s", list);
    free (list);
    const char *id = strrchr (done, '/') + 1;
    char url[600];
    snprintf (url, sizeof url, "/jobs/%s", id);
    free (zp_test_http_get (port, url, &code));
    cr_assert_eq (code, 301, "a job's page without its slash");
    snprintf (url, sizeof url, "/jobs/%s/steps.jsonl", id);
    char *served = zp_test_http_get (port, url, &code);
    cr_assert_eq (code, 200);
    cr_assert_eq (s_count (served, "{\"step\":"), 6, "%s", served);
    free (served);
    /* Nothing outside the history, whatever the path says. */
    const char *astray[] = {"/jobs/../history/x", "/jobs/%2e%2e/x", "/jobs/.hidden/status.json",
                            "/jobs//status.json", "/etc/passwd",    "/jobs/linked/status.json"};
    for (size_t i = 0; i < sizeof astray / sizeof astray[0]; i++) {
        free (zp_test_http_get (port, astray[i], &code));
        cr_assert_eq (code, 404, "%s gave %d", astray[i], code);
    }

    if (!s_have ("chromium")) {
        kill (pid, SIGTERM);
        cr_assert_eq (zp_test_wait (pid, 30), 0);
        cr_skip_test ("chromium is not installed (Debian's chromium; scripts/deps.sh web): the "
                      "pages were not drawn");
    }
    snprintf (url, sizeof url, "http://127.0.0.1:%d/", port);
    char *page = s_dom (url, NULL);
    cr_assert (strstr (page, "data-jobs=\"2\""), "%s", page);
    cr_assert_eq (s_count (page, "<tr class=\"job\""), 2, "%s", page);
    cr_assert (strstr (page, "<a href=\"jobs/") && strstr (page, ">limited</a>"), "%s", page);
    cr_assert (strstr (page, "not converged"), "the list does not say why a job failed: %s", page);
    free (page);
    snprintf (url, sizeof url, "http://127.0.0.1:%d/jobs/%s/", port, id);
    page = s_dom (url, NULL);
    cr_assert (strstr (page, "class=\"state finished\""), "%s", page);
    cr_assert (strstr (page, "<dd id=\"program\">paced</dd>"), "%s", page);
    cr_assert (strstr (page, "<dd id=\"superstep\">5, 6 of 6 done</dd>"), "%s", page);
    cr_assert (strstr (page, "<td>c</td><td>tcp</td>"), "%s", page);
    cr_assert (strstr (page, ">r1</text>"), "the plan has no router: %s", page);
    /* The chart: a bar and a compute bar a superstep. */
    cr_assert (s_count (page, "<rect x=") >= 12, "%s", page);
    cr_assert (strstr (page, "all jobs"), "%s", page);
    free (page);
    kill (pid, SIGTERM);
    cr_assert_eq (zp_test_wait (pid, 30), 0, "zpregel serve did not end cleanly on SIGTERM");
}

Test (status, history_and_serve_errors_are_named, .timeout = 120)
{
    char dir[4096], job[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s", s_paced_job (dir, zp_test_port (), 2, 1));
    /* A history that cannot be made: a file where its directory would be. */
    const char *file = zp_test_write (dir, "taken", "a file\n");
    zp_test_run_t r;
    const char *bad[] = {zp_test_bin (), "run", job, "--history", file, NULL};
    zp_test_run (bad, 60, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "master.history: cannot make the directory") && strstr (r.err, file),
               "%s", r.err);
    zp_test_run_free (&r);
    /* serve: no such directory, a file, no directory at all, a bad address. */
    char missing[4200];
    snprintf (missing, sizeof missing, "%s/none", dir);
    const char *none[] = {zp_test_bin (), "serve", missing, NULL};
    zp_test_run (none, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, missing) && strstr (r.err, "No such file or directory"), "%s", r.err);
    zp_test_run_free (&r);
    const char *afile[] = {zp_test_bin (), "serve", file, NULL};
    zp_test_run (afile, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "not a directory"), "%s", r.err);
    zp_test_run_free (&r);
    const char *nothing[] = {zp_test_bin (), "serve", NULL};
    zp_test_run (nothing, 30, &r);
    cr_assert_eq (r.status, 2, "%s", r.err);
    cr_assert (strstr (r.err, "expected one history directory"), "%s", r.err);
    zp_test_run_free (&r);
    const char *address[] = {zp_test_bin (), "serve", dir, "--http", "localhost:http", NULL};
    zp_test_run (address, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "serve --http: ") && strstr (r.err, "expected HOST:PORT"), "%s",
               r.err);
    zp_test_run_free (&r);
}

Test (status, a_running_job_s_record_moves_while_it_runs, .timeout = 300)
{
    /* While the job runs, zpregel serve shows its record moving on: it is
       written again at most once a second, not only at the end. */
    char dir[4096], hist[4200], err[4300];
    int port = zp_test_port ();
    const char *extra[] = {"--history", NULL, NULL};
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (hist, sizeof hist, "%s/history", dir);
    extra[1] = hist;
    int pid = s_start_paced (dir, port, 120, extra, err);
    cr_assert (zp_test_wait_for (err, "superstep 3:", 60), "%s", zp_test_read (err, NULL));
    int serve_port;
    int server = s_serve (hist, &serve_port);
    int code = 0, first = -1, later = -1;
    for (int i = 0; i < 40 && (first < 0 || later <= first); i++) {
        char *list = zp_test_http_get (serve_port, "/jobs.json", &code);
        const char *at = list ? strstr (list, "\"superstep\":") : NULL;
        int step = at ? atoi (at + 12) : -1;
        cr_assert (!list || !strstr (list, "\"state\":\"finished\""), "the job ended first: %s",
                   list);
        if (at && first < 0)
            first = step;
        else if (at)
            later = step;
        free (list);
        usleep (250 * 1000);
    }
    cr_assert (first >= 0 && later > first,
               "the record did not move while the job ran (superstep %d, then %d)", first, later);
    kill (pid, SIGTERM);
    zp_test_wait (pid, 60);
    kill (server, SIGTERM);
    cr_assert_eq (zp_test_wait (server, 30), 0);
}
