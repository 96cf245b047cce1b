/*  zp_history: a job's record, and the site of a directory of them. */
#include "zp_history.h"
#include "zp_log.h"
#include "zp_stats.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* While the job runs, job.json and status.json are written again at most
   this often. */
#define S_REFRESH_S 1.0
/* The largest file of a record that zpregel serve sends. */
#define S_MAX_FILE (256u << 20)

struct zp_history_s {
    zp_status_t *status;
    FILE *steps;
    double written; /* CLOCK_MONOTONIC seconds of the last refresh */
    bool warned;    /* a write failed, and was logged */
    char id[200];
    char path[4096];
};

static double s_monotonic (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void s_warn (zp_history_t *self, const char *file, const char *why)
{
    if (self->warned)
        return;
    self->warned = true;
    zp_log_warning ("master.history: cannot write %s/%s: %s (the job goes on; its record may be "
                    "incomplete)",
                    self->path, file, why);
}

/* Writes `size` bytes of `text` to the record's `file`, through a
   temporary file renamed into place. */
static void s_put (zp_history_t *self, const char *file, const char *text, size_t size)
{
    char path[4200], tmp[4300];
    snprintf (path, sizeof path, "%s/%s", self->path, file);
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen (tmp, "w");
    if (!f) {
        s_warn (self, file, strerror (errno));
        return;
    }
    bool ok = fwrite (text, 1, size, f) == size;
    ok = fclose (f) == 0 && ok;
    if (!ok || rename (tmp, path) != 0) {
        s_warn (self, file, ok ? strerror (errno) : "write failed (disk full?)");
        unlink (tmp);
    }
}

/* job.json and status.json, as the status says now. */
static void s_refresh (zp_history_t *self)
{
    char *brief = zp_status_brief_json (self->status);
    char *full = zp_status_json (self->status);
    if (brief && brief[0] == '{') {
        /* The brief with the record's id first. */
        char *job = NULL;
        size_t size = 0;
        FILE *out = open_memstream (&job, &size);
        if (out) {
            fprintf (out, "{\"id\":\"%s\",%s", self->id, brief + 1);
            if (fclose (out) == 0)
                s_put (self, "job.json", job, size);
        }
        free (job);
    }
    if (full)
        s_put (self, "status.json", full, strlen (full));
    if (!brief || !full)
        s_warn (self, "status.json", "out of memory");
    free (brief);
    free (full);
    self->written = s_monotonic ();
}

/* A character a record's id may hold: a letter, a digit, '.', '_' or '-'. */
static bool s_id_char (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* The job's name as a part of a record's id: any other character '_'. */
static void s_name_part (const char *name, char *buf, size_t len)
{
    size_t n = 0;
    for (const char *c = name && *name ? name : "job"; *c && n + 1 < len && n < 64; c++)
        buf[n++] = s_id_char (*c) ? *c : '_';
    buf[n] = 0;
    if (buf[0] == '.')
        buf[0] = '_';
}

/* The history's directory, made with its parents (czmq's mkdir -p, as
   job.output's is); -1 with errno when it is not a directory after. */
static int s_make_dir (const char *dir)
{
    int made = zsys_dir_create ("%s", dir), why = errno;
    struct stat st;
    if (stat (dir, &st) != 0) {
        errno = made != 0 ? why : errno;
        return -1;
    }
    if (!S_ISDIR (st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

zp_history_t *zp_history_open (const zp_config_t *cfg, zp_status_t *status, char *err,
                               size_t errlen)
{
    zp_history_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    self->status = status;
    if (s_make_dir (cfg->history) != 0) {
        snprintf (err, errlen, "master.history: cannot make the directory %s: %s", cfg->history,
                  strerror (errno));
        free (self);
        return NULL;
    }
    char day[48], second[32], name[80];
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    strftime (second, sizeof second, "%Y%m%dT%H%M%S", &tm);
    /* To the millisecond, so that the names sort as the jobs started. */
    snprintf (day, sizeof day, "%s.%03ldZ", second, now.tv_nsec / 1000000);
    s_name_part (cfg->name ? cfg->name : cfg->algorithm, name, sizeof name);
    /* The pid makes it the master's own; a second record of the same
       second and process (an embedding application) gets a number. */
    int rc = -1;
    for (int k = 1; rc != 0 && k < 1000; k++) {
        if (k == 1)
            snprintf (self->id, sizeof self->id, "%s-%s-%d", day, name, (int) getpid ());
        else
            snprintf (self->id, sizeof self->id, "%s-%s-%d.%d", day, name, (int) getpid (), k);
        snprintf (self->path, sizeof self->path, "%s/%s", cfg->history, self->id);
        rc = mkdir (self->path, 0777);
        if (rc != 0 && errno != EEXIST)
            break;
    }
    char steps[4200];
    snprintf (steps, sizeof steps, "%s/steps.jsonl", self->path);
    if (rc != 0 || !(self->steps = fopen (steps, "w"))) {
        snprintf (err, errlen, "master.history: cannot write a record in %s: %s", cfg->history,
                  strerror (errno));
        free (self);
        return NULL;
    }
    s_refresh (self);
    return self;
}

const char *zp_history_path (const zp_history_t *self)
{
    return self->path;
}

void zp_history_step (zp_history_t *self, const zp_step_report_t *report)
{
    if (!self)
        return;
    zp_stats_write_step (self->steps, report);
    if (fflush (self->steps) != 0)
        s_warn (self, "steps.jsonl", strerror (errno));
    if (s_monotonic () - self->written >= S_REFRESH_S)
        s_refresh (self);
}

void zp_history_close (zp_history_t **self_p, const zp_job_summary_t *summary)
{
    zp_history_t *self = *self_p;
    if (!self)
        return;
    if (fclose (self->steps) != 0)
        s_warn (self, "steps.jsonl", strerror (errno));
    if (summary) {
        char *text = NULL;
        size_t size = 0;
        FILE *out = open_memstream (&text, &size);
        if (out) {
            zp_stats_write_summary (out, summary);
            if (fclose (out) == 0)
                s_put (self, "summary.json", text, size);
        }
        free (text);
    }
    s_refresh (self);
    free (self);
    *self_p = NULL;
}

/* --- zpregel serve --- */

/* Whether `id` may name a record: letters, digits, '.', '_', '-', not
   starting with '.' (so never "." or ".."). */
static bool s_valid_id (const char *id, size_t len)
{
    if (len == 0 || len >= 200 || id[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_id_char (id[i]))
            return false;
    return true;
}

/* A regular file's contents (malloc'd, NUL-terminated), or NULL with errno
   set: a FIFO or a device is not read (it could block the server), nor a
   symbolic link (it could lead out of the history). */
static char *s_read (const char *path, size_t *size)
{
    int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *text = NULL;
    if (fstat (fd, &st) != 0)
        goto done;
    if (!S_ISREG (st.st_mode) || (uint64_t) st.st_size > S_MAX_FILE) {
        errno = S_ISREG (st.st_mode) ? EFBIG : EINVAL;
        goto done;
    }
    text = malloc ((size_t) st.st_size + 1);
    size_t n = 0;
    while (text && n < (size_t) st.st_size) {
        ssize_t got = read (fd, text + n, (size_t) st.st_size - n);
        if (got <= 0)
            break;
        n += (size_t) got;
    }
    if (text) {
        text[n] = 0;
        *size = n;
    }
done:
    close (fd);
    return text;
}

static int s_newest_first (const void *a, const void *b)
{
    return strcmp (*(char *const *) b, *(char *const *) a);
}

/* Every record's job.json, newest first, as one JSON array. */
static void s_list (const char *dir, zp_http_reply_t *reply)
{
    DIR *d = opendir (dir);
    if (!d) {
        zp_http_text (reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the history\n");
        return;
    }
    char **ids = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        char path[4400];
        struct stat st;
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        if (!s_valid_id (e->d_name, strlen (e->d_name)) || lstat (path, &st) != 0 ||
            !S_ISDIR (st.st_mode))
            continue;
        if (n == cap) {
            char **grown = realloc (ids, (cap = cap ? 2 * cap : 64) * sizeof *ids);
            if (!grown)
                break;
            ids = grown;
        }
        if (!(ids[n] = strdup (e->d_name)))
            break;
        n++;
    }
    closedir (d);
    qsort (ids, n, sizeof *ids, s_newest_first);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    bool first = true;
    if (out)
        fputc ('[', out);
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        snprintf (path, sizeof path, "%s/%s/job.json", dir, ids[i]);
        size_t len = 0;
        char *job = out ? s_read (path, &len) : NULL;
        /* Only a whole object (the master renames whole files into place). */
        while (job && len && (job[len - 1] == '\n' || job[len - 1] == ' '))
            len--;
        if (job && len > 2 && job[0] == '{' && job[len - 1] == '}') {
            fprintf (out, "%s\n%.*s", first ? "" : ",", (int) len, job);
            first = false;
        }
        free (job);
        free (ids[i]);
    }
    free (ids);
    if (!out) {
        zp_http_owned (reply, "application/json", NULL, 0);
        return;
    }
    fputs ("]\n", out);
    if (fclose (out) != 0) {
        free (text);
        text = NULL;
    }
    zp_http_owned (reply, "application/json", text, size);
}

void zp_history_site (void *ctx, const char *url, zp_http_reply_t *reply)
{
    const char *dir = ctx;
    if (strcmp (url, "/") == 0 || strcmp (url, "/index.html") == 0) {
        zp_http_asset (reply, "history.html");
        return;
    }
    if (strcmp (url, "/jobs.json") == 0) {
        s_list (dir, reply);
        return;
    }
    if ((strcmp (url, "/history.js") == 0 || strcmp (url, "/status.css") == 0) &&
        zp_http_asset (reply, url + 1))
        return;
    if (strncmp (url, "/jobs/", 6) != 0) {
        zp_http_text (reply, MHD_HTTP_NOT_FOUND, "not found: try / or /jobs.json\n");
        return;
    }
    const char *id = url + 6, *slash = strchr (id, '/');
    size_t len = slash ? (size_t) (slash - id) : strlen (id);
    char path[4400];
    snprintf (path, sizeof path, "%s/%.*s", dir, (int) len, id);
    struct stat st;
    if (!s_valid_id (id, len) || lstat (path, &st) != 0 || !S_ISDIR (st.st_mode)) {
        zp_http_text (reply, MHD_HTTP_NOT_FOUND, "no such job in this history (see /jobs.json)\n");
        return;
    }
    if (!slash) {
        /* The page's relative links need the slash. */
        zp_http_text (reply, MHD_HTTP_MOVED_PERMANENTLY, "moved\n");
        snprintf (reply->location, sizeof reply->location, "/jobs/%.*s/", (int) len, id);
        return;
    }
    const char *file = slash + 1;
    if (!*file || strcmp (file, "index.html") == 0) {
        zp_http_asset (reply, "index.html");
        return;
    }
    if ((strcmp (file, "status.js") == 0 || strcmp (file, "status.css") == 0) &&
        zp_http_asset (reply, file))
        return;
    const char *type = strcmp (file, "steps.jsonl") == 0 ? "text/plain; charset=utf-8"
                       : strcmp (file, "status.json") == 0 || strcmp (file, "job.json") == 0 ||
                               strcmp (file, "summary.json") == 0
                           ? "application/json"
                           : NULL;
    if (!type) {
        zp_http_text (reply, MHD_HTTP_NOT_FOUND,
                      strcmp (file, "metrics") == 0
                          ? "a job's metrics are served while it runs (master.http), not kept\n"
                          : "not found: a job has status.json, steps.jsonl, summary.json and "
                            "job.json\n");
        return;
    }
    snprintf (path, sizeof path, "%s/%.*s/%s", dir, (int) len, id, file);
    size_t size = 0;
    char *text = s_read (path, &size);
    if (!text) {
        zp_http_text (reply, MHD_HTTP_NOT_FOUND,
                      errno == ENOENT ? "this job has no such file (yet)\n"
                                      : "this file of the job cannot be read\n");
        return;
    }
    zp_http_owned (reply, type, text, size);
}
