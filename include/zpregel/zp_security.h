/*  zp_security: CURVE on every tcp socket of a job (czmq zcert and zauth).

    With security.curve on, every socket that binds (the master's control
    and broadcast, the data sockets of workers and routers) is a CURVE
    server with the job's server certificate, and every socket that connects
    is a CURVE client with this process's client certificate and the
    server's public key. Servers accept only clients whose public
    certificate is in security.allowed (zauth): a peer without an allowed
    key gets nothing, not even the broadcast. inproc connections bypass
    ZeroMQ's security layer, as they never leave the process.

    Certificates are czmq's: `zpregel keygen PATH` writes PATH (public) and
    PATH_secret. A process that only connects (a watcher) needs the server
    certificate's public file alone; one that binds needs its secret file.

    Keys are bound to names. Each worker and router may be claimed only
    with its key: its `key:` certificate, or else security.client_cert.
    The master checks the key a node joins with (ZeroMQ's User-Id, which
    zauth sets to the client's public key) and hands every node the keys
    of its peers, which check every data frame against them. Any other
    allowed key may only watch: it can subscribe to the broadcast and ask
    for a replay, and nothing it sends elsewhere is taken.
*/
#ifndef ZP_SECURITY_H
#define ZP_SECURITY_H

#include "zp_config.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct zp_security_s zp_security_t;

/* CURVE for this process, as `cfg` says: 0 with *out NULL when
   security.curve is off; 0 with *out set; or -1 with a message naming the
   file that cannot be loaded. `binds`: this process binds sockets, so it
   needs the server certificate's secret key and security.allowed, and the
   process's authenticator is started (one per process, shared by every
   zp_security_t); a process that only connects needs neither. */
int zp_security_open (const zp_config_t *cfg, bool binds, zp_security_t **out, char *err,
                      size_t errlen);
void zp_security_destroy (zp_security_t **self_p);

/* Writes a new certificate to PATH (public) and PATH_secret. 0, or -1 with a message. */
int zp_security_keygen (const char *path, char *err, size_t errlen);

#endif
