/*  Fuzz target: a Graphalytics .properties file (zp_properties_load) and
    the lookups the loader makes in it. */
#include "fuzz.h"
#include "zp_properties.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    int fd;
    const char *path = zp_fuzz_file (data, size, &fd);
    if (!path)
        return 0;
    char err[1024];
    zp_properties_t *props = zp_properties_load (path, err, sizeof err);
    if (props) {
        const char *keys[] = {"vertex-file", "edge-file", "directed", "meta.vertices",
                              "pr.damping-factor"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            zp_properties_get (props, keys[i]);
            zp_properties_origin (props, keys[i]);
            free (zp_properties_path (props, keys[i]));
        }
        zp_properties_name (props);
        zp_properties_destroy (&props);
    }
    close (fd);
    return 0;
}
