// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm/xen lifecycle, claims, interrupts and xenstore against xensim
 * (shared/docs/xen-interface.md §1.2 start-up order, §1.3 stop/cont, §1.4
 * shutdown/reboot/S3, §1.5 teardown on SIGTERM/SIGINT/SIGHUP, §2.5 claims
 * of ranges and PCI functions kept in step with BAR moves, §4 interrupt
 * calls, §7.2 the device-model state node).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/loop.h"
#include "hw/pci/pci.h"
#include "dm/xen/xen_int.h"
#include "tests/xensim/xensim_env.h"

#define STATE_PATH "/local/domain/0/device-model/7/state"

static struct xensim_cfg cfg(unsigned vcpus)
{
	struct xensim_cfg c = { 0 };

	c.domid = ENV_DOMID;
	c.nr_vcpus = vcpus;
	c.ram_low = 16ull << 20;
	return c;
}

static struct env *up(const struct xensim_cfg *c, const struct xen_opts *xo)
{
	struct env *e = malloc(sizeof(*e));

	assert_non_null(e);
	assert_int_equal(env_setup(e, c, xo), 0);
	return e;
}

static void down(struct env *e)
{
	assert_int_equal(xensim_errors(), 0);
	assert_int_equal(env_teardown(e), 0);
	free(e);
}

static long find(const char *line)
{
	long i = xensim_log_find(line, 0);

	if (i < 0) {
		xensim_log_dump();
		fail_msg("xensim log has no \"%s\"", line);
	}
	return i;
}

static void assert_absent_prefix(const char *prefix, size_t from)
{
	if (xensim_log_find_prefix(prefix, from) >= 0) {
		xensim_log_dump();
		fail_msg("unexpected \"%s...\" in the xensim log", prefix);
	}
}

/* ------------------------------------------------------------ start-up */

/*
 * §1.2: create (atomic buffered ioreqs) -> map frames -> server info ->
 * enable -> only then bind each vCPU's vp_eport and the buffered port.
 */
static void startup_order(void **state)
{
	struct xensim_cfg c = cfg(3);
	struct xen_opts xo = { 0 };
	struct env *e;
	long create, map, info, enable, b0, b2, buf;

	(void)state;
	e = up(&c, &xo);
	create = find("create_ioreq_server 2");
	map = find("map_resource 0 2");
	info = find("get_ioreq_server_info");
	enable = find("set_state 1");
	b0 = find("bind_interdomain 32 -> 200");
	b2 = find("bind_interdomain 34 -> 202");
	buf = find("bind_interdomain 16 -> 203");
	assert_true(create < map && map < info && info < enable);
	assert_true(enable < b0 && b0 < b2 && b2 < buf);
	/* The machine's ranges are claimed after that, and the state written last. */
	assert_true(find("map_io pio 0x510-0x513") > buf);
	assert_true(find("map_pcidev 0000:00:03.0") > buf);
	assert_true(find("xs_write " STATE_PATH " running") > find("map_pcidev 0000:00:03.0"));
	assert_string_equal(xensim_xs_read(STATE_PATH), "running");
	assert_int_equal(xen_of(&e->m)->nr_vcpus, 3);
	down(e);
}

/* Pre-4.11 Xen: map_resource says EOPNOTSUPP; the gfns from server info are mapped. */
static void legacy_page_mapping(void **state)
{
	struct xensim_cfg c = cfg(2);
	struct xen_opts xo = { 0 };
	struct env *e;
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4, 0);

	(void)state;
	c.no_map_resource = true;
	e = up(&c, &xo);
	assert_true(find("get_ioreq_server_info gfns") < find("set_state 1"));
	assert_absent_prefix("map_resource", 0);
	assert_int_equal(xensim_vcpu_start(1, &s, 1), 0);
	env_run_vcpus(e);
	assert_int_equal(s.result, 0x12345678);
	down(e);
}

/* max_vcpus from the options wins over asking Xen; a failure on the way unwinds. */
static void startup_failure_unwinds(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(xensim_init(&c), 0);
	e.m.bus = bus_new();
	e.m.loop = loop_new(true);
	xo.domid = ENV_DOMID;
	xensim_fail_next("set_ioreq_server_state", EPERM);
	assert_int_not_equal(xen_backend_init(&e.m, &xo), 0);
	assert_null(e.m.plat.ops);
	assert_false(xensim_server_exists());
	assert_int_equal(xensim_open_handles(), 0);
	assert_int_equal(xensim_live_foreign_maps(), 0);
	/* A domain id that is no guest is refused before anything is opened. */
	xo.domid = 0;
	assert_int_equal(xen_backend_init(&e.m, &xo), -EINVAL);
	xo.domid = 0x7ff0;
	assert_int_equal(xen_backend_init(&e.m, &xo), -EINVAL);
	bus_free(e.m.bus);
	loop_free(e.m.loop);
	xensim_fini();
}

/* ------------------------------------------------------------ claims */

static uint64_t rd(void *o, uint64_t off, unsigned size)
{
	(void)o;
	(void)off;
	(void)size;
	return 0;
}

static void wr(void *o, uint64_t off, uint64_t v, unsigned size)
{
	(void)o;
	(void)off;
	(void)v;
	(void)size;
}

static const struct region_ops bar_ops = { .read = rd, .write = wr };

/* A BAR moving claims the new range and releases the old, nothing else. */
static void bar_move_claims(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct region bar = { .name = "bar", .space = BUS_MMIO, .base = 0xf0000000, .len = 0x1000,
			      .ops = &bar_ops };
	struct region io = { .name = "iobar", .space = BUS_PIO, .base = 0xc000, .len = 0x40,
			     .ops = &bar_ops };
	struct env *e;
	size_t mark;

	(void)state;
	e = up(&c, &xo);
	mark = xensim_log_count();
	assert_int_equal(bus_add(e->m.bus, &bar), 0);
	assert_int_equal(bus_add(e->m.bus, &io), 0);
	assert_string_equal(xensim_log_line(mark), "map_io mmio 0xf0000000-0xf0000fff");
	assert_string_equal(xensim_log_line(mark + 1), "map_io pio 0xc000-0xc03f");
	assert_int_equal(xensim_log_count(), mark + 2);

	mark = xensim_log_count();
	assert_int_equal(bus_move(e->m.bus, &bar, 0xf1000000), 0);
	assert_int_equal(bus_move(e->m.bus, &io, 0xc100), 0);
	assert_string_equal(xensim_log_line(mark), "unmap_io mmio 0xf0000000-0xf0000fff");
	assert_string_equal(xensim_log_line(mark + 1), "map_io mmio 0xf1000000-0xf1000fff");
	assert_string_equal(xensim_log_line(mark + 2), "unmap_io pio 0xc000-0xc03f");
	assert_string_equal(xensim_log_line(mark + 3), "map_io pio 0xc100-0xc13f");
	assert_int_equal(xensim_log_count(), mark + 4);
	assert_true(xensim_range_claimed(true, 0xf1000000, 0xf1000fff));
	assert_false(xensim_range_claimed(true, 0xf0000000, 0xf0000000));

	/* Guest accesses follow the claim. */
	{
		struct xensim_req s[] = {
			env_req(IOREQ_TYPE_COPY, IOREQ_READ, 0xf0000000, 4, 0),
			env_req(IOREQ_TYPE_COPY, IOREQ_READ, 0xf1000000, 4, 0),
		};

		assert_int_equal(xensim_vcpu_start(0, s, 2), 0);
		env_run_vcpus(e);
		assert_int_equal(s[0].outcome, XSIM_NULL);
		assert_int_equal(s[1].outcome, XSIM_DM);
		assert_int_equal(s[1].result, 0);
	}

	/* Decode off: released. */
	mark = xensim_log_count();
	bus_del(e->m.bus, &bar);
	bus_del(e->m.bus, &io);
	assert_string_equal(xensim_log_line(mark), "unmap_io mmio 0xf1000000-0xf1000fff");
	assert_string_equal(xensim_log_line(mark + 1), "unmap_io pio 0xc100-0xc13f");
	assert_int_equal(xensim_log_count(), mark + 2);
	down(e);
}

/* Xen refusing the new claim rolls the move back: the old range stays ours. */
static void bar_move_refused_rolls_back(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct region bar = { .name = "bar", .space = BUS_MMIO, .base = 0xf0000000, .len = 0x1000,
			      .ops = &bar_ops };
	struct env *e;

	(void)state;
	e = up(&c, &xo);
	assert_int_equal(bus_add(e->m.bus, &bar), 0);
	xensim_fail_next("map_io", ENOSPC);
	assert_int_not_equal(bus_move(e->m.bus, &bar, 0xf2000000), 0);
	assert_int_equal(bar.base, 0xf0000000);
	assert_true(xensim_range_claimed(true, 0xf0000000, 0xf0000fff));
	assert_false(xensim_range_claimed(true, 0xf2000000, 0xf2000000));
	bus_del(e->m.bus, &bar);
	down(e);
}

static uint32_t cfg_rd(void *o, unsigned reg, unsigned size)
{
	(void)o;
	(void)reg;
	(void)size;
	return 0;
}

static void cfg_wr(void *o, unsigned reg, uint32_t v, unsigned size)
{
	(void)o;
	(void)reg;
	(void)v;
	(void)size;
}

/* PCI functions are claimed by SBDF as they attach and released as they go. */
static void pcidev_claims(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	static const struct pci_cfg_ops ops = { .read = cfg_rd, .write = cfg_wr };
	struct env *e;
	size_t mark;

	(void)state;
	e = up(&c, &xo);
	assert_true(xensim_pcidev_claimed(ENV_PCI_DEVFN));
	mark = xensim_log_count();
	assert_int_equal(bus_pci_attach(e->m.bus, 0x0b, &ops, NULL), 0); /* 00:01.3 */
	bus_pci_detach(e->m.bus, 0x0b);
	assert_string_equal(xensim_log_line(mark), "map_pcidev 0000:00:01.3");
	assert_string_equal(xensim_log_line(mark + 1), "unmap_pcidev 0000:00:01.3");
	assert_int_equal(xensim_log_count(), mark + 2);
	/* Refused by Xen: the attach fails and nothing is left behind. */
	xensim_fail_next("map_pcidev", EPERM);
	assert_int_not_equal(bus_pci_attach(e->m.bus, 0x10, &ops, NULL), 0);
	assert_false(bus_pci_present(e->m.bus, 0x10));
	down(e);
}

/*
 * The guest programs a real PCI function's BARs with config cycles (through
 * the ioreq path) and the claims follow exactly: decode on claims both BARs,
 * a move with decode on releases the old range and claims the new one,
 * decode off releases (PCI 3.0 6.2.2 Command, 6.2.5.1 Base Address).
 */
static void guest_bar_programming(void **state)
{
	static const struct pci_identity id = { .vendor = 0x1234, .device = 0x5678,
						.class_code = 0xff0000 };
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	struct region mem = { .name = "bar0", .ops = &bar_ops };
	struct region io = { .name = "bar1", .ops = &bar_ops };
	struct pci_func *f = calloc(1, sizeof(*f));
	const uint64_t dev = 0x20ull << 32; /* 00:04.0 */
	struct xensim_req prog[] = {
		env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE, dev | PCI_BASE_ADDRESS_0, 4, 0xf0000000),
		env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE, dev | (PCI_BASE_ADDRESS_0 + 4), 4, 0xc001),
		env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE, dev | PCI_COMMAND, 2,
			PCI_COMMAND_IO | PCI_COMMAND_MEMORY),
	};
	struct xensim_req move = env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE,
					 dev | PCI_BASE_ADDRESS_0, 4, 0xf1000000);
	struct xensim_req off = env_req(IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE, dev | PCI_COMMAND, 2, 0);
	size_t mark;

	(void)state;
	assert_non_null(f);
	pci_func_init(f, &e->m, 0x20, &id, NULL, NULL, "test@04.0");
	assert_int_equal(pci_bar_init(f, 0, PCI_BAR_MEM32, 0x1000, &mem), 0);
	assert_int_equal(pci_bar_init(f, 1, PCI_BAR_IO, 0x40, &io), 0);
	mark = xensim_log_count();
	assert_int_equal(pci_func_attach(f), 0);
	assert_string_equal(xensim_log_line(mark), "map_pcidev 0000:00:04.0");
	assert_int_equal(xensim_log_count(), mark + 1);

	mark = xensim_log_count();
	assert_int_equal(xensim_vcpu_start(0, prog, 3), 0);
	env_run_vcpus(e);
	assert_int_equal(xensim_log_count(), mark + 2);
	assert_true(xensim_log_find("map_io mmio 0xf0000000-0xf0000fff", mark) >= 0);
	assert_true(xensim_log_find("map_io pio 0xc000-0xc03f", mark) >= 0);

	mark = xensim_log_count();
	assert_int_equal(xensim_vcpu_start(0, &move, 1), 0);
	env_run_vcpus(e);
	assert_string_equal(xensim_log_line(mark), "unmap_io mmio 0xf0000000-0xf0000fff");
	assert_string_equal(xensim_log_line(mark + 1), "map_io mmio 0xf1000000-0xf1000fff");
	assert_int_equal(xensim_log_count(), mark + 2);

	mark = xensim_log_count();
	assert_int_equal(xensim_vcpu_start(0, &off, 1), 0);
	env_run_vcpus(e);
	assert_int_equal(xensim_log_count(), mark + 2);
	assert_true(xensim_log_find("unmap_io mmio 0xf1000000-0xf1000fff", mark) >= 0);
	assert_true(xensim_log_find("unmap_io pio 0xc000-0xc03f", mark) >= 0);

	mark = xensim_log_count();
	pci_func_detach(f);
	assert_string_equal(xensim_log_line(mark), "unmap_pcidev 0000:00:04.0");
	free(f);
	down(e);
}

/* ------------------------------------------------------------ teardown */

/* §1.5: unbind -> disable -> unmap frames -> destroy -> close handles. */
static void teardown_on_signal(int sig)
{
	struct xensim_cfg c = cfg(2);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	long ub0, ub1, ubb, dis, unmap, destroy, close_dm;

	assert_int_equal(loop_watch_signals(e->m.loop, xen_backend_on_signal, &e->m), 0);
	xensim_log_clear();
	assert_int_equal(raise(sig), 0);
	assert_int_equal(loop_run(e->m.loop), 0);
	assert_int_equal(xen_backend_exit_signal(&e->m), sig);
	xen_backend_fini(&e->m);
	ub0 = find("unbind 200");
	ub1 = find("unbind 201");
	ubb = find("unbind 202");
	dis = find("set_state 0");
	unmap = find("unmap_resource");
	destroy = find("destroy_ioreq_server");
	close_dm = find("close devicemodel");
	assert_true(ub0 < dis && ub1 < dis && ubb < dis);
	assert_true(dis < unmap && unmap < destroy && destroy < close_dm);
	find("close foreignmemory");
	find("close evtchn");
	find("close xenstore");
	assert_int_equal(xensim_open_handles(), 0);
	assert_int_equal(xensim_live_foreign_maps(), 0);
	assert_false(xensim_server_exists());
	down(e);
}

static void teardown_sigterm(void **state)
{
	(void)state;
	teardown_on_signal(SIGTERM);
}

static void teardown_sigint(void **state)
{
	(void)state;
	teardown_on_signal(SIGINT);
}

static void teardown_sighup(void **state)
{
	(void)state;
	teardown_on_signal(SIGHUP);
}

/* ------------------------------------------------------------ run state, xenstore */

/* §1.3: stop disables the server (Xen stops forwarding), cont enables it again. */
static void stop_cont(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 1, 0);
	size_t mark;

	(void)state;
	assert_int_equal(xen_backend_set_running(&e->m, false), 0);
	assert_false(xensim_server_enabled());
	assert_int_equal(xensim_vcpu_start(0, &s, 1), 0);
	env_run_vcpus(e);
	assert_int_equal(s.outcome, XSIM_NULL);
	mark = xensim_log_count();
	assert_int_equal(xen_backend_set_running(&e->m, true), 0);
	assert_true(xensim_server_enabled());
	assert_true(xensim_log_find("set_state 1", mark) >= 0);
	assert_true(xensim_log_find("xs_write " STATE_PATH " running", mark) >= 0);
	assert_int_equal(xensim_vcpu_start(0, &s, 1), 0);
	env_run_vcpus(e);
	assert_int_equal(s.outcome, XSIM_DM);
	assert_int_equal(s.result, 0x78);
	down(e);
}

/* QMP stop/cont move m->rs; the server follows it by itself. */
static void follows_run_state(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	size_t mark;

	(void)state;
	runstate_set(&e->m.rs, RUN_RUNNING);
	assert_true(xensim_server_enabled());
	mark = xensim_log_count();
	runstate_set(&e->m.rs, RUN_PAUSED);
	assert_false(xensim_server_enabled());
	assert_string_equal(xensim_log_line(mark), "set_state 0");
	runstate_set(&e->m.rs, RUN_RUNNING);
	assert_true(xensim_server_enabled());
	assert_string_equal(xensim_log_line(mark + 1), "set_state 1");
	assert_string_equal(xensim_log_line(mark + 2), "xs_write " STATE_PATH " running");
	down(e);
}

/* -S: no "running" until the first cont. */
static void start_paused(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { .start_paused = true };
	struct env *e = up(&c, &xo);

	(void)state;
	assert_null(xensim_xs_read(STATE_PATH));
	assert_true(xensim_server_enabled());
	assert_int_equal(xen_backend_set_running(&e->m, true), 0);
	assert_string_equal(xensim_xs_read(STATE_PATH), "running");
	down(e);
}

/* -xen-domid-restrict: handles restricted after set-up, no xenstore at all. */
static void restricted(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { .restrict_handles = true };
	struct env *e = up(&c, &xo);
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4, 0);

	(void)state;
	assert_true(find("restrict 7") > find("map_pcidev 0000:00:03.0"));
	assert_absent_prefix("open xenstore", 0);
	assert_absent_prefix("xs_write", 0);
	assert_int_equal(xen_backend_set_running(&e->m, true), 0);
	assert_absent_prefix("xs_write", 0);
	assert_int_equal(xensim_vcpu_start(0, &s, 1), 0);
	env_run_vcpus(e);
	assert_int_equal(s.result, 0x12345678);
	down(e);
}

/* ------------------------------------------------------------ interrupts */

/* §4.2: ISA lines to set_isa_irq_level, only on a change. */
static void isa_irq_levels(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	size_t mark = xensim_log_count();

	(void)state;
	plat_isa_irq(&e->m.plat, 4, true);
	plat_isa_irq(&e->m.plat, 4, true);
	plat_isa_irq(&e->m.plat, 12, true);
	plat_isa_irq(&e->m.plat, 4, false);
	plat_isa_irq(&e->m.plat, 4, false);
	assert_string_equal(xensim_log_line(mark), "isa_irq 4 1");
	assert_string_equal(xensim_log_line(mark + 1), "isa_irq 12 1");
	assert_string_equal(xensim_log_line(mark + 2), "isa_irq 4 0");
	assert_int_equal(xensim_log_count(), mark + 3);
	assert_int_equal(xensim_isa_level(12), 1);
	assert_int_equal(xensim_isa_level(4), 0);
	down(e);
}

/* §4.1: INTx by slot and pin, levels of the slot's functions ORed per pin. */
static void pci_intx_levels(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	size_t mark = xensim_log_count();

	(void)state;
	plat_pci_intx(&e->m.plat, 0x18, 0, true);  /* 03.0 INTA */
	plat_pci_intx(&e->m.plat, 0x19, 0, true);  /* 03.1 INTA: line already up */
	plat_pci_intx(&e->m.plat, 0x18, 0, false); /* 03.1 still holds it */
	plat_pci_intx(&e->m.plat, 0x19, 0, false);
	plat_pci_intx(&e->m.plat, 0x21, 2, true);  /* 04.1 INTC */
	assert_string_equal(xensim_log_line(mark), "intx 03 A 1");
	assert_string_equal(xensim_log_line(mark + 1), "intx 03 A 0");
	assert_string_equal(xensim_log_line(mark + 2), "intx 04 C 1");
	assert_int_equal(xensim_log_count(), mark + 3);
	down(e);
}

/* §4.3, §4.4: link routes and MSIs are passed straight on. */
static void link_route_and_msi(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	size_t mark = xensim_log_count();

	(void)state;
	plat_pci_link_route(&e->m.plat, 0, 5);
	plat_pci_link_route(&e->m.plat, 3, 0);
	plat_msi(&e->m.plat, 0xfee00000, 0x4031);
	assert_string_equal(xensim_log_line(mark), "link_route 0 5");
	assert_string_equal(xensim_log_line(mark + 1), "link_route 3 0");
	assert_string_equal(xensim_log_line(mark + 2), "msi 0xfee00000 0x4031");
	down(e);
}

/* §5.4: the ROM lock becomes set_mem_type ram_ro / ram_rw on the pages given. */
static void ram_ro(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	size_t mark = xensim_log_count();

	(void)state;
	assert_int_equal(plat_set_ram_ro(&e->m.plat, 0xc0, 0x40, true), 0);
	assert_int_equal(plat_set_ram_ro(&e->m.plat, 0xc0, 0x40, false), 0);
	assert_string_equal(xensim_log_line(mark), "mem_type 0xc0 0x40 ro");
	assert_string_equal(xensim_log_line(mark + 1), "mem_type 0xc0 0x40 rw");
	xensim_fail_next("set_mem_type", EPERM);
	assert_int_equal(plat_set_ram_ro(&e->m.plat, 0xc0, 0x40, true), -EPERM);
	down(e);
}

/* §1.4: power-off, reboot (devices reset first) and S3 (HVM_PARAM_ACPI_S_STATE = 3). */
static void lifecycle_requests(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	size_t mark = xensim_log_count();

	(void)state;
	plat_request(&e->m.plat, PLAT_REQ_POWEROFF);
	assert_int_equal(e->resets, 0);
	plat_request(&e->m.plat, PLAT_REQ_REBOOT);
	assert_int_equal(e->resets, 1);
	plat_request(&e->m.plat, PLAT_REQ_SUSPEND);
	assert_string_equal(xensim_log_line(mark), "shutdown 0");
	assert_string_equal(xensim_log_line(mark + 1), "shutdown 1");
	assert_string_equal(xensim_log_line(mark + 2), "hvm_param 14 3");
	down(e);
}

/* A shutdown a request causes reaches Xen before the vCPU sees its response. */
static void shutdown_before_response(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = up(&c, &xo);
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_CTL_PORT, 1, 2);
	long at;

	(void)state;
	assert_int_equal(xensim_vcpu_start(0, &s, 1), 0);
	env_run_vcpus(e);
	assert_int_equal(s.outcome, XSIM_DM);
	at = find("shutdown 1");
	assert_true((size_t)at < s.log_at_response);
	assert_int_equal(e->resets, 1);
	down(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(startup_order),
		cmocka_unit_test(legacy_page_mapping),
		cmocka_unit_test(startup_failure_unwinds),
		cmocka_unit_test(bar_move_claims),
		cmocka_unit_test(bar_move_refused_rolls_back),
		cmocka_unit_test(pcidev_claims),
		cmocka_unit_test(guest_bar_programming),
		cmocka_unit_test(teardown_sigterm),
		cmocka_unit_test(teardown_sigint),
		cmocka_unit_test(teardown_sighup),
		cmocka_unit_test(stop_cont),
		cmocka_unit_test(follows_run_state),
		cmocka_unit_test(start_paused),
		cmocka_unit_test(restricted),
		cmocka_unit_test(isa_irq_levels),
		cmocka_unit_test(pci_intx_levels),
		cmocka_unit_test(link_route_and_msi),
		cmocka_unit_test(ram_ro),
		cmocka_unit_test(lifecycle_requests),
		cmocka_unit_test(shutdown_before_response),
	};
	return cmocka_run_group_tests_name("xen_lifecycle", tests, NULL, NULL);
}
