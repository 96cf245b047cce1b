/*  Checkpoints and --resume, on real files and processes: a job stopped
    after a checkpoint and resumed gives the same bytes as one that never
    stopped, for every algorithm (each message path: combined, listed,
    bytes); a master killed with SIGKILL mid-job is resumed to the same
    answer; and a checkpoint that does not fit the job is refused by name. */
#include "zp_test.h"
#include "zp_checkpoint.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* A job with `workers` (YAML list items) and a tcp worker process t0,
   checkpoints in dir/ckpt-NAME. */
static const char *s_job_on (const char *dir, const char *name, const char *algo, const char *graph,
                             const char *workers, const char *extra)
{
    char yaml[8192];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: %s\n  graph: %s\n  output: %s/%s.out\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "workers:\n%s"
              "  - name: t0\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "reliability:\n  checkpoint_dir: %s/ckpt-%s\n%s",
              algo, graph, dir, name, zp_test_port (), zp_test_port (), workers, zp_test_port (),
              dir, name, extra);
    char file[300];
    snprintf (file, sizeof file, "%s.yaml", name);
    return zp_test_write (dir, file, yaml);
}

/* Two inproc workers and one tcp worker process. */
static const char *s_job (const char *dir, const char *name, const char *algo, const char *graph,
                          const char *extra)
{
    return s_job_on (dir, name, algo, graph, "  - name: i0\n  - name: i1\n", extra);
}

/* Runs `zpregel run JOB [extra args]`; returns the exit code, stderr in *err (caller frees). */
static int s_run (const char *job, const char *a1, const char *a2, const char *a3, char **err)
{
    const char *argv[10] = {zp_test_bin (), "run", job, "--quiet"};
    size_t n = 4;
    const char *extra[] = {a1, a2, a3};
    for (size_t i = 0; i < 3 && extra[i]; i++)
        argv[n++] = extra[i];
    /* A job cut short by the superstep limit writes what it has. */
    if ((a2 && strstr (a2, "max_supersteps")) || (a3 && strstr (a3, "max_supersteps"))) {
        argv[n++] = "--set";
        argv[n++] = "engine.on_limit=stop";
    }
    zp_test_run_t r;
    zp_test_run (argv, 120, &r);
    int status = r.status;
    if (err)
        *err = strdup (r.err ? r.err : "");
    zp_test_run_free (&r);
    return status;
}

/* Runs ALGO without faults (dir/ALGO-plain.out), then as job ALGO-SUFFIX
   with a checkpoint every superstep, stopped after superstep 2 (as if the
   master had died there), then that job with
   --resume, on `workers` (YAML list items; NULL: the same). The resume's
   exit code; its stderr in *err (caller frees); the two outputs' paths in
   plain and resumed. */
static int s_stop_and_resume (const char *dir, const char *graph, const char *algo,
                              const char *suffix, const char *workers, char **err, char *plain,
                              char *resumed, size_t len)
{
    char name[64], cut[64];
    snprintf (name, sizeof name, "%s-plain", algo);
    snprintf (cut, sizeof cut, "%s-%s", algo, suffix);
    snprintf (plain, len, "%s/%s.out", dir, name);
    snprintf (resumed, len, "%s/%s.out", dir, cut);
    int rc = s_run (s_job (dir, name, algo, graph, ""), NULL, NULL, NULL, err);
    cr_assert_eq (rc, 0, "%s: %s", name, *err);
    free (*err);
    const char *every = "  checkpoint_every: 1\n";
    rc =
        s_run (s_job (dir, cut, algo, graph, every), "--set", "engine.max_supersteps=3", NULL, err);
    cr_assert_eq (rc, 0, "%s: %s", cut, *err);
    free (*err);
    const char *job = workers ? s_job_on (dir, cut, algo, graph, workers, every)
                              : s_job (dir, cut, algo, graph, every);
    return s_run (job, "--resume", NULL, NULL, err);
}

Test (checkpoint, a_job_stopped_after_a_checkpoint_resumes_to_the_same_bytes, .timeout = 300)
{
    char dir[4096], plain[4300], resumed[4300];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_weighted_debian (dir);
    const char *algos[] = {"bfs", "wcc", "cdlp", "lcc", "sssp", "pr", "kcore", "hits"};
    for (int i = 0; i < 8; i++) {
        char *err;
        int rc = s_stop_and_resume (dir, graph, algos[i], "cut", NULL, &err, plain, resumed,
                                    sizeof plain);
        cr_assert_eq (rc, 0, "%s --resume: %s", algos[i], err);
        cr_assert (strstr (err, "resuming from the checkpoint of superstep 2"), "%s", err);
        free (err);
        cr_assert (zp_test_same_file (plain, resumed), "%s: the resumed run differs", algos[i]);
    }
}

Test (checkpoint, a_checkpoint_resumes_on_other_workers_to_the_same_answer, .timeout = 300)
{
    /* The job file of the resumed run lists two workers (a host is gone
       for good) or four (one was added), and --resume moves the checkpoint
       to them (combined messages: bfs, wcc, sssp, pr, kcore, hits; listed:
       cdlp; struct values: kcore, hits). The answer is the uninterrupted
       run's: the same bytes, except the sums of PageRank and HITS, which
       now run in another order (within 1e-9). LCC's messages are lists
       of vertex handles, and WCC's values hold handles (its union-find
       inside each worker), which depend on the placement: their
       checkpoints are refused, saying why. */
    char dir[4096], plain[4300], resumed[4300];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_weighted_debian (dir);
    const char *algos[] = {"bfs", "wcc", "cdlp", "lcc", "sssp", "pr", "kcore", "hits"};
    const char *fewer = "  - name: i1\n", *more = "  - name: i0\n  - name: i1\n  - name: i2\n";
    for (int i = 0; i < 8; i++) {
        bool grow = i % 2;
        char *err;
        int rc = s_stop_and_resume (dir, graph, algos[i], "moved", grow ? more : fewer, &err, plain,
                                    resumed, sizeof plain);
        if (strcmp (algos[i], "lcc") == 0 || strcmp (algos[i], "wcc") == 0) {
            char why[64];
            snprintf (why, sizeof why, "%s is not placement-free", algos[i]);
            cr_assert_eq (rc, 1, "%s moved", algos[i]);
            cr_assert (strstr (err, why), "%s", err);
            free (err);
            continue;
        }
        cr_assert_eq (rc, 0, "%s --resume: %s", algos[i], err);
        cr_assert (strstr (err, grow ? "from 3 workers to 4" : "from 3 workers to 2"), "%s", err);
        free (err);
        if (strcmp (algos[i], "pr") == 0 || strcmp (algos[i], "hits") == 0) {
            double rel = zp_test_max_relative (plain, resumed);
            cr_assert (rel >= 0 && rel < 1e-9, "%s: the moved run differs by %g", algos[i], rel);
        } else
            cr_assert (zp_test_same_file (plain, resumed), "%s: the moved run differs", algos[i]);
    }
}

static bool s_has_manifest (const char *dir)
{
    return zp_test_find_file (dir, ".manifest", NULL, 0);
}

Test (checkpoint, a_killed_master_is_resumed_to_the_same_answer, .timeout = 180)
{
    char dir[4096], out[4200], err[4200], ckpt[4300];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_path ("data/debian-deps.properties");
    const char *params = "  params:\n    iterations: 400\n";
    /* The same PageRank, once without faults in one process, once over tcp. */
    char plain_job[4200], job[4200];
    {
        char yaml[8192];
        snprintf (yaml, sizeof yaml,
                  "job:\n  algorithm: pr\n  graph: %s\n  output: %s/plain.out\n%s"
                  "workers:\n  - name: i0\n  - name: i1\n  - name: i2\n",
                  graph, dir, params);
        snprintf (plain_job, sizeof plain_job, "%s", zp_test_write (dir, "plain.yaml", yaml));
        snprintf (yaml, sizeof yaml,
                  "job:\n  algorithm: pr\n  graph: %s\n  output: %s/killed.out\n%s"
                  "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
                  "workers:\n  - name: i0\n"
                  "  - name: t1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
                  "  - name: t2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
                  "reliability:\n  checkpoint_every: 25\n  checkpoint_dir: %s/ckpt\n"
                  "  heartbeat_ms: 200\n  liveness: 10\n",
                  graph, dir, params, zp_test_port (), zp_test_port (), zp_test_port (),
                  zp_test_port (), dir);
        snprintf (job, sizeof job, "%s", zp_test_write (dir, "killed.yaml", yaml));
    }
    snprintf (ckpt, sizeof ckpt, "%s/ckpt", dir);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    /* Wait for the first complete checkpoint, and a little more. */
    int waited = 0;
    while (!s_has_manifest (ckpt) && waited++ < 600)
        usleep (100 * 1000);
    cr_assert (s_has_manifest (ckpt), "no checkpoint was written");
    cr_assert (zp_test_wait_for (err, "superstep 30:", 60), "the job did not go on");
    /* The master (and the inproc worker with it) dies; the tcp workers must
       notice and end. */
    kill (pid, SIGKILL);
    zp_test_wait (pid, 5);
    char *text = zp_test_read (err, NULL);
    cr_assert (!strstr (text, "superstep 399:"), "the job ended before it was killed");
    free (text);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "workers of the killed master left behind:\n%s", left);
    /* ... and they ended cleanly: no assertion, no socket left open. */
    text = zp_test_read (err, NULL);
    cr_assert (!strstr (text, "Assertion") && !strstr (text, "created at nodes/") &&
                   !strstr (text, "created at router/") && !strstr (text, "created at lib/"),
               "the workers of the killed master did not end cleanly:\n%s", text);
    free (text);

    char *e2;
    int rc = s_run (job, "--resume", NULL, NULL, &e2);
    cr_assert_eq (rc, 0, "--resume: %s", e2);
    cr_assert (strstr (e2, "resuming from the checkpoint of superstep"), "%s", e2);
    free (e2);
    rc = s_run (plain_job, NULL, NULL, NULL, &e2);
    cr_assert_eq (rc, 0, "%s", e2);
    free (e2);
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/plain.out", dir);
    snprintf (b, sizeof b, "%s/killed.out", dir);
    double rel = zp_test_max_relative (a, b);
    cr_assert (rel >= 0 && rel < 1e-9, "the resumed answer differs by %g", rel);
}

/* Writes "garbage" over bytes 20.. of `path`. */
static void s_damage (const char *path)
{
    FILE *f = fopen (path, "r+b");
    cr_assert_not_null (f);
    fseek (f, 20, SEEK_SET);
    fputs ("garbage", f);
    fclose (f);
}

Test (checkpoint, every_damaged_byte_of_a_checkpoint_is_refused, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph =
        zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties");
    const char *job = s_job (dir, "flip", "pr", graph, "  checkpoint_every: 1\n");
    char *err;
    cr_assert_eq (s_run (job, NULL, NULL, NULL, &err), 0, "%s", err);
    free (err);
    char ckpt[4200], files[2][4400];
    snprintf (ckpt, sizeof ckpt, "%s/ckpt-flip", dir);
    cr_assert (zp_test_find_file (ckpt, "step-2.w1.", files[0], sizeof files[0]));
    cr_assert (zp_test_find_file (ckpt, "step-2.manifest", files[1], sizeof files[1]));
    for (int k = 0; k < 2; k++) {
        size_t size;
        char *bytes = zp_test_read (files[k], &size);
        cr_assert (bytes && size > 8);
        char why[8192];
        cr_assert_eq (zp_checkpoint_check_file (files[k], why, sizeof why), 0, "%s", why);
        for (size_t i = 0; i < size; i++)
            for (int bit = 0; bit < 8; bit++) {
                bytes[i] ^= (char) (1 << bit);
                FILE *f = fopen (files[k], "wb");
                cr_assert (f && fwrite (bytes, 1, size, f) == size);
                fclose (f);
                cr_assert_neq (zp_checkpoint_check_file (files[k], why, sizeof why), 0,
                               "%s: bit %d of byte %zu flipped, and it was accepted", files[k], bit,
                               i);
                bytes[i] ^= (char) (1 << bit);
            }
        FILE *f = fopen (files[k], "wb");
        cr_assert (f && fwrite (bytes, 1, size, f) == size);
        fclose (f);
        free (bytes);
    }
}

/* Swaps the contents of two files by renaming them. */
static void s_swap (const char *a, const char *b)
{
    char tmp[4500];
    snprintf (tmp, sizeof tmp, "%s.swap", a);
    cr_assert (rename (a, tmp) == 0 && rename (b, a) == 0 && rename (tmp, b) == 0);
}

Test (checkpoint, a_misplaced_or_special_file_falls_back_like_a_damaged_one, .timeout = 180)
{
    /* Worker files swapped (each sound, each in the other's place), then a
       FIFO where a worker file should be: --resume names the file, takes
       the checkpoint before it and gives the answer of an uninterrupted
       run; the FIFO neither hangs it nor needs a signal to end. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_path ("data/debian-deps.properties");
    const char *job = s_job (dir, "moved", "pr", graph, "  checkpoint_every: 2\n");
    const char *plain = s_job (dir, "straight", "pr", graph, "");
    char *err;
    cr_assert_eq (s_run (plain, "--set", "engine.max_supersteps=7", NULL, &err), 0, "%s", err);
    free (err);
    cr_assert_eq (s_run (job, "--set", "engine.max_supersteps=5", NULL, &err), 0, "%s", err);
    free (err);
    char ckpt[4200], w0[4400], w1[4400], a[4400], b[4400];
    snprintf (ckpt, sizeof ckpt, "%s/ckpt-moved", dir);
    snprintf (a, sizeof a, "%s/straight.out", dir);
    snprintf (b, sizeof b, "%s/moved.out", dir);
    cr_assert (zp_test_find_file (ckpt, "step-4.w0.", w0, sizeof w0));
    cr_assert (zp_test_find_file (ckpt, "step-4.w1.", w1, sizeof w1));
    s_swap (w0, w1);
    cr_assert_eq (s_run (job, "--resume", "--set", "engine.max_supersteps=7", &err), 0, "%s", err);
    cr_assert (strstr (err, "is not the checkpoint of worker"), "%s", err);
    cr_assert (strstr (err, "using the checkpoint of superstep 2 before it"), "%s", err);
    free (err);
    cr_assert (zp_test_same_file (a, b), "the resumed answer differs");

    /* The resume wrote checkpoints 4 and 6 again: a FIFO for worker 1's at 6. */
    cr_assert (zp_test_find_file (ckpt, "step-6.w1.", w1, sizeof w1));
    cr_assert_eq (unlink (w1), 0);
    cr_assert_eq (mkfifo (w1, 0600), 0);
    cr_assert_eq (s_run (job, "--resume", "--set", "engine.max_supersteps=7", &err), 0, "%s", err);
    cr_assert (strstr (err, w1) && strstr (err, "not a regular file"), "%s", err);
    cr_assert (strstr (err, "using the checkpoint of superstep 4 before it"), "%s", err);
    free (err);
    cr_assert (zp_test_same_file (a, b), "the resumed answer differs");
}

Test (checkpoint, a_checkpoint_that_does_not_fit_is_refused_by_name, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_path ("data/debian-deps.properties");
    const char *job = s_job (dir, "fit", "pr", graph, "  checkpoint_every: 2\n");
    char *err;
    /* Nothing to resume from yet. */
    cr_assert_eq (s_run (job, "--resume", NULL, NULL, &err), 1);
    cr_assert (strstr (err, "cannot resume: no complete checkpoint in"), "%s", err);
    free (err);
    cr_assert_eq (s_run (job, "--set", "engine.max_supersteps=5", NULL, &err), 0, "%s", err);
    free (err);
    /* Other parameters: another job. */
    cr_assert_eq (s_run (job, "--resume", "--set", "job.params.damping=0.5", &err), 1);
    cr_assert (strstr (err, "step-4.manifest belongs to another job"), "%s", err);
    free (err);
    /* A damaged worker file is named, and the checkpoint before it used. */
    char ckpt[4200], path[4400], older[4400];
    snprintf (ckpt, sizeof ckpt, "%s/ckpt-fit", dir);
    cr_assert (zp_test_find_file (ckpt, "step-4.w1.", path, sizeof path), "no file of worker 1");
    s_damage (path);
    cr_assert_eq (s_run (job, "--resume", "--set", "engine.max_supersteps=5", &err), 0, "%s", err);
    cr_assert (strstr (err, path) && strstr (err, "damaged"), "%s", err);
    cr_assert (strstr (err, "using the checkpoint of superstep 2 before it"), "%s", err);
    free (err);
    /* Both damaged: refused, naming the newest. */
    cr_assert (zp_test_find_file (ckpt, "step-4.w1.", path, sizeof path));
    cr_assert (zp_test_find_file (ckpt, "step-2.w1.", older, sizeof older));
    s_damage (path);
    s_damage (older);
    cr_assert_eq (s_run (job, "--resume", NULL, NULL, &err), 1);
    cr_assert (strstr (err, path), "%s", err);
    free (err);
    /* checkpoint_every without a directory is a configuration error. */
    const char *bad =
        zp_test_write (dir, "bad.yaml",
                       "job:\n  algorithm: pr\n  graph: x.properties\n"
                       "workers:\n  - name: w\nreliability:\n  checkpoint_every: 3\n");
    cr_assert_eq (s_run (bad, NULL, NULL, NULL, &err), 1);
    cr_assert (strstr (err, "reliability.checkpoint_dir must name"), "%s", err);
    free (err);
}
