#!/usr/bin/env bash
# CI proof of the Slurm recipe on a real single-node Slurm cluster started here: installs
# Debian's slurm-wlm and munge if missing (needs root), configures slurmctld and slurmd on
# localhost in a temporary directory, submits the shipped array script and dependent merge job
# through deploy/slurm/submit.sh, waits, and compares the merged result byte for byte with an
# unsharded run of the same trials (timing.json, the one file with a wall time, left out).
#
#   deploy/slurm/ci-test.sh [CHOKEPOINT_BINARY] [TRIALS] [SHARDS]
#
# Exits 0 on success, 1 on a difference or a failed job. If Slurm cannot run here (not root, no
# package manager, daemons that do not start), it says why and exits 77 ("skipped"), which
# .ci/run reports as a skipped step.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$repo/target/release/chokepoint}
trials=${2:-600}
shards=${3:-4}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
skip() { echo "SKIPPED: $*" >&2; exit 77; }

[ -x "$bin" ] || { echo "no chokepoint binary at $bin" >&2; exit 1; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || skip "slurm-wlm and munge are not installed and this is not root"
  command -v apt-get >/dev/null || skip "slurm-wlm and munge are not installed and there is no apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null \
    || skip "apt-get could not install slurm-wlm and munge"
fi
[ "$(id -u)" = 0 ] || skip "slurmd must run as root"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT
host=$(hostname -s)
mkdir -p "$work"/{state,spool,munge,log,run}
chmod 700 "$work/munge"

# munge: a fresh key and socket in the work directory.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1 count=1024 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" \
  --seed-file="$work/munge/seed" || skip "munged did not start (see $work/log/munged.log)"
pids+=("$(cat "$work/munge/munged.pid")")

cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cat > "$work/slurm.conf" <<CONF
ClusterName=chokepoint-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start: $(tail -3 "$work/log/slurmctld.log" 2>/dev/null)"
sleep 1
pids+=("$(cat "$work/run/slurmctld.pid")")
slurmd -f "$SLURM_CONF" || skip "slurmd did not start: $(tail -3 "$work/log/slurmd.log" 2>/dev/null)"
sleep 1
pids+=("$(cat "$work/run/slurmd.pid")")
for _ in $(seq 30); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 1
done
sinfo -h -o %t | grep -qE '^(idle|mix|alloc)' \
  || skip "the Slurm node did not come up: $(sinfo 2>&1 | tail -2); $(tail -3 "$work/log/slurmd.log")"
echo "== Slurm is up: $(sinfo -h -o '%P %D %t %C')"

cd "$work"
cp "$repo/scenarios/escalation-2026.toml" .
cp -r "$repo/scenarios/worlds" .
export SCENARIO=escalation-2026.toml TRIALS=$trials SHARDS=$shards RESULT=$work/merged
export CHOKEPOINT=$bin SHARD_DIR=$work/shards RUN_OPTIONS="--streaming --trials-csv"
# The unsharded run below draws no charts, so neither does the merge: report.html and run.json
# must match byte for byte (both record `--no-charts`).
export MERGE_OPTIONS="--trials-csv --no-charts"
read -r array merge < <("$repo/deploy/slurm/submit.sh")
echo "== submitted array job $array and merge job $merge"
for _ in $(seq 600); do
  state=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
  case "$state" in
    COMPLETED) break ;;
    FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)
      echo "merge job $merge ended $state" >&2; cat "$work"/chokepoint-*.out >&2 || true; exit 1 ;;
  esac
  sleep 1
done
[ "${state:-}" = COMPLETED ] || { echo "merge job $merge did not finish (state ${state:-unknown})" >&2; exit 1; }
echo "== merged by Slurm; now the unsharded run"
"$bin" run "$SCENARIO" --trials "$trials" --streaming --trials-csv --no-charts --out "$work/whole" 2>/dev/null >/dev/null
status=0
for f in "$work/whole"/*; do
  name=$(basename "$f")
  [ "$name" = timing.json ] && continue
  cmp -s "$f" "$work/merged/$name" || { echo "DIFFERS: $name" >&2; status=1; }
done
[ "$(ls "$work/whole" | grep -vc timing.json)" = "$(ls "$work/merged" | grep -vc timing.json)" ] \
  || { echo "the merged directory holds other files" >&2; status=1; }
[ "$status" = 0 ] && echo "== Slurm recipe: $shards shards merged byte-identical to the unsharded run of $trials trials"
exit "$status"
