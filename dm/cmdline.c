// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command line, as a table: one row per option with its argument, its
 * handler and its help line. libxl spawns hvmdm with qemu-xen's argv
 * (shared/docs/xen-interface.md §7.1), so the QEMU spellings are the primary
 * ones; hvmdm's own options are spelled --long. An option not in the table,
 * a missing argument, or a value hvmdm does not model is an error naming the
 * option (exit status 1): a toolstack never gets a device model that quietly
 * ignored part of what it asked for.
 *
 * Adding an option is one handler and one row in opt_table[].
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/blockdev.h"
#include "dm/cmdline.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/machine_types.h"
#include "dm/net.h"
#include "dm/qemuopts.h"
#include "dm/vnc_opts.h"

#define HVMDM_VERSION	     "0.1"
#define DOMID_FIRST_RESERVED 0x7ff0u

struct cmdline_ctx {
	struct machine_opts *mo;
	struct run_opts *ro;
	FILE *out;
	FILE *err;
	const char *opt; /* the option as written, for messages */
};

enum opt_group { OPT_NATIVE, OPT_QEMU, OPT_REJECTED };

struct opt_desc {
	const char *name; /* without the leading dashes */
	bool has_arg;
	int (*handler)(struct cmdline_ctx *c, const char *arg);
	enum opt_group group;
	const char *argname;
	const char *help;
};

/* Strings the options keep (boot order, name): freed by cmdline_free. */
static struct strlist owned;

__attribute__((format(printf, 2, 3))) static int opt_error(struct cmdline_ctx *c, const char *fmt,
							   ...)
{
	va_list ap;

	fprintf(c->err, "hvmdm: option '%s': ", c->opt);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	return -EINVAL;
}

static int keep_str(struct cmdline_ctx *c, const char *s, const char **dst)
{
	if (strlist_add(&owned, s))
		return opt_error(c, "out of memory");
	*dst = owned.v[owned.n - 1];
	return 0;
}

static bool word_in(const char *w, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(w, *words))
			return true;
	return false;
}

static int add_to(struct cmdline_ctx *c, struct strlist *l, const char *arg)
{
	if (strlist_add(l, arg))
		return opt_error(c, "out of memory");
	return 0;
}

/*
 * Parse arg as QEMU options; rejects keys outside allowed. A bare first word
 * is QEMU's implied key (the type, the size...) and is not checked here.
 */
static int parse_qopts(struct cmdline_ctx *c, const char *arg, struct qopts *o,
		       const char *const *allowed)
{
	const char *bad;

	if (qopts_parse(arg, o))
		return opt_error(c, "cannot parse '%s'", arg);
	bad = qopts_unknown_key(o, allowed, o->n && !o->v[0].val);
	if (bad) {
		opt_error(c, "parameter '%s' is not supported", bad);
		qopts_free(o);
		return -EINVAL;
	}
	return 0;
}

/* The bare first word of o (QEMU's implied key), or the value of key. */
static const char *first_or(const struct qopts *o, const char *key)
{
	if (o->n && !o->v[0].val)
		return o->v[0].key;
	return qopts_get(o, key);
}

static int set_accel(struct cmdline_ctx *c, const char *name)
{
	static const struct {
		const char *name;
		enum accel_kind kind;
	} accels[] = { { "xen", ACCEL_XEN }, { "qtest", ACCEL_QTEST } };

	for (size_t i = 0; i < sizeof(accels) / sizeof(accels[0]); i++) {
		if (!strcmp(name, accels[i].name)) {
			c->ro->accel = accels[i].kind;
			return 0;
		}
	}
	return opt_error(c, "accelerator '%s' is not supported (xen, qtest)", name);
}

/* ---------------------------------------------------------------- handlers */

static int opt_machine(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "type", "accel", "suppress-vmdesc", "max-ram-below-4g",
					    NULL };
	struct qopts o;
	const char *type, *v;
	unsigned long long sz;
	int r = 0;

	if (!strcmp(arg, "help")) {
		const char *name, *help;

		for (size_t i = 0; (name = machine_type_name(i, &help)); i++)
			fprintf(c->out, "%-10s %s\n", name, help);
		return CMDLINE_EXIT_OK;
	}
	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	type = first_or(&o, "type");
	if (type && machine_type_find(type, &c->mo->kind)) {
		r = opt_error(c, "machine type '%s' is not supported (try -machine help)", type);
		goto out;
	}
	v = qopts_get(&o, "accel");
	if (v && (r = set_accel(c, v)))
		goto out;
	if (qopts_has(&o, "suppress-vmdesc") && qopts_get_bool(&o, "suppress-vmdesc", true) < 0) {
		r = opt_error(c, "suppress-vmdesc takes on or off");
		goto out;
	}
	v = qopts_get(&o, "max-ram-below-4g");
	if (v) {
		if (qopts_parse_size(v, &sz) || sz > (1ull << 32)) {
			r = opt_error(c, "bad max-ram-below-4g '%s'", v);
			goto out;
		}
		c->mo->max_ram_below_4g = sz;
	}
out:
	qopts_free(&o);
	return r;
}

static int opt_accel(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "accel", NULL };
	struct qopts o;
	const char *a;
	int r;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	a = first_or(&o, "accel");
	r = a ? set_accel(c, a) : opt_error(c, "no accelerator named");
	qopts_free(&o);
	return r;
}

static int opt_m(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "size", NULL };
	struct qopts o;
	unsigned long long v;
	const char *s;
	int r = 0;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	s = first_or(&o, "size");
	if (!s || qopts_parse_size(s, &v)) {
		r = opt_error(c, "bad memory size '%s'", arg);
		goto out;
	}
	/* A bare number is MiB, as QEMU takes it; a suffixed one is bytes. */
	if (s[strspn(s, "0123456789")] != '\0') {
		if (v % (1ull << 20)) {
			r = opt_error(c, "memory size '%s' is not a whole number of MiB", s);
			goto out;
		}
		v >>= 20;
	}
	if (v == 0 || v > (1ull << 24)) {
		r = opt_error(c, "memory size '%s' out of range (1 MiB to 16 TiB)", s);
		goto out;
	}
	c->mo->ram_mb = v;
out:
	qopts_free(&o);
	return r;
}

static int smp_number(struct cmdline_ctx *c, const char *s, unsigned *out)
{
	unsigned long long v;

	if (qopts_parse_u64(s, &v) || v == 0 || v > HVM_MAX_VCPUS)
		return opt_error(c, "'%s' is not a vCPU count (1 to %u)", s, HVM_MAX_VCPUS);
	*out = v;
	return 0;
}

static int opt_smp(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "cpus",  "maxcpus", "sockets", "dies",
					    "cores", "threads", NULL };
	static const char *const topo[] = { "sockets", "dies", "cores", "threads" };
	unsigned cpus = 0, max = 0, product = 1, n = 1;
	struct qopts o;
	const char *s;
	int r = -EINVAL;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	s = first_or(&o, "cpus");
	if (s && smp_number(c, s, &cpus))
		goto out;
	s = qopts_get(&o, "maxcpus");
	if (s && smp_number(c, s, &max))
		goto out;
	for (size_t i = 0; i < sizeof(topo) / sizeof(topo[0]); i++) {
		s = qopts_get(&o, topo[i]);
		if (s && smp_number(c, s, &n))
			goto out;
		product *= s ? n : 1;
	}
	if (!cpus)
		cpus = max ? max : product;
	if (!max)
		max = cpus;
	if (cpus > max || max > HVM_MAX_VCPUS) {
		opt_error(c, "%u vCPUs with maxcpus=%u", cpus, max);
		goto out;
	}
	c->mo->smp = cpus;
	c->ro->max_cpus = max;
	r = 0;
out:
	qopts_free(&o);
	return r;
}

static int opt_device(struct cmdline_ctx *c, const char *arg)
{
	struct qopts o;
	const char *type;
	int r;

	if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
		dev_print_types(c->out);
		return CMDLINE_EXIT_OK;
	}
	if (qopts_parse(arg, &o))
		return opt_error(c, "cannot parse '%s'", arg);
	if (o.n && (qopts_has(&o, "help") || qopts_has(&o, "?"))) {
		type = first_or(&o, "driver");
		r = type ? dev_print_props(c->out, type) : -ENOENT;
		if (r)
			r = opt_error(c, "unknown device type '%s' (try -device help)",
				      type ? type : "");
		else
			r = CMDLINE_EXIT_OK;
		qopts_free(&o);
		return r;
	}
	type = first_or(&o, "driver");
	if (!type || !dev_type_find(type)) {
		r = opt_error(c, "device type '%s' is not in this build (try -device help)",
			      type ? type : "");
		qopts_free(&o);
		return r;
	}
	qopts_free(&o);
	return add_to(c, &c->mo->devices, arg);
}

/*
 * An fd the command line names (fd=N, fd:N, /dev/fd/N): kept open by
 * sandbox_close_inherited_fds. Anything that is not a number is left to
 * the option's own parser to reject.
 */
static void keep_fd(struct cmdline_ctx *c, const char *s)
{
	unsigned long long v;

	if (!s || qopts_parse_u64(s, &v) || v > 65535)
		return;
	if (c->ro->nkeep_fds < sizeof(c->ro->keep_fds) / sizeof(c->ro->keep_fds[0]))
		c->ro->keep_fds[c->ro->nkeep_fds++] = (int)v;
}

/* Every fd=N and /dev/fd/N in an option value. */
static void keep_named_fds(struct cmdline_ctx *c, const char *arg)
{
	struct qopts o;

	if (qopts_parse(arg, &o))
		return;
	for (size_t i = 0; i < o.n; i++) {
		const char *v = o.v[i].val ? o.v[i].val : o.v[i].key;

		if (o.v[i].val && !strcmp(o.v[i].key, "fd"))
			keep_fd(c, v);
		else if ((v = strstr(v, "/dev/fd/")))
			keep_fd(c, v + 8);
	}
	qopts_free(&o);
}

static int opt_drive(struct cmdline_ctx *c, const char *arg)
{
	keep_named_fds(c, arg);
	return add_to(c, &c->mo->drives, arg);
}

/* A -blockdev node is kept as the if=none -drive it equals (dm/blockdev.h). */
static int opt_blockdev(struct cmdline_ctx *c, const char *arg)
{
	char err[256], *drive;
	int r;

	if (blockdev_to_drive(arg, &drive, err, sizeof(err)))
		return opt_error(c, "%s", err);
	r = add_to(c, &c->mo->drives, drive);
	free(drive);
	return r;
}

static int opt_chardev(struct cmdline_ctx *c, const char *arg)
{
	keep_named_fds(c, arg);
	return add_to(c, &c->mo->chardevs, arg);
}

/* Checked here (syntax, backend type), opened by the machine builder (dm/net.c). */
static int opt_netdev(struct cmdline_ctx *c, const char *arg)
{
	char err[256];
	struct qopts o;

	if (net_check_opt(arg, err, sizeof(err)))
		return opt_error(c, "%s", err);
	keep_named_fds(c, arg);
	/* stream addr.type=fd,addr.str=N and dgram local.str=N name fds too */
	if (!qopts_parse(arg, &o)) {
		keep_fd(c, qopts_get(&o, "addr.str"));
		keep_fd(c, qopts_get(&o, "local.str"));
		qopts_free(&o);
	}
	return add_to(c, &c->mo->netdevs, arg);
}

static int opt_serial(struct cmdline_ctx *c, const char *arg)
{
	keep_named_fds(c, arg);
	return add_to(c, &c->mo->serials, arg);
}

static int opt_mon(struct cmdline_ctx *c, const char *arg)
{
	return add_to(c, &c->mo->mons, arg);
}

static int opt_global(struct cmdline_ctx *c, const char *arg)
{
	if (!strchr(arg, '=') || !strchr(arg, '.'))
		return opt_error(c, "expected DRIVER.PROP=VALUE, got '%s'", arg);
	return add_to(c, &c->mo->globals, arg);
}

static int opt_net(struct cmdline_ctx *c, const char *arg)
{
	if (strcmp(arg, "none"))
		return opt_error(c, "only 'none' is supported (use -netdev and -device)");
	c->ro->net_none = true;
	return 0;
}

static int opt_nodefaults(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->mo->nodefaults = true;
	return 0;
}

static int opt_no_user_config(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->ro->no_user_config = true;
	return 0;
}

static int opt_no_shutdown(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->ro->no_shutdown = true;
	return 0;
}

static int opt_S(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->mo->start_paused = true;
	return 0;
}

static int opt_usb(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	if (!dev_type_find("piix3-usb-uhci"))
		return opt_error(c,
				 "the PIIX3 USB controller (piix3-usb-uhci) is not in this build");
	c->mo->usb = true;
	return 0;
}

/* QEMU's legacy -usbdevice names and the -device types they stand for. */
static const struct {
	const char *name;
	const char *type;
} usbdevices[] = {
	{ "tablet", "usb-tablet" },
	{ "mouse", "usb-mouse" },
	{ "keyboard", "usb-kbd" },
};

static int opt_usbdevice(struct cmdline_ctx *c, const char *arg)
{
	for (size_t i = 0; i < sizeof(usbdevices) / sizeof(usbdevices[0]); i++) {
		if (strcmp(arg, usbdevices[i].name))
			continue;
		if (!dev_type_find(usbdevices[i].type))
			return opt_error(c, "USB device '%s' (%s) is not in this build", arg,
					 usbdevices[i].type);
		if (!c->mo->usb)
			return opt_error(c, "'%s' needs -usb first", arg);
		return add_to(c, &c->mo->devices, usbdevices[i].type);
	}
	return opt_error(c, "USB device '%s' is not supported (tablet, mouse, keyboard)", arg);
}

static int opt_nographic(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->ro->nographic = true;
	c->mo->nographic = true;
	return 0;
}

static int opt_kernel(struct cmdline_ctx *c, const char *arg)
{
	c->mo->kernel = arg;
	return 0;
}

static int opt_initrd(struct cmdline_ctx *c, const char *arg)
{
	c->mo->initrd = arg;
	return 0;
}

static int opt_append(struct cmdline_ctx *c, const char *arg)
{
	c->mo->append = arg;
	return 0;
}

static int opt_name(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "guest", "process", "debug-threads", NULL };
	struct qopts o;
	const char *n;
	int r;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	n = first_or(&o, "guest");
	r = n ? keep_str(c, n, &c->mo->name) : 0;
	qopts_free(&o);
	return r;
}

static int opt_display(struct cmdline_ctx *c, const char *arg)
{
	if (strcmp(arg, "none"))
		return opt_error(c, "display '%s' is not supported (only none; use -vnc)", arg);
	c->ro->display = arg;
	return 0;
}

static int opt_vnc(struct cmdline_ctx *c, const char *arg)
{
	struct vnc_opts o;
	char err[200];

	if (vnc_opts_parse(arg, &o, err, sizeof(err)))
		return opt_error(c, "%s", err);
	c->ro->vnc = arg;
	return 0;
}

/* -monitor none: no human monitor (HMP is not in this build; QMP is -mon ...,mode=control). */
static int opt_monitor(struct cmdline_ctx *c, const char *arg)
{
	if (strcmp(arg, "none"))
		return opt_error(
		    c,
		    "'%s': the human monitor is not in this build (only -monitor none; "
		    "QMP: -chardev ... -mon chardev=ID,mode=control)",
		    arg);
	return 0;
}

/* -vga TYPE: QEMU's names for the adapters, created before any -device (QEMU's pc_vga_init). */
static int opt_vga(struct cmdline_ctx *c, const char *arg)
{
	static const struct {
		const char *name, *type;
	} vga[] = { { "std", "VGA" }, { "cirrus", "cirrus-vga" } };

	if (!strcmp(arg, "none")) {
		c->mo->vga = NULL;
		return 0;
	}
	for (size_t i = 0; i < sizeof(vga) / sizeof(vga[0]); i++)
		if (!strcmp(arg, vga[i].name) && dev_type_find(vga[i].type)) {
			c->mo->vga = vga[i].type;
			return 0;
		}
	return opt_error(c, "'%s': not a VGA adapter of this build (std, cirrus or none)", arg);
}

/*
 * base=utc|localtime|YYYY-MM-DD[THH:MM:SS] (QEMU's configure_rtc_base_datetime).
 * A date sets *secs (UTC seconds since 1970) and *dated; utc and localtime
 * (the host's date now) leave the standalone clock at its fixed default, so
 * that a trace replays the same whatever the host date is.
 */
static bool rtc_base_ok(const char *v, int64_t *secs, bool *dated)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	struct tm tm = { 0 };
	int n = 0;

	*dated = false;
	if (!strcmp(v, "utc") || !strcmp(v, "localtime"))
		return true;
	if (!(sscanf(v, "%4u-%2u-%2u%n", &y, &mo, &d, &n) == 3 && !v[n])) {
		n = 0;
		if (!(sscanf(v, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
		      !v[n]))
			return false;
	}
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return false;
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)sec;
	*secs = (int64_t)timegm(&tm);
	*dated = true;
	return true;
}

/*
 * -rtc [base=...][,clock=host|rt|vm][,driftfix=none|slew], checked as QEMU
 * checks it and kept in run_opts. Under Xen the RTC is the hypervisor's
 * (libxl sets its offset with rtc_timeoffset), so nothing here changes it;
 * on the standalone platform a dated base= dates the virtual clock
 * (machine_opts.rtc_base, read by the century byte). clock= is checked and
 * kept: the standalone clock is always the virtual one (clock=vm).
 */
static int opt_rtc(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "base", "clock", "driftfix", NULL };
	static const char *const clocks[] = { "host", "rt", "vm", NULL };
	static const char *const drifts[] = { "none", "slew", NULL };
	const char *base, *clock, *drift;
	struct qopts o;
	int64_t secs = 0;
	bool dated = false;
	int r = 0;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	base = qopts_get(&o, "base");
	clock = qopts_get(&o, "clock");
	drift = qopts_get(&o, "driftfix");
	if (o.n && !o.v[0].val)
		r = opt_error(c, "'%s': expected base=, clock= or driftfix=", o.v[0].key);
	else if (base && !rtc_base_ok(base, &secs, &dated))
		r = opt_error(c,
			      "invalid datetime format '%s' (utc, localtime or "
			      "2006-06-17T16:01:21 or 2006-06-17)",
			      base);
	else if (clock && !word_in(clock, clocks))
		r = opt_error(c, "invalid option value '%s' for clock= (host, rt, vm)", clock);
	else if (drift && !word_in(drift, drifts))
		r = opt_error(c, "invalid option value '%s' for driftfix= (none, slew)", drift);
	else if (base)
		r = keep_str(c, base, &c->ro->rtc_base);
	if (!r && base) {
		c->mo->rtc_base_set = dated;
		c->mo->rtc_base = secs;
	}
	if (!r && clock)
		r = keep_str(c, clock, &c->ro->rtc_clock);
	qopts_free(&o);
	return r;
}

static int opt_boot(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "order",  "once",	     "menu",	       "strict",
					    "splash", "splash-time", "reboot-timeout", NULL };
	struct qopts o;
	const char *order;
	int r = 0;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	order = first_or(&o, "order");
	if (order) {
		if (!*order || strspn(order, "acdn") != strlen(order))
			r = opt_error(c, "boot order '%s': letters a, c, d, n only", order);
		else
			r = keep_str(c, order, &c->mo->boot);
	}
	order = qopts_get(&o, "once");
	if (!r && order) {
		if (!*order || strspn(order, "acdn") != strlen(order))
			r = opt_error(c, "boot once '%s': letters a, c, d, n only", order);
		else
			r = keep_str(c, order, &c->mo->boot_once);
	}
	qopts_free(&o);
	return r;
}

static int opt_xen_domid(struct cmdline_ctx *c, const char *arg)
{
	unsigned long long v;

	if (qopts_parse_u64(arg, &v) || v == 0 || v >= DOMID_FIRST_RESERVED)
		return opt_error(c, "'%s' is not a guest domain id", arg);
	c->mo->domid = (int)v;
	return 0;
}

static int opt_qtest(struct cmdline_ctx *c, const char *arg)
{
	if (strcmp(arg, "stdio") && (strncmp(arg, "unix:", 5) || !arg[5]))
		return opt_error(c, "'%s': expected stdio or unix:PATH", arg);
	c->ro->qtest = arg;
	return 0;
}

static int opt_qtest_log(struct cmdline_ctx *c, const char *arg)
{
	c->ro->qtest_log = arg;
	return 0;
}

static int opt_replay(struct cmdline_ctx *c, const char *arg)
{
	c->ro->replay = arg;
	return 0;
}

static int opt_record(struct cmdline_ctx *c, const char *arg)
{
	c->ro->record = arg;
	return 0;
}

static int opt_d(struct cmdline_ctx *c, const char *arg)
{
	char bad[64];

	if (!strcmp(arg, "help")) {
		log_print_categories();
		return CMDLINE_EXIT_OK;
	}
	if (log_parse_mask(arg, &c->ro->log_mask, bad, sizeof(bad)))
		return opt_error(c, "unknown log category '%s' (try -d help)", bad);
	c->ro->log_mask_given = true;
	return 0;
}

static int opt_D(struct cmdline_ctx *c, const char *arg)
{
	c->ro->log_file = arg;
	return 0;
}

static int opt_help(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	cmdline_print_help(c->out);
	return CMDLINE_EXIT_OK;
}

static int opt_version(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	fprintf(c->out, "hvmdm %s, a Xen HVM device model (qemu-xen compatible command line)\n",
		HVMDM_VERSION);
	return CMDLINE_EXIT_OK;
}

static int opt_k(struct cmdline_ctx *c, const char *arg)
{
	if (!*arg || strspn(arg, "abcdefghijklmnopqrstuvwxyz-") != strlen(arg))
		return opt_error(c, "'%s' is not a keymap name (e.g. en-us)", arg);
	c->ro->keymap = arg;
	return 0;
}

static int opt_xen_domid_restrict(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->ro->xen_restrict = true;
	return 0;
}

static int opt_chroot(struct cmdline_ctx *c, const char *arg)
{
	if (arg[0] != '/')
		return opt_error(c, "'%s' is not an absolute directory", arg);
	c->ro->chroot_dir = arg;
	return 0;
}

static int opt_runas(struct cmdline_ctx *c, const char *arg)
{
	if (!*arg)
		return opt_error(c, "empty user");
	c->ro->runas = arg;
	return 0;
}

/* QEMU 9's spelling: -run-with chroot=DIR,user=USER (libxl uses it when the probe lists it). */
static int opt_run_with(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "chroot", "user", "async-teardown", NULL };
	struct qopts o;
	const char *v;
	int r = 0;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	if (o.n && !o.v[0].val) {
		r = opt_error(c, "'%s': expected chroot=DIR and/or user=USER", o.v[0].key);
		goto out;
	}
	if (qopts_get_bool(&o, "async-teardown", false) != 0) {
		r = opt_error(c, "async-teardown=on is not supported");
		goto out;
	}
	v = qopts_get(&o, "chroot");
	if (v && !(r = opt_chroot(c, v)))
		r = keep_str(c, v, &c->ro->chroot_dir);
	v = qopts_get(&o, "user");
	if (!r && v && !(r = opt_runas(c, v)))
		r = keep_str(c, v, &c->ro->runas);
out:
	qopts_free(&o);
	return r;
}

static int opt_sandbox(struct cmdline_ctx *c, const char *arg)
{
	static const char *const keys[] = { "enable", NULL };
	static const char *const words[] = { "off", "on", "no", "yes" };
	struct qopts o;
	const char *v;
	int r = -EINVAL;

	if (parse_qopts(c, arg, &o, keys))
		return -EINVAL;
	v = first_or(&o, "enable");
	for (size_t i = 0; v && i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(v, words[i]))
			r = (int)(i & 1);
	qopts_free(&o);
	if (r < 0)
		return opt_error(c, "'%s': expected on or off", arg);
	c->ro->sandbox = r;
	return 0;
}

static int opt_standalone(struct cmdline_ctx *c, const char *arg)
{
	(void)arg;
	c->ro->standalone = true;
	return 0;
}

/*
 * Options qemu-xen takes (and libxl may pass) that ask for something this
 * build does not have: refused by name with the reason, never dropped.
 */
static int opt_unsupported(struct cmdline_ctx *c, const char *arg);
static int opt_incoming(struct cmdline_ctx *c, const char *arg);
static const struct opt_desc *find_opt(const char *name);

/* ---------------------------------------------------------------- the table */

static const struct opt_desc opt_table[] = {
	/* hvmdm's own */
	{ "replay", true, opt_replay, OPT_NATIVE, "TRACE",
	  "run the trace file on the standalone platform, answers on stdout" },
	{ "record", true, opt_record, OPT_NATIVE, "FILE",
	  "write every ioreq handled (Xen platform) to FILE in trace format" },
	{ "help", false, opt_help, OPT_NATIVE, NULL, "this text (also -h)" },
	{ "h", false, opt_help, OPT_NATIVE, NULL, NULL },
	{ "version", false, opt_version, OPT_NATIVE, NULL, "print the version" },
	{ "standalone", false, opt_standalone, OPT_NATIVE, NULL,
	  "run a Xen command line (-xen-domid N ...) without Xen: in-process RAM, idle guest; "
	  "QMP, chardevs, drives and the sandbox as under Xen (toolstack tests)" },

	/* QEMU's, as libxl and qtest users write them */
	{ "xen-domid", true, opt_xen_domid, OPT_QEMU, "DOMID", "serve this Xen guest" },
	{ "machine", true, opt_machine, OPT_QEMU, "TYPE[,accel=A][,...]",
	  "xenfv (default), pc, none; accel=, max-ram-below-4g=, suppress-vmdesc=" },
	{ "M", true, opt_machine, OPT_QEMU, NULL, NULL },
	{ "accel", true, opt_accel, OPT_QEMU, "xen|qtest", "how the guest is run" },
	{ "qtest", true, opt_qtest, OPT_QEMU, "stdio|unix:PATH",
	  "qtest protocol on stdio, or connect to the socket PATH" },
	{ "qtest-log", true, opt_qtest_log, OPT_QEMU, "FILE|none",
	  "log both directions of the qtest session to FILE, in QEMU's format" },
	{ "m", true, opt_m, OPT_QEMU, "MiB|SIZE[,size=SIZE]", "guest RAM (default 128 MiB)" },
	{ "smp", true, opt_smp, OPT_QEMU, "N[,maxcpus=N]", "vCPUs" },
	{ "device", true, opt_device, OPT_QEMU, "TYPE[,prop=val...]",
	  "add a device; -device help, -device TYPE,help" },
	{ "drive", true, opt_drive, OPT_QEMU, "OPTS", "a disk or CD-ROM backend" },
	{ "blockdev", true, opt_blockdev, OPT_QEMU, "driver=file,node-name=N,filename=F",
	  "a raw image as a node for -device ide-hd|ide-cd,drive=N" },
	{ "chardev", true, opt_chardev, OPT_QEMU, "BACKEND,id=ID,...", "a character backend" },
	{ "netdev", true, opt_netdev, OPT_QEMU, "tap,id=ID,...", "a network backend" },
	{ "net", true, opt_net, OPT_QEMU, "none", "no network" },
	{ "serial", true, opt_serial, OPT_QEMU, "SPEC",
	  "a COM port (file:PATH, pty, stdio, none)" },
	{ "mon", true, opt_mon, OPT_QEMU, "chardev=ID,mode=control", "a QMP monitor" },
	{ "global", true, opt_global, OPT_QEMU, "DRIVER.PROP=VAL", "a default property value" },
	{ "nodefaults", false, opt_nodefaults, OPT_QEMU, NULL, "no default devices" },
	{ "no-user-config", false, opt_no_user_config, OPT_QEMU, NULL, "accepted" },
	{ "no-shutdown", false, opt_no_shutdown, OPT_QEMU, NULL,
	  "guest poweroff stops the guest, not the process" },
	{ "S", false, opt_S, OPT_QEMU, NULL, "start paused (prelaunch)" },
	{ "name", true, opt_name, OPT_QEMU, "NAME", "guest name for logs and QMP" },
	{ "display", true, opt_display, OPT_QEMU, "none", "accepted" },
	{ "nographic", false, opt_nographic, OPT_QEMU, NULL, "accepted" },
	{ "vnc", true, opt_vnc, OPT_QEMU, "HOST:D[,password=on][,to=L]|unix:PATH|none",
	  "the VNC server (TCP port 5900+D)" },
	{ "boot", true, opt_boot, OPT_QEMU, "order=LETTERS", "boot order (c disk, d CD, n net)" },
	{ "usb", false, opt_usb, OPT_QEMU, NULL,
	  "PIIX3 UHCI at 00:01.2 (refused while the build has no piix3-usb-uhci)" },
	{ "monitor", true, opt_monitor, OPT_QEMU, "none", "no human monitor (QMP: -mon)" },
	{ "vga", true, opt_vga, OPT_QEMU, "std|cirrus|none", "the VGA adapter" },
	{ "rtc", true, opt_rtc, OPT_QEMU, "[base=B][,clock=C][,driftfix=D]",
	  "checked and kept; under Xen the RTC is the hypervisor's, standalone has no clock" },
	{ "usbdevice", true, opt_usbdevice, OPT_QEMU, "tablet|mouse|keyboard",
	  "a USB HID device on the -usb controller" },
	{ "k", true, opt_k, OPT_QEMU, "LANG", "keyboard layout of the VNC server" },
	{ "xen-domid-restrict", false, opt_xen_domid_restrict, OPT_QEMU, NULL,
	  "dm_restrict: restrict the Xen handles to the guest, no xenstore; implies -sandbox on" },
	{ "chroot", true, opt_chroot, OPT_QEMU, "DIR", "chroot into DIR after set-up" },
	{ "runas", true, opt_runas, OPT_QEMU, "USER|UID:GID", "drop to this user after set-up" },
	{ "run-with", true, opt_run_with, OPT_QEMU, "[chroot=DIR][,user=USER]",
	  "the same as -chroot and -runas" },
	{ "sandbox", true, opt_sandbox, OPT_QEMU, "on|off",
	  "seccomp allow-list after set-up (a forbidden call kills the process)" },
	{ "incoming", true, opt_incoming, OPT_QEMU, "fd:N",
	  "restore the device state xen-save-devices-state wrote (standalone platform only)" },
	{ "kernel", true, opt_kernel, OPT_QEMU, "FILE",
	  "direct kernel boot of a bzImage through fw_cfg" },
	{ "initrd", true, opt_initrd, OPT_QEMU, "FILE", "initial ramdisk (needs -kernel)" },
	{ "append", true, opt_append, OPT_QEMU, "CMDLINE", "kernel command line (needs -kernel)" },
	{ "no-acpi", false, opt_unsupported, OPT_REJECTED, NULL,
	  "xl acpi=0 (the PIIX4 ACPI function is always present)" },
	{ "spice", true, opt_unsupported, OPT_REJECTED, "OPTS", "SPICE display" },
	{ "xen-attach", false, opt_unsupported, OPT_REJECTED, NULL,
	  "PV/PVH backends (hvmdm serves HVM guests only)" },
	{ "object", true, opt_unsupported, OPT_REJECTED, "OPTS", "QOM objects (COLO filters)" },
	{ "d", true, opt_d, OPT_QEMU, "CAT[,CAT...]", "log categories (-d help)" },
	{ "D", true, opt_D, OPT_QEMU, "FILE", "log to FILE instead of stderr" },
};

/* -incoming fd:N: an inherited fd of the saved state (libxl's restore). */
static int opt_incoming(struct cmdline_ctx *c, const char *arg)
{
	unsigned long long v;

	if (strncmp(arg, "fd:", 3) || qopts_parse_u64(arg + 3, &v) || v > 65535)
		return opt_error(c, "'%s': only fd:N is supported", arg);
	keep_fd(c, arg + 3);
	c->ro->incoming = arg;
	c->ro->incoming_fd = (int)v;
	return 0;
}

static int opt_unsupported(struct cmdline_ctx *c, const char *arg)
{
	const struct opt_desc *d = find_opt(c->opt + (c->opt[1] == '-' ? 2 : 1));

	(void)arg;
	return opt_error(c, "not supported by hvmdm: %s", d ? d->help : "");
}

static const struct opt_desc *find_opt(const char *name)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
		if (!strcmp(opt_table[i].name, name))
			return &opt_table[i];
	return NULL;
}

static void print_group(FILE *f, enum opt_group g)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++) {
		const struct opt_desc *d = &opt_table[i];
		char left[96];

		if (d->group != g || !d->help)
			continue;
		snprintf(left, sizeof(left), "%s%s %s", g == OPT_NATIVE ? "--" : "-", d->name,
			 d->argname ? d->argname : "");
		fprintf(f, "  %-44s %s\n", left, d->help);
	}
}

void cmdline_print_help(FILE *f)
{
	fprintf(f,
		"Usage: hvmdm [options]\n"
		"\n"
		"A device model for Xen HVM guests. libxl starts it as it starts qemu-xen\n"
		"(-xen-domid N ...); standalone it replays traces or speaks the qtest protocol.\n"
		"With no options at all it runs a built-in demonstration trace.\n"
		"\n"
		"hvmdm options:\n");
	print_group(f, OPT_NATIVE);
	fprintf(f, "\nQEMU options accepted (any other option is an error):\n");
	print_group(f, OPT_QEMU);
	fprintf(f, "\n-device takes the types -device help lists; any other type is refused.\n"
		   "\nQEMU options libxl may pass that this build refuses (exit status 1):\n");
	print_group(f, OPT_REJECTED);
	fprintf(f,
		"\nExamples:\n"
		"  hvmdm --replay tests/traces/pci-xenfv.trace -machine xenfv -m 240 -serial null\n"
		"  hvmdm -machine xenfv -accel qtest -qtest stdio -nodefaults\n");
}

void cmdline_defaults(struct machine_opts *mo, struct run_opts *ro)
{
	memset(mo, 0, sizeof(*mo));
	memset(ro, 0, sizeof(*ro));
	mo->kind = MACHINE_XENFV;
	mo->ram_mb = 128;
	mo->smp = 1;
	ro->max_cpus = 1;
}

/* Checks that need the whole command line. */
static int check_combination(struct cmdline_ctx *c)
{
	c->opt = c->ro->replay ? "--replay" : "-qtest";
	if (c->ro->replay && c->ro->qtest)
		return opt_error(c, "--replay and -qtest cannot be combined");
	if (c->ro->qtest && c->ro->accel == ACCEL_XEN)
		return opt_error(c, "-qtest needs -accel qtest, not xen");
	if (c->ro->replay && c->ro->accel == ACCEL_XEN)
		return opt_error(c, "--replay runs on the standalone platform, not with accel=xen");
	c->opt = "-accel";
	if (c->ro->accel == ACCEL_QTEST && !c->ro->qtest && !c->ro->replay)
		return opt_error(c, "qtest needs -qtest stdio|unix:PATH");
	c->opt = "-xen-domid";
	/* -machine none,accel=xen alone is libxl's capability probe (main.c). */
	if (c->ro->accel == ACCEL_XEN && !c->mo->domid && c->mo->kind != MACHINE_NONE)
		return opt_error(c, "accel=xen needs -xen-domid (or -machine none for a probe)");
	/* As QEMU: "-initrd only allowed with -kernel option" (and -append). */
	c->opt = c->mo->initrd ? "-initrd" : "-append";
	if ((c->mo->initrd || c->mo->append) && !c->mo->kernel)
		return opt_error(c, "only allowed with -kernel");
	c->opt = "-xen-domid-restrict";
	if (c->ro->xen_restrict && !c->mo->domid)
		return opt_error(c, "needs -xen-domid");
	c->opt = "-incoming";
	if (c->ro->incoming && !c->ro->replay && !c->ro->qtest)
		return opt_error(
		    c, "restoring device state under Xen is not in this build yet: "
		       "save/restore runs on the standalone platform (-accel qtest, --replay)");
	c->opt = "--standalone";
	if (c->ro->standalone && (c->ro->replay || c->ro->qtest))
		return opt_error(c, "cannot be combined with --replay or -qtest");
	/* The trace file is opened after set-up, which the sandbox forbids. */
	c->opt = "--replay";
	if (c->ro->replay && (c->ro->sandbox || c->ro->chroot_dir || c->ro->runas))
		return opt_error(c, "cannot run in the sandbox (use -qtest stdio < TRACE)");
	c->opt = "-qtest";
	if (c->ro->qtest && strcmp(c->ro->qtest, "stdio") &&
	    (c->ro->sandbox || c->ro->chroot_dir || c->ro->runas))
		return opt_error(
		    c, "unix: connects after set-up, which the sandbox forbids (use stdio)");
	return 0;
}

int cmdline_parse(int argc, char *const argv[], struct machine_opts *mo, struct run_opts *ro,
		  FILE *out, FILE *err)
{
	struct cmdline_ctx c = { .mo = mo, .ro = ro, .out = out, .err = err };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name = a;
		const struct opt_desc *d;
		int r;

		c.opt = a;
		if (a[0] != '-' || a[1] == '\0') {
			fprintf(err, "hvmdm: unexpected argument '%s' (options start with '-')\n",
				a);
			return -EINVAL;
		}
		name += (a[1] == '-') ? 2 : 1;
		d = find_opt(name);
		if (!d) {
			fprintf(err, "hvmdm: option '%s' is not supported (see hvmdm --help)\n", a);
			return -EINVAL;
		}
		if (d->has_arg && i + 1 >= argc) {
			fprintf(err, "hvmdm: option '%s' requires an argument\n", a);
			return -EINVAL;
		}
		r = d->handler(&c, d->has_arg ? argv[++i] : NULL);
		if (r)
			return r;
	}
	return check_combination(&c);
}

void cmdline_free(struct machine_opts *mo)
{
	strlist_free(&mo->devices);
	strlist_free(&mo->drives);
	strlist_free(&mo->chardevs);
	strlist_free(&mo->netdevs);
	strlist_free(&mo->serials);
	strlist_free(&mo->mons);
	strlist_free(&mo->globals);
	strlist_free(&owned);
	mo->boot = NULL;
	mo->name = NULL;
}
