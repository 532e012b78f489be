/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command line: QEMU-style options (as libxl spells them for qemu-xen)
 * plus hvmdm's own (--replay, --record). Every option is one row of the
 * table in cmdline.c (name, argument, handler, help); an option not in the
 * table is rejected by name, so nothing a toolstack asks for is silently
 * dropped. Machine options land in struct machine_opts (machine.h), how to
 * run in struct run_opts below.
 */
#ifndef DM_CMDLINE_H
#define DM_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct machine_opts;

enum accel_kind {
	ACCEL_DEFAULT, /* none given: Xen when -xen-domid is given, else the sim */
	ACCEL_XEN,
	ACCEL_QTEST,
};

struct run_opts {
	enum accel_kind accel;
	const char *replay;    /* --replay TRACE */
	const char *qtest;     /* -qtest CHARDEV: "stdio" or "unix:PATH" */
	const char *qtest_log; /* -qtest-log FILE|none (dm/sim/qtest_log.h) */
	const char *record;    /* --record FILE (Xen platform) */
	const char *log_file;  /* -D FILE */
	unsigned log_mask;     /* -d CATS */
	bool log_mask_given;
	bool no_shutdown;      /* -no-shutdown: guest poweroff pauses instead of exiting */
	bool no_user_config;   /* -no-user-config (hvmdm reads no config file anyway) */
	bool nographic;	       /* -nographic */
	const char *display;   /* -display none */
	const char *vnc;       /* -vnc (dm/vnc_opts.h) */
	const char *rtc_base;  /* -rtc base= (checked; see opt_rtc) */
	const char *rtc_clock; /* -rtc clock= */
	unsigned max_cpus;     /* -smp ...,maxcpus=N */
	bool net_none;	       /* -net none */
	/* dm_restrict (xen-interface.md §8) and the sandbox (dm/sandbox.h) */
	bool xen_restrict;	/* -xen-domid-restrict */
	const char *chroot_dir; /* -chroot DIR / -run-with chroot=DIR */
	const char *runas;	/* -runas USER|UID:GID / -run-with user=... */
	bool sandbox;		/* -sandbox on (implied by -xen-domid-restrict) */
	bool standalone;	/* --standalone: a Xen command line on the sim platform */
	const char *incoming;	/* -incoming fd:N (the standalone platform only, so far) */
	int incoming_fd;	/* its N */
	const char *keymap;	/* -k LANG (the VNC server's, when there is one) */
	/* fds named on the command line, kept by sandbox_close_inherited_fds */
	int keep_fds[8];
	unsigned nkeep_fds;
};

/* cmdline_parse results besides 0 (run) and -errno (error already printed, exit 1). */
#define CMDLINE_EXIT_OK 1 /* help, version, -device help: printed, exit 0 */

/* Set the defaults: -machine xenfv, -m 128, -smp 1. */
void cmdline_defaults(struct machine_opts *mo, struct run_opts *ro);

/*
 * Parse argv[1..argc-1]. Returns 0, CMDLINE_EXIT_OK, or -EINVAL / -ENOMEM
 * after printing "hvmdm: ..." naming the option to err. Output of help
 * requests goes to out.
 */
__attribute__((warn_unused_result)) int cmdline_parse(int argc, char *const argv[],
						      struct machine_opts *mo, struct run_opts *ro,
						      FILE *out, FILE *err);

/* Free what cmdline_parse allocated in mo (the strlists). */
void cmdline_free(struct machine_opts *mo);

/* The usage text (-h). */
void cmdline_print_help(FILE *f);

#endif
