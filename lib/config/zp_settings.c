/*  zp_settings: see zp_settings.h. */
#include "zp_settings.h"

zp_settings_t zp_settings_of (const zp_config_t *cfg, const char *checkpoint_dir)
{
    return (zp_settings_t){.batch_bytes = cfg->batch_bytes,
                           .compress_level = cfg->compress_level,
                           .compress_min = cfg->compress_min_bytes,
                           .compress = cfg->compress_mode,
                           .max_supersteps = cfg->max_supersteps,
                           .check_program = (uint32_t) cfg->check_program,
                           .threads = cfg->threads,
                           .pull = (uint32_t) cfg->pull,
                           .ack_timeout_ms = cfg->ack_timeout_ms,
                           .max_retries = cfg->max_retries,
                           .heartbeat_ms = cfg->heartbeat_ms,
                           .liveness = cfg->liveness,
                           .checkpoint_every = cfg->checkpoint_every,
                           .checkpoint_dir = checkpoint_dir};
}

zp_node_args_t zp_node_args_of (const zp_config_t *cfg, const zp_worker_config_t *node,
                                const char *locality, const zp_security_t *security)
{
    return (zp_node_args_t){.name = node->name,
                            .control = cfg->control,
                            .broadcast = cfg->broadcast,
                            .data = {node->endpoint, NULL},
                            .advertise = node->advertise,
                            .locality = locality,
                            .join_timeout_ms = cfg->join_timeout_ms,
                            .security = security,
                            .program = cfg->algorithm,
                            .report_exit = true};
}
