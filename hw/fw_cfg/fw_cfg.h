/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's firmware configuration device as qemu-xen has it for direct kernel
 * boot: the item keys (QEMU docs/specs/fw_cfg.rst, "Selector Register"
 * and "Firmware Configuration Items") and the ports.
 */
#ifndef HW_FW_CFG_FW_CFG_H
#define HW_FW_CFG_FW_CFG_H

#define FW_CFG_IO_BASE 0x510 /* selector (16-bit write); data at +1 (8-bit) */
#define FW_CFG_IO_LEN  2

#define FW_CFG_SIGNATURE    0x00
#define FW_CFG_ID	    0x01
#define FW_CFG_UUID	    0x02
#define FW_CFG_NOGRAPHIC    0x04
#define FW_CFG_NB_CPUS	    0x05
#define FW_CFG_KERNEL_ADDR  0x07
#define FW_CFG_KERNEL_SIZE  0x08
#define FW_CFG_INITRD_ADDR  0x0a
#define FW_CFG_INITRD_SIZE  0x0b
#define FW_CFG_BOOT_MENU    0x0e
#define FW_CFG_KERNEL_DATA  0x11
#define FW_CFG_INITRD_DATA  0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR   0x16
#define FW_CFG_SETUP_SIZE   0x17
#define FW_CFG_SETUP_DATA   0x18
#define FW_CFG_FILE_DIR	    0x19
#define FW_CFG_FILE_FIRST   0x20
#define FW_CFG_FILE_SLOTS   0x20 /* QEMU's default file_slots */
#define FW_CFG_MAX_ENTRY    (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS)

#define FW_CFG_WRITE_CHANNEL 0x4000 /* ignored on select (writes are not supported) */
#define FW_CFG_ARCH_LOCAL    0x8000 /* the second, architecture-local, item table */
#define FW_CFG_ENTRY_MASK    0x3fff

#define FW_CFG_ID_TRADITIONAL 0x01 /* the port interface; no DMA (bit 1) under qemu-xen */

/* The option ROM SeaBIOS runs to boot the kernel (Debian: qemu-system-data). */
#define FW_CFG_LINUXBOOT_ROM "/usr/share/qemu/linuxboot.bin"

#endif
