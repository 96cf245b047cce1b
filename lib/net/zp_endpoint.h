/*  zp_endpoint: tcp endpoints as a job file writes them.

        tcp://HOST:PORT   HOST a name (resolved as the system resolves it),
                          an IPv4 address, an [IPv6] address, or * (every
                          interface, for binding only)
        tcp://HOST        the port chosen at run time (also tcp://HOST:*)

    ZeroMQ connects to a name but binds only to an address or an interface,
    so binding resolves the name first (getaddrinfo): `localhost` or a
    cluster host name work in every endpoint.
*/
#ifndef ZP_ENDPOINT_H
#define ZP_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char host[256]; /* as written; brackets of an IPv6 address removed */
    bool ipv6;      /* host is an IPv6 address */
    int port;       /* 1..65535, or 0: chosen at run time */
} zp_endpoint_t;

/* Parses a tcp endpoint. 0, or -1 with what was expected in err. */
int zp_endpoint_parse (const char *text, zp_endpoint_t *ep, char *err, size_t errlen);

/* Parses HOST:PORT, a tcp endpoint without its tcp:// (master.http); port
   0, or none, is chosen at run time. 0, or -1 with what was expected. */
int zp_endpoint_parse_address (const char *text, zp_endpoint_t *ep, char *err, size_t errlen);

/* Whether `text` is a tcp endpoint (tcp://...), as opposed to inproc or ipc. */
bool zp_endpoint_is_tcp (const char *text);

/* Whether `text` is a tcp endpoint whose port is chosen at run time. */
bool zp_endpoint_port_at_run_time (const char *text);

/* The endpoint ZeroMQ can bind for `ep`: its host resolved to an address
   (a wildcard stays *), its port or *. *ipv6 says whether the socket needs
   ZMQ_IPV6. 0, or -1 with a message naming the host. */
int zp_endpoint_bindable (const zp_endpoint_t *ep, char *out, size_t len, bool *ipv6, char *err,
                          size_t errlen);

/* "tcp://HOST:PORT" for `ep` with `port` (its own when it has one). */
void zp_endpoint_format (const zp_endpoint_t *ep, int port, char *out, size_t len);

/* The port of a bound endpoint ("tcp://1.2.3.4:5601"), or 0. */
int zp_endpoint_port_of (const char *bound);

#endif
