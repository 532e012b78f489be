// SPDX-License-Identifier: GPL-2.0-only
/*
 * The QMP commands libxl, xl and xentop send (xen-interface.md §7.4), with
 * the reply shapes qemu-xen 7.2 gives (object keys in the order qemu-xen
 * printed them in shared/docs/qemu-xen-golden/qmp-libxl.log).
 *
 * Left out on purpose, so that they answer CommandNotFound rather than
 * pretend: device_add/device_del (no hot-pluggable device type yet),
 * system_powerdown/system_reset.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/block.h"
#include "dm/bus.h"
#include "dm/chardev.h"
#include "dm/fdset.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/net.h"
#include "dm/qmp_int.h"
#include "dm/sandbox.h"
#include "dm/state_file.h"
#include "hw/ide/ide.h"

int arg_string(json_t *args, const char *name, bool required, const char **out, struct dm_error *e)
{
	json_t *v = json_object_get(args, name);

	*out = NULL;
	if (!v)
		return required ? dm_fail(e, "GenericError", "Parameter '%s' is missing", name) : 0;
	if (!json_is_string(v))
		return dm_fail(e, "GenericError",
			       "Invalid parameter type for '%s', expected: string", name);
	*out = json_string_value(v);
	return 0;
}

static int arg_int(json_t *args, const char *name, bool required, json_int_t *out,
		   struct dm_error *e)
{
	json_t *v = json_object_get(args, name);

	if (!v)
		return required ? dm_fail(e, "GenericError", "Parameter '%s' is missing", name) : 0;
	if (!json_is_integer(v))
		return dm_fail(e, "GenericError",
			       "Invalid parameter type for '%s', expected: integer", name);
	*out = json_integer_value(v);
	return 0;
}

int arg_bool(json_t *args, const char *name, bool required, bool *out, struct dm_error *e)
{
	json_t *v = json_object_get(args, name);

	if (!v)
		return required ? dm_fail(e, "GenericError", "Parameter '%s' is missing", name) : 0;
	if (!json_is_boolean(v))
		return dm_fail(e, "GenericError",
			       "Invalid parameter type for '%s', expected: boolean", name);
	*out = json_is_true(v);
	return 0;
}

/* Commands without arguments reject any, as QEMU's generated unmarshallers do. */
int no_args(json_t *args, struct dm_error *e)
{
	const char *key = json_object_iter_key(json_object_iter(args));

	if (key)
		return dm_fail(e, "GenericError", "Parameter '%s' is unexpected", key);
	return 0;
}

static struct machine *M(struct qmp_conn *c)
{
	return c->q->m;
}

static int cmd_qmp_capabilities(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	json_t *enable = json_object_get(args, "enable");

	(void)ret;
	if (c->negotiated)
		return dm_fail(e, "CommandNotFound",
			       "Capabilities negotiation is already complete, command ignored");
	if (enable && (!json_is_array(enable) || json_array_size(enable)))
		return dm_fail(e, "GenericError", "Capability 'oob' not available");
	c->negotiated = true;
	return 0;
}

static int cmd_query_status(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	enum run_state s = M(c)->rs.state;

	if (no_args(args, e))
		return -1;
	*ret = json_pack("{s:s,s:b,s:b}", "status", run_state_name(s), "singlestep", 0, "running",
			 run_state_is_running(s));
	return 0;
}

static int cmd_cont(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	struct runstate *rs = &M(c)->rs;

	(void)ret;
	if (no_args(args, e))
		return -1;
	if (rs->state == RUN_INMIGRATE)
		return dm_fail(e, "GenericError", "Device state is still being loaded");
	/* cont while running answers {} (libxl sends it in both start-up modes) */
	if (rs->state == RUN_PRELAUNCH || rs->state == RUN_PAUSED || rs->state == RUN_IO_ERROR) {
		runstate_set(rs, RUN_RUNNING);
		qmp_event(c->q, "RESUME");
	}
	return 0;
}

static int cmd_stop(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	struct runstate *rs = &M(c)->rs;

	(void)ret;
	if (no_args(args, e))
		return -1;
	if (rs->state == RUN_RUNNING || rs->state == RUN_SUSPENDED) {
		runstate_set(rs, RUN_PAUSED);
		qmp_event(c->q, "STOP");
	}
	return 0;
}

static int cmd_quit(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	(void)ret;
	if (no_args(args, e))
		return -1;
	loop_quit(M(c)->loop, 0);
	return 0;
}

static int cmd_system_wakeup(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	struct runstate *rs = &M(c)->rs;

	(void)ret;
	if (no_args(args, e))
		return -1;
	if (rs->state == RUN_SUSPENDED) {
		runstate_set(rs, RUN_RUNNING);
		qmp_event(c->q, "WAKEUP");
	}
	return 0;
}

static int cmd_query_version(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	(void)c;
	if (no_args(args, e))
		return -1;
	*ret = json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "micro", QMP_QEMU_MICRO, "minor",
			 QMP_QEMU_MINOR, "major", QMP_QEMU_MAJOR, "package", "hvmdm");
	return 0;
}

static int cmd_query_name(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	if (no_args(args, e))
		return -1;
	*ret = json_object();
	if (M(c)->opts->name)
		json_object_set_new(*ret, "name", json_string(M(c)->opts->name));
	return 0;
}

static int cmd_query_commands(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	(void)c;
	if (no_args(args, e))
		return -1;
	*ret = json_array();
	for (const struct qmp_cmd *cmd = qmp_cmds; cmd->name; cmd++)
		json_array_append_new(*ret, json_pack("{s:s}", "name", cmd->name));
	return 0;
}

static void add_chardev(void *opaque, const char *label, const char *filename, bool open)
{
	json_array_append_new(opaque, json_pack("{s:b,s:s,s:s}", "frontend-open", open, "filename",
						filename, "label", label));
}

/*
 * Every chardev in command-line order (the machine's set lists the monitor
 * sockets too, described by qmp.c), as qemu-xen does: libxl takes the pty
 * path of each "serial<N>" from here for `xl console`.
 */
static int cmd_query_chardev(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	if (no_args(args, e))
		return -1;
	*ret = json_array();
	chardev_for_each(M(c), add_chardev, *ret);
	/* monitors of a machine that keeps no chardev set (QMP alone, as in unit tests) */
	for (struct qmp_monitor *mon = c->q->mons; mon; mon = mon->next) {
		char desc[200];

		if (mon->claimed)
			continue;
		snprintf(desc, sizeof(desc), "%s",
			 qmp_monitor_connected(mon) ? mon->desc_open : mon->desc_closed);
		add_chardev(*ret, mon->label, desc, true);
	}
	return 0;
}

/*
 * The options libxl may ask about. libxl looks only for "run-with" with
 * "chroot"/"user" parameters; hvmdm takes -chroot and -runas, so it is not
 * listed and libxl uses those.
 */
static const struct {
	const char *option;
	const char *const params[8];
} cmdline_options[] = {
	{ "machine", { "type", "accel", "suppress-vmdesc", "max-ram-below-4g", NULL } },
	{ "drive", { "file", "if", "index", "media", "format", "cache", "readonly", "id" } },
	{ "chardev", { "id", "path", "fd", "server", "wait", NULL } },
	{ "mon", { "chardev", "mode", NULL } },
	{ "boot", { "order", NULL } },
};

static int cmd_query_cmdline_options(struct qmp_conn *c, json_t *args, json_t **ret,
				     struct dm_error *e)
{
	const char *want;

	(void)c;
	if (arg_string(args, "option", false, &want, e))
		return -1;
	*ret = json_array();
	for (size_t i = 0; i < sizeof(cmdline_options) / sizeof(cmdline_options[0]); i++) {
		json_t *params = json_array();

		if (want && strcmp(want, cmdline_options[i].option) != 0) {
			json_decref(params);
			continue;
		}
		for (size_t k = 0; k < 8 && cmdline_options[i].params[k]; k++)
			json_array_append_new(params, json_pack("{s:s,s:s}", "name",
								cmdline_options[i].params[k],
								"type", "string"));
		json_array_append_new(*ret, json_pack("{s:o,s:s}", "parameters", params, "option",
						      cmdline_options[i].option));
	}
	if (want && json_array_size(*ret) == 0)
		return dm_fail(e, "GenericError", "invalid option name: %s", want);
	return 0;
}

static int cmd_query_cpus_fast(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	unsigned n = M(c)->opts->smp ? M(c)->opts->smp : 1;

	if (no_args(args, e))
		return -1;
	*ret = json_array();
	for (unsigned i = 0; i < n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/machine/unattached/device[%u]", i);
		json_array_append_new(*ret, json_pack("{s:i,s:{s:i,s:i,s:i},s:s,s:i,s:s}",
						      "thread-id", getpid(), "props", "core-id", 0,
						      "thread-id", 0, "socket-id", i, "qom-path",
						      path, "cpu-index", i, "target", "x86_64"));
	}
	return 0;
}

static int cmd_xen_set_global_dirty_log(struct qmp_conn *c, json_t *args, json_t **ret,
					struct dm_error *e)
{
	bool enable = false;

	(void)ret;
	if (arg_bool(args, "enable", true, &enable, e))
		return -1;
	M(c)->log_dirty = enable;
	return 0;
}

/*
 * As QEMU 7.2's qmp_xen_save_devices_state: a running guest is not refused
 * (QEMU stops it for the save and starts it again; here every device is
 * already quiet between two requests), an open failure is "Unable to open
 * PATH: ERRNO", any other failure QERR_IO_ERROR. live only matters to
 * QEMU's block-layer locks.
 */
static int cmd_xen_save_devices_state(struct qmp_conn *c, json_t *args, json_t **ret,
				      struct dm_error *e)
{
	const char *file;
	bool live = true;
	int err;

	(void)ret;
	if (arg_string(args, "filename", true, &file, e) || arg_bool(args, "live", false, &live, e))
		return -1;
	err = dm_state_save_path(M(c), file);
	if (err == -ENOENT || err == -EACCES || err == -EPERM || err == -EISDIR ||
	    err == -ENOTDIR || err == -EBADF || err == -EROFS)
		return dm_fail(e, "GenericError", "Unable to open %s: %s", file, strerror(-err));
	if (err)
		return dm_fail(e, "GenericError", "An IO error has occurred");
	return 0;
}

static int cmd_xen_load_devices_state(struct qmp_conn *c, json_t *args, json_t **ret,
				      struct dm_error *e)
{
	const char *file;

	(void)c;
	(void)ret;
	if (arg_string(args, "filename", true, &file, e))
		return -1;
	return dm_fail(e, "GenericError",
		       "hvmdm loads device state only at start-up (-incoming fd:N)");
}

static int cmd_add_fd(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	json_int_t id = -1;
	const char *opaque;
	int64_t got;
	int fd, err;

	if (arg_int(args, "fdset-id", false, &id, e) ||
	    arg_string(args, "opaque", false, &opaque, e))
		return -1;
	if (json_object_get(args, "fdset-id") && id < 0)
		return dm_fail(e, "GenericError",
			       "Parameter 'fdset-id' expects a non-negative value");
	fd = qmp_conn_take_fd(c);
	if (fd < 0)
		return dm_fail(e, "GenericError", "No file descriptor supplied via SCM_RIGHTS");
	err = fdset_add(id, fd, opaque, &got);
	if (err) {
		close(fd);
		return dm_fail(e, "GenericError", "Cannot add fd: %s", strerror(-err));
	}
	*ret = json_pack("{s:I,s:i}", "fdset-id", (json_int_t)got, "fd", fd);
	return 0;
}

static int cmd_remove_fd(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	json_int_t id = 0, fd = -1;
	bool has_fd = json_object_get(args, "fd") != NULL;

	(void)c;
	(void)ret;
	if (arg_int(args, "fdset-id", true, &id, e) || arg_int(args, "fd", false, &fd, e))
		return -1;
	/*
	 * As QEMU's qmp_remove_fd: a given fd is compared whole (no fd is
	 * negative or above INT_MAX, so those match nothing; never truncated
	 * into another fd, never taken for "the whole set").
	 */
	if ((has_fd && (fd < 0 || fd > INT_MAX)) || fdset_remove(id, has_fd ? (int)fd : -1) < 0) {
		if (!has_fd)
			return dm_fail(e, "GenericError",
				       "File descriptor named 'fdset-id:%lld' not found",
				       (long long)id);
		return dm_fail(e, "GenericError",
			       "File descriptor named 'fdset-id:%lld, fd:%lld' not found",
			       (long long)id, (long long)fd);
	}
	return 0;
}

static void add_fdset_json(void *opaque, int64_t id, const struct fdset_fd *fds, unsigned n)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < n; i++) {
		json_t *f = json_pack("{s:i}", "fd", fds[i].fd);

		if (fds[i].opaque)
			json_object_set_new(f, "opaque", json_string(fds[i].opaque));
		json_array_append_new(arr, f);
	}
	json_array_append_new(opaque,
			      json_pack("{s:o,s:I}", "fds", arr, "fdset-id", (json_int_t)id));
}

static int cmd_query_fdsets(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	(void)c;
	if (no_args(args, e))
		return -1;
	*ret = json_array();
	fdset_for_each(add_fdset_json, *ret);
	return 0;
}

static int cmd_getfd(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	struct qmp_named_fd *nf;
	const char *name;
	int fd;

	(void)ret;
	if (arg_string(args, "fdname", true, &name, e))
		return -1;
	if (name[0] >= '0' && name[0] <= '9')
		return dm_fail(e, "GenericError",
			       "Parameter 'fdname' expects a name not starting with a digit");
	fd = qmp_conn_take_fd(c);
	if (fd < 0)
		return dm_fail(e, "GenericError", "No file descriptor supplied via SCM_RIGHTS");
	for (nf = c->q->named_fds; nf; nf = nf->next) {
		if (!strcmp(nf->name, name)) {
			close(nf->fd); /* QEMU replaces a same-named fd */
			nf->fd = fd;
			return 0;
		}
	}
	nf = calloc(1, sizeof(*nf));
	if (!nf || !(nf->name = strdup(name))) {
		free(nf);
		close(fd);
		return dm_fail(e, "GenericError", "Out of memory");
	}
	nf->fd = fd;
	nf->next = c->q->named_fds;
	c->q->named_fds = nf;
	return 0;
}

static int cmd_closefd(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	const char *name;

	(void)ret;
	if (arg_string(args, "fdname", true, &name, e))
		return -1;
	for (struct qmp_named_fd **p = &c->q->named_fds; *p; p = &(*p)->next) {
		struct qmp_named_fd *nf = *p;

		if (strcmp(nf->name, name) != 0)
			continue;
		*p = nf->next;
		close(nf->fd);
		free(nf->name);
		free(nf);
		return 0;
	}
	return dm_fail(e, "GenericError", "File descriptor named '%s' not found", name);
}

static json_t *pci_device_json(struct bus *bus, unsigned devfn)
{
	uint32_t id = bus_pci_read(bus, devfn, 0x00, 4);
	uint32_t cls = bus_pci_read(bus, devfn, 0x08, 4);
	uint32_t sub = bus_pci_read(bus, devfn, 0x2c, 4);
	uint32_t irq = bus_pci_read(bus, devfn, 0x3c, 2);
	json_t *d;

	d = json_pack("{s:i,s:i,s:i,s:{s:i},s:{s:i,s:i,s:i,s:i},s:[],s:s}", "bus", 0, "slot",
		      devfn >> 3, "function", devfn & 7, "class_info", "class", cls >> 16, "id",
		      "device", id >> 16, "vendor", id & 0xffff, "subsystem", sub >> 16,
		      "subsystem-vendor", sub & 0xffff, "regions", "qdev_id", "");
	if (d && (irq >> 8) & 0xff)
		json_object_set_new(d, "irq", json_integer(irq & 0xff));
	if (d && (irq >> 8) & 0xff)
		json_object_set_new(d, "irq_pin", json_integer((irq >> 8) & 0xff));
	return d;
}

static int cmd_query_pci(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	json_t *devs;

	if (no_args(args, e))
		return -1;
	devs = json_array();
	for (unsigned devfn = 0; devfn < 256; devfn++)
		if (bus_pci_present(M(c)->bus, devfn))
			json_array_append_new(devs, pci_device_json(M(c)->bus, devfn));
	*ret = json_pack("[{s:i,s:o}]", "bus", 0, "devices", devs);
	return 0;
}

/* The HMP commands people type through `xl qemu-monitor-command`. */
static int cmd_human_monitor_command(struct qmp_conn *c, json_t *args, json_t **ret,
				     struct dm_error *e)
{
	const char *line;
	char out[256];

	if (arg_string(args, "command-line", true, &line, e))
		return -1;
	line += strspn(line, " \t");
	if (!strcmp(line, "info status")) {
		snprintf(out, sizeof(out), "VM status: %s\r\n", run_state_name(M(c)->rs.state));
	} else if (!strcmp(line, "info version")) {
		snprintf(out, sizeof(out), "%d.%d.%d (hvmdm)\r\n", QMP_QEMU_MAJOR, QMP_QEMU_MINOR,
			 QMP_QEMU_MICRO);
	} else if (!strcmp(line, "info name")) {
		snprintf(out, sizeof(out), "%s\r\n", M(c)->opts->name ? M(c)->opts->name : "");
	} else {
		size_t n = strcspn(line, " \t");

		snprintf(out, sizeof(out), "unknown command: '%.*s'\r\n", (int)(n > 64 ? 64 : n),
			 line);
	}
	*ret = json_string(out);
	return 0;
}

/* ---------------------------------------------------------------- IDE drives (hw/ide) */
/*
 * eject, blockdev-change-medium and query-block as libxl's CD-ROM flow
 * uses them (xen-interface.md §7.4, §7.6): the drive is named by "id" (the
 * ide-cd device id, "ide-<dev_number>") or, as before QEMU 2.8, "device";
 * a new medium arrives as "/dev/fdset/N" from add-fd.
 */
static int drive_name(json_t *args, const char **out, struct dm_error *e)
{
	const char *id, *device;

	if (arg_string(args, "id", false, &id, e) || arg_string(args, "device", false, &device, e))
		return -1;
	*out = id ? id : device;
	if (!*out)
		return dm_fail(e, "GenericError", "Parameter 'id' is missing");
	return 0;
}

/* set_link name=NETDEV-or-NIC-id up=BOOL (QEMU 7.2's net.json), QEMU's error for a bad name. */
static int cmd_set_link(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	const char *name;
	bool up;

	if (arg_string(args, "name", true, &name, e) || arg_bool(args, "up", true, &up, e))
		return -1;
	if (net_set_link(M(c), name, up))
		return dm_fail(e, "DeviceNotFound", "Device '%s' not found", name);
	*ret = json_object();
	return 0;
}

static int cmd_eject(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	const char *id;
	bool force = false;

	if (drive_name(args, &id, e) || arg_bool(args, "force", false, &force, e))
		return -1;
	if (ide_eject(M(c), id, force, e))
		return -1;
	*ret = json_object();
	return 0;
}

static int cmd_blockdev_change_medium(struct qmp_conn *c, json_t *args, json_t **ret,
				      struct dm_error *e)
{
	const char *id, *file, *format, *mode;
	struct blk *blk;
	char err[256];

	if (drive_name(args, &id, e) || arg_string(args, "filename", true, &file, e) ||
	    arg_string(args, "format", false, &format, e) ||
	    arg_string(args, "read-only-mode", false, &mode, e))
		return -1;
	if (format && strcmp(format, "raw"))
		return dm_fail(e, "GenericError", "Unknown driver '%s' (hvmdm takes raw images)",
			       format);
	if (mode && strcmp(mode, "retain") && strcmp(mode, "read-only"))
		return dm_fail(e, "GenericError",
			       "A CD-ROM medium is read-only (read-only-mode=%s)", mode);
	/* xen-interface.md §8: after set-up media arrive as fds (add-fd), never as paths */
	if (sandbox_filtering() && strncmp(file, "/dev/fdset/", 11))
		return dm_fail(e, "GenericError",
			       "Could not open '%s': the sandbox opens no paths (pass the medium "
			       "with add-fd and use /dev/fdset/N)",
			       file);
	blk = blk_open(M(c)->loop, file, true, BLK_CACHE_WRITEBACK, err, sizeof(err));
	if (!blk)
		return dm_fail(e, "GenericError", "Could not open '%s': %s", file, err);
	if (ide_change_medium(M(c), id, blk, file, e))
		return -1;
	*ret = json_object();
	return 0;
}

static void add_block_json(void *opaque, const struct ide_drive_info *d)
{
	json_t *list = opaque, *o;

	o = json_pack("{s:s,s:s,s:b,s:b}", "io-status", "ok", "device", d->device, "locked",
		      d->locked, "removable", d->removable);
	if (!o)
		return;
	if (d->inserted) {
		json_t *img = json_pack("{s:I,s:s,s:s}", "virtual-size", (json_int_t)d->size,
					"filename", d->file ? d->file : "", "format", "raw");
		json_t *cache = json_pack(
		    "{s:b,s:b,s:b}", "no-flush", d->cache == BLK_CACHE_UNSAFE, "direct",
		    d->cache == BLK_CACHE_NONE || d->cache == BLK_CACHE_DIRECTSYNC, "writeback",
		    d->cache != BLK_CACHE_WRITETHROUGH && d->cache != BLK_CACHE_DIRECTSYNC);

		json_object_set_new(
		    o, "inserted",
		    json_pack("{s:I,s:s,s:o,s:I,s:b,s:I,s:I,s:i,s:s,s:I,s:I,s:b,s:I,"
			      "s:I,s:o,s:s}",
			      "iops_rd", (json_int_t)0, "detect_zeroes", "off", "image", img,
			      "iops_wr", (json_int_t)0, "ro", d->readonly, "iops", (json_int_t)0,
			      "bps_wr", (json_int_t)0, "backing_file_depth", 0, "drv", "raw",
			      "write_threshold", (json_int_t)0, "bps_rd", (json_int_t)0,
			      "encrypted", false, "bps", (json_int_t)0, "bps_max", (json_int_t)0,
			      "cache", cache, "file", d->file ? d->file : ""));
	}
	json_object_set_new(o, "qdev", json_string(d->qdev));
	if (d->removable)
		json_object_set_new(o, "tray_open", json_boolean(d->tray_open));
	json_object_set_new(o, "type", json_string("unknown"));
	json_array_append_new(list, o);
}

static int cmd_query_block(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	json_t *list;

	if (no_args(args, e))
		return -1;
	list = json_array();
	ide_for_each_drive(M(c), add_block_json, list);
	*ret = list;
	return 0;
}
/* ---------------------------------------------------------------- end of IDE drives */

const struct qmp_cmd qmp_cmds[] = {
	{ "qmp_capabilities", cmd_qmp_capabilities },
	{ "query-status", cmd_query_status },
	{ "cont", cmd_cont },
	{ "stop", cmd_stop },
	{ "quit", cmd_quit },
	{ "system_wakeup", cmd_system_wakeup },
	{ "query-version", cmd_query_version },
	{ "query-name", cmd_query_name },
	{ "query-commands", cmd_query_commands },
	{ "query-chardev", cmd_query_chardev },
	{ "query-vnc", qmp_cmd_query_vnc },
	{ "change-vnc-password", qmp_cmd_change_vnc_password },
	{ "set_password", qmp_cmd_set_password },
	{ "expire_password", qmp_cmd_expire_password },
	{ "query-command-line-options", cmd_query_cmdline_options },
	{ "query-cpus-fast", cmd_query_cpus_fast },
	{ "xen-set-global-dirty-log", cmd_xen_set_global_dirty_log },
	{ "xen-save-devices-state", cmd_xen_save_devices_state },
	{ "xen-load-devices-state", cmd_xen_load_devices_state },
	{ "add-fd", cmd_add_fd },
	{ "remove-fd", cmd_remove_fd },
	{ "query-fdsets", cmd_query_fdsets },
	{ "screendump", cmd_screendump },
	{ "getfd", cmd_getfd },
	{ "closefd", cmd_closefd },
	{ "query-pci", cmd_query_pci },
	{ "human-monitor-command", cmd_human_monitor_command },
	{ "eject", cmd_eject },
	{ "set_link", cmd_set_link },
	{ "blockdev-change-medium", cmd_blockdev_change_medium },
	{ "query-block", cmd_query_block },
	{ "query-machines", cmd_query_machines },
	{ "qom-list-types", cmd_qom_list_types },
	{ NULL, NULL },
};
