// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bochs VBE dispi registers (Bochs iodev/vga vbe.h; QEMU 7.2 vga.c
 * vbe_ioport_read_data / vbe_ioport_write_data / vbe_fixup_regs /
 * vbe_update_vgaregs), read back as QEMU returns them:
 *
 *  - ID takes only 0xb0c0-0xb0c5; reset 0xb0c5;
 *  - with GETCAPS set, XRES/YRES/BPP read the maxima (16000, 12000, 32);
 *    index 0xa reads the VRAM in 64 KiB units; other indices read 0;
 *  - each write of XRES, YRES, BPP, VIRT_WIDTH, X/Y_OFFSET re-clips the
 *    mode against VRAM while enabled: depth to 4/8/15/16/24/32 (else 8),
 *    width to a multiple of 8 in [8, 16000], virtual width >= width,
 *    height in [1, min(12000, VRAM / line)], VIRT_HEIGHT the lines VRAM
 *    holds, offsets dropped when the visible frame would pass VRAM's end;
 *  - BANK is masked to the 64 KiB banks VRAM has;
 *  - ENABLE: turning it on zeroes the virtual width and offsets, clips,
 *    programs the CRTC/GR/SR for graphics, chain-4, all planes, and clears
 *    height x line bytes of VRAM unless NOCLEARMEM; bit 5 selects the
 *    8-bit DAC. VIRT_HEIGHT is read-only.
 */
#include "hw/vga/bochs_vbe.h"

#include <errno.h>
#include <string.h>

#include "dm/state.h"
#include "hw/vga/vga_adapter.h"
#include "hw/vga/vga_render.h"

#define SR04_CHAIN4	0x08
#define SR02_ALL_PLANES 0x0f
#define CR_MODE		0x17
#define CR_LINE_COMPARE 0x18

void vbe_reset(struct bochs_vbe *v)
{
	memset(v, 0, sizeof(*v));
	v->regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
}

bool vbe_enabled(const struct bochs_vbe *v)
{
	return v->regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

uint16_t vbe_read_index(const struct bochs_vbe *v)
{
	return v->index;
}

void vbe_write_index(struct bochs_vbe *v, uint16_t val)
{
	v->index = val;
}

uint16_t vbe_read_data(const struct bochs_vbe *v, const struct vga_adapter *a)
{
	if (v->index < VBE_DISPI_INDEX_NB) {
		if (v->regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
			switch (v->index) {
			case VBE_DISPI_INDEX_XRES:
				return VBE_DISPI_MAX_XRES;
			case VBE_DISPI_INDEX_YRES:
				return VBE_DISPI_MAX_YRES;
			case VBE_DISPI_INDEX_BPP:
				return VBE_DISPI_MAX_BPP;
			default:
				break;
			}
		}
		return v->regs[v->index];
	}
	if (v->index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K)
		return (uint16_t)(a->vram_size >> 16);
	return 0;
}

/* Clip the mode to what VRAM holds; the line offset and start follow (QEMU vbe_fixup_regs). */
static void fixup(struct bochs_vbe *v, uint32_t vram_size)
{
	uint16_t *r = v->regs;
	uint32_t bits, line, maxy, offset;

	if (!vbe_enabled(v))
		return;
	switch (r[VBE_DISPI_INDEX_BPP]) {
	case 4:
	case 8:
	case 16:
	case 24:
	case 32:
		bits = r[VBE_DISPI_INDEX_BPP];
		break;
	case 15:
		bits = 16;
		break;
	default:
		bits = r[VBE_DISPI_INDEX_BPP] = 8;
		break;
	}
	r[VBE_DISPI_INDEX_XRES] &= ~7u;
	if (r[VBE_DISPI_INDEX_XRES] == 0)
		r[VBE_DISPI_INDEX_XRES] = 8;
	if (r[VBE_DISPI_INDEX_XRES] > VBE_DISPI_MAX_XRES)
		r[VBE_DISPI_INDEX_XRES] = VBE_DISPI_MAX_XRES;
	r[VBE_DISPI_INDEX_VIRT_WIDTH] &= ~7u;
	if (r[VBE_DISPI_INDEX_VIRT_WIDTH] > VBE_DISPI_MAX_XRES)
		r[VBE_DISPI_INDEX_VIRT_WIDTH] = VBE_DISPI_MAX_XRES;
	if (r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES])
		r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
	line = r[VBE_DISPI_INDEX_VIRT_WIDTH] * bits / 8;
	maxy = vram_size / line;
	if (r[VBE_DISPI_INDEX_YRES] == 0)
		r[VBE_DISPI_INDEX_YRES] = 1;
	if (r[VBE_DISPI_INDEX_YRES] > VBE_DISPI_MAX_YRES)
		r[VBE_DISPI_INDEX_YRES] = VBE_DISPI_MAX_YRES;
	if (r[VBE_DISPI_INDEX_YRES] > maxy)
		r[VBE_DISPI_INDEX_YRES] = (uint16_t)maxy;
	if (r[VBE_DISPI_INDEX_X_OFFSET] > VBE_DISPI_MAX_XRES)
		r[VBE_DISPI_INDEX_X_OFFSET] = VBE_DISPI_MAX_XRES;
	if (r[VBE_DISPI_INDEX_Y_OFFSET] > VBE_DISPI_MAX_YRES)
		r[VBE_DISPI_INDEX_Y_OFFSET] = VBE_DISPI_MAX_YRES;
	offset = r[VBE_DISPI_INDEX_X_OFFSET] * bits / 8 + r[VBE_DISPI_INDEX_Y_OFFSET] * line;
	if (offset + r[VBE_DISPI_INDEX_YRES] * line > vram_size) {
		r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
		offset = r[VBE_DISPI_INDEX_X_OFFSET] * bits / 8;
		if (offset + r[VBE_DISPI_INDEX_YRES] * line > vram_size) {
			r[VBE_DISPI_INDEX_X_OFFSET] = 0;
			offset = 0;
		}
	}
	r[VBE_DISPI_INDEX_VIRT_HEIGHT] = (uint16_t)maxy; /* QEMU keeps the low 16 bits */
	v->line_offset = line;
	v->start_addr = offset / 4;
}

/* The VGA core programmed for the VBE mode (QEMU vbe_update_vgaregs). */
static void update_vgaregs(const struct bochs_vbe *v, struct vga_regs *g)
{
	unsigned h, shift_control;

	if (!vbe_enabled(v))
		return;
	g->gr[VGA_GFX_MISC] = (g->gr[VGA_GFX_MISC] & ~0x0c) | 0x04 | 0x01;
	g->cr[CR_MODE] |= 3;
	g->cr[VGA_CRTC_OFFSET] = (uint8_t)(v->line_offset >> 3);
	g->cr[VGA_CRTC_H_DISP] = (uint8_t)((v->regs[VBE_DISPI_INDEX_XRES] >> 3) - 1);
	h = v->regs[VBE_DISPI_INDEX_YRES] - 1u;
	g->cr[VGA_CRTC_V_DISP_END] = (uint8_t)h;
	g->cr[VGA_CRTC_OVERFLOW] =
	    (g->cr[VGA_CRTC_OVERFLOW] & ~0x42) | ((h >> 7) & 0x02) | ((h >> 3) & 0x40);
	g->cr[CR_LINE_COMPARE] = 0xff;
	g->cr[VGA_CRTC_OVERFLOW] |= 0x10;
	g->cr[VGA_CRTC_MAX_SCAN] |= 0x40;
	if (v->regs[VBE_DISPI_INDEX_BPP] == 4) {
		shift_control = 0;
		g->sr_vbe[VGA_SEQ_CLOCK_MODE] &= ~VGA_SR01_DOT_CLOCK_DIV;
	} else {
		shift_control = 2;
		g->sr_vbe[VGA_SEQ_MEMORY_MODE] |= SR04_CHAIN4;
		g->sr_vbe[VGA_SEQ_PLANE_WRITE] |= SR02_ALL_PLANES;
	}
	g->gr[VGA_GFX_MODE] = (uint8_t)((g->gr[VGA_GFX_MODE] & ~0x60) | shift_control << 5);
	g->cr[VGA_CRTC_MAX_SCAN] &= ~0x9f;
}

static void enable_write(struct bochs_vbe *v, struct vga_adapter *a, uint16_t val)
{
	if ((val & VBE_DISPI_ENABLED) && !vbe_enabled(v)) {
		v->regs[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
		v->regs[VBE_DISPI_INDEX_X_OFFSET] = 0;
		v->regs[VBE_DISPI_INDEX_Y_OFFSET] = 0;
		v->regs[VBE_DISPI_INDEX_ENABLE] |= VBE_DISPI_ENABLED;
		fixup(v, a->vram_size);
		update_vgaregs(v, &a->regs);
		if (!(val & VBE_DISPI_NOCLEARMEM)) {
			/* fixup bounds YRES * line by the VRAM size */
			uint64_t len = (uint64_t)v->regs[VBE_DISPI_INDEX_YRES] * v->line_offset;

			memset(a->vram, 0, len);
			vga_adapter_mark(a, 0, len);
		}
	} else {
		a->mem.bank_offset = 0;
	}
	a->dac_8bit = (val & VBE_DISPI_8BIT_DAC) != 0;
	v->regs[VBE_DISPI_INDEX_ENABLE] = val;
	a->regs.vbe_sr = vbe_enabled(v);
}

void vbe_write_data(struct bochs_vbe *v, struct vga_adapter *a, uint16_t val)
{
	switch (v->index) {
	case VBE_DISPI_INDEX_ID:
		if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
			v->regs[VBE_DISPI_INDEX_ID] = val;
		break;
	case VBE_DISPI_INDEX_XRES:
	case VBE_DISPI_INDEX_YRES:
	case VBE_DISPI_INDEX_BPP:
	case VBE_DISPI_INDEX_VIRT_WIDTH:
	case VBE_DISPI_INDEX_X_OFFSET:
	case VBE_DISPI_INDEX_Y_OFFSET:
		v->regs[v->index] = val;
		fixup(v, a->vram_size);
		update_vgaregs(v, &a->regs);
		break;
	case VBE_DISPI_INDEX_BANK:
		val &= (uint16_t)((a->vram_size >> 16) - 1);
		v->regs[VBE_DISPI_INDEX_BANK] = val;
		a->mem.bank_offset = (uint32_t)val << 16;
		break;
	case VBE_DISPI_INDEX_ENABLE:
		enable_write(v, a, val);
		break;
	default: /* VIRT_HEIGHT is computed; 0xa and up are read-only or absent */
		break;
	}
}

bool vbe_scanout(const struct bochs_vbe *v, struct vga_scanout *so)
{
	if (!vbe_enabled(v))
		return false;
	so->width = v->regs[VBE_DISPI_INDEX_XRES];
	so->height = v->regs[VBE_DISPI_INDEX_YRES];
	so->bpp = v->regs[VBE_DISPI_INDEX_BPP];
	so->start = v->start_addr * 4;
	so->line_offset = v->line_offset;
	so->line_compare = 65535;
	so->widen16 = true; /* QEMU shares the std VGA's 16 bpp frame with its display */
	return true;
}

int vbe_save(const struct bochs_vbe *v, struct snap_wr *w)
{
	snap_u16(w, "vbe_index", v->index);
	for (unsigned i = 0; i < VBE_DISPI_INDEX_NB; i++) {
		char name[16] = "vbe_reg0";

		name[7] = (char)('0' + i);
		snap_u16(w, name, v->regs[i]);
	}
	snap_u32(w, "vbe_line_offset", v->line_offset);
	return snap_u32(w, "vbe_start_addr", v->start_addr);
}

/* A loaded mode must be one the clipping could have produced: it indexes VRAM. */
static bool vbe_valid(const struct bochs_vbe *t, uint32_t vram_size)
{
	const uint16_t *r = t->regs;
	uint64_t frame;

	if (r[VBE_DISPI_INDEX_ID] < VBE_DISPI_ID0 || r[VBE_DISPI_INDEX_ID] > VBE_DISPI_ID5)
		return false;
	if (r[VBE_DISPI_INDEX_BANK] > (vram_size >> 16) - 1)
		return false;
	if (!vbe_enabled(t))
		return true;
	frame = (uint64_t)t->start_addr * 4 + (uint64_t)r[VBE_DISPI_INDEX_YRES] * t->line_offset;
	return t->line_offset && t->line_offset <= VBE_DISPI_MAX_XRES * 4 && frame <= vram_size &&
	       r[VBE_DISPI_INDEX_XRES] >= 8 && r[VBE_DISPI_INDEX_XRES] <= VBE_DISPI_MAX_XRES &&
	       (uint64_t)r[VBE_DISPI_INDEX_XRES] * 4 <= (uint64_t)t->line_offset * 8;
}

int vbe_load(struct bochs_vbe *v, struct snap_rd *r, uint32_t vram_size)
{
	struct bochs_vbe t;
	int ret = snap_get_u16(r, "vbe_index", &t.index);

	for (unsigned i = 0; i < VBE_DISPI_INDEX_NB; i++) {
		char name[16] = "vbe_reg0";

		name[7] = (char)('0' + i);
		ret |= snap_get_u16(r, name, &t.regs[i]);
	}
	ret |= snap_get_u32(r, "vbe_line_offset", &t.line_offset);
	ret |= snap_get_u32(r, "vbe_start_addr", &t.start_addr);
	if (ret || !vbe_valid(&t, vram_size))
		return -EINVAL;
	*v = t;
	return 0;
}
