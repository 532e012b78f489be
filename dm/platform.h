/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a platform (dm/xen: the real hypervisor; dm/sim: in-process) gives
 * the machine beyond guest memory (memory.h) and range claims (the bus
 * listener in bus.h): interrupt lines and the guest's lifecycle requests.
 * Devices call the inline helpers below; nothing in hw/ talks to Xen.
 */
#ifndef DM_PLATFORM_H
#define DM_PLATFORM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

enum plat_request {
	PLAT_REQ_POWEROFF, /* ACPI S5 */
	PLAT_REQ_REBOOT,   /* 0xcf9, port 0x92, i8042 0xfe */
	PLAT_REQ_SUSPEND,  /* ACPI S3 */
};

struct platform_ops {
	/* ISA IRQ 0-15 line level. */
	void (*isa_irq)(void *opaque, unsigned irq, bool level);
	/* PCI INTx level of one function's pin (0 = INTA .. 3 = INTD) on bus 0. */
	void (*pci_intx)(void *opaque, unsigned devfn, unsigned pin, bool level);
	/* PIIX3 PIRQ route: link 0-3 to ISA IRQ (0 = disabled). */
	void (*pci_link_route)(void *opaque, unsigned link, unsigned irq);
	void (*msi)(void *opaque, uint64_t addr, uint32_t data);
	void (*request)(void *opaque, enum plat_request req);
	/*
	 * Make guest RAM pages [first_pfn, first_pfn + nr) read-only (ro) or
	 * writable again (Xen: HVMMEM_ram_ro / HVMMEM_ram_rw); the Xen platform
	 * device's ROM lock. 0 or -errno. NULL: nothing to protect (sim).
	 */
	int (*set_ram_ro)(void *opaque, uint64_t first_pfn, uint64_t nr, bool ro);
	/*
	 * The guest RTC's date, UTC seconds since the epoch: the virtual clock
	 * from -rtc base= on the standalone platform, the host's clock under Xen
	 * (the hypervisor keeps the RTC; qemu-xen dates its CMOS from the host).
	 * hw/ reads the date only here, never from the OS.
	 */
	int64_t (*rtc_seconds)(void *opaque);
	/*
	 * Video RAM as guest memory (xen-interface.md §5.1, qemu-xen's
	 * xen_ram_alloc): size bytes (whole 4 KiB pages) populated in the guest
	 * right above its RAM, *host the device model's mapping of them.
	 * NULL, or -EOPNOTSUPP: VRAM is a host buffer of the device's own and
	 * the device emulates every access to it (the standalone platform).
	 */
	int (*vram_alloc)(void *opaque, uint64_t size, void **host);
	void (*vram_free)(void *opaque, void *host, uint64_t size);
	/*
	 * Move the VRAM to guest-physical gpa (the framebuffer BAR was mapped
	 * there) or back out of the guest's view (mapped false), so the
	 * guest's framebuffer accesses reach RAM without ioreqs (Xen:
	 * relocate_memory + pin_memory_cacheattr). 0, or -errno: then the
	 * device emulates the range as MMIO.
	 */
	int (*vram_map)(void *opaque, void *host, uint64_t size, uint64_t gpa, bool mapped);
	/*
	 * OR into bitmap (a bit per 4 KiB page from the VRAM's start) the pages
	 * the guest wrote directly since the last call, and re-arm (Xen:
	 * track_dirty_vram on the mapped range). 0, or -errno: treat them all
	 * as written.
	 */
	int (*vram_dirty)(void *opaque, void *host, uint64_t size, uint64_t *bitmap);
};

/*
 * The date the RTC starts at when nothing says otherwise (no -rtc base=, or a
 * platform without rtc_seconds): fixed, so that a replay or a unit test gives
 * the same bytes whatever the host's date. 2000-01-01T00:00:00Z.
 */
#define PLAT_RTC_BASE_DEFAULT 946684800

struct platform {
	const struct platform_ops *ops;
	void *opaque;
};

static inline void plat_isa_irq(struct platform *p, unsigned irq, bool level)
{
	if (p->ops && p->ops->isa_irq && irq < 16)
		p->ops->isa_irq(p->opaque, irq, level);
}

static inline void plat_pci_intx(struct platform *p, unsigned devfn, unsigned pin, bool level)
{
	if (p->ops && p->ops->pci_intx && devfn < 256 && pin < 4)
		p->ops->pci_intx(p->opaque, devfn, pin, level);
}

static inline void plat_pci_link_route(struct platform *p, unsigned link, unsigned irq)
{
	if (p->ops && p->ops->pci_link_route && link < 4)
		p->ops->pci_link_route(p->opaque, link, irq < 16 ? irq : 0);
}

static inline void plat_msi(struct platform *p, uint64_t addr, uint32_t data)
{
	if (p->ops && p->ops->msi)
		p->ops->msi(p->opaque, addr, data);
}

static inline void plat_request(struct platform *p, enum plat_request req)
{
	if (p->ops && p->ops->request)
		p->ops->request(p->opaque, req);
}

static inline int plat_set_ram_ro(struct platform *p, uint64_t first_pfn, uint64_t nr, bool ro)
{
	if (p->ops && p->ops->set_ram_ro)
		return p->ops->set_ram_ro(p->opaque, first_pfn, nr, ro);
	return 0;
}

static inline int64_t plat_rtc_seconds(struct platform *p)
{
	if (p->ops && p->ops->rtc_seconds)
		return p->ops->rtc_seconds(p->opaque);
	return PLAT_RTC_BASE_DEFAULT;
}

static inline int plat_vram_alloc(struct platform *p, uint64_t size, void **host)
{
	if (p->ops && p->ops->vram_alloc)
		return p->ops->vram_alloc(p->opaque, size, host);
	return -EOPNOTSUPP;
}

static inline void plat_vram_free(struct platform *p, void *host, uint64_t size)
{
	if (p->ops && p->ops->vram_free)
		p->ops->vram_free(p->opaque, host, size);
}

static inline int plat_vram_map(struct platform *p, void *host, uint64_t size, uint64_t gpa,
				bool mapped)
{
	if (p->ops && p->ops->vram_map)
		return p->ops->vram_map(p->opaque, host, size, gpa, mapped);
	return -EOPNOTSUPP;
}

static inline int plat_vram_dirty(struct platform *p, void *host, uint64_t size, uint64_t *bitmap)
{
	if (p->ops && p->ops->vram_dirty)
		return p->ops->vram_dirty(p->opaque, host, size, bitmap);
	return -EOPNOTSUPP;
}

/* The INTx link a pin of slot uses, as Xen's hvm_pci_intx_link() computes it. */
static inline unsigned pci_intx_link(unsigned devfn, unsigned pin)
{
	return ((devfn >> 3) + pin) & 3;
}

#endif
