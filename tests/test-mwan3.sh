# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-mwan3.sh - `flowguard run --mwan3`: the uplink table from
# mwan3's config (ids by section order, disabled interfaces skipped but
# counted, mwan3's mask) and netifd's devices (a stub `ubus` on PATH
# answering JSON, or /etc/config/network when there is none), checked entry
# by entry through `run --dry-run`; then a service started with --mwan3 in
# the drill re-reads it on SIGHUP and when a hook names an interface it
# lacks (status and the pinned table checked). Run: tests/run.sh mwan3

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

# The mwan3 config OpenWrt 23.05 and 24.10 ship (mwan3 2.11): wan enabled,
# wan6, wanb and wanb6 disabled; members, policies and rules as shipped
# (shortened: they do not matter here, but they must not confuse us).
M3_SHIPPED="config globals 'globals'
	option mmx_mask '0x3F00'

config interface 'wan'
	option enabled '1'
	list track_ip '1.0.0.1'
	list track_ip '1.1.1.1'
	option family 'ipv4'
	option reliability '2'

config interface 'wan6'
	option enabled '0'
	list track_ip '2606:4700:4700::1001'
	option family 'ipv6'
	option reliability '2'

config interface 'wanb'
	option enabled '0'
	list track_ip '1.0.0.1'
	option family 'ipv4'
	option reliability '1'

config interface 'wanb6'
	option enabled '0'
	list track_ip '2606:4700:4700::1001'
	option family 'ipv6'
	option reliability '1'

config member 'wan_m1_w3'
	option interface 'wan'
	option metric '1'
	option weight '3'

config member 'wanb_m1_w2'
	option interface 'wanb'
	option metric '1'
	option weight '2'

config policy 'balanced'
	list use_member 'wan_m1_w3'
	list use_member 'wanb_m1_w2'

config rule 'https'
	option sticky '1'
	option dest_port '443'
	option proto 'tcp'
	option use_policy 'balanced'

config rule 'default_rule_v4'
	option dest_ip '0.0.0.0/0'
	option use_policy 'balanced'
	option family 'ipv4'
"

# A router's netifd config as 23.05/24.10 write it: DSA wan port, lan
# bridge as a device section.
M3_NETWORK_DHCP="config interface 'loopback'
	option device 'lo'
	option proto 'static'

config device
	option name 'br-lan'
	option type 'bridge'
	list ports 'lan1'

config interface 'lan'
	option device 'br-lan'
	option proto 'static'

config interface 'wan'
	option device 'wan'
	option proto 'dhcp'

config interface 'wan6'
	option device 'wan'
	option proto 'dhcpv6'
"

# The multi-WAN router: PPPoE wan (and wan6 on top of it), a DHCP wanb and
# its wanb6 on one device, an LTE modem (QMI: netifd's config names only
# the control device; the network device wwan0 is netifd's to know).
M3_MULTI="config globals 'globals'
	option mmx_mask '0x3F00'

config interface 'wan'
	option enabled '1'
	option family 'ipv4'

config interface 'wan6'
	option enabled '1'
	option family 'ipv6'

config interface 'wanb'
	option enabled '1'
	option family 'ipv4'

config interface 'wanb6'
	option enabled '1'
	option family 'ipv6'

config interface 'lte'
	option enabled '1'
	option family 'ipv4'

config interface 'spare'
	option enabled '0'
"

M3_NETWORK_MULTI="config interface 'wan'
	option device 'eth1'
	option proto 'pppoe'
	option username 'customer'
	option password 'secret'

config interface 'wan6'
	option device '@wan'
	option proto 'dhcpv6'

config interface 'wanb'
	option device 'eth2'
	option proto 'dhcp'

config interface 'wanb6'
	option device 'eth2'
	option proto 'dhcpv6'

config interface 'lte'
	option device '/dev/cdc-wdm0'
	option proto 'qmi'
	option apn 'internet'
"

# m3_files: mwan3 config M3_CFG, network config M3_NET, no mask cache
# (M3_MASK), a PATH with our stub ubus (M3_UBUS_PATH) and one without.
m3_files()
{
	fg_init
	M3_CFG=$FG_TMP/mwan3
	M3_NET=$FG_TMP/network
	M3_MASK=$FG_TMP/mmx_mask.none
	M3_UBUS_PATH=$FG_TMP/ubus-bin
	M3_NO_UBUS_PATH=$FG_TMP/no-ubus-bin
	mkdir -p "$M3_UBUS_PATH" "$M3_NO_UBUS_PATH"
	# ubus -t 2 call network.interface.NAME status: netifd's answer for
	# NAME from $FG_TMP/ubus/NAME.json; exit 4 (Not found) without one,
	# as ubus does for an object that does not exist
	cat >"$M3_UBUS_PATH/ubus" <<'EOF'
#!/bin/sh
[ "$1" = -t ] && shift 2
[ "$1" = call ] && [ "$3" = status ] || exit 2
echo "$2" >>"$M3_UBUS_DIR/calls"
[ -f "$M3_UBUS_DIR/hang" ] && exec sleep 10
f="$M3_UBUS_DIR/${2#network.interface.}.json"
[ -f "$f" ] || { echo "Command failed: Not found" >&2; exit 4; }
cat "$f"
EOF
	chmod +x "$M3_UBUS_PATH/ubus"
	export M3_UBUS_DIR=$FG_TMP/ubus
	mkdir -p "$M3_UBUS_DIR"
}

# m3_ubus NAME L3DEV [UP]: netifd's status of NAME, shaped as netifd
# writes it (l3_device left out when L3DEV is "-": a link down).
m3_ubus()
{
	local l3=
	[[ $2 == - ]] || l3="\"l3_device\": \"$2\","
	cat >"$M3_UBUS_DIR/$1.json" <<EOF
{
	"up": ${3:-true},
	"pending": false,
	"available": true,
	"autostart": true,
	"dynamic": false,
	"uptime": 1234,
	$l3
	"proto": "dhcp",
	"device": "eth9",
	"metric": 0,
	"dns_metric": 0,
	"delegation": true,
	"ipv4-address": [ { "address": "192.0.2.2", "mask": 26 } ],
	"ipv6-address": [ ],
	"route": [ { "target": "0.0.0.0", "mask": 0, "nexthop": "192.0.2.1", "source": "0.0.0.0/0" } ],
	"dns-server": [ "192.0.2.1" ],
	"inactive": { "ipv4-address": [ ], "route": [ ] },
	"data": { "leasetime": 43200 }
}
EOF
}

# m3_table PATH [run options]: the table `run --mwan3 --dry-run` prints
# with PATH as the only PATH (stdout; stderr into $FG_TMP/dry.err).
m3_table()
{
	local path=$1
	shift
	PATH=$path "$FG_BIN" run --mwan3 --mwan3-config "$M3_CFG" \
		--mwan3-mask-file "$M3_MASK" --network-config "$M3_NET" \
		--dry-run "$@" 2>"$FG_TMP/dry.err"
}

# m3_expect WANT GOT: the same lines, or fail showing both.
m3_expect()
{
	[[ $1 == "$2" ]] && return 0
	fg_fail "table differs; wanted:
$1
got:
$2
stderr: $(cat "$FG_TMP/dry.err")"
}

test_mwan3_shipped_config()
{
	local got
	m3_files
	printf '%s' "$M3_SHIPPED" >"$M3_CFG"
	printf '%s' "$M3_NETWORK_DHCP" >"$M3_NET"
	# no ubus: the device from the network config
	got=$(m3_table "$M3_NO_UBUS_PATH")
	m3_expect "mask 0x3f00 (mwan3 config)
uplink wan: device wan mark 0x100, policy reset (mwan3 id 1, device from network config)
skipped wan6: disabled in mwan3 (id 2)
skipped wanb: disabled in mwan3 (id 3)
skipped wanb6: disabled in mwan3 (id 4)" "$got"
	# mwan3's cached mask wins over its config, as in mwan3
	echo 0xff00 >"$FG_TMP/mmx_mask"
	M3_MASK=$FG_TMP/mmx_mask
	got=$(m3_table "$M3_NO_UBUS_PATH" | head -2)
	m3_expect "mask 0xff00 (mwan3's cache)
uplink wan: device wan mark 0x100, policy reset (mwan3 id 1, device from network config)" "$got"
}

test_mwan3_pppoe_lte_ubus()
{
	local got
	m3_files
	printf '%s' "$M3_MULTI" >"$M3_CFG"
	printf '%s' "$M3_NETWORK_MULTI" >"$M3_NET"
	m3_ubus wan pppoe-wan
	m3_ubus wan6 pppoe-wan
	m3_ubus wanb eth2
	m3_ubus wanb6 eth2
	m3_ubus lte wwan0
	got=$(m3_table "$M3_UBUS_PATH:/usr/bin:/bin")
	m3_expect "mask 0x3f00 (mwan3 config)
uplink wan: device pppoe-wan mark 0x100, policy reset (mwan3 id 1, device from ubus)
uplink wan6: device pppoe-wan mark 0x200, policy reset (mwan3 id 2, device from ubus)
uplink wanb: device eth2 mark 0x300, policy reset (mwan3 id 3, device from ubus)
uplink wanb6: device eth2 mark 0x400, policy reset (mwan3 id 4, device from ubus)
uplink lte: device wwan0 mark 0x500, policy reset (mwan3 id 5, device from ubus)
skipped spare: disabled in mwan3 (id 6)" "$got"
	# the PPPoE session is down (netifd has no l3_device for wan and
	# wan6 then), and netifd does not know wanb6: the network config
	# answers for those
	m3_ubus wan - false
	m3_ubus wan6 - false
	rm "$M3_UBUS_DIR/wanb6.json"
	got=$(m3_table "$M3_UBUS_PATH:/usr/bin:/bin")
	m3_expect "mask 0x3f00 (mwan3 config)
uplink wan: device pppoe-wan mark 0x100, policy reset (mwan3 id 1, device from network config)
uplink wan6: device pppoe-wan mark 0x200, policy reset (mwan3 id 2, device from network config)
uplink wanb: device eth2 mark 0x300, policy reset (mwan3 id 3, device from ubus)
uplink wanb6: device eth2 mark 0x400, policy reset (mwan3 id 4, device from network config)
uplink lte: device wwan0 mark 0x500, policy reset (mwan3 id 5, device from ubus)
skipped spare: disabled in mwan3 (id 6)" "$got"
}

test_mwan3_ubus_hangs()
{
	local got
	m3_files
	printf '%s' "$M3_MULTI" >"$M3_CFG"
	printf '%s' "$M3_NETWORK_MULTI" >"$M3_NET"
	# a ubus that does not answer: given up at our deadline (its
	# process killed), not asked again for the other interfaces; the
	# network config answers
	touch "$M3_UBUS_DIR/hang"
	got=$(m3_table "$M3_UBUS_PATH:/usr/bin:/bin" | grep -c "from network config")
	[[ $got == 4 ]] || fg_fail "$got uplinks from the network config: $(cat "$FG_TMP/dry.err")"
	[[ $(cat "$M3_UBUS_DIR/calls") == network.interface.wan ]] ||
		fg_fail "ubus asked: $(cat "$M3_UBUS_DIR/calls")"
}

test_mwan3_no_ubus()
{
	local got
	m3_files
	printf '%s' "$M3_MULTI" >"$M3_CFG"
	printf '%s' "$M3_NETWORK_MULTI" >"$M3_NET"
	# no ubus on PATH: the modem's device is unknown (this host has no
	# /dev/cdc-wdm0): that uplink is left out with the reason, the
	# others come from the network config, ids unchanged
	got=$(m3_table "$M3_NO_UBUS_PATH")
	m3_expect "mask 0x3f00 (mwan3 config)
uplink wan: device pppoe-wan mark 0x100, policy reset (mwan3 id 1, device from network config)
uplink wan6: device pppoe-wan mark 0x200, policy reset (mwan3 id 2, device from network config)
uplink wanb: device eth2 mark 0x300, policy reset (mwan3 id 3, device from network config)
uplink wanb6: device eth2 mark 0x400, policy reset (mwan3 id 4, device from network config)
skipped lte: $M3_NET: interface 'lte' is a modem (/dev/cdc-wdm0): its network device is known to netifd only
skipped spare: disabled in mwan3 (id 6)" "$got"
	# the environment names the network config too
	got=$(PATH=$M3_NO_UBUS_PATH FLOWGUARD_NETWORK_CONFIG=$M3_NET \
		"$FG_BIN" run --mwan3 --mwan3-config "$M3_CFG" \
		--mwan3-mask-file "$M3_MASK" --dry-run 2>/dev/null | grep -c "from network config")
	[[ $got == 4 ]] || fg_fail "FLOWGUARD_NETWORK_CONFIG: $got uplinks from it"
}

test_mwan3_uplink_overrides()
{
	local got
	m3_files
	printf '%s' "$M3_MULTI" >"$M3_CFG"
	printf '%s' "$M3_NETWORK_MULTI" >"$M3_NET"
	# --uplink replaces mwan3's entry of that name only (a disabled one
	# too: the operator asked for it); one that mwan3 lacks is added
	got=$(m3_table "$M3_NO_UBUS_PATH" -u lte:wwan0:0x500:monitor \
		-u wanb6:eth3:0x400 -u spare:eth4:0x600 -u vpn:wg0:0x900 -p delete)
	m3_expect "mask 0x3f00 (mwan3 config)
uplink wan: device pppoe-wan mark 0x100, policy delete (mwan3 id 1, device from network config)
uplink wan6: device pppoe-wan mark 0x200, policy delete (mwan3 id 2, device from network config)
uplink wanb: device eth2 mark 0x300, policy delete (mwan3 id 3, device from network config)
uplink wanb6: device eth3 mark 0x400, policy delete (configured (mwan3 id 4))
uplink lte: device wwan0 mark 0x500, policy monitor (configured (mwan3 id 5))
uplink spare: device eth4 mark 0x600, policy delete (configured (mwan3 id 6, disabled in mwan3))
uplink vpn: device wg0 mark 0x900, policy delete (configured (not in mwan3))" "$got"
	# the UCI way: option mwan3 '1' in flowguard's own config
	printf "config globals 'globals'\n\toption mwan3 '1'\n\toption policy 'monitor'\n" \
		>"$FG_TMP/flowguard"
	got=$(PATH=$M3_NO_UBUS_PATH "$FG_BIN" run -c "$FG_TMP/flowguard" \
		--mwan3-config "$M3_CFG" --mwan3-mask-file "$M3_MASK" \
		--network-config "$M3_NET" --dry-run 2>/dev/null | sed -n 2p)
	m3_expect "uplink wan: device pppoe-wan mark 0x100, policy monitor (mwan3 id 1, device from network config)" "$got"
}

# m3_bad WANT_RC WANT_TEXT [run options]: one line on stderr containing
# WANT_TEXT, nothing on stdout, exit WANT_RC.
m3_bad()
{
	local want_rc=$1 want=$2 rc=0 out
	shift 2
	out=$(m3_table "$M3_NO_UBUS_PATH" "$@") || rc=$?
	[[ $rc == "$want_rc" ]] || fg_fail "exit $rc (wanted $want_rc): $(cat "$FG_TMP/dry.err")"
	[[ -z $out ]] || fg_fail "stdout: $out"
	if [[ $(wc -l <"$FG_TMP/dry.err") != 1 ]] || ! grep -qF "$want" "$FG_TMP/dry.err"; then
		fg_fail "stderr, wanted one line with '$want': $(cat "$FG_TMP/dry.err")"
	fi
}

test_mwan3_bad_input()
{
	local i
	m3_files
	printf '%s' "$M3_NETWORK_MULTI" >"$M3_NET"
	m3_bad 1 "mwan3: No such file or directory"
	# mask 0xf00: ids 1..12; the 13th enabled interface would carry
	# mwan3's blackhole mark: refused, not guarded with a reserved mark
	{
		printf "config globals 'globals'\n\toption mmx_mask '0xf00'\n"
		for i in $(seq 1 13); do
			printf "config interface 'wan%d'\n\toption enabled '%d'\n" \
				"$i" $((i == 1 || i == 13))
		done
	} >"$M3_CFG"
	m3_bad 2 "mwan3 interface 'wan13': interface id 13 reaches a reserved mark 0xd00"
	printf "config interface 'wan'\n\toption enabled '1'\nconfig bogus\n\toption x\n" >"$M3_CFG"
	m3_bad 2 "line 4"
	# nothing to guard: every interface disabled or without a device
	printf "config interface 'lte'\n\toption enabled '1'\n" >"$M3_CFG"
	m3_bad 2 "no uplinks configured (mwan3 has no enabled interface with a known device; --dry-run says why)"
}

# ------------------------------------------------- the service re-reads it

# The drill's router as mwan3 and netifd would describe it: wan1 and wan2
# on their devices; wan3 (a dummy device) comes later.
m3_drill_files()
{
	m3_files
	printf "config globals 'globals'\n\toption mmx_mask '%s'\n" "$DRILL_MASK" >"$M3_CFG"
	printf "config interface 'wan1'\n\toption enabled '1'\n" >>"$M3_CFG"
	printf "config interface 'wan2'\n\toption enabled '1'\n" >>"$M3_CFG"
	printf "config interface 'wan1'\n\toption device '%s'\n" "$DRILL_WAN1_DEV" >"$M3_NET"
	printf "config interface 'wan2'\n\toption device '%s'\n" "$DRILL_WAN2_DEV" >>"$M3_NET"
	printf "config interface 'wan3'\n\toption device 'wan3'\n" >>"$M3_NET"
}

# m3_uplink_line NAME: its line in status ("" when none).
m3_uplink_line() { guard_status 2>/dev/null | grep "^uplink $1: " || true; }

m3_has_uplink() { [[ $(m3_uplink_line "$1") == "$2" ]]; }
m3_lacks_uplink() { [[ -z $(m3_uplink_line "$1") ]]; }

test_mwan3_service_reload()
{
	local t
	drill_setup --no-server
	m3_drill_files
	PATH=$M3_NO_UBUS_PATH:$PATH guard_run --mwan3 --mwan3-config "$M3_CFG" \
		--mwan3-mask-file "$M3_MASK" --network-config "$M3_NET" \
		--mwan3-track-dir "$FG_TMP/track"
	[[ $(m3_uplink_line wan1) == "uplink wan1: device wan1 mark 0x100 up, policy reset" ]] ||
		fg_fail "wan1: $(guard_status)"
	[[ $(m3_uplink_line wan2) == "uplink wan2: device wan2 mark 0x200 up, policy reset" ]] ||
		fg_fail "wan2: $(guard_status)"
	[[ $(guard_pinned_marks wan1) == 0x100 && $(guard_pinned_marks wan2) == 0x200 ]] ||
		fg_fail "pinned: wan1 $(guard_pinned_marks wan1), wan2 $(guard_pinned_marks wan2)"

	# mwan3 gets a third interface; its device exists; mwan3track says
	# it is offline. The first hook naming it makes the service read
	# mwan3 again: the hook then finds it in the table.
	printf "config interface 'wan3'\n\toption enabled '1'\n" >>"$M3_CFG"
	drill_exec router ip link add wan3 type veth peer name wan3p
	drill_exec router ip link set wan3 up
	mkdir -p "$FG_TMP/track/wan3"
	echo offline >"$FG_TMP/track/wan3/STATUS"
	t=$(drill_exec router "$FG_BIN" disconnected wan3 --socket "$GUARD_SOCK" \
		--mwan3-config "$M3_CFG" --mwan3-mask-file "$M3_MASK") ||
		fg_fail "disconnected wan3: $t"
	[[ $t == *"mark 0x300/0x3f00 (service table)"* ]] ||
		fg_fail "the hook did not find wan3 in the service's table: $t"
	m3_has_uplink wan3 "uplink wan3: device wan3 mark 0x300 down, policy reset" ||
		fg_fail "wan3 after the hook: $(guard_status)"
	grep -q "uplink table re-read from mwan3 (a hook named wan3): 3 uplinks on 3 devices; +wan3" "$GUARD_LOG" ||
		fg_fail "no re-read line: $(grep -v libbpf: "$GUARD_LOG")"
	[[ $(guard_pinned_marks wan3) == "" ]] ||
		fg_fail "wan3 is down: its entry allows '$(guard_pinned_marks wan3)'"
	[[ $(drill_exec router tc filter show dev wan3 egress | grep -c "handle 0xf16 ") == 1 ]] ||
		fg_fail "wan3 has no filter of ours"

	# wan2 is disabled in mwan3; SIGHUP: its uplink, filter and entry
	# go; wan1 and wan3 keep their state (wan3 stays down)
	sed -i "/config interface 'wan2'/{n;s/'1'/'0'/}" "$M3_CFG"
	kill -HUP "$GUARD_PID"
	fg_wait_for 2000 m3_lacks_uplink wan2 || fg_fail "wan2 still there: $(guard_status)"
	m3_has_uplink wan3 "uplink wan3: device wan3 mark 0x300 down, policy reset" ||
		fg_fail "wan3 after SIGHUP: $(guard_status)"
	m3_has_uplink wan1 "uplink wan1: device wan1 mark 0x100 up, policy reset" ||
		fg_fail "wan1 after SIGHUP: $(guard_status)"
	[[ $(guard_pinned_marks wan2) == none ]] ||
		fg_fail "wan2's entry stayed: $(guard_pinned_marks wan2)"
	[[ $(drill_exec router tc filter show dev wan2 egress | grep -c "handle 0xf16 ") == 0 ]] ||
		fg_fail "wan2 kept our filter"
	[[ $(guard_pinned_marks wan1) == 0x100 ]] || fg_fail "wan1: $(guard_pinned_marks wan1)"
	grep -q "(SIGHUP): 2 uplinks on 2 devices; -wan2" "$GUARD_LOG" ||
		fg_fail "no SIGHUP line: $(grep -v libbpf: "$GUARD_LOG")"

	# a config that no longer parses: the table stays, one warning
	echo "config interface 'broken" >>"$M3_CFG"
	kill -HUP "$GUARD_PID"
	fg_wait_for 2000 grep -q "re-reading mwan3: .*the uplink table stays as it was" "$GUARD_LOG" ||
		fg_fail "no warning for a broken config"
	m3_has_uplink wan1 "uplink wan1: device wan1 mark 0x100 up, policy reset" ||
		fg_fail "wan1 after a broken reload: $(guard_status)"
	guard_stop
}
