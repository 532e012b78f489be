// SPDX-License-Identifier: GPL-2.0-only
/*
 * ATA task file and command set of one IDE channel (two devices), as the
 * PIIX3 IDE function presents it.
 *
 * Follows ATA/ATAPI-6 (T13/1410D): §7 registers (Status, Error, Device
 * Control with nIEN/SRST/HOB, Device with LBA/DEV), §9 protocols (PIO
 * data-in/out, DMA, non-data, PACKET), §8 commands: IDENTIFY DEVICE,
 * READ/WRITE SECTORS (+EXT), READ/WRITE MULTIPLE (+EXT), SET MULTIPLE MODE,
 * READ/WRITE DMA (+EXT), READ VERIFY SECTORS (+EXT), FLUSH CACHE (+EXT),
 * SET FEATURES (transfer mode, write cache), INITIALIZE DEVICE PARAMETERS,
 * IDLE/STANDBY (+IMMEDIATE)/SLEEP/CHECK POWER MODE, SEEK, RECALIBRATE,
 * EXECUTE DEVICE DIAGNOSTIC, DEVICE RESET, READ NATIVE MAX ADDRESS (+EXT),
 * SMART (enable/disable, status, read data/thresholds/log, offline), DATA SET
 * MANAGEMENT (TRIM: ranges checked, data kept, so reads after TRIM are
 * deterministic as IDENTIFY word 69 says), and for
 * packet devices IDENTIFY PACKET DEVICE and PACKET (atapi.c). CHS, LBA28 and
 * LBA48 addressing with the range checked against the image. Any other
 * opcode is aborted (Status ERR, Error ABRT) as §8 requires.
 *
 * Register-level behaviour (what reads as 0 on an empty channel, when the
 * IRQ line falls, the IDENTIFY words, model "QEMU HARDDISK", serial
 * "QM0000N", firmware "2.5+") matches QEMU 7.2's hw/ide/core.c, which is
 * what qemu-xen guests see; tests/diff/known-differences.txt lists where we
 * differ. Left out: CompactFlash commands, NCQ, freeing trimmed blocks, the error policy
 * stop/ignore (errors are reported), the win2k install hack, HPA (SET MAX).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/block.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "hw/ide/ide.h"
#include "hw/ide/ide_int.h"

#define ATA_VERSION "2.5+"

/* ------------------------------------------------------------ interrupts */

static void bus_irq_line(struct ide_bus *b, bool level)
{
	if (b->irq == level)
		return;
	b->irq = level;
	if (b->irq_hook)
		b->irq_hook(b->irq_opaque, b->isa_irq, level);
	else if (b->m)
		dm_isa_irq(b->m, b->isa_irq, level);
}

/* INTRQ (§5.2.9) asserted unless nIEN; the PIIX latches it in BMISX bit 2 (datasheet §2.7.2). */
void ide_set_irq(struct ide_bus *b)
{
	if (b->ctl & ATA_DC_NIEN)
		return;
	b->bm.status |= BM_ST_INT;
	bus_irq_line(b, true);
}

void ide_lower_irq(struct ide_bus *b)
{
	bus_irq_line(b, false);
}

/* ------------------------------------------------------------ task file helpers */

void ide_abort(struct ide_drive *d)
{
	d->status = ATA_SR_DRDY | ATA_SR_ERR;
	d->error = ATA_ER_ABRT;
}

/* §9.12 signatures: 00/00 for ATA, 14/EB for packet devices, FF/FF for none. */
void ide_set_signature(struct ide_drive *d)
{
	d->select &= ~0x0f;
	d->nsector = 1;
	d->sector = 1;
	if (d->is_cd) {
		d->lcyl = 0x14;
		d->hcyl = 0xeb;
	} else if (d->present) {
		d->lcyl = 0;
		d->hcyl = 0;
	} else {
		d->lcyl = 0xff;
		d->hcyl = 0xff;
	}
}

int64_t ide_get_sector(const struct ide_drive *d)
{
	if (d->select & ATA_DEV_LBA) {
		if (!d->lba48)
			return ((int64_t)(d->select & 0x0f) << 24) | (d->hcyl << 16) |
			       (d->lcyl << 8) | d->sector;
		return ((int64_t)d->hob_hcyl << 40) | ((int64_t)d->hob_lcyl << 32) |
		       ((int64_t)d->hob_sector << 24) | ((int64_t)d->hcyl << 16) |
		       ((int64_t)d->lcyl << 8) | d->sector;
	}
	/* CHS (§6.2.1): sector numbers start at 1; sector 0 gives -1, out of range. */
	return (int64_t)((d->hcyl << 8) | d->lcyl) * d->heads * d->secs +
	       (int64_t)(d->select & 0x0f) * d->secs + ((int64_t)d->sector - 1);
}

void ide_set_sector(struct ide_drive *d, int64_t s)
{
	unsigned hs = (unsigned)d->heads * d->secs, cyl, r;

	if (d->select & ATA_DEV_LBA) {
		if (!d->lba48) {
			d->select = (uint8_t)((d->select & 0xf0) | ((s >> 24) & 0x0f));
		} else {
			d->hob_sector = (uint8_t)(s >> 24);
			d->hob_lcyl = (uint8_t)(s >> 32);
			d->hob_hcyl = (uint8_t)(s >> 40);
		}
		d->hcyl = (uint8_t)(s >> 16);
		d->lcyl = (uint8_t)(s >> 8);
		d->sector = (uint8_t)s;
		return;
	}
	if (!hs || s < 0)
		return;
	cyl = (unsigned)(s / hs);
	r = (unsigned)(s % hs);
	d->hcyl = (uint8_t)(cyl >> 8);
	d->lcyl = (uint8_t)cyl;
	d->select = (uint8_t)((d->select & 0xf0) | ((r / d->secs) & 0x0f));
	d->sector = (uint8_t)(r % d->secs + 1);
}

bool ide_range_ok(const struct ide_drive *d, uint64_t sector, uint64_t n)
{
	return sector <= d->nb_sectors && n <= d->nb_sectors - sector;
}

/* §8: a count of 0 means 256 (LBA28) or 65536 (LBA48). */
static void lba48_transform(struct ide_drive *d, bool lba48)
{
	d->lba48 = lba48;
	if (!lba48) {
		if (!d->nsector)
			d->nsector = 256;
	} else if (!d->nsector && !d->hob_nsector) {
		d->nsector = 65536;
	} else {
		d->nsector = ((uint32_t)d->hob_nsector << 8) | (d->nsector & 0xff);
	}
}

/* ------------------------------------------------------------ PIO data phase */

void ide_transfer_start(struct ide_drive *d, uint32_t off, uint32_t len, enum ide_end end)
{
	d->data_pos = off;
	d->data_end = off + len;
	d->end = end;
	if (!(d->status & ATA_SR_ERR))
		d->status |= ATA_SR_DRQ;
}

static void transfer_halt(struct ide_drive *d)
{
	d->end = END_STOP;
	d->data_pos = d->data_end = 0;
	d->status &= ~ATA_SR_DRQ;
}

void ide_transfer_stop(struct ide_drive *d)
{
	transfer_halt(d);
}

static void sector_read(struct ide_drive *d);
static void sector_write(struct ide_drive *d);

static void end_transfer(struct ide_drive *d)
{
	switch (d->end) {
	case END_READ:
		sector_read(d);
		break;
	case END_WRITE:
		sector_write(d);
		break;
	case END_PACKET:
		atapi_packet(d);
		break;
	case END_ATAPI_REPLY:
		atapi_reply_next(d);
		break;
	case END_STOP:
	case END_NONE:
		transfer_halt(d);
		break;
	}
}

static bool pio_out(const struct ide_drive *d)
{
	return d->end != END_WRITE && d->end != END_PACKET;
}

/* The data register, 16 or 32 bits (§7.6); the hot path of rep insw. */
uint32_t ide_data_read(struct ide_bus *b, unsigned size)
{
	struct ide_drive *d = ide_cur(b);
	uint32_t v = 0;

	if (!(d->status & ATA_SR_DRQ) || !pio_out(d))
		return 0;
	if (d->data_pos + size > d->data_end)
		return 0;
	memcpy(&v, d->buf + d->data_pos, size);
	d->data_pos += size;
	if (d->data_pos >= d->data_end) {
		d->status &= ~ATA_SR_DRQ;
		end_transfer(d);
	}
	return v;
}

void ide_data_write(struct ide_bus *b, uint32_t val, unsigned size)
{
	struct ide_drive *d = ide_cur(b);

	if (!(d->status & ATA_SR_DRQ) || pio_out(d))
		return;
	if (d->data_pos + size > d->data_end)
		return;
	memcpy(d->buf + d->data_pos, &val, size);
	d->data_pos += size;
	if (d->data_pos >= d->data_end) {
		d->status &= ~ATA_SR_DRQ;
		end_transfer(d);
	}
}

/*
 * REP INSW/INSD and OUTSW/OUTSD: as many elements as a run of
 * ide_data_read/ide_data_write calls would move, a DRQ block per memcpy.
 * At the end of each block the same end-of-transfer step runs (next block,
 * write-back, PACKET, status and IRQ), and the copy goes on if it left a
 * new block ready. Stops where a single access would move nothing (no DRQ,
 * the other direction, less than an element left in the block): the caller
 * does the rest one access at a time, which answers exactly as before.
 */
size_t ide_data_read_rep(struct ide_bus *b, unsigned size, uint8_t *buf, size_t count)
{
	size_t done = 0, n;

	while (done < count) {
		struct ide_drive *d = ide_cur(b);

		if (!(d->status & ATA_SR_DRQ) || !pio_out(d) || d->data_pos + size > d->data_end)
			break;
		n = (d->data_end - d->data_pos) / size;
		n = n < count - done ? n : count - done;
		memcpy(buf + done * size, d->buf + d->data_pos, n * size);
		d->data_pos += (uint32_t)(n * size);
		done += n;
		if (d->data_pos >= d->data_end) {
			d->status &= ~ATA_SR_DRQ;
			end_transfer(d);
		}
	}
	return done;
}

size_t ide_data_write_rep(struct ide_bus *b, unsigned size, const uint8_t *buf, size_t count)
{
	size_t done = 0, n;

	while (done < count) {
		struct ide_drive *d = ide_cur(b);

		if (!(d->status & ATA_SR_DRQ) || pio_out(d) || d->data_pos + size > d->data_end)
			break;
		n = (d->data_end - d->data_pos) / size;
		n = n < count - done ? n : count - done;
		memcpy(d->buf + d->data_pos, buf + done * size, n * size);
		d->data_pos += (uint32_t)(n * size);
		done += n;
		if (d->data_pos >= d->data_end) {
			d->status &= ~ATA_SR_DRQ;
			end_transfer(d);
		}
	}
	return done;
}

/* ------------------------------------------------------------ PIO sector I/O */

static void rw_error(struct ide_drive *d)
{
	ide_abort(d);
	ide_set_irq(d->bus);
}

/*
 * rerror=/werror= decide what a failed backend request does (QEMU 7.2
 * ide_handle_rw_error): ignore completes it as if it succeeded; stop leaves
 * the drive busy, stops the guest in "io-error" (QMP sends STOP) and redoes
 * the request when it runs again (cont); report is the caller's ATA error.
 * enospc stops on ENOSPC only.
 */
enum ide_io_err ide_io_error(struct ide_drive *d, int ret, bool is_read, uint8_t retry)
{
	struct ide_bus *b = d->bus;
	uint8_t action = is_read ? d->rerror : d->werror;

	if (action == BLK_ERR_ENOSPC)
		action = ret == -ENOSPC ? BLK_ERR_STOP : BLK_ERR_REPORT;
	if (action == BLK_ERR_IGNORE)
		return IDE_IOERR_IGNORE;
	if (action != BLK_ERR_STOP || !b->m)
		return IDE_IOERR_REPORT;
	dm_warn(b->name, "%s error on %s: %s; the guest stops until cont",
		is_read ? "read" : "write", d->id, strerror(-ret));
	d->status |= ATA_SR_BSY;
	b->retry = retry;
	b->retry_unit = d->unit;
	runstate_set(&b->m->rs, RUN_IO_ERROR);
	return IDE_IOERR_STOPPED;
}

/* Hand the guest the next DRQ block from the read-ahead buffer. */
static void serve_block(struct ide_drive *d)
{
	uint32_t n = d->nsector < d->req_nb_sectors ? d->nsector : d->req_nb_sectors;

	ide_set_sector(d, ide_get_sector(d) + n);
	d->nsector -= n;
	ide_transfer_start(d, d->ra_pos, n * IDE_SECTOR, END_READ);
	d->ra_pos += n * IDE_SECTOR;
	d->ra_sectors -= n;
	ide_set_irq(d->bus);
}

static void sector_read_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;

	d->busy_io = false;
	d->status &= ~ATA_SR_BSY;
	if (ret) {
		dm_dbg(LOG_IDE, d->bus->name, "read failed: %s", strerror(-ret));
		switch (ide_io_error(d, ret, true, IDE_RETRY_PIO_READ)) {
		case IDE_IOERR_IGNORE:
			break;
		case IDE_IOERR_STOPPED:
			d->ra_sectors = 0;
			return;
		case IDE_IOERR_REPORT:
			d->ra_sectors = 0;
			rw_error(d);
			return;
		}
	}
	serve_block(d);
}

/*
 * READ SECTORS/MULTIPLE: the sectors of the command are read ahead in one
 * backend request of up to IDE_BUF_SIZE, then handed out a DRQ block at a
 * time (QEMU reads each block separately; the guest sees the same blocks
 * and interrupts, without a disk round trip per block).
 */
static void sector_read(struct ide_drive *d)
{
	int64_t sector;
	uint32_t n, chunk;
	int ret;

	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->error = 0;
	sector = ide_get_sector(d);
	n = d->nsector;
	if (!n) {
		d->ra_sectors = 0;
		ide_transfer_stop(d);
		return;
	}
	if (n > d->req_nb_sectors)
		n = d->req_nb_sectors;
	if (d->ra_sectors >= n) {
		serve_block(d);
		return;
	}
	d->status |= ATA_SR_BSY;
	chunk = d->nsector < IDE_BUF_SIZE / IDE_SECTOR ? d->nsector : IDE_BUF_SIZE / IDE_SECTOR;
	if (!d->blk || !ide_range_ok(d, (uint64_t)sector, n)) {
		d->ra_sectors = 0;
		rw_error(d);
		return;
	}
	/* Past the end of the image only the blocks before it are read ahead (the range error comes
	 * at its block). */
	if (!ide_range_ok(d, (uint64_t)sector, chunk))
		chunk = (uint32_t)(d->nb_sectors - (uint64_t)sector);
	d->ra_sectors = chunk;
	d->ra_pos = 0;
	d->iov = (struct iovec){ d->buf, chunk * IDE_SECTOR };
	d->busy_io = true;
	ret = blk_read(d->blk, (uint64_t)sector * IDE_SECTOR, &d->iov, 1, sector_read_cb, d);
	if (ret) {
		d->busy_io = false;
		d->status &= ~ATA_SR_BSY;
		d->ra_sectors = 0;
		rw_error(d);
	}
}

static void sector_write_done(struct ide_drive *d)
{
	uint32_t n = d->nsector < d->req_nb_sectors ? d->nsector : d->req_nb_sectors;

	d->nsector -= n;
	ide_set_sector(d, ide_get_sector(d) + n);
	if (!d->nsector) {
		ide_transfer_stop(d);
	} else {
		uint32_t n1 = d->nsector < d->req_nb_sectors ? d->nsector : d->req_nb_sectors;

		ide_transfer_start(d, 0, n1 * IDE_SECTOR, END_WRITE);
	}
	ide_set_irq(d->bus);
}

static void sector_write_flush_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;

	d->busy_io = false;
	d->status &= ~ATA_SR_BSY;
	if (ret) {
		enum ide_io_err e = ide_io_error(d, ret, false, IDE_RETRY_PIO_WRITE);

		if (e == IDE_IOERR_REPORT)
			rw_error(d);
		if (e != IDE_IOERR_IGNORE)
			return;
	}
	sector_write_done(d);
}

static void sector_write_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;

	d->busy_io = false;
	if (!ret && !d->write_cache) {
		/* Write cache off (SET FEATURES 82h): the data is on the medium before completion.
		 */
		d->busy_io = true;
		ret = blk_flush(d->blk, sector_write_flush_cb, d);
		if (!ret)
			return;
		d->busy_io = false;
	}
	sector_write_flush_cb(d, ret);
}

static void sector_write(struct ide_drive *d)
{
	int64_t sector = ide_get_sector(d);
	uint32_t n = d->nsector < d->req_nb_sectors ? d->nsector : d->req_nb_sectors;
	int ret;

	d->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_BSY;
	if (!d->blk || !ide_range_ok(d, (uint64_t)sector, n)) {
		rw_error(d);
		return;
	}
	d->iov = (struct iovec){ d->buf, n * IDE_SECTOR };
	d->busy_io = true;
	ret = blk_write(d->blk, (uint64_t)sector * IDE_SECTOR, &d->iov, 1, sector_write_cb, d);
	if (ret) {
		d->busy_io = false;
		d->status &= ~ATA_SR_BSY;
		rw_error(d);
	}
}

/* ------------------------------------------------------------ DMA (ATA) */

static void start_dma(struct ide_drive *d, enum ide_dma_cmd cmd)
{
	d->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
	d->dma_cmd = cmd;
	d->dma_pending = true;
	bm_kick(d->bus);
}

static void dma_error(struct ide_drive *d)
{
	ide_abort(d);
	d->dma_cmd = DMA_NONE;
	bm_set_inactive(d->bus, false);
	ide_set_irq(d->bus);
}

void ide_dma_done(struct ide_drive *d, int ret, uint32_t bytes)
{
	struct ide_bus *b = d->bus;
	uint32_t n = bytes / IDE_SECTOR;

	if (ret) {
		dm_dbg(LOG_IDE, b->name, "DMA %s failed: %s",
		       d->dma_cmd == DMA_READ ? "read" : "write", strerror(-ret));
		dma_error(d);
		return;
	}
	ide_set_sector(d, ide_get_sector(d) + n);
	d->nsector -= n;
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->dma_cmd = DMA_NONE;
	ide_set_irq(b);
	bm_set_inactive(b, b->bm.prd_bytes > bytes);
}

/* ------------------------------------------------------------ flush */

static void flush_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;

	d->busy_io = false;
	if (ret) {
		enum ide_io_err e = ide_io_error(d, ret, false, IDE_RETRY_FLUSH);

		if (e == IDE_IOERR_REPORT)
			rw_error(d);
		if (e != IDE_IOERR_IGNORE)
			return;
	}
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	ide_set_irq(d->bus);
}

static void flush_cache(struct ide_drive *d)
{
	int ret;

	if (!d->blk) {
		flush_cb(d, 0);
		return;
	}
	d->status |= ATA_SR_BSY;
	d->busy_io = true;
	ret = blk_flush(d->blk, flush_cb, d);
	if (ret) {
		d->busy_io = false;
		d->status &= ~ATA_SR_BSY;
		rw_error(d);
	}
}

/* The request rerror/werror=stop left, redone once the guest runs (QEMU ide_restart_bh). */
static void restart_io(void *opaque)
{
	struct ide_bus *b = opaque;
	struct ide_drive *d = &b->drv[b->retry_unit];
	uint8_t retry = b->retry;

	b->retry = IDE_RETRY_NONE;
	switch (retry) {
	case IDE_RETRY_PIO_READ:
		sector_read(d);
		break;
	case IDE_RETRY_PIO_WRITE:
		sector_write(d);
		break;
	case IDE_RETRY_FLUSH:
		flush_cache(d);
		break;
	case IDE_RETRY_DMA:
		d->dma_pending = true;
		bm_restart(b);
		break;
	}
}

/* Not from inside the run-state change: the redo may stop the guest again. */
static void io_runstate_changed(void *opaque, enum run_state from, enum run_state to)
{
	struct ide_bus *b = opaque;

	(void)from;
	if (to == RUN_RUNNING && b->retry)
		loop_defer(b->m->loop, &b->restart);
}

/* ------------------------------------------------------------ IDENTIFY */

/* ATA strings: two characters a word, first in the high byte (§8.15.8), space padded. */
static void ata_string(uint16_t *w, const char *s, unsigned len)
{
	uint8_t *p = (uint8_t *)w;

	for (unsigned i = 0; i < len; i++) {
		char c = *s ? *s++ : ' ';

		p[i ^ 1] = (uint8_t)c;
	}
}

static void identify_size(struct ide_drive *d)
{
	uint64_t lba28 = d->nb_sectors >= (1u << 28) ? (1u << 28) - 1 : d->nb_sectors;
	uint16_t *p = d->identify;

	p[60] = (uint16_t)lba28;
	p[61] = (uint16_t)(lba28 >> 16);
	p[100] = (uint16_t)d->nb_sectors;
	p[101] = (uint16_t)(d->nb_sectors >> 16);
	p[102] = (uint16_t)(d->nb_sectors >> 32);
	p[103] = (uint16_t)(d->nb_sectors >> 48);
}

/* IDENTIFY DEVICE data, ATA/ATAPI-6 §8.15 table 27, with QEMU 7.2's values. */
void ide_identify_build(struct ide_drive *d)
{
	uint16_t *p = d->identify;
	uint32_t old;

	if (d->identify_set)
		return;
	memset(p, 0, sizeof(d->identify));
	p[0] = 0x0040;
	p[1] = d->cyls;
	p[3] = d->heads;
	p[4] = (uint16_t)(512 * d->secs);
	p[5] = 512;
	p[6] = d->secs;
	ata_string(p + 10, d->serial, 20);
	p[20] = 3;
	p[21] = 512;
	p[22] = 4;
	ata_string(p + 23, d->version, 8);
	ata_string(p + 27, d->model, 40);
	p[47] = 0x8000 | IDE_MAX_MULT;
	p[48] = 1;
	p[49] = (1 << 11) | (1 << 9) | (1 << 8); /* IORDY, LBA, DMA */
	p[51] = 0x200;
	p[52] = 0x200;
	p[53] = 1 | (1 << 1) | (1 << 2); /* words 54-58, 64-70, 88 valid */
	p[54] = d->cyls;
	p[55] = d->heads;
	p[56] = d->secs;
	old = (uint32_t)d->cyls * d->heads * d->secs;
	p[57] = (uint16_t)old;
	p[58] = (uint16_t)(old >> 16);
	if (d->mult_sectors)
		p[59] = (uint16_t)(0x100 | d->mult_sectors);
	p[62] = 0x07;
	p[63] = 0x07;
	p[64] = 0x03;
	p[65] = p[66] = p[67] = p[68] = 120;
	p[69] = 1 << 14; /* deterministic read after TRIM */
	p[80] = 0xf0;
	p[81] = 0x16;
	p[82] = (1 << 14) | (1 << 5) | 1;
	p[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);
	p[84] = 1 << 14;
	p[85] = d->write_cache ? (1 << 14) | (1 << 5) | 1 : (1 << 14) | 1;
	p[86] = (1 << 13) | (1 << 12) | (1 << 10);
	p[87] = 1 << 14;
	p[88] = 0x3f | (1 << 13);
	p[93] = 1 | (1 << 14) | 0x2000;
	p[106] = 0x6000; /* one logical sector per physical sector */
	p[169] = 1;	 /* DATA SET MANAGEMENT: TRIM */
	identify_size(d);
	d->identify_set = true;
}

/* ------------------------------------------------------------ commands */

typedef bool (*ata_cmd_fn)(struct ide_drive *d, uint8_t cmd);

static bool cmd_nop(struct ide_drive *d, uint8_t cmd)
{
	(void)d;
	(void)cmd;
	return true;
}

static bool cmd_device_reset(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	bm_cancel(d->bus);
	ide_drive_reset(d);
	d->status = 0; /* ATA/ATAPI-6 §8.10: packet device signature, status 00h */
	return false;
}

static bool cmd_identify(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	if (d->present && !d->is_cd) {
		ide_identify_build(d);
		memcpy(d->buf, d->identify, 512);
		d->status = ATA_SR_DRDY | ATA_SR_DSC;
		ide_transfer_start(d, 0, 512, END_STOP);
		ide_set_irq(d->bus);
		return false;
	}
	if (d->is_cd)
		ide_set_signature(
		    d); /* ATA/ATAPI-6 §8.15.5: a packet device aborts, with its signature */
	ide_abort(d);
	return true;
}

static bool cmd_identify_packet(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	atapi_identify_build(d);
	memcpy(d->buf, d->identify, 512);
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	ide_transfer_start(d, 0, 512, END_STOP);
	ide_set_irq(d->bus);
	return false;
}

static bool cmd_verify(struct ide_drive *d, uint8_t cmd)
{
	lba48_transform(d, cmd == 0x42);
	return true;
}

static bool cmd_set_multiple(struct ide_drive *d, uint8_t cmd)
{
	uint32_t n = d->nsector & 0xff;

	(void)cmd;
	if (n && (n > IDE_MAX_MULT || (n & (n - 1))))
		ide_abort(d);
	else
		d->mult_sectors = n;
	return true;
}

/*
 * The start every sector read/write shares: a command an absent drive (or one
 * not set up for it: usable false) cannot take aborts, with the count left as
 * the guest wrote it; otherwise the count is decoded for LBA28 or LBA48.
 * False when the command has already completed (aborted).
 */
static bool sector_cmd_begin(struct ide_drive *d, bool usable, bool lba48)
{
	if (!d->present || !usable) {
		ide_abort(d);
		return false;
	}
	lba48_transform(d, lba48);
	return true;
}

static bool cmd_read_multiple(struct ide_drive *d, uint8_t cmd)
{
	if (!sector_cmd_begin(d, d->mult_sectors, cmd == 0x29))
		return true;
	d->req_nb_sectors = d->mult_sectors;
	d->ra_sectors = 0;
	sector_read(d);
	return false;
}

static bool cmd_write_multiple(struct ide_drive *d, uint8_t cmd)
{
	uint32_t n;

	if (!sector_cmd_begin(d, d->mult_sectors, cmd == 0x39))
		return true;
	d->req_nb_sectors = d->mult_sectors;
	n = d->nsector < d->req_nb_sectors ? d->nsector : d->req_nb_sectors;
	d->status = ATA_SR_DSC | ATA_SR_DRDY;
	ide_transfer_start(d, 0, n * IDE_SECTOR, END_WRITE);
	return false;
}

static bool cmd_read_pio(struct ide_drive *d, uint8_t cmd)
{
	if (d->is_cd) {
		ide_set_signature(d);
		ide_abort(d);
		return true;
	}
	if (!sector_cmd_begin(d, true, cmd == 0x24))
		return true;
	d->req_nb_sectors = 1;
	d->ra_sectors = 0;
	sector_read(d);
	return false;
}

static bool cmd_write_pio(struct ide_drive *d, uint8_t cmd)
{
	if (!sector_cmd_begin(d, true, cmd == 0x34))
		return true;
	d->req_nb_sectors = 1;
	d->status = ATA_SR_DSC | ATA_SR_DRDY;
	ide_transfer_start(d, 0, IDE_SECTOR, END_WRITE);
	return false;
}

static bool cmd_read_dma(struct ide_drive *d, uint8_t cmd)
{
	if (!sector_cmd_begin(d, true, cmd == 0x25))
		return true;
	start_dma(d, DMA_READ);
	return false;
}

static bool cmd_write_dma(struct ide_drive *d, uint8_t cmd)
{
	if (!sector_cmd_begin(d, true, cmd == 0x35))
		return true;
	start_dma(d, DMA_WRITE);
	return false;
}

static bool cmd_dsm(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	if (d->feature == 0x01 && d->blk) { /* TRIM (ACS-2 §7.10) */
		/* The block count is the low byte only, as QEMU reads it: no LBA48 transform,
		 * so a HOB byte left over (the reset signature's 01h) is not a count. */
		d->nsector &= 0xff;
		start_dma(d, DMA_TRIM);
		return false;
	}
	ide_abort(d);
	return true;
}

static bool cmd_flush(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	flush_cache(d);
	return false;
}

static bool cmd_read_native_max(struct ide_drive *d, uint8_t cmd)
{
	if (!d->nb_sectors) {
		ide_abort(d);
		return true;
	}
	lba48_transform(d, cmd == 0x27);
	ide_set_sector(d, (int64_t)d->nb_sectors - 1);
	return true;
}

static bool cmd_check_power(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	d->nsector = 0xff; /* §8.6: FFh = active or idle */
	return true;
}

static bool cmd_security_freeze(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	d->nsector = 0; /* as QEMU answers F5h (CFA WEAR LEVEL / SECURITY FREEZE LOCK) */
	return true;
}

/* SET FEATURES 03h: the mode is recorded in IDENTIFY words 62, 63, 88 (§8.37.10). */
static bool set_transfer_mode(struct ide_drive *d)
{
	unsigned v = d->nsector & 7;
	uint16_t *p = d->identify;

	switch ((d->nsector & 0xff) >> 3) {
	case 0x00:
	case 0x01:
		p[62] = 0x07;
		p[63] = 0x07;
		p[88] = 0x3f;
		return true;
	case 0x02:
		p[62] = (uint16_t)(0x07 | (1 << (v + 8)));
		p[63] = 0x07;
		p[88] = 0x3f;
		return true;
	case 0x04:
		p[62] = 0x07;
		p[63] = (uint16_t)(0x07 | (1 << (v + 8)));
		p[88] = 0x3f;
		return true;
	case 0x08:
		p[62] = 0x07;
		p[63] = 0x07;
		p[88] = (uint16_t)(0x3f | (1 << (v + 8)));
		return true;
	}
	return false;
}

/* SET FEATURES subcommands, in the Features register (ATA/ATAPI-6, "SET FEATURES"). */
enum {
	SETF_WCACHE_ON = 0x02,
	SETF_XFER_MODE = 0x03,
	SETF_APM_ON = 0x05,
	SETF_AAM_ON = 0x42,
	SETF_READ_AHEAD_OFF = 0x55,
	SETF_REVERT_OFF = 0x66, /* keep the current settings across a software reset */
	SETF_NOP_67 = 0x67,	/* 0x67, 0x69, 0x96, 0x9a: accepted without effect, as QEMU */
	SETF_NOP_69 = 0x69,
	SETF_WCACHE_OFF = 0x82,
	SETF_APM_OFF = 0x85,
	SETF_NOP_96 = 0x96,
	SETF_NOP_9A = 0x9a,
	SETF_READ_AHEAD_ON = 0xaa,
	SETF_AAM_OFF = 0xc2,
	SETF_REVERT_ON = 0xcc,
};

/* IDENTIFY word 85, command sets enabled (ATA/ATAPI-6, IDENTIFY DEVICE). */
#define ID85_SMART  (1u << 0)
#define ID85_WCACHE (1u << 5)
#define ID85_NOP    (1u << 14)

static bool cmd_set_features(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	if (!d->present) {
		ide_abort(d);
		return true;
	}
	switch (d->feature) {
	case SETF_WCACHE_ON:
		d->write_cache = true;
		d->identify[85] = ID85_NOP | ID85_WCACHE | ID85_SMART;
		return true;
	case SETF_WCACHE_OFF: /* flush what it holds */
		d->write_cache = false;
		d->identify[85] = ID85_NOP | ID85_SMART;
		flush_cache(d);
		return false;
	case SETF_REVERT_ON:
	case SETF_REVERT_OFF:
	case SETF_READ_AHEAD_ON:
	case SETF_READ_AHEAD_OFF:
	case SETF_APM_ON:
	case SETF_APM_OFF:
	case SETF_NOP_69:
	case SETF_NOP_67:
	case SETF_NOP_96:
	case SETF_NOP_9A:
	case SETF_AAM_ON:
	case SETF_AAM_OFF:
		return true;
	case SETF_XFER_MODE:
		if (set_transfer_mode(d))
			return true;
		break;
	}
	ide_abort(d);
	return true;
}

static bool cmd_diagnose(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	/* §8.11: DEV and LBA cleared too (QEMU 7.2 cmd_exec_dev_diagnostic), not only the head */
	d->select = ATA_DEV_ALWAYS_ON;
	ide_set_signature(d);
	d->error = 0x01; /* §8.11 table 26: device 0 passed, device 1 passed or absent */
	if (d->is_cd) {
		d->status = 0; /* §9.10: packet devices clear DRDY */
	} else {
		d->status = ATA_SR_DRDY | ATA_SR_DSC;
		ide_set_irq(d->bus);
	}
	return false;
}

static bool cmd_packet(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	if (d->feature & 0x02) { /* OVL: overlapped commands are not supported */
		ide_abort(d);
		return true;
	}
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->atapi_dma = d->feature & 1;
	if (d->atapi_dma)
		d->dma_cmd = DMA_ATAPI;
	d->nsector = 1; /* interrupt reason: C/D = 1, I/O = 0 */
	ide_transfer_start(d, 0, 12, END_PACKET);
	return false;
}

/* SMART (ATA/ATAPI-6 §8.41), with QEMU's attribute table. */
static const uint8_t smart_attr[][12] = {
	{ 0x01, 0x03, 0x00, 0x64, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06 },
	{ 0x03, 0x03, 0x00, 0x64, 0x64, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x04, 0x02, 0x00, 0x64, 0x64, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14 },
	{ 0x05, 0x03, 0x00, 0x64, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24 },
	{ 0x09, 0x03, 0x00, 0x64, 0x64, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0c, 0x03, 0x00, 0x64, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 190, 0x03, 0x00, 0x45, 0x45, 0x1f, 0x00, 0x1f, 0x1f, 0x00, 0x00, 0x32 },
};
#define N_SMART_ATTR (sizeof(smart_attr) / sizeof(smart_attr[0]))

static void smart_checksum_and_send(struct ide_drive *d)
{
	uint8_t sum = 0;

	for (unsigned i = 0; i < 511; i++)
		sum = (uint8_t)(sum + d->buf[i]);
	d->buf[511] = (uint8_t)(0x100 - sum);
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	ide_transfer_start(d, 0, 512, END_STOP);
	ide_set_irq(d->bus);
}

static void smart_read_data(struct ide_drive *d, bool thresholds)
{
	memset(d->buf, 0, 512);
	d->buf[0] = 0x01;
	for (unsigned n = 0; n < N_SMART_ATTR; n++) {
		if (thresholds) {
			d->buf[2 + n * 12] = smart_attr[n][0];
			d->buf[3 + n * 12] = smart_attr[n][11];
		} else {
			memcpy(d->buf + 2 + n * 12, smart_attr[n], 11);
		}
	}
	if (!thresholds) {
		d->buf[362] = (uint8_t)(0x02 | (d->smart_autosave ? 0x80 : 0));
		d->buf[363] = 0;
		d->buf[364] = 0x20;
		d->buf[365] = 0x01;
		d->buf[367] = (1 << 4) | (1 << 3) | 1;
		d->buf[368] = 0x03;
		d->buf[370] = 0x01;
		d->buf[372] = 0x02;
		d->buf[373] = 0x36;
		d->buf[374] = 0x01;
	}
	smart_checksum_and_send(d);
}

static bool smart_read_log(struct ide_drive *d)
{
	memset(d->buf, 0, 512);
	d->buf[0] = 0x01;
	switch (d->sector) {
	case 0x01: /* summary error log: no entries */
		break;
	case 0x06: /* self-test log: every slot ever written, as QEMU keeps them */
		d->buf[508] = (uint8_t)d->smart_selftest_count;
		for (unsigned i = 0; d->smart_selftest_count && i < 21; i++) {
			uint8_t *e = d->buf + 2 + i * 24;

			if (!d->smart_selftest_used[i])
				continue;
			e[0] = d->smart_selftest_type[i];
			e[1] = 0x00; /* completed without error */
			e[2] = 0x34; /* life-time hours */
			e[3] = 0x12;
		}
		break;
	default:
		return false;
	}
	smart_checksum_and_send(d);
	return true;
}

/* SMART subcommands, in the Features register (ATA/ATAPI-6, "SMART" commands). */
enum {
	SMART_READ_DATA = 0xd0,
	SMART_READ_THRESHOLDS = 0xd1,
	SMART_AUTOSAVE = 0xd2,
	SMART_OFFLINE_IMMEDIATE = 0xd4,
	SMART_READ_LOG = 0xd5,
	SMART_ENABLE = 0xd8,
	SMART_DISABLE = 0xd9,
	SMART_RETURN_STATUS = 0xda,
};

/* The key every SMART command carries in LBA Mid/High; RETURN STATUS answers it as "no threshold
 * exceeded" (ATA/ATAPI-6, SMART RETURN STATUS). */
#define SMART_KEY_MID  0x4f
#define SMART_KEY_HIGH 0xc2
/* ATTRIBUTE AUTOSAVE's Sector Count: 0x00 disables, 0xf1 enables. */
#define SMART_AUTOSAVE_OFF 0x00
#define SMART_AUTOSAVE_ON  0xf1
/* EXECUTE OFF-LINE IMMEDIATE's routines we log: 0 off-line, 1 short, 2 extended. */
#define SMART_OFFLINE_MAX 2
#define N_SMART_SELFTEST  (sizeof(((struct ide_drive *)0)->smart_selftest_type))

static bool cmd_smart(struct ide_drive *d, uint8_t cmd)
{
	(void)cmd;
	/* An absent device 0 has no buffer to return SMART data in (fuzz:
	 * regress/ide-smart-absent). */
	if (!d->present || d->hcyl != SMART_KEY_HIGH || d->lcyl != SMART_KEY_MID)
		goto abort;
	if (!d->smart_enabled && d->feature != SMART_ENABLE)
		goto abort;
	switch (d->feature) {
	case SMART_DISABLE:
		d->smart_enabled = false;
		return true;
	case SMART_ENABLE:
		d->smart_enabled = true;
		return true;
	case SMART_AUTOSAVE:
		if (d->sector != SMART_AUTOSAVE_OFF && d->sector != SMART_AUTOSAVE_ON)
			goto abort;
		d->smart_autosave = d->sector == SMART_AUTOSAVE_ON;
		return true;
	case SMART_RETURN_STATUS: /* no threshold exceeded */
		d->hcyl = SMART_KEY_HIGH;
		d->lcyl = SMART_KEY_MID;
		return true;
	case SMART_READ_THRESHOLDS:
		smart_read_data(d, true);
		return false;
	case SMART_READ_DATA:
		smart_read_data(d, false);
		return false;
	case SMART_READ_LOG:
		if (!smart_read_log(d))
			goto abort;
		return false;
	case SMART_OFFLINE_IMMEDIATE:
		if (d->sector > SMART_OFFLINE_MAX)
			goto abort;
		d->smart_selftest_count = d->smart_selftest_count % N_SMART_SELFTEST + 1;
		d->smart_selftest_type[d->smart_selftest_count - 1] = d->sector;
		d->smart_selftest_used[d->smart_selftest_count - 1] = true;
		return true;
	}
abort:
	ide_abort(d);
	return true;
}

#define HD_OK	0x1
#define CD_OK	0x2
#define ALL_OK	(HD_OK | CD_OK)
#define SET_DSC 0x4 /* set DSC on successful completion */

struct ata_cmd {
	ata_cmd_fn fn;
	uint8_t flags;
};

/* ATA/ATAPI-6 Table B.2 opcodes (with QEMU's set of which device takes which). */
static const struct ata_cmd ata_cmds[256] = {
	[0x06] = { cmd_dsm, HD_OK },			   /* DATA SET MANAGEMENT */
	[0x08] = { cmd_device_reset, CD_OK },		   /* DEVICE RESET */
	[0x10] = { cmd_nop, HD_OK | SET_DSC },		   /* RECALIBRATE */
	[0x20] = { cmd_read_pio, ALL_OK },		   /* READ SECTORS */
	[0x21] = { cmd_read_pio, HD_OK },		   /* READ SECTORS without retry */
	[0x24] = { cmd_read_pio, HD_OK },		   /* READ SECTORS EXT */
	[0x25] = { cmd_read_dma, HD_OK },		   /* READ DMA EXT */
	[0x27] = { cmd_read_native_max, HD_OK | SET_DSC }, /* READ NATIVE MAX ADDRESS EXT */
	[0x29] = { cmd_read_multiple, HD_OK },		   /* READ MULTIPLE EXT */
	[0x30] = { cmd_write_pio, HD_OK },		   /* WRITE SECTORS */
	[0x31] = { cmd_write_pio, HD_OK },		   /* WRITE SECTORS without retry */
	[0x34] = { cmd_write_pio, HD_OK },		   /* WRITE SECTORS EXT */
	[0x35] = { cmd_write_dma, HD_OK },		   /* WRITE DMA EXT */
	[0x39] = { cmd_write_multiple, HD_OK },		   /* WRITE MULTIPLE EXT */
	[0x3c] = { cmd_write_pio, HD_OK },		   /* WRITE VERIFY */
	[0x40] = { cmd_verify, HD_OK | SET_DSC },	   /* READ VERIFY SECTORS */
	[0x41] = { cmd_verify, HD_OK | SET_DSC },	   /* READ VERIFY SECTORS without retry */
	[0x42] = { cmd_verify, HD_OK | SET_DSC },	   /* READ VERIFY SECTORS EXT */
	[0x70] = { cmd_nop, HD_OK | SET_DSC },		   /* SEEK */
	[0x90] = { cmd_diagnose, ALL_OK },		   /* EXECUTE DEVICE DIAGNOSTIC */
	[0x91] = { cmd_nop, HD_OK | SET_DSC },		   /* INITIALIZE DEVICE PARAMETERS */
	[0x94] = { cmd_nop, HD_OK },			   /* STANDBY IMMEDIATE (old) */
	[0x95] = { cmd_nop, HD_OK },			   /* IDLE IMMEDIATE (old) */
	[0x96] = { cmd_nop, HD_OK },			   /* STANDBY (old) */
	[0x97] = { cmd_nop, HD_OK },			   /* IDLE (old) */
	[0x98] = { cmd_check_power, HD_OK | SET_DSC },	   /* CHECK POWER MODE (old) */
	[0x99] = { cmd_nop, HD_OK },			   /* SLEEP (old) */
	[0xa0] = { cmd_packet, CD_OK },			   /* PACKET */
	[0xa1] = { cmd_identify_packet, CD_OK },	   /* IDENTIFY PACKET DEVICE */
	[0xb0] = { cmd_smart, HD_OK | SET_DSC },	   /* SMART */
	[0xc4] = { cmd_read_multiple, HD_OK },		   /* READ MULTIPLE */
	[0xc5] = { cmd_write_multiple, HD_OK },		   /* WRITE MULTIPLE */
	[0xc6] = { cmd_set_multiple, HD_OK | SET_DSC },	   /* SET MULTIPLE MODE */
	[0xc8] = { cmd_read_dma, HD_OK },		   /* READ DMA */
	[0xc9] = { cmd_read_dma, HD_OK },		   /* READ DMA without retry */
	[0xca] = { cmd_write_dma, HD_OK },		   /* WRITE DMA */
	[0xcb] = { cmd_write_dma, HD_OK },		   /* WRITE DMA without retry */
	[0xe0] = { cmd_nop, HD_OK },			   /* STANDBY IMMEDIATE */
	[0xe1] = { cmd_nop, HD_OK },			   /* IDLE IMMEDIATE */
	[0xe2] = { cmd_nop, HD_OK },			   /* STANDBY */
	[0xe3] = { cmd_nop, HD_OK },			   /* IDLE */
	[0xe5] = { cmd_check_power, HD_OK | SET_DSC },	   /* CHECK POWER MODE */
	[0xe6] = { cmd_nop, HD_OK },			   /* SLEEP */
	[0xe7] = { cmd_flush, ALL_OK },			   /* FLUSH CACHE */
	[0xea] = { cmd_flush, HD_OK },			   /* FLUSH CACHE EXT */
	[0xec] = { cmd_identify, ALL_OK },		   /* IDENTIFY DEVICE */
	[0xef] = { cmd_set_features, ALL_OK | SET_DSC },   /* SET FEATURES */
	[0xf5] = { cmd_security_freeze, HD_OK | SET_DSC }, /* SECURITY FREEZE LOCK */
	[0xf8] = { cmd_read_native_max, HD_OK | SET_DSC }, /* READ NATIVE MAX ADDRESS */
};

static void exec_cmd(struct ide_bus *b, uint8_t val)
{
	struct ide_drive *d = ide_cur(b);
	const struct ata_cmd *c = &ata_cmds[val];
	bool complete;

	dm_dbg(LOG_IDE, b->name, "unit %u command %02x", b->unit, val);
	/* A command to an absent device 1 is ignored (§9.2: device 0 answers for it). */
	if (b->unit && !d->present)
		return;
	/* Only DEVICE RESET is taken while BSY or DRQ, and only by a packet device (§8.10). */
	if ((d->status & (ATA_SR_BSY | ATA_SR_DRQ)) && (val != 0x08 || !d->is_cd))
		return;
	if (!c->fn || !(c->flags & (d->is_cd ? CD_OK : HD_OK))) {
		ide_abort(d);
		ide_set_irq(b);
		return;
	}
	d->status = ATA_SR_DRDY | ATA_SR_BSY;
	d->error = 0;
	complete = c->fn(d, val);
	if (complete) {
		d->status &= ~ATA_SR_BSY;
		if ((c->flags & SET_DSC) && !d->error)
			d->status |= ATA_SR_DSC;
		ide_set_irq(b);
	}
}

/* ------------------------------------------------------------ registers */

static bool bus_empty(const struct ide_bus *b)
{
	return !b->drv[0].present && !b->drv[1].present;
}

/* Command block registers 1-7 (§7.1 table 13). */
uint32_t ide_ioport_read(struct ide_bus *b, unsigned reg)
{
	struct ide_drive *d = ide_cur(b);
	bool hob = b->ctl & ATA_DC_HOB;
	bool none = bus_empty(b);

	switch (reg & 7) {
	case 0:
		return 0xff; /* byte access to the data register */
	case 1:
		if (none || (b->unit && !d->present))
			return 0;
		return hob ? d->hob_feature : d->error;
	case 2:
		return none ? 0 : hob ? d->hob_nsector : d->nsector & 0xff;
	case 3:
		return none ? 0 : hob ? d->hob_sector : d->sector;
	case 4:
		return none ? 0 : hob ? d->hob_lcyl : d->lcyl;
	case 5:
		return none ? 0 : hob ? d->hob_hcyl : d->hcyl;
	case 6:
		return none ? 0 : d->select;
	default:
		/* Status: reading it clears a pending interrupt (§7.15). */
		ide_lower_irq(b);
		if (none || (b->unit && !d->present))
			return 0;
		return d->status;
	}
}

uint32_t ide_altstatus_read(struct ide_bus *b)
{
	struct ide_drive *d = ide_cur(b);

	if (bus_empty(b) || (b->unit && !d->present))
		return 0;
	return d->status;
}

/* A register written goes to both devices; the previous value moves to the HOB copy (§6.20). */
#define BOTH(b, field, v)                                             \
	do {                                                          \
		(b)->drv[0].hob_##field = (uint8_t)(b)->drv[0].field; \
		(b)->drv[1].hob_##field = (uint8_t)(b)->drv[1].field; \
		(b)->drv[0].field = (v);                              \
		(b)->drv[1].field = (v);                              \
	} while (0)

void ide_ioport_write(struct ide_bus *b, unsigned reg, uint32_t val)
{
	struct ide_drive *d = ide_cur(b);
	uint8_t v = (uint8_t)val;

	reg &= 7;
	/* Writes to the command block while BSY or DRQ are ignored (§7.1). */
	if (reg != 7 && (d->status & (ATA_SR_BSY | ATA_SR_DRQ)))
		return;
	if (reg)
		b->ctl &= ~ATA_DC_HOB;
	switch (reg) {
	case 0:
		break;
	case 1:
		BOTH(b, feature, v);
		break;
	case 2:
		BOTH(b, nsector, v);
		break;
	case 3:
		BOTH(b, sector, v);
		break;
	case 4:
		BOTH(b, lcyl, v);
		break;
	case 5:
		BOTH(b, hcyl, v);
		break;
	case 6:
		b->drv[0].select = v | ATA_DEV_ALWAYS_ON;
		b->drv[1].select = v | ATA_DEV_ALWAYS_ON;
		b->unit = (v & ATA_DEV_DEV) ? 1 : 0;
		break;
	default:
		ide_lower_irq(b);
		exec_cmd(b, v);
		break;
	}
}

/* Software reset (SRST, §9.2): both devices reset and run their diagnostics. */
static void bus_srst(struct ide_bus *b)
{
	bm_cancel(b);
	for (unsigned i = 0; i < 2; i++) {
		struct ide_drive *d = &b->drv[i];

		ide_drive_reset(d);
		cmd_diagnose(d, 0x90);
	}
}

void ide_ctl_write(struct ide_bus *b, uint32_t val)
{
	/*
	 * QEMU runs the reset from a bottom half, so a guest polling BSY sees it
	 * done; we run it at the rising edge of SRST with the same end state.
	 */
	if (!(b->ctl & ATA_DC_SRST) && (val & ATA_DC_SRST)) {
		b->ctl = (uint8_t)val;
		bus_srst(b);
	}
	b->ctl = (uint8_t)val;
}

/* ------------------------------------------------------------ reset, attach */

void ide_drive_reset(struct ide_drive *d)
{
	if (d->busy_io && d->blk)
		blk_drain(d->blk);
	d->busy_io = false;
	d->mult_sectors = IDE_MAX_MULT;
	d->feature = d->error = 0;
	d->nsector = 0;
	d->sector = d->lcyl = d->hcyl = 0;
	d->hob_feature = d->hob_sector = d->hob_nsector = d->hob_lcyl = d->hob_hcyl = 0;
	d->select = ATA_DEV_ALWAYS_ON;
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->lba48 = false;
	d->sense_key = d->asc = 0;
	d->cdrom_changed = 0;
	d->packet_left = 0;
	d->carry = d->carry_off = d->elem_size = 0;
	d->cd_sector_size = 0;
	d->atapi_dma = false;
	d->tray_locked = false;
	d->tray_open = false;
	d->req_nb_sectors = 0;
	d->dma_cmd = DMA_NONE;
	d->dma_pending = false;
	d->io_gen++;
	d->ra_sectors = d->ra_pos = 0;
	ide_set_signature(d);
	d->end = END_NONE;
	d->data_pos = d->data_end = 0;
}

void ide_bus_reset(struct ide_bus *b)
{
	b->retry = IDE_RETRY_NONE; /* a reset drops the stopped request, as QEMU's error_status */
	bm_cancel(b);
	b->unit = 0;
	b->ctl = 0;
	ide_drive_reset(&b->drv[0]);
	ide_drive_reset(&b->drv[1]);
	bm_reset(&b->bm);
	ide_lower_irq(b);
}

void ide_bus_init(struct ide_bus *b, unsigned index, struct machine *m, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->index = index;
	b->isa_irq = index ? 15 : 14;
	b->m = m;
	b->name = name;
	for (unsigned i = 0; i < 2; i++) {
		b->drv[i].bus = b;
		b->drv[i].unit = i;
	}
	deferred_init(&b->restart, restart_io, b);
	if (m && m->loop) {
		b->rs_hook = (struct runstate_hook){ .changed = io_runstate_changed, .opaque = b };
		runstate_add_hook(&m->rs, &b->rs_hook);
	}
}

/* QEMU's hd_geometry_guess: an MBR partition's end head/sector, else 16 heads, 63 sectors. */
static void mbr_geometry_cb(void *opaque, int ret)
{
	*(int *)opaque = ret ? ret : 1;
}

static bool guess_lchs(struct ide_drive *d, unsigned *c, unsigned *h, unsigned *s)
{
	struct iovec iov = { d->buf, 512 };
	const uint8_t *mbr = d->buf;
	int done = 0;

	if (d->nb_sectors < 1 || blk_read(d->blk, 0, &iov, 1, mbr_geometry_cb, &done))
		return false;
	blk_drain(d->blk);
	if (done != 1 || mbr[510] != 0x55 || mbr[511] != 0xaa)
		return false;
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *p = mbr + 0x1be + i * 16;
		uint32_t nr = (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 |
			      (uint32_t)p[15] << 24;
		unsigned end_head = p[5], end_sec = p[6] & 63;
		uint64_t cyl;

		if (!nr || !end_head || !end_sec)
			continue;
		cyl = d->nb_sectors / ((end_head + 1) * end_sec);
		if (cyl < 1 || cyl > 16383)
			continue;
		*h = end_head + 1;
		*s = end_sec;
		*c = (unsigned)cyl;
		return true;
	}
	return false;
}

static void guess_geometry(struct ide_drive *d)
{
	unsigned c, h, s;
	uint64_t cyl;

	bool lchs = guess_lchs(d, &c, &h, &s);

	if (lchs && h <= 16) { /* the partition table's geometry, untranslated */
		d->cyls = (uint16_t)c;
		d->heads = (uint16_t)h;
		d->secs = (uint16_t)s;
		d->chs_trans = IDE_TRANS_NONE;
		return;
	}
	cyl = d->nb_sectors / (16 * 63);
	d->cyls = (uint16_t)(cyl > 16383 ? 16383 : cyl < 2 ? 2 : cyl);
	d->heads = 16;
	d->secs = 63;
	/* QEMU hd_geometry_guess: more than 16 heads in the MBR meant a BIOS translation */
	if (lchs)
		d->chs_trans =
		    (uint32_t)d->cyls * d->heads <= 131072 ? IDE_TRANS_LARGE : IDE_TRANS_LBA;
	else
		d->chs_trans =
		    d->cyls <= 1024 ? IDE_TRANS_NONE : IDE_TRANS_LBA; /* hd_bios_chs_auto_trans */
}

void ide_drive_set_blk(struct ide_drive *d, struct blk *blk, const char *path)
{
	free(d->path);
	d->path = path ? strdup(path) : NULL;
	d->blk = blk;
	d->nb_sectors = blk ? blk_size(blk) / IDE_SECTOR : 0;
	if (blk && blk_size(blk) % IDE_SECTOR)
		dm_warn(d->bus->name,
			"drive %s: image size %llu is not a multiple of 512; "
			"the last %llu bytes are not visible",
			d->id, (unsigned long long)blk_size(blk),
			(unsigned long long)(blk_size(blk) % IDE_SECTOR));
}

int ide_drive_attach(struct ide_bus *b, unsigned unit, bool is_cd, struct blk *blk,
		     const char *path, const char *id, bool readonly, int cache)
{
	struct ide_drive *d = &b->drv[unit & 1];

	if (d->present)
		return -EEXIST;
	if (!d->buf && posix_memalign((void **)&d->buf, 4096, IDE_BUF_SIZE))
		return -ENOMEM;
	memset(d->buf, 0, IDE_BUF_SIZE);
	d->present = true;
	d->is_cd = is_cd;
	d->readonly = readonly;
	d->cache = cache;
	snprintf(d->id, sizeof(d->id), "%s", id ? id : "");
	ide_drive_set_blk(d, blk, path);
	snprintf(d->serial, sizeof(d->serial), "QM%05u", b->index * 2 + (unit & 1) + 1);
	snprintf(d->model, sizeof(d->model), "%s", is_cd ? "QEMU DVD-ROM" : "QEMU HARDDISK");
	snprintf(d->version, sizeof(d->version), "%s", ATA_VERSION);
	/* QEMU's default: the guest-visible write cache is on unless cache=writethrough/directsync.
	 */
	d->write_cache = cache != BLK_CACHE_WRITETHROUGH && cache != BLK_CACHE_DIRECTSYNC;
	d->identify_set = false;
	if (!is_cd && blk)
		guess_geometry(d);
	ide_drive_reset(d);
	return 0;
}

void ide_drive_detach(struct ide_drive *d)
{
	if (d->blk) {
		blk_drain(d->blk);
		blk_close(d->blk);
	}
	d->blk = NULL;
	free(d->path);
	d->path = NULL;
	d->present = false;
	d->is_cd = false;
	d->nb_sectors = 0;
	d->identify_set = false;
	ide_drive_reset(d);
}

void ide_bus_fini(struct ide_bus *b)
{
	if (b->rs_hook.changed) {
		runstate_del_hook(&b->m->rs, &b->rs_hook);
		loop_cancel_deferred(b->m->loop, &b->restart);
		b->rs_hook.changed = NULL;
	}
	bm_cancel(b);
	for (unsigned i = 0; i < 2; i++) {
		ide_drive_detach(&b->drv[i]);
		free(b->drv[i].buf);
		b->drv[i].buf = NULL;
	}
	bm_reset(&b->bm);
}

void ide_dma_short(struct ide_drive *d)
{
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->dma_cmd = DMA_NONE;
	bm_set_inactive(d->bus, false);
}
