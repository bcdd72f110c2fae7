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
# warn about. Also: the big-endian BPF objects (bpfeb), the layout under
# MIPS ABIs, the poisoned header bitfields, the arm64 cross build.
# Run: tests/run.sh build

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

# `make BPF_TARGET=bpfeb`: the big-endian objects a MIPS router loads,
# in their own folder, ELF data MSB (byte 5 of the ELF header: 2) and
# machine BPF (247); the native build's objects stay LSB (1).
test_bpfeb_objects()
{
	local o
	fg_init
	make -C "$FG_ROOT" --no-print-directory BPF_TARGET=bpfeb \
		BUILD="$FG_TMP/be" >"$FG_TMP/make.log" 2>&1 || {
		tail -n 30 "$FG_TMP/make.log" >&2
		fg_fail "make BPF_TARGET=bpfeb failed"
	}
	for o in flowguard_ct flowguard_skbmark; do
		[[ -f $FG_TMP/be/$o.bpf.o ]] || fg_fail "$o.bpf.o not built"
		[[ $(_elf_byte "$FG_TMP/be/$o.bpf.o" 5) == 2 ]] ||
			fg_fail "$o.bpf.o is not big-endian"
		[[ $(_elf_byte "$FG_TMP/be/$o.bpf.o" 19) == 247 ]] ||
			fg_fail "$o.bpf.o is not a BPF object"
		[[ $(_elf_byte "$FG_ROOT/$BUILD/$o.bpf.o" 5) == 1 ]] ||
			fg_fail "the native $o.bpf.o is not little-endian"
	done
}

# _elf_byte FILE N: the byte at offset N, in decimal
_elf_byte() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }

# The guard reads no uapi header bitfield (iphdr's ihl and version ...):
# their layout follows the build host's asm/byteorder.h, little-endian
# here, wrong in a bpfeb object. guard.h poisons them: a use fails the
# build, in either byte order.
test_bpf_header_bitfields_poisoned()
{
	local t
	fg_init
	printf '#include "guard.h"\nint f(struct iphdr *h) { return h->ihl; }\n' \
		>"$FG_TMP/bitfield.c"
	for t in bpfel bpfeb; do
		! clang -O2 -target "$t" -I"$FG_ROOT/include" -I"$FG_ROOT/bpf" \
			-idirafter "/usr/include/$(gcc -print-multiarch)" \
			-c "$FG_TMP/bitfield.c" -o "$FG_TMP/bitfield.o" \
			2>"$FG_TMP/cc.log" || fg_fail "$t: a use of iphdr.ihl compiled"
		grep -q poisoned "$FG_TMP/cc.log" ||
			fg_fail "$t: not refused as poisoned: $(head -n 3 "$FG_TMP/cc.log")"
	done
}

# The shared structs' layout (include/fg_layout.h: every field's offset
# and size) holds under the ABIs of OpenWrt's big-endian CPUs, as clang
# lays them out: 32-bit MIPS (o32, __u64 aligned to 8) and 64-bit MIPS.
test_layout_mips_abis()
{
	local t
	fg_init
	for t in mips-linux-gnu mips64-linux-gnuabi64; do
		printf '#include "flowguard.h"\n_Static_assert(__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__, "big-endian");\n' |
			clang -target "$t" -fsyntax-only -I"$FG_ROOT/include" \
				-idirafter "/usr/include/$(gcc -print-multiarch)" \
				-x c - 2>"$FG_TMP/cc.log" ||
			fg_fail "$t: $(head -n 5 "$FG_TMP/cc.log")"
		fg_log "$t: layout asserts hold"
	done
}

# `make CROSS_COMPILE=aarch64-linux-gnu-`: an arm64 binary, in build/aarch64
# by default (when BUILD is not in the environment; here a folder of the
# test's). Needs `make crossdeps` (the cross compiler and arm64 -dev
# packages): skipped without them.
test_cross_arm64()
{
	fg_init
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		fg_skip "no aarch64-linux-gnu-gcc: make crossdeps"
	# a compiler alone is not enough: the target's libraries too
	dpkg -s libbpf-dev:arm64 libmnl-dev:arm64 \
		libnetfilter-conntrack-dev:arm64 >/dev/null 2>&1 ||
		fg_skip "the arm64 -dev packages are missing: make crossdeps"
	# never sanitized (the target has no ASan runtime here): SANITIZE=
	# overrides what `make test SANITIZE=1` passes down
	env -u BUILD make -C "$FG_ROOT" --no-print-directory -n -B V=1 \
		SANITIZE= CROSS_COMPILE=aarch64-linux-gnu- all 2>&1 |
		grep -q '^aarch64-linux-gnu-gcc .* -o build/aarch64/flowguard$' ||
		fg_fail "a cross build does not link build/aarch64/flowguard with aarch64-linux-gnu-gcc"
	make -C "$FG_ROOT" --no-print-directory -j2 CROSS_COMPILE=aarch64-linux-gnu- \
		SANITIZE= BUILD="$FG_TMP/a64" >"$FG_TMP/make.log" 2>&1 || {
		tail -n 30 "$FG_TMP/make.log" >&2
		fg_fail "make CROSS_COMPILE=aarch64-linux-gnu- failed"
	}
	file "$FG_TMP/a64/flowguard" | tee -a "$FG_TMP/file.log" |
		grep -q 'ELF 64-bit LSB.*ARM aarch64' ||
		fg_fail "not an aarch64 binary: $(cat "$FG_TMP/file.log")"
}
