/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fw_cfg, QEMU's firmware configuration interface, as qemu-xen creates it
 * (pc.c xen_load_linux, fw_cfg_init_io) when a kernel is booted directly:
 * only then, on the I/O ports only, without the DMA interface. QEMU's
 * docs/specs/fw_cfg.rst is the spec followed: a 16-bit write to the
 * selector (0x510) picks an item and rewinds it; each 8-bit read of the data
 * port (0x511) returns the item's next byte, 0 past its end or for an item
 * that is not there. Bit 15 of the key selects the architecture-local
 * table, bit 14 (the write channel) is ignored; keys past the last file slot
 * select nothing. Data writes are ignored (QEMU 2.4 and later).
 *
 * Items (what the golden capture read back from qemu-xen, ioreq-a.trace):
 * signature "QEMU", ID 1 (no DMA), a zero UUID, NOGRAPHIC, NB_CPUS,
 * BOOT_MENU, the Linux boot items (hw/fw_cfg/linux_boot.c) and the file
 * directory, sorted by name as QEMU sorts it: bios-geometry (empty),
 * bootorder (the linuxboot ROM, QEMU's rom_add_option with bootindex 0),
 * etc/boot-fail-wait (-1: no reboot timeout), etc/system-states (added by
 * QEMU's PIIX4 PM, acpi_pm1_cnt_init) and genroms/linuxboot.bin.
 *
 * Left out: etc/smbios/smbios-anchor and -tables (QEMU builds SMBIOS tables
 * for fw_cfg; under Xen hvmloader's tables are the ones the guest uses).
 * Saved state: the selector and the offset.
 */
#include "hw/fw_cfg/fw_cfg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/file_load.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/fw_cfg/linux_boot.h"

#define FW_CFG_DIR_ENTRY_SIZE 64 /* be32 size, be16 select, be16 reserved, char name[56] */
#define FW_CFG_NAME_LEN	      56
#define FW_CFG_MAX_FILES      8

/* Low RAM ends at min(ram, max-ram-below-4g or 0xf0000000) under Xen (xen-interface.md §3.4). */
#define HVM_BELOW_4G_RAM_END 0xf0000000ull

struct fw_item {
	uint8_t *data; /* owned; NULL with len 0: not there */
	uint32_t len;
};

struct fw_file {
	const char *name;
	struct fw_item item;
};

struct fw_cfg {
	struct dm_dev *dev;
	struct region io;
	struct fw_item items[2][FW_CFG_MAX_ENTRY]; /* [arch local][key & FW_CFG_ENTRY_MASK] */
	uint16_t key;				   /* as last written */
	uint32_t offset;			   /* into the selected item */
};

const struct dev_type fw_cfg_type;

/* The item key selects, or NULL (then reads answer 0). */
static const struct fw_item *cur_item(const struct fw_cfg *s)
{
	unsigned idx = s->key & FW_CFG_ENTRY_MASK;

	if (idx >= FW_CFG_MAX_ENTRY)
		return NULL;
	return &s->items[!!(s->key & FW_CFG_ARCH_LOCAL)][idx];
}

static uint8_t data_byte(struct fw_cfg *s)
{
	const struct fw_item *it = cur_item(s);

	if (!it || s->offset >= it->len)
		return 0;
	return it->data[s->offset++];
}

static uint64_t fw_cfg_read(void *opaque, uint64_t off, unsigned size)
{
	(void)off;
	/* QEMU takes only byte reads (at either port); a wider read is refused and reads 0. */
	if (size != 1)
		return 0;
	return data_byte(opaque);
}

static void fw_cfg_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct fw_cfg *s = opaque;

	(void)off;
	/* A 16-bit write selects; byte writes are data writes, which QEMU ignores. */
	if (size == 2) {
		s->key = (uint16_t)val;
		s->offset = 0;
	} else {
		guest_err(s->dev->name, "%u-byte write %#llx ignored", size,
			  (unsigned long long)val);
	}
}

/* rep insb: the rest of the item in one copy, zeros past its end. */
static size_t fw_cfg_read_rep(void *opaque, uint64_t off, unsigned size, void *buf, size_t count)
{
	struct fw_cfg *s = opaque;
	const struct fw_item *it = cur_item(s);
	size_t avail = 0;

	(void)off;
	if (size != 1)
		return 0;
	if (it && s->offset < it->len)
		avail = it->len - s->offset;
	if (avail > count)
		avail = count;
	if (avail)
		memcpy(buf, it->data + s->offset, avail);
	memset((uint8_t *)buf + avail, 0, count - avail);
	s->offset += (uint32_t)avail;
	return count;
}

static const struct region_ops fw_cfg_ops = {
	.read = fw_cfg_read,
	.write = fw_cfg_write,
	.min_size = 1,
	.max_size = 2,
	.read_rep = fw_cfg_read_rep,
};

/* Take data (owned from here on, even on failure) as item key. */
static int set_item(struct fw_cfg *s, uint16_t key, void *data, uint32_t len)
{
	struct fw_item *it = &s->items[!!(key & FW_CFG_ARCH_LOCAL)][key & FW_CFG_ENTRY_MASK];

	if (!data) {
		dm_err(s->dev->name, "out of memory");
		return -ENOMEM;
	}
	free(it->data);
	it->data = data;
	it->len = len;
	return 0;
}

static int set_bytes(struct fw_cfg *s, uint16_t key, const void *p, uint32_t len)
{
	void *d = malloc(len ? len : 1);

	if (d)
		memcpy(d, p, len);
	return set_item(s, key, d, len);
}

/* Integers are little-endian (fw_cfg_add_i16/i32). */
static int set_le(struct fw_cfg *s, uint16_t key, uint32_t v, unsigned bytes)
{
	uint8_t b[4];

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return set_bytes(s, key, b, bytes);
}

static int read_rom(const char *path, struct fw_item *it)
{
	int ret = file_load(path, 1u << 20, &it->data, &it->len);

	if (!ret && !it->len) {
		free(it->data);
		it->data = NULL;
		ret = -EINVAL;
	}
	return ret == -EFBIG ? -EINVAL : ret;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct fw_file *)a)->name, ((const struct fw_file *)b)->name);
}

/* Files get the slots from FW_CFG_FILE_FIRST in name order; the directory is big-endian. */
static int set_files(struct fw_cfg *s, struct fw_file *f, unsigned n)
{
	uint32_t len = 4 + n * FW_CFG_DIR_ENTRY_SIZE;
	uint8_t *dir = calloc(1, len);

	qsort(f, n, sizeof(*f), cmp_file);
	for (unsigned i = 0; dir && i < n; i++) {
		uint8_t *e = dir + 4 + i * FW_CFG_DIR_ENTRY_SIZE;
		uint16_t sel = (uint16_t)(FW_CFG_FILE_FIRST + i);

		e[0] = (uint8_t)(f[i].item.len >> 24);
		e[1] = (uint8_t)(f[i].item.len >> 16);
		e[2] = (uint8_t)(f[i].item.len >> 8);
		e[3] = (uint8_t)f[i].item.len;
		e[4] = (uint8_t)(sel >> 8);
		e[5] = (uint8_t)sel;
		strncpy((char *)e + 8, f[i].name, FW_CFG_NAME_LEN - 1);
		s->items[0][sel] = f[i].item;
		f[i].item.data = NULL;
	}
	if (dir)
		dir[3] = (uint8_t)n;
	return set_item(s, FW_CFG_FILE_DIR, dir, len);
}

static uint64_t below_4g(const struct machine_opts *o)
{
	uint64_t ram = o->ram_mb << 20;
	uint64_t cap = o->max_ram_below_4g ? o->max_ram_below_4g : HVM_BELOW_4G_RAM_END;

	return ram < cap ? ram : cap;
}

static int set_linux_items(struct fw_cfg *s, struct linux_boot *lb)
{
	int ret = set_le(s, FW_CFG_KERNEL_ADDR, lb->prot_addr, 4) ||
		  set_le(s, FW_CFG_KERNEL_SIZE, lb->kernel_size, 4) ||
		  set_le(s, FW_CFG_CMDLINE_ADDR, lb->cmdline_addr, 4) ||
		  set_le(s, FW_CFG_CMDLINE_SIZE, lb->cmdline_size, 4) ||
		  set_le(s, FW_CFG_SETUP_ADDR, lb->real_addr, 4) ||
		  set_le(s, FW_CFG_SETUP_SIZE, lb->setup_size, 4) ||
		  (lb->initrd && (set_le(s, FW_CFG_INITRD_ADDR, lb->initrd_addr, 4) ||
				  set_le(s, FW_CFG_INITRD_SIZE, lb->initrd_size, 4)));

	if (ret)
		return -ENOMEM;
	/* The data items take the buffers over. */
	ret = set_item(s, FW_CFG_KERNEL_DATA, lb->kernel, lb->kernel_size);
	lb->kernel = NULL;
	ret = ret ?: set_item(s, FW_CFG_SETUP_DATA, lb->setup, lb->setup_size);
	lb->setup = NULL;
	ret = ret ?: set_item(s, FW_CFG_CMDLINE_DATA, lb->cmdline, lb->cmdline_size);
	lb->cmdline = NULL;
	if (lb->initrd)
		ret = ret ?: set_item(s, FW_CFG_INITRD_DATA, lb->initrd, lb->initrd_size);
	lb->initrd = NULL;
	return ret;
}

/* The common items of fw_cfg_init1 and xen_load_linux. */
static int set_common_items(struct fw_cfg *s, const struct machine_opts *o)
{
	static const uint8_t uuid[16];

	if (set_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4) ||
	    set_le(s, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4) ||
	    set_bytes(s, FW_CFG_UUID, uuid, sizeof(uuid)) ||
	    set_le(s, FW_CFG_NOGRAPHIC, o->nographic, 2) || set_le(s, FW_CFG_BOOT_MENU, 0, 2) ||
	    set_le(s, FW_CFG_NB_CPUS, o->smp, 2))
		return -ENOMEM;
	return 0;
}

static int load_files(struct fw_cfg *s, const char *rom)
{
	static const char bootorder[] = "/rom@genroms/linuxboot.bin";
	/* S3 and S4 (value 2) enabled, S5 as QEMU's PIIX4 PM has them by default. */
	static const uint8_t system_states[6] = { 0x80, 0, 0, 0x81, 0x82, 0x80 };
	static const uint8_t no_reboot_timeout[4] = { 0xff, 0xff, 0xff, 0xff };
	struct fw_file f[] = {
		{ "genroms/linuxboot.bin", { NULL, 0 } },
		{ "bios-geometry", { malloc(1), 0 } },
		{ "bootorder", { malloc(sizeof(bootorder)), sizeof(bootorder) } },
		{ "etc/boot-fail-wait", { malloc(4), 4 } },
		{ "etc/system-states", { malloc(6), 6 } },
	};
	unsigned n = sizeof(f) / sizeof(f[0]);
	int ret = read_rom(rom, &f[0].item);

	if (ret)
		dm_err(s->dev->name,
		       "cannot read the linuxboot option ROM %s: %s (it is in Debian's "
		       "qemu-system-data package)",
		       rom, ret == -EINVAL ? "not a ROM image" : strerror(-ret));
	else if (!f[1].item.data || !f[2].item.data || !f[3].item.data || !f[4].item.data)
		ret = -ENOMEM;
	if (!ret) {
		memcpy(f[2].item.data, bootorder, sizeof(bootorder));
		memcpy(f[3].item.data, no_reboot_timeout, 4);
		memcpy(f[4].item.data, system_states, 6);
		ret = set_files(s, f, n);
	}
	for (unsigned i = 0; i < n; i++)
		free(f[i].item.data);
	return ret;
}

static int fw_cfg_init(struct dm_dev *dev)
{
	struct fw_cfg *s = dev->state;
	const struct machine_opts *o = dev->m->opts;
	struct linux_boot lb;
	char err[512];
	int ret;

	s->dev = dev;
	if (!o->kernel) {
		dm_err(dev->name, "needs -kernel (fw_cfg exists only for direct kernel boot)");
		return -EINVAL;
	}
	ret = linux_boot_load(&lb, o->kernel, o->initrd, o->append, below_4g(o), err, sizeof(err));
	if (ret) {
		dm_err(dev->name, "%s", err);
		return ret;
	}
	ret = set_linux_items(s, &lb);
	linux_boot_free(&lb);
	ret = ret ?: set_common_items(s, o);
	ret = ret ?: load_files(s, dev_prop_str(dev, "rom"));
	if (ret)
		return ret;
	s->io = (struct region){ .name = "fw_cfg",
				 .space = BUS_PIO,
				 .base = FW_CFG_IO_BASE,
				 .len = FW_CFG_IO_LEN,
				 .ops = &fw_cfg_ops,
				 .opaque = s };
	ret = bus_add(dev->m->bus, &s->io);
	if (ret)
		dm_err(dev->name, "ports 0x510-0x511 taken (%d)", ret);
	return ret;
}

/* QEMU's fw_cfg_reset selects the signature. */
static void fw_cfg_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct fw_cfg *s = dev->state;

	(void)kind;
	s->key = FW_CFG_SIGNATURE;
	s->offset = 0;
}

static void fw_cfg_fini(struct dm_dev *dev)
{
	struct fw_cfg *s = dev->state;

	if (s->io.mapped)
		bus_del(dev->m->bus, &s->io);
	for (unsigned t = 0; t < 2; t++)
		for (unsigned i = 0; i < FW_CFG_MAX_ENTRY; i++)
			free(s->items[t][i].data);
}

static int fw_cfg_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct fw_cfg *s = dev->state;

	snap_u16(w, "key", s->key);
	snap_u32(w, "offset", s->offset);
	return w->err;
}

/* Any key and offset is harmless (reads past the end answer 0), so both are taken as saved. */
static int fw_cfg_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct fw_cfg *s = dev->state;
	uint16_t key;
	uint32_t offset;

	if (version != 1 || snap_get_u16(r, "key", &key) || snap_get_u32(r, "offset", &offset))
		return -EINVAL;
	s->key = key;
	s->offset = offset;
	return 0;
}

static const struct prop_desc fw_cfg_props[] = {
	{ "rom", PROP_STR, FW_CFG_LINUXBOOT_ROM, 0, 0,
	  "the linuxboot option ROM (Debian package qemu-system-data)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct dev_type fw_cfg_type = {
	.name = "fw-cfg",
	.kind = DEV_KIND_ISA,
	.help = "QEMU fw_cfg on ports 0x510-0x511 for -kernel/-initrd/-append (no DMA)",
	.props = fw_cfg_props,
	.state_size = sizeof(struct fw_cfg),
	.state_version = 1,
	.init = fw_cfg_init,
	.reset = fw_cfg_reset,
	.fini = fw_cfg_fini,
	.save = fw_cfg_save,
	.load = fw_cfg_load,
};
