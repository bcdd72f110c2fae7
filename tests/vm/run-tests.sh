#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/run-tests.sh [FILTER[,FILTER...]] - the VM tests, run inside the
# test VM (vm-init.sh calls it; any kernel with nf_flow_table and BTF would
# do). Every test_NAME function of tests/vm/test-*.sh runs in its own bash
# and its own private mount namespace (a test may hide /sys/kernel/btf),
# under a timeout (FG_VM_TEST_TIMEOUT, 240 s), with tests/lib.sh,
# tests/lib-guard.sh and tests/vm/lib-vm.sh sourced. FILTER: only the tests
# whose NAME contains one of the strings.
# Prints "PASS NAME (T s)" or "FAIL NAME (why)" and the end of its log per
# test, then exactly one last line "N passed, N failed"; exit status 1 when
# any failed. Each test's whole log: FG_VM_LOGS (default /mnt/out/logs
# when that exists, else /tmp/fg-vm-logs), NAME.log.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
export BUILD=${BUILD:-build}
# under emulation (TCG) loading the guard alone takes seconds
export GUARD_START_MS=${GUARD_START_MS:-60000}
limit=${FG_VM_TEST_TIMEOUT:-240}
logs=${FG_VM_LOGS:-}
if [[ -z $logs ]]; then
	logs=/tmp/fg-vm-logs
	[[ -d /mnt/out ]] && logs=/mnt/out/logs
fi
mkdir -p "$logs"
IFS=, read -ra filters <<<"${1:-}"

selected()
{
	local f
	((${#filters[@]})) || return 0
	for f in "${filters[@]}"; do
		[[ -n $f && $1 == *"$f"* ]] && return 0
	done
	return 1
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

echo "# kernel $(uname -r), $(nproc) CPUs, BTF $([[ -e /sys/kernel/btf/vmlinux ]] && echo yes || echo no), up $(cut -d' ' -f1 /proc/uptime) s"
modprobe -a nf_flow_table nf_flow_table_inet nft_flow_offload 2>/dev/null ||
	echo "# nf_flow_table modules did not load"
if [[ ${1:-} =~ ^bench_([a-z0-9]+)$ ]]; then
	name=${BASH_REMATCH[1]}
	t0=$(now_ms)
	# straight to our output: a pipe (tee) would wait for every process
	# that inherited it
	timeout -k 10 "${FG_VM_BENCH_TIMEOUT:-3300}" bash "$ROOT/tests/vm/bench-$name.sh" \
		</dev/null 2>&1
	rc=$?
	ms=$(($(now_ms) - t0))
	if ((rc == 0)); then
		echo "PASS bench_$name ($((ms / 1000)) s)"
		echo "1 passed, 0 failed"
		exit 0
	fi
	echo "FAIL bench_$name (exit status $rc, $((ms / 1000)) s)"
	echo "0 passed, 1 failed"
	exit 1
fi
pass=0 fail=0
for file in "$ROOT"/tests/vm/test-*.sh; do
	# shellcheck disable=SC2016
	fns=$(bash -c 'source "$1" && declare -F' _ "$file" | awk '$3 ~ /^test_/ {print $3}')
	for fn in $fns; do
		name=${fn#test_}
		selected "$name" || continue
		log=$logs/$name.log
		t0=$(now_ms)
		# shellcheck disable=SC2016
		timeout -k 10 "$limit" unshare --mount --propagation private bash -c '
			set -eE -o pipefail
			source "$1/tests/lib.sh"
			source "$1/tests/lib-guard.sh"
			source "$1/tests/vm/lib-vm.sh"
			source "$2"
			trap '\''rc=$?; [[ $BASH_SUBSHELL == 0 && $BASH_COMMAND != return* ]] &&
				echo "FAIL: \"$BASH_COMMAND\" exited $rc (${BASH_SOURCE[0]##*/}:$LINENO)" >&2'\'' ERR
			fg_init
			"$3"
		' _ "$ROOT" "$file" "$fn" </dev/null >"$log" 2>&1
		rc=$?
		ms=$(($(now_ms) - t0))
		t=$(printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)))
		if ((rc == 0)); then
			echo "PASS $name ($t)"
			pass=$((pass + 1))
			continue
		fi
		fail=$((fail + 1))
		if ((rc == 124 || rc == 137)); then
			echo "FAIL $name (timed out after $limit s)"
		else
			echo "FAIL $name (exit status $rc, $t)"
		fi
		grep '^FAIL: ' "$log" | head -n 8 | sed 's/^/    /'
		echo "    --- last lines of its log:"
		tail -n 25 "$log" | sed 's/^/    /'
	done
done
if ((pass + fail == 0)); then
	echo "FAIL filter (no test name contains any of: ${1:-})"
	fail=1
fi
echo "$pass passed, $fail failed"
((fail == 0))
