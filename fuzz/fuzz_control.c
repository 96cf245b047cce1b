/*  Fuzz target: every control and broadcast frame decoder, chosen by the
    frame's kind as the nodes choose it (zp_frame_kind), and the typed arrays
    and endpoint lists they point to read to their ends. */
#include "fuzz.h"
#include "zp_control.h"
#include "zp_frame.h"

static volatile uint64_t s_sink;

static void s_touch (const uint8_t *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        s_sink += p[i];
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *ep;
    size_t len;
    switch (zp_frame_kind (data, size)) {
    case ZP_MSG_HELLO: {
        zp_hello_t m;
        if (zp_hello_decode (data, size, &m) == 0)
            for (size_t i = 0; i < m.n_endpoints; i++)
                s_touch ((const uint8_t *) m.endpoints[i], m.endpoint_lens[i]);
        break;
    }
    case ZP_MSG_ASSIGN: {
        zp_assign_t m;
        if (zp_assign_decode (data, size, &m) == 0) {
            s_touch (m.ranges, ((size_t) m.n_workers + 1) * 4);
            for (uint32_t i = 0; i < m.n_workers && zp_assign_next_peer (&m, &ep, &len) == 0; i++)
                s_touch ((const uint8_t *) ep, len);
            for (uint32_t i = 0; i < m.n_routers && zp_assign_next_router (&m, &ep, &len) == 0; i++)
                s_touch ((const uint8_t *) ep, len);
            if (m.keys)
                s_touch (m.keys, ((size_t) m.n_workers + m.n_routers) * ZP_KEY_TEXT);
        }
        break;
    }
    case ZP_MSG_ROUTE: {
        zp_route_msg_t m;
        if (zp_route_decode (data, size, &m) == 0)
            for (uint32_t i = 0; i < m.n_workers && zp_route_next_worker (&m, &ep, &len) == 0; i++)
                s_touch ((const uint8_t *) ep, len);
        break;
    }
    case ZP_MSG_DONE: {
        zp_done_t m;
        if (zp_done_decode (data, size, &m) == 0) {
            s_touch (m.sent, (size_t) m.n_workers * 8);
            s_touch (m.received, m.n_received * 8);
        }
        break;
    }
    case ZP_MSG_MERGED: {
        zp_merged_t m;
        if (zp_merged_decode (data, size, &m) == 0)
            s_touch (m.in, (size_t) m.n_workers * 8);
        break;
    }
    case ZP_MSG_RESULT: {
        zp_result_t m;
        if (zp_result_decode (data, size, &m) == 0)
            s_touch (m.values, m.count * 8);
        break;
    }
    case ZP_MSG_FAIL: {
        zp_fail_t m;
        if (zp_fail_decode (data, size, &m) == 0)
            s_touch ((const uint8_t *) m.text, m.text_len);
        break;
    }
    default: {
        zp_broadcast_t b;
        zp_replay_t replay;
        zp_ready_t ready;
        zp_ping_t ping;
        zp_rstats_t rstats;
        uint32_t status;
        const char *text;
        size_t text_len;
        if (zp_broadcast_decode (data, size, &b) == 0 && b.kind == ZP_MSG_PLAN)
            s_touch ((const uint8_t *) b.routes, (size_t) b.n_workers * b.n_workers * 4);
        uint64_t first;
        s_sink += zp_gone_decode (data, size, &first);
        s_sink += zp_replay_decode (data, size, &replay) + zp_ready_decode (data, size, &ready) +
                  zp_ping_decode (data, size, &ping) + zp_rstats_decode (data, size, &rstats) +
                  zp_bye_decode (data, size, &status, &text, &text_len);
    }
    }
    return 0;
}
