// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI core: configuration space of one conventional PCI function
 * (PCI Local Bus Specification 3.0, ch. 6: 6.1 header, 6.2.2 command,
 * 6.2.3 status, 6.2.5 base addresses and sizing, 6.2.5.2 expansion ROM,
 * 6.7 capabilities list), BAR decode through bus_apply() and INTx.
 *
 * Masks and reset values follow QEMU's PCI core, so the bytes a guest reads
 * are the ones qemu-xen shows (tests/unit/test_pci.c, tests/golden).
 * Left out: PCI-to-PCI bridge headers (type 1), extended config space
 * (reads all ones in the bus), MSI/MSI-X delivery (a device adds the
 * capability and calls plat_msi itself), BIST.
 */
#include "hw/pci/pci.h"

#include <errno.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/platform.h"
#include "dm/state.h"

#define PCI_CAP_WALK_MAX 48 /* (256 - 64) / 4: more links than that is a loop */

static bool bar_is_io(enum pci_bar_type t)
{
	return t == PCI_BAR_IO;
}

static bool bar_is_64(enum pci_bar_type t)
{
	return t == PCI_BAR_MEM64 || t == PCI_BAR_MEM64_PREFETCH;
}

/* The read-only low bits of a BAR register (PCI 3.0 6.2.5.1, figure 6-5/6-6). */
static uint32_t bar_type_bits(enum pci_bar_type t)
{
	switch (t) {
	case PCI_BAR_IO:
		return PCI_BASE_ADDRESS_SPACE_IO;
	case PCI_BAR_MEM32_PREFETCH:
		return PCI_BASE_ADDRESS_MEM_PREFETCH;
	case PCI_BAR_MEM64:
		return PCI_BASE_ADDRESS_MEM_TYPE_64;
	case PCI_BAR_MEM64_PREFETCH:
		return PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH;
	default:
		return 0;
	}
}

static unsigned bar_reg(unsigned bar)
{
	return bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * bar;
}

/* ---------------------------------------------------------------- raw accessors */
uint16_t pci_cfg_get16(const struct pci_func *f, unsigned reg)
{
	if (reg > PCI_CFG_SIZE - 2)
		return 0xffff;
	return (uint16_t)(f->cfg[reg] | f->cfg[reg + 1] << 8);
}

uint32_t pci_cfg_get32(const struct pci_func *f, unsigned reg)
{
	if (reg > PCI_CFG_SIZE - 4)
		return 0xffffffff;
	return (uint32_t)f->cfg[reg] | (uint32_t)f->cfg[reg + 1] << 8 |
	       (uint32_t)f->cfg[reg + 2] << 16 | (uint32_t)f->cfg[reg + 3] << 24;
}

void pci_cfg_set8(struct pci_func *f, unsigned reg, uint8_t v)
{
	if (reg < PCI_CFG_SIZE)
		f->cfg[reg] = v;
}

void pci_cfg_set16(struct pci_func *f, unsigned reg, uint16_t v)
{
	pci_cfg_set8(f, reg, (uint8_t)v);
	pci_cfg_set8(f, reg + 1, (uint8_t)(v >> 8));
}

void pci_cfg_set32(struct pci_func *f, unsigned reg, uint32_t v)
{
	pci_cfg_set16(f, reg, (uint16_t)v);
	pci_cfg_set16(f, reg + 2, (uint16_t)(v >> 16));
}

static void set_mask(uint8_t *mask, unsigned reg, unsigned len, uint8_t m)
{
	if (reg >= PCI_CFG_SIZE)
		return;
	if (len > PCI_CFG_SIZE - reg)
		len = PCI_CFG_SIZE - reg;
	memset(mask + reg, m, len);
}

void pci_set_wmask(struct pci_func *f, unsigned reg, unsigned len, uint8_t m)
{
	set_mask(f->wmask, reg, len, m);
}

void pci_set_w1cmask(struct pci_func *f, unsigned reg, unsigned len, uint8_t m)
{
	set_mask(f->w1cmask, reg, len, m);
}

static void set_mask32(uint8_t *mask, unsigned reg, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		mask[reg + i] = (uint8_t)(v >> (8 * i));
}

/* ---------------------------------------------------------------- init */
void pci_func_init(struct pci_func *f, struct machine *m, unsigned devfn,
		   const struct pci_identity *id, const struct pci_func_ops *ops, void *opaque,
		   const char *name)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->ops = ops;
	f->opaque = opaque;
	f->m = m;
	f->name = name ? name : "pci";
	f->devfn = devfn & 0xff;

	pci_cfg_set16(f, PCI_VENDOR_ID, id->vendor);
	pci_cfg_set16(f, PCI_DEVICE_ID, id->device);
	pci_cfg_set16(f, PCI_STATUS, id->status);
	pci_cfg_set8(f, PCI_REVISION_ID, id->revision);
	pci_cfg_set8(f, PCI_CLASS_PROG, (uint8_t)id->class_code);
	pci_cfg_set16(f, PCI_CLASS_DEVICE, (uint16_t)(id->class_code >> 8));
	pci_cfg_set8(f, PCI_HEADER_TYPE, id->header_type);
	pci_cfg_set16(f, PCI_SUBSYSTEM_VENDOR_ID, id->subsys_vendor);
	pci_cfg_set16(f, PCI_SUBSYSTEM_ID, id->subsys_id);
	pci_cfg_set8(f, PCI_INTERRUPT_PIN, id->int_pin <= 4 ? id->int_pin : 0);

	/* QEMU's pci_init_wmask / pci_init_w1cmask (hw/pci/pci.c). */
	pci_cfg_set16(f, PCI_COMMAND, 0);
	f->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	f->wmask[PCI_COMMAND] = (uint8_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	f->wmask[PCI_COMMAND + 1] = (PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE) >> 8;
	memset(f->wmask + PCI_CONFIG_HEADER_SIZE, 0xff, PCI_CFG_SIZE - PCI_CONFIG_HEADER_SIZE);
	f->w1cmask[PCI_STATUS + 1] = (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
				      PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
				      PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY) >>
				     8;
}

static bool bar_size_ok(enum pci_bar_type t, uint64_t size)
{
	if (size == 0 || (size & (size - 1)))
		return false;
	switch (t) {
	case PCI_BAR_IO:
		return size >= 4 && size <= 256;
	case PCI_BAR_MEM32:
	case PCI_BAR_MEM32_PREFETCH:
		return size >= 16 && size <= (1ull << 31);
	case PCI_BAR_MEM64:
	case PCI_BAR_MEM64_PREFETCH:
		return size >= 16 && size <= (1ull << 62);
	case PCI_BAR_ROM:
		return size >= 2048 && size <= (1ull << 31);
	default:
		return false;
	}
}

/* The BAR whose register(s) include config offset reg, or -1. */
static int bar_of_reg(const struct pci_func *f, unsigned reg)
{
	for (unsigned i = 0; i <= PCI_ROM_SLOT; i++) {
		unsigned len = bar_is_64(f->bar[i].type) ? 8 : 4;

		if (f->bar[i].type != PCI_BAR_NONE && reg >= bar_reg(i) && reg < bar_reg(i) + len)
			return (int)i;
	}
	return -1;
}

int pci_bar_init(struct pci_func *f, unsigned bar, enum pci_bar_type type, uint64_t size,
		 struct region *r)
{
	uint64_t wmask = ~(size - 1);
	unsigned reg;

	if (bar > PCI_ROM_SLOT || (bar == PCI_ROM_SLOT) != (type == PCI_BAR_ROM) ||
	    !bar_size_ok(type, size) || f->attached)
		return -EINVAL;
	if (bar_is_64(type) && bar >= PCI_NUM_BARS - 1)
		return -EINVAL;
	if (f->bar[bar].type != PCI_BAR_NONE || bar_of_reg(f, bar_reg(bar)) >= 0 ||
	    (bar_is_64(type) && bar_of_reg(f, bar_reg(bar + 1)) >= 0))
		return -EINVAL;

	f->bar[bar] = (struct pci_bar){ .type = type, .size = size, .region = r };
	if (r) {
		r->space = bar_is_io(type) ? BUS_PIO : BUS_MMIO;
		r->len = size;
		r->base = 0;
	}
	reg = bar_reg(bar);
	pci_cfg_set32(f, reg, bar_type_bits(type));
	if (type == PCI_BAR_ROM)
		wmask |= PCI_ROM_ADDRESS_ENABLE;
	set_mask32(f->wmask, reg, (uint32_t)wmask);
	if (bar_is_64(type)) {
		pci_cfg_set32(f, reg + 4, 0);
		set_mask32(f->wmask, reg + 4, (uint32_t)(wmask >> 32));
	}
	return 0;
}

/* ---------------------------------------------------------------- capabilities */
static bool cap_bytes_free(const struct pci_func *f, unsigned off, unsigned len)
{
	for (unsigned i = off; i < off + len; i++)
		if (f->cap_used[i / 64] & (1ull << (i % 64)))
			return false;
	return true;
}

int pci_add_cap(struct pci_func *f, uint8_t id, unsigned off, unsigned len)
{
	if (off < PCI_CONFIG_HEADER_SIZE || off >= PCI_CFG_SIZE || (off & 3) || len < 2 ||
	    len > PCI_CFG_SIZE - off || !cap_bytes_free(f, off, len))
		return -EINVAL;
	for (unsigned i = off; i < off + len; i++)
		f->cap_used[i / 64] |= 1ull << (i % 64);

	f->cfg[off] = id;
	f->cfg[off + 1] = 0;
	f->wmask[off] = 0;
	f->wmask[off + 1] = 0;
	if (f->cap_last)
		f->cfg[f->cap_last + 1] = (uint8_t)off;
	else
		f->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	f->cap_last = (uint8_t)off;
	pci_cfg_set16(f, PCI_STATUS, pci_cfg_get16(f, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	return 0;
}

unsigned pci_find_cap(const struct pci_func *f, uint8_t id)
{
	unsigned p;

	if (!(pci_cfg_get16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	p = f->cfg[PCI_CAPABILITY_LIST] & ~3u;
	for (unsigned n = 0; n < PCI_CAP_WALK_MAX && p >= PCI_CONFIG_HEADER_SIZE; n++) {
		if (f->cfg[p] == id)
			return p;
		p = f->cfg[p + 1] & ~3u;
	}
	return 0;
}

/* ---------------------------------------------------------------- decode */
/*
 * Where BAR i should be mapped now, following QEMU's pci_bar_address():
 * only with its decode bit on, never at 0, never wrapping, I/O below 64 KiB,
 * 32-bit memory ending below 4 GiB. A 64-bit BAR with either dword's
 * address bits all ones is being sized: not mapped either.
 */
static bool bar_target(const struct pci_func *f, unsigned i, uint64_t *addr)
{
	const struct pci_bar *b = &f->bar[i];
	uint16_t cmd = pci_cfg_get16(f, PCI_COMMAND);
	unsigned reg = bar_reg(i);
	uint64_t a, last;

	if (bar_is_io(b->type) ? !(cmd & PCI_COMMAND_IO) : !(cmd & PCI_COMMAND_MEMORY))
		return false;
	a = pci_cfg_get32(f, reg);
	if (b->type == PCI_BAR_ROM && !(a & PCI_ROM_ADDRESS_ENABLE))
		return false;
	if (bar_is_64(b->type)) {
		uint32_t hi = pci_cfg_get32(f, reg + 4);
		uint32_t lo_bits = (uint32_t) ~(b->size - 1) & 0xfffffff0u;
		uint32_t hi_bits = (uint32_t)(~(b->size - 1) >> 32);

		if ((lo_bits && (a & lo_bits) == lo_bits) || (hi_bits && (hi & hi_bits) == hi_bits))
			return false;
		a |= (uint64_t)hi << 32;
	}
	a &= ~(b->size - 1);
	last = a + b->size - 1;
	if (a == 0 || last < a)
		return false;
	if (bar_is_io(b->type) && last > 0xffff)
		return false;
	if (!bar_is_64(b->type) && last >= 0xffffffffull)
		return false;
	*addr = a;
	return true;
}

/*
 * Bring every BAR's mapping in line with the config space: one bus_apply()
 * for all changed BARs. On failure nothing changed and -errno is returned.
 */
static int update_mappings(struct pci_func *f)
{
	struct region_change ch[PCI_NUM_BARS + 1];
	bool want[PCI_NUM_BARS + 1];
	uint64_t addr[PCI_NUM_BARS + 1];
	bool changed[PCI_NUM_BARS + 1];
	size_t n = 0;
	int err;

	for (unsigned i = 0; i <= PCI_ROM_SLOT; i++) {
		struct pci_bar *b = &f->bar[i];

		addr[i] = 0;
		want[i] = b->type != PCI_BAR_NONE && bar_target(f, i, &addr[i]);
		changed[i] = want[i] != b->mapped || (want[i] && addr[i] != b->addr);
		if (changed[i] && b->region)
			ch[n++] = (struct region_change){ .r = b->region,
							  .map = want[i],
							  .base = addr[i] };
	}
	if (n) {
		if (!f->m || !f->m->bus)
			return -ENODEV;
		err = bus_apply(f->m->bus, ch, n);
		if (err)
			return err;
	}
	for (unsigned i = 0; i <= PCI_ROM_SLOT; i++) {
		if (!changed[i])
			continue;
		f->bar[i].mapped = want[i];
		f->bar[i].addr = want[i] ? addr[i] : 0;
		dm_dbg(LOG_PCI, f->name, "BAR%u %s 0x%llx", i, want[i] ? "mapped at" : "unmapped",
		       (unsigned long long)addr[i]);
		if (f->ops && f->ops->bar_moved)
			f->ops->bar_moved(f, i, want[i], addr[i]);
	}
	return 0;
}

uint64_t pci_bar_addr(const struct pci_func *f, unsigned bar)
{
	if (bar > PCI_ROM_SLOT || !f->bar[bar].mapped)
		return UINT64_MAX;
	return f->bar[bar].addr;
}

/* ---------------------------------------------------------------- INTx */
static void intx_update(struct pci_func *f)
{
	uint8_t pin = f->cfg[PCI_INTERRUPT_PIN];
	bool out = f->irq_level && !(pci_cfg_get16(f, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);

	if (pin < 1 || pin > 4 || out == f->intx_out)
		return;
	f->intx_out = out;
	if (f->m)
		plat_pci_intx(&f->m->plat, f->devfn, pin - 1u, out);
}

void pci_set_irq(struct pci_func *f, bool level)
{
	uint8_t pin = f->cfg[PCI_INTERRUPT_PIN];
	uint16_t sts = pci_cfg_get16(f, PCI_STATUS);

	if (pin < 1 || pin > 4)
		return;
	f->irq_level = level;
	/* PCI 3.0 6.2.3: Interrupt Status follows the function's INTx# request. */
	sts = level ? (sts | PCI_STATUS_INTERRUPT) : (sts & ~PCI_STATUS_INTERRUPT);
	pci_cfg_set16(f, PCI_STATUS, sts);
	intx_update(f);
}

/* ---------------------------------------------------------------- config access */
static bool access_ok(unsigned reg, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && reg < PCI_CFG_SIZE &&
	       size <= PCI_CFG_SIZE - reg;
}

uint32_t pci_cfg_read(struct pci_func *f, unsigned reg, unsigned size)
{
	uint32_t val = 0;

	if (!access_ok(reg, size)) {
		guest_err(f->name, "config read reg 0x%x size %u out of range", reg, size);
		return 0xffffffff;
	}
	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)f->cfg[reg + i] << (8 * i);
	if (f->ops && f->ops->cfg_read)
		val = f->ops->cfg_read(f, reg, size, val);
	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	return val;
}

static bool write_touches_decode(unsigned reg, unsigned size)
{
	return pci_range_overlaps(reg, size, PCI_COMMAND, 2) ||
	       pci_range_overlaps(reg, size, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS) ||
	       pci_range_overlaps(reg, size, PCI_ROM_ADDRESS, 4);
}

void pci_cfg_write(struct pci_func *f, unsigned reg, uint32_t val, unsigned size)
{
	uint8_t saved[4];
	uint32_t old = 0;
	int err;

	if (!access_ok(reg, size)) {
		guest_err(f->name, "config write reg 0x%x size %u out of range", reg, size);
		return;
	}
	memcpy(saved, f->cfg + reg, size);
	for (unsigned i = 0; i < size; i++) {
		uint8_t v = (uint8_t)(val >> (8 * i));
		uint8_t *c = &f->cfg[reg + i];

		old |= (uint32_t)*c << (8 * i);
		*c = (uint8_t)((*c & ~f->wmask[reg + i]) | (v & f->wmask[reg + i]));
		*c &= (uint8_t) ~(v & f->w1cmask[reg + i]);
	}
	if (write_touches_decode(reg, size)) {
		err = update_mappings(f);
		if (err) {
			memcpy(f->cfg + reg, saved, size);
			guest_err(f->name,
				  "config write 0x%x <- 0x%x undone: BAR decode failed (%d)", reg,
				  val, err);
			return;
		}
	}
	if (pci_range_overlaps(reg, size, PCI_COMMAND, 2))
		intx_update(f);
	dm_dbg(LOG_PCI, f->name, "cfg write 0x%02x/%u <- 0x%x", reg, size, val);
	if (f->ops && f->ops->cfg_write)
		f->ops->cfg_write(f, reg, val, old, size);
}

static uint32_t cfg_ops_read(void *opaque, unsigned reg, unsigned size)
{
	return pci_cfg_read(opaque, reg, size);
}

static void cfg_ops_write(void *opaque, unsigned reg, uint32_t val, unsigned size)
{
	pci_cfg_write(opaque, reg, val, size);
}

const struct pci_cfg_ops pci_func_cfg_ops = {
	.read = cfg_ops_read,
	.write = cfg_ops_write,
};

/* ---------------------------------------------------------------- lifecycle */
int pci_func_attach(struct pci_func *f)
{
	int err;

	if (!f->m || !f->m->bus || f->attached)
		return -EINVAL;
	memcpy(f->cfg_reset, f->cfg, sizeof(f->cfg));
	err = bus_pci_attach(f->m->bus, f->devfn, &pci_func_cfg_ops, f);
	if (err) {
		dm_err(f->name, "PCI %02x.%x is taken (%d)", PCI_SLOT(f->devfn), PCI_FUNC(f->devfn),
		       err);
		return err;
	}
	f->attached = true;
	return 0;
}

static void unmap_all(struct pci_func *f)
{
	struct region_change ch[PCI_NUM_BARS + 1];
	size_t n = 0;

	for (unsigned i = 0; i <= PCI_ROM_SLOT; i++) {
		struct pci_bar *b = &f->bar[i];

		if (b->mapped && b->region)
			ch[n++] = (struct region_change){ .r = b->region, .map = false };
	}
	if (n && f->m && f->m->bus && bus_apply(f->m->bus, ch, n))
		dm_warn(f->name, "releasing BARs failed");
	for (unsigned i = 0; i <= PCI_ROM_SLOT; i++) {
		if (!f->bar[i].mapped)
			continue;
		f->bar[i].mapped = false;
		f->bar[i].addr = 0;
		if (f->ops && f->ops->bar_moved)
			f->ops->bar_moved(f, i, false, 0);
	}
}

void pci_func_reset(struct pci_func *f)
{
	unmap_all(f);
	f->irq_level = false;
	intx_update(f);
	memcpy(f->cfg, f->cfg_reset, sizeof(f->cfg));
	if (update_mappings(f))
		dm_warn(f->name, "reset: BAR decode failed");
}

void pci_func_detach(struct pci_func *f)
{
	unmap_all(f);
	f->irq_level = false;
	intx_update(f);
	if (f->attached && f->m && f->m->bus)
		bus_pci_detach(f->m->bus, f->devfn);
	f->attached = false;
}

/* ---------------------------------------------------------------- save/restore */
int pci_func_save(const struct pci_func *f, struct snap_wr *w)
{
	int err = snap_bytes(w, "pci.cfg", f->cfg, PCI_CFG_SIZE);

	return err ? err : snap_u8(w, "pci.irq", f->irq_level);
}

/* Identity bytes a loaded config space must not change: 0x00-0x03, 0x08-0x0b, 0x0e, 0x2c-0x2f,
 * 0x3d. */
static bool identity_matches(const uint8_t *a, const uint8_t *b)
{
	/* What names the function: IDs, revision, class, header type, subsystem, pin. */
	static const uint8_t ro[] = {
		PCI_VENDOR_ID,
		PCI_VENDOR_ID + 1,
		PCI_DEVICE_ID,
		PCI_DEVICE_ID + 1,
		PCI_REVISION_ID,
		PCI_CLASS_PROG,
		PCI_CLASS_DEVICE,
		PCI_CLASS_DEVICE + 1,
		PCI_HEADER_TYPE,
		PCI_SUBSYSTEM_VENDOR_ID,
		PCI_SUBSYSTEM_VENDOR_ID + 1,
		PCI_SUBSYSTEM_ID,
		PCI_SUBSYSTEM_ID + 1,
		PCI_INTERRUPT_PIN,
	};

	for (size_t i = 0; i < sizeof(ro); i++)
		if (a[ro[i]] != b[ro[i]])
			return false;
	return true;
}

int pci_func_load(struct pci_func *f, struct snap_rd *r)
{
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t irq;

	if (snap_get_bytes(r, "pci.cfg", cfg, sizeof(cfg)) || snap_get_u8(r, "pci.irq", &irq))
		return -EINVAL;
	if (!identity_matches(cfg, f->cfg_reset) || irq > 1) {
		dm_err(f->name, "saved PCI config is not this device's");
		return -EINVAL;
	}
	memcpy(f->cfg, cfg, sizeof(cfg));
	f->irq_level = irq;
	return 0;
}

void pci_func_post_load(struct pci_func *f)
{
	if (update_mappings(f)) {
		dm_warn(f->name, "restored BARs overlap: decode left off");
		pci_cfg_set16(f, PCI_COMMAND,
			      pci_cfg_get16(f, PCI_COMMAND) &
				  ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
		if (update_mappings(f))
			unmap_all(f);
	}
	intx_update(f);
}
