# hvmdm — one GNU make build.
#
#   make            build build/hvmdm
#   make run        install what is missing, build, run the main job (README)
#   make test       install what is missing, build, run the whole suite, plain and ASan+UBSan
#   make check      the suite on what is built (no install step)
#   make SAN=1      the ASan+UBSan build, in build-san/
#   make V=1        show the commands
#   make BUILD=dir  objects somewhere else (parallel work trees)
#   make fuzz       libFuzzer targets (clang, build-fuzz/), FUZZ_TIME=s each (tests/fuzz/README.md)
#
# Source lists are explicit: a new file is one line below.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
else
BUILD ?= build
endif
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

CC ?= cc
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Werror -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wold-style-definition -Wundef -Wshadow -Wvla -Wwrite-strings -Wimplicit-fallthrough
OPT ?= -O2 -g
CFLAGS_BASE := -std=gnu11 $(OPT) $(WARN) -fstack-protector-strong -fno-strict-aliasing
CPPFLAGS_BASE := -I. -D_GNU_SOURCE
ifneq ($(SAN),1)
CPPFLAGS_BASE += -D_FORTIFY_SOURCE=2
endif
LDFLAGS_BASE :=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS_BASE += $(SANFLAGS)
LDFLAGS_BASE += $(SANFLAGS)
endif

# Libraries, each through pkg-config (libaio ships no .pc file).
PKGS_XEN := xendevicemodel xenforeignmemory xenevtchn xenstore xentoolcore xencontrol
PKGS := jansson libseccomp libvncserver $(PKGS_XEN)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS_jansson := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null)
PKG_LIBS_seccomp := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null)
PKG_LIBS_xen := $(shell $(PKG_CONFIG) --libs $(PKGS_XEN) 2>/dev/null)
PKG_LIBS_cmocka := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
PKG_LIBS_vnc := $(shell $(PKG_CONFIG) --libs libvncserver 2>/dev/null)
LIBS_aio := -laio

ALL_CFLAGS = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)
ALL_CPPFLAGS = $(CPPFLAGS_BASE) $(CPPFLAGS)
ALL_LDFLAGS = $(LDFLAGS_BASE) $(LDFLAGS)

# ---------------------------------------------------------------- sources
# The core every platform and device stands on (no OS interface beyond the loop).
CORE_SRCS := \
	dm/log.c \
	dm/bus.c \
	dm/memory.c \
	dm/loop.c \
	dm/device.c \
	dm/ioreq.c \
	dm/input.c \
	dm/display.c \
	dm/qemuopts.c \
	dm/runstate.c \
	dm/state.c \
	dm/strlist.c \
	dm/error.c \
	dm/growbuf.c \
	dm/file_load.c \
	dm/machine_types.c

# Device models (hw/): registers only, no OS interfaces.
HW_SRCS := \
	dm/devices.c \
	hw/pci/pci.c \
	hw/pci/i440fx.c \
	hw/pci/piix3.c \
	hw/pci/piix4_pm.c \
	hw/pci/xen_platform.c \
	hw/pci/pci_rom.c \
	hw/net/ether.c \
	hw/net/nic_mac.c \
	hw/net/eeprom93c46.c \
	hw/net/rtl8139.c \
	hw/net/rtl8139_cplus.c \
	hw/ide/ata.c \
	hw/ide/atapi.c \
	hw/ide/bmdma.c \
	hw/ide/piix_ide.c \
	hw/ide/ide_cmos.c \
	hw/isa/cmos.c \
	hw/isa/serial.c \
	hw/isa/i8042.c \
	hw/isa/ps2.c \
	hw/usb/usb_core.c \
	hw/usb/usb_desc.c \
	hw/usb/hid.c \
	hw/usb/uhci.c \
	hw/fw_cfg/fw_cfg.c \
	hw/fw_cfg/linux_boot.c \
	hw/net/e1000.c \
	hw/net/e1000_eeprom.c \
	hw/net/e1000_phy.c \
	hw/net/e1000_tx.c \
	hw/net/e1000_rx.c \
	hw/vga/vga_regs.c \
	hw/vga/vga_mem.c \
	hw/vga/vga_text.c \
	hw/vga/cirrus_regs.c \
	hw/vga/vga_adapter.c \
	hw/vga/vga_render.c \
	hw/vga/cirrus_blt.c \
	hw/vga/cirrus_mem.c \
	hw/vga/cirrus_cursor.c \
	hw/vga/cirrus_vga.c \
	hw/vga/bochs_vbe.c \
	hw/vga/stdvga.c

# Backends and services (chardev, block, qmp, ...).
BACKEND_SRCS := \
	dm/sandbox.c \
	dm/chardev.c \
	dm/net.c \
	dm/block.c \
	dm/drive.c \
	dm/blockdev.c \
	dm/fdset.c \
	dm/state_file.c \
	dm/qmp.c \
	dm/qmp_cmds.c \
	dm/qmp_screendump.c \
	dm/screendump.c \
	dm/qmp_qom.c \
	dm/qmp_vnc.c \
	dm/vnc.c \
	dm/vnc_opts.c \
	dm/vnc_proto.c \
	dm/vnc_input.c \
	dm/vnc_keymap.c

# The standalone platform: flat RAM, trace replay, qtest.
SIM_SRCS := \
	dm/sim/sim.c \
	dm/sim/trace.c \
	dm/sim/qtest.c \
	dm/sim/qtest_log.c \
	dm/sim/qtest_failfast.c \
	dm/sim/demo.c \
	dm/sim/sim_state.c

# The Xen platform: the only code that includes Xen headers.
XEN_SRCS := \
	dm/xen/xen.c \
	dm/xen/xen_ioreq.c \
	dm/xen/xen_irq.c \
	dm/xen/mapcache.c \
	dm/xen/record.c \
	dm/xen/xen_store.c

# The simulated hypervisor tests and benchmarks link in place of the libxen* libraries.
XENSIM_SRCS := \
	tests/xensim/xensim.c \
	tests/xensim/xensim_libs.c \
	tests/xensim/xensim_env.c

# The daemon's own glue.
MAIN_SRCS := \
	dm/main.c \
	dm/cmdline.c \
	dm/machine.c

LIB_SRCS := $(CORE_SRCS) $(HW_SRCS) $(BACKEND_SRCS) $(SIM_SRCS)
LIB_OBJS := $(addprefix $(BUILD)/,$(LIB_SRCS:.c=.o)) $(BUILD)/gen/keysym_names.o
XEN_OBJS := $(addprefix $(BUILD)/,$(XEN_SRCS:.c=.o))
MAIN_OBJS := $(addprefix $(BUILD)/,$(MAIN_SRCS:.c=.o))
GEN_OBJS := $(BUILD)/gen/demo_trace.o

HVMDM_LIBS := $(PKG_LIBS_xen) $(PKG_LIBS_jansson) $(PKG_LIBS_seccomp) $(PKG_LIBS_vnc) $(LIBS_aio) -lm
# A test whose unit_extra lists tests/xensim gets xensim instead of the real libxen*.
HVMDM_LIBS_XENSIM := $(filter-out $(PKG_LIBS_xen),$(HVMDM_LIBS)) -pthread

# ---------------------------------------------------------------- unit tests
# Each tests/unit/test_NAME.c is a cmocka program linked against libhvmdm.a
# (the linker takes only the objects it needs) plus unit_extra_NAME objects.
UNIT_TESTS := \
	ide \
	fw_cfg \
	bad_input \
	trace \
	machine \
	sandbox \
	block \
	pci \
	i440fx \
	piix3 \
	cmos \
	piix4_pm \
	xen_platform \
	serial \
	chardev \
	net \
	rtl8139 \
	i8042 \
	ps2 \
	qmp \
	qemuopts \
	cmdline \
	strlist \
	bus \
	memory \
	ioreq \
	log \
	loop \
	device \
	state \
	xen_ioreq \
	xen_lifecycle \
	xen_mapcache \
	vga_regs \
	vga_mem \
	vga_text \
	usb \
	cirrus_regs \
	cirrus_blt \
	cirrus_mem \
	cirrus_vga \
	display \
	vga_adapter \
	e1000 \
	vnc \
	stdvga

# dm/xen tests: the real dm/xen code against tests/xensim (no libxen* linked).
unit_extra_xen_ioreq := $(XEN_SRCS) $(XENSIM_SRCS)
unit_extra_xen_lifecycle := $(XEN_SRCS) $(XENSIM_SRCS)
unit_extra_xen_mapcache := $(XEN_SRCS) $(XENSIM_SRCS) dm/machine.c

# The i440FX test reads the golden dumps and QEMU transcripts.
unit_extra_i440fx := tests/golden/golden.c
# The PIIX4 PM and Xen platform tests compare with the golden config dumps (dev_rig.h).
unit_extra_piix4_pm := tests/golden/golden.c
unit_extra_usb := tests/golden/golden.c dm/machine.c
unit_extra_xen_platform := tests/golden/golden.c
unit_extra_e1000 := tests/golden/golden.c
unit_extra_rtl8139 := tests/golden/golden.c
unit_extra_cirrus_vga := tests/golden/golden.c
unit_extra_stdvga := tests/golden/golden.c

# The bad-input test builds the real boards on the sim platform.
unit_extra_bad_input := dm/machine.c

# The trace executor builds a machine (dm/machine.c is not in the library).
unit_extra_trace := dm/machine.c
unit_extra_machine := dm/machine.c

# The command line (dm/cmdline.c is the daemon's, not in the library).
unit_extra_cmdline := dm/cmdline.c

# The VNC test decodes vncsnapshot's JPEG screenshot.
unit_libs_vnc := -ljpeg

UNIT_BINS := $(addprefix $(BUILD)/tests/unit/test_,$(UNIT_TESTS))

# ---------------------------------------------------------------- rules
.PHONY: all run test check clean deps san bench format format-check help e2e
all: $(BUILD)/hvmdm

$(BUILD)/libhvmdm.a: $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/hvmdm: $(MAIN_OBJS) $(XEN_OBJS) $(GEN_OBJS) $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJS) $(XEN_OBJS) $(GEN_OBJS) $(BUILD)/libhvmdm.a $(HVMDM_LIBS)

# The demo trace `hvmdm` runs with no arguments, embedded as a C array (od: coreutils).
$(BUILD)/gen/demo_trace.c: dm/sim/demo.trace
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q){ echo '#include "dm/sim/demo.h"'; echo 'const char demo_trace[] = {'; \
	  od -An -v -tx1 $< | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0 };'; echo 'const size_t demo_trace_len = sizeof(demo_trace) - 1;'; } > $@.tmp
	$(Q)mv $@.tmp $@

# X11 keysym names for the VNC keymaps (dm/vnc_keymap.c), from x11proto-dev's keysymdef.h.
KEYSYMDEF ?= /usr/include/X11/keysymdef.h
$(BUILD)/gen/keysym_names.c: $(KEYSYMDEF)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q){ echo '#include <stddef.h>'; echo '#include <stdint.h>'; \
	  echo 'struct keysym_name { const char *name; uint32_t keysym; };'; \
	  echo 'extern const struct keysym_name keysym_names[];'; \
	  echo 'extern const size_t keysym_names_len;'; \
	  echo 'const struct keysym_name keysym_names[] = {'; \
	  sed -n 's/^#define XK_\([A-Za-z0-9_]*\)[ \t]*\(0x[0-9a-fA-F]*\).*/\t{ "\1", \2 },/p' $<; \
	  echo '};'; \
	  echo 'const size_t keysym_names_len = sizeof(keysym_names) / sizeof(keysym_names[0]);'; \
	  } > $@.tmp
	$(Q)mv $@.tmp $@

$(GEN_OBJS) $(BUILD)/gen/keysym_names.o: $(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $$(addprefix $(BUILD)/,$$(subst .c,.o,$$(unit_extra_$$*))) $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a $(PKG_LIBS_cmocka) \
		$(if $(filter $(XENSIM_SRCS),$(unit_extra_$*)),$(HVMDM_LIBS_XENSIM),$(HVMDM_LIBS)) \
		$(unit_libs_$*)

# Benchmarks: built on request, never part of the tests.
# ioreq round trips through dm/xen against the simulated hypervisor.
$(BUILD)/bench/bench_xensim: $(BUILD)/bench/bench_xensim.o $(XEN_OBJS) \
		$(addprefix $(BUILD)/,$(XENSIM_SRCS:.c=.o)) $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a $(HVMDM_LIBS_XENSIM)

$(BUILD)/bench/bench_ide: $(BUILD)/bench/bench_ide.o $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a $(HVMDM_LIBS)

$(BUILD)/bench/bench_vga: $(BUILD)/bench/bench_vga.o $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a $(HVMDM_LIBS)

$(BUILD)/bench/bench_dispatch: $(BUILD)/bench/bench_dispatch.o $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a $(HVMDM_LIBS)

$(BUILD)/bench/bench_cirrus_blt: $(BUILD)/bench/bench_cirrus_blt.o $(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a $(HVMDM_LIBS)

unit: $(UNIT_BINS)

deps:
	$(Q)scripts/deps.sh

# Parallel sub-builds for the README's commands (the machine has 2 cores; CI too).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# The README's first command: install, build, run the main job on its embedded default.
run: deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all
	$(Q)$(BUILD)/hvmdm

# The README's second command: install, build both flavours, run everything.
test: deps format-check
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all unit
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) SAN=1 all unit
	$(Q)scripts/run-tests.sh build build-san

# The suite on whatever is already built in $(BUILD).
check: all unit
	$(Q)scripts/run-tests.sh $(BUILD)

san:
	$(Q)$(MAKE) --no-print-directory SAN=1 all unit

bench: all
	$(Q)bench/run.sh $(BUILD)

# The end-to-end test under the real Xen, nested in QEMU TCG (tests/e2e/README.md):
# builds and caches a dom0 image on first use (about 3 minutes), then boots it.
e2e: all
	$(Q)tests/e2e/e2e.sh $(BUILD)

# Every C file and header of the daemon; CI (make test) fails on any difference.
FORMAT_FILES = $(CORE_SRCS) $(HW_SRCS) $(BACKEND_SRCS) $(SIM_SRCS) $(XEN_SRCS) $(MAIN_SRCS) \
	$(wildcard dm/*.h dm/*/*.h hw/*/*.h)

format:
	$(Q)clang-format -i $(FORMAT_FILES)

format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES) || \
		{ echo "format-check: run 'make format' (.clang-format)"; exit 1; }

clean:
	rm -rf build build-san build-*

# ---------------------------------------------------------------- fuzzing (tests/fuzz)
# libFuzzer targets, built by clang with -fsanitize=fuzzer,address,undefined in
# their own directory: `make fuzz FUZZ_TIME=600` fuzzes every configuration of
# tests/fuzz/configs.c for that many seconds each; `make fuzz-build` only builds.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
# Targets: fuzz-generic (binary ioreq-shaped operations, one run per config) and
# fuzz-trace (trace text through the parser); each is tests/fuzz/fuzz_NAME.c.
FUZZ_TARGETS := generic trace
FUZZ_SRCS := tests/fuzz/harness.c tests/fuzz/configs.c dm/machine.c dm/cmdline.c
.PHONY: fuzz fuzz-build
fuzz-build:
	$(Q)$(MAKE) --no-print-directory SAN=1 BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
		CFLAGS=-fsanitize=fuzzer-no-link \
		$(addprefix $(FUZZ_BUILD)/tests/fuzz/fuzz-,$(FUZZ_TARGETS))

$(BUILD)/tests/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz_%.o $(addprefix $(BUILD)/,$(FUZZ_SRCS:.c=.o)) \
		$(BUILD)/libhvmdm.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(BUILD)/libhvmdm.a \
		$(HVMDM_LIBS_XENSIM)

fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
