// SPDX-License-Identifier: GPL-2.0-only
/* The dm/xen test machine (xensim_env.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/loop.h"
#include "tests/xensim/xensim_env.h"

#define ENV_OF(m) ((struct env *)((char *)(m)-offsetof(struct env, m)))

static void log_access(struct env *e, uint8_t space, uint32_t devfn, uint64_t addr, uint64_t val,
		       unsigned size)
{
	if (e->nlog < ENV_LOG_MAX)
		e->log[e->nlog++] = (struct env_access){ space, (uint8_t)size, devfn, addr, val };
}

static uint64_t reg_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	return (0x12345678ull >> (8 * off)) & ((1ull << (8 * size)) - 1);
}

static void reg_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	log_access(opaque, 'p', 0, ENV_REG_PORT + off, val, size);
}

static const struct region_ops reg_ops = {
	.read = reg_read,
	.write = reg_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

static uint64_t fifo_read(void *opaque, uint64_t off, unsigned size)
{
	struct env *e = opaque;

	(void)off;
	(void)size;
	return e->fifo_next++;
}

static void fifo_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	log_access(opaque, 'p', 0, ENV_FIFO_PORT + off, val, size);
}

static const struct region_ops fifo_ops = {
	.read = fifo_read,
	.write = fifo_write,
	.min_size = 2,
	.max_size = 2,
};

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct env *e = opaque;
	uint64_t v = 0;

	memcpy(&v, e->mmio_mem + off, size);
	return v;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct env *e = opaque;

	memcpy(e->mmio_mem + off, &val, size);
	log_access(e, 'm', 0, ENV_MMIO_BASE + off, val, size);
}

static const struct region_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.min_size = 1,
	.max_size = 8,
};

static uint64_t vga_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)size;
	return off & 0xff;
}

static void vga_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	log_access(opaque, 'm', 0, ENV_VGA_BASE + off, val, size);
}

static const struct region_ops vga_ops = {
	.read = vga_read,
	.write = vga_write,
	.min_size = 1,
	.max_size = 8,
};

static uint32_t cfg_read(void *opaque, unsigned reg, unsigned size)
{
	(void)opaque;
	return (uint32_t)((ENV_PCI_DEVFN << 16 | reg) & (size == 4 ? ~0u : (1u << (8 * size)) - 1));
}

static void cfg_write(void *opaque, unsigned reg, uint32_t val, unsigned size)
{
	log_access(opaque, 'c', ENV_PCI_DEVFN, reg, val, size);
}

static const struct pci_cfg_ops cfg_ops = { .read = cfg_read, .write = cfg_write };

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0;
}

static void ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct env *e = opaque;

	(void)off;
	(void)size;
	if (val >= 1 && val <= 3)
		plat_request(&e->m.plat, (enum plat_request)(val - 1));
}

static const struct region_ops ctl_ops = { .read = ctl_read, .write = ctl_write };

static void count_reset(struct machine *m)
{
	ENV_OF(m)->resets++;
}

static void region_init(struct region *r, const char *name, enum bus_space space, uint64_t base,
			uint64_t len, const struct region_ops *ops, void *opaque)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->space = space;
	r->base = base;
	r->len = len;
	r->ops = ops;
	r->opaque = opaque;
}

int env_setup(struct env *e, const struct xensim_cfg *cfg, const struct xen_opts *xo)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->log = calloc(ENV_LOG_MAX, sizeof(*e->log));
	if (!e->log)
		return -ENOMEM;
	rc = xensim_init(cfg);
	if (rc)
		return rc;
	e->mo.domid = cfg->domid;
	e->m.opts = &e->mo;
	e->m.bus = bus_new();
	e->m.loop = loop_new(true);
	if (!e->m.bus || !e->m.loop)
		return -ENOMEM;
	e->m.io.bus = e->m.bus;
	e->xo = *xo;
	e->xo.domid = cfg->domid;
	if (!e->xo.system_reset)
		e->xo.system_reset = count_reset;
	rc = xen_backend_init(&e->m, &e->xo);
	if (rc)
		return rc;
	region_init(&e->reg, "reg", BUS_PIO, ENV_REG_PORT, 4, &reg_ops, e);
	region_init(&e->fifo, "fifo", BUS_PIO, ENV_FIFO_PORT, 2, &fifo_ops, e);
	region_init(&e->mmio, "ram", BUS_MMIO, ENV_MMIO_BASE, 4096, &mmio_ops, e);
	region_init(&e->vga, "vga", BUS_MMIO, ENV_VGA_BASE, 0x20000, &vga_ops, e);
	region_init(&e->ctl, "ctl", BUS_PIO, ENV_CTL_PORT, 1, &ctl_ops, e);
	rc = bus_add(e->m.bus, &e->reg);
	if (!rc)
		rc = bus_add(e->m.bus, &e->fifo);
	if (!rc)
		rc = bus_add(e->m.bus, &e->mmio);
	if (!rc)
		rc = bus_add(e->m.bus, &e->vga);
	if (!rc)
		rc = bus_add(e->m.bus, &e->ctl);
	if (!rc)
		rc = bus_pci_attach(e->m.bus, ENV_PCI_DEVFN, &cfg_ops, e);
	if (!rc)
		rc = xen_backend_start(&e->m);
	return rc;
}

int env_teardown(struct env *e)
{
	int rc = 0;

	xensim_vcpu_join_all();
	if (e->m.plat.ops)
		xen_backend_fini(&e->m);
	if (xensim_live_foreign_maps() || xensim_open_handles() || xensim_server_exists()) {
		fprintf(stderr, "teardown left %u mappings, %u handles, server %d\n",
			xensim_live_foreign_maps(), xensim_open_handles(), xensim_server_exists());
		rc = -1;
	}
	if (e->m.bus)
		bus_free(e->m.bus);
	if (e->m.loop)
		loop_free(e->m.loop);
	xensim_fini();
	free(e->log);
	e->log = NULL;
	return rc;
}

void env_run_vcpus(struct env *e)
{
	while (!xensim_vcpus_done())
		loop_iterate(e->m.loop, 20);
	xensim_vcpu_join_all();
}

struct xensim_req env_req(uint8_t type, uint8_t dir, uint64_t addr, uint32_t size, uint64_t data)
{
	struct xensim_req r = { 0 };

	r.type = type;
	r.dir = dir;
	r.addr = addr;
	r.size = size;
	r.count = 1;
	r.data = data;
	return r;
}
