# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034
#
# tests/vm/lib-vm.sh - helpers of the VM tests (sourced after tests/lib.sh
# and tests/lib-guard.sh by run-tests.sh; creates nothing when sourced).
#   vm_check DESC CMD...     run CMD; on failure print "FAIL: DESC" and go
#                            on (so that one run shows every broken check)
#   vm_done                  the test's end: the service must stop with
#                            status 0; fail when a vm_check failed
#   vm_offload_on            the router's flowtable on lan, wan1 and wan2
#   vm_clients 4|6           clients A (uplink 1) and B (uplink 2) of one
#                            family, each with 3 echoes; sets VM_A VM_B
#                            (their addresses), VM_VIA1 VM_VIA2 (the
#                            uplinks' addresses the remote sees), VM_REMOTE,
#                            LA LB (their logs)
#   vm_ct_of IP              the router's entries of IP's flows to the remote
#   vm_offloaded IP [MARK]   one of them is [OFFLOAD] (with ct mark MARK)
#   vm_not_offloaded IP      none of them is
#   vm_clients_offloaded     vm_offloaded for both VM_A and VM_B
#   vm_no_entry IP MARK      none of them carries ct mark MARK
#   vm_counter DEV NAME      the guard's counter NAME of DEV (sum over CPUs)
#   vm_counters DEV          all of them, one line, for the log
#   vm_counter_above DEV NAME V  that counter is above V
#   vm_isp_dropping N        dead ISP N has dropped packets
#   vm_client_errors NAME    error, connect-failed and reconnect lines of
#                            client NAME so far
#   vm_disconnected IFACE DEV  `flowguard disconnected` through the service;
#                            its output in VM_DISC_OUT (and the log)
#   vm_state                 conntrack, counters and the guard's log

# struct fg_counters' field names (include/flowguard.h), as bpftool shows them
VM_C_SEEN=seen VM_C_NOCT=no_ct VM_C_FLAGGED=flagged VM_C_EVENTS=events
VM_C_LOST=lost VM_C_LOOKUP=lookup VM_C_LOOKUP_HIT=lookup_hits
VM_FAILED=0

vm_check()
{
	local desc=$1
	shift
	if "$@"; then
		fg_log "ok: $desc"
	else
		echo "FAIL: $desc"
		VM_FAILED=$((VM_FAILED + 1))
	fi
	return 0
}

vm_done()
{
	((VM_FAILED == 0)) || vm_state
	[[ -z ${GUARD_PID:-} ]] || guard_stop
	((VM_FAILED == 0)) || fg_fail "$VM_FAILED check(s) failed"
}

# OpenWrt fw4's flow_offloading: a flowtable on the LAN and both uplinks,
# TCP and UDP flows added to it from the forward chain
vm_offload_on()
{
	drill_exec router nft -f - <<EOF
table inet fgdrill {
	flowtable ft { hook ingress priority filter; devices = { $DRILL_LAN_DEV, $DRILL_WAN1_DEV, $DRILL_WAN2_DEV }; }
	chain forward { type filter hook forward priority filter; policy accept;
		meta l4proto { tcp, udp } flow add @ft
	}
}
EOF
}

vm_clients()
{
	if [[ $1 == 6 ]]; then
		VM_A=$DRILL_CLIENT_A_IP6 VM_B=$DRILL_CLIENT_B_IP6
		VM_VIA1=$DRILL_WAN1_IP6 VM_VIA2=$DRILL_WAN2_IP6
		VM_REMOTE=$DRILL_REMOTE_IP6
	else
		VM_A=$DRILL_CLIENT_A_IP4 VM_B=$DRILL_CLIENT_B_IP4
		VM_VIA1=$DRILL_WAN1_IP4 VM_VIA2=$DRILL_WAN2_IP4
		VM_REMOTE=$DRILL_REMOTE_IP4
	fi
	drill_client_start a "$VM_A"
	drill_client_start b "$VM_B"
	LA=$(drill_client_log a) LB=$(drill_client_log b)
	drill_wait_echo a "$VM_VIA1" 3 20000 >/dev/null &&
		drill_wait_echo b "$VM_VIA2" 3 20000 >/dev/null
}

vm_ct_of() { drill_ct_list -p tcp --dport "$DRILL_PORT" | grep -F "src=$1 "; }

vm_offloaded()
{
	local l
	l=$(vm_ct_of "$1" | grep -F '[OFFLOAD]') || return 1
	[[ -z ${2:-} ]] || grep -q " mark=$(($2)) " <<<"$l"
}

vm_not_offloaded() { ! vm_offloaded "$1"; }

vm_clients_offloaded() { vm_offloaded "$VM_A" && vm_offloaded "$VM_B"; }

vm_no_entry() { ! vm_ct_of "$1" | grep -q " mark=$(($2)) "; }

# DEV's slot in fg_counters: byte 36 of its struct fg_uplink
_vm_slot()
{
	local b=()
	read -ra b <<<"$(guard_pinned_bytes "$1")"
	((${#b[@]} == 40)) || { echo "no uplink entry for $1" >&2; return 1; }
	echo $((b[36]))
}

vm_counter()
{
	local slot
	slot=$(_vm_slot "$1") || return 1
	bpftool -j map dump pinned "$FG_PIN_DIR/fg_counters" |
		jq --argjson k "$slot" --arg name "$2" \
			'[.[].formatted | select(.key == $k) | .values[].value[$name]] | add // 0'
}

vm_counters()
{
	local slot
	slot=$(_vm_slot "$1") || return 1
	bpftool -j map dump pinned "$FG_PIN_DIR/fg_counters" |
		jq -r --argjson k "$slot" '[.[].formatted | select(.key == $k) |
			.values[].value] | (.[0] | keys_unsorted) as $names |
			[$names[] as $n | "\($n) \(map(.[$n]) | add)"] | join(" ")'
}

vm_counter_above() { local v; v=$(vm_counter "$1" "$2") && ((v > $3)); }

vm_isp_dropping()
{
	local n
	n=$(drill_exec "isp$1" nft list chain inet fgisp forward |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	((${n:-0} > 0))
}

vm_client_errors()
{
	drill_log_count "$(drill_client_log "$1")" " (error|connect-failed|reconnect) "
}

vm_disconnected()
{
	local oow=(TcpExtTCPACKSkippedSeq TcpExtTCPACKSkippedChallenge TcpExtTCPChallengeACK)
	fg_log "client TCP before: $(drill_exec client nstat -asz "${oow[@]}" 2>&1 | tr -s ' \n' ' ')"
	VM_DISC_OUT=$(drill_exec router "$FG_BIN" disconnected --socket "$GUARD_SOCK" \
		"$1" "$2" 2>&1) || VM_DISC_OUT+=" (exit status $?)"
	fg_log "flowguard disconnected $1 $2: $VM_DISC_OUT"
	# why a host may not answer the provoking ACK at once: its rate
	# limit on answers to out-of-window segments
	fg_log "client TCP after: $(drill_exec client nstat -asz "${oow[@]}" 2>&1 | tr -s ' \n' ' ')"
}

vm_state()
{
	local dev
	fg_log "router conntrack (port $DRILL_PORT):"
	drill_ct_list -p tcp --dport "$DRILL_PORT" | sed 's/^/    /'
	[[ -n ${GUARD_LOG:-} ]] || return 0
	for dev in "$DRILL_WAN1_DEV" "$DRILL_WAN2_DEV"; do
		fg_log "guard counters $dev: $(vm_counters "$dev" 2>&1)"
	done
	fg_log "guard log:"
	grep -v 'libbpf:' "$GUARD_LOG" | sed 's/^/    /'
}
