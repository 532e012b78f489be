// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IBM VGA register file (IBM VGA Technical Reference; FreeVGA's
 * "VGA/SVGA Video Programming" register pages): misc output 0x3c2/0x3cc,
 * input status 0/1, feature control, sequencer 0x3c4/5, CRTC 0x3d4/5 or
 * 0x3b4/5 by the misc register's I/OAS bit, graphics controller 0x3ce/f,
 * attribute controller 0x3c0/1 with its index/data flip-flop, DAC
 * 0x3c6-0x3c9.
 *
 * Read-back values follow QEMU 7.2's vga.c, checked against Debian's
 * qemu-system-x86_64 with qtest: the writable bits of each sequencer and
 * graphics register, all 256 CRTC indices stored, CR0-7 protected by CR11
 * bit 7 except CR7 bit 4, 8-bit DAC components read back as written, an
 * attribute index read as 0 while the flip-flop points at data, the
 * feature control register keeping only bit 4.
 *
 * Left out: the memory window and the display itself (the planar memory
 * and renderer files); the video feedback bits 4-5 of input status 1 and
 * the switch sense bit of input status 0 (QEMU returns 0, as we do).
 */
#include "hw/vga/vga_regs.h"

#include <errno.h>
#include <string.h>

#include "dm/state.h"

/* Writable bits per index (FreeVGA register pages; QEMU's sr_mask/gr_mask agree). */
static const uint8_t sr_write_mask[VGA_SEQ_C] = {
	0x03,		  /* reset: SR, AR */
	0x3d,		  /* clocking mode: bit 1 reserved, 6-7 reserved */
	0x0f,		  /* map mask */
	0x3f,		  /* character map select */
	0x0e,		  /* memory mode: bit 0 reserved */
	0x00, 0x00, 0xff, /* index 7: QEMU keeps a full byte here */
};

static const uint8_t gr_write_mask[VGA_GFX_C] = {
	0x0f, /* set/reset */
	0x0f, /* enable set/reset */
	0x0f, /* colour compare */
	0x1f, /* data rotate: count 0-2, function 3-4 */
	0x03, /* read map select */
	0x7b, /* mode: bit 2 reserved, 7 reserved */
	0x0f, /* misc */
	0x0f, /* colour don't care */
	0xff, /* bit mask */
};

/* Attribute registers: palette 0-15 six bits; mode control bit 4 reserved;
 * colour plane enable bits 0-3 + video status mux 4-5; panning and colour
 * select four bits each. */
static const uint8_t ar_write_mask[VGA_ATT_C] = {
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0xef, 0xff, 0x3f, 0x0f, 0x0f,
};

/* The dot clocks misc bits 2-3 select; 2 and 3 are external: the VGA BIOS never sets them. */
static const uint32_t dot_clock_hz[4] = { 25175000, 28322000, 25175000, 25175000 };

void vga_regs_init(struct vga_regs *s, const struct vga_regs_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	vga_regs_reset(s);
}

void vga_regs_reset(struct vga_regs *s)
{
	struct vga_regs_cfg cfg = s->cfg;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	/* IBM: the PEL mask powers up all ones; QEMU's std VGA does not decode it. */
	s->pel_mask = cfg.pel_mask ? 0xff : 0;
}

/*
 * Decoded: 0x3b4/5 and 0x3ba only with I/OAS clear, 0x3d4/5 and 0x3da only
 * with it set, 0x3c0-0x3cf always (QEMU's vga_portio_list and
 * vga_ioport_invalid). Everything else in 0x3b0-0x3df floats: 0xff.
 */
static bool port_decoded(const struct vga_regs *s, unsigned off)
{
	bool color = s->msr & VGA_MIS_COLOR;

	switch (off) {
	case VGA_MDA_CRTC_INDEX:
	case VGA_MDA_CRTC_DATA:
	case VGA_MDA_IS1:
		return !color;
	case VGA_CGA_CRTC_INDEX:
	case VGA_CGA_CRTC_DATA:
	case VGA_CGA_IS1:
		return color;
	default:
		return off >= 0x10 && off < 0x20;
	}
}

/*
 * Where the CRTC's counters are at now_ns: the character clock is the dot
 * clock / 8 or 9 (SR1 bit 0), halved by SR1 bit 3; a frame is
 * (CR6 + 2) lines of (CR0 + 5) characters (FreeVGA "CRT Controller
 * Registers": the totals are programmed minus 5 and minus 2). Vertical
 * retrace runs from CR10 until the line counter's low four bits equal
 * CR11 bits 0-3; the display is disabled outside CR1 + 1 characters and
 * CR12 + 1 lines.
 */
static uint8_t retrace_from_clock(const struct vga_regs *s, uint64_t now_ns)
{
	const uint8_t *cr = s->cr;
	unsigned dots = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_8DOT) ? 8 : 9;
	unsigned div = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_DOT_CLOCK_DIV) ? 2 : 1;
	uint64_t hz = dot_clock_hz[(s->msr >> VGA_MIS_CLK_SHIFT) & 3];
	uint64_t ps_per_char = dots * div * 1000000000000ull / hz;
	uint64_t htotal = cr[VGA_CRTC_H_TOTAL] + 5u;
	uint8_t ov = cr[VGA_CRTC_OVERFLOW];
	uint64_t vtotal = (cr[VGA_CRTC_V_TOTAL] | (ov & 0x01) << 8 | (ov & 0x20) << 4) + 2u;
	unsigned vde = cr[VGA_CRTC_V_DISP_END] | (ov & 0x02) << 7 | (ov & 0x40) << 3;
	unsigned vrs = cr[VGA_CRTC_V_SYNC_STRT] | (ov & 0x04) << 6 | (ov & 0x80) << 2;
	unsigned vre = cr[VGA_CRTC_V_SYNC_END] & 0x0f;
	/* ns * 1000 / ps without overflowing 64 bits. */
	uint64_t chars = now_ns / ps_per_char * 1000 + now_ns % ps_per_char * 1000 / ps_per_char;
	uint64_t in_frame = chars % (htotal * vtotal);
	unsigned line = in_frame / htotal, col = in_frame % htotal;
	unsigned vr_len = (vre - vrs) & 0x0f;
	uint8_t val = 0;

	if (vr_len == 0)
		vr_len = 16; /* the low bits already match at the start: a full count round */
	if (line >= vrs && line < vrs + vr_len)
		val |= VGA_IS1_VR;
	if (col > cr[VGA_CRTC_H_DISP] || line > vde)
		val |= VGA_IS1_DD;
	return val;
}

static uint8_t input_status1(struct vga_regs *s)
{
	if (s->cfg.retrace == VGA_RETRACE_CLOCK && s->cfg.clock_ns)
		s->st01 = retrace_from_clock(s, s->cfg.clock_ns(s->cfg.clock_opaque));
	else
		s->st01 ^= VGA_IS1_VR | VGA_IS1_DD;
	/* Reading input status 1 points the attribute flip-flop at the index. */
	s->ar_flip_flop = false;
	return s->st01;
}

static uint8_t dac_read(struct vga_regs *s)
{
	uint8_t val = s->palette[s->dac_read_index * 3 + s->dac_sub_index];

	if (++s->dac_sub_index == 3) {
		s->dac_sub_index = 0;
		s->dac_read_index++; /* wraps at 256 */
	}
	return val;
}

/* A colour reaches the palette only with its third component (IBM VGA, "Video DAC"). */
static void dac_write(struct vga_regs *s, uint8_t val)
{
	s->dac_cache[s->dac_sub_index] = val;
	if (++s->dac_sub_index == 3) {
		memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
		s->dac_sub_index = 0;
		s->dac_write_index++;
	}
}

uint8_t vga_regs_read(struct vga_regs *s, unsigned off)
{
	if (!port_decoded(s, off))
		return 0xff;
	switch (off) {
	case VGA_ATT_W:
		return s->ar_flip_flop ? 0 : s->ar_index;
	case VGA_ATT_R: {
		unsigned i = s->ar_index & 0x1f;

		return i < VGA_ATT_C ? s->ar[i] : 0;
	}
	case VGA_MIS_W:
		return s->st00;
	case VGA_SEQ_I:
		return s->sr_index;
	case VGA_SEQ_D:
		return s->sr[s->sr_index];
	case VGA_PEL_MSK:
		return s->pel_mask;
	case VGA_PEL_IR:
		return s->dac_state;
	case VGA_PEL_IW:
		return s->dac_write_index;
	case VGA_PEL_D:
		return dac_read(s);
	case VGA_FTC_R:
		return s->fcr;
	case VGA_MIS_R:
		return s->msr;
	case VGA_GFX_I:
		return s->gr_index;
	case VGA_GFX_D:
		return s->gr[s->gr_index];
	case VGA_MDA_CRTC_INDEX:
	case VGA_CGA_CRTC_INDEX:
		return s->cr_index;
	case VGA_MDA_CRTC_DATA:
	case VGA_CGA_CRTC_DATA:
		return s->cr[s->cr_index];
	case VGA_MDA_IS1:
	case VGA_CGA_IS1:
		return input_status1(s);
	default:
		return 0; /* a decoded port with no register, as QEMU's vga_ioport_read */
	}
}

static void att_write(struct vga_regs *s, uint8_t val)
{
	if (!s->ar_flip_flop) {
		s->ar_index = val & VGA_AR_INDEX_MASK;
	} else {
		unsigned i = s->ar_index & 0x1f;

		if (i < VGA_ATT_C)
			s->ar[i] = val & ar_write_mask[i];
	}
	s->ar_flip_flop = !s->ar_flip_flop;
}

/* CR11 bit 7 protects CR0-CR7, all but CR7 bit 4 (line compare bit 8). */
static void crtc_write(struct vga_regs *s, uint8_t val)
{
	uint8_t *cr = s->cr;

	if ((cr[VGA_CRTC_V_SYNC_END] & VGA_CR11_LOCK_CR0_CR7) && s->cr_index <= VGA_CRTC_OVERFLOW) {
		if (s->cr_index == VGA_CRTC_OVERFLOW)
			cr[VGA_CRTC_OVERFLOW] = (cr[VGA_CRTC_OVERFLOW] & ~VGA_CR07_LINE_COMPARE8) |
						(val & VGA_CR07_LINE_COMPARE8);
		return;
	}
	cr[s->cr_index] = val;
}

void vga_regs_write(struct vga_regs *s, unsigned off, uint8_t val)
{
	if (!port_decoded(s, off))
		return;
	switch (off) {
	case VGA_ATT_W:
		att_write(s, val);
		break;
	case VGA_MIS_W:
		s->msr = val & VGA_MIS_WRITE_MASK;
		break;
	case VGA_SEQ_I:
		s->sr_index = val & (VGA_SEQ_C - 1);
		break;
	case VGA_SEQ_D:
		s->sr[s->sr_index] = val & sr_write_mask[s->sr_index];
		s->sr_vbe[s->sr_index] = s->sr[s->sr_index];
		break;
	case VGA_PEL_MSK:
		if (s->cfg.pel_mask)
			s->pel_mask = val;
		break;
	case VGA_PEL_IR:
		s->dac_read_index = val;
		s->dac_sub_index = 0;
		s->dac_state = 3;
		break;
	case VGA_PEL_IW:
		s->dac_write_index = val;
		s->dac_sub_index = 0;
		s->dac_state = 0;
		break;
	case VGA_PEL_D:
		dac_write(s, val);
		break;
	case VGA_GFX_I:
		s->gr_index = val & (VGA_GFX_C - 1);
		break;
	case VGA_GFX_D:
		s->gr[s->gr_index] = val & gr_write_mask[s->gr_index];
		break;
	case VGA_MDA_CRTC_INDEX:
	case VGA_CGA_CRTC_INDEX:
		s->cr_index = val;
		break;
	case VGA_MDA_CRTC_DATA:
	case VGA_CGA_CRTC_DATA:
		crtc_write(s, val);
		break;
	case VGA_MDA_IS1:
	case VGA_CGA_IS1:
		s->fcr = val & VGA_FTC_WRITE_MASK;
		break;
	default:
		break;
	}
}

/* 6 bits to 8 as QEMU's c6_to_8: shift up, fill the two new bits with bit 0. */
static uint8_t c6_to_8(uint8_t v)
{
	uint8_t b = v & 1;

	v &= 0x3f;
	return (uint8_t)(v << 2 | b << 1 | b);
}

void vga_dac_rgb8(const struct vga_regs *s, uint8_t idx, uint8_t rgb[3])
{
	for (unsigned i = 0; i < 3; i++)
		rgb[i] = c6_to_8(s->palette[idx * 3 + i]);
}

int vga_regs_save(const struct vga_regs *s, struct snap_wr *w)
{
	snap_u8(w, "msr", s->msr);
	snap_u8(w, "fcr", s->fcr);
	snap_u8(w, "st00", s->st00);
	snap_u8(w, "st01", s->st01);
	snap_u8(w, "sr_index", s->sr_index);
	snap_bytes(w, "sr", s->sr, sizeof(s->sr));
	snap_bytes(w, "sr_vbe", s->sr_vbe, sizeof(s->sr_vbe));
	snap_u8(w, "vbe_sr", s->vbe_sr);
	snap_u8(w, "gr_index", s->gr_index);
	snap_bytes(w, "gr", s->gr, sizeof(s->gr));
	snap_u8(w, "cr_index", s->cr_index);
	snap_bytes(w, "cr", s->cr, sizeof(s->cr));
	snap_u8(w, "ar_index", s->ar_index);
	snap_bytes(w, "ar", s->ar, sizeof(s->ar));
	snap_u8(w, "ar_flip_flop", s->ar_flip_flop);
	snap_u8(w, "pel_mask", s->pel_mask);
	snap_u8(w, "dac_state", s->dac_state);
	snap_u8(w, "dac_read_index", s->dac_read_index);
	snap_u8(w, "dac_write_index", s->dac_write_index);
	snap_u8(w, "dac_sub_index", s->dac_sub_index);
	snap_bytes(w, "dac_cache", s->dac_cache, sizeof(s->dac_cache));
	return snap_bytes(w, "palette", s->palette, sizeof(s->palette));
}

/* Every stored value must be one the registers can hold after guest writes. */
static bool regs_valid(const struct vga_regs *t)
{
	if ((t->msr & ~VGA_MIS_WRITE_MASK) || (t->fcr & ~VGA_FTC_WRITE_MASK))
		return false;
	if (t->st00 || (t->st01 & ~(VGA_IS1_VR | VGA_IS1_DD)))
		return false;
	if (t->sr_index >= VGA_SEQ_C || t->gr_index >= VGA_GFX_C)
		return false;
	if (t->ar_index & ~VGA_AR_INDEX_MASK)
		return false;
	if (t->dac_sub_index > 2 || (t->dac_state != 0 && t->dac_state != 3))
		return false;
	if (!t->cfg.pel_mask && t->pel_mask)
		return false;
	for (unsigned i = 0; i < VGA_SEQ_C; i++)
		if (t->sr[i] & ~sr_write_mask[i])
			return false;
	/* VBE adds chain-4 (SR4 bit 3) and all planes (SR2) to what the guest wrote */
	for (unsigned i = 0; i < VGA_SEQ_C; i++)
		if (t->sr_vbe[i] & ~sr_write_mask[i])
			return false;
	for (unsigned i = 0; i < VGA_GFX_C; i++)
		if (t->gr[i] & ~gr_write_mask[i])
			return false;
	for (unsigned i = 0; i < VGA_ATT_C; i++)
		if (t->ar[i] & ~ar_write_mask[i])
			return false;
	return true;
}

int vga_regs_load(struct vga_regs *s, struct snap_rd *r)
{
	struct vga_regs t = { .cfg = s->cfg };
	int ret = 0;

	ret |= snap_get_u8(r, "msr", &t.msr);
	ret |= snap_get_u8(r, "fcr", &t.fcr);
	ret |= snap_get_u8(r, "st00", &t.st00);
	ret |= snap_get_u8(r, "st01", &t.st01);
	ret |= snap_get_u8(r, "sr_index", &t.sr_index);
	ret |= snap_get_bytes(r, "sr", t.sr, sizeof(t.sr));
	ret |= snap_get_bytes(r, "sr_vbe", t.sr_vbe, sizeof(t.sr_vbe));
	ret |= snap_get_bool(r, "vbe_sr", &t.vbe_sr);
	ret |= snap_get_u8(r, "gr_index", &t.gr_index);
	ret |= snap_get_bytes(r, "gr", t.gr, sizeof(t.gr));
	ret |= snap_get_u8(r, "cr_index", &t.cr_index);
	ret |= snap_get_bytes(r, "cr", t.cr, sizeof(t.cr));
	ret |= snap_get_u8(r, "ar_index", &t.ar_index);
	ret |= snap_get_bytes(r, "ar", t.ar, sizeof(t.ar));
	ret |= snap_get_bool(r, "ar_flip_flop", &t.ar_flip_flop);
	ret |= snap_get_u8(r, "pel_mask", &t.pel_mask);
	ret |= snap_get_u8(r, "dac_state", &t.dac_state);
	ret |= snap_get_u8(r, "dac_read_index", &t.dac_read_index);
	ret |= snap_get_u8(r, "dac_write_index", &t.dac_write_index);
	ret |= snap_get_u8(r, "dac_sub_index", &t.dac_sub_index);
	ret |= snap_get_bytes(r, "dac_cache", t.dac_cache, sizeof(t.dac_cache));
	ret |= snap_get_bytes(r, "palette", t.palette, sizeof(t.palette));
	if (ret || !regs_valid(&t))
		return -EINVAL;
	*s = t;
	return 0;
}
