// SPDX-License-Identifier: GPL-2.0-only
/*
 * memory: the gm_* wrappers and flat RAM. Layout as hvmloader leaves a PC
 * guest under Xen: RAM below the PCI hole up to 0xe0000000, the rest from
 * 4 GiB; accesses outside RAM fail whole with -EFAULT and copy nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dm/memory.h"

#define MIB  (1ull << 20)
#define GIB4 0x100000000ull

static void init_rejects_bad_sizes(void **state)
{
	struct flat_ram r;
	struct guest_mem gm = { 0 };

	(void)state;
	assert_int_equal(flat_ram_init(&r, &gm, 0), -EINVAL);
	assert_int_equal(flat_ram_init(&r, &gm, 4097), -EINVAL);
	assert_int_equal(flat_ram_init(&r, &gm, 0x800), -EINVAL);
	assert_null(gm.ops);
}

static void small_ram_bounds(void **state)
{
	struct flat_ram r;
	struct guest_mem gm;
	uint8_t buf[16], poison[16];

	(void)state;
	assert_int_equal(flat_ram_init(&r, &gm, MIB), 0);
	assert_int_equal(r.low_size, MIB);
	assert_int_equal(gm_write(&gm, MIB - 4, "\x01\x02\x03\x04", 4), 0);
	assert_int_equal(gm_read(&gm, MIB - 4, buf, 4), 0);
	assert_memory_equal(buf, "\x01\x02\x03\x04", 4);
	/* One byte beyond the end: refused whole, nothing copied either way. */
	memset(buf, 0x5a, sizeof(buf));
	memcpy(poison, buf, sizeof(buf));
	assert_int_equal(gm_read(&gm, MIB - 4, buf, 5), -EFAULT);
	assert_memory_equal(buf, poison, sizeof(buf));
	assert_int_equal(gm_write(&gm, MIB - 4, "\xaa\xbb\xcc\xdd\xee", 5), -EFAULT);
	assert_int_equal(gm_read(&gm, MIB - 4, buf, 4), 0);
	assert_memory_equal(buf, "\x01\x02\x03\x04", 4);
	assert_int_equal(gm_read(&gm, MIB, buf, 1), -EFAULT);
	assert_int_equal(gm_read(&gm, GIB4, buf, 1), -EFAULT); /* no high RAM at all */
	/* Length 0 succeeds anywhere; gpa + len past 2^64 is a fault. */
	assert_int_equal(gm_read(&gm, ~0ull, buf, 0), 0);
	assert_int_equal(gm_write(&gm, ~0ull, buf, 0), 0);
	assert_int_equal(gm_read(&gm, ~0ull - 1, buf, 4), -EFAULT);
	assert_int_equal(gm_write(&gm, ~0ull - 1, buf, 4), -EFAULT);
	assert_null(gm_map(&gm, ~0ull - 1, 4, false));
	assert_null(gm_map(&gm, 0, 0, false));
	/* A length larger than RAM itself. */
	assert_int_equal(gm_read(&gm, 0, buf, (size_t)~0ull), -EFAULT);
	flat_ram_fini(&r);
}

/* 3.5 GiB below the hole and two pages above 4 GiB (the buffer is sparse). */
#define BIG_SIZE (FLAT_RAM_LOW_MAX + 0x2000)

static void ram_across_the_4g_gap(void **state)
{
	struct flat_ram r;
	struct guest_mem gm;
	uint8_t buf[16] = { 0 }, poison[16];

	(void)state;
	assert_int_equal(flat_ram_init(&r, &gm, BIG_SIZE), 0);
	assert_int_equal(r.low_size, FLAT_RAM_LOW_MAX);
	assert_int_equal(gm_write(&gm, FLAT_RAM_LOW_MAX - 4, "LOW!", 4), 0);
	assert_int_equal(gm_write(&gm, GIB4, "HIGH", 4), 0);
	/* The host buffer is contiguous but the guest's RAM is not. */
	assert_memory_equal(r.buf + FLAT_RAM_LOW_MAX - 4, "LOW!HIGH", 8);
	assert_ptr_equal(flat_ram_ptr(&r, GIB4, 4), r.buf + FLAT_RAM_LOW_MAX);
	memset(buf, 0x5a, sizeof(buf));
	memcpy(poison, buf, sizeof(buf));
	assert_int_equal(gm_read(&gm, FLAT_RAM_LOW_MAX - 4, buf, 8), -EFAULT);
	assert_int_equal(gm_read(&gm, FLAT_RAM_LOW_MAX, buf, 4), -EFAULT); /* the hole */
	assert_int_equal(gm_read(&gm, GIB4 - 4, buf, 8), -EFAULT);
	assert_int_equal(gm_read(&gm, GIB4 + 0x2000 - 4, buf, 8), -EFAULT); /* past the end */
	assert_int_equal(gm_read(&gm, GIB4 + 0x2000, buf, 1), -EFAULT);
	assert_memory_equal(buf, poison, sizeof(buf));
	assert_int_equal(gm_write(&gm, FLAT_RAM_LOW_MAX - 2, "xxxx", 4), -EFAULT);
	assert_memory_equal(r.buf + FLAT_RAM_LOW_MAX - 4, "LOW!HIGH", 8);
	assert_int_equal(gm_read(&gm, GIB4 + 0x2000 - 4, buf, 4), 0);
	assert_null(gm_map(&gm, FLAT_RAM_LOW_MAX - 4, 8, false));
	assert_null(flat_ram_ptr(&r, GIB4 - 1, 2));
	assert_int_equal(r.maps_live, 0);
	flat_ram_fini(&r);
}

static void dirty_marking(void **state)
{
	struct flat_ram r;
	struct guest_mem gm;
	uint8_t buf[8];
	void *p;

	(void)state;
	assert_int_equal(flat_ram_init(&r, &gm, BIG_SIZE), 0);
	assert_false(flat_ram_test_dirty(&r, 0x1000));
	/* A write straddling a page boundary dirties both pages. */
	assert_int_equal(gm_write(&gm, 0x1ffe, "abcd", 4), 0);
	assert_true(flat_ram_test_dirty(&r, 0x1000));
	assert_true(flat_ram_test_dirty(&r, 0x2000));
	assert_false(flat_ram_test_dirty(&r, 0x0));
	assert_false(flat_ram_test_dirty(&r, 0x3000));
	/* Reads and failed writes dirty nothing. */
	assert_int_equal(gm_read(&gm, 0x5000, buf, 8), 0);
	assert_int_equal(gm_write(&gm, GIB4 + 0x1ffc, buf, 8), -EFAULT);
	assert_false(flat_ram_test_dirty(&r, 0x5000));
	assert_false(flat_ram_test_dirty(&r, GIB4 + 0x1000));
	flat_ram_clear_dirty(&r);
	assert_false(flat_ram_test_dirty(&r, 0x1000));
	/* High RAM has its own pages. */
	assert_int_equal(gm_write(&gm, GIB4 + 0x1000, "z", 1), 0);
	assert_true(flat_ram_test_dirty(&r, GIB4 + 0x1fff));
	assert_false(flat_ram_test_dirty(&r, GIB4));
	assert_false(flat_ram_test_dirty(&r, FLAT_RAM_LOW_MAX - 1));
	/* Marking a range across the hole marks only the RAM on each side. */
	flat_ram_clear_dirty(&r);
	gm_mark_dirty(&gm, FLAT_RAM_LOW_MAX - 1, GIB4 - FLAT_RAM_LOW_MAX + 2);
	assert_true(flat_ram_test_dirty(&r, FLAT_RAM_LOW_MAX - 1));
	assert_true(flat_ram_test_dirty(&r, GIB4));
	assert_false(flat_ram_test_dirty(&r, FLAT_RAM_LOW_MAX - 0x1001));
	assert_false(flat_ram_test_dirty(&r, GIB4 + 0x1000));
	assert_false(flat_ram_test_dirty(&r, FLAT_RAM_LOW_MAX)); /* the hole is never RAM */
	/* unmap(written) dirties, unmap(!written) does not. */
	flat_ram_clear_dirty(&r);
	p = gm_map(&gm, 0x7000, 0x10, false);
	assert_non_null(p);
	gm_unmap(&gm, p, 0x7000, 0x10, false);
	assert_false(flat_ram_test_dirty(&r, 0x7000));
	p = gm_map(&gm, 0x7ff0, 0x20, true);
	assert_non_null(p);
	memset(p, 1, 0x20);
	gm_unmap(&gm, p, 0x7ff0, 0x20, true);
	assert_true(flat_ram_test_dirty(&r, 0x7000));
	assert_true(flat_ram_test_dirty(&r, 0x8000));
	assert_false(flat_ram_test_dirty(&r, 0x9000));
	flat_ram_fini(&r);
}

static void map_contiguity_and_leak_count(void **state)
{
	struct flat_ram r;
	struct guest_mem gm;
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(flat_ram_init(&r, &gm, 16 * 0x1000), 0);
	p = gm_map(&gm, 0x1000, 0x3000, true);
	assert_ptr_equal(p, r.buf + 0x1000);
	assert_int_equal(r.maps_live, 1);
	q = gm_map(&gm, 0, 16 * 0x1000, false);
	assert_ptr_equal(q, r.buf);
	assert_int_equal(r.maps_live, 2);
	assert_null(gm_map(&gm, 0xf000, 0x1001, false)); /* runs off the end */
	assert_int_equal(r.maps_live, 2);
	gm_unmap(&gm, q, 0, 16 * 0x1000, false);
	gm_unmap(&gm, p, 0x1000, 0x3000, false);
	assert_int_equal(r.maps_live, 0);
	gm_unmap(&gm, NULL, 0, 1, true); /* a failed map's NULL is harmless */
	assert_int_equal(r.maps_live, 0);
	gm_invalidate(&gm); /* flat RAM has nothing to drop; must not crash */
	flat_ram_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_bad_sizes),	 cmocka_unit_test(small_ram_bounds),
		cmocka_unit_test(ram_across_the_4g_gap),	 cmocka_unit_test(dirty_marking),
		cmocka_unit_test(map_contiguity_and_leak_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
