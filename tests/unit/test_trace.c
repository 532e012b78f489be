// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace protocol (shared/docs/trace-format.md): the line parser, the
 * line splitter, and the executor on an empty standalone machine. Answers
 * are QEMU 7.2's system/qtest.c formats, checked against
 * qemu-system-x86_64 -qtest stdio: "OK 0x%04x" for in*, "OK 0x%016x" for
 * read*, "OK 0x<hex>" for read, "FAIL Unknown command '<word>'".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "dm/log.h"
#include "dm/sim/sim.h"
#include "dm/sim/trace.h"

static char err[256];

static int parse(const char *line, struct trace_cmd *c)
{
	return trace_parse(line, strlen(line), c, err, sizeof(err));
}

static void parses_port_commands(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("outb 0x80 0x12", &c), 0);
	assert_int_equal(c.op, TOP_OUT);
	assert_int_equal(c.size, 1);
	assert_int_equal(c.addr, 0x80);
	assert_int_equal(c.val, 0x12);
	trace_cmd_free(&c);

	assert_int_equal(parse("inl 3324\r", &c), 0);
	assert_int_equal(c.op, TOP_IN);
	assert_int_equal(c.size, 4);
	assert_int_equal(c.addr, 0xcfc);
	trace_cmd_free(&c);

	/* C literals: octal too, as QEMU's strtoul(..., 0). */
	assert_int_equal(parse("outw 010 0xffff", &c), 0);
	assert_int_equal(c.size, 2);
	assert_int_equal(c.addr, 8);
	trace_cmd_free(&c);

	/* Tabs and runs of spaces separate words; extra words are ignored, as QEMU does. */
	assert_int_equal(parse("  readq\t0x1000   extra", &c), 0);
	assert_int_equal(c.op, TOP_READN);
	assert_int_equal(c.size, 8);
	assert_int_equal(c.addr, 0x1000);
	trace_cmd_free(&c);
}

static void rejects_malformed_port_commands(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("inb", &c), -EINVAL);
	assert_string_equal(err, "inb: missing port");
	trace_cmd_free(&c);
	assert_int_equal(parse("outb 0x10000 1", &c), -EINVAL);
	assert_string_equal(err, "outb: port 0x10000 above 0xffff");
	trace_cmd_free(&c);
	assert_int_equal(parse("outb 0x80", &c), -EINVAL);
	assert_string_equal(err, "outb: missing value");
	trace_cmd_free(&c);
	assert_int_equal(parse("outl 0x1g 1", &c), -EINVAL);
	assert_string_equal(err, "outl: port '0x1g' is not a number");
	trace_cmd_free(&c);
	assert_int_equal(parse("inw -1", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("writeq 0x1000 0x10000000000000000", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("frobnicate 1 2", &c), -EINVAL);
	assert_string_equal(err, "Unknown command 'frobnicate'");
	trace_cmd_free(&c);
	/* A command word is matched whole. */
	assert_int_equal(parse("outbx 1 2", &c), -EINVAL);
	trace_cmd_free(&c);
}

static void comments_and_blank_lines_are_not_commands(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("# argv: -machine xenfv", &c), 0);
	assert_int_equal(c.op, TOP_NONE);
	assert_string_equal(c.line, "# argv: -machine xenfv");
	trace_cmd_free(&c);
	assert_int_equal(parse("", &c), 0);
	assert_int_equal(c.op, TOP_NONE);
	trace_cmd_free(&c);
	assert_int_equal(parse("   \t\r", &c), 0);
	assert_int_equal(c.op, TOP_NONE);
	trace_cmd_free(&c);
}

static void write_data_as_qemu_takes_it(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("write 0x1000 4 0x0102", &c), 0);
	assert_int_equal(c.op, TOP_WRITE);
	assert_int_equal(c.len, 4);
	/* Bytes past the data given are zero (qtest.c "write": zero filled at the end). */
	assert_memory_equal(c.data, "\x01\x02\x00\x00", 4);
	trace_cmd_free(&c);

	/* More data than SIZE: the rest is ignored; an odd last digit is dropped. */
	assert_int_equal(parse("write 0 2 0xaabbccd", &c), 0);
	assert_memory_equal(c.data, "\xaa\xbb", 2);
	trace_cmd_free(&c);
	assert_int_equal(parse("write 0 3 0xAaBbC", &c), 0);
	assert_memory_equal(c.data, "\xaa\xbb\x00", 3);
	trace_cmd_free(&c);

	assert_int_equal(parse("write 0 2 0x12zz", &c), -EINVAL);
	assert_string_equal(err, "write: 'z' is not a hex digit");
	trace_cmd_free(&c);
	assert_int_equal(parse("write 0 2 1234", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("write 0 0 0x00", &c), -EINVAL);
	assert_string_equal(err, "write: zero length");
	trace_cmd_free(&c);
	assert_int_equal(parse("write 0 0x100001 0x00", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("write 0xffffffffffffffff 2 0x00", &c), -EINVAL);
	assert_string_equal(err, "write: range wraps around");
	trace_cmd_free(&c);
	assert_int_equal(parse("write 0 2", &c), -EINVAL);
	trace_cmd_free(&c);
	/* QEMU's own answer for data under 3 characters, given verbatim (-ERANGE). */
	assert_int_equal(parse("write 0 2 0x", &c), -ERANGE);
	assert_string_equal(err, "ERR invalid argument size");
	trace_cmd_free(&c);
}

static void base64_commands(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("b64write 0x2000 5 aGVsbG8=", &c), 0);
	assert_int_equal(c.op, TOP_WRITE);
	assert_memory_equal(c.data, "hello", 5);
	trace_cmd_free(&c);
	/* Shorter data than SIZE: zeros after it; longer: cut at SIZE. */
	assert_int_equal(parse("b64write 0 4 aGk=", &c), 0);
	assert_memory_equal(c.data, "hi\0\0", 4);
	trace_cmd_free(&c);
	assert_int_equal(parse("b64write 0 2 aGVsbG8=", &c), 0);
	assert_memory_equal(c.data, "he", 2);
	trace_cmd_free(&c);
	assert_int_equal(parse("b64write 0 2 ab", &c), -ERANGE);
	trace_cmd_free(&c);
	assert_int_equal(parse("b64write 0 2 a*b=", &c), -EINVAL);
	assert_string_equal(err, "b64write: '*' is not base64");
	trace_cmd_free(&c);
	assert_int_equal(parse("b64read 0x10 3", &c), 0);
	assert_int_equal(c.op, TOP_B64READ);
	assert_int_equal(c.len, 3);
	trace_cmd_free(&c);
}

static void read_and_memset_lengths(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("read 0x10 0x20", &c), 0);
	assert_int_equal(c.op, TOP_READ);
	assert_int_equal(c.len, 0x20);
	trace_cmd_free(&c);
	/* QEMU asserts on read of 0 bytes; hvmdm answers FAIL. */
	assert_int_equal(parse("read 0x10 0", &c), -EINVAL);
	trace_cmd_free(&c);
	/* "For 'memset' a zero size is permitted and does nothing." */
	assert_int_equal(parse("memset 0x10 0 0x5a", &c), 0);
	assert_int_equal(c.op, TOP_MEMSET);
	assert_int_equal(c.len, 0);
	trace_cmd_free(&c);
	assert_int_equal(parse("memset 0x10 4", &c), -EINVAL);
	assert_string_equal(err, "memset: missing value");
	trace_cmd_free(&c);
}

static void clock_and_intercept(void **state)
{
	struct trace_cmd c;

	(void)state;
	assert_int_equal(parse("clock_step", &c), 0);
	assert_int_equal(c.op, TOP_CLOCK_STEP);
	assert_false(c.has_ns);
	trace_cmd_free(&c);
	assert_int_equal(parse("clock_step 1000", &c), 0);
	assert_true(c.has_ns);
	assert_int_equal(c.ns, 1000);
	trace_cmd_free(&c);
	assert_int_equal(parse("clock_set -5", &c), 0);
	assert_int_equal(c.ns, -5);
	trace_cmd_free(&c);
	assert_int_equal(parse("clock_set", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("irq_intercept_in ioapic", &c), 0);
	assert_int_equal(c.op, TOP_IRQ_INTERCEPT_IN);
	assert_string_equal(c.name, "ioapic");
	trace_cmd_free(&c);
	assert_int_equal(parse("irq_intercept_in", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("endianness", &c), 0);
	assert_int_equal(c.op, TOP_ENDIANNESS);
	trace_cmd_free(&c);
}

static void xen_ioreq_shapes(void **state)
{
	struct trace_cmd c;

	(void)state;
	/* rep outsb of 18 bytes from 0x1000 (trace-format.md "ioreq"). */
	assert_int_equal(parse("ioreq pio w 0x3f8 1 18 0 1 0x1000", &c), 0);
	assert_int_equal(c.op, TOP_IOREQ);
	assert_int_equal(c.req.type, DM_IOREQ_PIO);
	assert_int_equal(c.req.dir, DM_IOREQ_WRITE);
	assert_int_equal(c.req.addr, 0x3f8);
	assert_int_equal(c.req.size, 1);
	assert_int_equal(c.req.count, 18);
	assert_false(c.req.df);
	assert_true(c.req.data_is_ptr);
	assert_int_equal(c.req.data, 0x1000);
	trace_cmd_free(&c);
	assert_int_equal(parse("ioreq copy r 0xa0000 4 1 1 0 0", &c), 0);
	assert_int_equal(c.req.type, DM_IOREQ_COPY);
	assert_int_equal(c.req.dir, DM_IOREQ_READ);
	assert_true(c.req.df);
	trace_cmd_free(&c);
	/* Field values the ioreq core validates (size 3) pass; the line's shape must be right. */
	assert_int_equal(parse("ioreq pio r 0x80 3 1 0 0 0", &c), 0);
	trace_cmd_free(&c);
	assert_int_equal(parse("ioreq mmio r 0 4 1 0 0 0", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("ioreq pio x 0 4 1 0 0 0", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("ioreq pio r 0 4 1 2 0 0", &c), -EINVAL);
	assert_string_equal(err, "ioreq: df must be 0 or 1");
	trace_cmd_free(&c);
	assert_int_equal(parse("ioreq pio r 0 4 0x100000000 0 0 0", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("ioreq pio r 0 4 1 0 0", &c), -EINVAL);
	assert_string_equal(err, "ioreq: missing data");
	trace_cmd_free(&c);
}

static void pcicfg_sbdf_encoding(void **state)
{
	struct trace_cmd c;

	(void)state;
	/* addr = SBDF << 32 | reg (xen-interface.md §2.5). */
	assert_int_equal(parse("pcicfg r 0000:00:03.0 0x10 4", &c), 0);
	assert_int_equal(c.op, TOP_PCICFG);
	assert_int_equal(c.req.type, DM_IOREQ_PCI_CONFIG);
	assert_int_equal(c.req.dir, DM_IOREQ_READ);
	assert_int_equal(c.req.addr, (uint64_t)(3 << 3) << 32 | 0x10);
	assert_int_equal(c.req.size, 4);
	assert_int_equal(c.req.count, 1);
	trace_cmd_free(&c);
	assert_int_equal(parse("pcicfg w 00:01.3 0x40 2 0xb001", &c), 0);
	assert_int_equal(c.req.dir, DM_IOREQ_WRITE);
	assert_int_equal(c.req.addr, (uint64_t)(1 << 3 | 3) << 32 | 0x40);
	assert_int_equal(c.req.data, 0xb001);
	trace_cmd_free(&c);
	assert_int_equal(parse("pcicfg w 0001:02:1f.7 0 1 0", &c), 0);
	assert_int_equal(c.req.addr >> 32, 1u << 16 | 2u << 8 | 0x1f << 3 | 7);
	trace_cmd_free(&c);
	assert_int_equal(parse("pcicfg w 00:01.3 0x40 2", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("pcicfg r 00:20.0 0 4", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("pcicfg r 00:01.8 0 4", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("pcicfg r 00:01.0 0x1000 4", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("invalidate", &c), 0);
	assert_int_equal(c.req.type, DM_IOREQ_INVALIDATE);
	trace_cmd_free(&c);
	assert_int_equal(parse("bufioreq 0xa0000 2 0x1234", &c), 0);
	assert_int_equal(c.req.type, DM_IOREQ_COPY);
	assert_int_equal(c.req.dir, DM_IOREQ_WRITE);
	assert_int_equal(c.req.size, 2);
	trace_cmd_free(&c);
	/* Xen buffers only writes below 1 MiB, of 1, 2, 4 or 8 bytes (§2.6). */
	assert_int_equal(parse("bufioreq 0x100000 2 0", &c), -EINVAL);
	trace_cmd_free(&c);
	assert_int_equal(parse("bufioreq 0xa0000 3 0", &c), -EINVAL);
	trace_cmd_free(&c);
}

static void overlong_and_nul_lines(void **state)
{
	struct trace_cmd c;
	size_t n = TRACE_LINE_MAX + 1;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(trace_parse(big, n, &c, err, sizeof(err)), -EINVAL);
	trace_cmd_free(&c);
	free(big);
	assert_int_equal(trace_parse("inb\0 1", 6, &c, err, sizeof(err)), -EINVAL);
	trace_cmd_free(&c);
}

/* ---------------------------------------------------------------- the line reader */

struct lines {
	char seen[8][64];
	size_t len[8];
	unsigned n, overlong;
};

static void collect(void *opaque, const char *line, size_t len)
{
	struct lines *l = opaque;

	if (!line) {
		l->overlong++;
		return;
	}
	assert_true(l->n < 8);
	l->len[l->n] = len;
	memcpy(l->seen[l->n], line, len < 63 ? len : 63);
	l->seen[l->n][len < 63 ? len : 63] = '\0';
	l->n++;
}

static void reader_splits_across_feeds(void **state)
{
	struct trace_reader r;
	struct lines l = { 0 };

	(void)state;
	assert_int_equal(trace_reader_init(&r), 0);
	trace_reader_feed(&r, "inb 0x", 6, collect, &l);
	trace_reader_feed(&r, "80\noutb 1 2\n\nin", 15, collect, &l);
	trace_reader_finish(&r, collect, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.seen[0], "inb 0x80");
	assert_string_equal(l.seen[1], "outb 1 2");
	assert_int_equal(l.len[2], 0);
	assert_string_equal(l.seen[3], "in");
	trace_reader_fini(&r);
}

static void reader_reports_overlong_lines_once(void **state)
{
	struct trace_reader r;
	struct lines l = { 0 };
	char *chunk = malloc(40000);

	(void)state;
	assert_non_null(chunk);
	memset(chunk, 'x', 40000);
	assert_int_equal(trace_reader_init(&r), 0);
	/* In 40000-byte feeds, well past TRACE_LINE_MAX: still one report. */
	for (size_t fed = 0; fed < TRACE_LINE_MAX + 80000u; fed += 40000)
		trace_reader_feed(&r, chunk, 40000, collect, &l);
	trace_reader_feed(&r, "yy\ninb 1\n", 9, collect, &l);
	trace_reader_finish(&r, collect, &l);
	assert_int_equal(l.overlong, 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.seen[0], "inb 1");
	trace_reader_fini(&r);
	free(chunk);
}

/* ---------------------------------------------------------------- the executor */

struct answers {
	char buf[4096];
	size_t len;
};

static void record(void *opaque, const char *line)
{
	struct answers *a = opaque;
	size_t n = strlen(line);

	assert_true(a->len + n < sizeof(a->buf));
	memcpy(a->buf + a->len, line, n + 1);
	a->len += n;
}

static void run(struct trace_exec *t, struct answers *a, const char *line, const char *expect)
{
	a->len = 0;
	a->buf[0] = '\0';
	trace_exec_line(t, line, strlen(line));
	assert_string_equal(a->buf, expect);
}

static void executes_on_an_empty_machine(void **state)
{
	struct machine_opts o = { .kind = MACHINE_NONE, .ram_mb = 16, .smp = 1 };
	struct sim *s = calloc(1, sizeof(*s));
	struct trace_exec t;
	struct answers a;

	(void)state;
	log_mask = 0;
	assert_non_null(s);
	assert_int_equal(sim_init(s, &o), 0);
	trace_exec_init(&t, s, record, &a);
	/* Unclaimed ports read all ones, in QEMU's width formats. */
	run(&t, &a, "inb 0x1234", "OK 0x00ff\n");
	run(&t, &a, "inl 0x1234", "OK 0xffffffff\n");
	run(&t, &a, "outw 0x1234 0x5678", "OK\n");
	/* Guest RAM. */
	run(&t, &a, "writel 0x1000 0xdeadbeef", "OK\n");
	run(&t, &a, "readw 0x1002", "OK 0x000000000000dead\n");
	run(&t, &a, "readq 0x1000", "OK 0x00000000deadbeef\n");
	run(&t, &a, "write 0x2000 3 0x010203", "OK\n");
	run(&t, &a, "read 0x1fff 5", "OK 0x0001020300\n");
	run(&t, &a, "memset 0x2000 2 0x1ff", "OK\n");
	run(&t, &a, "read 0x2000 3", "OK 0xffff03\n");
	run(&t, &a, "memset 0x2000 0 1", "OK\n");
	run(&t, &a, "b64write 0x2100 5 aGVsbG8=", "OK\n");
	run(&t, &a, "b64read 0x2100 5", "OK aGVsbG8=\n");
	run(&t, &a, "b64read 0x2100 4", "OK aGVsbA==\n");
	run(&t, &a, "write 0x2100 1 0x", "ERR invalid argument size\n");
	/* Beyond RAM with nothing mapped: zeros, as QEMU's unassigned memory reads. */
	run(&t, &a, "readl 0x40000000", "OK 0x0000000000000000\n");
	run(&t, &a, "read 0xfffffe 4", "OK 0x00000000\n");
	/* The top of the address space, and a hole far bigger than RAM: no wrap, no crawl. */
	run(&t, &a, "readq 0xffffffffffffffff", "OK 0x0000000000000000\n");
	run(&t, &a, "readl 0xfffffffffffffffe", "OK 0x0000000000000000\n");
	run(&t, &a, "memset 0x100000000 0xffffffff 1", "OK\n");
	/* A rep insb into RAM through the ioreq core: four bytes of all ones. */
	run(&t, &a, "ioreq pio r 0x1234 1 4 0 1 0x3000", "OK 0x0000000000003000\n");
	run(&t, &a, "read 0x3000 5", "OK 0xffffffff00\n");
	run(&t, &a, "pcicfg r 0000:00:05.0 0 4", "OK 0xffffffff\n");
	run(&t, &a, "invalidate", "OK\n");
	/* The clock: QEMU 7.2's answers (issue 17): OK with the clock, never FAIL. */
	run(&t, &a, "clock_step", "OK 0\n");
	run(&t, &a, "clock_step 100", "OK 100\n");
	run(&t, &a, "clock_step 0", "OK 100\n");
	run(&t, &a, "clock_step -5", "OK 100\n");
	run(&t, &a, "clock_set 1000", "OK 1000\n");
	run(&t, &a, "clock_set 10", "OK 1000\n");
	run(&t, &a, "endianness", "OK little\n");
	run(&t, &a, "irq_intercept_in piix3", "FAIL Unknown device\n");
	run(&t, &a, "irq_intercept_in ioapic", "OK\n");
	run(&t, &a, "irq_intercept_in ioapic", "OK\n");
	run(&t, &a, "# a comment", "");
	run(&t, &a, "bogus", "FAIL Unknown command 'bogus'\n");
	run(&t, &a, "b64read", "FAIL b64read: missing address\n");
	run(&t, &a, "inb 0x10000", "FAIL inb: port 0x10000 above 0xffff\n");
	assert_int_equal(t.fails, 5);

	/* Interrupts: reported only after intercept, on level changes, before the answer. */
	plat_isa_irq(&s->m.plat, 4, true);
	plat_isa_irq(&s->m.plat, 4, true);
	plat_isa_irq(&s->m.plat, 4, false);
	assert_int_equal(s->irq_raises, 1);
	assert_int_equal(s->irq_lowers, 1);
	/* PCI INTx: slot 3 INTA is link (3 + 0) & 3 = 3; it counts once routed. */
	plat_pci_intx(&s->m.plat, 3 << 3, 0, true);
	assert_int_equal(s->irq_raises, 1);
	a.len = 0;
	a.buf[0] = '\0';
	plat_pci_link_route(&s->m.plat, 3, 11);
	assert_string_equal(a.buf, "IRQ raise 11\n");
	plat_pci_link_route(&s->m.plat, 3, 0);
	assert_string_equal(a.buf, "IRQ raise 11\nIRQ lower 11\n");

	trace_exec_fini(&t);
	sim_fini(s);
	free(s);
}

/*
 * The host's date as this test program sees it: 2150-06-01T00:00:00Z, a century
 * no real host is in. Anything on the replay path that asked the OS for the
 * date (time(), as hw/isa/cmos.c once did) would show 0x21 below.
 */
time_t time(time_t *t)
{
	time_t host_2150 = (time_t)5693328000LL;

	if (t)
		*t = host_2150;
	return host_2150;
}

/*
 * A replay reads CMOS 0x32 (century, BCD) and 0x37 (its IBM PS/2 copy): the date
 * is the platform's RTC date (the virtual clock from -rtc base=, 2000-01-01 by
 * default), never the host's; the same trace answers the same on any host.
 */
static void replay_century_is_the_platform_date(void **state)
{
	static const struct {
		bool set;
		int64_t base;
		const char *century;
	} cases[] = {
		{ false, 0, "OK 0x0020\n" },	      /* the fixed default, 2000-01-01 */
		{ true, 946684799, "OK 0x0019\n" },   /* 1999-12-31T23:59:59Z */
		{ true, 4102444799, "OK 0x0020\n" },  /* 2099-12-31T23:59:59Z */
		{ true, 4102444800, "OK 0x0021\n" },  /* 2100-01-01T00:00:00Z */
		{ true, -2208988801, "OK 0x0018\n" }, /* 1899-12-31T23:59:59Z */
		{ true, 0, "OK 0x0019\n" },	      /* base=1970-01-01 itself */
	};

	(void)state;
	log_mask = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct machine_opts o = { .kind = MACHINE_XENFV, .ram_mb = 16, .smp = 1 };
		struct sim *s = calloc(1, sizeof(*s));
		struct trace_exec t;
		struct answers a;

		assert_non_null(s);
		o.rtc_base_set = cases[i].set;
		o.rtc_base = cases[i].base;
		assert_int_equal(sim_init(s, &o), 0);
		trace_exec_init(&t, s, record, &a);
		run(&t, &a, "outb 0x70 0x32", "OK\n");
		run(&t, &a, "inb 0x71", cases[i].century);
		run(&t, &a, "outb 0x70 0x37", "OK\n");
		run(&t, &a, "inb 0x71", cases[i].century);
		trace_exec_fini(&t);
		sim_fini(s);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_port_commands),
		cmocka_unit_test(rejects_malformed_port_commands),
		cmocka_unit_test(comments_and_blank_lines_are_not_commands),
		cmocka_unit_test(write_data_as_qemu_takes_it),
		cmocka_unit_test(base64_commands),
		cmocka_unit_test(read_and_memset_lengths),
		cmocka_unit_test(clock_and_intercept),
		cmocka_unit_test(xen_ioreq_shapes),
		cmocka_unit_test(pcicfg_sbdf_encoding),
		cmocka_unit_test(overlong_and_nul_lines),
		cmocka_unit_test(reader_splits_across_feeds),
		cmocka_unit_test(reader_reports_overlong_lines_once),
		cmocka_unit_test(executes_on_an_empty_machine),
		cmocka_unit_test(replay_century_is_the_platform_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
