// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX3 IDE function (82371SB function 1, 8086:7010 at 00:01.1) as
 * qemu-xen presents it: class 0101 prog-if 80 (legacy-only, bus master),
 * subsystem 1af4:1100, no interrupt pin; the two channels at their ISA
 * addresses (primary 1F0h-1F7h + 3F6h on IRQ 14, secondary 170h-177h +
 * 376h on IRQ 15; PIIX3 datasheet §2.6 and ATA/ATAPI-6 §5.2), the 16-byte
 * bus-master I/O BAR4 (§2.7), and the device types that put drives on it:
 *
 *   -drive file=IMG,if=ide,index=N,media=disk|cdrom,...   (this function)
 *   -device ide-hd|ide-cd,drive=ID,bus=ide.B,unit=U[,id=]  (a -drive if=none)
 *
 * Disks register with the Xen platform device's unplug (all disks for bit
 * 0; all but the primary master for bit 2); an unplug drains and flushes
 * the image, detaches it and resets the device as qemu-xen does (not its
 * whole config space: the timing registers stay).
 * CD-ROMs answer QMP eject / blockdev-change-medium (hw/ide/ide.h).
 *
 * The legacy ports decode whatever the command register and IDETIM say,
 * as in QEMU. Left out: native-PCI mode (prog-if is read-only 80h), the
 * timing registers' effect (40h-47h are plain read/write bytes), device
 * state save/restore of in-flight commands (not yet in this model).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/block.h"
#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "hw/ide/ide.h"
#include "hw/ide/ide_int.h"
#include "hw/pci/pci.h"
#include "hw/pci/xen_platform.h"

#define PIIX_IDE_DEVFN PCI_DEVFN(1, 1)

struct piix_ide {
	struct pci_func pci;
	struct dm_dev *dev;
	struct ide_bus bus[2];
	char bus_name[2][56];
	struct region cmd[2], ctl[2], bmdma;
};

const struct dev_type piix3_ide_type;
const struct dev_type ide_hd_type;
const struct dev_type ide_cd_type;

/* ------------------------------------------------------------ ports */

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_bus *b = opaque;
	uint64_t v = 0;

	/* A byte access to the data register moves a whole word (QEMU widens it). */
	if (off == 0)
		return size == 1 ? ide_data_read(b, 2) & 0xff : ide_data_read(b, size);
	/* Other widths on the task file: one byte register after another. */
	for (unsigned i = 0; i < size; i++) {
		unsigned reg = (unsigned)off + i;
		uint64_t byte = reg < 8 ? ide_ioport_read(b, reg) & 0xff : 0xff;

		v |= byte << (8 * i);
	}
	return v;
}

static void cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct ide_bus *b = opaque;

	if (off == 0) {
		ide_data_write(b, (uint32_t)val & (size == 1 ? 0xff : 0xffffffffu),
			       size == 1 ? 2 : size);
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		unsigned reg = (unsigned)off + i;

		if (reg < 8)
			ide_ioport_write(b, reg, (uint32_t)(val >> (8 * i)) & 0xff);
	}
}

/* REP INSW/INSD on the data register in bulk; byte string I/O stays word by word. */
static size_t cmd_read_rep(void *opaque, uint64_t off, unsigned size, void *buf, size_t count)
{
	if (off != 0 || size == 1)
		return 0;
	return ide_data_read_rep(opaque, size, buf, count);
}

static size_t cmd_write_rep(void *opaque, uint64_t off, unsigned size, const void *buf,
			    size_t count)
{
	if (off != 0 || size == 1)
		return 0;
	return ide_data_write_rep(opaque, size, buf, count);
}

static const struct region_ops cmd_ops = {
	.read = cmd_read,
	.write = cmd_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
	.read_rep = cmd_read_rep,
	.write_rep = cmd_write_rep,
};

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
	(void)off;
	(void)size;
	return ide_altstatus_read(opaque);
}

static void ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	ide_ctl_write(opaque, (uint32_t)val);
}

static const struct region_ops ctl_ops = {
	.read = ctl_read,
	.write = ctl_write,
	.min_size = 1,
	.max_size = 1,
};

/* BAR4: channel 0 at 0-7, channel 1 at 8-15; an access crossing a register goes by bytes. */
static uint64_t bmdma_read(void *opaque, uint64_t off, unsigned size)
{
	struct piix_ide *s = opaque;
	unsigned ch = (unsigned)(off >> 3) & 1, o = (unsigned)off & 7;
	uint64_t v = 0;

	if ((o < 4) == ((o + size - 1) < 4) && o + size <= 8)
		return bm_read(&s->bus[ch], o, size);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)bmdma_read(s, off + i, 1) << (8 * i);
	return v;
}

static void bmdma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct piix_ide *s = opaque;
	unsigned ch = (unsigned)(off >> 3) & 1, o = (unsigned)off & 7;

	if ((o < 4) == ((o + size - 1) < 4) && o + size <= 8) {
		bm_write(&s->bus[ch], o, (uint32_t)val, size);
		return;
	}
	for (unsigned i = 0; i < size; i++)
		bmdma_write(s, off + i, (val >> (8 * i)) & 0xff, 1);
}

static const struct region_ops bmdma_ops = {
	.read = bmdma_read,
	.write = bmdma_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

/* ------------------------------------------------------------ identity */

static const struct pci_identity piix_ide_id = {
	.vendor = 0x8086,
	.device = 0x7010,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x010180,
	.revision = 0x00,
	.header_type = 0x00,
	.int_pin = 0,
	.status = PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM,
};

/* ------------------------------------------------------------ drives */

static struct piix_ide *find_controller(struct machine *m)
{
	for (struct dm_dev *d = m->devs; d; d = d->next)
		if (d->type == &piix3_ide_type)
			return d->state;
	return NULL;
}

static void reset_function(struct piix_ide *s)
{
	pci_func_reset(&s->pci);
	ide_bus_reset(&s->bus[0]);
	ide_bus_reset(&s->bus[1]);
}

/*
 * The device reset the unplug does (QEMU 7.2 piix_ide_reset through qdev_reset_all): the
 * buses, COMMAND 0000h, STATUS 0280h and the BMIBA low byte 01h (82371AB §6.2.2, §6.2.3,
 * §6.2.11; 7.2 writes that byte only), nothing else: the timing registers 40h-43h keep
 * IDETIM bit 15, which Linux's ata_piix needs to keep the CD-ROM's channel on. Unlike
 * QEMU, the BAR decode follows the cleared COMMAND at once, not at the next config write.
 */
static void unplug_reset(struct piix_ide *s)
{
	ide_bus_reset(&s->bus[0]);
	ide_bus_reset(&s->bus[1]);
	pci_cfg_set16(&s->pci, PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);
	pci_cfg_set8(&s->pci, PCI_BASE_ADDRESS_0 + 4 * 4, PCI_BASE_ADDRESS_SPACE_IO); /* BAR4 */
	pci_cfg_write(&s->pci, PCI_COMMAND, 0x0000, 2); /* also updates the BAR decode */
}

/* Unplug (xen-interface.md §9.3): drain, flush, detach, then reset the device. */
static void flush_done(void *opaque, int ret)
{
	(void)opaque;
	(void)ret;
}

static void disk_unplug(struct xen_unplug_hook *h, unsigned what)
{
	struct ide_drive *d = (struct ide_drive *)((char *)h - offsetof(struct ide_drive, unplug));
	struct piix_ide *s = h->dev->state;
	bool primary_master = d->bus->index == 0 && d->unit == 0;

	if (!d->present || d->is_cd)
		return;
	if (!(what & XEN_UNPLUG_IDE_DISKS) &&
	    (primary_master || !(what & XEN_UNPLUG_AUX_IDE_DISKS)))
		return;
	dm_info(h->dev->name, "unplug: disk %s (%s) removed for PV drivers", d->id,
		d->path ? d->path : "");
	if (d->blk) {
		blk_drain(d->blk);
		if (!blk_flush(d->blk, flush_done, NULL))
			blk_drain(d->blk);
	}
	xen_unplug_unregister(h);
	d->unplug_registered = false;
	ide_drive_detach(d);
	unplug_reset(s);
}

static void register_unplug(struct piix_ide *s, struct ide_drive *d)
{
	if (d->is_cd)
		return;
	d->unplug.mask = XEN_UNPLUG_IDE_DISKS;
	if (d->bus->index || d->unit)
		d->unplug.mask |= XEN_UNPLUG_AUX_IDE_DISKS;
	d->unplug.unplug = disk_unplug;
	d->unplug.dev = s->dev;
	xen_unplug_register(&d->unplug);
	d->unplug_registered = true;
}

/* Open conf's image (if any) and attach it at bus/unit. 0 or -errno, logged. */
static int attach_conf(struct piix_ide *s, const struct drive_conf *c, unsigned busno,
		       unsigned unit, bool is_cd, const char *id, const char *who)
{
	struct blk *blk = NULL;
	char err[256];
	int ret;

	if (busno > 1 || unit > 1) {
		dm_err(who, "no IDE position bus %u unit %u", busno, unit);
		return -EINVAL;
	}
	if (s->bus[busno].drv[unit].present) {
		dm_err(who, "IDE bus %u unit %u is already in use", busno, unit);
		return -EEXIST;
	}
	if (c->file) {
		blk = blk_open(s->dev->m->loop, c->file, c->readonly || is_cd, c->cache, err,
			       sizeof(err));
		if (!blk) {
			dm_err(who, "%s", err);
			return -EIO;
		}
	} else if (!is_cd) {
		dm_err(who, "a disk needs an image (file=)");
		return -EINVAL;
	}
	ret = ide_drive_attach(&s->bus[busno], unit, is_cd, blk, c->file, id, c->readonly || is_cd,
			       (int)c->cache);
	if (ret) {
		if (blk)
			blk_close(blk);
		dm_err(who, "cannot attach drive %s: %s", id, strerror(-ret));
		return ret;
	}
	s->bus[busno].drv[unit].rerror = (uint8_t)c->rerror;
	s->bus[busno].drv[unit].werror = (uint8_t)c->werror;
	register_unplug(s, &s->bus[busno].drv[unit]);
	dm_dbg(LOG_IDE, who, "drive %s at ide.%u unit %u: %s %s", id, busno, unit,
	       is_cd ? "cdrom" : "disk", c->file ? c->file : "(empty)");
	return 0;
}

/*
 * serial=, ver= and model= of ide-hd/ide-cd, as QEMU 7.2's ide_dev_initfn
 * takes them: NULL keeps the default ("QM0000N", "2.5+", "QEMU HARDDISK" or
 * "QEMU DVD-ROM"); longer values are cut to the IDENTIFY field (20, 8, 40
 * characters), as QEMU's pstrcpy into those fields does.
 */
static void set_identity(struct ide_drive *d, const char *serial, const char *ver,
			 const char *model)
{
	if (serial)
		snprintf(d->serial, sizeof(d->serial), "%s", serial);
	if (ver)
		snprintf(d->version, sizeof(d->version), "%s", ver);
	if (model)
		snprintf(d->model, sizeof(d->model), "%s", model);
}

/*
 * The value of -global TYPE.PROP=V (TYPE "ide-hd" or "ide-cd"), the last one
 * given, for the drives -drive if=ide makes: QEMU creates an ide-hd/ide-cd
 * device for each, which takes the -global defaults as any other does.
 */
static const char *drive_global(const struct machine *m, bool is_cd, const char *prop)
{
	const char *type = is_cd ? "ide-cd." : "ide-hd.", *val = NULL;
	size_t tl = strlen(type), pl = strlen(prop);

	for (size_t i = 0; i < m->opts->globals.n; i++) {
		const char *g = m->opts->globals.v[i];

		if (!strncmp(g, type, tl) && !strncmp(g + tl, prop, pl) && g[tl + pl] == '=')
			val = g + tl + pl + 1;
	}
	return val;
}

/*
 * A -drive without index= (nor unit=) takes the first free position from
 * its bus= on, in command-line order, as QEMU's drive_new() does; -1 if all
 * four are taken.
 */
static int first_free_index(const struct piix_ide *s, int from_bus)
{
	for (int i = from_bus * 2; i < 4; i++)
		if (!s->bus[i / 2].drv[i % 2].present)
			return i;
	return -1;
}

/* Every -drive if=ide: index N is bus N/2, unit N%2; ids as QEMU makes them ("ide0-hd0"). */
static int attach_if_ide(struct piix_ide *s)
{
	const struct strlist *l = &s->dev->m->opts->drives;

	for (size_t i = 0; i < l->n; i++) {
		struct drive_conf c;
		char err[256], id[48];
		bool cd;
		int ret;

		if (drive_parse(l->v[i], &c, err, sizeof(err))) {
			dm_err(s->dev->name, "%s", err);
			return -EINVAL;
		}
		if (c.iface != BLK_IF_IDE) {
			drive_conf_free(&c);
			continue;
		}
		cd = c.media == BLK_MEDIA_CDROM;
		if (c.index < 0 && (c.index = first_free_index(s, c.bus)) < 0) {
			dm_err(s->dev->name, "-drive %s: no free IDE unit (4 in use)", l->v[i]);
			drive_conf_free(&c);
			return -ENOSPC;
		}
		if (c.id)
			snprintf(id, sizeof(id), "%s", c.id);
		else
			snprintf(id, sizeof(id), "ide%d-%s%d", c.index / 2, cd ? "cd" : "hd",
				 c.index % 2);
		ret = attach_conf(s, &c, (unsigned)c.index / 2, (unsigned)c.index % 2, cd, id,
				  s->dev->name);
		if (!ret)
			set_identity(&s->bus[c.index / 2].drv[c.index % 2],
				     drive_global(s->dev->m, cd, "serial"),
				     drive_global(s->dev->m, cd, "ver"),
				     drive_global(s->dev->m, cd, "model"));
		drive_conf_free(&c);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------ the PCI function */

static void piix_ide_fini(struct dm_dev *dev);

static int add_ports(struct piix_ide *s)
{
	static const uint16_t cmd_base[2] = { 0x1f0, 0x170 }, ctl_base[2] = { 0x3f6, 0x376 };
	static const char *const cmd_name[2] = { "ide0-cmd", "ide1-cmd" };
	static const char *const ctl_name[2] = { "ide0-ctl", "ide1-ctl" };

	for (unsigned i = 0; i < 2; i++) {
		s->cmd[i] = (struct region){ .name = cmd_name[i],
					     .space = BUS_PIO,
					     .base = cmd_base[i],
					     .len = 8,
					     .ops = &cmd_ops,
					     .opaque = &s->bus[i] };
		s->ctl[i] = (struct region){ .name = ctl_name[i],
					     .space = BUS_PIO,
					     .base = ctl_base[i],
					     .len = 1,
					     .ops = &ctl_ops,
					     .opaque = &s->bus[i] };
		if (bus_add(s->dev->m->bus, &s->cmd[i]) || bus_add(s->dev->m->bus, &s->ctl[i]))
			return -EEXIST;
	}
	return 0;
}

static int piix_ide_init(struct dm_dev *dev)
{
	struct piix_ide *s = dev->state;
	int ret;

	s->dev = dev;
	/*
	 * On a virtual clock (replay, qtest, fuzzing) disk I/O completes
	 * synchronously, so a trace gives the same answers every run
	 * (trace-format.md "Time").
	 */
	if (dev->m->loop && loop_is_virtual(dev->m->loop))
		blk_set_sync(true);
	for (unsigned i = 0; i < 2; i++) {
		snprintf(s->bus_name[i], sizeof(s->bus_name[i]), "%s ide.%u", dev->name, i);
		ide_bus_init(&s->bus[i], i, dev->m, s->bus_name[i]);
		bm_reset(&s->bus[i].bm);
	}
	pci_func_init(&s->pci, dev->m, PIIX_IDE_DEVFN, &piix_ide_id, NULL, s, dev->name);
	s->bmdma = (struct region){ .name = "piix-bmdma", .ops = &bmdma_ops, .opaque = s };
	ret = pci_bar_init(&s->pci, 4, PCI_BAR_IO, 16, &s->bmdma);
	if (!ret)
		ret = pci_func_attach(&s->pci);
	if (!ret)
		ret = add_ports(s);
	if (!ret)
		ret = attach_if_ide(s);
	if (ret) {
		dm_err(dev->name, "cannot create the IDE function: %s", strerror(-ret));
		piix_ide_fini(dev);
		return ret;
	}
	reset_function(s);
	return 0;
}

static void piix_ide_reset(struct dm_dev *dev, enum reset_kind kind)
{
	(void)kind;
	reset_function(dev->state);
}

static void piix_ide_fini(struct dm_dev *dev)
{
	struct piix_ide *s = dev->state;

	for (unsigned i = 0; i < 2; i++) {
		for (unsigned u = 0; u < 2; u++) {
			struct ide_drive *d = &s->bus[i].drv[u];

			if (d->unplug_registered)
				xen_unplug_unregister(&d->unplug);
			d->unplug_registered = false;
		}
		/* Waits for every request and flushes (blk_close): nothing is lost on exit. */
		ide_bus_fini(&s->bus[i]);
		if (s->cmd[i].mapped)
			bus_del(dev->m->bus, &s->cmd[i]);
		if (s->ctl[i].mapped)
			bus_del(dev->m->bus, &s->ctl[i]);
	}
	pci_func_detach(&s->pci);
}

/* After pause, no completion touches the state: every request is waited for. */
static void piix_ide_pause(struct dm_dev *dev)
{
	struct piix_ide *s = dev->state;

	for (unsigned i = 0; i < 2; i++)
		bm_cancel(&s->bus[i]);
}

static void piix_ide_resume(struct dm_dev *dev)
{
	(void)dev;
}

const struct dev_type piix3_ide_type = {
	.name = "piix3-ide",
	.kind = DEV_KIND_PCI,
	.help = "Intel PIIX3 IDE (00:01.1): two channels, bus-master DMA, -drive if=ide drives",
	.state_size = sizeof(struct piix_ide),
	.state_version = 1,
	.init = piix_ide_init,
	.reset = piix_ide_reset,
	.fini = piix_ide_fini,
	.pause = piix_ide_pause,
	.resume = piix_ide_resume,
};

/* ------------------------------------------------------------ ide-hd, ide-cd */

struct ide_dev {
	struct ide_drive *drive;
};

static int parse_bus(const char *s, unsigned *out)
{
	if (!s || strncmp(s, "ide.", 4) || (s[4] != '0' && s[4] != '1') || s[5])
		return -EINVAL;
	*out = (unsigned)(s[4] - '0');
	return 0;
}

/* The -drive with id=name; 0 with *c filled, or -ENOENT. */
static int find_drive_conf(struct machine *m, const char *name, struct drive_conf *c)
{
	for (size_t i = 0; i < m->opts->drives.n; i++) {
		char err[256];

		if (drive_parse(m->opts->drives.v[i], c, err, sizeof(err)))
			continue;
		if (c->id && !strcmp(c->id, name) && c->iface == BLK_IF_NONE)
			return 0;
		drive_conf_free(c);
	}
	return -ENOENT;
}

/*
 * ide-hd cyls=/heads=/secs=/bios-chs-trans=, checked as QEMU 7.2's
 * blkconf_geometry checks them for IDE (1-65535, 1-16, 1-255); with a
 * geometry and trans=auto the translation is hd_bios_chs_auto_trans's.
 */
static int user_geometry(struct dm_dev *dev, struct ide_drive *d)
{
	static const char *const trans_names[] = { "auto", "none", "lba", "large", "rechs" };
	int64_t c = dev_prop_int(dev, "cyls"), h = dev_prop_int(dev, "heads");
	int64_t s = dev_prop_int(dev, "secs");
	const char *t = dev_prop_str(dev, "bios-chs-trans");
	unsigned trans = 0;

	while (trans < 5 && strcmp(t, trans_names[trans]))
		trans++;
	if (trans == 5) {
		dm_err(dev->name, "bios-chs-trans=%s is not auto, none, lba, large or rechs", t);
		return -EINVAL;
	}
	if (c || h || s) {
		if (c < 1 || c > 65535 || h < 1 || h > 16 || s < 1 || s > 255) {
			dm_err(dev->name,
			       "cyls must be 1-65535, heads 1-16, secs 1-255 (%lld/%lld/%lld)",
			       (long long)c, (long long)h, (long long)s);
			return -EINVAL;
		}
		d->cyls = (uint16_t)c;
		d->heads = (uint16_t)h;
		d->secs = (uint16_t)s;
		if (!trans)
			trans = c <= 1024 && h <= 16 && s <= 63 ? IDE_TRANS_NONE : IDE_TRANS_LBA;
	}
	if (trans)
		d->chs_trans = (uint8_t)trans;
	return 0;
}

static int ide_dev_init(struct dm_dev *dev, bool is_cd)
{
	struct ide_dev *st = dev->state;
	struct piix_ide *s = find_controller(dev->m);
	const char *drive = dev_prop_str(dev, "drive");
	unsigned busno, unit;
	struct drive_conf c;
	int ret;

	if (!s) {
		dm_err(dev->name, "no IDE controller on this machine");
		return -ENODEV;
	}
	if (parse_bus(dev_prop_str(dev, "bus"), &busno)) {
		dm_err(dev->name, "bus=%s is not ide.0 or ide.1", dev_prop_str(dev, "bus"));
		return -EINVAL;
	}
	unit = (unsigned)dev_prop_int(dev, "unit");
	if (!dev_prop_given(dev, "unit"))
		unit = s->bus[busno].drv[0].present ? 1 : 0;
	if (!drive) {
		if (!is_cd) {
			dm_err(dev->name, "ide-hd needs drive=");
			return -EINVAL;
		}
		c = (struct drive_conf){ .readonly = true, .cache = BLK_CACHE_WRITEBACK };
	} else if (find_drive_conf(dev->m, drive, &c)) {
		dm_err(dev->name, "drive=%s: no -drive if=none,id=%s", drive, drive);
		return -ENOENT;
	}
	ret = attach_conf(s, &c, busno, unit, is_cd, drive ? drive : dev->id, dev->name);
	drive_conf_free(&c);
	if (ret)
		return ret;
	st->drive = &s->bus[busno].drv[unit];
	/* -global ide-hd.serial=... reached these through the machine's apply_globals. */
	set_identity(st->drive, dev_prop_str(dev, "serial"), dev_prop_str(dev, "ver"),
		     dev_prop_str(dev, "model"));
	if (is_cd && (dev_prop_given(dev, "cyls") || dev_prop_given(dev, "heads") ||
		      dev_prop_given(dev, "secs") || dev_prop_given(dev, "bios-chs-trans"))) {
		dm_err(dev->name, "ide-cd has no geometry (cyls, heads, secs, bios-chs-trans)");
		return -EINVAL;
	}
	return is_cd ? 0 : user_geometry(dev, st->drive);
}

static int ide_hd_init(struct dm_dev *dev)
{
	return ide_dev_init(dev, false);
}

static int ide_cd_init(struct dm_dev *dev)
{
	return ide_dev_init(dev, true);
}

static void ide_dev_fini(struct dm_dev *dev)
{
	struct ide_dev *st = dev->state;
	struct ide_drive *d = st->drive;

	if (!d)
		return;
	if (d->unplug_registered)
		xen_unplug_unregister(&d->unplug);
	d->unplug_registered = false;
	if (d->present)
		ide_drive_detach(d);
	st->drive = NULL;
}

static const struct prop_desc ide_dev_props[] = {
	{ .name = "drive", .type = PROP_DRIVE, .help = "the -drive if=none,id= it uses" },
	{ .name = "bus", .type = PROP_STR, .def = "ide.0", .help = "ide.0 or ide.1" },
	{ .name = "unit",
	  .type = PROP_INT,
	  .min = 0,
	  .max = 1,
	  .help = "0 master, 1 slave (unset: the first free)" },
	{ .name = "serial", .type = PROP_STR, .help = "IDENTIFY serial number (default QM0000N)" },
	{ .name = "ver", .type = PROP_STR, .help = "IDENTIFY firmware revision (default 2.5+)" },
	{ .name = "model",
	  .type = PROP_STR,
	  .help = "IDENTIFY model (default QEMU HARDDISK / QEMU DVD-ROM)" },
	{ .name = "cyls",
	  .type = PROP_INT,
	  .def = "0",
	  .min = 0,
	  .max = 65535,
	  .help = "ide-hd: CHS cylinders (0: guessed from the image)" },
	{ .name = "heads",
	  .type = PROP_INT,
	  .def = "0",
	  .min = 0,
	  .max = 16,
	  .help = "ide-hd: heads" },
	{ .name = "secs",
	  .type = PROP_INT,
	  .def = "0",
	  .min = 0,
	  .max = 255,
	  .help = "ide-hd: sectors per track" },
	{ .name = "bios-chs-trans",
	  .type = PROP_STR,
	  .def = "auto",
	  .help = "ide-hd: BIOS translation in CMOS 0x39: auto, none, lba, large, rechs" },
	{ .name = NULL },
};

const struct dev_type ide_hd_type = {
	.name = "ide-hd",
	.kind = DEV_KIND_SYS,
	.help = "IDE hard disk (QEMU HARDDISK) on the PIIX3 IDE",
	.props = ide_dev_props,
	.state_size = sizeof(struct ide_dev),
	.state_version = 1,
	.init = ide_hd_init,
	.fini = ide_dev_fini,
};

const struct dev_type ide_cd_type = {
	.name = "ide-cd",
	.kind = DEV_KIND_SYS,
	.help = "IDE CD/DVD-ROM (QEMU DVD-ROM) on the PIIX3 IDE",
	.props = ide_dev_props,
	.state_size = sizeof(struct ide_dev),
	.state_version = 1,
	.init = ide_cd_init,
	.fini = ide_dev_fini,
};

/* ------------------------------------------------------------ QMP */

/* The drive named id: an ide-hd/ide-cd device id, or a drive id. */
static struct ide_drive *lookup(struct machine *m, const char *id)
{
	struct piix_ide *s = find_controller(m);

	for (struct dm_dev *dev = m->devs; dev; dev = dev->next) {
		struct ide_dev *st = dev->state;

		if ((dev->type == &ide_cd_type || dev->type == &ide_hd_type) &&
		    !strcmp(dev->id, id) && st->drive && st->drive->present)
			return st->drive;
	}
	for (unsigned i = 0; s && i < 4; i++) {
		struct ide_drive *d = &s->bus[i / 2].drv[i % 2];

		if (d->present && !strcmp(d->id, id))
			return d;
	}
	return NULL;
}

static const char *qdev_of(struct machine *m, const struct ide_drive *d)
{
	for (struct dm_dev *dev = m->devs; dev; dev = dev->next) {
		if (dev->type == &ide_cd_type || dev->type == &ide_hd_type) {
			struct ide_dev *st = dev->state;

			if (st->drive == d && dev->id[0])
				return dev->id;
		}
	}
	return d->id;
}

int ide_get_geometry(struct machine *m, unsigned bus, unsigned unit, unsigned *cyls,
		     unsigned *heads, unsigned *secs, unsigned *trans)
{
	struct piix_ide *s = find_controller(m);
	const struct ide_drive *d;

	if (!s || bus > 1 || unit > 1)
		return -ENOENT;
	d = &s->bus[bus].drv[unit];
	if (!d->present || d->is_cd || !d->blk)
		return -ENOENT;
	*cyls = d->cyls;
	*heads = d->heads;
	*secs = d->secs;
	*trans = d->chs_trans;
	return 0;
}

void ide_for_each_drive(struct machine *m, void (*fn)(void *opaque, const struct ide_drive_info *),
			void *opaque)
{
	struct piix_ide *s = find_controller(m);

	for (unsigned i = 0; s && i < 4; i++) {
		struct ide_drive *d = &s->bus[i / 2].drv[i % 2];
		struct ide_drive_info info;

		if (!d->present)
			continue;
		info = (struct ide_drive_info){
			.device = d->id,
			.qdev = qdev_of(m, d),
			.removable = d->is_cd,
			.locked = d->tray_locked,
			.tray_open = d->tray_open,
			.inserted = d->blk != NULL,
			.file = d->path,
			.readonly = d->readonly,
			.size = d->blk ? blk_size(d->blk) : 0,
			.cache = d->cache,
		};
		fn(opaque, &info);
	}
}

/* Open the tray as QEMU's do_open_tray: a locked tray only asks the guest. */
static int open_tray(struct ide_drive *d, const char *id, bool force, struct dm_error *e)
{
	if (d->tray_open)
		return 0;
	if (d->tray_locked && !force) {
		d->eject_request = true;
		ide_set_irq(d->bus);
		return dm_fail(e, "GenericError",
			       "Device '%s' is locked and force was not specified, "
			       "wait for tray to open and try again",
			       id);
	}
	if (force)
		d->tray_locked = false;
	atapi_media_changed(d, false);
	return 0;
}

static void remove_medium(struct ide_drive *d)
{
	if (!d->blk)
		return;
	bm_cancel(d->bus);
	blk_close(d->blk);
	ide_drive_set_blk(d, NULL, NULL);
}

static struct ide_drive *removable(struct machine *m, const char *id, struct dm_error *e)
{
	struct ide_drive *d = lookup(m, id);

	if (!d) {
		dm_fail(e, "DeviceNotFound", "Device '%s' not found", id);
		return NULL;
	}
	if (!d->is_cd) {
		dm_fail(e, "GenericError", "Device '%s' is not removable", id);
		return NULL;
	}
	return d;
}

int ide_eject(struct machine *m, const char *id, bool force, struct dm_error *e)
{
	struct ide_drive *d = removable(m, id, e);

	if (!d || open_tray(d, id, force, e))
		return -1;
	remove_medium(d);
	dm_info("ide", "%s: medium ejected", id);
	return 0;
}

int ide_change_medium(struct machine *m, const char *id, struct blk *blk, const char *path,
		      struct dm_error *e)
{
	struct ide_drive *d = removable(m, id, e);

	if (!d || open_tray(d, id, false, e)) {
		blk_close(blk);
		return -1;
	}
	remove_medium(d);
	ide_drive_set_blk(d, blk, path);
	atapi_media_changed(d, true);
	dm_info("ide", "%s: medium %s inserted", id, path ? path : "");
	return 0;
}
