// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Xen platform PCI device (5853:0001 rev 1, class ff80), as qemu-xen
 * presents it (QEMU hw/i386/xen/xen_platform.c; xen-interface.md §9; Xen
 * docs/misc/hvm-emulated-unplug.pandoc).
 *
 *  - PCI function with BAR0 = 256 bytes of I/O ("xen-pci", byte-wide:
 *    offset 0 platform flags, 4 old SUSE unplug, 8 old Novell unplug or log
 *    byte) and BAR1 = 16 MiB of prefetchable memory that reads 0 (guests
 *    map grant tables and shared info into it), INTA. The command register
 *    is 0 after reset, as qemu-xen answered it in the golden trace.
 *  - The fixed ports 0x10-0x1f, any width, unaligned allowed: the magic
 *    0x49d2 (16-bit read at 0x10), protocol version 1 (byte read at 0x12),
 *    the PV product number (16-bit write at 0x12), the driver build number
 *    (32-bit write at 0x10, ignored), the unplug mask (16-bit write at
 *    0x10), the platform flags (byte at 0x10; bit 0 locks 0xc0000-0xfffff
 *    read-only through the platform) and the guest's log (byte writes at
 *    0x12, a line per '\n' or 4095 bytes, rate-limited, non-printing
 *    bytes replaced).
 *  - Unplug: xen_unplug() calls the hooks IDE/NIC/NVMe devices registered
 *    (xen_platform.h); a repeated request is harmless.
 *
 * Saved state: config space, flags (re-applied on load), product number.
 *
 * Left out: driver blacklisting (current QEMU never blacklists, so the
 * magic never reads 0xd249).
 */
#include "hw/pci/xen_platform.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci.h"

#define XEN_PLATFORM_IOPORT   0x10
#define XEN_PLATFORM_IOLEN    16
#define XEN_PLATFORM_MAGIC    0x49d2
#define XEN_PLATFORM_VERSION  1
#define XEN_PLATFORM_BAR0_LEN 0x100
#define XEN_PLATFORM_BAR1_LEN 0x1000000
#define PFFLAG_ROM_LOCK	      0x01
#define ROM_FIRST_PFN	      0xc0 /* 0xc0000-0xfffff: the option-ROM shadow SeaBIOS fills */
#define ROM_NR_PFNS	      0x40
#define LOG_BUF_LEN	      4096

struct xen_platform {
	struct dm_dev *dev;
	struct pci_func pci;
	struct region fixed, bar0, bar1;
	uint8_t flags;
	uint16_t product;
	uint32_t build;
	unsigned log_len;
	char log_buf[LOG_BUF_LEN];
	struct ratelimit log_rl;
};

const struct dev_type xen_platform_type;

/* ---------------------------------------------------------------- unplug registry */

static struct xen_unplug_hook *unplug_hooks;

static bool hook_registered(const struct xen_unplug_hook *h)
{
	for (const struct xen_unplug_hook *p = unplug_hooks; p; p = p->next)
		if (p == h)
			return true;
	return false;
}

void xen_unplug_register(struct xen_unplug_hook *h)
{
	struct xen_unplug_hook **pp = &unplug_hooks;

	if (!h || hook_registered(h))
		return;
	while (*pp)
		pp = &(*pp)->next; /* registration order = creation order */
	h->next = NULL;
	*pp = h;
}

void xen_unplug_unregister(struct xen_unplug_hook *h)
{
	for (struct xen_unplug_hook **pp = &unplug_hooks; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			h->next = NULL;
			return;
		}
	}
}

#define UNPLUG_MAX_HOOKS 64

/* The first hook of m answering to what that is not among done[0..ndone), or NULL. */
static struct xen_unplug_hook *hook_next(struct machine *m, unsigned what,
					 struct xen_unplug_hook *const *done, unsigned ndone)
{
	for (struct xen_unplug_hook *h = unplug_hooks; h; h = h->next) {
		bool called = false;

		if (!h->dev || h->dev->m != m || !(h->mask & what) || !h->unplug)
			continue;
		for (unsigned i = 0; i < ndone; i++)
			called |= done[i] == h;
		if (!called)
			return h;
	}
	return NULL;
}

unsigned xen_unplug(struct machine *m, unsigned what)
{
	struct xen_unplug_hook *done[UNPLUG_MAX_HOOKS];
	struct xen_unplug_hook *h;
	unsigned ndone = 0;

	what &= XEN_UNPLUG_ALL;
	if (what & XEN_UNPLUG_IDE_DISKS)
		what &= ~XEN_UNPLUG_AUX_IDE_DISKS;
	/*
	 * A hook may unregister itself, so the list is walked afresh for each
	 * call, skipping the hooks already called; at most UNPLUG_MAX_HOOKS.
	 */
	while (ndone < UNPLUG_MAX_HOOKS && (h = hook_next(m, what, done, ndone))) {
		done[ndone++] = h;
		h->unplug(h, what & h->mask);
	}
	if (ndone == UNPLUG_MAX_HOOKS && hook_next(m, what, done, ndone))
		dm_warn("xen-platform", "more than %u unplug hooks: the rest left plugged",
			UNPLUG_MAX_HOOKS);
	return ndone;
}

/* ---------------------------------------------------------------- guest log */

static void log_flush(struct xen_platform *s)
{
	s->log_buf[s->log_len] = '\0';
	if ((log_mask & LOG_PLATFORM) && ratelimit_pass(&s->log_rl, 20))
		log_msg(LOG_INFO, LOG_PLATFORM, s->dev->name, "guest: %s", s->log_buf);
	s->log_len = 0;
}

/* QEMU log_writeb: a line per '\n', or when the buffer is full. */
static void log_byte(struct xen_platform *s, uint8_t c)
{
	if (c == '\n' || s->log_len == LOG_BUF_LEN - 1) {
		log_flush(s);
		return;
	}
	s->log_buf[s->log_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
}

/* ---------------------------------------------------------------- platform flags */

/* Bit 0 locks the ROM shadow read-only; the flags change only if the platform agrees. */
static void flags_write(struct xen_platform *s, uint8_t val)
{
	bool ro = val & PFFLAG_ROM_LOCK;
	int r = s->dev->m ? plat_set_ram_ro(&s->dev->m->plat, ROM_FIRST_PFN, ROM_NR_PFNS, ro) : 0;

	if (r) {
		dm_warn(s->dev->name, "ROM area 0xc0000-0xfffff: cannot make it %s (%s)",
			ro ? "read-only" : "writable", strerror(-r));
		return;
	}
	s->flags = val & PFFLAG_ROM_LOCK;
}

static void do_unplug(struct xen_platform *s, unsigned what, const char *how)
{
	unsigned n = s->dev->m ? xen_unplug(s->dev->m, what) : 0;

	dm_dbg(LOG_PLATFORM, s->dev->name, "%s unplug %#x: %u device(s) asked", how, what, n);
}

/* ---------------------------------------------------------------- fixed ports 0x10-0x1f */

struct fixed_reg {
	uint8_t off, size;
	const char *name;
	uint32_t (*read)(struct xen_platform *s);
	void (*write)(struct xen_platform *s, uint32_t val);
};

static uint32_t rd_flags(struct xen_platform *s)
{
	return s->flags;
}

static void wr_flags(struct xen_platform *s, uint32_t val)
{
	flags_write(s, (uint8_t)val);
}

static uint32_t rd_magic(struct xen_platform *s)
{
	(void)s;
	return XEN_PLATFORM_MAGIC;
}

static void wr_unplug(struct xen_platform *s, uint32_t val)
{
	do_unplug(s, val & 0xffff, "fixed-port");
}

static void wr_build(struct xen_platform *s, uint32_t val)
{
	s->build = val;
	dm_dbg(LOG_PLATFORM, s->dev->name, "PV driver build %u", val);
}

static uint32_t rd_version(struct xen_platform *s)
{
	(void)s;
	return XEN_PLATFORM_VERSION;
}

static void wr_log(struct xen_platform *s, uint32_t val)
{
	log_byte(s, (uint8_t)val);
}

static void wr_product(struct xen_platform *s, uint32_t val)
{
	s->product = (uint16_t)val;
	dm_dbg(LOG_PLATFORM, s->dev->name, "PV product %u%s", s->product,
	       s->product == 1 ? " (Citrix Windows PV drivers)" : "");
}

/* xen-interface.md §9.2: decoded by offset and access width, as QEMU does. */
static const struct fixed_reg fixed_regs[] = {
	{ 0, 1, "flags", rd_flags, wr_flags }, { 0, 2, "magic/unplug", rd_magic, wr_unplug },
	{ 0, 4, "build", NULL, wr_build },     { 2, 1, "version/log", rd_version, wr_log },
	{ 2, 2, "product", NULL, wr_product },
};

static const struct fixed_reg *fixed_find(uint64_t off, unsigned size)
{
	for (size_t i = 0; i < sizeof(fixed_regs) / sizeof(fixed_regs[0]); i++)
		if (fixed_regs[i].off == off && fixed_regs[i].size == size)
			return &fixed_regs[i];
	return NULL;
}

static uint64_t fixed_read(void *opaque, uint64_t off, unsigned size)
{
	const struct fixed_reg *r = fixed_find(off, size);

	if (!r || !r->read)
		return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return r->read(opaque);
}

static void fixed_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct xen_platform *s = opaque;
	const struct fixed_reg *r = fixed_find(off, size);

	if (!r || !r->write) {
		dm_dbg(LOG_PLATFORM, s->dev->name, "port %#llx size %u <- %#llx: ignored",
		       (unsigned long long)(XEN_PLATFORM_IOPORT + off), size,
		       (unsigned long long)val);
		return;
	}
	r->write(s, (uint32_t)val);
}

static const struct region_ops fixed_ops = {
	.read = fixed_read,
	.write = fixed_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

/* ---------------------------------------------------------------- BAR0: 256 bytes of I/O */

static uint64_t bar0_read(void *opaque, uint64_t off, unsigned size)
{
	struct xen_platform *s = opaque;

	(void)size;
	return off == 0 ? s->flags : 0xff;
}

static void bar0_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct xen_platform *s = opaque;
	uint8_t v = (uint8_t)val;

	(void)size;
	switch (off) {
	case 0:
		flags_write(s, v);
		break;
	case 4: /* old SUSE drivers: 1 = all disks and all NICs */
		if (v == 1)
			do_unplug(s, XEN_UNPLUG_IDE_DISKS | XEN_UNPLUG_NICS, "SUSE");
		break;
	case 8: /* old Novell VMDP: 1 = disks, 2 = NICs, else a log byte */
		if (v == 1)
			do_unplug(s, XEN_UNPLUG_IDE_DISKS, "VMDP");
		else if (v == 2)
			do_unplug(s, XEN_UNPLUG_NICS, "VMDP");
		else
			log_byte(s, v);
		break;
	default:
		break;
	}
}

static const struct region_ops bar0_ops = {
	.read = bar0_read,
	.write = bar0_write,
	.min_size = 1,
	.max_size = 1,
};

/* ---------------------------------------------------------------- BAR1: 16 MiB that reads 0 */

static uint64_t bar1_read(void *opaque, uint64_t off, unsigned size)
{
	struct xen_platform *s = opaque;

	dm_dbg(LOG_PLATFORM, s->dev->name, "MMIO read at +%#llx size %u", (unsigned long long)off,
	       size);
	return 0;
}

static void bar1_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct xen_platform *s = opaque;

	dm_dbg(LOG_PLATFORM, s->dev->name, "MMIO write %#llx at +%#llx size %u: ignored",
	       (unsigned long long)val, (unsigned long long)off, size);
}

static const struct region_ops bar1_ops = {
	.read = bar1_read,
	.write = bar1_write,
	.min_size = 1,
	.max_size = 8,
};

/* ---------------------------------------------------------------- device */

static const struct pci_identity xen_platform_id = {
	.vendor = 0x5853,
	.device = 0x0001,
	.subsys_vendor = 0x5853,
	.subsys_id = 0x0001,
	.class_code = 0xff8000,
	.revision = 0x01,
	.header_type = 0x00,
	.int_pin = 1,
	.status = 0,
};

/* addr= as the machine placed it; standalone, the first free slot from 2. */
static int platform_devfn(struct dm_dev *dev)
{
	unsigned slot = dev->m->next_slot > 2 ? dev->m->next_slot : 2;

	if (dev_prop_given(dev, "addr"))
		return (int)dev_prop_int(dev, "addr");
	for (; slot < 32; slot++)
		if (!bus_pci_present(dev->m->bus, PCI_DEVFN(slot, 0)))
			return PCI_DEVFN(slot, 0);
	return -ENOSPC;
}

static int xen_platform_init(struct dm_dev *dev)
{
	struct xen_platform *s = dev->state;
	int devfn = platform_devfn(dev);
	int r;

	s->dev = dev;
	if (devfn < 0) {
		dm_err(dev->name, "no free PCI slot left");
		return devfn;
	}
	snprintf(dev->name, sizeof(dev->name), "xen-platform@%02x.%x", PCI_SLOT(devfn),
		 PCI_FUNC(devfn));
	pci_func_init(&s->pci, dev->m, (unsigned)devfn, &xen_platform_id, NULL, s, dev->name);
	s->bar0 = (struct region){ .name = "xen-pci", .ops = &bar0_ops, .opaque = s };
	s->bar1 = (struct region){ .name = "xen-mmio", .ops = &bar1_ops, .opaque = s };
	r = pci_bar_init(&s->pci, 0, PCI_BAR_IO, XEN_PLATFORM_BAR0_LEN, &s->bar0);
	if (!r)
		r = pci_bar_init(&s->pci, 1, PCI_BAR_MEM32_PREFETCH, XEN_PLATFORM_BAR1_LEN,
				 &s->bar1);
	if (r) {
		dm_err(dev->name, "BARs: %s", strerror(-r));
		return r;
	}
	s->fixed = (struct region){ .name = "xen-fixed",
				    .space = BUS_PIO,
				    .base = XEN_PLATFORM_IOPORT,
				    .len = XEN_PLATFORM_IOLEN,
				    .ops = &fixed_ops,
				    .opaque = s };
	r = bus_add(dev->m->bus, &s->fixed);
	if (r) {
		dm_err(dev->name, "ports %#x-%#x: %s", XEN_PLATFORM_IOPORT,
		       XEN_PLATFORM_IOPORT + XEN_PLATFORM_IOLEN - 1, strerror(-r));
		return r;
	}
	return pci_func_attach(&s->pci); /* logs which function is taken */
}

/* QEMU platform_reset: flags <- 0, which makes the ROM area writable again. */
static void xen_platform_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct xen_platform *s = dev->state;

	(void)kind;
	pci_func_reset(&s->pci);
	flags_write(s, 0);
}

static void xen_platform_fini(struct dm_dev *dev)
{
	struct xen_platform *s = dev->state;

	if (!s->dev)
		return;
	if (s->pci.m)
		pci_func_detach(&s->pci);
	if (s->fixed.mapped)
		bus_del(dev->m->bus, &s->fixed);
}

/* Saved as QEMU's vmstate_xen_platform: config space and the flags byte. */
static int xen_platform_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct xen_platform *s = dev->state;
	int r = pci_func_save(&s->pci, w);

	if (r)
		return r;
	snap_u8(w, "flags", s->flags);
	snap_u16(w, "product", s->product);
	return w->err;
}

static int xen_platform_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct xen_platform *s = dev->state;
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = pci_func_load(&s->pci, r);
	ret = ret ? ret : snap_get_u8(r, "flags", &s->flags);
	ret = ret ? ret : snap_get_u16(r, "product", &s->product);
	if (!ret && (s->flags & ~PFFLAG_ROM_LOCK))
		ret = -EINVAL;
	return ret;
}

/* BARs back on the bus; the ROM lock re-applied, as QEMU's xen_platform_post_load. */
static void xen_platform_post_load(struct dm_dev *dev)
{
	struct xen_platform *s = dev->state;

	pci_func_post_load(&s->pci);
	flags_write(s, s->flags);
}

static const struct prop_desc xen_platform_props[] = {
	{ .name = "addr", .type = PROP_PCIADDR, .help = "PCI slot (default: the next free one)" },
	{ .name = NULL },
};

const struct dev_type xen_platform_type = {
	.name = "xen-platform",
	.kind = DEV_KIND_PCI,
	.help = "Xen platform PCI device: PV-driver handshake, emulated-device unplug",
	.props = xen_platform_props,
	.state_size = sizeof(struct xen_platform),
	.state_version = 1,
	.init = xen_platform_init,
	.reset = xen_platform_reset,
	.fini = xen_platform_fini,
	.save = xen_platform_save,
	.load = xen_platform_load,
	.post_load = xen_platform_post_load,
};
