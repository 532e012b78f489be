// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command line as libxl writes it (libxl_dm.c
 * libxl__build_device_model_args_new, xen-interface.md §7.1): what lands in
 * the machine description, and the options refused by name with the reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/cmdline.h"
#include "dm/machine.h"

struct parsed {
	struct machine_opts mo;
	struct run_opts ro;
	char err[1024];
	int ret;
};

/* argv is NULL-terminated, without argv[0]. */
static void parse(struct parsed *p, const char *const *argv)
{
	char name[] = "hvmdm";
	char *v[96] = { name };
	int n = 1;
	FILE *err = fmemopen(p->err, sizeof(p->err) - 1, "w");
	FILE *out = fopen("/dev/null", "w");

	memset(p->err, 0, sizeof(p->err));
	while (*argv && n < 95)
		v[n++] = (char *)*argv++;
	cmdline_defaults(&p->mo, &p->ro);
	p->ret = cmdline_parse(n, v, &p->mo, &p->ro, out, err);
	fclose(err);
	fclose(out);
}

static void done(struct parsed *p)
{
	cmdline_free(&p->mo);
}

/* dm_restrict=1, serial="pty", vcpus=2 of 2, hda + hdc cdrom: libxl's order. */
static const char *const restricted[] = {
	"-xen-domid",
	"12",
	"-no-shutdown",
	"-chardev",
	"socket,id=libxl-cmd,fd=7,server=on,wait=off",
	"-S",
	"-mon",
	"chardev=libxl-cmd,mode=control",
	"-chardev",
	"socket,id=libxenstat-cmd,path=/var/run/xen/qmp-libxenstat-12,server=on,wait=off",
	"-mon",
	"chardev=libxenstat-cmd,mode=control",
	"-nodefaults",
	"-no-user-config",
	"-name",
	"guest12",
	"-vnc",
	"none",
	"-display",
	"none",
	"-serial",
	"pty",
	"-nographic",
	"-boot",
	"order=dc",
	"-smp",
	"2,maxcpus=2",
	"-net",
	"none",
	"-xen-domid-restrict",
	"-chroot",
	"/var/run/xen/qemu-root-12",
	"-machine",
	"xenfv,suppress-vmdesc=on,max-ram-below-4g=3221225472",
	"-m",
	"4080",
	"-drive",
	"file=/dev/vg0/g12,if=ide,index=0,media=disk,format=raw,cache=writeback",
	"-drive",
	"if=none,readonly=on,id=ide-5632,file=/isos/x.iso,format=raw",
	"-device",
	"ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0",
	"-runas",
	"131084:131084",
	NULL
};

/* -boot once= (QEMU: the CMOS boot order until the first reset) is kept, checked like order=. */
static void boot_once(void **state)
{
	static const char *const good[] = { "-boot", "once=a,order=c", NULL };
	static const char *const bad[] = { "-boot", "once=x", NULL };
	struct parsed p;

	(void)state;
	parse(&p, good);
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.mo.boot, "c");
	assert_string_equal(p.mo.boot_once, "a");
	done(&p);
	parse(&p, bad);
	assert_int_not_equal(p.ret, 0);
	assert_non_null(strstr(p.err, "boot once 'x': letters a, c, d, n only"));
	done(&p);
}

static void libxl_dm_restrict_argv(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, restricted);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.mo.domid, 12);
	assert_int_equal(p.mo.kind, MACHINE_XENFV);
	assert_int_equal(p.mo.ram_mb, 4080);
	assert_int_equal(p.mo.max_ram_below_4g, 3221225472ull);
	assert_int_equal(p.mo.smp, 2);
	assert_int_equal(p.ro.max_cpus, 2);
	assert_true(p.mo.start_paused);
	assert_true(p.mo.nodefaults);
	assert_string_equal(p.mo.name, "guest12");
	assert_string_equal(p.mo.boot, "dc");
	assert_true(p.ro.no_shutdown);
	assert_true(p.ro.net_none);
	assert_true(p.ro.xen_restrict);
	assert_string_equal(p.ro.chroot_dir, "/var/run/xen/qemu-root-12");
	assert_string_equal(p.ro.runas, "131084:131084");
	assert_int_equal(p.mo.chardevs.n, 2);
	assert_int_equal(p.mo.mons.n, 2);
	assert_int_equal(p.mo.serials.n, 1);
	assert_int_equal(p.mo.drives.n, 2);
	assert_int_equal(p.mo.devices.n, 1);
	/* fd=7 survives sandbox_close_inherited_fds */
	assert_int_equal(p.ro.nkeep_fds, 1);
	assert_int_equal(p.ro.keep_fds[0], 7);
	done(&p);
}

static void run_with_spelling(void **state)
{
	static const char *const argv[] = { "-xen-domid", "3",	       "-run-with",
					    "chroot=/r",  "-run-with", "user=xen-qemuuser-shared",
					    NULL };
	struct parsed p;

	(void)state;
	parse(&p, argv);
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.ro.chroot_dir, "/r");
	assert_string_equal(p.ro.runas, "xen-qemuuser-shared");
	done(&p);
}

/* libxl's probe: no -xen-domid, accel=xen on the empty machine. */
static void probe_argv(void **state)
{
	static const char *const argv[] = {
		"-S",	       "-no-user-config",
		"-nodefaults", "-nographic",
		"-machine",    "none,accel=xen",
		"-chardev",    "socket,id=libxl-cmd,fd=4,server=on,wait=off",
		"-mon",	       "chardev=libxl-cmd,mode=control",
		NULL
	};
	struct parsed p;

	(void)state;
	parse(&p, argv);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.mo.kind, MACHINE_NONE);
	assert_int_equal(p.ro.accel, ACCEL_XEN);
	assert_int_equal(p.mo.domid, 0);
	assert_int_equal(p.ro.keep_fds[0], 4);
	done(&p);
}

static void sandbox_option(void **state)
{
	static const char *const on[] = { "-sandbox", "on", NULL };
	static const char *const off[] = { "-sandbox", "enable=off", NULL };
	static const char *const bad[] = { "-sandbox", "on,spawn=deny", NULL };
	struct parsed p;

	(void)state;
	parse(&p, on);
	assert_int_equal(p.ret, 0);
	assert_true(p.ro.sandbox);
	done(&p);
	parse(&p, off);
	assert_int_equal(p.ret, 0);
	assert_false(p.ro.sandbox);
	done(&p);
	parse(&p, bad);
	assert_int_equal(p.ret, -EINVAL);
	assert_non_null(strstr(p.err, "'spawn'"));
	done(&p);
}

/* Each refused with exit status 1, naming the option and why. */
static const struct {
	const char *argv[4];
	const char *named, *why;
} refused[] = {
	{ { "-incoming", "fd:5" }, "'-incoming'", "save/restore" },
	{ { "-initrd", "/root/guest.cpio.gz" }, "'-initrd'", "only allowed with -kernel" },
	{ { "-append", "quiet" }, "'-append'", "only allowed with -kernel" },
	{ { "-no-acpi" }, "'-no-acpi'", "ACPI" },
	{ { "-vnc", "127.0.0.1:0,websocket=on" }, "'-vnc'", "option 'websocket' is not supported" },
	{ { "-vnc", "127.0.0.1:7,to=3" }, "'-vnc'", "to=3 is below the display" },
	{ { "-display", "sdl" }, "'-display'", "sdl" },
	{ { "-netdev", "user,id=net0" }, "'-netdev'", "'user' is not in this build" },
	{ { "-netdev", "type=tap,id=net0,ifname=vif5.0-emu,script=/etc/qemu-ifup" },
	  "'-netdev'",
	  "runs no scripts" },
	{ { "-netdev", "tap,id=net0,fd=5,ifname=vif5.0-emu" }, "'-netdev'", "invalid with fd=" },
	{ { "-netdev", "tap,ifname=vif5.0-emu" }, "'-netdev'", "needs id=" },
	{ { "-netdev", "tap,id=net0,ifname=vif5.0-emu,vhost=on" }, "'-netdev'", "vhost" },
	{ { "-netdev", "socket,id=net0" }, "'-netdev'", "exactly one of" },
	{ { "-netdev", "tap,id=net0,ifname=a-name-that-is-too-long" }, "'-netdev'", "ifname=" },
	{ { "-netdev", "tap,id=net0,ifname=v,colour=red" }, "'-netdev'", "'colour'" },
	{ { "-device", "qxl-vga,vram_size_mb=64" }, "'-device'", "'qxl-vga'" },
	{ { "-usbdevice", "tablet" }, "'-usbdevice'", "needs -usb first" },
	{ { "-usbdevice", "host:1234:5678" }, "'-usbdevice'", "not supported" },
	{ { "-xen-attach" }, "'-xen-attach'", "HVM guests only" },
	{ { "-xen-domid-restrict" }, "'-xen-domid-restrict'", "needs -xen-domid" },
	{ { "-chroot", "relative" }, "'-chroot'", "absolute" },
	{ { "-run-with", "async-teardown=on" }, "'-run-with'", "async-teardown" },
	{ { "-monitor", "stdio" }, "'-monitor'", "human monitor" },
	{ { "-vga", "qxl" }, "'-vga'", "not a VGA adapter of this build" },
	/* QEMU 7.2 configure_rtc(): the same three checks, in its words */
	{ { "-rtc", "base=2020-13-01" }, "'-rtc'", "invalid datetime format" },
	{ { "-rtc", "base=2020-01-01T25:00:00" }, "'-rtc'", "invalid datetime format" },
	{ { "-rtc", "clock=tsc" }, "'-rtc'", "for clock=" },
	{ { "-rtc", "driftfix=fast" }, "'-rtc'", "for driftfix=" },
	{ { "-rtc", "utc" }, "'-rtc'", "expected base=" },
	{ { "-no-such-option" }, "'-no-such-option'", "not supported" },
};

/* Golden a's -netdev (argv-a.txt, xen-interface.md §7.1) is recorded as given; fd= is kept open. */
static void netdev_as_libxl_writes_it(void **state)
{
	static const char *const argv[] = {
		"-netdev", "type=tap,id=net0,ifname=vif1.0-emu,br=xenbr0,script=no,downscript=no",
		"-netdev", "tap,id=net1,fd=7",
		"-netdev", "socket,id=net2,fd=8",
		"-netdev", "stream,id=net3,addr.type=fd,addr.str=9",
		NULL
	};
	struct parsed p;
	bool kept[10] = { false };

	(void)state;
	parse(&p, argv);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.mo.netdevs.n, 4);
	assert_string_equal(p.mo.netdevs.v[0],
			    "type=tap,id=net0,ifname=vif1.0-emu,br=xenbr0,script=no,downscript=no");
	for (size_t i = 0; i < p.ro.nkeep_fds; i++)
		if (p.ro.keep_fds[i] < 10)
			kept[p.ro.keep_fds[i]] = true;
	assert_true(kept[7] && kept[8] && kept[9]);
	done(&p);
}

/* Golden a's direct-boot options, as libxl passes them (argv-a.txt); fw-cfg reads them. */
static void direct_kernel_boot(void **state)
{
	static const char *const argv[] = {
		"-kernel",    "/root/vmlinuz",
		"-initrd",    "/root/guest.cpio.gz",
		"-append",    "console=ttyS0 quiet rdinit=/init xen_emul_unplug=never",
		"-nographic", NULL
	};
	struct parsed p;

	(void)state;
	parse(&p, argv);
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.mo.kernel, "/root/vmlinuz");
	assert_string_equal(p.mo.initrd, "/root/guest.cpio.gz");
	assert_string_equal(p.mo.append, "console=ttyS0 quiet rdinit=/init xen_emul_unplug=never");
	assert_true(p.mo.nographic);
	done(&p);
}

/* What libqtest users pass (QEMU 7.2 tests/qtest: rtc-test, ide-test, ...). */
static void libqtest_options(void **state)
{
	static const char *const argv[] = {
		"-monitor", "none",	  "-vga",
		"none",	    "-rtc",	  "base=2006-06-17T16:01:21,clock=vm,driftfix=slew",
		"-accel",   "qtest",	  "-qtest",
		"stdio",    "-qtest-log", "/dev/null",
		NULL
	};
	static const char *const date[] = { "-rtc",   "base=localtime", "-rtc",	  "base=2006-06-17",
					    "-accel", "qtest",		"-qtest", "stdio",
					    NULL };
	struct parsed p;

	(void)state;
	parse(&p, argv);
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.ro.rtc_base, "2006-06-17T16:01:21");
	assert_string_equal(p.ro.rtc_clock, "vm");
	assert_true(p.mo.rtc_base_set);
	assert_int_equal(p.mo.rtc_base, 1150560081); /* date -u -d 2006-06-17T16:01:21 +%s */
	assert_string_equal(p.ro.qtest_log, "/dev/null");
	assert_null(p.mo.vga);
	done(&p);
	/* -vga std: QEMU's name for the VGA device type, created before any -device */
	parse(&p,
	      (const char *const[]){ "-vga", "std", "-accel", "qtest", "-qtest", "stdio", NULL });
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.mo.vga, "VGA");
	done(&p);
	parse(&p, date);
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.ro.rtc_base, "2006-06-17"); /* the last -rtc wins, as in QEMU */
	assert_true(p.mo.rtc_base_set);
	assert_int_equal(p.mo.rtc_base, 1150502400); /* date -u -d 2006-06-17 +%s */
	assert_null(p.ro.rtc_clock);
	done(&p);
	parse(&p, (const char *const[]){ "-rtc", "base=utc", "-accel", "qtest", "-qtest", "stdio",
					 NULL });
	assert_int_equal(p.ret, 0);
	assert_false(p.mo.rtc_base_set); /* the host's date: the standalone default instead */
	done(&p);
}

static void options_refused_by_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct parsed p;

		parse(&p, refused[i].argv);
		assert_int_equal(p.ret, -EINVAL);
		if (!strstr(p.err, refused[i].named) || !strstr(p.err, refused[i].why))
			fail_msg("%s: message '%s' lacks %s / %s", refused[i].argv[0], p.err,
				 refused[i].named, refused[i].why);
		done(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libxl_dm_restrict_argv),
		cmocka_unit_test(run_with_spelling),
		cmocka_unit_test(probe_argv),
		cmocka_unit_test(sandbox_option),
		cmocka_unit_test(options_refused_by_name),
		cmocka_unit_test(direct_kernel_boot),
		cmocka_unit_test(boot_once),
		cmocka_unit_test(netdev_as_libxl_writes_it),
		cmocka_unit_test(libqtest_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
