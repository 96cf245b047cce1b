/*  zp_crash: a vertex program that crashes is reported, not retried.

    Internal to the library. A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
    SIGABRT) in a thread that is running a program's compute() is a bug in
    the program: the handler writes one line to stderr naming the node, the
    program, the signal, the superstep and the vertex, and ends the process
    with ZP_EXIT_PROGRAM_CRASHED. A crash anywhere else goes on to the
    handler that was there before (the default one, or a sanitizer's), as if
    this one did not exist: a signal death, which zpregel recovers from as a
    lost node.

    The handler runs on an alternate stack (a program that overflows its
    stack is reported too) and uses only async-signal-safe calls.
*/
#ifndef ZP_CRASH_H
#define ZP_CRASH_H

#include <stdbool.h>
#include <stdint.h>

/* Where the watched thread computes: false when it is not inside a
   program's compute(), else the program's name, the superstep and the
   vertex id. Called from the signal handler: async-signal-safe. */
typedef bool zp_crash_site_fn (const void *ctx, const char **program, uint64_t *step,
                               uint64_t *vertex);

/* From now on, crashes in this thread while `site` (with `ctx`) says it
   computes are the program's: reported as `kind` `name` (e.g. "worker",
   "w2"). Installs the handlers once per process. The strings must outlive
   zp_crash_unwatch. */
void zp_crash_watch (const char *kind, const char *name, zp_crash_site_fn *site, const void *ctx);
/* This thread computes no more. */
void zp_crash_unwatch (void);

#endif
