/*  zp_ratelog: see zp_ratelog.h. */
#include "zp_ratelog.h"

#include <time.h>

static int64_t s_second (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec;
}

bool zp_ratelog_allow (zp_ratelog_t *self, uint64_t *suppressed)
{
    int64_t second = s_second ();
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

uint64_t zp_ratelog_unreported (zp_ratelog_t *self, bool now)
{
    if (!self->suppressed || (!now && s_second () == self->window))
        return 0;
    uint64_t n = self->suppressed;
    self->suppressed = 0;
    return n;
}
