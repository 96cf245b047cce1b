/*  zp_link: what a data link is, the same for a worker and a router: its
    compression, its send queue bound, and whether it can lose a batch. */
#include "zp_test.h"
#include "zp_link.h"
#include "zp_wire.h"

Test (link, compression_follows_the_mode_and_where_the_link_goes)
{
    const char *off_host[] = {"tcp://10.1.2.3:5555", "tcp://node7:5555", "tcp://[fd00::1]:5555"};
    const char *on_host[] = {"tcp://127.0.0.1:5555", "tcp://127.8.9.10:5555",
                             "tcp://localhost:5555", "tcp://[::1]:5555", "inproc://zp-w1"};
    for (size_t i = 0; i < sizeof off_host / sizeof *off_host; i++) {
        cr_assert (zp_link_compresses (ZP_COMPRESS_AUTO, off_host[i]), "%s", off_host[i]);
        cr_assert (zp_link_compresses (ZP_COMPRESS_ON, off_host[i]), "%s", off_host[i]);
        cr_assert (!zp_link_compresses (ZP_COMPRESS_OFF, off_host[i]), "%s", off_host[i]);
    }
    for (size_t i = 0; i < sizeof on_host / sizeof *on_host; i++) {
        cr_assert (!zp_link_compresses (ZP_COMPRESS_AUTO, on_host[i]), "%s", on_host[i]);
        cr_assert (zp_link_compresses (ZP_COMPRESS_ON, on_host[i]), "%s", on_host[i]);
        cr_assert (!zp_link_compresses (ZP_COMPRESS_OFF, on_host[i]), "%s", on_host[i]);
    }
}

Test (link, only_an_in_process_link_to_the_receiver_itself_is_lossless)
{
    zsock_t *receiver = zsock_new (ZMQ_ROUTER);
    cr_assert_eq (zsock_bind (receiver, "inproc://zp-link-test"), 0);
    int port = zsock_bind (receiver, "tcp://127.0.0.1:*");
    cr_assert_gt (port, 0);
    char tcp[64], err[512];
    snprintf (tcp, sizeof tcp, "tcp://127.0.0.1:%d", port);
    zp_settings_t set = {.batch_bytes = 4096, .compress = ZP_COMPRESS_ON, .compress_level = 1};
    struct {
        const char *endpoint;
        bool to_router, lossless;
    } cases[] = {{"inproc://zp-link-test", false, true},
                 {"inproc://zp-link-test", true, false},
                 {tcp, false, false},
                 {tcp, true, false}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* An identity of its own each time: a ROUTER keeps one until it
           has seen the last connection under it go. */
        char id[32];
        snprintf (id, sizeof id, "w%zu.0000000000000001", i);
        zp_link_t link = {0};
        cr_assert_eq (zp_link_open (&link, cases[i].endpoint, id, cases[i].to_router, &set, NULL,
                                    err, sizeof err),
                      0, "%s", err);
        cr_assert_eq (link.lossless, cases[i].lossless, "%s, to a %s", cases[i].endpoint,
                      cases[i].to_router ? "router" : "worker");
        cr_assert_not_null (link.z, "compression on: every link compresses");
        /* The queue is bounded the same way for every sender. */
        cr_assert_eq (zsock_sndhwm (link.sock), zp_wire_link_hwm (set.batch_bytes));
        /* And it reaches the receiver under its identity. */
        cr_assert_eq (zstr_send (link.sock, "hello"), 0);
        char *identity = NULL, *text = NULL;
        zsock_set_rcvtimeo (receiver, 5000);
        cr_assert_eq (zsock_recv (receiver, "ss", &identity, &text), 0);
        cr_assert_str_eq (identity, id);
        cr_assert_str_eq (text, "hello");
        zstr_free (&identity);
        zstr_free (&text);
        zp_link_close (&link);
        zp_link_close (&link); /* idempotent */
        cr_assert_null (link.sock);
        cr_assert_null (link.z);
    }
    zsock_destroy (&receiver);
}

Test (link, a_link_that_cannot_connect_says_so_and_holds_nothing)
{
    zp_settings_t set = {.batch_bytes = 4096, .compress = ZP_COMPRESS_OFF};
    zp_link_t link = {0};
    char err[512];
    cr_assert_eq (zp_link_open (&link, "tcp://nowhere", "w0.1", false, &set, NULL, err, sizeof err),
                  -1);
    cr_assert (strstr (err, "cannot connect to tcp://nowhere"), "%s", err);
    cr_assert_null (link.sock);
    cr_assert_null (link.z);
}
