// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine types -machine takes, for the command line (dm/cmdline.c) and
 * QMP query-machines (dm/qmp_qom.c): one table, so the two cannot disagree.
 */
#include "dm/machine_types.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *name; /* exact, or a prefix when it ends in '-' */
	enum machine_kind kind;
	const char *help;
} machine_types[] = {
	{ "xenfv", MACHINE_XENFV,
	  "Xen fully-virtualised PC (i440FX + PIIX3 + Xen platform device)" },
	{ "xenfv-", MACHINE_XENFV, NULL },
	{ "pc", MACHINE_PC, "standard PC (i440FX + PIIX3), libxl's xen_platform_pci=0" },
	{ "pc-i440fx-", MACHINE_PC, NULL },
	{ "none", MACHINE_NONE, "empty machine (libxl's capability probe)" },
};

const char *machine_type_name(size_t i, const char **help)
{
	size_t n = 0;

	for (size_t j = 0; j < sizeof(machine_types) / sizeof(machine_types[0]); j++) {
		if (!machine_types[j].help)
			continue; /* a versioned prefix, not a name of its own */
		if (n++ == i) {
			*help = machine_types[j].help;
			return machine_types[j].name;
		}
	}
	return NULL;
}

int machine_type_find(const char *type, enum machine_kind *kind)
{
	for (size_t i = 0; i < sizeof(machine_types) / sizeof(machine_types[0]); i++) {
		const char *n = machine_types[i].name;
		size_t len = strlen(n);

		if (n[len - 1] == '-' ? !strncmp(type, n, len) : !strcmp(type, n)) {
			*kind = machine_types[i].kind;
			return 0;
		}
	}
	return -ENOENT;
}
