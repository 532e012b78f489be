/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging: one line per message, prefixed with the domain (when running
 * under Xen) and the device instance. Categories are bits in log_mask,
 * switched with -d; guest mistakes are rate-limited per call site.
 */
#include "dm/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

unsigned log_mask = LOG_GUEST_ERR;
enum log_level log_level_max = LOG_WARN;

static int log_domid = -1;
static FILE *log_stream;

static const struct {
	const char *name;
	unsigned bit;
	const char *help;
} log_cats[] = {
	{ "guest_errors", LOG_GUEST_ERR, "what a buggy or hostile guest did" },
	{ "unimp", LOG_UNIMP, "registers and commands not modelled" },
	{ "ioreq", LOG_IOREQ, "every request handled" },
	{ "pci", LOG_PCI, "config writes, BAR moves" },
	{ "ide", LOG_IDE, "IDE controller and ATA/ATAPI commands" },
	{ "serial", LOG_SERIAL, "16550 UART" },
	{ "ps2", LOG_PS2, "i8042 keyboard and mouse" },
	{ "acpi", LOG_ACPI, "PIIX4 power management" },
	{ "platform", LOG_PLATFORM, "Xen platform device, unplug" },
	{ "qmp", LOG_QMP, "QMP monitor" },
	{ "xen", LOG_XEN, "ioreq server, mapcache, event channels" },
	{ "block", LOG_BLOCK, "block backends" },
	{ "cmos", LOG_CMOS, "MC146818 RTC and CMOS" },
	{ "bus", LOG_BUS, "region adds, moves, unclaimed accesses" },
	{ "loop", LOG_LOOP, "timers, fds" },
	{ "sandbox", LOG_SANDBOX, "seccomp and privilege drop" },
	{ "net", LOG_NET, "network backends and NICs" },
	{ "vnc", LOG_VNC, "VNC server: clients, libvncserver's own lines" },
};

#define N_CATS (sizeof(log_cats) / sizeof(log_cats[0]))

void log_set_domid(int domid)
{
	log_domid = domid;
}

void log_set_stream(FILE *f)
{
	log_stream = f;
}

static unsigned cat_lookup(const char *word, size_t len)
{
	for (size_t i = 0; i < N_CATS; i++)
		if (strlen(log_cats[i].name) == len && !strncmp(log_cats[i].name, word, len))
			return log_cats[i].bit;
	return 0;
}

static void copy_word(char *bad, size_t badlen, const char *word, size_t len)
{
	if (!bad || !badlen)
		return;
	if (len >= badlen)
		len = badlen - 1;
	memcpy(bad, word, len);
	bad[len] = '\0';
}

static bool word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && !strncmp(word, name, len);
}

/* "help" is accepted as a word so that the caller can test for it separately. */
int log_parse_mask(const char *spec, unsigned *mask, char *bad, size_t badlen)
{
	unsigned m = 0;
	const char *p = spec;

	if (!spec || !*spec) {
		copy_word(bad, badlen, "", 0);
		return -EINVAL;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		unsigned bit;

		if (word_is(p, len, "all")) {
			m = ~0u;
		} else if (word_is(p, len, "none")) {
			m = 0;
		} else if (word_is(p, len, "help")) {
			/* caller prints the list */
		} else if ((bit = cat_lookup(p, len)) != 0) {
			m |= bit;
		} else {
			copy_word(bad, badlen, p, len);
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*mask = m;
	return 0;
}

void log_print_categories(void)
{
	FILE *f = log_stream ? log_stream : stdout;

	fprintf(f, "Log categories for -d (comma-separated; 'all', 'none'):\n");
	for (size_t i = 0; i < N_CATS; i++)
		fprintf(f, "  %-14s %s\n", log_cats[i].name, log_cats[i].help);
}

/*
 * Lines of enabled debug categories always print; other lines print when
 * their level is at or below log_level_max.
 */
void log_msg(enum log_level lvl, unsigned cat, const char *who, const char *fmt, ...)
{
	FILE *f = log_stream ? log_stream : stderr;
	char buf[1024];
	size_t off;
	va_list ap;

	if (lvl > log_level_max && !(cat && (log_mask & cat)))
		return;
	if (!who)
		snprintf(buf, sizeof(buf), "hvmdm: ");
	else if (log_domid >= 0)
		snprintf(buf, sizeof(buf), "hvmdm: d%d %.64s: ", log_domid, who);
	else
		snprintf(buf, sizeof(buf), "hvmdm: %.64s: ", who);
	off = strlen(buf);
	va_start(ap, fmt);
	vsnprintf(buf + off, sizeof(buf) - off - 1, fmt, ap);
	va_end(ap);
	/* One write per line, so that lines from other processes do not cut into it. */
	strcat(buf, "\n");
	fputs(buf, f);
	fflush(f);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool ratelimit_pass(struct ratelimit *rl, unsigned burst)
{
	uint64_t now = mono_ns();

	if (!rl->window_ns || now - rl->window_ns >= 1000000000ull) {
		if (rl->dropped) {
			log_msg(LOG_WARN, LOG_GEN, NULL, "%u similar messages suppressed",
				rl->dropped);
			rl->dropped = 0;
		}
		rl->window_ns = now ? now : 1;
		rl->count = 0;
	}
	if (rl->count < burst) {
		rl->count++;
		return true;
	}
	rl->dropped++;
	return false;
}
