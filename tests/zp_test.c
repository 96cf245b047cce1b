/*  Test helpers (see zp_test.h). Not a test file itself. */
#include "zp_test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char s_ring[8][4096];
static int s_ring_at;

static char *s_buf (void)
{
    return s_ring[s_ring_at++ % 8];
}

const char *zp_test_root (void)
{
    /* Absolute, since paths in job files are relative to the job file. */
    static char root[4096];
    if (!root[0]) {
        const char *env = getenv ("ZPREGEL_ROOT");
        if (!realpath (env && *env ? env : ".", root))
            snprintf (root, sizeof root, "%s", env && *env ? env : ".");
    }
    return root;
}

const char *zp_test_path (const char *rel)
{
    char *b = s_buf ();
    snprintf (b, 4096, "%s/%s", zp_test_root (), rel);
    return b;
}

const char *zp_test_bin (void)
{
    const char *bin = getenv ("ZPREGEL_BIN");
    if (bin && *bin)
        return bin;
    return zp_test_path ("build/zpregel");
}

const char *zp_test_plugin (const char *name)
{
    static char path[4][600];
    static int at;
    const char *build = getenv ("ZPREGEL_BUILD");
    char *p = path[at++ % 4];
    snprintf (p, sizeof path[0], "%s/tests/libzp_%s.so", build ? build : "build", name);
    return p;
}

const char *zp_test_tmpdir (void)
{
    char *b = s_buf ();
    snprintf (b, 4096, "%s/zpregel-test-XXXXXX", getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
    cr_assert_not_null (mkdtemp (b), "mkdtemp: %s", strerror (errno));
    return b;
}

const char *zp_test_write (const char *dir, const char *name, const char *text)
{
    char *b = s_buf ();
    snprintf (b, 4096, "%s/%s", dir, name);
    FILE *f = fopen (b, "w");
    cr_assert_not_null (f, "cannot write %s", b);
    fputs (text, f);
    fclose (f);
    return b;
}

char *zp_test_read (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc (cap + 1);
    size_t got;
    while ((got = fread (data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            data = realloc (data, cap + 1);
        }
    }
    fclose (f);
    data[n] = 0;
    if (len)
        *len = n;
    return data;
}

void zp_test_run (const char *const *argv, int timeout_s, zp_test_run_t *r)
{
    memset (r, 0, sizeof *r);
    char out_path[4200], err_path[4200];
    int pid = zp_test_start (argv, out_path, err_path);
    r->status = zp_test_wait (pid, timeout_s);
    r->timed_out = r->status == -1;
    r->out = zp_test_read (out_path, NULL);
    r->err = zp_test_read (err_path, NULL);
    if (!r->out)
        r->out = strdup ("");
    if (!r->err)
        r->err = strdup ("");
}

void zp_test_run_free (zp_test_run_t *r)
{
    free (r->out);
    free (r->err);
    r->out = r->err = NULL;
}

int zp_test_start (const char *const *argv, char *out_path, char *err_path)
{
    /* Its own buffer, not the ring's: a caller's paths from the ring stay
       valid however many processes it starts. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s/zpregel-test-XXXXXX",
              getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
    cr_assert_not_null (mkdtemp (dir), "mkdtemp: %s", strerror (errno));
    snprintf (out_path, 4200, "%s/stdout", dir);
    snprintf (err_path, 4200, "%s/stderr", dir);
    pid_t parent = getpid ();
    pid_t pid = fork ();
    cr_assert (pid >= 0, "fork failed");
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        if (getppid () != parent)
            _exit (1);
        setpgid (0, 0);
        int o = open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open (err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open ("/dev/null", O_RDONLY);
        dup2 (in, 0);
        dup2 (o, 1);
        dup2 (e, 2);
        execv (argv[0], (char *const *) argv);
        _exit (127);
    }
    return pid;
}

int zp_test_wait (int pid, int timeout_s)
{
    int status = 0;
    pid_t done = 0;
    for (long i = 0; i < (long) timeout_s * 100 && (done = waitpid (pid, &status, WNOHANG)) == 0;
         i++)
        usleep (10000);
    if (done == 0) {
        kill (-pid, SIGKILL);
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
        return -1;
    }
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

bool zp_test_wait_for (const char *path, const char *needle, int timeout_s)
{
    for (long i = 0; i < (long) timeout_s * 100; i++) {
        char *text = zp_test_read (path, NULL);
        bool found = text && strstr (text, needle);
        free (text);
        if (found)
            return true;
        usleep (10000);
    }
    return false;
}

int zp_test_port (void)
{
    /* Ports below the kernel's ephemeral range (32768 and up), so outgoing
       connections cannot take one between this check and the bind, handed
       out in sequence by a counter that every test process shares (a file
       under flock): tests running side by side never get the same port. */
    const char *path = "/tmp/zpregel-test-ports";
    int fd = open (path, O_RDWR | O_CREAT, 0666);
    cr_assert (fd >= 0, "cannot open %s", path);
    flock (fd, LOCK_EX);
    for (int tries = 0; tries < 12000; tries++) {
        uint32_t counter = 0;
        if (pread (fd, &counter, sizeof counter, 0) != sizeof counter)
            counter = (uint32_t) getpid ();
        counter++;
        pwrite (fd, &counter, sizeof counter, 0);
        int port = 20000 + (int) (counter % 12000);
        int sock = socket (AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET,
                                   .sin_port = htons ((uint16_t) port),
                                   .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
        int ok = bind (sock, (struct sockaddr *) &addr, sizeof addr) == 0;
        close (sock);
        if (ok) {
            flock (fd, LOCK_UN);
            close (fd);
            return port;
        }
    }
    cr_assert_fail ("no free tcp port in 20000..31999");
    return -1;
}

/* A growing text: appends `text` to *buf (of *len bytes, NUL-terminated). */
static void s_append (char **buf, size_t *len, const char *text)
{
    size_t n = strlen (text);
    char *grown = realloc (*buf, *len + n + 1);
    if (!grown)
        return;
    memcpy (grown + *len, text, n + 1);
    *buf = grown;
    *len += n;
}

/* Appends " label=" and the text of a small /proc file on one line. */
static void s_append_proc (char **buf, size_t *len, const char *label, const char *path)
{
    size_t n = 0;
    char *text = zp_test_read (path, &n);
    if (!text)
        return;
    for (size_t i = 0; i < n; i++)
        if (!text[i] || text[i] == '\n')
            text[i] = ' ';
    while (n > 0 && text[n - 1] == ' ')
        text[--n] = 0;
    char line[300];
    snprintf (line, sizeof line, " %s=%.200s", label, text);
    s_append (buf, len, line);
    free (text);
}

/* Appends what process `pid` is doing: per thread its name, the kernel's
   wait channel, the system call it is in (number, arguments, stack and
   instruction pointers) and its stat line. */
static void s_describe (char **buf, size_t *len, const char *pid)
{
    char path[300];
    snprintf (path, sizeof path, "/proc/%s/task", pid);
    DIR *tasks = opendir (path);
    struct dirent *t;
    while (tasks && (t = readdir (tasks))) {
        if (t->d_name[0] == '.')
            continue;
        s_append (buf, len, "  task ");
        s_append (buf, len, t->d_name);
        const char *parts[] = {"comm", "wchan", "syscall", "stat"};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            char at[400];
            snprintf (at, sizeof at, "/proc/%s/task/%s/%s", pid, t->d_name, parts[k]);
            s_append_proc (buf, len, parts[k], at);
        }
        s_append (buf, len, "\n");
    }
    if (tasks)
        closedir (tasks);
}

/* Scans /proc for processes (not this one) whose command line holds both
   needles (`also` may be NULL); returns how many, and the first in *first.
   With `buf`, appends each one's command line and what it is doing. */
static int s_scan_processes (const char *needle, const char *also, int *first, char **buf,
                             size_t *len)
{
    int count = 0;
    *first = -1;
    DIR *proc = opendir ("/proc");
    struct dirent *d;
    while (proc && (d = readdir (proc))) {
        if (d->d_name[0] < '0' || d->d_name[0] > '9' || atoi (d->d_name) == getpid ())
            continue;
        char path[300];
        snprintf (path, sizeof path, "/proc/%s/cmdline", d->d_name);
        size_t n;
        char *cmd = zp_test_read (path, &n);
        if (!cmd)
            continue;
        for (size_t i = 0; i + 1 < n; i++)
            if (!cmd[i])
                cmd[i] = ' ';
        /* Zombies have an empty command line and do not count. */
        if (n && strstr (cmd, needle) && (!also || strstr (cmd, also))) {
            if (*first < 0)
                *first = atoi (d->d_name);
            count++;
            if (buf) {
                s_append (buf, len, "pid ");
                s_append (buf, len, d->d_name);
                s_append (buf, len, ": ");
                s_append (buf, len, cmd);
                s_append (buf, len, "\n");
                s_describe (buf, len, d->d_name);
            }
        }
        free (cmd);
    }
    if (proc)
        closedir (proc);
    return count;
}

int zp_test_find_process (const char *needle, const char *also)
{
    int first;
    s_scan_processes (needle, also, &first, NULL, NULL);
    return first;
}

bool zp_test_find_file (const char *dir, const char *part, char *path, size_t len)
{
    DIR *d = opendir (dir);
    struct dirent *e;
    bool found = false;
    while (d && !found && (e = readdir (d)))
        if ((found = strstr (e->d_name, part) != NULL) && path)
            snprintf (path, len, "%s/%s", dir, e->d_name);
    if (d)
        closedir (d);
    return found;
}

int zp_test_count_processes (const char *needle)
{
    int first;
    return s_scan_processes (needle, NULL, &first, NULL, NULL);
}

char *zp_test_processes_left (const char *needle, int timeout_s)
{
    for (int i = 0; i < timeout_s * 10 && zp_test_count_processes (needle) > 0; i++)
        usleep (100 * 1000);
    char *buf = NULL;
    size_t len = 0;
    int first;
    s_append (&buf, &len, "");
    if (s_scan_processes (needle, NULL, &first, &buf, &len) > 0)
        return buf;
    free (buf);
    return NULL;
}

/* An output as parallel arrays, sorted by id. */
typedef struct {
    size_t n;
    unsigned long long *ids;
    char **values;
} s_out_t;

static int s_cmp_id (const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *) a, y = *(const unsigned long long *) b;
    return x < y ? -1 : x > y;
}

static int s_load (const char *path, s_out_t *o)
{
    char *text = zp_test_read (path, NULL);
    memset (o, 0, sizeof *o);
    if (!text)
        return -1;
    size_t cap = 1024;
    /* Pairs (id, line index) so values follow their ids through the sort. */
    unsigned long long *pairs = malloc (cap * 2 * sizeof *pairs);
    char **vals = malloc (cap * sizeof *vals);
    size_t n = 0;
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        char *sp = strchr (line, ' ');
        if (!sp)
            continue;
        *sp = 0;
        if (n == cap) {
            cap *= 2;
            pairs = realloc (pairs, cap * 2 * sizeof *pairs);
            vals = realloc (vals, cap * sizeof *vals);
        }
        pairs[2 * n] = strtoull (line, NULL, 10);
        pairs[2 * n + 1] = n;
        vals[n] = strdup (sp + 1);
        n++;
    }
    free (text);
    qsort (pairs, n, 2 * sizeof *pairs, s_cmp_id);
    o->n = n;
    o->ids = malloc ((n + 1) * sizeof *o->ids);
    o->values = malloc ((n + 1) * sizeof *o->values);
    for (size_t i = 0; i < n; i++) {
        o->ids[i] = pairs[2 * i];
        o->values[i] = vals[pairs[2 * i + 1]];
    }
    free (pairs);
    free (vals);
    return 0;
}

static void s_free (s_out_t *o)
{
    for (size_t i = 0; i < o->n; i++)
        free (o->values[i]);
    free (o->ids);
    free (o->values);
}

static double s_num (const char *v)
{
    if (strcasecmp (v, "infinity") == 0 || strcasecmp (v, "inf") == 0)
        return INFINITY;
    return strtod (v, NULL);
}

int zp_test_validate (const char *output, const char *reference, const char *rule, char *msg,
                      size_t len)
{
    s_out_t a, b;
    if (s_load (output, &a) != 0) {
        snprintf (msg, len, "cannot read %s", output);
        return -1;
    }
    if (s_load (reference, &b) != 0) {
        s_free (&a);
        snprintf (msg, len, "cannot read %s", reference);
        return -1;
    }
    int rc = 0;
    if (a.n != b.n) {
        snprintf (msg, len, "%zu vertices, reference has %zu", a.n, b.n);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < a.n; i++)
        if (a.ids[i] != b.ids[i]) {
            snprintf (msg, len, "vertex %llu, reference has %llu", a.ids[i], b.ids[i]);
            rc = -1;
        }
    for (size_t i = 0; rc == 0 && i < a.n; i++) {
        if (strcmp (rule, "exact") == 0) {
            if (strtoll (a.values[i], NULL, 10) != strtoll (b.values[i], NULL, 10) ||
                strchr (a.values[i], '.')) {
                snprintf (msg, len, "vertex %llu: %s, reference %s", a.ids[i], a.values[i],
                          b.values[i]);
                rc = -1;
            }
        } else if (strcmp (rule, "epsilon") == 0) {
            double s = s_num (a.values[i]), r = s_num (b.values[i]);
            bool ok =
                isinf (r) ? (isinf (s) && (s > 0) == (r > 0)) : fabs (r - s) <= 1e-4 * fabs (r);
            if (!ok) {
                snprintf (msg, len, "vertex %llu: %s, reference %s", a.ids[i], a.values[i],
                          b.values[i]);
                rc = -1;
            }
        } else if (strcmp (rule, "equivalence") == 0) {
            /* Same partition: a bijection between labels. Quadratic, for small graphs. */
            for (size_t j = 0; rc == 0 && j < a.n; j++) {
                bool same_a = strcmp (a.values[i], a.values[j]) == 0;
                bool same_b = strcmp (b.values[i], b.values[j]) == 0;
                if (same_a != same_b) {
                    snprintf (msg, len,
                              "vertices %llu and %llu: %s in one component here, %s in "
                              "the reference",
                              a.ids[i], a.ids[j], same_a ? "together" : "apart",
                              same_b ? "together" : "apart");
                    rc = -1;
                }
            }
        } else {
            snprintf (msg, len, "unknown rule %s", rule);
            rc = -1;
        }
    }
    s_free (&a);
    s_free (&b);
    return rc;
}

bool zp_test_same_file (const char *a, const char *b)
{
    size_t la, lb;
    char *ta = zp_test_read (a, &la), *tb = zp_test_read (b, &lb);
    bool same = ta && tb && la == lb && memcmp (ta, tb, la) == 0;
    free (ta);
    free (tb);
    return same;
}

double zp_test_max_relative (const char *pa, const char *pb)
{
    s_out_t a, b;
    if (s_load (pa, &a) != 0)
        return -1;
    if (s_load (pb, &b) != 0) {
        s_free (&a);
        return -1;
    }
    double worst = a.n == b.n ? 0 : -1;
    for (size_t i = 0; worst >= 0 && i < a.n; i++) {
        if (a.ids[i] != b.ids[i]) {
            worst = -1;
            break;
        }
        /* Every column after the id (hub and authority, say). */
        const char *pa_col = a.values[i], *pb_col = b.values[i];
        while (worst >= 0 && *pa_col && *pb_col) {
            char *ea, *eb;
            double x = strtod (pa_col, &ea), y = strtod (pb_col, &eb);
            if (ea == pa_col || eb == pb_col) { /* "infinity" and the like */
                x = s_num (pa_col);
                y = s_num (pb_col);
                ea =
                    strchr (pa_col, ' ') ? strchr (pa_col, ' ') : (char *) pa_col + strlen (pa_col);
                eb =
                    strchr (pb_col, ' ') ? strchr (pb_col, ' ') : (char *) pb_col + strlen (pb_col);
            }
            double rel = x == y ? 0 : fabs (x - y) / fmax (fabs (x), fabs (y));
            if (rel > worst)
                worst = rel;
            pa_col = ea + strspn (ea, " ");
            pb_col = eb + strspn (eb, " ");
        }
        if (*pa_col || *pb_col)
            worst = -1; /* another number of columns */
    }
    s_free (&a);
    s_free (&b);
    return worst;
}

const char *zp_test_weighted_debian (const char *dir)
{
    static char props[4200];
    char path[4200];
    snprintf (path, sizeof path, "%s/deb.e", dir);
    FILE *in = fopen (zp_test_path ("data/debian-deps.e"), "r");
    FILE *out = fopen (path, "w");
    cr_assert (in && out);
    unsigned long a, b;
    while (fscanf (in, "%lu %lu", &a, &b) == 2)
        fprintf (out, "%lu %lu %.1f\n", a, b, (double) ((a * 31 + b * 17) % 97) / 10.0);
    fclose (in);
    fclose (out);
    char *v = zp_test_read (zp_test_path ("data/debian-deps.v"), NULL);
    zp_test_write (dir, "deb.v", v);
    free (v);
    snprintf (
        props, sizeof props, "%s",
        zp_test_write (dir, "deb.properties",
                       "graph.deb.vertex-file = deb.v\ngraph.deb.edge-file = deb.e\n"
                       "graph.deb.directed = true\ngraph.deb.edge-properties.names = weight\n"
                       "graph.deb.bfs.source-vertex = 16808\ngraph.deb.sssp.source-vertex = 49510\n"
                       "graph.deb.cdlp.max-iterations = 10\ngraph.deb.pr.num-iterations = 20\n"
                       "graph.deb.pr.damping-factor = 0.85\n"));
    return props;
}

char *zp_test_http_get (int port, const char *path, int *code)
{
    *code = 0;
    int sock = socket (AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        return NULL;
    struct timeval tv = {5, 0};
    setsockopt (sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt (sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons ((uint16_t) port),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    if (connect (sock, (struct sockaddr *) &addr, sizeof addr) != 0) {
        close (sock);
        return NULL;
    }
    char request[1024];
    int len =
        snprintf (request, sizeof request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write (sock, request, (size_t) len) != len) {
        close (sock);
        return NULL;
    }
    size_t cap = 1 << 16, size = 0;
    char *reply = malloc (cap);
    for (ssize_t got = 1; reply && got > 0;) {
        if (size + 4096 + 1 > cap) {
            char *grown = realloc (reply, cap * 2);
            if (!grown) {
                free (reply);
                reply = NULL;
                break;
            }
            reply = grown;
            cap *= 2;
        }
        got = read (sock, reply + size, 4096);
        size += got > 0 ? (size_t) got : 0;
    }
    close (sock);
    if (!reply)
        return NULL;
    reply[size] = 0;
    char *body = strstr (reply, "\r\n\r\n");
    if (sscanf (reply, "HTTP/1.%*d %d", code) != 1 || !body) {
        free (reply);
        return NULL;
    }
    memmove (reply, body + 4, strlen (body + 4) + 1);
    return reply;
}
