/*  zp_stats: the JSON lines a job's record is made of, one a superstep and
    a summary at the end, for `--stats FILE` and for the history
    (zp_history). docs/STATS.md describes every field. */
#ifndef ZP_STATS_H
#define ZP_STATS_H

#include "zpregel/zp_job.h"

#include <stddef.h>
#include <stdio.h>

/* A superstep's record, then its traffic line (zp_traffic_write). */
void zp_stats_write_step (FILE *out, const zp_step_report_t *report);
/* The summary line, the last of a record. */
void zp_stats_write_summary (FILE *out, const zp_job_summary_t *summary);
/* Now, as UTC with milliseconds: "2026-12-07T10:22:24.123Z". */
void zp_stats_now (char *buf, size_t len);

#endif
