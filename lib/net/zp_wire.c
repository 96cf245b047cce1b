/*  zp_wire: frames on sockets, with zero-copy hand-off for large ones. */
#include "zp_wire.h"
#include "zp_log.h"
#include "zp_endpoint.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void s_free (void *data, void *hint)
{
    (void) hint;
    free (data);
}

static int s_send_identity (void *handle, const zmq_msg_t *identity, int flags)
{
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    if (zmq_msg_copy (&copy, (zmq_msg_t *) identity) != 0) {
        zmq_msg_close (&copy);
        return -1;
    }
    if (zmq_msg_send (&copy, handle, flags | ZMQ_SNDMORE) < 0) {
        zmq_msg_close (&copy);
        return -1;
    }
    return 0;
}

int zp_wire_send_raw (zsock_t *sock, const zmq_msg_t *identity, const void *data, size_t size,
                      bool dontwait)
{
    void *handle = zsock_resolve (sock);
    int flags = dontwait ? ZMQ_DONTWAIT : 0;
    if (identity && s_send_identity (handle, identity, flags) != 0)
        return -1;
    return zmq_send (handle, data, size, flags) < 0 ? -1 : 0;
}

int zp_wire_send (zsock_t *sock, const zmq_msg_t *identity, zp_cbor_writer_t *w, bool dontwait)
{
    if (w->failed) {
        errno = ENOMEM;
        return -1;
    }
    if (w->size < ZP_WIRE_ZEROCOPY_BYTES)
        return zp_wire_send_raw (sock, identity, w->data, w->size, dontwait);
    void *handle = zsock_resolve (sock);
    int flags = dontwait ? ZMQ_DONTWAIT : 0;
    /* A ROUTER takes the identity part and the data part together or not at
       all (with DONTWAIT the first part already decides), so giving away the
       buffer after a successful identity send is safe. */
    if (identity && s_send_identity (handle, identity, flags) != 0)
        return -1;
    size_t size;
    uint8_t *data = zp_cbor_writer_take (w, &size);
    zmq_msg_t msg;
    if (zmq_msg_init_data (&msg, data, size, s_free, NULL) != 0) {
        free (data);
        return -1;
    }
    if (zmq_msg_send (&msg, handle, flags) < 0) {
        int saved = errno;
        zmq_msg_close (&msg); /* frees data */
        errno = saved;
        return -1;
    }
    return 0;
}

zmq_msg_t *zp_wire_keep (zp_cbor_writer_t *w)
{
    zmq_msg_t *kept = w->failed ? NULL : malloc (sizeof *kept);
    if (!kept) {
        errno = ENOMEM;
        return NULL;
    }
    if (w->size < ZP_WIRE_ZEROCOPY_BYTES) {
        if (zmq_msg_init_size (kept, w->size) != 0) {
            free (kept);
            return NULL;
        }
        memcpy (zmq_msg_data (kept), w->data, w->size);
        zp_cbor_writer_reset (w);
        return kept;
    }
    size_t size;
    uint8_t *data = zp_cbor_writer_take (w, &size);
    if (zmq_msg_init_data (kept, data, size, s_free, NULL) != 0) {
        free (data);
        free (kept);
        return NULL;
    }
    return kept;
}

void zp_wire_kept_free (zmq_msg_t **kept)
{
    if (*kept)
        zmq_msg_close (*kept);
    free (*kept);
    *kept = NULL;
}

int zp_wire_send_kept (zsock_t *sock, zmq_msg_t *kept, bool dontwait)
{
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    if (zmq_msg_copy (&copy, kept) != 0 ||
        zmq_msg_send (&copy, zsock_resolve (sock), dontwait ? ZMQ_DONTWAIT : 0) < 0) {
        int saved = errno;
        zmq_msg_close (&copy);
        errno = saved;
        return -1;
    }
    return 0;
}

static void s_drain (void *handle)
{
    int more = 1;
    size_t len = sizeof more;
    while (zmq_getsockopt (handle, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        zmq_msg_recv (&part, handle, 0);
        zmq_msg_close (&part);
    }
}

static int s_more (void *handle)
{
    int more = 0;
    size_t len = sizeof more;
    zmq_getsockopt (handle, ZMQ_RCVMORE, &more, &len);
    return more;
}

int zp_wire_recv (zsock_t *sock, bool routed, zp_wire_msg_t *msg)
{
    void *handle = zsock_resolve (sock);
    msg->routed = routed;
    zmq_msg_init (&msg->identity);
    zmq_msg_init (&msg->data);
    if (routed) {
        if (zmq_msg_recv (&msg->identity, handle, 0) < 0)
            goto fail;
        if (!s_more (handle)) {
            errno = EPROTO;
            goto fail;
        }
    }
    if (zmq_msg_recv (&msg->data, handle, 0) < 0)
        goto fail;
    if (s_more (handle)) {
        s_drain (handle);
        errno = EPROTO;
        goto fail;
    }
    return 0;
fail:;
    int saved = errno;
    if (saved == EPROTO && routed)
        return -1; /* kept: the caller names the peer (zp_wire_peer_text) */
    zp_wire_close (msg);
    zmq_msg_init (&msg->identity);
    zmq_msg_init (&msg->data);
    errno = saved;
    return -1;
}

void zp_wire_peer_text (zp_wire_msg_t *msg, char *buf, size_t len)
{
    char identity[96];
    zp_wire_identity_text (&msg->identity, identity, sizeof identity);
    /* The address of the connection the frame came in on, not what the
       peer says it is: libzmq knows it for tcp and ipc. */
    const char *address = zmq_msg_gets (&msg->data, "Peer-Address");
    if (!address)
        address = zmq_msg_gets (&msg->identity, "Peer-Address");
    snprintf (buf, len, "%s (%s)", identity[0] ? identity : "(no identity)",
              address ? address : "in-process");
}

const char *zp_wire_user (zp_wire_msg_t *msg)
{
    const char *user = zmq_msg_gets (&msg->data, "User-Id");
    if (!user && msg->routed)
        user = zmq_msg_gets (&msg->identity, "User-Id");
    return user && *user ? user : NULL;
}

void zp_wire_close (zp_wire_msg_t *msg)
{
    zmq_msg_close (&msg->identity);
    zmq_msg_close (&msg->data);
}

void zp_wire_identity_text (const zmq_msg_t *identity, char *buf, size_t len)
{
    const unsigned char *p = zmq_msg_data ((zmq_msg_t *) identity);
    size_t n = zmq_msg_size ((zmq_msg_t *) identity);
    bool printable = n > 0;
    for (size_t i = 0; i < n; i++)
        printable = printable && isprint (p[i]);
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && at + 3 < len; i++) {
        if (printable)
            buf[at++] = (char) p[i];
        else
            at += (size_t) snprintf (buf + at, len - at, "%02x", p[i]);
    }
    buf[at < len ? at : len - 1] = 0;
}

int zp_wire_bind (zsock_t *sock, const char *endpoint, int wait_ms)
{
    char bindable[300];
    if (zp_endpoint_is_tcp (endpoint)) {
        /* ZeroMQ binds to addresses: a host name is resolved first. */
        zp_endpoint_t ep;
        char err[512];
        bool ipv6 = false;
        if (zp_endpoint_parse (endpoint, &ep, err, sizeof err) != 0 ||
            zp_endpoint_bindable (&ep, bindable, sizeof bindable, &ipv6, err, sizeof err) != 0) {
            zp_log_error ("%s: %s", endpoint, err);
            errno = EINVAL;
            return -1;
        }
        if (ipv6)
            zsock_set_ipv6 (sock, 1);
        endpoint = bindable;
    }
    int64_t give_up = zclock_mono () + wait_ms;
    while (zsock_bind (sock, "%s", endpoint) < 0) {
        if (zmq_errno () != EADDRINUSE || zclock_mono () >= give_up)
            return -1;
        zclock_sleep (100);
    }
    return 0;
}

int zp_wire_link_hwm (size_t batch_bytes)
{
    size_t n = batch_bytes ? ZP_WIRE_LINK_BYTES / batch_bytes : 1000;
    return n < 4 ? 4 : n > 1000 ? 1000 : (int) n;
}

int zp_wire_data_identity (char *buf, size_t len, char role, uint32_t index, uint64_t job)
{
    return snprintf (buf, len, "%c%u.%016" PRIx64, role, index, job);
}

bool zp_wire_data_identity_job (const zmq_msg_t *identity, uint64_t *job)
{
    const char *p = zmq_msg_data ((zmq_msg_t *) identity);
    size_t n = zmq_msg_size ((zmq_msg_t *) identity), at = 1;
    if (n < 1 + 1 + 1 + 16 || (p[0] != 'w' && p[0] != 'r'))
        return false;
    while (at < n && at <= 10 && isdigit ((unsigned char) p[at]))
        at++;
    if (at == 1 || at >= n || p[at] != '.' || n - at - 1 != 16)
        return false;
    uint64_t v = 0;
    for (size_t i = at + 1; i < n; i++) {
        int c = (unsigned char) p[i];
        if (!isxdigit (c) || isupper (c))
            return false;
        v = v << 4 | (uint64_t) (isdigit (c) ? c - '0' : c - 'a' + 10);
    }
    *job = v;
    return true;
}

bool zp_wire_is_data_identity (const zmq_msg_t *identity, char role, uint32_t index, uint64_t job)
{
    char want[48];
    int len = zp_wire_data_identity (want, sizeof want, role, index, job);
    return zmq_msg_size ((zmq_msg_t *) identity) == (size_t) len &&
           memcmp (zmq_msg_data ((zmq_msg_t *) identity), want, (size_t) len) == 0;
}
