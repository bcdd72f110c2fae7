# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# flowguard: `make` builds build/flowguard; `make test` and `make demo`
# install what they need (Debian packages), build, and run.

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

# Cross builds: `make CROSS_COMPILE=aarch64-linux-gnu-` (Debian's cross
# compiler and the target's -dev packages through multiarch: `make
# crossdeps`). The output goes to its own folder, build/aarch64, so a
# cross build never touches the native one; the BPF objects are the same
# clang -target bpf objects, taking the target's uapi headers and byte
# order (mips*-: big-endian, bpfeb; mipsel* and the others: bpfel).
ifneq ($(CROSS_COMPILE),)
CROSS_TRIPLET := $(patsubst %-,%,$(CROSS_COMPILE))
CROSS_CPU := $(firstword $(subst -, ,$(CROSS_TRIPLET)))
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
BUILD ?= build/$(CROSS_CPU)
MULTIARCH ?= $(CROSS_TRIPLET)
# the target's .pc files (multiarch), not the build host's
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
BPF_ARCH ?= $(shell echo $(CROSS_CPU) | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/mips.*/mips/')
ifneq ($(filter mips mips64 mipsisa32r6 mipsisa64r6,$(CROSS_CPU)),)
BPF_TARGET ?= bpfeb
endif
endif
# `make BPF_TARGET=bpfeb` on this host: the big-endian BPF objects (what a
# MIPS router loads), in a folder of their own. Only the objects: the
# bpftool here (Debian 12: 7.1, libbpf 1.1) refuses to open an object of
# the other byte order ("Endian mismatch"), so it makes no skeleton of it;
# libbpf learned that in late 2024, and a build of the binary for a
# big-endian CPU (OpenWrt's SDK) needs a bpftool that new.
ifeq ($(CROSS_COMPILE)$(BPF_TARGET),bpfeb)
BUILD ?= build/bpfeb
.DEFAULT_GOAL := bpf-objs
endif
CROSSDEPS_ARCH ?= arm64

BUILD ?= build
# ---- SANITIZE=1: flowguard, the tests and the tools with ASan and UBSan
# at -O1, into build/san (the normal build stays as it is); `make test
# SANITIZE=1` runs the suite on them. BPF objects are built as always.
ifeq ($(SANITIZE),1)
ifeq ($(origin BUILD),file)
BUILD := $(BUILD)/san
endif
export BUILD
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
CFLAGS ?= -O1 -g
override CFLAGS += $(SAN_FLAGS)
override LDFLAGS += $(SAN_FLAGS)
endif
# ---- end of SANITIZE

OBJ := $(BUILD)/obj
TBIN := $(BUILD)/tests

# Big-endian targets (MIPS) need bpfeb; pass BPF_TARGET=bpfeb when cross-building.
BPF_TARGET ?= bpfel
# Where Debian keeps asm/types.h; clang does not report it, gcc does.
MULTIARCH ?= $(shell gcc -print-multiarch 2>/dev/null || $(CC) -print-multiarch)
BPF_ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/mips.*/mips/')

CSTD := -std=gnu11
WARN := -Wall -Wextra -Werror
# CFLAGS and LDLIBS are the builder's (`make CFLAGS=-Os` replaces them
# whole, as a command line does); the project's own flags live apart and
# are always there: include paths, defines, -Werror.
CFLAGS ?= -O2 -g
LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf libmnl libnetfilter_conntrack 2>/dev/null)
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf libmnl libnetfilter_conntrack 2>/dev/null || \
	echo -lbpf -lnetfilter_conntrack -lnfnetlink -lmnl -lelf -lz)
FG_CFLAGS := $(CSTD) $(WARN) -Iinclude -I$(BUILD) -Iloader -D_GNU_SOURCE \
	$(LIBBPF_CFLAGS)
ALL_CFLAGS = $(FG_CFLAGS) $(CFLAGS)
ALL_LDLIBS = $(LDLIBS) $(LIBBPF_LIBS)

BPF_CFLAGS := -g -O2 -target $(BPF_TARGET) -Wall -Werror -Iinclude -Ibpf \
	-idirafter /usr/include/$(MULTIARCH) \
	-D__TARGET_ARCH_$(BPF_ARCH)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

LOADER_SRCS := $(wildcard loader/*.c)
LIB_SRCS := $(filter-out loader/main.c loader/cmd_%.c,$(LOADER_SRCS))
LIB_OBJS := $(patsubst loader/%.c,$(OBJ)/%.o,$(LIB_SRCS))
CMD_OBJS := $(patsubst loader/%.c,$(OBJ)/%.o,$(filter loader/main.c loader/cmd_%.c,$(LOADER_SRCS)))
LIBFG := $(BUILD)/libfg.a

TEST_SRCS := $(wildcard tests/unit/test_*.c tests/kernel/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(TBIN)/%,$(TEST_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(TBIN)/tools/%,$(TOOL_SRCS))
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(TBIN)/bench/%,$(BENCH_SRCS))

.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS) $(SKELS)
.PHONY: all deps test bench demo install clean check-tools tests-build \
	check-builds

all: $(BUILD)/flowguard

$(BUILD) $(OBJ) $(TBIN) $(TBIN)/unit $(TBIN)/kernel $(TBIN)/tools $(TBIN)/bench:
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/guard.h $(wildcard include/*.h) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

$(OBJ)/%.o: loader/%.c $(wildcard loader/*.h) $(wildcard include/*.h) $(SKELS) | $(OBJ)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBFG): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/flowguard: $(CMD_OBJS) $(LIBFG)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(ALL_LDLIBS) -o $@

$(TBIN)/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBFG) | $(TBIN)/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(LIBFG) $(ALL_LDLIBS) -o $@

TEST_HDRS := tests/unit/unit.h $(wildcard tests/kernel/*.h)

$(TBIN)/kernel/%: tests/kernel/%.c $(TEST_HDRS) $(LIBFG) $(SKELS) | $(TBIN)/kernel
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(LIBFG) $(ALL_LDLIBS) -o $@

$(TBIN)/tools/%: tests/tools/%.c $(LIBFG) | $(TBIN)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIBFG) $(ALL_LDLIBS) -o $@

$(TBIN)/bench/%: tests/bench/%.c $(TEST_HDRS) $(LIBFG) $(SKELS) | $(TBIN)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(LIBFG) $(ALL_LDLIBS) -o $@

# the BPF objects alone (make BPF_TARGET=bpfeb)
.PHONY: bpf-objs
bpf-objs: $(BPF_OBJS)

tests-build: all $(TEST_BINS) $(TOOL_BINS) $(BENCH_BINS)

# build/flowguard at each optimisation level a packager may pass as
# CFLAGS on the command line (OpenWrt: -Os), each in its own folder under
# CHECK_BUILD: none may lose the project's flags or trip -Werror (-O1 and
# -Os see maybe-uninitialized paths -O2 does not). Run by tests/test-build.sh.
CHECK_LEVELS ?= -O0 -O1 -O2 -Os
CHECK_BUILD ?= $(BUILD)/check
CHECK_TARGETS := $(addprefix check-build,$(CHECK_LEVELS))
.PHONY: $(CHECK_TARGETS)

check-builds: $(CHECK_TARGETS)

$(CHECK_TARGETS): check-build%:
	$(call msg,BUILD,$(CHECK_BUILD)/$(patsubst -%,%,$*) (CFLAGS=$* -g))
	$(Q)$(MAKE) --no-print-directory BUILD=$(CHECK_BUILD)/$(patsubst -%,%,$*) \
		CFLAGS="$* -g" all

# ---- fuzzing: the libFuzzer targets of tests/fuzz/ (tests/fuzz/run.sh
# says how they run). They and the library under them are built with clang,
# coverage and sanitizers into FUZZ_BUILD, a build of its own. `make fuzz
# FUZZ_TIME=60` fuzzes each target that many seconds; `make test` runs each
# a few seconds over its corpus (tests/test-fuzz.sh).
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(TBIN)/fuzz/%,$(FUZZ_SRCS))
FUZZ_BUILD ?= $(BUILD)/fuzz
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
.PHONY: fuzz fuzz-build fuzz-targets

$(TBIN)/fuzz:
	$(Q)mkdir -p $@

$(TBIN)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIBFG) | $(TBIN)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $< $(LIBFG) $(ALL_LDLIBS) -o $@

fuzz-targets: $(FUZZ_BINS)

fuzz-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(CLANG) \
		CFLAGS="$(FUZZ_CFLAGS)" LDFLAGS= SANITIZE= fuzz-targets

fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh $(FUZZ_TIME)
# ---- end of fuzzing

# Debian packages needed to build, test and demo; idempotent.
deps:
	$(Q)scripts/install-deps.sh

# the cross compiler and the target's -dev packages (Debian multiarch),
# for CROSSDEPS_ARCH (a Debian architecture, default arm64); not part of deps
.PHONY: crossdeps
crossdeps:
	$(Q)scripts/install-crossdeps.sh $(CROSSDEPS_ARCH)

test: deps
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)tests/run.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)tests/bench/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)scripts/demo.sh

# The VM tests (tests/vm/README.md): Debian 12's kernel 6.1 with nftables
# flow offload under qemu; not part of `make test`. VMTEST=name1,name2
# runs the tests whose names contain one of these.
.PHONY: vmdeps vmtest vmbench
vmdeps:
	$(Q)tests/vm/vmdeps.sh

vmtest: deps vmdeps
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)BUILD=$(BUILD) tests/vm/boot.sh $(VMTEST)

# The drill on another CPU (tests/vm/README.md): flowguard cross-built for
# arm64 (build/aarch64) in Debian 12's arm64 kernel under qemu (TCG: slow,
# so a few tests; VMTEST_ARM64 picks them like VMTEST), the VM's root made
# of extracted arm64 .debs in /var/tmp/flowguard-vm-arm64.
VMTEST_ARM64 ?= misroute_offload_ct,nobtf,unit
.PHONY: vmtest-arm64 vm-bins
vmtest-arm64: deps crossdeps
	$(Q)tests/vm/vmdeps.sh arm64
	$(Q)$(MAKE) --no-print-directory CROSS_COMPILE=aarch64-linux-gnu- \
		BUILD=build/aarch64 vm-bins
	$(Q)BUILD=build/aarch64 FG_VM_ARCH=arm64 FG_VM_TIMEOUT=$${FG_VM_TIMEOUT:-1500} \
		tests/vm/boot.sh $(VMTEST_ARM64)

# what the VM tests run: flowguard, the test tools, the unit tests
vm-bins: all $(TOOL_BINS) $(filter $(TBIN)/unit/%,$(TEST_BINS))

# The offload benchmark in the VM (tests/vm/README.md, Benchmarks);
# FG_VB_* and FG_BASE_BIN pass through; not part of vmtest.
vmbench: deps vmdeps
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)BUILD=$(BUILD) FG_VM_TIMEOUT=$${FG_VM_TIMEOUT:-3600} tests/vm/boot.sh --bench offload

# The man page only when there is one (scripts/*.8).
MAN_PAGES ?= $(wildcard scripts/*.8)
# The files `make install` puts in place, relative to DESTDIR.
INSTALLED := $(SBINDIR)/flowguard $(DATADIR)/flowguard/mwan3.user \
	$(DATADIR)/flowguard/flowguard.conf.example \
	$(SYSTEMDUNITDIR)/flowguard.service \
	$(addprefix $(MANDIR)/man8/,$(sort flowguard.8 $(notdir $(MAN_PAGES))))
INSTALL_PATHS := -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: uninstall
install: all
	install -D -m 0755 $(BUILD)/flowguard $(DESTDIR)$(SBINDIR)/flowguard
	install -d $(DESTDIR)$(DATADIR)/flowguard $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|/usr/sbin/flowguard|$(SBINDIR)/flowguard|g' scripts/mwan3.user \
		>$(DESTDIR)$(DATADIR)/flowguard/mwan3.user
	chmod 0755 $(DESTDIR)$(DATADIR)/flowguard/mwan3.user
	install -m 0644 scripts/flowguard.conf.example $(DESTDIR)$(DATADIR)/flowguard/
	sed $(INSTALL_PATHS) scripts/flowguard.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/flowguard.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/flowguard.service
	for m in $(MAN_PAGES); do \
		install -D -m 0644 "$$m" "$(DESTDIR)$(MANDIR)/man8/$${m##*/}" || exit 1; \
	done

# What install put in place goes; of the folders only our own.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR)/flowguard 2>/dev/null

clean:
	$(Q)rm -rf $(BUILD)
