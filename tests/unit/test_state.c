// SPDX-License-Identifier: GPL-2.0-only
/*
 * state: the field codec (names, widths, lengths checked), whole-machine
 * save/load round trip, and rejection of truncated, corrupted, unknown,
 * duplicate, missing and too-new input without touching any device state.
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
#include "dm/growbuf.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"

/* A test device with one field of every width; version 2 added "d". */
struct ctr_state {
	uint8_t a;
	uint16_t b;
	uint32_t c;
	uint64_t d;
	uint8_t blob[5];
	unsigned post_loads; /* not saved */
};

static int ctr_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct ctr_state *s = dev->state;

	snap_u8(w, "a", s->a);
	snap_u16(w, "b", s->b);
	snap_u32(w, "c", s->c);
	snap_u64(w, "d", s->d);
	return snap_bytes(w, "blob", s->blob, sizeof(s->blob));
}

static int ctr_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct ctr_state *s = dev->state;
	int ret = 0;

	ret |= snap_get_u8(r, "a", &s->a);
	ret |= snap_get_u16(r, "b", &s->b);
	ret |= snap_get_u32(r, "c", &s->c);
	if (version >= 2)
		ret |= snap_get_u64(r, "d", &s->d);
	ret |= snap_get_bytes(r, "blob", s->blob, sizeof(s->blob));
	if (ret)
		return -EINVAL;
	/* a semantic check: the device's own invariant */
	return s->a == 0xee ? -EINVAL : 0;
}

static void ctr_post_load(struct dm_dev *dev)
{
	((struct ctr_state *)dev->state)->post_loads++;
}

static const struct prop_desc ctr_props[] = {
	{ "n", PROP_INT, "0", 0, 100, "seed" },
	{ 0 },
};

static const struct dev_type ctr_type = {
	.name = "ctr",
	.kind = DEV_KIND_SYS,
	.props = ctr_props,
	.state_size = sizeof(struct ctr_state),
	.state_version = 2,
	.save = ctr_save,
	.load = ctr_load,
	.post_load = ctr_post_load,
};

static const struct dev_type quiet_type = {
	.name = "quiet",
	.kind = DEV_KIND_SYS,
	.state_size = 4,
};

const struct dev_type *const dev_types[] = { &ctr_type, &quiet_type, NULL };

/* ---------------------------------------------------------------- codec */

static void codec_round_trip(void **state)
{
	struct snap_wr w;
	struct snap_rd r;
	uint8_t u8v, blob[3];
	uint16_t u16v;
	uint32_t u32v;
	uint64_t u64v;

	(void)state;
	snap_wr_init(&w);
	assert_int_equal(snap_u8(&w, "x", 0xab), 0);
	snap_u16(&w, "y", 0xbeef);
	snap_u32(&w, "z", 0xdeadbeef);
	snap_u64(&w, "q", 0x0123456789abcdefull);
	snap_bytes(&w, "blob", "\x01\x02\x03", 3);
	assert_int_equal(w.err, 0);
	/* little-endian on the wire: the u16 "y" is 01 'y' 02 ef be */
	assert_memory_equal(w.buf + 4, "\x01y\x02\xef\xbe", 5);

	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_u8(&r, "x", &u8v), 0);
	assert_int_equal(u8v, 0xab);
	assert_int_equal(snap_get_u16(&r, "y", &u16v), 0);
	assert_int_equal(u16v, 0xbeef);
	assert_int_equal(snap_get_u32(&r, "z", &u32v), 0);
	assert_int_equal(u32v, 0xdeadbeef);
	assert_int_equal(snap_get_u64(&r, "q", &u64v), 0);
	assert_true(u64v == 0x0123456789abcdefull);
	assert_int_equal(snap_get_bytes(&r, "blob", blob, 3), 0);
	assert_memory_equal(blob, "\x01\x02\x03", 3);
	assert_int_equal(r.pos, r.len);
	/* reading past the end */
	assert_int_equal(snap_get_u8(&r, "x", &u8v), -EINVAL);
	snap_wr_free(&w);
}

static void codec_rejects_mismatch(void **state)
{
	struct snap_wr w;
	struct snap_rd r;
	uint8_t u8v = 7, blob[4];
	uint16_t u16v = 7;
	uint32_t u32v = 7;

	(void)state;
	snap_wr_init(&w);
	snap_u16(&w, "y", 1);
	snap_bytes(&w, "blob", "abc", 3);

	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_u16(&r, "Y", &u16v), -EINVAL); /* name */
	assert_int_equal(u16v, 7);
	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_u32(&r, "y", &u32v), -EINVAL); /* width */
	assert_int_equal(u32v, 7);
	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_u8(&r, "y", &u8v), -EINVAL);
	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_u16(&r, "y", &u16v), 0);
	assert_int_equal(snap_get_bytes(&r, "blob", blob, 4), -EINVAL); /* length */
	/* errors are sticky */
	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_u8(&r, "y", &u8v), -EINVAL);
	assert_int_equal(snap_get_u16(&r, "y", &u16v), -EINVAL);
	/* every truncation of the body fails cleanly */
	for (size_t n = 0; n < w.len; n++) {
		snap_rd_init(&r, w.buf, n);
		int ret = snap_get_u16(&r, "y", &u16v);

		ret |= snap_get_bytes(&r, "blob", blob, 3);
		assert_int_equal(ret, -EINVAL);
	}
	snap_wr_free(&w);
}

/* snap_get_bool: a u8 of 0 or 1; any other value or width is refused, *v untouched. */
static void codec_bool(void **state)
{
	struct snap_wr w;
	struct snap_rd r;
	bool v = true;

	(void)state;
	snap_wr_init(&w);
	snap_u8(&w, "f", 0);
	snap_u8(&w, "t", 1);
	snap_u8(&w, "bad", 2);
	snap_u16(&w, "wide", 1);
	assert_int_equal(w.err, 0);

	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(snap_get_bool(&r, "f", &v), 0);
	assert_false(v);
	assert_int_equal(snap_get_bool(&r, "t", &v), 0);
	assert_true(v);
	assert_int_equal(snap_get_bool(&r, "bad", &v), -EINVAL);
	assert_true(v);
	assert_int_equal(snap_get_bool(&r, "wide", &v), -EINVAL);
	assert_true(v);
	snap_wr_free(&w);
}

static void writer_rejects_long_names_and_nesting(void **state)
{
	struct snap_wr w;
	char name[300];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snap_wr_init(&w);
	assert_int_equal(snap_u8(&w, name, 1), -EINVAL);
	assert_int_equal(snap_end_dev(&w), -EINVAL);
	snap_wr_free(&w);
	snap_wr_init(&w);
	assert_int_equal(snap_begin_dev(&w, "a", 1), 0);
	assert_int_equal(snap_begin_dev(&w, "b", 1), -EINVAL);
	snap_wr_free(&w);
}

/* ---------------------------------------------------------------- machine */

struct rig {
	struct machine m;
	struct dm_dev *c1, *c2, *q, *c3;
};

static struct dm_dev *add(struct rig *g, const char *spec)
{
	struct dm_dev *d;
	char err[128];

	assert_int_equal(dev_parse(&g->m, spec, &d, err, sizeof(err)), 0);
	assert_int_equal(dev_realize(d), 0);
	return d;
}

static void set_ctr(struct dm_dev *d, uint8_t seed)
{
	struct ctr_state *s = d->state;

	s->a = seed;
	s->b = (uint16_t)(seed * 0x101);
	s->c = seed * 0x01010101u;
	s->d = seed * 0x0101010101010101ull;
	memset(s->blob, seed ^ 0x5a, sizeof(s->blob));
}

static char *log_buf;
static size_t log_len;
static FILE *log_f;

static int rig_setup(void **state)
{
	struct rig *g = calloc(1, sizeof(*g));

	log_f = open_memstream(&log_buf, &log_len);
	log_set_stream(log_f);
	g->c1 = add(g, "ctr,id=one");
	g->q = add(g, "quiet");
	g->c2 = add(g, "ctr");
	g->c3 = add(g, "ctr"); /* same name as c2: keyed "ctr#2" */
	set_ctr(g->c1, 0x11);
	set_ctr(g->c2, 0x22);
	set_ctr(g->c3, 0x33);
	*state = g;
	return 0;
}

static int rig_teardown(void **state)
{
	struct rig *g = *state;
	struct dm_dev *d = g->m.devs, *next;

	for (; d; d = next) {
		next = d->next;
		dev_free(d);
	}
	free(g);
	log_set_stream(NULL);
	fclose(log_f);
	free(log_buf);
	return 0;
}

static void save(struct rig *g, struct snap_wr *w)
{
	snap_wr_init(w);
	assert_int_equal(dm_state_save(&g->m, w), 0);
}

/* The three devices' states, to compare before and after a failed load. */
static void snapshot(struct rig *g, struct ctr_state out[3])
{
	out[0] = *(struct ctr_state *)g->c1->state;
	out[1] = *(struct ctr_state *)g->c2->state;
	out[2] = *(struct ctr_state *)g->c3->state;
}

static void assert_unchanged(struct rig *g, const struct ctr_state before[3])
{
	struct ctr_state now[3];

	snapshot(g, now);
	assert_memory_equal(now, before, sizeof(now));
}

static void machine_round_trip(void **state)
{
	struct rig *g = *state;
	struct snap_wr w;
	struct ctr_state *s1 = g->c1->state, *s3 = g->c3->state;

	save(g, &w);
	assert_memory_equal(w.buf, "HVMDMSTA\x01\x00\x00\x00", 12);
	assert_int_equal(w.buf[w.len - 1], 'E');
	assert_non_null(memmem(w.buf, w.len, "ctr@one", 7));
	assert_non_null(memmem(w.buf, w.len, "ctr#2", 5));
	assert_null(memmem(w.buf, w.len, "quiet", 5));
	set_ctr(g->c1, 0);
	set_ctr(g->c2, 0);
	set_ctr(g->c3, 0);
	assert_int_equal(dm_state_load(&g->m, w.buf, w.len), 0);
	assert_int_equal(s1->a, 0x11);
	assert_int_equal(s1->b, 0x1111);
	assert_int_equal(s1->c, 0x11111111);
	assert_true(s1->d == 0x1111111111111111ull);
	assert_memory_equal(s1->blob, "\x4b\x4b\x4b\x4b\x4b", 5);
	assert_int_equal(((struct ctr_state *)g->c2->state)->a, 0x22);
	assert_int_equal(s3->a, 0x33);
	assert_int_equal(s1->post_loads, 1);
	assert_int_equal(s3->post_loads, 1);
	snap_wr_free(&w);
}

static void every_truncation_rejected(void **state)
{
	struct rig *g = *state;
	struct ctr_state before[3];
	struct snap_wr w;

	save(g, &w);
	set_ctr(g->c1, 1);
	snapshot(g, before);
	for (size_t n = 0; n < w.len; n++) {
		uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overrun */

		memcpy(copy, w.buf, n);
		assert_int_equal(dm_state_load(&g->m, copy, n), -EINVAL);
		free(copy);
		assert_unchanged(g, before);
	}
	/* trailing bytes after the end marker */
	uint8_t *longer = malloc(w.len + 1);
	memcpy(longer, w.buf, w.len);
	longer[w.len] = 0;
	assert_int_equal(dm_state_load(&g->m, longer, w.len + 1), -EINVAL);
	assert_unchanged(g, before);
	free(longer);
	snap_wr_free(&w);
}

/* Every single-byte corruption either loads cleanly or changes nothing. */
static void corruption_never_crashes(void **state)
{
	struct rig *g = *state;
	static const uint8_t xors[] = { 0x01, 0x80, 0xff, 0x10 };
	struct ctr_state before[3];
	struct snap_wr w;
	unsigned rejected = 0;

	save(g, &w);
	uint8_t *copy = malloc(w.len);
	for (size_t i = 0; i < w.len; i++) {
		for (size_t k = 0; k < sizeof(xors); k++) {
			set_ctr(g->c1, 1);
			set_ctr(g->c2, 2);
			set_ctr(g->c3, 3);
			snapshot(g, before);
			memcpy(copy, w.buf, w.len);
			copy[i] ^= xors[k];
			int ret = dm_state_load(&g->m, copy, w.len);

			assert_true(ret == 0 || ret == -EINVAL);
			if (ret) {
				assert_unchanged(g, before);
				rejected++;
			}
		}
	}
	assert_true(rejected > 0);
	/* random garbage */
	srand(7);
	for (int t = 0; t < 2000; t++) {
		size_t n = (size_t)(rand() % 64);

		snapshot(g, before);
		for (size_t i = 0; i < n && i < w.len; i++)
			copy[i] = (uint8_t)rand();
		if (t & 1 && n >= 12)
			memcpy(copy, "HVMDMSTA\x01\0\0\0", 12);
		assert_int_equal(dm_state_load(&g->m, copy, n < w.len ? n : w.len), -EINVAL);
		assert_unchanged(g, before);
	}
	free(copy);
	snap_wr_free(&w);
}

/* Offset of the version of the first section ("ctr@one"). */
static size_t first_version_at(void)
{
	return 12 + 1 + 1 + strlen("ctr@one");
}

static void version_checks(void **state)
{
	struct rig *g = *state;
	struct ctr_state before[3];
	struct snap_wr w;
	size_t at = first_version_at();

	save(g, &w);
	assert_int_equal(w.buf[at], 2);
	set_ctr(g->c1, 5);
	snapshot(g, before);
	/* newer than the type knows */
	w.buf[at] = 3;
	assert_int_equal(dm_state_load(&g->m, w.buf, w.len), -EINVAL);
	assert_unchanged(g, before);
	/* older: the device's load is told, and version 1 has no "d" -> leftover field */
	w.buf[at] = 1;
	assert_int_equal(dm_state_load(&g->m, w.buf, w.len), -EINVAL);
	assert_unchanged(g, before);
	/* stream format version */
	w.buf[at] = 2;
	w.buf[8] = 2;
	assert_int_equal(dm_state_load(&g->m, w.buf, w.len), -EINVAL);
	assert_unchanged(g, before);
	w.buf[8] = 1;
	w.buf[0] = 'X';
	assert_int_equal(dm_state_load(&g->m, w.buf, w.len), -EINVAL);
	assert_unchanged(g, before);
	snap_wr_free(&w);
}

/* A hand-built version-1 section (no "d") loads through the old path. */
static void older_version_loads(void **state)
{
	struct rig *g = *state;
	struct snap_wr w;
	struct ctr_state *s2 = g->c2->state;

	snap_wr_init(&w);
	/* header + sections written by hand through the public writer */
	w.buf = malloc(12);
	memcpy(w.buf, "HVMDMSTA\x01\0\0\0", 12);
	w.len = w.cap = 12;
	const char *keys[] = { "ctr@one", "ctr", "ctr#2" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(snap_begin_dev(&w, keys[i], 1), 0);
		snap_u8(&w, "a", (uint8_t)(0x40 + i));
		snap_u16(&w, "b", 2);
		snap_u32(&w, "c", 3);
		snap_bytes(&w, "blob", "vwxyz", 5);
		assert_int_equal(snap_end_dev(&w), 0);
	}
	uint8_t *buf = malloc(w.len + 1);
	memcpy(buf, w.buf, w.len);
	buf[w.len] = 'E';
	s2->d = 99;
	assert_int_equal(dm_state_load(&g->m, buf, w.len + 1), 0);
	assert_int_equal(s2->a, 0x41);
	assert_int_equal(s2->d, 99); /* untouched by a version-1 load */
	assert_memory_equal(s2->blob, "vwxyz", 5);
	free(buf);
	snap_wr_free(&w);
}

static void section_set_must_match(void **state)
{
	struct rig *g = *state;
	struct ctr_state before[3];
	struct snap_wr w;
	uint8_t *buf;

	save(g, &w);
	set_ctr(g->c1, 9);
	snapshot(g, before);
	buf = malloc(w.len * 2);

	/* unknown key: rename "ctr@one" to "ctr@two" */
	memcpy(buf, w.buf, w.len);
	memcpy(memmem(buf, w.len, "ctr@one", 7), "ctr@two", 7);
	assert_int_equal(dm_state_load(&g->m, buf, w.len), -EINVAL);
	assert_unchanged(g, before);
	assert_non_null(strstr(log_buf, "ctr@two"));

	/* duplicate: "ctr#2" renamed "ctr" gives two "ctr" and no "ctr#2" */
	memcpy(buf, w.buf, w.len);
	uint8_t *k = memmem(buf, w.len, "ctr#2", 5);
	k[-1] = 3;
	/* shift the rest left by 2 to drop "#2" */
	memmove(k + 3, k + 5, w.len - (size_t)(k + 5 - buf));
	assert_int_equal(dm_state_load(&g->m, buf, w.len - 2), -EINVAL);
	assert_unchanged(g, before);

	/* missing: only the header and the end marker */
	memcpy(buf, w.buf, 12);
	buf[12] = 'E';
	assert_int_equal(dm_state_load(&g->m, buf, 13), -EINVAL);
	assert_unchanged(g, before);

	/* a device's own check fails (a == 0xee) in the last section: nothing commits */
	set_ctr(g->c3, 0xee);
	snap_wr_free(&w);
	save(g, &w);
	set_ctr(g->c3, 3);
	snapshot(g, before);
	assert_int_equal(dm_state_load(&g->m, w.buf, w.len), -EINVAL);
	assert_unchanged(g, before);
	free(buf);
	snap_wr_free(&w);
}

/* The writers' grower: doubling from the minimum, the same buffer while it fits, no change on
 * failure. */
static void growbuf_doubles_and_fails_cleanly(void **state)
{
	size_t cap = 0;
	char *b = growbuf(NULL, &cap, 10, 256), *same;

	(void)state;
	assert_non_null(b);
	assert_int_equal(cap, 256);
	same = growbuf(b, &cap, 256, 256);
	assert_ptr_equal(same, b);
	assert_int_equal(cap, 256);
	b = growbuf(b, &cap, 257, 256);
	assert_non_null(b);
	assert_int_equal(cap, 512);
	b = growbuf(b, &cap, 2000, 256);
	assert_non_null(b);
	assert_int_equal(cap, 2048);
	b[2047] = 1;
	assert_null(growbuf(b, &cap, SIZE_MAX / 2 + 1, 256));
	assert_int_equal(cap, 2048);
	free(b);
}

int main(void)
{
#define R(fn) cmocka_unit_test_setup_teardown(fn, rig_setup, rig_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(codec_round_trip),
		cmocka_unit_test(growbuf_doubles_and_fails_cleanly),
		cmocka_unit_test(codec_rejects_mismatch),
		cmocka_unit_test(codec_bool),
		cmocka_unit_test(writer_rejects_long_names_and_nesting),
		R(machine_round_trip),
		R(every_truncation_rejected),
		R(corruption_never_crashes),
		R(version_checks),
		R(older_version_loads),
		R(section_set_must_match),
	};
#undef R

	return cmocka_run_group_tests(tests, NULL, NULL);
}
