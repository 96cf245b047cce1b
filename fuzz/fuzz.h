/*  What the fuzz targets share (see fuzz/README.md): a decoder that takes a
    path reads the fuzzer's bytes from an in-memory file. */
#ifndef ZP_FUZZ_H
#define ZP_FUZZ_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* A path that reads `size` bytes of `data`: an in-memory file whose
   descriptor goes to *fd (the caller closes it); NULL if none. */
static inline const char *zp_fuzz_file (const uint8_t *data, size_t size, int *fd)
{
    static char path[64];
    *fd = memfd_create ("zpregel-fuzz", 0);
    if (*fd < 0)
        return NULL;
    for (size_t done = 0; done < size;) {
        ssize_t n = write (*fd, data + done, size - done);
        if (n <= 0) {
            close (*fd);
            return NULL;
        }
        done += (size_t) n;
    }
    snprintf (path, sizeof path, "/proc/self/fd/%d", *fd);
    return path;
}

#endif
