// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parts of a VGA-compatible adapter that std VGA and Cirrus share
 * (vga_adapter.h): ports 0x3b0-0x3df into the register file (QEMU's
 * vga_portio_list decodes the same ports; the rest float), the window
 * 0xa0000-0xbffff into planar memory, VRAM and its dirty map, and the
 * display source.
 *
 * VRAM under Xen is guest memory (xen-interface.md §5.1): the platform
 * populates it above guest RAM and maps it for us; while the framebuffer
 * BAR is mapped the guest writes it directly, and the platform's dirty
 * log (track_dirty_vram) tells the renderer which pages changed. The
 * window and, on the standalone platform, the framebuffer BAR come to us
 * as MMIO and mark the pages they write. The renderer never scans VRAM
 * to find changes.
 */
#include "hw/vga/vga_adapter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/display.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/state.h"

#define VRAM_MIN (256u * 1024)
#define VRAM_MAX (512u << 20)

static uint64_t dirty_words(const struct vga_adapter *a)
{
	return ((uint64_t)a->vram_size >> VGA_PAGE_SHIFT) / 64 + 1;
}

void vga_adapter_mark(struct vga_adapter *a, uint64_t off, uint64_t len)
{
	if (!len || off >= a->vram_size)
		return;
	if (len > a->vram_size - off)
		len = a->vram_size - off;
	for (uint64_t p = off >> VGA_PAGE_SHIFT; p <= (off + len - 1) >> VGA_PAGE_SHIFT; p++)
		a->dirty[p / 64] |= 1ull << (p % 64);
}

bool vga_adapter_dirty(const struct vga_adapter *a, uint64_t off, uint64_t len)
{
	if (!len || off >= a->vram_size)
		return false;
	if (len > a->vram_size - off)
		len = a->vram_size - off;
	for (uint64_t p = off >> VGA_PAGE_SHIFT; p <= (off + len - 1) >> VGA_PAGE_SHIFT; p++)
		if (a->dirty[p / 64] & (1ull << (p % 64)))
			return true;
	return false;
}

void vga_adapter_sync_dirty(struct vga_adapter *a)
{
	if (!a->lfb_direct)
		return;
	if (plat_vram_dirty(&a->m->plat, a->vram, a->vram_size, a->dirty) < 0)
		vga_adapter_mark(a, 0, a->vram_size);
}

void vga_adapter_clear_dirty(struct vga_adapter *a)
{
	memset(a->dirty, 0, dirty_words(a) * sizeof(*a->dirty));
}

static void mem_dirty(void *opaque, uint32_t off, uint32_t len)
{
	vga_adapter_mark(opaque, off, len);
}

/* ---------------------------------------------------------------- ports and window */

uint8_t vga_adapter_port_read(struct vga_adapter *a, unsigned off)
{
	uint8_t val;

	if (a->ops && a->ops->port_read && a->ops->port_read(a, off, &val))
		return val;
	return vga_regs_read(&a->regs, off);
}

void vga_adapter_port_write(struct vga_adapter *a, unsigned off, uint8_t val)
{
	if (a->ops && a->ops->port_write && a->ops->port_write(a, off, val))
		return;
	vga_regs_write(&a->regs, off, val);
}

static uint64_t ports_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	return vga_adapter_port_read(opaque, (unsigned)off);
}

static void ports_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)size;
	vga_adapter_port_write(opaque, (unsigned)off, (uint8_t)val);
}

/* Byte-wide like QEMU's portio list: word accesses are split low byte first. */
static const struct region_ops ports_ops = {
	.read = ports_read,
	.write = ports_write,
	.min_size = 1,
	.max_size = 1,
};

static uint64_t window_read(void *opaque, uint64_t off, unsigned size)
{
	struct vga_adapter *a = opaque;
	uint8_t val;

	(void)size;
	if (a->ops && a->ops->window_read && a->ops->window_read(a, (uint32_t)off, &val))
		return val;
	return vga_mem_read(&a->regs, &a->mem, (uint32_t)off);
}

static void window_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct vga_adapter *a = opaque;

	(void)size;
	if (a->ops && a->ops->window_write && a->ops->window_write(a, (uint32_t)off, (uint8_t)val))
		return;
	vga_mem_write(&a->regs, &a->mem, (uint32_t)off, (uint8_t)val);
}

/* Byte by byte: each byte goes through the latches and planes on its own. */
static const struct region_ops window_ops = {
	.read = window_read,
	.write = window_write,
	.min_size = 1,
	.max_size = 1,
};

/* ---------------------------------------------------------------- display */

static void display_refresh_op(void *opaque, bool full, struct display_surface *s,
			       struct display_dirty *d)
{
	struct vga_adapter *a = opaque;

	vga_render_refresh(&a->render, a, full, s, d);
}

static const struct display_source vga_display = {
	.name = "vga",
	.refresh = display_refresh_op,
};

static uint64_t render_clock(void *opaque)
{
	struct machine *m = opaque;

	return m && m->loop ? loop_now(m->loop) : 0;
}

/* ---------------------------------------------------------------- life cycle */

static int vram_alloc(struct vga_adapter *a)
{
	void *host = NULL;
	int ret = a->m ? plat_vram_alloc(&a->m->plat, a->vram_size, &host) : -EOPNOTSUPP;

	if (ret == 0) {
		a->vram = host;
		a->vram_platform = true;
		return 0;
	}
	if (ret != -EOPNOTSUPP) {
		dm_err(a->name, "cannot allocate %u MiB of video RAM in the guest: %s",
		       a->vram_size >> 20, strerror(-ret));
		return ret;
	}
	a->vram = calloc(1, a->vram_size);
	return a->vram ? 0 : -ENOMEM;
}

int vga_adapter_init(struct vga_adapter *a, struct machine *m, const char *name, uint32_t vram_size,
		     const struct vga_regs_cfg *cfg, const struct vga_adapter_ops *ops,
		     void *opaque)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->m = m;
	a->name = name;
	a->ops = ops;
	a->opaque = opaque;
	if (vram_size < VRAM_MIN || vram_size > VRAM_MAX || (vram_size & (vram_size - 1))) {
		dm_err(name, "video RAM of %u bytes: not a power of two from 256 KiB to 512 MiB",
		       vram_size);
		return -EINVAL;
	}
	a->vram_size = vram_size;
	ret = vram_alloc(a);
	if (ret)
		return ret;
	a->dirty = calloc(dirty_words(a), sizeof(*a->dirty));
	if (!a->dirty)
		return -ENOMEM;
	vga_regs_init(&a->regs, cfg);
	a->mem = (struct vga_mem){
		.vram = a->vram,
		.vram_size = vram_size,
		.dirty = mem_dirty,
		.dirty_opaque = a,
	};
	vga_render_init(&a->render, render_clock, m);
	a->ports = (struct region){ .name = "vga-ports",
				    .space = BUS_PIO,
				    .base = VGA_IO_BASE,
				    .len = VGA_IO_SIZE,
				    .ops = &ports_ops,
				    .opaque = a };
	a->window = (struct region){ .name = "vga-window",
				     .space = BUS_MMIO,
				     .base = VGA_WINDOW_BASE,
				     .len = VGA_MEM_WINDOW_SIZE,
				     .ops = &window_ops,
				     .opaque = a };
	return 0;
}

int vga_adapter_map_legacy(struct vga_adapter *a)
{
	int ret = bus_add(a->m->bus, &a->ports);

	if (ret)
		goto err;
	ret = bus_add(a->m->bus, &a->window);
	if (ret)
		goto err_del_ports;
	ret = display_register(a->m, &vga_display, a);
	if (ret)
		goto err_del_window;
	a->display_registered = true;
	return 0;

err_del_window:
	bus_del(a->m->bus, &a->window);
err_del_ports:
	bus_del(a->m->bus, &a->ports);
err:
	dm_err(a->name, "cannot claim the VGA ports and window: %s", strerror(-ret));
	return ret;
}

void vga_adapter_fini(struct vga_adapter *a)
{
	if (a->display_registered)
		display_unregister(a->m);
	a->display_registered = false;
	if (a->m && a->window.mapped)
		bus_del(a->m->bus, &a->window);
	if (a->m && a->ports.mapped)
		bus_del(a->m->bus, &a->ports);
	if (a->lfb_direct)
		(void)plat_vram_map(&a->m->plat, a->vram, a->vram_size, a->lfb_gpa, false);
	a->lfb_direct = false;
	if (a->vram_platform)
		plat_vram_free(&a->m->plat, a->vram, a->vram_size);
	else
		free(a->vram);
	a->vram = NULL;
	free(a->dirty);
	a->dirty = NULL;
	vga_render_fini(&a->render);
}

void vga_adapter_reset(struct vga_adapter *a)
{
	vga_regs_reset(&a->regs);
	a->dac_8bit = false;
	a->mem.latch = 0;
	a->mem.bank_offset = 0;
	vga_render_invalidate(&a->render);
}

/* ---------------------------------------------------------------- framebuffer BAR */

bool vga_adapter_lfb_map(struct vga_adapter *a, bool mapped, uint64_t gpa)
{
	if (a->lfb_direct) {
		(void)plat_vram_map(&a->m->plat, a->vram, a->vram_size, a->lfb_gpa, false);
		a->lfb_direct = false;
	}
	if (!mapped || !a->vram_platform)
		return false;
	if (plat_vram_map(&a->m->plat, a->vram, a->vram_size, gpa, true) < 0)
		return false;
	a->lfb_direct = true;
	a->lfb_gpa = gpa;
	vga_adapter_mark(a, 0, a->vram_size); /* the log starts now: what came before is unknown */
	return true;
}

uint64_t vga_adapter_lfb_read(struct vga_adapter *a, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	if (size > 8 || off >= a->vram_size || size > a->vram_size - off)
		return ~0ull;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)a->vram[off + i] << (8 * i);
	return v;
}

void vga_adapter_lfb_write(struct vga_adapter *a, uint64_t off, uint64_t val, unsigned size)
{
	if (size > 8 || off >= a->vram_size || size > a->vram_size - off)
		return;
	for (unsigned i = 0; i < size; i++)
		a->vram[off + i] = (uint8_t)(val >> (8 * i));
	vga_adapter_mark(a, off, size);
}

/* ---------------------------------------------------------------- state */

int vga_adapter_save(const struct vga_adapter *a, struct snap_wr *w)
{
	vga_regs_save(&a->regs, w);
	vga_mem_save(&a->mem, w);
	snap_u32(w, "bank_offset", a->mem.bank_offset);
	return snap_u8(w, "dac_8bit", a->dac_8bit);
}

/* VRAM itself is guest memory (saved with it, as QEMU's vga.vram RAM block): not here. */
int vga_adapter_load(struct vga_adapter *a, struct snap_rd *r)
{
	struct vga_regs regs = a->regs;
	struct vga_mem mem = a->mem;
	bool dac_8bit;

	if (vga_regs_load(&regs, r) || vga_mem_load(&mem, r) ||
	    snap_get_u32(r, "bank_offset", &mem.bank_offset) ||
	    snap_get_bool(r, "dac_8bit", &dac_8bit))
		return -EINVAL;
	/* the bank lies inside VRAM (vga_mem checks each access against the end as well) */
	if (mem.bank_offset >= a->vram_size)
		return -EINVAL;
	a->regs = regs;
	a->mem = mem;
	a->dac_8bit = dac_8bit;
	return 0;
}

void vga_adapter_post_load(struct vga_adapter *a)
{
	vga_adapter_mark(a, 0, a->vram_size);
	vga_render_invalidate(&a->render);
}
