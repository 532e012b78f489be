// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenstore: the device-model state node libxl waits for
 * (shared/docs/xen-interface.md §1.2 step 15, §7.2; QEMU accel/xen/xen-all.c
 * xenstore_record_dm_state).
 *
 * "running" goes to /local/domain/0/device-model/<domid>/state once the
 * device model is ready (not under -S until the first cont), and again
 * whenever the run state becomes running. Under -xen-domid-restrict the
 * xenstore connection is gone and readiness is told over QMP instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/log.h"
#include "dm/xen/xen_int.h"

static const char WHO[] = "xenstore";

int xen_store_write_state(struct xen_platform *xp, const char *state)
{
	char path[64];

	if (xp->restricted || !xp->xsh)
		return 0;
	snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state", xp->domid);
	if (!xs_write(xp->xsh, XBT_NULL, path, state, (unsigned)strlen(state))) {
		int rc = errno ? -errno : -EIO;

		dm_err(WHO, "write %s = \"%s\": %s", path, state, strerror(-rc));
		return rc;
	}
	xp->running_written = !strcmp(state, "running");
	dm_dbg(LOG_XEN, WHO, "%s = \"%s\"", path, state);
	return 0;
}
