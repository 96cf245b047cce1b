/*  Helpers shared by the test files: paths, temp dirs, child processes with
    a bounded wait, and the LDBC Graphalytics validation rules. */
#ifndef ZP_TEST_H
#define ZP_TEST_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The source tree (ZPREGEL_ROOT, else "."), and a path inside it (static buffer rotation). */
const char *zp_test_root (void);
const char *zp_test_path (const char *rel);
/* The zpregel binary (ZPREGEL_BIN, else build/zpregel). */
const char *zp_test_bin (void);
/* The test program tests/plugins/NAME.c as built (ZPREGEL_BUILD, else
   build): its .so path (static buffer rotation). */
const char *zp_test_plugin (const char *name);
/* A fresh temporary directory (never removed while the test runs). */
const char *zp_test_tmpdir (void);
/* Whether dir holds a file whose name contains `part`; if so and `path`
   is not NULL, its path goes there. */
bool zp_test_find_file (const char *dir, const char *part, char *path, size_t len);
/* Writes text to dir/name and returns the full path (static buffer rotation). */
const char *zp_test_write (const char *dir, const char *name, const char *text);
/* Reads a whole file (caller frees); NULL if it cannot. */
char *zp_test_read (const char *path, size_t *len);

typedef struct {
    int status; /* exit code, or -1 if killed by a signal or timed out */
    bool timed_out;
    char *out; /* stdout (caller frees with zp_test_run_free) */
    char *err; /* stderr */
} zp_test_run_t;

/* Runs argv (NULL-terminated) with a bounded wait of `timeout_s` seconds;
   on timeout the child's process group is killed. */
void zp_test_run (const char *const *argv, int timeout_s, zp_test_run_t *result);
void zp_test_run_free (zp_test_run_t *result);

/* Starts argv in the background with stdout and stderr to files in a fresh
   directory; returns the pid (the child is killed if the test process dies). */
int zp_test_start (const char *const *argv, char *out_path, char *err_path);
/* Waits up to timeout_s for pid; returns its exit code, or -1 (then killed). */
int zp_test_wait (int pid, int timeout_s);
/* Waits up to timeout_s until the file contains `needle`; true if it did. */
bool zp_test_wait_for (const char *path, const char *needle, int timeout_s);
/* A tcp port on 127.0.0.1 that was free a moment ago. */
int zp_test_port (void);
/* GET http://127.0.0.1:PORT/PATH: the body (caller frees) and the status
   code in *code; NULL when nothing answered (5 s at most). */
char *zp_test_http_get (int port, const char *path, int *code);
/* How many processes have `needle` in their command line (from /proc). */
int zp_test_count_processes (const char *needle);
/* Waits up to timeout_s for every process with `needle` in its command
   line to end: NULL if they did, else what each one left is doing, per
   thread (caller frees). */
char *zp_test_processes_left (const char *needle, int timeout_s);
/* The pid of a process whose command line has both needles, or -1. */
int zp_test_find_process (const char *needle, const char *also);

/* The Debian dependency graph with a weight column added, so every
   algorithm runs on it (63,436 vertices, 264,191 arcs), written into `dir`
   as a Graphalytics dataset. Returns the .properties path (static). */
const char *zp_test_weighted_debian (const char *dir);

/* Validates an output file against a Graphalytics reference:
   rule "exact", "equivalence" or "epsilon" (|r - s| <= 1e-4 |r|, infinity
   matches only infinity); same vertex set first. 0, or -1 with a message. */
int zp_test_validate (const char *output, const char *reference, const char *rule, char *msg,
                      size_t len);

/* Whether two files hold the same bytes (false if either cannot be read). */
bool zp_test_same_file (const char *a, const char *b);

/* Largest relative difference between two outputs with the same vertices
   (values compared as doubles); -1 if the vertex sets differ. */
double zp_test_max_relative (const char *a, const char *b);

#endif
