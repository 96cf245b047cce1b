/*  zp_endpoint: tcp endpoints as a job file writes them. See zp_endpoint.h. */
#include "zp_endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define S_EXPECTED                                                                                 \
    "expected tcp://HOST:PORT (HOST a name or an address, PORT from 1 to 65535, or * or no "       \
    "port for one chosen at run time)"

int zp_endpoint_parse_address (const char *text, zp_endpoint_t *ep, char *err, size_t errlen)
{
    char endpoint[512];
    snprintf (endpoint, sizeof endpoint, "tcp://%s", text ? text : "");
    size_t len = strlen (endpoint);
    if (len > 2 && strcmp (endpoint + len - 2, ":0") == 0)
        endpoint[len - 2] = 0; /* port 0: chosen at run time */
    /* The port is never implied: "9464" alone is a port without its host,
       not a host named 9464. */
    const char *colon = text ? strrchr (text, ':') : NULL;
    if (text && (!colon || strchr (colon, ']'))) {
        bool digits = *text && strspn (text, "0123456789") == strlen (text);
        snprintf (err, errlen, "expected HOST:PORT, e.g. 127.0.0.1:9464, got \"%s\"%s%s%s", text,
                  digits ? " (a port needs its host: 127.0.0.1:" : "", digits ? text : "",
                  digits ? ")" : "");
        return -1;
    }
    if (!text || zp_endpoint_parse (endpoint, ep, err, errlen) != 0) {
        snprintf (err, errlen, "expected HOST:PORT, e.g. 127.0.0.1:9464, got \"%s\"",
                  text ? text : "");
        return -1;
    }
    return 0;
}

bool zp_endpoint_is_tcp (const char *text)
{
    return text && strncmp (text, "tcp://", 6) == 0;
}

static bool s_valid_name (const char *host)
{
    if (!*host || strlen (host) > 253)
        return false;
    if (strcmp (host, "*") == 0)
        return true;
    for (const char *p = host; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '-' && *p != '.' && *p != '_')
            return false;
    return true;
}

int zp_endpoint_parse (const char *text, zp_endpoint_t *ep, char *err, size_t errlen)
{
    memset (ep, 0, sizeof *ep);
    if (!zp_endpoint_is_tcp (text)) {
        snprintf (err, errlen, "%s, got \"%s\"", S_EXPECTED, text ? text : "");
        return -1;
    }
    const char *host = text + 6, *port = NULL;
    size_t host_len;
    if (*host == '[') { /* [IPv6]:port */
        const char *close = strchr (host, ']');
        if (!close || (close[1] && close[1] != ':')) {
            snprintf (err, errlen, "%s, got \"%s\"", S_EXPECTED, text);
            return -1;
        }
        host_len = (size_t) (close - host - 1);
        host++;
        port = close[1] ? close + 2 : NULL;
        ep->ipv6 = true;
    } else {
        const char *colon = strchr (host, ':');
        host_len = colon ? (size_t) (colon - host) : strlen (host);
        port = colon ? colon + 1 : NULL;
    }
    if (host_len == 0 || host_len >= sizeof ep->host) {
        snprintf (err, errlen, "%s, got \"%s\" (no host)", S_EXPECTED, text);
        return -1;
    }
    memcpy (ep->host, host, host_len);
    ep->host[host_len] = 0;
    struct in6_addr six;
    if (ep->ipv6 ? inet_pton (AF_INET6, ep->host, &six) != 1 : !s_valid_name (ep->host)) {
        snprintf (err, errlen, "%s, got \"%s\" (\"%s\" is not a host name or address)", S_EXPECTED,
                  text, ep->host);
        return -1;
    }
    if (!port || strcmp (port, "*") == 0)
        return 0;
    char *end;
    long value = strtol (port, &end, 10);
    if (!*port || *end || !isdigit ((unsigned char) *port) || value < 1 || value > 65535) {
        snprintf (err, errlen, "%s, got \"%s\" (port \"%s\")", S_EXPECTED, text, port);
        return -1;
    }
    ep->port = (int) value;
    return 0;
}

bool zp_endpoint_port_at_run_time (const char *text)
{
    zp_endpoint_t ep;
    char err[8];
    return zp_endpoint_parse (text, &ep, err, sizeof err) == 0 && ep.port == 0;
}

int zp_endpoint_bindable (const zp_endpoint_t *ep, char *out, size_t len, bool *ipv6, char *err,
                          size_t errlen)
{
    char port[8] = "*";
    if (ep->port)
        snprintf (port, sizeof port, "%d", ep->port);
    *ipv6 = ep->ipv6;
    if (strcmp (ep->host, "*") == 0 || ep->ipv6) {
        snprintf (out, len, ep->ipv6 ? "tcp://[%s]:%s" : "tcp://%s:%s", ep->host, port);
        return 0;
    }
    /* The system's resolver (files, DNS, ...), IPv4 first. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo (ep->host, NULL, &hints, &found);
    if (rc != 0) {
        snprintf (err, errlen, "cannot resolve host \"%s\": %s", ep->host, gai_strerror (rc));
        return -1;
    }
    const struct addrinfo *pick = NULL;
    for (const struct addrinfo *a = found; a && !pick; a = a->ai_next)
        if (a->ai_family == AF_INET)
            pick = a;
    for (const struct addrinfo *a = found; a && !pick; a = a->ai_next)
        if (a->ai_family == AF_INET6)
            pick = a;
    char address[INET6_ADDRSTRLEN] = "";
    bool six = pick && pick->ai_family == AF_INET6;
    if (pick && pick->ai_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) pick->ai_addr)->sin_addr, address,
                   sizeof address);
    else if (pick)
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) pick->ai_addr)->sin6_addr, address,
                   sizeof address);
    freeaddrinfo (found);
    if (!address[0]) {
        snprintf (err, errlen, "host \"%s\" has no IPv4 or IPv6 address", ep->host);
        return -1;
    }
    *ipv6 = six;
    snprintf (out, len, *ipv6 ? "tcp://[%s]:%s" : "tcp://%s:%s", address, port);
    return 0;
}

void zp_endpoint_format (const zp_endpoint_t *ep, int port, char *out, size_t len)
{
    snprintf (out, len, ep->ipv6 ? "tcp://[%s]:%d" : "tcp://%s:%d", ep->host,
              ep->port ? ep->port : port);
}

int zp_endpoint_port_of (const char *bound)
{
    const char *colon = bound ? strrchr (bound, ':') : NULL;
    return colon ? atoi (colon + 1) : 0;
}
