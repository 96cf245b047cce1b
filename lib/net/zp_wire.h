/*  zp_wire: sending and receiving zpregel frames on czmq sockets.

    A frame is one ZeroMQ message part holding one CBOR item; on a ROUTER it is
    preceded by the peer's routing identity. Large frames are handed to
    libzmq without a copy (zmq_msg_init_data): the writer's buffer is given
    away and the writer starts empty.

    Receiving never trusts the peer: a message with the wrong number of parts
    is drained and reported as an error, not half-read.
*/
#ifndef ZP_WIRE_H
#define ZP_WIRE_H

#include "zp_cbor.h"

#include <czmq.h>
#include <stdbool.h>

/* Frames this large or larger are sent without copying. */
#define ZP_WIRE_ZEROCOPY_BYTES (64u << 10)

typedef struct {
    zmq_msg_t identity; /* ROUTER only */
    zmq_msg_t data;
    bool routed;
} zp_wire_msg_t;

/* Sends `w` on `sock`, preceded by `identity` (for a ROUTER) unless NULL.
   With `dontwait`, returns -1 and errno EAGAIN when the socket would block.
   Returns 0 on success, -1 on error (errno set). */
int zp_wire_send (zsock_t *sock, const zmq_msg_t *identity, zp_cbor_writer_t *w, bool dontwait);
int zp_wire_send_raw (zsock_t *sock, const zmq_msg_t *identity, const void *data, size_t size,
                      bool dontwait);

/* A frame kept to be sent, perhaps more than once (a batch on a link
   that can lose it, until it is ACKed): zp_wire_keep takes what `w`
   holds into a new kept frame, without a copy when it is large, and the
   writer starts empty (NULL, errno set, if it cannot). Each
   zp_wire_send_kept sends it as another reference to the same memory
   (zmq_msg_copy), not a copy of it, and the frame stays: 0, or -1 with
   errno set. zp_wire_kept_free lets it go (NULL is fine) and sets
   *kept to NULL. */
zmq_msg_t *zp_wire_keep (zp_cbor_writer_t *w);
int zp_wire_send_kept (zsock_t *sock, zmq_msg_t *kept, bool dontwait);
void zp_wire_kept_free (zmq_msg_t **kept);

/* Receives one frame (with its identity if `routed`). Returns 0, or -1 with
   errno EPROTO if the peer sent another number of parts (then drained;
   from a ROUTER, msg keeps the identity and the first part, so that the
   peer can be named). Closing msg after a -1 is always safe. */
int zp_wire_recv (zsock_t *sock, bool routed, zp_wire_msg_t *msg);
void zp_wire_close (zp_wire_msg_t *msg);

/* How many batches of `batch_bytes` a worker's data link queues before
   its sender waits for room: ZP_WIRE_LINK_BYTES of them, at least 4 and
   at most 1000. This bounds what a slow receiver makes a sender hold. */
#define ZP_WIRE_LINK_BYTES ((size_t) 64 << 20)
int zp_wire_link_hwm (size_t batch_bytes);

/* The routing identity of data links from node `index` (role 'w' worker,
   'r' router) in job `job`: "w3.1f2e...". Unique per job, so a peer left
   over from another job, reconnecting to a port that was reused, cannot
   take a live peer's identity. Returns the length. */
int zp_wire_data_identity (char *buf, size_t len, char role, uint32_t index, uint64_t job);
/* Whether `identity` (a received frame's) is that of node `index` of
   `role` in job `job`. A ROUTER gives an identity to one connection at a
   time, so a frame that claims a sender is bound to that sender's link. */
bool zp_wire_is_data_identity (const zmq_msg_t *identity, char role, uint32_t index, uint64_t job);
/* The job a data identity names, if `identity` has that form (any role
   and index): whether it does. */
bool zp_wire_data_identity_job (const zmq_msg_t *identity, uint64_t *job);

/* Binds `sock` to `endpoint`, waiting up to `wait_ms` while the address is
   still held (EADDRINUSE) by a socket that just closed and lingers. A tcp
   endpoint's host may be a name, resolved here (lib/net/zp_endpoint.h), and its
   port may be left to the system (tcp://HOST or tcp://HOST:*). 0, or -1
   with zmq_errno() set (a host that cannot be resolved is logged). */
int zp_wire_bind (zsock_t *sock, const char *endpoint, int wait_ms);

static inline const void *zp_wire_data (zp_wire_msg_t *msg)
{
    return zmq_msg_data (&msg->data);
}
static inline size_t zp_wire_size (zp_wire_msg_t *msg)
{
    return zmq_msg_size (&msg->data);
}

/* "IDENTITY (ADDRESS)": the peer of a received frame, for logs. ADDRESS is
   the connection's (ZeroMQ's Peer-Address: the peer cannot choose it), or
   "in-process". */
void zp_wire_peer_text (zp_wire_msg_t *msg, char *buf, size_t len);

/* The CURVE public key (Z85) of the connection a frame came in on:
   ZeroMQ's User-Id, set by the authenticator. NULL when the connection
   has none: an inproc one (it never left the process) or no CURVE. */
const char *zp_wire_user (zp_wire_msg_t *msg);

/* The routing identity as printable text (hex if not printable), for logs. */
void zp_wire_identity_text (const zmq_msg_t *identity, char *buf, size_t len);

#endif
