#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/run.sh [-v] [-t SECONDS] [FILTER...] - the runner behind `make test`.
#
# 1. Runs every executable in $BUILD/tests/unit/ and $BUILD/tests/kernel/
#    (BUILD defaults to build), shows their output and counts their
#    "PASS name" / "FAIL name" / "SKIP name: why" lines. A binary that exits
#    non-zero without a FAIL line, or crashes, or times out, counts as one
#    FAIL named after it.
# 2. For each tests/test-*.sh, runs each test_* function in its own bash
#    (tests/lib.sh and the file sourced, set -eE -o pipefail, the lib's
#    cleanup trap) under a timeout: exit 0 = PASS, 77 = SKIP (reason from its
#    "SKIP: why" line), anything else = FAIL with the end of its log.
# FILTER: run only binaries / tests whose name (unit/NAME, kernel/NAME,
# test-FILE.sh:test_NAME) contains one of the FILTER strings.
# -v shows every test's log. -t: per-test timeout (default 120 s).
# FG_SLOW=N (environment, a whole number, default 1; 4 when $BUILD/flowguard
# is a SANITIZE=1 build): how many times slower than an idle machine this
# run may be. Every wait's deadline is multiplied by it, and so is every
# bound a test still puts on a time, but for those that prove an order of
# events and are capped there (docs/testing-timing.md). Raise it on a
# slow or shared machine, or in CI: the bounds that prove something stay
# capped whatever its value.
# Everything runs in our own mount namespace: /run/netns stays shared with the
# host (`ip netns list` shows the tests' namespaces), /sys is made a slave
# there and gets our own bpffs at /sys/fs/bpf when the host has none.
# Ends with "N passed, N failed[, N skipped]"; exit status 1 if any failed.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

if [[ ${FG_MNTNS:-} != 1 ]] && [[ $(id -u) == 0 ]] &&
	unshare --mount --propagation unchanged true 2>/dev/null; then
	exec unshare --mount --propagation unchanged env FG_MNTNS=1 "$0" "$@"
fi

BUILD=${BUILD:-build}
export BUILD
verbose=0
timeout_s=120
filters=()

usage()
{
	echo "usage: tests/run.sh [-v] [-t SECONDS] [FILTER...]" >&2
	exit 2
}

while (($#)); do
	case $1 in
	-v) verbose=1 ;;
	-t) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; timeout_s=$2; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) filters+=("$1") ;;
	esac
	shift
done

# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
fg_bpffs 2>/dev/null || true

pass=0 fail=0 skip=0
RUN_TMP=$(mktemp -d /tmp/fg-run.XXXXXX)
trap 'rm -rf "$RUN_TMP"' EXIT
CUR_PID=
INTERRUPTED=
trap 'INTERRUPTED=130; [[ -n $CUR_PID ]] && kill -TERM "$CUR_PID" 2>/dev/null' INT
trap 'INTERRUPTED=143; [[ -n $CUR_PID ]] && kill -TERM "$CUR_PID" 2>/dev/null' TERM

# run_wait PID [quiet]: wait for a timeout(1) job (whose output goes to
# $RUN_TMP/*.log), following its log with -v; RUN_RC = its status. On
# INT/TERM the job is stopped (its own trap cleans up) and we stop after it.
run_wait()
{
	local tail_pid=
	CUR_PID=$1
	if ((verbose)) && [[ -z ${2:-} ]]; then
		tail -n +1 -f --pid="$CUR_PID" "$RUN_TMP/test.log" &
		tail_pid=$!
	fi
	while :; do
		wait "$CUR_PID" 2>/dev/null
		RUN_RC=$?
		kill -0 "$CUR_PID" 2>/dev/null || break
	done
	[[ -n $tail_pid ]] && wait "$tail_pid"
	CUR_PID=
}

summary()
{
	local line="$pass passed, $fail failed"
	((skip)) && line+=", $skip skipped"
	echo "$line"
}

stop_if_interrupted()
{
	[[ -n $INTERRUPTED ]] || return 0
	echo "interrupted"
	summary
	exit "$INTERRUPTED"
}

selected()
{
	local f
	((${#filters[@]})) || return 0
	for f in "${filters[@]}"; do
		[[ $1 == *"$f"* ]] && return 0
	done
	return 1
}

# sweep ID: whatever a killed test left behind (its namespaces and what runs
# in them, its pins, its state folder and recorded pids).
sweep()
{
	local id=$1 ns d
	for d in /tmp/fg-"$id".*; do
		[[ -f $d/pids ]] || continue
		local entries=()
		mapfile -t entries <"$d/pids"
		_fg_kill_pids "${entries[@]}"
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns == fg-"$id"-* ]] && fg_netns_del "$ns"
	done
	for d in /sys/fs/bpf/fg-"$id" /sys/fs/bpf/fg-"$id"-*; do
		[[ -e $d ]] && rm -rf "$d"
	done
	rm -rf /tmp/fg-"$id".*
	return 0
}

count_lines()
{
	local n
	n=$(grep -c -E "^$1 " "$2")
	echo "${n:-0}"
}

run_binary()
{
	local bin=$1 name=$2 log=$RUN_TMP/bin.log rc p f s
	timeout -k 5 "$timeout_s" "$bin" >"$log" 2>&1 </dev/null &
	run_wait $! quiet
	rc=$RUN_RC
	cat "$log"
	p=$(count_lines PASS "$log")
	f=$(count_lines FAIL "$log")
	s=$(count_lines SKIP "$log")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if ((rc == 124 || rc == 137)); then
		echo "FAIL $name (timed out after ${timeout_s} s)"
		fail=$((fail + 1))
	elif ((rc > 128)); then
		echo "FAIL $name (killed by signal $((rc - 128)))"
		fail=$((fail + 1))
	elif ((rc != 0 && f == 0)); then
		echo "FAIL $name (exit status $rc)"
		fail=$((fail + 1))
	fi
}

run_binaries()
{
	local dir bin
	for dir in unit kernel; do
		for bin in "$BUILD/tests/$dir"/*; do
			[[ -f $bin && -x $bin ]] || continue
			selected "$dir/${bin##*/}" || continue
			run_binary "$bin" "$dir/${bin##*/}"
			stop_if_interrupted
		done
	done
}

# list_tests FILE: its test_* functions; status 1 when it does not load.
list_tests()
{
	local out
	# shellcheck disable=SC2016
	out=$(bash -c 'source "$1/tests/lib.sh" && source "$2" && declare -F' _ \
		"$ROOT" "$1" 2>&1) || { echo "$out" | tail -n 5; return 1; }
	awk '$3 ~ /^test_/ {print $3}' <<<"$out"
}

seq_no=0
run_test()
{
	local file=$1 fn=$2 name=$3 log rc id t0 ms why
	seq_no=$((seq_no + 1))
	id=$$r$seq_no
	log=$RUN_TMP/test.log
	t0=$(fg_now_ms)
	: >"$log"
	if ((verbose)); then
		echo "--- $name"
	fi
	# shellcheck disable=SC2016
	FG_ID=$id FG_TMP='' timeout -k 10 "$timeout_s" bash -c '
		set -eE -o pipefail
		source "$1/tests/lib.sh"
		source "$2"
		trap '\''rc=$?; [[ $BASH_SUBSHELL == 0 && $BASH_COMMAND != return* ]] &&
			echo "FAIL: \"$BASH_COMMAND\" exited $rc (${BASH_SOURCE[0]##*/}:$LINENO)" >&2'\'' ERR
		fg_init
		"$3"
	' _ "$ROOT" "$file" "$fn" </dev/null >"$log" 2>&1 &
	run_wait $!
	rc=$RUN_RC
	ms=$(($(fg_now_ms) - t0))
	sweep "$id"
	stop_if_interrupted
	t=$(printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)))
	if ((rc == 0)); then
		echo "PASS $name ($t)"
		pass=$((pass + 1))
	elif ((rc == FG_SKIP_RC)); then
		why=$(sed -n 's/^SKIP: //p' "$log" | tail -n 1)
		echo "SKIP $name: ${why:-no reason given}"
		skip=$((skip + 1))
	else
		if ((rc == 124 || rc == 137)); then
			echo "FAIL $name (timed out after ${timeout_s} s)"
		else
			echo "FAIL $name (exit status $rc, $t)"
		fi
		fail=$((fail + 1))
		if ((!verbose)); then
			if (($(wc -l <"$log") > 30)); then
				grep '^FAIL: ' "$log" | head -n 5 | sed 's/^/    /'
				echo "    --- last lines of its log:"
			fi
			tail -n 30 "$log" | sed 's/^/    /'
		fi
	fi
}

run_scripts()
{
	local file fn fns base
	for file in "$ROOT"/tests/test-*.sh; do
		[[ -f $file ]] || continue
		base=${file##*/}
		if ! fns=$(list_tests "$file"); then
			selected "$base" || continue
			echo "FAIL $base (does not load)"
			# shellcheck disable=SC2001
			echo "$fns" | sed 's/^/    /'
			fail=$((fail + 1))
			continue
		fi
		for fn in $fns; do
			selected "$base:$fn" || continue
			run_test "$file" "$fn" "$base:$fn"
		done
	done
}

run_binaries
run_scripts

summary
((fail == 0))
