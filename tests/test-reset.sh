# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-reset.sh - instant recovery: the LAN client of a stale TCP flow
# gets a RST with its exact RCV.NXT, at `disconnected` (provoked) and on a
# guard event (from the flagged packet), even behind a silent remote.
# Run: tests/run.sh reset

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

# nstat_client COUNTER: the client namespace's TCP counter (absolute).
nstat_client()
{
	drill_exec client nstat -az "$1" 2>/dev/null |
		awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# isp_dies_then_hook FAMILY [drill options]: A on uplink 1, B on uplink 2;
# ISP 1 dies; A backs off; 2 s later mwan3 says `disconnected` through the
# hook. A must be reset at once and reconnect via uplink 2; B untouched.
isp_dies_then_hook()
{
	local fam=$1 a_ip b_ip via2 la lb from_a from_b t0 t_err t_ok rst0 chal0
	shift
	a_ip=DRILL_CLIENT_A_IP$fam b_ip=DRILL_CLIENT_B_IP$fam via2=DRILL_WAN2_IP$fam
	drill_setup "$@"
	drill_client_start a "${!a_ip}"
	drill_client_start b "${!b_ip}"
	drill_wait_echo a "$(v=DRILL_WAN1_IP$fam; echo "${!v}")" >/dev/null
	drill_wait_echo b "${!via2}" >/dev/null
	guard_start -v
	la=$(drill_client_log a) lb=$(drill_client_log b)
	drill_isp_die 1
	sleep 2 # A is in retransmission backoff when mwan3 notices
	drill_policy "$DRILL_MARK2"
	from_a=$(drill_log_mark "$la") from_b=$(drill_log_mark "$lb")
	rst0=$(nstat_client TcpExtTCPAbortOnData)
	chal0=$(nstat_client TcpExtTCPChallengeACK)
	t0=$(fg_now_ms)
	drill_exec router env -i ACTION=disconnected INTERFACE=wan1 \
		DEVICE="$DRILL_WAN1_DEV" FLOWGUARD="$FG_BIN" \
		FLOWGUARD_SOCKET="$GUARD_SOCK" "$FG_ROOT/scripts/mwan3.user"
	drill_wait_log "$la" " error ECONNRESET " 1000 "$from_a" >/dev/null
	t_err=$(($(fg_now_ms) - t0))
	drill_wait_log "$la" "echo via=${!via2} vport=[0-9]+ n=1 conn=2\$" 2000 \
		"$from_a" >/dev/null
	t_ok=$(($(fg_now_ms) - t0))
	! drill_log_grep "$lb" " error |reconnect" "$from_b" >/dev/null ||
		fg_fail "B was disturbed"
	drill_wait_echoes b "${!via2}" 3 1000 "$from_b"
	[[ $(nstat_client TcpExtTCPChallengeACK) == "$chal0" ]] ||
		fg_fail "the client answered a RST with a challenge ACK: not exact"
	grep -q "1 of 1 TCP clients reset" "$GUARD_LOG" ||
		fg_fail "service: $(grep disconnected "$GUARD_LOG")"
	guard_stop
	fg_log "A reset ${t_err} ms after the hook, echoing via uplink 2 after ${t_ok} ms (RST accepted: TcpExtTCPAbortOnData $rst0 -> n/a)"
}

test_silent_remote_ipv4() { isp_dies_then_hook 4 --silent; }
test_polite_remote_ipv4() { isp_dies_then_hook 4; }
test_silent_remote_ipv6_nat66() { isp_dies_then_hook 6 --silent; }
