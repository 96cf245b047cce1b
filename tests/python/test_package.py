"""The zpregel Python package, as a user runs it: imported from where
`make install` put it, on real graphs, against NetworkX. Run by
tests/test_python.c as: python3 test_package.py PREFIX ROOT DIR LAYOUT
(LAYOUT: the C compiler's sizes and offsets of the structs, as JSON)."""
import ctypes
import json
import os
import sys

import networkx as nx
import numpy as np

prefix, root, tmp, layout = sys.argv[1:5]
import zpregel  # noqa: E402
from zpregel import _native  # noqa: E402


def check(cond, what):
    if not cond:
        print("FAILED: " + what)
        sys.exit(1)


# Imported and loaded from the prefix, not from the source tree.
check(zpregel.__file__.startswith(prefix), "the package came from " + zpregel.__file__)
check(os.path.realpath(zpregel.library_path).startswith(os.path.realpath(prefix)),
      "the library came from " + zpregel.library_path)

# The ctypes mirror of each struct is the C compiler's, field for field.
for struct, fields in json.loads(layout).items():
    cls = getattr(_native, struct)
    check(ctypes.sizeof(cls) == fields["sizeof"],
          "%s: sizeof %d, C says %d" % (struct, ctypes.sizeof(cls), fields["sizeof"]))
    for name, offset in fields.items():
        if name != "sizeof":
            got = getattr(cls, name).offset
            check(got == offset, "%s.%s at %d, C says %d" % (struct, name, got, offset))

# PageRank of a NetworkX graph, against networkx.pagerank.
G = nx.karate_club_graph()
g = zpregel.Graph.from_networkx(G)
r = zpregel.run(algorithm="pr", graph=g, workers=2, params={"iterations": 200})
ref = nx.pagerank(G, alpha=0.85, tol=1e-15, max_iter=2000, weight=None)
ranks = r.to_dict()
check(set(ranks) == set(G.nodes()), "PageRank keyed by the graph's nodes")
diff = max(abs(ranks[v] - ref[v]) for v in G)
check(diff < 1e-12, "PageRank differs from NetworkX's by %g" % diff)
check(r.values.dtype == np.float64 and r.ids.dtype == np.uint64, "array types")
check(r.summary.program == "pr" and r.summary.supersteps == 201, "summary %r" % r.summary)
check(len(r.steps) == r.summary.supersteps, "a record a superstep")
check(sum(s.messages for s in r.steps) == r.summary.messages, "steps add up to the summary")
check(len(r.steps[1].workers) == 2 and r.steps[1].workers[0].name == "w1", "worker records")
check(all(s.planned == 201 for s in r.steps), "each record knows the 201 supersteps planned")

# CDLP reads its neighbours' labels in place: no message, the labels
# that changed sent to the other worker's mirrors; against Graphalytics'
# rule (the most frequent neighbour label, the smallest on a tie), here.
c = zpregel.run(algorithm="cdlp", graph=g, workers=2, params={"iterations": 10})
check(c.summary.messages == 0 and c.summary.mirrored > 0,
      "CDLP: %d messages, %d values mirrored" % (c.summary.messages, c.summary.mirrored))
check(sum(s.mirrored for s in c.steps) == c.summary.mirrored, "mirrored adds up")
labels = {v: g.id_of(v) for v in G}
for _ in range(10):
    counts = {v: {} for v in G}
    for v in G:
        for u in G[v]:
            counts[v][labels[u]] = counts[v].get(labels[u], 0) + 1
    labels = {v: min(counts[v], key=lambda x: (-counts[v][x], x)) if counts[v] else labels[v]
              for v in G}
check(c.to_dict() == labels, "CDLP %r against %r" % (c.to_dict(), labels))

# WCC on a directed graph with string nodes and two components.
D = nx.DiGraph([("a", "b"), ("c", "b"), ("x", "y")])
D.add_node("alone")
gd = zpregel.Graph.from_networkx(D)
check(gd.id_of("c") == list(D).index("c"), "id_of")
w = zpregel.run(algorithm="wcc", graph=gd).to_dict()
groups = {}
for node, label in w.items():
    groups.setdefault(label, set()).add(node)
want = [set(c) for c in nx.weakly_connected_components(D)]
check(sorted(map(sorted, groups.values())) == sorted(map(sorted, want)),
      "WCC %r against %r" % (groups, want))

# SSSP with weights, against Dijkstra; BFS against shortest path lengths.
W = nx.gnp_random_graph(60, 0.08, seed=7, directed=True)
for a, b in W.edges():
    W[a][b]["weight"] = 0.25 + (a * 7 + b * 3) % 10
gw = zpregel.Graph.from_networkx(W, weight="weight")
s = zpregel.run(algorithm="sssp", graph=gw, params={"source": 0}).to_dict()
dist = nx.single_source_dijkstra_path_length(W, 0)
for v in W:
    want_d = dist.get(v, float("inf"))
    check(abs(s[v] - want_d) < 1e-9 or s[v] == want_d == float("inf"),
          "SSSP to %d: %r, Dijkstra %r" % (v, s[v], want_d))
b = zpregel.run(algorithm="bfs", graph=gw, threads=2, params={"source": 0}).to_dict()
hops = nx.single_source_shortest_path_length(W, 0)
for v in W:
    check(b[v] == hops.get(v, 9223372036854775807), "BFS to %d" % v)

# Edges as arrays, and a job file with --set keys as keywords, through a
# tcp worker the package starts (the zpregel command beside the library).
e = zpregel.Graph.from_edges(np.array([1, 2, 3]), np.array([2, 3, 1]), vertices=[9])
yaml = os.path.join(tmp, "job.yaml")
with open(yaml, "w") as f:
    f.write("job:\n  algorithm: pr\n  graph: %s\nmaster:\n  control: tcp://127.0.0.1\n"
            "  broadcast: tcp://127.0.0.1\nworkers:\n  - name: w1\n  - name: t1\n"
            "    transport: tcp\n    endpoint: tcp://127.0.0.1\n" % e.path)
j = zpregel.run(yaml, **{"job.algorithm": "wcc", "job.output": os.path.join(tmp, "out.txt")})
check(j.to_dict() == {1: 1, 2: 1, 3: 1, 9: 9}, "WCC from a job file: %r" % j.to_dict())
with open(os.path.join(tmp, "out.txt")) as f:
    check(f.read() == "1 1\n2 1\n3 1\n9 9\n", "the job's output file")

# A CSV edge list of names: the results come by name.
csv = os.path.join(tmp, "follows.csv")
with open(csv, "w") as f:
    f.write("follower,followed\nann,bob\nbob,\"carol, jr\"\ndan,ann\n")
n = zpregel.run(algorithm="bfs", graph=csv, params={"source": "ann"},
                **{"job.csv.source": "follower", "job.csv.target": "followed"})
check(n.names == ["ann", "bob", "carol, jr", "dan"], "names %r" % (n.names,))
check(n.to_dict() == {"ann": 0, "bob": 1, "carol, jr": 2, "dan": 9223372036854775807},
      "BFS by name: %r" % n.to_dict())
check(n.top(1) == [("dan", 9223372036854775807)], "top %r" % n.top(1))

# An LDBC dataset and its reference output.
ldbc = os.path.join(root, "tests/data/ldbc/example-directed/example-directed")
c = zpregel.run(algorithm="cdlp", graph=ldbc + ".properties", workers=3)
with open(ldbc + "-CDLP") as f:
    ref_cdlp = {int(a): int(v) for a, v in (line.split() for line in f)}
check(dict(zip(c.ids.tolist(), c.values.tolist())) == ref_cdlp, "CDLP against LDBC's output")

# Errors carry zpregel's message, naming what was wrong.
for kwargs, said in (
        ({"algorithm": "nope", "graph": g}, "zpregel.run(algorithm='nope'): job.algorithm"),
        ({"algorithm": "pr", "graph": "/no/such.properties"}, "/no/such.properties: cannot open"),
        ({"algorithm": "pr", "graph": g, "params": {"damping": 2}}, "damping must be between"),
        ({"algorithm": "pr", "graph": g, "workers": 0}, "workers=0: expected a number")):
    try:
        zpregel.run(**kwargs)
        check(False, "accepted %r" % kwargs)
    except (zpregel.Error, ValueError) as err:
        check(said in str(err), "%r: %s" % (kwargs, err))
try:
    zpregel.run(algorithm="pr", graph=g, damping=0.5)
    check(False, "an unknown keyword was accepted")
except TypeError as err:
    check("job.params.damping" in str(err), str(err))
print("OK")
