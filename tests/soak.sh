#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/soak.sh [MINUTES] - flowguard for MINUTES (default 30) on the
# drill (static SNAT, polite remote), not part of `make test`:
#   - long-lived flows on both uplinks: "surv" (client B, pinned to uplink
#     2: 20 IPv4 + 10 IPv6 connections, the whole run) and "vic" (client A,
#     uplink 1: 20 connections, a new client after each of its resets);
#   - short flows on both uplinks: every 2 s 5 TCP connections of about a
#     second from A and from B, and 50 single-packet UDP flows from each;
#   - every 20 s one cycle: ISP 1 dies, 2 s later mwan3's `disconnected
#     wan1` (policy to uplink 2, scripts/mwan3.user); every third cycle
#     wan1 is then deleted and re-created (a PPPoE reconnect); ISP 1 back,
#     `connected wan1`; then table 1 misrouted out of wan2 until the
#     guard has reset vic's flows, and routed back;
#   - `flowguard status` every second.
# Checked: after each disconnect no entry of mark 0x100 is left and vic's
# flows all reconnected through uplink 2 (the same after each misroute);
# surv's summary shows errors=0 connfails=0 at every cycle and at the end;
# every status answered. Sampled every minute: the service's RSS, open
# fds, entries of the pinned hash maps (fg_flows: the dedupe map;
# fg_uplinks_hi) and conntrack entries; reported first / last / max.
# Exit status: 0 when every check held, 1 otherwise, 77 when it cannot run.
# Environment: BUILD (tests/lib.sh: the build to run), FG_KEEP=1.

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/lib.sh"
# recreate_wan1 (and lib-guard.sh); its test_* functions are not run here
# shellcheck source=tests/test-links.sh
source "$FG_ROOT/tests/test-links.sh"
fg_private_mounts "$0" "$@"

MINUTES=${1:-30}
[[ $MINUTES =~ ^[1-9][0-9]*$ ]] || { echo "usage: tests/soak.sh [MINUTES]" >&2; exit 2; }
CYCLE_S=20
UDP_PORT=7792
N_VIC=20
SOAK_FAILS=0
SOAK_CHECKS=0
FG_UDP=$FG_BUILD/tests/tools/fg_udpflows

# check DESC CMD...: CMD must succeed; a failure is counted and logged,
# the soak goes on (it reports every failure at the end).
check()
{
	local desc=$1
	shift
	SOAK_CHECKS=$((SOAK_CHECKS + 1))
	"$@" && return 0
	SOAK_FAILS=$((SOAK_FAILS + 1))
	echo "soak: FAILED at $(($(fg_now_ms) / 1000 - T_START)) s: $desc${SUMMARY:+ ($SUMMARY)}"
	return 1
}

# the test file's wait_attached fails the run at once after 1 s: here a
# late attach (the machine is shared) is counted, with 3 s to arrive
wait_attached()
{
	check "$1 attached at ifindex $2 within 3 s" \
		fg_wait_for $((3000 - ($(fg_now_ms) - $3))) attached_at "$1" "$2"
}

mark1_left() { drill_ct_count -m "$DRILL_MARK1/$DRILL_MASK"; }
no_mark1_left() { [[ $(mark1_left) == 0 ]]; }

hook() # ACTION: mwan3's hook for wan1, as mwan3 runs it
{
	drill_exec router env -i ACTION="$1" INTERFACE=wan1 \
		DEVICE="$DRILL_WAN1_DEV" FLOWGUARD="$FG_BIN" \
		FLOWGUARD_SOCKET="$GUARD_SOCK" "$FG_ROOT/scripts/mwan3.user" >/dev/null
}

surv_clean()
{
	SUMMARY=
	drill_summary_is surv4 errors=0 connfails=0 "via:$DRILL_WAN2_IP4=20" &&
		drill_summary_is surv6 errors=0 connfails=0 "via:$DRILL_WAN2_IP6=10"
}

# vic_moved: every vic connection reset once and echoing via uplink 2
vic_moved()
{
	drill_summary_is vic reconnected=$N_VIC "via:$DRILL_WAN2_IP4=$N_VIC"
}

# vic_restart: a new vic (N_VIC connections through uplink 1)
vic_restart()
{
	drill_client_stop vic
	drill_client_start vic "$DRILL_CLIENT_A_IP4" -n "$N_VIC" -i 300
	check "vic connected via uplink 1" fg_wait_for 10000 drill_summary_is vic \
		fresh=$N_VIC "via:$DRILL_WAN1_IP4=$N_VIC"
}

# short_flows: until killed, every 2 s short TCP and UDP flows from A
# (policy: uplink 1, or 2 in a failover) and B (uplink 2).
short_flows()
{
	local base=20000 src
	while :; do
		for src in "$DRILL_CLIENT_A_IP4" "$DRILL_CLIENT_B_IP4"; do
			drill_exec client timeout 1 "$FG_ECHO" client -q -n 5 -i 100 \
				-b "$src" "$DRILL_REMOTE_IP4" "$DRILL_PORT" >/dev/null 2>&1 &
			drill_exec client "$FG_UDP" send -i 1000 -w 0 "$src" "$base" 50 \
				"$DRILL_REMOTE_IP4" "$UDP_PORT" >/dev/null 2>&1
		done
		base=$((base + 50))
		((base < 60000)) || base=20000
		wait
		sleep 2
	done
}

# status_poller: `status` every second; each failure a line in its log,
# with how long it waited, what the cycle was doing and the load
status_poller()
{
	local out t0
	while :; do
		t0=$(fg_now_ms)
		out=$(guard_status 2>&1) ||
			echo "status failed at $(date +%T.%3N) after $(($(fg_now_ms) - t0)) ms" \
				"(cycle: $(cat "$FG_TMP/phase" 2>/dev/null); load" \
				"$(cut -d' ' -f1 /proc/loadavg)): $(tail -n 1 <<<"$out")"
		sleep 1
	done
}

phase() { echo "$*" >"$FG_TMP/phase"; }

map_entries() # MAP: entries of a pinned map (hash maps: the live ones)
{
	bpftool -j map dump pinned "$FG_PIN_DIR/$1" 2>/dev/null | jq length
}

# sample: one line into $FG_TMP/samples: minute rss_kib fds fg_flows
# fg_uplinks_hi ct_entries
sample()
{
	local rss fds
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$GUARD_PID/status")
	fds=$(find "/proc/$GUARD_PID/fd" -mindepth 1 | wc -l)
	echo "$1 $rss $fds $(map_entries fg_flows) $(map_entries fg_uplinks_hi)" \
		"$(drill_exec router conntrack -C)" >>"$FG_TMP/samples"
}

# cycle N: one failover and recovery, and a misroute.
cycle()
{
	local n=$1
	phase "$n: ISP 1 dies"
	drill_isp_die 1
	sleep 2
	drill_policy "$DRILL_MARK2"
	phase "$n: disconnected"
	check "hook disconnected wan1" hook disconnected
	phase "$n: after the disconnect"
	check "no entry of mark 0x100 left after the disconnect ($(mark1_left) left)" \
		fg_wait_for 2000 no_mark1_left
	check "vic reset and through uplink 2 after the disconnect" \
		fg_wait_for 8000 vic_moved
	if ((n % 3 == 0)); then
		phase "$n: wan1 re-created"
		ip -n "$DRILL_NS_ROUTER" link del "$DRILL_WAN1_DEV"
		recreate_wan1
	fi
	phase "$n: ISP 1 back, connected"
	drill_isp_revive 1
	drill_policy "$DRILL_MARK1"
	check "hook connected wan1" hook connected
	vic_restart
	drill_policy "$DRILL_MARK2"
	phase "$n: misroute"
	drill_misroute 1
	check "vic reset and through uplink 2 after the misroute" \
		fg_wait_for 8000 vic_moved
	phase "$n: after the misroute"
	drill_misroute_undo 1
	drill_policy "$DRILL_MARK1"
	vic_restart
	check "surv untouched (cycle $n)" surv_clean
}

# report COLUMN NAME: first / last / max of a sampled column
report()
{
	awk -v c="$1" -v n="$2" 'NR == 1 { f = $c; m = $c } { l = $c; if ($c > m) m = $c }
		END { printf "%-22s first %s, last %s, max %s\n", n, f, l, m }' \
		"$FG_TMP/samples"
}

main()
{
	local n=0 t_end next_sample=0 minute=0 statusfails
	fg_require ip nft conntrack nsenter bpftool jq
	[[ -x $FG_BIN && -x $FG_UDP && -x $FG_ECHO ]] ||
		fg_skip "not built (make tests-build)"
	fg_bpffs || fg_fail "no bpffs for the pins"
	drill_setup --nat snat || fg_fail "drill_setup failed"
	drill_bg remote "$FG_UDP" sink "$UDP_PORT" >"$FG_TMP/sink.log" 2>&1
	drill_wait_log "$FG_TMP/sink.log" listening 3000 >/dev/null ||
		fg_fail "the UDP sink did not start"
	# shellcheck disable=SC2119 # the defaults
	guard_start || fg_fail "the service did not start"
	drill_client_start surv4 "$DRILL_CLIENT_B_IP4" -n 20 -i 300
	drill_client_start surv6 "$DRILL_CLIENT_B_IP6" -n 10 -i 300
	drill_client_start vic "$DRILL_CLIENT_A_IP4" -n "$N_VIC" -i 300
	fg_wait_for 10000 surv_clean || fg_fail "surv did not start: $SUMMARY"
	fg_wait_for 10000 drill_summary_is vic "via:$DRILL_WAN1_IP4=$N_VIC" ||
		fg_fail "vic did not start: $SUMMARY"
	short_flows &
	fg_defer "kill $! 2>/dev/null"
	status_poller >"$FG_TMP/status-fails" &
	fg_defer "kill $! 2>/dev/null"
	T_START=$(($(fg_now_ms) / 1000))
	t_end=$((T_START + MINUTES * 60))
	sleep 2
	sample 0
	next_sample=$((T_START + 60))
	while (($(fg_now_ms) / 1000 + CYCLE_S <= t_end)); do
		n=$((n + 1))
		local c0=$(($(fg_now_ms) / 1000))
		cycle "$n"
		if (($(fg_now_ms) / 1000 >= next_sample)); then
			minute=$((minute + 1))
			sample "$minute"
			next_sample=$((next_sample + 60))
		fi
		# the rest of the cycle: the flows run on
		while (($(fg_now_ms) / 1000 < c0 + CYCLE_S)); do sleep 1; done
	done
	sample end
	check "surv untouched at the end" surv_clean
	statusfails=$(wc -l <"$FG_TMP/status-fails")
	check "every status answered ($statusfails failed)" [ "$statusfails" = 0 ]
	echo "soak: $(($(fg_now_ms) / 1000 - T_START)) s, $n cycles ($((n / 3)) device re-creations), $SOAK_CHECKS checks, $SOAK_FAILS failed"
	echo "soak: surv at the end: $SUMMARY"
	echo "soak: samples (minute rss_kib fds fg_flows fg_uplinks_hi ct_entries):"
	sed 's/^/  /' "$FG_TMP/samples"
	report 2 "RSS (KiB)"
	report 3 "open fds"
	report 4 "fg_flows entries"
	report 5 "fg_uplinks_hi entries"
	report 6 "conntrack entries"
	echo "soak: status polls: $(grep -c . "$FG_TMP/status-fails") failed"
	sort "$FG_TMP/status-fails" | head -n 5
	guard_stop
	((SOAK_FAILS == 0))
}

fg_init
trap fg_cleanup EXIT
main
