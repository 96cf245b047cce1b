/*  zp_program: the registry of built-in programs, parameter access, combiner
    arithmetic, and the checks a program definition must pass before a job
    uses it (the same checks for built-ins and for shared objects). */
#include "zpregel/zp_program.h"
#include "zp_params.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The built-ins, defined in examples/algorithms/. */
extern const zp_program_t zp_bfs_program, zp_pagerank_program, zp_wcc_program, zp_cdlp_program,
    zp_lcc_program, zp_sssp_program, zp_kcore_program, zp_hits_program;

static const zp_program_t *const s_builtins[] = {
    &zp_bfs_program,   &zp_pagerank_program, &zp_wcc_program,
    &zp_cdlp_program,  &zp_lcc_program,      &zp_sssp_program,
    &zp_kcore_program, &zp_hits_program,     NULL};

const zp_program_t *const *zp_program_builtins (void)
{
    return s_builtins;
}

#define S_MAX_REGISTERED 64
static const zp_program_t *s_registered[S_MAX_REGISTERED];
static size_t s_n_registered;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

const zp_program_t *zp_program_find (const char *name)
{
    const zp_program_t *found = NULL;
    pthread_mutex_lock (&s_lock);
    for (size_t i = 0; !found && i < s_n_registered; i++)
        if (strcmp (s_registered[i]->name, name) == 0)
            found = s_registered[i];
    pthread_mutex_unlock (&s_lock);
    for (int i = 0; !found && s_builtins[i]; i++)
        if (strcmp (s_builtins[i]->name, name) == 0)
            found = s_builtins[i];
    return found;
}

int zp_program_register (const zp_program_t *program, char *err, size_t errlen)
{
    if (zp_program_check (program, err, errlen) != 0)
        return -1;
    int rc = 0;
    pthread_mutex_lock (&s_lock);
    for (size_t i = 0; i < s_n_registered; i++)
        if (strcmp (s_registered[i]->name, program->name) == 0) {
            snprintf (err, errlen, "a program named %s is already registered", program->name);
            rc = -1;
        }
    if (rc == 0 && s_n_registered == S_MAX_REGISTERED) {
        snprintf (err, errlen, "at most %d programs can be registered", S_MAX_REGISTERED);
        rc = -1;
    }
    if (rc == 0)
        s_registered[s_n_registered++] = program;
    pthread_mutex_unlock (&s_lock);
    return rc;
}

/* The path under which a shared object's program is registered. */
static bool s_is_path (const char *name)
{
    size_t len = strlen (name);
    return strchr (name, '/') || (len > 3 && strcmp (name + len - 3, ".so") == 0);
}

/* A copy of the program whose name is replaced by the object's path, so that
   the name in job files, ASSIGN and the registry is the same string. */
typedef struct {
    zp_program_t program;
    const char *own_name; /* the name the object declares (it stays loaded) */
    char path[];
} s_loaded_t;

/* The objects loaded, to find their own names. */
static const s_loaded_t *s_loaded[S_MAX_REGISTERED];
static size_t s_n_loaded;

const char *zp_program_own_name (const zp_program_t *program)
{
    const char *name = program->name;
    pthread_mutex_lock (&s_lock);
    for (size_t i = 0; i < s_n_loaded; i++)
        if (&s_loaded[i]->program == program && s_loaded[i]->own_name)
            name = s_loaded[i]->own_name;
    pthread_mutex_unlock (&s_lock);
    return name;
}

const zp_program_t *zp_program_load (const char *name, char *err, size_t errlen)
{
    const zp_program_t *found = zp_program_find (name);
    if (found)
        return found;
    if (!s_is_path (name)) {
        char names[256] = "";
        for (int i = 0; s_builtins[i]; i++) {
            size_t at = strlen (names);
            snprintf (names + at, sizeof names - at, "%s%s", i ? ", " : "", s_builtins[i]->name);
        }
        snprintf (err, errlen,
                  "unknown algorithm \"%s\" (built in: %s; or the path of a shared object)", name,
                  names);
        return NULL;
    }
    /* RTLD_NOW: an unresolved symbol is an error here, not a crash later. */
    void *handle = dlopen (name, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf (err, errlen, "cannot load program %s: %s", name, dlerror ());
        return NULL;
    }
    const zp_program_t *exported = dlsym (handle, "zp_program");
    if (!exported) {
        snprintf (err, errlen,
                  "%s does not export a program: it must define `const zp_program_t zp_program`",
                  name);
        dlclose (handle);
        return NULL;
    }
    /* An older program's object ends where the next version's fields
       begin: only that much is read, and the rest is zero. */
    size_t size = exported->api_version == 1   ? offsetof (zp_program_t, value_size)
                  : exported->api_version <= 3 ? offsetof (zp_program_t, supersteps)
                  : exported->api_version <= 6 ? offsetof (zp_program_t, result_type)
                                               : sizeof (zp_program_t);
    s_loaded_t *loaded = calloc (1, sizeof *loaded + strlen (name) + 1);
    if (!loaded) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    memcpy (&loaded->program, exported, size);
    loaded->own_name = exported->name;
    char why[512];
    if (zp_program_check (&loaded->program, why, sizeof why) != 0) {
        snprintf (err, errlen, "%s: %s", name, why);
        free (loaded);
        dlclose (handle);
        return NULL;
    }
    strcpy (loaded->path, name);
    loaded->program.name = loaded->path;
    /* Another thread may have loaded it meanwhile: then use that one. The
       object stays loaded for the life of the process either way. */
    if (zp_program_register (&loaded->program, why, sizeof why) != 0) {
        free (loaded);
        found = zp_program_find (name);
        if (!found)
            snprintf (err, errlen, "%s: %s", name, why);
        return found;
    }
    pthread_mutex_lock (&s_lock);
    if (s_n_loaded < S_MAX_REGISTERED)
        s_loaded[s_n_loaded++] = loaded;
    pthread_mutex_unlock (&s_lock);
    return &loaded->program;
}

static int s_param_index (const zp_params_t *params, const char *name)
{
    for (size_t i = 0; i < params->program->n_params; i++)
        if (strcmp (params->program->params[i].name, name) == 0)
            return (int) i;
    return -1;
}

double zp_param_f64 (const zp_params_t *params, const char *name)
{
    int i = s_param_index (params, name);
    return i < 0 ? NAN : params->values[i].f64;
}

int64_t zp_param_i64 (const zp_params_t *params, const char *name)
{
    int i = s_param_index (params, name);
    return i < 0 ? 0 : params->values[i].i64;
}

uint64_t zp_param_u64 (const zp_params_t *params, const char *name)
{
    int i = s_param_index (params, name);
    return i < 0 ? 0 : params->values[i].u64;
}

zp_value_t zp_combiner_identity (zp_combiner_t op, zp_type_t type)
{
    zp_value_t v = {.bits = 0};
    if (op == ZP_COMBINE_MIN) {
        if (type == ZP_F64)
            v.f64 = INFINITY;
        else if (type == ZP_U64)
            v.u64 = UINT64_MAX;
        else
            v.i64 = INT64_MAX;
    } else if (op == ZP_COMBINE_MAX) {
        if (type == ZP_F64)
            v.f64 = -INFINITY;
        else if (type == ZP_I64)
            v.i64 = INT64_MIN;
    }
    return v;
}

void zp_combiner_apply (zp_combiner_t op, zp_type_t type, zp_value_t *acc, zp_value_t m)
{
    if (type == ZP_F64) {
        if (op == ZP_COMBINE_SUM)
            acc->f64 += m.f64;
        else if (op == ZP_COMBINE_MIN)
            acc->f64 = m.f64 < acc->f64 ? m.f64 : acc->f64;
        else if (op == ZP_COMBINE_MAX)
            acc->f64 = m.f64 > acc->f64 ? m.f64 : acc->f64;
    } else if (type == ZP_U64) {
        if (op == ZP_COMBINE_SUM)
            acc->u64 += m.u64;
        else if (op == ZP_COMBINE_MIN)
            acc->u64 = m.u64 < acc->u64 ? m.u64 : acc->u64;
        else if (op == ZP_COMBINE_MAX)
            acc->u64 = m.u64 > acc->u64 ? m.u64 : acc->u64;
    } else {
        /* Wrap-around, not undefined behaviour, on overflow. */
        if (op == ZP_COMBINE_SUM)
            acc->i64 = (int64_t) ((uint64_t) acc->i64 + (uint64_t) m.i64);
        else if (op == ZP_COMBINE_MIN)
            acc->i64 = m.i64 < acc->i64 ? m.i64 : acc->i64;
        else if (op == ZP_COMBINE_MAX)
            acc->i64 = m.i64 > acc->i64 ? m.i64 : acc->i64;
    }
}

static bool s_fixed (zp_type_t t)
{
    return t == ZP_F64 || t == ZP_I64 || t == ZP_U64;
}

bool zp_program_in_edges (const zp_program_t *p)
{
    return (p->flags & (ZP_NEEDS_IN_EDGES | ZP_READS_NEIGHBOURS)) != 0;
}

zp_type_t zp_program_result_type (const zp_program_t *p)
{
    return p->result ? p->result_type : p->value_type;
}

size_t zp_program_value_words (const zp_program_t *p)
{
    return p->value_type == ZP_STRUCT ? (p->value_size + 7) / 8 : 1;
}

zp_type_t zp_program_wire_type (const zp_program_t *p)
{
    return p->message_type == ZP_STRUCT ? ZP_BYTES : p->message_type;
}

size_t zp_program_message_bytes (const zp_program_t *p)
{
    return p->message_type == ZP_STRUCT ? (p->message_size + 7) / 8 * 8 : 0;
}

int zp_program_check (const zp_program_t *p, char *err, size_t errlen)
{
    const char *name = p->name ? p->name : "(unnamed)";
    if (p->api_version < 1 || p->api_version > ZP_API_VERSION) {
        snprintf (err, errlen,
                  "program %s was built for zpregel API version %d; this is version %d (and "
                  "runs programs of versions 1 to %d)",
                  name, p->api_version, ZP_API_VERSION, ZP_API_VERSION);
        return -1;
    }
    if (!p->name || !*p->name || !p->compute) {
        snprintf (err, errlen, "program %s: a program needs a name and a compute function", name);
        return -1;
    }
    bool v2 = p->api_version >= 2;
    if (!s_fixed (p->value_type) && !(v2 && p->value_type == ZP_STRUCT)) {
        snprintf (err, errlen, "program %s: value_type must be ZP_F64, ZP_I64, ZP_U64%s", name,
                  v2 ? " or ZP_STRUCT" : " (ZP_STRUCT needs API version 2)");
        return -1;
    }
    if (p->value_type == ZP_STRUCT &&
        (p->value_size == 0 || p->value_size > ZP_MAX_VALUE_SIZE || !(p->format || p->result))) {
        snprintf (err, errlen,
                  "program %s: a ZP_STRUCT value needs value_size from 1 to %d bytes and a "
                  "format or result function for the output",
                  name, ZP_MAX_VALUE_SIZE);
        return -1;
    }
    if (p->result &&
        (p->api_version < 7 || p->value_type != ZP_STRUCT || !s_fixed (p->result_type))) {
        snprintf (err, errlen,
                  "program %s: result() needs API version 7, ZP_STRUCT values and a "
                  "result_type of ZP_F64, ZP_I64 or ZP_U64",
                  name);
        return -1;
    }
    if (v2 && p->persistent_aggregators >> p->n_aggregators) {
        snprintf (err, errlen, "program %s: persistent_aggregators names an aggregator beyond %zu",
                  name, p->n_aggregators);
        return -1;
    }
    if (!s_fixed (p->message_type) && p->message_type != ZP_BYTES &&
        !(v2 && p->message_type == ZP_STRUCT)) {
        snprintf (err, errlen,
                  "program %s: message_type must be ZP_F64, ZP_I64, ZP_U64, ZP_BYTES%s", name,
                  v2 ? " or ZP_STRUCT" : " (ZP_STRUCT needs API version 2)");
        return -1;
    }
    if (p->message_type == ZP_STRUCT) {
        if (p->message_size == 0 || p->message_size > ZP_MAX_VALUE_SIZE ||
            !(p->combiner == ZP_COMBINE_NONE ||
              (p->combiner == ZP_COMBINE_FN && p->combine_message))) {
            snprintf (err, errlen,
                      "program %s: ZP_STRUCT messages need message_size from 1 to %d bytes, and "
                      "combiner NONE, or FN with combine_message set",
                      name, ZP_MAX_VALUE_SIZE);
            return -1;
        }
    } else if (p->combiner > ZP_COMBINE_FN || (p->combiner == ZP_COMBINE_FN && !p->combine) ||
               (p->combiner != ZP_COMBINE_NONE && p->message_type == ZP_BYTES)) {
        snprintf (err, errlen,
                  "program %s: combiner must be NONE, SUM, MIN, MAX or FN (with combine set), "
                  "and NONE for byte messages",
                  name);
        return -1;
    }
    if ((p->flags & ZP_READS_NEIGHBOURS) && (p->api_version < 5 || !s_fixed (p->value_type))) {
        snprintf (err, errlen,
                  "program %s: ZP_READS_NEIGHBOURS needs API version 5 and a ZP_F64, ZP_I64 or "
                  "ZP_U64 value",
                  name);
        return -1;
    }
    if ((p->flags & ZP_MONOTONE) &&
        (p->api_version < 6 || !s_fixed (p->value_type) || p->message_type != p->value_type ||
         (p->combiner != ZP_COMBINE_MIN && p->combiner != ZP_COMBINE_MAX))) {
        snprintf (err, errlen,
                  "program %s: ZP_MONOTONE needs API version 6, a MIN or MAX combiner, and "
                  "value_type equal to message_type (ZP_F64, ZP_I64 or ZP_U64)",
                  name);
        return -1;
    }
    if (p->n_params > ZP_MAX_PARAMS || (p->n_params && !p->params)) {
        snprintf (err, errlen, "program %s: at most %d parameters", name, ZP_MAX_PARAMS);
        return -1;
    }
    for (size_t i = 0; i < p->n_params; i++)
        if (!p->params[i].name ||
            !(s_fixed (p->params[i].type) || p->params[i].type == ZP_VERTEX)) {
            snprintf (err, errlen,
                      "program %s: parameter %zu needs a name and type F64, I64, U64 or VERTEX",
                      name, i);
            return -1;
        }
    if (p->n_aggregators > ZP_MAX_AGGREGATORS || (p->n_aggregators && !p->aggregators)) {
        snprintf (err, errlen, "program %s: at most %d aggregators", name, ZP_MAX_AGGREGATORS);
        return -1;
    }
    for (size_t i = 0; i < p->n_aggregators; i++) {
        const zp_aggregator_def_t *a = &p->aggregators[i];
        if (!s_fixed (a->type) || a->op < ZP_COMBINE_SUM || a->op > ZP_COMBINE_MAX) {
            snprintf (err, errlen,
                      "program %s: aggregator %zu needs type F64/I64/U64 and op SUM/MIN/MAX", name,
                      i);
            return -1;
        }
    }
    return 0;
}
