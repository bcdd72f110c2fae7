# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-mode.sh - the start line and `flowguard status` say which
# mode the guard runs and why: what `auto` found in the kernel (BTF, the
# kfuncs), or the option that asked for it. Without kernel BTF (hidden by
# a tmpfs in a private mount namespace, as on stock OpenWrt) `auto` runs
# skbmark and says so. Run: tests/run.sh test-mode

# mode_status NS [run options]: in a private mount namespace (BTF hidden
# when MODE_NOBTF=1), the service on NS's device u1, its status's first
# line and start line printed, then stopped.
mode_status()
{
	local ns=$1
	shift
	fg_pin_dir mode >/dev/null
	cat >"$FG_TMP/mode.sh" <<'EOF'
set -u
out=$1 ns=$2 bin=$3 pin=$4 sock=$5 nobtf=$6
shift 6
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait' EXIT
[ "$nobtf" = 1 ] && mount -t tmpfs none /sys/kernel/btf
nsenter --net="/run/netns/$ns" "$bin" run -u up:u1:0x100 --pin-dir "$pin" \
	--socket "$sock" "$@" >"$out.log" 2>&1 &
pid=$!
for _ in $(seq 250); do
	grep -q "guarding " "$out.log" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.02
done
"$bin" status --socket "$sock" | head -n 1 >"$out"
grep -o "; mode .*" "$out.log" >>"$out"
EOF
	timeout 60 unshare --mount --propagation private sh "$FG_TMP/mode.sh" \
		"$FG_TMP/mode.out" "$ns" "$FG_BIN" "$FG_PIN_DIR" "$FG_TMP/fg.sock" \
		"${MODE_NOBTF:-0}" "$@" || fg_fail "the private namespace's script failed"
	fg_on_failure "cat '$FG_TMP/mode.out.log'"
	cat "$FG_TMP/mode.out"
}

mode_ns()
{
	fg_netns_add m >/dev/null
	MODE_NS=$(fg_netns_name m)
	ip -n "$MODE_NS" link add u1 type veth peer name u1p
	ip -n "$MODE_NS" link set u1 up
	ip -n "$MODE_NS" link set u1p up
}

test_mode_why_nobtf()
{
	local got
	fg_require unshare nsenter
	mode_ns
	got=$(MODE_NOBTF=1 mode_status "$MODE_NS")
	[[ $got == "mode skbmark (auto: no kernel BTF (/sys/kernel/btf/vmlinux): the mark mwan3 restores into skb->mark), policy reset, mask 0x3f00
; mode skbmark (auto: no kernel BTF (/sys/kernel/btf/vmlinux): the mark mwan3 restores into skb->mark), policy reset, mask 0x3f00, dedupe 1000 ms, cap 1000/s" ]] ||
		fg_fail "no BTF: $got"
}

test_mode_why_btf()
{
	local got
	fg_require unshare nsenter
	[[ -r /sys/kernel/btf/vmlinux ]] || fg_skip "this kernel has no BTF"
	mode_ns
	got=$(mode_status "$MODE_NS" | head -n 1)
	# this host's kernel (6.2+, conntrack built in) has both kfuncs
	[[ $got == "mode ct (kfunc, offload lookup) (auto: kernel BTF; bpf_cast_to_kern_ctx found: kfunc; bpf_skb_ct_lookup found: offloaded packets looked up), policy reset, mask 0x3f00" ]] ||
		fg_fail "auto: $got"
	got=$(mode_status "$MODE_NS" --mode ct --ct-way probe --offload-lookup off | head -n 1)
	[[ $got == "mode ct (probe read) (--mode ct; --ct-way probe; --offload-lookup off), policy reset, mask 0x3f00" ]] ||
		fg_fail "ct, probe, no lookup: $got"
	got=$(mode_status "$MODE_NS" --mode skbmark | head -n 1)
	[[ $got == "mode skbmark (--mode skbmark), policy reset, mask 0x3f00" ]] ||
		fg_fail "skbmark asked for: $got"
}
