/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging: levels, run-time switchable categories (-d guest_errors,pci,...),
 * every line prefixed with the domain and the device instance, e.g.
 *   "hvmdm: d12 rtl8139@04.0: TX ring wrapped".
 * Debug lines of a category that is off cost one mask test.
 */
#ifndef DM_LOG_H
#define DM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Categories, named for -d exactly as in log.c's table. */
enum log_cat {
	LOG_GEN = 0,		 /* always on (errors, warnings, info) */
	LOG_GUEST_ERR = 1u << 0, /* guest_errors: what a buggy or hostile guest did */
	LOG_UNIMP = 1u << 1,	 /* unimp: registers and commands not modelled */
	LOG_IOREQ = 1u << 2,	 /* ioreq: every request handled */
	LOG_PCI = 1u << 3,	 /* pci: config writes, BAR moves */
	LOG_IDE = 1u << 4,	 /* ide */
	LOG_SERIAL = 1u << 5,	 /* serial */
	LOG_PS2 = 1u << 6,	 /* ps2 */
	LOG_ACPI = 1u << 7,	 /* acpi: PIIX4 PM */
	LOG_PLATFORM = 1u << 8,	 /* platform: Xen platform device, unplug */
	LOG_QMP = 1u << 9,	 /* qmp */
	LOG_XEN = 1u << 10,	 /* xen: ioreq server, mapcache, evtchn */
	LOG_BLOCK = 1u << 11,	 /* block */
	LOG_CMOS = 1u << 12,	 /* cmos */
	LOG_BUS = 1u << 13,	 /* bus: region adds, moves, unclaimed accesses */
	LOG_LOOP = 1u << 14,	 /* loop: timers, fds */
	LOG_SANDBOX = 1u << 15,	 /* sandbox */
	LOG_NET = 1u << 16,	 /* net: network backends and NICs */
	LOG_VNC = 1u << 17,	 /* vnc: clients, libvncserver's own lines */
};

/* Categories currently on; tested inline by dm_dbg(). */
extern unsigned log_mask;
/* Lines at or below this level are printed (LOG_WARN by default). */
extern enum log_level log_level_max;

void log_set_domid(int domid);
/*
 * Parse a -d spec ("guest_errors,pci", "all", "none", "help") into *mask.
 * Returns 0, or -EINVAL with the offending word copied into bad.
 */
int log_parse_mask(const char *spec, unsigned *mask, char *bad, size_t badlen);
/* Print the category names for -d help. */
void log_print_categories(void);
/* Redirect log output (default stderr); NULL restores stderr. For tests. */
void log_set_stream(FILE *f);

void log_msg(enum log_level lvl, unsigned cat, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * At most `burst` lines per second from one call site; the count of lines
 * dropped is reported with the next line that gets through.
 */
struct ratelimit {
	uint64_t window_ns;
	unsigned count;
	unsigned dropped;
};
bool ratelimit_pass(struct ratelimit *rl, unsigned burst);

#define dm_err(who, ...)  log_msg(LOG_ERR, LOG_GEN, who, __VA_ARGS__)
#define dm_warn(who, ...) log_msg(LOG_WARN, LOG_GEN, who, __VA_ARGS__)
#define dm_info(who, ...) log_msg(LOG_INFO, LOG_GEN, who, __VA_ARGS__)
#define dm_dbg(cat, who, ...)                                      \
	do {                                                       \
		if (log_mask & (cat))                              \
			log_msg(LOG_DEBUG, cat, who, __VA_ARGS__); \
	} while (0)

/*
 * A guest mistake: logged while guest_errors is on, at most 20 lines a
 * second per call site. Never an assert, never an abort.
 */
#define guest_err(who, ...)                                                 \
	do {                                                                \
		static struct ratelimit rl_;                                \
		if ((log_mask & LOG_GUEST_ERR) && ratelimit_pass(&rl_, 20)) \
			log_msg(LOG_WARN, LOG_GUEST_ERR, who, __VA_ARGS__); \
	} while (0)

#endif
