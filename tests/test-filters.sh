# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-filters.sh - the guard among other tools' tc filters on an
# uplink's egress (qosify, SQM, counters): it passes every packet on to
# the next filter (TC_ACT_UNSPEC), its status and log name a filter that
# runs before it, its tc preference is configurable, and it removes only
# its own filter. The other tool is tests/tools/fg_tccount, a counting
# filter that passes every packet on too. Run: tests/run.sh filters

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

FG_TCCOUNT=$FG_BUILD/tests/tools/fg_tccount
PACKETS=50

# counter_add DEV PREF, counter_count DEV PREF: the counting filter on the
# router's DEV (handle PREF).
counter_add() { drill_exec router "$FG_TCCOUNT" add "$1" "$2" >/dev/null; }
counter_count() { drill_exec router "$FG_TCCOUNT" count "$1" "$2"; }

# guard_seen DEV: the guard's `seen` counter of DEV, from status.
guard_seen() { guard_status | sed -n "s/^device $1: seen \([0-9]*\) .*/\1/p"; }

# counts_now DEV PREF: "SEEN COUNT" when both were read with no packet in
# between (seen the same before and after the counter's read); retries.
counts_now()
{
	local i s1 c s2
	for ((i = 0; i < 50; i++)); do
		s1=$(guard_seen "$1") c=$(counter_count "$1" "$2") s2=$(guard_seen "$1")
		if [[ -n $s1 && -n $c && $s1 == "$s2" ]]; then
			echo "$s1 $c"
			return 0
		fi
		sleep 0.02
	done
	fg_fail "$1: traffic never paused to read the counters"
}

# send_wan1: PACKETS datagrams from the router out of wan1 (to isp1,
# which answers each with a port unreachable: incoming, not counted).
send_wan1()
{
	drill_exec router "$FG_BUILD/tests/tools/fg_udpflows" send -i 1000 \
		"$DRILL_WAN1_IP4" 42000 "$PACKETS" "$DRILL_WAN1_GW4" 9 >/dev/null ||
		fg_fail "sending out of $DRILL_WAN1_DEV failed"
}

# both_saw DEV PREF: after PACKETS datagrams, the counting filter at PREF and the
# guard saw the same packets on DEV, at least PACKETS of them.
both_saw()
{
	local s0 c0 s1 c1 seen counted
	read -r s0 c0 <<<"$(counts_now "$1" "$2")"
	send_wan1
	read -r s1 c1 <<<"$(counts_now "$1" "$2")"
	seen=$((s1 - s0)) counted=$((c1 - c0))
	fg_log "$1: guard saw $seen packets, the filter at pref $2 $counted"
	((counted >= PACKETS)) || fg_fail "the filter at pref $2 counted $counted of $PACKETS datagrams"
	((seen == counted)) || fg_fail "the guard saw $seen packets, the filter at pref $2 $counted"
}

# our_filter_pref DEV: the pref of our filter (handle 0xf16) on DEV's egress.
our_filter_pref()
{
	drill_exec router tc filter show dev "$1" egress |
		sed -n 's/.* pref \([0-9]*\) bpf .* handle 0xf16 .*/\1/p'
}

# A filter after ours (pref 5000, ours the default 1) sees every packet
# while the guard runs, and exactly what the guard counts; nothing runs
# before ours, so no warning; no flowtable on this kernel.
test_filter_after_sees_every_packet()
{
	local st
	drill_setup --no-server
	guard_start
	counter_add "$DRILL_WAN1_DEV" 5000
	[[ $(our_filter_pref "$DRILL_WAN1_DEV") == 1 ]] ||
		fg_fail "ours is not at pref 1: $(drill_exec router tc filter show dev "$DRILL_WAN1_DEV" egress)"
	both_saw "$DRILL_WAN1_DEV" 5000
	st=$(guard_status)
	grep -q "WARNING" <<<"$st" && fg_fail "warning with nothing before ours: $st"
	grep -q "^  flowtable no; offloaded packets " <<<"$st" ||
		fg_fail "no flowtable line: $st"
	grep -qE "^device $DRILL_WAN1_DEV: seen [0-9]+ .* lost [0-9]+ unparsed [0-9]+ lookup [0-9]+ lookup-hits [0-9]+$" <<<"$st" ||
		fg_fail "no unparsed or lookup counters: $st"
	grep -q "runs before ours" "$GUARD_LOG" && fg_fail "start warning: $(cat "$GUARD_LOG")"
	guard_stop
}

# --tc-priority 7000 behind a filter at pref 5000: the status and the log
# (once, at start) name it; the guard still sees every packet, as it
# passes them on.
test_filter_before_is_named()
{
	local st id want
	drill_setup --no-server
	counter_add "$DRILL_WAN1_DEV" 5000
	id=$(drill_exec router "$FG_BUILD/tests/tools/fg_progstats" tcid \
		"$DRILL_WAN1_DEV" 5000)
	guard_start --tc-priority 7000
	[[ $(our_filter_pref "$DRILL_WAN1_DEV") == 7000 && $(our_filter_pref "$DRILL_WAN2_DEV") == 7000 ]] ||
		fg_fail "ours is not at pref 7000: $(drill_exec router tc filter show dev "$DRILL_WAN1_DEV" egress)"
	want="pref 5000 bpf fg_count:[$id] runs before ours (pref 7000)"
	st=$(guard_status)
	fg_log "status: $(grep -A2 "^device $DRILL_WAN1_DEV" <<<"$st" | paste -sd '|')"
	[[ $(grep -c "WARNING" <<<"$st") == 1 ]] || fg_fail "want one warning: $st"
	grep -A2 "^device $DRILL_WAN1_DEV: " <<<"$st" | grep -qxF "  WARNING: $want" ||
		fg_fail "status does not name the filter: $st"
	[[ $(grep -c "runs before ours" "$GUARD_LOG") == 1 ]] ||
		fg_fail "want one start warning: $(cat "$GUARD_LOG")"
	grep -qF "$DRILL_WAN1_DEV: filter $want" "$GUARD_LOG" ||
		fg_fail "the start warning does not name the filter: $(cat "$GUARD_LOG")"
	both_saw "$DRILL_WAN1_DEV" 5000
	guard_status >/dev/null
	[[ $(grep -c "runs before ours" "$GUARD_LOG") == 1 ]] ||
		fg_fail "warned again after start: $(cat "$GUARD_LOG")"
	guard_stop
}

# Stop removes our filter only: the other one stays listed, and counts on.
test_stop_removes_only_ours()
{
	local out c0 c1
	drill_setup --no-server
	counter_add "$DRILL_WAN1_DEV" 5000
	guard_start --tc-priority 7000
	guard_stop
	out=$(drill_exec router tc filter show dev "$DRILL_WAN1_DEV" egress)
	grep -q "handle 0xf16 " <<<"$out" && fg_fail "our filter left after stop: $out"
	grep -q "pref 5000 bpf" <<<"$out" || fg_fail "the other filter went with ours: $out"
	c0=$(counter_count "$DRILL_WAN1_DEV" 5000)
	send_wan1
	c1=$(counter_count "$DRILL_WAN1_DEV" 5000)
	((c1 - c0 >= PACKETS)) || fg_fail "the other filter counted $((c1 - c0)) of $PACKETS"
}

# `option tc_priority` in the config file places our filter.
test_uci_tc_priority()
{
	local conf=$FG_TMP/flowguard.conf
	drill_setup --no-server
	printf '%s\n' "config globals" "	option tc_priority 300" \
		"config uplink 'wan1'" "	option device $DRILL_WAN1_DEV" \
		"	option mark $DRILL_MARK1" >"$conf"
	guard_run -c "$conf"
	[[ $(our_filter_pref "$DRILL_WAN1_DEV") == 300 ]] ||
		fg_fail "ours is not at pref 300: $(drill_exec router tc filter show dev "$DRILL_WAN1_DEV" egress)"
	guard_stop
	[[ -z $(our_filter_pref "$DRILL_WAN1_DEV") ]] || fg_fail "our filter left after stop"
}

# Ten devices with two uplinks each and a filter before ours on every one
# (a warning line each): the status is whole, nothing cut.
test_status_ten_devices_whole()
{
	local i ns args=() st
	fg_netns_add r
	ns=$(fg_netns_name r)
	DRILL_NS_ROUTER=$ns
	for ((i = 0; i < 10; i++)); do
		ip -n "$ns" link add "uplink-dev$i" type veth peer name "peer$i" &&
			ip -n "$ns" link set "uplink-dev$i" up &&
			ip -n "$ns" link set "peer$i" up || fg_fail "veth $i"
		counter_add "uplink-dev$i" 5000
		args+=(-u "uplink-ipv4-$i:uplink-dev$i:$(printf '0x%x' $(((2 * i + 1) << 8)))"
			-u "uplink-ipv6-$i:uplink-dev$i:$(printf '0x%x' $(((2 * i + 2) << 8)))")
	done
	guard_run --tc-priority 7000 "${args[@]}"
	st=$(guard_status)
	fg_log "status: $(wc -c <<<"$st") bytes, $(wc -l <<<"$st") lines, longest $(awk '{ if (length > m) m = length } END { print m }' <<<"$st")"
	[[ $(grep -c "^  WARNING: pref 5000 bpf fg_count" <<<"$st") == 10 ]] ||
		fg_fail "want 10 warnings: $st"
	[[ $(grep -c "^  flowtable no; " <<<"$st") == 10 ]] || fg_fail "want 10 flowtable lines: $st"
	grep -q "\[cut" <<<"$st" && fg_fail "status cut: $st"
	tail -n 1 <<<"$st" | grep -q "^router's own sockets: " || fg_fail "status cut: $st"
	guard_stop
}
