/*  zp_crash: see zp_crash.h. */
#include "zp_crash.h"
#include "zp_process.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int s_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define S_N_SIGNALS (sizeof s_signals / sizeof s_signals[0])
static struct sigaction s_previous[S_N_SIGNALS];

typedef struct {
    const char *kind, *name;
    zp_crash_site_fn *site;
    const void *ctx;
    void *stack;
} s_watch_t;

static _Thread_local s_watch_t s_watch;

/* Appends text to buf (async-signal-safe). */
static size_t s_put (char *buf, size_t at, size_t cap, const char *text)
{
    while (text && *text && at + 1 < cap)
        buf[at++] = *text++;
    return at;
}

static size_t s_put_u64 (char *buf, size_t at, size_t cap, uint64_t v)
{
    char digits[24];
    size_t n = 0;
    do
        digits[n++] = (char) ('0' + v % 10);
    while ((v /= 10) && n < sizeof digits);
    while (n && at + 1 < cap)
        buf[at++] = digits[--n];
    return at;
}

static const char *s_signal_name (int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV (invalid memory access)";
    case SIGBUS:
        return "SIGBUS (bad memory access)";
    case SIGFPE:
        return "SIGFPE (arithmetic error, such as an integer division by zero)";
    case SIGILL:
        return "SIGILL (illegal instruction)";
    default:
        return "SIGABRT (abort, a failed assertion?)";
    }
}

static void s_handler (int sig, siginfo_t *info, void *context)
{
    (void) info;
    (void) context;
    const char *program = NULL;
    uint64_t step = 0, id = 0;
    if (!s_watch.site || !s_watch.site (s_watch.ctx, &program, &step, &id)) {
        /* Not the program's: the handler before ours decides. */
        for (size_t i = 0; i < S_N_SIGNALS; i++)
            if (s_signals[i] == sig)
                sigaction (sig, &s_previous[i], NULL);
        return; /* the fault happens again, or abort() raises again */
    }
    char line[512];
    size_t at = s_put (line, 0, sizeof line, "zpregel: ");
    at = s_put (line, at, sizeof line, s_watch.kind);
    at = s_put (line, at, sizeof line, " ");
    at = s_put (line, at, sizeof line, s_watch.name);
    at = s_put (line, at, sizeof line, ": program ");
    at = s_put (line, at, sizeof line, program);
    at = s_put (line, at, sizeof line, " crashed with ");
    at = s_put (line, at, sizeof line, s_signal_name (sig));
    at = s_put (line, at, sizeof line, " in superstep ");
    at = s_put_u64 (line, at, sizeof line, step);
    at = s_put (line, at, sizeof line, " at vertex ");
    at = s_put_u64 (line, at, sizeof line, id);
    at = s_put (line, at, sizeof line, "; a crash in a program is not retried\n");
    ssize_t unused = write (STDERR_FILENO, line, at);
    (void) unused;
    _exit (ZP_EXIT_PROGRAM_CRASHED);
}

static void s_install (void)
{
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_sigaction = s_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset (&sa.sa_mask);
    for (size_t i = 0; i < S_N_SIGNALS; i++)
        sigaction (s_signals[i], &sa, &s_previous[i]);
}

void zp_crash_watch (const char *kind, const char *name, zp_crash_site_fn *site, const void *ctx)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once (&once, s_install);
    s_watch.kind = kind;
    s_watch.name = name;
    s_watch.site = site;
    s_watch.ctx = ctx;
    if (!s_watch.stack) {
        /* Room to report a stack overflow from. */
        size_t size = 64 * 1024;
        stack_t ss = {.ss_sp = malloc (size), .ss_size = size, .ss_flags = 0};
        if (ss.ss_sp && sigaltstack (&ss, NULL) == 0)
            s_watch.stack = ss.ss_sp;
        else
            free (ss.ss_sp);
    }
}

void zp_crash_unwatch (void)
{
    s_watch.site = NULL;
    if (s_watch.stack) {
        stack_t ss = {.ss_flags = SS_DISABLE};
        sigaltstack (&ss, NULL);
        free (s_watch.stack);
        s_watch.stack = NULL;
    }
}
