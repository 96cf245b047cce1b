/*  zp_json: the one piece of JSON writing the tree needs, a string. */
#ifndef ZP_JSON_H
#define ZP_JSON_H

#include <stdio.h>

/* Writes `text` (NULL: "") as a JSON string, quotes included. */
void zp_json_string (FILE *out, const char *text);

#endif
