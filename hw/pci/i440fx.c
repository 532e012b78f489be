// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 82441FX PMC (i440FX host bridge), PCI 00:00.0, 8086:1237 rev 02,
 * class 0600, and the PC's configuration mechanism #1 ports.
 *
 * Followed: Intel 440FX PCIset datasheet (290549-001) §3.2 (CONFIG_ADDRESS
 * 0xcf8, CONFIG_DATA 0xcfc), §3.3 register defaults as QEMU presents them
 * (hw/pci-host/i440fx.c, hw/pci/pci_host.c): SMRAM (0x72) = 0x02, PAM0-6
 * (0x59-0x5f) = 0, and QEMU's non-hardware byte 0x57 = RAM size in 8 MiB
 * units (capped at 255) that old coreboot reads. Checked byte for byte
 * against the qemu-xen golden dumps and a QEMU 7.2 qtest recording
 * (tests/golden, tests/traces/qemu).
 *
 * CONFIG_ADDRESS as QEMU's pci_host: a 32-bit write at 0xcf8 sets it;
 * narrower writes, and writes starting at 0xcfa/0xcfb, are dropped; reads
 * of any size at any of the four ports return the register's low bytes
 * (QEMU ignores the offset). An access starting at 0xcf9 is the PIIX3's
 * reset control register (i440fx.h). CONFIG_DATA: with bit 31 set, the
 * access goes to bus/device/function bits 23:8 and register
 * (bits 7:0) | port offset, as QEMU's pci_host (bits 1:0 select bytes too),
 * split by address alignment as QEMU's memory core splits it, through
 * bus_pci_read/bus_pci_write; with bit 31 clear reads are all ones and
 * writes are dropped. This port path is the standalone platform's (qtest,
 * replay): under Xen the hypervisor decodes 0xcfc for the functions hvmdm
 * claims, drops bits 1:0, and sends PCI_CONFIG ioreqs to the same bus_pci_*.
 *
 * Left out: PAM and SMRAM have no effect on memory (Xen owns guest RAM and
 * the BIOS area; qemu-xen's PAM changes do not reach Xen either), SMRAM
 * D_LOCK (QEMU does not implement it), DRAM row boundaries, the extended
 * CONFIG_ADDRESS register bits some AMD chipsets use (bits 27:24).
 */
#include "hw/pci/i440fx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci.h"

#define I440FX_CONFIG_ADDRESS 0xcf8
#define I440FX_CONFIG_DATA    0xcfc
#define I440FX_CF8_ENABLE     0x80000000u

#define I440FX_COREBOOT_RAM_SIZE 0x57 /* QEMU only: RAM size / 8 MiB */
#define I440FX_PAM		 0x59 /* PAM0..PAM6 */
#define I440FX_SMRAM		 0x72
#define I440FX_SMRAM_DEFAULT	 0x02 /* C_BASE_SEG = 010b: SMRAM at 0xa0000 */

struct i440fx {
	struct pci_func pci;
	struct dm_dev *dev;
	struct region conf_addr; /* 0xcf8-0xcfb */
	struct region conf_data; /* 0xcfc-0xcff */
	uint32_t config_address;
	const struct i440fx_cf9 *cf9;
};

static const struct pci_identity i440fx_id = {
	.vendor = 0x8086,
	.device = 0x1237,
	.subsys_vendor = 0x1af4, /* QEMU's default subsystem, as qemu-xen shows it */
	.subsys_id = 0x1100,
	.class_code = 0x060000,
	.revision = 0x02,
};

static uint32_t low_bytes(uint64_t v, unsigned size)
{
	return size >= 4 ? (uint32_t)v : (uint32_t)v & ((1u << (8 * size)) - 1);
}

static uint64_t conf_addr_read(void *opaque, uint64_t off, unsigned size)
{
	struct i440fx *s = opaque;

	if (off == 1 && s->cf9) {
		/* QEMU's reset control region takes one byte: each byte reads it. */
		uint32_t v = 0;

		for (unsigned i = 0; i < size; i++)
			v |= (uint32_t)s->cf9->read(s->cf9->opaque) << (8 * i);
		return v;
	}
	return low_bytes(s->config_address, size);
}

static void conf_addr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct i440fx *s = opaque;

	if (off == 1 && s->cf9) {
		for (unsigned i = 0; i < size; i++)
			s->cf9->write(s->cf9->opaque, (uint8_t)(val >> (8 * i)));
		return;
	}
	if (off != 0 || size != 4) {
		guest_err(s->dev->name, "CONFIG_ADDRESS write at +%u size %u dropped",
			  (unsigned)off, size);
		return;
	}
	s->config_address = (uint32_t)val;
}

static const struct region_ops conf_addr_ops = {
	.read = conf_addr_read,
	.write = conf_addr_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

/* sbdf (bus << 8 | devfn) and register for a CONFIG_DATA access at offset off. */
static bool conf_target(const struct i440fx *s, uint64_t off, uint32_t *sbdf, unsigned *reg)
{
	if (!(s->config_address & I440FX_CF8_ENABLE))
		return false;
	*sbdf = (s->config_address >> 8) & 0xffff;
	*reg = (s->config_address | (unsigned)off) & 0xff; /* QEMU: config_reg | (addr & 3) */
	return true;
}

/* QEMU's memory core bounds each piece of an access by its address alignment. */
static unsigned piece_size(uint64_t off, unsigned left)
{
	unsigned n = off & 1 ? 1 : off & 2 ? 2 : 4;

	return n < left ? n : left == 3 ? 2 : left;
}

static uint64_t conf_data_read(void *opaque, uint64_t off, unsigned size)
{
	struct i440fx *s = opaque;
	uint64_t val = 0;
	uint32_t sbdf;
	unsigned reg;

	if (!conf_target(s, off, &sbdf, &reg))
		return low_bytes(~0ull, size);
	for (unsigned i = 0, n; i < size; i += n) {
		n = piece_size(off + i, size - i);
		conf_target(s, off + i, &sbdf, &reg);
		val |= (uint64_t)bus_pci_read(s->dev->m->bus, sbdf, reg, n) << (8 * i);
	}
	return val;
}

static void conf_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct i440fx *s = opaque;
	uint32_t sbdf;
	unsigned reg;

	for (unsigned i = 0, n; i < size; i += n) {
		n = piece_size(off + i, size - i);
		if (!conf_target(s, off + i, &sbdf, &reg))
			return;
		bus_pci_write(s->dev->m->bus, sbdf, reg, (uint32_t)low_bytes(val >> (8 * i), n), n);
	}
}

static const struct region_ops conf_data_ops = {
	.read = conf_data_read,
	.write = conf_data_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

static uint8_t ram_size_byte(const struct machine *m)
{
	uint64_t mb = m->opts ? m->opts->ram_mb : 0;

	return mb / 8 > 255 ? 255 : (uint8_t)(mb / 8);
}

static int i440fx_init(struct dm_dev *dev)
{
	struct i440fx *s = dev->state;
	int err;

	s->dev = dev;
	snprintf(dev->name, sizeof(dev->name), "i440fx@00.0");
	pci_func_init(&s->pci, dev->m, PCI_DEVFN(0, 0), &i440fx_id, NULL, s, dev->name);
	pci_cfg_set8(&s->pci, I440FX_COREBOOT_RAM_SIZE, ram_size_byte(dev->m));
	pci_cfg_set8(&s->pci, I440FX_SMRAM, I440FX_SMRAM_DEFAULT);

	s->conf_addr = (struct region){ .name = "pci-conf-idx",
					.space = BUS_PIO,
					.base = I440FX_CONFIG_ADDRESS,
					.len = 4,
					.ops = &conf_addr_ops,
					.opaque = s };
	s->conf_data = (struct region){ .name = "pci-conf-data",
					.space = BUS_PIO,
					.base = I440FX_CONFIG_DATA,
					.len = 4,
					.ops = &conf_data_ops,
					.opaque = s };
	err = bus_add(dev->m->bus, &s->conf_addr);
	if (err)
		goto err_out;
	err = bus_add(dev->m->bus, &s->conf_data);
	if (err)
		goto err_del_addr;
	err = pci_func_attach(&s->pci);
	if (err)
		goto err_del_data;
	return 0;

err_del_data:
	bus_del(dev->m->bus, &s->conf_data);
err_del_addr:
	bus_del(dev->m->bus, &s->conf_addr);
err_out:
	dm_err(dev->name, "ports 0xcf8-0xcff or PCI 00.0 taken (%d)", err);
	return err;
}

static void i440fx_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct i440fx *s = dev->state;

	(void)kind;
	s->config_address = 0;
	pci_func_reset(&s->pci);
}

static void i440fx_fini(struct dm_dev *dev)
{
	struct i440fx *s = dev->state;

	if (!s->dev)
		return;
	pci_func_detach(&s->pci);
	if (s->conf_data.mapped)
		bus_del(dev->m->bus, &s->conf_data);
	if (s->conf_addr.mapped)
		bus_del(dev->m->bus, &s->conf_addr);
}

static int i440fx_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct i440fx *s = dev->state;
	int err = pci_func_save(&s->pci, w);

	return err ? err : snap_u32(w, "config_address", s->config_address);
}

static int i440fx_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct i440fx *s = dev->state;

	(void)version;
	if (pci_func_load(&s->pci, r) || snap_get_u32(r, "config_address", &s->config_address))
		return -EINVAL;
	return 0;
}

static void i440fx_post_load(struct dm_dev *dev)
{
	struct i440fx *s = dev->state;

	pci_func_post_load(&s->pci);
}

struct dm_dev *i440fx_find(struct machine *m)
{
	return dev_find_type(m, &i440fx_type);
}

void i440fx_set_cf9(struct dm_dev *host, const struct i440fx_cf9 *h)
{
	struct i440fx *s;

	if (!host || host->type != &i440fx_type)
		return;
	s = host->state;
	s->cf9 = h;
}

const struct dev_type i440fx_type = {
	.name = "i440fx",
	.kind = DEV_KIND_PCI,
	.help = "Intel 440FX host bridge (00:00.0) and config ports 0xcf8-0xcff",
	.state_size = sizeof(struct i440fx),
	.state_version = 1,
	.init = i440fx_init,
	.reset = i440fx_reset,
	.fini = i440fx_fini,
	.save = i440fx_save,
	.load = i440fx_load,
	.post_load = i440fx_post_load,
};
