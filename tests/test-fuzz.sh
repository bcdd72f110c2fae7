# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-fuzz.sh - the fuzz targets of tests/fuzz/ as a regression:
# each runs over its seeds (tests/fuzz/corpus/NAME, the inputs of bugs
# found included) and then fuzzes on for FG_FUZZ_SECONDS (default 5)
# seconds; any crash, sanitizer report or failed check is a FAIL, its
# input kept in $BUILD/fuzz/artifacts/. The targets are built first
# (make fuzz-build: clang, into $BUILD/fuzz). Longer runs: make fuzz.
# Run: tests/run.sh test-fuzz

# shellcheck source=tests/fuzz/lib-fuzz.sh
source "$FG_ROOT/tests/fuzz/lib-fuzz.sh"

_fuzz_regress()
{
	local name=$1 secs=${FG_FUZZ_SECONDS:-5} fb=$FG_BUILD/fuzz log
	fg_init
	log=$FG_TMP/fuzz-$name.log
	# one build for all the targets: the first test pays, the others
	# find it up to date
	make -C "$FG_ROOT" --no-print-directory -j2 BUILD="$FG_BUILD" \
		fuzz-build >"$FG_TMP/make.log" 2>&1 || {
		tail -n 30 "$FG_TMP/make.log" >&2
		fg_fail "make fuzz-build failed"
	}
	if ! fuzz_run "$fb/tests/fuzz" "$name" "$secs" "$FG_TMP/new" \
		"$fb/artifacts" >"$log"; then
		grep -E -A 30 '^(==[0-9]+==ERROR|.*runtime error|.*check failed)' \
			"$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
		fg_fail "fuzz_$name found a bug; input in $fb/artifacts/"
	fi
	fg_log "$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)"
}

# test_fuzz_NAME for each tests/fuzz/fuzz_NAME.c: a new target is in the
# suite without more
for _fz in $(fuzz_names); do
	eval "test_fuzz_$_fz() { _fuzz_regress $_fz; }"
done
unset _fz
