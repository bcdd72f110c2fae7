# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-links.sh - the service's devices follow the kernel: a device
# deleted and re-created with a new ifindex (PPPoE, LTE at every
# reconnect), renamed, or created after the service started is attached
# within a second, with exactly one filter of ours and its uplink-table
# entry under the new ifindex; a device that goes is shown missing. A tun
# device (no Ethernet header) is one of the uplinks. Run: tests/run.sh links

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

# Where the drill's router sends through a tun uplink (no peer reads it:
# the datagrams only have to pass the device's egress).
LINKS_TUN_NET4=198.18.0.0/24
LINKS_TUN_IP4=198.18.0.2
LINKS_TUN_DST4=198.18.0.1

# our_filters DEV: our filters (pref 1, handle 0xf16) on DEV's egress.
our_filters()
{
	drill_exec router tc filter show dev "$1" egress 2>/dev/null |
		grep -c "pref 1 bpf .* handle 0xf16 " || true
}

# attached_at DEV IFINDEX: status shows DEV attached at IFINDEX, and DEV
# has exactly one filter of ours.
attached_at()
{
	guard_status 2>/dev/null | grep -A3 "^device $1: seen " |
		grep -q "^  ifindex $2, .*, attached$" &&
		[[ $(our_filters "$1") == 1 ]]
}

# shown_missing DEV: status says DEV is missing (device and uplink lines).
shown_missing()
{
	local st
	st=$(guard_status 2>/dev/null) || return 1
	grep -q "^device $1: missing" <<<"$st" &&
		grep -q "device $1 mark .*, device missing$" <<<"$st"
}

# wait_attached DEV IFINDEX T0_MS: attached within 1 s of T0_MS (just
# before the device's creation); logs how long it took.
wait_attached()
{
	local dt
	fg_wait_for $((1000 - ($(fg_now_ms) - $3))) attached_at "$1" "$2" ||
		fg_fail "$1 (ifindex $2) not attached within 1 s: $(guard_status)"
	dt=$(($(fg_now_ms) - $3))
	fg_log "$1 attached at ifindex $2, seen so ${dt} ms after its creation"
}

# recreate_wan1: what a PPPoE reconnect does to the router's wan1: a new
# device with the same name (a veth to isp1 here; a new ifindex) comes,
# is attached within 1 s, and then gets the addresses and routes netifd
# would add again.
recreate_wan1()
{
	local r=$DRILL_NS_ROUTER i=$DRILL_NS_ISP1 d=$DRILL_WAN1_DEV t0 f gw net
	t0=$(fg_now_ms)
	ip -n "$r" link add "$d" type veth peer name "$DRILL_ISP_DOWN_DEV" netns "$i" ||
		fg_fail "could not re-create wan1"
	wait_attached "$d" "$(guard_ifindex "$d")" "$t0"
	ip -n "$r" link set "$d" up &&
		ip -n "$i" link set "$DRILL_ISP_DOWN_DEV" up &&
		ip -n "$r" addr add "$DRILL_WAN1_IP4/26" dev "$d" &&
		ip -n "$r" addr add "$DRILL_WAN1_IP6/64" dev "$d" nodad &&
		ip -n "$i" addr add "$DRILL_WAN1_GW4/26" dev "$DRILL_ISP_DOWN_DEV" &&
		ip -n "$i" addr add "$DRILL_WAN1_GW6/64" dev "$DRILL_ISP_DOWN_DEV" nodad ||
		fg_fail "wan1's addresses"
	for f in 4 6; do
		eval "gw=\$DRILL_WAN1_GW$f net=\$DRILL_WAN1_NET$f"
		ip -n "$r" -"$f" route add default via "$gw" dev "$d" metric 10 &&
			ip -n "$r" -"$f" route add "$net" dev "$d" table 1 &&
			ip -n "$r" -"$f" route add "$net" dev "$d" table 2 &&
			ip -n "$r" -"$f" route add default via "$gw" dev "$d" table 1 ||
			fg_fail "wan1's routes"
	done
}

# (a) wan1 deleted: shown missing, logged once, its entry cleared; wan1
# re-created: attached within 1 s at the new ifindex, one filter, the
# entry there; and the guard works on it: client B's flow (uplink 2)
# misrouted out of the new wan1 is flagged and deleted.
test_recreated_device()
{
	local old new lb from_b
	drill_setup --nat snat
	drill_client_start b "$DRILL_CLIENT_B_IP4"
	drill_wait_echo b "$DRILL_WAN2_IP4" >/dev/null
	guard_start
	old=$(guard_ifindex "$DRILL_WAN1_DEV")
	attached_at "$DRILL_WAN1_DEV" "$old" || fg_fail "status: $(guard_status)"

	ip -n "$DRILL_NS_ROUTER" link del "$DRILL_WAN1_DEV"
	fg_wait_for 1000 shown_missing "$DRILL_WAN1_DEV" ||
		fg_fail "wan1 not shown missing: $(guard_status)"
	drill_wait_log "$GUARD_LOG" "uplink device $DRILL_WAN1_DEV \(ifindex $old\) gone" \
		1000 >/dev/null
	[[ $(guard_pinned_marks "$old") == none ]] ||
		fg_fail "ifindex $old keeps an entry: $(guard_pinned_marks "$old")"

	recreate_wan1
	new=$(guard_ifindex "$DRILL_WAN1_DEV")
	[[ $new != "$old" ]] || fg_fail "the kernel gave wan1 its old ifindex $old again"
	attached_at "$DRILL_WAN1_DEV" "$new" || fg_fail "status: $(guard_status)"
	[[ $(guard_pinned_marks "$DRILL_WAN1_DEV") == "$DRILL_MARK1" ]] ||
		fg_fail "new wan1's entry: $(guard_pinned_marks "$DRILL_WAN1_DEV")"
	(($(drill_log_count "$GUARD_LOG" "device $DRILL_WAN1_DEV .*gone") == 1)) ||
		fg_fail "the loss was not logged once"

	lb=$(drill_client_log b)
	from_b=$(drill_log_mark "$lb")
	drill_misroute 2
	drill_wait_log "$GUARD_LOG" "of wan2 leaving $DRILL_WAN1_DEV: deleted" 2000 >/dev/null
	drill_wait_log "$lb" " error ECONNRESET " 2000 "$from_b" >/dev/null
	guard_stop
	[[ $(our_filters "$DRILL_WAN1_DEV") == 0 ]] || fg_fail "filter left after stop"
}

# (b) wan1 renamed to wanx: wan1 is missing, wanx (not an uplink) loses
# our filter and its entry; a new device named wan1 (a tun) is attached;
# when it goes and wanx is renamed back, wan1 is attached at its first
# ifindex again.
test_renamed_device()
{
	local r old tun t0
	drill_setup --no-server
	guard_start
	r=$DRILL_NS_ROUTER
	old=$(guard_ifindex "$DRILL_WAN1_DEV")
	# a running device cannot be renamed: down first (netifd does too)
	ip -n "$r" link set "$DRILL_WAN1_DEV" down
	ip -n "$r" link set "$DRILL_WAN1_DEV" name wanx
	fg_wait_for 1000 shown_missing "$DRILL_WAN1_DEV" ||
		fg_fail "wan1 not shown missing after the rename: $(guard_status)"
	[[ $(our_filters wanx) == 0 ]] || fg_fail "our filter stayed on wanx"
	[[ $(guard_pinned_marks wanx) == none ]] ||
		fg_fail "wanx keeps an entry: $(guard_pinned_marks wanx)"

	t0=$(fg_now_ms)
	ip -n "$r" tuntap add dev "$DRILL_WAN1_DEV" mode tun
	tun=$(guard_ifindex "$DRILL_WAN1_DEV")
	wait_attached "$DRILL_WAN1_DEV" "$tun" "$t0"
	[[ $(guard_pinned_marks "$DRILL_WAN1_DEV") == "$DRILL_MARK1" ]] ||
		fg_fail "the tun wan1's entry: $(guard_pinned_marks "$DRILL_WAN1_DEV")"
	guard_status | grep -q "^  ifindex $tun, L2 header 0 bytes, attached" ||
		fg_fail "tun's L2 header: $(guard_status)"

	ip -n "$r" link del "$DRILL_WAN1_DEV"
	t0=$(fg_now_ms)
	ip -n "$r" link set wanx name "$DRILL_WAN1_DEV"
	wait_attached "$DRILL_WAN1_DEV" "$old" "$t0"
	ip -n "$r" link set "$DRILL_WAN1_DEV" up
	guard_status | grep -q "^  ifindex $old, L2 header 14 bytes, attached" ||
		fg_fail "veth's L2 header: $(guard_status)"
	[[ $(guard_pinned_marks "$DRILL_WAN1_DEV") == "$DRILL_MARK1" ]] ||
		fg_fail "wan1's entry: $(guard_pinned_marks "$DRILL_WAN1_DEV")"
	[[ $(guard_pinned_marks "$tun") == none ]] ||
		fg_fail "the deleted tun's ifindex $tun keeps an entry"
	guard_stop
}

# (c, d) an LTE modem that appears after the start: the service starts
# with its device missing (one line), a tun named wwan0 comes 5 s later
# and is attached within 1 s, with no L2 header; the router's datagrams
# through it are seen, and (they carry uplink 1's mark) flagged.
test_device_appears_later()
{
	local r t0 idx s0 s1 n=20
	drill_setup --no-server
	r=$DRILL_NS_ROUTER
	guard_run -u "wan1:$DRILL_WAN1_DEV:$DRILL_MARK1" -u "lte:wwan0:$DRILL_MARK2"
	[[ $(drill_log_count "$GUARD_LOG" "uplink device wwan0 missing") == 1 ]] ||
		fg_fail "the missing device was not named once: $(cat "$GUARD_LOG")"
	shown_missing wwan0 || fg_fail "status: $(guard_status)"
	attached_at "$DRILL_WAN1_DEV" "$(guard_ifindex "$DRILL_WAN1_DEV")" ||
		fg_fail "wan1 not attached: $(guard_status)"
	sleep 5

	t0=$(fg_now_ms)
	ip -n "$r" tuntap add dev wwan0 mode tun
	wait_attached wwan0 "$(guard_ifindex wwan0)" "$t0"
	idx=$(guard_ifindex wwan0)
	ip -n "$r" link set wwan0 up
	ip -n "$r" addr add "$LINKS_TUN_IP4/24" dev wwan0
	# mwan3 copies connected routes into its tables: the datagrams get
	# uplink 1's mark (the drill's policy) and table 1 routes them here
	ip -n "$r" route add "$LINKS_TUN_NET4" dev wwan0 table 1
	guard_status | grep -q "^  ifindex $idx, L2 header 0 bytes, attached" ||
		fg_fail "tun's L2 header: $(guard_status)"

	s0=$(tun_counter seen)
	drill_exec router "$FG_BUILD/tests/tools/fg_udpflows" send -i 1000 \
		"$LINKS_TUN_IP4" 42000 "$n" "$LINKS_TUN_DST4" 9 >/dev/null ||
		fg_fail "sending through wwan0 failed"
	s1=$(tun_counter seen)
	fg_log "wwan0: seen $s0 -> $s1 after $n datagrams, flagged $(tun_counter flagged)"
	((s1 - s0 >= n)) || fg_fail "the guard saw $((s1 - s0)) of $n datagrams on wwan0"
	# parsed at offset 0: the tuple was read, the stale mark found
	fg_wait_for 2000 guard_log_has "stale flow udp $LINKS_TUN_IP4:42[0-9]+ .* of wan1 leaving wwan0" ||
		fg_fail "no flow flagged on wwan0: $(guard_status)"
	guard_stop
}

# tun_counter NAME: a counter of wwan0 from status.
tun_counter() { guard_status | sed -n "s/^device wwan0: .* $1 \([0-9]*\) .*/\1/p; s/^device wwan0: $1 \([0-9]*\) .*/\1/p"; }

guard_log_has() { grep -qE -- "$1" "$GUARD_LOG"; }

# A router whose only uplink is an LTE modem not there yet: the service
# starts all the same, says so, and stops cleanly.
test_only_device_missing()
{
	drill_setup --no-server
	guard_run -u "lte:wwan0:$DRILL_MARK2"
	shown_missing wwan0 || fg_fail "status: $(guard_status)"
	guard_stop
	[[ $(drill_log_count "$GUARD_LOG" "uplink device wwan0 missing") == 1 ]] ||
		fg_fail "the missing device was not named once: $(cat "$GUARD_LOG")"
}
