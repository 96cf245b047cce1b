/*  zp_http: the master's HTTP endpoint. */
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
extern const unsigned char zp_web_index_html[], zp_web_status_js[], zp_web_status_css[];
extern const size_t zp_web_index_html_size, zp_web_status_js_size, zp_web_status_css_size;

struct zp_http_s {
    struct MHD_Daemon *daemon;
    zp_status_t *status;
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
        zp_log_warning ("master.http: %s (and %" PRIu64 " more lines not logged)", line, more);
    else
        zp_log_warning ("master.http: %s", line);
}

static enum MHD_Result s_reply (struct MHD_Connection *c, unsigned int code, const char *type,
                                const void *body, size_t size, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer (size, (void *) body, mode);
    if (!r)
        return MHD_NO;
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result rc = MHD_queue_response (c, code, r);
    MHD_destroy_response (r);
    return rc;
}

static enum MHD_Result s_text (struct MHD_Connection *c, unsigned int code, const char *text)
{
    return s_reply (c, code, "text/plain; charset=utf-8", text, strlen (text),
                    MHD_RESPMEM_PERSISTENT);
}

/* A rendering of the status, handed to libmicrohttpd to free. */
static enum MHD_Result s_rendered (struct MHD_Connection *c, const char *type, char *text)
{
    if (!text)
        return s_text (c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    return s_reply (c, MHD_HTTP_OK, type, text, strlen (text), MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result s_handle (void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **state)
{
    zp_http_t *self = cls;
    if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
        return s_text (c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
    if (strcmp (url, "/metrics") == 0)
        return s_rendered (c, "text/plain; version=0.0.4; charset=utf-8",
                           zp_status_metrics (self->status));
    if (strcmp (url, "/status.json") == 0)
        return s_rendered (c, "application/json", zp_status_json (self->status));
    if (strcmp (url, "/") == 0 || strcmp (url, "/index.html") == 0)
        return s_reply (c, MHD_HTTP_OK, "text/html; charset=utf-8", zp_web_index_html,
                        zp_web_index_html_size, MHD_RESPMEM_PERSISTENT);
    if (strcmp (url, "/status.js") == 0)
        return s_reply (c, MHD_HTTP_OK, "text/javascript; charset=utf-8", zp_web_status_js,
                        zp_web_status_js_size, MHD_RESPMEM_PERSISTENT);
    if (strcmp (url, "/status.css") == 0)
        return s_reply (c, MHD_HTTP_OK, "text/css; charset=utf-8", zp_web_status_css,
                        zp_web_status_css_size, MHD_RESPMEM_PERSISTENT);
    return s_text (c, MHD_HTTP_NOT_FOUND, "not found: try /, /metrics or /status.json\n");
}

zp_http_t *zp_http_start (const char *address, zp_status_t *status, char *bound, size_t boundlen,
                          char *err, size_t errlen)
{
    zp_endpoint_t ep;
    if (zp_endpoint_parse_address (address, &ep, err, errlen) != 0)
        return NULL;
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf (port, sizeof port, "%d", ep.port);
    bool any = strcmp (ep.host, "*") == 0;
    int rc = getaddrinfo (any ? NULL : ep.host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf (err, errlen, "master.http: cannot resolve host \"%s\": %s", ep.host,
                  gai_strerror (rc));
        return NULL;
    }
    zp_http_t *self = calloc (1, sizeof *self);
    if (self) {
        self->status = status;
        unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
        if (ai->ai_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        self->daemon = MHD_start_daemon (flags, 0, NULL, NULL, s_handle, self, MHD_OPTION_SOCK_ADDR,
                                         ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT, S_CONNECTIONS,
                                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, S_PER_ADDRESS,
                                         MHD_OPTION_CONNECTION_TIMEOUT, S_IDLE_S,
                                         MHD_OPTION_EXTERNAL_LOGGER, s_log, self, MHD_OPTION_END);
    }
    freeaddrinfo (ai);
    if (!self || !self->daemon) {
        snprintf (err, errlen, "master.http: cannot listen on %s (in use, or not this host's)",
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
        zp_log_warning ("master.http: %" PRIu64 " more lines not logged", more);
    free (self);
    *self_p = NULL;
}
