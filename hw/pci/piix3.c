// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 82371SB PIIX3 function 0, the PCI-to-ISA bridge (PCI 00:01.0,
 * 8086:7000, class 0601, multifunction header), with the PC's two reset
 * ports: PIIX3 Reset Control (0xcf9) and the "port 92" System Control
 * Port A (type "port92", created by the board).
 *
 * Followed: PIIX3 datasheet (290550-002) §2.2 configuration registers with
 * QEMU's reset values (hw/isa/piix.c piix_reset: 0x4c IORT = 0x4d, 0x4e
 * XBCS = 0x03, 0x60-0x63 PIRQRC[A:D] = 0x80, 0x69 TOM = 0x02, 0x70 MBIRQ0
 * = 0x80, 0x76/0x77 MBDMA = 0x0c, 0x78 PCSC = 0x02, 0xa0 SMICNTL = 0x08,
 * 0xa8 SMIREQ... = 0x0f; command 0, status DEVSEL medium), checked byte for
 * byte against the qemu-xen golden dumps and a QEMU 7.2 recording.
 *  - §2.2.9 PIRQRC[A:D]: every write to 0x60-0x63 tells the platform the
 *    route of each written link (xendevicemodel_set_pci_link_route), as
 *    qemu-xen's xen_piix_pci_write_config_client does: IRQ = bits 3:0, or
 *    0 (disabled) when bit 7 (IRQROUTEEN, active low) is set or the IRQ is
 *    one the datasheet reserves (0, 1, 2, 8, 13).
 *  - Reset Control Register (I/O port 0xcf9): a write with bit 2 (RCPU)
 *    set requests a reset; as in QEMU every such write is a reboot request
 *    (under Xen a reset is a reboot of the domain: hard 0x06 and soft 0x04
 *    alike); bit 1 (SRST) is kept and reads back; 0xcf9 shares the 0xcf8 dword and is
 *    reached through the i440FX (hw/pci/i440fx.h), or as its own port when
 *    there is no i440FX.
 *  - Port 0x92 (QEMU hw/i386/port92.c): bit 1 fast A20 is stored and reads
 *    back, a 0->1 change of bit 0 (fast reset) requests a reboot; bit 0
 *    clears at reset.
 *
 * Left out: the ISA side (PIC, PIT, DMA, RTC: Xen emulates them or no
 * guest device uses them), the PIRQ-to-PIC level mixing (Xen routes INTx
 * through the link routes itself), the A20 gate (an HVM guest has none),
 * APM/SMI (no SMM under Xen), the motherboard IRQ/DMA routing registers'
 * effects (stored only).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/platform.h"
#include "dm/state.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/pci.h"

#define PIIX3_IORT	   0x4c
#define PIIX3_XBCS	   0x4e
#define PIIX3_PIRQRC	   0x60 /* PIRQRCA..D at 0x60..0x63 */
#define PIIX3_PIRQRC_DIS   0x80 /* IRQROUTEEN, active low */
#define PIIX3_PIRQRC_IRQ   0x0f
#define PIIX3_TOM	   0x69
#define PIIX3_MBIRQ0	   0x70
#define PIIX3_MBDMA0	   0x76
#define PIIX3_MBDMA1	   0x77
#define PIIX3_PCSC	   0x78
#define PIIX3_SMICNTL	   0xa0
#define PIIX3_SMIREQ_SEN   0xa8
#define PIIX3_NUM_PIRQS	   4
#define PIIX3_RCR_PORT	   0xcf9
#define PIIX3_RCR_SRST	   0x02 /* System Reset: hard reset when RCPU is set */
#define PIIX3_RCR_RCPU	   0x04 /* Reset CPU */
#define PIIX3_ISA_IRQ_RSVD ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 8) | (1u << 13))

struct piix3 {
	struct pci_func pci;
	struct dm_dev *dev;
	struct dm_dev *host;	/* the i440FX we hang 0xcf9 on, or NULL */
	struct region rcr_port; /* own 0xcf9 port when there is no i440FX */
	struct i440fx_cf9 cf9;
	uint8_t rcr;
};

static const struct pci_identity piix3_id = {
	.vendor = 0x8086,
	.device = 0x7000,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x060100,
	.revision = 0x00,
	.header_type = PCI_HEADER_TYPE_MULTI_FUNCTION,
	.status = PCI_STATUS_DEVSEL_MEDIUM,
};

/* QEMU's piix_reset values (hw/isa/piix.c), as the golden dumps show them before firmware. */
static const struct {
	uint8_t reg, val;
} piix3_defaults[] = {
	{ PIIX3_IORT, 0x4d },	    { PIIX3_XBCS, 0x03 },	{ PIIX3_PIRQRC + 0, 0x80 },
	{ PIIX3_PIRQRC + 1, 0x80 }, { PIIX3_PIRQRC + 2, 0x80 }, { PIIX3_PIRQRC + 3, 0x80 },
	{ PIIX3_TOM, 0x02 },	    { PIIX3_MBIRQ0, 0x80 },	{ PIIX3_MBDMA0, 0x0c },
	{ PIIX3_MBDMA1, 0x0c },	    { PIIX3_PCSC, 0x02 },	{ PIIX3_SMICNTL, 0x08 },
	{ PIIX3_SMIREQ_SEN, 0x0f },
};

/* The ISA IRQ a PIRQRC value routes to, 0 when disabled or reserved. */
static unsigned pirq_irq(uint8_t v)
{
	unsigned irq = v & PIIX3_PIRQRC_IRQ;

	if ((v & PIIX3_PIRQRC_DIS) || (PIIX3_ISA_IRQ_RSVD & (1u << irq)))
		return 0;
	return irq;
}

static void piix3_cfg_write(struct pci_func *f, unsigned reg, uint32_t val, uint32_t old,
			    unsigned size)
{
	struct piix3 *s = f->opaque;

	(void)val;
	(void)old;
	for (unsigned i = 0; i < size; i++) {
		unsigned link = reg + i - PIIX3_PIRQRC;
		uint8_t v;

		if (reg + i < PIIX3_PIRQRC || link >= PIIX3_NUM_PIRQS)
			continue;
		v = pci_cfg_get8(f, reg + i);
		dm_dbg(LOG_PCI, s->dev->name, "PIRQ%c route 0x%02x -> IRQ %u", 'A' + link, v,
		       pirq_irq(v));
		plat_pci_link_route(&s->dev->m->plat, link, pirq_irq(v));
	}
}

static const struct pci_func_ops piix3_pci_ops = {
	.cfg_write = piix3_cfg_write,
};

/* ---------------------------------------------------------------- 0xcf9 */
static uint8_t rcr_read(void *opaque)
{
	struct piix3 *s = opaque;

	return s->rcr;
}

static void rcr_write(void *opaque, uint8_t val)
{
	struct piix3 *s = opaque;

	if (val & PIIX3_RCR_RCPU) {
		dm_info(s->dev->name, "reset control 0x%02x: %s reset requested", val,
			(val & PIIX3_RCR_SRST) ? "hard" : "soft");
		plat_request(&s->dev->m->plat, PLAT_REQ_REBOOT);
		return;
	}
	s->rcr = val & PIIX3_RCR_SRST;
}

static uint64_t rcr_port_read(void *opaque, uint64_t off, unsigned size)
{
	(void)off;
	(void)size;
	return rcr_read(opaque);
}

static void rcr_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	rcr_write(opaque, (uint8_t)val);
}

static const struct region_ops rcr_port_ops = {
	.read = rcr_port_read,
	.write = rcr_port_write,
	.min_size = 1,
	.max_size = 1,
};

/* ---------------------------------------------------------------- lifecycle */
static int piix3_init(struct dm_dev *dev)
{
	struct piix3 *s = dev->state;
	int err;

	s->dev = dev;
	snprintf(dev->name, sizeof(dev->name), "piix3@01.0");
	pci_func_init(&s->pci, dev->m, PCI_DEVFN(1, 0), &piix3_id, &piix3_pci_ops, s, dev->name);
	for (size_t i = 0; i < sizeof(piix3_defaults) / sizeof(piix3_defaults[0]); i++)
		pci_cfg_set8(&s->pci, piix3_defaults[i].reg, piix3_defaults[i].val);

	s->cf9 = (struct i440fx_cf9){ .read = rcr_read, .write = rcr_write, .opaque = s };
	s->host = i440fx_find(dev->m);
	if (s->host) {
		i440fx_set_cf9(s->host, &s->cf9);
	} else {
		s->rcr_port = (struct region){ .name = "piix3-rcr",
					       .space = BUS_PIO,
					       .base = PIIX3_RCR_PORT,
					       .len = 1,
					       .ops = &rcr_port_ops,
					       .opaque = s };
		err = bus_add(dev->m->bus, &s->rcr_port);
		if (err) {
			dm_err(dev->name, "port 0xcf9 taken (%d)", err);
			return err;
		}
	}
	err = pci_func_attach(&s->pci);
	if (err) {
		dm_err(dev->name, "PCI 01.0 taken (%d)", err);
		return err;
	}
	return 0;
}

static void piix3_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct piix3 *s = dev->state;
	bool routed[PIIX3_NUM_PIRQS];

	(void)kind;
	for (unsigned link = 0; link < PIIX3_NUM_PIRQS; link++)
		routed[link] = pirq_irq(pci_cfg_get8(&s->pci, PIIX3_PIRQRC + link)) != 0;
	pci_func_reset(&s->pci);
	s->rcr = 0;
	/* Routes that were on went back to disabled: tell the platform, as a write would. */
	for (unsigned link = 0; link < PIIX3_NUM_PIRQS; link++)
		if (routed[link])
			plat_pci_link_route(&dev->m->plat, link, 0);
}

static void piix3_fini(struct dm_dev *dev)
{
	struct piix3 *s = dev->state;

	if (!s->dev)
		return;
	pci_func_detach(&s->pci);
	if (s->host)
		i440fx_set_cf9(s->host, NULL);
	if (s->rcr_port.mapped)
		bus_del(dev->m->bus, &s->rcr_port);
}

static int piix3_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct piix3 *s = dev->state;
	int err = pci_func_save(&s->pci, w);

	return err ? err : snap_u8(w, "rcr", s->rcr);
}

static int piix3_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct piix3 *s = dev->state;

	(void)version;
	if (pci_func_load(&s->pci, r) || snap_get_u8(r, "rcr", &s->rcr))
		return -EINVAL;
	s->rcr &= PIIX3_RCR_SRST;
	return 0;
}

static void piix3_post_load(struct dm_dev *dev)
{
	struct piix3 *s = dev->state;

	pci_func_post_load(&s->pci);
	for (unsigned link = 0; link < PIIX3_NUM_PIRQS; link++)
		plat_pci_link_route(&dev->m->plat, link,
				    pirq_irq(pci_cfg_get8(&s->pci, PIIX3_PIRQRC + link)));
}

const struct dev_type piix3_type = {
	.name = "piix3",
	.kind = DEV_KIND_PCI,
	.help = "Intel PIIX3 PCI-ISA bridge (00:01.0): PIRQ routes, reset control 0xcf9",
	.state_size = sizeof(struct piix3),
	.state_version = 1,
	.init = piix3_init,
	.reset = piix3_reset,
	.fini = piix3_fini,
	.save = piix3_save,
	.load = piix3_load,
	.post_load = piix3_post_load,
};

/* ---------------------------------------------------------------- port 0x92 */
#define PORT92_PORT	  0x92
#define PORT92_FAST_RESET 0x01
#define PORT92_FAST_A20	  0x02

struct port92 {
	struct dm_dev *dev;
	struct region r;
	uint8_t outport;
};

static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
	struct port92 *s = opaque;

	(void)off;
	(void)size;
	return s->outport;
}

static void port92_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct port92 *s = opaque;
	uint8_t old = s->outport;

	(void)off;
	(void)size;
	s->outport = (uint8_t)val;
	if ((val & PORT92_FAST_RESET) && !(old & PORT92_FAST_RESET)) {
		dm_info(s->dev->name, "fast reset requested");
		plat_request(&s->dev->m->plat, PLAT_REQ_REBOOT);
	}
}

static const struct region_ops port92_ops = {
	.read = port92_read,
	.write = port92_write,
	.min_size = 1,
	.max_size = 1,
};

static int port92_init(struct dm_dev *dev)
{
	struct port92 *s = dev->state;
	int err;

	s->dev = dev;
	s->r = (struct region){ .name = "port92",
				.space = BUS_PIO,
				.base = PORT92_PORT,
				.len = 1,
				.ops = &port92_ops,
				.opaque = s };
	err = bus_add(dev->m->bus, &s->r);
	if (err)
		dm_err(dev->name, "port 0x92 taken (%d)", err);
	return err;
}

static void port92_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct port92 *s = dev->state;

	if (kind == RESET_POWER_ON)
		s->outport = 0;
	else
		s->outport &= (uint8_t)~PORT92_FAST_RESET;
}

static void port92_fini(struct dm_dev *dev)
{
	struct port92 *s = dev->state;

	if (s->dev && s->r.mapped)
		bus_del(dev->m->bus, &s->r);
}

static int port92_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct port92 *s = dev->state;

	return snap_u8(w, "outport", s->outport);
}

static int port92_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct port92 *s = dev->state;

	(void)version;
	return snap_get_u8(r, "outport", &s->outport) ? -EINVAL : 0;
}

const struct dev_type port92_type = {
	.name = "port92",
	.kind = DEV_KIND_ISA,
	.help = "System Control Port A (0x92): fast A20 (stored) and fast reset",
	.state_size = sizeof(struct port92),
	.state_version = 1,
	.init = port92_init,
	.reset = port92_reset,
	.fini = port92_fini,
	.save = port92_save,
	.load = port92_load,
};
