// SPDX-License-Identifier: GPL-2.0-only
/* Run state and its change hooks: see runstate.h. */
#include <stddef.h>

#include "dm/runstate.h"

static const char *const names[] = {
	[RUN_PRELAUNCH] = "prelaunch", [RUN_INMIGRATE] = "inmigrate", [RUN_RUNNING] = "running",
	[RUN_PAUSED] = "paused",       [RUN_SUSPENDED] = "suspended", [RUN_SHUTDOWN] = "shutdown",
	[RUN_IO_ERROR] = "io-error",
};

const char *run_state_name(enum run_state s)
{
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

bool run_state_is_running(enum run_state s)
{
	return s == RUN_RUNNING;
}

void runstate_add_hook(struct runstate *rs, struct runstate_hook *h)
{
	h->next = rs->hooks;
	rs->hooks = h;
}

void runstate_del_hook(struct runstate *rs, struct runstate_hook *h)
{
	for (struct runstate_hook **p = &rs->hooks; *p; p = &(*p)->next) {
		if (*p == h) {
			*p = h->next;
			return;
		}
	}
}

void runstate_set(struct runstate *rs, enum run_state s)
{
	enum run_state from = rs->state;

	if (from == s)
		return;
	rs->state = s;
	for (struct runstate_hook *h = rs->hooks; h; h = h->next)
		h->changed(h->opaque, from, s);
}
