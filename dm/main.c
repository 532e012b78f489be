// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvmdm's entry point: parse the command line (cmdline.c), pick how to run,
 * wire the platform, the machine and the monitors together, run the loop.
 *
 *   -xen-domid N [-machine ...,accel=xen]   the device model of Xen guest N
 *   -machine none,accel=xen (no -xen-domid)  libxl's probe: QMP only
 *   --replay TRACE                          a trace on the standalone platform
 *   -accel qtest -qtest stdio|unix:PATH     the qtest protocol, interactively
 *   (no arguments, or only machine options) the built-in demonstration
 *
 * Exit status: 0 on a normal end (EOF, SIGTERM, the guest powering off),
 * 1 on a bad command line or a failed set-up (the message names the cause).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/bus.h"
#include "dm/cmdline.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/qmp.h"
#include "dm/sandbox.h"
#include "dm/sim/demo.h"
#include "dm/block.h"
#include "dm/sim/qtest.h"
#include "dm/sim/qtest_failfast.h"
#include "dm/sim/qtest_log.h"
#include "dm/sim/sim_state.h"
#include "dm/state.h"
#include "dm/state_file.h"
#include "dm/sim/sim.h"
#include "dm/vnc.h"
#include "dm/vnc_opts.h"
#include "dm/xen/xen.h"

enum run_mode { MODE_DEMO, MODE_REPLAY, MODE_QTEST, MODE_XEN, MODE_PROBE, MODE_STANDALONE };

static void apply_logging(const struct machine_opts *mo, const struct run_opts *ro)
{
	if (ro->log_mask_given)
		log_mask = ro->log_mask;
	log_set_domid(mo->domid);
	if (ro->log_file) {
		FILE *f = fopen(ro->log_file, "a");

		if (!f) {
			fprintf(stderr, "hvmdm: option '-D': cannot open %s: %s\n", ro->log_file,
				strerror(errno));
			exit(1);
		}
		setvbuf(f, NULL, _IOLBF, 0);
		log_set_stream(f);
	}
}

/*
 * The QMP monitors of the -mon options (dm/qmp.c), for every platform.
 * NULL with nothing to serve; *failed on an error (message printed).
 */
static struct qmp_server *start_monitors(struct machine *m, bool *failed)
{
	struct qmp_server *q;
	char err[256];

	*failed = false;
	if (!m->opts->mons.n)
		return NULL;
	q = qmp_new(m);
	if (!q || qmp_add_monitors(q, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: -mon: %s\n", q ? err : "out of memory");
		qmp_free(q);
		*failed = true;
		return NULL;
	}
	return q;
}

/*
 * dm_restrict's last step (xen-interface.md §1.2 step 14, §8): every handle,
 * image, socket and pty is open and the Xen handles are restricted; now
 * rlimits, chroot, the uid/gid drop and (with -sandbox on or
 * -xen-domid-restrict) the seccomp allow-list. Nothing to do when none of
 * them was asked for. 0, or 1 with the message printed.
 */
static int enter_sandbox(const struct run_opts *ro)
{
	struct sandbox_conf conf = {
		.chroot_dir = ro->chroot_dir,
		.runas = ro->runas,
		.seccomp = ro->sandbox || ro->xen_restrict,
	};
	char err[256];

	if (!conf.chroot_dir && !conf.runas && !conf.seccomp)
		return 0;
	if (sandbox_enter(&conf, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: sandbox: %s\n", err);
		return 1;
	}
	return 0;
}

/*
 * The VNC server of -vnc (dm/vnc.h), listening before the sandbox closes
 * socket creation. 0, or 1 with the message printed.
 */
static int start_vnc(struct machine *m, const struct run_opts *ro)
{
	struct vnc_opts o;
	char err[256];
	int r;

	if (!ro->vnc)
		return 0;
	r = vnc_opts_parse(ro->vnc, &o, err, sizeof(err));
	if (!r) {
		/* -k: the layout plain key events are read in (dm/vnc_keymap.h) */
		snprintf(o.keymap, sizeof(o.keymap), "%s", ro->keymap ? ro->keymap : "");
		r = vnc_start(m, &o, m->opts->name, &m->vnc, err, sizeof(err));
	}
	if (r) {
		fprintf(stderr, "hvmdm: -vnc %s: %s\n", ro->vnc, err);
		return 1;
	}
	return 0;
}

/* Without -S the guest runs from the start (query-status "running"). */
static void start_running(struct machine *m)
{
	if (!m->opts->start_paused)
		runstate_set(&m->rs, RUN_RUNNING);
}

static void sim_on_signal(void *opaque, int signo)
{
	struct sim *s = opaque;

	dm_info("sim", "signal %d: exiting", signo);
	loop_quit(s->m.loop, 0);
}

/*
 * -incoming fd:N on the standalone platform: the clock the stream was saved
 * at first (the load re-arms timers relative to it), then the two-phase
 * load of every section. 0, or -1 with the reason printed: exit 1.
 */
static int sim_incoming(struct sim *s, int fd)
{
	uint8_t *buf;
	size_t len;
	uint64_t clock;
	int ret;

	if (dm_state_read_fd(fd, &buf, &len)) {
		fprintf(stderr, "hvmdm: -incoming fd:%d: cannot read the device state\n", fd);
		return -1;
	}
	ret = sim_state_peek_clock(buf, len, &clock);
	if (!ret) {
		loop_clock_set(s->m.loop, clock);
		ret = dm_state_load(&s->m, buf, len);
	}
	free(buf);
	if (ret) {
		fprintf(stderr,
			"hvmdm: -incoming fd:%d: the device state was refused (see above)\n", fd);
		return -1;
	}
	dm_info("state", "%zu bytes of device state loaded from fd %d", len, fd);
	return 0;
}

/* Build the standalone machine and its monitors; 0 or 1 (message printed). */
static int sim_setup(struct sim *s, struct machine_opts *mo, const struct run_opts *ro,
		     struct qmp_server **q)
{
	bool failed;

	if (sim_init(s, mo)) {
		fprintf(stderr, "hvmdm: cannot build the %s machine (see above)\n",
			mo->kind == MACHINE_PC	   ? "pc"
			: mo->kind == MACHINE_NONE ? "none"
						   : "xenfv");
		return 1;
	}
	if (sim_state_attach(s) || (ro->incoming && sim_incoming(s, ro->incoming_fd))) {
		sim_fini(s);
		return 1;
	}
	if (loop_watch_signals(s->m.loop, sim_on_signal, s)) {
		fprintf(stderr, "hvmdm: cannot watch signals\n");
		sim_fini(s);
		return 1;
	}
	*q = start_monitors(&s->m, &failed);
	if (failed || start_vnc(&s->m, ro)) {
		qmp_free(*q);
		sim_fini(s);
		return 1;
	}
	/* qtest's guest "runs" (QMP query-status) from the start unless -S, as QEMU's. */
	start_running(&s->m);
	return 0;
}

static void sim_teardown(struct sim *s, struct qmp_server *q)
{
	vnc_stop(s->m.vnc);
	s->m.vnc = NULL;
	qmp_free(q);
	sim_fini(s);
}

/* Serial output goes to stdout too: answers must then be written one by one, in order. */
static bool stdout_shared(const struct machine_opts *mo)
{
	for (size_t i = 0; i < mo->serials.n; i++)
		if (!strcmp(mo->serials.v[i], "stdio"))
			return true;
	for (size_t i = 0; i < mo->chardevs.n; i++)
		if (!strncmp(mo->chardevs.v[i], "stdio", 5))
			return true;
	return false;
}

static int run_replay(struct machine_opts *mo, struct run_opts *ro)
{
	struct sim s;
	struct qmp_server *q;
	int status;

	/* trace-format.md "Time": disk I/O completes synchronously in replay. */
	blk_set_sync(true);
	if (sim_setup(&s, mo, ro, &q))
		return 1;
	status = sim_replay_file(&s, ro->replay, stdout_shared(mo));
	sim_teardown(&s, q);
	return status;
}

static int run_qtest(struct machine_opts *mo, struct run_opts *ro)
{
	struct sim s;
	struct qmp_server *q;
	int status;

	struct qtest_log log;

	if (sim_setup(&s, mo, ro, &q))
		return 1;
	/* Opened before the sandbox, which forbids opening files. */
	if (qtest_log_open(&log, ro->qtest_log) || enter_sandbox(ro)) {
		qtest_log_close(&log);
		sim_teardown(&s, q);
		return 1;
	}
	status = sim_qtest(&s, ro->qtest, &log);
	sim_teardown(&s, q);
	return status;
}

/*
 * The demo shows COM1's output under the command that caused it: COM1 is
 * a file chardev on a pipe we read (when the user gave no -serial).
 */
static int demo_serial_pipe(struct machine_opts *mo)
{
	int fds[2];
	char spec[64];

	if (mo->serials.n || pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return 0;
	snprintf(spec, sizeof(spec), "file:/dev/fd/%d", fds[1]);
	if (access(spec + 5, W_OK) || strlist_add(&mo->serials, spec)) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	demo_serial_fd = fds[0];
	return fds[1];
}

static int run_demo(struct machine_opts *mo, struct run_opts *ro)
{
	struct sim s;
	struct qmp_server *q;
	int status, wfd;

	/* The demo pokes empty slots and ports on purpose: no guest_errors noise unless -d. */
	if (!ro->log_mask_given)
		log_mask &= ~LOG_GUEST_ERR;
	wfd = demo_serial_pipe(mo);
	if (sim_setup(&s, mo, ro, &q))
		return 1;
	status = enter_sandbox(ro) ? 1 : sim_demo(&s, demo_trace, demo_trace_len);
	sim_teardown(&s, q);
	if (wfd > 0)
		close(wfd);
	if (demo_serial_fd >= 0)
		close(demo_serial_fd);
	return status;
}

/*
 * libxl's capability probe (Xen 4.20 and later; xen-interface.md section
 * 1.1 step 2): -machine none,accel=xen and no -xen-domid, QMP on an inherited
 * listening fd. Only the monitors run, on an empty standalone machine, until
 * `quit` or a signal.
 */
static int run_probe(struct machine_opts *mo, struct run_opts *ro)
{
	struct sim s;
	struct qmp_server *q;
	int status;

	if (sim_setup(&s, mo, ro, &q))
		return 1;
	if (enter_sandbox(ro)) {
		sim_teardown(&s, q);
		return 1;
	}
	start_running(&s.m);
	status = loop_run(s.m.loop);
	sim_teardown(&s, q);
	return status;
}

static void xen_system_reset(struct machine *m)
{
	machine_reset(m, RESET_SYSTEM);
}

static int run_xen(struct machine_opts *mo, struct run_opts *ro)
{
	struct machine m = { .opts = mo, .domid = mo->domid };
	struct xen_opts xo = {
		.domid = mo->domid,
		.max_vcpus = ro->max_cpus > 1 ? ro->max_cpus : 0,
		.record = ro->record,
		.start_paused = mo->start_paused,
		.restrict_handles = ro->xen_restrict,
		.system_reset = xen_system_reset,
	};
	struct qmp_server *q = NULL;
	bool failed = false;
	int status = 1;

	m.devs_tail = &m.devs;
	m.loop = loop_new(false);
	m.bus = bus_new();
	if (!m.loop || !m.bus) {
		fprintf(stderr, "hvmdm: out of memory\n");
		goto out_free;
	}
	/*
	 * Signals first: machine_build starts the block I/O threads, which
	 * inherit the blocked mask (loop.h); a thread created before this would
	 * take libxl's SIGHUP with the default action and kill the process.
	 */
	if (loop_watch_signals(m.loop, xen_backend_on_signal, &m)) {
		fprintf(stderr, "hvmdm: cannot watch signals\n");
		goto out_free;
	}
	if (xen_backend_init(&m, &xo)) {
		fprintf(stderr, "hvmdm: cannot attach to domain %d (see above)\n", mo->domid);
		goto out_free;
	}
	if (machine_build(&m))
		goto out_xen;
	machine_reset(&m, RESET_POWER_ON);
	q = start_monitors(&m, &failed);
	if (failed || start_vnc(&m, ro) || xen_backend_start(&m) || enter_sandbox(ro))
		goto out_machine;
	start_running(&m);
	status = loop_run(m.loop);
out_machine:
	vnc_stop(m.vnc);
	qmp_free(q);
	machine_teardown(&m);
out_xen:
	xen_backend_fini(&m);
out_free:
	if (m.bus)
		bus_free(m.bus);
	if (m.loop)
		loop_free(m.loop);
	return status;
}

static const struct {
	enum run_mode mode;
	int (*run)(struct machine_opts *mo, struct run_opts *ro);
} runners[] = {
	{ MODE_DEMO, run_demo },
	{ MODE_REPLAY, run_replay },
	{ MODE_QTEST, run_qtest },
	{ MODE_XEN, run_xen },
	{ MODE_PROBE, run_probe },
	/* --standalone: the same idle loop for a full Xen command line */
	{ MODE_STANDALONE, run_probe },
};

static enum run_mode pick_mode(const struct machine_opts *mo, const struct run_opts *ro)
{
	if (ro->replay)
		return MODE_REPLAY;
	if (ro->qtest)
		return MODE_QTEST;
	if (ro->standalone)
		return MODE_STANDALONE;
	if (!mo->domid && ro->accel == ACCEL_XEN && mo->kind == MACHINE_NONE)
		return MODE_PROBE;
	if (mo->domid || ro->accel == ACCEL_XEN)
		return MODE_XEN;
	return MODE_DEMO;
}

/*
 * SIGTERM/SIGINT/SIGHUP blocked before anything else: every thread (the
 * block I/O threads machine_build and QMP medium changes start, on every
 * platform) inherits the mask, and the loop takes them on its signalfd
 * (loop_watch_signals). A thread with them unblocked would take libxl's
 * SIGHUP with the default action and kill the process.
 */
static void block_exit_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	struct machine_opts mo;
	struct run_opts ro;
	enum run_mode mode;
	int status = 1;
	int r;

	block_exit_signals();
	signal(SIGPIPE, SIG_IGN);
	/* dm_restrict caps files at 256 KiB (§8): a long log gets EFBIG, not death */
	signal(SIGXFSZ, SIG_IGN);
	cmdline_defaults(&mo, &ro);
	r = cmdline_parse(argc, argv, &mo, &ro, stdout, stderr);
	if (r) {
		cmdline_free(&mo);
		if (r != CMDLINE_EXIT_OK)
			qtest_fail_fast(argc, argv);
		return r == CMDLINE_EXIT_OK ? 0 : 1;
	}
	/* Nothing libxl's process leaked survives; the fds the options name do. */
	sandbox_close_inherited_fds(ro.keep_fds, ro.nkeep_fds);
	apply_logging(&mo, &ro);
	mode = pick_mode(&mo, &ro);
	for (size_t i = 0; i < sizeof(runners) / sizeof(runners[0]); i++)
		if (runners[i].mode == mode)
			status = runners[i].run(&mo, &ro);
	cmdline_free(&mo);
	if (status && mode == MODE_QTEST)
		qtest_fail_fast(argc, argv);
	return status;
}
