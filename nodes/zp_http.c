/*  zp_http: zpregel's HTTP server and the master's site. */
#include "zp_http.h"
#include "zp_endpoint.h"
#include "zp_log.h"
#include "zp_ratelog.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* scripts/embed.sh, from web/ */
extern const unsigned char zp_web_index_html[], zp_web_status_js[], zp_web_status_css[],
    zp_web_history_html[], zp_web_history_js[];
extern const size_t zp_web_index_html_size, zp_web_status_js_size, zp_web_status_css_size,
    zp_web_history_html_size, zp_web_history_js_size;

static const struct {
    const char *file, *type;
    const unsigned char *body;
    const size_t *size;
} s_assets[] = {
    {"index.html", "text/html; charset=utf-8", zp_web_index_html, &zp_web_index_html_size},
    {"status.js", "text/javascript; charset=utf-8", zp_web_status_js, &zp_web_status_js_size},
    {"status.css", "text/css; charset=utf-8", zp_web_status_css, &zp_web_status_css_size},
    {"history.html", "text/html; charset=utf-8", zp_web_history_html, &zp_web_history_html_size},
    {"history.js", "text/javascript; charset=utf-8", zp_web_history_js, &zp_web_history_js_size},
};

struct zp_http_s {
    struct MHD_Daemon *daemon;
    char name[32];
    zp_http_site_fn *site;
    void *ctx;
    zp_ratelog_t said; /* libmicrohttpd's lines (bad requests): rated */
};

/* Connections the server holds at once, and at most from one address: a
   client (or a hostile one) that opens many and sends nothing leaves the
   rest to others, and each is dropped after S_IDLE_S seconds. */
#define S_CONNECTIONS 64u
#define S_PER_ADDRESS 8u
#define S_IDLE_S      10u

/* libmicrohttpd's own lines (a malformed request, a dropped connection):
   a warning, at most ZP_RATELOG_BURST a second, so that a client sending
   garbage cannot fill the log. Runs on the server's thread only. */
static void s_log (void *cls, const char *fmt, va_list ap)
{
    zp_http_t *self = cls;
    uint64_t more;
    if (!zp_ratelog_allow (&self->said, &more))
        return;
    char line[512];
    vsnprintf (line, sizeof line, fmt, ap);
    line[strcspn (line, "\n")] = 0;
    if (more)
        zp_log_warning ("%s: %s (and %" PRIu64 " more lines not logged)", self->name, line, more);
    else
        zp_log_warning ("%s: %s", self->name, line);
}

void zp_http_text (zp_http_reply_t *reply, unsigned code, const char *text)
{
    *reply = (zp_http_reply_t){
        .code = code, .type = "text/plain; charset=utf-8", .body = text, .size = strlen (text)};
}

void zp_http_owned (zp_http_reply_t *reply, const char *type, char *text, size_t size)
{
    if (!text) {
        zp_http_text (reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
        return;
    }
    *reply = (zp_http_reply_t){
        .code = MHD_HTTP_OK, .type = type, .body = text, .size = size, .owned = true};
}

bool zp_http_asset (zp_http_reply_t *reply, const char *file)
{
    for (size_t i = 0; i < sizeof s_assets / sizeof s_assets[0]; i++)
        if (strcmp (file, s_assets[i].file) == 0) {
            *reply = (zp_http_reply_t){.code = MHD_HTTP_OK,
                                       .type = s_assets[i].type,
                                       .body = s_assets[i].body,
                                       .size = *s_assets[i].size};
            return true;
        }
    return false;
}

static enum MHD_Result s_handle (void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **state)
{
    (void) version, (void) upload, (void) upload_size, (void) state;
    zp_http_t *self = cls;
    zp_http_reply_t reply;
    if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
        zp_http_text (&reply, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
    else
        self->site (self->ctx, *url ? url : "/", &reply);
    struct MHD_Response *r = MHD_create_response_from_buffer (reply.size, (void *) reply.body,
                                                              reply.owned ? MHD_RESPMEM_MUST_FREE
                                                                          : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (reply.owned)
            free ((void *) reply.body);
        return MHD_NO;
    }
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, reply.type);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (*reply.location)
        MHD_add_response_header (r, MHD_HTTP_HEADER_LOCATION, reply.location);
    enum MHD_Result rc = MHD_queue_response (c, reply.code, r);
    MHD_destroy_response (r);
    return rc;
}

/* The master's site: a running job's status. */
static void s_status_site (void *ctx, const char *url, zp_http_reply_t *reply)
{
    zp_status_t *status = ctx;
    char *text;
    if (strcmp (url, "/metrics") == 0) {
        text = zp_status_metrics (status);
        zp_http_owned (reply, "text/plain; version=0.0.4; charset=utf-8", text,
                       text ? strlen (text) : 0);
    } else if (strcmp (url, "/status.json") == 0) {
        text = zp_status_json (status);
        zp_http_owned (reply, "application/json", text, text ? strlen (text) : 0);
    } else if (strcmp (url, "/") == 0 || strcmp (url, "/index.html") == 0)
        zp_http_asset (reply, "index.html");
    else if ((strcmp (url, "/status.js") != 0 && strcmp (url, "/status.css") != 0) ||
             !zp_http_asset (reply, url + 1))
        zp_http_text (reply, MHD_HTTP_NOT_FOUND, "not found: try /, /metrics or /status.json\n");
}

zp_http_t *zp_http_start (const char *address, zp_status_t *status, char *bound, size_t boundlen,
                          char *err, size_t errlen)
{
    return zp_http_serve (address, "master.http", s_status_site, status, bound, boundlen, err,
                          errlen);
}

zp_http_t *zp_http_serve (const char *address, const char *name, zp_http_site_fn *site, void *ctx,
                          char *bound, size_t boundlen, char *err, size_t errlen)
{
    zp_endpoint_t ep;
    char why[512];
    if (zp_endpoint_parse_address (address, &ep, why, sizeof why) != 0) {
        snprintf (err, errlen, "%s: %s", name, why);
        return NULL;
    }
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf (port, sizeof port, "%d", ep.port);
    bool any = strcmp (ep.host, "*") == 0;
    int rc = getaddrinfo (any ? NULL : ep.host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf (err, errlen, "%s: cannot resolve host \"%s\": %s", name, ep.host,
                  gai_strerror (rc));
        return NULL;
    }
    zp_http_t *self = calloc (1, sizeof *self);
    if (self) {
        snprintf (self->name, sizeof self->name, "%s", name);
        self->site = site;
        self->ctx = ctx;
        unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
        if (ai->ai_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        /* The logger first: libmicrohttpd says so (with the standard
           logger) of a later one. */
        self->daemon = MHD_start_daemon (
            flags, 0, NULL, NULL, s_handle, self, MHD_OPTION_EXTERNAL_LOGGER, s_log, self,
            MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT, S_CONNECTIONS,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, S_PER_ADDRESS, MHD_OPTION_CONNECTION_TIMEOUT,
            S_IDLE_S, MHD_OPTION_END);
    }
    freeaddrinfo (ai);
    if (!self || !self->daemon) {
        snprintf (err, errlen, "%s: cannot listen on %s (in use, or not this host's)", name,
                  address);
        free (self);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    int actual = info ? (int) info->port : ep.port;
    const char *host = any ? "localhost" : ep.host;
    snprintf (bound, boundlen, ep.ipv6 ? "http://[%s]:%d/" : "http://%s:%d/", host, actual);
    return self;
}

void zp_http_stop (zp_http_t **self_p)
{
    zp_http_t *self = *self_p;
    if (!self)
        return;
    MHD_stop_daemon (self->daemon);
    uint64_t more = zp_ratelog_unreported (&self->said, true);
    if (more)
        zp_log_warning ("%s: %" PRIu64 " more lines not logged", self->name, more);
    free (self);
    *self_p = NULL;
}
