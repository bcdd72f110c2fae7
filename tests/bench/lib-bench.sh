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
