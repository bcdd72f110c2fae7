#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# scripts/demo.sh - `make demo`: flowguard on a simulated two-uplink router
# (network namespaces made here, test-only addresses), in two acts:
#  1. a flow leaves the wrong uplink: the guard sees it, the service
#     deletes its conntrack entry, the client reconnects via the survivor;
#  2. the real mwan3 failover: ISP 1's upstream dies, mwan3 reports
#     `disconnected` through the hook, the dead uplink's flows are flushed
#     and their clients reset at once; the other uplink's client never
#     notices.
# Everything it makes is removed on every exit path.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
fg_private_mounts "$0" "$@"

set -eE -o pipefail
fg_init
T0=$(fg_now_ms)

say() { printf '[%5.2f s] %s\n' "$(bc_ms $(($(fg_now_ms) - T0)))" "$*"; }
bc_ms() { printf '%d.%02d' $(($1 / 1000)) $((($1 % 1000) / 10)); }
indent() { sed 's/^/            /'; }

# the service's log lines since line $1, without the program name
guard_lines() { tail -n +"$(($1 + 1))" "$GUARD_LOG" | sed 's/^flowguard: //'; }

start_clients()
{
	drill_client_start a "$DRILL_CLIENT_A_IP4"
	drill_client_start b "$DRILL_CLIENT_B_IP4"
	drill_wait_echo a "$DRILL_WAN1_IP4" >/dev/null
	drill_wait_echo b "$DRILL_WAN2_IP4" >/dev/null
	LA=$(drill_client_log a) LB=$(drill_client_log b)
	say "client A ($DRILL_CLIENT_A_IP4) echoes via uplink 1 ($DRILL_WAN1_IP4), client B ($DRILL_CLIENT_B_IP4) via uplink 2 ($DRILL_WAN2_IP4)"
}

start_guard()
{
	# shellcheck disable=SC2119 # fg_pin_dir's NAME is optional
	fg_pin_dir >/dev/null
	GUARD_LOG=$FG_TMP/flowguard.log GUARD_SOCK=$FG_TMP/fg.sock
	: >"$GUARD_LOG"
	drill_bg router "$FG_BIN" run --pin-dir "$FG_PIN_DIR" --socket "$GUARD_SOCK" \
		-u "wan1:$DRILL_WAN1_DEV:$DRILL_MARK1" \
		-u "wan2:$DRILL_WAN2_DEV:$DRILL_MARK2" >>"$GUARD_LOG" 2>&1
	GUARD_PID=$FG_LAST_PID
	drill_wait_log "$GUARD_LOG" "guarding " 5000 >/dev/null
	say "flowguard runs on the router:"
	guard_lines 0 | indent
}

stop_guard()
{
	kill -TERM "$GUARD_PID"
	wait "$GUARD_PID" || true
}

client_outcome()
{
	local from=$1 line
	line=$(drill_wait_log "$LA" " error " 3000 "$from")
	say "client A: ${line#* } (its old flow was reset)"
	line=$(drill_wait_log "$LA" "echo via=$DRILL_WAN2_IP4 vport=[0-9]+ n=1 conn=2\$" 3000 "$from")
	say "client A reconnected: echo via $DRILL_WAN2_IP4 (uplink 2) at its ${line%% *} ms"
	if drill_log_grep "$LB" " error |reconnect" >/dev/null; then
		say "client B: ERROR, it was disturbed"
		return 1
	fi
	say "client B: $(drill_log_count "$LB" " echo ") echoes, no error, never disturbed"
}

act1()
{
	local from g
	echo "== act 1: a flow leaves an uplink it does not belong on"
	drill_setup --nat snat >/dev/null
	start_clients
	start_guard
	from=$(drill_log_mark "$LA") g=$(wc -l <"$GUARD_LOG")
	drill_policy "$DRILL_MARK2"
	drill_misroute 1
	say "new flows now go to uplink 2, and uplink 1's table points out of wan2:"
	say "A's established flow leaves wan2 still marked 0x100 (static SNAT keeps its entry)"
	drill_wait_log "$GUARD_LOG" ": deleted[ ,]" 2000 >/dev/null
	say "flowguard:"
	guard_lines "$g" | indent
	client_outcome "$from"
	say "router conntrack, port $DRILL_PORT: $(drill_ct_count -p tcp --dport "$DRILL_PORT" \
		-m "$DRILL_MARK1/$DRILL_MASK") entries of uplink 1, $(drill_ct_count -p tcp \
		--dport "$DRILL_PORT" -m "$DRILL_MARK2/$DRILL_MASK") of uplink 2"
	drill_exec router "$FG_BIN" status --socket "$GUARD_SOCK" | indent
	stop_guard
	fg_cleanup 0
}

act2()
{
	local from g t0
	echo "== act 2: ISP 1's upstream dies; mwan3 says so through the hook"
	echo "   (the remote drops segments it does not know, silently: a plain"
	echo "   conntrack flush would leave client A hanging for ~15 minutes)"
	drill_setup --silent >/dev/null
	start_clients
	start_guard
	from=$(drill_log_mark "$LA") g=$(wc -l <"$GUARD_LOG")
	drill_isp_die 1
	say "ISP 1 stops forwarding; the router's link to it stays up, so only probes notice"
	sleep 2
	drill_policy "$DRILL_MARK2"
	say "mwan3 declares wan1 down (here after 2 s; on a router 10 s to 2 min) and sends new flows to uplink 2"
	t0=$(fg_now_ms)
	drill_exec router env -i ACTION=disconnected INTERFACE=wan1 DEVICE="$DRILL_WAN1_DEV" \
		FLOWGUARD="$FG_BIN" FLOWGUARD_SOCKET="$GUARD_SOCK" "$ROOT/scripts/mwan3.user"
	say "mwan3.user returned after $(($(fg_now_ms) - t0)) ms; flowguard:"
	guard_lines "$g" | indent
	client_outcome "$from"
	stop_guard
	fg_cleanup 0
}

main()
{
	[[ -x $FG_BIN && -x $FG_ECHO ]] || {
		echo "demo: build first (make demo does)" >&2
		exit 1
	}
	echo "flowguard demo: client -- router -- ISP1/ISP2 -- remote, in network namespaces"
	act1
	if declare -F act2 >/dev/null; then
		fg_init
		T0=$(fg_now_ms)
		act2
	fi
	echo "== done: namespaces, processes and pins removed"
}

main "$@"
