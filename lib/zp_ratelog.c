/*  zp_ratelog: see zp_ratelog.h. */
#include "zp_ratelog.h"

#include <time.h>

bool zp_ratelog_allow (zp_ratelog_t *self, uint64_t *suppressed)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    int64_t second = (int64_t) ts.tv_sec;
    if (second != self->window) {
        self->window = second;
        self->logged = 0;
    }
    if (self->logged >= ZP_RATELOG_BURST) {
        self->suppressed++;
        return false;
    }
    self->logged++;
    *suppressed = self->suppressed;
    self->suppressed = 0;
    return true;
}
