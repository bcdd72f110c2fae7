# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034
#
# tests/lib-guard.sh - the flowguard service on the drill's router, for the
# test files that need it (source it after tests/lib.sh; it defines no
# test_* function and creates nothing when sourced).
#   guard_run [run options]     the service with exactly these options
#   guard_start [run options]   the service, uplinks wan1 (0x100 on wan1)
#                               and wan2 (0x200 on wan2); GUARD_SOCK (set it
#                               before to choose the socket), GUARD_LOG,
#                               GUARD_PID
#   guard_stop                  SIGTERM; the service must exit 0
#   guard_status                `flowguard status` on GUARD_SOCK
#   guard_ifindex DEV           DEV's ifindex in the router namespace
#                               (DEV may be an ifindex; so in the next two)
#   guard_pinned_marks DEV      the marks the pinned uplink table allows on
#                               DEV now ("0x100 0x300"; "" when none; "none"
#                               when DEV has no entry), from FG_PIN_DIR
#   guard_pinned_flags DEV      its flags but GUARDED (FG_UPLINK_ENFORCE = 1)
#   collateral_plant, collateral_counts   entries no guard may touch

FG_CTFILL=$FG_BUILD/tests/tools/fg_ctfill

# guard_run [run options]: the service on the router with exactly the
# options given (pin dir and socket added). Waits for its "guarding" line
# (a new one: the log may hold an earlier instance's), GUARD_START_MS
# (default 5000; emulated VMs need more).
guard_run()
{
	local from
	fg_pin_dir >/dev/null
	GUARD_SOCK=${GUARD_SOCK:-$FG_TMP/fg.sock}
	GUARD_LOG=$FG_TMP/flowguard.log
	from=$(drill_log_mark "$GUARD_LOG")
	drill_bg router "$FG_BIN" run --pin-dir "$FG_PIN_DIR" \
		--socket "$GUARD_SOCK" "$@" >>"$GUARD_LOG" 2>&1
	GUARD_PID=$FG_LAST_PID
	fg_on_failure "grep -v libbpf: '$GUARD_LOG'"
	drill_wait_log "$GUARD_LOG" "guarding " "${GUARD_START_MS:-5000}" "$from" >/dev/null
}

# guard_start [run options]: guard_run with the drill's uplinks wan1
# (0x100 on wan1) and wan2 (0x200 on wan2).
guard_start()
{
	guard_run -u "wan1:$DRILL_WAN1_DEV:$DRILL_MARK1" \
		-u "wan2:$DRILL_WAN2_DEV:$DRILL_MARK2" "$@"
}

# guard_stop: SIGTERM, and the service must exit 0.
guard_stop()
{
	local rc=0
	kill -TERM "$GUARD_PID"
	wait "$GUARD_PID" || rc=$?
	[[ $rc == 0 ]] || fg_fail "flowguard exited $rc on SIGTERM"
}

guard_status() { drill_exec router "$FG_BIN" status --socket "$GUARD_SOCK"; }

# guard_status_num KEY: the number after the word KEY in the status.
guard_status_num()
{
	guard_status | tr ',;:' '   ' | awk -v k="$1" '
		{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# guard_ifindex DEV: from netlink (drill_exec's /sys/class/net is the host's).
# A number stands for itself: a device that may have no name any more.
guard_ifindex()
{
	local l
	[[ $1 =~ ^[0-9]+$ ]] && { echo "$1"; return 0; }
	l=$(ip -n "$DRILL_NS_ROUTER" -o link show dev "$1") || return 1
	echo "${l%%:*}"
}

# guard_pinned_bytes DEV: the bytes of DEV's entry in the pinned
# fg_uplinks map (struct fg_uplink), space-separated, from bpftool's raw
# value, so it needs neither jq nor BTF; "none" without an entry (an
# array slot without FG_UPLINK_GUARDED is none). The drill's ifindexes
# are small: fg_uplinks_hi is not looked at.
guard_pinned_bytes()
{
	local idx out v b=()
	idx=$(guard_ifindex "$1") || return 1
	if ! out=$(bpftool -j map lookup pinned "$FG_PIN_DIR/fg_uplinks" key \
		$((idx & 255)) $((idx >> 8 & 255)) $((idx >> 16 & 255)) \
		$((idx >> 24 & 255)) 2>/dev/null) || [[ $out != *'"value":['* ]]; then
		echo none
		return 0
	fi
	v=${out#*\"value\":[}
	v=${v%%]*}
	v=${v//\"/}
	read -ra b <<<"${v//,/ }"
	if ((${#b[@]} != 40 || !(b[39] & 2))); then
		echo none
		return 0
	fi
	echo "${v//,/ }"
}

# guard_pinned_marks DEV: the marks DEV's entry allows now ("0x100
# 0x300"; "" when none; "none" without an entry). struct fg_uplink:
# __u32 allowed[8], __u32 nr_allowed, ...; little-endian host assumed.
guard_pinned_marks()
{
	local b=() i nr res=() v
	v=$(guard_pinned_bytes "$1") || return 1
	[[ $v != none ]] || { echo none; return 0; }
	read -ra b <<<"$v"
	((${#b[@]} == 40)) || { echo "guard_pinned_marks: bad value: $v" >&2; return 1; }
	nr=$((b[32] | b[33] << 8 | b[34] << 16 | b[35] << 24))
	for ((i = 0; i < nr && i < 8; i++)); do
		res+=("$(printf '0x%x' $((b[4 * i] | b[4 * i + 1] << 8 |
			b[4 * i + 2] << 16 | b[4 * i + 3] << 24)))")
	done
	echo "${res[*]}"
}

# guard_pinned_flags DEV: the flags byte of DEV's entry without
# FG_UPLINK_GUARDED (so 1 = FG_UPLINK_ENFORCE, 0 = none).
guard_pinned_flags()
{
	local b=() v
	v=$(guard_pinned_bytes "$1") || return 1
	[[ $v != none ]] || { echo none; return 0; }
	read -ra b <<<"$v"
	((${#b[@]} == 40)) || { echo "guard_pinned_flags: bad value: $v" >&2; return 1; }
	echo $((b[39] & ~2))
}

# Entries no guard may touch: planted, never seen leaving an uplink,
# whatever their mark (the dead uplink's included: deleting those is the
# flush's job).
collateral_plant()
{
	local m base=0
	for m in $DRILL_MARK1 $DRILL_MARK2 0 $DRILL_MARK_DEFAULT \
		$DRILL_MARK_UNREACHABLE $DRILL_MARK_BLACKHOLE; do
		drill_exec router "$FG_CTFILL" add "$m" 300 4 "$base"
		drill_exec router "$FG_CTFILL" add "$m" 200 6 "$base"
		base=$((base + 1000))
	done
}

# collateral_counts: one line of per-mark counts of the planted entries.
collateral_counts()
{
	local m out=""
	for m in $DRILL_MARK1 $DRILL_MARK2 0 $DRILL_MARK_DEFAULT \
		$DRILL_MARK_UNREACHABLE $DRILL_MARK_BLACKHOLE; do
		out+="$m=$(drill_exec router "$FG_CTFILL" count "$m") "
	done
	echo "$out"
}
