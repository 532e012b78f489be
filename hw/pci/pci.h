/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCI core: one conventional PCI function (type 0 header) as a device
 * embeds it in its state.
 *
 * What the core owns (PCI Local Bus Specification 3.0, ch. 6):
 *  - the 256-byte configuration space with a per-byte write mask and a
 *    write-1-to-clear mask; a write stores (old & ~wmask) | (val & wmask),
 *    then clears the bits (val & w1cmask);
 *  - the header fields from a const struct pci_identity (IDs, class,
 *    revision, subsystem, header type with the multifunction bit 0x80,
 *    interrupt pin, initial status);
 *  - BARs 0-5 and the expansion ROM (index PCI_ROM_SLOT): declared with
 *    pci_bar_init() with a type and a power-of-two size; sizing reads,
 *    read-only type bits, the ROM enable bit;
 *  - decode: a BAR is mapped only while its command bit is on (I/O space or
 *    memory space; the ROM also needs its enable bit) and its address is
 *    valid (not 0, no wrap, I/O below 64 KiB, 32-bit memory below 4 GiB).
 *    Every command or BAR write computes the list of region changes and
 *    applies it with bus_apply() (atomic, the platform claims/releases the
 *    ranges). If bus_apply() fails (overlap, or the platform refused), the
 *    config bytes of that write are restored: the write did not happen;
 *  - INTx: pci_set_irq() drives the function's interrupt pin through
 *    plat_pci_intx() on level changes only, honours the command register's
 *    Interrupt Disable bit and keeps the status register's Interrupt
 *    Status bit;
 *  - the capability list (pci_add_cap, pci_find_cap);
 *  - reset: the config space as it was when pci_func_attach() ran, BARs
 *    unmapped, INTx deasserted.
 *
 * Defaults follow QEMU's PCI core so that the guest-visible bytes match
 * qemu-xen: writable are the command bits IO, MEMORY, MASTER, SERR and
 * INTX_DISABLE, the cache line size, the interrupt line, the BAR address
 * bits and all of 0x40-0xff (device registers: a device narrows this with
 * pci_set_wmask()); write-1-to-clear are the status error bits.
 *
 * What a device provides: a struct pci_func inside its state, the identity,
 * an optional struct pci_func_ops (config hooks for its own registers, a
 * bar_moved notification), and for each BAR a struct region whose name, ops
 * and opaque it fills in (the core sets space, base and len).
 *
 * Usage (init):
 *	pci_func_init(&s->pci, m, devfn, &my_identity, &my_pci_ops, s, dev->name);
 *	s->mmio.name = "rtl8139-mmio"; s->mmio.ops = &mmio_ops; s->mmio.opaque = s;
 *	pci_bar_init(&s->pci, 1, PCI_BAR_MEM32, 256, &s->mmio);
 *	pci_cfg_set8(&s->pci, 0x40, 0x12);        device-specific defaults
 *	err = pci_func_attach(&s->pci);            snapshot defaults, bus_pci_attach
 * reset: pci_func_reset(&s->pci); fini: pci_func_detach(&s->pci).
 *
 * Config accesses from the bus come aligned, size 1, 2 or 4, reg < 256.
 * Function-level state only: a multifunction slot's INTx lines are wired
 * per function (devfn, pin) to the platform, which merges functions of a
 * slot sharing a pin (the Xen platform ORs them per slot and pin).
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/bus.h"

struct machine;
struct pci_func;
struct snap_wr;
struct snap_rd;

/* ---------------------------------------------------------------- header registers */
#define PCI_CFG_SIZE		256
#define PCI_VENDOR_ID		0x00 /* 16 */
#define PCI_DEVICE_ID		0x02 /* 16 */
#define PCI_COMMAND		0x04 /* 16 */
#define PCI_STATUS		0x06 /* 16 */
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a /* 16: class << 8 | subclass */
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BIST		0x0f
#define PCI_BASE_ADDRESS_0	0x10 /* BAR n at 0x10 + 4n, n < 6 */
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_MIN_GNT		0x3e
#define PCI_MAX_LAT		0x3f
#define PCI_CONFIG_HEADER_SIZE	0x40

#define PCI_COMMAND_IO		 0x0001
#define PCI_COMMAND_MEMORY	 0x0002
#define PCI_COMMAND_MASTER	 0x0004
#define PCI_COMMAND_SPECIAL	 0x0008
#define PCI_COMMAND_INVALIDATE	 0x0010
#define PCI_COMMAND_VGA_PALETTE	 0x0020
#define PCI_COMMAND_PARITY	 0x0040
#define PCI_COMMAND_WAIT	 0x0080
#define PCI_COMMAND_SERR	 0x0100
#define PCI_COMMAND_FAST_BACK	 0x0200
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define PCI_STATUS_INTERRUPT	    0x0008
#define PCI_STATUS_CAP_LIST	    0x0010
#define PCI_STATUS_66MHZ	    0x0020
#define PCI_STATUS_FAST_BACK	    0x0080
#define PCI_STATUS_PARITY	    0x0100
#define PCI_STATUS_DEVSEL_MEDIUM    0x0200
#define PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define PCI_STATUS_REC_TARGET_ABORT 0x1000
#define PCI_STATUS_REC_MASTER_ABORT 0x2000
#define PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define PCI_STATUS_DETECTED_PARITY  0x8000

#define PCI_HEADER_TYPE_MULTI_FUNCTION 0x80

#define PCI_BASE_ADDRESS_SPACE_IO     0x01
#define PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_ROM_ADDRESS_ENABLE	      0x01

/* Capability IDs (PCI 3.0 appendix H) used by our devices. */
#define PCI_CAP_ID_PM	0x01
#define PCI_CAP_ID_MSI	0x05
#define PCI_CAP_ID_VNDR 0x09

#define PCI_DEVFN(slot, fn) ((((slot)&0x1f) << 3) | ((fn)&7))
#define PCI_SLOT(devfn)	    (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)	    ((devfn)&7)

/* ---------------------------------------------------------------- identity */
/* The read-only header of a function; const, one per device type. */
struct pci_identity {
	uint16_t vendor;
	uint16_t device;
	uint16_t subsys_vendor; /* 0x2c */
	uint16_t subsys_id;	/* 0x2e */
	uint32_t class_code;	/* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t header_type; /* 0x00, or 0x80 for function 0 of a multifunction device */
	uint8_t int_pin;     /* 0 none, 1 INTA .. 4 INTD */
	uint16_t status;     /* status bits set at reset (DEVSEL timing, fast back-to-back) */
};

/* ---------------------------------------------------------------- BARs */
#define PCI_NUM_BARS 6
#define PCI_ROM_SLOT 6 /* index of the expansion ROM in struct pci_func.bar[] */

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,		/* size 4 .. 256 bytes (PCI 3.0 6.2.5.1) */
	PCI_BAR_MEM32,		/* size >= 16 */
	PCI_BAR_MEM32_PREFETCH, /* prefetchable (bit 3) */
	PCI_BAR_MEM64,		/* takes this BAR and the next one */
	PCI_BAR_MEM64_PREFETCH,
	PCI_BAR_ROM, /* index PCI_ROM_SLOT only, size >= 2 KiB */
};

struct pci_bar {
	enum pci_bar_type type;
	uint64_t size;	       /* power of two */
	struct region *region; /* device-supplied; NULL: decoded, but nothing on the bus */
	uint64_t addr;	       /* address while mapped */
	bool mapped;
};

/* ---------------------------------------------------------------- device hooks */
struct pci_func_ops {
	/*
	 * After the core has stored a write (masks applied, BARs and decode
	 * updated) to [reg, reg + size): the device reacts to its registers.
	 * old is the value the same bytes held before. May be NULL.
	 */
	void (*cfg_write)(struct pci_func *f, unsigned reg, uint32_t val, uint32_t old,
			  unsigned size);
	/*
	 * A read of [reg, reg + size); val is what the config array holds.
	 * Returns the value the guest sees (for registers computed on read).
	 * May be NULL.
	 */
	uint32_t (*cfg_read)(struct pci_func *f, unsigned reg, unsigned size, uint32_t val);
	/* BAR bar (0-5, PCI_ROM_SLOT) was mapped at addr or unmapped. May be NULL. */
	void (*bar_moved)(struct pci_func *f, unsigned bar, bool mapped, uint64_t addr);
};

/* ---------------------------------------------------------------- the function */
struct pci_func {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint8_t w1cmask[PCI_CFG_SIZE];
	uint8_t cfg_reset[PCI_CFG_SIZE]; /* snapshot taken by pci_func_attach */
	struct pci_bar bar[PCI_NUM_BARS + 1];

	const struct pci_identity *id;
	const struct pci_func_ops *ops;
	void *opaque; /* the device's state, for the hooks */
	struct machine *m;
	const char *name; /* for logs: the device instance name */
	unsigned devfn;
	bool attached;
	bool irq_level;			      /* what the device asks for (pci_set_irq) */
	bool intx_out;			      /* what the platform was last told */
	uint8_t cap_last;		      /* offset of the last capability added, 0: none */
	uint64_t cap_used[PCI_CFG_SIZE / 64]; /* bytes taken by capabilities */
};

/*
 * Fill the header from id, set QEMU's default masks, no BARs. m may be NULL
 * in tests that never attach (no bus, no interrupts). name must outlive f.
 */
void pci_func_init(struct pci_func *f, struct machine *m, unsigned devfn,
		   const struct pci_identity *id, const struct pci_func_ops *ops, void *opaque,
		   const char *name);

/*
 * Declare BAR bar (0-5; PCI_ROM_SLOT for PCI_BAR_ROM). A MEM64 BAR takes
 * bar and bar + 1 (bar <= 4). r: the device's region with name, ops and
 * opaque set; the core sets space, len = size and base. Before attach.
 * 0 or -EINVAL (bad index, type, size, or BAR already taken).
 */
__attribute__((warn_unused_result)) int pci_bar_init(struct pci_func *f, unsigned bar,
						     enum pci_bar_type type, uint64_t size,
						     struct region *r);

/*
 * Add a capability of len bytes (>= 2) at offset off (0x40..0xff, dword
 * aligned, inside the space): ID and next pointer are read-only, the
 * status CAP_LIST bit and the list pointer (0x34) are set, it is linked
 * after the previous one. The body's write mask is left to the device.
 * 0 or -EINVAL (bad offset/length, overlap with another capability).
 */
__attribute__((warn_unused_result)) int pci_add_cap(struct pci_func *f, uint8_t id, unsigned off,
						    unsigned len);
/* Offset of the first capability with this ID, or 0. The walk is bounded. */
unsigned pci_find_cap(const struct pci_func *f, uint8_t id);

/*
 * Snapshot the config space as the reset state, attach to the bus as
 * f->devfn (bus_pci_attach). 0 or -errno (devfn taken: -EEXIST).
 */
__attribute__((warn_unused_result)) int pci_func_attach(struct pci_func *f);
/* Unmap BARs, deassert INTx, detach from the bus. Safe if never attached. */
void pci_func_detach(struct pci_func *f);
/* Back to the attach-time config space; BARs unmapped; INTx deasserted. */
void pci_func_reset(struct pci_func *f);

/*
 * Config access as the bus makes it (also what bus_pci_attach is given):
 * reg + size <= 256, size 1, 2, 4; anything else reads all ones / is
 * dropped with a guest_err.
 */
uint32_t pci_cfg_read(struct pci_func *f, unsigned reg, unsigned size);
void pci_cfg_write(struct pci_func *f, unsigned reg, uint32_t val, unsigned size);
/* The bus's view: bus_pci_attach(bus, devfn, &pci_func_cfg_ops, f). */
extern const struct pci_cfg_ops pci_func_cfg_ops;

/* Device-side accessors of the raw config array (no masks, no hooks). */
static inline uint8_t pci_cfg_get8(const struct pci_func *f, unsigned reg)
{
	return reg < PCI_CFG_SIZE ? f->cfg[reg] : 0xff;
}
uint16_t pci_cfg_get16(const struct pci_func *f, unsigned reg);
uint32_t pci_cfg_get32(const struct pci_func *f, unsigned reg);
void pci_cfg_set8(struct pci_func *f, unsigned reg, uint8_t v);
void pci_cfg_set16(struct pci_func *f, unsigned reg, uint16_t v);
void pci_cfg_set32(struct pci_func *f, unsigned reg, uint32_t v);
/* Set the write / write-1-to-clear mask of len bytes at reg to the byte m. */
void pci_set_wmask(struct pci_func *f, unsigned reg, unsigned len, uint8_t m);
void pci_set_w1cmask(struct pci_func *f, unsigned reg, unsigned len, uint8_t m);

/* True when [reg, reg + size) overlaps [start, start + len): for cfg_write hooks. */
static inline bool pci_range_overlaps(unsigned reg, unsigned size, unsigned start, unsigned len)
{
	return reg < start + len && start < reg + size;
}

/*
 * Drive the function's INTx pin (from its interrupt pin register) to level.
 * The platform hears only changes of the effective level (level and not
 * INTX_DISABLE). A function with pin 0 has no INTx: ignored.
 */
void pci_set_irq(struct pci_func *f, bool level);

/* The address BAR bar is mapped at, or UINT64_MAX when not mapped. */
uint64_t pci_bar_addr(const struct pci_func *f, unsigned bar);

/*
 * Save/restore (dm/state.h), from a device's save/load/post_load:
 * pci_func_save writes the fields "pci.cfg" (256 bytes) and "pci.irq";
 * pci_func_load reads them into f (a scratch copy during dm_state_load)
 * and refuses (-EINVAL) a config space whose read-only identity (IDs,
 * class, revision, header type, subsystem, pin) differs from f's;
 * pci_func_post_load then maps the BARs the loaded config decodes and
 * drives INTx to the loaded level.
 */
__attribute__((warn_unused_result)) int pci_func_save(const struct pci_func *f, struct snap_wr *w);
__attribute__((warn_unused_result)) int pci_func_load(struct pci_func *f, struct snap_rd *r);
void pci_func_post_load(struct pci_func *f);

#endif
