/*  zp_json: JSON strings. */
#include "zp_json.h"

void zp_json_string (FILE *out, const char *text)
{
    fputc ('"', out);
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf (out, "\\%c", *p);
        else if ((unsigned char) *p < 0x20)
            fprintf (out, "\\u%04x", (unsigned char) *p);
        else
            fputc (*p, out);
    }
    fputc ('"', out);
}
