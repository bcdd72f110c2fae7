# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-bpftool.sh - the pinned maps read well in bpftool, one of the
# ways operators look at the guard (docs/inspecting.md): the BTF names
# every counter of fg_counters and the flags of each fg_uplinks entry.
# bpftool runs where the pins are (this mount namespace's bpffs), not in
# the router's network namespace: it needs none. Run: tests/run.sh bpftool

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

# struct fg_counters' fields, in their order (include/flowguard.h)
COUNTER_NAMES='["seen","no_ct","flagged","events","lost","lookup","lookup_hits","unparsed"]'

# uplink_entry DEV: DEV's entry in the pinned fg_uplinks as bpftool
# formats it from the BTF ({"allowed":[...],...,"flags":"FG_UPLINK_..."});
# DEV may be an ifindex.
uplink_entry()
{
	local idx
	idx=$(guard_ifindex "$1") || return 1
	bpftool -j map lookup pinned "$FG_PIN_DIR/fg_uplinks" key \
		$((idx & 255)) $((idx >> 8 & 255)) $((idx >> 16 & 255)) \
		$((idx >> 24 & 255)) | jq -c -e '.formatted.value'
}

# counters_of DEV: DEV's counters from `bpftool -j map dump` of the pinned
# fg_counters, summed over CPUs field by field, one JSON object in the
# fields' order ({"seen":N,"no_ct":N,...}).
counters_of()
{
	local slot
	slot=$(uplink_entry "$1" | jq -e '.slot') || return 1
	bpftool -j map dump pinned "$FG_PIN_DIR/fg_counters" |
		jq -c -e --argjson k "$slot" '[.[].formatted | select(.key == $k) |
			.values[].value] | reduce .[] as $cpu ({};
				reduce ($cpu | to_entries[]) as $c (.;
					.[$c.key] += $c.value))'
}

counter() { jq -e ".$2" <<<"$1"; }

# seen_above DEV N: DEV's seen counter is above N
seen_above() { local c; c=$(counters_of "$1") && (($(counter "$c" seen) > $2)); }

# The counters carry their names, in bpftool's JSON and in its plain
# output; wan1's seen grows with a client's traffic through it, and
# nothing of it is flagged.
test_counters_named_in_bpftool()
{
	local c0 c1 names plain
	drill_setup
	# shellcheck disable=SC2119 # the drill's two uplinks, no option
	guard_start
	c0=$(counters_of "$DRILL_WAN1_DEV") || fg_fail "no counters for $DRILL_WAN1_DEV"
	fg_log "wan1 before: $c0"
	names=$(jq -c 'keys_unsorted' <<<"$c0")
	[[ $names == "$COUNTER_NAMES" ]] ||
		fg_fail "counter fields: $names, not $COUNTER_NAMES"
	# the whole dump first: grep -q would close the pipe early (pipefail)
	plain=$(bpftool map dump pinned "$FG_PIN_DIR/fg_counters")
	grep -q '"lookup_hits": [0-9]' <<<"$plain" ||
		fg_fail "plain bpftool map dump names no field"

	drill_client_start a "$DRILL_CLIENT_A_IP4"
	drill_wait_echoes a "$DRILL_WAN1_IP4" 3 >/dev/null
	fg_wait_for 2000 seen_above "$DRILL_WAN1_DEV" "$(($(counter "$c0" seen) + 3))" ||
		fg_fail "wan1's seen did not grow with 3 echoes: $(counters_of "$DRILL_WAN1_DEV")"
	c1=$(counters_of "$DRILL_WAN1_DEV")
	fg_log "wan1 after 3 echoes: $c1"
	[[ $(counter "$c1" flagged) == 0 && $(counter "$c1" events) == 0 ]] ||
		fg_fail "wan1 flagged a flow that belongs there: $c1"
	guard_stop
}

# Each uplink entry's flags read as the enum's names: wan1 guarded only,
# wan2 guarded and enforcing (per uplink, from the config file), an array
# slot that is no device's FG_UPLINK_NONE; the BTF of the map's value
# holds the enum with every name.
test_uplink_flags_named_in_bpftool()
{
	local conf e1 e2 e0 btf n
	drill_setup --silent
	conf=$FG_TMP/enforce.conf
	cat >"$conf" <<EOF
config uplink 'wan1'
	option device '$DRILL_WAN1_DEV'
	option mark '$DRILL_MARK1'
config uplink 'wan2'
	option device '$DRILL_WAN2_DEV'
	option mark '$DRILL_MARK2'
	option enforce '1'
EOF
	guard_run -c "$conf"
	e1=$(uplink_entry "$DRILL_WAN1_DEV") || fg_fail "no entry for $DRILL_WAN1_DEV"
	e2=$(uplink_entry "$DRILL_WAN2_DEV") || fg_fail "no entry for $DRILL_WAN2_DEV"
	e0=$(uplink_entry 0) || fg_fail "no slot 0 in fg_uplinks"
	fg_log "wan1: $e1"
	fg_log "wan2: $e2"
	[[ $(jq -r .flags <<<"$e1") == FG_UPLINK_GUARDED ]] || fg_fail "wan1: $e1"
	[[ $(jq -r .flags <<<"$e2") == FG_UPLINK_GUARDED_ENFORCE ]] || fg_fail "wan2: $e2"
	[[ $(jq -r .flags <<<"$e0") == FG_UPLINK_NONE ]] || fg_fail "slot 0: $e0"
	[[ $(jq -c '[.allowed[0], .nr_allowed]' <<<"$e1") == "[$((DRILL_MARK1)),1]" ]] ||
		fg_fail "wan1's allowed marks: $e1"

	btf=$(bpftool btf dump map pinned "$FG_PIN_DIR/fg_uplinks" value format c)
	for n in FG_UPLINK_NONE FG_UPLINK_ENFORCE FG_UPLINK_GUARDED FG_UPLINK_GUARDED_ENFORCE; do
		grep -q "$n = " <<<"$btf" || fg_fail "the value's BTF names no $n: $btf"
	done
	grep -q "enum fg_uplink_flags flags;" <<<"$btf" ||
		fg_fail "struct fg_uplink's flags are not typed with the enum: $btf"
	guard_stop
}
