/*  zp_ratelog: logging that a flood of bad frames cannot turn into a flood
    of log lines.

    Internal to the library and the nodes. A node that drops a frame from a
    peer says so, naming the peer; a hostile peer could send a hundred
    thousand such frames a second. At most ZP_RATELOG_BURST lines are
    logged per second and per limiter; the rest are counted, and the next
    line that is logged says how many were not. A flood that ends inside
    its second has no next line: the owner asks zp_ratelog_unreported now
    and then (its idle tick, and when it closes) and logs the count itself.
*/
#ifndef ZP_RATELOG_H
#define ZP_RATELOG_H

#include <stdbool.h>
#include <stdint.h>

#define ZP_RATELOG_BURST 20

typedef struct {
    int64_t window; /* the second being counted (monotonic ms / 1000) */
    uint32_t logged;
    uint64_t suppressed; /* not logged since the last line that was */
} zp_ratelog_t;

/* Whether a line may be logged now. When it may, *suppressed is how many
   were not since the last one (and the count starts again). */
bool zp_ratelog_allow (zp_ratelog_t *self, uint64_t *suppressed);
/* How many lines were not logged and are still unreported once their
   second is over (or at once with `now`); the count starts again. 0 when
   there are none, or their second is still running. */
uint64_t zp_ratelog_unreported (zp_ratelog_t *self, bool now);

#endif
