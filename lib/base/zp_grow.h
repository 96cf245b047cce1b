/*  zp_grow: room for one more item in an array that doubles as it fills.

    Internal to the library and the nodes. Typical use:
        s_held_t *held = zp_grow (self->held, &self->cap_held, self->n_held,
                                  sizeof *held, 16);
        if (!held)
            return -1;
        self->held = held;
        self->held[self->n_held++] = item;
*/
#ifndef ZP_GROW_H
#define ZP_GROW_H

#include <stddef.h>
#include <stdlib.h>

/* `array` (of *cap items of `size` bytes, n in use) with room for at
   least n + 1: itself, or moved and doubled (starting at `first`, *cap
   updated). NULL if memory ran out; `array` is then as it was. */
static inline void *zp_grow (void *array, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return array;
    size_t grown_cap = *cap ? *cap * 2 : first;
    void *grown = realloc (array, grown_cap * size);
    if (grown)
        *cap = grown_cap;
    return grown;
}

#endif
