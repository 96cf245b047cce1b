#!/usr/bin/env python3
"""Builds data/debian-deps: the dependency graph of a Debian release, as an
LDBC Graphalytics dataset (.v, .e, .properties) plus a .names file.

A vertex is a binary package; an arc A -> B means A Depends or Pre-Depends on
B. For "x | y" alternatives and virtual packages (Provides), the arc goes to
the first real package that satisfies the dependency. PageRank on this graph
ranks the packages that the most of the archive rests on.

usage: scripts/debian-deps.py PACKAGES_FILE OUT_PREFIX
(PACKAGES_FILE: an uncompressed Packages index, e.g. from
 /usr/lib/apt/apt-helper cat-file /var/lib/apt/lists/*_main_binary-amd64_Packages.lz4)
"""
import re
import sys


def stanzas(path):
    fields, key = {}, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if fields:
                    yield fields
                fields, key = {}, None
            elif line[0] in " \t":
                if key:
                    fields[key] += " " + line.strip()
            else:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    if fields:
        yield fields


def main():
    src, prefix = sys.argv[1], sys.argv[2]
    deps, provides = {}, {}
    for st in stanzas(src):
        name = st.get("Package")
        if not name:
            continue
        clauses = []
        for field in ("Pre-Depends", "Depends"):
            if st.get(field):
                clauses += [c.strip() for c in st[field].split(",") if c.strip()]
        deps.setdefault(name, []).extend(clauses)
        for p in st.get("Provides", "").split(","):
            p = re.sub(r"\s*\(.*\)", "", p).strip()
            if p:
                provides.setdefault(p, []).append(name)
    names = sorted(deps)
    ids = {n: i + 1 for i, n in enumerate(names)}
    edges = set()
    for name, clauses in deps.items():
        for clause in clauses:
            for alt in clause.split("|"):
                target = re.sub(r"[\s(\[<].*", "", alt.strip()).split(":")[0]
                if target in ids:
                    real = target
                elif target in provides:
                    real = sorted(provides[target])[0]
                else:
                    continue
                if real != name:
                    edges.add((ids[name], ids[real]))
                break
    with open(prefix + ".v", "w") as f:
        f.writelines(f"{i}\n" for i in range(1, len(names) + 1))
    with open(prefix + ".e", "w") as f:
        f.writelines(f"{a} {b}\n" for a, b in sorted(edges))
    with open(prefix + ".names", "w") as f:
        f.writelines(f"{ids[n]} {n}\n" for n in names)
    base = prefix.rsplit("/", 1)[-1]
    with open(prefix + ".properties", "w") as f:
        f.write(f"""# Debian package dependency graph (see data/NOTICE.md)
graph.{base}.vertex-file = {base}.v
graph.{base}.edge-file = {base}.e
graph.{base}.meta.vertices = {len(names)}
graph.{base}.meta.edges = {len(edges)}
graph.{base}.directed = true
graph.{base}.algorithms = bfs, cdlp, lcc, pr, wcc
graph.{base}.pr.damping-factor = 0.85
graph.{base}.pr.num-iterations = 20
graph.{base}.cdlp.max-iterations = 10
graph.{base}.bfs.source-vertex = 1
""")
    print(f"{len(names)} vertices, {len(edges)} edges", file=sys.stderr)


main()
