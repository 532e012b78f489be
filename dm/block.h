/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Block backend: raw disk images and CD-ROM images for the IDE devices.
 *
 * Cache modes are QEMU's, as libxl passes them in -drive cache=:
 *   none         O_DIRECT, requests through libaio, completions on an eventfd
 *   directsync   O_DIRECT|O_DSYNC through libaio
 *   writeback    the host page cache; requests run on one I/O thread (buffered
 *                I/O through libaio would block the loop); flush = fdatasync
 *   writethrough like writeback with O_DSYNC
 *   unsafe       like writeback, flushes ignored
 * A file O_DIRECT refuses (tmpfs, some network file systems) falls back to
 * the I/O thread with a logged notice. A request whose buffers or offset are
 * not aligned to the O_DIRECT block size is bounced through an aligned copy.
 *
 * Every completion runs on the loop thread, never inside blk_read/blk_write
 * — except in synchronous mode (replay, fuzzing: blk_set_sync), where the
 * I/O is done inline and the callback runs before the call returns, so that
 * a trace is deterministic. Devices must accept both.
 */
#ifndef DM_BLOCK_H
#define DM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct loop;
struct blk;

enum blk_cache {
	BLK_CACHE_WRITEBACK,
	BLK_CACHE_WRITETHROUGH,
	BLK_CACHE_NONE,
	BLK_CACHE_DIRECTSYNC,
	BLK_CACHE_UNSAFE,
};

enum blk_media { BLK_MEDIA_DISK, BLK_MEDIA_CDROM };
enum blk_if { BLK_IF_IDE, BLK_IF_NONE };
/*
 * rerror=/werror= (QEMU's BlockdevOnError): what a failed backend request does.
 * report: the device reports the error to the guest; ignore: it completes as
 * if it succeeded; stop: the guest stops in run state "io-error" (STOP event)
 * and the request is redone on QMP cont; enospc: stop on ENOSPC, else report.
 */
enum blk_err_action { BLK_ERR_REPORT, BLK_ERR_IGNORE, BLK_ERR_STOP, BLK_ERR_ENOSPC };

/* One -drive option, parsed and validated. */
struct drive_conf {
	char *id;   /* id=, or "ide<index>-..." style name made up for if=ide */
	char *file; /* NULL: empty drive (CD-ROM without a medium) */
	enum blk_if iface;
	int index; /* if=ide: 0-3 (primary master .. secondary slave); -1: first free */
	int bus;   /* index -1: the first bus searched (bus= alone), else 0 */
	enum blk_media media;
	enum blk_cache cache;
	bool readonly;
	enum blk_err_action rerror; /* default report, as QEMU */
	enum blk_err_action werror; /* default enospc, as QEMU */
};

/*
 * Parse a -drive value. 0 or -EINVAL with a message naming the bad key or
 * value in err (unknown key, format other than raw, bad cache mode, index
 * out of range, disk without file=...).
 */
__attribute__((warn_unused_result)) int drive_parse(const char *spec, struct drive_conf *out,
						    char *err, size_t errlen);
void drive_conf_free(struct drive_conf *c);
const char *blk_cache_name(enum blk_cache c);

/*
 * Open path (or "/dev/fdset/N") read-only or read-write with the cache
 * mode. NULL with a message in err.
 */
struct blk *blk_open(struct loop *loop, const char *path, bool readonly, enum blk_cache cache,
		     char *err, size_t errlen);
/* Waits for every request in flight, flushes (unless unsafe), closes. */
void blk_close(struct blk *b);

uint64_t blk_size(const struct blk *b); /* bytes */
bool blk_is_readonly(const struct blk *b);
bool blk_is_direct(const struct blk *b); /* O_DIRECT + libaio in use */
unsigned blk_inflight(const struct blk *b);

/* ret: 0, or -errno (-EIO, -ENOSPC, -EROFS, -EINVAL for a range beyond the image). */
typedef void (*blk_cb)(void *opaque, int ret);

/*
 * Queue a read or write of the bytes described by iov at byte offset off.
 * The iov memory must stay valid until cb runs. 0 if queued (cb will run),
 * or -errno with nothing queued and cb not called.
 */
__attribute__((warn_unused_result)) int
blk_read(struct blk *b, uint64_t off, const struct iovec *iov, int iovcnt, blk_cb cb, void *opaque);
__attribute__((warn_unused_result)) int blk_write(struct blk *b, uint64_t off,
						  const struct iovec *iov, int iovcnt, blk_cb cb,
						  void *opaque);
/* Make every completed write durable (fdatasync), after all writes queued before it. */
__attribute__((warn_unused_result)) int blk_flush(struct blk *b, blk_cb cb, void *opaque);
/* Block until nothing is in flight, running the callbacks (unplug, pause, exit). */
void blk_drain(struct blk *b);

/* Synchronous mode for replay and fuzzing (process-wide). */
void blk_set_sync(bool sync);

/* The most bytes one request may move (bounds a guest-controlled transfer). */
#define BLK_MAX_REQUEST (32u << 20)

#endif
