// SPDX-License-Identifier: GPL-2.0-only
/* strlist: option strings kept in order, copied, freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dm/machine.h"

static void keeps_order_and_copies(void **state)
{
	struct strlist l = { 0 };
	char buf[8] = "one";

	(void)state;
	assert_int_equal(strlist_add(&l, buf), 0);
	strcpy(buf, "two");
	assert_int_equal(strlist_add(&l, buf), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "one");
	assert_string_equal(l.v[1], "two");
	strlist_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_order_and_copies),
	};
	return cmocka_run_group_tests_name("strlist", tests, NULL, NULL);
}
