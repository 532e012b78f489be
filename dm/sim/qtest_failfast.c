// SPDX-License-Identifier: GPL-2.0-only
/*
 * See qtest_failfast.h. Reads the raw argv, not the parsed options: it runs
 * when parsing failed, possibly before the option naming a socket was seen.
 */
#include <string.h>
#include <unistd.h>

#include "dm/chardev.h"
#include "dm/qemuopts.h"
#include "dm/sim/qtest_failfast.h"

static void poke(const char *path)
{
	char err[160];
	int fd = chardev_unix_connect(path, err, sizeof(err));

	if (fd >= 0)
		close(fd);
}

static void poke_chardev(const char *spec)
{
	struct qopts o;
	const char *path;

	if (qopts_parse(spec, &o))
		return;
	path = qopts_get(&o, "path");
	if (o.n && !strcmp(o.v[0].key, "socket") && !o.v[0].val && path &&
	    qopts_get_bool(&o, "server", false) == 0)
		poke(path);
	qopts_free(&o);
}

void qtest_fail_fast(int argc, char *const argv[])
{
	for (int i = 1; i + 1 < argc; i++) {
		const char *opt = argv[i] + (argv[i][0] == '-' && argv[i][1] == '-');

		if (!strcmp(opt, "-qtest") && !strncmp(argv[i + 1], "unix:", 5))
			poke(argv[i + 1] + 5);
		else if (!strcmp(opt, "-chardev"))
			poke_chardev(argv[i + 1]);
	}
}
