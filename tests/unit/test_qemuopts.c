// SPDX-License-Identifier: GPL-2.0-only
/* qemuopts: QEMU's "type,key=val,flag" syntax, as libxl writes it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dm/qemuopts.h"

static void splits_libxl_chardev(void **state)
{
	struct qopts o;

	(void)state;
	assert_int_equal(qopts_parse("socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-2,"
				     "server=on,wait=off", &o), 0);
	assert_int_equal(o.n, 5);
	assert_string_equal(o.v[0].key, "socket");
	assert_null(o.v[0].val);
	assert_string_equal(qopts_get(&o, "path"), "/var/run/xen/qmp-libxl-2");
	assert_int_equal(qopts_get_bool(&o, "server", false), 1);
	assert_int_equal(qopts_get_bool(&o, "wait", true), 0);
	assert_int_equal(qopts_get_bool(&o, "absent", true), 1);
	qopts_free(&o);
}

static void doubled_comma_and_flags(void **state)
{
	struct qopts o;
	static const char *const allowed[] = { "file", "server", NULL };

	(void)state;
	assert_int_equal(qopts_parse("x,file=/a,,b,server", &o), 0);
	assert_string_equal(qopts_get(&o, "file"), "/a,b");
	assert_string_equal(qopts_get(&o, "server"), "on");
	assert_null(qopts_unknown_key(&o, allowed, true));
	assert_string_equal(qopts_unknown_key(&o, allowed, false), "x");
	qopts_free(&o);
}

static void rejects_malformed(void **state)
{
	struct qopts o;

	(void)state;
	assert_int_equal(qopts_parse("", &o), -EINVAL);
	assert_int_equal(qopts_parse("a,=b", &o), -EINVAL);
	assert_int_equal(qopts_parse("a,,", &o), 0); /* "a," is one element */
	assert_string_equal(o.v[0].key, "a,");
	qopts_free(&o);
	assert_int_equal(qopts_parse("a,b=on,", &o), 0);
	assert_int_equal(o.n, 2);
	qopts_free(&o);
	assert_int_equal(qopts_parse("a,b=maybe", &o), 0);
	assert_int_equal(qopts_get_bool(&o, "b", false), -EINVAL);
	qopts_free(&o);
}

static void sizes_and_numbers(void **state)
{
	unsigned long long v;

	(void)state;
	assert_int_equal(qopts_parse_size("128M", &v), 0);
	assert_int_equal(v, 128ull << 20);
	assert_int_equal(qopts_parse_size("240", &v), 0);
	assert_int_equal(v, 240);
	assert_int_equal(qopts_parse_size("1k", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(qopts_parse_size("2G", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(qopts_parse_size("12X", &v), -EINVAL);
	assert_int_equal(qopts_parse_size("-1", &v), -EINVAL);
	assert_int_equal(qopts_parse_size("99999999999999T", &v), -ERANGE);
	assert_int_equal(qopts_parse_u64("0x3f8", &v), 0);
	assert_int_equal(v, 0x3f8);
	assert_int_equal(qopts_parse_u64("12z", &v), -EINVAL);
	assert_int_equal(qopts_parse_u64("", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits_libxl_chardev),
		cmocka_unit_test(doubled_comma_and_flags),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(sizes_and_numbers),
	};
	return cmocka_run_group_tests_name("qemuopts", tests, NULL, NULL);
}
