// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm_restrict's daemon-side half: rlimits, chroot, uid/gid, seccomp
 * (sandbox.h). The allow-list was taken from strace of the daemon serving
 * guests (ioreq loop, QMP, serial, block I/O on libaio and the I/O thread,
 * the VNC server) and is checked by tests/suites/toolstack.sh (and, for
 * VNC clients, tests/suites/vnc.sh), which runs the real binary
 * under the filter (libxl's dm_restrict command lines; IDE DMA, serial
 * output, a QMP session with add-fd and a CD change) and one forbidden call
 * that must be killed.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dm/log.h"
#include "dm/qemuopts.h"
#include "dm/sandbox.h"

#define WHO "sandbox"

/* Everything the running daemon calls, on any code path. */
static const char *const allowed[] = {
	/* the loop and its fds */
	"epoll_wait", "epoll_pwait", "epoll_ctl", "timerfd_settime", "timerfd_gettime", "eventfd2",
	"read", "write", "readv", "writev", "close", "fcntl", "dup", "dup3", "ppoll", "poll",
	"lseek", "fstat", "newfstatat", "statx",
	/* sockets: QMP, chardevs */
	"accept4", "recvmsg", "sendmsg", "recvfrom", "sendto", "getsockopt", "shutdown",
	/* block I/O */
	"pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2", "fdatasync", "fsync",
	"io_setup", "io_destroy", "io_submit", "io_getevents", "io_pgetevents",
	/* Xen: privcmd/evtchn ioctls and foreign mappings, the mapcache */
	"ioctl", "mmap", "munmap", "mremap", "mprotect", "madvise", "brk",
	/* threads (the I/O thread), time, signals */
	"futex", "set_robust_list", "rseq", "sched_yield", "sched_getaffinity", "getpid", "gettid",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "rt_sigprocmask",
	"rt_sigreturn", "rt_sigaction", "sigaltstack", "tgkill", "getrandom", "prlimit64", "exit",
	"exit_group",
	/* the QMP socket is removed at exit */
	"unlink",
	/*
	 * the VNC server (dm/vnc.c): TCP_NODELAY and the send buffer of each
	 * client, libvncserver's getpeername/setsockopt on the socketpair it
	 * creates the client on (and a new pair after a failed creation), and
	 * its select() on a write that would block (a backstop: vnc.c writes
	 * only what fits)
	 */
	"setsockopt", "getpeername", "socketpair", "select", "pselect6"
};

static bool filtering;

bool sandbox_filtering(void)
{
	return filtering;
}

/* Names for the SIGSYS handler, resolved before the filter goes in (no malloc in a handler). */
#define NAME_SLOTS 512
static char sys_names[NAME_SLOTS][24];

static void utoa(unsigned v, char *out)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*out++ = tmp[--n];
	*out = '\0';
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char pre[] = "hvmdm: sandbox: forbidden system call ";
	unsigned nr = (unsigned)si->si_syscall;
	char num[12];
	ssize_t r;

	(void)uc;
	utoa(nr, num);
	r = write(2, pre, sizeof(pre) - 1);
	if (nr < NAME_SLOTS && sys_names[nr][0])
		r = write(2, sys_names[nr], strlen(sys_names[nr]));
	r = write(2, " (", 2);
	r = write(2, num, strlen(num));
	r = write(2, "), killing the process\n", 23);
	(void)r;
	/* SA_RESETHAND|SA_NODEFER: the default action (death by SIGSYS) is back and unblocked */
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	_exit(128 + sig);
}

static int install_sigsys_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER };
	sigset_t set;

	for (int i = 0; i < NAME_SLOTS; i++) {
		char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);

		if (n) {
			snprintf(sys_names[i], sizeof(sys_names[i]), "%s", n);
			free(n);
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		return -errno;
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, char *err, size_t errlen)
{
	int ret;

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (ret) {
			snprintf(err, errlen, "seccomp rule for %s: %s", allowed[i],
				 strerror(-ret));
			return ret;
		}
	}
	/* threads only: clone without CLONE_THREAD would be a new process */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	/* glibc tries clone3 first and falls back to clone on ENOSYS */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (ret)
		snprintf(err, errlen, "seccomp rule for clone: %s", strerror(-ret));
	return ret;
}

static int install_filter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int ret;

	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -ENOMEM;
	}
	ret = install_sigsys_handler();
	if (ret)
		snprintf(err, errlen, "SIGSYS handler: %s", strerror(-ret));
	if (!ret)
		ret = add_rules(ctx, err, errlen);
	if (!ret) {
		ret = seccomp_load(ctx);
		if (ret)
			snprintf(err, errlen, "seccomp_load: %s", strerror(-ret));
	}
	seccomp_release(ctx);
	return ret;
}

int sandbox_resolve_user(const char *runas, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	const char *colon = strchr(runas, ':');
	struct passwd *pw;

	if (colon) {
		unsigned long long u, g;
		char ubuf[32];
		size_t n = (size_t)(colon - runas);

		if (n == 0 || n >= sizeof(ubuf))
			goto bad;
		memcpy(ubuf, runas, n);
		ubuf[n] = '\0';
		if (qopts_parse_u64(ubuf, &u) || qopts_parse_u64(colon + 1, &g) || u >= (uid_t)-1 ||
		    g >= (gid_t)-1)
			goto bad;
		*uid = (uid_t)u;
		*gid = (gid_t)g;
		return 0;
	}
	pw = getpwnam(runas);
	if (!pw) {
		snprintf(err, errlen, "-runas: user '%s' does not exist", runas);
		return -ENOENT;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
bad:
	snprintf(err, errlen, "-runas: '%s' is not a user name or uid:gid", runas);
	return -EINVAL;
}

static int set_limits(char *err, size_t errlen)
{
	static const int res[] = { RLIMIT_CORE, RLIMIT_MEMLOCK, RLIMIT_LOCKS, RLIMIT_MSGQUEUE };
	const struct rlimit zero = { 0, 0 };

	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		if (setrlimit(res[i], &zero) < 0) {
			snprintf(err, errlen, "setrlimit: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static int drop_user(const char *runas, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "-runas %s: cannot change to %u:%u: %s", runas, (unsigned)uid,
			 (unsigned)gid, strerror(errno));
		return -errno;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-runas %s: root could be regained", runas);
		return -EPERM;
	}
	return 0;
}

int sandbox_enter(const struct sandbox_conf *c, char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;
	int ret;

	if (c->runas) {
		ret = sandbox_resolve_user(c->runas, &uid, &gid, err, errlen);
		if (ret)
			return ret;
	}
	ret = set_limits(err, errlen);
	if (ret)
		return ret;
	if (c->chroot_dir && (chroot(c->chroot_dir) < 0 || chdir("/") < 0)) {
		snprintf(err, errlen, "-chroot %s: %s", c->chroot_dir, strerror(errno));
		return -errno;
	}
	if (c->runas) {
		ret = drop_user(c->runas, uid, gid, err, errlen);
		if (ret)
			return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -errno;
	}
	if (c->seccomp) {
		ret = install_filter(err, errlen);
		if (ret)
			return ret;
		filtering = true;
	}
	dm_dbg(LOG_SANDBOX, WHO, "entered: chroot=%s user=%s seccomp=%s",
	       c->chroot_dir ? c->chroot_dir : "-", c->runas ? c->runas : "-",
	       c->seccomp ? "on" : "off");
	return 0;
}

void sandbox_close_inherited_fds(const int *keep, size_t nkeep)
{
	DIR *d = opendir("/proc/self/fd");
	int dfd = d ? dirfd(d) : -1;
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		bool kept = fd <= 2 || fd == dfd || e->d_name[0] == '.';

		for (size_t i = 0; i < nkeep && !kept; i++)
			kept = keep[i] == fd;
		if (!kept)
			close(fd);
	}
	closedir(d);
}
