/*  Writes the seed corpus of the batch and control fuzz targets: one valid
    frame of each kind, made by the library's encoders, into
    fuzz/corpus/batch/ and fuzz/corpus/control/ (make fuzz-seeds). The
    other targets' seeds are files of the project (configs, datasets). */
#include "zp_batch.h"
#include "zp_control.h"

#include <stdio.h>
#include <string.h>

static zp_cbor_writer_t s_w;

static void s_write (const char *dir, const char *name)
{
    char path[512];
    snprintf (path, sizeof path, "fuzz/corpus/%s/%s", dir, name);
    FILE *f = fopen (path, "wb");
    if (!f || fwrite (s_w.data, 1, s_w.size, f) != s_w.size) {
        fprintf (stderr, "cannot write %s\n", path);
        return;
    }
    fclose (f);
}

int main (void)
{
    zp_cbor_writer_init (&s_w, 4096);
    zp_compress_t *z = zp_compress_new (1, zp_batch_max_plain (1 << 20));
    zp_handle_t ids[4] = {0, 3, 7, 9};
    zp_value_t values[4] = {{.f64 = 0.5}, {.f64 = 1}, {.f64 = -2}, {.f64 = 1e300}};
    uint64_t offsets[5] = {0, 1, 3, 3, 6};
    const uint8_t bytes[6] = "abcdef";
    zp_batch_out_t b = {{42, 3, 1, 0, 7, ZP_F64, 0, 4}, ids, values, NULL, NULL};
    zp_batch_encode (&b, NULL, 0, &s_w);
    s_write ("batch", "f64");
    zp_batch_encode (&b, z, 0, &s_w);
    s_write ("batch", "f64-zstd");
    b.header.type = ZP_U64;
    b.header.flags = ZP_BATCH_AGGREGATE;
    zp_batch_encode (&b, NULL, 0, &s_w);
    s_write ("batch", "u64-aggregate");
    zp_batch_out_t bb = {{42, 3, 1, 0, 8, ZP_BYTES, 0, 4}, ids, NULL, offsets, bytes};
    zp_batch_encode (&bb, NULL, 0, &s_w);
    s_write ("batch", "bytes");
    zp_batch_encode (&bb, z, 0, &s_w);
    s_write ("batch", "bytes-zstd");
    zp_ack_t ack = {42, 3, 1, 0, 7, 8};
    zp_ack_encode (&ack, &s_w);
    s_write ("batch", "ack");
    zp_end_t end = {42, 3, 1, 0, 2};
    zp_end_encode (&end, &s_w);
    s_write ("batch", "end");

    zp_hello_t hello = {ZP_ROLE_WORKER, "w1", 2, 1, {"tcp://127.0.0.1:5601"}, {0}, "host/1", 6};
    zp_hello_encode (&hello, &s_w);
    s_write ("control", "hello");
    uint32_t ranges[3] = {0, 1, 2};
    uint64_t vids[1] = {1}, out[2] = {0, 1}, params[2] = {0, 20};
    uint32_t targets[1] = {1};
    const char *peers[2] = {"inproc://a", "tcp://127.0.0.1:5602"};
    zp_assign_t a = {.job = 42,
                     .worker = 0,
                     .n_workers = 2,
                     .n_vertices = 2,
                     .program = "pr",
                     .params = (const uint8_t *) params,
                     .n_params = 2,
                     .ranges = (const uint8_t *) ranges,
                     .ids = (const uint8_t *) vids,
                     .out_offsets = (const uint8_t *) out,
                     .out_targets = (const uint8_t *) targets,
                     .n_edges = 1,
                     .peers = peers,
                     .n_routers = 1,
                     .routers = peers,
                     .settings = {.batch_bytes = 1 << 20,
                                  .compress_level = 1,
                                  .max_supersteps = 10,
                                  .ack_timeout_ms = 100,
                                  .heartbeat_ms = 1000,
                                  .liveness = 5}};
    zp_assign_encode (&a, &s_w);
    s_write ("control", "assign");
    uint64_t sent[2] = {1, 2};
    zp_done_t done = {.worker = 1,
                      .step = 3,
                      .n_workers = 2,
                      .sent = (const uint8_t *) sent,
                      .sent_bytes = (const uint8_t *) sent,
                      .received = (const uint8_t *) sent,
                      .n_received = 2,
                      .n_aggregates = 1,
                      .aggregates = (const uint8_t *) sent};
    zp_done_encode (&done, &s_w);
    s_write ("control", "done");
    zp_merged_t merged = {0, 3, 1, 2, (const uint8_t *) sent, 2};
    zp_merged_encode (&merged, &s_w);
    s_write ("control", "merged");
    zp_result_t result = {1, 2, (const uint8_t *) sent};
    zp_result_encode (&result, &s_w);
    s_write ("control", "result");
    zp_fail_t fail = {1, "no", 2};
    zp_fail_encode (&fail, &s_w);
    s_write ("control", "fail");
    zp_replay_t replay = {1, 100};
    zp_replay_encode (&replay, &s_w);
    s_write ("control", "replay");
    zp_ping_t ping = {3, 100};
    zp_ping_encode (&ping, &s_w);
    s_write ("control", "ping");
    zp_bye_encode (1, "a reason", &s_w);
    s_write ("control", "bye");
    zp_broadcast_t begin = {.kind = ZP_MSG_BEGIN,
                            .seq = 5,
                            .step = 3,
                            .plan_version = 1,
                            .n_aggregates = 1,
                            .aggregates = (const uint8_t *) sent};
    zp_broadcast_encode (&begin, &s_w);
    s_write ("control", "begin");
    uint32_t routes[4] = {0, 0, 0, 0};
    zp_broadcast_t plan = {.kind = ZP_MSG_PLAN,
                           .seq = 4,
                           .plan_version = 1,
                           .n_workers = 2,
                           .routes = (const uint8_t *) routes};
    zp_broadcast_encode (&plan, &s_w);
    s_write ("control", "plan");
    zp_broadcast_t sync = {.kind = ZP_MSG_SYNC, .seq = 1, .control = "tcp://127.0.0.1:5555"};
    zp_broadcast_encode (&sync, &s_w);
    s_write ("control", "sync");
    zp_route_msg_t route = {.job = 42,
                            .router = 0,
                            .n_workers = 2,
                            .n_routers = 1,
                            .program = "pr",
                            .workers = peers,
                            .settings = a.settings};
    zp_route_encode (&route, &s_w);
    s_write ("control", "route");
    zp_compress_destroy (&z);
    zp_cbor_writer_free (&s_w);
    return 0;
}
