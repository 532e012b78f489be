// SPDX-License-Identifier: GPL-2.0-only
/*
 * The built-in demonstration (see demo.h). Narration comes from the trace
 * itself: "## Title" starts a section, "# text" is a line of explanation;
 * every command is shown with its answer. Output a serial port sends to its
 * chardev is shown under the command that caused it when the caller wired
 * COM1 to demo_serial_fd (main.c does, through a pipe).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/loop.h"
#include "dm/sim/demo.h"
#include "dm/sim/qtest.h"
#include "dm/sim/sim.h"

int demo_serial_fd = -1;

struct demo {
	struct sim *sim;
	char cmd[160];
	bool pending;
	unsigned commands;
	uint64_t fails;
};

/* stdout may be non-blocking (a stdio chardev): write it all anyway. */
static void put(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct timeval tv = { 0, 1000 };

			select(0, NULL, NULL, NULL, &tv);
			continue;
		}
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* What COM1 sent since the last look, printed visibly (\r, \n escaped). */
static void show_serial(void)
{
	char buf[256], vis[1100];
	ssize_t n;

	if (demo_serial_fd < 0)
		return;
	while ((n = read(demo_serial_fd, buf, sizeof(buf))) > 0) {
		size_t o = 0;

		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c == '\r' || c == '\n')
				o += (size_t)snprintf(vis + o, sizeof(vis) - o, "\\%c",
						      c == '\r' ? 'r' : 'n');
			else if (c < 0x20 || c > 0x7e)
				o += (size_t)snprintf(vis + o, sizeof(vis) - o, "\\x%02x", c);
			else
				vis[o++] = (char)c;
		}
		vis[o] = '\0';
		say("  %-44s    COM1 sent \"%s\"\n", "", vis);
	}
}

static void demo_command(void *opaque, const char *line)
{
	struct demo *d = opaque;

	snprintf(d->cmd, sizeof(d->cmd), "%s", line);
	d->pending = true;
	d->commands++;
}

static void demo_out(void *opaque, const char *line)
{
	struct demo *d = opaque;
	size_t n = strcspn(line, "\n");

	if (!strncmp(line, "IRQ ", 4)) {
		if (d->pending)
			say("  %s\n", d->cmd);
		d->pending = false;
		say("  %-44s    (interrupt) %.*s\n", "", (int)n, line);
		return;
	}
	say("  %-44s -> %.*s\n", d->pending ? d->cmd : "", (int)n, line);
	d->pending = false;
	show_serial();
}

static void demo_comment(void *opaque, const char *text)
{
	(void)opaque;
	text += strspn(text, " \t");
	if (!strncmp(text, "##", 2))
		say("\n== %s ==\n", text + 2 + strspn(text + 2, " "));
	else
		say("  %s\n", text + 1 + strspn(text + 1, " "));
}

/* Class codes of the functions a xenfv machine can have (PCI Code and ID Assignment). */
static const struct {
	uint16_t cls;
	const char *what;
} classes[] = {
	{ 0x0600, "host bridge" },
	{ 0x0601, "ISA bridge" },
	{ 0x0101, "IDE controller" },
	{ 0x0c03, "USB controller" },
	{ 0x0680, "bridge (ACPI/PM)" },
	{ 0xff80, "Xen platform device" },
	{ 0x0300, "VGA" },
	{ 0x0200, "Ethernet" },
};

static const char *class_name(uint16_t cls)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].cls == cls)
			return classes[i].what;
	return "";
}

static void show_region(void *opaque, const struct region *r)
{
	const char *unit = opaque;

	say("    %s 0x%08" PRIx64 "-0x%08" PRIx64 "  %s\n", unit, r->base, r->base + r->len - 1,
	    r->name ? r->name : "");
}

static char port_label[] = "port", mmio_label[] = "mmio";

static void summary(struct demo *d)
{
	struct sim *s = d->sim;
	struct machine *m = &s->m;
	unsigned npci = 0;

	say("\n== What the machine is made of ==\n");
	say("  devices, in creation order:");
	for (struct dm_dev *dev = m->devs; dev; dev = dev->next)
		say(" %s", dev->name);
	say("%s\n", m->devs ? "" : " (none)");
	say("  PCI functions on bus 0 (read back through config space):\n");
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		uint32_t id, cls;

		if (!bus_pci_present(m->bus, devfn))
			continue;
		id = bus_pci_read(m->bus, devfn, 0, 4);
		cls = bus_pci_read(m->bus, devfn, 8, 4) >> 16;
		say("    00:%02x.%u  %04x:%04x  class %04x  %s\n", devfn >> 3, devfn & 7,
		    id & 0xffff, id >> 16, cls, class_name((uint16_t)cls));
		npci++;
	}
	if (!npci)
		say("    (none in this build yet)\n");
	say("  port I/O the device model claims:\n");
	bus_for_each(m->bus, BUS_PIO, show_region, port_label);
	say("  MMIO the device model claims:\n");
	bus_for_each(m->bus, BUS_MMIO, show_region, mmio_label);
	if (!bus_find_range(m->bus, BUS_MMIO, 0, UINT64_MAX))
		say("    none yet: PCI memory BARs are claimed once firmware (hvmloader) places\n"
		    "    them and turns on memory decode; this trace does not\n");

	say("\n== What it did ==\n");
	say("  trace commands run:           %" PRIu64 " (%" PRIu64 " answered FAIL on purpose)\n",
	    (uint64_t)d->commands, d->fails);
	say("  ioreqs through the ioreq core: %" PRIu64 " (%" PRIu64 " rejected as malformed)\n",
	    m->io.handled, m->io.rejected);
	say("  accesses no device claimed:   %" PRIu64 " (reads answered all ones)\n",
	    bus_unclaimed_count(m->bus));
	say("  interrupt lines raised:       %" PRIu64 ", lowered %" PRIu64 "\n", s->irq_raises,
	    s->irq_lowers);
	say("  guest lifecycle requests:     reboot %" PRIu64 ", poweroff %" PRIu64
	    ", suspend %" PRIu64 "\n",
	    s->requests[PLAT_REQ_REBOOT], s->requests[PLAT_REQ_POWEROFF],
	    s->requests[PLAT_REQ_SUSPEND]);
	say("  virtual clock at:             %" PRIu64 " ns\n", loop_now(m->loop));
	say("\nThe same commands run from a file with: hvmdm --replay FILE [-machine ...]\n"
	    "or interactively with: hvmdm -accel qtest -qtest stdio   (see README.md)\n");
}

static void count_fail(void *opaque, const char *line);

int sim_demo(struct sim *s, const char *buf, size_t len)
{
	struct demo d = { .sim = s };

	say("hvmdm: a Xen HVM device model, running standalone (no Xen needed).\n"
	    "This is its built-in demonstration: a trace of port, memory and ioreq\n"
	    "commands replayed on the %s machine with %" PRIu64 " MiB of RAM; each\n"
	    "command is shown with the device model's answer.\n",
	    s->m.opts->kind == MACHINE_PC     ? "pc"
	    : s->m.opts->kind == MACHINE_NONE ? "empty"
					      : "xenfv",
	    s->m.opts->ram_mb);
	sim_replay_buffer(s, buf, len, count_fail, &d, demo_command, demo_comment);
	summary(&d);
	return 0;
}

/* Answers pass through here to count FAILs for the summary, then to demo_out. */
static void count_fail(void *opaque, const char *line)
{
	struct demo *d = opaque;

	if (!strncmp(line, "FAIL", 4))
		d->fails++;
	demo_out(opaque, line);
}
