/*  The Python package (python/zpregel): installed by `make install` into a
    prefix of the test's own, imported from there by Debian's python3, and
    run on real graphs against NetworkX (tests/python/test_package.py), with
    the C compiler's layout of the structs it mirrors; then the example
    that compares PageRank with networkx.pagerank on data/debian-deps. */
#include "zp_test.h"
#include "zpregel/zp_job.h"

#include <stdarg.h>
#include <stddef.h>

/* Runs `script` with bash in a clean environment (PATH, HOME and
   PYTHONPATH only): no LD_LIBRARY_PATH, no variable of the make that runs
   the tests. */
static void s_sh (const char *script, const char *pythonpath, int timeout_s, zp_test_run_t *r)
{
    char path[4200], home[4200], py[4200];
    snprintf (path, sizeof path, "PATH=%s", getenv ("PATH") ? getenv ("PATH") : "/usr/bin:/bin");
    snprintf (home, sizeof home, "HOME=%s", getenv ("HOME") ? getenv ("HOME") : "/tmp");
    snprintf (py, sizeof py, "PYTHONPATH=%s", pythonpath);
    const char *argv[] = {"/usr/bin/env", "-i", path, home, py, "/bin/bash", "-c", script, NULL};
    zp_test_run (argv, timeout_s, r);
}

/* Appends to the JSON text in buf. */
static void s_put (char *buf, size_t len, const char *format, ...)
{
    size_t at = strlen (buf);
    va_list args;
    va_start (args, format);
    vsnprintf (buf + at, len - at, format, args);
    va_end (args);
}

#define S_STRUCT(name, type)                                                                       \
    s_put (buf, len, "%s\"%s\":{\"sizeof\":%zu", *buf ? "}," : "{", name, sizeof (type))
#define S_FIELD(type, field) s_put (buf, len, ",\"" #field "\":%zu", offsetof (type, field))

/* The sizes and offsets python/zpregel/_native.py must agree with. */
static void s_layout (char *buf, size_t len)
{
    buf[0] = 0;
    S_STRUCT ("Summary", zp_job_summary_t);
    S_FIELD (zp_job_summary_t, value_type);
    S_FIELD (zp_job_summary_t, n_workers);
    S_FIELD (zp_job_summary_t, load_seconds);
    S_FIELD (zp_job_summary_t, routers);
    S_FIELD (zp_job_summary_t, top_values);
    S_FIELD (zp_job_summary_t, ids);
    S_FIELD (zp_job_summary_t, value_words);
    S_FIELD (zp_job_summary_t, names);
    S_FIELD (zp_job_summary_t, name_at);
    S_FIELD (zp_job_summary_t, mirrored);
    S_STRUCT ("StepReport", zp_step_report_t);
    S_FIELD (zp_step_report_t, slowest);
    S_FIELD (zp_step_report_t, halted);
    S_FIELD (zp_step_report_t, sent_messages);
    S_FIELD (zp_step_report_t, aggregates);
    S_FIELD (zp_step_report_t, checkpointed);
    S_FIELD (zp_step_report_t, planned);
    S_FIELD (zp_step_report_t, mirrored);
    S_STRUCT ("WorkerStep", zp_worker_step_t);
    S_FIELD (zp_worker_step_t, barrier_wait_seconds);
    S_STRUCT ("Options", zp_job_options_t);
    S_FIELD (zp_job_options_t, spawn);
    S_FIELD (zp_job_options_t, overrides);
    S_FIELD (zp_job_options_t, quiet);
    S_STRUCT ("RouterReport", zp_router_report_t);
    S_FIELD (zp_router_report_t, resent);
    s_put (buf, len, "}}");
}

Test (python, the_installed_package_runs_jobs_and_agrees_with_networkx, .timeout = 600)
{
    zp_test_run_t r;
    s_sh ("/usr/bin/python3 -c 'import numpy, networkx, scipy'", "", 60, &r);
    bool have = r.status == 0;
    zp_test_run_free (&r);
    if (!have)
        cr_skip_test ("Debian's python3 lacks numpy, networkx or scipy (python3-numpy, "
                      "python3-networkx, python3-scipy; scripts/deps.sh python installs them)");
    char dir[4096], script[16384], layout[4096], site[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    /* One make at a time in the tree: the install test builds there too. */
    snprintf (script, sizeof script,
              "mkdir -p '%s/build' && flock '%s/build/.install.lock' "
              "make -s -C '%s' install PREFIX='%s/prefix' >/dev/null",
              zp_test_root (), zp_test_root (), zp_test_root (), dir);
    s_sh (script, "", 400, &r);
    cr_assert_eq (r.status, 0, "make install: %s%s", r.out, r.err);
    zp_test_run_free (&r);
    snprintf (site, sizeof site, "%s/prefix/lib/python3/dist-packages", dir);
    s_layout (layout, sizeof layout);
    snprintf (script, sizeof script, "cd '%s' && /usr/bin/python3 '%s' '%s/prefix' '%s' '%s' '%s'",
              dir, zp_test_path ("tests/python/test_package.py"), dir, zp_test_root (), dir,
              layout);
    s_sh (script, site, 300, &r);
    cr_assert (r.status == 0 && strstr (r.out, "OK"), "%s%s", r.out, r.err);
    zp_test_run_free (&r);
    snprintf (script, sizeof script, "/usr/bin/python3 '%s'",
              zp_test_path ("examples/python/pagerank_vs_networkx.py"));
    s_sh (script, site, 300, &r);
    cr_assert_eq (r.status, 0, "the example: %s%s", r.out, r.err);
    cr_assert (strstr (r.out, "1    libc6"), "%s", r.out);
    zp_test_run_free (&r);
}
