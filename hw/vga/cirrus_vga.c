// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Cirrus Logic CLGD5446 ("-device cirrus-vga", "-vga cirrus"), libxl's
 * default HVM display, PCI 1013:00b8 rev 00 class 0300 as qemu-xen 7.2
 * presents it (shared/docs/qemu-xen-golden cfg b: 00:03.0 on xenfv,
 * subsystem 1af4:1100; QEMU hw/display/cirrus_vga.c, pci_cirrus_vga_realize):
 *
 *  - BAR0: 32 MiB prefetchable: the linear window over vgamem_mb (4, 8 or
 *    16) MiB of VRAM, the BitBLT aperture at 16 MiB (cirrus_mem.c); VRAM is
 *    guest memory under Xen, mapped straight into the BAR while the chip's
 *    decode allows it (cirrus_linear_direct);
 *  - BAR1: 4 KiB of registers: 0x000-0x01f the VGA ports 0x3c0-0x3df, 0x100
 *    the BitBLT registers;
 *  - the expansion ROM: SeaBIOS's vgabios-cirrus.bin (Debian seabios);
 *  - ports 0x3b0-0x3df and 0xa0000-0xbffff (vga_adapter) with the Cirrus
 *    extensions (cirrus_regs.c) and the banked window;
 *  - the display: the VGA renderer with the Cirrus scan-out (8/15/16/24/32
 *    bpp linear modes, CR1B/CR1D start and offset bits) and the hardware
 *    cursor on top (cirrus_cursor.c).
 *
 * Saved: config space, the VGA core, the extension registers. As QEMU, not
 * the blitter's state: a blit runs to its end inside one access, and a
 * system-to-video transfer still waiting for data is dropped (GR31 as saved).
 *
 * Left out: the ISA variant (isa-cirrus-vga), the byte-swapping apertures
 * QEMU does not have either, the video window and VGA palette snooping.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/device.h"
#include "dm/display.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_rom.h"
#include "hw/vga/cirrus_cursor.h"
#include "hw/vga/cirrus_mem.h"
#include "hw/vga/vga_adapter.h"

#define CIRRUS_ROM "/usr/share/seabios/vgabios-cirrus.bin"

struct cirrus_vga {
	struct dm_dev *dev;
	struct pci_func pci;
	struct vga_adapter vga;
	struct cirrus_chip chip;
	struct pci_rom rom;
	struct region lfb, mmio;
	bool lfb_mapped; /* BAR0 decoded, at lfb_gpa */
	uint64_t lfb_gpa;
	struct cirrus_cursor cursor;
};

const struct dev_type cirrus_vga_type;

/*
 * The machine's display: the VGA renderer's picture with the hardware cursor
 * over it in graphics modes (QEMU draws it in vga_draw_graphic only).
 */
static void cl_refresh(void *opaque, bool full, struct display_surface *s, struct display_dirty *d)
{
	struct cirrus_vga *cv = opaque;
	struct vga_render *r = &cv->vga.render;

	cirrus_cursor_undo(&cv->cursor, r->pixels, r->width, r->height);
	vga_render_refresh(r, &cv->vga, full, s, d);
	cirrus_cursor_apply(&cv->cursor, &cv->chip, r->mode == 1 ? r->pixels : NULL, r->width,
			    r->height, d);
}

static const struct display_source cl_display = {
	.name = "cirrus-vga",
	.refresh = cl_refresh,
};

/* ---------------------------------------------------------------- BARs */

static uint64_t lfb_read(void *opaque, uint64_t off, unsigned size)
{
	struct cirrus_vga *cv = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)cirrus_bar0_read(&cv->chip, (uint32_t)(off + i)) << (8 * i);
	return v;
}

static void lfb_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct cirrus_vga *cv = opaque;

	for (unsigned i = 0; i < size; i++)
		cirrus_bar0_write(&cv->chip, (uint32_t)(off + i), (uint8_t)(val >> (8 * i)));
}

/* Byte by byte, low byte first, as QEMU's byte-wide regions split wider accesses. */
static const struct region_ops lfb_ops = {
	.read = lfb_read,
	.write = lfb_write,
	.min_size = 1,
	.max_size = 8,
	.unaligned_ok = true,
};

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct cirrus_vga *cv = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)cirrus_mmio_read(&cv->chip, (uint32_t)(off + i)) << (8 * i);
	return v;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct cirrus_vga *cv = opaque;

	for (unsigned i = 0; i < size; i++)
		cirrus_mmio_write(&cv->chip, (uint32_t)(off + i), (uint8_t)(val >> (8 * i)));
}

static const struct region_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.min_size = 1,
	.max_size = 8,
	.unaligned_ok = true,
};

/* VRAM is RAM in BAR0 only while the BAR decodes and the chip's decode is plain. */
static void update_lfb_map(struct cirrus_vga *cv)
{
	(void)vga_adapter_lfb_map(&cv->vga, cv->lfb_mapped && cv->chip.linear_mapped, cv->lfb_gpa);
}

static void linear_changed(void *opaque, bool direct)
{
	(void)direct;
	update_lfb_map(opaque);
}

static void cl_bar_moved(struct pci_func *f, unsigned bar, bool mapped, uint64_t addr)
{
	struct cirrus_vga *cv = f->opaque;

	if (bar != 0)
		return;
	cv->lfb_mapped = mapped;
	cv->lfb_gpa = addr;
	update_lfb_map(cv);
}

static const struct pci_func_ops cl_pci_ops = {
	.bar_moved = cl_bar_moved,
};

static const struct pci_identity cirrus_id = {
	.vendor = 0x1013,
	.device = CIRRUS_ID_CLGD5446,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x030000,
	.revision = 0x00,
};

static int cl_bars(struct cirrus_vga *cv)
{
	int r;

	cv->lfb = (struct region){ .name = "cirrus-lfb", .ops = &lfb_ops, .opaque = cv };
	cv->mmio = (struct region){ .name = "cirrus-mmio", .ops = &mmio_ops, .opaque = cv };
	r = pci_bar_init(&cv->pci, 0, PCI_BAR_MEM32_PREFETCH, CIRRUS_BAR0_SIZE, &cv->lfb);
	if (!r)
		r = pci_bar_init(&cv->pci, 1, PCI_BAR_MEM32, CIRRUS_MMIO_SIZE, &cv->mmio);
	if (r)
		dm_err(cv->dev->name, "BARs: %s", strerror(-r));
	return r;
}

/* Take the machine's display from the adapter's plain renderer: ours adds the cursor. */
static int cl_display_register(struct cirrus_vga *cv)
{
	int r;

	display_unregister(cv->dev->m);
	r = display_register(cv->dev->m, &cl_display, cv);
	if (r)
		dm_err(cv->dev->name, "display: %s", strerror(-r));
	return r;
}

/* QEMU: "follow real hardware, cirrus card emulated has 4 MB video memory. Also accept
 * 8 MB/16 MB for backward compatibility." */
static int vram_mb_valid(struct dm_dev *dev, int64_t mb)
{
	if (mb == 4 || mb == 8 || mb == 16)
		return 0;
	dm_err(dev->name, "vgamem_mb=%lld: the CLGD5446 takes 4, 8 or 16 (MiB)", (long long)mb);
	return -EINVAL;
}

static int cirrus_vga_init(struct dm_dev *dev)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	struct cirrus_vga *cv = dev->state;
	unsigned devfn = (unsigned)dev_prop_int(dev, "addr");
	int64_t mb = dev_prop_int(dev, "vgamem_mb");
	int r;

	cv->dev = dev;
	if (!dev_prop_given(dev, "addr"))
		return -EINVAL; /* the machine builder places every PCI device */
	snprintf(dev->name, sizeof(dev->name), "cirrus-vga@%02x.%x", PCI_SLOT(devfn),
		 PCI_FUNC(devfn));
	r = vram_mb_valid(dev, mb);
	if (r)
		return r;
	r = vga_adapter_init(&cv->vga, dev->m, dev->name, (uint32_t)mb << 20, &cfg,
			     &cirrus_adapter_ops, &cv->chip);
	if (r)
		return r;
	cirrus_chip_init(&cv->chip, &cv->vga, dev_prop_bool(dev, "blitter"));
	cv->chip.linear_changed = linear_changed;
	cv->chip.linear_opaque = cv;
	pci_func_init(&cv->pci, dev->m, devfn, &cirrus_id, &cl_pci_ops, cv, dev->name);
	r = cl_bars(cv);
	if (!r)
		r = pci_rom_load(&cv->pci, &cv->rom, dev_prop_str(dev, "romfile"), "seabios",
				 dev->name);
	if (!r)
		r = vga_adapter_map_legacy(&cv->vga);
	if (!r)
		r = cl_display_register(cv);
	return r ? r : pci_func_attach(&cv->pci);
}

static void cirrus_vga_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct cirrus_vga *cv = dev->state;

	(void)kind;
	pci_func_reset(&cv->pci);
	vga_adapter_reset(&cv->vga);
	cirrus_chip_reset(&cv->chip);
	cv->cursor.drawn = false;
}

static void cirrus_vga_fini(struct dm_dev *dev)
{
	struct cirrus_vga *cv = dev->state;

	if (!cv->dev)
		return;
	if (cv->pci.m)
		pci_func_detach(&cv->pci);
	vga_adapter_fini(&cv->vga);
	pci_rom_free(&cv->rom);
}

/* ---------------------------------------------------------------- state */

static int cirrus_vga_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct cirrus_vga *cv = dev->state;
	int r = pci_func_save(&cv->pci, w);

	if (r)
		return r;
	vga_adapter_save(&cv->vga, w);
	return cirrus_regs_save(&cv->chip.regs, w);
}

/* dev->state is a scratch copy here: its pointers still lead to the live device, so
 * the extension registers are checked against the scratch's freshly loaded core. */
static int cirrus_vga_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct cirrus_vga *cv = dev->state;
	struct vga_regs *live = cv->chip.regs.vga;
	int ret;

	if (version != cirrus_vga_type.state_version)
		return -EINVAL;
	ret = pci_func_load(&cv->pci, r);
	ret = ret ? ret : vga_adapter_load(&cv->vga, r);
	cv->chip.regs.vga = &cv->vga.regs;
	ret = ret ? ret : cirrus_regs_load(&cv->chip.regs, r);
	cv->chip.regs.vga = live;
	return ret;
}

static void cirrus_vga_post_load(struct dm_dev *dev)
{
	struct cirrus_vga *cv = dev->state;

	/* no transfer survives a load; GR31 stays as saved, as on QEMU */
	cv->chip.blt.buf_pos = cv->chip.blt.buf_end = 0;
	cv->chip.blt.srccounter = 0;
	cirrus_update_banks(&cv->chip);
	cv->chip.linear_mapped = cirrus_linear_direct(&cv->chip);
	cv->cursor.drawn = false;
	pci_func_post_load(&cv->pci);
	vga_adapter_post_load(&cv->vga);
	update_lfb_map(cv);
}

static const struct prop_desc cirrus_vga_props[] = {
	{ "addr", PROP_PCIADDR, NULL, 0, 0, "PCI slot (default: the next free one)" },
	{ "vgamem_mb", PROP_INT, "4", 0, 0x7fffffff, "video RAM in MiB: 4, 8 or 16" },
	{ "blitter", PROP_BOOL, "on", 0, 0, "the BitBLT engine (off: blits are ignored)" },
	{ "romfile", PROP_STR, CIRRUS_ROM, 0, 0,
	  "the VGA BIOS (Debian package seabios); empty: no ROM" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct dev_type cirrus_vga_type = {
	.name = "cirrus-vga",
	.kind = DEV_KIND_PCI,
	.help = "Cirrus CLGD 54xx VGA (1013:00b8)",
	.props = cirrus_vga_props,
	.state_size = sizeof(struct cirrus_vga),
	.state_version = 1,
	.init = cirrus_vga_init,
	.reset = cirrus_vga_reset,
	.fini = cirrus_vga_fini,
	.save = cirrus_vga_save,
	.load = cirrus_vga_load,
	.post_load = cirrus_vga_post_load,
};
