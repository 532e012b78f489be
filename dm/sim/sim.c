// SPDX-License-Identifier: GPL-2.0-only
/*
 * The standalone platform (see sim.h): flat RAM, a bus listener that takes
 * every claim, a virtual clock, and interrupt lines that are recorded and
 * reported the way QEMU's qtest reports the IOAPIC's inputs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/sim/sim.h"

static const char *const request_names[] = {
	[PLAT_REQ_POWEROFF] = "poweroff",
	[PLAT_REQ_REBOOT] = "reboot",
	[PLAT_REQ_SUSPEND] = "suspend (S3)",
};

/* Report a line whose level may have changed, as qtest_irq_handler does. */
static void report_line(struct sim *s, unsigned irq)
{
	char buf[32];
	bool level = s->line[irq];

	if (!s->intercept || s->reported[irq] == level)
		return;
	s->reported[irq] = level;
	if (level)
		s->irq_raises++;
	else
		s->irq_lowers++;
	snprintf(buf, sizeof(buf), "IRQ %s %u\n", level ? "raise" : "lower", irq);
	if (s->irq_out)
		s->irq_out(s->irq_opaque, buf);
}

/* The level of ISA line irq: its ISA source or any link routed to it. */
static bool line_level(const struct sim *s, unsigned irq)
{
	if (s->isa_level[irq])
		return true;
	for (unsigned l = 0; l < 4; l++)
		if (s->link_route[l] == irq && irq && s->link_count[l])
			return true;
	return false;
}

/*
 * A source of line irq was set (possibly to the level it had): recompute
 * and report. QEMU reports each qemu_set_irq() whose level differs from the
 * last reported one, so a re-assert after intercept is reported too.
 */
static void update_line(struct sim *s, unsigned irq)
{
	s->line[irq] = line_level(s, irq);
	report_line(s, irq);
}

static void sim_isa_irq(void *opaque, unsigned irq, bool level)
{
	struct sim *s = opaque;

	s->isa_level[irq] = level;
	update_line(s, irq);
}

static void sim_pci_intx(void *opaque, unsigned devfn, unsigned pin, bool level)
{
	struct sim *s = opaque;
	unsigned link = pci_intx_link(devfn, pin);
	bool was = s->intx[devfn] & (1u << pin);

	if (was != level) {
		s->intx[devfn] ^= 1u << pin;
		if (level)
			s->link_count[link]++;
		else
			s->link_count[link]--;
	}
	if (s->link_route[link])
		update_line(s, s->link_route[link]);
}

static void sim_pci_link_route(void *opaque, unsigned link, unsigned irq)
{
	struct sim *s = opaque;
	unsigned old = s->link_route[link];

	if (old == irq)
		return;
	s->link_route[link] = irq;
	if (old)
		update_line(s, old);
	if (irq)
		update_line(s, irq);
}

static void sim_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	dm_info("sim", "MSI to 0x%llx data 0x%x (not delivered: no CPUs here)",
		(unsigned long long)addr, data);
}

static void sim_request(void *opaque, enum plat_request req)
{
	struct sim *s = opaque;

	if ((unsigned)req >= sizeof(s->requests) / sizeof(s->requests[0]))
		return;
	s->requests[req]++;
	/* Reported on stderr whatever the log level: a trace reader wants to know. */
	dm_warn("sim", "guest requested %s%s", request_names[req],
		req == PLAT_REQ_REBOOT ? ": devices reset after this command" : "");
	if (req == PLAT_REQ_REBOOT)
		s->reset_pending = true;
}

/* The virtual clock dated from -rtc base=, or from the fixed default (never the host's date). */
static int64_t sim_rtc_seconds(void *opaque)
{
	struct sim *s = opaque;
	const struct machine_opts *o = s->m.opts;
	int64_t base = o && o->rtc_base_set ? o->rtc_base : PLAT_RTC_BASE_DEFAULT;

	return base + (int64_t)(loop_now(s->m.loop) / 1000000000u);
}

static const struct platform_ops sim_platform_ops = {
	.isa_irq = sim_isa_irq,
	.pci_intx = sim_pci_intx,
	.pci_link_route = sim_pci_link_route,
	.msi = sim_msi,
	.request = sim_request,
	.rtc_seconds = sim_rtc_seconds,
};

static int sim_claim_range(void *opaque, enum bus_space space, uint64_t first, uint64_t last,
			   bool claim)
{
	struct sim *s = opaque;

	(void)space, (void)first, (void)last;
	if (claim)
		s->claims++;
	return 0;
}

static int sim_claim_pci(void *opaque, unsigned devfn, bool claim)
{
	struct sim *s = opaque;

	(void)devfn;
	if (claim)
		s->claims++;
	return 0;
}

static const struct bus_listener sim_listener = {
	.claim_range = sim_claim_range,
	.claim_pci = sim_claim_pci,
};

void sim_irq_intercept(struct sim *s)
{
	/* As QEMU at "irq_intercept_in": nothing reported yet, levels start at 0. */
	if (s->intercept)
		return;
	s->intercept = true;
	memset(s->reported, 0, sizeof(s->reported));
}

void sim_after_command(struct sim *s)
{
	if (!s->reset_pending)
		return;
	s->reset_pending = false;
	machine_reset(&s->m, RESET_SYSTEM);
}

int sim_init(struct sim *s, struct machine_opts *opts)
{
	struct machine *m = &s->m;
	struct bus_listener *l;
	int ret;

	memset(s, 0, sizeof(*s));
	m->opts = opts;
	m->domid = opts->domid;
	m->devs_tail = &m->devs;
	m->loop = loop_new(true);
	m->bus = bus_new();
	if (!m->loop || !m->bus) {
		dm_err("sim", "cannot allocate the loop and bus");
		ret = -ENOMEM;
		goto err_free;
	}
	/* The listener's opaque is ours: a private copy of the const ops. */
	l = &s->listener;
	*l = sim_listener;
	l->opaque = s;
	bus_set_listener(m->bus, l);
	ret = flat_ram_init(&s->ram, &m->mem, opts->ram_mb << 20);
	if (ret) {
		dm_err("sim", "cannot allocate %llu MiB of guest RAM: %s",
		       (unsigned long long)opts->ram_mb, strerror(-ret));
		goto err_free;
	}
	m->plat.ops = &sim_platform_ops;
	m->plat.opaque = s;
	m->io.bus = m->bus;
	m->io.mem = &m->mem;
	ret = machine_build(m);
	if (ret)
		goto err_ram;
	machine_reset(m, RESET_POWER_ON);
	return 0;

err_ram:
	flat_ram_fini(&s->ram);
err_free:
	if (m->bus)
		bus_free(m->bus);
	if (m->loop)
		loop_free(m->loop);
	m->bus = NULL;
	m->loop = NULL;
	return ret;
}

void sim_fini(struct sim *s)
{
	machine_teardown(&s->m);
	flat_ram_fini(&s->ram);
	bus_free(s->m.bus);
	loop_free(s->m.loop);
	s->m.bus = NULL;
	s->m.loop = NULL;
}
