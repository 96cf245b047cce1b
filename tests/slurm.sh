#!/usr/bin/env bash
# A one-node Slurm cluster of this machine for the Slurm test: Debian's
# slurmctld and slurmd (package slurm-wlm), their state and logs in DIR,
# listening on loopback ports PORT (slurmctld) and DPORT (slurmd), with
# auth/none (the cluster is the test's own and lives only as long as the
# test). Both ports come from the test's allocator: PORT+1 was once taken,
# and is what the allocator hands the next test. Steps get the ports
# RESV..RESV+1 reserved (MpiParams=ports), two more of the allocator's,
# where `zpregel launch` puts the master: the ports it derives from the
# job id without them were once taken by two suites side by side (their
# clusters both began at job 1), and then by an ephemeral port.
#   tests/slurm.sh up DIR PORT DPORT RESV   start it; SLURM_CONF is DIR/slurm.conf
#   tests/slurm.sh down DIR      stop it (quietly, whatever is running)
set -u
cmd=$1 dir=$2
export SLURM_CONF=$dir/slurm.conf
case $cmd in
up)
    port=$3 dport=$4 resv=$5
    node=$(hostname -s)
    mkdir -p "$dir/state" "$dir/spool"
    cat >"$SLURM_CONF" <<EOF
ClusterName=zpregeltest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$dport
MpiParams=ports=$resv-$((resv + 1))
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=zpregel Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
    slurmctld -i || exit 1
    slurmd || exit 1
    for _ in $(seq 1 100); do
        if sinfo -h -o %t 2>/dev/null | grep -q idle; then
            exit 0
        fi
        sleep 0.1
    done
    echo "slurm.sh: the node did not become idle; see $dir/slurmctld.log and $dir/slurmd.log" >&2
    exit 1
    ;;
down)
    [ -f "$SLURM_CONF" ] && timeout 10 scontrol shutdown >/dev/null 2>&1
    for pid in "$dir/slurmctld.pid" "$dir/slurmd.pid"; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
    done
    # A step that outlived its cluster (a failed test's): its slurmstepd
    # and tasks, known by this cluster's SLURM_CONF in their environment.
    for pid in $(pgrep -f '^slurmstepd'); do
        if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$SLURM_CONF"; then
            pkill -9 -P "$pid"
            kill -9 "$pid" 2>/dev/null
        fi
    done
    exit 0
    ;;
*)
    echo "usage: $0 up DIR PORT DPORT RESV | down DIR" >&2
    exit 2
    ;;
esac
