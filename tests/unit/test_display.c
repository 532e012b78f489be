// SPDX-License-Identifier: GPL-2.0-only
/* display: one source per machine, and a faulty source's surface never reaches a consumer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dm/display.h"

/* Only the address is used: the registry never looks inside a machine. */
static char machine_a, machine_b;
#define MA ((struct machine *)&machine_a)
#define MB ((struct machine *)&machine_b)

struct fake {
	struct display_surface s;
	struct display_dirty d;
	bool last_full;
	unsigned calls;
};

static uint32_t pixels[4 * 3];

static void fake_refresh(void *opaque, bool full, struct display_surface *s,
			 struct display_dirty *d)
{
	struct fake *f = opaque;

	f->last_full = full;
	f->calls++;
	*s = f->s;
	*d = f->d;
}

static const struct display_source fake_src = { "fake", fake_refresh };
static const struct display_source no_op = { "none", NULL };

static void one_per_machine(void **state)
{
	struct fake f = { 0 };
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	assert_false(display_present(MA));
	assert_false(display_refresh(MA, false, &s, &d));
	assert_int_equal(display_register(MA, &no_op, &f), -EINVAL);
	assert_int_equal(display_register(NULL, &fake_src, &f), -EINVAL);
	assert_int_equal(display_register(MA, &fake_src, &f), 0);
	assert_int_equal(display_register(MA, &fake_src, &f), -EBUSY);
	assert_int_equal(display_register(MB, &fake_src, &f), 0);
	assert_true(display_present(MA));
	display_unregister(MA);
	assert_false(display_present(MA));
	assert_true(display_present(MB));
	display_unregister(MB);
}

static void passes_a_good_surface_and_clamps_dirty_rows(void **state)
{
	struct fake f = { .s = { 4, 3, 16, pixels }, .d = { 1, 9 } };
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	assert_int_equal(display_register(MA, &fake_src, &f), 0);
	assert_true(display_refresh(MA, false, &s, &d));
	assert_false(f.last_full);
	assert_int_equal(s.width, 4);
	assert_int_equal(s.height, 3);
	assert_ptr_equal(s.pixels, pixels);
	assert_int_equal(d.y0, 1);
	assert_int_equal(d.y1, 3); /* past the last row: clamped */
	f.d = (struct display_dirty){ 2, 1 };
	assert_true(display_refresh(MA, false, &s, &d));
	assert_int_equal(d.y0, d.y1); /* inverted: nothing */
	f.d = (struct display_dirty){ 0, 0 };
	assert_true(display_refresh(MA, true, &s, &d));
	assert_true(f.last_full);
	assert_int_equal(d.y0, 0);
	assert_int_equal(d.y1, 3); /* full: every row */
	display_unregister(MA);
}

static void refuses_a_bad_surface(void **state)
{
	static const struct display_surface bad[] = {
		{ 4, 3, 12, pixels },			     /* stride < 4 * width */
		{ 4, 3, 18, pixels },			     /* stride not whole pixels */
		{ 4, 3, 16, NULL },			     /* no pixels */
		{ 0, 3, 16, pixels },			     /* zero width */
		{ DISPLAY_MAX_WIDTH + 1, 1, 65536, pixels }, /* too wide */
		{ 1, DISPLAY_MAX_HEIGHT + 1, 4, pixels },    /* too tall */
	};
	struct fake f = { .d = { 0, 3 } };
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	assert_int_equal(display_register(MA, &fake_src, &f), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.s = bad[i];
		assert_true(display_refresh(MA, false, &s, &d));
		assert_int_equal(s.width, 0);
		assert_int_equal(s.height, 0);
		assert_null(s.pixels);
		assert_int_equal(d.y0, d.y1);
	}
	display_unregister(MA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_per_machine),
		cmocka_unit_test(passes_a_good_surface_and_clamps_dirty_rows),
		cmocka_unit_test(refuses_a_bad_surface),
	};
	return cmocka_run_group_tests_name("display", tests, NULL, NULL);
}
