/*  zp_properties: an LDBC Graphalytics dataset description (G.properties).

    Lines are `graph.NAME.KEY = VALUE`; '#' starts a comment. The loader keeps
    the KEY/VALUE pairs with the `graph.NAME.` prefix removed, so callers ask
    for "vertex-file", "directed" or "pr.damping-factor".
*/
#ifndef ZP_PROPERTIES_H
#define ZP_PROPERTIES_H

#include <stddef.h>

typedef struct zp_properties_s zp_properties_t;

/* NULL with a "file:line: ..." message in err on failure. */
zp_properties_t *zp_properties_load (const char *path, char *err, size_t errlen);
void zp_properties_destroy (zp_properties_t **self_p);

/* The value for KEY (without the graph.NAME. prefix), or NULL. Borrowed. */
const char *zp_properties_get (const zp_properties_t *self, const char *key);
/* The dataset name (NAME in graph.NAME.KEY). Borrowed. */
const char *zp_properties_name (const zp_properties_t *self);
/* Where KEY was set, as "file:line", for error messages. Borrowed. */
const char *zp_properties_origin (const zp_properties_t *self, const char *key);
/* The path of a file named by KEY, resolved against the properties file's
   directory. Caller frees; NULL if the key is absent. */
char *zp_properties_path (const zp_properties_t *self, const char *key);

#endif
