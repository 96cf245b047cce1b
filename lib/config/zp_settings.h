/*  zp_settings: a job file turned into what its nodes run by (internal:
    lib/config/). The one place where a zp_config_t (the YAML, checked)
    becomes run-time settings:
    - the engine settings the master assigns every worker and router in
      ASSIGN and ROUTE (zp_settings_t); each node keeps its own copy;
    - the arguments of a worker or router actor (zp_node_args_t), as a
      node process reaches the master of its job file; the job that runs
      nodes in its own process changes what differs there (its in-process
      endpoints, no program of its own).
    The route planner's options are the planner's: zp_plan_options_of
    (router/zp_plan.h).
*/
#ifndef ZP_SETTINGS_H
#define ZP_SETTINGS_H

#include "zp_control.h"
#include "zp_node_args.h"
#include "zpregel/zp_config.h"

/* The engine settings of `cfg`. `checkpoint_dir` is reliability.
   checkpoint_dir as the nodes are to read it (made absolute by the
   caller), or NULL. */
zp_settings_t zp_settings_of (const zp_config_t *cfg, const char *checkpoint_dir);

/* The arguments of node `node` (one of cfg's workers or routers) run as a
   process of its own: it reaches the master at the job file's endpoints,
   binds its data endpoint, and loads only job.algorithm. `locality` and
   `security` must outlive the actor. */
zp_node_args_t zp_node_args_of (const zp_config_t *cfg, const zp_worker_config_t *node,
                                const char *locality, const zp_security_t *security);

#endif
