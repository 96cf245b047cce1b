/*  Fuzz target: zp_batch_decode and zp_batch_peek, ACK and END frames,
    as a worker or router receives them from anyone on the network. A
    decoded view is read to its end (every id, every value or byte string),
    so a view that claims more than the frame holds is caught by
    AddressSanitizer. */
#include "fuzz.h"
#include "zp_batch.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static zp_compress_t *z;
    if (!z)
        z = zp_compress_new (1, zp_batch_max_plain (1 << 20));
    zp_batch_view_t view;
    volatile uint64_t sink = 0;
    if (zp_batch_decode (data, size, z, &view) == 0) {
        for (size_t i = 0; i < view.header.count; i++) {
            sink += zp_batch_id (&view, i);
            if (view.header.type == ZP_BYTES) {
                const uint8_t *p;
                size_t len;
                if (zp_batch_next_bytes (&view, &p, &len) == 0 && len)
                    sink += p[len - 1];
            } else
                sink += zp_batch_value (&view, i).bits;
        }
    }
    zp_batch_header_t header;
    /* What a peek accepts, a decode may refuse, never the other way. */
    int peeked = zp_batch_peek (data, size, &header);
    if (zp_batch_decode (data, size, z, &view) == 0 && peeked != 0)
        __builtin_trap ();
    zp_ack_t ack;
    zp_end_t end;
    sink += zp_ack_decode (data, size, &ack) == 0 ? ack.seq : 0;
    sink += zp_end_decode (data, size, &end) == 0 ? end.batches : 0;
    (void) sink;
    return 0;
}
