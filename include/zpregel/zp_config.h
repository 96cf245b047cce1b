/*  zp_config: a job, as described by one YAML file.

    zp_config_load() parses the file with libyaml, applies `--set key=value`
    overrides, and checks every key against the schema in lib/config/zp_config.c:
    types, ranges, required keys; an unknown key is an error. An error names
    the file, the line, the key path and what was expected, e.g.

        job.yaml:12: workers[1].weight: expected a positive number, got "abc"

    Relative paths in the file are taken relative to the file's directory;
    relative paths given with --set, relative to the current directory.
    docs/CONFIG.md documents every key; keep it in step with the schema.
*/
#ifndef ZP_CONFIG_H
#define ZP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { ZP_TRANSPORT_INPROC = 0, ZP_TRANSPORT_TCP = 1 } zp_transport_t;
typedef enum {
    ZP_FORMAT_AUTO = 0,
    ZP_FORMAT_GRAPHALYTICS = 1,
    ZP_FORMAT_SNAP = 2,
    ZP_FORMAT_BINARY = 3,
    ZP_FORMAT_CSV = 4, /* added in 1.5: a CSV or TSV edge list, ids or names (job.csv) */
} zp_format_t;
/* job.output_format: how job.output is written. AUTO, the default, is
   resolved at load by job.output's extension (.csv: CSV, .jsonl or
   .ndjson: JSON lines, else text), so a loaded job never holds it. */
typedef enum {
    ZP_OUTPUT_AUTO = 0,
    ZP_OUTPUT_TEXT = 1,  /* "id value" lines, the Graphalytics format */
    ZP_OUTPUT_CSV = 2,   /* a header, then id[,name],value rows (RFC 4180) */
    ZP_OUTPUT_JSONL = 3, /* {"id":..,["name":..,]"value":..} per line */
} zp_output_format_t;
/* engine.on_limit: a job that reaches engine.max_supersteps with vertices
   still active or messages in flight has not converged. */
typedef enum {
    ZP_ON_LIMIT_FAIL = 0, /* an error: no output is written */
    ZP_ON_LIMIT_STOP = 1  /* the values as they are, marked not converged */
} zp_on_limit_t;

typedef enum { ZP_COMPRESS_AUTO = 0, ZP_COMPRESS_ON = 1, ZP_COMPRESS_OFF = 2 } zp_compress_mode_t;

/* A node's name is its ZeroMQ identity on every link (with a suffix of
   its own there), which holds at most 255 bytes: a name is 1 to this
   many bytes, with no control characters. */
#define ZP_NODE_NAME_MAX 200

typedef struct {
    char *name;
    zp_transport_t transport;
    char *endpoint;  /* tcp: where its data socket binds (zp_endpoint.h: a name, no port...) */
    char *advertise; /* tcp: where peers reach it, when not at `endpoint` (NAT, containers) */
    char *host;
    double weight;
    char *key; /* security.curve: the public certificate of the only key that may be this node */
} zp_worker_config_t;

/* One entry of job.params: checked against the program's parameters later,
   so it keeps its text and where it came from. */
typedef struct {
    char *name;
    char *value;
    char *origin; /* "file:line" or "--set k=v": for error messages */
} zp_param_config_t;

typedef struct {
    char *path; /* the YAML file */
    /* job */
    char *name;
    char *algorithm;
    char *graph;
    zp_format_t format;
    int directed; /* -1: not set */
    char *output;
    char *labels; /* optional "id name" file for the summary */
    zp_param_config_t *params;
    size_t n_params;
    /* master */
    char *control;
    char *broadcast;
    char *master_host; /* where the master runs (for launch) */
    char *http;        /* HOST:PORT of the metrics and status page, or NULL: none */
    uint32_t join_timeout_ms;
    /* reliability */
    uint32_t heartbeat_ms;   /* heartbeats both ways, this often */
    uint32_t liveness;       /* heartbeats missed before a node counts as dead */
    uint32_t ack_timeout_ms; /* an unACKed batch is sent again after this, doubling */
    uint32_t max_retries;
    uint32_t checkpoint_every; /* 0: no checkpoints */
    char *checkpoint_dir;      /* resolved relative to the YAML file */
    uint32_t max_recoveries;   /* restarts after a lost node, by zpregel run */
    /* workers */
    zp_worker_config_t *workers;
    size_t n_workers;
    /* routers (same fields; weight unused) */
    zp_worker_config_t *routers;
    size_t n_routers;
    /* routing */
    int routing_mode; /* zp_routing_mode_t */
    uint32_t replan_every;
    uint64_t heavy_bytes;
    uint32_t fan_in;
    double connection_cost;
    /* engine */
    uint64_t batch_bytes;
    uint32_t max_supersteps;
    zp_on_limit_t on_limit; /* what a job stopped by max_supersteps with work left does */
    int check_program; /* 1: check every vertex API call (ZPREGEL_CHECK_PROGRAM=1 sets the default)
                        */
    /* compression */
    zp_compress_mode_t compress_mode;
    uint32_t compress_level;
    uint64_t compress_min_bytes;
    /* placement (values are zp_balancer_t) */
    int place_vertices;  /* vertex -> partition */
    int place_workers;   /* partition -> worker */
    int balance_edges;   /* 1: balance by edges, 0: by vertices */
    uint32_t partitions; /* 0: sixteen per worker */
    /* security (CURVE on every tcp socket; paths resolved relative to the YAML file) */
    int curve;         /* 1: on */
    char *server_cert; /* secret certificate of every socket that binds tcp */
    char *client_cert; /* secret certificate this process connects with */
    char *allowed;     /* directory of the public certificates allowed to connect */
    /* Where each value came from, by key path (zp_config_origin). */
    struct zp_config_origin_s *origins;
    size_t n_origins, cap_origins;
    /* engine (added in 1.1: fields are added at the end) */
    uint32_t threads; /* compute threads a worker; 0: its process's CPUs, shared by its workers */
    /* engine (added in 1.2) */
    int pull; /* 1: dense supersteps pull over in-edges (engine.pull); 0: always push */
    /* job (added in 1.4) */
    zp_output_format_t output_format;
    /* job.csv (added in 1.5): how a CSV or TSV edge list is read */
    char *csv_delimiter; /* one character, or "tab"; NULL: ',' (a .tsv file: tab) */
    int csv_header;      /* 1: its first line names the columns; 0: it has none; -1: unset (1) */
    char *csv_source;    /* the source column: a name in the header, or a number from 1; NULL: 1 */
    char *csv_target;    /* the target column; NULL: 2 */
    char *csv_weight;    /* the weight column, or NULL: no weights */
    /* master (added in 1.6) */
    char *history; /* master.history: the directory that keeps each job's record, or NULL */
    /* racks (added in 1.6): host rack_hosts[i] is in rack rack_of[i] */
    char **rack_hosts;
    char **rack_of;
    size_t n_rack_hosts;
    /* links (added in 1.9): the link speeds the route planner prices a
       superstep's traffic with, in bytes a second (0: not given) */
    double link_host;    /* each host's link to its rack's switch, each way */
    double link_uplink;  /* each rack's uplink, each way */
    double link_latency; /* seconds a hop adds */
    char **link_hosts;   /* hosts whose link differs (links.hosts), */
    double *link_rates;  /* and their speeds */
    size_t n_link_hosts;
} zp_config_t;

/* Loads `path`, applying `n_overrides` strings of the form "key.path=value"
   (a list index one past the end adds an item: "workers[2].name=w3" on two
   workers), or "-key.path" to remove a key or a list item ("-job.params",
   "-workers[1]"). Returns NULL and writes a one-line message into err on
   any error. */
/* The rack `host` is in, as the job file's racks: say, or NULL. (Added in
   1.6.) */
const char *zp_config_rack (const zp_config_t *cfg, const char *host);
/* The speed of `host`'s link in bytes a second: its links.hosts entry, else
   links.host; 0 when neither is given. (Added in 1.9.) */
double zp_config_link (const zp_config_t *cfg, const char *host);

zp_config_t *zp_config_load (const char *path, const char *const *overrides, size_t n_overrides,
                             char *err, size_t errlen);
/* The same with `labels[i]` naming how override i was given, in errors
   and origins ("--graph edges.txt" instead of "--set job.graph=edges.txt";
   labels or an entry of it may be NULL), and with `path` NULL for a job
   that has no file: the overrides are all of it, and errors that would
   name a line of the file name ZP_CONFIG_NO_FILE. Its name is then the
   algorithm's. (Added in 1.4.) */
#define ZP_CONFIG_NO_FILE "the command line"
zp_config_t *zp_config_load_flags (const char *path, const char *const *overrides,
                                   const char *const *labels, size_t n_overrides, char *err,
                                   size_t errlen);
void zp_config_destroy (zp_config_t **self_p);

/* Whether a node whose `host:` is `host` runs on this machine: no host,
   "localhost", or this machine's host name. */
bool zp_config_is_local (const char *host);

/* Where the value of `key` ("workers[1].endpoint") came from: "FILE:LINE",
   or "--set key=value"; the file's path for a key that was not given. */
const char *zp_config_origin (const zp_config_t *self, const char *key);

/* Every key a job file may have, NULL-terminated: "job.algorithm", ...,
   "job.params" (its keys are the program's), "workers[].name", ...,
   "routers[].name", ... (for tools and the docs' own test). */
const char *const *zp_config_keys (void);

/* The value of job.params.NAME, or NULL. */
const zp_param_config_t *zp_config_param (const zp_config_t *self, const char *name);

#endif
