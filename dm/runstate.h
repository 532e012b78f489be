/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's run state as QMP reports it (query-status) and as the
 * platform follows it: QEMU toggles the Xen ioreq server with it
 * (xen-interface.md §1.3), so hooks run on every change.
 *
 *   prelaunch --cont--> running <--stop/cont--> paused
 *   running --S3--> suspended --system_wakeup--> running
 *   running --rerror/werror=stop--> io-error --cont--> running (the request redone)
 *   any --quit/signal/poweroff--> shutdown
 */
#ifndef DM_RUNSTATE_H
#define DM_RUNSTATE_H

#include <stdbool.h>

enum run_state {
	RUN_PRELAUNCH, /* -S, before the first cont */
	RUN_INMIGRATE, /* -incoming: loading device state */
	RUN_RUNNING,
	RUN_PAUSED,    /* stop */
	RUN_SUSPENDED, /* guest in ACPI S3 */
	RUN_SHUTDOWN,  /* exiting */
	RUN_IO_ERROR,  /* a drive's rerror/werror=stop stopped the guest */
};

struct runstate_hook {
	void (*changed)(void *opaque, enum run_state from, enum run_state to);
	void *opaque;
	struct runstate_hook *next;
};

struct runstate {
	enum run_state state;
	struct runstate_hook *hooks;
};

/* QMP's name for a state: "prelaunch", "running", "paused", ... */
const char *run_state_name(enum run_state s);
/* True for states in which the guest's vCPUs may run (QMP "running": true). */
bool run_state_is_running(enum run_state s);
/* Register a hook; it is called on every later change (never for the current state). */
void runstate_add_hook(struct runstate *rs, struct runstate_hook *h);
void runstate_del_hook(struct runstate *rs, struct runstate_hook *h);
/* Move to s; hooks run only on an actual change. */
void runstate_set(struct runstate *rs, enum run_state s);

#endif
