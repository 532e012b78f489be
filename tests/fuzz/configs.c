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

/*
 * e1000 at 00:03.0 (BAR0 where the set-up puts it, 0xe1000000): the PHY in
 * loopback (BMCR bit 14, 8254x SDM 13.5.1), so every frame the fuzzer's
 * transmit descriptors build comes back into the receive ring: the RX
 * source is the fuzz input itself, with no socket. Rings of 256 descriptors
 * at 1 and 2 MiB (the first 16 RX descriptors with buffers), every filter
 * open, every interrupt unmasked, and QEMU's 1 s receive pause after the
 * RCTL write passed.
 */
static const char *const e1000_init[] = {
	"pcicfg w 0000:00:01.3 0x40 4 0xb001",
	"pcicfg w 0000:00:01.3 0x80 1 0x1",
	"writel 0xe1000020 0x04204140",
	/* 16 receive descriptors with 2 KiB buffers from 4 MiB (the rest: the input's pattern) */
	"write 0x100000 256 0x"
	"00004000000000000000000000000000000840000000000000000000000000000010400000000000"
	"00000000000000000018400000000000000000000000000000204000000000000000000000000000"
	"00284000000000000000000000000000003040000000000000000000000000000038400000000000"
	"00000000000000000040400000000000000000000000000000484000000000000000000000000000"
	"00504000000000000000000000000000005840000000000000000000000000000060400000000000"
	"00000000000000000068400000000000000000000000000000704000000000000000000000000000"
	"00784000000000000000000000000000",
	"writel 0xe1002800 0x100000",
	"writel 0xe1002808 0x1000",
	"writel 0xe1002818 0xff",
	"writel 0xe1000100 0x0200803e",
	"writel 0xe1003800 0x200000",
	"writel 0xe1003808 0x1000",
	"writel 0xe1000400 0x2",
	"writel 0xe10000d0 0x1ffff",
	"clock_step 1000000000",
	NULL,
};

/*
 * rtl8139 at 00:03.0 (BAR1, its registers in memory space, at 0xe1000000):
 * TCR loopback (datasheet 6: TCR LBK), so every frame the input transmits,
 * from the TSD slots or the C+ ring, comes back into the receive path: the
 * RX source is the fuzz input. C-mode ring at 1 MiB (WRAP on, every filter
 * open), four TSAD buffers from 2 MiB, a C+ receive ring of 16 owned
 * descriptors at 3 MiB with buffers from 4 MiB (C+ mode is the input's to
 * turn on through CPCR), every interrupt unmasked.
 */
static const char *const rtl8139_init[] = {
	"pcicfg w 0000:00:01.3 0x40 4 0xb001",
	"pcicfg w 0000:00:01.3 0x80 1 0x1",
	"writeb 0xe1000037 0x0c",
	"writel 0xe1000040 0x00060000",
	"writel 0xe1000030 0x100000",
	"writel 0xe1000044 0x0000008f",
	"writel 0xe1000020 0x200000",
	"writel 0xe1000024 0x200800",
	"writel 0xe1000028 0x201000",
	"writel 0xe100002c 0x201800",
	"write 0x300000 256 0x"
	"00060080000000000000400000000000000600800000000000084000000000000006008000000000"
	"00104000000000000006008000000000001840000000000000060080000000000020400000000000"
	"00060080000000000028400000000000000600800000000000304000000000000006008000000000"
	"00384000000000000006008000000000004040000000000000060080000000000048400000000000"
	"00060080000000000050400000000000000600800000000000584000000000000006008000000000"
	"00604000000000000006008000000000006840000000000000060080000000000070400000000000"
	"000600c0000000000078400000000000",
	"writel 0xe10000e4 0x300000",
	"writel 0xe10000e8 0x0",
	"writew 0xe100003c 0xffff",
	NULL,
};

/* Cirrus: PIIX4 PM as above, colour decode, extensions unlocked (SR6), 8 bpp SVGA (SR7). */
static const char *const cirrus_init[] = {
	"pcicfg w 0000:00:01.3 0x40 4 0xb001",
	"pcicfg w 0000:00:01.3 0x80 1 0x1",
	"outb 0x3c2 0x01",
	"outb 0x3c4 0x06",
	"outb 0x3c5 0x12",
	"outb 0x3c4 0x07",
	"outb 0x3c5 0x01",
	NULL,
};

/*
 * Standard VGA at 00:03.0 (BAR0 framebuffer 0xe1000000, BAR2 registers
 * 0xe2000000): colour decode, the palette visible (attribute PAS), and a
 * Bochs VBE mode on (320x200x8: small, as the renderer runs instrumented), so the input starts from
 * a framebuffer that scans out; the harness refreshes the display between operations (the renderer
 * reads VRAM as each register mix directs it: ASan sees any byte outside VRAM).
 */
static const char *const stdvga_init[] = {
	"pcicfg w 0000:00:01.3 0x40 4 0xb001",
	"pcicfg w 0000:00:01.3 0x80 1 0x1",
	"outb 0x3c2 0x67",
	"inb 0x3da",
	"outb 0x3c0 0x20",
	"outw 0x1ce 0x1",
	"outw 0x1cf 0x140",
	"outw 0x1ce 0x2",
	"outw 0x1cf 0xc8",
	"outw 0x1ce 0x3",
	"outw 0x1cf 0x8",
	"outw 0x1ce 0x4",
	"outw 0x1cf 0x41",
	NULL,
};

/*
 * UHCI (BAR4 at 0xc020, after the IDE function's 16 bytes): port 1 reset and
 * enabled, a frame list at 0x10000 whose first 8 entries link the QH at 0x11000
 * (element: the TD at 0x12000), running; the fuzzer writes the schedule.
 */
static const char *const usb_init[] = {
	"pcicfg w 0000:00:01.3 0x40 4 0xb001",
	"pcicfg w 0000:00:01.3 0x80 1 0x1",
	"outw 0xc030 0x0200",
	"outw 0xc030 0x0000",
	"outw 0xc030 0x000e",
	"write 0x10000 32 0x0210010002100100021001000210010002100100021001000210010002100100",
	"writel 0x11000 0x1",
	"writel 0x11004 0x12000",
	"outl 0xc028 0x10000",
	"outw 0xc024 0x000f",
	"outw 0xc020 0x0001",
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
	{
	    .name = "e1000",
	    .help = "the chipset with an e1000 (82540EM) in PHY loopback: TX descriptors the "
		    "input writes become the frames its RX ring receives",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null "
		    "-device e1000,mac=00:16:3e:00:00:01,romfile=",
	    .init = e1000_init,
	},
	{
	    .name = "rtl8139",
	    .help = "the chipset with an rtl8139 (RTL8139C+) in TCR loopback: frames the input "
		    "transmits (TSD slots or the C+ ring) come back into its receive ring",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null "
		    "-device rtl8139,mac=00:16:3e:00:00:02,romfile=",
	    .init = rtl8139_init,
	},
	{
	    .name = "cirrus",
	    .help = "the chipset with libxl's default display, -device cirrus-vga,vgamem_mb=8: "
		    "extension registers unlocked, an SVGA mode, so the BitBLT engine, banks, "
		    "write modes 4/5 and the BLT MMIO are one write away (ASan watches VRAM)",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null -device cirrus-vga,vgamem_mb=8",
	    .init = cirrus_init,
	},
	{
	    .name = "stdvga",
	    .help = "the chipset with the standard VGA: VGA ports and window, Bochs VBE "
		    "(ports and BAR2), the framebuffer, the renderer",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null "
		    "-device VGA,vgamem_mb=4,romfile=",
	    .init = stdvga_init,
	},
	{
	    .name = "usb",
	    .help = "the chipset with -usb: PIIX3 UHCI at 00:01.2, a usb-tablet and a usb-kbd "
		    "on its ports, the schedule running",
	    .argv = "-machine xenfv -nodefaults -m 16 -serial null -usb -usbdevice tablet "
		    "-device usb-kbd,bus=usb-bus.0,port=2",
	    .init = usb_init,
	},
	{ .name = NULL },
};
