/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the IDE model: what ata.c (task file, ATA commands), atapi.c
 * (PACKET commands), bmdma.c (bus-master DMA, PRD walks) and piix_ide.c
 * (the PCI function, ports, drives, QMP, unplug) share. Nothing outside
 * hw/ide/ and the IDE unit tests includes this.
 *
 * Register names follow ATA/ATAPI-6 (T13/1410D) §7 and the PIIX3 datasheet
 * (Intel 290550-002) §2.7 "Bus Master IDE I/O registers".
 */
#ifndef HW_IDE_IDE_INT_H
#define HW_IDE_IDE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "dm/loop.h"
#include "dm/runstate.h"
#include "hw/pci/xen_platform.h"

struct blk;
struct machine;
struct ide_bus;

/* ATA/ATAPI-6 §7.15 Status register. */
#define ATA_SR_BSY  0x80
#define ATA_SR_DRDY 0x40
#define ATA_SR_DF   0x20
#define ATA_SR_DSC  0x10
#define ATA_SR_DRQ  0x08
#define ATA_SR_ERR  0x01
/* §7.9 Error register. */
#define ATA_ER_ABRT 0x04
#define ATA_ER_MC   0x20
/* §7.8 Device Control register. */
#define ATA_DC_NIEN 0x02
#define ATA_DC_SRST 0x04
#define ATA_DC_HOB  0x80
/* §7.10 Device register: bit 4 DEV, bit 6 LBA; bits 5 and 7 obsolete, read as one. */
#define ATA_DEV_DEV	  0x10
#define ATA_DEV_LBA	  0x40
#define ATA_DEV_ALWAYS_ON 0xa0

/* ATAPI interrupt reason (Sector Count register), ATA/ATAPI-6 §8.21. */
#define ATAPI_IR_CD 0x01
#define ATAPI_IR_IO 0x02

/* SCSI sense keys and ASCs (SPC-2 / MMC-3). */
#define SENSE_NONE			    0x0
#define SENSE_NOT_READY			    0x2
#define SENSE_ILLEGAL_REQUEST		    0x5
#define SENSE_UNIT_ATTENTION		    0x6
#define ASC_ILLEGAL_OPCODE		    0x20
#define ASC_LOGICAL_BLOCK_OOR		    0x21
#define ASC_INV_FIELD_IN_CMD_PACKET	    0x24
#define ASC_MEDIUM_MAY_HAVE_CHANGED	    0x28
#define ASC_SAVING_PARAMETERS_NOT_SUPPORTED 0x39
#define ASC_MEDIUM_NOT_PRESENT		    0x3a
#define ASC_MEDIA_REMOVAL_PREVENTED	    0x53
#define ASC_DATA_PHASE_ERROR		    0x4b
#define ASC_INCOMPATIBLE_FORMAT		    0x30

#define IDE_SECTOR    512u
#define CD_SECTOR     2048u
#define CD_RAW_SECTOR 2352u
#define IDE_MAX_MULT  16u
/* PIO buffer: a DRQ block of 16 sectors, an ATAPI elementary transfer (< 64 KiB) plus a raw sector.
 */
#define IDE_BUF_SIZE (128u * 1024u)
/* BMDMA: a PRD table is walked at most this many bytes from its base (QEMU: one page). */
#define BM_PRD_TABLE_MAX 4096u
#define BM_PRD_MAX	 (BM_PRD_TABLE_MAX / 8)

/* What the PIO data port does when the current DRQ block has been moved. */
enum ide_end {
	END_NONE,	 /* no transfer (dummy): reads 0 */
	END_STOP,	 /* last block of IDENTIFY/SMART data */
	END_READ,	 /* next block of READ SECTORS/MULTIPLE */
	END_WRITE,	 /* write the block just received */
	END_PACKET,	 /* the 12-byte ATAPI command packet arrived */
	END_ATAPI_REPLY, /* next elementary transfer of a PACKET reply */
};

enum ide_dma_cmd { DMA_NONE, DMA_READ, DMA_WRITE, DMA_TRIM, DMA_ATAPI };

/* One device on a channel. */
struct ide_drive {
	struct ide_bus *bus;
	unsigned unit;
	bool present; /* a device is attached (a CD-ROM drive is, even empty) */
	bool is_cd;
	struct blk *blk; /* the image, or NULL (empty CD-ROM, absent) */
	char *path;	 /* image path, for query-block */
	char id[48];	 /* drive id: "ide-5632", "ide0-hd0" */
	bool readonly;
	int cache;		/* enum blk_cache of the drive, for query-block and re-open */
	uint8_t rerror, werror; /* enum blk_err_action of -drive rerror=/werror= */
	uint64_t nb_sectors;	/* 512-byte sectors of the image */
	char serial[21];
	char model[41];
	char version[9];
	uint16_t cyls, heads, secs; /* CHS geometry (QEMU hd_geometry_guess) */
	uint8_t chs_trans;	    /* its BIOS translation: IDE_TRANS_* */

	/* Task file (ATA/ATAPI-6 §7): current and previous ("HOB") contents. */
	uint8_t feature, error, sector, lcyl, hcyl, select, status;
	uint32_t nsector; /* up to 65536 after the LBA48 transform */
	uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
	bool lba48;
	unsigned mult_sectors, req_nb_sectors;
	bool write_cache;
	bool smart_enabled, smart_autosave;
	unsigned smart_selftest_count;
	uint8_t smart_selftest_type[21]; /* 0 = slot never written */
	bool smart_selftest_used[21];
	uint16_t identify[256];
	bool identify_set;

	/* PIO data phase. */
	uint8_t *buf; /* IDE_BUF_SIZE bytes, 4 KiB aligned */
	uint32_t data_pos, data_end;
	enum ide_end end;
	struct iovec iov;	     /* the request in flight, while busy_io */
	bool busy_io;		     /* a backend request is in flight */
	unsigned io_gen;	     /* bumped by reset */
	uint32_t ra_sectors, ra_pos; /* PIO read-ahead: sectors in buf not yet served, and where */

	/* DMA. */
	enum ide_dma_cmd dma_cmd;
	bool dma_pending; /* command issued, waiting for the BM start bit */

	/* ATAPI. */
	uint8_t sense_key, asc;
	int cdrom_changed; /* 1: report "not present" once, 2: then unit attention */
	bool tray_open, tray_locked;
	bool new_media, eject_request;
	bool atapi_dma;
	int64_t lba; /* next CD sector to read, -1: reply data in buf */
	uint32_t cd_sector_size;
	int64_t packet_left; /* bytes of the reply still to move */
	uint32_t carry;	     /* bytes of a sector read ahead, at buf + carry_off */
	uint32_t carry_off;
	uint32_t elem_size;	     /* the elementary transfer being read ahead */
	bool dma_looping, dma_again; /* DMA chunks run in a loop, not by recursion (sync mode) */

	/* Xen platform unplug. */
	struct xen_unplug_hook unplug;
	bool unplug_registered;
};

/* The PIIX3 bus-master DMA engine of one channel (datasheet §2.7.1-2.7.3). */
#define BM_CMD_START 0x01
#define BM_CMD_READ  0x08 /* bus master writes memory (a device read) */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR  0x02
#define BM_ST_INT    0x04
#define BM_ST_DMA0   0x20
#define BM_ST_DMA1   0x40

struct bmdma {
	uint8_t cmd, status;
	uint32_t addr; /* PRD table base, dword aligned */
	/* the PRD cursor */
	uint32_t cur_addr, cur_prd_addr, cur_prd_len;
	bool cur_prd_last;
	bool released;
	/* a request in flight through mapped guest memory */
	uint64_t gpa[BM_PRD_MAX]; /* the segments of the transfer */
	uint32_t seglen[BM_PRD_MAX];
	int nseg;
	struct iovec iov[BM_PRD_MAX]; /* what the backend gets: mapped segments or the bounce */
	int iovcnt;
	bool to_guest;
	uint8_t *bounce; /* NULL: iov points into mapped guest memory */
	uint32_t bounce_len;
	uint32_t prd_bytes;
};

struct ide_bus {
	struct ide_drive drv[2];
	unsigned unit;	/* selected drive */
	uint8_t ctl;	/* device control register */
	unsigned index; /* 0 primary, 1 secondary */
	unsigned isa_irq;
	bool irq;
	struct bmdma bm;
	struct machine *m;
	/* rerror/werror=stop: the request to redo when the guest runs again (IDE_RETRY_*) */
	uint8_t retry;
	unsigned retry_unit;
	struct runstate_hook rs_hook;
	struct deferred
	    restart; /* the redo runs after the run-state change, as QEMU's bottom half */
	void (*irq_hook)(void *opaque, unsigned irq, bool level); /* tests without a machine */
	void *irq_opaque;
	const char *name;
};

static inline struct ide_drive *ide_cur(struct ide_bus *b)
{
	return &b->drv[b->unit];
}

/* ata.c */
void ide_bus_init(struct ide_bus *b, unsigned index, struct machine *m, const char *name);
/* The request a rerror/werror=stop left (ide_bus.retry), redone when the guest runs again. */
enum { IDE_RETRY_NONE, IDE_RETRY_PIO_READ, IDE_RETRY_PIO_WRITE, IDE_RETRY_DMA, IDE_RETRY_FLUSH };
/* A failed backend request under rerror=/werror= (QEMU 7.2 ide_handle_rw_error). */
enum ide_io_err { IDE_IOERR_REPORT, IDE_IOERR_IGNORE, IDE_IOERR_STOPPED };
enum ide_io_err ide_io_error(struct ide_drive *d, int ret, bool is_read, uint8_t retry);
void ide_bus_fini(struct ide_bus *b);
void ide_bus_reset(struct ide_bus *b);
void ide_drive_reset(struct ide_drive *d);
uint32_t ide_ioport_read(struct ide_bus *b, unsigned reg);
void ide_ioport_write(struct ide_bus *b, unsigned reg, uint32_t val);
uint32_t ide_data_read(struct ide_bus *b, unsigned size);
void ide_data_write(struct ide_bus *b, uint32_t val, unsigned size);
/* String I/O on the data register (size 2 or 4): the elements moved, <= count. */
size_t ide_data_read_rep(struct ide_bus *b, unsigned size, uint8_t *buf, size_t count);
size_t ide_data_write_rep(struct ide_bus *b, unsigned size, const uint8_t *buf, size_t count);
uint32_t ide_altstatus_read(struct ide_bus *b);
void ide_ctl_write(struct ide_bus *b, uint32_t val);
void ide_set_irq(struct ide_bus *b);
void ide_lower_irq(struct ide_bus *b);
void ide_abort(struct ide_drive *d);
void ide_transfer_start(struct ide_drive *d, uint32_t off, uint32_t len, enum ide_end end);
void ide_transfer_stop(struct ide_drive *d);
void ide_set_signature(struct ide_drive *d);
int64_t ide_get_sector(const struct ide_drive *d);
void ide_set_sector(struct ide_drive *d, int64_t sector);
bool ide_range_ok(const struct ide_drive *d, uint64_t sector, uint64_t n);
/* Attach an image (or none, for an empty CD-ROM) as unit of b. 0 or -errno. */
int ide_drive_attach(struct ide_bus *b, unsigned unit, bool is_cd, struct blk *blk,
		     const char *path, const char *id, bool readonly, int cache);
void ide_drive_detach(struct ide_drive *d);
/* Media size changed (CD-ROM insert/eject): recompute nb_sectors. */
void ide_drive_set_blk(struct ide_drive *d, struct blk *blk, const char *path);
void ide_identify_build(struct ide_drive *d);
/* A DMA transfer finished (ATA): called by bmdma.c; ret 0 or -errno. */
void ide_dma_done(struct ide_drive *d, int ret, uint32_t bytes);
/* The request's PRDs described fewer bytes than the transfer: end it, no interrupt. */
void ide_dma_short(struct ide_drive *d);

/* atapi.c */
void atapi_packet(struct ide_drive *d);
void atapi_reply_next(struct ide_drive *d);
void atapi_identify_build(struct ide_drive *d);
void atapi_media_changed(struct ide_drive *d, bool loaded);
/* The BM engine runs a PACKET DMA transfer (reply data or CD sectors). */
void atapi_dma_start(struct ide_drive *d);

/* bmdma.c */
void bm_reset(struct bmdma *bm);
uint32_t bm_read(struct ide_bus *b, unsigned off, unsigned size);
void bm_write(struct ide_bus *b, unsigned off, uint32_t val, unsigned size);
/* The drive has a DMA command ready: run it if the engine is started. */
void bm_kick(struct ide_bus *b);
/* Redo the DMA of a stopped request from the start of its PRD table (rerror/werror=stop). */
void bm_restart(struct ide_bus *b);
/* Copy buf to (to_guest) or from guest memory along the PRDs; the bytes moved. */
uint32_t bm_rw_buf(struct ide_bus *b, uint8_t *buf, uint32_t len, bool to_guest);
/* The transfer ended: ACTIVE stays set when the PRDs described more than moved. */
void bm_set_inactive(struct ide_bus *b, bool more);
/* Stop: wait for the request in flight (start bit cleared, reset, unplug). */
void bm_cancel(struct ide_bus *b);
/* Release a request's mapping or bounce after completion (read: copy back when ok). */
void bm_release(struct ide_bus *b, bool ok);
/* Walk PRDs for len bytes and build the iovec (mapped or bounced). 0, or -ENOSPC (short). */
int bm_prepare(struct ide_bus *b, uint32_t len, bool to_guest);

struct guest_mem *ide_gm(struct ide_bus *b);

#endif
