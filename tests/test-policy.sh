# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-policy.sh - what the service does with a stale flow the guard
# reports, per policy (reset, the default; delete; monitor; globally and
# per uplink), and enforce (the guard drops the stale flow's packets at
# the wrong uplink's egress). Run: tests/run.sh policy
#
# The scenario (as in test-guard.sh): client A's flow was made on uplink 1
# (ct mark 0x100, source 192.0.2.2 after SNAT); mwan3 moves new flows to
# uplink 2 and table 1's default route goes out wan2, so A's packets leave
# wan2 with mark 0x100. Client B (pinned to uplink 2) must never notice.
#
# Behind a silent remote only flowguard can end a stale flow at once (the
# remote never answers a segment of a flow it does not know), so an
# ECONNRESET there is flowguard's RST. Where a test needs the client's
# RCV.NXT to stay what its flagged packet said (the RST tests), ISP 1 is
# dead too: the remote's answers to uplink 1's address no longer arrive,
# as on a real dead uplink. test_reset_exact_after_more_data shows why.
#
# Enforce is given through a config file (`option enforce '1'` in
# `config globals`, or per uplink) and with `flowguard run --enforce`.

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

FG_UDPFLOWS=$FG_BUILD/tests/tools/fg_udpflows
POLICY_UDP_PORT=9999

UP1="wan1:$DRILL_WAN1_DEV:$DRILL_MARK1"
UP2="wan2:$DRILL_WAN2_DEV:$DRILL_MARK2"
# The status line of the service's deletions, all zero but what is given.
EVENTS_FMT="events %d: deleted %d monitored %d gone %d remarked %d raced %d errors 0;"

# ---------------------------------------------------------------- helpers

# nstat_client COUNTER: the client namespace's counter (absolute value;
# nstat's history file is neither read nor written).
nstat_client()
{
	drill_exec client nstat -asz "$1" 2>/dev/null |
		awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "missing" }'
}

# svc_start [run options]: the service with exactly the options given (no
# default uplinks, unlike guard_start) and -v (the outcomes other than
# "deleted" and "seen" are logged at debug level).
svc_start() { guard_run -v "$@"; }

# conf_file NAME TEXT: a UCI file under FG_TMP; prints its path.
conf_file()
{
	printf '%s\n' "$2" >"$FG_TMP/$1"
	echo "$FG_TMP/$1"
}

# bpf_events SLOT: events the guard sent for the device counted in SLOT
# (its position in the service's uplink list), per-CPU counters of the
# pinned map summed: readable while the service is stopped.
bpf_events()
{
	bpftool -j map lookup pinned "$FG_PIN_DIR/fg_counters" key "$1" 0 0 0 |
		jq -e '[.formatted.values[].value.events] | add'
}

# collateral_check: the planted entries are all still there, per mark.
collateral_check()
{
	local now
	now=$(collateral_counts)
	[[ $now == "$COLL0" ]] || fg_fail "collateral changed: $COLL0 -> $now"
}

# is_eq VALUE CMD...: CMD prints VALUE (for fg_wait_for).
is_eq()
{
	local want=$1
	shift
	[[ $("$@") == "$want" ]]
}

no_line()
{
	local l
	if l=$(drill_log_grep "$1" "$2" "${3:-0}"); then
		fg_fail "${1##*/}: unexpected: ${l%%$'\n'*}"
	fi
}

# status_has TEXT...: `flowguard status` must contain every TEXT.
status_has()
{
	local s t
	s=$(guard_status)
	for t in "$@"; do
		[[ $s == *"$t"* ]] || fg_fail "status lacks '$t': $s"
	done
}

# status_events EVENTS DELETED MONITORED GONE REMARKED RACED: exact.
status_events()
{
	# shellcheck disable=SC2059
	status_has "$(printf "$EVENTS_FMT" "$@")"
}

# client_entries FAM IP MARK: the client IP's TCP entries to the remote's
# port whose (ct mark & mask) is MARK.
client_entries()
{
	drill_ct_count -f "ipv$1" -p tcp -s "$2" --dport "$DRILL_PORT" \
		-m "$3/$DRILL_MASK"
}

# stale_setup FAM [drill options]: drill, A (uplink 1) and B (uplink 2)
# echoing in family FAM, collateral planted (its counts in COLL0). Sets
# FAM A_IP B_IP VIA1 VIA2 LA LB (logs).
stale_setup()
{
	local v
	FAM=$1
	shift
	drill_setup "$@"
	v=DRILL_CLIENT_A_IP$FAM A_IP=${!v}
	v=DRILL_CLIENT_B_IP$FAM B_IP=${!v}
	v=DRILL_WAN1_IP$FAM VIA1=${!v}
	v=DRILL_WAN2_IP$FAM VIA2=${!v}
	drill_client_start a "$A_IP"
	# shellcheck disable=SC2086 # B_OPTS: extra fg_echo options, split
	drill_client_start b "$B_IP" ${B_OPTS:-}
	drill_wait_echo a "$VIA1" >/dev/null
	drill_wait_echo b "$VIA2" >/dev/null
	collateral_plant
	COLL0=$(collateral_counts)
	LA=$(drill_client_log a) LB=$(drill_client_log b)
}

# misroute: mwan3 moves new flows to uplink 2, table 1 goes out wan2.
# Sets FROM_A FROM_B FROM_G (log marks) and T0 (ms).
misroute()
{
	FROM_A=$(drill_log_mark "$LA") FROM_B=$(drill_log_mark "$LB")
	FROM_G=$(drill_log_mark "$GUARD_LOG")
	drill_policy "$DRILL_MARK2"
	T0=$(fg_now_ms)
	drill_misroute 1
}

# is_flow_of NAME LINE: LINE (the service's) names client NAME's first
# connection: its own tuple (ct mode) or its tuple after SNAT (skbmark).
is_flow_of()
{
	local log lport vport ip via line=$2
	log=$(drill_client_log "$1")
	ip=$A_IP
	[[ $1 == b ]] && ip=$B_IP
	lport=$(sed -n 's/.* connected local=.*:\([0-9]*\) remote=.* conn=1$/\1/p' "$log" | head -n 1)
	vport=$(sed -n 's/.* echo via=\(.*\) vport=\([0-9]*\) n=1 conn=1$/\2/p' "$log" | head -n 1)
	via=$(sed -n 's/.* echo via=\(.*\) vport=\([0-9]*\) n=1 conn=1$/\1/p' "$log" | head -n 1)
	[[ -n $lport && -n $vport ]] || fg_fail "no ports for client $1"
	[[ $line == *"tcp $ip:$lport -> "* || $line == *"tcp [$ip]:$lport -> "* ||
		$line == *"tcp $via:$vport -> "* || $line == *"tcp [$via]:$vport -> "* ]] ||
		fg_fail "not client $1's flow ($ip:$lport, $via:$vport): $line"
}

# b_untouched: B kept its connection and echoes on.
b_untouched()
{
	drill_wait_echoes b "$VIA2" 5 2000 "$FROM_B"
	no_line "$LB" " error |reconnect" "$FROM_B"
}

# isp_count_setup NS: counters in isp NS of what arrives from the router
# with uplink 1's (leak1) and uplink 2's (src2) source addresses, both
# families, before anything else there sees it.
isp_count_setup()
{
	drill_exec "$1" nft -f - <<EOF
table inet fgpolicy {
	counter leak1 { }
	counter src2 { }
	chain pre { type filter hook prerouting priority -300; policy accept;
		iifname "$DRILL_ISP_DOWN_DEV" ip saddr $DRILL_WAN1_IP4 counter name "leak1"
		iifname "$DRILL_ISP_DOWN_DEV" ip6 saddr $DRILL_WAN1_IP6 counter name "leak1"
		iifname "$DRILL_ISP_DOWN_DEV" ip saddr $DRILL_WAN2_IP4 counter name "src2"
		iifname "$DRILL_ISP_DOWN_DEV" ip6 saddr $DRILL_WAN2_IP6 counter name "src2"
	}
}
EOF
}

isp_counter() { drill_counter "$2" "$1" fgpolicy; }

# ---------------------------------------------------------------- reset

# reset_silent FAM [run options]: policy reset behind a silent remote,
# uplink 1 dead and misrouted: A's stale entry is deleted and A reset at
# once with its exact RCV.NXT (RST accepted: TcpEstabResets +1, no
# challenge ACK); A reconnects through uplink 2; B and every planted entry
# untouched.
reset_silent()
{
	local est0 chal0 t_err t_ok line
	stale_setup "$1" --nat snat --silent
	shift
	svc_start -u "$UP1" -u "$UP2" "$@"
	est0=$(nstat_client TcpEstabResets)
	chal0=$(nstat_client TcpExtTCPChallengeACK)
	drill_isp_die 1
	misroute
	drill_wait_log "$LA" " error ECONNRESET " 1000 "$FROM_A" >/dev/null
	t_err=$(($(fg_now_ms) - T0))
	drill_wait_log "$LA" "echo via=$VIA2 vport=[0-9]+ n=3 conn=2\$" \
		2000 "$FROM_A" >/dev/null
	t_ok=$(($(fg_now_ms) - T0))
	line=$(drill_wait_log "$GUARD_LOG" ": deleted, client reset " 1000 "$FROM_G")
	is_flow_of a "$line"
	[[ $(nstat_client TcpEstabResets) == $((est0 + 1)) ]] ||
		fg_fail "TcpEstabResets $est0 -> $(nstat_client TcpEstabResets), expected +1"
	[[ $(nstat_client TcpExtTCPChallengeACK) == "$chal0" ]] ||
		fg_fail "the client answered the RST with a challenge ACK: not exact"
	b_untouched
	collateral_check
	status_events 1 1 0 0 0 0
	status_has "client resets: 1 on events (0 failed)"
	guard_stop
	fg_log "A reset ${t_err} ms after the misroute, echoing via uplink 2 after ${t_ok} ms"
}

test_reset_silent_remote_ipv4() { reset_silent 4; }
test_reset_silent_remote_ipv6() { reset_silent 6; }
test_reset_silent_remote_skbmark_ipv4() { reset_silent 4 --mode skbmark; }

# The misroute alone (uplink 1 still delivers the remote's answers): the
# RST must still be exact when the remote's data reached A after A's
# flagged packet left and before the service deleted the entry (a busy
# service, the deletion cap, or just the remote answering faster than the
# service; without the pause below that happens in most runs). The
# service is paused until A logged the echo of a packet sent after the
# misroute, so A's RCV.NXT is past the flagged packet's ACK field.
test_reset_exact_after_more_data()
{
	local est0 chal0 t_err
	stale_setup 4 --nat snat --silent
	svc_start -u "$UP1" -u "$UP2"
	est0=$(nstat_client TcpEstabResets)
	chal0=$(nstat_client TcpExtTCPChallengeACK)
	kill -STOP "$GUARD_PID"
	misroute
	fg_wait_for 2000 is_eq 1 bpf_events 1
	# A got data after its flagged packet: the echo of a later line
	drill_wait_log "$LA" "echo via=$VIA1 " 1000 "$FROM_A" >/dev/null
	drill_wait_log "$LA" "echo via=$VIA1 " 1000 $((FROM_A + 1)) >/dev/null
	T0=$(fg_now_ms)
	kill -CONT "$GUARD_PID"
	drill_wait_log "$GUARD_LOG" ": deleted, client reset " 1000 "$FROM_G" >/dev/null
	if ! drill_wait_log "$LA" " error ECONNRESET " 1000 "$FROM_A" >/dev/null 2>&1; then
		fg_fail "A was not reset (TcpEstabResets $est0 -> $(nstat_client TcpEstabResets), TcpExtTCPChallengeACK $chal0 -> $(nstat_client TcpExtTCPChallengeACK)): the RST carried the flagged packet's ACK field, older than A's RCV.NXT by then"
	fi
	t_err=$(($(fg_now_ms) - T0))
	[[ $(nstat_client TcpEstabResets) == $((est0 + 1)) ]] ||
		fg_fail "TcpEstabResets $est0 -> $(nstat_client TcpEstabResets), expected +1"
	guard_stop
	fg_log "A reset ${t_err} ms after the service resumed"
}

# ---------------------------------------------------------------- delete

# delete_silent [run options]: the reset test's scenario; the entry is
# deleted, nothing is sent to A: behind the silent remote A sees no error
# for 2 s (it retransmits into a path that drops it).
delete_silent()
{
	local est0 line
	stale_setup 4 --nat snat --silent
	svc_start "$@"
	est0=$(nstat_client TcpEstabResets)
	drill_isp_die 1
	misroute
	line=$(drill_wait_log "$GUARD_LOG" ": deleted \(" 1000 "$FROM_G")
	is_flow_of a "$line"
	[[ $(client_entries 4 "$A_IP" "$DRILL_MARK1") == 0 ]] ||
		fg_fail "A's stale entry is still there"
	sleep 2
	no_line "$LA" " error |reconnect" "$FROM_A"
	[[ $(nstat_client TcpEstabResets) == "$est0" ]] ||
		fg_fail "TcpEstabResets $est0 -> $(nstat_client TcpEstabResets)"
	no_line "$GUARD_LOG" "client reset" "$FROM_G"
	b_untouched
	collateral_check
	status_events 1 1 0 0 0 0
	status_has "client resets: 0 on events (0 failed)"
	guard_stop
}

test_delete_global() { delete_silent -u "$UP1" -u "$UP2" --policy delete; }
# wan1's own policy, the global one (reset) left as it is
test_delete_per_uplink() { delete_silent -u "$UP1:delete" -u "$UP2"; }
# the same from a UCI file: `option policy` in wan1's section
test_delete_per_uplink_uci()
{
	local conf
	fg_init
	conf=$(conf_file policy.conf "config globals 'globals'
	option policy 'reset'
config uplink 'wan1'
	option device '$DRILL_WAN1_DEV'
	option mark '$DRILL_MARK1'
	option policy 'delete'
config uplink 'wan2'
	option device '$DRILL_WAN2_DEV'
	option mark '$DRILL_MARK2'")
	delete_silent -c "$conf"
}

# ---------------------------------------------------------------- monitor

# monitor_keeps FROM_LINE: A, misrouted, is reported again once past the
# dedupe interval, and echoes on through uplink 1 on its first connection
# (15 more echoes: 0.75 s of them); its entry stays. Events with
# deadlines, not counts in a fixed time a loaded machine may not keep.
monitor_keeps()
{
	local n0 pat=" echo via=$VIA1 vport=[0-9]+ n=[0-9]+ conn=1\$"
	n0=$(drill_log_count "$LA" "$pat" "$1")
	fg_wait_for 3000 log_has_at_least "$GUARD_LOG" ": seen \(monitor\)" \
		"$FROM_G" 2 || fg_fail "monitor reported the flow only once"
	fg_wait_for 3000 log_has_at_least "$LA" "$pat" "$1" $((n0 + 15)) ||
		fg_fail "A echoed only $(($(drill_log_count "$LA" "$pat" "$1") - n0)) more times"
	no_line "$LA" " error |reconnect" "$1"
	[[ $(client_entries 4 "$A_IP" "$DRILL_MARK1") == 1 ]] ||
		fg_fail "A's entry is gone"
}

# log_has_at_least FILE PATTERN FROM_LINE N: N such lines after FROM_LINE.
log_has_at_least() { (($(drill_log_count "$1" "$2" "$3") >= $4)); }

# monitored_only: misroute A's flow under policy monitor: reported, kept
# (monitor_keeps), nothing deleted, no reset sent.
monitored_only()
{
	local est0
	est0=$(nstat_client TcpEstabResets)
	misroute
	drill_wait_log "$GUARD_LOG" ": seen \(monitor\)" 1000 "$FROM_G" >/dev/null
	monitor_keeps "$FROM_A"
	no_line "$GUARD_LOG" ": deleted|client reset"
	[[ $(nstat_client TcpEstabResets) == "$est0" ]] ||
		fg_fail "TcpEstabResets $est0 -> $(nstat_client TcpEstabResets)"
}

# Policy monitor, the misroute alone (answers still come back through
# uplink 1): reported, nothing deleted, nothing sent; A keeps echoing.
test_monitor_global()
{
	stale_setup 4 --nat snat --silent
	svc_start -u "$UP1" -u "$UP2" --policy monitor
	monitored_only
	b_untouched
	collateral_check
	fg_wait_for 5000 monitor_log_matches_status ||
		fg_fail "the log's reports never matched the status: $MON_SEEN"
	status_has "client resets: 0 on events (0 failed)"
	guard_stop
}

# monitor_log_matches_status: each report in the status is one "seen
# (monitor)" line in the log. The flow stays misrouted and is reported
# again every dedupe interval, so the log is counted between two equal
# event lines of the status (nothing came in meanwhile). MON_SEEN: what
# was compared last.
monitor_log_matches_status()
{
	local ev1 ev2 mon
	ev1=$(guard_status | grep '^events ') || return 1
	mon=$(drill_log_count "$GUARD_LOG" ": seen \(monitor\)" "$FROM_G")
	ev2=$(guard_status | grep '^events ') || return 1
	MON_SEEN="$mon lines; $ev2"
	# shellcheck disable=SC2059
	[[ $ev1 == "$ev2" && $ev2 == *"$(printf "$EVENTS_FMT" "$mon" 0 "$mon" 0 0 0)"* ]]
}

# wan1 monitor, global reset: wan1's stale flow is only reported; then a
# stale flow of wan2's (B's, misrouted out wan1 while ISP 2 is dead) is
# reset under the global policy.
test_per_uplink_monitor_global_reset()
{
	local est0 line
	# B's reconnects would leave by wan1 too, and be reset in turn: one
	# reset is what this test counts, so B waits before reconnecting
	B_OPTS="-B 5000" stale_setup 4 --nat snat --silent
	svc_start -u "$UP1:monitor" -u "$UP2"
	status_has "policy reset"
	monitored_only
	est0=$(nstat_client TcpEstabResets) # unchanged by the monitored flow

	# wan2's flows still get the global policy
	drill_misroute_undo 1
	FROM_B=$(drill_log_mark "$LB")
	FROM_A=$(drill_log_mark "$LA")
	drill_isp_die 2
	drill_misroute 2
	drill_wait_log "$LB" " error ECONNRESET " 1000 "$FROM_B" >/dev/null
	line=$(drill_wait_log "$GUARD_LOG" ": deleted, client reset " 1000 "$FROM_G")
	is_flow_of b "$line"
	[[ $(nstat_client TcpEstabResets) == $((est0 + 1)) ]] ||
		fg_fail "TcpEstabResets $est0 -> $(nstat_client TcpEstabResets), expected +1"
	no_line "$LA" " error |reconnect" "$FROM_A"
	[[ $(client_entries 4 "$A_IP" "$DRILL_MARK1") == 1 ]] ||
		fg_fail "A's entry is gone"
	collateral_check
	status_has "client resets: 1 on events (0 failed)"
	guard_stop
}

# ---------------------------------------------------------------- enforce

# What proves that a stale flow never leaks uplink 1's source address out
# of uplink 2: ISP 2 never receives a packet from it. The router's own
# counter (out_wan2_mark1) is in postrouting, before TC egress: it sees the
# packets the guard then drops.
enforce_run()
{
	local expect=$1 leak tried t_err=-
	shift
	stale_setup 4 --nat snat --silent
	isp_count_setup isp2
	svc_start "$@"
	misroute
	drill_wait_log "$GUARD_LOG" ": deleted, client reset " 1000 "$FROM_G" >/dev/null
	tried=$(drill_counter out_wan2_mark1)
	((tried >= 1)) || fg_fail "no packet of A's tried to leave wan2"
	leak=$(isp_counter isp2 leak1)
	if [[ $expect == drop ]]; then
		[[ $(guard_pinned_flags "$DRILL_WAN2_DEV") == 1 ]] ||
			fg_fail "wan2's entry flags: $(guard_pinned_flags "$DRILL_WAN2_DEV")"
		[[ $leak == 0 ]] || fg_fail "ISP 2 got $leak packets from $DRILL_WAN1_IP4"
		# A's flagged packets never reached the remote: its RCV.NXT is
		# what they said, the RST is exact
		drill_wait_log "$LA" " error ECONNRESET " 1000 "$FROM_A" >/dev/null
		t_err=$(($(fg_now_ms) - T0))
		drill_wait_log "$LA" "echo via=$VIA2 vport=[0-9]+ n=3 conn=2\$" \
			2000 "$FROM_A" >/dev/null
		(($(isp_counter isp2 src2) >= 3)) ||
			fg_fail "ISP 2 counted no packets from $DRILL_WAN2_IP4"
		[[ $(isp_counter isp2 leak1) == 0 ]] ||
			fg_fail "ISP 2 got $(isp_counter isp2 leak1) packets from $DRILL_WAN1_IP4"
	else
		[[ $(guard_pinned_flags "$DRILL_WAN2_DEV") == 0 ]] ||
			fg_fail "wan2's entry flags: $(guard_pinned_flags "$DRILL_WAN2_DEV")"
		((leak >= 1)) || fg_fail "ISP 2 got no packet from $DRILL_WAN1_IP4"
	fi
	status_has "device $DRILL_WAN2_DEV: " "events 1: deleted 1 "
	b_untouched
	collateral_check
	guard_stop
	fg_log "A's packets tried to leave wan2: $tried; ISP 2 got from $DRILL_WAN1_IP4: $leak; A reset after $t_err ms"
}

test_enforce_drops_at_egress()
{
	local conf
	fg_init
	conf=$(conf_file enforce.conf "config globals 'globals'
	option enforce '1'")
	enforce_run drop -c "$conf" -u "$UP1" -u "$UP2"
}

# the same with the command-line switch
test_enforce_drops_at_egress_cli() { enforce_run drop --enforce -u "$UP1" -u "$UP2"; }

# the same without enforce: the first flagged packet leaks
test_no_enforce_leaks() { enforce_run leak -u "$UP1" -u "$UP2"; }

# enforce per uplink from the UCI file: global on, wan1 off. Wan2
# (inheriting) drops A's stale packets; wan1 lets B's pass when B is
# misrouted out of it.
test_enforce_per_uplink_uci()
{
	local conf leak2 leak1
	fg_init
	conf=$(conf_file enforce.conf "config globals 'globals'
	option enforce '1'
config uplink 'wan1'
	option device '$DRILL_WAN1_DEV'
	option mark '$DRILL_MARK1'
	option enforce '0'
config uplink 'wan2'
	option device '$DRILL_WAN2_DEV'
	option mark '$DRILL_MARK2'")
	stale_setup 4 --nat snat --silent
	isp_count_setup isp1
	isp_count_setup isp2
	svc_start -c "$conf"
	[[ $(guard_pinned_flags "$DRILL_WAN1_DEV") == 0 && $(guard_pinned_flags "$DRILL_WAN2_DEV") == 1 ]] ||
		fg_fail "flags: wan1 $(guard_pinned_flags "$DRILL_WAN1_DEV") wan2 $(guard_pinned_flags "$DRILL_WAN2_DEV")"
	misroute
	drill_wait_log "$GUARD_LOG" "tcp $A_IP:.*: deleted, client reset " 1000 "$FROM_G" >/dev/null
	drill_wait_log "$LA" " error ECONNRESET " 1000 "$FROM_A" >/dev/null
	leak2=$(isp_counter isp2 leak1)
	[[ $leak2 == 0 ]] || fg_fail "ISP 2 got $leak2 packets from $DRILL_WAN1_IP4"
	drill_wait_log "$LA" "echo via=$VIA2 vport=[0-9]+ n=3 conn=2\$" 2000 "$FROM_A" >/dev/null
	# B's flow (mark 0x200) out of wan1, which does not enforce
	drill_misroute_undo 1
	FROM_G=$(drill_log_mark "$GUARD_LOG")
	drill_misroute 2
	drill_wait_log "$GUARD_LOG" "tcp $B_IP:.*: deleted" 1000 "$FROM_G" >/dev/null
	leak1=$(drill_exec isp1 nft list counter inet fgpolicy src2 |
		sed -n 's/.*packets \([0-9]*\).*/\1/p')
	((leak1 >= 1)) || fg_fail "ISP 1 got no packet from $DRILL_WAN2_IP4 (wan1 must not enforce)"
	[[ $(isp_counter isp2 leak1) == 0 ]] ||
		fg_fail "ISP 2 got $(isp_counter isp2 leak1) packets from $DRILL_WAN1_IP4"
	collateral_check
	guard_stop
	fg_log "ISP 2 got from $DRILL_WAN1_IP4: $leak2; ISP 1 got from $DRILL_WAN2_IP4: $leak1"
}

# ---------------------------------------------------------------- UDP

# Never a RST for anything but TCP: A's UDP flows (IPv4 and IPv6, to a
# sink that answers nothing), misrouted, lose their entries; nothing at
# all arrives at the client.
test_udp_never_reset()
{
	local f src n
	[[ -x $FG_UDPFLOWS ]] || fg_skip "$FG_UDPFLOWS not built (make tests-build)"
	drill_setup --nat snat --no-server
	collateral_plant
	COLL0=$(collateral_counts)
	drill_bg remote "$FG_UDPFLOWS" sink "$POLICY_UDP_PORT" >"$FG_TMP/sink.log" 2>&1
	drill_wait_log "$FG_TMP/sink.log" listening 3000 >/dev/null
	drill_exec client nft -f - <<'EOF'
table inet fgpolicy {
	counter rx { }
	chain pre { type filter hook prerouting priority -300; policy accept;
		meta l4proto { tcp, udp } counter name "rx"
	}
}
EOF
	svc_start -u "$UP1" -u "$UP2"
	udp_send()
	{
		drill_exec client "$FG_UDPFLOWS" send "$DRILL_CLIENT_A_IP4" 40000 1 \
			"$DRILL_REMOTE_IP4" "$POLICY_UDP_PORT" >/dev/null &&
			drill_exec client "$FG_UDPFLOWS" send "$DRILL_CLIENT_A_IP6" 40000 1 \
				"$DRILL_REMOTE_IP6" "$POLICY_UDP_PORT" >/dev/null
	}
	udp_send
	for f in 4 6; do
		src=DRILL_CLIENT_A_IP$f
		n=$(drill_ct_count -f "ipv$f" -p udp -s "${!src}" --sport 40000 \
			-m "$DRILL_MARK1/$DRILL_MASK")
		[[ $n == 1 ]] || fg_fail "IPv$f: $n UDP entries with mark $DRILL_MARK1"
	done
	LA=/dev/null LB=/dev/null
	misroute
	udp_send
	fg_wait_for 1000 is_eq 2 drill_log_count "$GUARD_LOG" ": deleted \(" "$FROM_G"
	(($(drill_log_count "$GUARD_LOG" "stale flow udp .*: deleted \(" "$FROM_G") == 2)) ||
		fg_fail "not the UDP flows: $(grep 'stale flow' "$GUARD_LOG")"
	no_line "$GUARD_LOG" "client " "$FROM_G"
	sleep 0.3
	[[ $(drill_ct_count -p udp --sport 40000) == 0 ]] ||
		fg_fail "UDP entries left: $(drill_ct_list -p udp)"
	status_events 2 2 0 0 0 0
	status_has "client resets: 0 on events (0 failed)"
	[[ $(drill_counter rx client fgpolicy) == 0 ]] ||
		fg_fail "the client received $(drill_counter rx client fgpolicy) TCP/UDP packets"
	collateral_check
	guard_stop
}

# ---------------------------------------------------------------- re-created

# recreated MODE OUTCOME: an entry re-created since the event is neither
# deleted nor reset. The service is stopped (SIGSTOP) once the guard has
# sent its event (still in the ring buffer); the stale entry is deleted
# by hand and A's next packet re-creates it under the new policy (mark
# 0x200, out of wan2 where it belongs; ISP 1 is dead, so nothing of the
# old path arrives meanwhile). Then the service resumes: ct mode finds
# the new entry by the event's original tuple and sees its new mark
# ("re-marked, kept"); skbmark mode looks for the old post-NAT tuple and
# finds nothing ("already gone").
recreated()
{
	local mode=$1 outcome=$2 est0
	stale_setup 4 --nat snat --silent
	svc_start -u "$UP1" -u "$UP2" --mode "$mode"
	est0=$(nstat_client TcpEstabResets)
	kill -STOP "$GUARD_PID"
	drill_isp_die 1
	misroute
	fg_wait_for 2000 is_eq 1 bpf_events 1
	drill_exec router conntrack -D -f ipv4 -p tcp -s "$A_IP" \
		--dport "$DRILL_PORT" >/dev/null 2>&1
	fg_wait_for 3000 is_eq 1 client_entries 4 "$A_IP" "$DRILL_MARK2"
	[[ $(client_entries 4 "$A_IP" "$DRILL_MARK1") == 0 ]] ||
		fg_fail "A's old entry is back"
	[[ $(bpf_events 1) == 1 ]] || fg_fail "$(bpf_events 1) events, expected 1"
	kill -CONT "$GUARD_PID"
	drill_wait_log "$GUARD_LOG" "tcp .*: $outcome " 1000 "$FROM_G" >/dev/null
	sleep 0.5
	no_line "$GUARD_LOG" ": deleted|client reset" "$FROM_G"
	no_line "$LA" " error |reconnect" "$FROM_A"
	[[ $(nstat_client TcpEstabResets) == "$est0" ]] ||
		fg_fail "TcpEstabResets $est0 -> $(nstat_client TcpEstabResets)"
	[[ $(client_entries 4 "$A_IP" "$DRILL_MARK2") == 1 ]] ||
		fg_fail "A's new entry is gone"
	b_untouched
	collateral_check
	if [[ $outcome == "re-marked, kept" ]]; then
		status_events 1 0 0 0 1 0
	else
		status_events 1 0 0 1 0 0
	fi
	status_has "client resets: 0 on events (0 failed)"
	guard_stop
}

test_recreated_entry_kept_ct() { recreated ct "re-marked, kept"; }
test_recreated_entry_kept_skbmark() { recreated skbmark "already gone"; }
