/*  zp_job: run a whole job described by a zp_config_t, in this process.

    zp_job_run() resolves the program and its parameters (job.params, then
    the dataset's .properties, then the program's defaults), loads the graph,
    places it, starts the master and the inproc workers as actors in this
    process, starts the tcp workers of this host as child processes (if
    asked) and waits for the others, reports each superstep through a
    callback, writes the output and fills a summary. Child processes are
    reaped, and stopped if the job fails. When a node dies or goes silent
    it stops them all and starts them again from the last complete
    checkpoint (from superstep 0 without one), up to
    reliability.max_recoveries times. A lost node it cannot start again (a
    tcp node it did not start) leaves the job: a lost worker's partitions,
    and their part of the checkpoint, move to the surviving workers.
*/
#ifndef ZP_JOB_H
#define ZP_JOB_H

#include "zp_config.h"
#include "zp_program.h"
#include "zp_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZP_JOB_TOP 10

/* One worker in one superstep. Its three times are where the superstep
   went for it, one after the other: computing, waiting for ACKs, waiting
   at the barrier (a checkpoint's writing, and the time BEGIN took to reach
   it, are in none of them). */
typedef struct {
    char name[64];
    uint64_t active;             /* its vertices still active after the superstep */
    uint64_t messages_out;       /* messages its vertices sent, to its own vertices too */
    uint64_t messages_in;        /* messages it received: its own, and other
                                    workers' after their combiner merged them */
    uint64_t bytes_out;          /* batch bytes it sent to other workers */
    uint64_t bytes_in;           /* batch bytes other workers sent it */
    double compute_seconds;      /* in compute() and sending its batches */
    double send_wait_seconds;    /* then waiting for the last ACK of its batches */
    double barrier_wait_seconds; /* then waiting for the slowest worker (the
                                    master's clock, from its DONE to the last) */
} zp_worker_step_t;

/* One superstep, as the master saw it at its barrier. */
typedef struct {
    uint32_t step;
    uint64_t active;
    uint64_t messages;
    uint64_t bytes;
    uint64_t batches;
    double seconds;         /* wall time of the superstep, barrier included */
    double compute_seconds; /* slowest worker's compute */
    char slowest[64];       /* that worker's name */
    uint64_t retries;       /* batches sent again */
    uint64_t duplicates;    /* batches received twice and dropped */
    bool halted;            /* the program's master compute ended the job after it */
    /* Who sent how much to whom: n_workers x n_workers, row = sender, the
       diagonal what a worker sent to its own vertices. Valid during the
       callback only. */
    uint32_t n_workers;
    const uint64_t *sent_messages;
    const uint64_t *sent_bytes;
    const zp_worker_step_t *workers; /* n_workers, valid during the callback only */
    /* The aggregators after the superstep (the program's, in its order). */
    uint32_t n_aggregates;
    zp_value_t aggregates[ZP_MAX_AGGREGATORS];
    bool checkpointed; /* a checkpoint of this superstep is complete */
    /* (Added in 1.6.) The supersteps the job takes, when its program says
       so before it starts (zp_program_t.supersteps), at most
       engine.max_supersteps; 0: not known. */
    uint32_t planned;
    /* (Added in 1.7.) Values sent to other workers' copies of their
       vertices' neighbours (ZP_READS_NEIGHBOURS): the values that changed,
       once per worker that reads them. */
    uint64_t mirrored;
} zp_step_report_t;

/* What one router did over the whole job. */
typedef struct {
    uint32_t router;
    uint64_t frames_in, frames_out;
    uint64_t messages_in, messages_out;
    uint64_t resent; /* merged batches sent again */
} zp_router_report_t;

typedef struct {
    /* Called after every superstep, in the caller's thread (may be NULL). */
    void (*on_step) (void *ctx, const zp_step_report_t *report);
    void *ctx;
    /* Start the tcp workers whose host is this machine as child processes
       (`exe worker JOB.yaml --name W --set ...`); the others are waited for. */
    bool spawn;
    const char *exe;              /* the zpregel binary, for spawn */
    const char *const *overrides; /* --set values, passed on to spawned workers */
    size_t n_overrides;
    /* Continue from the newest complete checkpoint in reliability.checkpoint_dir. */
    bool resume;
    /* Where the master listens, when the system chose its ports (or it
       binds ipc ones to be watched), goes to stderr for a caller that shows
       progress (on_step set), unless `quiet`. */
    bool quiet;
} zp_job_options_t;

typedef struct {
    char program[64];
    zp_type_t value_type;
    uint64_t vertices;
    uint64_t edges;
    bool directed;
    uint64_t dropped_self_loops;
    uint64_t dropped_duplicates;
    uint32_t n_workers;
    uint64_t *vertices_of;     /* n_workers: vertices placed on each worker */
    uint64_t *edges_of;        /* n_workers: out-arcs placed on each worker */
    double imbalance_vertices; /* max / mean over workers */
    double imbalance_edges;
    double load_seconds;
    double compute_seconds;
    double output_seconds;
    uint32_t supersteps;
    uint32_t resumed_step; /* the checkpoint this run started from, or 0 */
    /* After the last superstep: vertices still active and messages sent.
       Both 0 when the job converged; not, when engine.max_supersteps
       stopped it (an error unless engine.on_limit is stop). */
    uint64_t active_at_end;
    uint64_t messages_at_end;
    bool halted_by_master; /* the program's master compute ended it: converged */
    bool converged;
    uint64_t messages;
    uint64_t bytes;
    uint64_t batches;
    uint64_t retries;      /* batches sent again */
    uint64_t duplicates;   /* batches received twice and dropped */
    uint32_t recoveries;   /* times every node was started again after one was lost */
    uint32_t workers_left; /* lost workers not started again: their partitions moved */
    uint32_t routers_left; /* lost routers not started again */
    uint32_t n_routers;
    zp_router_report_t *routers; /* n_routers: frames and messages in and out */
    size_t n_top;                /* vertices with the largest values (F64 programs) */
    uint64_t top_ids[ZP_JOB_TOP];
    zp_value_t top_values[ZP_JOB_TOP];
    /* The final values, in memory, when the job finished (and with
       engine.on_limit: stop, when it did not converge): vertex i has id
       ids[i] (ascending) and value values[i * value_words ...], as the
       program's value_type says (a double, int64_t or uint64_t in
       values[i], or the program's struct in value_words words). NULL when
       the job failed. Freed by zp_job_summary_free. */
    uint64_t n_values;
    uint64_t *ids;
    zp_value_t *values;
    size_t value_words;
    /* Added in 1.5: the vertices' names, when the graph gives them (a CSV
       edge list of names; its ids are then 0..n-1): read them with
       zp_job_summary_name. NULL otherwise. */
    char *names;
    uint64_t *name_at;
    /* Added in 1.7: the steps' `mirrored`, summed as `messages` is. */
    uint64_t mirrored;
} zp_job_summary_t;

/* The name of the vertex at index i of the summary's values (with ids[i]),
   or NULL when the graph has no names. (Added in 1.5.) */
const char *zp_job_summary_name (const zp_job_summary_t *summary, uint64_t i);

/* Runs the job. 0 on success (summary->converged says whether it ended by
   itself or at engine.max_supersteps with engine.on_limit: stop); -1 with
   a one-line message in err, and ZP_JOB_LIMIT when it is the superstep
   limit. The summary is filled either way; free it with
   zp_job_summary_free. */
#define ZP_JOB_LIMIT (-3)
/* ... and ZP_JOB_PROGRAM_CRASHED when a tcp worker process it started
   exited with ZP_EXIT_PROGRAM_CRASHED (an inproc worker's crash ends the
   whole process with that status). */
#define ZP_JOB_PROGRAM_CRASHED (-4)
/* ... and ZP_JOB_INTERRUPTED when SIGINT or SIGTERM (zsys_interrupted)
   ended it: every node it started is stopped, at once. */
#define ZP_JOB_INTERRUPTED (-5)
int zp_job_run (const zp_config_t *cfg, const zp_job_options_t *options, zp_job_summary_t *summary,
                char *err, size_t errlen);
void zp_job_summary_free (zp_job_summary_t *summary);

#endif
