/*  zp_sequencer: broadcast frames in sequence order, with the gaps named.

    PUB/SUB may drop frames (a slow subscriber, a late one), and replayed
    frames arrive over another socket. A sequencer takes frames from both,
    hands them out strictly in sequence-number order, drops repeats, and
    says which range is missing and when to ask for it (again every 500 ms
    while the gap lasts).

    A node starts at the first frame it sees (what was published before it
    subscribed does not concern it); a watcher starts at 1.
*/
#ifndef ZP_SEQUENCER_H
#define ZP_SEQUENCER_H

#include "zp_wire.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct zp_sequencer_s zp_sequencer_t;

/* from_first: start at sequence 1; otherwise at the first frame offered. */
zp_sequencer_t *zp_sequencer_new (bool from_first);
void zp_sequencer_destroy (zp_sequencer_t **self_p);

/* Takes a frame with sequence number `seq` (the sequencer owns it now). */
void zp_sequencer_offer (zp_sequencer_t *self, zp_wire_msg_t *msg, uint64_t seq);
/* The next frame in order, if it is here: true and *msg (the caller owns it). */
bool zp_sequencer_next (zp_sequencer_t *self, zp_wire_msg_t *msg);
/* If frames are missing and it is time to ask: true with the range. */
bool zp_sequencer_gap (zp_sequencer_t *self, uint64_t *from, uint64_t *to);
/* Gives up on the frames before `first` (the master keeps them no more):
   the next frame expected is `first`, if it was expected before it. */
void zp_sequencer_skip (zp_sequencer_t *self, uint64_t first);
/* The sequence number expected next. */
uint64_t zp_sequencer_expected (const zp_sequencer_t *self);

#endif
