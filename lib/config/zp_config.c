/*  zp_config: YAML job loader with a schema.

    libyaml loads the file into a document (a node tree that keeps each node's
    line). `--set` overrides are applied to that tree before anything is
    checked, so an override is validated exactly like the file itself; an
    overridden or created node carries a tag that names the override, so its
    errors point at the command line instead of a line of the file.

    The schema is a static table per section (s_job_keys, ...): a key's kind
    says how to parse its scalar and where to store it (an offset into
    zp_config_t or zp_worker_config_t). The walker rejects unknown and
    duplicate keys and reports missing required ones.

    If you add a key: add it to its table, to zp_config_t with its default in
    s_defaults(), and to docs/CONFIG.md.
*/
#include "zpregel/zp_config.h"
#include "zp_balance.h"
#include "zp_process.h"
#include "zp_endpoint.h"
#include "zp_grow.h"

#include <errno.h>
#include <pthread.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define S_SET_TAG "tag:zpregel.set,"

typedef enum {
    K_STRING,   /* non-empty text */
    K_PATH,     /* text, resolved relative to the YAML file */
    K_PROGRAM,  /* a program name, or a shared-object path (has a '/' or ends in .so) */
    K_UINT32,   /* whole number in [min, max] */
    K_SIZE,     /* bytes: whole number with optional KiB/MiB/GiB suffix, in [min, max] */
    K_DURATION, /* "250ms", "10s", "2m" or seconds; stored in ms */
    K_POSITIVE, /* number > 0 (double) */
    K_BOOL,     /* true/false; stored as int */
    K_ENUM,     /* one of choices; stored as int index */
    K_SECTION,  /* mapping described by children */
    K_WORKERS,  /* sequence of worker mappings */
    K_ROUTERS,  /* sequence of router mappings */
    K_NUMBER,   /* number >= 0 (double) */
    K_PARAMS,   /* mapping of free scalars (job.params) */
    K_ENDPOINT, /* a tcp endpoint (zp_endpoint.h) */
    K_ADDRESS,  /* HOST:PORT, a tcp endpoint without its tcp:// (master.http) */
    K_RACKS,    /* mapping of rack names to lists of host names (racks) */
    K_RATE,     /* a link's speed: "1Gbit", "200Mbit/s", "125MB/s"; stored in bytes a second */
    K_DELAY,    /* "100us", "2ms", "0.5s" or seconds; stored in seconds (double) */
    K_RATES,    /* mapping of host names to speeds (links.hosts) */
} s_kind_t;

struct zp_config_origin_s {
    char *key;
    char *origin;
};

typedef struct s_key_s {
    const char *name;
    s_kind_t kind;
    size_t offset;
    bool required;
    uint64_t min, max;
    const char *const *choices;
    const struct s_key_s *children;
} s_key_t;

#define S_END                                                                                      \
    {                                                                                              \
        NULL, 0, 0, false, 0, 0, NULL, NULL                                                        \
    }
#define S_OFF(field)  offsetof (zp_config_t, field)
#define S_WOFF(field) offsetof (zp_worker_config_t, field)

static const char *const s_formats[] = {"auto", "graphalytics", "snap", "binary", "csv", NULL};
static const char *const s_transports[] = {"inproc", "tcp", NULL};
static const char *const s_compress_modes[] = {"auto", "on", "off", NULL};
/* In the order of zp_output_format_t. */
static const char *const s_output_formats[] = {"auto", "text", "csv", "jsonl", NULL};
/* In the order of zp_on_limit_t. */
static const char *const s_on_limit[] = {"fail", "stop", NULL};
/* In the order of zp_balancer_t. */
static const char *const s_balancers[] = {"hash", "round_robin", "weighted", "range", NULL};
static const char *const s_balance_by[] = {"vertices", "edges", NULL};

static const s_key_t s_csv_keys[] = {
    {"delimiter", K_STRING, S_OFF (csv_delimiter), false, 0, 0, NULL, NULL},
    {"header", K_BOOL, S_OFF (csv_header), false, 0, 0, NULL, NULL},
    {"source", K_STRING, S_OFF (csv_source), false, 0, 0, NULL, NULL},
    {"target", K_STRING, S_OFF (csv_target), false, 0, 0, NULL, NULL},
    {"weight", K_STRING, S_OFF (csv_weight), false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_job_keys[] = {
    {"name", K_STRING, S_OFF (name), false, 0, 0, NULL, NULL},
    {"algorithm", K_PROGRAM, S_OFF (algorithm), true, 0, 0, NULL, NULL},
    {"graph", K_PATH, S_OFF (graph), true, 0, 0, NULL, NULL},
    {"format", K_ENUM, S_OFF (format), false, 0, 0, s_formats, NULL},
    {"directed", K_BOOL, S_OFF (directed), false, 0, 0, NULL, NULL},
    {"output", K_PATH, S_OFF (output), false, 0, 0, NULL, NULL},
    {"labels", K_PATH, S_OFF (labels), false, 0, 0, NULL, NULL},
    {"output_format", K_ENUM, S_OFF (output_format), false, 0, 0, s_output_formats, NULL},
    {"csv", K_SECTION, 0, false, 0, 0, NULL, s_csv_keys},
    {"params", K_PARAMS, 0, false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_master_keys[] = {
    {"control", K_ENDPOINT, S_OFF (control), false, 0, 0, NULL, NULL},
    {"broadcast", K_ENDPOINT, S_OFF (broadcast), false, 0, 0, NULL, NULL},
    {"host", K_STRING, S_OFF (master_host), false, 0, 0, NULL, NULL},
    {"join_timeout", K_DURATION, S_OFF (join_timeout_ms), false, 1, 86400000, NULL, NULL},
    {"http", K_ADDRESS, S_OFF (http), false, 0, 0, NULL, NULL},
    {"history", K_PATH, S_OFF (history), false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_worker_keys[] = {
    {"name", K_STRING, S_WOFF (name), true, 0, 0, NULL, NULL},
    {"transport", K_ENUM, S_WOFF (transport), false, 0, 0, s_transports, NULL},
    {"endpoint", K_ENDPOINT, S_WOFF (endpoint), false, 0, 0, NULL, NULL},
    {"advertise", K_ENDPOINT, S_WOFF (advertise), false, 0, 0, NULL, NULL},
    {"host", K_STRING, S_WOFF (host), false, 0, 0, NULL, NULL},
    {"weight", K_POSITIVE, S_WOFF (weight), false, 0, 0, NULL, NULL},
    {"key", K_PATH, S_WOFF (key), false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_router_keys[] = {
    {"name", K_STRING, S_WOFF (name), true, 0, 0, NULL, NULL},
    {"transport", K_ENUM, S_WOFF (transport), false, 0, 0, s_transports, NULL},
    {"endpoint", K_ENDPOINT, S_WOFF (endpoint), false, 0, 0, NULL, NULL},
    {"advertise", K_ENDPOINT, S_WOFF (advertise), false, 0, 0, NULL, NULL},
    {"host", K_STRING, S_WOFF (host), false, 0, 0, NULL, NULL},
    {"key", K_PATH, S_WOFF (key), false, 0, 0, NULL, NULL},
    S_END};

/* In the order of zp_routing_mode_t. */
static const char *const s_routing_modes[] = {"auto", "direct", "aggregated", "load_balanced",
                                              NULL};

static const s_key_t s_routing_keys[] = {
    {"mode", K_ENUM, S_OFF (routing_mode), false, 0, 0, s_routing_modes, NULL},
    {"replan_every", K_UINT32, S_OFF (replan_every), false, 0, 1000000, NULL, NULL},
    {"heavy_bytes", K_SIZE, S_OFF (heavy_bytes), false, 0, 1ull << 40, NULL, NULL},
    {"fan_in", K_UINT32, S_OFF (fan_in), false, 1, 1000000, NULL, NULL},
    {"connection_cost", K_NUMBER, S_OFF (connection_cost), false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_reliability_keys[] = {
    {"ack_timeout_ms", K_UINT32, S_OFF (ack_timeout_ms), false, 1, 600000, NULL, NULL},
    {"max_retries", K_UINT32, S_OFF (max_retries), false, 0, 1000, NULL, NULL},
    {"heartbeat_ms", K_UINT32, S_OFF (heartbeat_ms), false, 10, 3600000, NULL, NULL},
    {"liveness", K_UINT32, S_OFF (liveness), false, 2, 1000, NULL, NULL},
    {"checkpoint_every", K_UINT32, S_OFF (checkpoint_every), false, 0, 100000000, NULL, NULL},
    {"checkpoint_dir", K_PATH, S_OFF (checkpoint_dir), false, 0, 0, NULL, NULL},
    {"max_recoveries", K_UINT32, S_OFF (max_recoveries), false, 0, 1000, NULL, NULL},
    S_END};

static const s_key_t s_engine_keys[] = {
    {"batch_bytes", K_SIZE, S_OFF (batch_bytes), false, 256, 1ull << 30, NULL, NULL},
    {"max_supersteps", K_UINT32, S_OFF (max_supersteps), false, 1, 100000000, NULL, NULL},
    {"on_limit", K_ENUM, S_OFF (on_limit), false, 0, 0, s_on_limit, NULL},
    {"check_program", K_BOOL, S_OFF (check_program), false, 0, 0, NULL, NULL},
    {"threads", K_UINT32, S_OFF (threads), false, 0, 1024, NULL, NULL},
    {"pull", K_BOOL, S_OFF (pull), false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_compression_keys[] = {
    {"mode", K_ENUM, S_OFF (compress_mode), false, 0, 0, s_compress_modes, NULL},
    {"level", K_UINT32, S_OFF (compress_level), false, 1, 19, NULL, NULL},
    {"min_bytes", K_SIZE, S_OFF (compress_min_bytes), false, 0, 1ull << 30, NULL, NULL},
    S_END};

static const s_key_t s_placement_keys[] = {
    {"vertices", K_ENUM, S_OFF (place_vertices), false, 0, 0, s_balancers, NULL},
    {"workers", K_ENUM, S_OFF (place_workers), false, 0, 0, s_balancers, NULL},
    {"balance", K_ENUM, S_OFF (balance_edges), false, 0, 0, s_balance_by, NULL},
    {"partitions", K_UINT32, S_OFF (partitions), false, 1, 1u << 20, NULL, NULL},
    S_END};

static const s_key_t s_security_keys[] = {
    {"curve", K_BOOL, S_OFF (curve), false, 0, 0, NULL, NULL},
    {"server_cert", K_PATH, S_OFF (server_cert), false, 0, 0, NULL, NULL},
    {"client_cert", K_PATH, S_OFF (client_cert), false, 0, 0, NULL, NULL},
    {"allowed", K_PATH, S_OFF (allowed), false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_links_keys[] = {
    {"host", K_RATE, S_OFF (link_host), false, 0, 0, NULL, NULL},
    {"uplink", K_RATE, S_OFF (link_uplink), false, 0, 0, NULL, NULL},
    {"latency", K_DELAY, S_OFF (link_latency), false, 0, 0, NULL, NULL},
    {"hosts", K_RATES, 0, false, 0, 0, NULL, NULL},
    S_END};

static const s_key_t s_top_keys[] = {
    {"job", K_SECTION, 0, true, 0, 0, NULL, s_job_keys},
    {"master", K_SECTION, 0, false, 0, 0, NULL, s_master_keys},
    {"workers", K_WORKERS, 0, true, 0, 0, NULL, s_worker_keys},
    {"routers", K_ROUTERS, 0, false, 0, 0, NULL, s_router_keys},
    {"routing", K_SECTION, 0, false, 0, 0, NULL, s_routing_keys},
    {"engine", K_SECTION, 0, false, 0, 0, NULL, s_engine_keys},
    {"compression", K_SECTION, 0, false, 0, 0, NULL, s_compression_keys},
    {"placement", K_SECTION, 0, false, 0, 0, NULL, s_placement_keys},
    {"reliability", K_SECTION, 0, false, 0, 0, NULL, s_reliability_keys},
    {"security", K_SECTION, 0, false, 0, 0, NULL, s_security_keys},
    {"racks", K_RACKS, 0, false, 0, 0, NULL, NULL},
    {"links", K_SECTION, 0, false, 0, 0, NULL, s_links_keys},
    S_END};

typedef struct {
    zp_config_t *cfg;
    yaml_document_t *doc;
    const char *const *overrides;
    const char *const *labels; /* how each override was given (NULL: "--set ...") */
    bool no_file;              /* the overrides are the whole job (zp_config_load_flags) */
    char *dir;                 /* directory of the YAML file */
    char *err;
    size_t errlen;
} s_ctx_t;

/* How override i was given: "--set k=v", or its label ("--graph g"). */
static void s_given (const s_ctx_t *ctx, int i, char *buf, size_t len)
{
    if (ctx->labels && ctx->labels[i])
        snprintf (buf, len, "%s", ctx->labels[i]);
    else
        snprintf (buf, len, "--set %s", ctx->overrides[i]);
}

/* "file:line" or "--set k=v" for a node. */
static void s_origin (s_ctx_t *ctx, yaml_node_t *node, char *buf, size_t len)
{
    const char *tag = node && node->tag ? (const char *) node->tag : "";
    if (strncmp (tag, S_SET_TAG, strlen (S_SET_TAG)) == 0) {
        int i = atoi (tag + strlen (S_SET_TAG));
        s_given (ctx, i, buf, len);
    } else if (ctx->no_file)
        snprintf (buf, len, "%s", ctx->cfg->path);
    else
        snprintf (buf, len, "%s:%zu", ctx->cfg->path, node ? node->start_mark.line + 1 : 1);
}

static int s_fail (s_ctx_t *ctx, yaml_node_t *node, const char *path, const char *fmt, ...)
{
    char origin[512], msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    s_origin (ctx, node, origin, sizeof origin);
    if (path && *path)
        snprintf (ctx->err, ctx->errlen, "%s: %s: %s", origin, path, msg);
    else
        snprintf (ctx->err, ctx->errlen, "%s: %s", origin, msg);
    return -1;
}

static const char *s_scalar (yaml_node_t *node)
{
    return node->type == YAML_SCALAR_NODE ? (const char *) node->data.scalar.value : NULL;
}

/* Describes what a node holds, for "got ..." in messages. */
static void s_got (yaml_node_t *node, char *buf, size_t len)
{
    if (node->type == YAML_MAPPING_NODE)
        snprintf (buf, len, "a mapping");
    else if (node->type == YAML_SEQUENCE_NODE)
        snprintf (buf, len, "a list");
    else if (node->data.scalar.length == 0)
        snprintf (buf, len, "an empty value");
    else
        snprintf (buf, len, "\"%.200s\"", (const char *) node->data.scalar.value);
}

static int s_expected (s_ctx_t *ctx, yaml_node_t *node, const char *path, const char *what)
{
    char got[256];
    s_got (node, got, sizeof got);
    return s_fail (ctx, node, path, "expected %s, got %s", what, got);
}

static int s_parse_u64 (const char *text, uint64_t *value, const char **rest)
{
    if (!text || !(*text >= '0' && *text <= '9'))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull (text, &end, 10);
    if (errno)
        return -1;
    *value = v;
    *rest = end;
    return 0;
}

static int s_is_set_node (yaml_node_t *node)
{
    return node->tag && strncmp ((const char *) node->tag, S_SET_TAG, strlen (S_SET_TAG)) == 0;
}

static int s_store_string (s_ctx_t *ctx, yaml_node_t *node, const char *path, char **field,
                           bool is_path)
{
    const char *text = s_scalar (node);
    if (!text || !*text)
        return s_expected (ctx, node, path, is_path ? "a file path" : "a non-empty string");
    char *value;
    if (is_path && text[0] != '/' && !s_is_set_node (node)) {
        size_t len = strlen (ctx->dir) + strlen (text) + 2;
        value = malloc (len);
        if (value)
            snprintf (value, len, "%s/%s", ctx->dir, text);
    } else
        value = strdup (text);
    if (!value)
        return s_fail (ctx, node, path, "out of memory");
    free (*field);
    *field = value;
    return 0;
}

#define S_RATE_WHAT "a link speed such as 1Gbit, 200Mbit/s or 125MB/s (above 0)"

/* A link's speed: a number and a unit, bits ("bit", "kbit", "Mbit",
   "Gbit") or bytes ("B", "KB", "MB", "GB"), decimal, "/s" optional; in
   bytes a second. 0, or -1 when it is not one or not above 0. */
static int s_parse_rate (const char *text, double *rate)
{
    static const struct {
        const char *unit;
        double bytes;
    } units[] = {{"bit", 1.0 / 8}, {"kbit", 1e3 / 8}, {"Mbit", 1e6 / 8}, {"Gbit", 1e9 / 8},
                 {"B", 1},         {"KB", 1e3},       {"MB", 1e6},       {"GB", 1e9}};
    if (!text)
        return -1;
    char *end;
    errno = 0;
    double v = strtod (text, &end);
    if (errno || end == text || !isfinite (v) || v <= 0)
        return -1;
    size_t len = strlen (end);
    if (len >= 2 && strcmp (end + len - 2, "/s") == 0)
        len -= 2;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen (units[i].unit) == len && strncmp (end, units[i].unit, len) == 0) {
            *rate = v * units[i].bytes;
            return 0;
        }
    return -1;
}

static int s_store_scalar (s_ctx_t *ctx, const s_key_t *key, yaml_node_t *node, const char *path,
                           void *base)
{
    void *field = (char *) base + key->offset;
    const char *text = s_scalar (node);
    const char *rest;
    uint64_t u;
    char what[128];
    switch (key->kind) {
    case K_STRING:
    case K_PATH:
        return s_store_string (ctx, node, path, field, key->kind == K_PATH);
    case K_ENDPOINT:
    case K_ADDRESS: {
        zp_endpoint_t ep;
        char why[512];
        if ((key->kind == K_ADDRESS ? zp_endpoint_parse_address (text, &ep, why, sizeof why)
                                    : zp_endpoint_parse (text, &ep, why, sizeof why)) != 0)
            return s_fail (ctx, node, path, "%s", why);
        return s_store_string (ctx, node, path, field, false);
    }
    case K_PROGRAM: {
        size_t len = text ? strlen (text) : 0;
        bool is_path = text && (strchr (text, '/') || (len > 3 && !strcmp (text + len - 3, ".so")));
        if (is_path && !strchr (text, '/') && s_is_set_node (node)) {
            /* "libx.so" from --set is a file in the current directory, as
               the same name in the YAML file is one in its directory: never
               a search of the library path. */
            size_t size = strlen (text) + 3;
            char *value = malloc (size);
            if (!value)
                return s_fail (ctx, node, path, "out of memory");
            snprintf (value, size, "./%s", text);
            free (*(char **) field);
            *(char **) field = value;
            return 0;
        }
        return s_store_string (ctx, node, path, field, is_path);
    }
    case K_UINT32:
        snprintf (what, sizeof what, "a whole number from %llu to %llu",
                  (unsigned long long) key->min, (unsigned long long) key->max);
        if (s_parse_u64 (text, &u, &rest) != 0 || *rest || u < key->min || u > key->max)
            return s_expected (ctx, node, path, what);
        *(uint32_t *) field = (uint32_t) u;
        return 0;
    case K_SIZE: {
        snprintf (what, sizeof what,
                  "a size in bytes from %llu to %llu (suffix KiB, MiB, GiB allowed)",
                  (unsigned long long) key->min, (unsigned long long) key->max);
        if (s_parse_u64 (text, &u, &rest) != 0)
            return s_expected (ctx, node, path, what);
        uint64_t scale = 1;
        if (strcmp (rest, "KiB") == 0)
            scale = 1ull << 10;
        else if (strcmp (rest, "MiB") == 0)
            scale = 1ull << 20;
        else if (strcmp (rest, "GiB") == 0)
            scale = 1ull << 30;
        else if (*rest && strcmp (rest, "B") != 0)
            return s_expected (ctx, node, path, what);
        if (u > key->max / scale || u * scale < key->min)
            return s_expected (ctx, node, path, what);
        *(uint64_t *) field = u * scale;
        return 0;
    }
    case K_DURATION: {
        const char *what_d = "a duration such as 500ms, 10s or 2m";
        if (!text)
            return s_expected (ctx, node, path, what_d);
        char *end;
        errno = 0;
        double v = strtod (text, &end);
        double ms;
        if (errno || end == text || !isfinite (v) || v < 0)
            return s_expected (ctx, node, path, what_d);
        if (strcmp (end, "ms") == 0)
            ms = v;
        else if (strcmp (end, "s") == 0 || *end == 0)
            ms = v * 1000;
        else if (strcmp (end, "m") == 0)
            ms = v * 60000;
        else
            return s_expected (ctx, node, path, what_d);
        if (ms < (double) key->min || ms > (double) key->max)
            return s_fail (ctx, node, path, "expected a duration from %llums to %llums, got \"%s\"",
                           (unsigned long long) key->min, (unsigned long long) key->max, text);
        *(uint32_t *) field = (uint32_t) ms;
        return 0;
    }
    case K_RATE: {
        double rate;
        if (s_parse_rate (text, &rate) != 0)
            return s_expected (ctx, node, path, S_RATE_WHAT);
        *(double *) field = rate;
        return 0;
    }
    case K_DELAY: {
        char *end;
        errno = 0;
        double v = text ? strtod (text, &end) : 0;
        double scale = 0;
        if (text && !errno && end != text && isfinite (v) && v >= 0)
            scale = strcmp (end, "us") == 0               ? 1e-6
                    : strcmp (end, "ms") == 0             ? 1e-3
                    : strcmp (end, "s") == 0 || *end == 0 ? 1
                                                          : 0;
        if (scale == 0)
            return s_expected (ctx, node, path, "a delay such as 100us, 2ms or 0.5s");
        *(double *) field = v * scale;
        return 0;
    }
    case K_NUMBER: {
        char *end;
        errno = 0;
        double v = text ? strtod (text, &end) : 0;
        if (!text || errno || end == text || *end || !isfinite (v) || v < 0)
            return s_expected (ctx, node, path, "a number >= 0");
        *(double *) field = v;
        return 0;
    }
    case K_POSITIVE: {
        char *end;
        errno = 0;
        double v = text ? strtod (text, &end) : 0;
        if (!text || errno || end == text || *end || !isfinite (v) || v <= 0)
            return s_expected (ctx, node, path, "a positive number");
        *(double *) field = v;
        return 0;
    }
    case K_BOOL:
        if (text && (!strcmp (text, "true") || !strcmp (text, "yes") || !strcmp (text, "on")))
            *(int *) field = 1;
        else if (text && (!strcmp (text, "false") || !strcmp (text, "no") || !strcmp (text, "off")))
            *(int *) field = 0;
        else
            return s_expected (ctx, node, path, "true or false");
        return 0;
    case K_ENUM: {
        char list[256] = "";
        for (int i = 0; key->choices[i]; i++) {
            if (text && strcmp (text, key->choices[i]) == 0) {
                *(int *) field = i;
                return 0;
            }
            size_t at = strlen (list);
            snprintf (list + at, sizeof list - at, "%s%s", i ? ", " : "", key->choices[i]);
        }
        char what_e[300];
        snprintf (what_e, sizeof what_e, "one of: %s", list);
        return s_expected (ctx, node, path, what_e);
    }
    default:
        return s_fail (ctx, node, path, "internal schema error");
    }
}

static int s_section (s_ctx_t *ctx, yaml_node_t *node, const s_key_t *keys, void *base,
                      const char *path, yaml_node_t *owner);

/* Records where the value of `path` came from. */
static int s_note_origin (s_ctx_t *ctx, yaml_node_t *node, const char *path)
{
    zp_config_t *cfg = ctx->cfg;
    struct zp_config_origin_s *list =
        zp_grow (cfg->origins, &cfg->cap_origins, cfg->n_origins, sizeof *list, 32);
    if (!list)
        return s_fail (ctx, node, path, "out of memory");
    cfg->origins = list;
    char origin[600];
    s_origin (ctx, node, origin, sizeof origin);
    struct zp_config_origin_s *o = &list[cfg->n_origins];
    o->key = strdup (path);
    o->origin = strdup (origin);
    if (!o->key || !o->origin) {
        free (o->key);
        free (o->origin);
        return s_fail (ctx, node, path, "out of memory");
    }
    cfg->n_origins++;
    return 0;
}

/* Every key of the schema, as zp_config_keys lists them. */
static char s_key_names[160][64];
static const char *s_key_list[161];

static void s_list_keys (void)
{
    size_t n = 0;
    for (const s_key_t *top = s_top_keys; top->name; top++) {
        const s_key_t *children = top->children;
        bool list = top->kind == K_WORKERS || top->kind == K_ROUTERS;
        if (!children && n < 160) { /* racks: a key of its own */
            snprintf (s_key_names[n], sizeof s_key_names[n], "%s", top->name);
            s_key_list[n] = s_key_names[n];
            n++;
            continue;
        }
        for (const s_key_t *k = children; k && k->name && n < 160; k++) {
            if (k->kind == K_SECTION) { /* job.csv: its keys */
                for (const s_key_t *c = k->children; c->name && n < 160; c++) {
                    snprintf (s_key_names[n], sizeof s_key_names[n], "%s.%s.%s", top->name, k->name,
                              c->name);
                    s_key_list[n] = s_key_names[n];
                    n++;
                }
                continue;
            }
            snprintf (s_key_names[n], sizeof s_key_names[n], "%s%s.%s", top->name, list ? "[]" : "",
                      k->name);
            s_key_list[n] = s_key_names[n];
            n++;
        }
    }
    s_key_list[n] = NULL;
}

const char *const *zp_config_keys (void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once (&once, s_list_keys);
    return s_key_list;
}

const char *zp_config_origin (const zp_config_t *self, const char *key)
{
    for (size_t i = self->n_origins; i-- > 0;)
        if (strcmp (self->origins[i].key, key) == 0)
            return self->origins[i].origin;
    return self->path;
}

static int s_params (s_ctx_t *ctx, yaml_node_t *node, const char *path)
{
    if (node->type != YAML_MAPPING_NODE)
        return s_expected (ctx, node, path, "a mapping of parameter names to values");
    zp_config_t *cfg = ctx->cfg;
    size_t n = (size_t) (node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    cfg->params = calloc (n ? n : 1, sizeof *cfg->params);
    if (!cfg->params)
        return s_fail (ctx, node, path, "out of memory");
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node (ctx->doc, p->key);
        yaml_node_t *v = yaml_document_get_node (ctx->doc, p->value);
        char sub[512];
        const char *name = s_scalar (k);
        if (!name || !*name)
            return s_expected (ctx, k, path, "a parameter name");
        snprintf (sub, sizeof sub, "%s.%s", path, name);
        if (zp_config_param (cfg, name))
            return s_fail (ctx, k, sub, "duplicate key");
        if (v->type != YAML_SCALAR_NODE || v->data.scalar.length == 0)
            return s_expected (ctx, v, sub, "a value");
        char origin[600];
        s_origin (ctx, v, origin, sizeof origin);
        zp_param_config_t *param = &cfg->params[cfg->n_params++];
        param->name = strdup (name);
        param->value = strdup (s_scalar (v));
        param->origin = strdup (origin);
        if (!param->name || !param->value || !param->origin)
            return s_fail (ctx, v, sub, "out of memory");
    }
    return 0;
}

/* A list of workers (routers false) or routers. */
static int s_nodes (s_ctx_t *ctx, yaml_node_t *node, const char *path, bool routers)
{
    const char *what = routers ? "router" : "worker";
    if (node->type != YAML_SEQUENCE_NODE)
        return s_expected (ctx, node, path, routers ? "a list of routers" : "a list of workers");
    zp_config_t *cfg = ctx->cfg;
    size_t n = (size_t) (node->data.sequence.items.top - node->data.sequence.items.start);
    if (n == 0 && !routers)
        return s_fail (ctx, node, path, "expected at least one worker");
    zp_worker_config_t *list = calloc (n ? n : 1, sizeof *list);
    if (!list)
        return s_fail (ctx, node, path, "out of memory");
    if (routers) {
        cfg->routers = list;
        cfg->n_routers = n;
    } else {
        cfg->workers = list;
        cfg->n_workers = n;
    }
    for (size_t i = 0; i < n; i++) {
        zp_worker_config_t *w = &list[i];
        w->weight = 1.0;
        yaml_node_t *item = yaml_document_get_node (ctx->doc, node->data.sequence.items.start[i]);
        char sub[512];
        snprintf (sub, sizeof sub, "%s[%zu]", path, i);
        if (s_section (ctx, item, routers ? s_router_keys : s_worker_keys, w, sub, item) != 0)
            return -1;
        if (w->transport == ZP_TRANSPORT_TCP && !w->endpoint)
            return s_fail (ctx, item, sub,
                           "a tcp %s needs an endpoint (e.g. tcp://localhost: the port is "
                           "chosen at run time)",
                           what);
        size_t len = strlen (w->name);
        bool control = false;
        for (size_t k = 0; k < len; k++)
            control |= (unsigned char) w->name[k] < 0x20 || w->name[k] == 0x7f;
        if (len == 0 || len > ZP_NODE_NAME_MAX || control)
            return s_fail (ctx, item, sub,
                           "a %s name is 1 to %d bytes with no control characters, got %zu "
                           "bytes%s",
                           what, ZP_NODE_NAME_MAX, len, control ? " with control characters" : "");
        for (size_t j = 0; j < i; j++)
            if (strcmp (list[j].name, w->name) == 0)
                return s_fail (ctx, item, sub, "%s name \"%s\" is used twice", what, w->name);
    }
    return 0;
}

/* Pair p of a mapping under `path`: its key and value nodes, the key's
   text (NULL, reported as not `what`, when it is empty) and its path in
   sub ("racks.a"). */
static const char *s_map_key (s_ctx_t *ctx, const yaml_node_pair_t *p, const char *path,
                              const char *what, char *sub, size_t len, yaml_node_t **k,
                              yaml_node_t **v)
{
    *k = yaml_document_get_node (ctx->doc, p->key);
    *v = yaml_document_get_node (ctx->doc, p->value);
    const char *key = s_scalar (*k);
    snprintf (sub, len, "%s.%s", path, key ? key : "?");
    if (!key || !*key) {
        s_expected (ctx, *k, path, what);
        return NULL;
    }
    return key;
}

/* racks: {rack: [host, ...], ...}: each host in one rack. */
static int s_racks (s_ctx_t *ctx, yaml_node_t *node, const char *path)
{
    if (node->type != YAML_MAPPING_NODE)
        return s_expected (ctx, node, path, "a mapping of rack names to lists of hosts");
    zp_config_t *cfg = ctx->cfg;
    size_t hosts = 0;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *v = yaml_document_get_node (ctx->doc, p->value);
        if (v->type == YAML_SEQUENCE_NODE)
            hosts += (size_t) (v->data.sequence.items.top - v->data.sequence.items.start);
    }
    cfg->rack_hosts = calloc (hosts + 1, sizeof *cfg->rack_hosts);
    cfg->rack_of = calloc (hosts + 1, sizeof *cfg->rack_of);
    if (!cfg->rack_hosts || !cfg->rack_of)
        return s_fail (ctx, node, path, "out of memory");
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        char sub[512];
        const char *rack = s_map_key (ctx, p, path, "a rack's name", sub, sizeof sub, &k, &v);
        if (!rack)
            return -1;
        if (v->type != YAML_SEQUENCE_NODE)
            return s_expected (ctx, v, sub, "a list of host names ([host1, host2])");
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            yaml_node_t *h = yaml_document_get_node (ctx->doc, *it);
            const char *host = s_scalar (h);
            if (!host || !*host)
                return s_expected (ctx, h, sub, "a host name");
            for (size_t i = 0; i < cfg->n_rack_hosts; i++)
                if (strcmp (cfg->rack_hosts[i], host) == 0)
                    return s_fail (ctx, h, sub, "host \"%s\" is already in rack \"%s\"", host,
                                   cfg->rack_of[i]);
            size_t i = cfg->n_rack_hosts;
            cfg->rack_hosts[i] = strdup (host);
            cfg->rack_of[i] = strdup (rack);
            if (!cfg->rack_hosts[i] || !cfg->rack_of[i])
                return s_fail (ctx, h, sub, "out of memory");
            cfg->n_rack_hosts++;
        }
    }
    return 0;
}

/* links.hosts: {host: speed, ...}, each host once. */
static int s_rates (s_ctx_t *ctx, yaml_node_t *node, const char *path)
{
    if (node->type != YAML_MAPPING_NODE)
        return s_expected (ctx, node, path, "a mapping of host names to link speeds");
    zp_config_t *cfg = ctx->cfg;
    size_t n = (size_t) (node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    cfg->link_hosts = calloc (n + 1, sizeof *cfg->link_hosts);
    cfg->link_rates = calloc (n + 1, sizeof *cfg->link_rates);
    if (!cfg->link_hosts || !cfg->link_rates)
        return s_fail (ctx, node, path, "out of memory");
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        char sub[512];
        const char *host = s_map_key (ctx, p, path, "a host name", sub, sizeof sub, &k, &v);
        if (!host)
            return -1;
        for (size_t i = 0; i < cfg->n_link_hosts; i++)
            if (strcmp (cfg->link_hosts[i], host) == 0)
                return s_fail (ctx, k, sub, "duplicate key");
        double rate;
        if (v->type != YAML_SCALAR_NODE || s_parse_rate (s_scalar (v), &rate) != 0)
            return s_expected (ctx, v, sub, S_RATE_WHAT);
        if (!(cfg->link_hosts[cfg->n_link_hosts] = strdup (host)))
            return s_fail (ctx, k, sub, "out of memory");
        cfg->link_rates[cfg->n_link_hosts++] = rate;
    }
    return 0;
}

double zp_config_link (const zp_config_t *cfg, const char *host)
{
    for (size_t i = 0; host && i < cfg->n_link_hosts; i++)
        if (strcmp (cfg->link_hosts[i], host) == 0)
            return cfg->link_rates[i];
    return cfg->link_host;
}

const char *zp_config_rack (const zp_config_t *cfg, const char *host)
{
    for (size_t i = 0; host && i < cfg->n_rack_hosts; i++)
        if (strcmp (cfg->rack_hosts[i], host) == 0)
            return cfg->rack_of[i];
    return NULL;
}

/* `owner` is the node a missing key is reported at: the section's own key. */
static int s_section (s_ctx_t *ctx, yaml_node_t *node, const s_key_t *keys, void *base,
                      const char *path, yaml_node_t *owner)
{
    if (node->type != YAML_MAPPING_NODE)
        return s_expected (ctx, node, path, "a mapping");
    uint64_t seen = 0;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node (ctx->doc, p->key);
        yaml_node_t *v = yaml_document_get_node (ctx->doc, p->value);
        const char *name = s_scalar (k);
        char sub[512];
        snprintf (sub, sizeof sub, "%s%s%s", path, *path ? "." : "", name ? name : "?");
        int i = 0;
        while (keys[i].name && (!name || strcmp (keys[i].name, name) != 0))
            i++;
        if (!keys[i].name) {
            char list[512] = "";
            for (int j = 0; keys[j].name; j++) {
                size_t at = strlen (list);
                snprintf (list + at, sizeof list - at, "%s%s", j ? ", " : "", keys[j].name);
            }
            return s_fail (ctx, k, sub, "unknown key (expected one of: %s)", list);
        }
        if (seen & (1ull << i))
            return s_fail (ctx, k, sub, "duplicate key");
        seen |= 1ull << i;
        int rc;
        if (keys[i].kind == K_SECTION)
            rc = s_section (ctx, v, keys[i].children, base, sub, k);
        else if (keys[i].kind == K_WORKERS || keys[i].kind == K_ROUTERS)
            rc = s_nodes (ctx, v, sub, keys[i].kind == K_ROUTERS);
        else if (keys[i].kind == K_PARAMS)
            rc = s_params (ctx, v, sub);
        else if (keys[i].kind == K_RACKS)
            rc = s_racks (ctx, v, sub);
        else if (keys[i].kind == K_RATES)
            rc = s_rates (ctx, v, sub);
        else if (v->type != YAML_SCALAR_NODE)
            rc = s_expected (ctx, v, sub, "a single value");
        else if ((rc = s_store_scalar (ctx, &keys[i], v, sub, base)) == 0)
            rc = s_note_origin (ctx, v, sub);
        if (rc)
            return rc;
    }
    for (int i = 0; keys[i].name; i++)
        if (keys[i].required && !(seen & (1ull << i))) {
            char sub[512];
            snprintf (sub, sizeof sub, "%s%s%s", path, *path ? "." : "", keys[i].name);
            /* Without a file, no flag is to blame: the command line is. */
            return s_fail (ctx, ctx->no_file ? NULL : owner, sub, "required key is missing");
        }
    return 0;
}

/* Finds the value of `name` in mapping node `map` (0 if absent). */
static int s_find (yaml_document_t *doc, yaml_node_t *map, const char *name)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = s_scalar (yaml_document_get_node (doc, p->key));
        if (k && strcmp (k, name) == 0)
            return p->value;
    }
    return 0;
}

/* Applies override number `index` ("a.b[2].c=value") to the document. */
/* Removes what `text` ("-key.path", "-workers[2]") names from the
   document: a key of a mapping, or an item of a list. */
static int s_remove (s_ctx_t *ctx, const char *text)
{
    char *path = strdup (text + 1);
    if (!path)
        return -1;
    yaml_document_t *doc = ctx->doc;
    yaml_node_t *node = yaml_document_get_root_node (doc);
    int rc = -1;
    char *save = NULL;
    for (char *tok = strtok_r (path, ".", &save); tok && node; tok = strtok_r (NULL, ".", &save)) {
        char *bracket = strchr (tok, '[');
        long idx = -1;
        if (bracket) {
            char *end;
            idx = strtol (bracket + 1, &end, 10);
            if (end == bracket + 1 || strcmp (end, "]") != 0 || idx < 0)
                break;
            *bracket = 0;
        }
        bool last = !save || !*save;
        if (node->type != YAML_MAPPING_NODE)
            break;
        yaml_node_pair_t *pair = node->data.mapping.pairs.start;
        for (; pair < node->data.mapping.pairs.top; pair++) {
            const char *k = s_scalar (yaml_document_get_node (doc, pair->key));
            if (k && strcmp (k, tok) == 0)
                break;
        }
        if (pair == node->data.mapping.pairs.top)
            break;
        yaml_node_t *value = yaml_document_get_node (doc, pair->value);
        if (last && !bracket) { /* drop the pair */
            memmove (pair, pair + 1,
                     (size_t) (node->data.mapping.pairs.top - pair - 1) * sizeof *pair);
            node->data.mapping.pairs.top--;
            rc = 0;
            break;
        }
        if (bracket) {
            if (value->type != YAML_SEQUENCE_NODE ||
                idx >= value->data.sequence.items.top - value->data.sequence.items.start)
                break;
            yaml_node_item_t *item = value->data.sequence.items.start + idx;
            if (last) { /* drop the item */
                memmove (item, item + 1,
                         (size_t) (value->data.sequence.items.top - item - 1) * sizeof *item);
                value->data.sequence.items.top--;
                rc = 0;
                break;
            }
            value = yaml_document_get_node (doc, *item);
        }
        node = value;
    }
    if (rc != 0)
        snprintf (ctx->err, ctx->errlen, "--unset %s: no such key or list item", text + 1);
    free (path);
    return rc;
}

static int s_override (s_ctx_t *ctx, int index)
{
    const char *text = ctx->overrides[index];
    char given[512];
    s_given (ctx, index, given, sizeof given);
    if (text[0] == '-')
        return s_remove (ctx, text);
    const char *eq = strchr (text, '=');
    char tag[64];
    snprintf (tag, sizeof tag, S_SET_TAG "%d", index);
    if (!eq || eq == text) {
        snprintf (ctx->err, ctx->errlen, "%s: expected key.path=value", given);
        return -1;
    }
    char *path = strndup (text, (size_t) (eq - text));
    const char *value = eq + 1;
    if (!path)
        return -1;
    yaml_document_t *doc = ctx->doc;
    int cur = 1; /* the root node */
    if (!yaml_document_get_root_node (doc))
        cur = yaml_document_add_mapping (doc, (yaml_char_t *) tag, YAML_BLOCK_MAPPING_STYLE);
    int rc = -1;
    char *save = NULL;
    for (char *tok = strtok_r (path, ".", &save); tok; tok = strtok_r (NULL, ".", &save)) {
        char *bracket = strchr (tok, '[');
        long idx = -1;
        if (bracket) {
            char *end;
            idx = strtol (bracket + 1, &end, 10);
            if (end == bracket + 1 || strcmp (end, "]") != 0 || idx < 0) {
                snprintf (ctx->err, ctx->errlen, "%s: bad index in \"%s\"", given, tok);
                goto done;
            }
            *bracket = 0;
        }
        bool last = !bracket && save && !*save;
        yaml_node_t *node = yaml_document_get_node (doc, cur);
        if (node->type != YAML_MAPPING_NODE) {
            snprintf (ctx->err, ctx->errlen, "%s: \"%s\" is not inside a mapping", given, tok);
            goto done;
        }
        int next = s_find (doc, node, tok);
        if (!next) {
            int key = yaml_document_add_scalar (doc, (yaml_char_t *) tag, (yaml_char_t *) tok, -1,
                                                YAML_PLAIN_SCALAR_STYLE);
            if (last)
                next = yaml_document_add_scalar (doc, (yaml_char_t *) tag, (yaml_char_t *) value,
                                                 -1, YAML_PLAIN_SCALAR_STYLE);
            else if (bracket) {
                snprintf (ctx->err, ctx->errlen, "%s: there is no list \"%s\" to index", given,
                          tok);
                goto done;
            } else
                next =
                    yaml_document_add_mapping (doc, (yaml_char_t *) tag, YAML_BLOCK_MAPPING_STYLE);
            if (!key || !next || !yaml_document_append_mapping_pair (doc, cur, key, next))
                goto done;
            if (last) {
                rc = 0;
                goto done;
            }
        }
        if (bracket) {
            yaml_node_t *seq = yaml_document_get_node (doc, next);
            long n = seq->type == YAML_SEQUENCE_NODE
                         ? (long) (seq->data.sequence.items.top - seq->data.sequence.items.start)
                         : -1;
            if (n < 0) {
                snprintf (ctx->err, ctx->errlen, "%s: \"%s\" is not a list", given, tok);
                goto done;
            }
            if (idx > n) {
                snprintf (ctx->err, ctx->errlen,
                          "%s: index %ld out of range (%s has %ld: index %ld adds one)", given, idx,
                          tok, n, n);
                goto done;
            }
            if (idx == n) { /* one past the end: a new item */
                int item =
                    yaml_document_add_mapping (doc, (yaml_char_t *) tag, YAML_BLOCK_MAPPING_STYLE);
                if (!item || !yaml_document_append_sequence_item (doc, next, item))
                    goto done;
                seq = yaml_document_get_node (doc, next);
            }
            next = seq->data.sequence.items.start[idx];
        }
        cur = next;
    }
    yaml_node_t *target = yaml_document_get_node (doc, cur);
    if (target->type != YAML_SCALAR_NODE) {
        snprintf (ctx->err, ctx->errlen, "%s: cannot replace a whole section with a value", given);
        goto done;
    }
    char *copy = strdup (value), *tagcopy = strdup (tag);
    if (!copy || !tagcopy) {
        free (copy);
        free (tagcopy);
        goto done;
    }
    free (target->data.scalar.value);
    free (target->tag);
    target->data.scalar.value = (yaml_char_t *) copy;
    target->data.scalar.length = strlen (copy);
    target->tag = (yaml_char_t *) tagcopy;
    rc = 0;
done:
    if (rc && !ctx->err[0])
        snprintf (ctx->err, ctx->errlen, "%s: cannot apply", given);
    free (path);
    return rc;
}

/* A tcp endpoint of the job, for the checks across keys. */
typedef struct {
    const char *key; /* "workers[1].endpoint" */
    const char *text;
    zp_endpoint_t ep;
} s_tcp_t;

static int s_fail_at (const zp_config_t *cfg, const char *key, char *err, size_t errlen,
                      const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

/* "ORIGIN: KEY: message", ORIGIN where the key's value came from. */
static int s_fail_at (const zp_config_t *cfg, const char *key, char *err, size_t errlen,
                      const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    snprintf (err, errlen, "%s: %s: %s", zp_config_origin (cfg, key), key, msg);
    return -1;
}

/* What each endpoint is for: the master's must be reachable by name or
   address; a node's may bind every interface (*) when it says where peers
   reach it (advertise); no two may be the same fixed address. */
static int s_check_endpoints (const zp_config_t *cfg, char *err, size_t errlen)
{
    size_t n = cfg->n_workers + cfg->n_routers;
    s_tcp_t *all = calloc (2 * n + 2, sizeof *all);
    char (*keys)[64] = calloc (2 * n + 2, sizeof *keys);
    size_t count = 0;
    int rc = 0;
    if (!all || !keys) {
        snprintf (err, errlen, "%s: out of memory", cfg->path);
        rc = -1;
    }
    const char *master_text[2] = {cfg->control, cfg->broadcast};
    const char *master_key[2] = {"master.control", "master.broadcast"};
    for (int k = 0; rc == 0 && k < 2; k++) {
        if (!zp_endpoint_is_tcp (master_text[k]))
            continue;
        s_tcp_t *t = &all[count++];
        t->key = master_key[k];
        t->text = master_text[k];
        zp_endpoint_parse (t->text, &t->ep, err, errlen);
        if (strcmp (t->ep.host, "*") == 0)
            rc = s_fail_at (cfg, t->key, err, errlen,
                            "nodes connect to it, so it needs the master's host name or address, "
                            "not *");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool router = i >= cfg->n_workers;
        size_t k = router ? i - cfg->n_workers : i;
        const zp_worker_config_t *w = router ? &cfg->routers[k] : &cfg->workers[k];
        const char *list = router ? "routers" : "workers";
        if (w->transport != ZP_TRANSPORT_TCP)
            continue;
        if (!zp_endpoint_is_tcp (cfg->control) || !zp_endpoint_is_tcp (cfg->broadcast)) {
            snprintf (err, errlen,
                      "%s: master: %s %s uses tcp, so master.control and master.broadcast "
                      "must be tcp endpoints (e.g. tcp://localhost, the ports chosen at run time)",
                      cfg->path, router ? "router" : "worker", w->name);
            rc = -1;
            break;
        }
        s_tcp_t *t = &all[count++];
        snprintf (keys[2 * i], sizeof keys[0], "%s[%zu].endpoint", list, k);
        t->key = keys[2 * i];
        t->text = w->endpoint;
        zp_endpoint_parse (t->text, &t->ep, err, errlen);
        if (w->advertise) {
            zp_endpoint_t adv;
            snprintf (keys[2 * i + 1], sizeof keys[0], "%s[%zu].advertise", list, k);
            zp_endpoint_parse (w->advertise, &adv, err, errlen);
            if (strcmp (adv.host, "*") == 0)
                rc = s_fail_at (cfg, keys[2 * i + 1], err, errlen,
                                "peers connect to it, so it needs a host name or address, not *");
        } else if (strcmp (t->ep.host, "*") == 0)
            rc = s_fail_at (cfg, t->key, err, errlen,
                            "binds every interface (*), so peers need to be told where to reach "
                            "it: add %s[%zu].advertise: tcp://HOST",
                            list, k);
    }
    /* The same fixed address twice: the second bind would fail, later. */
    for (size_t i = 0; rc == 0 && i < count; i++)
        for (size_t j = 0; rc == 0 && j < i; j++)
            if (all[i].ep.port && all[i].ep.port == all[j].ep.port &&
                strcasecmp (all[i].ep.host, all[j].ep.host) == 0)
                rc = s_fail_at (cfg, all[i].key, err, errlen,
                                "%s is already %s (%s): every endpoint needs its own port, or "
                                "none (chosen at run time)",
                                all[i].text, all[j].key, zp_config_origin (cfg, all[j].key));
    free (all);
    free (keys);
    return rc;
}

/* What the schema cannot say: tcp workers need a master reachable over tcp. */
static int s_check_topology (const zp_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->curve == 1 && !(cfg->server_cert && cfg->client_cert && cfg->allowed)) {
        snprintf (err, errlen,
                  "%s: security.curve is on, so security.server_cert, security.client_cert and "
                  "security.allowed must be set (make certificates with 'zpregel keygen')",
                  cfg->path);
        return -1;
    }
    if (cfg->checkpoint_every && !cfg->checkpoint_dir) {
        snprintf (err, errlen,
                  "%s: reliability.checkpoint_every is %u, so reliability.checkpoint_dir must name "
                  "where checkpoints go",
                  cfg->path, cfg->checkpoint_every);
        return -1;
    }
    return s_check_endpoints (cfg, err, errlen);
}

bool zp_config_is_local (const char *host)
{
    return !host || !*host || strcmp (host, "localhost") == 0 ||
           strcmp (host, zp_process_hostname ()) == 0;
}

static void s_defaults (zp_config_t *cfg)
{
    cfg->format = ZP_FORMAT_AUTO;
    cfg->directed = -1;
    cfg->csv_header = -1;
    cfg->join_timeout_ms = 30000;
    cfg->heartbeat_ms = 1000;
    cfg->liveness = 5;
    cfg->ack_timeout_ms = 500;
    cfg->max_retries = 8;
    cfg->max_recoveries = 3;
    cfg->batch_bytes = 1u << 20;
    cfg->max_supersteps = 100000;
    /* The test suite checks every program it runs (make test sets it). */
    const char *check = getenv ("ZPREGEL_CHECK_PROGRAM");
    cfg->check_program = check && strcmp (check, "1") == 0;
    cfg->pull = 1;
    cfg->compress_mode = ZP_COMPRESS_AUTO;
    cfg->compress_level = 1;
    cfg->compress_min_bytes = 64u << 10;
    cfg->partitions = 0;
    /* Partitions onto workers by their edges: power-law graphs put most of
       the work in few vertices, and hashing 16 partitions a worker left 12%
       more edges on one of two workers at R-MAT scale 20 (1.01 this way). */
    cfg->place_workers = ZP_BALANCE_WEIGHTED;
    cfg->balance_edges = 1;
    cfg->routing_mode = 0;
    cfg->replan_every = 0;
    cfg->heavy_bytes = 0;
    cfg->fan_in = 3;
    cfg->connection_cost = 1.0;
}

/* The output format a path's extension says: .csv, .jsonl or .ndjson. */
static zp_output_format_t s_output_format_of (const char *path)
{
    const char *dot = path ? strrchr (path, '.') : NULL;
    if (dot && strchr (dot, '/'))
        dot = NULL;
    if (dot && strcasecmp (dot, ".csv") == 0)
        return ZP_OUTPUT_CSV;
    if (dot && (strcasecmp (dot, ".jsonl") == 0 || strcasecmp (dot, ".ndjson") == 0))
        return ZP_OUTPUT_JSONL;
    return ZP_OUTPUT_TEXT;
}

/* The job file's tree in *doc: loaded from `path`, or, without a file,
   an empty list of workers for the overrides to fill. 0, or -1 with a
   message. */
static int s_document (const char *path, yaml_document_t *doc, char *err, size_t errlen)
{
    if (!path) {
        if (!yaml_document_initialize (doc, NULL, NULL, NULL, 1, 1))
            return -1;
        /* {workers: []}, for "workers[0].name=w1" to add to. */
        int root = yaml_document_add_mapping (doc, NULL, YAML_BLOCK_MAPPING_STYLE);
        int key = yaml_document_add_scalar (doc, NULL, (yaml_char_t *) "workers", -1,
                                            YAML_PLAIN_SCALAR_STYLE);
        int list = yaml_document_add_sequence (doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
        if (!root || !key || !list || !yaml_document_append_mapping_pair (doc, root, key, list)) {
            yaml_document_delete (doc);
            return -1;
        }
        return 0;
    }
    FILE *file = fopen (path, "rb");
    if (!file) {
        snprintf (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return -1;
    }
    yaml_parser_t parser;
    yaml_parser_initialize (&parser);
    yaml_parser_set_input_file (&parser, file);
    int loaded = yaml_parser_load (&parser, doc);
    if (!loaded)
        snprintf (err, errlen, "%s:%zu: YAML syntax error: %s%s%s", path,
                  parser.problem_mark.line + 1, parser.problem ? parser.problem : "unknown",
                  parser.context ? " " : "", parser.context ? parser.context : "");
    yaml_parser_delete (&parser);
    fclose (file);
    return loaded ? 0 : -1;
}

zp_config_t *zp_config_load (const char *path, const char *const *overrides, size_t n_overrides,
                             char *err, size_t errlen)
{
    return zp_config_load_flags (path, overrides, NULL, n_overrides, err, errlen);
}

zp_config_t *zp_config_load_flags (const char *path, const char *const *overrides,
                                   const char *const *labels, size_t n_overrides, char *err,
                                   size_t errlen)
{
    err[0] = 0;
    const char *shown = path ? path : ZP_CONFIG_NO_FILE;
    zp_config_t *cfg = calloc (1, sizeof *cfg);
    if (!cfg) {
        snprintf (err, errlen, "%s: out of memory", shown);
        return NULL;
    }
    s_defaults (cfg);
    cfg->path = strdup (shown);
    char *dircopy = strdup (path ? path : "./job");
    s_ctx_t ctx = {cfg, NULL, overrides, labels, !path, NULL, err, errlen};
    if (!cfg->path || !dircopy) {
        free (dircopy);
        zp_config_destroy (&cfg);
        snprintf (err, errlen, "%s: out of memory", shown);
        return NULL;
    }
    ctx.dir = strdup (dirname (dircopy));
    free (dircopy);
    yaml_document_t doc;
    int rc = s_document (path, &doc, err, errlen);
    if (rc != 0 && !err[0])
        snprintf (err, errlen, "%s: out of memory", shown);
    if (rc == 0) {
        ctx.doc = &doc;
        for (size_t i = 0; rc == 0 && i < n_overrides; i++)
            rc = s_override (&ctx, (int) i);
        yaml_node_t *root = yaml_document_get_root_node (&doc);
        if (rc == 0 && !root) {
            snprintf (err, errlen,
                      "%s: the file is empty; a job needs at least job: and workers:", path);
            rc = -1;
        }
        if (rc == 0)
            rc = s_section (&ctx, root, s_top_keys, cfg, "", root);
        yaml_document_delete (&doc);
    }
    free (ctx.dir);
    if (rc == 0)
        rc = s_check_topology (cfg, err, errlen);
    if (rc != 0) {
        zp_config_destroy (&cfg);
        return NULL;
    }
    if (cfg->output_format == ZP_OUTPUT_AUTO)
        cfg->output_format = s_output_format_of (cfg->output);
    if (!cfg->name && !path)
        cfg->name = strdup (cfg->algorithm);
    if (!cfg->name) {
        char *copy = strdup (cfg->path), *base = basename (copy);
        char *dot = strrchr (base, '.');
        if (dot)
            *dot = 0;
        cfg->name = strdup (base);
        free (copy);
    }
    return cfg;
}

void zp_config_destroy (zp_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_config_t *cfg = *self_p;
    free (cfg->path);
    free (cfg->name);
    free (cfg->algorithm);
    free (cfg->graph);
    free (cfg->output);
    free (cfg->checkpoint_dir);
    free (cfg->server_cert);
    free (cfg->client_cert);
    free (cfg->allowed);
    free (cfg->labels);
    free (cfg->csv_delimiter);
    free (cfg->csv_source);
    free (cfg->csv_target);
    free (cfg->csv_weight);
    free (cfg->history);
    for (size_t i = 0; i < cfg->n_rack_hosts; i++) {
        free (cfg->rack_hosts[i]);
        free (cfg->rack_of[i]);
    }
    free (cfg->rack_hosts);
    free (cfg->rack_of);
    for (size_t i = 0; i < cfg->n_link_hosts; i++)
        free (cfg->link_hosts[i]);
    free (cfg->link_hosts);
    free (cfg->link_rates);
    for (size_t i = 0; i < cfg->n_params; i++) {
        free (cfg->params[i].name);
        free (cfg->params[i].value);
        free (cfg->params[i].origin);
    }
    free (cfg->params);
    for (size_t i = 0; i < cfg->n_origins; i++) {
        free (cfg->origins[i].key);
        free (cfg->origins[i].origin);
    }
    free (cfg->origins);
    free (cfg->control);
    free (cfg->broadcast);
    free (cfg->http);
    free (cfg->master_host);
    for (size_t i = 0; i < cfg->n_workers; i++) {
        free (cfg->workers[i].name);
        free (cfg->workers[i].endpoint);
        free (cfg->workers[i].advertise);
        free (cfg->workers[i].host);
        free (cfg->workers[i].key);
    }
    free (cfg->workers);
    for (size_t i = 0; i < cfg->n_routers; i++) {
        free (cfg->routers[i].name);
        free (cfg->routers[i].endpoint);
        free (cfg->routers[i].advertise);
        free (cfg->routers[i].host);
        free (cfg->routers[i].key);
    }
    free (cfg->routers);
    free (cfg);
    *self_p = NULL;
}

const zp_param_config_t *zp_config_param (const zp_config_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_params; i++)
        if (strcmp (self->params[i].name, name) == 0)
            return &self->params[i];
    return NULL;
}
