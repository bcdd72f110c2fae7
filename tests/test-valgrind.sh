# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-valgrind.sh - the service's whole life under valgrind: start,
# a stale flow reported and reset (events), `status`, mwan3's
# `disconnected` and `connected` through the control socket, the dedupe
# map's sweep, stop. No
# invalid access, no definite or indirect leak, in the service and in
# the commands that talked to it. Skipped without valgrind (make deps
# installs it) and for a sanitizer build (make test SANITIZE=1: ASan does
# this job there, valgrind cannot run it). In both modes: ct parses the
# kernel's BTF (the kfunc probe, libbpf's CO-RE), skbmark does not. Slow:
# valgrind runs the service some 20 to 50 times slower (here: 9 s for
# skbmark, 36 s for ct; on a loaded machine 35 and 80 s). FG_VG_START_MS
# (default 90000) is how long the start may take. Run: tests/run.sh valgrind

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

# shellcheck disable=SC2054 # the commas belong to the options
VG_OPTS=(-q --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --error-exitcode=99
	--num-callers=30 --suppressions="$FG_ROOT/tests/valgrind.supp")

# vg_wrap: FG_BIN becomes a script that runs the real one under valgrind,
# one log per process in $FG_TMP/vg.PID.log.
vg_wrap()
{
	local real=$FG_BIN wrap=$FG_TMP/vg-flowguard
	printf '#!/bin/sh\nexec valgrind %s --log-file=%s "%s" "$@"\n' \
		"${VG_OPTS[*]}" "$FG_TMP/vg.%p.log" "$real" >"$wrap"
	chmod +x "$wrap"
	FG_BIN=$wrap
}

# vg_check: no valgrind log reports an error or a leak ("==PID==" lines;
# "--PID-- WARNING" lines, such as bpf commands valgrind does not know,
# are its own business).
vg_check()
{
	local f bad=0 n=0
	for f in "$FG_TMP"/vg.*.log; do
		[[ -e $f ]] || continue
		n=$((n + 1))
		if grep -q '^==[0-9]*==' "$f"; then
			echo "--- $f" >&2
			head -n 60 "$f" >&2
			bad=1
		fi
	done
	((n >= 2)) || fg_fail "valgrind wrote $n logs: the service and the commands did not run under it"
	((!bad)) || fg_fail "valgrind reported errors (above)"
	fg_log "$n processes under valgrind, no error, no leak"
}

# vg_mwan3_conf FILE: mwan3's config for the drill's two uplinks, for a
# command that ends up acting alone (a service too slow to offer in time).
vg_mwan3_conf()
{
	cat >"$1" <<EOF
config globals 'globals'
	option mmx_mask '$DRILL_MASK'

config interface 'wan1'
	option enabled '1'

config interface 'wan2'
	option enabled '1'
EOF
}

# vg_kept: the planted entries no step here may delete (mark 0x200 and
# unmarked), "N:N".
vg_kept()
{
	echo "$(drill_exec router "$FG_CTFILL" count "$DRILL_MARK2"):$(drill_exec router "$FG_CTFILL" count 0)"
}

# vg_hook ACTION: the command mwan3.user runs, against the service.
vg_hook()
{
	drill_exec router env FLOWGUARD_SOCKET="$GUARD_SOCK" \
		FLOWGUARD_PIN_DIR="$FG_PIN_DIR" \
		FLOWGUARD_MWAN3_CONFIG="$FG_TMP/mwan3.conf" \
		FLOWGUARD_MWAN3_MASK_FILE="$FG_TMP/mmx_mask.absent" \
		"$FG_BIN" "$1" wan1 "$DRILL_WAN1_DEV" >"$FG_TMP/hook.out" 2>&1 ||
		fg_fail "$1 wan1: $(<"$FG_TMP/hook.out")"
	fg_log "$1 wan1: $(<"$FG_TMP/hook.out")"
}

# vg_swept: the service has swept its dedupe map at least once.
vg_swept() { guard_status | grep -q "swept in [1-9][0-9]* sweeps"; }

# vg_cycle MODE: the whole cycle in that mode.
vg_cycle()
{
	local mode=$1 la from_a before after rc=0
	command -v valgrind >/dev/null || fg_skip "valgrind is not installed (make deps)"
	if ldd "$FG_BIN" 2>/dev/null | grep -q 'libasan'; then
		fg_skip "$FG_BIN is a sanitizer build (ASan checks it; valgrind cannot run it)"
	fi
	drill_setup --nat snat
	drill_client_start a "$DRILL_CLIENT_A_IP4"
	drill_client_start b "$DRILL_CLIENT_B_IP4"
	drill_wait_echo a "$DRILL_WAN1_IP4" >/dev/null
	drill_wait_echo b "$DRILL_WAN2_IP4" >/dev/null
	# entries the disconnect of wan1 must leave alone
	drill_exec router "$FG_CTFILL" add "$DRILL_MARK2" 50 4 0
	drill_exec router "$FG_CTFILL" add 0 50 4 1000
	before=$(vg_kept)
	vg_mwan3_conf "$FG_TMP/mwan3.conf"
	vg_wrap
	GUARD_START_MS=${FG_VG_START_MS:-90000} guard_start --mode "$mode"

	# events: A's flow leaves the wrong uplink; the service resets it
	la=$(drill_client_log a)
	from_a=$(drill_log_mark "$la")
	drill_policy "$DRILL_MARK2"
	drill_misroute 1
	drill_wait_log "$GUARD_LOG" ": deleted[ ,]" 20000 >/dev/null
	drill_wait_log "$la" " error ECONNRESET " 20000 "$from_a" >/dev/null
	guard_status >"$FG_TMP/status.out" || fg_fail "status: $(<"$FG_TMP/status.out")"

	vg_hook disconnected
	vg_hook connected
	# the dedupe map's sweep, 10 s after the first report
	fg_wait_for 60000 vg_swept || fg_fail "no sweep of the dedupe map: $(guard_status | grep 'dedupe map')"
	after=$(vg_kept)
	[[ $before == "$after" ]] ||
		fg_fail "entries of mark 0x200 / unmarked: $before before, $after after"
	# guard_stop, with valgrind's logs shown first when it fails
	kill -TERM "$GUARD_PID"
	wait "$GUARD_PID" || rc=$?
	vg_check
	[[ $rc == 0 ]] || fg_fail "flowguard exited $rc on SIGTERM"
}

test_service_cycle_under_valgrind() { vg_cycle skbmark; }
test_service_cycle_under_valgrind_ct() { vg_cycle ct; }
