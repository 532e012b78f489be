/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A machine for PCI unit tests: a real bus whose listener records every
 * claim and release, and a platform that records INTx levels, PIRQ routes
 * and lifecycle requests. Header-only; include once per test program.
 */
#ifndef TESTS_UNIT_PCI_TESTENV_H
#define TESTS_UNIT_PCI_TESTENV_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/machine.h"
#include "dm/platform.h"

#define TE_MAX_EVENTS 64

struct te_claim {
	enum bus_space space;
	uint64_t first, last;
	bool claim;
};

struct te_intx {
	unsigned devfn, pin;
	bool level;
};

struct test_env {
	struct machine m;
	struct machine_opts opts;
	struct te_claim claims[TE_MAX_EVENTS];
	unsigned nclaims;
	int refuse; /* claim_range answers this (0 = accept) for claims */
	struct te_intx intx[TE_MAX_EVENTS];
	unsigned nintx;
	unsigned route[4]; /* last route per link, 0xff never told */
	unsigned nroutes;
	unsigned requests[3];
};

static int te_claim_range(void *opaque, enum bus_space space, uint64_t first, uint64_t last,
			  bool claim)
{
	struct test_env *te = opaque;

	if (claim && te->refuse)
		return te->refuse;
	if (te->nclaims < TE_MAX_EVENTS)
		te->claims[te->nclaims++] = (struct te_claim){ space, first, last, claim };
	return 0;
}

static void te_pci_intx(void *opaque, unsigned devfn, unsigned pin, bool level)
{
	struct test_env *te = opaque;

	if (te->nintx < TE_MAX_EVENTS)
		te->intx[te->nintx++] = (struct te_intx){ devfn, pin, level };
}

static void te_link_route(void *opaque, unsigned link, unsigned irq)
{
	struct test_env *te = opaque;

	te->route[link & 3] = irq;
	te->nroutes++;
}

static void te_request(void *opaque, enum plat_request req)
{
	struct test_env *te = opaque;

	if ((unsigned)req < 3)
		te->requests[req]++;
}

static const struct platform_ops te_plat_ops = {
	.pci_intx = te_pci_intx,
	.pci_link_route = te_link_route,
	.request = te_request,
};

static inline struct test_env *te_new(void)
{
	struct test_env *te = calloc(1, sizeof(*te));
	struct bus_listener l;

	if (!te)
		return NULL;
	te->m.bus = bus_new();
	if (!te->m.bus) {
		free(te);
		return NULL;
	}
	l = (struct bus_listener){ .claim_range = te_claim_range, .opaque = te };
	bus_set_listener(te->m.bus, &l);
	te->m.plat.ops = &te_plat_ops;
	te->m.plat.opaque = te;
	te->opts.kind = MACHINE_XENFV;
	te->opts.ram_mb = 128;
	te->m.opts = &te->opts;
	te->m.devs_tail = &te->m.devs;
	for (unsigned i = 0; i < 4; i++)
		te->route[i] = 0xff;
	return te;
}

static inline void te_free(struct test_env *te)
{
	if (!te)
		return;
	bus_free(te->m.bus);
	free(te);
}

static inline void te_clear(struct test_env *te)
{
	te->nclaims = 0;
	te->nintx = 0;
	te->nroutes = 0;
	memset(te->requests, 0, sizeof(te->requests));
}

/* Create and realize one device from a "-device" spec; NULL if it does not parse or fails. */
static inline struct dm_dev *te_add(struct test_env *te, const char *spec)
{
	struct dm_dev *dev = NULL;
	char err[128];

	if (dev_parse(&te->m, spec, &dev, err, sizeof(err)) || dev_realize(dev))
		return NULL;
	return dev;
}

/* Free every device, last created first (as machine_teardown does). */
static inline void te_remove_all(struct test_env *te)
{
	while (te->m.devs) {
		struct dm_dev **pp = &te->m.devs;

		while ((*pp)->next)
			pp = &(*pp)->next;
		struct dm_dev *d = *pp;
		*pp = NULL;
		dev_free(d);
	}
	te->m.devs_tail = &te->m.devs;
}

/* CONFIG_ADDRESS for bus 0 devfn reg, enable bit set. */
static inline uint32_t te_cf8(unsigned devfn, unsigned reg)
{
	return 0x80000000u | (devfn & 0xff) << 8 | (reg & 0xfc);
}

#endif
