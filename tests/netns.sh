#!/usr/bin/env bash
# Test hosts for the multi-host tests: three network namespaces PREFIXm,
# PREFIXa and PREFIXb with addresses 10.213.NET.1, .2 and .3/24, joined by a
# bridge in a fourth namespace PREFIXx. Nothing touches the host's own network.
# Inside them the hosts have names: hostm, hosta and hostb, in a hosts file
# that `ip netns exec` puts in place of /etc/hosts (/etc/netns/NAME/hosts).
#   tests/netns.sh up PREFIX NET     create them
#   tests/netns.sh down PREFIX       remove them (quietly, whatever exists)
set -u
cmd=$1 prefix=$2
case $cmd in
up)
    net=$3
    set -e
    ip netns add "${prefix}x"
    ip -n "${prefix}x" link add br0 type bridge
    ip -n "${prefix}x" link set br0 up
    n=1
    for h in m a b; do
        ip netns add "${prefix}$h"
        ip link add "v$h" netns "${prefix}$h" type veth peer name "b$h" netns "${prefix}x"
        ip -n "${prefix}x" link set "b$h" master br0
        ip -n "${prefix}x" link set "b$h" up
        ip -n "${prefix}$h" addr add "10.213.$net.$n/24" dev "v$h"
        ip -n "${prefix}$h" link set "v$h" up
        ip -n "${prefix}$h" link set lo up
        n=$((n + 1))
    done
    for h in m a b; do
        mkdir -p "/etc/netns/${prefix}$h"
        printf '127.0.0.1 localhost\n10.213.%s.1 hostm\n10.213.%s.2 hosta\n10.213.%s.3 hostb\n' \
            "$net" "$net" "$net" >"/etc/netns/${prefix}$h/hosts"
    done
    ;;
down)
    for h in m a b x; do
        ip netns del "${prefix}$h" 2>/dev/null || true
        rm -rf "/etc/netns/${prefix}$h"
    done
    ;;
*)
    echo "usage: $0 up PREFIX NET | down PREFIX" >&2
    exit 2
    ;;
esac
