// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 bus-master IDE DMA, one engine per channel: Intel 82371SB
 * (PIIX3) datasheet §2.7 (BMICx command, BMISx status, BMIDTPx PRD table
 * pointer) and §3.4 "Bus master function" (the Physical Region Descriptor
 * table: dword-aligned entries of a 32-bit base and a 16-bit byte count, a
 * count of 0 meaning 64 KiB, bit 31 of the second dword marking the last).
 *
 * Every walk of a guest PRD table is bounded: at most one page of entries
 * (512) from the table base, as QEMU bounds it; an entry is copied out of
 * guest memory before use. A table that ends before the transfer does ends
 * it without an interrupt and clears Active (QEMU); a table that describes
 * more than the transfer leaves Active set with the interrupt (datasheet
 * §3.4.3). Data moves straight between the image and mapped guest memory
 * (one iovec per PRD), or through a bounce buffer when a region cannot be
 * mapped (MMIO, not contiguous).
 *
 * Left out: the PCI master abort / target abort error paths (no such
 * errors in emulation; BMISx bit 1 is only ever cleared by the guest).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/block.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/memory.h"
#include "hw/ide/ide_int.h"

struct guest_mem *ide_gm(struct ide_bus *b)
{
	return b->m ? &b->m->mem : NULL;
}

void bm_reset(struct bmdma *bm)
{
	free(bm->bounce);
	memset(bm, 0, sizeof(*bm));
	bm->released = true;
}

/* The next PRD, read from guest memory; false at the end of the table. */
static bool next_prd(struct ide_bus *b)
{
	struct bmdma *bm = &b->bm;
	struct guest_mem *gm = ide_gm(b);
	uint32_t prd[2];

	if (bm->cur_prd_last || (uint32_t)(bm->cur_addr - bm->addr) >= BM_PRD_TABLE_MAX)
		return false;
	if (!gm || gm_read(gm, bm->cur_addr, prd, sizeof(prd))) {
		guest_err(b->name, "PRD at 0x%x is outside guest memory", bm->cur_addr);
		bm->cur_prd_last = true;
		return false;
	}
	bm->cur_addr += 8;
	bm->cur_prd_addr = prd[0];
	bm->cur_prd_len = prd[1] & 0xfffe;
	if (!bm->cur_prd_len)
		bm->cur_prd_len = 0x10000;
	bm->cur_prd_last = prd[1] & 0x80000000u;
	return true;
}

uint32_t bm_rw_buf(struct ide_bus *b, uint8_t *buf, uint32_t len, bool to_guest)
{
	struct bmdma *bm = &b->bm;
	struct guest_mem *gm = ide_gm(b);
	uint32_t done = 0;

	while (done < len) {
		uint32_t l;
		int rc;

		if (!bm->cur_prd_len && !next_prd(b))
			break;
		l = len - done < bm->cur_prd_len ? len - done : bm->cur_prd_len;
		rc = to_guest ? gm_write(gm, bm->cur_prd_addr, buf + done, l)
			      : gm_read(gm, bm->cur_prd_addr, buf + done, l);
		if (rc)
			guest_err(b->name, "DMA to 0x%x+%u: not guest memory", bm->cur_prd_addr, l);
		bm->cur_prd_addr += l;
		bm->cur_prd_len -= l;
		done += l;
	}
	return done;
}

/* Undo the mappings of the first n segments. */
static void unmap_n(struct ide_bus *b, int n, bool written)
{
	struct bmdma *bm = &b->bm;

	for (int i = 0; i < n; i++)
		gm_unmap(ide_gm(b), bm->iov[i].iov_base, bm->gpa[i], bm->seglen[i], written);
}

/* Copy the bounce buffer to or from the segments. */
static void bounce_copy(struct ide_bus *b, bool to_guest)
{
	struct bmdma *bm = &b->bm;
	struct guest_mem *gm = ide_gm(b);
	uint32_t off = 0;

	for (int i = 0; i < bm->nseg; i++) {
		uint32_t l = bm->seglen[i];
		int rc = to_guest ? gm_write(gm, bm->gpa[i], bm->bounce + off, l)
				  : gm_read(gm, bm->gpa[i], bm->bounce + off, l);

		if (rc) {
			guest_err(b->name, "DMA to 0x%llx+%u: not guest memory",
				  (unsigned long long)bm->gpa[i], l);
			if (!to_guest)
				memset(bm->bounce + off, 0, l);
		}
		off += l;
	}
}

static int use_bounce(struct ide_bus *b, uint32_t len, bool to_guest)
{
	struct bmdma *bm = &b->bm;

	if (posix_memalign((void **)&bm->bounce, 4096, len ? len : 512))
		return -ENOMEM;
	bm->bounce_len = len;
	if (!to_guest)
		bounce_copy(b, false);
	bm->iov[0] = (struct iovec){ bm->bounce, len };
	bm->iovcnt = 1;
	/* bm_release must free it (fuzz: tests/traces/regress/ide-bounce-unreleased.trace). */
	bm->released = false;
	return 0;
}

int bm_prepare(struct ide_bus *b, uint32_t len, bool to_guest)
{
	struct bmdma *bm = &b->bm;
	struct guest_mem *gm = ide_gm(b);
	uint32_t got = 0;

	bm->nseg = 0;
	bm->iovcnt = 0;
	bm->prd_bytes = 0;
	bm->to_guest = to_guest;
	/* The whole table is walked (bounded), as QEMU's prepare_buf: Active stays set for more. */
	while (bm->cur_prd_len || next_prd(b)) {
		if (got < len && bm->nseg < (int)BM_PRD_MAX) {
			uint32_t l = len - got < bm->cur_prd_len ? len - got : bm->cur_prd_len;

			bm->gpa[bm->nseg] = bm->cur_prd_addr;
			bm->seglen[bm->nseg++] = l;
			got += l;
		}
		bm->prd_bytes += bm->cur_prd_len;
		bm->cur_prd_addr += bm->cur_prd_len;
		bm->cur_prd_len = 0;
	}
	if (got < len)
		return -ENOSPC;
	if (!gm)
		return -EFAULT;
	for (int i = 0; i < bm->nseg; i++) {
		bm->iov[i] = (struct iovec){ gm_map(gm, bm->gpa[i], bm->seglen[i], to_guest),
					     bm->seglen[i] };
		if (!bm->iov[i].iov_base) {
			unmap_n(b, i, false);
			return use_bounce(b, len, to_guest);
		}
	}
	bm->iovcnt = bm->nseg;
	bm->released = false;
	return 0;
}

void bm_release(struct ide_bus *b, bool ok)
{
	struct bmdma *bm = &b->bm;

	if (bm->released)
		return;
	bm->released = true;
	if (bm->bounce) {
		if (bm->to_guest && ok)
			bounce_copy(b, true);
		free(bm->bounce);
		bm->bounce = NULL;
	} else {
		unmap_n(b, bm->nseg, bm->to_guest && ok);
	}
	bm->iovcnt = 0;
	bm->nseg = 0;
}

void bm_set_inactive(struct ide_bus *b, bool more)
{
	if (!more)
		b->bm.status &= ~BM_ST_ACTIVE;
	b->drv[0].dma_pending = b->drv[1].dma_pending = false;
}

void bm_cancel(struct ide_bus *b)
{
	for (unsigned i = 0; i < 2; i++)
		if (b->drv[i].busy_io && b->drv[i].blk)
			blk_drain(b->drv[i].blk);
}

/* ------------------------------------------------------------ ATA DMA */

static void ata_dma_cb(void *opaque, int ret);

static void ata_dma_finish(struct ide_drive *d, int ret)
{
	d->busy_io = false;
	if (ret) {
		enum ide_io_err e = ide_io_error(d, ret, d->dma_cmd == DMA_READ, IDE_RETRY_DMA);

		if (e == IDE_IOERR_STOPPED)
			return;
		if (e == IDE_IOERR_IGNORE)
			ret = 0;
	}
	ide_dma_done(d, ret, d->elem_size);
}

static void ata_dma_flush_cb(void *opaque, int ret)
{
	ata_dma_finish(opaque, ret);
}

static void ata_dma_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;

	bm_release(d->bus, ret == 0);
	if (!ret && d->dma_cmd == DMA_WRITE && !d->write_cache) {
		ret = blk_flush(d->blk, ata_dma_flush_cb, d);
		if (!ret)
			return;
	}
	ata_dma_finish(d, ret);
}

/* DSM TRIM: every range entry (48-bit LBA, 16-bit count) must lie on the disk. */
static int trim_check(struct ide_drive *d)
{
	struct bmdma *bm = &d->bus->bm;
	uint8_t e[8];
	unsigned have = 0;

	for (int i = 0; i < bm->iovcnt; i++) {
		const uint8_t *p = bm->iov[i].iov_base;

		for (size_t j = 0; j < bm->iov[i].iov_len; j++) {
			uint64_t v = 0;

			e[have++] = p[j];
			if (have < 8)
				continue;
			have = 0;
			for (int k = 7; k >= 0; k--)
				v = v << 8 | e[k];
			if ((v >> 48) && !ide_range_ok(d, v & 0xffffffffffffull, v >> 48))
				return -EINVAL;
		}
	}
	return 0;
}

/* READ/WRITE DMA (+EXT) with the engine started: one backend request for the whole count. */
static void ata_dma_run(struct ide_drive *d)
{
	struct ide_bus *b = d->bus;
	bool rd = d->dma_cmd == DMA_READ, trim = d->dma_cmd == DMA_TRIM;
	uint32_t bytes = d->nsector * IDE_SECTOR;
	int64_t sector = ide_get_sector(d);
	int ret;

	if (trim && !d->nsector) { /* QEMU ide_dma_cb: the end, before any PRD is walked */
		b->bm.prd_bytes = 0;
		ide_dma_done(d, 0, 0);
		return;
	}
	ret = bm_prepare(b, bytes, rd);
	if (ret == -ENOSPC) {
		guest_err(b->name, "PRD table describes %u bytes, the command needs %u",
			  b->bm.prd_bytes, bytes);
		ide_dma_short(d);
		return;
	}
	if (ret) {
		ide_dma_done(d, ret, 0);
		return;
	}
	if (trim) {
		ret = trim_check(d);
		bm_release(b, false);
		ide_dma_done(d, ret, bytes);
		return;
	}
	if (!d->blk || !ide_range_ok(d, (uint64_t)sector, d->nsector)) {
		bm_release(b, false);
		ide_dma_done(d, -EINVAL, 0);
		return;
	}
	d->elem_size = bytes;
	d->busy_io = true;
	ret = rd ? blk_read(d->blk, (uint64_t)sector * IDE_SECTOR, b->bm.iov, b->bm.iovcnt,
			    ata_dma_cb, d)
		 : blk_write(d->blk, (uint64_t)sector * IDE_SECTOR, b->bm.iov, b->bm.iovcnt,
			     ata_dma_cb, d);
	if (ret) {
		d->busy_io = false;
		bm_release(b, false);
		ide_dma_done(d, ret, 0);
	}
}

static struct ide_drive *pending_drive(struct ide_bus *b)
{
	for (unsigned i = 0; i < 2; i++)
		if (b->drv[i].dma_pending)
			return &b->drv[i];
	return NULL;
}

static void bm_run(struct ide_bus *b)
{
	struct ide_drive *d = pending_drive(b);

	if (!d || !(b->bm.status & BM_ST_ACTIVE))
		return;
	d->dma_pending = false;
	if (d->dma_cmd == DMA_ATAPI)
		atapi_dma_start(d);
	else
		ata_dma_run(d);
}

void bm_restart(struct ide_bus *b)
{
	b->bm.cur_addr = b->bm.addr;
	bm_kick(b);
}

/* A DMA command was issued (QEMU bmdma_start_dma): fresh PRD cursor, run if started. */
void bm_kick(struct ide_bus *b)
{
	b->bm.cur_prd_last = false;
	b->bm.cur_prd_addr = 0;
	b->bm.cur_prd_len = 0;
	bm_run(b);
}

/* ------------------------------------------------------------ registers (BAR4) */

/* BMICx (§2.7.1): bit 0 start/stop, bit 3 direction; the rest reserved, read 0. */
static void cmd_write(struct ide_bus *b, uint8_t val)
{
	struct bmdma *bm = &b->bm;

	if ((val ^ bm->cmd) & BM_CMD_START) {
		if (!(val & BM_CMD_START)) {
			/* Stopping mid-transfer: the request in flight completes first (QEMU). */
			bm_cancel(b);
			bm->status &= ~BM_ST_ACTIVE;
		} else {
			bm->cur_addr = bm->addr;
			if (!(bm->status & BM_ST_ACTIVE)) {
				bm->status |= BM_ST_ACTIVE;
				bm->cmd = val & (BM_CMD_START | BM_CMD_READ);
				bm_run(b);
				return;
			}
		}
	}
	bm->cmd = val & (BM_CMD_START | BM_CMD_READ);
}

/* BMISx (§2.7.2): bits 1, 2 write-1-to-clear, bits 5, 6 read/write, bit 0 read-only. */
static void status_write(struct ide_bus *b, uint8_t val)
{
	struct bmdma *bm = &b->bm;

	bm->status = (uint8_t)((val & (BM_ST_DMA0 | BM_ST_DMA1)) | (bm->status & BM_ST_ACTIVE) |
			       (bm->status & ~val & (BM_ST_ERROR | BM_ST_INT)));
}

/* off within the channel's 8 bytes; size 1, 2 or 4, not crossing offset 4. */
uint32_t bm_read(struct ide_bus *b, unsigned off, unsigned size)
{
	uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	if (off >= 4)
		return (uint32_t)((uint64_t)b->bm.addr >> ((off - 4) * 8)) & mask;
	if (size != 1)
		return mask; /* QEMU: the command/status bytes take byte accesses only */
	switch (off) {
	case 0:
		return b->bm.cmd;
	case 2:
		return b->bm.status;
	}
	return 0xff;
}

void bm_write(struct ide_bus *b, unsigned off, uint32_t val, unsigned size)
{
	if (off >= 4) {
		unsigned shift = (off - 4) * 8;
		uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

		b->bm.addr &= ~(uint32_t)((uint64_t)mask << shift);
		b->bm.addr |= (uint32_t)(((uint64_t)(val & mask) << shift) & ~3u);
		return;
	}
	if (size != 1)
		return;
	if (off == 0)
		cmd_write(b, (uint8_t)val);
	else if (off == 2)
		status_write(b, (uint8_t)val);
}
