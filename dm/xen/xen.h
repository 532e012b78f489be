/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen platform: hvmdm as the device model of a real HVM domain.
 *
 * What main.c sees of dm/xen; this header includes no Xen header. The
 * sequence follows shared/docs/xen-interface.md §1.2:
 *
 *   xen_backend_init   open the handles, create the ioreq server (buffered
 *                       ioreqs, atomic), map its pages, enable it, bind the
 *                       event channels, fill m->mem (mapcache), m->plat
 *                       (interrupts, shutdown) and the bus listener (every
 *                       range and PCI function is claimed with the server).
 *                       Needs m->bus and m->loop; call before machine_build.
 *   xen_backend_start  after machine_build: restrict the handles if asked,
 *                       watch the event channels, write the xenstore state
 *                       "running" (unless -S or restricted).
 *   xen_backend_fini   unbind, disable, unmap, destroy, close (§1.5).
 *
 * SIGTERM/SIGINT/SIGHUP: pass xen_backend_on_signal to loop_watch_signals
 * (opaque = the machine); it quits the loop, and the caller then runs
 * xen_backend_fini.
 */
#ifndef DM_XEN_XEN_H
#define DM_XEN_XEN_H

#include <stdbool.h>
#include <stdint.h>

struct machine;

struct xen_opts {
	int domid;		  /* -xen-domid, > 0 */
	unsigned max_vcpus;	  /* 0: ask Xen (xendevicemodel_nr_vcpus) */
	const char *record;	  /* --record FILE: every ioreq in trace format, or NULL */
	bool restrict_handles;	  /* -xen-domid-restrict: xentoolcore_restrict_all, no xenstore */
	bool start_paused;	  /* -S: "running" is written on the first resume */
	uint64_t mapcache_max_mb; /* guest memory mapped at once; 0: 32768 (32 GiB) */
	/* Reset every device before a guest reboot reaches Xen (§1.4); may be NULL. */
	void (*system_reset)(struct machine *m);
};

__attribute__((warn_unused_result)) int xen_backend_init(struct machine *m,
							 const struct xen_opts *o);
__attribute__((warn_unused_result)) int xen_backend_start(struct machine *m);
void xen_backend_fini(struct machine *m);

/*
 * Disable/enable the ioreq server (§1.3) and, on enable, write "running".
 * The platform also follows m->rs by itself: running enables, paused
 * (QMP stop) disables. 0 or -errno.
 */
__attribute__((warn_unused_result)) int xen_backend_set_running(struct machine *m, bool running);
/*
 * Sets m->log_dirty (QMP xen-set-global-dirty-log does the same): while on,
 * every DM write to guest RAM is reported to Xen (§5.3).
 */
void xen_backend_set_log_dirty(struct machine *m, bool on);
/* loop_watch_signals callback; opaque is the struct machine. */
void xen_backend_on_signal(void *opaque, int signo);
/* The signal that ended the loop through xen_backend_on_signal, or 0. */
int xen_backend_exit_signal(const struct machine *m);

#endif
