#!/usr/bin/env bash
# zpregel on an emulated cluster: hosts are network namespaces joined by
# bridges (one a rack), links shaped with tc (tbf: bandwidth; netem, for
# latency, where the kernel has it), every node a tcp process on its host.
# The master, one worker a host and the routers of the scenario run the
# job in each routing mode; the table gives the median superstep (steps
# 1 to the last but one, from the master's --stats) and the bytes the
# workers sent a superstep (--stats), the bytes that crossed the host
# links and the racks' uplink in the whole run (the switch's counters:
# this counts the router hop, which --stats does not), each mode's ratio to
# direct routes, and whether the output equals an all-inproc run's (exact
# for WCC and BFS, within 1e-9 for PageRank). Each scenario and algorithm
# ends with one line for scripts:
#   bench-cluster: SCENARIO ALGORITHM auto=S best=MODE:S direct=S predicted=S/M
# (median superstep seconds; `predicted` is what `zpregel plan JOB --traffic
# STATS` predicts for the auto runs' plan from the last auto run's --stats,
# its mean compute a superstep plus the network time the optimizer prices
# for its mean traffic from the job file's links: speeds, over M, that
# run's mean superstep; "-" where the scenario gives no speeds).
#
#   bench/cluster.sh [SCENARIO...]      as root (make bench-cluster runs all)
#
# Scenarios:
#   flat-fast   4 worker hosts and a router host on one bridge, links unshaped
#   flat-1g     the same, every host link 1 Gbit/s
#   racks       2 racks of 2 worker hosts and a router host, 1 Gbit/s host
#               links, the racks joined by one 200 Mbit/s uplink; the job
#               file says which host is in which rack (racks:)
#   slow-host   flat-1g with one worker host at 100 Mbit/s
#   many        16 worker hosts on one bridge, unshaped, a small graph: the
#               barrier's cost with many nodes
# Environment: SCALE (R-MAT scale, default 18; "many" uses SCALE-4),
# ALGOS (default "pr wcc bfs"), MODES (default "direct aggregated
# load_balanced auto"), RUNS (runs a mode, interleaved, default 3),
# LINK_SCALE (every link's rate divided by it, default 1: a graph this
# machine's CPU can turn around, on links that slow, stands for a larger
# graph on the links named).
# Everything it creates (namespaces zpcPID*, /etc/netns/zpcPID*) is removed
# on exit, also on failure or interruption.
set -u
cd "$(dirname "$0")/.."
bin=$PWD/build/zpregel
[ -x "$bin" ] || { echo "cluster: build first (make)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "cluster: needs root (network namespaces, tc)" >&2; exit 2; }
command -v ip >/dev/null && command -v tc >/dev/null ||
    { echo "cluster: needs ip and tc (Debian's iproute2)" >&2; exit 2; }
SCALE=${SCALE:-18}
ALGOS=${ALGOS:-pr wcc bfs}
MODES=${MODES:-direct aggregated load_balanced auto}
RUNS=${RUNS:-3}
LINK_SCALE=${LINK_SCALE:-1}
PR_ITERATIONS=10
P=zpc$$
dir=$(mktemp -d /tmp/zpregel-cluster.XXXXXX)
hosts=()

s_down () {
    pkill -9 -f "$dir/" 2>/dev/null
    for h in "${hosts[@]}" sw; do
        ip netns del "$P$h" 2>/dev/null
        rm -rf "/etc/netns/$P$h"
    done
    hosts=()
}
trap 's_down; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

# Whether this kernel has netem (latency); tbf is enough for bandwidth.
netem=no
ip netns add "${P}probe" && ip -n "${P}probe" link add name za type veth peer name zb &&
    tc -n "${P}probe" qdisc add dev za root netem delay 1ms 2>/dev/null && netem=yes
ip netns del "${P}probe" 2>/dev/null

# Limits the egress of IF in namespace NS to RATE in Mbit/s, divided by
# LINK_SCALE ("" leaves it unshaped).
s_shape () {
    local ns=$1 dev=$2 rate=$3
    [ -n "$rate" ] || return 0
    local kbit=$((rate * 1000 / LINK_SCALE))
    tc -n "$ns" qdisc replace dev "$dev" root tbf rate "${kbit}kbit" burst 256kb latency 50ms
}

# s_host NAME BRIDGE RATE: a host namespace on BRIDGE (in the switch
# namespace), its link shaped both ways to RATE.
s_host () {
    local h=$1 br=$2 rate=$3 n=$(( ${#hosts[@]} + 2 ))
    hosts+=("$h")
    ip netns add "$P$h"
    ip link add eth0 netns "$P$h" type veth peer name "p-$h" netns "${P}sw"
    ip -n "${P}sw" link set "p-$h" master "$br" up
    ip -n "$P$h" addr add "10.214.$((n / 250)).$((n % 250 + 1))/16" dev eth0
    ip -n "$P$h" link set eth0 up
    ip -n "$P$h" link set lo up
    s_shape "$P$h" eth0 "$rate"
    s_shape "${P}sw" "p-$h" "$rate"
}

# s_switch RACKS UPLINK: the switch namespace with a bridge a rack (br0,
# br1, ...), consecutive racks joined by an uplink shaped to UPLINK.
s_switch () {
    ip netns add "${P}sw"
    for ((r = 0; r < $1; r++)); do
        ip -n "${P}sw" link add "br$r" type bridge
        ip -n "${P}sw" link set "br$r" up
        if [ "$r" -gt 0 ]; then
            ip -n "${P}sw" link add "up$r-a" type veth peer name "up$r-b"
            ip -n "${P}sw" link set "up$r-a" master "br$((r - 1))" up
            ip -n "${P}sw" link set "up$r-b" master "br$r" up
            s_shape "${P}sw" "up$r-a" "$2"
            s_shape "${P}sw" "up$r-b" "$2"
        fi
    done
}

# Each host's /etc/hosts (ip netns exec puts /etc/netns/NS/hosts in place).
s_names () {
    local n=2 lines="127.0.0.1 localhost"
    for h in "${hosts[@]}"; do
        lines+=$'\n'"10.214.$((n / 250)).$((n % 250 + 1)) $h"
        n=$((n + 1))
    done
    for h in "${hosts[@]}"; do
        mkdir -p "/etc/netns/$P$h"
        printf '%s\n' "$lines" >"/etc/netns/$P$h/hosts"
    done
}

# A speed in Mbit/s divided by LINK_SCALE, as the job file's links: says it.
s_rate () { awk -v r="$1" -v s="$LINK_SCALE" 'BEGIN { printf "%gMbit", r / s }'; }

# Builds scenario $1; sets workers (host names), routers (host names),
# racks (the job file's racks: section, or empty) and speeds (its links:
# section: the speeds tc gives the links, for the route planner; empty
# where they are not shaped).
s_scenario () {
    workers=() routers=() racks="" speeds=""
    case $1 in
    flat-fast | flat-1g | slow-host)
        local rate=""
        [ "$1" = flat-fast ] || rate=1000
        s_switch 1 ""
        s_host m br0 "$rate"
        for i in 1 2 3 4; do
            local r=$rate
            [ "$1" = slow-host ] && [ "$i" = 4 ] && r=100
            s_host "w$i" br0 "$r"
            workers+=("w$i")
        done
        s_host r1 br0 "$rate"
        routers=(r1)
        if [ -n "$rate" ]; then
            speeds=$'links:\n  host: '"$(s_rate "$rate")"$'\n'
            [ "$1" = slow-host ] && speeds+=$'  hosts:\n    w4: '"$(s_rate 100)"$'\n'
        fi
        ;;
    racks)
        s_switch 2 200
        s_host m br0 1000
        s_host a1 br0 1000
        s_host a2 br0 1000
        s_host ra br0 1000
        s_host b1 br1 1000
        s_host b2 br1 1000
        s_host rb br1 1000
        workers=(a1 a2 b1 b2)
        routers=(ra rb)
        racks=$'racks:\n  a: [m, a1, a2, ra]\n  b: [b1, b2, rb]\n'
        speeds=$'links:\n  host: '"$(s_rate 1000)"$'\n  uplink: '"$(s_rate 200)"$'\n'
        ;;
    many)
        s_switch 1 ""
        s_host m br0 ""
        for i in $(seq 1 16); do
            s_host "w$i" br0 ""
            workers+=("w$i")
        done
        s_host r1 br0 ""
        routers=(r1)
        ;;
    *)
        echo "cluster: no scenario '$1' (flat-fast, flat-1g, racks, slow-host, many)" >&2
        return 1
        ;;
    esac
    s_names
}

# The job file for algorithm $1, routing mode $2, graph $3.
s_job () {
    local f=$dir/job-$1-$2.yaml params=""
    case $1 in
    pr) params="  params:\n    iterations: $PR_ITERATIONS\n" ;;
    bfs) params="  params:\n    source: $4\n" ;;
    esac
    {
        printf 'job:\n  algorithm: %s\n  graph: %s\n  output: %s\n' "$1" "$3" "$dir/out-$1-$2.txt"
        printf "$params"
        printf 'master:\n  control: tcp://m:5555\n  broadcast: tcp://m:5556\n  host: m\n'
        printf '  join_timeout: 120s\nrouting:\n  mode: %s\nengine:\n  threads: 1\n' "$2"
        printf 'reliability:\n  heartbeat_ms: 1000\n  liveness: 30\nworkers:\n'
        for w in "${workers[@]}"; do
            printf '  - name: %s\n    transport: tcp\n    endpoint: tcp://%s\n    host: %s\n' \
                "$w" "$w" "$w"
        done
        printf 'routers:\n'
        for r in "${routers[@]}"; do
            printf '  - name: %s\n    transport: tcp\n    endpoint: tcp://%s\n    host: %s\n' \
                "$r" "$r" "$r"
        done
        printf '%s%s' "$racks" "$speeds"
    } >"$f"
    echo "$f"
}

# "HOST_BYTES UPLINK_BYTES": what the host links carried into the switch
# (every host's sends) and what the uplinks carried, so far.
s_counters () {
    ip netns exec "${P}sw" sh -c 'h=0 u=0
        for d in /sys/class/net/p-*; do h=$((h + $(cat "$d/statistics/rx_bytes"))); done
        for d in /sys/class/net/up*-a /sys/class/net/up*-b; do
            [ -e "$d" ] && u=$((u + $(cat "$d/statistics/tx_bytes")))
        done
        echo "$h $u"'
}

s_median () { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs job $1 once on the hosts; prints "median_seconds bytes_per_step
# host_link_bytes uplink_bytes router_messages_in router_messages_out" or
# "failed".
s_run () {
    local job=$1 stats=$dir/stats.jsonl pids=() before after
    rm -f "$stats"
    read -r -a before < <(s_counters)
    for h in "${workers[@]}" "${routers[@]}"; do
        ip netns exec "$P$h" timeout 600 "$bin" launch "$job" --host "$h" \
            >"$dir/launch-$h.log" 2>&1 &
        pids+=($!)
    done
    if ! ip netns exec "${P}m" timeout 600 "$bin" master "$job" --quiet --stats "$stats" \
        >"$dir/master.log" 2>&1; then
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
        wait 2>/dev/null
        echo failed
        tail -3 "$dir/master.log" >&2
        return
    fi
    wait 2>/dev/null
    cp "$stats" "${job%.yaml}.stats.jsonl"
    read -r -a after < <(s_counters)
    # Supersteps 1 .. last-1 (0 starts, the last only halts).
    local steps
    steps=$(grep -o '^{"step":[0-9]*,"seconds":[0-9.e-]*' "$stats" | sed 's/.*"seconds"://')
    printf '%s ' "$(echo "$steps" | sed '1d;$d' | s_median)"
    grep -o '^{"step":[0-9]*,[^[]*"bytes":[0-9]*' "$stats" | sed 's/.*"bytes"://' |
        awk 'NR > 1 { b += $1; n++ } END { printf "%d ", n ? b / n : 0 }'
    printf '%s ' "$((after[0] - before[0])) $((after[1] - before[1]))"
    # What the routers took in and sent on (the summary's routers): their
    # combining, over the whole job.
    grep -o '"routers":\[[^]]*\]' "$stats" | grep -o '"messages_[a-z]*":[0-9]*' |
        awk -F: '/_in"/ { i += $2 } /_out"/ { o += $2 } END { printf "%d %d\n", i, o }'
}

# The all-inproc output of algorithm $1 on graph $2 (BFS from $3).
s_reference () {
    local out=$dir/ref-$1-$(basename "$2").txt
    if [ ! -f "$out" ]; then
        local p=()
        [ "$1" = pr ] && p=(--param "iterations=$PR_ITERATIONS")
        [ "$1" = bfs ] && p=(--param "source=$3")
        "$bin" run --quiet --algorithm "$1" --graph "$2" --workers 2 --output "$out" "${p[@]}" \
            >/dev/null 2>"$dir/ref.log" || { cat "$dir/ref.log" >&2; return 1; }
    fi
    echo "$out"
}

# Whether output $2 equals reference $1: exactly, or for PageRank ($3 = pr)
# within 1e-9.
s_same () {
    if [ "$3" = pr ]; then
        paste -d' ' "$1" "$2" | awk '$1 != $3 { bad = 1 } { d = $2 - $4; if (d < 0) d = -d; if (d > 1e-9) bad = 1 }
                                      END { exit bad }' && [ "$(wc -l <"$1")" = "$(wc -l <"$2")" ]
    else
        cmp -s "$1" "$2"
    fi
}


scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(flat-fast flat-1g racks slow-host many)
echo "cluster: shaping with tbf (bandwidth); netem (latency): $netem$([ $netem = no ] && echo ', so links add no latency')"
echo "cluster: R-MAT scale $SCALE ($((SCALE - 4)) for many), $RUNS runs a mode, interleaved; link rates divided by $LINK_SCALE"
printf '\n| scenario | algorithm | mode | superstep s (median of runs) | x direct | bytes a superstep (--stats) | host links MB a run | uplink MB a run | router messages in / out | output | runs |\n|---|---|---|---|---|---|---|---|---|---|---|\n'
summary=()
for sc in "${scenarios[@]}"; do
    scale=$SCALE
    [ "$sc" = many ] && scale=$((SCALE - 4))
    graph=$dir/rmat$scale
    [ -f "$graph.zpg" ] || "$bin" gen rmat --scale "$scale" -o "$graph" >/dev/null || exit 1
    # BFS from the vertex with the most out-edges, as make bench does.
    [ -f "$graph.hub" ] || awk '{ d[$1]++ } END { for (v in d) if (d[v] > m) { m = d[v]; h = v }
                                print h }' "$graph.e" >"$graph.hub"
    source=$(cat "$graph.hub")
    s_scenario "$sc" || exit 2
    for algo in $ALGOS; do
        ref=$(s_reference "$algo" "$graph.zpg" "$source") || exit 1
        declare -A times=() bytes=() links=() uplink=() same=() merged=()
        for ((run = 1; run <= RUNS; run++)); do
            for mode in $MODES; do
                job=$(s_job "$algo" "$mode" "$graph.zpg" "$source")
                rm -f "$dir/out-$algo-$mode.txt"
                read -r t b l u ri ro < <(s_run "$job")
                [ "$t" = failed ] && { echo "cluster: $sc $algo $mode run $run failed" >&2; continue; }
                times[$mode]+="$t "
                bytes[$mode]=$b
                links[$mode]=$(awk -v b="$l" 'BEGIN { printf "%.1f", b / 1e6 }')
                uplink[$mode]=$(awk -v b="$u" 'BEGIN { printf "%.1f", b / 1e6 }')
                merged[$mode]=$(awk -v i="${ri:-0}" -v o="${ro:-0}" \
                    'BEGIN { r = 0; if (o > 0) r = i / o; if (i > 0) printf "%d / %d (%.2fx)", i, o, r; else print "-" }')
                if s_same "$ref" "$dir/out-$algo-$mode.txt" "$algo"; then
                    same[$mode]=${same[$mode]:-equal}
                else
                    same[$mode]=DIFFERS
                    echo "cluster: $sc $algo $mode run $run: the output differs from the all-inproc run's" >&2
                fi
            done
        done
        direct=$(echo "${times[direct]:-}" | s_median)
        best="" best_t=""
        for mode in $MODES; do
            med=$(echo "${times[$mode]:-}" | s_median)
            ratio=$(awk -v a="$med" -v d="$direct" 'BEGIN { if (d > 0 && a > 0) printf "%.2f", a / d; else print "-" }')
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$sc" "$algo" "$mode" \
                "${med:--}" "$ratio" "${bytes[$mode]:--}" "${links[$mode]:--}" "${uplink[$mode]:--}" \
                "${merged[$mode]:--}" "${same[$mode]:--}" "$(echo ${times[$mode]:-})"
            if [ "$mode" != auto ] && [ -n "$med" ] &&
                { [ -z "$best_t" ] || awk -v a="$med" -v b="$best_t" 'BEGIN { exit !(a < b) }'; }; then
                best=$mode best_t=$med
            fi
        done
        auto=$(echo "${times[auto]:-}" | s_median)
        # The optimizer's prediction for the auto runs' plan: the last auto
        # run's compute plus the network time it prices.
        predicted=-
        auto_job=$dir/job-$algo-auto.yaml
        if [ -n "$speeds" ] && [ -f "${auto_job%.yaml}.stats.jsonl" ]; then
            "$bin" plan "$auto_job" --traffic "${auto_job%.yaml}.stats.jsonl" >"$dir/plan.txt" 2>&1
            p=$(sed -n 's/.*the plan.s network [0-9.e-]* s = \([0-9.e-]*\) s.*/\1/p' "$dir/plan.txt")
            m=$(sed -n 's/.*: a superstep \([0-9.e-]*\) s (the mean.*/\1/p' "$dir/plan.txt")
            [ -n "$p" ] && [ -n "$m" ] && predicted=$p/$m
            sed -n '/per superstep/,/^$/p;/measured in/,/predicted/p' "$dir/plan.txt" | sed "s/^/cluster: $sc $algo plan: /" >&2
        fi
        summary+=("bench-cluster: $sc $algo auto=${auto:--} best=${best:--}:${best_t:--} direct=${direct:--} predicted=$predicted")
        unset times bytes links uplink same merged
    done
    s_down
done
echo
printf '%s\n' "${summary[@]}"
