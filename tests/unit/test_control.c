/*  Control messages: round trips and rejection of truncated or inconsistent frames. */
#include "zp_test.h"
#include "zp_control.h"

static void s_truncations (const zp_cbor_writer_t *w, int (*decode) (const void *, size_t, void *))
{
    char out[4096];
    for (size_t len = 0; len < w->size; len++)
        cr_assert_lt (decode (w->data, len, out), 0, "prefix %zu/%zu accepted", len, w->size);
}

static int s_hello (const void *f, size_t n, void *m)
{
    return zp_hello_decode (f, n, m);
}
static int s_assign (const void *f, size_t n, void *m)
{
    return zp_assign_decode (f, n, m);
}
static int s_done (const void *f, size_t n, void *m)
{
    return zp_done_decode (f, n, m);
}
static int s_merged (const void *f, size_t n, void *m)
{
    return zp_merged_decode (f, n, m);
}
static int s_result (const void *f, size_t n, void *m)
{
    return zp_result_decode (f, n, m);
}
static int s_bcast (const void *f, size_t n, void *m)
{
    return zp_broadcast_decode (f, n, m);
}

Test (control, hello_round_trip)
{
    zp_hello_t h = {.role = ZP_ROLE_WORKER,
                    .name = "w1",
                    .n_endpoints = 2,
                    .endpoints = {"inproc://w1", "tcp://127.0.0.1:5601"},
                    .locality = "host/42"},
               d;
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_hello_encode (&h, &w), 0);
    cr_assert_eq (zp_hello_decode (w.data, w.size, &d), 0);
    cr_assert_eq (d.role, ZP_ROLE_WORKER);
    cr_assert_eq (d.name_len, 2);
    cr_assert_eq (memcmp (d.name, "w1", 2), 0);
    cr_assert_eq (d.n_endpoints, 2);
    cr_assert_eq (d.endpoint_lens[1], strlen ("tcp://127.0.0.1:5601"));
    cr_assert_eq (memcmp (d.endpoints[1], "tcp://127.0.0.1:5601", d.endpoint_lens[1]), 0);
    cr_assert_eq (d.locality_len, 7);
    s_truncations (&w, s_hello);
    zp_cbor_writer_free (&w);
}

/* A worker 1 of 2 owning handles [2, 5) of 5, with 4 weighted out-arcs and in-arcs. */
static zp_cbor_writer_t s_assign_frame (uint32_t worker, uint32_t lo, uint32_t hi)
{
    /* Sized so that the encoder never reads past them, whatever the range. */
    static uint32_t ranges[4];
    ranges[0] = 0, ranges[1] = lo, ranges[2] = hi, ranges[3] = hi;
    static uint64_t ids[16] = {10, 20, 30}, off[17] = {0, 1, 3, 4, 4, 4, 4, 4, 4, 4, 4},
                    params[2] = {1, 2};
    static uint32_t tgt[4] = {0, 1, 4, 2};
    static double wgt[4] = {0.5, 1, 2, 0};
    static const char *peers[2] = {"inproc://a", "inproc://b"};
    zp_assign_t a = {.job = 99,
                     .worker = worker,
                     .n_workers = 2,
                     .n_vertices = 5,
                     .directed = true,
                     .program = "pr",
                     .params = (const uint8_t *) params,
                     .n_params = 2,
                     .ranges = (const uint8_t *) ranges,
                     .ids = (const uint8_t *) ids,
                     .out_offsets = (const uint8_t *) off,
                     .out_targets = (const uint8_t *) tgt,
                     .out_weights = (const uint8_t *) wgt,
                     .n_edges = 4,
                     .in_offsets = (const uint8_t *) off,
                     .in_targets = (const uint8_t *) tgt,
                     .n_in_edges = 4,
                     .peers = peers,
                     .settings = {1 << 20, 3, 4096, ZP_COMPRESS_ON, 50, 200, 8, 1000, 5, 10,
                                  "/var/ckpt", 0, 30}};
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_assign_encode (&a, &w), 0);
    return w;
}

Test (control, assign_round_trip)
{
    zp_cbor_writer_t w = s_assign_frame (1, 2, 5);
    zp_assign_t d;
    cr_assert_eq (zp_assign_decode (w.data, w.size, &d), 0);
    cr_assert_eq (d.job, 99);
    cr_assert_eq (d.worker, 1);
    cr_assert_eq (d.n_vertices, 5);
    cr_assert (d.directed);
    cr_assert_eq (d.program_len, 2);
    cr_assert_eq (d.n_params, 2);
    cr_assert_eq (d.n_edges, 4);
    cr_assert_eq (zp_load_u64 (d.ids + 16), 30);
    cr_assert_eq (zp_load_u32 (d.out_targets + 8), 4);
    cr_assert_eq (zp_load_f64 (d.out_weights), 0.5);
    cr_assert_not_null (d.in_offsets);
    cr_assert_eq (d.settings.batch_bytes, 1 << 20);
    cr_assert_eq (d.settings.compress_level, 3);
    cr_assert_eq (d.settings.compress, ZP_COMPRESS_ON);
    cr_assert_eq (d.settings.max_supersteps, 50);
    cr_assert_eq (d.settings.ack_timeout_ms, 200);
    cr_assert_eq (d.settings.liveness, 5);
    cr_assert_eq (d.settings.checkpoint_every, 10);
    cr_assert_eq (d.settings.checkpoint_dir_len, 9);
    cr_assert_eq (memcmp (d.settings.checkpoint_dir, "/var/ckpt", 9), 0);
    cr_assert_eq (d.settings.restore_step, 30);
    const char *ep;
    size_t len;
    cr_assert_eq (zp_assign_next_peer (&d, &ep, &len), 0);
    cr_assert_eq (zp_assign_next_peer (&d, &ep, &len), 0);
    cr_assert_eq (memcmp (ep, "inproc://b", len), 0);
    s_truncations (&w, s_assign);
    zp_cbor_writer_free (&w);
}

Test (control, assign_with_inconsistent_ranges_is_refused)
{
    zp_assign_t d;
    zp_cbor_writer_t w = s_assign_frame (2, 2, 5); /* worker 2 of 2 */
    cr_assert_eq (zp_assign_decode (w.data, w.size, &d), ZP_ERANGE);
    zp_cbor_writer_free (&w);
    w = s_assign_frame (1, 2, 9); /* beyond |V| = 5 */
    cr_assert_eq (zp_assign_decode (w.data, w.size, &d), ZP_ERANGE);
    zp_cbor_writer_free (&w);
}

Test (control, done_result_fail_ready_bye_round_trip)
{
    uint64_t sent[3] = {1, 2, 3}, bytes[3] = {4, 5, 6}, recv[3] = {7, 8, 9}, agg[2] = {10, 11};
    zp_done_t done = {2,
                      7,
                      100,
                      200,
                      300,
                      4,
                      0.25,
                      0.125,
                      3,
                      (const uint8_t *) sent,
                      (const uint8_t *) bytes,
                      (const uint8_t *) recv,
                      3,
                      2,
                      (const uint8_t *) agg,
                      3,
                      4,
                      5},
              dd;
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    cr_assert_eq (zp_done_encode (&done, &w), 0);
    cr_assert_eq (zp_done_decode (w.data, w.size, &dd), 0);
    cr_assert_eq (dd.step, 7);
    cr_assert_eq (dd.compute_seconds, 0.25);
    cr_assert_eq (dd.send_wait_seconds, 0.125);
    cr_assert_eq (zp_load_u64 (dd.received + 16), 9);
    cr_assert_eq (dd.n_received, 3);
    cr_assert_eq (dd.n_aggregates, 2);
    cr_assert_eq (dd.retries, 3);
    cr_assert_eq (dd.duplicates, 4);
    cr_assert_eq (dd.mirrored, 5);
    s_truncations (&w, s_done);

    uint64_t values[4] = {1, 2, 3, 4};
    zp_result_t r = {1, 4, (const uint8_t *) values}, rd;
    cr_assert_eq (zp_result_encode (&r, &w), 0);
    cr_assert_eq (zp_result_decode (w.data, w.size, &rd), 0);
    cr_assert_eq (rd.count, 4);
    s_truncations (&w, s_result);

    zp_fail_t f = {3, "disk full", 0}, fd;
    cr_assert_eq (zp_fail_encode (&f, &w), 0);
    cr_assert_eq (zp_fail_decode (w.data, w.size, &fd), 0);
    cr_assert_eq (fd.text_len, 9);

    uint64_t in[3] = {5, 0, 7};
    zp_merged_t merged = {1, 6, 2, 3, (const uint8_t *) in, 9}, mergedd;
    cr_assert_eq (zp_merged_encode (&merged, &w), 0);
    cr_assert_eq (zp_merged_decode (w.data, w.size, &mergedd), 0);
    cr_assert (mergedd.router == 1 && mergedd.step == 6 && mergedd.dst == 2 &&
               mergedd.n_workers == 3 && zp_load_u64 (mergedd.in + 16) == 7 && mergedd.out == 9);
    s_truncations (&w, s_merged);

    zp_rstats_t rstats = {2, 10, 4, 1000, 250, 3}, rstatsd;
    cr_assert_eq (zp_rstats_encode (&rstats, &w), 0);
    cr_assert_eq (zp_rstats_decode (w.data, w.size, &rstatsd), 0);
    cr_assert (rstatsd.router == 2 && rstatsd.frames_in == 10 && rstatsd.frames_out == 4 &&
               rstatsd.messages_in == 1000 && rstatsd.messages_out == 250 && rstatsd.resent == 3);

    zp_ready_t ready = {4, 12}, readyd;
    cr_assert_eq (zp_ready_encode (&ready, &w), 0);
    cr_assert_eq (zp_ready_decode (w.data, w.size, &readyd), 0);
    cr_assert_eq (readyd.seen_seq, 12);

    cr_assert_eq (zp_bye_encode (ZP_STATUS_LOST, "lost", &w), 0);
    uint32_t status = 0;
    const char *reason;
    size_t reason_len;
    cr_assert_eq (zp_bye_decode (w.data, w.size, &status, &reason, &reason_len), 0);
    cr_assert_eq (status, ZP_STATUS_LOST);
    cr_assert (reason_len == 4 && memcmp (reason, "lost", 4) == 0);

    zp_replay_t replay = {3, 9}, replayd;
    cr_assert_eq (zp_replay_encode (&replay, &w), 0);
    cr_assert_eq (zp_replay_decode (w.data, w.size, &replayd), 0);
    cr_assert_eq (replayd.to, 9);
    replay = (zp_replay_t){9, 3};
    cr_assert_eq (zp_replay_encode (&replay, &w), 0);
    cr_assert_eq (zp_replay_decode (w.data, w.size, &replayd), ZP_ERANGE);
    uint64_t first = 0;
    cr_assert_eq (zp_gone_encode (65537, &w), 0);
    cr_assert_eq (zp_gone_decode (w.data, w.size, &first), 0);
    cr_assert_eq (first, 65537);
    cr_assert_eq (zp_replay_decode (w.data, w.size, &replayd), ZP_EKIND);
    cr_assert_eq (zp_gone_encode (1, &w), 0); /* nothing is gone before 1 */
    cr_assert_eq (zp_gone_decode (w.data, w.size, &first), ZP_ERANGE);
    cr_assert_eq (zp_bye_encode (0, NULL, &w), 0);
    /* A BYE is not a READY. */
    cr_assert_eq (zp_ready_decode (w.data, w.size, &readyd), ZP_EKIND);
    zp_cbor_writer_free (&w);
}

Test (control, broadcasts_round_trip)
{
    uint64_t aggs[1] = {0x4000000000000000ull};
    zp_broadcast_t kinds[] = {
        {.kind = ZP_MSG_SYNC, .seq = 1},
        {.kind = ZP_MSG_BEGIN,
         .seq = 2,
         .step = 5,
         .plan_version = 3,
         .n_aggregates = 1,
         .aggregates = (const uint8_t *) aggs},
        {.kind = ZP_MSG_TERMINATE, .seq = 3, .step = 9, .status = 1},
        {.kind = ZP_MSG_CHECKPOINT, .seq = 4, .step = 20},
    };
    zp_cbor_writer_t w;
    zp_cbor_writer_init (&w, 0);
    for (int i = 0; i < 4; i++) {
        zp_broadcast_t d;
        cr_assert_eq (zp_broadcast_encode (&kinds[i], &w), 0);
        cr_assert_eq (zp_broadcast_decode (w.data, w.size, &d), 0);
        cr_assert_eq (d.kind, kinds[i].kind);
        cr_assert_eq (d.seq, kinds[i].seq);
        cr_assert_eq (d.step, kinds[i].step);
        cr_assert_eq (d.status, kinds[i].status);
        cr_assert_eq (d.n_aggregates, kinds[i].n_aggregates);
        cr_assert_eq (d.active, kinds[i].active);
        cr_assert_eq (d.messages, kinds[i].messages);
        cr_assert_eq (d.control_len, kinds[i].control ? strlen (kinds[i].control) : 0);
        s_truncations (&w, s_bcast);
    }
    /* A control frame on the broadcast socket is refused as the wrong kind. */
    zp_broadcast_t d;
    cr_assert_eq (zp_bye_encode (0, NULL, &w), 0);
    cr_assert_eq (zp_broadcast_decode (w.data, w.size, &d), ZP_EKIND);
    zp_cbor_writer_free (&w);
}
