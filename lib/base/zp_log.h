/*  zp_log: czmq's log lines (zsys_*) behind one level for the process.

    The level comes from ZPREGEL_LOG_LEVEL (error, warning, info or debug;
    info when unset), which `--log-level` sets, so that the nodes a command
    starts log alike. error: what failed or was refused; warning: what the
    job survived (a recovery, a worker leaving); info: what it did that a
    user may want to know (resuming from a checkpoint); debug: every node's
    joining and every superstep's barrier.
*/
#ifndef ZP_LOG_H
#define ZP_LOG_H

#include <czmq.h>
#include <stdbool.h>

typedef enum { ZP_LOG_ERROR, ZP_LOG_WARNING, ZP_LOG_INFO, ZP_LOG_DEBUG } zp_log_level_t;

/* Whether lines of `level` are logged. */
bool zp_log_enabled (zp_log_level_t level);
/* The level a word names: 0, or -1 when it names none. */
int zp_log_parse (const char *word, zp_log_level_t *level);

/* `log` (a zsys_* function) with the arguments, if `level` is logged. */
#define ZP_LOG(level, log, ...)                                                                    \
    do {                                                                                           \
        if (zp_log_enabled (level))                                                                \
            log (__VA_ARGS__);                                                                     \
    } while (0)
#define zp_log_error(...)   ZP_LOG (ZP_LOG_ERROR, zsys_error, __VA_ARGS__)
#define zp_log_warning(...) ZP_LOG (ZP_LOG_WARNING, zsys_warning, __VA_ARGS__)
#define zp_log_info(...)    ZP_LOG (ZP_LOG_INFO, zsys_info, __VA_ARGS__)
#define zp_log_debug(...)   ZP_LOG (ZP_LOG_DEBUG, zsys_debug, __VA_ARGS__)

#endif
