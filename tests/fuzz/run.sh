#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/fuzz/run.sh [SECONDS [NAME...]] - behind `make fuzz FUZZ_TIME=60`:
# fuzzes each target of tests/fuzz/ (or those named) SECONDS seconds
# (default 60), one after the other, from its seeds plus what earlier runs
# found (kept in $FUZZ_BUILD/corpus/NAME). Crash inputs go to
# $FUZZ_BUILD/artifacts/; add the ones that found a bug, once fixed, to
# tests/fuzz/corpus/NAME/. One "PASS NAME" / "FAIL NAME" line each, then
# "N passed, N failed".
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
[[ $FUZZ_BUILD == /* ]] || FUZZ_BUILD=$ROOT/$FUZZ_BUILD
# shellcheck source=tests/fuzz/lib-fuzz.sh
source "$ROOT/tests/fuzz/lib-fuzz.sh"

secs=${1:-60}
[[ $secs =~ ^[0-9]+$ ]] || { echo "usage: tests/fuzz/run.sh [SECONDS [NAME...]]" >&2; exit 2; }
shift $(($# ? 1 : 0))
names=("$@")
((${#names[@]})) || mapfile -t names < <(fuzz_names)

pass=0 fail=0
for name in "${names[@]}"; do
	log=$FUZZ_BUILD/fuzz-$name.log
	echo "--- $name (${secs} s)"
	if fuzz_run "$FUZZ_BUILD/tests/fuzz" "$name" "$secs" \
		"$FUZZ_BUILD/corpus/$name" "$FUZZ_BUILD/artifacts" >"$log"; then
		grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
		echo "PASS $name"
		pass=$((pass + 1))
	else
		tail -n 40 "$log"
		echo "FAIL $name (log: $log)"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
((fail == 0))
