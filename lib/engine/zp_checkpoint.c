/*  zp_checkpoint: the files a checkpoint is made of. See zp_checkpoint.h. */
#include "zp_checkpoint.h"
#include "zp_log.h"
#include "zp_compress.h"
#include "zp_grow.h"
#include "zp_partition.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_MAGIC     "zpregel-checkpoint"
#define S_VERSION   3
#define S_LEVEL     3
#define S_MAX_BYTES ((size_t) 1 << 40)

#define S_SUM_BYTES 8
#define S_FNV_BASIS 0xcbf29ce484222325ull

static uint64_t s_fnv (uint64_t h, const void *data, size_t size)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t zp_checkpoint_job_fingerprint (const char *program, size_t program_len,
                                        const uint8_t *params, size_t n_params, uint64_t n_vertices)
{
    uint8_t word[8];
    uint64_t h = s_fnv (S_FNV_BASIS, program, program_len);
    zp_store_u64 (word, n_params);
    h = s_fnv (h, word, 8);
    h = s_fnv (h, params, n_params * 8);
    zp_store_u64 (word, n_vertices);
    return s_fnv (h, word, 8);
}

uint64_t zp_checkpoint_fingerprint (const char *program, size_t program_len, const uint8_t *params,
                                    size_t n_params, uint64_t n_vertices, uint32_t n_workers,
                                    const uint8_t *ranges)
{
    uint8_t word[8];
    uint64_t h = zp_checkpoint_job_fingerprint (program, program_len, params, n_params, n_vertices);
    zp_store_u64 (word, n_workers);
    h = s_fnv (h, word, 8);
    return s_fnv (h, ranges, ((size_t) n_workers + 1) * 4);
}

bool zp_checkpoint_due (uint32_t every, uint32_t step)
{
    return every && step && step % every == 0;
}

uint64_t zp_checkpoint_fingerprint_of (const char *program, const zp_value_t *params,
                                       size_t n_params, const zp_layout_t *layout,
                                       uint64_t *job_fingerprint)
{
    uint32_t n = layout->n_workers;
    uint8_t *ranges = malloc (4 * ((size_t) n + 1)), raw[8 * ZP_MAX_PARAMS];
    if (!ranges)
        return 0; /* matches no file: a resume then says why */
    for (uint32_t w = 0; w <= n; w++)
        zp_store_u32 (ranges + 4 * w, layout->ranges[w]);
    for (size_t i = 0; i < n_params && i < ZP_MAX_PARAMS; i++)
        zp_store_u64 (raw + 8 * i, params[i].bits);
    if (job_fingerprint)
        *job_fingerprint =
            zp_checkpoint_job_fingerprint (program, strlen (program), raw, n_params, layout->n);
    uint64_t fp =
        zp_checkpoint_fingerprint (program, strlen (program), raw, n_params, layout->n, n, ranges);
    free (ranges);
    return fp;
}

/* Worker files carry the fingerprint in their name, so the files of a
   checkpoint moved to another placement never overwrite the ones in force. */
static void s_worker_path (char *path, size_t len, const char *dir, uint64_t fingerprint,
                           uint32_t step, uint32_t worker)
{
    snprintf (path, len, "%s/step-%u.w%u.%016" PRIx64 ".zpc", dir, step, worker, fingerprint);
}

/* Whether a directory entry is a worker file, and its superstep and fingerprint. */
static bool s_is_worker_file (const char *name, unsigned *step, uint64_t *fingerprint)
{
    unsigned worker;
    char tail[8];
    return sscanf (name, "step-%u.w%u.%16" SCNx64 ".%7s", step, &worker, fingerprint, tail) == 4 &&
           strcmp (tail, "zpc") == 0;
}

/* Whether a directory entry is a worker file's temporary, left by a worker
   killed while it wrote (step-S.wN.F.zpc.tmp): pruned as worker files are
   (a moved checkpoint once kept a lost worker's). */
static bool s_is_worker_tmp (const char *name)
{
    unsigned step, worker;
    uint64_t fp;
    char tail[16];
    return sscanf (name, "step-%u.w%u.%16" SCNx64 ".%15s", &step, &worker, &fp, tail) == 4 &&
           strcmp (tail, "zpc.tmp") == 0;
}

static void s_manifest_path (char *path, size_t len, const char *dir, uint32_t step)
{
    snprintf (path, len, "%s/step-%u.manifest", dir, step);
}

/* Whether a directory entry is a manifest, "step-S.manifest", and its S. */
static bool s_is_manifest (const char *name, unsigned *step)
{
    char tail[16];
    return sscanf (name, "step-%u.%15s", step, tail) == 2 && strcmp (tail, "manifest") == 0;
}

/* mkdir -p: workers on one host create the directory at the same time,
   so a level that already exists, or appears meanwhile, is fine. */
static int s_mkdirs (const char *dir)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    snprintf (path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        bool end = *p == 0;
        if (*p == '/' || end) {
            *p = 0;
            if (mkdir (path, 0755) != 0 && errno != EEXIST)
                return -1;
            if (end)
                return 0;
            *p = '/';
        }
    }
}

static int s_write_all (int fd, const uint8_t *data, size_t size)
{
    for (size_t done = 0; done < size;) {
        ssize_t n = write (fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t) n;
    }
    return 0;
}

/* Compresses `data` (with zstd's content checksum) and writes it to `path`,
   followed by S_SUM_BYTES of FNV-1a over the compressed bytes, through a
   temporary file, fsync'ed, renamed over `path`, and the directory
   fsync'ed. The trailing sum catches any damaged byte, those zstd would not
   notice (a window size, a flag) included: FNV-1a maps a change of one
   byte to a different sum, always. */
static int s_write_file (const char *dir, const char *path, const zp_cbor_writer_t *data, char *err,
                         size_t errlen)
{
    if (data->failed) {
        snprintf (err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (s_mkdirs (dir) != 0) {
        snprintf (err, errlen, "cannot create the checkpoint directory %s: %s", dir,
                  strerror (errno));
        return -1;
    }
    zp_compress_t *z = zp_compress_new (S_LEVEL, S_MAX_BYTES);
    size_t size = 0;
    const uint8_t *packed = z && zp_compress_set_checksum (z, true) == 0
                                ? zp_compress (z, data->data, data->size, &size)
                                : NULL;
    if (!packed) {
        zp_compress_destroy (&z);
        snprintf (err, errlen, "%s: cannot compress (out of memory)", path);
        return -1;
    }
    char tmp[ZP_CHECKPOINT_PATH_MAX + 8];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd < 0 ? -1 : 0;
    uint8_t sum[S_SUM_BYTES];
    zp_store_u64 (sum, s_fnv (S_FNV_BASIS, packed, size));
    if (rc == 0)
        rc = s_write_all (fd, packed, size);
    if (rc == 0)
        rc = s_write_all (fd, sum, sizeof sum);
    if (rc == 0 && fsync (fd) != 0)
        rc = -1;
    int saved = errno;
    if (fd >= 0 && close (fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename (tmp, path) != 0) {
        rc = -1;
        saved = errno;
    }
    zp_compress_destroy (&z);
    if (rc != 0) {
        unlink (tmp);
        snprintf (err, errlen, "cannot write %s: %s", path, strerror (saved));
        return -1;
    }
    /* The rename is durable once the directory is. */
    int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync (dfd);
        close (dfd);
    }
    return 0;
}

/* Reads and decompresses `path`: a malloc'd buffer, or NULL with a message. */
static uint8_t *s_read_file (const char *path, size_t *size, char *err, size_t errlen)
{
    /* Opened without waiting (a FIFO put there would block open() for
       ever) and read only if it is a regular file. */
    int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) != 0) {
        snprintf (err, errlen, "cannot open %s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return NULL;
    }
    FILE *f = S_ISREG (st.st_mode) ? fdopen (fd, "rb") : NULL;
    if (!f) {
        snprintf (err, errlen, "%s is damaged: %s", path,
                  S_ISREG (st.st_mode) ? strerror (errno) : "not a regular file");
        close (fd);
        return NULL;
    }
    uint8_t *raw = NULL, *out = NULL;
    size_t len = 0, cap = 0;
    while (true) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *grown = realloc (raw, cap);
            if (!grown)
                break;
            raw = grown;
        }
        size_t n = fread (raw + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    bool bad = ferror (f) || !raw;
    fclose (f);
    if (bad) {
        snprintf (err, errlen, "cannot read %s", path);
        free (raw);
        return NULL;
    }
    if (len < S_SUM_BYTES ||
        s_fnv (S_FNV_BASIS, raw, len - S_SUM_BYTES) != zp_load_u64 (raw + len - S_SUM_BYTES)) {
        snprintf (err, errlen, "%s is damaged: its checksum does not match", path);
        free (raw);
        return NULL;
    }
    len -= S_SUM_BYTES;
    zp_compress_t *z = zp_compress_new (S_LEVEL, S_MAX_BYTES);
    int zerr = ZP_ENOMEM;
    const uint8_t *plain = z ? zp_decompress (z, raw, len, SIZE_MAX, size, &zerr) : NULL;
    if (plain && (out = malloc (*size ? *size : 1)))
        memcpy (out, plain, *size);
    else
        snprintf (err, errlen, "%s is not a zpregel checkpoint: %s", path,
                  plain ? "out of memory" : zp_frame_strerror (zerr));
    zp_compress_destroy (&z);
    free (raw);
    return out;
}

/* [magic, version, kind, fingerprint, step, ...]: reads the header, checks
   it; the fingerprint too unless `any`, and puts it in *fingerprint. 0;
   -1 if the file is damaged; -2 if it is sound but of another job or
   format. */
static int s_read_header (zp_cbor_reader_t *r, size_t fields, const char *kind,
                          uint64_t *fingerprint, bool any, uint32_t step, const char *path,
                          char *err, size_t errlen)
{
    const char *text, *k;
    size_t len, klen;
    uint64_t version, fp, s;
    if (zp_cbor_read_array_n (r, fields) != 0 || zp_cbor_read_text (r, &text, &len) != 0 ||
        len != strlen (S_MAGIC) || memcmp (text, S_MAGIC, len) != 0 ||
        zp_cbor_read_uint (r, &version) != 0 || zp_cbor_read_text (r, &k, &klen) != 0 ||
        klen != strlen (kind) || memcmp (k, kind, klen) != 0 || zp_cbor_read_uint (r, &fp) != 0 ||
        zp_cbor_read_uint (r, &s) != 0) {
        snprintf (err, errlen, "%s is not a zpregel %s checkpoint", path, kind);
        return -1;
    }
    if (version != S_VERSION) {
        snprintf (err, errlen, "%s: checkpoint format %" PRIu64 ", this zpregel reads %d", path,
                  version, S_VERSION);
        return -2;
    }
    if (!any && fp != *fingerprint) {
        snprintf (err, errlen,
                  "%s belongs to another job: the program, its parameters, the graph or the "
                  "placement differ",
                  path);
        return -2;
    }
    if (s != step) {
        snprintf (err, errlen, "%s is of superstep %" PRIu64 ", not %u", path, s, step);
        return -1;
    }
    *fingerprint = fp;
    return 0;
}

static void s_write_header (zp_cbor_writer_t *w, size_t fields, const char *kind,
                            uint64_t fingerprint, uint32_t step)
{
    zp_cbor_write_array (w, fields);
    zp_cbor_write_text (w, S_MAGIC);
    zp_cbor_write_uint (w, S_VERSION);
    zp_cbor_write_text (w, kind);
    zp_cbor_write_uint (w, fingerprint);
    zp_cbor_write_uint (w, step);
}

/* Reads `path` and its header: the decompressed bytes (caller frees) and a
   reader after the header, or NULL with a message. */
static uint8_t *s_open (const char *path, size_t fields, const char *kind, uint64_t fingerprint,
                        uint32_t step, zp_cbor_reader_t *r, char *err, size_t errlen)
{
    size_t size;
    uint8_t *data = s_read_file (path, &size, err, errlen);
    if (!data)
        return NULL;
    zp_cbor_reader_init (r, data, size);
    if (s_read_header (r, fields, kind, &fingerprint, false, step, path, err, errlen) != 0) {
        free (data);
        return NULL;
    }
    return data;
}

/* Worker file: [magic, version, "worker", fingerprint, step, worker, partition] */
int zp_checkpoint_save (const char *dir, uint64_t fingerprint, uint32_t worker, uint32_t step,
                        const zp_partition_t *partition, char *err, size_t errlen)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    s_worker_path (path, sizeof path, dir, fingerprint, step, worker);
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 1 << 16);
    s_write_header (&w, 7, "worker", fingerprint, step);
    zp_cbor_write_uint (&w, worker);
    zp_partition_save (partition, &w);
    int rc = s_write_file (dir, path, &w, err, errlen);
    zp_cbor_writer_free (&w);
    return rc;
}

/* Reads worker file `path` of worker `worker` at `step`: the decompressed
   bytes (caller frees) and a reader at its partition, or NULL with a
   message (a file of another worker or superstep, copied or swapped
   there, is refused like a damaged one). */
static uint8_t *s_open_worker (const char *path, uint64_t fingerprint, uint32_t step,
                               uint32_t worker, zp_cbor_reader_t *r, char *err, size_t errlen)
{
    uint8_t *data = s_open (path, 7, "worker", fingerprint, step, r, err, errlen);
    uint64_t who;
    if (data && (zp_cbor_read_uint (r, &who) != 0 || who != worker)) {
        snprintf (err, errlen, "%s is not the checkpoint of worker %u", path, worker);
        free (data);
        data = NULL;
    }
    return data;
}

int zp_checkpoint_restore (const char *dir, uint64_t fingerprint, uint32_t worker, uint32_t step,
                           zp_partition_t *partition, char *err, size_t errlen)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    s_worker_path (path, sizeof path, dir, fingerprint, step, worker);
    zp_cbor_reader_t r;
    uint8_t *data = s_open_worker (path, fingerprint, step, worker, &r, err, errlen);
    if (!data)
        return -1;
    int rc = 0;
    char why[512];
    if (zp_partition_restore (partition, step, &r, why, sizeof why) != 0) {
        snprintf (err, errlen, "%s: %s", path, why);
        rc = -1;
    }
    free (data);
    return rc;
}

int zp_checkpoint_check_file (const char *path, char *err, size_t errlen)
{
    size_t size;
    uint8_t *data = s_read_file (path, &size, err, errlen);
    if (!data)
        return -1;
    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, data, size);
    const char *text;
    size_t len;
    int rc = zp_cbor_read_array (&r, &len) == 0 && zp_cbor_read_text (&r, &text, &len) == 0 &&
                     len == strlen (S_MAGIC) && memcmp (text, S_MAGIC, len) == 0
                 ? 0
                 : -1;
    if (rc != 0)
        snprintf (err, errlen, "%s is not a zpregel checkpoint", path);
    free (data);
    return rc;
}

void zp_checkpoint_remove (const char *dir, uint64_t fingerprint, uint32_t worker, uint32_t step)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    s_worker_path (path, sizeof path, dir, fingerprint, step, worker);
    unlink (path);
}

/* Removes from `dir` the manifests of supersteps before `below` and, if
   `workers`, every worker file but those of (keep_fp, keep_step), and
   every worker file's temporary. */
static void s_prune (const char *dir, bool workers, uint64_t keep_fp, uint32_t keep_step,
                     uint32_t below)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    DIR *d = opendir (dir);
    struct dirent *e;
    while (d && (e = readdir (d))) {
        unsigned step;
        uint64_t fp;
        bool tmp = s_is_worker_tmp (e->d_name);
        bool worker = !tmp && s_is_worker_file (e->d_name, &step, &fp);
        if ((tmp && workers) || (worker && workers && !(fp == keep_fp && step == keep_step)) ||
            (!worker && s_is_manifest (e->d_name, &step) && step < below)) {
            snprintf (path, sizeof path, "%s/%.*s", dir, (int) (sizeof path - strlen (dir) - 2),
                      e->d_name);
            unlink (path);
        }
    }
    if (d)
        closedir (d);
}

void zp_checkpoint_clear (const char *dir)
{
    s_prune (dir, true, 0, UINT32_MAX, UINT32_MAX);
}

void zp_manifest_placement (zp_manifest_t *m, const zp_layout_t *layout)
{
    m->n_workers = layout->n_workers;
    m->n_partitions = layout->n_partitions;
    m->vertices = layout->vertices;
    m->by_edges = layout->by_edges;
    m->worker_of = layout->worker_of;
}

/* The manifests in `dir`, newest first (*steps: caller frees). 0, 1 if the
   directory does not exist, -1 with a message. */
static int s_manifest_steps (const char *dir, uint32_t **steps, size_t *n, char *err, size_t errlen)
{
    *steps = NULL;
    *n = 0;
    DIR *d = opendir (dir);
    if (!d) {
        if (errno == ENOENT)
            return 1;
        snprintf (err, errlen, "cannot read the checkpoint directory %s: %s", dir,
                  strerror (errno));
        return -1;
    }
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir (d))) {
        unsigned step;
        if (!s_is_manifest (e->d_name, &step))
            continue;
        uint32_t *grown = zp_grow (*steps, &cap, *n, sizeof *grown, 8);
        if (!grown) {
            snprintf (err, errlen, "out of memory");
            rc = -1;
        } else {
            *steps = grown;
            (*steps)[(*n)++] = step;
        }
    }
    closedir (d);
    /* Newest first: a few files, an insertion sort. */
    for (size_t i = 1; rc == 0 && i < *n; i++)
        for (size_t k = i; k > 0 && (*steps)[k - 1] < (*steps)[k]; k--) {
            uint32_t t = (*steps)[k];
            (*steps)[k] = (*steps)[k - 1];
            (*steps)[k - 1] = t;
        }
    return rc;
}

/* Manifest: [magic, version, "manifest", fingerprint, step, n_workers,
              aggregates, plan_version, routes or null, job_fingerprint,
              [vertices balancer, by_edges, worker_of]] */
int zp_manifest_write (const char *dir, const zp_manifest_t *m, char *err, size_t errlen)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    s_manifest_path (path, sizeof path, dir, m->step);
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 4096);
    s_write_header (&w, 11, "manifest", m->fingerprint, m->step);
    zp_cbor_write_uint (&w, m->n_workers);
    uint8_t aggs[8 * ZP_MAX_AGGREGATORS];
    for (size_t k = 0; k < m->n_aggregates; k++)
        zp_store_u64 (aggs + 8 * k, m->aggregates[k]);
    zp_cbor_write_typed (&w, ZP_TAG_U64LE, aggs, 8 * m->n_aggregates);
    zp_cbor_write_uint (&w, m->plan_version);
    size_t cells = (size_t) m->n_workers * m->n_workers;
    uint8_t *routes = m->routes ? zp_cbor_write_typed_reserve (&w, ZP_TAG_U32LE, cells * 4) : NULL;
    if (!m->routes)
        zp_cbor_write_null (&w);
    for (size_t i = 0; routes && i < cells; i++)
        zp_store_u32 (routes + 4 * i, m->routes[i]);
    zp_cbor_write_uint (&w, m->job_fingerprint);
    zp_cbor_write_array (&w, 3);
    zp_cbor_write_uint (&w, m->vertices);
    zp_cbor_write_uint (&w, m->by_edges);
    uint8_t *of = zp_cbor_write_typed_reserve (&w, ZP_TAG_U32LE, (size_t) m->n_partitions * 4);
    for (uint32_t p = 0; of && p < m->n_partitions; p++)
        zp_store_u32 (of + 4 * p, m->worker_of[p]);
    int rc = s_write_file (dir, path, &w, err, errlen);
    zp_cbor_writer_free (&w);
    if (rc != 0)
        return rc;
    /* Older manifests are superseded, but for the one before this one (to
       fall back to if this one is damaged): remove them, and so never use
       them. */
    uint32_t *steps, keep = m->step;
    size_t n;
    if (s_manifest_steps (dir, &steps, &n, err, errlen) == 0)
        for (size_t i = 0; i < n && keep == m->step; i++)
            if (steps[i] < m->step)
                keep = steps[i];
    free (steps);
    s_prune (dir, false, 0, 0, keep);
    return 0;
}

/* Reads the manifest of superstep `step`, checked against `fingerprint` if
   `check`. 0, or -1 with a message and *damaged: the file is damaged (not:
   it is of another job or format). */
static int s_manifest_load (const char *dir, uint32_t step, bool check, uint64_t fingerprint,
                            zp_manifest_t *m, bool *damaged, char *err, size_t errlen)
{
    memset (m, 0, sizeof *m);
    char path[ZP_CHECKPOINT_PATH_MAX];
    s_manifest_path (path, sizeof path, dir, step);
    size_t size;
    *damaged = true;
    uint8_t *data = s_read_file (path, &size, err, errlen);
    if (!data)
        return -1;
    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, data, size);
    int rc = s_read_header (&r, 11, "manifest", &fingerprint, !check, step, path, err, errlen);
    *damaged = rc != -2;
    uint64_t n_workers = 0, vertices = 0, by_edges = 0;
    const uint8_t *aggs = NULL, *routes = NULL, *of = NULL;
    size_t n_aggs = 0, cells = 0, n_of = 0;
    if (rc == 0 &&
        (zp_cbor_read_uint (&r, &n_workers) != 0 || n_workers == 0 || n_workers > UINT32_MAX - 1 ||
         zp_cbor_read_typed (&r, ZP_TAG_U64LE, 8, &aggs, &n_aggs) != 0 ||
         n_aggs > ZP_MAX_AGGREGATORS || zp_cbor_read_uint (&r, &m->plan_version) != 0 ||
         (!zp_cbor_read_null (&r) &&
          (zp_cbor_read_typed (&r, ZP_TAG_U32LE, 4, &routes, &cells) != 0 ||
           cells != n_workers * n_workers)) ||
         zp_cbor_read_uint (&r, &m->job_fingerprint) != 0 || zp_cbor_read_array_n (&r, 3) != 0 ||
         zp_cbor_read_uint (&r, &vertices) != 0 || vertices > ZP_BALANCE_RANGE ||
         zp_cbor_read_uint (&r, &by_edges) != 0 || by_edges > 1 ||
         zp_cbor_read_typed (&r, ZP_TAG_U32LE, 4, &of, &n_of) != 0 || n_of == 0 ||
         n_of > UINT32_MAX || !zp_cbor_at_end (&r))) {
        snprintf (err, errlen, "%s is damaged", path);
        rc = -1;
    }
    for (size_t p = 0; rc == 0 && p < n_of; p++)
        if (zp_load_u32 (of + 4 * p) >= n_workers) {
            snprintf (err, errlen, "%s is damaged: partition %zu on worker %u of %" PRIu64, path, p,
                      zp_load_u32 (of + 4 * p), n_workers);
            rc = -1;
        }
    if (rc == 0 && ((routes && !(m->routes = malloc (cells * sizeof *m->routes))) ||
                    !(m->worker_of = malloc (n_of * sizeof *m->worker_of)))) {
        snprintf (err, errlen, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        m->step = step;
        m->fingerprint = fingerprint;
        m->n_workers = (uint32_t) n_workers;
        m->n_aggregates = n_aggs;
        for (size_t k = 0; k < n_aggs; k++)
            m->aggregates[k] = zp_load_u64 (aggs + 8 * k);
        for (size_t i = 0; routes && i < cells; i++)
            m->routes[i] = zp_load_u32 (routes + 4 * i);
        m->n_partitions = (uint32_t) n_of;
        m->vertices = (zp_balancer_t) vertices;
        m->by_edges = by_edges != 0;
        for (size_t p = 0; p < n_of; p++)
            m->worker_of[p] = zp_load_u32 (of + 4 * p);
    } else
        zp_manifest_free (m);
    free (data);
    return rc;
}

/* Whether every worker file of `m` that this host can see is sound and
   where it belongs (its worker's, of its superstep). A
   directory that is not shared may hold none of them (each worker then
   checks its own when it restores), but never some. 0, or -1 with a message. */
static int s_verify_workers (const char *dir, const zp_manifest_t *m, char *err, size_t errlen)
{
    char path[ZP_CHECKPOINT_PATH_MAX];
    uint32_t missing = 0;
    for (uint32_t w = 0; w < m->n_workers; w++) {
        s_worker_path (path, sizeof path, dir, m->fingerprint, m->step, w);
        if (access (path, F_OK) != 0) {
            missing++;
            continue;
        }
        zp_cbor_reader_t r;
        uint8_t *data = s_open_worker (path, m->fingerprint, m->step, w, &r, err, errlen);
        if (!data)
            return -1;
        free (data);
    }
    if (missing && missing < m->n_workers) {
        s_worker_path (path, sizeof path, dir, m->fingerprint, m->step, 0);
        snprintf (err, errlen,
                  "the checkpoint of superstep %u in %s lacks %u of its %u worker files", m->step,
                  dir, missing, m->n_workers);
        return -1;
    }
    return 0;
}

/* The newest complete, sound checkpoint in `dir`, checked against
   `fingerprint` if `check`. A damaged one is passed over for the one before
   it (said in a warning); one of another job is an error. */
static int s_manifest_read (const char *dir, bool check, uint64_t fingerprint, zp_manifest_t *m,
                            char *err, size_t errlen)
{
    memset (m, 0, sizeof *m);
    uint32_t *steps;
    size_t n;
    int rc = s_manifest_steps (dir, &steps, &n, err, errlen);
    if (rc != 0 || n == 0) {
        free (steps);
        return rc < 0 ? -1 : 1;
    }
    char first[1024] = "", why[1024];
    rc = -1;
    for (size_t i = 0; i < n; i++) {
        bool damaged = false;
        if (s_manifest_load (dir, steps[i], check, fingerprint, m, &damaged, why, sizeof why) ==
            0) {
            damaged = true;
            if (s_verify_workers (dir, m, why, sizeof why) == 0) {
                rc = 0;
                break;
            }
            zp_manifest_free (m);
        }
        if (!first[0])
            snprintf (first, sizeof first, "%s", why);
        if (!damaged)
            break;
    }
    if (rc == 0 && first[0])
        zp_log_warning ("%s: using the checkpoint of superstep %u before it", first, m->step);
    else if (rc != 0)
        snprintf (err, errlen, "%s", first);
    free (steps);
    return rc;
}

int zp_manifest_latest (const char *dir, uint64_t fingerprint, zp_manifest_t *m, char *err,
                        size_t errlen)
{
    return s_manifest_read (dir, true, fingerprint, m, err, errlen);
}

int zp_manifest_newest (const char *dir, zp_manifest_t *m, char *err, size_t errlen)
{
    return s_manifest_read (dir, false, 0, m, err, errlen);
}

void zp_manifest_free (zp_manifest_t *m)
{
    free (m->routes);
    free (m->worker_of);
    m->routes = NULL;
    m->worker_of = NULL;
}

/* The state of one worker of the new placement, built by zp_checkpoint_move. */
typedef struct {
    uint8_t *values, *halted, *ids, *msgs, *offsets, *blob;
    size_t count, blob_size, at, blob_at;
} s_moved_t;

static void s_moved_free (s_moved_t *m)
{
    free (m->values);
    free (m->halted);
    free (m->ids);
    free (m->msgs);
    free (m->offsets);
    free (m->blob);
}

int zp_checkpoint_move (const char *dir, const zp_manifest_t *m, const zp_layout_t *from,
                        const zp_layout_t *to, uint64_t to_fingerprint, char *err, size_t errlen)
{
    zp_manifest_t moved = *m;
    moved.fingerprint = to_fingerprint;
    zp_manifest_placement (&moved, to);
    moved.plan_version = 0; /* routes are per worker pair: the master plans again */
    moved.routes = NULL;
    if (to_fingerprint == m->fingerprint)
        return zp_manifest_write (dir, &moved, err, errlen);

    uint32_t n_from = from->n_workers, n_to = to->n_workers;
    uint8_t **data = calloc (n_from, sizeof *data);
    zp_partition_state_t *old = calloc (n_from, sizeof *old);
    s_moved_t *neu = calloc (n_to, sizeof *neu);
    char path[ZP_CHECKPOINT_PATH_MAX];
    uint8_t *mirror_ids = NULL, *mirror_values = NULL; /* neighbours' values */
    int rc = -1;
    if (!data || !old || !neu) {
        snprintf (err, errlen, "out of memory moving the checkpoint");
        goto done;
    }
    /* Read every file of the checkpoint in force. */
    for (uint32_t i = 0; i < n_from; i++) {
        s_worker_path (path, sizeof path, dir, m->fingerprint, m->step, i);
        zp_cbor_reader_t r;
        uint64_t who;
        const char *what;
        if (!(data[i] = s_open (path, 7, "worker", m->fingerprint, m->step, &r, err, errlen)))
            goto done;
        if (zp_cbor_read_uint (&r, &who) != 0 || who != i ||
            zp_partition_state_read (&r, &old[i], &what) != 0 ||
            old[i].n != from->ranges[i + 1] - from->ranges[i] || old[i].path != old[0].path ||
            (old[i].n && old[0].n && old[i].words != old[0].words)) {
            snprintf (err, errlen, "%s does not fit the checkpoint's placement", path);
            goto done;
        }
    }
    bool bytes = n_from && old[0].offsets;
    size_t words = 1; /* 64-bit words of a vertex value */
    for (uint32_t i = 0; i < n_from; i++)
        if (old[i].n)
            words = old[i].words;
    /* Where each message goes: count, then fill, old worker by old worker,
       so a vertex's messages keep their order. */
    for (uint32_t i = 0; i < n_from; i++)
        for (size_t k = 0; k < old[i].count; k++) {
            uint32_t x = from->index_of[from->ranges[i] + zp_load_u32 (old[i].ids + 4 * k)];
            s_moved_t *t = &neu[to->worker_of[to->partition_of[x]]];
            t->count++;
            if (bytes)
                t->blob_size += zp_load_u64 (old[i].offsets + 8 * (k + 1)) -
                                zp_load_u64 (old[i].offsets + 8 * k);
        }
    for (uint32_t w = 0; w < n_to; w++) {
        s_moved_t *t = &neu[w];
        size_t n = to->ranges[w + 1] - to->ranges[w];
        t->values = malloc (8 * n * words + 1);
        t->halted = malloc (n + 1);
        t->ids = malloc (4 * t->count + 1);
        t->msgs = bytes ? NULL : malloc (8 * t->count + 1);
        t->offsets = bytes ? malloc (8 * (t->count + 1)) : NULL;
        t->blob = bytes ? malloc (t->blob_size + 1) : NULL;
        if (!t->values || !t->halted || !t->ids || (bytes ? !t->offsets || !t->blob : !t->msgs)) {
            snprintf (err, errlen, "out of memory moving the checkpoint");
            goto done;
        }
    }
    for (uint32_t i = 0; i < n_from; i++) {
        for (size_t v = 0; v < old[i].n; v++) {
            uint32_t x = from->index_of[from->ranges[i] + v];
            uint32_t w = to->worker_of[to->partition_of[x]], h = to->handle_of[x] - to->ranges[w];
            memcpy (neu[w].values + 8 * words * h, old[i].values + 8 * words * v, 8 * words);
            neu[w].halted[h] = old[i].halted[v];
        }
        for (size_t k = 0; k < old[i].count; k++) {
            uint32_t x = from->index_of[from->ranges[i] + zp_load_u32 (old[i].ids + 4 * k)];
            uint32_t w = to->worker_of[to->partition_of[x]];
            s_moved_t *t = &neu[w];
            zp_store_u32 (t->ids + 4 * t->at, to->handle_of[x] - to->ranges[w]);
            if (bytes) {
                uint64_t lo = zp_load_u64 (old[i].offsets + 8 * k);
                uint64_t len = zp_load_u64 (old[i].offsets + 8 * (k + 1)) - lo;
                zp_store_u64 (t->offsets + 8 * t->at, t->blob_at);
                if (len)
                    memcpy (t->blob + t->blob_at, old[i].blob + lo, len);
                t->blob_at += len;
            } else
                memcpy (t->msgs + 8 * t->at, old[i].msgs + 8 * k, 8);
            t->at++;
        }
    }
    /* A program that reads its neighbours: each new worker gets every
       other new worker's values as its mirrors (what its vertices read is
       among them). */
    bool mirrors = n_from && old[0].mirror_ids;
    uint64_t n_all = to->ranges[n_to];
    for (uint32_t i = 0; i < n_from; i++)
        if (!old[i].mirror_ids != !mirrors || (mirrors && words != 1)) {
            snprintf (err, errlen, "the checkpoint's neighbours' values do not fit its values");
            goto done;
        }
    if (mirrors) {
        mirror_ids = malloc (4 * n_all + 1);
        mirror_values = malloc (8 * n_all + 1);
        if (!mirror_ids || !mirror_values) {
            snprintf (err, errlen, "out of memory moving the checkpoint");
            goto done;
        }
    }
    /* Write the new files, then commit with the manifest, then clean up. */
    for (uint32_t w = 0; w < n_to; w++) {
        s_moved_t *t = &neu[w];
        if (bytes)
            zp_store_u64 (t->offsets + 8 * t->count, t->blob_size);
        size_t n_mirrors = 0;
        for (uint32_t o = 0; mirrors && o < n_to; o++) {
            size_t count = to->ranges[o + 1] - to->ranges[o];
            if (o == w || !count)
                continue;
            memcpy (mirror_values + 8 * n_mirrors, neu[o].values, 8 * count);
            for (uint32_t h = to->ranges[o]; h < to->ranges[o + 1]; h++)
                zp_store_u32 (mirror_ids + 4 * n_mirrors++, h);
        }
        zp_partition_state_t state = {.n = to->ranges[w + 1] - to->ranges[w],
                                      .words = words,
                                      .values = t->values,
                                      .halted = t->halted,
                                      .path = old[0].path,
                                      .count = t->count,
                                      .ids = t->ids,
                                      .msgs = t->msgs,
                                      .offsets = t->offsets,
                                      .blob = t->blob,
                                      .blob_size = t->blob_size,
                                      .n_mirrors = n_mirrors,
                                      .mirror_ids = mirrors ? mirror_ids : NULL,
                                      .mirror_values = mirror_values};
        zp_cbor_writer_t out;
        zp_cbor_writer_init (&out, 1 << 16);
        s_write_header (&out, 7, "worker", to_fingerprint, m->step);
        zp_cbor_write_uint (&out, w);
        zp_partition_state_write (&state, &out);
        s_worker_path (path, sizeof path, dir, to_fingerprint, m->step, w);
        int wrc = s_write_file (dir, path, &out, err, errlen);
        zp_cbor_writer_free (&out);
        if (wrc != 0)
            goto done;
    }
    if (zp_manifest_write (dir, &moved, err, errlen) != 0)
        goto done;
    s_prune (dir, true, to_fingerprint, m->step, m->step);
    rc = 0;
done:
    for (uint32_t i = 0; data && i < n_from; i++)
        free (data[i]);
    for (uint32_t w = 0; neu && w < n_to; w++)
        s_moved_free (&neu[w]);
    free (data);
    free (old);
    free (neu);
    free (mirror_ids);
    free (mirror_values);
    return rc;
}
