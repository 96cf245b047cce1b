/*  zpregel: the public API in one include.

    Writing a vertex program needs only zp_program.h (a plugin links against
    nothing: it calls the zp_* functions of the process that loads it).
    Running jobs from C needs zp_config.h and zp_job.h; following one,
    zp_watch.h, with zp_security.h for a job under CURVE. These headers are
    the whole installed API; the rest of the source tree is private and may
    change in any release. docs/ARCHITECTURE.md states the ABI policy.
*/
#ifndef ZPREGEL_H
#define ZPREGEL_H

#include "zp_types.h"
#include "zp_program.h"
#include "zp_config.h"
#include "zp_job.h"
#include "zp_security.h"
#include "zp_watch.h"

#endif
