/*  Endpoints as a job file writes them: tcp://HOST:PORT with a name, an
    IPv4 or [IPv6] address or *, a port left to the system, and HOST:PORT
    for master.http; what each error says. */
#include "zp_test.h"
#include "zp_endpoint.h"

Test (endpoint, hosts_addresses_and_ports_are_parsed)
{
    char err[256];
    zp_endpoint_t ep;
    cr_assert_eq (zp_endpoint_parse ("tcp://node7.cluster:5601", &ep, err, sizeof err), 0, "%s",
                  err);
    cr_assert_str_eq (ep.host, "node7.cluster");
    cr_assert_eq (ep.port, 5601);
    cr_assert_not (ep.ipv6);
    cr_assert_eq (zp_endpoint_parse ("tcp://[::1]:80", &ep, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (ep.host, "::1");
    cr_assert (ep.ipv6);
    cr_assert_eq (ep.port, 80);
    cr_assert_eq (zp_endpoint_parse ("tcp://10.0.0.1", &ep, err, sizeof err), 0, "%s", err);
    cr_assert_eq (ep.port, 0, "no port: chosen at run time");
    cr_assert_eq (zp_endpoint_parse ("tcp://*:*", &ep, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (ep.host, "*");
    cr_assert_eq (ep.port, 0);
    cr_assert (zp_endpoint_port_at_run_time ("tcp://127.0.0.1:*"));
    cr_assert (zp_endpoint_port_at_run_time ("tcp://127.0.0.1"));
    cr_assert_not (zp_endpoint_port_at_run_time ("tcp://127.0.0.1:9"));
    cr_assert (zp_endpoint_is_tcp ("tcp://a:1"));
    cr_assert_not (zp_endpoint_is_tcp ("inproc://a"));
    cr_assert_not (zp_endpoint_is_tcp ("ipc:///tmp/a"));
}

Test (endpoint, bad_endpoints_say_what_was_expected)
{
    const char *bad[] = {"udp://a:1",   "tcp://",     "tcp://a:0",  "tcp://a:65536",
                         "tcp://a:12x", "tcp://[::1", "tcp://a b:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        zp_endpoint_t ep;
        cr_assert_eq (zp_endpoint_parse (bad[i], &ep, err, sizeof err), -1, "%s was taken", bad[i]);
        cr_assert_gt (strlen (err), 10, "%s: no message", bad[i]);
    }
}

Test (endpoint, an_http_address_has_no_scheme_and_may_leave_the_port_open)
{
    char err[256];
    zp_endpoint_t ep;
    cr_assert_eq (zp_endpoint_parse_address ("127.0.0.1:8080", &ep, err, sizeof err), 0, "%s", err);
    cr_assert_eq (ep.port, 8080);
    cr_assert_eq (zp_endpoint_parse_address ("localhost:0", &ep, err, sizeof err), 0, "%s", err);
    cr_assert_eq (ep.port, 0);
    cr_assert_eq (zp_endpoint_parse_address ("tcp://127.0.0.1:8080", &ep, err, sizeof err), -1);
}

Test (endpoint, formatting_and_ports_of_bound_endpoints)
{
    char err[256], out[300];
    zp_endpoint_t ep;
    cr_assert_eq (zp_endpoint_parse ("tcp://[fe80::1]", &ep, err, sizeof err), 0, "%s", err);
    zp_endpoint_format (&ep, 4242, out, sizeof out);
    cr_assert_str_eq (out, "tcp://[fe80::1]:4242");
    cr_assert_eq (zp_endpoint_port_of ("tcp://1.2.3.4:5601"), 5601);
    cr_assert_eq (zp_endpoint_port_of ("inproc://x"), 0);
    bool ipv6 = true;
    cr_assert_eq (zp_endpoint_parse ("tcp://localhost:7", &ep, err, sizeof err), 0, "%s", err);
    cr_assert_eq (zp_endpoint_bindable (&ep, out, sizeof out, &ipv6, err, sizeof err), 0, "%s",
                  err);
    cr_assert (strncmp (out, "tcp://", 6) == 0 && strstr (out, ":7"), "%s", out);
}
