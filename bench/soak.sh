#!/usr/bin/env bash
# Soak runs: the failures that show only once in many runs, or on a busy
# machine, repeated and counted. Not part of make test (they take minutes);
# docs/RELIABILITY.md quotes what they printed.
#
#   bench/soak.sh lb [RUNS]          WCC on load-balanced routes, mixed nodes,
#                                    pinned to one core: hangs and failures
#   bench/soak.sh master-kill [RUNS] SIGKILL the master with checkpoints on:
#                                    assertion and dangling-socket lines, and
#                                    processes left behind
#   bench/soak.sh liveness [RUNS]    LCC with heartbeat 50 ms x liveness 3 on
#                                    the Debian graph (264k edges): failures,
#                                    silent verdicts and recoveries
#
# Each run is bounded (a hang is counted, then killed). It ends with one
# line: "soak: NAME runs=N ok=N hangs=N failed=N bad_lines=N left=N".
set -u
cd "$(dirname "$0")/.."
name=${1:-}
runs=${2:-}
bin=$PWD/build/zpregel
[ -x "$bin" ] || { echo "soak: build first (make)" >&2; exit 2; }
dir=$(mktemp -d /tmp/zpregel-soak.XXXXXX)
trap 'pkill -9 -f "$dir/" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM

# An R-MAT graph of 2^S vertices: its .properties path.
s_rmat () {
    "$bin" gen rmat --scale "$1" -o "$dir/rmat$1" >/dev/null || exit 1
    echo "$dir/rmat$1.properties"
}

# The mixed deployment of configs/mixed.yaml with `algorithm`, `graph` and
# extra YAML, as $dir/NAME.yaml.
s_job () {
    cat > "$dir/$1.yaml" <<EOF
job:
  algorithm: $2
  graph: $3
  output: $dir/$1.out
master:
  control: tcp://127.0.0.1
  broadcast: tcp://127.0.0.1
workers:
  - name: w1
  - name: w2
  - name: w3
    transport: tcp
    endpoint: tcp://127.0.0.1
  - name: w4
    transport: tcp
    endpoint: tcp://127.0.0.1
routers:
  - name: r1
  - name: r2
    transport: tcp
    endpoint: tcp://127.0.0.1
$4
EOF
    echo "$dir/$1.yaml"
}

ok=0 hangs=0 failed=0 bad=0 left=0 czmq=0
case "$name" in
lb)
    runs=${runs:-100}
    job=$(s_job lb wcc "$(s_rmat 13)" "routing:
  mode: load_balanced")
    for i in $(seq 1 "$runs"); do
        timeout -s KILL 60 taskset -c 0 "$bin" run "$job" --quiet 2>"$dir/err"
        rc=$?
        if [ "$rc" = 137 ]; then hangs=$((hangs + 1)); elif [ "$rc" = 0 ]; then ok=$((ok + 1)); else
            failed=$((failed + 1)); tail -2 "$dir/err" >&2; fi
        pkill -9 -f "$job" 2>/dev/null
    done
    ;;
master-kill)
    runs=${runs:-20}
    job=$(s_job killed pr "$PWD/data/debian-deps.properties" "routing:
  mode: aggregated
reliability:
  checkpoint_every: 5
  checkpoint_dir: $dir/ckpt")
    for i in $(seq 1 "$runs"); do
        "$bin" run "$job" --set job.params.iterations=100000 2>"$dir/err" >/dev/null &
        pid=$!
        # Killed at a different superstep each time.
        for _ in $(seq 1 200); do grep -q "superstep $((3 + i * 7 % 60)):" "$dir/err" && break; sleep 0.05; done
        kill -9 "$pid"
        wait "$pid" 2>/dev/null
        for _ in $(seq 1 100); do pgrep -f "$job" >/dev/null || break; sleep 0.1; done
        if pgrep -f "$job" >/dev/null; then left=$((left + 1)); pkill -9 -f "$job"; fi
        # czmq's own actor pipe (src/zsys.c) is counted apart: its exit
        # handler waits 200 ms for actor threads, which a loaded machine
        # can exceed. Ours (nodes/, router/, lib/) are bad lines.
        czmq=$((czmq + $(grep -c "dangling.*created at src/zsys.c" "$dir/err")))
        n=$(grep -iE "assert|dangling|signaler" "$dir/err" | grep -vc "created at src/zsys.c")
        grep -iE "assert|dangling|signaler" "$dir/err" >&2
        bad=$((bad + n))
        [ "$n" = 0 ] && ok=$((ok + 1)) || failed=$((failed + 1))
    done
    ;;
liveness)
    runs=${runs:-10}
    job=$(s_job liveness lcc "$PWD/data/debian-deps.properties" "reliability:
  heartbeat_ms: 50
  liveness: 3
  max_recoveries: 0")
    for i in $(seq 1 "$runs"); do
        timeout -s KILL 120 "$bin" run "$job" --quiet 2>"$dir/err"
        rc=$?
        n=$(grep -c "silent\|restarting" "$dir/err")
        bad=$((bad + n))
        if [ "$rc" = 137 ]; then hangs=$((hangs + 1)); elif [ "$rc" = 0 ] && [ "$n" = 0 ]; then
            ok=$((ok + 1)); else failed=$((failed + 1)); tail -2 "$dir/err" >&2; fi
        pkill -9 -f "$job" 2>/dev/null
    done
    ;;
*)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
echo "soak: $name runs=$runs ok=$ok hangs=$hangs failed=$failed bad_lines=$bad left=$left" \
    "czmq_pipe_lines=$czmq"
[ "$ok" = "$runs" ]
