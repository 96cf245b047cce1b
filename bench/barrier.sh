#!/usr/bin/env bash
# The cost of a barrier: BFS along a path of PATH_VERTICES vertices, one
# active vertex and one message a superstep, so that a superstep is almost
# only its barrier (the master's BEGIN to every worker, their DONEs back).
# For each worker count, tcp workers on loopback, RUNS runs: the median
# superstep of each run (from --stats), and their median.
#
#   bench/barrier.sh [N...]        default: 2 8 16 32
# Environment: PATH_VERTICES (default 2000), RUNS (default 3), SUPERSTEPS
# (default: the whole path; fewer stops there, engine.on_limit: stop). A
# long path with few supersteps measures what a superstep costs a big
# partition with one active vertex: PATH_VERTICES=1048576 SUPERSTEPS=1000
# bench/barrier.sh 1.
set -u
cd "$(dirname "$0")/.."
bin=$PWD/build/zpregel
[ -x "$bin" ] || { echo "barrier: build first (make)" >&2; exit 2; }
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(2 8 16 32)
V=${PATH_VERTICES:-2000}
RUNS=${RUNS:-3}
STEPS=${SUPERSTEPS:-$V}
limit=""
[ -n "${SUPERSTEPS:-}" ] && limit=$(printf '  max_supersteps: %d\n  on_limit: stop\n' "$SUPERSTEPS")
dir=$(mktemp -d /tmp/zpregel-barrier.XXXXXX)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
awk -v n="$V" 'BEGIN { for (i = 1; i <= n; i++) print i }' >"$dir/path.v"
awk -v n="$V" 'BEGIN { for (i = 1; i < n; i++) print i, i + 1 }' >"$dir/path.e"
printf 'graph.path.vertex-file = path.v\ngraph.path.edge-file = path.e\ngraph.path.directed = true\n' \
    >"$dir/path.properties"
s_median () { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
echo "barrier: BFS along a path of $V vertices ($STEPS supersteps), tcp workers on 127.0.0.1, $RUNS runs, $(nproc) CPUs"
printf '\n| tcp workers | superstep ms (median of runs) | runs |\n|---|---|---|\n'
for n in "${counts[@]}"; do
    job=$dir/job$n.yaml
    {
        printf 'job:\n  algorithm: bfs\n  graph: %s\n  params:\n    source: 1\n' "$dir/path.properties"
        printf 'master:\n  control: tcp://127.0.0.1\n  broadcast: tcp://127.0.0.1\n  join_timeout: 120s\n'
        printf 'engine:\n  threads: 1\n%s\nworkers:\n' "$limit"
        for ((i = 1; i <= n; i++)); do
            printf '  - name: w%d\n    transport: tcp\n    endpoint: tcp://127.0.0.1\n' "$i"
        done
    } >"$job"
    runs=""
    for ((r = 1; r <= RUNS; r++)); do
        if ! timeout 600 "$bin" run "$job" --quiet --stats "$dir/stats.jsonl" >"$dir/log" 2>&1; then
            echo "barrier: $n workers, run $r failed:" >&2
            tail -3 "$dir/log" >&2
            continue
        fi
        runs+="$(grep -o '^{"step":[0-9]*,"seconds":[0-9.e-]*' "$dir/stats.jsonl" |
            sed 's/.*"seconds"://' | s_median | awk '{ printf "%.3f", $1 * 1000 }') "
    done
    printf '| %d | %s | %s |\n' "$n" "$(echo $runs | tr ' ' '\n' | s_median)" "$runs"
done
