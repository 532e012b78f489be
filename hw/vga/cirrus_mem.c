// SPDX-License-Identifier: GPL-2.0-only
/*
 * CLGD5446 memory access (CL-GD5446 Technical Reference Manual, chapter 4
 * "Memory Mapping", GR9-GRB "Offset Registers" and "Graphics Controller
 * Mode Extensions"; chapter 10 for the memory-mapped BitBLT registers) as
 * QEMU 7.2's cirrus_vga.c decodes it:
 *
 *  - 0xa0000-0xaffff in an extended (SR7 bit 0) mode: two 32 KiB banks,
 *    offsets GR9 (and GRA with dual banking, GRB bit 0) in 4 KiB or 16 KiB
 *    units (GRB bit 5), limited to the 4 MiB the chip decodes; addresses
 *    times 8 (GRB bit 1) or 16 (GRB bits 2+4); write modes 4 and 5 expand
 *    each CPU bit to a pixel in the GR0/GR1 colours (GRB bit 2);
 *  - 0xb8000-0xb80ff: the BLT registers while SR17 bits 2 and 6 are 1, 0;
 *  - BAR0: the linear window over the fitted VRAM (addresses reduced to
 *    4 MiB, the same shifts and write modes), the BLT registers in its last
 *    256 bytes while SR17 bits 2 and 6 are both 1, and the system-to-video
 *    aperture at 16 MiB; a waiting system-to-video blit takes every write.
 *    While none of that applies QEMU maps VRAM itself there (all of it,
 *    not reduced to 4 MiB): so do we, and under Xen the platform maps it
 *    as RAM (linear_changed).
 *
 * Every VRAM address is reduced by the 4 MiB mask, which never exceeds
 * the allocation (4, 8 or 16 MiB), byte by byte: a write mode 4/5 burst at
 * the top of VRAM wraps instead of running past it (CVE-2017-18030).
 */
#include "hw/vga/cirrus_mem.h"

#include "hw/vga/vga_adapter.h"

#define SR7_SVGA	 CIRRUS_SR7_SVGA
#define SR17_MMIO_MASK	 (CIRRUS_SR17_MMIO | CIRRUS_SR17_MMIO_LFB)
#define WINDOW_BLT	 0x18000 /* 0xb8000 */
#define BANK_SIZE	 0x8000
#define NO_REG		 0xff
#define MMIO_VGA_PORTS	 0x20 /* BAR1 bytes 0x00-0x1f: ports 0x3c0-0x3df */
#define VGA_PORTS_AT_3C0 0x10 /* their offset from VGA_IO_BASE */

/* The memory-mapped BLT registers, by offset: the GR index each reaches. */
static const uint8_t blt_reg_gr[0x41] = {
	[0x00] = 0x00,	 [0x01] = 0x10,	  [0x02] = 0x12,   [0x03] = 0x14,   [0x04] = 0x01,
	[0x05] = 0x11,	 [0x06] = 0x13,	  [0x07] = 0x15,   [0x08] = 0x20,   [0x09] = 0x21,
	[0x0a] = 0x22,	 [0x0b] = 0x23,	  [0x0c] = 0x24,   [0x0d] = 0x25,   [0x0e] = 0x26,
	[0x0f] = 0x27,	 [0x10] = 0x28,	  [0x11] = 0x29,   [0x12] = 0x2a,   [0x13] = NO_REG,
	[0x14] = 0x2c,	 [0x15] = 0x2d,	  [0x16] = 0x2e,   [0x17] = 0x2f,   [0x18] = 0x30,
	[0x19] = NO_REG, [0x1a] = 0x32,	  [0x1b] = 0x33,   [0x1c] = 0x34,   [0x1d] = 0x35,
	[0x1e] = NO_REG, [0x1f] = NO_REG, [0x20] = 0x38,   [0x21] = 0x39,   [0x22] = NO_REG,
	[0x23] = NO_REG, [0x24] = NO_REG, [0x25] = NO_REG, [0x26] = NO_REG, [0x27] = NO_REG,
	[0x28] = NO_REG, [0x29] = NO_REG, [0x2a] = NO_REG, [0x2b] = NO_REG, [0x2c] = NO_REG,
	[0x2d] = NO_REG, [0x2e] = NO_REG, [0x2f] = NO_REG, [0x30] = NO_REG, [0x31] = NO_REG,
	[0x32] = NO_REG, [0x33] = NO_REG, [0x34] = NO_REG, [0x35] = NO_REG, [0x36] = NO_REG,
	[0x37] = NO_REG, [0x38] = NO_REG, [0x39] = NO_REG, [0x3a] = NO_REG, [0x3b] = NO_REG,
	[0x3c] = NO_REG, [0x3d] = NO_REG, [0x3e] = NO_REG, [0x3f] = NO_REG, [0x40] = 0x31,
};

static void vram_dirty(void *opaque, uint32_t off, uint32_t len)
{
	vga_adapter_mark(opaque, off, len);
}

void cirrus_chip_init(struct cirrus_chip *k, struct vga_adapter *a, bool blitter)
{
	k->a = a;
	k->blitter = blitter;
	k->vram = (struct cirrus_vram){
		.base = a->vram,
		.size = a->vram_size,
		.mask =
		    (a->vram_size < CIRRUS_VRAM_DECODED ? a->vram_size : CIRRUS_VRAM_DECODED) - 1,
		.dirty = vram_dirty,
		.dirty_opaque = a,
	};
	cirrus_regs_init(&k->regs, &a->regs);
	cirrus_chip_reset(k);
}

void cirrus_chip_reset(struct cirrus_chip *k)
{
	cirrus_regs_reset(&k->regs);
	cirrus_blt_reset(&k->blt, &k->regs);
	k->blt.refused = 0;
	cirrus_update_banks(k);
	if (k->linear_mapped && k->linear_changed)
		k->linear_changed(k->linear_opaque, false);
	k->linear_mapped = false;
}

/* QEMU's cirrus_update_bank_ptr: bank 1 of a single bank is its second 32 KiB. */
static void update_bank(struct cirrus_chip *k, unsigned i)
{
	const uint8_t *gr = k->regs.gr;
	uint32_t decoded = k->vram.mask + 1;
	uint32_t off = (gr[CIRRUS_GR_BANK_CTL] & CIRRUS_GRB_DUAL) ? gr[CIRRUS_GR_BANK0 + i]
								  : gr[CIRRUS_GR_BANK0];
	uint32_t limit;

	off <<= (gr[CIRRUS_GR_BANK_CTL] & CIRRUS_GRB_16K) ? 14 : 12;
	limit = off < decoded ? decoded - off : 0;
	if (!(gr[CIRRUS_GR_BANK_CTL] & CIRRUS_GRB_DUAL) && i) {
		if (limit > BANK_SIZE) {
			off += BANK_SIZE;
			limit -= BANK_SIZE;
		} else {
			limit = 0;
		}
	}
	k->bank_base[i] = limit ? off : 0;
	k->bank_limit[i] = limit;
}

void cirrus_update_banks(struct cirrus_chip *k)
{
	update_bank(k, 0);
	update_bank(k, 1);
}

/*
 * Where QEMU's cirrus_update_memory_access runs (a decode register written, a
 * system-to-video transfer set up or ended), decide again whether BAR0 is
 * VRAM itself; reset leaves it emulated until then, as QEMU's unmap does.
 */
static void remap(struct cirrus_chip *k)
{
	bool direct = cirrus_linear_direct(k);

	if (direct == k->linear_mapped)
		return;
	k->linear_mapped = direct;
	if (k->linear_changed)
		k->linear_changed(k->linear_opaque, direct);
}

void cirrus_chip_events(struct cirrus_chip *k, unsigned ev)
{
	bool waiting = cirrus_blt_wants_data(&k->blt);

	if (ev & CIRRUS_EV_MAP)
		cirrus_update_banks(k);
	if (ev & CIRRUS_EV_BLT_RESET)
		cirrus_blt_reset(&k->blt, &k->regs);
	if (ev & CIRRUS_EV_BLT_START)
		cirrus_blt_start(&k->blt, &k->regs, &k->vram, k->blitter);
	if ((ev & CIRRUS_EV_MAP) || waiting != cirrus_blt_wants_data(&k->blt))
		remap(k);
}

static void blt_data(struct cirrus_chip *k, uint8_t val)
{
	bool waiting = cirrus_blt_wants_data(&k->blt);

	cirrus_blt_data(&k->blt, &k->regs, &k->vram, val);
	if (waiting && !cirrus_blt_wants_data(&k->blt))
		remap(k);
}

bool cirrus_linear_direct(const struct cirrus_chip *k)
{
	uint8_t grb = k->regs.gr[CIRRUS_GR_BANK_CTL];
	uint8_t mode = k->regs.gr[CIRRUS_GR_MODE] & 7;

	if ((k->regs.sr[CIRRUS_SR_CONFIG] & SR17_MMIO_MASK) == SR17_MMIO_MASK)
		return false;
	if (cirrus_blt_wants_data(&k->blt))
		return false;
	if ((grb & CIRRUS_GRB_X16) == CIRRUS_GRB_X16 || (grb & CIRRUS_GRB_X8))
		return false;
	return mode < 4 || mode > 5 || !(grb & CIRRUS_GRB_EXT_WMODE);
}

/* ---------------------------------------------------------------- BLT registers */

uint8_t cirrus_blt_reg_read(struct cirrus_chip *k, uint32_t off)
{
	if (off >= sizeof(blt_reg_gr) || blt_reg_gr[off] == NO_REG)
		return 0xff;
	return cirrus_gr_read(&k->regs, blt_reg_gr[off]);
}

void cirrus_blt_reg_write(struct cirrus_chip *k, uint32_t off, uint8_t val)
{
	if (off >= sizeof(blt_reg_gr) || blt_reg_gr[off] == NO_REG)
		return;
	cirrus_chip_events(k, cirrus_gr_write(&k->regs, blt_reg_gr[off], val));
}

/* ---------------------------------------------------------------- VRAM through the CPU */

/* GRB bits 1, 2+4: the address unit is 8 or 16 bytes (for 8/16 bpp write modes 4/5). */
static uint32_t shifted(const struct cirrus_chip *k, uint32_t a)
{
	uint8_t grb = k->regs.gr[CIRRUS_GR_BANK_CTL];

	if ((grb & CIRRUS_GRB_X16) == CIRRUS_GRB_X16)
		a <<= 4;
	else if (grb & CIRRUS_GRB_X8)
		a <<= 3;
	return a & k->vram.mask;
}

/* Write modes 4/5 (TRM GR5, GRB bit 2): each bit of val a pixel, FG where 1, BG (mode 5)
 * where 0; 8 pixels of 1 byte, or of 2 bytes with GRB bits 2+4. */
static void write_expand(struct cirrus_chip *k, unsigned mode, uint32_t a, uint8_t val)
{
	const struct cirrus_regs *c = &k->regs;
	bool wide = (c->gr[CIRRUS_GR_BANK_CTL] & CIRRUS_GRB_X16) == CIRRUS_GRB_X16;
	unsigned bpp = wide ? 2 : 1;
	uint8_t fg[2] = { c->shadow_gr1, c->gr[0x11] }, bg[2] = { c->shadow_gr0, c->gr[0x10] };

	for (unsigned x = 0; x < 8; x++) {
		bool on = val & (0x80 >> x);

		if (!on && mode != 5)
			continue;
		for (unsigned b = 0; b < bpp; b++)
			k->vram.base[(a + x * bpp + b) & k->vram.mask] = on ? fg[b] : bg[b];
	}
	/* the burst may wrap at the top of VRAM: mark both ends */
	vga_adapter_mark(k->a, a, 8 * bpp);
	if (a + 8 * bpp > k->vram.mask + 1)
		vga_adapter_mark(k->a, 0, a + 8 * bpp - (k->vram.mask + 1));
}

static void vram_write(struct cirrus_chip *k, uint32_t a, uint8_t val)
{
	unsigned mode = k->regs.gr[CIRRUS_GR_MODE] & 7;

	if (mode < 4 || mode > 5 || !(k->regs.gr[CIRRUS_GR_BANK_CTL] & CIRRUS_GRB_EXT_WMODE)) {
		k->vram.base[a] = val;
		vga_adapter_mark(k->a, a, 1);
		return;
	}
	write_expand(k, mode, a, val);
}

/*
 * The bank a window offset below 64 KiB falls in, as a VRAM address; false:
 * beyond. While BAR0 is VRAM itself QEMU maps each bank as a 32 KiB alias of
 * VRAM at its base, without the limit (nor the 4 MiB reduction): the same here.
 */
static bool bank_addr(const struct cirrus_chip *k, uint32_t off, uint32_t *a)
{
	unsigned i = off / BANK_SIZE;
	uint32_t in = off % BANK_SIZE;

	if (k->linear_mapped && k->bank_base[i] + in < k->vram.size) {
		*a = k->bank_base[i] + in;
		return true;
	}
	if (in >= k->bank_limit[i])
		return false;
	*a = shifted(k, in + k->bank_base[i]);
	return true;
}

static bool mmio_at_b8000(const struct cirrus_chip *k)
{
	return (k->regs.sr[CIRRUS_SR_CONFIG] & SR17_MMIO_MASK) == CIRRUS_SR17_MMIO;
}

bool cirrus_window_read(struct cirrus_chip *k, uint32_t off, uint8_t *val)
{
	uint32_t a;

	if (!(k->regs.sr[CIRRUS_SR_EXT_MODE] & SR7_SVGA))
		return false;
	*val = 0xff;
	if (off < 2 * BANK_SIZE) {
		if (bank_addr(k, off, &a))
			*val = k->vram.base[a];
	} else if (off >= WINDOW_BLT && off < WINDOW_BLT + 0x100 && mmio_at_b8000(k)) {
		*val = cirrus_blt_reg_read(k, off & 0xff);
	}
	return true;
}

bool cirrus_window_write(struct cirrus_chip *k, uint32_t off, uint8_t val)
{
	uint32_t a;

	if (!(k->regs.sr[CIRRUS_SR_EXT_MODE] & SR7_SVGA))
		return false;
	if (off < 2 * BANK_SIZE) {
		if (cirrus_blt_wants_data(&k->blt))
			blt_data(k, val);
		else if (bank_addr(k, off, &a))
			vram_write(k, a, val);
	} else if (off >= WINDOW_BLT && off < WINDOW_BLT + 0x100 && mmio_at_b8000(k)) {
		cirrus_blt_reg_write(k, off & 0xff, val);
	}
	return true;
}

/* ---------------------------------------------------------------- BAR0 */

/* The BLT registers in the last 256 bytes of the 4 MiB (SR17 bits 2 and 6). */
static bool mmio_at_top(const struct cirrus_chip *k, uint32_t a)
{
	uint32_t top = (k->vram.mask + 1) - 0x100;

	return (k->regs.sr[CIRRUS_SR_CONFIG] & SR17_MMIO_MASK) == SR17_MMIO_MASK &&
	       (a & top) == top;
}

uint8_t cirrus_bar0_read(struct cirrus_chip *k, uint32_t off)
{
	uint32_t a = off & k->vram.mask;

	if (off >= CIRRUS_BLT_APERTURE && off < CIRRUS_BLT_APERTURE + CIRRUS_BLT_APER_SIZE)
		return 0xff; /* the aperture is write-only */
	if (off >= k->vram.size)
		return 0; /* nothing decodes the rest of BAR0: QEMU reads it as 0 */
	if (k->linear_mapped)
		return k->vram.base[off]; /* VRAM itself, all of it, as QEMU maps it then */
	if (mmio_at_top(k, a))
		return cirrus_blt_reg_read(k, a & 0xff);
	return k->vram.base[shifted(k, a)];
}

void cirrus_bar0_write(struct cirrus_chip *k, uint32_t off, uint8_t val)
{
	uint32_t a = off & k->vram.mask;

	if (off >= CIRRUS_BLT_APERTURE && off < CIRRUS_BLT_APERTURE + CIRRUS_BLT_APER_SIZE) {
		blt_data(k, val); /* ignored when no blit waits */
		return;
	}
	if (off >= k->vram.size)
		return;
	if (k->linear_mapped) {
		k->vram.base[off] = val;
		vga_adapter_mark(k->a, off, 1);
	} else if (mmio_at_top(k, a)) {
		cirrus_blt_reg_write(k, a & 0xff, val);
	} else if (cirrus_blt_wants_data(&k->blt)) {
		blt_data(k, val);
	} else {
		vram_write(k, shifted(k, a), val);
	}
}

/* ---------------------------------------------------------------- BAR1 */

uint8_t cirrus_mmio_read(struct cirrus_chip *k, uint32_t off)
{
	if (off >= CIRRUS_MMIO_BLT)
		return cirrus_blt_reg_read(k, off - CIRRUS_MMIO_BLT);
	if (off < MMIO_VGA_PORTS)
		return vga_adapter_port_read(k->a, off + VGA_PORTS_AT_3C0);
	return 0; /* QEMU's port switch answers 0 for "ports" 0x3e0-0x4af */
}

void cirrus_mmio_write(struct cirrus_chip *k, uint32_t off, uint8_t val)
{
	if (off >= CIRRUS_MMIO_BLT)
		cirrus_blt_reg_write(k, off - CIRRUS_MMIO_BLT, val);
	else if (off < MMIO_VGA_PORTS)
		vga_adapter_port_write(k->a, off + VGA_PORTS_AT_3C0, val);
}

/* ---------------------------------------------------------------- the adapter's hooks */

static struct cirrus_chip *chip_of(struct vga_adapter *a)
{
	return a->opaque;
}

static bool cl_port_read(struct vga_adapter *a, unsigned off, uint8_t *val)
{
	*val = cirrus_regs_read(&chip_of(a)->regs, off);
	return true;
}

static bool cl_port_write(struct vga_adapter *a, unsigned off, uint8_t val)
{
	struct cirrus_chip *k = chip_of(a);

	cirrus_chip_events(k, cirrus_regs_write(&k->regs, off, val));
	return true;
}

static bool cl_window_read(struct vga_adapter *a, uint32_t off, uint8_t *val)
{
	return cirrus_window_read(chip_of(a), off, val);
}

static bool cl_window_write(struct vga_adapter *a, uint32_t off, uint8_t val)
{
	return cirrus_window_write(chip_of(a), off, val);
}

/* QEMU's cirrus_get_bpp/get_offsets/get_resolution; a VGA mode is the CRTC's (false). */
static bool cl_scanout(struct vga_adapter *a, struct vga_scanout *so)
{
	const struct cirrus_regs *c = &chip_of(a)->regs;
	unsigned bpp = cirrus_bpp(c);

	if (!bpp)
		return false;
	/* every field: the DAC is 6 bits wide (QEMU's cirrus has no 8-bit DAC switch) */
	*so = (struct vga_scanout){
		.bpp = bpp,
		.start = cirrus_start_addr(c) * 4, /* QEMU's vga_draw_graphic: start_addr * 4 */
		.line_offset = cirrus_line_offset(c),
		.line_compare = cirrus_line_compare(c),
		/* QEMU shares a 16 bpp frame with its display unless the cursor is drawn over
		 * it (force_shadow): then its screendump widens the components */
		.widen16 = !(c->sr[CIRRUS_SR_CURSOR] & CIRRUS_SR12_SHOW),
	};
	cirrus_resolution(c, &so->width, &so->height);
	return true;
}

const struct vga_adapter_ops cirrus_adapter_ops = {
	.port_read = cl_port_read,
	.port_write = cl_port_write,
	.window_read = cl_window_read,
	.window_write = cl_window_write,
	.scanout = cl_scanout,
};
