/*  zpregel: the whole public API in one include.

    Writing a vertex program needs only zp_program.h. Running jobs from C
    needs zp_config.h and zp_job.h; following one, zp_watch.h. The rest is
    the machinery underneath, public so that tests and tools can use it.
*/
#ifndef ZPREGEL_H
#define ZPREGEL_H

#include "zp_types.h"
#include "zp_program.h"
#include "zp_config.h"
#include "zp_job.h"
#include "zp_watch.h"
#include "zp_security.h"
#include "zp_graph.h"
#include "zp_properties.h"
#include "zp_gen.h"
#include "zp_balance.h"
#include "zp_layout.h"
#include "zp_plan.h"
#include "zp_traffic.h"
#include "zp_master.h"
#include "zp_worker.h"
#include "zp_router.h"
#include "zp_process.h"
#include "zp_cbor.h"
#include "zp_frame.h"
#include "zp_batch.h"
#include "zp_control.h"
#include "zp_compress.h"
#include "zp_wire.h"
#include "zp_sequencer.h"

#endif
