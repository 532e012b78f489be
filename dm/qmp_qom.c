// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probes libqtest runs before a test (QEMU 7.2 tests/qtest/libqtest.c:
 * qtest_has_machine() sends query-machines, qtest_has_device() sends
 * qom-list-types {"abstract": false, "implements": "device"}), answered
 * with what this build has, in QEMU 7.2's reply shapes (keys in the order
 * Debian's qemu-system-x86_64 7.2 prints them).
 *
 * query-machines lists the three machine types -machine takes; the
 * versioned spellings QEMU lists separately (pc-i440fx-7.2, xenfv-3.1) are
 * accepted on the command line as aliases and not listed. No vCPU is
 * hot-pluggable and none of them has NUMA.
 *
 * qom-list-types lists the device types of dm/devices.c and their aliases
 * (what -device help lists and -device takes), each with a parent named by its bus as QEMU names
 * it, and, when abstract=true is asked for, those parents and "device" as abstract types. hvmdm has
 * no other QOM types: "implements" matches a type's own name, its parent or "device"; anything else
 * answers [] as QEMU does for a type it does not know.
 */
#include <string.h>

#include "dm/device.h"
#include "dm/machine_types.h"
#include "dm/qmp_int.h"

int cmd_query_machines(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	const char *name, *help;
	json_t *list;

	(void)c;
	if (no_args(args, e))
		return -1;
	list = json_array();
	for (size_t i = 0; (name = machine_type_name(i, &help)); i++) {
		bool none = !strcmp(name, "none");
		json_t *m = json_object();

		json_object_set_new(m, "hotpluggable-cpus", json_false());
		json_object_set_new(m, "name", json_string(name));
		json_object_set_new(m, "numa-mem-supported", json_false());
		/* cmdline_defaults: a command line without -machine gets xenfv. */
		if (!strcmp(name, "xenfv"))
			json_object_set_new(m, "is-default", json_true());
		json_object_set_new(m, "cpu-max", json_integer(none ? 1 : HVM_MAX_VCPUS));
		json_object_set_new(m, "deprecated", json_false());
		json_array_append_new(list, m);
	}
	*ret = list;
	return 0;
}

/* The abstract QOM parent of a device of each kind, as QEMU names the bus types. */
static const char *const kind_parent[] = {
	[DEV_KIND_SYS] = "sys-bus-device",
	[DEV_KIND_PCI] = "pci-device",
	[DEV_KIND_ISA] = "isa-device",
	[DEV_KIND_USB] = "usb-device",
};

static void add_type(json_t *list, const char *name, const char *parent, bool abstract)
{
	json_t *t = json_object();

	json_object_set_new(t, "name", json_string(name));
	if (abstract)
		json_object_set_new(t, "abstract", json_true());
	json_object_set_new(t, "parent", json_string(parent));
	json_array_append_new(list, t);
}

static bool kind_used(enum dev_kind k)
{
	for (size_t i = 0; dev_types[i]; i++)
		if (dev_types[i]->kind == k)
			return true;
	return false;
}

int cmd_qom_list_types(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	const char *impl = NULL, *key;
	bool abstract = false;
	json_t *list, *v;

	(void)c;
	json_object_foreach(
	    args, key,
	    v) if (strcmp(key, "implements") &&
		   strcmp(key, "abstract")) return dm_fail(e, "GenericError",
							   "Parameter '%s' is unexpected", key);
	if (arg_string(args, "implements", false, &impl, e) ||
	    arg_bool(args, "abstract", false, &abstract, e))
		return -1;
	list = json_array();
	for (size_t i = 0; dev_types[i]; i++) {
		const char *parent = kind_parent[dev_types[i]->kind];

		const char *alias = dev_types[i]->alias;
		bool all = !impl || !strcmp(impl, "device") || !strcmp(impl, parent);

		if (all || !strcmp(impl, dev_types[i]->name))
			add_type(list, dev_types[i]->name, parent, false);
		/* -device takes the alias (QEMU's name, what a probe asks for) as well. */
		if (alias && (all || !strcmp(impl, alias)))
			add_type(list, alias, parent, false);
	}
	for (size_t k = 0; abstract && k < sizeof(kind_parent) / sizeof(kind_parent[0]); k++)
		if (kind_used((enum dev_kind)k) &&
		    (!impl || !strcmp(impl, "device") || !strcmp(impl, kind_parent[k])))
			add_type(list, kind_parent[k], "device", true);
	if (abstract && (!impl || !strcmp(impl, "device")))
		add_type(list, "device", "object", true);
	*ret = list;
	return 0;
}
