/*  zp_log: the process's log level. */
#include "zp_log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_words[] = {"error", "warning", "info", "debug"};

int zp_log_parse (const char *word, zp_log_level_t *level)
{
    for (int i = 0; word && i < 4; i++)
        if (strcmp (word, s_words[i]) == 0) {
            *level = (zp_log_level_t) i;
            return 0;
        }
    return -1;
}

bool zp_log_enabled (zp_log_level_t level)
{
    /* Read once: -1 until then. */
    static atomic_int s_level = -1;
    int now = atomic_load (&s_level);
    if (now < 0) {
        zp_log_level_t parsed = ZP_LOG_INFO;
        zp_log_parse (getenv ("ZPREGEL_LOG_LEVEL"), &parsed);
        now = (int) parsed;
        atomic_store (&s_level, now);
    }
    return (int) level <= now;
}
