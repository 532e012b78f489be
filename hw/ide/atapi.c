// SPDX-License-Identifier: GPL-2.0-only
/*
 * ATAPI CD-ROM: the PACKET command protocol (ATA/ATAPI-6 §9.8-9.9) and the
 * SCSI/MMC commands guests, SeaBIOS and Linux's sr driver send.
 *
 * Follows SFF-8020i and MMC-3 for the commands: TEST UNIT READY, REQUEST
 * SENSE, INQUIRY (EVPD pages 00h, 83h), START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, READ
 * CAPACITY, READ(10), READ(12), SEEK(10), READ TOC/PMA/ATIP (formats 0, 1,
 * 2), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION (polled, media
 * class), READ DISC INFORMATION, MODE SENSE(10) (pages 01h, 0Eh, 2Ah),
 * READ DVD STRUCTURE, SET CD SPEED, MECHANISM STATUS, READ CD. Transfers
 * honour the byte count limit in the Cylinder registers (§9.9: odd limits
 * rounded down when the transfer is split; FFFFh means FFFEh), by PIO or by
 * bus-master DMA (Features bit 0). Sense data and the unit-attention
 * sequence after a media change (MMC-5 §4.1.6.1: first "not ready", then
 * "medium may have changed") are QEMU 7.2's, as are the answer bytes.
 *
 * Left out: audio play, CD-R/RW writing, multi-session, DVD/BD structures
 * beyond DVD-ROM formats 0, 1, 4 and FFh.
 */
#include <errno.h>
#include <string.h>

#include "dm/block.h"
#include "dm/log.h"
#include "hw/ide/ide_int.h"

#define CD_MAX_SECTORS	  (80ull * 60 * 75 * 4) /* 512-byte sectors of an 80-minute CD */
#define DMA_CHUNK_SECTORS 64u			/* CD sectors per DMA read (128 KiB) */

#define ALLOW_UA    0x01 /* runs under a unit attention condition */
#define CHECK_READY 0x02 /* needs a medium */
#define NONDATA	    0x04 /* moves no data: a byte count limit of 0 is fine */
#define CONDDATA    0x08 /* may move data (READ CD): the handler checks */

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void pad(uint8_t *dst, const char *src, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		dst[i] = (uint8_t)(*src ? *src++ : ' ');
}

static bool media_present(const struct ide_drive *d)
{
	return !d->tray_open && d->blk && d->nb_sectors > 0;
}

static uint64_t cd_sectors(const struct ide_drive *d)
{
	return d->nb_sectors >> 2;
}

/* ------------------------------------------------------------ completion */

static void cmd_ok(struct ide_drive *d)
{
	d->error = 0;
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->nsector = (d->nsector & ~7u) | ATAPI_IR_IO | ATAPI_IR_CD;
	ide_set_irq(d->bus);
}

/* CHECK CONDITION: the sense key goes to the Error register's high nibble (§9.8). */
static void cmd_error(struct ide_drive *d, uint8_t key, uint8_t asc)
{
	d->error = (uint8_t)(key << 4);
	d->status = ATA_SR_DRDY | ATA_SR_ERR;
	d->nsector = (d->nsector & ~7u) | ATAPI_IR_IO | ATAPI_IR_CD;
	d->sense_key = key;
	d->asc = asc;
	ide_set_irq(d->bus);
}

static void io_error(struct ide_drive *d, int ret)
{
	d->end = END_STOP;
	d->data_pos = d->data_end = 0;
	if (ret == -ENOMEDIUM)
		cmd_error(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	else
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
}

static uint32_t byte_count_limit(const struct ide_drive *d)
{
	uint32_t bcl = d->lcyl | (uint32_t)d->hcyl << 8;

	return bcl == 0xffff ? 0xfffe : bcl;
}

/* ------------------------------------------------------------ PIO replies */

/* Raw (2352-byte) sector framing around the 2048 data bytes at p + 16: sync, MSF header. */
static void lba_to_msf(uint8_t *buf, uint64_t lba)
{
	lba += 150;
	buf[0] = (uint8_t)((lba / 75) / 60);
	buf[1] = (uint8_t)((lba / 75) % 60);
	buf[2] = (uint8_t)(lba % 75);
}

static void cd_frame_raw(uint8_t *p, uint64_t lba)
{
	p[0] = 0;
	memset(p + 1, 0xff, 10);
	p[11] = 0;
	lba_to_msf(p + 12, lba);
	p[15] = 0x01; /* mode 1 */
	memset(p + 16 + 2048, 0, 288);
}

/* Read nsec CD sectors at lba into dst, framed to sector size ss. */
static int cd_read(struct ide_drive *d, uint8_t *dst, uint64_t lba, uint32_t nsec, uint32_t ss,
		   blk_cb cb)
{
	struct iovec iov[DMA_CHUNK_SECTORS];

	if (!d->blk)
		return -ENOMEDIUM;
	if (nsec > DMA_CHUNK_SECTORS || (ss != CD_SECTOR && ss != CD_RAW_SECTOR))
		return -EINVAL;
	int cnt = (int)nsec;

	if (ss == CD_SECTOR) {
		iov[0] = (struct iovec){ dst, (size_t)nsec * CD_SECTOR };
		cnt = 1;
	} else {
		for (uint32_t i = 0; i < nsec; i++)
			iov[i] = (struct iovec){ dst + i * ss + 16, CD_SECTOR };
	}
	if (lba > d->nb_sectors / 4 || nsec > d->nb_sectors / 4 - lba)
		return -EINVAL;
	d->status |= ATA_SR_BSY;
	d->busy_io = true;
	return blk_read(d->blk, lba * CD_SECTOR, iov, cnt, cb, d);
}

static void frame_sectors(struct ide_drive *d, uint8_t *dst, uint32_t nsec)
{
	if (d->cd_sector_size != CD_RAW_SECTOR)
		return;
	for (uint32_t i = 0; i < nsec; i++)
		cd_frame_raw(dst + i * CD_RAW_SECTOR, (uint64_t)d->lba + i);
}

/* Start the DRQ block of an elementary transfer whose data is at buf[0, size). */
static void elem_start(struct ide_drive *d, uint32_t off, uint32_t size)
{
	d->packet_left -= size;
	ide_transfer_start(d, off, size, END_ATAPI_REPLY);
	ide_set_irq(d->bus);
}

static void read_elem_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;
	uint32_t have = d->carry, size = d->elem_size, need = size > have ? size - have : 0;
	uint32_t nsec = (need + d->cd_sector_size - 1) / d->cd_sector_size;

	d->busy_io = false;
	d->status &= ~ATA_SR_BSY;
	if (ret) {
		io_error(d, ret);
		return;
	}
	frame_sectors(d, d->buf + have, nsec);
	d->lba += nsec;
	d->carry = have + nsec * d->cd_sector_size - size;
	d->carry_off = size;
	elem_start(d, 0, size);
}

/* The next elementary transfer of a READ: sectors read ahead so one DRQ block holds it all. */
static void read_elem(struct ide_drive *d, uint32_t size)
{
	uint32_t need, nsec;
	int ret;

	memmove(d->buf, d->buf + d->carry_off, d->carry);
	d->carry_off = 0;
	d->elem_size = size;
	need = size > d->carry ? size - d->carry : 0;
	nsec = (need + d->cd_sector_size - 1) / d->cd_sector_size;
	if (!nsec) {
		read_elem_cb(d, 0);
		return;
	}
	ret =
	    cd_read(d, d->buf + d->carry, (uint64_t)d->lba, nsec, d->cd_sector_size, read_elem_cb);
	if (ret) {
		d->busy_io = false;
		d->status &= ~ATA_SR_BSY;
		io_error(d, ret);
	}
}

/* End of a DRQ block of a reply (or its start): the next elementary transfer, or the end. */
void atapi_reply_next(struct ide_drive *d)
{
	uint32_t bcl, size;

	if (d->packet_left <= 0) {
		d->end = END_STOP;
		d->data_pos = d->data_end = 0;
		cmd_ok(d);
		return;
	}
	d->nsector = (d->nsector & ~7u) | ATAPI_IR_IO;
	bcl = byte_count_limit(d);
	size = d->packet_left > 0xffff ? 0xffff : (uint32_t)d->packet_left;
	if (size > bcl) {
		if (bcl & 1)
			bcl--;
		size = bcl;
	}
	d->lcyl = (uint8_t)size;
	d->hcyl = (uint8_t)(size >> 8);
	if (d->lba < 0) {
		uint32_t off = d->carry_off;

		d->carry_off += size;
		elem_start(d, off, size);
		return;
	}
	read_elem(d, size);
}

/* Send size bytes of buf (at most max): by DMA, or PIO elementary transfers. */
static void reply(struct ide_drive *d, uint32_t size, uint32_t max)
{
	if (size > max)
		size = max;
	d->lba = -1;
	d->packet_left = size;
	d->carry_off = 0;
	d->carry = 0;
	if (d->atapi_dma) {
		d->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
		d->dma_pending = true;
		bm_kick(d->bus);
		return;
	}
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	atapi_reply_next(d);
}

static void start_read(struct ide_drive *d, uint64_t lba, uint32_t n, uint32_t ss)
{
	d->lba = (int64_t)lba;
	d->packet_left = (int64_t)n * ss;
	d->cd_sector_size = ss;
	d->carry = d->carry_off = 0;
	if (d->atapi_dma) {
		d->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ | ATA_SR_BSY;
		d->dma_pending = true;
		bm_kick(d->bus);
		return;
	}
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	atapi_reply_next(d);
}

/* ------------------------------------------------------------ DMA */

static void dma_eot(struct ide_drive *d, bool irq)
{
	if (irq) {
		d->status = ATA_SR_DRDY | ATA_SR_DSC;
		d->nsector = (d->nsector & ~7u) | ATAPI_IR_IO | ATAPI_IR_CD;
		ide_set_irq(d->bus);
	}
	d->dma_cmd = DMA_NONE;
	bm_set_inactive(d->bus, false);
}

static void dma_chunk(struct ide_drive *d);

static void dma_chunk_cb(void *opaque, int ret)
{
	struct ide_drive *d = opaque;
	uint32_t len;

	d->busy_io = false;
	if (ret) {
		io_error(d, ret);
		dma_eot(d, false);
		return;
	}
	len = d->elem_size * d->cd_sector_size;
	frame_sectors(d, d->buf, d->elem_size);
	d->lba += d->elem_size;
	d->packet_left -= len;
	if (bm_rw_buf(d->bus, d->buf, len, true) < len) {
		dma_eot(d, false); /* the PRDs ended first: no interrupt (QEMU) */
		return;
	}
	dma_chunk(d);
}

static void dma_chunk_once(struct ide_drive *d)
{
	uint32_t per = d->cd_sector_size == CD_RAW_SECTOR ? 1 : DMA_CHUNK_SECTORS;
	uint64_t left = (uint64_t)d->packet_left / d->cd_sector_size;
	int ret;

	if (d->packet_left <= 0) {
		dma_eot(d, true);
		return;
	}
	d->elem_size = (uint32_t)(left < per ? left : per);
	ret = cd_read(d, d->buf, (uint64_t)d->lba, d->elem_size, d->cd_sector_size, dma_chunk_cb);
	if (ret)
		dma_chunk_cb(d, ret);
}

/*
 * The next chunk of a DMA read. A backend in synchronous mode completes
 * inside cd_read and asks for the next chunk from its callback: that
 * request is turned into another turn of this loop, so the stack does not
 * grow with the length of the transfer.
 */
static void dma_chunk(struct ide_drive *d)
{
	if (d->dma_looping) {
		d->dma_again = true;
		return;
	}
	d->dma_looping = true;
	do {
		d->dma_again = false;
		dma_chunk_once(d);
	} while (d->dma_again);
	d->dma_looping = false;
}

/* The BM engine was started with a PACKET DMA transfer pending. */
void atapi_dma_start(struct ide_drive *d)
{
	uint32_t len;

	if (d->lba >= 0) {
		dma_chunk(d);
		return;
	}
	len = (uint32_t)d->packet_left;
	if (bm_rw_buf(d->bus, d->buf, len, true) < len) {
		dma_eot(d, false);
		return;
	}
	d->packet_left = 0;
	dma_eot(d, true);
}

/* ------------------------------------------------------------ commands */

static void cmd_test_unit_ready(struct ide_drive *d, uint8_t *p)
{
	(void)p;
	cmd_ok(d);
}

static void cmd_request_sense(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = p[4];

	memset(d->buf, 0, 18);
	d->buf[0] = 0x70 | 0x80; /* current errors, VALID */
	d->buf[2] = d->sense_key;
	d->buf[7] = 10;
	d->buf[12] = d->asc;
	if (d->sense_key == SENSE_UNIT_ATTENTION)
		d->sense_key = SENSE_NONE;
	reply(d, 18, max);
}

/*
 * SPC-3 §7.6.3 device identification, as QEMU 7.2 builds it: the serial as a vendor-specific
 * ASCII descriptor, then, only if all of it fits, "ATA" + model + serial as a T10 vendor id
 * (the allocation length drops it rather than cut it). No WWN descriptor: the model has no
 * wwn property (QEMU's default 0 leaves it out too). Returns the page's length, 0 if even
 * the first descriptor does not fit.
 */
static uint32_t vpd_device_id(struct ide_drive *d, uint8_t *b, uint32_t max)
{
	uint32_t n = 4;

	if (n + 4 + 20 > max)
		return 0;
	memcpy(b + n, (const uint8_t[]){ 0x02, 0x00, 0x00, 20 }, 4); /* ASCII, vendor specific */
	pad(b + n + 4, d->serial, 20);
	n += 24;
	if (n + 4 + 68 > max)
		return n;
	memcpy(b + n, (const uint8_t[]){ 0x02, 0x01, 0x00, 68 }, 4); /* ASCII, T10 vendor id */
	pad(b + n + 4, "ATA", 8);
	pad(b + n + 12, d->model, 40);
	pad(b + n + 52, d->serial, 20);
	return n + 72;
}

/* SPC-3 §7.6: the EVPD pages QEMU 7.2 has, 00h (supported pages) and 83h. */
static void inquiry_vpd(struct ide_drive *d, uint8_t page, uint32_t max)
{
	uint8_t *b = d->buf;
	uint32_t n;

	memset(b, 0, 4);
	b[0] = 0x05; /* CD/DVD device */
	b[1] = page;
	switch (page) {
	case 0x00:
		b[4] = 0x00;
		b[5] = 0x83;
		n = 6;
		break;
	case 0x83:
		n = vpd_device_id(d, b, max);
		if (!n) { /* QEMU's answer to an allocation length under 28 */
			cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_DATA_PHASE_ERROR);
			return;
		}
		break;
	default:
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
		return;
	}
	b[3] = (uint8_t)(n - 4);
	reply(d, n, max);
}

/* The allocation length is byte 4 only, as QEMU reads it (SPC-3 has it in bytes 3-4). */
static void cmd_inquiry(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = p[4];
	uint8_t *b = d->buf;

	if (p[1] & 0x01) { /* EVPD */
		inquiry_vpd(d, p[2], max);
		return;
	}
	memset(b, 0, 36);
	b[0] = 0x05; /* CD/DVD device */
	b[1] = 0x80; /* removable */
	b[2] = 0x00;
	b[3] = 0x21;
	b[4] = 31;
	pad(b + 8, "QEMU", 8);
	pad(b + 16, "QEMU DVD-ROM", 16);
	pad(b + 32, d->version, 4);
	reply(d, 36, max);
}

static void cmd_start_stop(struct ide_drive *d, uint8_t *p)
{
	bool start = p[4] & 1, loej = p[4] & 2;

	if (p[4] & 0xf0) { /* a power condition: no eject or load (MMC-3 §6.1.32) */
		cmd_ok(d);
		return;
	}
	if (loej) {
		if (!start && !d->tray_open && d->tray_locked) {
			cmd_error(d, d->blk ? SENSE_NOT_READY : SENSE_ILLEGAL_REQUEST,
				  ASC_MEDIA_REMOVAL_PREVENTED);
			return;
		}
		if (d->tray_open != !start)
			d->tray_open = !start;
	}
	cmd_ok(d);
}

static void cmd_prevent_allow(struct ide_drive *d, uint8_t *p)
{
	d->tray_locked = p[4] & 1;
	cmd_ok(d);
}

static void cmd_read_capacity(struct ide_drive *d, uint8_t *p)
{
	(void)p;
	put_be32(d->buf, (uint32_t)(cd_sectors(d) - 1));
	put_be32(d->buf + 4, CD_SECTOR);
	reply(d, 8, 8);
}

static void cmd_read(struct ide_drive *d, uint8_t *p)
{
	uint32_t n = p[0] == 0x28 ? be16(p + 7) : be32(p + 6);
	uint64_t lba = be32(p + 2), total = cd_sectors(d);

	if (!n) {
		cmd_ok(d);
		return;
	}
	if (lba >= total || lba + n - 1 >= total) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
		return;
	}
	start_read(d, lba, n, CD_SECTOR);
}

static void cmd_read_cd(struct ide_drive *d, uint8_t *p)
{
	uint32_t n = (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
	uint64_t lba = be32(p + 2), total = cd_sectors(d);

	if (!n) {
		cmd_ok(d);
		return;
	}
	switch (p[9] & 0xf8) {
	case 0x00:
		cmd_ok(d);
		return;
	case 0x10:
	case 0xf8:
		if (!d->atapi_dma && !byte_count_limit(d)) {
			ide_abort(d);
			return;
		}
		if (lba >= total || lba + n - 1 >= total) {
			cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
			return;
		}
		start_read(d, lba, n, (p[9] & 0xf8) == 0x10 ? CD_SECTOR : CD_RAW_SECTOR);
		return;
	}
	cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
}

static void cmd_seek(struct ide_drive *d, uint8_t *p)
{
	if (be32(p + 2) >= cd_sectors(d)) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
		return;
	}
	cmd_ok(d);
}

/* READ TOC format 0 (MMC-3 §5.24 table 235): one data track and the lead-out. */
static int toc(uint8_t *buf, uint64_t nb, bool msf, unsigned start)
{
	uint8_t *q = buf + 2;

	if (start > 1 && start != 0xaa)
		return -1;
	*q++ = 1;
	*q++ = 1;
	if (start <= 1) {
		*q++ = 0;
		*q++ = 0x14;
		*q++ = 1;
		*q++ = 0;
		if (msf) {
			*q++ = 0;
			lba_to_msf(q, 0);
			q += 3;
		} else {
			put_be32(q, 0);
			q += 4;
		}
	}
	*q++ = 0;
	*q++ = 0x16;
	*q++ = 0xaa;
	*q++ = 0;
	if (msf) {
		*q++ = 0;
		lba_to_msf(q, nb);
		q += 3;
	} else {
		put_be32(q, (uint32_t)nb);
		q += 4;
	}
	put_be16(buf, (uint32_t)(q - buf - 2));
	return (int)(q - buf);
}

/* Format 2 (raw TOC): points A0h, A1h, A2h and track 1 of session 1. */
static int toc_raw(uint8_t *buf, uint64_t nb, bool msf)
{
	static const uint8_t head[] = { 1, 1, 1, 0x14, 0, 0xa0, 0, 0, 0, 0, 1,
					0, 0, 1, 0x14, 0, 0xa1, 0, 0, 0, 0, 1,
					0, 0, 1, 0x14, 0, 0xa2, 0, 0, 0 };
	uint8_t *q = buf + 2;

	memcpy(q, head, sizeof(head));
	q += sizeof(head);
	if (msf) {
		*q++ = 0;
		lba_to_msf(q, nb);
		q += 3;
	} else {
		put_be32(q, (uint32_t)nb);
		q += 4;
	}
	*q++ = 1;
	*q++ = 0x14;
	*q++ = 0;
	*q++ = 1;
	*q++ = 0;
	*q++ = 0;
	*q++ = 0;
	if (msf) {
		*q++ = 0;
		lba_to_msf(q, 0);
		q += 3;
	} else {
		memset(q, 0, 4);
		q += 4;
	}
	put_be16(buf, (uint32_t)(q - buf - 2));
	return (int)(q - buf);
}

static void cmd_read_toc(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 7);
	bool msf = (p[1] >> 1) & 1;
	unsigned start = p[6];
	int len = -1;

	switch (p[9] >> 6) {
	case 0:
		len = toc(d->buf, cd_sectors(d), msf, start);
		break;
	case 1:
		memset(d->buf, 0, 12);
		d->buf[1] = 0x0a;
		d->buf[2] = 0x01;
		d->buf[3] = 0x01;
		len = 12;
		break;
	case 2:
		len = toc_raw(d->buf, cd_sectors(d), msf);
		break;
	}
	if (len < 0) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
		return;
	}
	reply(d, (uint32_t)len, max);
}

static void set_profile(uint8_t *buf, unsigned *index, uint16_t profile)
{
	uint8_t *bp = buf + 12 + *index * 4;

	put_be16(bp, profile);
	bp[2] = bp[0] == buf[6] && bp[1] == buf[7];
	(*index)++;
	buf[11] += 4;
}

/* GET CONFIGURATION (MMC-3 §5.6): the profile list feature only. */
static void cmd_get_configuration(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 7), len;
	unsigned index = 0;

	if (p[2] || p[3]) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
		return;
	}
	if (max > 512)
		max = 512;
	memset(d->buf, 0, max > 20 ? max : 20);
	if (media_present(d))
		put_be16(d->buf + 6, d->nb_sectors > CD_MAX_SECTORS ? 0x10 : 0x08);
	d->buf[10] = 0x02 | 0x01;
	len = 12;
	set_profile(d->buf, &index, 0x10); /* DVD-ROM */
	len += 4;
	set_profile(d->buf, &index, 0x08); /* CD-ROM */
	len += 4;
	put_be32(d->buf, len - 4);
	reply(d, len, max);
}

/* GET EVENT STATUS NOTIFICATION (MMC-3 §5.7), polled, media class. */
static void cmd_gesn(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 7), used;
	uint8_t *b = d->buf;

	if (!(p[1] & 1)) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
		return;
	}
	if (p[4] & (1 << 4)) {
		uint8_t code = 0, status = 0;

		if (d->tray_open)
			status = 1;
		else if (d->blk)
			status = 2;
		if (status != 1) {
			if (d->new_media) {
				code = 2;
				d->new_media = false;
			} else if (d->eject_request) {
				code = 1;
				d->eject_request = false;
			}
		}
		b[2] = 4;
		b[4] = code;
		b[5] = status;
		b[6] = b[7] = 0;
		used = 8;
	} else {
		b[2] = 0x80;
		used = 4;
	}
	b[3] = 1 << 4;
	put_be16(b, used - 4);
	reply(d, used, max);
}

static void cmd_read_disc_info(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 7);

	if (p[1] & 7) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
		return;
	}
	memset(d->buf, 0, 34);
	d->buf[1] = 32;
	d->buf[2] = 0xe;
	d->buf[3] = 1;
	d->buf[4] = 1;
	d->buf[5] = 1;
	d->buf[6] = 1;
	d->buf[7] = 0x20;
	reply(d, 34, max);
}

static void mode_header(uint8_t *b, uint32_t len, uint8_t page)
{
	memset(b, 0, len);
	put_be16(b, len - 2);
	b[2] = 0x70;
	b[8] = page;
	b[9] = (uint8_t)(len - 10);
}

static void cmd_mode_sense(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 7);
	unsigned action = p[2] >> 6, code = p[2] & 0x3f;
	uint8_t *b = d->buf;

	if (action == 3) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMETERS_NOT_SUPPORTED);
		return;
	}
	if (action != 0)
		goto bad;
	switch (code) {
	case 0x01: /* read/write error recovery */
		mode_header(b, 16, 0x01);
		b[11] = 0x05;
		reply(d, 16, max);
		return;
	case 0x0e: /* CD audio control */
		mode_header(b, 24, 0x0e);
		reply(d, 24, max);
		return;
	case 0x2a: /* capabilities and mechanical status */
		mode_header(b, 30, 0x2a);
		b[10] = 0x3b;
		b[12] = 0x71;
		b[13] = 3 << 5;
		b[14] = (1 << 0) | (1 << 3) | (1 << 5) | (d->tray_locked ? 1 << 1 : 0);
		put_be16(b + 16, 704);
		b[19] = 2;
		put_be16(b + 20, 512);
		put_be16(b + 22, 704);
		reply(d, 30, max);
		return;
	}
bad:
	cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
}

static int dvd_structure(struct ide_drive *d, unsigned format, const uint8_t *p, uint8_t *b)
{
	switch (format) {
	case 0x00: {
		uint64_t total = cd_sectors(d);

		if (p[6])
			return -ASC_INV_FIELD_IN_CMD_PACKET;
		if (!total)
			return -ASC_MEDIUM_NOT_PRESENT;
		b[4] = 1;
		b[5] = 0xf;
		b[6] = 1;
		b[7] = 0;
		put_be32(b + 8, 0);
		put_be32(b + 12, (uint32_t)(total - 1));
		put_be32(b + 16, (uint32_t)(total - 1));
		put_be16(b, 2048 + 2);
		return 2048 + 4;
	}
	case 0x01:
		b[4] = 0;
		b[5] = 0;
		put_be16(b, 4 + 2);
		return 4 + 4;
	case 0x04:
		put_be16(b, 2048 + 2);
		return 2048 + 4;
	case 0xff:
		b[4] = 0x00;
		b[5] = 0x40;
		put_be16(b + 6, 2048 + 4);
		b[8] = 0x01;
		b[9] = 0x40;
		put_be16(b + 10, 4 + 4);
		b[12] = 0x03;
		b[13] = 0x40;
		put_be16(b + 14, 188 + 4);
		b[16] = 0x04;
		b[17] = 0x40;
		put_be16(b + 18, 2048 + 4);
		put_be16(b, 16 + 2);
		return 16 + 4;
	}
	return -ASC_INV_FIELD_IN_CMD_PACKET;
}

static void cmd_read_dvd_structure(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 8);
	unsigned media = p[1], format = p[7];
	uint8_t pkt[12];
	int ret;

	if (format < 0xff) {
		if (media_present(d) && d->nb_sectors <= CD_MAX_SECTORS) {
			cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INCOMPATIBLE_FORMAT);
			return;
		}
		if (!media_present(d)) {
			cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
			return;
		}
	}
	memcpy(pkt, p, sizeof(pkt));
	memset(d->buf, 0, max > 2048 + 4 ? 2048 + 4 : max);
	if (media != 0 || (format > 0x7f && format != 0xff)) {
		cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
		return;
	}
	ret = dvd_structure(d, format, pkt, d->buf);
	if (ret < 0)
		cmd_error(d, SENSE_ILLEGAL_REQUEST, (uint8_t)-ret);
	else
		reply(d, (uint32_t)ret, max);
}

static void cmd_set_speed(struct ide_drive *d, uint8_t *p)
{
	(void)p;
	cmd_ok(d);
}

static void cmd_mechanism_status(struct ide_drive *d, uint8_t *p)
{
	uint32_t max = be16(p + 8);

	memset(d->buf, 0, 8);
	d->buf[5] = 1;
	reply(d, 8, max);
}

struct atapi_cmd {
	void (*fn)(struct ide_drive *d, uint8_t *packet);
	uint8_t flags;
};

static const struct atapi_cmd atapi_cmds[256] = {
	[0x00] = { cmd_test_unit_ready, CHECK_READY | NONDATA },
	[0x03] = { cmd_request_sense, ALLOW_UA },
	[0x12] = { cmd_inquiry, ALLOW_UA },
	[0x1b] = { cmd_start_stop, NONDATA },
	[0x1e] = { cmd_prevent_allow, NONDATA },
	[0x25] = { cmd_read_capacity, CHECK_READY },
	[0x28] = { cmd_read, CHECK_READY },
	[0x2b] = { cmd_seek, CHECK_READY | NONDATA },
	[0x43] = { cmd_read_toc, CHECK_READY },
	[0x46] = { cmd_get_configuration, ALLOW_UA },
	[0x4a] = { cmd_gesn, ALLOW_UA },
	[0x51] = { cmd_read_disc_info, CHECK_READY },
	[0x5a] = { cmd_mode_sense, 0 },
	[0xa8] = { cmd_read, CHECK_READY },
	[0xad] = { cmd_read_dvd_structure, CHECK_READY },
	[0xbb] = { cmd_set_speed, NONDATA },
	[0xbd] = { cmd_mechanism_status, 0 },
	[0xbe] = { cmd_read_cd, CHECK_READY | CONDDATA },
};

/* The 12-byte packet arrived through the data register (§9.8 PACKET, HP2 -> HP3). */
void atapi_packet(struct ide_drive *d)
{
	uint8_t pkt[12];
	const struct atapi_cmd *c;

	memcpy(pkt, d->buf, sizeof(pkt));
	c = &atapi_cmds[pkt[0]];
	dm_dbg(LOG_IDE, d->bus->name, "packet %02x", pkt[0]);
	if (d->sense_key == SENSE_UNIT_ATTENTION && !(c->flags & ALLOW_UA)) {
		d->error = ATA_ER_MC | (SENSE_UNIT_ATTENTION << 4);
		d->status = ATA_SR_ERR;
		d->nsector = 0;
		ide_set_irq(d->bus);
		return;
	}
	/* After a media change: "not ready" once, then "medium may have changed" (MMC-5 §4.1.6.1).
	 */
	if (!(c->flags & ALLOW_UA) && !d->tray_open && d->blk && d->cdrom_changed) {
		if (d->cdrom_changed == 1) {
			cmd_error(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
			d->cdrom_changed = 2;
		} else {
			cmd_error(d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED);
			d->cdrom_changed = 0;
		}
		return;
	}
	if ((c->flags & CHECK_READY) && !media_present(d)) {
		cmd_error(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	/* A PIO data command with a byte count limit of 0 is aborted at the ATA level (ACS-3
	 * §7.17.6.49). */
	if (c->fn && !(c->flags & (NONDATA | CONDDATA)) && !d->atapi_dma && !byte_count_limit(d)) {
		ide_abort(d);
		return;
	}
	if (c->fn) {
		c->fn(d, pkt);
		return;
	}
	cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_ILLEGAL_OPCODE);
}

/* ------------------------------------------------------------ identity, media */

static void ata_string(uint16_t *w, const char *s, unsigned len)
{
	uint8_t *p = (uint8_t *)w;

	for (unsigned i = 0; i < len; i++) {
		char c = *s ? *s++ : ' ';

		p[i ^ 1] = (uint8_t)c;
	}
}

/* IDENTIFY PACKET DEVICE (ATA/ATAPI-6 §8.16 table 30), QEMU 7.2's words. */
void atapi_identify_build(struct ide_drive *d)
{
	uint16_t *p = d->identify;

	if (d->identify_set)
		return;
	memset(p, 0, sizeof(d->identify));
	p[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
	ata_string(p + 10, d->serial, 20);
	p[20] = 3;
	p[21] = 512;
	p[22] = 4;
	ata_string(p + 23, d->version, 8);
	ata_string(p + 27, d->model, 40);
	p[48] = 1;
	p[49] = 1 << 9 | 1 << 8;
	p[53] = 7;
	p[62] = 7;
	p[63] = 7;
	p[64] = 3;
	p[65] = 0xb4;
	p[66] = 0xb4;
	p[67] = 0x12c;
	p[68] = 0xb4;
	p[71] = 30;
	p[72] = 30;
	p[80] = 0x1e;
	p[88] = 0x3f | (1 << 13);
	d->identify_set = true;
}

/* The tray opened (loaded false) or closed on a medium: tell the guest (QEMU ide_cd_change_cb). */
void atapi_media_changed(struct ide_drive *d, bool loaded)
{
	d->tray_open = !loaded;
	d->cdrom_changed = 1;
	d->new_media = true;
	d->eject_request = false;
	ide_set_irq(d->bus);
}
