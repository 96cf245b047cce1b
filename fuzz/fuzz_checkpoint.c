/*  Fuzz target: a checkpoint file as zpregel reads one (checksum, zstd,
    header: zp_checkpoint_check_file), and the same bytes taken as the
    decompressed contents of a worker file, [magic, version, "worker",
    fingerprint, step, worker, state], whose state zp_partition_state_read
    checks; every array it accepts is read to its end. */
#include "fuzz.h"
#include "zp_checkpoint.h"
#include "zp_partition.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    int fd;
    const char *path = zp_fuzz_file (data, size, &fd);
    char err[512];
    if (path) {
        zp_checkpoint_check_file (path, err, sizeof err);
        close (fd);
    }
    zp_cbor_reader_t r;
    zp_cbor_reader_init (&r, data, size);
    if (zp_cbor_read_array_n (&r, 7) != 0)
        return 0;
    for (int i = 0; i < 6; i++)
        if (zp_cbor_skip (&r) != 0)
            return 0;
    zp_partition_state_t s;
    const char *what;
    volatile uint64_t sink = 0;
    if (zp_partition_state_read (&r, &s, &what) == 0) {
        for (size_t i = 0; i < s.n; i++)
            sink += s.values[8 * i] + s.halted[i];
        for (size_t i = 0; i < s.count; i++)
            sink += s.ids[4 * i] + (s.msgs ? s.msgs[8 * i] : 0);
        for (size_t i = 0; s.offsets && i <= s.count; i++)
            sink += s.offsets[8 * i];
        if (s.blob_size)
            sink += s.blob[s.blob_size - 1];
    }
    (void) sink;
    return 0;
}
