// SPDX-License-Identifier: GPL-2.0-only
/* PCI expansion ROMs from files (pci_rom.h). */
#include "hw/pci/pci_rom.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/file_load.h"
#include "dm/log.h"
#include "hw/pci/pci.h"

#define ROM_MAX (16u << 20)

static uint64_t rom_read(void *opaque, uint64_t off, unsigned size)
{
	const struct pci_rom *rom = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		if (off + i < rom->len)
			v |= (uint64_t)rom->data[off + i] << (8 * i);
	return v;
}

/* A ROM ignores writes. */
static void rom_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)val;
	(void)size;
}

static const struct region_ops rom_ops = {
	.read = rom_read,
	.write = rom_write,
	.min_size = 1,
	.max_size = 8,
	.unaligned_ok = true,
};

int pci_rom_load(struct pci_func *f, struct pci_rom *rom, const char *path, const char *package,
		 const char *who)
{
	int r;

	memset(rom, 0, sizeof(*rom));
	if (!path || !*path)
		return 0;
	r = file_load(path, ROM_MAX, &rom->data, &rom->len);
	if (r) {
		dm_err(who,
		       "option ROM %s: %s (Debian package %s; romfile= names another, "
		       "romfile= with nothing for none)",
		       path, strerror(-r), package);
		return r;
	}
	for (rom->size = 2048; rom->size < rom->len; rom->size <<= 1)
		;
	rom->region = (struct region){ .name = "rom", .ops = &rom_ops, .opaque = rom };
	return pci_bar_init(f, PCI_ROM_SLOT, PCI_BAR_ROM, rom->size, &rom->region);
}

void pci_rom_free(struct pci_rom *rom)
{
	free(rom->data);
	rom->data = NULL;
}
