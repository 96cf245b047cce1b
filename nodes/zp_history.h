/*  zp_history: a job's record, kept after it ends (master.history), and
    the site that shows a directory of them (zpregel serve).

    The master of a job with master.history: DIR makes DIR/ID, ID the UTC
    time it started, the job's name and the master's pid
    ("20261207T102224.512Z-pagerank-4242"), and keeps there

        job.json      the job in brief: name, program, graph, state, start,
                      elapsed time, superstep, error (the history's list)
        status.json   what the status page shows (zp_status_json)
        steps.jsonl   one record a superstep and its traffic, as --stats
                      writes them (zp_stats), appended as the job runs
        summary.json  the summary line of --stats, once the job finished

    job.json and status.json are written when the job starts, again at
    most once a second while it runs, and when it ends, each to a
    temporary file renamed into place: a reader sees a whole file, and a
    job whose master was killed keeps what it had said last.

    zpregel serve serves DIR with zp_history_site:
        GET /                          the list of jobs (web/history.html)
        GET /jobs.json                 every job.json, newest first
        GET /jobs/ID/                  the job's status page (web/index.html)
        GET /jobs/ID/status.json, steps.jsonl, summary.json, job.json
*/
#ifndef ZP_HISTORY_H
#define ZP_HISTORY_H

#include "zp_http.h"
#include "zp_status.h"
#include "zpregel/zp_config.h"
#include "zpregel/zp_job.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct zp_history_s zp_history_t;

/* Starts the record of the job of `cfg` (borrowed, as is `status`) in
   cfg->history, making the directory if need be. NULL with a message
   naming master.history and the directory in err. */
zp_history_t *zp_history_open (const zp_config_t *cfg, zp_status_t *status, char *err,
                               size_t errlen);
/* The record's directory. */
const char *zp_history_path (const zp_history_t *self);
/* A superstep ended. */
void zp_history_step (zp_history_t *self, const zp_step_report_t *report);
/* The job ended (its state and error are in the status); `summary` is
   written when not NULL. A file that cannot be written is logged. */
void zp_history_close (zp_history_t **self_p, const zp_job_summary_t *summary);

/* zpregel serve's site: `dir` (a char *) is the history's directory. */
void zp_history_site (void *dir, const char *url, zp_http_reply_t *reply);

#endif
