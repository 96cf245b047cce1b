"""zpregel from Python: run a job, get the values back as numpy arrays.

    import zpregel
    r = zpregel.run(algorithm="pr", graph="data/debian-deps.properties", workers=2)
    r.ids, r.values            # numpy arrays, ascending ids
    r.summary.supersteps       # the job's summary
    r.steps[0].messages        # one record a superstep
    r.to_dict()                # {id or name: value}

    r = zpregel.run("job.yaml", **{"job.algorithm": "wcc"})   # a job file, --set keys
    g = zpregel.Graph.from_networkx(G)                        # a graph in memory
    zpregel.run(algorithm="wcc", graph=g).to_dict()           # keyed by G's nodes

The package calls libzpregel (the C library `make install` puts under
PREFIX/lib) through ctypes: nothing is compiled at import. Errors raise
zpregel.Error with zpregel's own message, which names the file, the line
or the keyword that was wrong. See docs/PYTHON.md.
"""
import ctypes
import os
import shutil
import tempfile
import types

import numpy as np

from . import _native

__all__ = ["run", "Graph", "Result", "Error", "LimitReached", "library_path"]

_lib, library_path, _exe = _native.load()


class Error(Exception):
    """A job that could not run or failed: str(e) is zpregel's message."""


class LimitReached(Error):
    """The job stopped at engine.max_supersteps without converging."""


# Keyword arguments that stand for a command-line flag of `zpregel run`.
_FLAGS = {
    "algorithm": "job.algorithm",
    "graph": "job.graph",
    "output": "job.output",
    "output_format": "job.output_format",
    "threads": "engine.threads",
    "max_supersteps": "engine.max_supersteps",
}


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Graph):
        return value.path
    return str(value)


class Graph:
    """A graph held in memory, written once as a Graphalytics dataset in a
    temporary directory (removed with the object) for jobs to load.

    Vertex ids are unsigned integers. from_networkx numbers the nodes 0..n-1
    in the graph's order and keeps them as `names`: results then map back."""

    def __init__(self, path, names=None, tmpdir=None):
        self.path = path
        self.names = names
        self._tmpdir = tmpdir
        self._index = None

    def id_of(self, name):
        """The id a named vertex has in this graph (for a parameter such as
        BFS's or SSSP's source)."""
        if self.names is None:
            raise ValueError("zpregel: this graph's vertices have no names")
        if self._index is None:
            self._index = {node: i for i, node in enumerate(self.names)}
        return self._index[name]

    @classmethod
    def from_edges(cls, sources, targets, weights=None, directed=True, vertices=None,
                   names=None):
        """Edges as sequences (or numpy arrays) of unsigned integer ids;
        `vertices` adds isolated ones; `weights`, non-negative numbers, are
        loaded by programs that read weights (sssp)."""
        src = np.asarray(sources)
        dst = np.asarray(targets)
        if src.shape != dst.shape or src.ndim != 1:
            raise ValueError("zpregel: sources and targets must be 1-d and of one length")
        for what, a in (("sources", src), ("targets", dst)):
            if a.size and (a.dtype.kind not in "iu" or a.min() < 0):
                raise ValueError("zpregel: %s must be unsigned integer ids" % what)
        ids = np.union1d(src, dst).astype(np.uint64)
        if vertices is not None:
            ids = np.union1d(ids, np.asarray(vertices, dtype=np.uint64))
        if ids.size == 0:
            raise ValueError("zpregel: a graph needs at least one vertex")
        tmpdir = tempfile.mkdtemp(prefix="zpregel-graph-")
        try:
            np.savetxt(os.path.join(tmpdir, "g.v"), ids, fmt="%d")
            columns = [src.astype(np.uint64), dst.astype(np.uint64)]
            fmt = ["%d", "%d"]
            if weights is not None:
                w = np.asarray(weights, dtype=np.float64)
                if w.shape != src.shape:
                    raise ValueError("zpregel: weights must be as many as the edges")
                columns.append(w)
                fmt.append("%.17g")
            with open(os.path.join(tmpdir, "g.e"), "w") as f:
                if src.size:
                    np.savetxt(f, np.column_stack(columns).astype(object), fmt=fmt)
            props = ["graph.g.vertex-file = g.v", "graph.g.edge-file = g.e",
                     "graph.g.directed = %s" % ("true" if directed else "false")]
            if weights is not None:
                props.append("graph.g.edge-properties.names = weight")
            with open(os.path.join(tmpdir, "g.properties"), "w") as f:
                f.write("\n".join(props) + "\n")
        except Exception:
            shutil.rmtree(tmpdir, ignore_errors=True)
            raise
        return cls(os.path.join(tmpdir, "g.properties"), names=names, tmpdir=tmpdir)

    @classmethod
    def from_networkx(cls, G, weight=None):
        """A NetworkX graph: its nodes become ids 0..n-1 (kept as names),
        directed as G is; `weight` names the edge attribute to load."""
        nodes = list(G.nodes())
        index = {node: i for i, node in enumerate(nodes)}
        edges = list(G.edges(data=True))
        sources = [index[a] for a, _, _ in edges]
        targets = [index[b] for _, b, _ in edges]
        weights = None
        if weight is not None:
            weights = [d.get(weight, 1.0) for _, _, d in edges]
        return cls.from_edges(np.asarray(sources, dtype=np.uint64),
                              np.asarray(targets, dtype=np.uint64), weights=weights,
                              directed=G.is_directed(), vertices=np.arange(len(nodes)),
                              names=nodes)

    def close(self):
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Result:
    """A finished job: `ids` (numpy uint64, ascending), `values` (numpy
    float64, int64 or uint64; a 2-d array of raw words for programs with
    struct values), `names` (the graph's node names, or None), `summary`
    and `steps` (one record a superstep)."""

    def __init__(self, ids, values, names, summary, steps):
        self.ids = ids
        self.values = values
        self.names = names
        self.summary = summary
        self.steps = steps

    def to_dict(self):
        """{vertex: value}, the vertex by name when the graph had names."""
        keys = self.ids.tolist()
        if self.names is not None:
            keys = [self.names[i] for i in keys]
        return dict(zip(keys, self.values.tolist()))

    def top(self, n=10):
        """The n vertices with the largest values, largest first, as
        (vertex, value) pairs (the vertex by name when the graph had names;
        ties in ascending id order)."""
        if self.values.ndim != 1:
            raise ValueError("zpregel: values of this program are structs: no order")
        order = np.lexsort((self.ids, -self.values.astype(np.float64)))[:n]
        keys = self.ids[order].tolist()
        if self.names is not None:
            keys = [self.names[i] for i in keys]
        return list(zip(keys, self.values[order].tolist()))

    def __repr__(self):
        return "<zpregel.Result %s: %d vertices, %d supersteps>" % (
            self.summary.program, len(self.ids), self.summary.supersteps)


def _step_record(r):
    workers = [types.SimpleNamespace(
        name=w.name.decode(), active=w.active, messages_out=w.messages_out,
        messages_in=w.messages_in, bytes_out=w.bytes_out, bytes_in=w.bytes_in,
        compute_seconds=w.compute_seconds, send_wait_seconds=w.send_wait_seconds,
        barrier_wait_seconds=w.barrier_wait_seconds)
        for w in (r.workers[i] for i in range(r.workers and r.n_workers or 0))]
    return types.SimpleNamespace(
        step=r.step, active=r.active, messages=r.messages, bytes=r.bytes, batches=r.batches,
        seconds=r.seconds, compute_seconds=r.compute_seconds, slowest=r.slowest.decode(),
        retries=r.retries, duplicates=r.duplicates, halted=r.halted,
        checkpointed=r.checkpointed, planned=r.planned, mirrored=r.mirrored,
        workers=workers)


def _summary_record(s):
    fields = ("vertices", "edges", "directed", "dropped_self_loops", "dropped_duplicates",
              "n_workers", "imbalance_vertices", "imbalance_edges", "load_seconds",
              "compute_seconds", "output_seconds", "supersteps", "resumed_step",
              "active_at_end", "messages_at_end", "halted_by_master", "converged",
              "messages", "mirrored", "bytes", "batches", "retries", "duplicates", "recoveries",
              "workers_left", "routers_left")
    record = types.SimpleNamespace(program=s.program.decode(),
                                   **{f: getattr(s, f) for f in fields})
    record.routers = [types.SimpleNamespace(
        router=r.router, frames_in=r.frames_in, frames_out=r.frames_out,
        messages_in=r.messages_in, messages_out=r.messages_out, resent=r.resent)
        for r in (s.routers[i] for i in range(s.routers and s.n_routers or 0))]
    return record


def _names(s):
    """The vertices' names the job's graph gave (a CSV of names): by id,
    which is then the vertex's index."""
    n = s.n_values
    if not n:
        return []
    at = np.ctypeslib.as_array(s.name_at, shape=(n + 1,)).tolist()
    blob = ctypes.string_at(s.names, at[n])
    return [blob[at[i]:at[i + 1] - 1].decode(errors="replace") for i in range(n)]


def _values(s):
    n = s.n_values
    if not s.ids or not s.values:
        return np.zeros(0, dtype=np.uint64), np.zeros(0)
    ids = np.ctypeslib.as_array(s.ids, shape=(n,)).copy()
    words = s.value_words or 1
    raw = np.ctypeslib.as_array(ctypes.cast(s.values, ctypes.POINTER(ctypes.c_uint64)),
                                shape=(n * words,)).copy()
    kind = {_native.ZP_F64: np.float64, _native.ZP_I64: np.int64, _native.ZP_U64: np.uint64}
    if s.value_type in kind and words == 1:
        return ids, raw.view(kind[s.value_type])
    return ids, raw.reshape(n, words)


def run(job=None, graph=None, workers=None, params=None, **settings):
    """Runs a job and returns its Result.

    job       a job file (YAML), or None for one made of the keywords alone
    graph     a path (.properties, an edge list, .zpg) or a zpregel.Graph
    workers   without a job file: that many in-process workers (default 1)
    params    {name: value} for job.params (e.g. {"iterations": 20})
    algorithm, output, output_format, threads, max_supersteps: as
              `zpregel run --algorithm ...` and the job file's keys
    any other keyword with a dot in it (pass them with **{...}) is a key
    of the job file, as `--set KEY=VALUE` gives it: "job.params.damping",
    "workers[1].weight", "reliability.checkpoint_every", ...
    """
    sets = []  # (key=value, how the caller said it)

    def add(key, value, said):
        sets.append(("%s=%s" % (key, _text(value)), said))

    names = None
    if graph is not None:
        add("job.graph", graph, "graph=%r" % (_text(graph),))
        if isinstance(graph, Graph):
            names = graph.names
    for key, value in settings.items():
        if key in _FLAGS:
            add(_FLAGS[key], value, "%s=%r" % (key, value))
        elif "." in key or "[" in key:
            add(key, value, "%s=%r" % (key, value))
        else:
            raise TypeError("zpregel.run: unknown keyword %r (keys of the job file go in "
                            "**{'job.params.%s': ...})" % (key, key))
    for name, value in (params or {}).items():
        add("job.params.%s" % name, value, "params[%r]=%r" % (name, value))
    if job is None:
        count = 1 if workers is None else workers
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1024:
            raise ValueError("zpregel.run: workers=%r: expected a number from 1 to 1024" % (
                workers,))
        for i in range(count):
            add("workers[%d].name" % i, "w%d" % (i + 1), "workers=%r" % (count,))
    elif workers is not None:
        raise ValueError("zpregel.run: workers=%r: %s lists its workers" % (workers, job))

    n = len(sets)
    overrides = (ctypes.c_char_p * max(n, 1))(*[s.encode() for s, _ in sets])
    labels = (ctypes.c_char_p * max(n, 1))(*[("zpregel.run(%s)" % said).encode()
                                              for _, said in sets])
    err = ctypes.create_string_buffer(4096)
    cfg = _lib.zp_config_load_flags(os.fsencode(job) if job is not None else None, overrides,
                                    labels, n, err, len(err))
    if not cfg:
        raise Error(err.value.decode(errors="replace"))
    steps = []

    def on_step(_ctx, report):
        steps.append(_step_record(report.contents))

    callback = _native.STEP_FN(on_step)
    options = _native.Options(on_step=callback, ctx=None, spawn=_exe is not None,
                              exe=_exe.encode() if _exe else None, overrides=overrides,
                              n_overrides=n, resume=False, quiet=True)
    summary = _native.Summary()
    try:
        rc = _lib.zp_job_run(cfg, ctypes.byref(options), ctypes.byref(summary), err, len(err))
        if rc != 0:
            message = err.value.decode(errors="replace")
            if rc == _native.ZP_JOB_INTERRUPTED:
                raise KeyboardInterrupt(message)
            raise (LimitReached if rc == _native.ZP_JOB_LIMIT else Error)(message)
        ids, values = _values(summary)
        if names is None and summary.names:
            names = _names(summary)
        return Result(ids, values, names, _summary_record(summary), steps)
    finally:
        _lib.zp_job_summary_free(ctypes.byref(summary))
        holder = ctypes.c_void_p(cfg)
        _lib.zp_config_destroy(ctypes.byref(holder))
