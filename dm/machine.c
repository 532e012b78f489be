// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine builder: the device set of -machine xenfv / pc / none, at the
 * PCI slots qemu-xen uses for the same command line
 * (shared/docs/qemu-xen-golden/README.md, xen-interface.md §6.2):
 *
 *   00:00.0 i440FX, 00:01.0 PIIX3 ISA, 00:01.1 PIIX3 IDE, 00:01.2 UHCI (-usb),
 *   00:01.3 PIIX4 PM; then "next free slot" from 2, in creation order: the
 *   Xen platform device (xenfv only, created with the board), then every
 *   -device in command-line order (xenfv: VGA 00:03.0, NIC 00:04.0; pc: one
 *   slot lower). A -device with addr= keeps its slot.
 *
 * The board is a table of "-device"-style specs per machine kind, created
 * with the same parser a user's -device goes through. A type not (yet) in
 * the registry is skipped unless its entry is marked required.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/chardev.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/net.h"
#include "hw/ide/ide_cmos.h"
#include "hw/isa/serial.h"

#define KIND(k)	 (1u << (k))
#define PC_KINDS (KIND(MACHINE_XENFV) | KIND(MACHINE_PC))

#define PCI_FIRST_FREE_SLOT 2
#define PCI_SLOTS	    32

struct board_dev {
	const char *spec; /* "-device" syntax */
	const char *addr; /* fixed PCI address (slot.fn, hex), NULL: the type's or next free */
	unsigned kinds;	  /* KIND() of the machines that have it */
	bool required;	  /* the machine cannot be built without it */
	bool (*wanted)(const struct machine_opts *o); /* NULL: always */
};

static bool want_usb(const struct machine_opts *o)
{
	return o->usb;
}

/* qemu-xen has fw_cfg only for direct kernel boot (pc.c xen_load_linux). */
static bool want_fw_cfg(const struct machine_opts *o)
{
	return o->kernel != NULL;
}

/*
 * The board, in creation order (= qemu-xen's): chipset functions at their
 * fixed addresses, the ISA devices, then the Xen platform device, which
 * takes the first free slot before any -device.
 */
static const struct board_dev board[] = {
	{ "i440fx", "0.0", PC_KINDS, true, NULL },
	{ "piix3", "1.0", PC_KINDS, true, NULL }, /* hvmloader asserts 8086:7000 at 01.0 */
	{ "piix3-ide", "1.1", PC_KINDS, false, NULL },
	{ "piix3-usb-uhci", "1.2", PC_KINDS, false, want_usb },
	{ "piix4-pm", "1.3", PC_KINDS, false, NULL },
	{ "cmos", NULL, PC_KINDS, false, NULL },
	{ "i8042", NULL, PC_KINDS, false, NULL },
	{ "port92", NULL, PC_KINDS, false, NULL },
	{ "fw-cfg", NULL, PC_KINDS, true, want_fw_cfg },
	{ "xen-platform", NULL, KIND(MACHINE_XENFV), false, NULL },
};

int machine_alloc_slot(struct machine *m)
{
	unsigned s = m->next_slot < PCI_FIRST_FREE_SLOT ? PCI_FIRST_FREE_SLOT : m->next_slot;

	for (; s < PCI_SLOTS; s++) {
		if (!bus_pci_present(m->bus, s << 3)) {
			m->next_slot = s + 1;
			return (int)s;
		}
	}
	return -ENOSPC;
}

/*
 * A PCI device without addr= gets the next free slot, as QEMU places it;
 * one given addr= (or fixed by its board entry, or by its type's default,
 * as chipset functions are) keeps it.
 */
static int place_pci(struct dm_dev *dev, const char *fixed)
{
	int idx = dev_prop_index(dev->type, "addr");
	const struct prop_desc *p = idx >= 0 ? &dev->type->props[idx] : NULL;
	char err[160];
	int slot;

	if (dev->type->kind != DEV_KIND_PCI || !p || p->type != PROP_PCIADDR ||
	    dev->prop_given[idx])
		return 0;
	if (fixed) {
		if (dev_set_prop(dev, "addr", fixed, err, sizeof(err))) {
			dm_err("machine", "%s: %s", dev->type->name, err);
			return -EINVAL;
		}
		return 0;
	}
	if (p->def)
		return 0;
	slot = machine_alloc_slot(dev->m);
	if (slot < 0) {
		dm_err("machine", "%s: no free PCI slot left", dev->type->name);
		return slot;
	}
	dev->props[idx].i = slot << 3;
	dev->prop_given[idx] = true;
	return 0;
}

/* -global DRIVER.PROP=VAL: a default for every DRIVER created, unless the spec sets PROP. */
static int apply_globals(struct dm_dev *dev)
{
	const struct strlist *g = &dev->m->opts->globals;

	for (size_t i = 0; i < g->n; i++) {
		const char *s = g->v[i], *eq = strchr(s, '='), *dot = strchr(s, '.');
		char prop[64], err[160];
		size_t plen, tlen;
		int idx;

		/* DRIVER is the type's name or its alias (-global isa-serial.chardev=...). */
		if (!eq || !dot || dot > eq || !dev_type_is(dev->type, s, (size_t)(dot - s)))
			continue;
		tlen = (size_t)(dot - s);
		plen = (size_t)(eq - (s + tlen + 1));
		if (plen == 0 || plen >= sizeof(prop)) {
			dm_err("machine", "-global %s: bad property name", s);
			return -EINVAL;
		}
		memcpy(prop, s + tlen + 1, plen);
		prop[plen] = '\0';
		idx = dev_prop_index(dev->type, prop);
		if (idx >= 0 && dev->prop_given[idx])
			continue;
		if (dev_set_prop(dev, prop, eq + 1, err, sizeof(err))) {
			dm_err("machine", "-global %s: %s", s, err);
			return -EINVAL;
		}
	}
	return 0;
}

/* Parse, place and realize one device from a "-device" spec (fixed: board address or NULL). */
static int create(struct machine *m, const char *spec, const char *fixed, const char *origin)
{
	struct dm_dev *dev;
	char err[256];
	int ret;

	ret = dev_parse(m, spec, &dev, err, sizeof(err));
	if (ret) {
		dm_err("machine", "%s '%s': %s", origin, spec, err);
		return ret;
	}
	ret = apply_globals(dev);
	if (!ret)
		ret = place_pci(dev, fixed);
	if (ret) {
		dev_free(dev);
		return ret;
	}
	ret = dev_realize(dev);
	if (ret)
		dm_err("machine", "%s '%s': cannot create it (%s)", origin, spec, strerror(-ret));
	return ret;
}

/* The type name of a spec: its first element. */
static void spec_type(const char *spec, char *buf, size_t len)
{
	size_t n = strcspn(spec, ",");

	if (n >= len)
		n = len - 1;
	memcpy(buf, spec, n);
	buf[n] = '\0';
}

static int build_board(struct machine *m)
{
	for (size_t i = 0; i < sizeof(board) / sizeof(board[0]); i++) {
		const struct board_dev *b = &board[i];
		char type[48];
		int ret;

		if (!(b->kinds & KIND(m->opts->kind)) || (b->wanted && !b->wanted(m->opts)))
			continue;
		spec_type(b->spec, type, sizeof(type));
		if (!dev_type_find(type)) {
			if (b->required) {
				dm_err("machine", "board device '%s' is missing from this build",
				       type);
				return -ENOENT;
			}
			dm_dbg(LOG_PCI, "machine", "board device '%s' not in this build, skipped",
			       type);
			continue;
		}
		ret = create(m, b->spec, b->addr, "board device");
		if (ret)
			return ret;
	}
	return 0;
}

int machine_build(struct machine *m)
{
	const struct machine_opts *o = m->opts;
	char err[512];
	int ret;

	if (!m->devs_tail)
		m->devs_tail = &m->devs;
	if (o->kind == MACHINE_NONE) {
		if (o->devices.n) {
			dm_err("machine", "-machine none takes no -device");
			return -EINVAL;
		}
		return 0;
	}
	ret = chardev_add_opts(m, err, sizeof(err));
	if (ret) {
		dm_err("machine", "%s", err);
		chardev_set_free(m);
		return ret;
	}
	ret = net_add_opts(m, err, sizeof(err));
	if (ret) {
		dm_err("machine", "-netdev: %s", err);
		net_set_free(m);
		chardev_set_free(m);
		return ret;
	}
	ret = build_board(m);
	/* The -serial ports come with the board's ISA devices, before any -device. */
	if (!ret)
		ret = serial_from_opts(m);
	if (!ret && o->vga)
		ret = create(m, o->vga, NULL, "-vga");
	for (size_t i = 0; !ret && i < o->devices.n; i++)
		ret = create(m, o->devices.v[i], NULL, "-device");
	if (!ret) /* the disks are all attached now: QEMU's pc_cmos_init_late */
		ret = ide_cmos_init(m);
	if (ret)
		machine_teardown(m);
	return ret;
}

void machine_reset(struct machine *m, int kind)
{
	for (struct dm_dev *d = m->devs; d; d = d->next)
		if (d->type->reset)
			d->type->reset(d, (enum reset_kind)kind);
}

void machine_teardown(struct machine *m)
{
	/* Reverse creation order: unlink the last device each time. */
	while (m->devs) {
		struct dm_dev **pp = &m->devs;

		while ((*pp)->next)
			pp = &(*pp)->next;
		struct dm_dev *d = *pp;
		*pp = NULL;
		dev_free(d);
	}
	m->devs_tail = &m->devs;
	m->next_slot = 0;
	/* After the devices: their fini released the chardevs they held. */
	chardev_set_free(m);
	net_set_free(m);
}

struct dm_dev *machine_find_dev(struct machine *m, const char *id)
{
	for (struct dm_dev *d = m->devs; d; d = d->next)
		if ((d->id[0] && !strcmp(d->id, id)) || !strcmp(d->name, id))
			return d;
	return NULL;
}
