/*  The sequencer: broadcasts handed out in order, repeats dropped, gaps
    named and asked for again no more than every 500 ms. Frames are made in
    memory as a SUB socket or a REPLAY would hand them over. */
#include "zp_test.h"
#include "zp_sequencer.h"

/* A frame whose one byte says which broadcast it is. */
static zp_wire_msg_t s_frame (uint8_t tag)
{
    zp_wire_msg_t m = {.routed = false};
    zmq_msg_init (&m.identity);
    zmq_msg_init_size (&m.data, 1);
    *(uint8_t *) zmq_msg_data (&m.data) = tag;
    return m;
}

static void s_offer (zp_sequencer_t *s, uint64_t seq)
{
    zp_wire_msg_t m = s_frame ((uint8_t) seq);
    zp_sequencer_offer (s, &m, seq);
}

/* The tags of the frames next hands out, up to `max`, in `tags`. */
static size_t s_drain (zp_sequencer_t *s, uint8_t *tags, size_t max)
{
    size_t n = 0;
    zp_wire_msg_t m;
    while (n < max && zp_sequencer_next (s, &m)) {
        tags[n++] = *(const uint8_t *) zp_wire_data (&m);
        zp_wire_close (&m);
    }
    return n;
}

Test (sequencer, a_node_starts_at_the_first_frame_it_sees_and_keeps_the_order)
{
    zp_sequencer_t *s = zp_sequencer_new (false);
    uint8_t tags[16];
    s_offer (s, 5);
    cr_assert_eq (s_drain (s, tags, 16), 1);
    cr_assert_eq (tags[0], 5);
    s_offer (s, 7); /* 6 is missing: 7 waits */
    s_offer (s, 8);
    cr_assert_eq (s_drain (s, tags, 16), 0);
    uint64_t from, to;
    cr_assert (zp_sequencer_gap (s, &from, &to));
    cr_assert_eq (from, 6);
    cr_assert_eq (to, 6);
    cr_assert_not (zp_sequencer_gap (s, &from, &to), "asked again within 500 ms");
    s_offer (s, 6);
    cr_assert_eq (s_drain (s, tags, 16), 3);
    cr_assert (tags[0] == 6 && tags[1] == 7 && tags[2] == 8);
    cr_assert_not (zp_sequencer_gap (s, &from, &to), "no gap left");
    cr_assert_eq (zp_sequencer_expected (s), 9);
    zp_sequencer_destroy (&s);
}

Test (sequencer, repeats_and_frames_already_handed_out_are_dropped)
{
    zp_sequencer_t *s = zp_sequencer_new (true);
    uint8_t tags[16];
    s_offer (s, 2);
    s_offer (s, 2);
    s_offer (s, 1);
    s_offer (s, 1);
    cr_assert_eq (s_drain (s, tags, 16), 2);
    cr_assert (tags[0] == 1 && tags[1] == 2);
    s_offer (s, 1); /* a late REPLAY of what was seen */
    cr_assert_eq (s_drain (s, tags, 16), 0);
    zp_sequencer_destroy (&s);
}

Test (sequencer, a_watcher_starts_at_one_and_asks_for_what_it_missed)
{
    zp_sequencer_t *s = zp_sequencer_new (true);
    uint8_t tags[16];
    s_offer (s, 4);
    cr_assert_eq (s_drain (s, tags, 16), 0);
    uint64_t from, to;
    cr_assert (zp_sequencer_gap (s, &from, &to));
    cr_assert_eq (from, 1);
    cr_assert_eq (to, 3);
    /* Asked again once 500 ms have passed while the gap lasts. */
    zclock_sleep (600);
    cr_assert (zp_sequencer_gap (s, &from, &to));
    cr_assert_eq (from, 1);
    zp_sequencer_destroy (&s);
}

Test (sequencer, skipping_what_the_master_no_longer_keeps_releases_the_rest)
{
    zp_sequencer_t *s = zp_sequencer_new (true);
    uint8_t tags[16];
    s_offer (s, 10);
    s_offer (s, 11);
    zp_sequencer_skip (s, 10); /* GONE: 1..9 are lost */
    cr_assert_eq (s_drain (s, tags, 16), 2);
    cr_assert (tags[0] == 10 && tags[1] == 11);
    zp_sequencer_skip (s, 5); /* older than what is expected: no effect */
    cr_assert_eq (zp_sequencer_expected (s), 12);
    zp_sequencer_destroy (&s);
}
