// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 82371AB PIIX4 function 3, power management (00:01.3, 8086:7113
 * rev 03), as qemu-xen presents it to a Xen HVM guest (QEMU hw/acpi/piix4.c,
 * hw/acpi/core.c, hw/isa/apm.c, hw/acpi/pcihp.c, hw/acpi/cpu_hotplug.c).
 *
 * Followed:
 *  - PIIX4 datasheet §3.4.2 (function 3 configuration): PMBA (0x40-0x43,
 *    bits 15:6 the base of the 64-byte PM I/O block) and PMREGMISC (0x80,
 *    bit 0 PMIOSE: the block decodes only while set); SMBBA (0x90) and
 *    SMBHSTCFG (0xd2) keep QEMU's values. Config defaults as QEMU sets them
 *    (0x5b, 0x5f, 0x63, 0x67, 0x90, 0xd2), checked against the golden dumps.
 *  - ACPI 2.0 §4.7.3: PM1a_STS (write 1 to clear) and PM1a_EN at PMBA+0/+2,
 *    PM1a_CNT at PMBA+4 (SCI_EN bit 0, SLP_TYP bits 12:10, SLP_EN bit 13),
 *    PM_TMR at PMBA+8 (24-bit, 3.579545 MHz); GPE0_STS/GPE0_EN at 0xafe0.
 *    Access widths and quirks as QEMU's (a byte access to the odd half of
 *    PM1_STS/EN reads 0 and is dropped).
 *  - SLP_TYP values of Xen's DSDT (tools/libacpi/dsdt.asl, ssdt_s3.asl,
 *    ssdt_s4.asl): S5 and S4 = 0 -> power off, S3 = 1 -> suspend.
 *  - APM control 0xb2 / status 0xb3 (hw/isa/apm.c): 0xf1 sets SCI_EN, 0xf0
 *    clears it (ACPI 2.0 §4.7.2.5); hvmloader's acpi_enable_sci() BUG()s
 *    when SCI_EN stays 0 after its 0xf1. That is xenfv (smm-compat on);
 *    -machine pc is ACPI-only as pc-i440fx-7.2 without SMM: SCI_EN set at
 *    reset and APM 0xf0/0xf1 ignored.
 *  - The SCI is ISA IRQ 9, level, high while (PM1_STS & PM1_EN & (TMR,
 *    GBL, PWRBTN, RTC)) or (GPE0_STS & GPE0_EN).
 *  - QEMU's legacy (Xen) PCI hotplug block at 0xae00 (PCIU, PCID, B0EJ,
 *    B0RM, SEL, AIDX; dword registers) and the CPU-present bitmap at 0xaf00
 *    that the Xen DSDT's PRSC method reads.
 *
 * Saved state: config space, PM1, APM, GPE0, hotplug and CPU-present state;
 * the PM I/O mapping and the SCI line are re-derived after a load.
 *
 * Left out: the SMBus host controller (hvmloader turns its decode off with
 * SMBHSTCFG = 0 and no Xen guest uses it), SMI on APM writes (no SMM under
 * Xen), PM-timer overflow (TMR_STS, Xen's pmtimer serves the timer to
 * guests), the PM1 power-button event (Xen raises it), and PCI hotplug of
 * devices (no device_add): PCIU/PCID stay 0 and B0EJ only clears PCID.
 */
#include "hw/pci/piix4_pm.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci.h"

/* Configuration registers (PIIX4 datasheet §3.4.2). */
#define PIIX4_PMBA	0x40
#define PIIX4_PMBA_MASK 0xffc0 /* bits 15:6; bit 0 reads 1 (I/O space) */
#define PIIX4_DEVACTB	0x58
#define PIIX4_DEVRESD	0x5c
#define PIIX4_PMREGMISC 0x80
#define PIIX4_PMIOSE	0x01
#define PIIX4_SMBBA	0x90
#define PIIX4_SMBHSTCFG 0xd2

#define PIIX4_PM_IO_LEN 64
#define PIIX4_SMB_BASE	0xb100 /* QEMU's smb_io_base for pc_piix */
#define PIIX4_PM_DEVFN	PCI_DEVFN(1, 3)

/* PM1 registers (ACPI 2.0 §4.7.3.1-4.7.3.2). */
#define PM1_TMR_STS	  0x0001
#define PM1_GBL_STS	  0x0020
#define PM1_PWRBTN	  0x0100
#define PM1_RTC_STS	  0x0400
#define PM1_SCI_MASK	  (PM1_TMR_STS | PM1_GBL_STS | PM1_PWRBTN | PM1_RTC_STS)
#define PM1_CNT_SCI_EN	  0x0001
#define PM1_CNT_SLP_TYP	  0x1c00
#define PM1_CNT_SLP_EN	  0x2000
#define PM1_SLP_TYP_SHIFT 10

/* SLP_TYP values of Xen's DSDT: _S5 and _S4 are 0, _S3 is 1. */
#define XEN_SLP_TYP_S5 0
#define XEN_SLP_TYP_S3 1

#define APM_ACPI_ENABLE	 0xf1
#define APM_ACPI_DISABLE 0xf0

#define PM_TMR_HZ 3579545ull

#define PIIX4_MAX_CPUS 256

struct piix4_pm;

/* One register of a fixed block: [off, off + len) within its region. */
struct pm_reg {
	uint16_t off, len;
	const char *name;
	uint64_t (*read)(struct piix4_pm *s, unsigned off, unsigned size);
	void (*write)(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size);
};

struct pm_block {
	struct region r;
	const struct pm_reg *regs;
	size_t nregs;
	struct piix4_pm *s;
};

enum { BLK_EVT, BLK_CNT, BLK_TMR, BLK_APM, BLK_GPE, BLK_PCIHP, BLK_CPUHP, BLK_COUNT };

struct piix4_pm {
	struct dm_dev *dev;
	struct pci_func pci;
	struct pm_block blk[BLK_COUNT];
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint8_t apm_cnt, apm_sts;
	uint8_t gpe_sts[2], gpe_en[2];
	uint32_t pci_up, pci_down, hp_sel;
	uint8_t cpu_present[PIIX4_MAX_CPUS / 8];
	bool sci;
	bool acpi_only; /* SCI_EN set at reset, APM 0xf0/0xf1 ignored (no SMM, no smm-compat) */
};

const struct dev_type piix4_pm_type;

static bool pm_sci_level(const struct piix4_pm *s)
{
	return (s->pm1_sts & s->pm1_en & PM1_SCI_MASK) || (s->gpe_sts[0] & s->gpe_en[0]) ||
	       (s->gpe_sts[1] & s->gpe_en[1]);
}

static void pm_update_sci(struct piix4_pm *s)
{
	bool level = pm_sci_level(s);

	if (level == s->sci)
		return;
	s->sci = level;
	dm_dbg(LOG_ACPI, s->dev->name, "SCI %s", level ? "raised" : "lowered");
	if (s->dev->m)
		dm_isa_irq(s->dev->m, PIIX4_PM_SCI_IRQ, level);
}

/* ---------------------------------------------------------------- PM1 event block */

static uint64_t pm1_sts_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)size;
	return off ? 0 : s->pm1_sts;
}

static void pm1_sts_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)size;
	if (off)
		return;
	s->pm1_sts &= (uint16_t)~val;
	pm_update_sci(s);
}

static uint64_t pm1_en_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)size;
	return off ? 0 : s->pm1_en;
}

static void pm1_en_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)size;
	if (off)
		return;
	s->pm1_en = (uint16_t)val;
	pm_update_sci(s);
}

/* ---------------------------------------------------------------- PM1 control */

static void pm1_sleep(struct piix4_pm *s, unsigned typ)
{
	switch (typ) {
	case XEN_SLP_TYP_S5:
		dm_info(s->dev->name, "guest entered S5: power off");
		plat_request(&s->dev->m->plat, PLAT_REQ_POWEROFF);
		break;
	case XEN_SLP_TYP_S3:
		dm_info(s->dev->name, "guest entered S3: suspend");
		plat_request(&s->dev->m->plat, PLAT_REQ_SUSPEND);
		break;
	default:
		guest_err(s->dev->name, "PM1a_CNT: SLP_EN with SLP_TYP %u, not in the DSDT", typ);
		break;
	}
}

static void pm1_cnt_store(struct piix4_pm *s, uint16_t val)
{
	s->pm1_cnt = val & ~PM1_CNT_SLP_EN; /* SLP_EN is write-only, reads 0 */
	if ((val & PM1_CNT_SLP_EN) && s->dev->m)
		pm1_sleep(s, (val & PM1_CNT_SLP_TYP) >> PM1_SLP_TYP_SHIFT);
}

static uint64_t pm1_cnt_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)size;
	return (uint64_t)(s->pm1_cnt >> (8 * off));
}

/* A write to the high byte alone keeps the low byte (QEMU acpi_pm_cnt_write). */
static void pm1_cnt_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)size;
	if (off)
		val = (val & 0xff) << 8 | (s->pm1_cnt & 0xff);
	pm1_cnt_store(s, (uint16_t)val);
}

/* ---------------------------------------------------------------- PM timer */

static uint64_t pm_tmr_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	struct loop *l = s->dev->m ? s->dev->m->loop : NULL;
	uint64_t ns = l ? loop_now(l) : 0;
	uint64_t ticks =
	    ns / 1000000000ull * PM_TMR_HZ + ns % 1000000000ull * PM_TMR_HZ / 1000000000ull;

	(void)off;
	(void)size;
	return ticks & 0xffffff;
}

static void ignore_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	guest_err(s->dev->name, "write %#llx (size %u) to a read-only register (+%u)",
		  (unsigned long long)val, size, off);
}

/* ---------------------------------------------------------------- APM */

static uint64_t apm_cnt_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)off;
	(void)size;
	return s->apm_cnt;
}

static void apm_cnt_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	s->apm_cnt = (uint8_t)val;
	/* QEMU acpi_pm1_cnt_update: an ACPI-only board has nothing to switch. */
	if (!s->acpi_only && s->apm_cnt == APM_ACPI_ENABLE)
		s->pm1_cnt |= PM1_CNT_SCI_EN;
	else if (!s->acpi_only && s->apm_cnt == APM_ACPI_DISABLE)
		s->pm1_cnt &= ~PM1_CNT_SCI_EN;
	dm_dbg(LOG_ACPI, s->dev->name, "APM_CNT <- %#04x, SCI_EN %u", s->apm_cnt,
	       s->pm1_cnt & PM1_CNT_SCI_EN);
}

static uint64_t apm_sts_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)off;
	(void)size;
	return s->apm_sts;
}

static void apm_sts_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	s->apm_sts = (uint8_t)val;
}

/* ---------------------------------------------------------------- GPE0 */

static uint64_t gpe_sts_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)size;
	return s->gpe_sts[off];
}

static void gpe_sts_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)size;
	s->gpe_sts[off] &= (uint8_t)~val;
	pm_update_sci(s);
}

static uint64_t gpe_en_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)size;
	return s->gpe_en[off];
}

static void gpe_en_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)size;
	s->gpe_en[off] = (uint8_t)val;
	pm_update_sci(s);
}

/* ---------------------------------------------------------------- PCI hotplug (0xae00) */

/* Only bus 0 (select 0) exists; QEMU answers 0 for any other selection. */
static uint64_t hp_up_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)off;
	(void)size;
	return s->hp_sel ? 0 : s->pci_up;
}

static uint64_t hp_down_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)off;
	(void)size;
	return s->hp_sel ? 0 : s->pci_down;
}

static uint64_t read_zero(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)s;
	(void)off;
	(void)size;
	return 0;
}

static void hp_eject_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	if (s->hp_sel)
		return;
	dm_dbg(LOG_ACPI, s->dev->name, "B0EJ <- %#x", (unsigned)val);
	s->pci_down &= ~(uint32_t)val;
}

/*
 * B0RM: the slots the OS may eject. QEMU clears the bit of every slot whose
 * function 0 is not hotpluggable: the i440FX host bridge and PIIX3 (bridge
 * class 06xx) and the VGA devices (display class 03xx); empty slots and
 * add-on devices are removable (0xfffffff4 for the golden config a).
 */
static uint64_t hp_rmv_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	struct bus *bus = s->dev->m ? s->dev->m->bus : NULL;
	uint32_t rmv = 0xffffffffu;

	(void)off;
	(void)size;
	if (s->hp_sel)
		return 0;
	for (unsigned slot = 0; bus && slot < 32; slot++) {
		unsigned devfn = PCI_DEVFN(slot, 0);
		uint32_t cls;

		if (!bus_pci_present(bus, devfn))
			continue;
		cls = bus_pci_read(bus, devfn, PCI_CLASS_DEVICE + 1, 1);
		if (cls == 0x03 || cls == 0x06)
			rmv &= ~(1u << slot);
	}
	return rmv;
}

static uint64_t hp_sel_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)off;
	(void)size;
	return s->hp_sel;
}

static void hp_sel_write(struct piix4_pm *s, unsigned off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	s->hp_sel = (uint32_t)val;
}

/* ---------------------------------------------------------------- CPU-present bitmap */

static uint64_t cpu_present_read(struct piix4_pm *s, unsigned off, unsigned size)
{
	(void)size;
	return s->cpu_present[off];
}

/* ---------------------------------------------------------------- register tables */

static const struct pm_reg evt_regs[] = {
	{ 0, 2, "PM1a_STS", pm1_sts_read, pm1_sts_write },
	{ 2, 2, "PM1a_EN", pm1_en_read, pm1_en_write },
};
static const struct pm_reg cnt_regs[] = {
	{ 0, 2, "PM1a_CNT", pm1_cnt_read, pm1_cnt_write },
};
static const struct pm_reg tmr_regs[] = {
	{ 0, 4, "PM_TMR", pm_tmr_read, ignore_write },
};
static const struct pm_reg apm_regs[] = {
	{ 0, 1, "APM_CNT", apm_cnt_read, apm_cnt_write },
	{ 1, 1, "APM_STS", apm_sts_read, apm_sts_write },
};
static const struct pm_reg gpe_regs[] = {
	{ 0, 2, "GPE0_STS", gpe_sts_read, gpe_sts_write },
	{ 2, 2, "GPE0_EN", gpe_en_read, gpe_en_write },
};
static const struct pm_reg pcihp_regs[] = {
	{ 0x00, 4, "PCIU", hp_up_read, ignore_write },
	{ 0x04, 4, "PCID", hp_down_read, ignore_write },
	{ 0x08, 4, "B0EJ", read_zero, hp_eject_write },
	{ 0x0c, 4, "B0RM", hp_rmv_read, ignore_write },
	{ 0x10, 4, "SEL", hp_sel_read, hp_sel_write },
	{ 0x14, 4, "AIDX", read_zero, ignore_write },
};
static const struct pm_reg cpuhp_regs[] = {
	{ 0, PIIX4_MAX_CPUS / 8, "PRS", cpu_present_read, ignore_write },
};

static const struct pm_reg *pm_reg_find(const struct pm_block *b, uint64_t off)
{
	for (size_t i = 0; i < b->nregs; i++)
		if (off >= b->regs[i].off && off < (uint64_t)b->regs[i].off + b->regs[i].len)
			return &b->regs[i];
	return NULL;
}

static uint64_t pm_block_read(void *opaque, uint64_t off, unsigned size)
{
	struct pm_block *b = opaque;
	const struct pm_reg *r = pm_reg_find(b, off);
	uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;

	if (!r)
		return mask;
	return r->read(b->s, (unsigned)(off - r->off), size) & mask;
}

static void pm_block_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pm_block *b = opaque;
	const struct pm_reg *r = pm_reg_find(b, off);

	if (!r) {
		guest_err(b->s->dev->name, "%s+%#llx: write to nothing", b->r.name,
			  (unsigned long long)off);
		return;
	}
	dm_dbg(LOG_ACPI, b->s->dev->name, "%s <- %#llx (size %u)", r->name, (unsigned long long)val,
	       size);
	r->write(b->s, (unsigned)(off - r->off), val, size);
}

/* Access widths per block, as QEMU's MemoryRegionOps accept them. */
static const struct region_ops ops_bytes = {
	.read = pm_block_read, .write = pm_block_write, .min_size = 1, .max_size = 1
};
static const struct region_ops ops_pm1 = {
	.read = pm_block_read, .write = pm_block_write, .min_size = 1, .max_size = 2
};
static const struct region_ops ops_dwords = {
	.read = pm_block_read, .write = pm_block_write, .min_size = 4, .max_size = 4
};

struct pm_block_desc {
	const char *name;
	uint16_t base; /* fixed blocks; the PMBA ones are placed by pm_io_update */
	uint16_t len;
	const struct region_ops *ops;
	const struct pm_reg *regs;
	size_t nregs;
};

#define REGS(t) t, sizeof(t) / sizeof((t)[0])
static const struct pm_block_desc blocks[BLK_COUNT] = {
	[BLK_EVT] = { "acpi-evt", 0x00, 4, &ops_pm1, REGS(evt_regs) },
	[BLK_CNT] = { "acpi-cnt", 0x04, 2, &ops_pm1, REGS(cnt_regs) },
	[BLK_TMR] = { "acpi-tmr", 0x08, 4, &ops_dwords, REGS(tmr_regs) },
	[BLK_APM] = { "apm", PIIX4_PM_APM_CNT, 2, &ops_bytes, REGS(apm_regs) },
	[BLK_GPE] = { "acpi-gpe0", PIIX4_PM_GPE0, 4, &ops_bytes, REGS(gpe_regs) },
	[BLK_PCIHP] = { "acpi-pci-hotplug", PIIX4_PM_PCIHP, 0x18, &ops_dwords, REGS(pcihp_regs) },
	[BLK_CPUHP] = { "acpi-cpu-hotplug", PIIX4_PM_CPUHP, 32, &ops_bytes, REGS(cpuhp_regs) },
};

/* ---------------------------------------------------------------- PMBA / PMREGMISC */

/* Map the PM1/timer block at PMBA while PMIOSE is set (PIIX4 §3.4.2.1/§3.4.2.7). */
static void pm_io_update(struct piix4_pm *s)
{
	uint16_t base = pci_cfg_get32(&s->pci, PIIX4_PMBA) & PIIX4_PMBA_MASK;
	bool on = pci_cfg_get8(&s->pci, PIIX4_PMREGMISC) & PIIX4_PMIOSE;
	struct region_change ch[3];
	int r;

	for (unsigned i = 0; i < 3; i++)
		ch[i] = (struct region_change){ .r = &s->blk[i].r,
						.map = on,
						.base = (uint64_t)base + blocks[i].base };
	r = bus_apply(s->dev->m->bus, ch, 3);
	if (!r) {
		dm_dbg(LOG_ACPI, s->dev->name, "PM I/O %s at %#x", on ? "on" : "off", base);
		return;
	}
	guest_err(s->dev->name, "PM I/O block at %#x cannot be mapped (%s): left off", base,
		  strerror(-r));
	for (unsigned i = 0; i < 3; i++)
		ch[i].map = false;
	if (bus_apply(s->dev->m->bus, ch, 3))
		dm_warn(s->dev->name, "PM I/O block could not be released");
}

static void pm_cfg_write(struct pci_func *f, unsigned reg, uint32_t val, uint32_t old,
			 unsigned size)
{
	struct piix4_pm *s = f->opaque;

	(void)val;
	(void)old;
	if (pci_range_overlaps(reg, size, PIIX4_PMBA, 4) ||
	    pci_range_overlaps(reg, size, PIIX4_PMREGMISC, 1))
		pm_io_update(s);
}

static const struct pci_func_ops pm_pci_ops = {
	.cfg_write = pm_cfg_write,
};

static const struct pci_identity piix4_pm_id = {
	.vendor = 0x8086,
	.device = 0x7113,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x068000,
	.revision = 0x03,
	.header_type = 0x00,
	.int_pin = 1,
	.status = PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM,
};

/* Serial ports present at 0x3f8 / 0x2f8, as QEMU's piix4_pm_machine_ready() looks. */
static unsigned serial_count(const struct machine_opts *o)
{
	unsigned n = 0;

	if (!o)
		return 0;
	for (size_t i = 0; i < o->serials.n; i++)
		if (strcmp(o->serials.v[i], "none"))
			n++;
	return n;
}

static void pm_cfg_defaults(struct piix4_pm *s)
{
	unsigned serials = serial_count(s->dev->m ? s->dev->m->opts : NULL);

	pci_cfg_set8(&s->pci, PIIX4_PMBA, 0x01);	/* I/O space indicator */
	pci_cfg_set8(&s->pci, PIIX4_DEVACTB + 3, 0x02); /* 0x5b: "SMM already set up" */
	pci_cfg_set8(&s->pci, 0x5f, 0x10);
	pci_cfg_set8(&s->pci, 0x63, 0x60);
	pci_cfg_set8(&s->pci, 0x67, (serials >= 1 ? 0x08 : 0) | (serials >= 2 ? 0x90 : 0));
	pci_cfg_set16(&s->pci, PIIX4_SMBBA, PIIX4_SMB_BASE | 1);
	pci_cfg_set8(&s->pci, PIIX4_SMBHSTCFG, 0x09);
}

static void pm_cpus_init(struct piix4_pm *s)
{
	unsigned n = s->dev->m && s->dev->m->opts ? s->dev->m->opts->smp : 1;

	memset(s->cpu_present, 0, sizeof(s->cpu_present));
	if (n > PIIX4_MAX_CPUS)
		n = PIIX4_MAX_CPUS;
	for (unsigned i = 0; i < n; i++)
		s->cpu_present[i / 8] |= (uint8_t)(1u << (i % 8));
}

static int pm_regions_init(struct piix4_pm *s)
{
	for (unsigned i = 0; i < BLK_COUNT; i++) {
		struct pm_block *b = &s->blk[i];

		b->s = s;
		b->regs = blocks[i].regs;
		b->nregs = blocks[i].nregs;
		b->r = (struct region){ .name = blocks[i].name,
					.space = BUS_PIO,
					.base = blocks[i].base,
					.len = blocks[i].len,
					.ops = blocks[i].ops,
					.opaque = b };
		if (i <= BLK_TMR)
			continue; /* placed by PMBA/PMREGMISC */
		int r = bus_add(s->dev->m->bus, &b->r);

		if (r) {
			dm_err(s->dev->name, "%s at %#x: %s", b->r.name, blocks[i].base,
			       strerror(-r));
			return r;
		}
	}
	return 0;
}

/*
 * QEMU's acpi_only is !smm_compat && !smm_enabled, and hvmdm has no SMM (nor has Xen).
 * "smm-compat" is off by default but on for machine types up to 5.2 (hw_compat_5_2), and
 * qemu-xen's xenfv is xenfv-3.1: follow the machine unless given (as i8042's extended-state).
 */
static bool want_smm_compat(const struct dm_dev *dev)
{
	const struct machine_opts *o = dev->m ? dev->m->opts : NULL;

	if (dev_prop_given(dev, "smm-compat") || !o)
		return dev_prop_bool(dev, "smm-compat");
	return o->kind == MACHINE_XENFV;
}

static int piix4_pm_init(struct dm_dev *dev)
{
	struct piix4_pm *s = dev->state;
	unsigned devfn =
	    dev_prop_given(dev, "addr") ? (unsigned)dev_prop_int(dev, "addr") : PIIX4_PM_DEVFN;
	int r;

	s->dev = dev;
	s->acpi_only = !want_smm_compat(dev);
	snprintf(dev->name, sizeof(dev->name), "piix4-pm@%02x.%x", PCI_SLOT(devfn),
		 PCI_FUNC(devfn));
	pci_func_init(&s->pci, dev->m, devfn, &piix4_pm_id, &pm_pci_ops, s, dev->name);
	pm_cfg_defaults(s);
	pm_cpus_init(s);
	r = pm_regions_init(s);
	if (r)
		return r;
	return pci_func_attach(&s->pci); /* logs which function is taken */
}

/* QEMU piix4_pm_reset: PM1, GPE and hotplug state cleared (SCI_EN set if ACPI-only); APM kept. */
static void piix4_pm_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct piix4_pm *s = dev->state;

	(void)kind;
	pci_func_reset(&s->pci);
	s->pm1_sts = s->pm1_en = 0;
	s->pm1_cnt = s->acpi_only ? PM1_CNT_SCI_EN : 0;
	memset(s->gpe_sts, 0, sizeof(s->gpe_sts));
	memset(s->gpe_en, 0, sizeof(s->gpe_en));
	s->pci_up = s->pci_down = s->hp_sel = 0;
	pm_update_sci(s);
	pm_io_update(s);
}

static void piix4_pm_fini(struct dm_dev *dev)
{
	struct piix4_pm *s = dev->state;

	if (s->sci && dev->m)
		dm_isa_irq(dev->m, PIIX4_PM_SCI_IRQ, false);
	s->sci = false;
	if (s->dev)
		pci_func_detach(&s->pci);
	for (unsigned i = 0; i < BLK_COUNT; i++)
		if (s->blk[i].r.mapped)
			bus_del(dev->m->bus, &s->blk[i].r);
}

/* Saved as QEMU's vmstate_acpi holds it: config space, PM1, APM, GPE0, hotplug state. */
static int piix4_pm_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct piix4_pm *s = dev->state;
	int r = pci_func_save(&s->pci, w);

	if (r)
		return r;
	snap_u16(w, "pm1_sts", s->pm1_sts);
	snap_u16(w, "pm1_en", s->pm1_en);
	snap_u16(w, "pm1_cnt", s->pm1_cnt);
	snap_u8(w, "apm_cnt", s->apm_cnt);
	snap_u8(w, "apm_sts", s->apm_sts);
	snap_bytes(w, "gpe_sts", s->gpe_sts, sizeof(s->gpe_sts));
	snap_bytes(w, "gpe_en", s->gpe_en, sizeof(s->gpe_en));
	snap_u32(w, "pci_up", s->pci_up);
	snap_u32(w, "pci_down", s->pci_down);
	snap_u32(w, "hp_sel", s->hp_sel);
	snap_bytes(w, "cpu_present", s->cpu_present, sizeof(s->cpu_present));
	return w->err;
}

static int piix4_pm_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct piix4_pm *s = dev->state;
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = pci_func_load(&s->pci, r);
	ret = ret ? ret : snap_get_u16(r, "pm1_sts", &s->pm1_sts);
	ret = ret ? ret : snap_get_u16(r, "pm1_en", &s->pm1_en);
	ret = ret ? ret : snap_get_u16(r, "pm1_cnt", &s->pm1_cnt);
	ret = ret ? ret : snap_get_u8(r, "apm_cnt", &s->apm_cnt);
	ret = ret ? ret : snap_get_u8(r, "apm_sts", &s->apm_sts);
	ret = ret ? ret : snap_get_bytes(r, "gpe_sts", s->gpe_sts, sizeof(s->gpe_sts));
	ret = ret ? ret : snap_get_bytes(r, "gpe_en", s->gpe_en, sizeof(s->gpe_en));
	ret = ret ? ret : snap_get_u32(r, "pci_up", &s->pci_up);
	ret = ret ? ret : snap_get_u32(r, "pci_down", &s->pci_down);
	ret = ret ? ret : snap_get_u32(r, "hp_sel", &s->hp_sel);
	ret = ret ? ret : snap_get_bytes(r, "cpu_present", s->cpu_present, sizeof(s->cpu_present));
	if (!ret && (s->pm1_cnt & PM1_CNT_SLP_EN))
		ret = -EINVAL; /* SLP_EN is never stored */
	return ret;
}

/* Re-derive the PM I/O mapping and the SCI line from the loaded state. */
static void piix4_pm_post_load(struct dm_dev *dev)
{
	struct piix4_pm *s = dev->state;

	pci_func_post_load(&s->pci);
	pm_io_update(s);
	s->sci = pm_sci_level(s);
	if (dev->m)
		dm_isa_irq(dev->m, PIIX4_PM_SCI_IRQ, s->sci);
}

struct dm_dev *piix4_pm_find(struct machine *m)
{
	return dev_find_type(m, &piix4_pm_type);
}

int piix4_pm_cpu_set_present(struct dm_dev *pm, unsigned cpu, bool present)
{
	struct piix4_pm *s = pm->state;

	if (pm->type != &piix4_pm_type || cpu >= PIIX4_MAX_CPUS)
		return -EINVAL;
	if (present)
		s->cpu_present[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
	else
		s->cpu_present[cpu / 8] &= (uint8_t) ~(1u << (cpu % 8));
	s->gpe_sts[0] |= 1u << PIIX4_PM_GPE_CPUHP;
	pm_update_sci(s);
	return 0;
}

static const struct prop_desc piix4_pm_props[] = {
	{ .name = "addr", .type = PROP_PCIADDR, .help = "PCI slot.function (default 01.3)" },
	{ .name = "smm-compat",
	  .type = PROP_BOOL,
	  .def = "off",
	  .help = "SCI_EN clear at reset, switched by APM 0xf1/0xf0 (default on for xenfv)" },
	{ .name = NULL },
};

const struct dev_type piix4_pm_type = {
	.name = "piix4-pm",
	.kind = DEV_KIND_PCI,
	.help = "PIIX4 ACPI/PM function: PM1 control, APM, GPE0, PCI/CPU hotplug registers",
	.props = piix4_pm_props,
	.state_size = sizeof(struct piix4_pm),
	.state_version = 1,
	.init = piix4_pm_init,
	.reset = piix4_pm_reset,
	.fini = piix4_pm_fini,
	.save = piix4_pm_save,
	.load = piix4_pm_load,
	.post_load = piix4_pm_post_load,
};
