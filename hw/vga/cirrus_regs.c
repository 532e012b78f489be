// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Cirrus Logic CLGD5446's extended registers (CL-GD5446 Technical
 * Reference Manual, chapters 8-9 "Extension Registers"; Finn Thøgersen's
 * VGADOC "Cirrus Logic" pages) around the VGA core's register file.
 *
 * Read-back values follow QEMU 7.2's cirrus_vga.c, checked against Debian's
 * qemu-system-x86_64 with qtest (tests/unit/cirrus_qemu_sessions.h): full
 * 8-bit sequencer and graphics indices; SR0-4 and GR0-8 masked as the VGA
 * has them, but GR0/GR1 read back all 8 bits (the blitter colour bytes) and
 * GR5 seven; SR6 reads 0x12 after the unlock value, else 0x0f; SR10/SR11
 * aliased at every index with the low five bits 0x10/0x11 (the alias bits
 * are the cursor position's low three bits); SR17 bits 3-5 read-only; CR24
 * and CR26 read the attribute flip-flop and index; CR27 the part ID; every
 * other index beyond those QEMU models floats at 0xff. The hidden DAC
 * register (0x3c6 after four reads of it) holds the depth for 15/16 bpp.
 *
 * Left out, as in QEMU: the PEL mask itself (0x3c6 reads 0xff but for the
 * hidden DAC), the VCLK synthesizer (SRB-SR1E store, nothing follows), the
 * signature generator, and the CLGD5446's video window registers.
 */
#include "hw/vga/cirrus_regs.h"

#include <errno.h>
#include <string.h>

#include "dm/state.h"

#define SR_STD_LAST 0x04
#define GR_STD_LAST 0x08
#define CR_STD_LAST 0x18

#define PORTS_MONO_END	  0x10 /* 0x3b0-0x3bf */
#define PORTS_COLOR_START 0x20 /* 0x3d0-0x3df */

/* The index QEMU's sr_index aliases for SR10/SR11: any index with low five bits 0x10/0x11. */
#define SR_ALIAS_MASK 0x1f

/* Hidden DAC: the fifth consecutive 0x3c6 read returns it, a write after four reads sets it. */
#define HIDDEN_DAC_UNLOCK 4

/*
 * How each extended graphics index takes a write: the bits kept, and
 * whether the write concerns the rest of the adapter. 0: not decoded.
 * (QEMU cirrus_vga_write_gr; the 13-bit BLT width/height/pitches and
 * 22-bit addresses keep 5 and 6 bits of their top byte.)
 */
static const uint8_t gr_ext_mask[CIRRUS_GR_C] = {
	[0x05] = 0x7f, [0x09] = 0xff, [0x0a] = 0xff, [0x0b] = 0xff, [0x10] = 0xff, [0x11] = 0xff,
	[0x12] = 0xff, [0x13] = 0xff, [0x14] = 0xff, [0x15] = 0xff, [0x20] = 0xff, [0x21] = 0x1f,
	[0x22] = 0xff, [0x23] = 0x1f, [0x24] = 0xff, [0x25] = 0x1f, [0x26] = 0xff, [0x27] = 0x1f,
	[0x28] = 0xff, [0x29] = 0xff, [0x2a] = 0x3f, [0x2c] = 0xff, [0x2d] = 0xff, [0x2e] = 0x3f,
	[0x2f] = 0xff, [0x30] = 0xff, [0x32] = 0xff, [0x33] = 0xff, [0x34] = 0xff, [0x35] = 0xff,
	[0x38] = 0xff, [0x39] = 0xff,
};

void cirrus_regs_init(struct cirrus_regs *c, struct vga_regs *vga)
{
	memset(c, 0, sizeof(*c));
	c->vga = vga;
	cirrus_regs_reset(c);
}

void cirrus_regs_reset(struct cirrus_regs *c)
{
	struct vga_regs *vga = c->vga;

	memset(c, 0, sizeof(*c));
	c->vga = vga;
	c->sr[CIRRUS_SR_UNLOCK] = CIRRUS_SR6_LOCKED;
	/* QEMU: "4MB 64 bit memory config, always PCI" (TRM SR0F, SR15, SR17, SR1F, GR18). */
	c->sr[CIRRUS_SR_MCLK] = 0x2d;
	c->gr[CIRRUS_GR_MEM_CFG] = 0x0f;
	c->sr[CIRRUS_SR_DRAM_CTL] = 0x98;
	c->sr[CIRRUS_SR_CONFIG] = 0x20;
	c->sr[CIRRUS_SR_MEM_SIZE] = 0x04;
	c->vga->cr[CIRRUS_CR_PART_ID] = CIRRUS_ID_CLGD5446;
	/* QEMU resets the lock to 5: the first four reads do not unlock (it counts on past 5). */
	c->hidden_dac_lock = 5;
}

static uint8_t sr_read(const struct cirrus_regs *c)
{
	uint8_t i = c->sr_index;

	if (i <= SR_STD_LAST)
		return c->vga->sr[i];
	if ((i & SR_ALIAS_MASK) == CIRRUS_SR_CURSOR_X || (i & SR_ALIAS_MASK) == CIRRUS_SR_CURSOR_Y)
		return c->sr[i & SR_ALIAS_MASK];
	return i < CIRRUS_SR_C ? c->sr[i] : 0xff;
}

static unsigned sr_write(struct cirrus_regs *c, uint8_t val)
{
	uint8_t i = c->sr_index;

	if (i <= SR_STD_LAST) {
		c->vga->sr_index = i;
		vga_regs_write(c->vga, VGA_SEQ_D, val);
		return 0;
	}
	if ((i & SR_ALIAS_MASK) == CIRRUS_SR_CURSOR_X) {
		c->sr[CIRRUS_SR_CURSOR_X] = val;
		c->cursor_x = (uint16_t)(val << 3 | i >> 5);
		return 0;
	}
	if ((i & SR_ALIAS_MASK) == CIRRUS_SR_CURSOR_Y) {
		c->sr[CIRRUS_SR_CURSOR_Y] = val;
		c->cursor_y = (uint16_t)(val << 3 | i >> 5);
		return 0;
	}
	switch (i) {
	case CIRRUS_SR_UNLOCK:
		c->sr[i] =
		    (val & 0x17) == CIRRUS_SR6_UNLOCKED ? CIRRUS_SR6_UNLOCKED : CIRRUS_SR6_LOCKED;
		return 0;
	case CIRRUS_SR_CONFIG:
		c->sr[i] = (c->sr[i] & CIRRUS_SR17_RO) | (val & ~CIRRUS_SR17_RO);
		return CIRRUS_EV_MAP;
	case CIRRUS_SR_EXT_MODE:
		c->sr[i] = val;
		return CIRRUS_EV_MAP;
	default:
		/* SR5 and SR20+ are not decoded for writes; SR8-SR1F store all 8 bits. */
		if (i > CIRRUS_SR_EXT_MODE && i < CIRRUS_SR_C)
			c->sr[i] = val;
		return 0;
	}
}

uint8_t cirrus_gr_read(const struct cirrus_regs *c, uint8_t idx)
{
	switch (idx) {
	case 0x00:
		return c->shadow_gr0;
	case 0x01:
		return c->shadow_gr1;
	case CIRRUS_GR_MODE:
		return c->gr[idx];
	default:
		if (idx <= GR_STD_LAST)
			return c->vga->gr[idx];
		return idx < CIRRUS_GR_C ? c->gr[idx] : 0xff;
	}
}

static unsigned blt_status_write(struct cirrus_regs *c, uint8_t val)
{
	uint8_t old = c->gr[CIRRUS_GR_BLT_STATUS];

	c->gr[CIRRUS_GR_BLT_STATUS] = val;
	if ((old & CIRRUS_BLT_RESET) && !(val & CIRRUS_BLT_RESET))
		return CIRRUS_EV_BLT_RESET;
	if (!(old & CIRRUS_BLT_START) && (val & CIRRUS_BLT_START))
		return CIRRUS_EV_BLT_START;
	return 0;
}

unsigned cirrus_gr_write(struct cirrus_regs *c, uint8_t idx, uint8_t val)
{
	if (idx <= GR_STD_LAST) {
		/* The VGA core keeps its masked copy (the planar path reads it). */
		c->vga->gr_index = idx;
		vga_regs_write(c->vga, VGA_GFX_D, val);
		if (idx == 0)
			c->shadow_gr0 = val;
		else if (idx == 1)
			c->shadow_gr1 = val;
		if (idx != CIRRUS_GR_MODE)
			return 0;
	}
	if (idx == CIRRUS_GR_BLT_STATUS)
		return blt_status_write(c, val);
	if (idx >= CIRRUS_GR_C || !gr_ext_mask[idx])
		return 0;
	c->gr[idx] = val & gr_ext_mask[idx];
	switch (idx) {
	case CIRRUS_GR_MODE:
	case CIRRUS_GR_BANK0:
	case CIRRUS_GR_BANK1:
	case CIRRUS_GR_BANK_CTL:
		return CIRRUS_EV_MAP;
	case CIRRUS_GR_BLT_DADDR + 2:
		/* TRM GR31 bit 7: with autostart, writing the destination's top byte starts it. */
		return (c->gr[CIRRUS_GR_BLT_STATUS] & CIRRUS_BLT_AUTOSTART) ? CIRRUS_EV_BLT_START
									    : 0;
	default:
		return 0;
	}
}

static bool crtc_data_port(const struct cirrus_regs *c, unsigned off)
{
	bool color = c->vga->msr & VGA_MIS_COLOR;

	return (off == VGA_CGA_CRTC_DATA && color) || (off == VGA_MDA_CRTC_DATA && !color);
}

static uint8_t cr_read(const struct cirrus_regs *c)
{
	uint8_t i = c->vga->cr_index;

	switch (i) {
	case 0x00 ... CR_STD_LAST:
	case 0x19 ... CIRRUS_CR_OVERLAY:
	case 0x22:
	case 0x25:
	case CIRRUS_CR_PART_ID:
		return c->vga->cr[i];
	case CIRRUS_CR_ATT_TOGGLE:
		return c->vga->ar_flip_flop ? 0x80 : 0;
	case CIRRUS_CR_ATT_INDEX:
		return c->vga->ar_index & VGA_AR_INDEX_MASK;
	default:
		return 0xff;
	}
}

static void cr_write(struct cirrus_regs *c, unsigned off, uint8_t val)
{
	uint8_t i = c->vga->cr_index;

	if (i <= CR_STD_LAST)
		vga_regs_write(c->vga, off, val); /* CR0-7 protection lives there */
	else if (i >= 0x19 && i <= CIRRUS_CR_OVERLAY)
		c->vga->cr[i] = val;
	/* CR22, CR24-CR27 are read-only; the rest not decoded. */
}

/* The hidden palette (SR12 bit 1) is 16 entries: the DAC index's low four bits pick one. */
static uint8_t *palette_entry(struct cirrus_regs *c, uint8_t index)
{
	if (c->sr[CIRRUS_SR_CURSOR] & CIRRUS_SR12_HIDDEN)
		return &c->hidden_palette[(index & 0x0f) * 3];
	return &c->vga->palette[index * 3];
}

static uint8_t dac_data_read(struct cirrus_regs *c)
{
	struct vga_regs *v = c->vga;
	uint8_t val = palette_entry(c, v->dac_read_index)[v->dac_sub_index];

	if (++v->dac_sub_index == 3) {
		v->dac_sub_index = 0;
		v->dac_read_index++;
	}
	return val;
}

static void dac_data_write(struct cirrus_regs *c, uint8_t val)
{
	struct vga_regs *v = c->vga;

	v->dac_cache[v->dac_sub_index] = val;
	if (++v->dac_sub_index == 3) {
		memcpy(palette_entry(c, v->dac_write_index), v->dac_cache, 3);
		v->dac_sub_index = 0;
		v->dac_write_index++;
	}
}

static uint8_t hidden_dac_read(struct cirrus_regs *c)
{
	if (++c->hidden_dac_lock == HIDDEN_DAC_UNLOCK + 1) {
		c->hidden_dac_lock = 0;
		return c->hidden_dac;
	}
	return 0xff;
}

/*
 * QEMU's cirrus decodes all of 0x3b0-0x3df (one region, vga_ioport_invalid):
 * 0x3b0-0x3bf with mono decode, 0x3d0-0x3df with colour, 0x3c0-0x3cf always;
 * a decoded port without a register reads 0, the others float at 0xff.
 */
static bool port_has_register(unsigned off)
{
	switch (off) {
	case VGA_MDA_CRTC_INDEX:
	case VGA_MDA_CRTC_DATA:
	case VGA_MDA_IS1:
	case VGA_CGA_CRTC_INDEX:
	case VGA_CGA_CRTC_DATA:
	case VGA_CGA_IS1:
		return true;
	default:
		return off >= VGA_ATT_W && off <= VGA_GFX_D;
	}
}

static uint8_t other_port_read(struct cirrus_regs *c, unsigned off)
{
	bool color = c->vga->msr & VGA_MIS_COLOR;
	bool decoded = off < PORTS_MONO_END ? !color : off < PORTS_COLOR_START ? true : color;

	if (off < VGA_IO_SIZE && decoded && !port_has_register(off))
		return 0;
	return vga_regs_read(c->vga, off);
}

uint8_t cirrus_regs_read(struct cirrus_regs *c, unsigned off)
{
	switch (off) {
	case VGA_SEQ_I:
		return c->sr_index;
	case VGA_SEQ_D:
		return sr_read(c);
	case VGA_PEL_MSK:
		return hidden_dac_read(c);
	case VGA_PEL_IW:
		c->hidden_dac_lock = 0;
		return c->vga->dac_write_index;
	case VGA_PEL_D:
		return dac_data_read(c);
	case VGA_GFX_I:
		return c->gr_index;
	case VGA_GFX_D:
		return cirrus_gr_read(c, c->gr_index);
	case VGA_MDA_CRTC_DATA:
	case VGA_CGA_CRTC_DATA:
		if (crtc_data_port(c, off))
			return cr_read(c);
		return 0xff;
	default:
		return other_port_read(c, off);
	}
}

unsigned cirrus_regs_write(struct cirrus_regs *c, unsigned off, uint8_t val)
{
	switch (off) {
	case VGA_SEQ_I:
		c->sr_index = val;
		return 0;
	case VGA_SEQ_D:
		return sr_write(c, val);
	case VGA_PEL_MSK:
		if (c->hidden_dac_lock == HIDDEN_DAC_UNLOCK)
			c->hidden_dac = val;
		c->hidden_dac_lock = 0;
		return 0;
	case VGA_PEL_D:
		dac_data_write(c, val);
		return 0;
	case VGA_GFX_I:
		c->gr_index = val;
		return 0;
	case VGA_GFX_D:
		return cirrus_gr_write(c, c->gr_index, val);
	case VGA_MDA_CRTC_DATA:
	case VGA_CGA_CRTC_DATA:
		if (crtc_data_port(c, off))
			cr_write(c, off, val);
		return 0;
	default:
		vga_regs_write(c->vga, off, val);
		return 0;
	}
}

/* Hidden DAC bits 0-3 (TRM "Hidden DAC Register"): 0 Sierra 5-5-5, 1 XGA 5-6-5; QEMU
 * takes anything else as 15. */
static unsigned bpp16(const struct cirrus_regs *c)
{
	return (c->hidden_dac & 0x0f) == 1 ? 16 : 15;
}

unsigned cirrus_bpp(const struct cirrus_regs *c)
{
	uint8_t sr7 = c->sr[CIRRUS_SR_EXT_MODE];

	if (!(sr7 & CIRRUS_SR7_SVGA))
		return 0;
	switch (sr7 & CIRRUS_SR7_BPP_MASK) {
	case 0x02: /* 16 bpp, double VCLK */
	case 0x06:
		return bpp16(c);
	case 0x04:
		return 24;
	case 0x08:
		return 32;
	default:
		return 8;
	}
}

uint32_t cirrus_line_offset(const struct cirrus_regs *c)
{
	const uint8_t *cr = c->vga->cr;

	return (uint32_t)(cr[VGA_CRTC_OFFSET] | (cr[CIRRUS_CR_EXT_DISP] & 0x10) << 4) << 3;
}

uint32_t cirrus_start_addr(const struct cirrus_regs *c)
{
	const uint8_t *cr = c->vga->cr;

	return (uint32_t)cr[VGA_CRTC_START_HI] << 8 | cr[VGA_CRTC_START_LO] |
	       (uint32_t)(cr[CIRRUS_CR_EXT_DISP] & 0x01) << 16 |
	       (uint32_t)(cr[CIRRUS_CR_EXT_DISP] & 0x0c) << 15 |
	       (uint32_t)(cr[CIRRUS_CR_OVERLAY] & 0x80) << 12;
}

uint32_t cirrus_line_compare(const struct cirrus_regs *c)
{
	const uint8_t *cr = c->vga->cr;

	return cr[0x18] | (uint32_t)(cr[VGA_CRTC_OVERFLOW] & 0x10) << 4 |
	       (uint32_t)(cr[VGA_CRTC_MAX_SCAN] & 0x40) << 3;
}

void cirrus_resolution(const struct cirrus_regs *c, unsigned *width, unsigned *height)
{
	const uint8_t *cr = c->vga->cr;
	unsigned h = cr[VGA_CRTC_V_DISP_END] | (cr[VGA_CRTC_OVERFLOW] & 0x02) << 7 |
		     (cr[VGA_CRTC_OVERFLOW] & 0x40) << 3;

	h++;
	if (cr[CIRRUS_CR_INTERLACE] & 0x01)
		h *= 2;
	*width = (cr[VGA_CRTC_H_DISP] + 1u) * 8;
	*height = h;
}

int cirrus_regs_save(const struct cirrus_regs *c, struct snap_wr *w)
{
	snap_u8(w, "cl_sr_index", c->sr_index);
	snap_u8(w, "cl_gr_index", c->gr_index);
	snap_bytes(w, "cl_sr", c->sr, sizeof(c->sr));
	snap_bytes(w, "cl_gr", c->gr, sizeof(c->gr));
	snap_u8(w, "shadow_gr0", c->shadow_gr0);
	snap_u8(w, "shadow_gr1", c->shadow_gr1);
	snap_u8(w, "hidden_dac_lock", c->hidden_dac_lock);
	snap_u8(w, "hidden_dac", c->hidden_dac);
	snap_bytes(w, "hidden_palette", c->hidden_palette, sizeof(c->hidden_palette));
	snap_u16(w, "cursor_x", c->cursor_x);
	return snap_u16(w, "cursor_y", c->cursor_y);
}

/* What guest writes can leave: the masks above, the VGA copies equal to the shadows'
 * low bits, SR6 one of its two values, the cursor position from SR10/11. */
static bool regs_valid(const struct cirrus_regs *t)
{
	if (t->sr[CIRRUS_SR_UNLOCK] != CIRRUS_SR6_LOCKED &&
	    t->sr[CIRRUS_SR_UNLOCK] != CIRRUS_SR6_UNLOCKED)
		return false;
	if ((t->sr[CIRRUS_SR_CONFIG] & CIRRUS_SR17_RO) != 0x20 || t->sr[5])
		return false;
	for (unsigned i = 0; i <= SR_STD_LAST; i++)
		if (t->sr[i])
			return false;
	for (unsigned i = 0; i < CIRRUS_GR_C; i++) {
		uint8_t mask = gr_ext_mask[i];

		if (i == CIRRUS_GR_BLT_STATUS || i == CIRRUS_GR_MEM_CFG)
			continue;
		if (t->gr[i] & ~mask)
			return false;
	}
	if (t->gr[CIRRUS_GR_MEM_CFG] != 0x0f)
		return false;
	if ((t->gr[CIRRUS_GR_MODE] & 0x7b) != t->vga->gr[VGA_GFX_MODE])
		return false;
	if ((t->shadow_gr0 & 0x0f) != t->vga->gr[0] || (t->shadow_gr1 & 0x0f) != t->vga->gr[1])
		return false;
	if ((t->cursor_x >> 3) != t->sr[CIRRUS_SR_CURSOR_X] ||
	    (t->cursor_y >> 3) != t->sr[CIRRUS_SR_CURSOR_Y])
		return false;
	return t->vga->cr[CIRRUS_CR_PART_ID] == CIRRUS_ID_CLGD5446;
}

int cirrus_regs_load(struct cirrus_regs *c, struct snap_rd *r)
{
	struct cirrus_regs t = { .vga = c->vga };
	int ret = 0;

	ret |= snap_get_u8(r, "cl_sr_index", &t.sr_index);
	ret |= snap_get_u8(r, "cl_gr_index", &t.gr_index);
	ret |= snap_get_bytes(r, "cl_sr", t.sr, sizeof(t.sr));
	ret |= snap_get_bytes(r, "cl_gr", t.gr, sizeof(t.gr));
	ret |= snap_get_u8(r, "shadow_gr0", &t.shadow_gr0);
	ret |= snap_get_u8(r, "shadow_gr1", &t.shadow_gr1);
	ret |= snap_get_u8(r, "hidden_dac_lock", &t.hidden_dac_lock);
	ret |= snap_get_u8(r, "hidden_dac", &t.hidden_dac);
	ret |= snap_get_bytes(r, "hidden_palette", t.hidden_palette, sizeof(t.hidden_palette));
	ret |= snap_get_u16(r, "cursor_x", &t.cursor_x);
	ret |= snap_get_u16(r, "cursor_y", &t.cursor_y);
	if (ret || !regs_valid(&t))
		return -EINVAL;
	*c = t;
	return 0;
}
