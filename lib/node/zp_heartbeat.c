/*  zp_heartbeat: see zp_heartbeat.h. */
#include "zp_actor.h"
#include "zp_heartbeat.h"
#include "zp_cbor.h"
#include "zp_control.h"
#include "zp_log.h"
#include "zp_node.h"
#include "zp_security_internal.h"
#include "zp_wire.h"

#include <czmq.h>
#include <stdatomic.h>

struct zp_heartbeat_s {
    zactor_t *actor;
    char *control;
    char *identity;
    const zp_security_t *security;
    uint32_t interval_ms;
    _Atomic uint32_t step;
    _Atomic uint64_t progress;
};

/* Sends one PING, never waiting for room. */
static void s_ping (zp_heartbeat_t *self, zsock_t *sock, zp_cbor_writer_t *w)
{
    zp_ping_t ping = {atomic_load_explicit (&self->step, memory_order_relaxed),
                      atomic_load_explicit (&self->progress, memory_order_relaxed)};
    if (zp_ping_encode (&ping, w) == 0)
        zp_wire_send (sock, NULL, w, true);
}

static void s_actor (zsock_t *pipe, void *args)
{
    zp_heartbeat_t *self = args;
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 64);
    if (sock) {
        zsock_set_identity (sock, self->identity);
        /* Only the newest PINGs matter: a few may wait for a connection. */
        zsock_set_sndhwm (sock, 4);
        zsock_set_linger (sock, 0);
        zp_security_client (self->security, sock);
    }
    bool ok = sock && zsock_connect (sock, "%s", self->control) == 0;
    if (!ok)
        zp_log_error ("%.*s: no heartbeat thread: cannot connect to %s",
                      (int) strcspn (self->identity, "\001"), self->identity, self->control);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    int64_t next = zclock_mono ();
    while (poller) {
        int64_t now = zclock_mono ();
        if (ok && now >= next) {
            s_ping (self, sock, &w);
            next = now + self->interval_ms;
        }
        zsock_t *which = zpoller_wait (poller, (int) (next - now > 0 ? next - now : 0));
        if (which == pipe ? zp_node_told_to_end (pipe) : !which && zpoller_terminated (poller))
            break;
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sock);
    zp_cbor_writer_free (&w);
}

zp_heartbeat_t *zp_heartbeat_new (const char *control, const char *name,
                                  const zp_security_t *security, uint32_t interval_ms)
{
    zp_heartbeat_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    size_t len = strlen (name);
    self->control = strdup (control);
    self->identity = malloc (len + sizeof ZP_HEARTBEAT_SUFFIX);
    self->security = security;
    self->interval_ms = interval_ms ? interval_ms : 1;
    if (self->identity) {
        memcpy (self->identity, name, len);
        memcpy (self->identity + len, ZP_HEARTBEAT_SUFFIX, sizeof ZP_HEARTBEAT_SUFFIX);
    }
    if (self->control && self->identity)
        self->actor = zp_actor_new (s_actor, self);
    if (!self->actor) {
        zp_heartbeat_destroy (&self);
        return NULL;
    }
    return self;
}

void zp_heartbeat_set (zp_heartbeat_t *self, uint32_t step, uint64_t progress)
{
    if (!self)
        return;
    atomic_store_explicit (&self->step, step, memory_order_relaxed);
    atomic_store_explicit (&self->progress, progress, memory_order_relaxed);
}

void zp_heartbeat_destroy (zp_heartbeat_t **self_p)
{
    zp_heartbeat_t *self = *self_p;
    if (!self)
        return;
    zp_actor_destroy (&self->actor);
    free (self->control);
    free (self->identity);
    free (self);
    *self_p = NULL;
}

bool zp_heartbeat_is_of (const void *identity, size_t len, const void *node, size_t node_len)
{
    size_t suffix = sizeof ZP_HEARTBEAT_SUFFIX - 1;
    return len == node_len + suffix && memcmp (identity, node, node_len) == 0 &&
           memcmp ((const char *) identity + node_len, ZP_HEARTBEAT_SUFFIX, suffix) == 0;
}
