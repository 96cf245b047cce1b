/*  zp_output: see zp_output.h. */
#include "zp_output.h"
#include "zp_grow.h"
#include "zp_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_cmp_named (const void *a, const void *b)
{
    const zp_named_t *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

int zp_names_load (zp_names_t *self, const char *path, char *err, size_t errlen)
{
    memset (self, 0, sizeof *self);
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return -1;
    }
    size_t cap = 0, line_no = 0, size = 0;
    char *line = NULL;
    int rc = 0;
    while (rc == 0 && getline (&line, &size, f) >= 0) {
        line_no++;
        line[strcspn (line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *end;
        errno = 0;
        unsigned long long id = strtoull (line, &end, 10);
        if (end == line || line[0] == '-' || errno || *end != ' ' || !end[1]) {
            snprintf (err, errlen, "%s:%zu: expected \"id name\" (an unsigned id, a space, a name)",
                      path, line_no);
            rc = -1;
            break;
        }
        zp_named_t *grown = zp_grow (self->items, &cap, self->n, sizeof *grown, 1024);
        char *name = grown ? strdup (end + 1) : NULL;
        if (grown)
            self->items = grown;
        if (!name) {
            snprintf (err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        self->items[self->n++] = (zp_named_t){id, name};
    }
    free (line);
    fclose (f);
    if (rc == 0)
        qsort (self->items, self->n, sizeof *self->items, s_cmp_named);
    for (size_t i = 1; rc == 0 && i < self->n; i++)
        if (self->items[i].id == self->items[i - 1].id) {
            snprintf (err, errlen, "%s: vertex %" PRIu64 " is named twice", path,
                      self->items[i].id);
            rc = -1;
        }
    if (rc != 0)
        zp_names_free (self);
    return rc;
}

const char *zp_names_find (const zp_names_t *self, uint64_t id)
{
    zp_named_t key = {id, NULL};
    const zp_named_t *found =
        self->n ? bsearch (&key, self->items, self->n, sizeof key, s_cmp_named) : NULL;
    return found ? found->name : NULL;
}

void zp_names_free (zp_names_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        free (self->items[i].name);
    free (self->items);
    memset (self, 0, sizeof *self);
}

/* A CSV field: as it is, or quoted with its quotes doubled. */
static void s_csv_field (FILE *out, const char *text)
{
    if (!text[strcspn (text, ",\"\r\n")]) {
        fputs (text, out);
        return;
    }
    fputc ('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc ('"', out);
        fputc (*p, out);
    }
    fputc ('"', out);
}

/* One vertex's value as text, in buf; its length, or -1 if it does not fit. */
static int s_value_text (const zp_output_t *how, const zp_value_t *value, char *buf, size_t len)
{
    int n = how->columns ? how->columns (value, buf, len)
                         : zp_format_value (buf, len, *value, how->type);
    return n < 0 || (size_t) n >= len ? -1 : n;
}

/* A graph whose vertices are names (a CSV edge list of names): rows say
   the name where others say the id, which is only the vertex's number. */
static void s_header (FILE *out, const zp_output_t *how, bool by_name)
{
    if (how->format == ZP_OUTPUT_CSV)
        fputs (by_name ? "name,value\n" : how->names ? "id,name,value\n" : "id,value\n", out);
}

/* The longest value text a row takes, with its NUL. */
#define ZP_OUTPUT_VALUE_MAX 1024

/* One vertex's row: its id or name and its value's text, `len` bytes. */
static void s_row (FILE *out, const zp_output_t *how, uint64_t id, const char *name, bool by_name,
                   const char *value, size_t len)
{
    bool named = by_name || how->names;
    switch (how->format) {
    case ZP_OUTPUT_CSV:
        if (!by_name)
            fprintf (out, "%" PRIu64 ",", id);
        if (named) {
            s_csv_field (out, name ? name : "");
            fputc (',', out);
        }
        s_csv_field (out, value);
        fputc ('\n', out);
        break;
    case ZP_OUTPUT_JSONL:
        fputc ('{', out);
        if (!by_name)
            fprintf (out, "\"id\":%" PRIu64 "%s", id, named ? "," : "");
        if (named) {
            fputs ("\"name\":", out);
            if (name)
                zp_json_string (out, name);
            else
                fputs ("null", out);
        }
        fputs (",\"value\":", out);
        /* A number where the text is one JSON takes: not infinity, nor
           a program's own columns. */
        if (!how->columns && !strstr (value, "inf") && !strstr (value, "nan"))
            fputs (value, out);
        else
            zp_json_string (out, value);
        fputs ("}\n", out);
        break;
    default:
        if (by_name) {
            fprintf (out, "%s %s\n", name, value);
            break;
        }
        /* One write a row, the id by hand: fprintf took a third of writing
           a BFS's output. */
        char line[ZP_OUTPUT_VALUE_MAX + 24];
        int n = zp_format_u64 (line, 24, id, false);
        line[n] = ' ';
        memcpy (line + n + 1, value, len);
        line[n + 1 + len] = '\n';
        fwrite (line, 1, (size_t) n + len + 2, out);
    }
}

int zp_output_write (const zp_graph_t *g, const zp_value_t *values, const zp_output_t *how,
                     const char *path, char *err, size_t errlen)
{
    FILE *out = fopen (path, "w");
    if (!out) {
        snprintf (err, errlen, "%s: cannot write: %s", path, strerror (errno));
        return -1;
    }
    zp_output_t text = *how;
    if (text.format == ZP_OUTPUT_AUTO || text.format == ZP_OUTPUT_TEXT) {
        text.format = ZP_OUTPUT_TEXT;
        text.names = NULL; /* what the validators read: ids and values only */
    }
    setvbuf (out, NULL, _IOFBF, 1 << 20);
    bool by_name = g->names != NULL;
    s_header (out, &text, by_name);
    char buf[ZP_OUTPUT_VALUE_MAX];
    /* Ids and names both ascend: one walk pairs them. */
    size_t named = 0;
    for (uint64_t i = 0; i < g->n; i++) {
        int len = s_value_text (&text, &values[i * text.words], buf, sizeof buf);
        if (len < 0) {
            snprintf (err, errlen,
                      "%s: the program's format() wrote more than %zu bytes for vertex %" PRIu64,
                      path, sizeof buf - 1, g->ids[i]);
            fclose (out);
            return -1;
        }
        const char *name = NULL;
        if (text.names) {
            while (named < text.names->n && text.names->items[named].id < g->ids[i])
                named++;
            if (named < text.names->n && text.names->items[named].id == g->ids[i])
                name = text.names->items[named].name;
        }
        if (by_name)
            name = zp_graph_name (g, i);
        s_row (out, &text, g->ids[i], name, by_name, buf, (size_t) len);
    }
    if (fflush (out) != 0 || ferror (out)) {
        snprintf (err, errlen, "%s: write failed: %s", path, strerror (errno));
        fclose (out);
        return -1;
    }
    if (fclose (out) != 0) {
        snprintf (err, errlen, "%s: write failed: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}
