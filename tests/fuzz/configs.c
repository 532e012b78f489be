// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device sets the fuzzer targets, one row each. A new device gets
 * fuzzed by adding a row: a name, the machine argv that creates it (as
 * libxl would pass it; @DISK@ and @CD@ are images the harness makes) and
 * any set-up lines a driver would do before the interesting part (the
 * firmware-like BAR assignment and PIRQ routing is done for every row).
 * tests/fuzz/run.sh and tests/suites/fuzz.sh fuzz every row.
 */
#include <stddef.h>

#include "tests/fuzz/harness.h"

/* PIIX4 PM: I/O space at 0xb000 with PMREGMISC's enable, as hvmloader programs it. */
static const char *const chipset_init[] = {
	"pcicfg w 0000:00:01.3 0x40 4 0xb001",
	"pcicfg w 0000:00:01.3 0x80 1 0x1",
	NULL,
};

const struct fuzz_config fuzz_configs[] = {
	{
	    .name = "chipset",
	    .help = "xenfv board: i440FX, PIIX3, PIIX3 IDE (no drives), PIIX4 PM, Xen "
		    "platform device, CMOS, i8042, port 92, COM1",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null",
	    .init = chipset_init,
	},
	{
	    .name = "ide",
	    .help = "the chipset with an IDE disk (primary master) and a CD-ROM (secondary "
		    "master), bus-master DMA",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null "
		    "-drive file=@DISK@,if=ide,index=0,media=disk,format=raw,cache=unsafe "
		    "-drive if=none,readonly=on,id=ide-5632,file=@CD@,format=raw "
		    "-device ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0",
	    .init = chipset_init,
	},
	{
	    .name = "pc-ide-slave",
	    .help = "-machine pc (no Xen platform device) with only a primary slave disk: "
		    "commands to the absent master of a non-empty channel",
	    .argv = "-machine pc -nodefaults -m 16 "
		    "-drive file=@DISK@,if=ide,index=1,media=disk,format=raw,cache=unsafe",
	    .init = chipset_init,
	},
	{
	    .name = "fw-cfg",
	    .help = "the chipset booting a kernel directly: fw_cfg at 0x510/0x511 with the "
		    "Linux boot items, the file directory and the linuxboot ROM",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null -kernel @KERNEL@ "
		    "-append console=ttyS0",
	    .init = chipset_init,
	},
	{ .name = NULL },
};
