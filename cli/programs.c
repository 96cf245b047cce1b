/*  zpregel programs: the built-in programs and their parameters. */
#include "zp_cli.h"

static const char *s_type_word (zp_type_t type)
{
    switch (type) {
    case ZP_F64:
        return "f64";
    case ZP_I64:
        return "i64";
    case ZP_U64:
        return "u64";
    case ZP_BYTES:
        return "bytes";
    case ZP_VERTEX:
        return "vertex";
    case ZP_STRUCT:
        return "struct";
    }
    return "?";
}

static void s_print_program (const zp_program_t *p, bool json)
{
    const char *name = zp_program_own_name (p);
    bool file = strcmp (name, p->name) != 0; /* a shared object, registered by its path */
    if (json) {
        printf ("{\"name\":");
        zp_json_string (stdout, name);
        if (file) {
            printf (",\"file\":");
            zp_json_string (stdout, p->name);
        }
        printf (",\"description\":");
        zp_json_string (stdout, p->description);
        printf (",\"api_version\":%d,\"value_type\":\"%s\",\"message_type\":\"%s\",\"params\":[",
                p->api_version, s_type_word (p->value_type), s_type_word (p->message_type));
    } else if (file)
        printf ("%s (%s) %s\n", name, p->name, p->description ? p->description : "");
    else
        printf ("%-6s %s\n", name, p->description ? p->description : "");
    for (size_t k = 0; k < p->n_params; k++) {
        const zp_param_def_t *d = &p->params[k];
        char def[64];
        zp_format_value (def, sizeof def, d->fallback, d->type == ZP_VERTEX ? ZP_U64 : d->type);
        if (json) {
            printf ("%s{\"name\":", k ? "," : "");
            zp_json_string (stdout, d->name);
            printf (",\"type\":\"%s\",\"property\":", s_type_word (d->type));
            if (d->property)
                zp_json_string (stdout, d->property);
            else
                printf ("null");
            printf (",\"required\":%s,\"default\":", d->required ? "true" : "false");
            if (d->required)
                printf ("null");
            else
                zp_json_string (stdout, def);
            printf (",\"help\":");
            zp_json_string (stdout, d->help);
            printf ("}");
        } else
            printf ("         job.params.%-12s %s (from %s; default %s)\n", d->name,
                    d->help ? d->help : "", d->property ? d->property : "-",
                    d->required ? "none, required" : def);
    }
    /* Every program that reads edge weights takes the job's weight column
       by name (the loader reads it, not the program: zp_job.c). */
    if (p->flags & ZP_NEEDS_WEIGHTS) {
        const char *help = "name of the edge property that holds the weights";
        if (json) {
            printf ("%s{\"name\":\"weight_property\",\"type\":\"text\",\"property\":",
                    p->n_params ? "," : "");
            if (p->weight_property)
                zp_json_string (stdout, p->weight_property);
            else
                printf ("null");
            printf (",\"required\":false,\"default\":\"weight\",\"help\":");
            zp_json_string (stdout, help);
            printf ("}");
        } else
            printf ("         job.params.%-12s %s (from %s; default weight)\n", "weight_property",
                    help, p->weight_property ? p->weight_property : "-");
    }
    if (json)
        printf ("]}\n");
}

int zp_cli_programs (int argc, char **argv)
{
    bool json = false;
    int named = 0;
    for (int i = 1; i < argc; i++) {
        if (streq (argv[i], "--help") || streq (argv[i], "-h")) {
            printf ("usage: zpregel programs [--json] [NAME|PATH.so]...\n\n"
                    "Lists vertex programs and their parameters: the built-in ones, or those\n"
                    "named (a built-in's name, or a shared object's path, which is loaded and\n"
                    "checked as a job would). --json: one JSON object per program.\n");
            return 0;
        }
        if (streq (argv[i], "--json"))
            json = true;
        else if (argv[i][0] == '-') {
            fprintf (stderr, "zpregel programs: unknown option %s (see --help)\n", argv[i]);
            return 2;
        } else
            named++;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        char err[1024];
        const zp_program_t *p = zp_program_load (argv[i], err, sizeof err);
        if (!p) {
            fprintf (stderr, "zpregel: %s\n", err);
            return 1;
        }
        s_print_program (p, json);
    }
    if (!named) {
        const zp_program_t *const *all = zp_program_builtins ();
        for (int i = 0; all[i]; i++)
            s_print_program (all[i], json);
    }
    return 0;
}
