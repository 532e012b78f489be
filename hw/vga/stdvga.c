// SPDX-License-Identifier: GPL-2.0-only
/*
 * The standard VGA with Bochs VBE ("-device VGA", "-vga std"), PCI
 * 1234:1111 rev 02 class 0300, as qemu-xen 7.2 presents it
 * (shared/docs/qemu-xen-golden: 00:03.0 on xenfv, subsystem 1af4:1100;
 * QEMU hw/display/vga-pci.c):
 *
 *  - BAR0: the framebuffer, vgamem_mb MiB (clamped to 1-512, rounded up
 *    to a power of two as QEMU does), 32-bit prefetchable; guest memory
 *    under Xen, relocated to where the guest maps the BAR;
 *  - BAR2 (mmio=on): 4 KiB of registers: 0x400-0x41f the VGA ports
 *    0x3c0-0x3df, 0x500-0x515 the eleven VBE registers (index = offset / 2,
 *    16-bit), 0x600-0x607 QEMU's extended registers (qemu-extended-regs=on:
 *    the region size 8, and the framebuffer byte order 0x1e1e1e1e little /
 *    0xbebebebe big, 32-bit only); the rest reads all ones;
 *  - the expansion ROM: SeaBIOS's vgabios-stdvga.bin (Debian seabios);
 *  - ports 0x3b0-0x3df and 0xa0000-0xbffff (vga_adapter), VBE index 0x1ce
 *    and data 0x1cf / 0x1d0, 16-bit accesses only (others read all ones).
 *
 * Left out: the EDID blob at BAR2 offset 0 (QEMU's edid=on, a default
 * from machine type 4.0: xenfv is xenfv-3.1 and has none, -machine pc
 * differs, see tests/golden/known-differences.txt), and the big-endian
 * framebuffer: the byte-order register reads back what the guest chose,
 * the picture is always drawn little-endian.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci_rom.h"
#include "hw/pci/pci.h"
#include "hw/vga/bochs_vbe.h"
#include "hw/vga/vga_adapter.h"

#define STDVGA_VBE_PORT	   0x1ce
#define STDVGA_VBE_PORTS   4 /* 0x1ce-0x1d1: 0x1d1 is decoded by nobody, as on QEMU */
#define STDVGA_MMIO_SIZE   0x1000
#define MMIO_VGA	   0x400 /* ports 0x3c0-0x3df */
#define MMIO_VGA_SIZE	   0x20
#define MMIO_VBE	   0x500
#define MMIO_VBE_SIZE	   (VBE_DISPI_INDEX_NB + 1) * 2
#define MMIO_QEXT	   0x600
#define MMIO_QEXT_SIZE	   8
#define QEXT_LITTLE_ENDIAN 0x1e1e1e1eu
#define QEXT_BIG_ENDIAN	   0xbebebebeu
#define STDVGA_ROM	   "/usr/share/seabios/vgabios-stdvga.bin"

struct stdvga {
	struct dm_dev *dev;
	struct pci_func pci;
	struct vga_adapter vga;
	struct bochs_vbe vbe;
	struct pci_rom rom;
	struct region lfb, mmio, vbe_ports;
	bool qext;
	bool big_endian_fb;
};

const struct dev_type stdvga_type;

static struct stdvga *of(struct vga_adapter *a)
{
	return a->opaque;
}

static bool std_scanout(struct vga_adapter *a, struct vga_scanout *so)
{
	return vbe_scanout(&of(a)->vbe, so);
}

static const struct vga_adapter_ops std_ops = {
	.scanout = std_scanout,
};

/* ---------------------------------------------------------------- VBE ports */

/* Only 16-bit accesses decode (QEMU's portio list has no byte entries). */
static uint64_t vbe_port_read(void *opaque, uint64_t off, unsigned size)
{
	struct stdvga *s = opaque;

	if (size != 2)
		return (1ull << (8 * size)) - 1;
	if (off == 0)
		return vbe_read_index(&s->vbe);
	if (off == 1 || off == 2)
		return vbe_read_data(&s->vbe, &s->vga);
	return 0xffff;
}

static void vbe_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct stdvga *s = opaque;

	if (size != 2)
		return;
	if (off == 0)
		vbe_write_index(&s->vbe, (uint16_t)val);
	else if (off == 1 || off == 2)
		vbe_write_data(&s->vbe, &s->vga, (uint16_t)val);
}

static const struct region_ops vbe_port_ops = {
	.read = vbe_port_read,
	.write = vbe_port_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

/* ---------------------------------------------------------------- BAR0: framebuffer */

static uint64_t lfb_read(void *opaque, uint64_t off, unsigned size)
{
	struct stdvga *s = opaque;

	return vga_adapter_lfb_read(&s->vga, off, size);
}

static void lfb_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct stdvga *s = opaque;

	vga_adapter_lfb_write(&s->vga, off, val, size);
}

static const struct region_ops lfb_ops = {
	.read = lfb_read,
	.write = lfb_write,
	.min_size = 1,
	.max_size = 8,
	.unaligned_ok = true,
};

/* ---------------------------------------------------------------- BAR2: registers */

/* One piece of an access, inside one sub-block; QEMU's access sizes per block. */
static uint64_t mmio_piece_read(struct stdvga *s, uint64_t base, uint64_t off, unsigned size)
{
	if (base >= MMIO_VGA && base < MMIO_VGA + MMIO_VGA_SIZE)
		return off < MMIO_VGA + MMIO_VGA_SIZE
			   ? vga_adapter_port_read(&s->vga, (unsigned)(off - MMIO_VGA + 0x10))
			   : 0xff; /* past 0x3df: nothing decodes it */
	if (base >= MMIO_VBE && base < MMIO_VBE + MMIO_VBE_SIZE) {
		vbe_write_index(&s->vbe, (uint16_t)((off - MMIO_VBE) >> 1));
		return vbe_read_data(&s->vbe, &s->vga) & ((1u << (8 * size)) - 1);
	}
	if (s->qext && base >= MMIO_QEXT && base < MMIO_QEXT + MMIO_QEXT_SIZE) {
		if (size != 4)
			return 0; /* QEMU: an access size the block refuses reads 0 */
		if (off == MMIO_QEXT)
			return MMIO_QEXT_SIZE;
		if (off == MMIO_QEXT + 4)
			return s->big_endian_fb ? QEXT_BIG_ENDIAN : QEXT_LITTLE_ENDIAN;
		return 0;
	}
	return (1ull << (8 * size)) - 1;
}

static void mmio_piece_write(struct stdvga *s, uint64_t base, uint64_t off, uint32_t val,
			     unsigned size)
{
	if (base >= MMIO_VGA && base < MMIO_VGA + MMIO_VGA_SIZE) {
		if (off < MMIO_VGA + MMIO_VGA_SIZE)
			vga_adapter_port_write(&s->vga, (unsigned)(off - MMIO_VGA + 0x10),
					       (uint8_t)val);
	} else if (base >= MMIO_VBE && base < MMIO_VBE + MMIO_VBE_SIZE) {
		vbe_write_index(&s->vbe, (uint16_t)((off - MMIO_VBE) >> 1));
		vbe_write_data(&s->vbe, &s->vga, (uint16_t)val);
	} else if (s->qext && base >= MMIO_QEXT && off == MMIO_QEXT + 4 && size == 4) {
		if (val == QEXT_BIG_ENDIAN)
			s->big_endian_fb = true;
		else if (val == QEXT_LITTLE_ENDIAN)
			s->big_endian_fb = false;
	}
}

/*
 * The piece size of the block an access starts in (QEMU dispatches the whole
 * access to that block and splits it by the block's access size): bytes for
 * the VGA ports, 16 bits for VBE, 32 for the extension.
 */
static unsigned piece(uint64_t off)
{
	if (off >= MMIO_VBE && off < MMIO_VBE + MMIO_VBE_SIZE)
		return 2;
	if (off >= MMIO_QEXT && off < MMIO_QEXT + MMIO_QEXT_SIZE)
		return 4;
	return 1;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	unsigned step = piece(off);
	uint64_t v = 0;

	for (unsigned done = 0, n; done < size; done += n) {
		n = step < size - done ? step : size - done;
		v |= mmio_piece_read(opaque, off, off + done, n) << (8 * done);
	}
	return v;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	unsigned step = piece(off);

	for (unsigned done = 0, n; done < size; done += n) {
		n = step < size - done ? step : size - done;
		mmio_piece_write(opaque, off, off + done, (uint32_t)(val >> (8 * done)), n);
	}
}

static const struct region_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.min_size = 1,
	.max_size = 8,
	.unaligned_ok = true,
};

/* ---------------------------------------------------------------- PCI */

static void std_bar_moved(struct pci_func *f, unsigned bar, bool mapped, uint64_t addr)
{
	struct stdvga *s = f->opaque;

	if (bar == 0)
		(void)vga_adapter_lfb_map(&s->vga, mapped, addr);
}

static const struct pci_func_ops std_pci_ops = {
	.bar_moved = std_bar_moved,
};

static const struct pci_identity stdvga_id = {
	.vendor = 0x1234,
	.device = 0x1111,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x030000,
	.revision = 0x02,
};

/* QEMU vga_common_init: vgamem_mb clamped to 1..512 and rounded up to a power of two. */
static uint32_t vram_bytes(int64_t mb)
{
	uint32_t p = 1;

	if (mb < 1)
		mb = 1;
	if (mb > 512)
		mb = 512;
	while (p < mb)
		p <<= 1;
	return p << 20;
}

static int std_bars(struct stdvga *s)
{
	int r;

	s->lfb = (struct region){ .name = "vga-lfb", .ops = &lfb_ops, .opaque = s };
	s->mmio = (struct region){ .name = "vga-mmio", .ops = &mmio_ops, .opaque = s };
	r = pci_bar_init(&s->pci, 0, PCI_BAR_MEM32_PREFETCH, s->vga.vram_size, &s->lfb);
	if (!r && dev_prop_bool(s->dev, "mmio"))
		r = pci_bar_init(&s->pci, 2, PCI_BAR_MEM32, STDVGA_MMIO_SIZE, &s->mmio);
	if (r)
		dm_err(s->dev->name, "BARs: %s", strerror(-r));
	return r;
}

/* addr= as the machine placed it; created alone (tests), the first free slot from 2. */
static int std_devfn(struct dm_dev *dev)
{
	if (dev_prop_given(dev, "addr"))
		return (int)dev_prop_int(dev, "addr");
	for (unsigned slot = 2; slot < 32; slot++)
		if (!bus_pci_present(dev->m->bus, PCI_DEVFN(slot, 0)))
			return PCI_DEVFN(slot, 0);
	return -ENOSPC;
}

static int stdvga_init(struct dm_dev *dev)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	struct stdvga *s = dev->state;
	int devfn = std_devfn(dev);
	int r;

	s->dev = dev;
	if (devfn < 0) {
		dm_err(dev->type->name, "no free PCI slot left");
		return devfn;
	}
	snprintf(dev->name, sizeof(dev->name), "VGA@%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
	s->qext = dev_prop_bool(dev, "qemu-extended-regs");
	r = vga_adapter_init(&s->vga, dev->m, dev->name, vram_bytes(dev_prop_int(dev, "vgamem_mb")),
			     &cfg, &std_ops, s);
	if (r)
		return r;
	vbe_reset(&s->vbe);
	pci_func_init(&s->pci, dev->m, (unsigned)devfn, &stdvga_id, &std_pci_ops, s, dev->name);
	r = std_bars(s);
	if (!r)
		r = pci_rom_load(&s->pci, &s->rom, dev_prop_str(dev, "romfile"), "seabios",
				 dev->name);
	if (r)
		return r;
	r = vga_adapter_map_legacy(&s->vga);
	if (r)
		return r;
	s->vbe_ports = (struct region){ .name = "vbe-dispi",
					.space = BUS_PIO,
					.base = STDVGA_VBE_PORT,
					.len = STDVGA_VBE_PORTS,
					.ops = &vbe_port_ops,
					.opaque = s };
	r = bus_add(dev->m->bus, &s->vbe_ports);
	if (r) {
		dm_err(dev->name, "VBE ports 0x1ce-0x1d1: %s", strerror(-r));
		return r;
	}
	return pci_func_attach(&s->pci);
}

static void stdvga_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct stdvga *s = dev->state;

	(void)kind;
	pci_func_reset(&s->pci);
	vga_adapter_reset(&s->vga);
	vbe_reset(&s->vbe);
	s->big_endian_fb = false;
}

static void stdvga_fini(struct dm_dev *dev)
{
	struct stdvga *s = dev->state;

	if (!s->dev)
		return;
	if (s->pci.m)
		pci_func_detach(&s->pci);
	if (s->vbe_ports.mapped)
		bus_del(dev->m->bus, &s->vbe_ports);
	vga_adapter_fini(&s->vga);
	pci_rom_free(&s->rom);
}

/* ---------------------------------------------------------------- state */

static int stdvga_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct stdvga *s = dev->state;
	int r = pci_func_save(&s->pci, w);

	if (r)
		return r;
	vga_adapter_save(&s->vga, w);
	vbe_save(&s->vbe, w);
	snap_u8(w, "big_endian_fb", s->big_endian_fb);
	return w->err;
}

static int stdvga_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct stdvga *s = dev->state;
	int ret;

	if (version != stdvga_type.state_version)
		return -EINVAL;
	ret = pci_func_load(&s->pci, r);
	ret = ret ? ret : vga_adapter_load(&s->vga, r);
	ret = ret ? ret : vbe_load(&s->vbe, r, s->vga.vram_size);
	ret = ret ? ret : snap_get_bool(r, "big_endian_fb", &s->big_endian_fb);
	if (!ret && s->vga.regs.vbe_sr != vbe_enabled(&s->vbe))
		ret = -EINVAL;
	return ret;
}

static void stdvga_post_load(struct dm_dev *dev)
{
	struct stdvga *s = dev->state;

	pci_func_post_load(&s->pci);
	vga_adapter_post_load(&s->vga);
}

static const struct prop_desc stdvga_props[] = {
	{ "addr", PROP_PCIADDR, NULL, 0, 0, "PCI slot (default: the next free one)" },
	{ "vgamem_mb", PROP_INT, "16", 0, 0x7fffffff,
	  "video RAM in MiB (1-512, rounded up to a power of two)" },
	{ "mmio", PROP_BOOL, "on", 0, 0, "the 4 KiB register BAR2 (VGA ports, VBE, extensions)" },
	{ "qemu-extended-regs", PROP_BOOL, "on", 0, 0, "QEMU's extended registers in BAR2" },
	{ "romfile", PROP_STR, STDVGA_ROM, 0, 0,
	  "the VGA BIOS (Debian package seabios); empty: no ROM" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct dev_type stdvga_type = {
	.name = "VGA",
	.kind = DEV_KIND_PCI,
	.help = "standard VGA with Bochs VBE extensions (1234:1111)",
	.props = stdvga_props,
	.state_size = sizeof(struct stdvga),
	.state_version = 1,
	.init = stdvga_init,
	.reset = stdvga_reset,
	.fini = stdvga_fini,
	.save = stdvga_save,
	.load = stdvga_load,
	.post_load = stdvga_post_load,
};
