/*  zp_node: sockets, HELLO and ordered broadcasts for workers and routers. */
#include "zp_node.h"
#include "zp_log.h"
#include "zp_security_internal.h"
#include "zp_endpoint.h"
#include "zp_grow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

void zp_node_log (zp_node_t *node, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    zp_log_error ("%s %s: %s", node->kind, node->name, msg);
}

void zp_node_reject (zp_node_t *node, zp_wire_msg_t *msg, const char *what, const char *why)
{
    uint64_t more;
    if (!zp_ratelog_allow (&node->rejections, &more))
        return;
    char peer[256];
    zp_wire_peer_text (msg, peer, sizeof peer);
    if (more)
        zp_node_log (node, "dropped %s from %s: %s (and %" PRIu64 " more bad frames not logged)",
                     what, peer, why, more);
    else
        zp_node_log (node, "dropped %s from %s: %s", what, peer, why);
}

bool zp_node_foreign (zp_node_t *node, zp_wire_msg_t *msg, uint64_t job)
{
    uint64_t theirs, more;
    if (!zp_wire_data_identity_job (&msg->identity, &theirs) || theirs == job)
        return false;
    if (zp_ratelog_allow (&node->strays, &more)) {
        char peer[256];
        zp_wire_peer_text (msg, peer, sizeof peer);
        zp_log_info ("%s %s: ignored a frame from %s, a node of job %016" PRIx64
                     " (this is job %016" PRIx64 "): a node of an ended job sending to "
                     "a port this job now has%s",
                     node->kind, node->name, peer, theirs, job,
                     more ? " (and more such frames not logged)" : "");
    }
    return true;
}

void zp_node_report_suppressed (zp_node_t *node, bool now)
{
    uint64_t more = zp_ratelog_unreported (&node->rejections, now);
    if (more)
        zp_node_log (node, "%" PRIu64 " more bad frames not logged", more);
    more = zp_ratelog_unreported (&node->strays, now);
    if (more)
        zp_log_info ("%s %s: %" PRIu64 " more frames from nodes of other jobs not logged",
                     node->kind, node->name, more);
}

/* How long an ACK may wait for room. */
#define S_ACK_TIMEOUT_MS 1000
/* How long a send to the master may wait for room. */
#define S_SEND_TIMEOUT_MS 2000
/* How long a node waits for its ASSIGN (or ROUTE) when its args say nothing. */
#define S_JOIN_TIMEOUT_MS 30000
/* A master that is heard but sends no ASSIGN: given this many join_ms
   (zp_node_join_expired). */
#define S_JOIN_SPAN 3

int zp_node_open (zp_node_t *node, const char *kind, const zp_node_args_t *args)
{
    memset (node, 0, sizeof *node);
    node->kind = kind;
    node->name = args->name;
    node->security = args->security;
    zp_cbor_writer_init (&node->w, 1 << 16);
    node->sequencer = zp_sequencer_new (false);
    node->bcast = zsock_new (ZMQ_SUB);
    node->data = zsock_new (ZMQ_ROUTER);
    node->control = zsock_new (ZMQ_DEALER);
    if (!node->sequencer || !node->bcast || !node->data || !node->control) {
        zp_node_log (node, "cannot create its sockets");
        return -1;
    }
    zp_security_client (node->security, node->bcast);
    zsock_set_subscribe (node->bcast, "");
    if (zsock_connect (node->bcast, "%s", args->broadcast) != 0) {
        zp_node_log (node, "cannot connect to %s", args->broadcast);
        return -1;
    }
    zp_security_server (node->security, node->data);
    zp_security_client (node->security, node->control);
    const char *const *data = args->data;
    const char *control = args->control;
    zsock_set_router_mandatory (node->data, 1);
    /* What a node sends on its data socket is ACKs. A sender that stops
       reading them (stopped, dying) must not stop the node: after this
       long the ACK is dropped, and the sender's retry asks for it again. */
    zsock_set_sndtimeo (node->data, S_ACK_TIMEOUT_MS);
    for (int i = 0; i < 2; i++) {
        if (!data[i])
            continue;
        if (zp_wire_bind (node->data, data[i], 3000) != 0) {
            zp_node_log (node, "cannot bind its data socket to %s: %s", data[i],
                         zmq_strerror (zmq_errno ()));
            return -1;
        }
        char *bound = zsock_last_endpoint (node->data);
        zp_endpoint_t ep;
        char why[512];
        if (bound && zp_endpoint_is_tcp (bound) && args->advertise &&
            zp_endpoint_parse (args->advertise, &ep, why, sizeof why) == 0) {
            /* Peers reach it elsewhere (NAT, a container): at the advertised
               host, and port if it has one, else the port bound. */
            char advertised[300];
            zp_endpoint_format (&ep, zp_endpoint_port_of (bound), advertised, sizeof advertised);
            zstr_free (&bound);
            bound = strdup (advertised);
        }
        node->endpoints[node->n_endpoints++] = bound;
    }
    zsock_set_identity (node->control, node->name);
    /* Final frames (RESULT, RSTATS) must not be dropped when the socket closes. */
    zsock_set_linger (node->control, 2000);
    /* A send to a master that is gone (an inproc master that failed and
       closed its socket leaves no peer at all) must not block the node
       for ever: it would never read $TERM from its owner. */
    zsock_set_sndtimeo (node->control, S_SEND_TIMEOUT_MS);
    if (zsock_connect (node->control, "%s", control) != 0) {
        zp_node_log (node, "cannot connect to %s", control);
        return -1;
    }
    return 0;
}

struct zp_node_held_s {
    zp_wire_msg_t msg;
    bool broadcast;
};

void zp_node_close (zp_node_t *node, bool lost)
{
    zp_node_report_suppressed (node, true);
    for (size_t i = node->head_held; i < node->n_held; i++)
        zp_wire_close (&node->held[i].msg);
    free (node->held);
    node->held = NULL;
    node->head_held = node->n_held = node->cap_held = 0;
    /* The control socket lingers to deliver final frames (RESULT, FAIL);
       lingering after a lost job, it would reconnect to the next master
       under this node's identity and take it from the node's next session. */
    if (lost && node->control)
        zsock_set_linger (node->control, 0);
    for (size_t i = 0; i < node->n_endpoints; i++)
        zstr_free (&node->endpoints[i]);
    zp_sequencer_destroy (&node->sequencer);
    zsock_destroy (&node->control);
    zsock_destroy (&node->bcast);
    zsock_destroy (&node->data);
    zp_cbor_writer_free (&node->w);
    free (node->keys);
    node->keys = NULL;
    node->n_keys = 0;
}

void zp_node_job_failed (zp_node_t *node, const char *reason, size_t len)
{
    if (node->told_failure)
        return;
    node->told_failure = true;
    zp_node_log (node, "the job failed: %.*s", (int) len, reason && len ? reason : "(no reason)");
}

int zp_node_set_keys (zp_node_t *node, const uint8_t *keys, size_t n_nodes)
{
    free (node->keys);
    node->keys = NULL;
    node->n_keys = 0;
    if (!keys)
        return 0;
    if (!(node->keys = malloc (n_nodes * ZP_KEY_TEXT + 1)))
        return -1;
    memcpy (node->keys, keys, n_nodes * ZP_KEY_TEXT);
    node->n_keys = n_nodes;
    return 0;
}

bool zp_node_has_key (const zp_node_t *node, zp_wire_msg_t *msg, uint32_t index)
{
    if (!node->keys)
        return true;
    const char *user = zp_wire_user (msg);
    if (!user)
        return true; /* in-process */
    return index < node->n_keys && strlen (user) == ZP_KEY_TEXT &&
           memcmp (user, node->keys + (size_t) index * ZP_KEY_TEXT, ZP_KEY_TEXT) == 0;
}

int zp_node_send (zp_node_t *node)
{
    if (zp_wire_send (node->control, NULL, &node->w, false) != 0) {
        zp_node_log (node, "cannot send to the master: %s", zmq_strerror (errno));
        return -1;
    }
    return 0;
}

void zp_node_hello (zp_node_t *node, zp_role_t role, const char *locality)
{
    node->role = role;
    node->locality = locality;
    node->hello_at = zclock_mono ();
    zp_hello_t hello = {
        .role = role, .name = node->name, .n_endpoints = node->n_endpoints, .locality = locality};
    for (size_t i = 0; i < node->n_endpoints; i++)
        hello.endpoints[i] = node->endpoints[i];
    if (zp_hello_encode (&hello, &node->w) == 0)
        zp_node_send (node);
}

void zp_node_hello_again (zp_node_t *node)
{
    if (zclock_mono () - node->hello_at >= 1000)
        zp_node_hello (node, node->role, node->locality);
}

static const char *s_file_name (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash ? slash + 1 : path;
}

const zp_program_t *zp_node_load_program (zp_node_t *node, const char *asked, size_t len, char *err,
                                          size_t errlen)
{
    char name[256];
    if (len >= sizeof name || memchr (asked, 0, len)) {
        snprintf (err, errlen, "the master names a program of %zu bytes: refused", len);
        return NULL;
    }
    memcpy (name, asked, len);
    name[len] = 0;
    if (!node->program)
        return zp_program_load (name, err, errlen);
    bool asked_path = strchr (name, '/') != NULL, own_path = strchr (node->program, '/') != NULL;
    if (asked_path != own_path ||
        strcmp (asked_path ? s_file_name (name) : name,
                own_path ? s_file_name (node->program) : node->program) != 0) {
        snprintf (err, errlen,
                  "the master asks for program \"%s\", but this node's job file names \"%s\": "
                  "refused (a node loads only the program its own job file names)",
                  name, node->program);
        return NULL;
    }
    return zp_program_load (node->program, err, errlen);
}

void zp_node_ask_gaps (zp_node_t *node)
{
    zp_node_report_suppressed (node, false);
    uint64_t from, to;
    if (zp_sequencer_gap (node->sequencer, &from, &to)) {
        zp_replay_t r = {from, to};
        if (zp_replay_encode (&r, &node->w) == 0)
            zp_node_send (node);
    }
}

void zp_node_broadcast (zp_node_t *node, zp_wire_msg_t *msg, zp_broadcast_fn *handle, void *ctx)
{
    zp_broadcast_t b;
    int rc = zp_broadcast_decode (zp_wire_data (msg), zp_wire_size (msg), &b);
    if (rc != 0) {
        zp_node_log (node, "dropped a bad broadcast: %s", zp_frame_strerror (rc));
        zp_wire_close (msg);
        return;
    }
    zp_sequencer_offer (node->sequencer, msg, b.seq);
    zp_wire_msg_t next;
    while (zp_sequencer_next (node->sequencer, &next)) {
        if (zp_broadcast_decode (zp_wire_data (&next), zp_wire_size (&next), &b) == 0)
            handle (ctx, &b);
        zp_wire_close (&next);
    }
    zp_node_ask_gaps (node);
}

static uint32_t s_inject (const char *name)
{
    const char *text = getenv (name);
    unsigned long n = text ? strtoul (text, NULL, 10) : 0;
    return n >= 2 && n <= UINT32_MAX ? (uint32_t) n : 0;
}

uint32_t zp_node_inject_faults (void)
{
    return s_inject ("ZPREGEL_INJECT_FAULTS");
}

uint32_t zp_node_inject_loss (void)
{
    return s_inject ("ZPREGEL_INJECT_LOSS");
}

uint32_t zp_node_inject_late_begin (void)
{
    return s_inject ("ZPREGEL_INJECT_LATE_BEGIN");
}

uint32_t zp_node_inject_master_stall (void)
{
    return s_inject ("ZPREGEL_INJECT_MASTER_STALL");
}

void zp_node_report_exit (zsock_t *pipe, bool report, bool failed, bool lost)
{
    if (report)
        zstr_send (pipe, lost ? "LOST" : failed ? "FAILED" : "OK");
}

int zp_node_start (zp_node_t *node, zsock_t *pipe, const char *kind, zp_role_t role,
                   const zp_node_args_t *args)
{
    if (zp_node_open (node, kind, args) != 0) {
        zsock_signal (pipe, 1);
        return -1;
    }
    zsock_signal (pipe, 0);
    zp_node_hello (node, role, args->locality);
    node->master = args->control;
    node->program = args->program;
    node->heard = zclock_mono ();
    node->join_ms = args->join_timeout_ms ? args->join_timeout_ms : S_JOIN_TIMEOUT_MS;
    node->join_deadline = node->heard + (int64_t) S_JOIN_SPAN * node->join_ms;
    return 0;
}

bool zp_node_told_to_end (zsock_t *pipe)
{
    char *cmd = zstr_recv (pipe);
    bool end = !cmd || streq (cmd, "$TERM");
    zstr_free (&cmd);
    return end;
}

/* Whether a frame from the master waits on `sock`. */
static bool s_waiting (zsock_t *sock)
{
    return sock && (zsock_events (sock) & ZMQ_POLLIN);
}

void zp_node_hold (zp_node_t *node)
{
    zsock_t *socks[2] = {node->control, node->bcast};
    for (int k = 0; k < 2; k++)
        while (s_waiting (socks[k])) {
            struct zp_node_held_s *held =
                zp_grow (node->held, &node->cap_held, node->n_held, sizeof *held, 16);
            if (!held)
                return; /* left on the socket: the main loop reads it later */
            node->held = held;
            if (zp_wire_recv (socks[k], false, &held[node->n_held].msg) != 0)
                continue; /* a malformed frame, drained */
            held[node->n_held++].broadcast = k == 1;
            node->heard = zclock_mono ();
        }
}

bool zp_node_take_held (zp_node_t *node, zp_wire_msg_t *msg, bool *broadcast)
{
    if (node->head_held == node->n_held) {
        node->head_held = node->n_held = 0;
        return false;
    }
    *msg = node->held[node->head_held].msg;
    *broadcast = node->held[node->head_held++].broadcast;
    return true;
}

bool zp_node_master_silent (zp_node_t *node, uint32_t heartbeat_ms, uint32_t liveness)
{
    if (node->head_held < node->n_held || s_waiting (node->control) || s_waiting (node->bcast))
        node->heard = zclock_mono ();
    int64_t silent = zclock_mono () - node->heard;
    if (silent <= (int64_t) heartbeat_ms * liveness)
        return false;
    zp_log_error ("%s %s: the master at %s is silent for %.1fs", node->kind, node->name,
                  node->master, (double) silent / 1000);
    return true;
}

bool zp_node_join_expired (zp_node_t *node, const char *what)
{
    int64_t now = zclock_mono (), silent = now - node->heard;
    if (silent > node->join_ms) {
        zp_log_error ("%s %s: no %s from the master at %s, silent for %.1fs", node->kind,
                      node->name, what, node->master, (double) silent / 1000);
        return true;
    }
    if (now > node->join_deadline) {
        zp_log_error ("%s %s: no %s from the master at %s within %.1fs, though it is alive",
                      node->kind, node->name, what, node->master,
                      S_JOIN_SPAN * node->join_ms / 1000.0);
        return true;
    }
    return false;
}
