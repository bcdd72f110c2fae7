# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-reset.sh - instant recovery at mwan3's `disconnected`: every
# TCP flow of the dead uplink ends at once, even behind a silent remote.
# LAN clients (and LAN servers behind a port forward) get a RST with their
# exact RCV.NXT (provoked by an out-of-window ACK); the router's own
# sockets are destroyed through sock_diag. Nothing on the surviving uplink
# is touched. Run: tests/run.sh reset
#
# Every scenario: ISP 1 dies (the router's link to it stays up), the
# flows of uplink 1 back off; mwan3 moves new flows to uplink 2 and 2 s
# later (with a polite remote: after the client's 4th retransmission
# timeout, ~3.1 s) runs the hook (scripts/mwan3.user -> the running
# service). Proof of an exact RST, from the receiving side: ECONNRESET
# soon after the hook's answer (RESET_MS, times FG_SLOW: a deadline), with
# a polite remote before the client's next retransmission could have
# drawn a RST from it (a silent one never answers; see
# RETRANS_MARGIN_MS), the service's log line counting the client as reset
# by its first batch, TcpEstabResets up by exactly one per reset flow and
# TcpExtTCPChallengeACK unchanged (a RST in the window but not exact gets
# a challenge ACK instead), in the namespace that holds the sockets.

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

# The deadline of the wait for a reset, after the hook's answer (times
# FG_SLOW). The service answers the hook only once the first batch had
# its 50 ms, so the reset precedes the answer; but the client logging it
# and the test seeing that log take time on a loaded machine (400 ms
# after the answer was not enough there). That the first batch did it,
# not the retry 600 ms later, each test proves from the service's line
# ("1 of 1 TCP clients reset"), not from a duration.
RESET_MS=2000
# ...but with a polite remote the reset proves itself flowguard's exact
# RST only if it came before the client's next retransmission could have
# drawn a RST from the remote. The client retransmits RTO, 3, 7, 15 and
# 31 RTO after its first lost segment (the RTO doubling; RTO = 200 ms +
# the smoothed RTT here, read from `ss` before the death), and that
# segment left no earlier than the ISP's death (T_DIE, before the
# command that kills it). So with a polite remote the hook runs once the
# client's socket says its retransmission at 15 RTO went (into the dead
# ISP: `ss` shows backoff:4), and the reset's deadline is capped before
# the one at 31 RTO could leave (RETRANS_MARGIN_MS and 10% on the RTO
# earlier). Kernel timers do not slow down with load: this bound is not
# scaled; it leaves the hook ~2.5 s. (A silent remote never answers:
# there the hook runs 2 s into the backoff, as mwan3's tracking would
# notice.)
RETRANS_MARGIN_MS=250

# ---------------------------------------------------------------- helpers

# hook_disconnected: mwan3's `disconnected wan1`, through the hook script
# the way mwan3 runs it (env -i); prints the time it took (ms).
hook_disconnected()
{
	local t0
	t0=$(fg_now_ms)
	drill_exec router env -i ACTION=disconnected INTERFACE=wan1 \
		DEVICE="$DRILL_WAN1_DEV" FLOWGUARD="$FG_BIN" \
		FLOWGUARD_SOCKET="$GUARD_SOCK" "$FG_ROOT/scripts/mwan3.user"
	echo $(($(fg_now_ms) - t0))
}

# client_rto: the smallest RTO (ms) of the client namespace's sockets to
# the remote's port, less 10%.
client_rto()
{
	drill_exec client ss -tinH "dport = :$DRILL_PORT" |
		grep -o 'rto:[0-9.]*' | cut -d: -f2 | sort -n |
		awk 'NR == 1 { printf "%d\n", $1 * 0.9 }'
}

# backed_off N: a socket of the client namespace to the remote's port
# had N retransmission timeouts in a row (ss: backoff:N).
backed_off()
{
	local b
	b=$(drill_exec client ss -tinH "dport = :$DRILL_PORT" |
		grep -o 'backoff:[0-9]*' | cut -d: -f2 | sort -n | tail -n 1)
	((${b:-0} >= $1))
}

# isp1_dies_then_disconnected: ISP 1 dies, mwan3 moves new flows to
# uplink 2 and, 2 s after the death (the flows of uplink 1 are in
# retransmission backoff when mwan3 notices; with a polite remote once
# the retransmission at 15 RTO went, see RETRANS_MARGIN_MS), runs the
# hook. Sets T_DIE (ms, just before the death), T0 (just before the
# hook), HOOK_MS, and with a polite remote RETRANS_NEXT (ms after T_DIE:
# the earliest the next retransmission may leave). The 2 s count from the
# death, not from after the policy change, which a loaded machine may
# take long to make.
isp1_dies_then_disconnected()
{
	local left rto
	if [[ -z $DRILL_SILENT ]]; then
		rto=$(client_rto)
		((${rto:-0} >= 100)) || fg_fail "the client's RTO: '$rto' (ss -ti)"
		RETRANS_NEXT=$((31 * rto))
	fi
	T_DIE=$(fg_now_ms)
	drill_isp_die 1
	drill_policy "$DRILL_MARK2"
	if [[ -n $DRILL_SILENT ]]; then
		left=$((T_DIE + 2000 - $(fg_now_ms)))
		((left <= 0)) || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
	else
		fg_wait_for 10000 backed_off 4 ||
			fg_fail "no client socket reached its 4th retransmission timeout"
	fi
	T0=$(fg_now_ms)
	HOOK_MS=$(hook_disconnected)
}

# reset_deadline: the latest a reset may come, in ms after T0 (see
# RESET_MS, RETRANS_MARGIN_MS).
reset_deadline()
{
	local d cap
	d=$((HOOK_MS + $(fg_slow "$RESET_MS")))
	cap=$((T_DIE + ${RETRANS_NEXT:-0} - RETRANS_MARGIN_MS - T0))
	[[ -n $DRILL_SILENT ]] || ((d <= cap)) || d=$cap
	echo "$d"
}

# nstat_mark NS: remember NS's TCP counters (all of them, for the report
# of a failing nstat_check).
nstat_mark()
{
	drill_exec "$1" nstat -asz >"$FG_TMP/nstat0-$1"
}

# nstat_delta NS COUNTER: how much COUNTER of NS went up since nstat_mark.
nstat_delta()
{
	local before now
	before=$(awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' \
		"$FG_TMP/nstat0-$1")
	now=$(drill_nstat "$1" "$2")
	echo $((now - before))
}

# nstat_changes NS: the TCP counters of NS that changed since nstat_mark.
nstat_changes()
{
	drill_exec "$1" nstat -asz | awk 'NR == FNR { b[$1] = $2; next }
		$1 ~ /^Tcp/ && $2 != b[$1] { printf "%s +%d ", $1, $2 - b[$1] }' \
		"$FG_TMP/nstat0-$1" -
}

# nstat_check NS RESETS [CHALLENGES]: since nstat_mark, exactly RESETS
# established sockets of NS were reset and at most CHALLENGES (default 0)
# challenge ACKs were sent.
nstat_check()
{
	local rst chal
	rst=$(nstat_delta "$1" TcpEstabResets)
	chal=$(nstat_delta "$1" TcpExtTCPChallengeACK)
	((chal <= ${3:-0} && rst == $2)) || fg_fail "$1: $chal challenge ACK(s) (a RST not exact?), TcpEstabResets +$rst (expected +$2); changed: $(nstat_changes "$1")"
}

# wait_reset LOG FROM ERRNO: the socket error (ERRNO) in LOG after line
# FROM, by reset_deadline; prints ms since T0.
wait_reset()
{
	local t d
	d=$(reset_deadline)
	drill_wait_log "$1" " error $3 " $((d + 1000)) "$2" >/dev/null
	t=$(($(fg_now_ms) - T0))
	((t <= d)) || fg_fail "${1##*/}: $3 only $t ms after the hook (its answer: $HOOK_MS ms; deadline $d ms$(late_why))"
	echo "$t"
}

# late_why: what a late reset's deadline was made of.
late_why()
{
	[[ -z $DRILL_SILENT ]] &&
		echo ", capped: the next retransmission may leave $((T_DIE + RETRANS_NEXT - T0)) ms after the hook"
	return 0
}

# guard_disc_line: the service's log line of `disconnected wan1`.
guard_disc_line() { grep "disconnected wan1:" "$GUARD_LOG" | tail -n 1; }

# untouched NAME VIA FROM: client NAME saw no error and no reconnect since
# line FROM, and echoes through VIA still (3 more within 1 s).
untouched()
{
	local l log now
	log=$(drill_client_log "$1")
	now=$(drill_log_mark "$log")
	if l=$(drill_log_grep "$log" " error |reconnect|connect-failed" "$3"); then
		fg_fail "$1 (surviving uplink) was disturbed: ${l%%$'\n'*}"
	fi
	drill_wait_echoes "$1" "$2" 3 1000 "$now"
}

# ---------------------------------------------------------------- clients

# isp_dies_then_hook FAMILY [drill options]: A on uplink 1, B on uplink 2.
# A must be reset at once and reconnect via uplink 2; B untouched. With
# --v6 routed (FAMILY 6), A has an address from each uplink's prefix and,
# like a host that deprecated the dead prefix, reconnects from prefix 2.
isp_dies_then_hook()
{
	local fam=$1 a_src a_via1 a_via2 b_src b_via la lb from_a from_b
	local t_err t_ok line
	shift
	drill_setup "$@"
	a_src=DRILL_CLIENT_A_IP$fam b_src=DRILL_CLIENT_B_IP$fam
	a_src=${!a_src} b_src=${!b_src}
	a_via1=DRILL_WAN1_IP$fam a_via2=DRILL_WAN2_IP$fam
	a_via1=${!a_via1} a_via2=${!a_via2} b_via=$a_via2
	if [[ $DRILL_V6 == routed && $fam == 6 ]]; then
		a_via1=$a_src a_via2=$DRILL_CLIENT_A_PFX2_IP6 b_via=$b_src
		a_src=$a_src,$a_via2
	fi
	drill_client_start a "$a_src"
	drill_client_start b "$b_src"
	drill_wait_echo a "$a_via1" >/dev/null
	drill_wait_echo b "$b_via" >/dev/null
	guard_start -v
	la=$(drill_client_log a) lb=$(drill_client_log b)
	nstat_mark client
	from_a=$(drill_log_mark "$la") from_b=$(drill_log_mark "$lb")
	isp1_dies_then_disconnected
	t_err=$(wait_reset "$la" "$from_a" ECONNRESET)
	drill_wait_log "$la" "echo via=$a_via2 vport=[0-9]+ n=1 conn=2\$" 2000 \
		"$from_a" >/dev/null
	t_ok=$(($(fg_now_ms) - T0))
	untouched b "$b_via" "$from_b"
	nstat_check client 1
	line=$(guard_disc_line)
	[[ $line == *", 1 of 1 TCP clients reset,"* ]] || fg_fail "service: $line"
	guard_stop
	fg_log "A reset ${t_err} ms after the hook (hook ${HOOK_MS} ms), echoing via $a_via2 after ${t_ok} ms; TcpEstabResets +1, no challenge ACK"
}

test_polite_remote_ipv4() { isp_dies_then_hook 4; }
test_silent_remote_ipv4() { isp_dies_then_hook 4 --silent; }
test_silent_remote_ipv6_nat66() { isp_dies_then_hook 6 --silent; }
test_polite_remote_ipv6_nat66() { isp_dies_then_hook 6; }
test_polite_remote_ipv6_routed() { isp_dies_then_hook 6 --v6 routed; }
test_silent_remote_ipv6_routed() { isp_dies_then_hook 6 --v6 routed --silent; }

# The client's answer to the first provoking ACK is lost (dropped on its
# way out of the client namespace): the entry is deleted anyway, and the
# service's one retry, 600 ms later (past the client's 500 ms rate limit
# on such answers), provokes it again and resets it with the exact RST.
# Only that first answer is dropped (A's first bare ACK: while its uplink
# is dead nothing reaches A for it to acknowledge otherwise), so the test
# does not race the retry to lift the drop once the hook returned, which
# a loaded machine could lose. The reset must come after 550 ms (the
# retry's, not the first batch's: no duration, a proof; the service log
# says so too), by a deadline.
test_retry_when_no_answer()
{
	local la from_a t_err line lost
	drill_setup --silent
	drill_client_start a "$DRILL_CLIENT_A_IP4"
	drill_wait_echo a "$DRILL_WAN1_IP4" >/dev/null
	guard_start -v
	la=$(drill_client_log a)
	from_a=$(drill_log_mark "$la")
	nstat_mark client
	drill_isp_die 1
	sleep 2
	drill_policy "$DRILL_MARK2"
	# "quota until 100 bytes": the first 52-byte bare ACK, not a second
	drill_exec client nft -f - <<EOF
table inet fglose {
	counter lost { }
	chain out { type filter hook output priority 0; policy accept;
		ip saddr $DRILL_CLIENT_A_IP4 tcp dport $DRILL_PORT tcp flags == ack quota until 100 bytes counter name "lost" drop
	}
}
EOF
	T0=$(fg_now_ms)
	HOOK_MS=$(hook_disconnected)
	[[ $(drill_ct_count -p tcp -m "$DRILL_MARK1/$DRILL_MASK") == 0 ]] ||
		fg_fail "the unanswered flow's entry was not deleted: $(drill_ct_list -p tcp)"
	line=$(guard_disc_line)
	[[ $line == *", 0 of 1 TCP clients reset,"* ]] || fg_fail "service: $line"
	drill_wait_log "$la" " error ECONNRESET " 2000 "$from_a" >/dev/null
	t_err=$(($(fg_now_ms) - T0))
	((t_err >= 550)) ||
		fg_fail "reset $t_err ms after the hook, not by the retry at 600 ms"
	lost=$(drill_counter lost client fglose)
	[[ $lost == 1 ]] || fg_fail "$lost answers dropped, not the first one only"
	drill_exec client nft delete table inet fglose
	drill_wait_log "$la" "echo via=$DRILL_WAN2_IP4 vport=[0-9]+ n=1 conn=2\$" \
		2000 "$from_a" >/dev/null
	nstat_check client 1
	drill_wait_log "$GUARD_LOG" "client reset retry: 1 of 1 answered" 1000 >/dev/null
	guard_stop
	fg_log "first answer lost: entry deleted at once (hook ${HOOK_MS} ms), A reset by the retry ${t_err} ms after the hook"
}

# ---------------------------------------------------------------- port forwards

# remote_port NAME: the local port of the remote client NAME's connection 1.
remote_port()
{
	local l
	l=$(drill_wait_log "$(drill_client_log "$1")" " connected local=" 3000)
	l=${l#* local=}
	l=${l%% *}
	echo "${l##*:}"
}

# Port forwards on both uplinks to the LAN server on client A (IPv4 and
# NAT66); remote clients connect to uplink 1's address (IPv4, IPv6) and to
# uplink 2's (IPv4). At `disconnected wan1` the LAN server's sockets of
# uplink 1's forwards are reset (from the entries' reply tuples: the LAN
# host is the server); the forward through uplink 2 keeps working.
test_port_forward()
{
	local slog p4 p6 p2 from_s from_b from_f2 t4 t6 line d
	drill_setup --silent --dnat
	drill_port_forward 2
	drill_client_start f4 "$DRILL_REMOTE_IP4" --ns remote \
		--dst "$DRILL_WAN1_IP4" --port "$DRILL_FWD_PORT"
	drill_client_start f6 "$DRILL_REMOTE_IP6" --ns remote \
		--dst "$DRILL_WAN1_IP6" --port "$DRILL_FWD_PORT"
	drill_client_start f2 "$DRILL_REMOTE_IP4" --ns remote \
		--dst "$DRILL_WAN2_IP4" --port "$DRILL_FWD_PORT"
	drill_client_start b "$DRILL_CLIENT_B_IP4"
	drill_wait_echo f4 "$DRILL_REMOTE_IP4" >/dev/null
	drill_wait_echo f6 "$DRILL_REMOTE_IP6" >/dev/null
	drill_wait_echo f2 "$DRILL_REMOTE_IP4" >/dev/null
	drill_wait_echo b "$DRILL_WAN2_IP4" >/dev/null
	p4=$(remote_port f4) p6=$(remote_port f6) p2=$(remote_port f2)
	[[ $(drill_ct_count -p tcp --dport "$DRILL_FWD_PORT" -m \
		"$DRILL_MARK1/$DRILL_MASK") == 2 ]] ||
		fg_fail "expected 2 forwarded flows on uplink 1: $(drill_ct_list -p tcp)"
	guard_start -v
	slog=$DRILL_LAN_SERVER_LOG
	from_s=$(drill_log_mark "$slog")
	from_b=$(drill_log_mark "$(drill_client_log b)")
	from_f2=$(drill_log_mark "$(drill_client_log f2)")
	nstat_mark client
	isp1_dies_then_disconnected
	line=$(drill_wait_log "$slog" "close peer=$DRILL_REMOTE_IP4:$p4 " 2000 "$from_s")
	[[ $line == *" reason=ECONNRESET" ]] || fg_fail "LAN server, IPv4: $line"
	t4=$(($(fg_now_ms) - T0))
	line=$(drill_wait_log "$slog" "close peer=\[$DRILL_REMOTE_IP6\]:$p6 " 2000 "$from_s")
	[[ $line == *" reason=ECONNRESET" ]] || fg_fail "LAN server, IPv6: $line"
	t6=$(($(fg_now_ms) - T0))
	d=$(reset_deadline)
	((t4 <= d && t6 <= d)) ||
		fg_fail "the LAN server's sockets were reset only $t4 / $t6 ms after the hook (its answer: $HOOK_MS ms; deadline $d ms)"
	sleep 0.2
	if line=$(drill_log_grep "$slog" "close peer=$DRILL_REMOTE_IP4:$p2 " "$from_s"); then
		fg_fail "the forward through uplink 2 was touched: $line"
	fi
	untouched f2 "$DRILL_REMOTE_IP4" "$from_f2"
	untouched b "$DRILL_WAN2_IP4" "$from_b"
	nstat_check client 2
	line=$(guard_disc_line)
	[[ $line == *", 2 of 2 TCP clients reset,"* ]] || fg_fail "service: $line"
	guard_stop
	fg_log "LAN server's forwarded sockets reset ${t4} ms (IPv4) / ${t6} ms (IPv6) after the hook; forward via uplink 2 untouched; TcpEstabResets +2, no challenge ACK"
}

# ---------------------------------------------------------------- the router's own

# The router's own flows through uplink 1 (IPv4, IPv6; sources: its wan1
# addresses) are destroyed through sock_diag at `disconnected wan1`: the
# application sees ECONNABORTED at once and reconnects through uplink 2
# (masqueraded there). Its flow pinned to uplink 2 (bound to the wan2
# address) is untouched. `flowguard status` says whether the kernel
# allows it; without CONFIG_INET_DIAG_DESTROY the test checks that and
# skips.
test_router_originated()
{
	local st r4 r6 rb from4 from6 fromb t4 t6 line probe=0
	drill_setup --silent
	drill_sock_destroy_probe router || probe=$?
	((probe != 2)) || fg_fail "the SOCK_DESTROY probe itself failed"
	guard_start -v
	st=$(guard_status)
	if ((probe)); then
		[[ $st == *"router's own sockets: cannot be destroyed"* ]] ||
			fg_fail "no SOCK_DESTROY here, and status does not say so: $st"
		fg_skip "the kernel lacks CONFIG_INET_DIAG_DESTROY (ss -K fails; status says so)"
	fi
	[[ $st == *"router's own sockets: destroyed through sock_diag"* ]] ||
		fg_fail "SOCK_DESTROY works here, status says otherwise: $st"
	drill_policy_client "$DRILL_WAN2_IP4" "$DRILL_MARK2"
	drill_client_start r4 "" --ns router --dst "$DRILL_REMOTE_IP4"
	drill_client_start r6 "" --ns router --dst "$DRILL_REMOTE_IP6"
	drill_client_start rb "$DRILL_WAN2_IP4" --ns router
	drill_wait_echo r4 "$DRILL_WAN1_IP4" >/dev/null
	drill_wait_echo r6 "$DRILL_WAN1_IP6" >/dev/null
	drill_wait_echo rb "$DRILL_WAN2_IP4" >/dev/null
	r4=$(drill_client_log r4) r6=$(drill_client_log r6) rb=$(drill_client_log rb)
	from4=$(drill_log_mark "$r4") from6=$(drill_log_mark "$r6")
	fromb=$(drill_log_mark "$rb")
	nstat_mark router
	isp1_dies_then_disconnected
	t4=$(wait_reset "$r4" "$from4" ECONNABORTED)
	t6=$(wait_reset "$r6" "$from6" ECONNABORTED)
	drill_wait_log "$r4" "echo via=$DRILL_WAN2_IP4 vport=[0-9]+ n=1 conn=2\$" \
		2000 "$from4" >/dev/null
	drill_wait_log "$r6" "echo via=$DRILL_WAN2_IP6 vport=[0-9]+ n=1 conn=2\$" \
		2000 "$from6" >/dev/null
	untouched rb "$DRILL_WAN2_IP4" "$fromb"
	nstat_check router 2
	line=$(guard_disc_line)
	[[ $line == *", 2 of 2 TCP clients reset,"* ]] || fg_fail "service: $line"
	guard_stop
	fg_log "router's own sockets destroyed ${t4} ms (IPv4) / ${t6} ms (IPv6) after the hook, reconnected via uplink 2; its uplink 2 flow untouched"
}

# ---------------------------------------------------------------- many

# 1,000 stale TCP clients on the dead uplink (one process, one address,
# silent remote: only flowguard's RST can end them) and 50 on the
# surviving one: all 1,000 reset soon after the hook's answer and
# reconnected through uplink 2; none of the 50 touched.
# The provoking ACK's sequence number is random: with probability
# ~RCV.WND / 2^32 per flow (~1.5e-5 for the drill's 64 KB windows, ~1% per
# run of 1,000 flows) it lands inside a client's window, and the client
# answers it with a challenge ACK instead of a duplicate ACK: still its
# RCV.NXT, so the RST that follows is exact. That RST exactness is what
# TcpEstabResets == 1,000 proves; challenge ACKs (answers to a provoke,
# not to a RST) are allowed up to 1% of the flows.
# echoed_ids NAME VIA CONN: how many connections (ids) of the -n client
# NAME logged an echo through VIA on their connection number CONN.
echoed_ids()
{
	drill_log_grep "$(drill_client_log "$1")" \
		" echo via=$2 vport=[0-9]+ n=[0-9]+ conn=$3 id=" |
		sed 's/.* id=//' | sort -u | wc -l
}

# all_echoed NAME VIA CONN N: N of them did.
all_echoed() { (($(echoed_ids "$1" "$2" "$3") >= $4)); }

test_many_clients()
{
	local n=1000 nb=50 via1=$DRILL_WAN1_IP4 via2=$DRILL_WAN2_IP4 t_all t_ok
	local line hard
	hard=$(ulimit -Hn)
	[[ $hard == unlimited ]] || ((hard >= 8192)) ||
		fg_skip "needs 8192 file descriptors (hard limit $hard)"
	ulimit -n 8192
	drill_setup --silent
	drill_exec remote sysctl -qw net.core.somaxconn=4096 \
		net.ipv4.tcp_max_syn_backlog=4096
	drill_client_start many "$DRILL_CLIENT_A_IP4" -n $n -i 300
	drill_client_start few "$DRILL_CLIENT_B_IP4" -n $nb -i 300
	# each connection echoed through its uplink (the log's first echo of
	# each: an event; fg_echo's "fresh", an echo within the last 1.2 s, is
	# a rate a loaded machine may not keep for 1,050 connections at once)
	fg_wait_for 10000 all_echoed many "$via1" 1 $n ||
		fg_fail "many: $(echoed_ids many "$via1" 1) of $n echoed via uplink 1"
	fg_wait_for 5000 all_echoed few "$via2" 1 $nb ||
		fg_fail "few: $(echoed_ids few "$via2" 1) of $nb echoed via uplink 2"
	drill_summary_is many up=$n errored=0 || fg_fail "many: $SUMMARY"
	drill_summary_is few up=$nb errored=0 || fg_fail "few: $SUMMARY"
	guard_start
	nstat_mark client
	isp1_dies_then_disconnected
	fg_wait_for 3000 drill_summary_is many "error:ECONNRESET=$n" errors=$n ||
		fg_fail "many, after the hook: $SUMMARY"
	t_all=$(($(fg_now_ms) - T0))
	fg_wait_for 15000 all_echoed many "$via2" 2 $n ||
		fg_fail "many, reconnecting: $(echoed_ids many "$via2" 2) of $n echoed via uplink 2 on their second connection"
	t_ok=$(($(fg_now_ms) - T0))
	drill_summary_is many up=$n connects=$((2 * n)) connfails=0 errors=$n ||
		fg_fail "many, reconnected: $SUMMARY"
	# by RESET_MS after the hook's answer (the retry, for the few whose
	# answer was rate-limited, comes 600 ms after it), times FG_SLOW: a
	# silent remote, nothing but flowguard can reset them, so this bound
	# is a deadline, not a proof
	((t_all <= HOOK_MS + $(fg_slow "$RESET_MS"))) ||
		fg_fail "the last of $n resets came $t_all ms after the hook (its answer: $HOOK_MS ms)"
	drill_summary_is few up=$nb errored=0 errors=0 connects=$nb \
		reconnected=0 || fg_fail "few (surviving uplink): $SUMMARY"
	[[ $(echoed_ids few "$via1" 1) == 0 ]] ||
		fg_fail "few (surviving uplink): echoes via uplink 1"
	nstat_check client $n $((n / 100))
	line=$(guard_disc_line)
	fg_log "service: ${line#*: }"
	fg_log "$(grep 'client reset retry' "$GUARD_LOG" || echo 'no retry needed')"
	[[ $line == *" of $n TCP clients reset,"* ]] || fg_fail "service: $line"
	guard_stop
	fg_log "$n clients reset within $t_all ms of the hook (hook ${HOOK_MS} ms), all echoing via uplink 2 after $t_ok ms; $nb on uplink 2 untouched; TcpEstabResets +$n, no challenge ACK"
}

# Routed IPv6 (no NAT66): a remote host connects straight to a LAN
# server's prefix-1 address through uplink 1 (the IPv6 counterpart of a
# port forward: a firewall opening, no DNAT, so no IPS_DST_NAT). The LAN
# server, the entry's reply source, is the host to reset.
test_inbound_ipv6_routed()
{
	local slog port from_s line t d
	drill_setup --v6 routed --silent --dnat
	drill_client_start g6 "$DRILL_REMOTE_IP6" --ns remote \
		--dst "$DRILL_CLIENT_A_PFX1_IP6" --port "$DRILL_FWD_LAN_PORT"
	drill_wait_echo g6 "$DRILL_REMOTE_IP6" >/dev/null
	port=$(remote_port g6)
	guard_start -v
	slog=$DRILL_LAN_SERVER_LOG
	from_s=$(drill_log_mark "$slog")
	nstat_mark client
	isp1_dies_then_disconnected
	line=$(drill_wait_log "$slog" "close peer=\[$DRILL_REMOTE_IP6\]:$port " 2000 "$from_s")
	t=$(($(fg_now_ms) - T0))
	[[ $line == *" reason=ECONNRESET" ]] || fg_fail "LAN server: $line"
	d=$(reset_deadline)
	((t <= d)) || fg_fail "the LAN server was reset only $t ms after the hook (its answer: $HOOK_MS ms; deadline $d ms)"
	nstat_check client 1
	line=$(guard_disc_line)
	[[ $line == *", 1 of 1 TCP clients reset,"* ]] || fg_fail "service: $line"
	guard_stop
	fg_log "LAN server (routed IPv6, inbound) reset $t ms after the hook"
}
