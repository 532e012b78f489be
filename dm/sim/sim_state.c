// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "sim-platform" section (see sim_state.h). Its dev->state is a
 * struct sim_plat: a pointer back to the platform plus the decoded copy of
 * the saved fields; save reads the live platform, load decodes into the
 * scratch copy only, post_load applies it (after every section was valid).
 */
#include "dm/sim/sim_state.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/sim/sim.h"
#include "dm/state.h"

#define SIM_STATE_KEY	  "sim-platform"
#define SIM_STATE_VERSION 1
#define SNAP_HDR_LEN	  12 /* "HVMDMSTA" u32 format */
/* A saved RAM page: u32 page number then its 4 KiB. */
#define PAGE_SIZE_B 4096u
#define PAGE_REC    (4 + PAGE_SIZE_B)

struct sim_plat {
	struct sim *s;
	/* Decoded by load, applied by post_load. */
	uint64_t clock;
	const uint8_t *ram; /* nr_pages page records, into the stream being loaded */
	uint32_t nr_pages;
	bool isa_level[SIM_NR_IRQS];
	uint8_t intx[256];
	uint32_t link_count[4];
	uint8_t link_route[4];
	bool line[SIM_NR_IRQS];
	bool intercept;
	bool reported[SIM_NR_IRQS];
	bool reset_pending;
};

static int bools_put(struct snap_wr *w, const char *name, const bool *v, size_t n)
{
	uint8_t b[SIM_NR_IRQS];

	for (size_t i = 0; i < n; i++)
		b[i] = v[i];
	return snap_bytes(w, name, b, n);
}

static int bools_get(struct snap_rd *r, const char *name, bool *v, size_t n)
{
	uint8_t b[SIM_NR_IRQS];

	if (snap_get_bytes(r, name, b, n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (b[i] > 1) {
			dm_err("state", SIM_STATE_KEY ": %s[%zu] = %u is not a level", name, i,
			       b[i]);
			return -EINVAL;
		}
		v[i] = b[i];
	}
	return 0;
}

static bool page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[PAGE_SIZE_B];

	return !memcmp(p, zero, PAGE_SIZE_B);
}

/* Only the pages that are not all zero (most of a trace's RAM): the stream stays small. */
static int ram_put(struct snap_wr *w, struct sim *s)
{
	uint64_t pages = s->ram.size / PAGE_SIZE_B;
	uint32_t n = 0;
	uint8_t *rec;
	int ret;

	for (uint64_t i = 0; i < pages; i++)
		n += !page_is_zero(s->ram.buf + i * PAGE_SIZE_B);
	rec = malloc(n ? (size_t)n * PAGE_REC : 1);
	if (!rec) {
		if (!w->err)
			w->err = -ENOMEM;
		return w->err;
	}
	n = 0;
	for (uint64_t i = 0; i < pages; i++) {
		const uint8_t *pg = s->ram.buf + i * PAGE_SIZE_B;
		uint8_t *r = rec + (size_t)n * PAGE_REC;

		if (page_is_zero(pg))
			continue;
		for (unsigned b = 0; b < 4; b++)
			r[b] = (uint8_t)(i >> (8 * b));
		memcpy(r + 4, pg, PAGE_SIZE_B);
		n++;
	}
	snap_u32(w, "ram_pages", n);
	ret = snap_bytes(w, "ram", rec, (size_t)n * PAGE_REC);
	free(rec);
	return ret;
}

static uint64_t rec_pfn(const uint8_t *rec)
{
	return (uint64_t)rec[0] | (uint64_t)rec[1] << 8 | (uint64_t)rec[2] << 16 |
	       (uint64_t)rec[3] << 24;
}

/* The records must name pages of this RAM in strictly ascending order. */
static int ram_check(const uint8_t *rec, uint32_t n, uint64_t pages)
{
	uint64_t prev = 0;

	for (uint32_t i = 0; i < n; i++, rec += PAGE_REC) {
		uint64_t pfn = rec_pfn(rec);

		if (pfn >= pages || (i && pfn <= prev)) {
			dm_err("state", SIM_STATE_KEY ": ram page record %u names page %llu (%s)",
			       i, (unsigned long long)pfn,
			       pfn >= pages ? "beyond the RAM" : "out of order");
			return -EINVAL;
		}
		prev = pfn;
	}
	return 0;
}

static int sim_plat_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct sim *s = ((struct sim_plat *)dev->state)->s;
	uint8_t route[4];
	uint32_t counts[4];

	/* The clock first: sim_state_peek_clock reads it before the load. */
	snap_u64(w, "clock", loop_now(s->m.loop));
	snap_u64(w, "ram_size", s->ram.size);
	ram_put(w, s);
	bools_put(w, "isa_level", s->isa_level, SIM_NR_IRQS);
	snap_bytes(w, "intx", s->intx, sizeof(s->intx));
	for (unsigned i = 0; i < 4; i++) {
		counts[i] = s->link_count[i];
		route[i] = s->link_route[i];
	}
	for (unsigned i = 0; i < 4; i++)
		snap_u32(w, "link_count", counts[i]);
	snap_bytes(w, "link_route", route, sizeof(route));
	bools_put(w, "line", s->line, SIM_NR_IRQS);
	snap_u8(w, "intercept", s->intercept);
	bools_put(w, "reported", s->reported, SIM_NR_IRQS);
	return snap_u8(w, "reset_pending", s->reset_pending);
}

static int sim_plat_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct sim_plat *p = dev->state;
	struct sim *s = p->s;
	uint64_t ram_size;
	unsigned pins = 0;

	(void)version;
	if (snap_get_u64(r, "clock", &p->clock) || snap_get_u64(r, "ram_size", &ram_size))
		return -EINVAL;
	if (p->clock < loop_now(s->m.loop)) {
		dm_err("state", SIM_STATE_KEY ": clock %llu ns is behind this process's %llu ns",
		       (unsigned long long)p->clock, (unsigned long long)loop_now(s->m.loop));
		return -EINVAL;
	}
	if (ram_size != s->ram.size) {
		dm_err("state", SIM_STATE_KEY ": ram_size %llu is not this machine's %llu (-m)",
		       (unsigned long long)ram_size, (unsigned long long)s->ram.size);
		return -EINVAL;
	}
	if (snap_get_u32(r, "ram_pages", &p->nr_pages))
		return -EINVAL;
	if (p->nr_pages > s->ram.size / PAGE_SIZE_B) {
		dm_err("state", SIM_STATE_KEY ": ram_pages %u is more than the RAM has",
		       p->nr_pages);
		return -EINVAL;
	}
	if (snap_get_bytes_ref(r, "ram", &p->ram, (size_t)p->nr_pages * PAGE_REC) ||
	    ram_check(p->ram, p->nr_pages, s->ram.size / PAGE_SIZE_B) ||
	    bools_get(r, "isa_level", p->isa_level, SIM_NR_IRQS) ||
	    snap_get_bytes(r, "intx", p->intx, sizeof(p->intx)))
		return -EINVAL;
	for (unsigned i = 0; i < 4; i++)
		if (snap_get_u32(r, "link_count", &p->link_count[i]))
			return -EINVAL;
	if (snap_get_bytes(r, "link_route", p->link_route, sizeof(p->link_route)) ||
	    bools_get(r, "line", p->line, SIM_NR_IRQS) ||
	    snap_get_bool(r, "intercept", &p->intercept) ||
	    bools_get(r, "reported", p->reported, SIM_NR_IRQS) ||
	    snap_get_bool(r, "reset_pending", &p->reset_pending))
		return -EINVAL;
	/* Each link counts the asserted pins routed to it: the sums must agree. */
	for (unsigned i = 0; i < 256; i++) {
		if (p->intx[i] > 0xf) {
			dm_err("state", SIM_STATE_KEY ": intx[%u] = 0x%x has no such pin", i,
			       p->intx[i]);
			return -EINVAL;
		}
		pins += (unsigned)__builtin_popcount(p->intx[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		if (p->link_route[i] >= SIM_NR_IRQS) {
			dm_err("state", SIM_STATE_KEY ": link_route[%u] = %u is no ISA IRQ", i,
			       p->link_route[i]);
			return -EINVAL;
		}
		if (p->link_count[i] > pins) {
			dm_err("state", SIM_STATE_KEY ": link_count[%u] = %u exceeds the %u pins",
			       i, p->link_count[i], pins);
			return -EINVAL;
		}
		pins -= p->link_count[i];
	}
	if (pins) {
		dm_err("state", SIM_STATE_KEY ": link_count does not add up to intx");
		return -EINVAL;
	}
	return 0;
}

/* Runs first (the pseudo-device heads the list): the platform is whole before devices re-drive
 * lines. */
static void sim_plat_post_load(struct dm_dev *dev)
{
	struct sim_plat *p = dev->state;
	struct sim *s = p->s;

	if (p->clock > loop_now(s->m.loop))
		loop_clock_set(s->m.loop, p->clock);
	memset(s->ram.buf, 0, s->ram.size);
	for (uint32_t i = 0; i < p->nr_pages; i++) {
		const uint8_t *rec = p->ram + (size_t)i * PAGE_REC;
		uint64_t pfn = rec_pfn(rec);

		memcpy(s->ram.buf + pfn * PAGE_SIZE_B, rec + 4, PAGE_SIZE_B);
	}
	p->ram = NULL;
	memcpy(s->isa_level, p->isa_level, sizeof(s->isa_level));
	memcpy(s->intx, p->intx, sizeof(s->intx));
	for (unsigned i = 0; i < 4; i++) {
		s->link_count[i] = p->link_count[i];
		s->link_route[i] = p->link_route[i];
	}
	memcpy(s->line, p->line, sizeof(s->line));
	s->intercept = p->intercept;
	memcpy(s->reported, p->reported, sizeof(s->reported));
	s->reset_pending = p->reset_pending;
}

static const struct dev_type sim_plat_type = {
	.name = SIM_STATE_KEY,
	.kind = DEV_KIND_SYS,
	.help = "the standalone platform's RAM, clock and interrupt lines (state only)",
	.state_size = sizeof(struct sim_plat),
	.state_version = SIM_STATE_VERSION,
	.save = sim_plat_save,
	.load = sim_plat_load,
	.post_load = sim_plat_post_load,
};

int sim_state_attach(struct sim *s)
{
	struct machine *m = &s->m;
	struct dm_dev *d = calloc(1, sizeof(*d));
	struct sim_plat *p = calloc(1, sizeof(*p));

	if (!d || !p) {
		free(d);
		free(p);
		return -ENOMEM;
	}
	p->s = s;
	d->type = &sim_plat_type;
	d->m = m;
	d->state = p;
	snprintf(d->name, sizeof(d->name), "%s", SIM_STATE_KEY);
	/* First on the list: its section is the stream's first, its post_load runs first. */
	d->next = m->devs;
	if (!m->devs)
		m->devs_tail = &d->next;
	m->devs = d;
	return 0;
}

int sim_state_peek_clock(const uint8_t *buf, size_t len, uint64_t *ns)
{
	size_t keylen = strlen(SIM_STATE_KEY), at = SNAP_HDR_LEN;
	struct snap_rd r;
	uint32_t bodylen = 0;

	/* 'D' keylen key u32 version u32 bodylen: the first section must be ours. */
	if (len < at + 2 + keylen + 8 || buf[at] != 'D' || buf[at + 1] != keylen ||
	    memcmp(buf + at + 2, SIM_STATE_KEY, keylen)) {
		dm_err("state", "the stream has no " SIM_STATE_KEY
				" section first (not saved by the standalone platform)");
		return -EINVAL;
	}
	at += 2 + keylen + 4;
	for (unsigned i = 0; i < 4; i++)
		bodylen |= (uint32_t)buf[at + i] << (8 * i);
	at += 4;
	if (bodylen > len - at) {
		dm_err("state", SIM_STATE_KEY ": section truncated");
		return -EINVAL;
	}
	snap_rd_init(&r, buf + at, bodylen);
	if (snap_get_u64(&r, "clock", ns)) {
		dm_err("state", SIM_STATE_KEY ": no clock field");
		return -EINVAL;
	}
	return 0;
}
