/*  zp_http: zpregel's HTTP server (libmicrohttpd), and the sites it serves.

    master.http, a running job (zp_http_start):
        GET /metrics       Prometheus text exposition (zp_status_metrics)
        GET /status.json   the status page's data (zp_status_json)
        GET /              the status page: web/index.html, status.js, status.css

    zpregel serve serves a history of jobs (zp_history) through the same
    server with a site of its own (zp_http_serve). The server runs its own
    thread (libmicrohttpd's internal polling thread); a site's handler runs
    on it. The pages' assets are compiled in, so nothing comes from the
    internet.
*/
#ifndef ZP_HTTP_H
#define ZP_HTTP_H

#include "zp_status.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct zp_http_s zp_http_t;

/* What a site answers to a GET: `body` (`size` bytes) of MIME type
   `type`, freed by the server when `owned`; a redirect when `location` is
   set (code 301). */
typedef struct {
    unsigned code;
    const char *type;
    const void *body;
    size_t size;
    bool owned;
    char location[512];
} zp_http_reply_t;

/* A site: fills `reply` for the path `url` (already percent-decoded, never
   empty). Runs on the server's thread. */
typedef void (zp_http_site_fn) (void *ctx, const char *url, zp_http_reply_t *reply);

/* Serves `site` at `address` ("HOST:PORT", HOST a name or address or *,
   PORT 0 or left out: chosen by the system). `name` begins the server's
   log lines and errors ("master.http"). `bound` gets "http://HOST:PORT/"
   with the port bound. NULL with a message in err. */
zp_http_t *zp_http_serve (const char *address, const char *name, zp_http_site_fn *site, void *ctx,
                          char *bound, size_t boundlen, char *err, size_t errlen);
/* master.http: serves `status` (borrowed) as above. */
zp_http_t *zp_http_start (const char *address, zp_status_t *status, char *bound, size_t boundlen,
                          char *err, size_t errlen);
void zp_http_stop (zp_http_t **self_p);

/* Replies: a plain text (not owned), a malloc'd text of `type` (NULL: out
   of memory, a 500), or one of the compiled-in page files ("index.html",
   "status.js", "status.css", "history.html", "history.js"); false when
   `file` is none of them. */
void zp_http_text (zp_http_reply_t *reply, unsigned code, const char *text);
void zp_http_owned (zp_http_reply_t *reply, const char *type, char *text, size_t size);
bool zp_http_asset (zp_http_reply_t *reply, const char *file);

#endif
