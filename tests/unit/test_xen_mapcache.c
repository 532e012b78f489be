// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm/xen guest memory and recording against xensim: the mapcache
 * (shared/docs/xen-interface.md §3: 1 MiB buckets mapped on demand and
 * reused, per-page failures for what is not RAM, locked mappings surviving
 * INVALIDATE and the size cap, §3.3 INVALIDATE dropping every unlocked
 * mapping, §5.3 modified_memory under log-dirty) and --record
 * (shared/docs/trace-format.md "Recording").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/loop.h"
#include "dm/memory.h"
#include "dm/sim/trace.h"
#include "dm/xen/xen_int.h"
#include "tests/xensim/xensim_env.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)

static struct env *up_opts(const struct xen_opts *xo)
{
	struct xensim_cfg c = { 0 };
	struct env *e = malloc(sizeof(*e));

	c.domid = ENV_DOMID;
	c.nr_vcpus = 1;
	c.ram_low = 256 * MIB;
	c.ram_high = 8 * MIB;
	assert_non_null(e);
	assert_int_equal(env_setup(e, &c, xo), 0);
	return e;
}

static struct env *up(void)
{
	struct xen_opts xo = { 0 };

	return up_opts(&xo);
}

static void down(struct env *e)
{
	assert_int_equal(xensim_errors(), 0);
	assert_int_equal(env_teardown(e), 0);
	free(e);
}

static struct mapcache_stats stats(struct env *e)
{
	struct mapcache_stats st;

	mapcache_get_stats(xen_of(&e->m)->mc, &st);
	return st;
}

static void run1(struct env *e, struct xensim_req *s, size_t n)
{
	assert_int_equal(xensim_vcpu_start(0, s, n), 0);
	env_run_vcpus(e);
}

/* Reads and writes land in the guest's own pages, low and high RAM, across buckets. */
static void read_write_guest_ram(void **state)
{
	struct env *e = up();
	uint8_t buf[64], back[64];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(gm_write(&e->m.mem, 0x1000, buf, 16), 0);
	assert_memory_equal(xensim_ram(0x1000, 16), buf, 16);
	/* Straddling the 1 MiB bucket boundary. */
	assert_int_equal(gm_write(&e->m.mem, MIB - 32, buf, 64), 0);
	assert_memory_equal(xensim_ram(MIB - 32, 32), buf, 32);
	assert_memory_equal(xensim_ram(MIB, 32), buf + 32, 32);
	memset(back, 0, sizeof(back));
	assert_int_equal(gm_read(&e->m.mem, MIB - 32, back, 64), 0);
	assert_memory_equal(back, buf, 64);
	/* High RAM starts at 4 GiB. */
	assert_int_equal(gm_write(&e->m.mem, 4 * GIB + 0x2345, buf, 8), 0);
	assert_memory_equal(xensim_ram(4 * GIB + 0x2345, 8), buf, 8);
	/* What the guest changes, we see. */
	xensim_ram(0x5000, 1)[0] = 0x5a;
	assert_int_equal(gm_read(&e->m.mem, 0x5000, back, 1), 0);
	assert_int_equal(back[0], 0x5a);
	down(e);
}

/* The VGA hole, memory past RAM and wrapping ranges fail cleanly, nothing copied. */
static void outside_ram_fails(void **state)
{
	struct env *e = up();
	uint8_t buf[16];

	(void)state;
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(gm_read(&e->m.mem, 0xa0000, buf, 4), -EFAULT);
	assert_int_equal(gm_read(&e->m.mem, 0x9fffe, buf, 4), -EFAULT); /* runs into the hole */
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(gm_write(&e->m.mem, 256 * MIB, buf, 4), -EFAULT);
	assert_int_equal(gm_write(&e->m.mem, 4 * GIB + 8 * MIB - 2, buf, 4), -EFAULT);
	assert_int_equal(gm_read(&e->m.mem, ~0ull - 2, buf, 8), -EFAULT);
	assert_int_equal(gm_read(&e->m.mem, 1ull << 60, buf, 8), -EFAULT);
	assert_null(gm_map(&e->m.mem, 0xa0000, 16, true));
	/* RAM just below the hole is fine. */
	assert_int_equal(gm_read(&e->m.mem, 0x9fff0, buf, 16), 0);
	down(e);
}

/* One bucket is mapped once and reused. */
static void buckets_are_reused(void **state)
{
	struct env *e = up();
	uint8_t b[8];
	unsigned i;
	struct mapcache_stats st;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_int_equal(gm_read(&e->m.mem, 2 * MIB + i * 4096, b, 8), 0);
	st = stats(e);
	assert_int_equal(st.maps, 1);
	assert_int_equal(st.entries, 1);
	assert_int_equal(gm_read(&e->m.mem, 3 * MIB, b, 8), 0);
	assert_int_equal(stats(e).maps, 2);
	down(e);
}

/* INVALIDATE drops every mapping nobody holds; a locked one survives until unmapped. */
static void invalidate_drops_unlocked(void **state)
{
	struct env *e = up();
	struct xensim_req inv = env_req(IOREQ_TYPE_INVALIDATE, IOREQ_WRITE, 0, 4, ~0ull);
	uint8_t b[8];
	uint8_t *p;

	(void)state;
	assert_int_equal(gm_read(&e->m.mem, 0, b, 8), 0);
	assert_int_equal(gm_read(&e->m.mem, 5 * MIB, b, 8), 0);
	p = gm_map(&e->m.mem, 9 * MIB + 0x10, 64, true);
	assert_non_null(p);
	p[0] = 0x42;
	assert_int_equal(xensim_ram(9 * MIB + 0x10, 1)[0], 0x42);
	assert_int_equal(stats(e).entries, 3);
	/* The ioreq frames, plus three buckets. */
	assert_int_equal(xensim_live_foreign_maps(), 4);

	inv.count = 0; /* as Xen sends it */
	run1(e, &inv, 1);
	assert_int_equal(inv.outcome, XSIM_DM);
	assert_int_equal(stats(e).entries, 1);
	assert_int_equal(stats(e).locked, 1);
	assert_int_equal(xensim_live_foreign_maps(), 2);
	p[1] = 0x43; /* still valid */
	assert_int_equal(xensim_ram(9 * MIB + 0x11, 1)[0], 0x43);

	gm_unmap(&e->m.mem, p, 9 * MIB + 0x10, 64, true);
	run1(e, &inv, 1);
	assert_int_equal(stats(e).entries, 0);
	assert_int_equal(xensim_live_foreign_maps(), 1);
	/* Access after an invalidate maps afresh. */
	assert_int_equal(gm_read(&e->m.mem, 0, b, 8), 0);
	down(e);
}

/* A gm_map wider than a bucket gets one contiguous mapping. */
static void map_spanning_buckets(void **state)
{
	struct env *e = up();
	uint8_t *p;

	(void)state;
	p = gm_map(&e->m.mem, 3 * MIB - 8, 16, true);
	assert_non_null(p);
	memset(p, 0x77, 16);
	assert_int_equal(xensim_ram(3 * MIB - 8, 1)[0], 0x77);
	assert_int_equal(xensim_ram(3 * MIB + 7, 1)[0], 0x77);
	gm_unmap(&e->m.mem, p, 3 * MIB - 8, 16, true);
	assert_int_equal(stats(e).locked, 0);
	down(e);
}

/* The cap: unlocked mappings are dropped to make room, locked ones never. */
static void cap_evicts_unlocked(void **state)
{
	struct xen_opts xo = { .mapcache_max_mb = 64 };
	struct env *e = up_opts(&xo);
	uint8_t b[8], *p;
	unsigned i;

	(void)state;
	p = gm_map(&e->m.mem, 200 * MIB, 8, true);
	assert_non_null(p);
	for (i = 0; i < 150; i++) {
		assert_int_equal(gm_read(&e->m.mem, (uint64_t)i * MIB, b, 8), 0);
		assert_true(stats(e).mapped_bytes <= 64 * MIB);
	}
	assert_int_equal(stats(e).locked, 1);
	p[0] = 1;
	assert_int_equal(xensim_ram(200 * MIB, 1)[0], 1);
	gm_unmap(&e->m.mem, p, 200 * MIB, 8, true);
	down(e);
}

/* §5.3: under log-dirty every DM write to guest RAM is reported by page, and only then. */
static void log_dirty_reports_writes(void **state)
{
	struct env *e = up();
	uint8_t buf[0x20] = { 0 };
	struct xensim_req ins = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_FIFO_PORT, 2, 0x7ffe);
	size_t mark;

	(void)state;
	mark = xensim_log_count();
	assert_int_equal(gm_write(&e->m.mem, 0x1ff0, buf, 0x20), 0);
	assert_true(xensim_log_find_prefix("modified", mark) < 0);

	xen_backend_set_log_dirty(&e->m, true);
	mark = xensim_log_count();
	assert_int_equal(gm_write(&e->m.mem, 0x1ff0, buf, 0x20), 0);
	assert_string_equal(xensim_log_line(mark), "modified 0x1 2");
	/* A REP INSW straight into RAM is a DM write too. */
	ins.data_is_ptr = true;
	ins.count = 2;
	mark = xensim_log_count();
	run1(e, &ins, 1);
	assert_true(xensim_log_find("modified 0x7 1", mark) >= 0);
	assert_true(xensim_log_find("modified 0x8 1", mark) >= 0);

	xen_backend_set_log_dirty(&e->m, false);
	mark = xensim_log_count();
	assert_int_equal(gm_write(&e->m.mem, 0x1ff0, buf, 0x20), 0);
	assert_true(xensim_log_find_prefix("modified", mark) < 0);
	down(e);
}

/* ------------------------------------------------------------ recording */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Every request in trace format; a PTR write carries the guest memory it read. */
static void record_trace(void **state)
{
	char path[] = "/tmp/hvmdm-record-XXXXXX";
	int fd = mkstemp(path);
	struct xen_opts xo = { 0 };
	struct env *e;
	struct xensim_req s[8];
	static const char want[] =
		"# hvmdm recording of domain 7\n"
		"bufioreq 0xa0010 2 0xbeef\n"
		"inb 0x511\n"
		"#= OK 0x0056\n"
		"outw 0x510 0xabcd\n"
		"#= OK\n"
		"write 0x30000 4 0x11223344\n"
		"ioreq pio w 0x1f0 2 2 0 1 0x30000\n"
		"#= OK 0x0000000000030000\n"
		"ioreq copy r 0xfebf0008 8 1 0 0 0x0\n"
		"#= OK 0x0000000000000000\n"
		"pcicfg r 0000:00:03.0 16 4\n"
		"#= OK 0x180010\n"
		"pcicfg w 0000:00:03.0 4 2 0x107\n"
		"#= OK\n"
		"invalidate\n"
		"#= OK\n";

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	xo.record = path;
	e = up_opts(&xo);
	s[0] = env_req(IOREQ_TYPE_COPY, IOREQ_WRITE, ENV_VGA_BASE + 0x10, 2, 0xbeef);
	s[0].buffer_ok = true;
	s[1] = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT + 1, 1, 0);
	s[2] = env_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_REG_PORT, 2, 0xabcd);
	s[3] = env_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_FIFO_PORT, 2, 0x30000);
	s[3].data_is_ptr = true;
	s[3].count = 2;
	s[4] = env_req(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE + 8, 8, 0);
	s[5] = env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_READ, (uint64_t)ENV_PCI_DEVFN << 32 | 0x10, 4,
		       0);
	s[6] = env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE, (uint64_t)ENV_PCI_DEVFN << 32 | 4, 2,
		       0x107);
	s[7] = env_req(IOREQ_TYPE_INVALIDATE, IOREQ_WRITE, 0, 4, ~0ull);
	memcpy(xensim_ram(0x30000, 4), "\x11\x22\x33\x44", 4);
	run1(e, s, 8);
	down(e);
	assert_string_equal(slurp(path), want);
	unlink(path);
}

/* Every line the recorder writes is one the replay parser takes, meaning the same request. */
static void record_lines_parse(void **state)
{
	static const char *const lines[] = {
		"bufioreq 0xa0010 2 0xbeef",
		"inb 0x511",
		"outw 0x510 0xabcd",
		"write 0x30000 4 0x11223344",
		"ioreq pio w 0x1f0 2 2 1 1 0x30000",
		"ioreq copy r 0xfebf0008 8 1 0 0 0x0",
		"pcicfg r 0000:00:03.0 16 4",
		"pcicfg w 0000:00:03.0 4 2 0x107",
		"invalidate",
		"#= OK 0x0056",
	};
	static const enum trace_op ops[] = {
		TOP_BUFIOREQ, TOP_IN, TOP_OUT, TOP_WRITE, TOP_IOREQ,
		TOP_IOREQ, TOP_PCICFG, TOP_PCICFG, TOP_INVALIDATE, TOP_NONE,
	};
	struct trace_cmd cmd;
	char err[128];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		memset(&cmd, 0, sizeof(cmd));
		err[0] = 0;
		if (trace_parse(lines[i], strlen(lines[i]), &cmd, err, sizeof(err)))
			fail_msg("\"%s\": %s", lines[i], err);
		assert_int_equal(cmd.op, ops[i]);
		if (i == 4) {
			assert_int_equal(cmd.req.type, DM_IOREQ_PIO);
			assert_int_equal(cmd.req.dir, DM_IOREQ_WRITE);
			assert_int_equal(cmd.req.addr, 0x1f0);
			assert_int_equal(cmd.req.size, 2);
			assert_int_equal(cmd.req.count, 2);
			assert_true(cmd.req.df);
			assert_true(cmd.req.data_is_ptr);
			assert_int_equal(cmd.req.data, 0x30000);
		}
		if (i == 6) {
			assert_int_equal(cmd.req.type, DM_IOREQ_PCI_CONFIG);
			assert_int_equal(cmd.req.addr, (uint64_t)ENV_PCI_DEVFN << 32 | 16);
			assert_int_equal(cmd.req.size, 4);
		}
		trace_cmd_free(&cmd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_write_guest_ram),
		cmocka_unit_test(outside_ram_fails),
		cmocka_unit_test(buckets_are_reused),
		cmocka_unit_test(invalidate_drops_unlocked),
		cmocka_unit_test(map_spanning_buckets),
		cmocka_unit_test(cap_evicts_unlocked),
		cmocka_unit_test(log_dirty_reports_writes),
		cmocka_unit_test(record_trace),
		cmocka_unit_test(record_lines_parse),
	};
	return cmocka_run_group_tests_name("xen_mapcache", tests, NULL, NULL);
}
