/*  zp_frame: what every zpregel frame shares: the protocol version, the kinds
    of message, and the error codes a decoder returns for a frame it rejects.

    A frame is one CBOR array whose first two elements are the kind and the
    protocol version. Decoders return 0 or one of the negative ZP_E* codes; a
    node that gets an error drops the frame, counts it and logs it with the
    peer's identity (zp_frame_strerror gives the text).

    If you add a message kind: give it a number here, an encoder and decoder
    (zp_batch.c for data, zp_control.c for control), a test in
    tests/test_codec.c, and a line in docs/PROTOCOL.md.
*/
#ifndef ZP_FRAME_H
#define ZP_FRAME_H

#include <stddef.h>

#define ZP_PROTOCOL_VERSION 3

typedef enum {
    /* node -> master, over the control ROUTER */
    ZP_MSG_HELLO = 1,
    ZP_MSG_READY = 2,
    ZP_MSG_DONE = 3,
    ZP_MSG_RESULT = 4,
    ZP_MSG_FAIL = 5,
    ZP_MSG_REPLAY = 6, /* anyone -> master: resend broadcasts [from, to] */
    ZP_MSG_RSTATS = 7, /* router -> master: what it forwarded and combined */
    ZP_MSG_PING = 8,   /* node -> master: alive, and how far its compute is */
    ZP_MSG_MERGED = 9, /* router -> master: what one aggregation took in and sent on */
    /* master -> node, over the control ROUTER */
    ZP_MSG_ASSIGN = 16,
    ZP_MSG_BYE = 17,
    ZP_MSG_ROUTE = 18, /* master -> router: the workers, the program, settings */
    ZP_MSG_GONE = 19,  /* master -> anyone, for a REPLAY: broadcasts before `first` are not kept */
    /* master -> everyone, over the broadcast PUB */
    ZP_MSG_SYNC = 32,
    ZP_MSG_BEGIN = 33,
    ZP_MSG_TERMINATE = 34,
    ZP_MSG_HEARTBEAT = 35,
    ZP_MSG_PLAN = 36,
    ZP_MSG_CHECKPOINT = 37, /* the checkpoint of a superstep is complete */
    /* worker -> worker, over the data sockets */
    ZP_MSG_BATCH = 64,
    ZP_MSG_ACK = 65,
    ZP_MSG_END = 66, /* worker -> router: no more batches this superstep for a receiver */
} zp_msg_kind_t;

typedef enum {
    ZP_EMALFORMED = -1, /* not complete, well-formed CBOR */
    ZP_ETYPE = -2,      /* a field has the wrong CBOR type or a wrong tag */
    ZP_EKIND = -3,      /* unknown or unexpected message kind */
    ZP_EVERSION = -4,   /* another protocol version */
    ZP_ECOUNT = -5,     /* an array's length disagrees with the stated count */
    ZP_ERANGE = -6,     /* a value outside its allowed range */
    ZP_ETRAILING = -7,  /* bytes after the message */
    ZP_ECOMPRESS = -8,  /* compressed payload invalid or larger than allowed */
    ZP_ENOMEM = -9,     /* out of memory while decoding */
    ZP_ESENDER = -10,   /* the claimed sender is not the link the frame came on */
    ZP_EAHEAD = -11,    /* a superstep too far ahead of the receiver */
} zp_frame_err_t;

/* A static description of a frame error code. */
const char *zp_frame_strerror (int err);

/* Reads the kind of a frame without decoding the rest; -1 if it is not a
   zpregel frame of this protocol version. */
int zp_frame_kind (const void *data, size_t size);

#endif
