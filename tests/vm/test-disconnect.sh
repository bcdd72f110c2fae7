# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/vm/test-disconnect.sh - mwan3's `disconnected` on a router with
# nftables flow offload (run by tests/vm/run-tests.sh in the VM).
#
# The drill (masquerade, NAT66), the service on the router, a long-lived
# client A on uplink 1 and B on uplink 2. ISP 1 stops forwarding; once it
# drops A's packets, the policy for new flows moves to uplink 2 and
# `flowguard disconnected wan1 wan1` runs (demo act 2). A must get an
# error (the reset) and reconnect through uplink 2; B must see nothing;
# the command's line must report the reset and the entries deleted.
# With a silent remote only the reset gets A out (TCP alone would wait
# about 15 minutes); with a polite one A's next retransmission would, so
# there the reported reset is what tells.

# _disconnect OFFLOAD(0|1) polite|silent 4|6
_disconnect()
{
	local offload=$1 remote=$2 fam=$3 from_a from_b n
	local -a opts=()
	[[ $remote == silent ]] && opts+=(--silent)
	drill_setup "${opts[@]}"
	((offload)) && vm_offload_on
	guard_start
	vm_clients "$fam"
	if ((offload)); then
		vm_check "A's and B's entries are offloaded" \
			fg_wait_for 20000 vm_clients_offloaded
	else
		vm_check "A's entry is not offloaded" vm_not_offloaded "$VM_A"
	fi
	fg_log "before: $(vm_ct_of "$VM_A")"
	from_a=$(drill_log_mark "$LA") from_b=$(drill_log_mark "$LB")

	drill_isp_die 1
	vm_check "dead ISP 1 drops A's packets" fg_wait_for 20000 vm_isp_dropping 1
	drill_policy "$DRILL_MARK2"
	vm_disconnected wan1 "$DRILL_WAN1_DEV"

	vm_check "client A gets an error" \
		drill_wait_log "$LA" " error " 20000 "$from_a"
	vm_check "client A reconnects through uplink 2" \
		drill_wait_log "$LA" "echo via=$VM_VIA2 vport=[0-9]+ n=1 " 20000 "$from_a"
	n=$(sed -n 's/.*, \([0-9]*\) of [0-9]* TCP clients reset.*/\1/p' <<<"$VM_DISC_OUT")
	vm_check "disconnected reports TCP clients reset (${n:-none})" test "${n:-0}" -ge 1
	# counted by the dump before the delete: the table itself only
	# shrinks once the flowtable lets go of an offloaded entry
	n=$(sed -n 's/.*, \([0-9]*\) entries deleted (counted by the dump before the delete).*/\1/p' <<<"$VM_DISC_OUT")
	vm_check "disconnected reports entries deleted (${n:-none})" test "${n:-0}" -ge 1
	vm_check "no entry of A with uplink 1's mark left" \
		fg_wait_for 10000 vm_no_entry "$VM_A" "$DRILL_MARK1"
	vm_check "client B keeps echoing through uplink 2" \
		drill_wait_echoes b "$VM_VIA2" 3 10000 "$from_b"
	n=$(vm_client_errors b)
	vm_check "client B saw no error ($n)" test "$n" -eq 0
	vm_done
}

test_disconnect_offload_polite_ipv4() { _disconnect 1 polite 4; }
test_disconnect_offload_silent_ipv4() { _disconnect 1 silent 4; }
test_disconnect_offload_polite_ipv6() { _disconnect 1 polite 6; }
test_disconnect_offload_silent_ipv6() { _disconnect 1 silent 6; }
# the baseline: the same without a flowtable (silent remote: the hard case)
test_disconnect_nooffload() { _disconnect 0 silent 4; }
