/*  Embedding zpregel: run a job file in this process and read every
    vertex's value in memory.

        cc embed.c -o embed $(pkg-config --cflags --libs zpregel)
        ./embed job.yaml [key.path=value]...     (prints "id value" lines)
*/
#include <zpregel/zpregel.h>

#include <inttypes.h>
#include <stdio.h>

int main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: %s JOB.yaml [key.path=value]...\n", argv[0]);
        return 2;
    }
    char err[1024];
    zp_config_t *cfg = zp_config_load (argv[1], (const char *const *) argv + 2, (size_t) argc - 2,
                                       err, sizeof err);
    if (!cfg) {
        fprintf (stderr, "%s\n", err);
        return 1;
    }
    zp_job_options_t options = {0}; /* no progress callback; nodes in this process */
    zp_job_summary_t summary;
    int rc = zp_job_run (cfg, &options, &summary, err, sizeof err);
    if (rc != 0)
        fprintf (stderr, "%s\n", err);
    /* A program whose values are structs (kcore, hits) says how to print
       one: its format function, as the job's output file shows it. */
    const zp_program_t *program = zp_program_load (cfg->algorithm, err, sizeof err);
    for (uint64_t i = 0; rc == 0 && i < summary.n_values; i++) {
        zp_value_t v = summary.values[i * summary.value_words];
        char text[512];
        if (program && program->format) {
            program->format (&summary.values[i * summary.value_words], text, sizeof text);
            printf ("%" PRIu64 " %s\n", summary.ids[i], text);
        } else if (summary.value_type == ZP_F64)
            printf ("%" PRIu64 " %.17g\n", summary.ids[i], v.f64);
        else if (summary.value_type == ZP_I64)
            printf ("%" PRIu64 " %" PRId64 "\n", summary.ids[i], v.i64);
        else
            printf ("%" PRIu64 " %" PRIu64 "\n", summary.ids[i], v.u64);
    }
    zp_job_summary_free (&summary);
    zp_config_destroy (&cfg);
    return rc == 0 ? 0 : 1;
}
