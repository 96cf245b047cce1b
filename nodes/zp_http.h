/*  zp_http: master.http, the job's metrics and status page (libmicrohttpd).

        GET /metrics       Prometheus text exposition (zp_status_metrics)
        GET /status.json   the status page's data (zp_status_json)
        GET /              the status page: web/index.html, status.js, status.css

    The server runs its own thread (libmicrohttpd's internal polling
    thread) for as long as the job runs in this process; it only reads the
    job's zp_status_t. It serves no files from disk: the page's assets are
    compiled in, so it needs nothing from the internet.
*/
#ifndef ZP_HTTP_H
#define ZP_HTTP_H

#include "zp_status.h"

#include <stddef.h>

typedef struct zp_http_s zp_http_t;

/* Serves `status` (borrowed) at `address` ("HOST:PORT", HOST a name or
   address or *, PORT 0 or left out: chosen by the system). `bound` gets
   "http://HOST:PORT/" with the port bound. NULL with a message in err. */
zp_http_t *zp_http_start (const char *address, zp_status_t *status, char *bound, size_t boundlen,
                          char *err, size_t errlen);
void zp_http_stop (zp_http_t **self_p);

#endif
