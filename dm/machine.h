/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine: what one guest's device model is made of. The platform (sim
 * or xen) fills in memory, the platform ops and the bus listener; the
 * builder (machine.c) creates the xenfv / pc device set from the options,
 * at the slots qemu-xen uses for the same options.
 */
#ifndef DM_MACHINE_H
#define DM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/ioreq.h"
#include "dm/memory.h"
#include "dm/platform.h"
#include "dm/runstate.h"

struct bus;
struct loop;
struct dm_dev;
struct chardev_set;
struct net_set;
struct vnc_server;

enum machine_kind {
	MACHINE_NONE,  /* -machine none: libxl's probe run, no devices */
	MACHINE_XENFV, /* -machine xenfv: pc + the Xen platform device */
	MACHINE_PC,    /* -machine pc[,accel=xen]: xen_platform_pci=0 */
};

/* A growable list of option strings, kept in command-line order. */
struct strlist {
	char **v;
	size_t n;
};
__attribute__((warn_unused_result)) int strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* What the command line asks for; filled by main.c, consumed by machine_build. */
struct machine_opts {
	enum machine_kind kind;
	uint64_t ram_mb;	   /* -m, MiB */
	unsigned smp;		   /* -smp, vCPUs */
	int domid;		   /* -xen-domid, or 0 standalone */
	bool nodefaults;	   /* -nodefaults: no default serial/monitor/VGA */
	bool start_paused;	   /* -S */
	bool usb;		   /* -usb: reserve 00:01.2 */
	const char *name;	   /* -name */
	const char *boot;	   /* -boot order=... */
	const char *boot_once;	   /* -boot once=...: the order until the first system reset */
	uint64_t max_ram_below_4g; /* -machine max-ram-below-4g=, bytes; 0: the default */
	const char *vga;	   /* -vga: the adapter's type, created before any -device */
	struct strlist devices;	   /* -device, in order */
	struct strlist drives;	   /* -drive */
	struct strlist chardevs;   /* -chardev */
	struct strlist netdevs;	   /* -netdev */
	struct strlist serials;	   /* -serial */
	struct strlist mons;	   /* -mon */
	struct strlist globals;	   /* -global */
	bool rtc_base_set;	   /* -rtc base= given (standalone platform) */
	int64_t rtc_base;	   /* its date: UTC seconds at virtual clock 0 */
	const char *kernel;	   /* -kernel: direct kernel boot through fw_cfg */
	const char *initrd;	   /* -initrd (needs -kernel) */
	const char *append;	   /* -append (needs -kernel) */
	bool nographic;		   /* -nographic (fw_cfg's NOGRAPHIC item) */
};

struct machine {
	struct machine_opts *opts;
	int domid;
	struct bus *bus;
	struct loop *loop;
	struct guest_mem mem;
	struct platform plat;
	struct ioreq_ctx io;
	struct dm_dev *devs; /* creation order */
	struct dm_dev **devs_tail;
	uint8_t next_slot;	      /* the first free PCI slot for "next free" placement */
	struct chardev_set *chardevs; /* -chardev/-serial backends (dm/chardev.h); NULL: none yet */
	struct net_set *nets;	      /* -netdev backends (dm/net.h); NULL: none */
	struct runstate rs; /* prelaunch/running/paused...; QMP and the platform follow it */
	bool log_dirty;	    /* xen-set-global-dirty-log: report device writes to guest RAM */

	/* -vnc (dm/vnc.h); NULL without one */
	struct vnc_server *vnc;
};

/* Interrupt and request helpers for devices (forward to the platform). */
static inline void dm_isa_irq(struct machine *m, unsigned irq, bool level)
{
	plat_isa_irq(&m->plat, irq, level);
}

/* Build the device set of opts->kind. 0 or -errno with a message logged. */
__attribute__((warn_unused_result)) int machine_build(struct machine *m);
/*
 * The next free PCI slot from 2 up (qemu-xen's "first free slot"), marked
 * used for later calls; -ENOSPC when none is left. machine_build places
 * every PCI device without addr= with it.
 */
int machine_alloc_slot(struct machine *m);
/* Reset every device in creation order. */
void machine_reset(struct machine *m, int kind);
/* fini every device in reverse order and free them. */
void machine_teardown(struct machine *m);
/* The device with id= or instance name, or NULL. */
struct dm_dev *machine_find_dev(struct machine *m, const char *id);

#endif
