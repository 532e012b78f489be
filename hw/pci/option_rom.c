// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI expansion ROM from a file (option_rom.h; PCI Local Bus Specification
 * 3.0 §6.3.3 Expansion ROM; QEMU hw/pci/pci.c pci_add_option_rom for the
 * size rounding and the zero padding).
 */
#include "hw/pci/option_rom.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/file_load.h"
#include "dm/log.h"
#include "hw/pci/pci.h"

#define ROM_MAX (16u << 20)
#define ROM_MIN 2048u

static uint64_t rom_read(void *opaque, uint64_t off, unsigned size)
{
	const struct option_rom *r = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		if (off + i < r->len)
			v |= (uint64_t)r->data[off + i] << (8 * i);
	return v;
}

static void rom_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)opaque;
	(void)val;
	guest_err("option-rom", "write of %u bytes at +%#llx: read-only", size,
		  (unsigned long long)off);
}

static const struct region_ops rom_ops = {
	.read = rom_read,
	.write = rom_write,
	.min_size = 1,
	.max_size = 8,
	.unaligned_ok = true,
};

int option_rom_attach(struct option_rom *r, struct pci_func *f, const char *who, const char *path,
		      const char *package)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (!path || !*path)
		return 0;
	ret = file_load(path, ROM_MAX, &r->data, &r->len);
	if (!ret && !r->len)
		ret = -EINVAL;
	if (ret) {
		dm_err(who, "cannot read the option ROM %s: %s (it is in Debian's %s package)",
		       path,
		       ret == -EINVAL  ? "empty or not a regular file"
		       : ret == -EFBIG ? "larger than 16 MiB"
				       : strerror(-ret),
		       package);
		option_rom_free(r);
		return ret;
	}
	r->size = ROM_MIN;
	while (r->size < r->len)
		r->size <<= 1;
	r->region = (struct region){ .name = "option-rom", .ops = &rom_ops, .opaque = r };
	ret = pci_bar_init(f, PCI_ROM_SLOT, PCI_BAR_ROM, r->size, &r->region);
	if (ret) {
		dm_err(who, "ROM BAR: %s", strerror(-ret));
		option_rom_free(r);
	}
	return ret;
}

void option_rom_free(struct option_rom *r)
{
	free(r->data);
	r->data = NULL;
	r->len = r->size = 0;
}
