/*  zp_cli: what the commands of the zpregel binary share (cli/, one file
    per command: run.c for run and master, node.c for worker, router and
    launch, watch.c, plan.c, gen.c, programs.c, keygen.c; zpregel.c
    dispatches). Each command parses its own options; the job file and its
    --set/--unset overrides are loaded the same way by all (zp_cli_load).
*/
#ifndef ZP_CLI_H
#define ZP_CLI_H

#include "zp_actor.h"
#include "zp_gen.h"
#include "zp_log.h"
#include "zp_json.h"
#include "zp_job_internal.h"
#include "zp_settings.h"
#include "zp_stats.h"
#include "zp_plan.h"
#include "zp_process.h"
#include "zp_traffic.h"
#include "zpregel/zp_watch.h"
#include "zp_router.h"
#include "zp_worker.h"
#include "zp_endpoint.h"
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define ZP_VERSION "0.1.0"

/* --unset KEY: the override "-KEY" (zp_config_load), kept for the life of
   the process. NULL when there are too many. */
const char *zp_cli_unset (const char *key);
/* This binary, for starting worker processes. */
const char *zp_cli_exe (void);
/* The exit status of a process that SIGINT or SIGTERM stopped: 128 + it. */
int zp_cli_interrupted_status (void);
/* Loads `path` with `overrides` (--set values, and --unset ones from
   zp_cli_unset); on error says "zpregel: ERROR" on stderr and returns NULL. */
zp_config_t *zp_cli_load (const char *path, const char *const *overrides, size_t n_overrides);

/* The most in-process workers `zpregel run --workers N` starts. */
#define ZP_CLI_MAX_WORKERS 256

/* The commands: argv[0] is the command's name; each returns the exit status. */
int zp_cli_run (int argc, char **argv, bool spawn);       /* run, and master without spawn */
int zp_cli_node (int argc, char **argv, const char *cmd); /* worker, router, launch */
int zp_cli_watch (int argc, char **argv);
int zp_cli_plan (int argc, char **argv);
int zp_cli_gen (int argc, char **argv);
int zp_cli_programs (int argc, char **argv);
int zp_cli_keygen (int argc, char **argv);
int zp_cli_serve (int argc, char **argv);

#endif
