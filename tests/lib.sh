# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034
#
# tests/lib.sh - the namespace harness every real-kernel test builds on.
# Sourced by tests/test-*.sh (through tests/run.sh) and by scripts/demo.sh.
#
# Part 1, fg_*: per-run state folder, background processes, namespaces and
# bpffs pin folders, all torn down by fg_cleanup (trap on EXIT INT TERM,
# safe to call twice). Nothing is created when this file is sourced.
#   fg_init  fg_tmpdir  fg_cleanup [RC]  fg_defer CMD  fg_on_failure CMD
#   fg_bg CMD...  fg_kill PID  fg_netns_add SHORT  fg_netns_name SHORT
#   fg_pin_dir [NAME]  fg_bpffs  fg_private_mounts "$0" "$@"
#   fg_wait_for MS CMD...  fg_now_ms  fg_slow MS [CAP]  fg_log  fg_fail
#   fg_skip  fg_require
#   FG_ROOT FG_BUILD FG_ECHO FG_BIN FG_ID FG_TMP FG_LAST_PID FG_PIN_DIR
#   FG_SLOW (every wait's deadline is multiplied by it)
#
# Part 2, drill_*: the drill of DESIGN.md. Five namespaces:
#
#   client --lan-- router --wan1-- isp1 --+
#                         \               +-- remote (fg_echo server)
#                          `--wan2-- isp2 --+
#
# The router marks new flows the mwan3 way (nft table inet fgdrill: restore
# ct mark & 0x3f00 into the packet mark, classify while (mark & 0x3f00) == 0,
# save back into the ct mark), routes marks with ip rules to tables 1 and 2,
# and NATs on each uplink (masquerade, or static SNAT with --nat snat).
# IPv6 either the same way (NAT66, --v6 nat, the default), or routed
# without NAT (--v6 routed): each ISP delegates its own prefix to the LAN
# (DRILL_PFX{1,2}_NET6), every client has an address from each, and each
# ISP drops sources that are not its own (BCP38).
#   drill_setup [--nat masquerade|snat] [--v6 nat|routed] [--silent]
#               [--no-server] [--dnat]
#   drill_exec NS CMD...  drill_bg NS CMD...   (NS: client router isp1 isp2
#                                               remote, or a full name)
#   drill_policy MARK  drill_policy_client ADDR MARK|none
#   drill_isp_die N  drill_isp_revive [N]  drill_misroute N
#   drill_misroute_undo N
#   drill_client_start NAME SRC[,SRC...] [--ns NS] [--dst ADDR]
#                      [--port PORT] [fg_echo client opts]
#   drill_client_log NAME  drill_client_stop NAME  drill_client_pid NAME
#   drill_client_summary NAME [MS]  drill_summary_field LINE KEY
#   drill_port_forward [N]   (uplink N's DRILL_FWD_PORT -> LAN server)
#   drill_nstat NS COUNTER  drill_sock_destroy_probe [NS]
#   drill_wait_log FILE PATTERN [MS [FROM]]  drill_wait_echo NAME VIA [N ..]
#   drill_wait_echoes NAME VIA [COUNT ..]  drill_log_mark FILE
#   drill_log_grep FILE PATTERN [FROM]  drill_log_count FILE PATTERN [FROM]
#   drill_ct_count [conntrack args]  drill_ct_list  drill_ct_delete_mark MARK
#   drill_counter NAME [NS]  drill_dump
# Addresses, devices and marks: the DRILL_* variables below.

# ---------------------------------------------------------------- basics

FG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FG_BUILD=${BUILD:-build}
[[ $FG_BUILD == /* ]] || FG_BUILD=$FG_ROOT/$FG_BUILD
FG_ECHO=$FG_BUILD/tests/tools/fg_echo
FG_BIN=$FG_BUILD/flowguard
FG_SKIP_RC=77
# strace options for a traced flowguard: LeakSanitizer (a `make test
# SANITIZE=1` build) cannot run under ptrace and fails the process at exit.
FG_STRACE_ENV=(-E "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")

FG_TMP=${FG_TMP:-}
FG_ID=${FG_ID:-}
FG_CLEANED=
FG_OWNER=
FG_LAST_PID=
FG_DEFERRED=()
FG_ON_FAILURE=()

# FG_SLOW: how many times slower than an idle machine this run may be (a
# positive integer, default 1; docs/testing-timing.md). A sanitizer build
# starts each command in ~200 ms instead of ~35, so it defaults to 4 there.
# Every wait's deadline below is multiplied by it; a test's bound that
# proves something (a RST before any retransmission could draw one) is
# scaled with fg_slow and capped where the proof needs it.
if [[ -z ${FG_SLOW:-} ]]; then
	FG_SLOW=1
	# (its symbol: clang links the ASan runtime statically, gcc does not)
	LC_ALL=C grep -qaF __asan_init "$FG_BIN" 2>/dev/null && FG_SLOW=4
fi
if ! [[ $FG_SLOW =~ ^[1-9][0-9]{0,2}$ ]]; then
	echo "FG_SLOW must be a whole number from 1 to 999, not '$FG_SLOW'" >&2
	exit 2
fi
export FG_SLOW

# fg_slow MS [CAP]: MS times FG_SLOW, at most CAP (when given).
fg_slow()
{
	local ms=$(($1 * FG_SLOW)) cap=${2:-0}
	((cap <= 0 || ms <= cap)) || ms=$cap
	echo "$ms"
}

fg_log() { printf '# %s\n' "$*"; }
fg_fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
fg_skip() { printf 'SKIP: %s\n' "$*"; exit "$FG_SKIP_RC"; }
fg_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# fg_require CMD...: skip the test when a command is missing.
fg_require()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || fg_skip "needs $c"
	done
	[[ $(id -u) == 0 ]] || fg_skip "needs root"
}

# fg_init: unique id (FG_ID), state folder (FG_TMP), cleanup trap. Called by
# every fg_ and drill_ function that creates something, and by the runner
# before a test starts. State lives in files under FG_TMP, so what a
# subshell creates is cleaned up too (fg_defer in a subshell is not).
fg_init()
{
	[[ -n $FG_TMP && -d $FG_TMP ]] && return 0
	if [[ $BASHPID != "$$" ]]; then
		echo "fg_init: call fg_init (or drill_setup) before using fg_ or drill_ functions in a subshell or \$(...)" >&2
		return 1
	fi
	[[ -n $FG_ID ]] || FG_ID=$$$(printf '%04x' $((RANDOM)))
	FG_TMP=$(mktemp -d "/tmp/fg-$FG_ID.XXXXXX")
	FG_OWNER=$BASHPID
	FG_CLEANED=
	: >"$FG_TMP/pids"
	: >"$FG_TMP/netns"
	: >"$FG_TMP/pins"
	trap 'fg_cleanup' EXIT
	trap 'fg_cleanup 130; trap - EXIT; exit 130' INT
	trap 'fg_cleanup 143; trap - EXIT; exit 143' TERM
}

# fg_tmpdir: the per-run state folder (created on first use).
fg_tmpdir() { fg_init && echo "$FG_TMP"; }

# fg_defer CMD: run the shell command CMD at cleanup (last deferred first),
# before background processes are killed.
fg_defer() { fg_init; FG_DEFERRED+=("$*"); }

# fg_on_failure CMD: run CMD at cleanup when the run is failing (exit status
# neither 0 nor 77); used to dump state into the log.
fg_on_failure() { FG_ON_FAILURE+=("$*"); }

_fg_starttime()
{
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo "${20}"
}

# fg_bg CMD...: start CMD in the background, record its pid (FG_LAST_PID).
# Redirect as usual: fg_bg prog args >"$FG_TMP/prog.log" 2>&1
# CMD should be a program (exec'd, so the pid is its own), not a function.
fg_bg()
{
	fg_init
	local st
	"$@" &
	FG_LAST_PID=$!
	st=$(_fg_starttime "$FG_LAST_PID") || st=gone
	echo "$FG_LAST_PID $st" >>"$FG_TMP/pids"
}

# _fg_kill_pids "PID START"...: TERM, wait up to 1 s, KILL; only processes
# whose start time still matches (no pid reuse accidents).
_fg_kill_pids()
{
	local entry pid start alive=() i st
	for entry in "$@"; do
		read -r pid start <<<"$entry"
		[[ -n $pid && $start != gone ]] || continue
		st=$(_fg_starttime "$pid") || continue
		[[ -z $start || $st == "$start" ]] || continue
		if kill -TERM "$pid" 2>/dev/null; then
			alive+=("$pid")
		fi
	done
	for ((i = 0; i < 20 && ${#alive[@]}; i++)); do
		local still=()
		for pid in "${alive[@]}"; do
			st=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
			st=${st##*) }
			[[ ${st:0:1} == Z ]] || still+=("$pid")
		done
		alive=("${still[@]}")
		((${#alive[@]})) && sleep 0.05
	done
	for pid in "${alive[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for entry in "$@"; do
		wait "${entry%% *}" 2>/dev/null || true
	done
	return 0
}

# fg_kill PID: stop one process started with fg_bg.
fg_kill()
{
	local entry
	entry=$(grep -m1 "^$1 " "$FG_TMP/pids" 2>/dev/null) || entry=$1
	_fg_kill_pids "$entry"
}

# fg_netns_name SHORT: the full (unique) name of our namespace SHORT.
fg_netns_name() { echo "fg-$FG_ID-$1"; }

# fg_netns_add SHORT: create namespace fg-ID-SHORT with lo up.
fg_netns_add()
{
	fg_init
	local ns
	ns=$(fg_netns_name "$1")
	ip netns add "$ns" || return 1
	echo "$ns" >>"$FG_TMP/netns"
	ip -n "$ns" link set lo up
}

# fg_netns_del NAME: kill what still runs inside, delete it.
fg_netns_del()
{
	local pids=() p
	[[ -e /run/netns/$1 ]] || return 0
	for p in $(ip netns pids "$1" 2>/dev/null); do
		pids+=("$p")
	done
	if ((${#pids[@]})); then
		_fg_kill_pids "${pids[@]}"
	fi
	ip netns del "$1" 2>/dev/null || rm -f "/run/netns/$1"
}

# fg_private_mounts "$0" "$@": at the top of a standalone script, re-run it
# in its own mount namespace (FG_MNTNS=1), where fg_bpffs may mount a bpffs
# without touching the host. /run/netns stays shared (propagation
# unchanged), so the host still sees and can enter our namespaces. The
# runner already does this.
fg_private_mounts()
{
	[[ ${FG_MNTNS:-} == 1 ]] && return 0
	exec unshare --mount --propagation unchanged env FG_MNTNS=1 bash "$@"
}

# fg_bpffs: make sure /sys/fs/bpf is a bpffs: the host's when it has one;
# else, in our own mount namespace only, /sys becomes a slave (nothing
# propagates back) and gets a fresh bpffs. Never mounts on the host's.
fg_bpffs()
{
	[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] && return 0
	if [[ ${FG_MNTNS:-} != 1 ]]; then
		echo "fg_bpffs: /sys/fs/bpf is no bpffs; run under tests/run.sh or fg_private_mounts" >&2
		return 1
	fi
	mount --make-rslave /sys && mount -t bpf bpf /sys/fs/bpf
}

# fg_pin_dir [NAME]: a fresh pin folder /sys/fs/bpf/fg-ID[-NAME] (set in
# FG_PIN_DIR and printed), removed at cleanup. bpffs is shared by all network
# namespaces: never pin elsewhere in a test.
fg_pin_dir()
{
	fg_init
	fg_bpffs || return 1
	FG_PIN_DIR=/sys/fs/bpf/fg-$FG_ID${1:+-$1}
	mkdir -p "$FG_PIN_DIR" || return 1
	grep -qxF "$FG_PIN_DIR" "$FG_TMP/pins" || echo "$FG_PIN_DIR" >>"$FG_TMP/pins"
	echo "$FG_PIN_DIR"
}

# fg_cleanup [RC]: deferred commands, background processes, namespaces (and
# what still runs in them), pin folders, the state folder. Idempotent; does
# nothing in a subshell of the shell that ran fg_init. RC (default $?)
# decides whether the fg_on_failure dumps run.
fg_cleanup()
{
	local rc=${1:-$?} i f errtrap
	local -
	set +e
	[[ -n $FG_CLEANED || -z $FG_TMP || $BASHPID != "$FG_OWNER" ]] && return 0
	FG_CLEANED=1
	# failures while tearing down are expected: no ERR reports from here
	errtrap=$(trap -p ERR)
	trap - ERR
	if [[ $rc != 0 && $rc != "$FG_SKIP_RC" ]]; then
		for f in "${FG_ON_FAILURE[@]}"; do
			eval "$f"
		done
	fi
	for ((i = ${#FG_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${FG_DEFERRED[i]}"
	done
	FG_DEFERRED=()
	if [[ -s $FG_TMP/pids ]]; then
		local entries=()
		mapfile -t entries <"$FG_TMP/pids"
		_fg_kill_pids "${entries[@]}"
	fi
	while read -r f; do
		[[ -n $f ]] && fg_netns_del "$f"
	done <"$FG_TMP/netns"
	while read -r f; do
		[[ $f == /sys/fs/bpf/fg-* ]] && rm -rf "$f"
	done <"$FG_TMP/pins"
	if [[ -n ${FG_KEEP:-} ]]; then
		echo "# FG_KEEP: state left in $FG_TMP" >&2
	else
		rm -rf "$FG_TMP"
	fi
	FG_TMP=
	[[ -n $errtrap ]] && eval "$errtrap"
	return 0
}

# fg_wait_for TIMEOUT_MS CMD...: poll CMD (every 20 ms) until it succeeds
# (TIMEOUT_MS times FG_SLOW).
fg_wait_for()
{
	local ms=$(($1 * FG_SLOW)) end
	end=$(($(fg_now_ms) + ms))
	shift
	until "$@"; do
		if (($(fg_now_ms) >= end)); then
			echo "FAIL: timeout ($ms ms) waiting for: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# ---------------------------------------------------------------- drill

DRILL_MASK=0x3f00
DRILL_MARK1=0x100
DRILL_MARK2=0x200
DRILL_MARK_DEFAULT=0x3f00
DRILL_MARK_UNREACHABLE=0x3e00
DRILL_MARK_BLACKHOLE=0x3d00
DRILL_TABLE1=1
DRILL_TABLE2=2
DRILL_PORT=7777

# Devices (each in the namespace named)
DRILL_CLIENT_DEV=eth0      # client
DRILL_LAN_DEV=lan          # router
DRILL_WAN1_DEV=wan1        # router, to isp1
DRILL_WAN2_DEV=wan2        # router, to isp2
DRILL_ISP_DOWN_DEV=rtr     # isp1/isp2, to the router
DRILL_ISP_UP_DEV=rem       # isp1/isp2, to the remote
DRILL_REMOTE_DEV1=isp1     # remote, to isp1
DRILL_REMOTE_DEV2=isp2     # remote, to isp2

# LAN 10.0.0.0/24, 2001:db8:10::/64
DRILL_LAN_NET4=10.0.0.0/24
DRILL_LAN_NET6=2001:db8:10::/64
DRILL_LAN_IP4=10.0.0.1
DRILL_LAN_IP6=2001:db8:10::1
DRILL_CLIENT_A_IP4=10.0.0.2       # follows the default policy (uplink 1)
DRILL_CLIENT_A_IP6=2001:db8:10::2
DRILL_CLIENT_B_IP4=10.0.0.3       # pinned to uplink 2 (per-client map)
DRILL_CLIENT_B_IP6=2001:db8:10::3
# uplink 1: 192.0.2.0/26, 2001:db8:1::/64 (router .2, isp1 .1)
DRILL_WAN1_NET4=192.0.2.0/26
DRILL_WAN1_NET6=2001:db8:1::/64
DRILL_WAN1_IP4=192.0.2.2
DRILL_WAN1_IP6=2001:db8:1::2
DRILL_WAN1_GW4=192.0.2.1
DRILL_WAN1_GW6=2001:db8:1::1
# uplink 2: 198.51.100.0/26, 2001:db8:2::/64 (router .2, isp2 .1)
DRILL_WAN2_NET4=198.51.100.0/26
DRILL_WAN2_NET6=2001:db8:2::/64
DRILL_WAN2_IP4=198.51.100.2
DRILL_WAN2_IP6=2001:db8:2::2
DRILL_WAN2_GW4=198.51.100.1
DRILL_WAN2_GW6=2001:db8:2::1
# isp1 -- remote: 203.0.113.0/28, 2001:db8:31::/64 (isp .1, remote .2)
DRILL_ISP1_REMOTE_IP4=203.0.113.1
DRILL_ISP1_REMOTE_IP6=2001:db8:31::1
DRILL_REMOTE_VIA1_IP4=203.0.113.2
DRILL_REMOTE_VIA1_IP6=2001:db8:31::2
# isp2 -- remote: 203.0.113.16/28, 2001:db8:32::/64 (isp .17/::1, remote .18/::2)
DRILL_ISP2_REMOTE_IP4=203.0.113.17
DRILL_ISP2_REMOTE_IP6=2001:db8:32::1
DRILL_REMOTE_VIA2_IP4=203.0.113.18
DRILL_REMOTE_VIA2_IP6=2001:db8:32::2
# the service address, on the remote's lo, reachable through both ISPs
DRILL_REMOTE_IP4=203.0.113.100
DRILL_REMOTE_IP6=2001:db8:100::100

# --v6 routed: ISP N delegates DRILL_PFXN_NET6 to the LAN (router ::1,
# client A ::2, client B ::3 in each). drill_setup then points
# DRILL_LAN_IP6 and DRILL_CLIENT_A_IP6 at prefix 1 (A follows the default
# policy, uplink 1) and DRILL_CLIENT_B_IP6 at prefix 2 (B is pinned to
# uplink 2); the remote sees these addresses themselves (no NAT66).
DRILL_PFX1_NET6=2001:db8:11::/64
DRILL_PFX2_NET6=2001:db8:12::/64
DRILL_LAN_PFX1_IP6=2001:db8:11::1
DRILL_LAN_PFX2_IP6=2001:db8:12::1
DRILL_CLIENT_A_PFX1_IP6=2001:db8:11::2
DRILL_CLIENT_A_PFX2_IP6=2001:db8:12::2
DRILL_CLIENT_B_PFX1_IP6=2001:db8:11::3
DRILL_CLIENT_B_PFX2_IP6=2001:db8:12::3
_DRILL_NAT66_LAN_IP6=$DRILL_LAN_IP6
_DRILL_NAT66_CLIENT_A_IP6=$DRILL_CLIENT_A_IP6
_DRILL_NAT66_CLIENT_B_IP6=$DRILL_CLIENT_B_IP6

# drill_port_forward: uplink N's address, port DRILL_FWD_PORT -> the LAN
# server (an fg_echo server on client A, DRILL_FWD_LAN_PORT, log
# DRILL_LAN_SERVER_LOG)
DRILL_FWD_PORT=8080
DRILL_FWD_LAN_PORT=7778

DRILL_NS_CLIENT='' DRILL_NS_ROUTER='' DRILL_NS_ISP1='' DRILL_NS_ISP2='' DRILL_NS_REMOTE=''
DRILL_NAT=
DRILL_V6=nat
DRILL_LAN_NETS6=()
DRILL_SILENT=
DRILL_SERVER_LOG=
DRILL_SERVER_PID=
DRILL_LAN_SERVER_LOG=
DRILL_LAN_SERVER_PID=
declare -gA DRILL_CLIENT_PID=()

_drill_ns()
{
	case $1 in
	client) echo "$DRILL_NS_CLIENT" ;;
	router) echo "$DRILL_NS_ROUTER" ;;
	isp1) echo "$DRILL_NS_ISP1" ;;
	isp2) echo "$DRILL_NS_ISP2" ;;
	remote) echo "$DRILL_NS_REMOTE" ;;
	*) echo "$1" ;;
	esac
}

# drill_exec NS CMD...: run CMD in namespace NS (client, router, isp1, isp2,
# remote, or a full name). nsenter --net only: unlike `ip netns exec`, the
# mount namespace is kept, so /sys/fs/bpf (pins) is the same as the test's;
# /sys/class/net however shows the caller's devices (use netlink/ioctl).
drill_exec()
{
	local ns
	ns=$(_drill_ns "$1")
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# drill_bg NS CMD...: fg_bg in a namespace (the recorded pid is CMD's own).
drill_bg()
{
	local ns
	ns=$(_drill_ns "$1")
	shift
	fg_bg nsenter --net="/run/netns/$ns" -- "$@"
}

_drill_sysctl()
{
	local ns=$1
	shift
	drill_exec "$ns" sysctl -qw "$@" >/dev/null
}

_drill_ns_base()
{
	local ns=$1 fwd=$2
	fg_netns_add "$ns" || return 1
	_drill_sysctl "$ns" net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.ip_forward="$fwd" net.ipv6.conf.all.forwarding="$fwd"
}

# _drill_link NS1 DEV1 NS2 DEV2: a veth pair, both ends up.
_drill_link()
{
	local a b
	a=$(_drill_ns "$1")
	b=$(_drill_ns "$3")
	ip -n "$a" link add "$2" type veth peer name "$4" netns "$b" &&
		ip -n "$a" link set "$2" up && ip -n "$b" link set "$4" up
}

_drill_addr()
{
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$(_drill_ns "$ns")" addr add "$a" dev "$dev" nodad
		else
			ip -n "$(_drill_ns "$ns")" addr add "$a" dev "$dev"
		fi || return 1
	done
}

_drill_ip()
{
	local ns=$1
	shift
	ip -n "$(_drill_ns "$ns")" "$@"
}

_drill_topology()
{
	local n
	_drill_ns_base client 0 && _drill_ns_base router 1 &&
		_drill_ns_base isp1 1 && _drill_ns_base isp2 1 &&
		_drill_ns_base remote 0 || return 1
	_drill_link client $DRILL_CLIENT_DEV router $DRILL_LAN_DEV &&
		_drill_link router $DRILL_WAN1_DEV isp1 $DRILL_ISP_DOWN_DEV &&
		_drill_link router $DRILL_WAN2_DEV isp2 $DRILL_ISP_DOWN_DEV &&
		_drill_link isp1 $DRILL_ISP_UP_DEV remote $DRILL_REMOTE_DEV1 &&
		_drill_link isp2 $DRILL_ISP_UP_DEV remote $DRILL_REMOTE_DEV2 ||
		return 1

	local c6=("$DRILL_CLIENT_A_IP6/64" "$DRILL_CLIENT_B_IP6/64")
	local r6=("$DRILL_LAN_IP6/64")
	if [[ $DRILL_V6 == routed ]]; then
		c6=("$DRILL_CLIENT_A_PFX1_IP6/64" "$DRILL_CLIENT_B_PFX1_IP6/64"
			"$DRILL_CLIENT_A_PFX2_IP6/64" "$DRILL_CLIENT_B_PFX2_IP6/64")
		r6=("$DRILL_LAN_PFX1_IP6/64" "$DRILL_LAN_PFX2_IP6/64")
	fi
	_drill_addr client $DRILL_CLIENT_DEV $DRILL_CLIENT_A_IP4/24 \
		$DRILL_CLIENT_B_IP4/24 "${c6[@]}" &&
		_drill_ip client route add default via $DRILL_LAN_IP4 &&
		_drill_ip client -6 route add default via $DRILL_LAN_IP6 &&
		_drill_addr router $DRILL_LAN_DEV $DRILL_LAN_IP4/24 "${r6[@]}" &&
		_drill_addr router $DRILL_WAN1_DEV $DRILL_WAN1_IP4/26 \
			$DRILL_WAN1_IP6/64 &&
		_drill_addr router $DRILL_WAN2_DEV $DRILL_WAN2_IP4/26 \
			$DRILL_WAN2_IP6/64 || return 1

	for n in 1 2; do
		local gw4 gw6 net4 net6 risp4 risp6 rrem4 rrem6
		eval "gw4=\$DRILL_WAN${n}_GW4 gw6=\$DRILL_WAN${n}_GW6"
		eval "net4=\$DRILL_WAN${n}_NET4 net6=\$DRILL_WAN${n}_NET6"
		eval "risp4=\$DRILL_ISP${n}_REMOTE_IP4 risp6=\$DRILL_ISP${n}_REMOTE_IP6"
		eval "rrem4=\$DRILL_REMOTE_VIA${n}_IP4 rrem6=\$DRILL_REMOTE_VIA${n}_IP6"
		_drill_addr isp$n $DRILL_ISP_DOWN_DEV "$gw4/26" "$gw6/64" &&
			_drill_addr isp$n $DRILL_ISP_UP_DEV "$risp4/28" "$risp6/64" &&
			_drill_ip isp$n route add $DRILL_REMOTE_IP4 via "$rrem4" &&
			_drill_ip isp$n -6 route add $DRILL_REMOTE_IP6 via "$rrem6" &&
			_drill_addr remote "isp$n" "$rrem4/28" "$rrem6/64" &&
			_drill_ip remote route add "$net4" via "$risp4" &&
			_drill_ip remote -6 route add "$net6" via "$risp6" ||
			return 1
		[[ $DRILL_V6 == routed ]] || continue
		# the prefix ISP n delegated: routed to the router's wan n
		local pfx wan6
		eval "pfx=\$DRILL_PFX${n}_NET6 wan6=\$DRILL_WAN${n}_IP6"
		_drill_ip isp$n -6 route add "$pfx" via "$wan6" &&
			_drill_ip remote -6 route add "$pfx" via "$risp6" ||
			return 1
	done
	_drill_addr remote lo $DRILL_REMOTE_IP4/32 $DRILL_REMOTE_IP6/128
}

# mwan3-style routing: main table defaults (netifd's, by metric), tables
# 1 and 2 with copies of the connected routes plus their default, and the
# rules mwan3 installs per interface and in general.
_drill_routing()
{
	local n f dev gw net v
	for n in 1 2; do
		eval "dev=\$DRILL_WAN${n}_DEV"
		for f in 4 6; do
			eval "gw=\$DRILL_WAN${n}_GW$f"
			_drill_ip router -"$f" route add default via "$gw" dev "$dev" \
				metric $((n * 10)) || return 1
			for v in DRILL_LAN_NET$f:$DRILL_LAN_DEV \
				DRILL_WAN1_NET$f:$DRILL_WAN1_DEV \
				DRILL_WAN2_NET$f:$DRILL_WAN2_DEV; do
				eval "net=\$${v%%:*}"
				[[ $v == DRILL_LAN_NET6:* ]] && continue
				_drill_ip router -"$f" route add "$net" dev "${v#*:}" \
					table "$n" || return 1
			done
			if [[ $f == 6 ]]; then
				for net in "${DRILL_LAN_NETS6[@]}"; do
					_drill_ip router -6 route add "$net" \
						dev $DRILL_LAN_DEV table "$n" || return 1
				done
			fi
			_drill_ip router -"$f" route add default via "$gw" dev "$dev" \
				table "$n" &&
				_drill_ip router -"$f" rule add pref $((1000 + n)) \
					iif "$dev" lookup "$n" &&
				_drill_ip router -"$f" rule add pref $((2000 + n)) \
					fwmark "$(printf '0x%x' $((n << 8)))/$DRILL_MASK" \
					lookup "$n" &&
				_drill_ip router -"$f" rule add pref $((3000 + n)) \
					fwmark "$(printf '0x%x' $((n << 8)))/$DRILL_MASK" \
					unreachable || return 1
		done
	done
	for f in 4 6; do
		_drill_ip router -"$f" rule add pref 2253 \
			fwmark $DRILL_MARK_BLACKHOLE/$DRILL_MASK blackhole &&
			_drill_ip router -"$f" rule add pref 2254 \
				fwmark $DRILL_MARK_UNREACHABLE/$DRILL_MASK \
				unreachable || return 1
	done
}

_drill_router_nft()
{
	local nat1 nat2 lan6
	if [[ $DRILL_NAT == snat ]]; then
		nat1="oifname \"$DRILL_WAN1_DEV\" meta nfproto ipv4 snat ip to $DRILL_WAN1_IP4
		oifname \"$DRILL_WAN1_DEV\" meta nfproto ipv6 snat ip6 to $DRILL_WAN1_IP6"
		nat2="oifname \"$DRILL_WAN2_DEV\" meta nfproto ipv4 snat ip to $DRILL_WAN2_IP4
		oifname \"$DRILL_WAN2_DEV\" meta nfproto ipv6 snat ip6 to $DRILL_WAN2_IP6"
	else
		nat1="oifname \"$DRILL_WAN1_DEV\" masquerade"
		nat2="oifname \"$DRILL_WAN2_DEV\" masquerade"
	fi
	if [[ $DRILL_V6 == routed ]]; then
		# no NAT66: IPv4 only
		if [[ $DRILL_NAT == snat ]]; then
			nat1="oifname \"$DRILL_WAN1_DEV\" meta nfproto ipv4 snat ip to $DRILL_WAN1_IP4"
			nat2="oifname \"$DRILL_WAN2_DEV\" meta nfproto ipv4 snat ip to $DRILL_WAN2_IP4"
		else
			nat1="oifname \"$DRILL_WAN1_DEV\" meta nfproto ipv4 masquerade"
			nat2="oifname \"$DRILL_WAN2_DEV\" meta nfproto ipv4 masquerade"
		fi
	fi
	lan6=$(IFS=,; echo "${DRILL_LAN_NETS6[*]}")
	drill_exec router nft -f - <<EOF
table inet fgdrill {
	# mwan3's "connected" ipsets: these destinations get the default mark
	set local4 { type ipv4_addr; flags interval;
		elements = { $DRILL_LAN_NET4, $DRILL_WAN1_NET4, $DRILL_WAN2_NET4,
			     127.0.0.0/8, 224.0.0.0/4, 255.255.255.255 } }
	set local6 { type ipv6_addr; flags interval;
		elements = { $lan6, $DRILL_WAN1_NET6, $DRILL_WAN2_NET6,
			     ::1, fe80::/10, ff00::/8 } }
	# per-client policy: source address -> mark (drill_policy_client)
	map client4 { type ipv4_addr : mark;
		elements = { $DRILL_CLIENT_B_IP4 : $DRILL_MARK2 } }
	map client6 { type ipv6_addr : mark;
		elements = { $DRILL_CLIENT_B_IP6 : $DRILL_MARK2 } }
	counter out_wan1_mark1 { }
	counter out_wan1_mark2 { }
	counter out_wan2_mark1 { }
	counter out_wan2_mark2 { }

	chain prerouting { type filter hook prerouting priority mangle; policy accept;
		jump mwan3_hook
	}
	chain output { type route hook output priority mangle; policy accept;
		jump mwan3_hook
	}
	chain mwan3_hook {
		meta mark set ct mark and $DRILL_MASK
		meta mark and $DRILL_MASK == 0 jump classify
		ct mark set meta mark
	}
	chain classify {
		iifname "$DRILL_WAN1_DEV" meta mark set meta mark or $DRILL_MARK1 return
		iifname "$DRILL_WAN2_DEV" meta mark set meta mark or $DRILL_MARK2 return
		ip daddr @local4 meta mark set meta mark or $DRILL_MARK_DEFAULT return
		ip6 daddr @local6 meta mark set meta mark or $DRILL_MARK_DEFAULT return
		meta mark set ip saddr map @client4 return
		meta mark set ip6 saddr map @client6 return
		jump newflows
	}
	# the policy for new flows, replaced by drill_policy
	chain newflows {
		meta mark set meta mark or $DRILL_MARK1
	}
	# what leaves each uplink, by the flow's ct mark
	chain watch { type filter hook postrouting priority 50; policy accept;
		oifname "$DRILL_WAN1_DEV" ct mark and $DRILL_MASK == $DRILL_MARK1 counter name "out_wan1_mark1"
		oifname "$DRILL_WAN1_DEV" ct mark and $DRILL_MASK == $DRILL_MARK2 counter name "out_wan1_mark2"
		oifname "$DRILL_WAN2_DEV" ct mark and $DRILL_MASK == $DRILL_MARK1 counter name "out_wan2_mark1"
		oifname "$DRILL_WAN2_DEV" ct mark and $DRILL_MASK == $DRILL_MARK2 counter name "out_wan2_mark2"
	}
	chain nat_post { type nat hook postrouting priority srcnat; policy accept;
		$nat1
		$nat2
	}
}
EOF
}

_drill_isp_nft()
{
	local n=${1#isp} own6
	drill_exec "$1" nft -f - <<'EOF' || return 1
table inet fgisp {
	chain forward { type filter hook forward priority 0; policy accept; }
}
EOF
	[[ $DRILL_V6 == routed ]] || return 0
	# BCP38: from the router, only the ISP's own IPv6 sources (its link,
	# the prefix it delegated); not touched by drill_isp_die/revive
	eval "own6=\"\$DRILL_WAN${n}_NET6, \$DRILL_PFX${n}_NET6\""
	drill_exec "$1" nft -f - <<EOF
table inet fgisp {
	counter bcp38_drops { }
	chain bcp38 { type filter hook forward priority -10; policy accept;
		iifname "$DRILL_ISP_DOWN_DEV" meta nfproto ipv6 ip6 saddr != { $own6 } counter name "bcp38_drops" drop
	}
}
EOF
}

# A silent remote drops segments of flows it does not know instead of
# answering RST (counter "silent_drops"); conntrack is on only then.
_drill_remote_nft()
{
	drill_exec remote nft -f - <<'EOF'
table inet fgremote {
	counter silent_drops { }
	chain input { type filter hook input priority 0; policy accept;
		ct state invalid counter name "silent_drops" drop
		meta l4proto tcp tcp flags & (fin|syn|rst|ack) != syn ct state new counter name "silent_drops" drop
	}
}
EOF
}

# drill_setup [--nat masquerade|snat] [--v6 nat|routed] [--silent]
#             [--no-server] [--dnat]
# Builds the drill (about 0.3 s) and starts the echo server on the remote.
# Initial policy: new flows -> uplink 1 (0x100); client B's addresses are
# pinned to uplink 2 (0x200) by the per-client map. --v6: IPv6 NATed like
# IPv4 (nat, the default) or routed per uplink prefix (see DRILL_PFX*).
# --dnat: drill_port_forward 1 as well.
drill_setup()
{
	local server=1 dnat=
	DRILL_NAT=masquerade
	DRILL_V6=nat
	DRILL_SILENT=
	while (($#)); do
		case $1 in
		--nat) DRILL_NAT=$2; shift ;;
		--v6) DRILL_V6=$2; shift ;;
		--silent) DRILL_SILENT=1 ;;
		--no-server) server= ;;
		--dnat) dnat=1 ;;
		*) echo "drill_setup: unknown option $1" >&2; return 2 ;;
		esac
		shift
	done
	[[ $DRILL_NAT == masquerade || $DRILL_NAT == snat ]] ||
		{ echo "drill_setup: --nat masquerade|snat" >&2; return 2; }
	if [[ $DRILL_V6 == routed ]]; then
		DRILL_LAN_NETS6=("$DRILL_PFX1_NET6" "$DRILL_PFX2_NET6")
		DRILL_LAN_IP6=$DRILL_LAN_PFX1_IP6
		DRILL_CLIENT_A_IP6=$DRILL_CLIENT_A_PFX1_IP6
		DRILL_CLIENT_B_IP6=$DRILL_CLIENT_B_PFX2_IP6
	elif [[ $DRILL_V6 == nat ]]; then
		DRILL_LAN_NETS6=("$DRILL_LAN_NET6")
		DRILL_LAN_IP6=$_DRILL_NAT66_LAN_IP6
		DRILL_CLIENT_A_IP6=$_DRILL_NAT66_CLIENT_A_IP6
		DRILL_CLIENT_B_IP6=$_DRILL_NAT66_CLIENT_B_IP6
	else
		echo "drill_setup: --v6 nat|routed" >&2
		return 2
	fi
	fg_require ip nft conntrack nsenter
	[[ -x $FG_ECHO ]] || fg_skip "$FG_ECHO not built (make tests-build)"
	fg_init
	DRILL_NS_CLIENT=$(fg_netns_name client)
	DRILL_NS_ROUTER=$(fg_netns_name router)
	DRILL_NS_ISP1=$(fg_netns_name isp1)
	DRILL_NS_ISP2=$(fg_netns_name isp2)
	DRILL_NS_REMOTE=$(fg_netns_name remote)
	fg_on_failure drill_dump
	_drill_topology || { echo "drill_setup: topology failed" >&2; return 1; }
	_drill_routing || { echo "drill_setup: routing failed" >&2; return 1; }
	if ! { _drill_router_nft && _drill_isp_nft isp1 && _drill_isp_nft isp2; }; then
		echo "drill_setup: nft failed" >&2
		return 1
	fi
	if [[ -n $DRILL_SILENT ]]; then
		_drill_remote_nft || return 1
	fi
	if [[ -n $dnat ]]; then
		drill_port_forward 1 || return 1
	fi
	[[ -n $server ]] || return 0
	DRILL_SERVER_LOG=$FG_TMP/server.log
	drill_bg remote "$FG_ECHO" server "$DRILL_PORT" >"$DRILL_SERVER_LOG" 2>&1
	DRILL_SERVER_PID=$FG_LAST_PID
	drill_wait_log "$DRILL_SERVER_LOG" listening 3000
}

# drill_port_forward [N]: a port forward on uplink N (default 1): TCP to
# DRILL_FWD_PORT on the router's wan N address (IPv4; IPv6 too with --v6
# nat) is DNATed to client A's DRILL_FWD_LAN_PORT, where an fg_echo server
# runs (started once; log DRILL_LAN_SERVER_LOG, pid DRILL_LAN_SERVER_PID).
# With --v6 routed, A's own address is reachable as it is (no IPv6 rule).
# A remote client: drill_client_start NAME ADDR --ns remote --dst WAN_ADDR
# --port $DRILL_FWD_PORT.
drill_port_forward()
{
	local n=${1:-1} dev ip4 ip6 v6=
	eval "dev=\$DRILL_WAN${n}_DEV ip4=\$DRILL_WAN${n}_IP4 ip6=\$DRILL_WAN${n}_IP6"
	[[ $DRILL_V6 == routed ]] ||
		v6="add rule inet fgdrill nat_pre iifname \"$dev\" ip6 daddr $ip6 tcp dport $DRILL_FWD_PORT dnat ip6 to [$DRILL_CLIENT_A_IP6]:$DRILL_FWD_LAN_PORT"
	drill_exec router nft -f - <<EOF || return 1
table inet fgdrill {
	chain nat_pre { type nat hook prerouting priority dstnat; policy accept; }
}
add rule inet fgdrill nat_pre iifname "$dev" ip daddr $ip4 tcp dport $DRILL_FWD_PORT dnat ip to $DRILL_CLIENT_A_IP4:$DRILL_FWD_LAN_PORT
$v6
EOF
	[[ -z $DRILL_LAN_SERVER_PID ]] || return 0
	DRILL_LAN_SERVER_LOG=$FG_TMP/lan-server.log
	drill_bg client "$FG_ECHO" server "$DRILL_FWD_LAN_PORT" \
		>"$DRILL_LAN_SERVER_LOG" 2>&1
	DRILL_LAN_SERVER_PID=$FG_LAST_PID
	drill_wait_log "$DRILL_LAN_SERVER_LOG" listening 3000 >/dev/null
}

# drill_policy MARK: the mark new flows get from now on (mwan3 rebuilding
# its policies on `disconnected`); established flows keep their ct mark.
drill_policy()
{
	drill_exec router nft -f - <<EOF
flush chain inet fgdrill newflows
add rule inet fgdrill newflows meta mark set meta mark or $1
EOF
}

# drill_policy_client ADDR MARK|none: pin (or unpin) one client address.
drill_policy_client()
{
	local map=client4
	[[ $1 == *:* ]] && map=client6
	drill_exec router nft delete element inet fgdrill $map "{ $1 }" \
		2>/dev/null || true
	[[ $2 == none ]] && return 0
	drill_exec router nft add element inet fgdrill $map "{ $1 : $2 }"
}

# drill_isp_die N: ISP N stops forwarding; the router's link to it stays up.
drill_isp_die()
{
	drill_exec "isp$1" nft -f - <<'EOF'
flush chain inet fgisp forward
add rule inet fgisp forward counter drop
EOF
}

# drill_isp_revive [N]: ISP N (default: both) forwards again.
drill_isp_revive()
{
	local n
	for n in ${1:-1 2}; do
		drill_exec "isp$n" nft flush chain inet fgisp forward || return 1
	done
}

# drill_misroute N: table N's default route goes out the OTHER uplink; marks,
# rules and conntrack stay (packets with mark N leave the wrong device).
drill_misroute()
{
	local o=$((3 - $1)) gw4 gw6 dev
	eval "gw4=\$DRILL_WAN${o}_GW4 gw6=\$DRILL_WAN${o}_GW6 dev=\$DRILL_WAN${o}_DEV"
	_drill_ip router -4 route replace default via "$gw4" dev "$dev" table "$1" &&
		_drill_ip router -6 route replace default via "$gw6" dev "$dev" table "$1"
}

# drill_misroute_undo N: table N's default route back through uplink N.
drill_misroute_undo()
{
	local gw4 gw6 dev
	eval "gw4=\$DRILL_WAN${1}_GW4 gw6=\$DRILL_WAN${1}_GW6 dev=\$DRILL_WAN${1}_DEV"
	_drill_ip router -4 route replace default via "$gw4" dev "$dev" table "$1" &&
		_drill_ip router -6 route replace default via "$gw6" dev "$dev" table "$1"
}

# drill_client_start NAME SRC[,SRC...] [--ns NS] [--dst ADDR] [--port PORT]
#                    [fg_echo client options...]
# Starts a long-lived client bound to SRC in namespace NS (default client),
# talking to the remote's address of SRC's family, port DRILL_PORT. A list
# of sources: the next one after each failed connection (fg_echo -b). SRC
# "" binds nothing (the kernel picks; IPv4 unless --dst says otherwise).
# Log: $(drill_client_log NAME).
drill_client_start()
{
	local name=$1 src=$2 dst ns=client port=$DRILL_PORT
	shift 2
	dst=$DRILL_REMOTE_IP4
	[[ $src == *:* ]] && dst=$DRILL_REMOTE_IP6
	while (($#)); do
		case $1 in
		--dst) dst=$2 ;;
		--ns) ns=$2 ;;
		--port) port=$2 ;;
		*) break ;;
		esac
		shift 2
	done
	drill_bg "$ns" "$FG_ECHO" client ${src:+-b "$src"} "$@" "$dst" "$port" \
		>"$FG_TMP/client-$name.log" 2>&1
	DRILL_CLIENT_PID[$name]=$FG_LAST_PID
}

drill_client_log() { echo "$FG_TMP/client-$1.log"; }

drill_client_stop() { fg_kill "${DRILL_CLIENT_PID[$1]}"; }

drill_client_pid() { echo "${DRILL_CLIENT_PID[$1]}"; }

# drill_client_summary NAME [TIMEOUT_MS]: ask client NAME for its summary
# line (SIGUSR1; fg_echo's "T summary clients=N up=U fresh=F ..." over all
# its connections, see tests/tools/fg_echo.c) and print it.
drill_client_summary()
{
	local log from pid=${DRILL_CLIENT_PID[$1]}
	log=$(drill_client_log "$1")
	from=$(drill_log_mark "$log")
	# SIGUSR1 before fg_echo set its handler would kill it: wait for that
	fg_wait_for "${2:-2000}" _drill_catches_usr1 "$pid" || return 1
	kill -USR1 "$pid" || return 1
	drill_wait_log "$log" " summary " "${2:-2000}" "$from"
}

# drill_summary_is NAME KEY=VALUE...: client NAME's summary has these
# values; the summary line is left in SUMMARY (for a failure's message).
drill_summary_is()
{
	local line kv
	line=$(drill_client_summary "$1") || return 1
	SUMMARY=$line
	for kv in "${@:2}"; do
		[[ $(drill_summary_field "$line" "${kv%=*}") == "${kv##*=}" ]] ||
			return 1
	done
}

# drill_udp_flood SENDERS PER_SENDER GAP_US PORT: stale single-packet UDP
# flows from client B to the remote's PORT, PER_SENDER flows a sender
# (each holds its sockets open), the senders one after the other, one
# flow every GAP_US; in the background, its pid in FLOOD_PID.
drill_udp_flood()
{
	(
		local i
		for ((i = 0; i < $1; i++)); do
			drill_exec client "$FG_BUILD/tests/tools/fg_udpflows" send \
				-i "$3" -w 0 "$DRILL_CLIENT_B_IP4" $((20000 + i * $2)) \
				"$2" "$DRILL_REMOTE_IP4" "$4" || exit 1
		done
	) >"$FG_TMP/flood.log" 2>&1 &
	FLOOD_PID=$!
	fg_defer "kill $FLOOD_PID 2>/dev/null"
}

_drill_catches_usr1()
{
	local l
	l=$(grep '^SigCgt:' "/proc/$1/status" 2>/dev/null) || return 1
	(((16#${l##*[[:space:]]} >> 9) & 1))
}

# drill_summary_field LINE KEY: KEY's value in a summary line (0 if absent):
# clients up fresh reconnected errored errors connfails connects,
# error:ENAME connfail:ENAME via:ADDR.
drill_summary_field()
{
	local w
	for w in $1; do
		[[ $w == "$2="* ]] && { echo "${w#"$2="}"; return 0; }
	done
	echo 0
}

# drill_nstat NS COUNTER: a TCP/IP counter of namespace NS (absolute;
# nstat's history file is neither read nor written).
drill_nstat()
{
	drill_exec "$1" nstat -asz "$2" 2>/dev/null |
		awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# drill_sock_destroy_probe [NS]: does the kernel destroy a TCP socket on
# request (sock_diag SOCK_DESTROY, CONFIG_INET_DIAG_DESTROY; what `ss -K`
# uses)? An fg_echo pair on lo in NS (default router), `ss -K` on the
# client's socket: status 0 when the client saw ECONNABORTED, 1 when not,
# 2 when the probe itself did not work.
drill_sock_destroy_probe()
{
	local ns=${1:-router} port=7999 slog clog spid cpid rc=1
	slog=$FG_TMP/destroy-probe-server.log clog=$FG_TMP/destroy-probe-client.log
	drill_bg "$ns" "$FG_ECHO" server -q $port >"$slog" 2>&1
	spid=$FG_LAST_PID
	if ! drill_wait_log "$slog" listening 2000 >/dev/null; then
		fg_kill "$spid"
		return 2
	fi
	drill_bg "$ns" "$FG_ECHO" client -1 127.0.0.1 $port >"$clog" 2>&1
	cpid=$FG_LAST_PID
	if drill_wait_log "$clog" " echo " 2000 >/dev/null; then
		drill_exec "$ns" ss -K -t dst 127.0.0.1 dport = $port \
			>/dev/null 2>&1 || true
		drill_wait_log "$clog" " error ECONNABORTED " 1000 \
			>/dev/null 2>&1 && rc=0
	else
		rc=2
	fi
	fg_kill "$cpid"
	fg_kill "$spid"
	return $rc
}

# drill_log_mark FILE: the number of lines FILE has now (for FROM_LINE).
drill_log_mark() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }

# drill_log_grep FILE PATTERN [FROM_LINE]: the lines after FROM_LINE that
# match the extended regex PATTERN (status 1 when none).
drill_log_grep()
{
	tail -n +$((${3:-0} + 1)) "$1" 2>/dev/null | grep -E -- "$2"
}

# drill_log_count FILE PATTERN [FROM_LINE]: how many such lines (status 0).
drill_log_count()
{
	tail -n +$((${3:-0} + 1)) "$1" 2>/dev/null | grep -c -E -- "$2" || true
}

# drill_wait_log FILE PATTERN [TIMEOUT_MS [FROM_LINE]]: wait (default 5 s;
# times FG_SLOW, as every deadline here) until a line after FROM_LINE
# matches PATTERN; prints it. On timeout: a clear message, the file's last
# lines, status 1.
drill_wait_log()
{
	local file=$1 pat=$2 timeout=$((${3:-5000} * FG_SLOW)) from=${4:-0} end line
	end=$(($(fg_now_ms) + timeout))
	while :; do
		if line=$(drill_log_grep "$file" "$pat" "$from"); then
			echo "${line%%$'\n'*}"
			return 0
		fi
		if (($(fg_now_ms) >= end)); then
			echo "FAIL: no /$pat/ in ${file##*/} after $timeout ms; its last lines:" >&2
			tail -n 8 "$file" 2>/dev/null | sed 's/^/    /' >&2
			return 1
		fi
		sleep 0.02
	done
}

# drill_wait_echo NAME VIA [N [TIMEOUT_MS [FROM_LINE]]]: wait until client
# NAME has N echoes (default 3) through VIA on one connection (not with -q).
drill_wait_echo()
{
	drill_wait_log "$(drill_client_log "$1")" \
		"echo via=$2 vport=[0-9]+ n=${3:-3} " "${4:-5000}" "${5:-0}"
}

# drill_wait_echoes NAME VIA [COUNT [TIMEOUT_MS [FROM_LINE]]]: wait until
# client NAME logged COUNT (default 3) echoes through VIA after FROM_LINE,
# on any connection (not with -q).
drill_wait_echoes()
{
	local file end n timeout=$((${4:-5000} * FG_SLOW))
	file=$(drill_client_log "$1")
	end=$(($(fg_now_ms) + timeout))
	while :; do
		n=$(drill_log_count "$file" " echo via=$2 " "${5:-0}")
		((n >= ${3:-3})) && return 0
		if (($(fg_now_ms) >= end)); then
			echo "FAIL: ${file##*/}: $n of ${3:-3} echoes via $2 after $timeout ms; its last lines:" >&2
			tail -n 8 "$file" 2>/dev/null | sed 's/^/    /' >&2
			return 1
		fi
		sleep 0.02
	done
}

# drill_log_time LINE: the timestamp (ms since the client started) of a line.
drill_log_time() { echo "${1%% *}"; }

# drill_ct_count [conntrack filter args]: entries in the router's table;
# both families unless the args name one (-f/--family).
drill_ct_count()
{
	local fams=(ipv4 ipv6) n=0 c f
	[[ " $* " == *" -f "* || " $* " == *" --family "* ]] && fams=("")
	for f in "${fams[@]}"; do
		c=$({ drill_exec router conntrack -L ${f:+-f "$f"} "$@" 2>/dev/null ||
			true; } | wc -l)
		n=$((n + c))
	done
	echo "$n"
}

# drill_ct_list [args]: the router's conntrack table, both families.
drill_ct_list()
{
	drill_exec router conntrack -L -f ipv4 "$@" 2>/dev/null || true
	drill_exec router conntrack -L -f ipv6 "$@" 2>/dev/null || true
}

# drill_ct_delete_mark MARK [MASK]: what flowguard does on `disconnected`,
# done with conntrack(8), both families; prints how many went.
drill_ct_delete_mark()
{
	local n=0 c f
	for f in ipv4 ipv6; do
		c=$({ drill_exec router conntrack -D -f "$f" \
			-m "$1/${2:-$DRILL_MASK}" 2>/dev/null || true; } | wc -l)
		n=$((n + c))
	done
	echo "$n"
}

# drill_counter NAME [NS [TABLE]]: packets of a named nft counter (default:
# the router's fgdrill table: out_wan{1,2}_mark{1,2}; the silent remote
# has "silent_drops" in table fgremote).
drill_counter()
{
	local ns=${2:-router} table=${3:-}
	[[ -n $table ]] || { [[ $ns == remote ]] && table=fgremote || table=fgdrill; }
	drill_exec "$ns" nft list counter inet "$table" "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# drill_dump: the drill's state, for failing tests (registered by
# drill_setup through fg_on_failure).
drill_dump()
{
	local f
	[[ -n $DRILL_NS_ROUTER && -e /run/netns/$DRILL_NS_ROUTER ]] || return 0
	echo "--- drill state at failure (${FG_ID}) ---"
	echo "router conntrack:"
	drill_ct_list -p tcp | sed 's/^/    /' | head -n 20
	echo "router counters: $(for f in out_wan1_mark1 out_wan1_mark2 \
		out_wan2_mark1 out_wan2_mark2; do
		printf '%s=%s ' "$f" "$(drill_counter $f)"
	done)"
	for f in "$FG_TMP"/client-*.log "$DRILL_LAN_SERVER_LOG"; do
		[[ -n $f && -f $f ]] || continue
		echo "${f##*/} (last lines):"
		tail -n 4 "$f" | sed 's/^/    /'
	done
}
