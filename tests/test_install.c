/*  zpregel as a library: `make install` to a prefix of the test's own, a
    program built from examples/embed/embed.c with pkg-config alone, run
    with no LD_LIBRARY_PATH, reading the job's values in memory. */
#include "zp_test.h"

#include <unistd.h>

/* Runs `script` with bash in a clean environment (PATH and HOME only):
   none of the variables of the make that runs the tests (a sanitizer
   build passes its flags down as variables), and no LD_LIBRARY_PATH. */
static void s_sh (const char *script, int timeout_s, zp_test_run_t *r)
{
    char path[4200], home[4200];
    snprintf (path, sizeof path, "PATH=%s", getenv ("PATH") ? getenv ("PATH") : "/usr/bin:/bin");
    snprintf (home, sizeof home, "HOME=%s", getenv ("HOME") ? getenv ("HOME") : "/tmp");
    const char *argv[] = {"/usr/bin/env", "-i", path, home, "/bin/bash", "-c", script, NULL};
    zp_test_run (argv, timeout_s, r);
}

Test (install, an_embedding_program_builds_with_pkg_config_and_runs_without_ld_library_path,
      .timeout = 300)
{
    char dir[4096], script[16384];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    zp_test_run_t r;
    /* One make at a time in the tree: the Python test installs too. */
    snprintf (script, sizeof script,
              "mkdir -p '%s/build' && flock '%s/build/.install.lock' "
              "make -s -C '%s' install PREFIX='%s/prefix' >/dev/null",
              zp_test_root (), zp_test_root (), zp_test_root (), dir);
    s_sh (script, 240, &r);
    cr_assert_eq (r.status, 0, "make install: %s%s", r.out, r.err);
    zp_test_run_free (&r);
    /* The versioned library, with its SONAME and the usual links. */
    snprintf (script, sizeof script,
              "cd '%s/prefix/lib' && full=$(ls libzpregel.so.1.*.*) && "
              "test \"$(echo $full | wc -w)\" = 1 && "
              "test \"$(readlink libzpregel.so.1)\" = \"$full\" && "
              "test \"$(readlink libzpregel.so)\" = libzpregel.so.1 && "
              "objdump -p \"$full\" | grep -q 'SONAME *libzpregel.so.1$' && "
              "test -f ../share/man/man1/zpregel.1",
              dir);
    s_sh (script, 30, &r);
    cr_assert_eq (r.status, 0, "the installed library is not versioned (or no man page): %s",
                  r.err);
    zp_test_run_free (&r);
    /* The installed API is the public headers alone, each of which
       compiles on its own, in strict C11, with the flags pkg-config gives
       and none of the dependencies' headers. */
    snprintf (
        script, sizeof script,
        "export PKG_CONFIG_PATH='%s/prefix/lib/pkgconfig' && cd '%s/prefix/include/zpregel' && "
        "test \"$(ls | tr '\\n' ' ')\" = "
        "'zp_config.h zp_job.h zp_program.h zp_security.h zp_types.h zp_watch.h zpregel.h ' && "
        "! grep -l '#include <czmq\\|#include <zmq\\|#include <cbor' *.h && "
        "for h in *.h; do printf '#include <zpregel/%%s>\\nint main (void) { return 0; }\\n' "
        "$h | cc -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c - "
        "$(pkg-config --cflags zpregel) || { echo \"$h does not compile alone\" >&2; exit 1; }; "
        "done",
        dir, dir);
    s_sh (script, 60, &r);
    cr_assert_eq (r.status, 0, "the installed headers are not the public API alone: %s%s", r.out,
                  r.err);
    zp_test_run_free (&r);
    /* Built with the installed pkg-config file alone, run without
       LD_LIBRARY_PATH: the job's values printed from memory. */
    char job[4300], yaml[4096];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s/file.out\nworkers:\n"
              "  - name: a\n  - name: b\n",
              zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.properties"), dir);
    snprintf (job, sizeof job, "%s", zp_test_write (dir, "embedded.yaml", yaml));
    snprintf (script, sizeof script,
              "export PKG_CONFIG_PATH='%s/prefix/lib/pkgconfig' && "
              "cc '%s' -o '%s/embed' $(pkg-config --cflags --libs zpregel) && "
              "'%s/embed' '%s' > '%s/memory.out' && '%s/prefix/bin/zpregel' version",
              dir, zp_test_path ("examples/embed/embed.c"), dir, dir, job, dir, dir);
    s_sh (script, 120, &r);
    cr_assert_eq (r.status, 0, "%s%s", r.out, r.err);
    zp_test_run_free (&r);
    /* What it printed from memory is what the job wrote to its output file. */
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/memory.out", dir);
    snprintf (b, sizeof b, "%s/file.out", dir);
    double rel = zp_test_max_relative (a, b);
    cr_assert (rel >= 0 && rel < 1e-14, "the values in memory differ from the file's by %g", rel);
    /* A program with struct values (hubs and authorities): printed as the
       file has them, not as the raw bits of the struct's first word. */
    snprintf (script, sizeof script, "'%s/embed' '%s' job.algorithm=hits > '%s/hits.out'", dir, job,
              dir);
    s_sh (script, 120, &r);
    cr_assert_eq (r.status, 0, "%s%s", r.out, r.err);
    zp_test_run_free (&r);
    snprintf (a, sizeof a, "%s/hits.out", dir);
    char *text = zp_test_read (a, NULL);
    cr_assert (text, "no output from the embedding program");
    unsigned long long id;
    double hub, authority;
    cr_assert_eq (sscanf (text, "%llu %lf %lf", &id, &hub, &authority), 3,
                  "not \"id hub authority\": %.200s", text);
    cr_assert (hub >= 0 && hub <= 1 && authority >= 0 && authority <= 1, "%.200s", text);
    free (text);
}

/* docs/PROGRAMS.md's line for a plugin built in a checkout, without
   make install: the tree's headers alone. */
Test (install, a_plugin_builds_in_the_tree_with_the_documented_line, .timeout = 120)
{
    char dir[4096], script[16384];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (script, sizeof script,
              "cd '%s' && cc -shared -fPIC -I include examples/plugin/indegree_centrality.c "
              "-o '%s/libindeg.so' && '%s' run --algorithm '%s/libindeg.so' --graph "
              "tests/data/ldbc/test-pr-directed/test-pr-directed.properties --output "
              "'%s/indeg.out' -q && wc -l < '%s/indeg.out'",
              zp_test_path ("."), dir, zp_test_bin (), dir, dir, dir);
    zp_test_run_t r;
    s_sh (script, 90, &r);
    cr_assert_eq (r.status, 0, "%s%s", r.out, r.err);
    cr_assert (atoi (r.out) > 0, "no output lines: %s", r.out);
    zp_test_run_free (&r);
}
