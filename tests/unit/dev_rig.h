/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A machine for unit tests of one device (or a few): options, a real bus,
 * the platform ops the test records with, devices created from "-device"
 * specs exactly as the machine builder creates them; plus what such tests
 * share: replaying a golden run's config accesses, a qemu-xen golden
 * config dump, and a small deterministic PRNG for random-access tests.
 * Header-only; include after <cmocka.h> (the helpers assert).
 */
#ifndef TESTS_UNIT_DEV_RIG_H
#define TESTS_UNIT_DEV_RIG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/platform.h"
#include "tests/golden/golden.h"

/* m and o zeroed and filled: o's kind, RAM and vCPUs, a new bus, the platform ops (may be NULL). */
static inline void dev_rig_init(struct machine *m, struct machine_opts *o, enum machine_kind kind,
				uint64_t ram_mb, unsigned smp, const struct platform_ops *plat,
				void *plat_opaque)
{
	memset(m, 0, sizeof(*m));
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->ram_mb = ram_mb;
	o->smp = smp;
	m->opts = o;
	m->devs_tail = &m->devs;
	m->bus = bus_new();
	assert_non_null(m->bus);
	m->plat.ops = plat;
	m->plat.opaque = plat_opaque;
}

/* Parse spec (must parse) and realize it: dev_realize's answer; *out the device on success. */
static inline int dev_rig_add(struct machine *m, const char *spec, struct dm_dev **out)
{
	char err[256];
	struct dm_dev *d;
	int ret;

	assert_int_equal(dev_parse(m, spec, &d, err, sizeof(err)), 0);
	ret = dev_realize(d);
	if (!ret && out)
		*out = d;
	return ret;
}

/* Every device freed in creation order, then the bus and the loop (if the test made one). */
static inline void dev_rig_free(struct machine *m)
{
	while (m->devs) {
		struct dm_dev *d = m->devs;

		m->devs = d->next;
		dev_free(d);
	}
	bus_free(m->bus);
	if (m->loop)
		loop_free(m->loop);
	m->bus = NULL;
	m->loop = NULL;
}

/* ---------------------------------------------------------------- golden config runs */

/* One config access of a golden run, with the value qemu-xen answered ('r') or was given ('w'). */
struct cfg_op {
	char dir;
	uint8_t reg;
	uint8_t size;
	uint32_t data;
};

/* Replay ops on devfn: writes always; reads only with check_reads, each equal to qemu-xen's. */
static inline void cfg_ops_replay(struct bus *bus, unsigned devfn, const struct cfg_op *ops,
				  size_t n, bool check_reads)
{
	for (size_t i = 0; i < n; i++) {
		const struct cfg_op *op = &ops[i];
		uint32_t got;

		if (op->dir == 'w') {
			bus_pci_write(bus, devfn, op->reg, op->data, op->size);
			continue;
		}
		if (!check_reads)
			continue;
		got = bus_pci_read(bus, devfn, op->reg, op->size);
		if (got != op->data)
			fail_msg("access %zu: read %#x/%u = %#x, qemu-xen gave %#x", i, op->reg,
				 op->size, got, op->data);
	}
}

/*
 * The 256 config bytes of bus 0 devfn in the golden log (pci-a.log...):
 * 0, or -ENOENT when the golden directory, the log or the function is not
 * there (the test skips); a malformed dump fails the test.
 */
static inline int golden_log_dump(const char *log, unsigned devfn, uint8_t out[256])
{
	const char *dir = golden_dir();
	char path[4096];
	int ret;

	if (!dir)
		return -ENOENT;
	ret = golden_pci_dump(golden_path(path, sizeof(path), dir, log), devfn, out);
	assert_int_not_equal(ret, -EINVAL);
	return ret;
}

/* ---------------------------------------------------------------- random accesses */

/* The C standard's example LCG: the same sequence on every run and host. */
static inline uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

#endif
