#!/usr/bin/env bash
# A real scheduler: a one-node Slurm cluster started on this machine runs `cargo syops zoo
# --shard slurm` as a 4-task array job over the committed photographs; the shards' reports are
# merged and must equal the unsharded run's.
#
#   scripts/slurm-check.sh           # SYOPS_SLURM_KEEP=1 keeps the work folder (logs, reports)
#
# Installs Debian's `slurm-wlm` and `munge` when missing (apt; as root or with sudo). Everything
# else lives in a temporary folder: a munge key and socket, a generated slurm.conf
# (proctrack/linuxproc, task/none: no cgroups), slurmctld and slurmd on 127.0.0.1 (ports 16817 and
# 16818, or SYOPS_SLURM_PORT and the next), all stopped on exit. Builds cargo-syops and
# syops-zoo's `generated_weights` example in the test profile (`cargo test` has built them
# already). The shards count with `--batch-size 1`, so that they batch as the unsharded run does
# (syops 0.0.5's convention tests each batch's first sample); the check is `cargo syops diff
# --exit-code` (every layer's numbers per sample, and the totals) and the two JSON files byte for
# byte. When Slurm cannot start, it says why and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
say() { echo "slurm-check: $*" >&2; }
fail() {
    say "FAILED: $*"
    exit 1
}

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: Slurm's daemons need root (slurmd starts jobs as their user)"
    sudo="sudo"
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
    ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    $sudo apt-get update -q >/dev/null || fail "apt-get update failed (no network or no Debian archive?)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null ||
        fail "apt-get install slurm-wlm munge failed"
fi

# Build once: cargo-syops and the weights every shard counts.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
cargo build --profile test -q -p cargo-syops --bin cargo-syops -p syops-zoo --example generated_weights
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
syops="$target/debug/cargo-syops"
[ -x "$syops" ] || fail "no $syops after the build"

work=$(mktemp -d "${TMPDIR:-/tmp}/syops-slurm.XXXXXX")
chmod 755 "$work"
job=""
# The daemons' pid files: each one stopped on exit, whatever the way out.
pidfiles=("$work/munge/munged.pid" "$work/slurmctld.pid" "$work/slurmd.pid")
cleanup() {
    local code=$?
    # A job still queued or running (the check failed or was interrupted): cancelled while the
    # daemons are up, so that no job step outlives them.
    if [ -n "$job" ] && timeout 10 squeue -h -j "$job" 2>/dev/null | grep -q .; then
        timeout 10 scancel "$job" 2>/dev/null || true
        for _ in $(seq 50); do timeout 5 squeue -h -j "$job" 2>/dev/null | grep -q . || break; sleep 0.2; done
    fi
    local pids=()
    for f in "${pidfiles[@]}"; do
        if [ -s "$f" ]; then pids+=("$(cat "$f")"); fi
    done
    for pid in "${pids[@]}"; do
        $sudo kill "$pid" 2>/dev/null || true
    done
    # Each gets 5 s to stop (slurmd may wait on a controller that does not answer), then SIGKILL.
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        $sudo kill -9 "$pid" 2>/dev/null || true
    done
    if [ "${SYOPS_SLURM_KEEP:-0}" = 1 ] || [ "$code" -ne 0 ]; then
        say "work folder kept: $work"
    else
        $sudo rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The job: spiking_resnet18 with generated weights saved once, over the 6 photographs at 56².
model=spiking_resnet18
data="$repo/syops-zoo/fixtures/images/photos"
"$target/debug/examples/generated_weights" "$model" "$work/weights.safetensors"
zoo=(syops zoo "$model" --weights "$work/weights.safetensors" --data "$data" --resize 64 --crop 56 --batch-size 1)

# munge: a fresh key and its own socket.
mkdir -p "$work/munge"
head -c 1024 /dev/urandom >"$work/munge/munge.key"
chmod 755 "$work/munge"
chmod 400 "$work/munge/munge.key"
$sudo munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" ||
    fail "munged did not start: $(tail -3 "$work/munge/munged.log" 2>/dev/null)"
for _ in $(seq 50); do [ -s "$work/munge/munged.pid" ] && break; sleep 0.1; done
[ -s "$work/munge/munged.pid" ] || fail "munged wrote no pid file: $(tail -3 "$work/munge/munged.log" 2>/dev/null)"

# Slurm: this machine's CPUs and memory, as slurmd sees them.
port="${SYOPS_SLURM_PORT:-16817}"
for p in "$port" $((port + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        fail "port $p on 127.0.0.1 is taken (a Slurm left running?); set SYOPS_SLURM_PORT to a free pair"
    fi
done
host=$(hostname -s)
hardware=$(slurmd -C | head -1 | sed 's/^NodeName=[^ ]* //')
mkdir -p "$work/state" "$work/spool" "$work/out"
cat >"$work/slurm.conf" <<EOF
ClusterName=syops
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
for daemon in slurmctld slurmd; do
    $sudo env SLURM_CONF="$SLURM_CONF" "$daemon" -f "$SLURM_CONF" ||
        fail "$daemon did not start: $(tail -5 "$work/$daemon.log" 2>/dev/null)"
    for _ in $(seq 100); do [ -s "$work/$daemon.pid" ] && break; sleep 0.1; done
    [ -s "$work/$daemon.pid" ] || fail "$daemon wrote no pid file: $(tail -5 "$work/$daemon.log" 2>/dev/null)"
done
state=""
up=$(date +%s)
while [ $(($(date +%s) - up)) -lt 60 ]; do
    state=$(timeout 5 sinfo -h -N -o %T 2>/dev/null | head -1 || true)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || fail "the node is '${state:-not registered}', not idle, after 60 s:
$(scontrol show node "$host" 2>&1 | grep -E 'State|Reason' || true)
$(tail -5 "$work/slurmctld.log" "$work/slurmd.log" 2>/dev/null)"
say "one-node cluster up: $host, $hardware"

# The array job, as a user would write it.
cat >"$work/count.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=syops-count
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/out/shard-%a.log
exec $(printf '%q ' "$syops" "${zoo[@]}")--shard slurm --format json -o "$work/out/shard-\$SLURM_ARRAY_TASK_ID.json"
EOF
start=$(date +%s)
job=$(sbatch --parsable "$work/count.sbatch") || fail "sbatch refused the job"
say "submitted array job $job"
while timeout 10 squeue -h -j "$job" 2>/dev/null | grep -q .; do
    [ $(($(date +%s) - start)) -lt 600 ] || fail "job $job still queued or running after 600 s: $(squeue -j "$job")"
    sleep 1
done
states=$(scontrol -o show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*ExitCode=\([0-9:]*\).*/\1 \2/p' | sort | uniq -c)
say "job $job finished in $(($(date +%s) - start)) s: $(echo $states)"
for i in 0 1 2 3; do
    [ -s "$work/out/shard-$i.json" ] || fail "shard $i wrote no report: $(tail -5 "$work/out/shard-$i.log")"
done
echo "$states" | grep -qv 'COMPLETED 0:0' && fail "not every task completed with exit code 0: $states"

"$syops" syops merge "$work"/out/shard-{0,1,2,3}.json --format json -o "$work/merged.json"
"$syops" "${zoo[@]}" --format json -o "$work/whole.json" 2>/dev/null
"$syops" syops diff "$work/whole.json" "$work/merged.json" --exit-code >"$work/diff.txt" ||
    fail "the merged report differs from the unsharded run's: $(cat "$work/diff.txt")"
cmp -s "$work/whole.json" "$work/merged.json" ||
    fail "cargo syops diff finds no change, but the JSON files differ: diff $work/whole.json $work/merged.json"
say "ok: 4 shards merged equal the unsharded run ($(tail -1 "$work/diff.txt"); JSON identical)"
