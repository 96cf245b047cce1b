/*  zp_checkpoint: the files a checkpoint is made of.

    A checkpoint of superstep S is the state at the start of S, after every
    message sent in S-1 has arrived and before compute: each worker's values,
    halted flags and inbox (zp_partition_save), and the master's aggregates
    and route plan. In `dir`:
      step-S.wI.F.zpc     worker I's partition, by that worker; F is the
                          fingerprint in 16 hex digits
      step-S.manifest     by the master, once every worker has said DONE for
                          superstep S (so every worker file of S is on disk):
                          a checkpoint without a manifest is never used
    A checkpoint can be moved to another placement of the same graph
    (zp_checkpoint_move): that is how a lost worker's partitions go to the
    survivors.
    Every file is CBOR compressed with zstd (with its content checksum),
    followed by an 8-byte FNV-1a sum of the compressed bytes, written to a
    temporary name, fsync'ed and renamed, so a crash leaves the old file or
    the new one, and a damaged byte anywhere is refused. The checkpoint
    before the newest stays (its manifest and worker files), so a damaged
    newest one falls back to it.
    Each carries a fingerprint of what it belongs to (program, parameters,
    |V|, placement), so a checkpoint is never restored into another job.
*/
#ifndef ZP_CHECKPOINT_H
#define ZP_CHECKPOINT_H

#include "zp_control.h"
#include "zp_layout.h"
#include "zpregel/zp_program.h"

#define ZP_CHECKPOINT_PATH_MAX 4096

typedef struct zp_partition_s zp_partition_t;

typedef struct {
    uint32_t step;
    uint64_t fingerprint;
    uint32_t n_workers;
    size_t n_aggregates;
    uint64_t aggregates[ZP_MAX_AGGREGATORS]; /* what BEGIN of `step` carries */
    uint64_t plan_version;                   /* 0: every route direct */
    uint32_t *routes;                        /* n_workers x n_workers, or NULL */
    /* What the checkpoint needs to be moved to other workers: the job
       without its placement, and the placement (zp_layout_t's fields). */
    uint64_t job_fingerprint;
    uint32_t n_partitions;
    zp_balancer_t vertices;
    bool by_edges;
    uint32_t *worker_of; /* n_partitions */
} zp_manifest_t;

/* The fingerprint of a job's checkpoints: FNV-1a over the program's name,
   its raw parameter values and |V| (the job fingerprint), then the worker
   count and the placement ranges (n_workers + 1 little-endian uint32). */
uint64_t zp_checkpoint_fingerprint (const char *program, size_t program_len, const uint8_t *params,
                                    size_t n_params, uint64_t n_vertices, uint32_t n_workers,
                                    const uint8_t *ranges);
uint64_t zp_checkpoint_job_fingerprint (const char *program, size_t program_len,
                                        const uint8_t *params, size_t n_params,
                                        uint64_t n_vertices);

/* Both, from a program's name, its parameter values and a layout. */
uint64_t zp_checkpoint_fingerprint_of (const char *program, const zp_value_t *params,
                                       size_t n_params, const zp_layout_t *layout,
                                       uint64_t *job_fingerprint);
/* Fills the placement fields of `m` from `layout` (borrowed, not copied). */
void zp_manifest_placement (zp_manifest_t *m, const zp_layout_t *layout);

/* Whether superstep `step` is checkpointed with checkpoint_every `every`. */
bool zp_checkpoint_due (uint32_t every, uint32_t step);

/* Worker files: 0, or -1 with a message naming the file. */
int zp_checkpoint_save (const char *dir, uint64_t fingerprint, uint32_t worker, uint32_t step,
                        const zp_partition_t *partition, char *err, size_t errlen);
int zp_checkpoint_restore (const char *dir, uint64_t fingerprint, uint32_t worker, uint32_t step,
                           zp_partition_t *partition, char *err, size_t errlen);
/* Removes worker `worker`'s file of superstep `step`, if there is one. */
void zp_checkpoint_remove (const char *dir, uint64_t fingerprint, uint32_t worker, uint32_t step);
/* Removes every manifest and worker file in `dir` (a new run starts clean). */
void zp_checkpoint_clear (const char *dir);

/* Moves the checkpoint `m` (written by workers placed as `from`) to the
   placement `to` (same graph, other workers): reads every worker file,
   gives each vertex's value, halted flag and inbox messages to the worker
   that owns it in `to`, keeping each vertex's messages in order, and
   writes them as files of `to_fingerprint`. Then replaces the manifest
   (same superstep and aggregates; the route plan is dropped, as routes are
   per worker pair) and removes the old files. The manifest is the commit
   point: a crash before it leaves the old checkpoint in force. With the
   same fingerprint only the route plan is dropped. 0, or -1 with a message. */
int zp_checkpoint_move (const char *dir, const zp_manifest_t *m, const zp_layout_t *from,
                        const zp_layout_t *to, uint64_t to_fingerprint, char *err, size_t errlen);

/* Reads one checkpoint file (worker file or manifest) and checks its
   checksum, its compression and its header. 0, or -1 with a message. */
int zp_checkpoint_check_file (const char *path, char *err, size_t errlen);

/* Manifests. write: 0 or -1 with a message; it also removes the manifests
   before the one before it. latest: the newest complete, sound checkpoint
   in `dir` with this fingerprint (its manifest and the worker files this
   host can see): 0 found, 1 none, -1 with a message. A damaged one is
   passed over, with a warning, for the one before it; one of another job
   is an error. Free what latest filled with zp_manifest_free. */
int zp_manifest_write (const char *dir, const zp_manifest_t *m, char *err, size_t errlen);
int zp_manifest_latest (const char *dir, uint64_t fingerprint, zp_manifest_t *m, char *err,
                        size_t errlen);
/* The newest manifest in `dir` whatever its fingerprint: the same returns. */
int zp_manifest_newest (const char *dir, zp_manifest_t *m, char *err, size_t errlen);
void zp_manifest_free (zp_manifest_t *m);

#endif
