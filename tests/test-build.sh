# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-build.sh - a packager's CFLAGS on make's command line (OpenWrt
# builds with -Os) replace the default -O2 -g, never the project's own
# flags: every compile line keeps -std, -Werror, the include paths and
# defines, and the build passes -Werror at -O1 and -Os (which see
# maybe-uninitialized paths -O2 does not), each in a folder of its own.
# All four levels (-O0 -O1 -O2 -Os) build with `make check-builds`: too
# slow for the suite on a loaded machine (about 30 s of CPU), so here only
# the two that differ from what `make test` itself builds and tends to
# warn about. Run: tests/run.sh build

BUILD_LEVELS=(-O0 -O1 -O2 -Os)

# Nothing is built: make -n shows each level's compile line of one file.
test_cflags_keep_project_flags()
{
	local o line f
	fg_init
	for o in "${BUILD_LEVELS[@]}"; do
		line=$(make -C "$FG_ROOT" -n -B V=1 BUILD="$FG_TMP/n$o" \
			CFLAGS="$o" "$FG_TMP/n$o/obj/mark.o" | grep -F 'loader/mark.c') ||
			fg_fail "CFLAGS=$o: no compile line for loader/mark.c"
		fg_log "CFLAGS=$o: $line"
		for f in "$o" -std=gnu11 -Wall -Wextra -Werror -Iinclude \
			"-I$FG_TMP/n$o" -Iloader -D_GNU_SOURCE; do
			[[ " $line " == *" $f "* ]] ||
				fg_fail "CFLAGS=$o: $f missing from: $line"
		done
		[[ $o == -O2 || " $line " != *" -O2 "* ]] ||
			fg_fail "CFLAGS=$o: the default -O2 is still there: $line"
	done
}

test_builds_at_O1_and_Os()
{
	local t0 o d
	fg_init
	t0=$(fg_now_ms)
	make -C "$FG_ROOT" --no-print-directory -j2 CHECK_BUILD="$FG_TMP/check" \
		CHECK_LEVELS="-O1 -Os" check-builds >"$FG_TMP/make.log" 2>&1 || {
		tail -n 30 "$FG_TMP/make.log" >&2
		fg_fail "make check-builds CHECK_LEVELS=\"-O1 -Os\" failed"
	}
	for o in O1 Os; do
		d=$FG_TMP/check/$o
		[[ -x $d/flowguard ]] || fg_fail "$d/flowguard not built"
		"$d/flowguard" --help >/dev/null ||
			fg_fail "$d/flowguard --help failed"
	done
	fg_log "built at -O1 and -Os in $(($(fg_now_ms) - t0)) ms"
}
