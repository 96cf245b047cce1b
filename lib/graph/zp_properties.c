/*  zp_properties: reads a Graphalytics .properties file into key/value pairs. */
#include "zp_properties.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    char *value;
    char *origin;
} s_entry_t;

struct zp_properties_s {
    char *dir;
    char *name;
    s_entry_t *entries;
    size_t count;
};

static char *s_trim (char *s)
{
    while (isspace ((unsigned char) *s))
        s++;
    char *end = s + strlen (s);
    while (end > s && isspace ((unsigned char) end[-1]))
        *--end = 0;
    return s;
}

zp_properties_t *zp_properties_load (const char *path, char *err, size_t errlen)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        snprintf (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return NULL;
    }
    zp_properties_t *self = calloc (1, sizeof *self);
    char *copy = strdup (path);
    if (!self || !copy) {
        free (copy);
        free (self);
        fclose (file);
        snprintf (err, errlen, "%s: out of memory", path);
        return NULL;
    }
    self->dir = strdup (dirname (copy));
    free (copy);
    char line[4096];
    size_t lineno = 0, cap = 0;
    int rc = 0;
    while (rc == 0 && fgets (line, sizeof line, file)) {
        lineno++;
        if (!strchr (line, '\n') && !feof (file)) {
            snprintf (err, errlen, "%s:%zu: line longer than %zu bytes", path, lineno,
                      sizeof line - 1);
            rc = -1;
            break;
        }
        char *s = s_trim (line);
        if (*s == 0 || *s == '#' || *s == '!')
            continue;
        char *eq = strchr (s, '=');
        if (!eq) {
            snprintf (err, errlen, "%s:%zu: expected graph.NAME.KEY = VALUE, got \"%.100s\"", path,
                      lineno, s);
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = s_trim (s), *value = s_trim (eq + 1);
        /* graph.NAME.KEY: NAME may not contain dots in Graphalytics datasets. */
        char *dot1 = strncmp (key, "graph.", 6) == 0 ? key + 5 : NULL;
        char *dot2 = dot1 ? strchr (dot1 + 1, '.') : NULL;
        if (!dot2 || dot2 == dot1 + 1 || !dot2[1]) {
            snprintf (err, errlen,
                      "%s:%zu: expected a key of the form graph.NAME.KEY, got \"%.100s\"", path,
                      lineno, key);
            rc = -1;
            break;
        }
        *dot2 = 0;
        if (!self->name)
            self->name = strdup (dot1 + 1);
        else if (strcmp (self->name, dot1 + 1) != 0) {
            snprintf (err, errlen, "%s:%zu: key for graph \"%s\" in the file of graph \"%s\"", path,
                      lineno, dot1 + 1, self->name);
            rc = -1;
            break;
        }
        if (self->count == cap) {
            cap = cap ? cap * 2 : 32;
            s_entry_t *grown = realloc (self->entries, cap * sizeof *grown);
            if (!grown) {
                snprintf (err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
            self->entries = grown;
        }
        char origin[4200];
        snprintf (origin, sizeof origin, "%s:%zu", path, lineno);
        s_entry_t *e = &self->entries[self->count++];
        e->key = strdup (dot2 + 1);
        e->value = strdup (value);
        e->origin = strdup (origin);
    }
    fclose (file);
    if (rc == 0 && !self->name) {
        snprintf (err, errlen, "%s: no graph.NAME.KEY entries: not a Graphalytics properties file",
                  path);
        rc = -1;
    }
    if (rc != 0)
        zp_properties_destroy (&self);
    return self;
}

void zp_properties_destroy (zp_properties_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_properties_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        free (self->entries[i].key);
        free (self->entries[i].value);
        free (self->entries[i].origin);
    }
    free (self->entries);
    free (self->dir);
    free (self->name);
    free (self);
    *self_p = NULL;
}

static const s_entry_t *s_find (const zp_properties_t *self, const char *key)
{
    /* The last assignment wins, as in Java properties files. */
    for (size_t i = self->count; i-- > 0;)
        if (strcmp (self->entries[i].key, key) == 0)
            return &self->entries[i];
    return NULL;
}

const char *zp_properties_get (const zp_properties_t *self, const char *key)
{
    const s_entry_t *e = s_find (self, key);
    return e ? e->value : NULL;
}

const char *zp_properties_origin (const zp_properties_t *self, const char *key)
{
    const s_entry_t *e = s_find (self, key);
    return e ? e->origin : NULL;
}

const char *zp_properties_name (const zp_properties_t *self)
{
    return self->name;
}

char *zp_properties_path (const zp_properties_t *self, const char *key)
{
    const char *value = zp_properties_get (self, key);
    if (!value)
        return NULL;
    if (value[0] == '/')
        return strdup (value);
    size_t len = strlen (self->dir) + strlen (value) + 2;
    char *path = malloc (len);
    if (path)
        snprintf (path, len, "%s/%s", self->dir, value);
    return path;
}
