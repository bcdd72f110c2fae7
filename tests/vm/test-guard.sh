# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/vm/test-guard.sh - the guard on a router with nftables flow
# offload, on a kernel without visible BTF, and next to other TC filters
# (run by tests/vm/run-tests.sh in the VM). Offloaded packets skip the
# netfilter hooks: they reach the uplink's TC egress without a ct entry
# and with skb->mark 0, so the guard must look them up (ct mode) or
# report them by tuple (skbmark mode, on a device whose uplink is down).

# _misroute MODE OFFLOAD(0|1) [CHECK]: static SNAT (masquerade would kill the entry
# itself when its output device changes); A and B offloaded; then new flows
# go to uplink 2 and table 1 points out of wan2: A's flow (mark 0x100)
# leaves wan2. The route change pushes it through the slow path once,
# where its packet carries its ct entry and the restored mark 0x100: both
# modes flag that packet; ct mode also looks up the offloaded ones after
# it (sampled: every uplink is up). Asserted: flagged on wan2, the log line
# "stale flow ... mark 0x100 ... of wan1 leaving wan2: deleted", A's entry
# with 0x100 gone, A reset and reconnected through uplink 2, B untouched.
# CHECK: a function to call once the service runs.
_misroute()
{
	local mode=$1 offload=$2 from_a g n
	drill_setup --nat snat
	((offload)) && vm_offload_on
	guard_start --mode "$mode"
	[[ -z ${3:-} ]] || "$3"
	vm_clients 4
	if ((offload)); then
		vm_check "A's and B's entries are offloaded" \
			fg_wait_for 20000 vm_clients_offloaded
	fi
	from_a=$(drill_log_mark "$LA") g=$(drill_log_mark "$GUARD_LOG")
	drill_policy "$DRILL_MARK2"
	drill_misroute 1
	vm_check "the guard flags packets leaving wan2" \
		fg_wait_for 20000 vm_counter_above "$DRILL_WAN2_DEV" "$VM_C_FLAGGED" 0
	vm_check "the guard deletes A's stale flow" drill_wait_log "$GUARD_LOG" \
		"stale flow tcp ($VM_A|$VM_VIA1):[0-9]+ -> $VM_REMOTE:$DRILL_PORT mark 0x100 .*of wan1 leaving wan2: deleted" \
		20000 "$g"
	vm_check "no entry of A with uplink 1's mark left" \
		fg_wait_for 10000 vm_no_entry "$VM_A" "$DRILL_MARK1"
	vm_check "client A is reset" drill_wait_log "$LA" " error " 20000 "$from_a"
	vm_check "client A reconnects through uplink 2" \
		drill_wait_log "$LA" "echo via=$VM_VIA2 vport=[0-9]+ n=1 " 20000 "$from_a"
	n=$(vm_client_errors b)
	vm_check "client B saw no error ($n)" test "$n" -eq 0
	vm_done
}

test_misroute_offload_ct()
{
	_misroute ct 1 _ct61_mode
}

# 6.1 has BTF and bpf_skb_ct_lookup but no bpf_cast_to_kern_ctx: status
# says the guard reads the entry by probe read and looks offloaded
# packets up, and why.
_ct61_mode()
{
	vm_check "flowguard status says probe read with lookup, and why" _ct61_status
}

_ct61_status()
{
	guard_status | head -n 1 |
		grep -qF "mode ct (probe read, offload lookup) (--mode ct; no bpf_cast_to_kern_ctx (kernel before 6.2): probe read; bpf_skb_ct_lookup found: offloaded packets looked up)"
}

test_misroute_offload_skbmark()
{
	_misroute skbmark 1
}

# _down_uplink MODE: wan1 marked down by `flowguard disconnected` while
# ISP 1 still works and the policy still sends A to uplink 1 (policy
# monitor: events are logged, nothing is deleted or reset). The flush
# takes A's entry; A's next packets re-create it with 0x100, out of wan1
# again, and it is offloaded again: an offloaded flow leaving an uplink
# marked down. ct mode looks every such packet up (lookup, lookup hits)
# and flags it; skbmark mode reports it by tuple (lookup counter, events),
# and the service finds the entry by tuple and judges its mark. Both:
# a log line "stale flow ... mark 0x100 ... of wan1 leaving wan1: seen
# (monitor)" written after the re-created entry was offloaded (so about
# an offloaded packet: the slow-path packets before carried the mark),
# and the entry left alone (monitor touches nothing).
# _status_offload_line MODE: status says, under wan1's device line, that
# nftables has a flowtable on it and what the guard does with offloaded
# packets in MODE.
_status_offload_line()
{
	local st want
	st=$(guard_status 2>&1) || return 1
	fg_log "status: $(grep -A1 "^device $DRILL_WAN1_DEV:" <<<"$st" | tr '\n' '|')"
	want="offloaded packets looked up"
	[[ $1 == skbmark ]] && want="offloaded packets reported by tuple"
	grep -A1 "^device $DRILL_WAN1_DEV:" <<<"$st" | grep -q "flowtable yes; $want"
}

_down_uplink()
{
	local mode=$1 g lookup0 flagged0 events0 from_b n
	drill_setup
	vm_offload_on
	guard_start --mode "$mode" --policy monitor
	vm_clients 4
	vm_check "A's and B's entries are offloaded" \
		fg_wait_for 20000 vm_clients_offloaded
	from_b=$(drill_log_mark "$LB")
	vm_disconnected wan1 "$DRILL_WAN1_DEV"
	vm_check "A's flow is re-created with 0x100 and offloaded" \
		fg_wait_for 20000 vm_offloaded "$VM_A" "$DRILL_MARK1"
	g=$(drill_log_mark "$GUARD_LOG")
	lookup0=$(vm_counter "$DRILL_WAN1_DEV" "$VM_C_LOOKUP")
	flagged0=$(vm_counter "$DRILL_WAN1_DEV" "$VM_C_FLAGGED")
	events0=$(vm_counter "$DRILL_WAN1_DEV" "$VM_C_EVENTS")
	fg_log "wan1 after the re-creation: $(vm_counters "$DRILL_WAN1_DEV")"
	vm_check "offloaded packets on wan1 are looked up / reported" \
		fg_wait_for 10000 vm_counter_above "$DRILL_WAN1_DEV" "$VM_C_LOOKUP" "$lookup0"
	if [[ $mode == ct ]]; then
		vm_check "the lookups find the entry" \
			vm_counter_above "$DRILL_WAN1_DEV" "$VM_C_LOOKUP_HIT" 0
		vm_check "the guard flags them" \
			fg_wait_for 10000 vm_counter_above "$DRILL_WAN1_DEV" "$VM_C_FLAGGED" "$flagged0"
	else
		vm_check "the guard sends events for them" \
			fg_wait_for 10000 vm_counter_above "$DRILL_WAN1_DEV" "$VM_C_EVENTS" "$events0"
	fi
	vm_check "the service finds A's entry and reports it" drill_wait_log "$GUARD_LOG" \
		"stale flow tcp ($VM_A|$VM_VIA1):[0-9]+ -> $VM_REMOTE:$DRILL_PORT mark 0x100 .*of wan1 leaving wan1: (seen \\(monitor\\)|monitored)" \
		20000 "$g"
	vm_check "A's offloaded entry is still there (monitor)" \
		vm_offloaded "$VM_A" "$DRILL_MARK1"
	vm_check "status: a flowtable on wan1, and what the mode sees" \
		_status_offload_line "$mode"
	vm_check "client B keeps echoing through uplink 2" \
		drill_wait_echoes b "$VM_VIA2" 3 10000 "$from_b"
	n=$(vm_client_errors b)
	vm_check "client B saw no error ($n)" test "$n" -eq 0
	vm_done
}

test_down_uplink_offload_ct()
{
	_down_uplink ct
}

test_down_uplink_offload_skbmark()
{
	_down_uplink skbmark
}

# nobtf: /sys/kernel/btf hidden (a tmpfs over it, in this test's own mount
# namespace): `flowguard run` (mode auto) must pick skbmark and say so;
# then the misroute of a non-offloaded flow is flagged and deleted.
test_nobtf()
{
	mount -t tmpfs none /sys/kernel/btf
	vm_check "kernel BTF hidden" test ! -e /sys/kernel/btf/vmlinux
	_misroute auto 0 _nobtf_mode
}

_nobtf_mode()
{
	vm_check "its start line says mode skbmark, and why" \
		grep -qF "mode skbmark (auto: no kernel BTF (/sys/kernel/btf/vmlinux)" "$GUARD_LOG"
	vm_check "flowguard status says mode skbmark, and why" _nobtf_status
}

_nobtf_status()
{
	guard_status | head -n 1 |
		grep -qF "mode skbmark (auto: no kernel BTF (/sys/kernel/btf/vmlinux): the mark mwan3 restores into skb->mark)"
}

# filter_after_ours: a counting BPF filter (fg_progstats empty: returns
# TC_ACT_UNSPEC) at pref 100 on wan2's egress, after the guard (pref 1;
# policy monitor). A and B offloaded first; then A's new flows pinned to
# uplink 1, whose table points out of wan2, the clients stopped, and in a
# quiet window A sends 50 pings: each leaves wan2 with mark 0x100 and is
# flagged. Over the window (BPF run-time statistics) the counter must run
# as often as the guard, at least once per ping, and as often as wan2
# sent packets (+-2: the reads are not atomic).
test_filter_after_ours()
{
	local prog gid out runs gruns tx0 tx1 sent f0 f1 pings=50
	local PS=$FG_BUILD/tests/tools/fg_progstats
	drill_setup --nat snat
	vm_offload_on
	guard_start --policy monitor
	prog=$(drill_exec router "$PS" empty "$DRILL_WAN2_DEV" 100)
	gid=$(drill_exec router "$PS" tcid "$DRILL_WAN2_DEV" 1 0xf16)
	fg_log "counter: prog $prog; guard: prog $gid"
	drill_exec router tc filter show dev "$DRILL_WAN2_DEV" egress | sed 's/^/    /'
	vm_clients 4
	vm_check "A's and B's entries are offloaded" \
		fg_wait_for 20000 vm_clients_offloaded
	drill_policy_client "$DRILL_CLIENT_A_IP4" "$DRILL_MARK1"
	drill_misroute 1
	drill_client_stop a
	drill_client_stop b
	sleep 1 # the closing segments
	f0=$(vm_counter "$DRILL_WAN2_DEV" "$VM_C_FLAGGED")
	tx0=$(_vm_tx_packets "$DRILL_WAN2_DEV")
	out=$(drill_exec router "$PS" run "$prog" "$gid" -- \
		nsenter --net="/run/netns/$DRILL_NS_CLIENT" -- \
		ping -q -n -c $pings -i 0.05 -I "$DRILL_CLIENT_A_IP4" "$DRILL_REMOTE_IP4")
	tx1=$(_vm_tx_packets "$DRILL_WAN2_DEV")
	f1=$(vm_counter "$DRILL_WAN2_DEV" "$VM_C_FLAGGED")
	fg_log "fg_progstats: ${out//$'\n'/; }"
	runs=$(sed -n "s/^id=$prog .*run_cnt=\([0-9]*\).*/\1/p" <<<"$out")
	gruns=$(sed -n "s/^id=$gid .*run_cnt=\([0-9]*\).*/\1/p" <<<"$out")
	sent=$((tx1 - tx0))
	fg_log "window: counter ${runs:-?} runs, guard ${gruns:-?} runs, wan2 sent $sent, flagged $((f1 - f0))"
	vm_check "the pings went out and came back" grep -q "cmd status=0 " <<<"$out"
	vm_check "the pings were flagged ($((f1 - f0)))" test $((f1 - f0)) -ge $pings
	vm_check "the counter ran once per ping at least (${runs:-none})" \
		test "${runs:-0}" -ge $pings
	vm_check "the counter ran as often as the guard (${runs:-none} vs ${gruns:-none})" \
		_vm_near "${runs:-0}" "${gruns:-0}"
	vm_check "the counter ran once per packet wan2 sent (${runs:-none} vs $sent)" \
		_vm_near "${runs:-0}" "$sent"
	vm_done
}

_vm_near() { (($1 - $2 >= -2 && $1 - $2 <= 2)); }

# _vm_tx_packets DEV: packets DEV (router) has sent
_vm_tx_packets()
{
	ip -n "$DRILL_NS_ROUTER" -s -j link show dev "$1" | jq '.[0].stats64.tx.packets'
}
