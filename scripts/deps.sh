#!/usr/bin/env bash
# Checks that every library zpregel builds against is visible to pkg-config.
# As root it installs what is missing from Debian's archive; otherwise it names
# the Debian package that provides each missing library and fails.
#   scripts/deps.sh fuzz   clang with libFuzzer, for make fuzz, likewise
#   scripts/deps.sh slurm  Slurm's daemons and srun (slurm-wlm), for the Slurm
#                          test, likewise (the test skips without them)
#   scripts/deps.sh python Debian's python3 with numpy, networkx and scipy, for
#                          the Python package's test, likewise
#   scripts/deps.sh web    promtool (prometheus) and headless Chromium, for the
#                          metrics and status page tests, likewise
#   scripts/deps.sh plot   gnuplot (gnuplot-nox), for bench/plot-cluster.sh, likewise
set -u

# apt-get as root, waiting for another apt or dpkg that holds its locks
# (unattended upgrades, a second make): it tries again every 5 s for up
# to ZP_APT_WAIT seconds (default 600), and says once that it waits. Its
# output goes to stderr.
s_apt () {
    local wait=${ZP_APT_WAIT:-600} start=$SECONDS said="" log rc
    log=$(mktemp)
    while :; do
        apt-get "$@" >"$log" 2>&1
        rc=$?
        if [ "$rc" != 0 ] && grep -q "Could not get lock\|Unable to acquire\|Unable to lock" "$log" &&
            [ $((SECONDS - start)) -lt "$wait" ]; then
            [ -n "$said" ] || echo "zpregel: another apt or dpkg holds its lock ($(grep -m1 -o \
                'held by process [0-9]* ([^)]*)' "$log")); waiting up to ${wait}s" >&2
            said=1
            sleep 5
            continue
        fi
        cat "$log" >&2
        rm -f "$log"
        return "$rc"
    done
}
if [ "${1:-}" = web ]; then
    command -v promtool >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "zpregel: installing promtool (prometheus) and chromium for the status tests" >&2
        export DEBIAN_FRONTEND=noninteractive
        s_apt update -qq &&
            s_apt install -y -qq --no-install-recommends prometheus chromium && exit 0
    fi
    echo "zpregel: the status tests need: sudo apt-get install -y prometheus chromium" >&2
    exit 1
fi
if [ "${1:-}" = plot ]; then
    command -v gnuplot >/dev/null 2>&1 && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "zpregel: installing gnuplot (gnuplot-nox) for the cluster bench's plot" >&2
        export DEBIAN_FRONTEND=noninteractive
        s_apt update -qq && s_apt install -y -qq --no-install-recommends gnuplot-nox && exit 0
    fi
    echo "zpregel: the cluster bench's plot needs: sudo apt-get install -y gnuplot-nox" >&2
    exit 1
fi
if [ "${1:-}" = python ]; then
    /usr/bin/python3 -c 'import numpy, networkx, scipy' >/dev/null 2>&1 && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "zpregel: installing python3 with numpy, networkx and scipy for the Python test" >&2
        export DEBIAN_FRONTEND=noninteractive
        s_apt update -qq &&
            s_apt install -y -qq --no-install-recommends python3 python3-numpy python3-networkx \
                python3-scipy && exit 0
    fi
    echo "zpregel: the Python test needs: sudo apt-get install -y python3-numpy python3-networkx python3-scipy" >&2
    exit 1
fi
if [ "${1:-}" = slurm ]; then
    command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 &&
        command -v srun >/dev/null 2>&1 && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "zpregel: installing Slurm (slurmctld, slurmd, srun) for the Slurm test" >&2
        export DEBIAN_FRONTEND=noninteractive
        s_apt update -qq &&
            s_apt install -y -qq --no-install-recommends slurmctld slurmd slurm-client && exit 0
    fi
    echo "zpregel: the Slurm test needs Slurm: sudo apt-get install -y slurmctld slurmd slurm-client" >&2
    exit 1
fi
if [ "${1:-}" = fuzz ]; then
    probe=$(mktemp -d)
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}\n' > "$probe/f.c"
    if command -v clang >/dev/null 2>&1 &&
        clang -fsanitize=fuzzer "$probe/f.c" -o "$probe/f" >/dev/null 2>&1; then
        rm -rf "$probe"
        exit 0
    fi
    rm -rf "$probe"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "zpregel: installing clang and libFuzzer for make fuzz" >&2
        export DEBIAN_FRONTEND=noninteractive
        s_apt update -qq && s_apt install -y -qq clang libclang-rt-14-dev && exit 0
    fi
    echo "zpregel: make fuzz needs clang with libFuzzer: sudo apt-get install -y clang libclang-rt-14-dev" >&2
    exit 1
fi
# pkg-config name -> Debian package
deps="libzmq:libzmq3-dev libczmq:libczmq-dev libcbor:libcbor-dev libzstd:libzstd-dev
yaml-0.1:libyaml-dev libmicrohttpd:libmicrohttpd-dev criterion:libcriterion-dev"
missing=""
if ! command -v pkg-config >/dev/null 2>&1; then
    missing="pkg-config"
fi
for d in $deps; do
    pc=${d%%:*} pkg=${d#*:}
    if ! pkg-config --exists "$pc" 2>/dev/null; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "zpregel: installing missing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    s_apt update -qq && s_apt install -y -qq pkg-config $missing || {
        echo "zpregel: apt-get install failed for:$missing" >&2
        exit 1
    }
    exit 0
fi
echo "zpregel: missing build dependencies; install them with:" >&2
echo "  sudo apt-get install -y pkg-config$missing" >&2
exit 1
