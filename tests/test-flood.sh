# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-flood.sh - a failover that arrives with a flood of stale
# flows: the deletion cap and the queue are a safety net, what waits is
# chosen (TCP and repeated reports first), the log stays readable, and the
# service keeps answering its hook while resets are in flight.
# Run: tests/run.sh flood

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

FG_UDP=$FG_BUILD/tests/tools/fg_udpflows
FLOOD_PORT=7791
# 45,000 single-packet UDP flows at 5,000/s, in three senders of 15,000
# (each holds its sockets open: file descriptors), one after the other
FLOOD_SENDERS=3
FLOOD_PER_SENDER=15000
FLOOD_GAP_US=200

# many_and_few: A's 200 long-lived TCP flows on uplink 1, B's 50 on
# uplink 2, all echoing; the service started.
many_and_few()
{
	drill_exec remote sysctl -qw net.core.somaxconn=1024
	drill_client_start many "$DRILL_CLIENT_A_IP4" -n 200 -i 200
	drill_client_start few "$DRILL_CLIENT_B_IP4" -n 50 -i 200
	fg_wait_for 15000 drill_summary_is many fresh=200 "via:$DRILL_WAN1_IP4=200" errored=0 ||
		fg_fail "many: $SUMMARY"
	fg_wait_for 10000 drill_summary_is few fresh=50 "via:$DRILL_WAN2_IP4=50" errored=0 ||
		fg_fail "few: $SUMMARY"
	# shellcheck disable=SC2119 # the defaults
	guard_start
}

# 200 long-lived TCP flows of uplink 1 misrouted out of uplink 2 in the
# middle of 45,000 stale single-packet UDP flows at 5,000/s, under the
# default cap (1,000 deletions/s): all 200 are reset and reconnected
# through uplink 2 within 3 s of the flood's start (times FG_SLOW, default
# 1, for slow machines), the 50 TCP flows of uplink 2 are untouched, and
# the log holds at most 20 per-flow lines a second plus the summaries.
# The misrouted flows' remote keeps sending to them through uplink 1: a
# RST overtaken by its data is sent again when the host acks on.
test_flood_tcp_first()
{
	local t0 t_ok lines from_g left dropped written left_out again
	local via2=$DRILL_WAN2_IP4
	ulimit -n 16384 2>/dev/null ||
		fg_skip "needs 16384 file descriptors (hard limit $(ulimit -Hn))"
	# static SNAT: masquerade would drop a misrouted flow's entry itself
	drill_setup --silent --nat snat
	drill_bg remote "$FG_UDP" sink "$FLOOD_PORT" >"$FG_TMP/sink.log" 2>&1
	drill_wait_log "$FG_TMP/sink.log" listening 3000 >/dev/null ||
		fg_fail "the sink did not start"
	many_and_few
	from_g=$(drill_log_mark "$GUARD_LOG")
	# the flood's source keeps uplink 1's mark for its new flows; A's new
	# flows (the reconnects) go to uplink 2; table 1 leaves by wan2
	drill_policy_client "$DRILL_CLIENT_B_IP4" "$DRILL_MARK1"
	drill_policy "$DRILL_MARK2"
	t0=$(fg_now_ms)
	drill_misroute 1
	drill_udp_flood "$FLOOD_SENDERS" "$FLOOD_PER_SENDER" "$FLOOD_GAP_US" \
		"$FLOOD_PORT"
	fg_wait_for 3000 drill_summary_is many reconnected=200 \
		"via:$via2=200" "error:ECONNRESET=200" ||
		fg_fail "many, $(($(fg_now_ms) - t0)) ms into the flood: $SUMMARY"
	t_ok=$(($(fg_now_ms) - t0))
	wait "$FLOOD_PID" || fg_fail "the flood: $(tail -n 3 "$FG_TMP/flood.log" | tr '\n' '|')"
	drill_summary_is few fresh=50 "via:$via2=50" errored=0 errors=0 reconnected=0 ||
		fg_fail "few (uplink 2): $SUMMARY"
	# the queue drains at the cap; then what is left of the flood
	fg_wait_for 10000 status_is_idle || fg_fail "the queue did not drain"
	left=$(drill_ct_count -p udp -s "$DRILL_CLIENT_B_IP4" --dport "$FLOOD_PORT")
	dropped=$(guard_status_num dropped)
	written=$(guard_status_num log)
	left_out=$(guard_status | sed -n 's/.*written, \([0-9]*\) left out.*/\1/p')
	again=$(guard_status | sed -n 's/.*acked on \([0-9]*\);.*/\1/p')
	lines=$(($(drill_log_mark "$GUARD_LOG") - from_g))
	fg_log "200 TCP flows reset and reconnected ${t_ok} ms after the flood's start (${again:-?} RSTs sent again); 50 on uplink 2 untouched"
	fg_log "flood: $((FLOOD_SENDERS * FLOOD_PER_SENDER)) UDP flows sent, $left of their entries left, $dropped events dropped for a full queue; log: ${written:-?} per-flow lines written, ${left_out:-?} left out, $lines lines in all"
	# 20 a second for about 12 s, the summaries, the cap's reports
	((lines <= 20 * 20 + 60)) || fg_fail "$lines log lines during the flood"
	((left_out > 0)) || fg_fail "the log limit left nothing out: $(guard_status | grep '^log')"
	guard_stop
}

# status_is_idle: no event waits behind the cap, no reset in flight.
status_is_idle()
{
	local st
	st=$(guard_status) || return 1
	grep -q "^resets in flight: 0 batches" <<<"$st" &&
		! grep -qE "\([1-9][0-9]* still waiting\)" <<<"$st"
}

# status_poller N: N statuses one after the other (their resets-in-
# flight line) into $FG_TMP/polled.
status_poller()
{
	drill_exec router "$FG_BUILD/tests/tools/fg_ctlpoke" -r "$1" \
		-l "resets in flight" "$GUARD_SOCK" status >"$FG_TMP/polled" 2>&1
}

# The loop never waits for the hosts' answers: while 200 stale TCP flows
# are being reset (each round watches its flows for 50 ms), `status` is
# answered with resets in flight, and mwan3's hook for the other uplink is
# carried out by the service, none left to act alone; the 50 flows of
# uplink 2 are untouched by either.
test_hook_during_reset_burst()
{
	local t0 hook_out n=0 poller
	drill_setup --silent --nat snat
	many_and_few
	drill_policy "$DRILL_MARK2"
	status_poller 5000 &
	poller=$!
	fg_defer "kill $poller 2>/dev/null"
	t0=$(fg_now_ms)
	drill_misroute 1
	# `connected wan2` (up already): the service's own flush of stuck
	# entries, which deletes nothing of uplink 2
	while ((n < 5)); do
		hook_out=$(drill_exec router env -i ACTION=connected INTERFACE=wan2 \
			DEVICE="$DRILL_WAN2_DEV" FLOWGUARD="$FG_BIN" \
			FLOWGUARD_SOCKET="$GUARD_SOCK" "$FG_ROOT/scripts/mwan3.user" 2>&1) ||
			fg_fail "hook: $hook_out"
		n=$((n + 1))
	done
	fg_wait_for 3000 drill_summary_is many reconnected=200 \
		"via:$DRILL_WAN2_IP4=200" ||
		fg_fail "many, $(($(fg_now_ms) - t0)) ms after the misroute: $SUMMARY"
	guard_status | grep -q "^hook requests: 5 carried out, 0 acted on alone" ||
		fg_fail "hooks: $(guard_status | grep '^hook')"
	wait "$poller" || true
	grep -qE "text=resets in flight: [1-9]" "$FG_TMP/polled" ||
		fg_fail "no status answered while resets were in flight: $(grep -c 'text=resets in flight' "$FG_TMP/polled") statuses"
	fg_log "$(grep -cE 'text=resets in flight: [1-9]' "$FG_TMP/polled") of $(grep -c 'text=resets in flight' "$FG_TMP/polled") statuses answered with resets in flight"
	drill_summary_is few fresh=50 "via:$DRILL_WAN2_IP4=50" errored=0 errors=0 reconnected=0 ||
		fg_fail "few (uplink 2): $SUMMARY"
	guard_stop
}
