// SPDX-License-Identifier: GPL-2.0-only
/*
 * Block backend and -drive parsing: libxl's drive strings (xen-interface.md
 * §7.1), every cache mode moving data both ways through the loop, bounce
 * buffers for unaligned guest memory under O_DIRECT, read-only images,
 * out-of-range requests, flush ordering, synchronous replay mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/block.h"
#include "dm/blockdev.h"
#include "dm/loop.h"

#define IMG_SIZE (1u << 20)

static char img[64];

static int make_image(void **state)
{
	int fd;

	(void)state;
	/* not /tmp: it may be tmpfs, which refuses O_DIRECT; the build dir is a real disk */
	snprintf(img, sizeof(img), "build-test-blk-%d.img", getpid());
	fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, IMG_SIZE), 0);
	close(fd);
	return 0;
}

static int remove_image(void **state)
{
	(void)state;
	unlink(img);
	blk_set_sync(false);
	return 0;
}

struct done {
	int calls;
	int ret;
};

static void on_done(void *opaque, int ret)
{
	struct done *d = opaque;

	d->calls++;
	d->ret = ret;
}

static void drive_strings_from_libxl(void **state)
{
	struct drive_conf c;
	char err[200];

	(void)state;
	assert_int_equal(drive_parse("file=/root/hello.img,if=ide,index=0,media=disk,format=raw,"
				     "cache=writeback",
				     &c, err, sizeof(err)),
			 0);
	assert_string_equal(c.file, "/root/hello.img");
	assert_int_equal(c.iface, BLK_IF_IDE);
	assert_int_equal(c.index, 0);
	assert_int_equal(c.media, BLK_MEDIA_DISK);
	assert_int_equal(c.cache, BLK_CACHE_WRITEBACK);
	assert_false(c.readonly);
	drive_conf_free(&c);
	assert_int_equal(drive_parse("if=none,readonly=on,id=ide-5632,file=/isos/x.iso,format=raw",
				     &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.iface, BLK_IF_NONE);
	assert_string_equal(c.id, "ide-5632");
	assert_true(c.readonly);
	drive_conf_free(&c);
	/* rerror=/werror=: QEMU's defaults report and enospc, else as written */
	assert_int_equal(c.rerror, BLK_ERR_REPORT);
	assert_int_equal(c.werror, BLK_ERR_ENOSPC);
	assert_int_equal(drive_parse("file=a,if=ide,rerror=stop,werror=ignore", &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.rerror, BLK_ERR_STOP);
	assert_int_equal(c.werror, BLK_ERR_IGNORE);
	drive_conf_free(&c);
	/* an empty CD-ROM drive: no file= */
	assert_int_equal(drive_parse("if=none,readonly=on,id=ide-5632", &c, err, sizeof(err)), 0);
	assert_null(c.file);
	drive_conf_free(&c);
}

/* QEMU 7.2 drive_new(): the position from index=, bus=/unit=, or none (first free). */
static void drive_position(void **state)
{
	static const struct {
		const char *spec;
		int index, bus;
	} cases[] = {
		{ "file=a,if=ide", -1, 0 },
		{ "file=a", -1, 0 },
		{ "file=a,if=ide,bus=1", -1, 1 },
		{ "file=a,if=ide,bus=1,unit=1", 3, 1 },
		{ "file=a,if=ide,unit=1", 1, 0 },
		{ "file=a,if=ide,index=2", 2, 0 },
		{ "if=ide,media=cdrom,bus=1", -1, 1 },
	};
	struct drive_conf c;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (drive_parse(cases[i].spec, &c, err, sizeof(err)))
			fail_msg("%s: %s", cases[i].spec, err);
		if (c.index != cases[i].index || c.bus != cases[i].bus)
			fail_msg("%s: index %d bus %d", cases[i].spec, c.index, c.bus);
		drive_conf_free(&c);
	}
}

/* -blockdev as QEMU 7.2's ide-test and cdrom-test write it becomes an if=none drive. */
static void blockdev_is_an_if_none_drive(void **state)
{
	static const struct {
		const char *spec, *drive;
	} cases[] = {
		{ "driver=file,node-name=hda,filename=/tmp/qtest.1",
		  "if=none,id=hda,file=/tmp/qtest.1,format=raw" },
		{ "file,node-name=cd1,filename=/tmp/a,,b.iso,read-only=on",
		  "if=none,id=cd1,file=/tmp/a,,b.iso,format=raw,readonly=on" },
		{ "driver=file,node-name=x,filename=f,auto-read-only=on", "if=none,id=x,file=f,format=raw" },
	};
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "driver=qcow2,node-name=a,filename=f", "driver 'qcow2' is not supported" },
		{ "driver=blkdebug,node-name=a,filename=f", "driver 'blkdebug' is not supported" },
		{ "node-name=a,filename=f", "'driver' is missing" },
		{ "driver=file,filename=f", "node-name= is needed" },
		{ "driver=file,node-name=a", "'filename' is missing" },
		{ "driver=file,node-name=a,filename=f,discard=unmap", "'discard' is not supported" },
		{ "driver=file,node-name=a,filename=f,read-only=perhaps", "on or off" },
	};
	struct drive_conf c;
	char err[200], *drive;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (blockdev_to_drive(cases[i].spec, &drive, err, sizeof(err)))
			fail_msg("%s: %s", cases[i].spec, err);
		assert_string_equal(drive, cases[i].drive);
		/* and the drive parses as the if=none node -device drive= names */
		assert_int_equal(drive_parse(drive, &c, err, sizeof(err)), 0);
		assert_int_equal(c.iface, BLK_IF_NONE);
		drive_conf_free(&c);
		free(drive);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(blockdev_to_drive(bad[i].spec, &drive, err, sizeof(err)), -EINVAL);
		assert_null(drive);
		if (!strstr(err, bad[i].msg))
			fail_msg("%s: '%s' lacks '%s'", bad[i].spec, err, bad[i].msg);
	}
}

static void drive_errors_name_the_problem(void **state)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "file=a,if=ide,index=0,format=qcow2", "format=qcow2" },
		{ "file=a,if=ide,index=0,cache=fast", "cache=fast" },
		{ "file=a,if=ide,index=4", "index=4" },
		{ "file=a,if=scsi,index=0", "if=scsi" },
		{ "file=a,if=ide,index=0,snapshot=on", "'snapshot'" },
		{ "if=ide,index=0", "needs file=" },
		{ "file=a,if=none", "needs id=" },
		{ "file=a,if=ide,index=0,readonly=maybe", "readonly=maybe" },
		{ "file=a,if=ide,index=0,media=tape", "media=tape" },
		/* QEMU 7.2 drive_new(): IDE has 2 buses of 2 units */
		{ "file=a,if=ide,index=0,bus=0", "index cannot be used with bus and unit" },
		{ "file=a,if=ide,index=1,unit=1", "index cannot be used with bus and unit" },
		{ "file=a,if=ide,bus=2", "bus=2" },
		{ "file=a,if=ide,unit=2", "unit 2 too big" },
		/* QEMU 7.2 parse_block_error_action: enospc is a write action only */
		{ "file=a,if=ide,rerror=enospc", "'enospc' invalid read error action" },
		{ "file=a,if=ide,werror=halt", "'halt' invalid write error action" },
		/* ide-test's flush cases: QEMU's error-injection driver, refused by name */
		{ "file=blkdebug::/tmp/x,if=ide,cache=writeback,format=raw",
		  "the blkdebug driver is not supported" },
	};
	struct drive_conf c;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(drive_parse(bad[i].spec, &c, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': message '%s' does not name '%s'", bad[i].spec, err,
				 bad[i].msg);
	}
}

/* Write a pattern at an unaligned buffer, read it back in two pieces, check the file too. */
static void round_trip(enum blk_cache cache, bool use_loop)
{
	struct loop *loop = use_loop ? loop_new(false) : NULL;
	char err[200] = "";
	struct blk *b = blk_open(loop, img, false, cache, err, sizeof(err));
	uint8_t *wbuf = malloc(8192 + 1), *rbuf = malloc(8192 + 3), file[4096];
	struct iovec wv = { wbuf + 1, 8192 }; /* odd address: O_DIRECT needs a bounce */
	struct iovec rv[2] = { { rbuf + 3, 4096 }, { rbuf + 3 + 4096, 4096 } };
	struct done w = { 0 }, r = { 0 }, f = { 0 };
	int fd;

	if (!b)
		fail_msg("blk_open(cache=%s): %s", blk_cache_name(cache), err);
	assert_int_equal(blk_size(b), IMG_SIZE);
	for (int i = 0; i < 8192; i++)
		wbuf[1 + i] = (uint8_t)(i * 7 + cache);
	assert_int_equal(blk_write(b, 4096, &wv, 1, on_done, &w), 0);
	assert_int_equal(blk_flush(b, on_done, &f), 0);
	if (loop) {
		for (int i = 0; i < 500 && (w.calls == 0 || f.calls == 0); i++)
			loop_iterate(loop, 10);
	} else {
		blk_drain(b);
	}
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.ret, 0);
	assert_int_equal(f.calls, 1);
	assert_int_equal(f.ret, 0);
	assert_int_equal(blk_read(b, 4096, rv, 2, on_done, &r), 0);
	blk_drain(b);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.ret, 0);
	assert_memory_equal(rbuf + 3, wbuf + 1, 8192);
	assert_int_equal(blk_inflight(b), 0);
	blk_close(b);
	fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, file, sizeof(file), 8192), (ssize_t)sizeof(file));
	assert_memory_equal(file, wbuf + 1 + 4096, sizeof(file));
	close(fd);
	free(wbuf);
	free(rbuf);
	if (loop)
		loop_free(loop);
}

static void every_cache_mode_moves_data(void **state)
{
	(void)state;
	for (int c = BLK_CACHE_WRITEBACK; c <= BLK_CACHE_UNSAFE; c++) {
		round_trip((enum blk_cache)c, true);
		round_trip((enum blk_cache)c, false);
	}
}

static void cache_none_uses_libaio_on_a_real_disk(void **state)
{
	char err[200];
	struct blk *b = blk_open(NULL, img, false, BLK_CACHE_NONE, err, sizeof(err));

	(void)state;
	assert_non_null(b);
	/* the test image is in the build tree on an ext4/xfs disk, which takes O_DIRECT */
	if (!blk_is_direct(b))
		print_message("note: O_DIRECT not available for %s here\n", img);
	blk_close(b);
	b = blk_open(NULL, img, false, BLK_CACHE_WRITEBACK, err, sizeof(err));
	assert_false(blk_is_direct(b));
	blk_close(b);
}

static void bad_requests_are_refused(void **state)
{
	char err[200];
	struct blk *b = blk_open(NULL, img, true, BLK_CACHE_WRITEBACK, err, sizeof(err));
	uint8_t buf[512];
	struct iovec v = { buf, sizeof(buf) };
	struct done d = { 0 };

	(void)state;
	assert_non_null(b);
	assert_true(blk_is_readonly(b));
	assert_int_equal(blk_write(b, 0, &v, 1, on_done, &d), -EROFS);
	assert_int_equal(blk_read(b, IMG_SIZE, &v, 1, on_done, &d), -EINVAL);
	assert_int_equal(blk_read(b, IMG_SIZE - 256, &v, 1, on_done, &d), -EINVAL);
	assert_int_equal(blk_read(b, UINT64_MAX - 100, &v, 1, on_done, &d), -EINVAL);
	assert_int_equal(blk_read(b, 0, &v, -1, on_done, &d), -EINVAL);
	assert_int_equal(d.calls, 0);
	blk_close(b);
	assert_null(
	    blk_open(NULL, "/nonexistent/disk.img", false, BLK_CACHE_NONE, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/disk.img"));
	assert_null(blk_open(NULL, "/dev/fdset/99", false, BLK_CACHE_NONE, err, sizeof(err)));
	assert_null(blk_open(NULL, "/", true, BLK_CACHE_NONE, err, sizeof(err)));
}

static void sync_mode_completes_inline(void **state)
{
	char err[200];
	struct blk *b;
	uint8_t buf[512] = { 0xab };
	struct iovec v = { buf, sizeof(buf) };
	struct done d = { 0 };

	(void)state;
	blk_set_sync(true);
	b = blk_open(NULL, img, false, BLK_CACHE_NONE, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(blk_write(b, 512, &v, 1, on_done, &d), 0);
	assert_int_equal(d.calls, 1); /* before the call returned */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(blk_read(b, 512, &v, 1, on_done, &d), 0);
	assert_int_equal(d.calls, 2);
	assert_int_equal(buf[0], 0xab);
	assert_int_equal(blk_flush(b, on_done, &d), 0);
	assert_int_equal(d.calls, 3);
	blk_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drive_strings_from_libxl),
		cmocka_unit_test(drive_errors_name_the_problem),
		cmocka_unit_test(drive_position),
		cmocka_unit_test(blockdev_is_an_if_none_drive),
		cmocka_unit_test_setup_teardown(every_cache_mode_moves_data, make_image,
						remove_image),
		cmocka_unit_test_setup_teardown(cache_none_uses_libaio_on_a_real_disk, make_image,
						remove_image),
		cmocka_unit_test_setup_teardown(bad_requests_are_refused, make_image, remove_image),
		cmocka_unit_test_setup_teardown(sync_mode_completes_inline, make_image,
						remove_image),
	};
	return cmocka_run_group_tests_name("block", tests, NULL, NULL);
}
