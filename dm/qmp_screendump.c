// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP "screendump" with QEMU 7.2's arguments (qapi/ui.json): filename,
 * device and head (a graphics adapter's id; head 0, the only one our
 * adapters have), format "ppm" (the default) or "png". PNG is refused by
 * name, as a QEMU built without libpng refuses it; the file is written
 * through dm/screendump (an add-fd fd under dm_restrict).
 */
#include <string.h>

#include "dm/device.h"
#include "dm/display.h"
#include "dm/machine.h"
#include "dm/qmp_int.h"
#include "dm/sandbox.h"
#include "dm/screendump.h"

/* The graphics adapter named by id= (QEMU takes the device's id or QOM path). */
static bool adapter_named(struct machine *m, const char *id)
{
	for (struct dm_dev *d = m->devs; d; d = d->next)
		if (d->id[0] && !strcmp(d->id, id) && d->type->kind == DEV_KIND_PCI)
			return true;
	return false;
}

static int check_device(struct machine *m, json_t *args, struct dm_error *e)
{
	const char *dev;
	json_t *head = json_object_get(args, "head");

	if (arg_string(args, "device", false, &dev, e))
		return -1;
	if (head && !json_is_integer(head))
		return dm_fail(e, "GenericError",
			       "Invalid parameter type for 'head', expected: integer");
	if (!dev) {
		if (head)
			return dm_fail(e, "GenericError",
				       "'head' must be specified together with 'device'");
		return 0;
	}
	if (!adapter_named(m, dev))
		return dm_fail(e, "DeviceNotFound", "Device '%s' not found", dev);
	if (head && json_integer_value(head) != 0)
		return dm_fail(e, "GenericError", "Device '%s' (head %lld) is not found", dev,
			       (long long)json_integer_value(head));
	return 0;
}

int cmd_screendump(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	struct machine *m = c->q->m;
	const char *file, *format;
	const char *key;
	json_t *v;
	char err[512];

	json_object_foreach(args, key, v)
	{
		if (strcmp(key, "filename") && strcmp(key, "device") && strcmp(key, "head") &&
		    strcmp(key, "format"))
			return dm_fail(e, "GenericError", "Parameter '%s' is unexpected", key);
	}
	if (arg_string(args, "filename", true, &file, e) ||
	    arg_string(args, "format", false, &format, e) || check_device(m, args, e))
		return -1;
	if (format && strcmp(format, "ppm") && strcmp(format, "png"))
		return dm_fail(e, "GenericError", "Parameter 'format' does not accept value '%s'",
			       format);
	if (format && !strcmp(format, "png"))
		return dm_fail(e, "GenericError", "Enable PNG support with libpng for screendump");
	if (sandbox_filtering() && strncmp(file, "/dev/fdset/", 11))
		return dm_fail(e, "GenericError",
			       "dm_restrict: pass the file with add-fd and use /dev/fdset/N");
	if (!display_present(m))
		return dm_fail(e, "GenericError", "There is no console to take a screendump from.");
	if (screendump_write(m, file, err, sizeof(err)))
		return dm_fail(e, "GenericError", "%s", err);
	*ret = json_object();
	return 0;
}
