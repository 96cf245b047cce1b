/*  zp_security_internal: CURVE on the sockets of the nodes and the keys
    bound to node names (zp_security.h); not installed.
*/
#ifndef ZP_SECURITY_INTERNAL_H
#define ZP_SECURITY_INTERNAL_H

#include "zpregel/zp_security.h"

#include <czmq.h>

/* Make `sock` a CURVE server, or client, before it binds, or connects.
   Both do nothing when `self` is NULL. */
void zp_security_server (const zp_security_t *self, zsock_t *sock);
void zp_security_client (const zp_security_t *self, zsock_t *sock);

/* Keys are Z85 text, ZP_KEY_TEXT characters (zp_control.h), as ZeroMQ's
   User-Id gives them. The key that may be node `name` (a worker's or router's name in the
   job file), or NULL when `self` is NULL or `name` is not a node. */
const char *zp_security_node_key (const zp_security_t *self, const char *name);
/* The key this process connects with: that of its in-process nodes. */
const char *zp_security_own_key (const zp_security_t *self);

#endif
