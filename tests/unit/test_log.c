// SPDX-License-Identifier: GPL-2.0-only
/* log: -d mask parsing, line prefixes, level filter, rate limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/log.h"

static char *out_buf;
static size_t out_len;

static int capture_setup(void **state)
{
	FILE *f = open_memstream(&out_buf, &out_len);

	*state = f;
	log_set_stream(f);
	log_set_domid(-1);
	log_mask = LOG_GUEST_ERR;
	log_level_max = LOG_WARN;
	return f ? 0 : -1;
}

static int capture_teardown(void **state)
{
	log_set_stream(NULL);
	fclose(*state);
	free(out_buf);
	out_buf = NULL;
	log_set_domid(-1);
	log_mask = LOG_GUEST_ERR;
	log_level_max = LOG_WARN;
	return 0;
}

static const char *captured(void **state)
{
	fflush(*state);
	return out_buf ? out_buf : "";
}

static void parses_names(void **state)
{
	unsigned m = 0;
	char bad[32];

	(void)state;
	assert_int_equal(log_parse_mask("guest_errors,pci", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, LOG_GUEST_ERR | LOG_PCI);
	assert_int_equal(log_parse_mask("sandbox", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, LOG_SANDBOX);
	assert_int_equal(log_parse_mask("unimp,ioreq,ide,serial,ps2,acpi,platform,qmp,xen,block,"
					"cmos,bus,loop",
					&m, bad, sizeof(bad)),
			 0);
	assert_int_equal(m, LOG_UNIMP | LOG_IOREQ | LOG_IDE | LOG_SERIAL | LOG_PS2 | LOG_ACPI |
				LOG_PLATFORM | LOG_QMP | LOG_XEN | LOG_BLOCK | LOG_CMOS | LOG_BUS |
				LOG_LOOP);
}

static void parses_all_none_help(void **state)
{
	unsigned m = 0;
	char bad[32];

	(void)state;
	assert_int_equal(log_parse_mask("all", &m, bad, sizeof(bad)), 0);
	assert_true(m & LOG_GUEST_ERR);
	assert_true(m & LOG_SANDBOX);
	assert_int_equal(log_parse_mask("none", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, 0);
	assert_int_equal(log_parse_mask("all,none,pci", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, LOG_PCI);
	m = 77;
	assert_int_equal(log_parse_mask("help", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, 0);
}

static void names_unknown_word(void **state)
{
	unsigned m = 1234;
	char bad[8];

	(void)state;
	assert_int_equal(log_parse_mask("pci,bogus,ide", &m, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "bogus");
	assert_int_equal(m, 1234); /* untouched on error */
	assert_int_equal(log_parse_mask("pcix", &m, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "pcix");
	/* truncated to the buffer, still terminated */
	assert_int_equal(log_parse_mask("averyveryverylongword", &m, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "averyve");
	assert_int_equal(log_parse_mask("", &m, bad, sizeof(bad)), -EINVAL);
	assert_int_equal(log_parse_mask("pci,,ide", &m, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "");
}

static void default_mask_is_guest_errors(void **state)
{
	(void)state;
	assert_int_equal(log_mask, LOG_GUEST_ERR);
	assert_int_equal(log_level_max, LOG_WARN);
}

static void line_prefixes(void **state)
{
	dm_warn("serial@3f8", "x=%d", 5);
	dm_err(NULL, "plain");
	log_set_domid(12);
	dm_warn("rtl8139@04.0", "TX ring wrapped");
	dm_err(NULL, "no who");
	assert_string_equal(captured(state), "hvmdm: serial@3f8: x=5\n"
					     "hvmdm: plain\n"
					     "hvmdm: d12 rtl8139@04.0: TX ring wrapped\n"
					     "hvmdm: no who\n");
}

static void level_filter_and_categories(void **state)
{
	dm_info("a", "hidden info");
	dm_dbg(LOG_PCI, "a", "hidden debug");
	log_mask |= LOG_PCI;
	dm_dbg(LOG_PCI, "a", "shown debug");
	dm_dbg(LOG_IDE, "a", "hidden ide");
	log_level_max = LOG_INFO;
	dm_info("a", "shown info");
	log_level_max = LOG_ERR;
	dm_warn("a", "hidden warn");
	guest_err("a", "guest did %s", "that"); /* its category is on */
	assert_string_equal(captured(state), "hvmdm: a: shown debug\n"
					     "hvmdm: a: shown info\n"
					     "hvmdm: a: guest did that\n");
}

static void guest_err_off_prints_nothing(void **state)
{
	log_mask = 0;
	guest_err("a", "nope");
	assert_string_equal(captured(state), "");
}

static void ratelimit_burst_then_drop(void **state)
{
	struct ratelimit rl = { 0 };
	unsigned passed = 0;

	for (int i = 0; i < 50; i++)
		passed += ratelimit_pass(&rl, 20);
	/* Unless the 1 s window rolled over mid-loop, exactly 20 pass. */
	assert_true(passed >= 20);
	assert_true(passed <= 40);
	assert_int_equal(rl.dropped + passed, 50);
	/* Force the window to expire: the next pass reports what was dropped. */
	rl.window_ns -= 2000000000ull;
	assert_true(ratelimit_pass(&rl, 20));
	assert_int_equal(rl.dropped, 0);
	assert_int_equal(rl.count, 1);
	assert_non_null(strstr(captured(state), "similar messages suppressed"));
}

static void guest_err_is_ratelimited(void **state)
{
	for (int i = 0; i < 100; i++)
		guest_err("dev", "bad %d", i);
	/* 20 per second per call site; the loop is far shorter than a second. */
	const char *s = captured(state);
	unsigned lines = 0;

	for (; *s; s++)
		lines += *s == '\n';
	assert_true(lines >= 20);
	assert_true(lines < 100);
}

static void prints_categories(void **state)
{
	log_print_categories();
	assert_non_null(strstr(captured(state), "guest_errors"));
	assert_non_null(strstr(captured(state), "sandbox"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_names),
		cmocka_unit_test(parses_all_none_help),
		cmocka_unit_test(names_unknown_word),
		cmocka_unit_test(default_mask_is_guest_errors),
		cmocka_unit_test_setup_teardown(line_prefixes, capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(level_filter_and_categories, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(guest_err_off_prints_nothing, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(ratelimit_burst_then_drop, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(guest_err_is_ratelimited, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(prints_categories, capture_setup, capture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
