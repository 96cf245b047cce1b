#!/usr/bin/env bash
# Draws what `make bench-cluster` printed: for each scenario and algorithm,
# each routing mode's median superstep as a multiple of direct routes' (the
# table's "x direct"), as clustered bars on a log scale, into an SVG.
#
#   bench/plot-cluster.sh LOG [OUT.svg]     (default OUT: build/bench-cluster.svg)
#
# LOG is the bench's output (its table rows: "| scenario | algorithm | mode |
# superstep | x direct | ..."); a mode a pair lacks is drawn as 0. Needs
# gnuplot (scripts/deps.sh plot installs gnuplot-nox as root).
set -eu
cd "$(dirname "$0")/.."
log=${1:?usage: bench/plot-cluster.sh LOG [OUT.svg]}
out=${2:-build/bench-cluster.svg}
command -v gnuplot >/dev/null ||
    { echo "plot-cluster: needs gnuplot (bash scripts/deps.sh plot)" >&2; exit 2; }
[ -r "$log" ] || { echo "plot-cluster: cannot read $log" >&2; exit 2; }
data=$(mktemp)
trap 'rm -f "$data"' EXIT
# One line a (scenario, algorithm), in the order the bench ran them:
# "scenario/algorithm direct aggregated load_balanced auto".
awk -F'|' '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    NF > 6 && trim($4) ~ /^(direct|aggregated|load_balanced|auto)$/ {
        key = trim($2) "/" trim($3)
        if (!(key in seen)) { seen[key] = 1; order[++n] = key }
        x = trim($6); v[key, trim($4)] = (x == "-" ? 0 : x)
    }
    END {
        if (n == 0) exit 1
        for (i = 1; i <= n; i++) {
            k = order[i]
            printf "%s %s %s %s %s\n", k, v[k, "direct"] + 0, v[k, "aggregated"] + 0,
                   v[k, "load_balanced"] + 0, v[k, "auto"] + 0
        }
    }' "$log" >"$data" || { echo "plot-cluster: no table rows in $log" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
gnuplot <<EOF
set terminal svg size 1100,480 dynamic font "Helvetica,12" background rgb "white"
set output "$out"
set termoption noenhanced
set title "Median superstep by routing mode, as a multiple of direct routes (emulated cluster)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.25:6]
set ytics (0.25, 0.5, 1, 2, 4)
set grid ytics
set ylabel "superstep / direct's"
set xtics rotate by -35 scale 0 font ",11"
set key top left horizontal
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
plot "$data" using 2:xtic(1) title "direct" lc rgb "#4d4d4d", \
     "" using 3 title "aggregated" lc rgb "#2166ac", \
     "" using 4 title "load_balanced" lc rgb "#1b7837", \
     "" using 5 title "auto" lc rgb "#d6604d"
EOF
echo "plot-cluster: wrote $out ($(wc -l <"$data") scenario/algorithm pairs)"
