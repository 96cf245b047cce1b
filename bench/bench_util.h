/*  What the bench programs share: running a child with its peak memory,
    medians, and reading a file whole. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv, stdout to `out`; returns the exit status and peak RSS (kB). */
static inline int s_run (const char *const *argv, const char *out, long *rss_kb)
{
    fflush (NULL); /* else the child's freopen writes our buffered output again */
    pid_t pid = fork ();
    if (pid == 0) {
        if (out && !freopen (out, "w", stdout))
            _exit (127);
        execv (argv[0], (char *const *) argv);
        _exit (127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4 (pid, &status, 0, &ru) != pid)
        return -1;
    *rss_kb = ru.ru_maxrss;
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static inline int s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static inline double s_median (double *v, int n)
{
    qsort (v, (size_t) n, sizeof *v, s_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline char *s_read (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return NULL;
    fseek (f, 0, SEEK_END);
    long size = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *text = malloc ((size_t) size + 1);
    if (text && fread (text, 1, (size_t) size, f) != (size_t) size) {
        free (text);
        text = NULL;
    }
    if (text)
        text[size] = 0;
    fclose (f);
    return text;
}

#endif
