#!/bin/bash
# Record the --json output of every read-only command on the sample project, made from the
# source tree SRC, into OUT. The wall clock is frozen (sitecustomize.py), runs are sequential,
# so everything but measured durations comes out the same on every run.
# usage: record.sh SRC OUT PYTHON
set -u
SRC=$1; OUT=$2; PY=$3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$SRC:$HERE" HOME="$WORK/home"
export XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.data" XDG_STATE_HOME="$WORK/home/.state"
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
mkdir -p "$HOME"
P="$WORK/proj"
c() { echo "### $*"; "$PY" -m spec_automation "$@" 2>&1; echo "### rc=$?"; }
cd "$WORK"  # not the caller's folder: python -m imports from the current folder first
{
c init "$P" --sample
cd "$P" || exit 1
c plan --json
c run --json --latency-scale 0 --auto-approve --sequential
c status --json
c metrics --json
printf '\nThe clinic also needs a waiting list for cancelled slots.\n' >> artifacts/prd.md
c scan --json
c history prd.md --json
c history prd.md --versions --json
c impact --json
c regenerate --strategy regenerate_all --json --latency-scale 0 ${REGEN_FLAGS---auto-approve} --concurrency 1
c runs --json
c run-show 1 --json
c snapshots --json
c status --json
} | sed "s|$WORK|<work>|g" > "$OUT"
