/*  zp_link: one data link, from a worker or a router to a node it sends
    batches to (internal: lib/node/, used by nodes/ and router/).

    A link is a DEALER connected to the receiver's data ROUTER under the
    sender's data identity (zp_wire_data_identity), with CURVE when the job
    has it. Both kinds of sender open their links here, so that what a link
    is never differs between them:
    - its send queue holds at most zp_wire_link_hwm (batch_bytes) batches:
      a slow receiver makes its sender wait, never hold without bound;
    - batches on it are compressed as the job's compress mode says: `on`
      always, `off` never, `auto` on tcp links that leave this host (not to
      127.*, localhost or [::1]), where the network and not the CPU is the
      bottleneck;
    - it is lossless only when it is in-process and goes to the receiver
      itself: what is sent there arrives. A link to a router is never
      lossless, whatever its transport: a router is a hop that may drop a
      batch it cannot pass on, so the sender keeps it until the receiver's
      ACK comes back, and sends it again.
*/
#ifndef ZP_LINK_H
#define ZP_LINK_H

#include "zp_compress.h"
#include "zp_control.h"
#include "zpregel/zp_config.h"
#include "zpregel/zp_security.h"

#include <czmq.h>
#include <stdbool.h>

typedef struct {
    zsock_t *sock;
    zp_compress_t *z; /* NULL: batches go uncompressed */
    bool lossless;    /* in-process, to the receiver itself: what is sent arrives */
} zp_link_t;

/* Whether batches to `endpoint` are compressed under `mode`. */
bool zp_link_compresses (zp_compress_mode_t mode, const char *endpoint);

/* Connects `link` (zeroed) to `endpoint` as `identity`; `to_router`: the
   receiver is a router. 0, or -1 with a message (the link is then closed). */
int zp_link_open (zp_link_t *link, const char *endpoint, const char *identity, bool to_router,
                  const zp_settings_t *settings, const zp_security_t *security, char *err,
                  size_t errlen);

/* Closes the socket and frees the compressor; NULL-safe, idempotent. */
void zp_link_close (zp_link_t *link);

#endif
