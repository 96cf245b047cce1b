/*  zp_stats: a job's record as JSON lines. */
#include "zp_stats.h"
#include "zp_json.h"
#include "zp_traffic.h"

#include <inttypes.h>
#include <time.h>

void zp_stats_now (char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r (&ts.tv_sec, &tm);
    char day[32];
    strftime (day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buf, len, "%s.%03ldZ", day, ts.tv_nsec / 1000000);
}

void zp_stats_write_step (FILE *out, const zp_step_report_t *r)
{
    char now[40];
    zp_stats_now (now, sizeof now);
    fprintf (out,
             "{\"step\":%u,\"seconds\":%.6f,\"compute_seconds\":%.6f,\"slowest_worker\":", r->step,
             r->seconds, r->compute_seconds);
    zp_json_string (out, r->slowest);
    fprintf (out,
             ",\"active\":%" PRIu64 ",\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64
             ",\"batches\":%" PRIu64 ",\"retries\":%" PRIu64 ",\"duplicates\":%" PRIu64
             ",\"mirrored\":%" PRIu64 ",\"workers\":[",
             r->active, r->messages, r->bytes, r->batches, r->retries, r->duplicates, r->mirrored);
    for (uint32_t i = 0; i < r->n_workers; i++) {
        const zp_worker_step_t *w = &r->workers[i];
        fprintf (out, "%s{\"name\":", i ? "," : "");
        zp_json_string (out, w->name);
        fprintf (out,
                 ",\"active\":%" PRIu64 ",\"messages_out\":%" PRIu64 ",\"messages_in\":%" PRIu64
                 ",\"bytes_out\":%" PRIu64 ",\"bytes_in\":%" PRIu64 ",\"compute_seconds\":%.6f,"
                 "\"send_wait_seconds\":%.6f,\"barrier_wait_seconds\":%.6f}",
                 w->active, w->messages_out, w->messages_in, w->bytes_out, w->bytes_in,
                 w->compute_seconds, w->send_wait_seconds, w->barrier_wait_seconds);
    }
    fprintf (out, "],\"time\":\"%s\"}\n", now);
    zp_traffic_t t = {r->n_workers, r->sent_messages, r->sent_bytes};
    zp_traffic_write (out, r->step, &t);
}

static void s_write_u64s (FILE *f, const char *key, const uint64_t *v, uint32_t n)
{
    fprintf (f, ",\"%s\":[", key);
    for (uint32_t i = 0; v && i < n; i++)
        fprintf (f, "%s%" PRIu64, i ? "," : "", v[i]);
    fprintf (f, "]");
}

void zp_stats_write_summary (FILE *f, const zp_job_summary_t *s)
{
    fputs ("{\"summary\":true,\"program\":", f);
    zp_json_string (f, s->program);
    fprintf (f,
             ",\"vertices\":%" PRIu64 ",\"edges\":%" PRIu64
             ",\"workers\":%u,\"supersteps\":%u,\"resumed_step\":%u,\"converged\":%s"
             ",\"active_at_end\":%" PRIu64 ",\"messages_at_end\":%" PRIu64 ",\"messages\":%" PRIu64
             ",\"mirrored\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"retries\":%" PRIu64
             ",\"duplicates\":%" PRIu64 ",\"recoveries\":%u"
             ",\"workers_left\":%u,\"routers_left\":%u"
             ",\"load_seconds\":%.6f,\"compute_seconds\":%.6f,\"output_seconds\":%.6f"
             ",\"imbalance_vertices\":%.4f,\"imbalance_edges\":%.4f",
             s->vertices, s->edges, s->n_workers, s->supersteps, s->resumed_step,
             s->converged ? "true" : "false", s->active_at_end, s->messages_at_end, s->messages,
             s->mirrored, s->bytes, s->retries, s->duplicates, s->recoveries, s->workers_left,
             s->routers_left, s->load_seconds, s->compute_seconds, s->output_seconds,
             s->imbalance_vertices, s->imbalance_edges);
    s_write_u64s (f, "vertices_per_worker", s->vertices_of, s->n_workers);
    s_write_u64s (f, "edges_per_worker", s->edges_of, s->n_workers);
    /* Each router's whole job: the hop that the workers' bytes do not
       show, and what its merging combined (messages in against out). */
    fputs (",\"routers\":[", f);
    for (uint32_t r = 0; s->routers && r < s->n_routers; r++) {
        const zp_router_report_t *x = &s->routers[r];
        fprintf (f,
                 "%s{\"router\":%u,\"frames_in\":%" PRIu64 ",\"frames_out\":%" PRIu64
                 ",\"messages_in\":%" PRIu64 ",\"messages_out\":%" PRIu64 ",\"resent\":%" PRIu64
                 "}",
                 r ? "," : "", x->router, x->frames_in, x->frames_out, x->messages_in,
                 x->messages_out, x->resent);
    }
    fputs ("]", f);
    char now[40];
    zp_stats_now (now, sizeof now);
    fprintf (f, ",\"time\":\"%s\"}\n", now);
}
