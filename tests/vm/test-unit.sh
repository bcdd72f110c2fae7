# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/vm/test-unit.sh - the build's unit tests (tests/unit/) on the VM's
# CPU (run by tests/vm/run-tests.sh in the VM). In `make vmtest-arm64`
# they are the cross-built arm64 ones: the event decoder, the big-endian
# fixtures, the config and mark parsers run on a second ABI.

# every $FG_BUILD/tests/unit/test_* binary: exit status 0 and no FAIL line
test_unit()
{
	local t log n=0 bad=0
	for t in "$FG_BUILD"/tests/unit/test_*; do
		[[ -x $t ]] || continue
		n=$((n + 1))
		log=$FG_TMP/${t##*/}.log
		if ! "$t" >"$log" 2>&1 || grep -q '^FAIL' "$log"; then
			bad=$((bad + 1))
			echo "FAIL: ${t##*/}"
			grep -E '^FAIL|check failed' "$log" | head -n 10
		fi
		fg_log "${t##*/}: $(grep -c '^PASS' "$log") passed, $(grep -c '^FAIL' "$log") failed"
	done
	((n > 0)) || fg_fail "no unit tests in $FG_BUILD/tests/unit"
	((bad == 0)) || fg_fail "$bad of $n unit test binaries failed"
}
