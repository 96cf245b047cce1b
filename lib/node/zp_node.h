/*  zp_node: what a worker and a router share (internal: lib/node/, used by
    nodes/ and router/).

    A node has a SUB to the master's broadcast (subscribed before anything
    else, so no broadcast after its HELLO is missed), a ROUTER for data bound
    on each of its endpoints, and a DEALER to the master's control socket
    with the node's name as identity. Broadcasts pass through a sequencer:
    zp_node_broadcast hands them to the node strictly in order and asks the
    master (REPLAY) for any gap.
*/
#ifndef ZP_NODE_H
#define ZP_NODE_H

#include "zp_cbor.h"
#include "zp_control.h"
#include "zp_node_args.h"
#include "zpregel/zp_program.h"
#include "zpregel/zp_security.h"
#include "zp_sequencer.h"
#include "zp_wire.h"
#include "zp_ratelog.h"

#include <czmq.h>

typedef struct {
    const char *kind; /* "worker" or "router", for logs */
    const char *name;
    zsock_t *control, *bcast, *data;
    zp_sequencer_t *sequencer;
    size_t n_endpoints;
    char *endpoints[2];            /* as bound: an ephemeral port is resolved */
    zp_cbor_writer_t w;            /* control frames */
    const zp_security_t *security; /* CURVE for these and the node's other sockets, or NULL */
    const char *master;            /* the master's control endpoint, for logs */
    const char *program;           /* the program the node may load, or NULL (zp_node_args_t) */
    int64_t heard;                 /* when the master was last heard from */
    uint32_t join_ms;      /* the master silent this long before ASSIGN (or ROUTE): give up */
    int64_t join_deadline; /* no ASSIGN by then, the master heard or not: give up */
    zp_role_t role;        /* as said in HELLO */
    const char *locality;
    int64_t hello_at; /* when HELLO was last sent */
    /* Frames read from control and broadcast while the node was busy
       (computing), in arrival order, for the main loop to handle after. */
    struct zp_node_held_s *held;
    size_t head_held, n_held, cap_held; /* held[head_held..n_held) are waiting */
    zp_ratelog_t rejections;            /* frames dropped from peers, for the log */
    zp_ratelog_t strays;                /* frames from nodes of other jobs, for the log */
    bool told_failure;                  /* "the job failed: ..." was logged */
    uint8_t *keys; /* CURVE: the key of every node (ZP_KEY_TEXT each), or NULL */
    size_t n_keys;
} zp_node_t;

/* Creates the sockets (see above) for `args` (data[i] may be NULL). 0, or
   -1 (logged). */
int zp_node_open (zp_node_t *node, const char *kind, const zp_node_args_t *args);
/* Closes the sockets. After a lost job (`lost`) nothing still queued for
   the master is delivered: a master restarted on the same endpoint must not
   get the old session's frames, nor its identity. */
void zp_node_close (zp_node_t *node, bool lost);

/* The start of a node actor: opens the sockets for `args`, answers
   zactor_new (0, or 1 when they cannot be opened), says HELLO as `role`
   and starts the join deadline. 0, or -1: the actor then cleans up,
   reports its exit and ends. */
int zp_node_start (zp_node_t *node, zsock_t *pipe, const char *kind, zp_role_t role,
                   const zp_node_args_t *args);

/* Whether the owner asked the actor to end: reads a command from `pipe`. */
bool zp_node_told_to_end (zsock_t *pipe);
/* Whether the master has said nothing for `liveness` heartbeats of
   `heartbeat_ms` (logged): the job is then lost to this node. Silence is
   judged only on drained input: a frame from the master still waiting on
   the control or broadcast socket, or held, is news from it, however long
   the node was busy before it looked. */
bool zp_node_master_silent (zp_node_t *node, uint32_t heartbeat_ms, uint32_t liveness);

/* While the node is busy (a long compute): reads every frame waiting on
   control and broadcast, notes that the master was heard, and holds the
   frames. Cheap when nothing waits. So the node's own busy loop never
   looks like the master's death, and the SUB queue never overflows. */
void zp_node_hold (zp_node_t *node);
/* Takes the oldest held frame (the caller owns `msg`); false if none.
   `*broadcast` says which socket it came from. */
bool zp_node_take_held (zp_node_t *node, zp_wire_msg_t *msg, bool *broadcast);
/* Whether to give up waiting for `what` (ASSIGN or ROUTE), logged: the
   master was silent for join_ms (dead, or never started), or it lives but
   sent nothing for 3 x join_ms. A master that lives decides: it fails the
   job after its own join_timeout and says so (BYE with the reason), so a
   node that started before it, or got less CPU, does not end first with
   a vaguer message. */
bool zp_node_join_expired (zp_node_t *node, const char *what);

/* The program the master's ASSIGN or ROUTE names (`asked`, `len` bytes):
   with node->program set, that program, loaded from the node's own job
   file, if `asked` is the same program (the same built-in name, or a path
   with the same file name: hosts may keep plugins in other directories);
   otherwise refused before anything is loaded. NULL with a message. */
const zp_program_t *zp_node_load_program (zp_node_t *node, const char *asked, size_t len, char *err,
                                          size_t errlen);

/* Logs, once, why the master says the job failed (TERMINATE or BYE). */
void zp_node_job_failed (zp_node_t *node, const char *reason, size_t len);
/* Keeps the node keys of an ASSIGN or ROUTE (NULL: no CURVE). 0, or -1
   out of memory. */
int zp_node_set_keys (zp_node_t *node, const uint8_t *keys, size_t n_nodes);
/* Whether a data frame came with the key of node `index` (workers, then
   routers): always when the job has no keys or the frame came in-process,
   where no one else can send. */
bool zp_node_has_key (const zp_node_t *node, zp_wire_msg_t *msg, uint32_t index);
/* Says HELLO with the bound endpoints and where the node runs. */
void zp_node_hello (zp_node_t *node, zp_role_t role, const char *locality);
/* Says HELLO again if the last one is a second old: call it while waiting
   for ASSIGN (or ROUTE). A HELLO may reach a master that is ending (after
   a recovery, the old master still accepts connections until its owner
   destroys it) and be lost there; the master takes a repeat from a node
   that joined for what it is. */
void zp_node_hello_again (zp_node_t *node);
/* Sends what node->w holds to the master; -1 (logged) on failure. */
int zp_node_send (zp_node_t *node);
/* Logs "<kind> <name>: ..." as an error. */
void zp_node_log (zp_node_t *node, const char *fmt, ...);
/* Logs "<kind> <name>: dropped <what> from <peer>: <why>", the peer
   named by its identity and its connection's address, at most
   ZP_RATELOG_BURST lines a second (then how many more were dropped). */
void zp_node_reject (zp_node_t *node, zp_wire_msg_t *msg, const char *what, const char *why);
/* Whether `msg` comes from a node of another job than `job` (its data
   identity says so): a node left over from an earlier job whose peer's
   port this job's node now has (an ephemeral port is soon handed out
   again) goes on sending to it until its own job gives up. Such a frame
   is not this job's fault, nor an attack on it (it could not pass for
   one of this job's nodes): it is dropped, and said at the info level,
   rated as rejections are. */
bool zp_node_foreign (zp_node_t *node, zp_wire_msg_t *msg, uint64_t job);
/* Logs how many rejections were not, once their second is over (or at
   once with `now`), so that a flood that ended is still counted.
   zp_node_ask_gaps (the idle tick) and zp_node_close call it. */
void zp_node_report_suppressed (zp_node_t *node, bool now);

typedef void (zp_broadcast_fn) (void *ctx, const zp_broadcast_t *b);
/* Takes a broadcast frame from the SUB or replayed over control (it owns
   `msg` now), calls `handle` for every broadcast that is now in order, and
   asks for a gap if there is one. */
void zp_node_broadcast (zp_node_t *node, zp_wire_msg_t *msg, zp_broadcast_fn *handle, void *ctx);
/* Asks again for a gap that persists, and reports suppressed rejections
   (call it now and then). */
void zp_node_ask_gaps (zp_node_t *node);

/* ZPREGEL_INJECT_FAULTS=N from the environment, a test hook: N >= 2, or 0
   (off). What a node does with it is its own (zp_worker.c, zp_router.c). */
uint32_t zp_node_inject_faults (void);
/* ZPREGEL_INJECT_LOSS=N, the same way: a router that loses messages. */
uint32_t zp_node_inject_loss (void);
/* ZPREGEL_INJECT_LATE_BEGIN=MS, the same way: a router that reads no
   broadcast for MS ms after its READY, so that workers begin superstep 0
   and send to it before it has seen that superstep begin. */
uint32_t zp_node_inject_late_begin (void);
/* ZPREGEL_INJECT_MASTER_STALL=MS, the same way: the master's main loop
   does nothing for MS ms once it has published superstep 2's BEGIN, as a
   master busy with a flood or starved of CPU would. */
uint32_t zp_node_inject_master_stall (void);

/* The end of an actor that reports its exit on its pipe: "OK", "FAILED",
   or "LOST" when the job was lost to it (the master went silent, or ended
   the job because a node was lost) and it may register again. */
void zp_node_report_exit (zsock_t *pipe, bool report, bool failed, bool lost);

#endif
