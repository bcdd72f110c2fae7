#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/run.sh [FILTER...] - the runner behind `make bench`.
#
# Runs every executable in $BUILD/tests/bench/ (BUILD defaults to build)
# and every tests/bench/bench-*.sh, one after the other (benchmarks share
# the machine badly), and prints what each reports. Benchmarks report
# figures; they do not pass or fail on them. Only a benchmark that cannot
# run (non-zero exit, crash) is counted as failed: exit status 1 then.
# FILTER: run only benchmarks whose name contains one of the strings.
# Not part of `make test`.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
export BUILD

ran=0 failed=0

selected()
{
	local f
	(($# > 1)) || return 0
	for f in "${@:2}"; do
		[[ $1 == *"$f"* ]] && return 0
	done
	return 1
}

run_one()
{
	local name=$1 rc
	shift
	echo "=== $name"
	"$@" </dev/null
	rc=$?
	ran=$((ran + 1))
	if ((rc != 0)); then
		echo "=== $name: FAILED to run (exit status $rc)"
		failed=$((failed + 1))
	fi
	echo
}

if [[ $(id -u) != 0 ]]; then
	echo "tests/bench/run.sh: benchmarks load BPF programs: run as root" >&2
	exit 1
fi

for bin in "$BUILD"/tests/bench/*; do
	[[ -f $bin && -x $bin ]] || continue
	selected "${bin##*/}" "$@" || continue
	run_one "${bin##*/}" "$bin"
done
for script in "$ROOT"/tests/bench/bench-*.sh; do
	[[ -f $script ]] || continue
	selected "${script##*/}" "$@" || continue
	run_one "${script##*/}" bash "$script"
done

if ((ran == 0)); then
	if (($#)); then
		echo "no benchmark matches: $*"
	else
		echo "no benchmarks under $BUILD/tests/bench/ or tests/bench/bench-*.sh (make tests-build first)"
	fi
	exit 1
fi
echo "$ran benchmarks run, $failed failed to run"
((failed == 0))
