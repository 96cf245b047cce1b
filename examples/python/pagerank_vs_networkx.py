#!/usr/bin/python3
"""PageRank of Debian's package dependency graph (data/debian-deps, 63k
packages, 264k dependencies) with zpregel and with NetworkX, side by side.

    PYTHONPATH=PREFIX/lib/python3/dist-packages python3 examples/python/pagerank_vs_networkx.py

(from the source tree after `make`: PYTHONPATH=python). It prints both
top tens with the package names and the largest difference over all
vertices, and exits 1 if that is above 1e-9.
"""
import os
import sys
import time

import networkx as nx
import numpy as np
import zpregel

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data")
ITERATIONS = 200  # the error shrinks by 0.85 an iteration; NetworkX stops when the sum of its changes is below |V| x tol

names = {}
with open(os.path.join(DATA, "debian-deps.names")) as f:
    for line in f:
        id_, name = line.split(None, 1)
        names[int(id_)] = name.strip()

start = time.monotonic()
r = zpregel.run(algorithm="pr", graph=os.path.join(DATA, "debian-deps.properties"), workers=2,
                params={"iterations": ITERATIONS})
ours = time.monotonic() - start

G = nx.DiGraph()
G.add_nodes_from(np.loadtxt(os.path.join(DATA, "debian-deps.v"), dtype=np.int64).tolist())
G.add_edges_from(np.loadtxt(os.path.join(DATA, "debian-deps.e"), dtype=np.int64).tolist())
start = time.monotonic()
theirs = nx.pagerank(G, alpha=0.85, tol=1e-15, max_iter=2000)
nx_seconds = time.monotonic() - start

ranks = r.to_dict()
diff = max(abs(ranks[v] - theirs[v]) for v in G)
print("zpregel:  %d vertices, %d supersteps, %.3f s (compute %.3f s)" % (
    len(r.ids), r.summary.supersteps, ours, r.summary.compute_seconds))
print("networkx: %d vertices, %.3f s" % (G.number_of_nodes(), nx_seconds))
top = np.argsort(-r.values)[:10]
best = sorted(theirs, key=theirs.get, reverse=True)[:10]
print("%-4s %-28s %-12s %-28s %s" % ("rank", "zpregel", "", "networkx", ""))
for i, (a, b) in enumerate(zip(top, best)):
    print("%-4d %-28s %.6e %-28s %.6e" % (i + 1, names.get(int(r.ids[a]), r.ids[a]),
                                          r.values[a], names.get(b, b), theirs[b]))
print("largest difference: %.3g" % diff)
sys.exit(0 if diff <= 1e-9 else 1)
