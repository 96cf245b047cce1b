/*  CURVE security on real sockets and processes: certificates from
    zpregel keygen, a job whose every tcp socket is CURVE gives the answer
    of the same job without, and a peer whose key is not allowed gets
    nothing: a watcher sees no event, a worker cannot join. */
#include "zp_test.h"
#include "zp_control.h"
#include "zp_wire.h"

#include <sys/stat.h>
#include <unistd.h>

/* Certificates in dir: server, node (allowed), stranger (not allowed),
   watcher (allowed, and no node's key: it may only watch). */
static void s_keys (const char *dir)
{
    char path[4300];
    snprintf (path, sizeof path, "%s/allowed", dir);
    cr_assert_eq (mkdir (path, 0755), 0);
    const char *names[] = {"server", "node", "stranger", "watcher"};
    for (int i = 0; i < 4; i++) {
        snprintf (path, sizeof path, "%s/%s", dir, names[i]);
        const char *argv[] = {zp_test_bin (), "keygen", path, NULL};
        zp_test_run_t r;
        zp_test_run (argv, 30, &r);
        cr_assert_eq (r.status, 0, "%s", r.err);
        cr_assert (strstr (r.out, "_secret"), "%s", r.out);
        zp_test_run_free (&r);
    }
    /* The allowed directory holds the node's and the watcher's public certificates. */
    const char *allowed[] = {"node", "watcher"};
    for (int i = 0; i < 2; i++) {
        char src[4300], dst[300];
        snprintf (src, sizeof src, "%s/%s", dir, allowed[i]);
        snprintf (dst, sizeof dst, "allowed/%s", allowed[i]);
        char *text = zp_test_read (src, NULL);
        cr_assert_not_null (text);
        zp_test_write (dir, dst, text);
        free (text);
    }
}

/* --set that makes a process connect with the certificate that is not
   allowed (--set paths are relative to the current directory). */
static void s_stranger (const char *dir, char *set, size_t len)
{
    snprintf (set, len, "security.client_cert=%s/stranger", dir);
}

/* PageRank on the Debian graph: an inproc worker, tcp workers t1 and t2, a
   tcp router on aggregated routes; with `curve`, CURVE on. */
static const char *s_job (const char *dir, const char *name, bool curve, int iterations)
{
    char yaml[4096];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s/%s.out\n"
              "  params:\n    iterations: %d\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "  join_timeout: 3s\n"
              "workers:\n  - name: w0\n"
              "  - name: t1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "  - name: t2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\n%s",
              zp_test_path ("data/debian-deps.properties"), dir, name, iterations, zp_test_port (),
              zp_test_port (), zp_test_port (), zp_test_port (), zp_test_port (),
              curve ? "security:\n  curve: true\n  server_cert: server\n  client_cert: node\n"
                      "  allowed: allowed\n"
                    : "");
    char file[300];
    snprintf (file, sizeof file, "%s.yaml", name);
    static char path[2][4200];
    static int k;
    char *p = path[k++ % 2];
    snprintf (p, 4200, "%s", zp_test_write (dir, file, yaml));
    return p;
}

Test (security, a_curve_job_gives_the_same_bytes_as_a_plain_one, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_keys (dir);
    for (int curve = 0; curve < 2; curve++) {
        const char *argv[] = {zp_test_bin (), "run",
                              s_job (dir, curve ? "curve" : "plain", curve, 30), "--quiet", NULL};
        zp_test_run_t r;
        zp_test_run (argv, 90, &r);
        cr_assert_eq (r.status, 0, "%s", r.err);
        zp_test_run_free (&r);
    }
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/plain.out", dir);
    snprintf (b, sizeof b, "%s/curve.out", dir);
    cr_assert (zp_test_same_file (a, b), "CURVE changed the answer");
}

Test (security, a_watcher_whose_key_is_not_allowed_sees_nothing, .timeout = 300)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_keys (dir);
    const char *job = s_job (dir, "watched", true, 600);
    char out[4200], err[4200], o[3][4200], e[3][4200];
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 20:", 60), "%s", zp_test_read (err, NULL));
    char set[4300];
    s_stranger (dir, set, sizeof set);
    const char *stranger[] = {zp_test_bin (), "watch", job, "--timeout", "2", "--set", set, NULL};
    const char *allowed[] = {zp_test_bin (), "watch", job, "--timeout", "30", NULL};
    /* The same, by endpoint and certificates instead of the job file. */
    char *yaml = zp_test_read (job, NULL), endpoint[256] = "", server[4300], node[4300];
    const char *at = yaml ? strstr (yaml, "broadcast: ") : NULL;
    cr_assert (at && sscanf (at, "broadcast: %255s", endpoint) == 1);
    free (yaml);
    snprintf (server, sizeof server, "%s/server", dir);
    snprintf (node, sizeof node, "%s/node", dir);
    const char *by_endpoint[] = {zp_test_bin (),  "watch", endpoint, "--timeout", "30",
                                 "--server-cert", server,  "--cert", node,        NULL};
    int ws = zp_test_start (stranger, o[0], e[0]);
    int wa = zp_test_start (allowed, o[1], e[1]);
    int we = zp_test_start (by_endpoint, o[2], e[2]);
    cr_assert_eq (zp_test_wait (pid, 240), 0, "%s", zp_test_read (err, NULL));
    cr_assert_eq (zp_test_wait (ws, 30), 1, "the stranger's watch ended otherwise");
    cr_assert_eq (zp_test_wait (wa, 30), 0, "%s", zp_test_read (e[1], NULL));
    cr_assert_eq (zp_test_wait (we, 30), 0, "%s", zp_test_read (e[2], NULL));
    char *seen = zp_test_read (o[0], NULL), *all = zp_test_read (o[1], NULL),
         *why = zp_test_read (e[0], NULL);
    cr_assert (seen && seen[0] == 0, "a watcher without an allowed key saw:\n%s", seen);
    cr_assert (strstr (why, "no event for 2s"), "%s", why);
    cr_assert (strstr (all, "terminate  finished after superstep 600"), "%s", all);
    free (seen);
    free (all);
    free (why);
}

Test (security, a_worker_whose_key_is_not_allowed_cannot_join, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_keys (dir);
    const char *job = s_job (dir, "refused", true, 30);
    char o[4][4200], e[4][4200];
    const char *master[] = {
        zp_test_bin (), "master", job, "--set", "reliability.max_recoveries=0", NULL};
    const char *t1[] = {zp_test_bin (), "worker", job, "--name", "t1", NULL};
    char set[4300];
    s_stranger (dir, set, sizeof set);
    const char *t2[] = {zp_test_bin (), "worker", job, "--name", "t2", "--set", set, NULL};
    const char *r1[] = {zp_test_bin (), "router", job, "--name", "r1", NULL};
    int pm = zp_test_start (master, o[0], e[0]);
    int p1 = zp_test_start (t1, o[1], e[1]);
    int p2 = zp_test_start (t2, o[2], e[2]);
    int pr = zp_test_start (r1, o[3], e[3]);
    cr_assert_eq (zp_test_wait (pm, 60), 1, "%s", zp_test_read (e[0], NULL));
    char *text = zp_test_read (e[0], NULL);
    cr_assert (strstr (text, "did not join within 3.0s: t2"), "%s", text);
    free (text);
    text = zp_test_read (e[2], NULL);
    cr_assert_not (strstr (text, "cannot read"), "t2 did not even start:\n%s", text);
    free (text);
    zp_test_wait (p1, 30);
    zp_test_wait (p2, 30);
    zp_test_wait (pr, 30);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

/* The `port` of `key` ("control: tcp://127.0.0.1:PORT") in a job file. */
static int s_port (const char *job, const char *key)
{
    char *yaml = zp_test_read (job, NULL), pattern[64];
    snprintf (pattern, sizeof pattern, "%s: tcp://127.0.0.1:", key);
    const char *at = yaml ? strstr (yaml, pattern) : NULL;
    int port = at ? atoi (at + strlen (pattern)) : 0;
    free (yaml);
    cr_assert_gt (port, 0);
    return port;
}

Test (security, a_watchers_key_can_watch_and_cannot_be_a_node, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_keys (dir);
    const char *plain[] = {zp_test_bin (), "run", s_job (dir, "plain", false, 30), "--quiet", NULL};
    zp_test_run_t r;
    zp_test_run (plain, 90, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    const char *job = s_job (dir, "bound", true, 30);
    char o[6][4200], e[6][4200];
    const char *master[] = {zp_test_bin (), "master", job, NULL};
    int pm = zp_test_start (master, o[0], e[0]);
    char set[4300];
    snprintf (set, sizeof set, "security.client_cert=%s/watcher", dir);
    const char *watch[] = {zp_test_bin (), "watch", job, "--timeout", "60", "--set", set, NULL};
    int pw = zp_test_start (watch, o[1], e[1]);
    usleep (300000);
    /* Someone with the watcher's key, on another address, claims t1 first. */
    zcert_t *watcher = NULL;
    {
        char path[4300], server[4300];
        snprintf (path, sizeof path, "%s/watcher", dir);
        snprintf (server, sizeof server, "%s/server", dir);
        watcher = zcert_load (path);
        zcert_t *s = zcert_load (server);
        cr_assert (watcher && s);
        zsock_t *claim = zsock_new (ZMQ_DEALER);
        zcert_apply (watcher, claim);
        zsock_set_curve_serverkey (claim, zcert_public_txt (s));
        zcert_destroy (&s);
        cr_assert_eq (
            zsock_connect (claim, "tcp://127.0.0.66:0;127.0.0.1:%d", s_port (job, "control")), 0);
        zp_hello_t hello = {.role = ZP_ROLE_WORKER,
                            .name = "t1",
                            .name_len = 2,
                            .n_endpoints = 1,
                            .endpoints = {"tcp://127.0.0.1:1"},
                            .endpoint_lens = {17},
                            .locality = "elsewhere/1",
                            .locality_len = 11};
        zp_cbor_writer_t w;
        zp_cbor_writer_init (&w, 256);
        cr_assert_eq (zp_hello_encode (&hello, &w), 0);
        cr_assert_eq (zp_wire_send (claim, NULL, &w, false), 0);
        zp_cbor_writer_free (&w);
        cr_assert (zp_test_wait_for (e[0], "may join only with its own key", 20), "%s",
                   zp_test_read (e[0], NULL));
        zsock_destroy (&claim);
    }
    zcert_destroy (&watcher);
    /* The real nodes join: the job runs as if no one had tried. */
    const char *t1[] = {zp_test_bin (), "worker", job, "--name", "t1", NULL};
    const char *t2[] = {zp_test_bin (), "worker", job, "--name", "t2", NULL};
    const char *r1[] = {zp_test_bin (), "router", job, "--name", "r1", NULL};
    int p1 = zp_test_start (t1, o[2], e[2]);
    int p2 = zp_test_start (t2, o[3], e[3]);
    int pr = zp_test_start (r1, o[4], e[4]);
    cr_assert_eq (zp_test_wait (pm, 90), 0, "%s", zp_test_read (e[0], NULL));
    char *text = zp_test_read (e[0], NULL);
    cr_assert (strstr (text, "(127.0.0.66): worker t1 may join only with its own key"), "%s", text);
    free (text);
    cr_assert_eq (zp_test_wait (pw, 30), 0, "%s", zp_test_read (e[1], NULL));
    text = zp_test_read (o[1], NULL);
    cr_assert (strstr (text, "terminate  finished after superstep 30"),
               "the watcher's key could not watch:\n%s", text);
    free (text);
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/plain.out", dir);
    snprintf (b, sizeof b, "%s/bound.out", dir);
    cr_assert (zp_test_same_file (a, b), "the claim changed the answer");
    zp_test_wait (p1, 30);
    zp_test_wait (p2, 30);
    zp_test_wait (pr, 30);
}

Test (security, curve_settings_that_cannot_work_are_named)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_keys (dir);
    const char *job = s_job (dir, "bad", true, 3);
    char public_only[4300]; /* a binding process needs the secret key */
    snprintf (public_only, sizeof public_only, "security.server_cert=%s/allowed/node", dir);
    struct {
        const char *set, *want;
    } cases[] = {
        {"security.allowed=nowhere", "security.allowed: nowhere is not a directory"},
        {"security.client_cert=missing", "security.client_cert: cannot read missing"},
        {public_only, "allowed/node_secret is missing"},
    };
    for (int i = 0; i < 3; i++) {
        const char *argv[] = {zp_test_bin (), "run", job, "--set", cases[i].set, NULL};
        zp_test_run_t r;
        zp_test_run (argv, 30, &r);
        cr_assert_eq (r.status, 1, "%s: %s", cases[i].set, r.err);
        cr_assert (strstr (r.err, cases[i].want), "%s: %s", cases[i].set, r.err);
        zp_test_run_free (&r);
    }
    const char *half = zp_test_write (dir, "half.yaml",
                                      "job:\n  algorithm: pr\n  graph: x.properties\n"
                                      "workers:\n  - name: w\nsecurity:\n  curve: true\n");
    const char *argv[] = {zp_test_bin (), "run", half, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "security.curve is on, so security.server_cert"), "%s", r.err);
    zp_test_run_free (&r);
    const char *usage[] = {zp_test_bin (), "keygen", NULL};
    zp_test_run (usage, 30, &r);
    cr_assert_eq (r.status, 2);
    zp_test_run_free (&r);
}

Test (security, keygen_never_overwrites_nor_follows_a_link, .timeout = 60)
{
    char dir[4096], path[4300], secret[4400];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (path, sizeof path, "%s/key", dir);
    snprintf (secret, sizeof secret, "%s_secret", path);
    const char *argv[] = {zp_test_bin (), "keygen", path, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    struct stat st;
    cr_assert_eq (stat (secret, &st), 0);
    cr_assert_eq (st.st_mode & 0777, 0600, "the secret is mode %o", st.st_mode & 0777);
    char *before = zp_test_read (secret, NULL);
    /* Again: refused, and the secret is untouched. */
    zp_test_run (argv, 30, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "key_secret: exists already"), "%s", r.err);
    zp_test_run_free (&r);
    char *after = zp_test_read (secret, NULL);
    cr_assert (before && after && strcmp (before, after) == 0);
    free (before);
    free (after);
    /* A symlink where the secret would go is not followed. */
    char link[4300], target[4300];
    snprintf (link, sizeof link, "%s/other_secret", dir);
    snprintf (target, sizeof target, "%s/elsewhere", dir);
    cr_assert_eq (symlink (target, link), 0);
    snprintf (path, sizeof path, "%s/other", dir);
    const char *again[] = {zp_test_bin (), "keygen", path, NULL};
    zp_test_run (again, 30, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "other_secret: exists already"), "%s", r.err);
    zp_test_run_free (&r);
    cr_assert_neq (access (target, F_OK), 0, "keygen wrote through a symlink");
}
