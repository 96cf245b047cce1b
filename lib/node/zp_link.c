/*  zp_link: see zp_link.h. */
#include "zp_link.h"
#include "zp_batch.h"
#include "zp_security_internal.h"
#include "zp_wire.h"

#include <string.h>

/* Whether a tcp endpoint stays on this host. */
static bool s_local (const char *endpoint)
{
    const char *host = endpoint + strlen ("tcp://");
    return strncmp (host, "127.", 4) == 0 || strncmp (host, "localhost:", 10) == 0 ||
           strncmp (host, "[::1]", 5) == 0;
}

bool zp_link_compresses (zp_compress_mode_t mode, const char *endpoint)
{
    if (mode != ZP_COMPRESS_AUTO)
        return mode == ZP_COMPRESS_ON;
    return strncmp (endpoint, "tcp://", 6) == 0 && !s_local (endpoint);
}

int zp_link_open (zp_link_t *link, const char *endpoint, const char *identity, bool to_router,
                  const zp_settings_t *settings, const zp_security_t *security, char *err,
                  size_t errlen)
{
    link->sock = zsock_new (ZMQ_DEALER);
    if (!link->sock) {
        snprintf (err, errlen, "cannot create a socket");
        return -1;
    }
    zsock_set_identity (link->sock, identity);
    zsock_set_sndhwm (link->sock, zp_wire_link_hwm (settings->batch_bytes));
    zp_security_client (security, link->sock);
    if (zsock_connect (link->sock, "%s", endpoint) != 0) {
        snprintf (err, errlen, "cannot connect to %.400s", endpoint);
        zp_link_close (link);
        return -1;
    }
    link->lossless = strncmp (endpoint, "inproc://", 9) == 0 && !to_router;
    if (zp_link_compresses ((zp_compress_mode_t) settings->compress, endpoint) &&
        !(link->z = zp_compress_new ((int) settings->compress_level,
                                     zp_batch_max_plain (settings->batch_bytes)))) {
        snprintf (err, errlen, "out of memory");
        zp_link_close (link);
        return -1;
    }
    return 0;
}

void zp_link_close (zp_link_t *link)
{
    zsock_destroy (&link->sock);
    zp_compress_destroy (&link->z);
}
