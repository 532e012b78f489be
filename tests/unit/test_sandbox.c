// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm_restrict (xen-interface.md §8): -runas parsing, rlimits, chroot and
 * uid drop, and the seccomp allow-list — allowed paths keep working, a
 * forbidden call is killed with a log line naming it. Each case runs in a
 * child, since a sandbox cannot be left again.
 */
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/sandbox.h"

/* Run fn in a child with stderr captured; return its wait status, stderr in out. */
static int in_child(int (*fn)(void), char *out, size_t outlen)
{
	int p[2], status = 0;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		_exit(fn()); /* _exit: no atexit handlers (LeakSanitizer would fork a tracer) */
	}
	close(p[1]);
	while ((n = read(p[0], out + got, outlen - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* What the daemon does while serving: loop fds, I/O thread, libaio, sockets. */
static int allowed_paths(void)
{
	struct sandbox_conf c = { .seccomp = true };
	char err[200];
	io_context_t aio = 0;
	int sv[2], efd, buf = 42;
	pthread_t t;
	void *ret;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 10;
	if (sandbox_enter(&c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 11;
	}
	efd = eventfd(0, EFD_NONBLOCK);
	if (efd < 0 || pthread_create(&t, NULL, thread_fn, &buf) || pthread_join(t, &ret) ||
	    ret != &buf)
		return 12;
	if (send(sv[0], &buf, sizeof(buf), 0) != sizeof(buf) ||
	    recv(sv[1], &buf, sizeof(buf), 0) != sizeof(buf))
		return 13;
	if (io_setup(4, &aio) < 0 || io_destroy(aio) < 0)
		return 14;
	free(malloc(1 << 20)); /* mmap/munmap */
	return 0;
}

static int forbidden_call(void)
{
	struct sandbox_conf c = { .seccomp = true };
	char err[200];

	if (sandbox_enter(&c, err, sizeof(err)))
		return 11;
	/* opening a path after the sandbox is up is exactly what must never happen */
	return open("/etc/hostname", O_RDONLY) >= 0 ? 0 : 1;
}

static void seccomp_allows_the_daemons_calls(void **state)
{
	char out[4096];
	int st;

	(void)state;
	st = in_child(allowed_paths, out, sizeof(out));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("allowed paths died (status 0x%x): %s", st, out);
}

static void seccomp_kills_a_forbidden_call_and_names_it(void **state)
{
	char out[4096];
	int st;

	(void)state;
	st = in_child(forbidden_call, out, sizeof(out));
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	if (!strstr(out, "forbidden system call openat ("))
		fail_msg("log line does not name openat: '%s'", out);
}

static void runas_forms(void **state)
{
	char err[200];
	uid_t u;
	gid_t g;

	(void)state;
	assert_int_equal(sandbox_resolve_user("1234:5678", &u, &g, err, sizeof(err)), 0);
	assert_int_equal(u, 1234);
	assert_int_equal(g, 5678);
	assert_int_equal(sandbox_resolve_user("root", &u, &g, err, sizeof(err)), 0);
	assert_int_equal(u, 0);
	assert_int_equal(sandbox_resolve_user("no-such-user-hvmdm", &u, &g, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no-such-user-hvmdm"));
	assert_int_equal(sandbox_resolve_user(":5", &u, &g, err, sizeof(err)), -EINVAL);
	assert_int_equal(sandbox_resolve_user("12:x", &u, &g, err, sizeof(err)), -EINVAL);
	assert_int_equal(sandbox_resolve_user("12:-1", &u, &g, err, sizeof(err)), -EINVAL);
}

static char chroot_dir[64];

static int chroot_and_drop(void)
{
	struct sandbox_conf c = { .chroot_dir = chroot_dir, .runas = "4242:4343" };
	char err[200];
	struct rlimit rl;

	if (sandbox_enter(&c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (getuid() != 4242 || geteuid() != 4242 || getgid() != 4343)
		return 2;
	if (access("/etc", F_OK) == 0) /* the chroot is empty */
		return 3;
	if (getrlimit(RLIMIT_CORE, &rl) || rl.rlim_max != 0)
		return 4;
	if (setuid(0) == 0)
		return 5;
	return 0;
}

static void chroot_and_uid_drop(void **state)
{
	char out[4096];
	int st;

	(void)state;
	if (geteuid() != 0) {
		/* visible in the test output, never silent */
		print_message("SKIP chroot_and_uid_drop: needs root (CI runs as root)\n");
		return;
	}
	snprintf(chroot_dir, sizeof(chroot_dir), "/tmp/hvmdm-chroot-%d", getpid());
	assert_int_equal(mkdir(chroot_dir, 0), 0); /* mode 0000, as libxl makes it */
	st = in_child(chroot_and_drop, out, sizeof(out));
	rmdir(chroot_dir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("chroot/uid drop failed (status 0x%x): %s", st, out);
}

static int closes_leaked(void)
{
	int keep = open("/dev/null", O_RDONLY), leak = open("/dev/null", O_RDONLY);

	sandbox_close_inherited_fds(&keep, 1);
	if (fcntl(keep, F_GETFD) < 0)
		return 1;
	if (fcntl(leak, F_GETFD) >= 0 || errno != EBADF)
		return 2;
	if (fcntl(2, F_GETFD) < 0)
		return 3;
	return 0;
}

static void inherited_fds_are_closed(void **state)
{
	char out[512];
	int st;

	(void)state;
	st = in_child(closes_leaked, out, sizeof(out));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seccomp_allows_the_daemons_calls),
		cmocka_unit_test(seccomp_kills_a_forbidden_call_and_names_it),
		cmocka_unit_test(runas_forms),
		cmocka_unit_test(chroot_and_uid_drop),
		cmocka_unit_test(inherited_fds_are_closed),
	};
	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
