"""The C API of libzpregel (include/zpregel/zp_job.h, zp_config.h) as ctypes.

Each Structure mirrors its C struct field for field, in order; the header
adds fields only at the end, so a newer library keeps these offsets. The
test suite checks sizes and offsets against the C compiler's
(tests/test_python.c).
"""
import ctypes
import ctypes.util
import os

c_u64 = ctypes.c_uint64
c_u32 = ctypes.c_uint32

ZP_F64, ZP_I64, ZP_BYTES, ZP_U64, ZP_VERTEX, ZP_STRUCT = 1, 2, 3, 4, 5, 6
ZP_JOB_TOP = 10
ZP_MAX_AGGREGATORS = 8
ZP_JOB_LIMIT, ZP_JOB_PROGRAM_CRASHED, ZP_JOB_INTERRUPTED = -3, -4, -5
SOMAJOR = 1


class Value(ctypes.Union):
    _fields_ = [("f64", ctypes.c_double), ("i64", ctypes.c_int64), ("u64", c_u64),
                ("bits", c_u64)]


class WorkerStep(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 64), ("active", c_u64), ("messages_out", c_u64),
                ("messages_in", c_u64), ("bytes_out", c_u64), ("bytes_in", c_u64),
                ("compute_seconds", ctypes.c_double), ("send_wait_seconds", ctypes.c_double),
                ("barrier_wait_seconds", ctypes.c_double)]


class StepReport(ctypes.Structure):
    _fields_ = [("step", c_u32), ("active", c_u64), ("messages", c_u64), ("bytes", c_u64),
                ("batches", c_u64), ("seconds", ctypes.c_double),
                ("compute_seconds", ctypes.c_double), ("slowest", ctypes.c_char * 64),
                ("retries", c_u64), ("duplicates", c_u64), ("halted", ctypes.c_bool),
                ("n_workers", c_u32), ("sent_messages", ctypes.POINTER(c_u64)),
                ("sent_bytes", ctypes.POINTER(c_u64)), ("workers", ctypes.POINTER(WorkerStep)),
                ("n_aggregates", c_u32), ("aggregates", Value * ZP_MAX_AGGREGATORS),
                ("checkpointed", ctypes.c_bool), ("planned", c_u32),
                # libzpregel 1.7
                ("mirrored", c_u64)]


class RouterReport(ctypes.Structure):
    _fields_ = [("router", c_u32), ("frames_in", c_u64), ("frames_out", c_u64),
                ("messages_in", c_u64), ("messages_out", c_u64), ("resent", c_u64)]


STEP_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(StepReport))


class Options(ctypes.Structure):
    _fields_ = [("on_step", STEP_FN), ("ctx", ctypes.c_void_p), ("spawn", ctypes.c_bool),
                ("exe", ctypes.c_char_p), ("overrides", ctypes.POINTER(ctypes.c_char_p)),
                ("n_overrides", ctypes.c_size_t), ("resume", ctypes.c_bool),
                ("quiet", ctypes.c_bool)]


class Summary(ctypes.Structure):
    _fields_ = [("program", ctypes.c_char * 64), ("value_type", ctypes.c_int),
                ("vertices", c_u64), ("edges", c_u64), ("directed", ctypes.c_bool),
                ("dropped_self_loops", c_u64), ("dropped_duplicates", c_u64),
                ("n_workers", c_u32), ("vertices_of", ctypes.POINTER(c_u64)),
                ("edges_of", ctypes.POINTER(c_u64)), ("imbalance_vertices", ctypes.c_double),
                ("imbalance_edges", ctypes.c_double), ("load_seconds", ctypes.c_double),
                ("compute_seconds", ctypes.c_double), ("output_seconds", ctypes.c_double),
                ("supersteps", c_u32), ("resumed_step", c_u32), ("active_at_end", c_u64),
                ("messages_at_end", c_u64), ("halted_by_master", ctypes.c_bool),
                ("converged", ctypes.c_bool), ("messages", c_u64), ("bytes", c_u64),
                ("batches", c_u64), ("retries", c_u64), ("duplicates", c_u64),
                ("recoveries", c_u32), ("workers_left", c_u32), ("routers_left", c_u32),
                ("n_routers", c_u32), ("routers", ctypes.POINTER(RouterReport)),
                ("n_top", ctypes.c_size_t), ("top_ids", c_u64 * ZP_JOB_TOP),
                ("top_values", Value * ZP_JOB_TOP), ("n_values", c_u64),
                ("ids", ctypes.POINTER(c_u64)), ("values", ctypes.POINTER(Value)),
                ("value_words", ctypes.c_size_t),
                # libzpregel 1.5
                ("names", ctypes.POINTER(ctypes.c_char)), ("name_at", ctypes.POINTER(c_u64)),
                # libzpregel 1.7
                ("mirrored", c_u64)]


def _candidates():
    """Where libzpregel may be, in the order tried."""
    here = os.path.dirname(os.path.abspath(__file__))
    name = "libzpregel.so.%d" % SOMAJOR
    explicit = os.environ.get("ZPREGEL_LIBRARY")
    if explicit:
        yield explicit
        return
    # Installed: PREFIX/lib/python3/dist-packages/zpregel -> PREFIX/lib.
    yield os.path.normpath(os.path.join(here, "..", "..", "..", name))
    # In the source tree: python/zpregel -> build/.
    yield os.path.normpath(os.path.join(here, "..", "..", "build", name))
    found = ctypes.util.find_library("zpregel")
    if found:
        yield found


def _executable(library_path):
    """The zpregel command beside the library (PREFIX/bin or build/), or None:
    it starts the tcp workers of a job on this host."""
    explicit = os.environ.get("ZPREGEL_BIN")
    if explicit:
        return explicit
    lib_dir = os.path.dirname(os.path.realpath(library_path))
    for path in (os.path.join(lib_dir, "..", "bin", "zpregel"), os.path.join(lib_dir, "zpregel")):
        if os.access(path, os.X_OK):
            return os.path.normpath(path)
    return None


def load():
    """Loads libzpregel and declares the calls used; (library, path, exe)."""
    # czmq would take SIGINT and SIGTERM from Python otherwise.
    os.environ.setdefault("ZSYS_SIGHANDLER", "false")
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        lib.zp_config_load_flags.restype = ctypes.c_void_p
        lib.zp_config_load_flags.argtypes = [
            ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
        lib.zp_config_destroy.restype = None
        lib.zp_config_destroy.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.zp_job_run.restype = ctypes.c_int
        lib.zp_job_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(Options),
                                   ctypes.POINTER(Summary), ctypes.c_char_p, ctypes.c_size_t]
        lib.zp_job_summary_free.restype = None
        lib.zp_job_summary_free.argtypes = [ctypes.POINTER(Summary)]
        return lib, path, _executable(path)
    raise ImportError("zpregel: cannot find libzpregel.so.%d; tried: %s. Set ZPREGEL_LIBRARY "
                      "to its path, or install zpregel (make install)" % (SOMAJOR, "; ".join(tried)))
