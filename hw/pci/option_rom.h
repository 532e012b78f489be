/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PCI expansion ROM read from a file at start-up (SeaBIOS's vgabios-*.bin,
 * iPXE's efi-*.rom), presented in the function's ROM BAR as QEMU's
 * pci_add_option_rom does: the BAR is the file size rounded up to a power
 * of two (at least 2 KiB), the bytes past the file read 0, writes are
 * dropped. The file is read through dm/file_load; hw/ never opens it.
 */
#ifndef HW_PCI_OPTION_ROM_H
#define HW_PCI_OPTION_ROM_H

#include <stdint.h>

#include "dm/bus.h"

struct pci_func;

struct option_rom {
	uint8_t *data;
	uint32_t len;  /* bytes of the file */
	uint32_t size; /* BAR size */
	struct region region;
};

/*
 * Read path (at most 16 MiB) and declare it as f's ROM BAR. A missing or
 * empty file is an error naming it and the Debian package it comes in
 * (package), logged as who: 0 or -errno. path NULL or "": no ROM, 0.
 */
__attribute__((warn_unused_result)) int option_rom_attach(struct option_rom *r, struct pci_func *f,
							  const char *who, const char *path,
							  const char *package);
void option_rom_free(struct option_rom *r);

#endif
