#!/usr/bin/env bash
# Submits a sharded chokepoint run to Slurm: an array of SHARDS shard tasks, then the merge as a
# job that depends on all of them. Prints the two job ids.
#
#   SCENARIO=scenarios/escalation-2026.toml TRIALS=1000000 SHARDS=64 \
#   RESULT=results/escalation-1e6 deploy/slurm/submit.sh
#
# Optional: CHOKEPOINT (the binary, default `chokepoint` on PATH), SHARD_DIR (default shards),
# RUN_OPTIONS (e.g. "--streaming"), MERGE_OPTIONS, SBATCH_OPTIONS (e.g. "--partition=long").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${SCENARIO:?}" "${TRIALS:?}" "${SHARDS:?}" "${RESULT:?}"
export SCENARIO TRIALS SHARDS RESULT
export CHOKEPOINT=${CHOKEPOINT:-chokepoint} SHARD_DIR=${SHARD_DIR:-shards}
export RUN_OPTIONS=${RUN_OPTIONS:-} MERGE_OPTIONS=${MERGE_OPTIONS:-}
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --array="0-$((SHARDS - 1))" --export=ALL \
  "$here/chokepoint-array.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTIONS:-} --dependency="afterok:$array" --export=ALL \
  "$here/chokepoint-merge.sbatch")
merge=${merge%%;*}
echo "$array $merge"
