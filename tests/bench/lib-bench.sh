# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034
#
# tests/bench/lib-bench.sh - what the benchmark scripts share (source it
# after tests/lib.sh; it creates nothing when sourced):
#   note TEXT...      an odd thing seen: logged now, listed by bench_notes
#   bench_notes       "notes:" and the notes, when there are any
#   bench_words STR   the words of STR, one per line (none for "")
#   bench_tally       lines on stdin -> "A x3, B x1" (sorted)
#   bench_ct_add NS FILL "FAMILY MARK COUNT BASE"...
#                     plant each class with fg_ctfill (FILL) in netns NS
#   bench_ct_max_raise, bench_ct_max_restore, bench_census_expected,
#   bench_service_start: see "big tables" below

NOTES=()

note() { NOTES+=("$*"); fg_log "NOTE: $*"; }

bench_notes()
{
	((${#NOTES[@]})) || return 0
	echo "notes:"
	printf '  %s\n' "${NOTES[@]}"
}

bench_words() { tr ' ' '\n' <<<"$1" | grep .; }

bench_tally()
{
	sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }'
}

bench_ct_add()
{
	local ns=$1 fill=$2 c fam mark n base
	shift 2
	for c in "$@"; do
		read -r fam mark n base <<<"$c"
		nsenter --net="/run/netns/$ns" -- "$fill" add "$mark" "$n" "$fam" "$base" ||
			fg_fail "fg_ctfill add $mark $n $fam $base failed"
	done
}

# ---------------------------------------------------------------- big tables
# What the conntrack benchmarks share (bench-flush.sh, bench-bigtable.sh).
#   bench_ct_max_raise WANT    nf_conntrack_max (global, initial namespace
#                              only) to at least WANT for the run
#   bench_ct_max_restore       its value back, if it is still ours
#   bench_census_expected with|without|empty
#                              what `fg_ctbench census` must print for the
#                              caller's DEAD_CLASSES and LIVE_CLASSES
#   bench_service_start NS MWAN3_CONF LOG
#                              `flowguard run` in NS on two veths, wan1
#                              (0x100) and wan2 (0x200); BENCH_SVC_PID,
#                              BENCH_SVC_ENV (what mwan3.user passes on)

BENCH_CT_MAX_FILE=/proc/sys/net/netfilter/nf_conntrack_max
BENCH_CT_MAX_ORIG=
BENCH_CT_MAX_SET=

bench_ct_max_raise()
{
	local orig
	orig=$(cat "$BENCH_CT_MAX_FILE") || fg_fail "cannot read $BENCH_CT_MAX_FILE"
	[[ $orig =~ ^[0-9]+$ ]] || fg_fail "$BENCH_CT_MAX_FILE: '$orig'"
	fg_log "nf_conntrack_max is $orig"
	(($1 > orig)) || return 0
	BENCH_CT_MAX_ORIG=$orig
	echo "$1" >"$BENCH_CT_MAX_FILE" ||
		fg_fail "cannot raise nf_conntrack_max to $1"
	BENCH_CT_MAX_SET=$(cat "$BENCH_CT_MAX_FILE")
	fg_log "nf_conntrack_max raised to $BENCH_CT_MAX_SET for the run"
}

# (another run may have changed it meanwhile, e.g. a benchmark that
# raised it too and restores its own first: then it is left alone)
bench_ct_max_restore()
{
	local now
	if [[ -z $BENCH_CT_MAX_ORIG ]]; then
		echo "# nf_conntrack_max not changed by this run: $(cat "$BENCH_CT_MAX_FILE" 2>/dev/null)"
		return 0
	fi
	now=$(cat "$BENCH_CT_MAX_FILE" 2>/dev/null)
	if [[ $now == "$BENCH_CT_MAX_SET" ]]; then
		echo "$BENCH_CT_MAX_ORIG" >"$BENCH_CT_MAX_FILE"
		echo "# nf_conntrack_max restored: $(cat "$BENCH_CT_MAX_FILE" 2>/dev/null) (was $BENCH_CT_MAX_ORIG before the run)"
	else
		echo "# nf_conntrack_max is $now, not the $BENCH_CT_MAX_SET set here: changed by someone else meanwhile, left alone (it was $BENCH_CT_MAX_ORIG before the run)"
	fi
	BENCH_CT_MAX_ORIG=
}

bench_census_expected()
{
	local c fam mark n base total=0
	local -a rows=()
	[[ $1 == empty ]] && { echo "total 0"; return 0; }
	if [[ $1 == with ]]; then
		set -- "${DEAD_CLASSES[@]}" "${LIVE_CLASSES[@]}"
	else
		set -- "${LIVE_CLASSES[@]}"
	fi
	for c in "$@"; do
		read -r fam mark n base <<<"$c"
		rows+=("$fam $((mark)) ipv$fam $(printf '0x%x' "$mark") $n")
		total=$((total + n))
	done
	printf '%s\n' "${rows[@]}" | sort -k1,1n -k2,2n | cut -d' ' -f3-
	echo "total $total"
}

bench_service_start()
{
	local ns=$1 conf=$2 log=$3 d
	for d in wan1 wan2; do
		if ! { ip -n "$ns" link add "$d" type veth peer name "${d}p" &&
			ip -n "$ns" link set "$d" up &&
			ip -n "$ns" link set "${d}p" up; }; then
			fg_fail "cannot create the uplink device $d"
		fi
	done
	fg_pin_dir svc >/dev/null || fg_fail "no pin folder"
	mkdir -p "$FG_TMP/track"
	fg_bg nsenter --net="/run/netns/$ns" -- "$FG_BIN" run \
		--pin-dir "$FG_PIN_DIR" --socket "$FG_TMP/fg.sock" \
		--mwan3-config "$conf" --mwan3-mask-file "$FG_TMP/no-mmx_mask" \
		--mwan3-track-dir "$FG_TMP/track" \
		-u wan1:wan1:0x100 -u wan2:wan2:0x200 >"$log" 2>&1
	BENCH_SVC_PID=$FG_LAST_PID
	drill_wait_log "$log" ' guarding ' 10000 >/dev/null ||
		fg_fail "the service did not start"
	fg_log "service: $(grep -m1 ' guarding ' "$log")"
	BENCH_SVC_ENV=(FLOWGUARD_SOCKET="$FG_TMP/fg.sock"
		FLOWGUARD_MWAN3_CONFIG="$conf"
		FLOWGUARD_MWAN3_MASK_FILE="$FG_TMP/no-mmx_mask"
		FLOWGUARD_PIN_DIR="$FG_PIN_DIR")
}
