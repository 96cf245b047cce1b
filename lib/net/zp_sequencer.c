/*  zp_sequencer: in-order delivery of broadcast frames. See zp_sequencer.h. */
#include "zp_sequencer.h"
#include "zp_grow.h"

#include <stdlib.h>

typedef struct {
    uint64_t seq;
    zp_wire_msg_t msg;
} s_held_t;

struct zp_sequencer_s {
    bool started;
    uint64_t next;
    s_held_t *held; /* frames after a gap */
    size_t n_held, cap_held;
    int64_t asked; /* when the gap was last asked for, 0 if not */
};

zp_sequencer_t *zp_sequencer_new (bool from_first)
{
    zp_sequencer_t *self = calloc (1, sizeof *self);
    if (self && from_first) {
        self->started = true;
        self->next = 1;
    }
    return self;
}

void zp_sequencer_destroy (zp_sequencer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_sequencer_t *self = *self_p;
    for (size_t i = 0; i < self->n_held; i++)
        zp_wire_close (&self->held[i].msg);
    free (self->held);
    free (self);
    *self_p = NULL;
}

void zp_sequencer_skip (zp_sequencer_t *self, uint64_t first)
{
    if (!self->started || self->next >= first)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < self->n_held; i++)
        if (self->held[i].seq < first)
            zp_wire_close (&self->held[i].msg);
        else
            self->held[kept++] = self->held[i];
    self->n_held = kept;
    self->next = first;
    self->asked = 0;
}

uint64_t zp_sequencer_expected (const zp_sequencer_t *self)
{
    return self->next;
}

void zp_sequencer_offer (zp_sequencer_t *self, zp_wire_msg_t *msg, uint64_t seq)
{
    if (!self->started) {
        self->started = true;
        self->next = seq;
    }
    bool known = seq < self->next;
    for (size_t i = 0; i < self->n_held && !known; i++)
        known = self->held[i].seq == seq;
    s_held_t *held =
        known ? self->held : zp_grow (self->held, &self->cap_held, self->n_held, sizeof *held, 16);
    if (held)
        self->held = held;
    else
        known = true; /* dropped: a replay brings it again */
    if (known) {
        zp_wire_close (msg);
        return;
    }
    self->held[self->n_held++] = (s_held_t){seq, *msg};
}

bool zp_sequencer_next (zp_sequencer_t *self, zp_wire_msg_t *msg)
{
    for (size_t i = 0; i < self->n_held; i++)
        if (self->held[i].seq == self->next) {
            *msg = self->held[i].msg;
            self->held[i] = self->held[--self->n_held];
            self->next++;
            return true;
        }
    return false;
}

bool zp_sequencer_gap (zp_sequencer_t *self, uint64_t *from, uint64_t *to)
{
    if (!self->n_held) {
        self->asked = 0;
        return false;
    }
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < self->n_held; i++)
        if (self->held[i].seq < first)
            first = self->held[i].seq;
    if (first == self->next)
        return false; /* nothing missing: the caller takes it with next() */
    int64_t now = zclock_mono ();
    if (self->asked && now - self->asked < 500)
        return false;
    self->asked = now;
    *from = self->next;
    *to = first - 1;
    return true;
}
