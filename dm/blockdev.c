// SPDX-License-Identifier: GPL-2.0-only
/* -blockdev as one if=none drive: see blockdev.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/blockdev.h"
#include "dm/qemuopts.h"

static const char *const blockdev_keys[] = { "driver",	  "node-name",	    "filename",
					     "read-only", "auto-read-only", NULL };

/* s with every comma doubled, as QEMU's option syntax writes a comma in a value. */
static char *escape_commas(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		*o++ = *s;
		if (*s == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

static int check(const struct qopts *o, char *err, size_t errlen)
{
	bool implied = o->n && !o->v[0].val;
	const char *driver = implied ? o->v[0].key : qopts_get(o, "driver");
	const char *bad = qopts_unknown_key(o, blockdev_keys, implied);

	if (bad) {
		snprintf(err, errlen, "parameter '%s' is not supported", bad);
		return -EINVAL;
	}
	if (!driver) {
		snprintf(err, errlen, "parameter 'driver' is missing");
		return -EINVAL;
	}
	if (strcmp(driver, "file")) {
		snprintf(err, errlen, "driver '%s' is not supported (only file: a raw image)",
			 driver);
		return -EINVAL;
	}
	if (!qopts_get(o, "node-name") || !*qopts_get(o, "node-name")) {
		snprintf(err, errlen, "node-name= is needed (the name -device drive= uses)");
		return -EINVAL;
	}
	if (!qopts_get(o, "filename")) {
		snprintf(err, errlen, "parameter 'filename' is missing");
		return -EINVAL;
	}
	if (qopts_get_bool(o, "read-only", false) < 0 ||
	    qopts_get_bool(o, "auto-read-only", false) < 0) {
		snprintf(err, errlen, "read-only= and auto-read-only= are on or off");
		return -EINVAL;
	}
	return 0;
}

int blockdev_to_drive(const char *spec, char **drive, char *err, size_t errlen)
{
	struct qopts o;
	char *node = NULL, *file = NULL;
	int ret, n;

	*drive = NULL;
	if (qopts_parse(spec, &o)) {
		snprintf(err, errlen, "cannot parse '%s'", spec);
		return -EINVAL;
	}
	ret = check(&o, err, errlen);
	if (ret)
		goto out;
	node = escape_commas(qopts_get(&o, "node-name"));
	file = escape_commas(qopts_get(&o, "filename"));
	ret = -ENOMEM;
	if (!node || !file)
		goto out;
	/* auto-read-only=on would open read-only when writing is refused: hvmdm opens as asked. */
	n = asprintf(drive, "if=none,id=%s,file=%s,format=raw%s", node, file,
		     qopts_get_bool(&o, "read-only", false) == 1 ? ",readonly=on" : "");
	ret = n < 0 ? -ENOMEM : 0;
	if (n < 0)
		*drive = NULL;
out:
	free(node);
	free(file);
	qopts_free(&o);
	return ret;
}
