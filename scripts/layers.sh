#!/bin/bash
# The folders of the tree and the one direction they depend in: a file may
# include headers of its own folder and of the folders listed after it,
# never of one listed before (docs/ARCHITECTURE.md, "The tree").
#
#   bash scripts/layers.sh      prints each include that points up; exit 1 if any
#
# Tests, benchmarks and fuzz targets sit above everything and are not checked.
set -u
cd "$(dirname "$0")/.."

LAYERS=(
    cli          # the command line, one file per command
    nodes        # the job and its master and workers
    router       # the router node and route plans
    lib/node     # what every node shares: control sockets, the data link, heartbeats
    lib/config   # job files, and what they give the nodes to run by
    lib/engine   # the partition and the vertex API, checkpoints, programs, threads
    lib/graph    # graph input, generators, placement and traffic
    lib/net      # sockets: frames on the wire, security, endpoints, broadcasts in order
    lib/codec    # CBOR messages, batches, compression
    lib/base     # logging, growth, JSON, processes, timers
    include/zpregel  # the public API
)
# The built-in programs use the public API only.
EXTRA=(examples/algorithms:include/zpregel examples/plugin:include/zpregel)

declare -A level
for i in "${!LAYERS[@]}"; do
    level[${LAYERS[$i]}]=$i
done

# header name -> folder (names are unique across the tree)
declare -A home
for dir in "${LAYERS[@]}"; do
    for h in "$dir"/*.h; do
        [ -e "$h" ] || continue
        name=${h##*/}
        if [ -n "${home[$name]:-}" ]; then
            echo "layers: $name is in both ${home[$name]} and $dir: a name must be unique" >&2
            exit 1
        fi
        home[$name]=$dir
    done
done

bad=0
check() { # file, the level of its folder
    local file=$1 mine=$2
    local n=0 line inc dir
    while IFS= read -r line; do
        n=$((n + 1))
        [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]] || continue
        inc=${BASH_REMATCH[1]}
        if [[ $inc == zpregel/* ]]; then
            dir=include/zpregel
        else
            dir=${home[${inc##*/}]:-}
        fi
        if [ -z "$dir" ]; then
            echo "$file:$n: includes \"$inc\", which is in none of the folders of scripts/layers.sh"
            bad=1
        elif [ "${level[$dir]}" -lt "$mine" ]; then
            echo "$file:$n: includes \"$inc\" from $dir, a folder above ${LAYERS[$mine]}"
            bad=1
        fi
    done < "$file"
}

for dir in "${LAYERS[@]}"; do
    for f in "$dir"/*.[ch]; do
        [ -e "$f" ] && check "$f" "${level[$dir]}"
    done
done
for pair in "${EXTRA[@]}"; do
    for f in "${pair%%:*}"/*.[ch]; do
        [ -e "$f" ] && check "$f" "${level[${pair##*:}]}"
    done
done

# A folder of sources that the list does not know is a folder nobody ordered.
for d in $(git ls-files '*.c' '*.h' | xargs -n1 dirname | sort -u); do
    case $d in tests | tests/* | bench | fuzz | examples/*) continue ;; esac
    [ -n "${level[$d]:-}" ] || { echo "layers: $d holds sources but is not in scripts/layers.sh"; bad=1; }
done

[ $bad -eq 0 ] && echo "layers: every include points down (${#LAYERS[@]} folders)"
exit $bad
