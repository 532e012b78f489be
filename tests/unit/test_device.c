// SPDX-License-Identifier: GPL-2.0-only
/*
 * device: the registry's -device parser (types, typed and range-checked
 * properties, defaults, every error class), realize/free and the help text.
 * The test defines its own dev_types[] table, so the library's devices.o
 * (the real table) is not linked.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"

struct uart_state {
	unsigned inits, finis;
};

static int fail_init_with;
static unsigned fini_calls;

static int uart_init(struct dm_dev *dev)
{
	struct uart_state *s = dev->state;

	s->inits++;
	if (fail_init_with)
		return fail_init_with;
	snprintf(dev->name, sizeof(dev->name), "uart@%llx",
		 (unsigned long long)dev_prop_int(dev, "iobase"));
	return 0;
}

static void uart_fini(struct dm_dev *dev)
{
	(void)dev;
	fini_calls++;
}

static const struct prop_desc uart_props[] = {
	{ "iobase", PROP_INT, "0x3f8", 0, 0xffff, "I/O base port" },
	{ "irq", PROP_INT, "4", 0, 15, "ISA IRQ" },
	{ "offset", PROP_INT, "-1", -8, 8, "a signed one" },
	{ "chardev", PROP_CHARDEV, NULL, 0, 0, "backend" },
	{ "wakeup", PROP_BOOL, "off", 0, 0, "wake on ring" },
	{ "label", PROP_STR, "com1", 0, 0, "a label" },
	{ 0 },
};

static const struct dev_type uart_type = {
	.name = "uart",
	.alias = "com",
	.kind = DEV_KIND_ISA,
	.help = "a test UART",
	.props = uart_props,
	.state_size = sizeof(struct uart_state),
	.state_version = 1,
	.init = uart_init,
	.fini = uart_fini,
};

static const struct prop_desc nic_props[] = {
	{ "mac", PROP_MAC, NULL, 0, 0, "MAC address" },
	{ "addr", PROP_PCIADDR, NULL, 0, 0, "slot[.fn]" },
	{ "netdev", PROP_NETDEV, NULL, 0, 0, "network backend" },
	{ "drive", PROP_DRIVE, NULL, 0, 0, "a drive" },
	{ "rombar", PROP_BOOL, "on", 0, 0, "ROM BAR" },
	{ "big", PROP_INT, "0x100000000", 0, INT64_MAX, "a 64-bit one" },
	{ 0 },
};

static const struct dev_type nic_type = {
	.name = "nic",
	.kind = DEV_KIND_PCI,
	.help = "a test NIC",
	.props = nic_props,
};

/* No properties, no state, no ops. */
static const struct dev_type bare_type = {
	.name = "bare",
	.kind = DEV_KIND_SYS,
	.help = "nothing at all",
};

const struct dev_type *const dev_types[] = { &uart_type, &nic_type, &bare_type, NULL };

static char *out_buf;
static size_t out_len;

static int quiet_setup(void **state)
{
	FILE *f = open_memstream(&out_buf, &out_len);

	*state = f;
	log_set_stream(f);
	fail_init_with = 0;
	fini_calls = 0;
	return f ? 0 : -1;
}

static int quiet_teardown(void **state)
{
	log_set_stream(NULL);
	fclose(*state);
	free(out_buf);
	out_buf = NULL;
	return 0;
}

static void finds_types(void **state)
{
	(void)state;
	assert_ptr_equal(dev_type_find("uart"), &uart_type);
	assert_ptr_equal(dev_type_find("nic"), &nic_type);
	/* An alias is the same type (isa-serial is serial), matched whole. */
	assert_ptr_equal(dev_type_find("com"), &uart_type);
	assert_null(dev_type_find("co"));
	assert_null(dev_type_find("comx"));
	assert_true(dev_type_is(&uart_type, "com.irq=3", 3));
	assert_true(dev_type_is(&uart_type, "uart.irq=3", 4));
	assert_false(dev_type_is(&uart_type, "uart.irq=3", 3));
	assert_false(dev_type_is(&nic_type, "com", 3));
	assert_null(dev_type_find("nosuch"));
	assert_null(dev_type_find(""));
}

static void parses_defaults(void **state)
{
	struct machine m = { 0 };
	struct dm_dev *d;
	char err[128] = "";

	(void)state;
	assert_int_equal(dev_parse(&m, "uart", &d, err, sizeof(err)), 0);
	assert_ptr_equal(d->type, &uart_type);
	assert_ptr_equal(d->m, &m);
	assert_string_equal(d->name, "uart");
	assert_string_equal(d->id, "");
	assert_int_equal(dev_prop_int(d, "iobase"), 0x3f8);
	assert_int_equal(dev_prop_int(d, "irq"), 4);
	assert_int_equal(dev_prop_int(d, "offset"), -1);
	assert_false(dev_prop_bool(d, "wakeup"));
	assert_string_equal(dev_prop_str(d, "label"), "com1");
	assert_null(dev_prop_str(d, "chardev"));
	assert_false(dev_prop_given(d, "iobase"));
	assert_non_null(d->state);
	assert_int_equal(((struct uart_state *)d->state)->inits, 0);
	assert_null(d->next);
	dev_free(d);
}

static void parses_given_values(void **state)
{
	struct machine m = { 0 };
	struct dm_dev *d;
	char err[128] = "";

	(void)state;
	assert_int_equal(dev_parse(&m,
				   "uart,id=com2,iobase=0x2f8,irq=3,offset=-8,chardev=ser1,"
				   "wakeup=yes,label=a,,b",
				   &d, err, sizeof(err)),
			 0);
	assert_string_equal(d->id, "com2");
	assert_string_equal(d->name, "uart@com2");
	assert_int_equal(dev_prop_int(d, "iobase"), 0x2f8);
	assert_int_equal(dev_prop_int(d, "irq"), 3);
	assert_int_equal(dev_prop_int(d, "offset"), -8);
	assert_string_equal(dev_prop_str(d, "chardev"), "ser1");
	assert_true(dev_prop_bool(d, "wakeup"));
	assert_string_equal(dev_prop_str(d, "label"), "a,b");
	assert_true(dev_prop_given(d, "iobase"));
	assert_true(dev_prop_given(d, "label"));
	/* dev_set_prop: the same parser, last value wins */
	assert_int_equal(dev_set_prop(d, "label", "c", err, sizeof(err)), 0);
	assert_string_equal(dev_prop_str(d, "label"), "c");
	assert_int_equal(dev_set_prop(d, "wakeup", "0", err, sizeof(err)), 0);
	assert_false(dev_prop_bool(d, "wakeup"));
	dev_free(d);
}

static void parses_bools(void **state)
{
	static const char *const yes[] = { "on", "true", "yes", "1" };
	static const char *const no[] = { "off", "false", "no", "0" };
	struct machine m = { 0 };
	struct dm_dev *d;
	char err[128];

	(void)state;
	assert_int_equal(dev_parse(&m, "uart", &d, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(dev_set_prop(d, "wakeup", yes[i], err, sizeof(err)), 0);
		assert_true(dev_prop_bool(d, "wakeup"));
		assert_int_equal(dev_set_prop(d, "wakeup", no[i], err, sizeof(err)), 0);
		assert_false(dev_prop_bool(d, "wakeup"));
	}
	dev_free(d);
	/* a bare flag means on, as QEMU takes it */
	assert_int_equal(dev_parse(&m, "uart,wakeup", &d, err, sizeof(err)), 0);
	assert_true(dev_prop_bool(d, "wakeup"));
	dev_free(d);
}

static void parses_mac_and_pciaddr(void **state)
{
	struct machine m = { 0 };
	struct dm_dev *d;
	char err[128] = "";
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x5a, 0xBC, 0x0f };

	(void)state;
	assert_int_equal(
	    dev_parse(&m, "nic,mac=00:16:3e:5a:bc:0F,addr=04.0,netdev=net0", &d, err, sizeof(err)),
	    0);
	assert_memory_equal(dev_prop_mac(d, "mac"), mac, 6);
	assert_int_equal(dev_prop_int(d, "addr"), 0x20);
	assert_string_equal(dev_prop_str(d, "netdev"), "net0");
	assert_null(dev_prop_str(d, "drive"));
	assert_true(dev_prop_bool(d, "rombar"));
	assert_int_equal(dev_prop_int(d, "big"), 0x100000000ll);
	/* QEMU's addr=: slot in hex, function 0-7 */
	static const struct {
		const char *v;
		int64_t devfn;
	} addrs[] = { { "3", 0x18 },   { "1f", 0xf8 }, { "0x1f", 0xf8 }, { "1.2", 0x0a },
		      { "a.7", 0x57 }, { "00.0", 0 },  { "10", 0x80 } };
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		assert_int_equal(dev_set_prop(d, "addr", addrs[i].v, err, sizeof(err)), 0);
		assert_int_equal(dev_prop_int(d, "addr"), addrs[i].devfn);
	}
	dev_free(d);
	/* MAC unset and no default: NULL */
	assert_int_equal(dev_parse(&m, "nic", &d, err, sizeof(err)), 0);
	assert_null(dev_prop_mac(d, "mac"));
	assert_false(dev_prop_given(d, "addr"));
	dev_free(d);
}

static void expect_error(const char *spec, const char *msg)
{
	struct machine m = { 0 };
	struct dm_dev *d = (struct dm_dev *)&m; /* must come back NULL */
	char err[160] = "";

	assert_int_equal(dev_parse(&m, spec, &d, err, sizeof(err)), -EINVAL);
	assert_null(d);
	assert_string_equal(err, msg);
}

static void rejects_unknown_type(void **state)
{
	(void)state;
	expect_error("nosuch", "-device nosuch: unknown device type 'nosuch' (try -device help)");
	expect_error("nosuch,id=x",
		     "-device nosuch: unknown device type 'nosuch' (try -device help)");
	expect_error("", "-device '': empty option");
	expect_error("iobase=1", "-device iobase=1: the device type comes first");
}

static void rejects_unknown_property(void **state)
{
	(void)state;
	expect_error("uart,foo=1", "-device uart: unknown property 'foo'");
	expect_error("uart,iobase=1,mac=00:00:00:00:00:00", "-device uart: unknown property 'mac'");
	expect_error("bare,x=1", "-device bare: unknown property 'x'");
	expect_error("uart,,", "-device uart,: unknown device type 'uart,' (try -device help)");
}

static void rejects_bad_int(void **state)
{
	(void)state;
	expect_error("uart,iobase=zz",
		     "-device uart,iobase=zz: property 'iobase' wants an integer");
	expect_error("uart,iobase=", "-device uart,iobase=: property 'iobase' wants an integer");
	expect_error("uart,iobase=12x",
		     "-device uart,iobase=12x: property 'iobase' wants an integer");
	expect_error("uart,iobase= 1",
		     "-device uart,iobase= 1: property 'iobase' wants an integer");
	expect_error("uart,iobase=99999999999999999999999",
		     "-device uart,iobase=99999999999999999999999: property 'iobase' wants an "
		     "integer");
	expect_error("uart,iobase", "-device uart,iobase: property 'iobase' wants an integer");
}

static void rejects_out_of_range(void **state)
{
	(void)state;
	expect_error("uart,iobase=0x10000",
		     "-device uart,iobase=0x10000: property 'iobase' must be in 0..65535");
	expect_error("uart,irq=16", "-device uart,irq=16: property 'irq' must be in 0..15");
	expect_error("uart,irq=-1", "-device uart,irq=-1: property 'irq' must be in 0..15");
	expect_error("uart,offset=-9",
		     "-device uart,offset=-9: property 'offset' must be in -8..8");
	expect_error("nic,big=0x8000000000000000",
		     "-device nic,big=0x8000000000000000: property 'big' wants an integer");
}

static void rejects_bad_bool(void **state)
{
	(void)state;
	expect_error("uart,wakeup=maybe",
		     "-device uart,wakeup=maybe: property 'wakeup' wants on or off");
	expect_error("uart,wakeup=", "-device uart,wakeup=: property 'wakeup' wants on or off");
}

static void rejects_bad_mac(void **state)
{
	static const char *const bad[] = {
		"00:16:3e:5a:bc",
		"00:16:3e:5a:bc:0f:00",
		"00-16-3e-5a-bc-0f",
		"0:16:3e:5a:bc:0f",
		"00:16:3e:5a:bc:0g",
		"00:16:3e:5a:bc:0f:",
		"",
	};
	char spec[64], msg[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(spec, sizeof(spec), "nic,mac=%s", bad[i]);
		snprintf(msg, sizeof(msg),
			 "-device %s: property 'mac' wants a MAC address like 52:54:00:12:34:56",
			 spec);
		expect_error(spec, msg);
	}
}

static void rejects_bad_pciaddr(void **state)
{
	static const char *const bad[] = { "20",    "1.8", "1.",   ".1",    "",	  "g",
					   "1.2.3", "-1",  "1.-1", "1f.10", "100" };
	char spec[64], msg[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(spec, sizeof(spec), "nic,addr=%s", bad[i]);
		snprintf(msg, sizeof(msg),
			 "-device %s: property 'addr' wants slot[.fn] (slot 0-1f in hex, fn 0-7)",
			 spec);
		expect_error(spec, msg);
	}
}

static void rejects_bad_id(void **state)
{
	(void)state;
	expect_error("uart,id=", "-device uart,id=: id wants a letter, then letters, digits, "
				 "'-', '.' or '_' (at most 31)");
	expect_error("uart,id=1a", "-device uart,id=1a: id wants a letter, then letters, digits, "
				   "'-', '.' or '_' (at most 31)");
	expect_error("uart,id=a/b", "-device uart,id=a/b: id wants a letter, then letters, "
				    "digits, '-', '.' or '_' (at most 31)");
	expect_error("uart,id=abcdefghijabcdefghijabcdefghijab",
		     "-device uart,id=abcdefghijabcdefghijabcdefghijab: id wants a letter, then "
		     "letters, digits, '-', '.' or '_' (at most 31)");
}

static void error_buffer_is_bounded(void **state)
{
	struct machine m = { 0 };
	struct dm_dev *d;
	char err[16];

	(void)state;
	assert_int_equal(dev_parse(&m, "uart,iobase=zz", &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(dev_parse(&m, "uart,iobase=zz", &d, NULL, 0), -EINVAL);
}

static void realize_appends_in_order(void **state)
{
	struct machine m = { 0 };
	struct dm_dev *a, *b, *c;
	char err[128];

	assert_int_equal(dev_parse(&m, "uart", &a, err, sizeof(err)), 0);
	assert_int_equal(dev_parse(&m, "uart,iobase=0x2f8", &b, err, sizeof(err)), 0);
	assert_int_equal(dev_parse(&m, "bare,id=b0", &c, err, sizeof(err)), 0);
	assert_int_equal(dev_realize(a), 0);
	assert_int_equal(dev_realize(b), 0);
	assert_int_equal(dev_realize(c), 0);
	assert_ptr_equal(m.devs, a);
	assert_ptr_equal(a->next, b);
	assert_ptr_equal(b->next, c);
	assert_ptr_equal(m.devs_tail, &c->next);
	assert_string_equal(a->name, "uart@3f8"); /* set by init */
	assert_string_equal(b->name, "uart@2f8");
	assert_string_equal(c->name, "bare@b0");
	assert_int_equal(((struct uart_state *)a->state)->inits, 1);
	/* dev_find_type: the first of its type in creation order */
	assert_ptr_equal(dev_find_type(&m, &uart_type), a);
	assert_ptr_equal(dev_find_type(&m, &bare_type), c);
	assert_null(dev_find_type(&m, &nic_type));
	assert_null(dev_find_type(NULL, &uart_type));
	/* a failing init: fini runs, nothing is appended */
	fail_init_with = -ENODEV;
	struct dm_dev *bad;
	assert_int_equal(dev_parse(&m, "uart", &bad, err, sizeof(err)), 0);
	assert_int_equal(dev_realize(bad), -ENODEV);
	assert_int_equal(fini_calls, 1);
	assert_null(c->next);
	/* teardown */
	m.devs = NULL;
	dev_free(c);
	dev_free(b);
	dev_free(a);
	assert_int_equal(fini_calls, 3);
	(void)state;
}

static void prop_lookup_errors(void **state)
{
	struct machine m = { 0 };
	struct dm_dev *d;
	char err[128];

	assert_int_equal(dev_parse(&m, "uart", &d, err, sizeof(err)), 0);
	assert_int_equal(dev_prop_int(d, "nosuch"), 0);
	assert_false(dev_prop_bool(d, "nosuch"));
	assert_null(dev_prop_str(d, "nosuch"));
	assert_null(dev_prop_mac(d, "nosuch"));
	assert_false(dev_prop_given(d, "nosuch"));
	/* wrong type for the name is a programming error too */
	assert_int_equal(dev_prop_int(d, "label"), 0);
	assert_null(dev_prop_str(d, "irq"));
	assert_non_null(strstr(out_buf, "nosuch"));
	assert_int_equal(dev_set_prop(d, "nosuch", "1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "-device uart: unknown property 'nosuch'");
	dev_free(d);
	(void)state;
}

static void help_lists_types_and_props(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	dev_print_types(f);
	fflush(f);
	assert_non_null(strstr(buf, "uart"));
	assert_non_null(strstr(buf, "isa"));
	assert_non_null(strstr(buf, "a test UART"));
	assert_non_null(strstr(buf, "nic"));
	assert_non_null(strstr(buf, "pci"));
	fclose(f);
	free(buf);

	f = open_memstream(&buf, &len);
	assert_int_equal(dev_print_props(f, "uart"), 0);
	fflush(f);
	assert_non_null(strstr(buf, "uart options:"));
	assert_non_null(strstr(buf, "iobase=<int>"));
	assert_non_null(strstr(buf, "I/O base port"));
	assert_non_null(strstr(buf, "(default: 0x3f8)"));
	assert_non_null(strstr(buf, "0..65535"));
	assert_non_null(strstr(buf, "wakeup=<bool>"));
	assert_non_null(strstr(buf, "chardev=<chardev>"));
	fclose(f);
	free(buf);

	f = open_memstream(&buf, &len);
	assert_int_equal(dev_print_props(f, "nic"), 0);
	fflush(f);
	assert_non_null(strstr(buf, "mac=<macaddr>"));
	assert_non_null(strstr(buf, "addr=<pci-devfn>"));
	assert_non_null(strstr(buf, "netdev=<netdev>"));
	assert_non_null(strstr(buf, "drive=<drive>"));
	fclose(f);
	free(buf);

	f = open_memstream(&buf, &len);
	assert_int_equal(dev_print_props(f, "bare"), 0);
	assert_int_equal(dev_print_props(f, "nosuch"), -ENOENT);
	fclose(f);
	free(buf);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, quiet_setup, quiet_teardown)
	const struct CMUnitTest tests[] = {
		T(finds_types),
		T(parses_defaults),
		T(parses_given_values),
		T(parses_bools),
		T(parses_mac_and_pciaddr),
		T(rejects_unknown_type),
		T(rejects_unknown_property),
		T(rejects_bad_int),
		T(rejects_out_of_range),
		T(rejects_bad_bool),
		T(rejects_bad_mac),
		T(rejects_bad_pciaddr),
		T(rejects_bad_id),
		T(error_buffer_is_bounded),
		T(realize_appends_in_order),
		T(prop_lookup_errors),
		T(help_lists_types_and_props),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
