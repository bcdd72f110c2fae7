#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-flood.sh - a failover that arrives with a flood of
# stale flows (issue 16's scenario): 200 long-lived TCP flows of uplink 1
# misrouted out of uplink 2 in the middle of 45,000 stale single-packet UDP
# flows at 5,000/s (three senders of 15,000 one after the other: each holds
# its sockets open), under the default cap of 1,000 deletions a second.
# Static SNAT (masquerade would drop a misrouted flow's entry itself),
# silent remote. Reported: how many of the 200 were reset and reconnected
# through uplink 2, and when (ms after the flood's start); the 50 TCP
# flows of uplink 2 (untouched?); the flood's entries left, events dropped
# for a full queue, per-flow log lines written and left out by the limit,
# and the log's lines in all. Reports, never asserts a time.
#
# Exit status: 0 when it ran (whatever the figures), 1 when it could not
# (drill, service, senders), 77 when it cannot run here.
# Environment: FG_FL_CAP_S (how long to wait for the 200, 10),
# FG_KEEP=1 keeps the state folder, FG_FL_SMAPS=1 shows the service's
# resident memory by mapping once the queue drained.
# Run: tests/bench/run.sh flood   or   bash tests/bench/bench-flood.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"
fg_private_mounts "$0" "$@"

FG_UDP=$FG_BUILD/tests/tools/fg_udpflows
FLOOD_PORT=7791
SENDERS=3
PER_SENDER=15000
GAP_US=200
N_TCP=200
N_SURV=50
CAP_S=${FG_FL_CAP_S:-10}

# summary NAME: client NAME's summary line (fg_echo, SIGUSR1).
summary() { drill_client_summary "$1" 3000; }

# reconnected: how many of the 200 reconnected through uplink 2.
reconnected()
{
	local line
	line=$(summary many) || { echo 0; return; }
	drill_summary_field "$line" "via:$DRILL_WAN2_IP4"
}

main()
{
	local t0 t_all=- n=0 line few left dropped written left_out lines from_g
	local t_half=- rss hwm anon
	fg_require ip nft conntrack nsenter
	[[ -x $FG_BIN && -x $FG_UDP && -x $FG_ECHO ]] ||
		fg_skip "not built (make tests-build)"
	ulimit -n 16384 2>/dev/null || fg_skip "needs 16384 file descriptors"
	drill_setup --silent --nat snat || fg_fail "drill_setup failed"
	drill_exec remote sysctl -qw net.core.somaxconn=1024
	drill_bg remote "$FG_UDP" sink "$FLOOD_PORT" >"$FG_TMP/sink.log" 2>&1
	drill_wait_log "$FG_TMP/sink.log" listening 3000 >/dev/null ||
		fg_fail "the sink did not start"
	drill_client_start many "$DRILL_CLIENT_A_IP4" -n "$N_TCP" -i 200
	drill_client_start few "$DRILL_CLIENT_B_IP4" -n "$N_SURV" -i 200
	fg_wait_for 15000 is_up many "$N_TCP" || fg_fail "the $N_TCP clients did not connect"
	fg_wait_for 10000 is_up few "$N_SURV" || fg_fail "the $N_SURV clients did not connect"
	fg_bpffs || fg_fail "no bpffs for the pins"
	# shellcheck disable=SC2119 # the defaults
	guard_start || fg_fail "the service did not start"
	from_g=$(drill_log_mark "$GUARD_LOG")
	# the flood's source keeps uplink 1's mark for its new flows; A's
	# reconnects go to uplink 2; table 1 leaves by wan2
	drill_policy_client "$DRILL_CLIENT_B_IP4" "$DRILL_MARK1"
	drill_policy "$DRILL_MARK2"
	t0=$(fg_now_ms)
	drill_misroute 1
	drill_udp_flood "$SENDERS" "$PER_SENDER" "$GAP_US" "$FLOOD_PORT"
	while (($(fg_now_ms) - t0 < CAP_S * 1000)); do
		n=$(reconnected)
		[[ $t_half == - ]] && ((n * 2 >= N_TCP)) && t_half=$(($(fg_now_ms) - t0))
		((n >= N_TCP)) && { t_all=$(($(fg_now_ms) - t0)); break; }
		sleep 0.2
	done
	wait "$FLOOD_PID" || note "the flood's senders failed: $(tail -n 2 "$FG_TMP/flood.log" | tr '\n' '|')"
	few=$(summary few)
	sleep 2 # the queue drains at the cap
	left=$(drill_ct_count -p udp -s "$DRILL_CLIENT_B_IP4" --dport "$FLOOD_PORT")
	dropped=$(guard_status_num dropped)
	written=$(guard_status | sed -n 's/^log: \([0-9]*\) stale-flow lines written.*/\1/p')
	left_out=$(guard_status | sed -n 's/.*written, \([0-9]*\) left out.*/\1/p')
	lines=$(($(drill_log_mark "$GUARD_LOG") - from_g))
	line=$(summary many)
	# what the service holds once the queue drained (memory given back?)
	fg_wait_for 90000 queue_empty || note "the queue did not drain in 90 s"
	sleep 1
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$GUARD_PID/status")
	hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$GUARD_PID/status")
	anon=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$GUARD_PID/status")
	[[ -n ${FG_FL_SMAPS:-} ]] && awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6 == "" ? "[anon]" : $6 }
		/^Rss:/ { r[n] += $2 } END { for (n in r) if (r[n]) print r[n], n }' \
		"/proc/$GUARD_PID/smaps" | sort -rn
	echo
	echo "flood: $((SENDERS * PER_SENDER)) stale UDP flows at $((1000000 / GAP_US))/s, $N_TCP stale TCP flows among them (cap 1000 deletions/s)"
	echo "  TCP flows reconnected through uplink 2: $(drill_summary_field "$line" "via:$DRILL_WAN2_IP4") of $N_TCP; half by ${t_half} ms, all by ${t_all} ms after the flood's start (waited up to ${CAP_S} s)"
	echo "  TCP errors seen by the clients: $(drill_summary_field "$line" errors) ($(drill_summary_field "$line" "error:ECONNRESET") ECONNRESET)"
	echo "  uplink 2's $N_SURV TCP flows: errors $(drill_summary_field "$few" errors), reconnects $(drill_summary_field "$few" reconnected)"
	echo "  flood entries left: $left; events dropped for a full queue: ${dropped:-?}"
	echo "  log: ${written:-?} per-flow lines written, ${left_out:-?} left out by the limit; $lines lines in all"
	echo "  service RSS once the queue drained: ${rss:-?} KiB, ${anon:-?} KiB of it anonymous (peak $hwm KiB, the load's included)"
	bench_notes
	guard_stop
}

# queue_empty: no event waits behind the cap.
queue_empty() { ! guard_status | grep -qE "\([1-9][0-9]* still waiting\)"; }

# is_up NAME N: client NAME has N connections up.
is_up()
{
	local line
	line=$(summary "$1") || return 1
	[[ $(drill_summary_field "$line" up) == "$2" && $(drill_summary_field "$line" errored) == 0 ]]
}

main
