/*  zp_traffic: traffic lines in --stats files, and synthetic matrices.

    The reader parses only what the writer writes (a line that starts with
    {"traffic":true), strictly: every number, bracket and comma is checked,
    so a damaged file gets a file:line message instead of a wrong plan.
*/
#include "zp_traffic.h"
#include "zp_balance.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void zp_traffic_write (FILE *out, uint32_t step, const zp_traffic_t *t)
{
    fprintf (out, "{\"traffic\":true,\"step\":%u,\"workers\":%u,\"pairs\":[", step, t->n);
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++)
        for (uint32_t j = 0; j < t->n; j++) {
            size_t k = (size_t) i * t->n + j;
            if (!t->messages[k] && !t->bytes[k])
                continue;
            fprintf (out, "%s[%u,%u,%" PRIu64 ",%" PRIu64 "]", first ? "" : ",", i, j,
                     t->messages[k], t->bytes[k]);
            first = false;
        }
    fprintf (out, "]}\n");
}

void zp_traffic_write_matrix (FILE *out, const zp_traffic_matrix_t *m)
{
    fprintf (out, "{\"traffic\":true,\"step\":0,\"workers\":%u,\"pairs\":[", m->n);
    bool first = true;
    for (size_t k = 0; k < (size_t) m->n * m->n; k++) {
        if (m->messages[k] < 0.5 && m->bytes[k] < 0.5)
            continue;
        fprintf (out, "%s[%zu,%zu,%.0f,%.0f]", first ? "" : ",", k / m->n, k % m->n, m->messages[k],
                 m->bytes[k]);
        first = false;
    }
    fprintf (out, "]}\n");
}

void zp_traffic_free (zp_traffic_matrix_t *m)
{
    free (m->messages);
    free (m->bytes);
    free (m->reached);
    free (m->group_of);
    free (m->group_reached);
    memset (m, 0, sizeof *m);
}

static int s_alloc (zp_traffic_matrix_t *m, uint32_t n)
{
    m->n = n;
    m->messages = calloc ((size_t) n * n, sizeof *m->messages);
    m->bytes = calloc ((size_t) n * n, sizeof *m->bytes);
    return m->messages && m->bytes ? 0 : -1;
}

/* A cursor over one line. */
typedef struct {
    const char *p;
} s_cur_t;

static bool s_lit (s_cur_t *c, const char *lit)
{
    size_t len = strlen (lit);
    if (strncmp (c->p, lit, len) != 0)
        return false;
    c->p += len;
    return true;
}

static bool s_num (s_cur_t *c, uint64_t *v)
{
    if (!isdigit ((unsigned char) *c->p))
        return false;
    char *end;
    errno = 0;
    *v = strtoull (c->p, &end, 10);
    c->p = end;
    return errno == 0;
}

void zp_traffic_take_bounds (zp_traffic_matrix_t *to, zp_traffic_matrix_t *from)
{
    free (to->reached);
    free (to->group_of);
    free (to->group_reached);
    to->reached = from->reached;
    to->n_groups = from->n_groups;
    to->group_of = from->group_of;
    to->group_reached = from->group_reached;
    from->reached = NULL;
    from->n_groups = 0;
    from->group_of = NULL;
    from->group_reached = NULL;
}

/* A superstep line: {"step":N,"seconds":S,"compute_seconds":C,...}. */
static bool s_step_line (const char *line, uint64_t *step, double *seconds, double *compute)
{
    s_cur_t c = {line};
    char *end;
    if (!s_lit (&c, "{\"step\":") || !s_num (&c, step) || !s_lit (&c, ",\"seconds\":"))
        return false;
    *seconds = strtod (c.p, &end);
    c.p = end;
    if (!s_lit (&c, ",\"compute_seconds\":"))
        return false;
    *compute = strtod (c.p, &end);
    return end != c.p;
}

int zp_traffic_read (const char *path, zp_traffic_matrix_t *m, char *err, size_t errlen)
{
    memset (m, 0, sizeof *m);
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    int rc = 0;
    /* The supersteps' times, summed for their means. */
    double seconds = 0, compute = 0;
    size_t n_steps = 0;
    while (rc == 0 && getline (&line, &cap, f) > 0) {
        lineno++;
        s_cur_t c = {line};
        uint64_t step;
        double sec, comp;
        if (s_step_line (line, &step, &sec, &comp)) {
            seconds += sec;
            compute += comp;
            n_steps++;
            continue;
        }
        if (!s_lit (&c, "{\"traffic\":true,"))
            continue;
        uint64_t n;
        if (!s_lit (&c, "\"step\":") || !s_num (&c, &step) || !s_lit (&c, ",\"workers\":") ||
            !s_num (&c, &n) || !s_lit (&c, ",\"pairs\":[") || n == 0 || n > 65536) {
            snprintf (err, errlen,
                      "%s:%zu: expected \"step\", \"workers\" (1 to 65536) and \"pairs\"", path,
                      lineno);
            rc = -1;
            break;
        }
        if (!m->n && s_alloc (m, (uint32_t) n) != 0) {
            snprintf (err, errlen, "%s: out of memory for %" PRIu64 " workers", path, n);
            rc = -1;
            break;
        }
        if (n != m->n) {
            snprintf (err, errlen, "%s:%zu: %" PRIu64 " workers, earlier lines had %u", path,
                      lineno, n, m->n);
            rc = -1;
            break;
        }
        bool first = true;
        while (!s_lit (&c, "]")) {
            uint64_t i, j, msgs, bytes;
            if ((!first && !s_lit (&c, ",")) || !s_lit (&c, "[") || !s_num (&c, &i) ||
                !s_lit (&c, ",") || !s_num (&c, &j) || !s_lit (&c, ",") || !s_num (&c, &msgs) ||
                !s_lit (&c, ",") || !s_num (&c, &bytes) || !s_lit (&c, "]") || i >= n || j >= n) {
                snprintf (err, errlen,
                          "%s:%zu: expected [sender, receiver, messages, bytes] with workers "
                          "below %" PRIu64 " near \"%.20s\"",
                          path, lineno, n, c.p);
                rc = -1;
                break;
            }
            first = false;
            m->messages[i * n + j] += (double) msgs;
            m->bytes[i * n + j] += (double) bytes;
        }
        if (rc == 0 && !s_lit (&c, "}")) {
            snprintf (err, errlen, "%s:%zu: expected } after the pairs", path, lineno);
            rc = -1;
        }
        m->steps++;
    }
    free (line);
    fclose (f);
    m->measured_seconds = n_steps ? seconds / (double) n_steps : NAN;
    m->measured_compute = n_steps ? compute / (double) n_steps : NAN;
    if (rc == 0 && m->steps == 0) {
        snprintf (err, errlen, "%s: no traffic lines (write them with zpregel run --stats FILE)",
                  path);
        rc = -1;
    }
    if (rc != 0) {
        zp_traffic_free (m);
        return -1;
    }
    for (size_t k = 0; k < (size_t) m->n * m->n; k++) {
        m->messages[k] /= m->steps;
        m->bytes[k] /= m->steps;
    }
    return 0;
}

/* A uniform double in [0, 1) from a counter-based generator. */
static double s_uniform (uint64_t seed, uint64_t i)
{
    return (double) (zp_mix64 (seed ^ zp_mix64 (i)) >> 11) / 9007199254740992.0;
}

int zp_traffic_generate (uint32_t n, double alpha, uint32_t fanout, double total,
                         double bytes_per_message, uint64_t seed, zp_traffic_matrix_t *m)
{
    memset (m, 0, sizeof *m);
    if (n == 0 || s_alloc (m, n) != 0)
        return -1;
    /* Zipf weights by rank; ranks are a seeded permutation of the workers, so
       that popular receivers and busy senders are not the same workers. */
    double *pop = malloc (n * sizeof *pop), *act = malloc (n * sizeof *act),
           *cum = malloc (n * sizeof *cum);
    if (!pop || !act || !cum) {
        free (pop);
        free (act);
        free (cum);
        zp_traffic_free (m);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        pop[i] = 1.0 / pow (1.0 + (double) (zp_mix64 (seed + 1 + i) % n), alpha);
        act[i] = 1.0 / pow (1.0 + (double) (zp_mix64 (seed + 2 + i * 7) % n), alpha);
    }
    double sum_act = 0, acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        sum_act += act[i];
        acc += pop[i];
        cum[i] = acc;
    }
    uint64_t draw = 0;
    for (uint32_t i = 0; i < n; i++) {
        double share = total * act[i] / sum_act / (fanout ? fanout : 1);
        for (uint32_t k = 0; k < fanout; k++) {
            /* A receiver by popularity: binary search of the cumulative weights. */
            double x = s_uniform (seed, draw++) * acc;
            uint32_t lo = 0, hi = n - 1;
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (cum[mid] < x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == i)
                continue;
            m->messages[(size_t) i * n + lo] += floor (share);
            m->bytes[(size_t) i * n + lo] += floor (share) * bytes_per_message;
        }
    }
    m->steps = 1;
    free (pop);
    free (act);
    free (cum);
    return 0;
}
