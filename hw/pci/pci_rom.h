/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PCI expansion ROM read from a file at start-up (QEMU's romfile=): the
 * file's bytes through the ROM BAR, zeros up to its power-of-two size (at
 * least 2 KiB), as QEMU's pci_add_option_rom presents it. The bytes come
 * through dm/file_load; hw/ opens nothing itself.
 */
#ifndef HW_PCI_PCI_ROM_H
#define HW_PCI_PCI_ROM_H

#include <stdint.h>

#include "dm/bus.h"

struct pci_func;

struct pci_rom {
	struct region region;
	uint8_t *data; /* NULL: no ROM */
	uint32_t len, size;
};

/*
 * Load path (NULL or "": no ROM, 0) and declare the ROM BAR of f. A missing
 * or unreadable file is an error logged by who naming path and the Debian
 * package that ships it. Before pci_func_attach. 0 or -errno.
 */
__attribute__((warn_unused_result)) int pci_rom_load(struct pci_func *f, struct pci_rom *rom,
						     const char *path, const char *package,
						     const char *who);
void pci_rom_free(struct pci_rom *rom);

#endif
