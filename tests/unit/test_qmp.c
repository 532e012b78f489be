// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP server: framing, negotiation, reply shapes and bad input, checked
 * against what qemu-xen 7.2 sent libxl (shared/docs/qemu-xen-golden/
 * qmp-libxl.log) and libxl's reader (libxl_qmp.c: one JSON value per CRLF
 * line, id echoed, error classes GenericError/CommandNotFound).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/bus.h"
#include "dm/fdset.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/qmp.h"

struct fx {
	struct machine m;
	struct machine_opts opts;
	struct qmp_server *q;
	int cli; /* the client's end */
	char buf[1 << 16];
	size_t len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int sv[2];

	assert_non_null(f);
	f->m.opts = &f->opts;
	f->opts.smp = 2;
	f->opts.name = "guest1";
	f->m.loop = loop_new(false);
	f->m.bus = bus_new();
	assert_non_null(f->m.loop);
	f->q = qmp_new(&f->m);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(qmp_attach_fd(f->q, sv[0]), 0);
	f->cli = sv[1];
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	qmp_free(f->q);
	if (f->cli >= 0)
		close(f->cli);
	bus_free(f->m.bus);
	loop_free(f->m.loop);
	fdset_clear_all();
	strlist_free(&f->opts.chardevs);
	strlist_free(&f->opts.mons);
	free(f);
	return 0;
}

/* Run the loop until the client has a whole line; return it (without CRLF). */
static char *line(struct fx *f)
{
	static char out[1 << 16];

	for (int i = 0; i < 200; i++) {
		char *nl = memchr(f->buf, '\n', f->len);
		struct pollfd p = { .fd = f->cli, .events = POLLIN };

		if (nl) {
			size_t n = (size_t)(nl - f->buf) + 1;

			assert_true(n >= 2 && f->buf[n - 2] == '\r');
			memcpy(out, f->buf, n - 2);
			out[n - 2] = '\0';
			memmove(f->buf, f->buf + n, f->len - n);
			f->len -= n;
			return out;
		}
		loop_iterate(f->m.loop, 10);
		if (poll(&p, 1, 0) == 1) {
			ssize_t r = read(f->cli, f->buf + f->len, sizeof(f->buf) - f->len);

			assert_true(r > 0);
			f->len += (size_t)r;
		}
	}
	fail_msg("no reply line");
	return NULL;
}

static void send_str(struct fx *f, const char *s)
{
	size_t len = strlen(s);

	assert_int_equal(write(f->cli, s, len), (ssize_t)len);
}

static char *ask(struct fx *f, const char *req)
{
	send_str(f, req);
	return line(f);
}

static void negotiate(struct fx *f)
{
	line(f); /* greeting */
	assert_string_equal(ask(f, "{\"execute\":\"qmp_capabilities\",\"id\":1}\r\n"),
			    "{\"return\": {}, \"id\": 1}");
}

static void greeting_matches_qemu_shape(void **state)
{
	struct fx *f = *state;

	assert_string_equal(line(f), "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
				     "\"major\": 7}, \"package\": \"hvmdm\"}, \"capabilities\": []}}");
}

/* The two connections libxl made during `xl create` (qmp-libxl.log), replayed. */
static void golden_libxl_session(void **state)
{
	struct fx *f = *state;

	f->m.rs.state = RUN_RUNNING; /* libxl started it without -S */
	line(f);
	assert_string_equal(ask(f, "{\"execute\":\"qmp_capabilities\",\"id\":2020372737}\r\n"),
			    "{\"return\": {}, \"id\": 2020372737}");
	assert_string_equal(ask(f, "{\"execute\":\"query-chardev\",\"id\":2020372736}\r\n"),
			    "{\"return\": [], \"id\": 2020372736}");
	assert_string_equal(ask(f, "{\"execute\":\"cont\",\"id\":2020372736}\r\n"),
			    "{\"return\": {}, \"id\": 2020372736}");
}

static void negotiation_comes_first(void **state)
{
	struct fx *f = *state;

	line(f);
	assert_string_equal(ask(f, "{\"execute\":\"query-status\",\"id\":7}\r\n"),
			    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting "
			    "capabilities negotiation with 'qmp_capabilities'\"}, \"id\": 7}");
	assert_string_equal(ask(f, "{\"execute\":\"qmp_capabilities\",\"id\":8}\r\n"),
			    "{\"return\": {}, \"id\": 8}");
	assert_string_equal(ask(f, "{\"execute\":\"qmp_capabilities\",\"id\":9}\r\n"),
			    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities "
			    "negotiation is already complete, command ignored\"}, \"id\": 9}");
}

/* §7.4: prelaunch (-S) -> cont -> running -> stop -> paused, with events. */
static void run_states(void **state)
{
	struct fx *f = *state;

	f->m.rs.state = RUN_PRELAUNCH;
	negotiate(f);
	assert_string_equal(ask(f, "{\"execute\":\"query-status\",\"id\":\"a\"}\n"),
			    "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, "
			    "\"running\": false}, \"id\": \"a\"}");
	send_str(f, "{\"execute\":\"cont\",\"id\":2}\n");
	assert_non_null(strstr(line(f), "\"event\": \"RESUME\""));
	assert_string_equal(line(f), "{\"return\": {}, \"id\": 2}");
	assert_int_equal(f->m.rs.state, RUN_RUNNING);
	/* cont while running is still {} (libxl sends it in both modes) */
	assert_string_equal(ask(f, "{\"execute\":\"cont\",\"id\":3}\n"),
			    "{\"return\": {}, \"id\": 3}");
	send_str(f, "{\"execute\":\"stop\",\"id\":4}\n");
	assert_non_null(strstr(line(f), "\"event\": \"STOP\""));
	assert_string_equal(line(f), "{\"return\": {}, \"id\": 4}");
	assert_string_equal(ask(f, "{\"execute\":\"query-status\",\"id\":5}\n"),
			    "{\"return\": {\"status\": \"paused\", \"singlestep\": false, "
			    "\"running\": false}, \"id\": 5}");
}

/*
 * A drive's rerror/werror=stop stops the guest (QEMU 7.2: RUN_STATE_IO_ERROR,
 * query-status "io-error", a STOP event); cont resumes it with RESUME.
 */
static void io_error_stop_and_cont(void **state)
{
	struct fx *f = *state;

	f->m.rs.state = RUN_RUNNING;
	negotiate(f);
	runstate_set(&f->m.rs, RUN_IO_ERROR);
	assert_non_null(strstr(line(f), "\"event\": \"STOP\""));
	assert_string_equal(ask(f, "{\"execute\":\"query-status\",\"id\":1}\n"),
			    "{\"return\": {\"status\": \"io-error\", \"singlestep\": false, "
			    "\"running\": false}, \"id\": 1}");
	send_str(f, "{\"execute\":\"cont\",\"id\":2}\n");
	assert_non_null(strstr(line(f), "\"event\": \"RESUME\""));
	assert_string_equal(line(f), "{\"return\": {}, \"id\": 2}");
	assert_int_equal(f->m.rs.state, RUN_RUNNING);
}

static void bad_input_keeps_connection(void **state)
{
	struct fx *f = *state;

	negotiate(f);
	assert_non_null(strstr(ask(f, "{\"execute\": nope}\r\n"),
			       "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error"));
	assert_string_equal(ask(f, "[1,2]\r\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must "
			    "be a JSON object\"}}");
	assert_string_equal(ask(f, "{\"id\":3}\r\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks "
			    "member 'execute'\"}, \"id\": 3}");
	assert_string_equal(ask(f, "{\"execute\":\"frobnicate\",\"id\":4}\r\n"),
			    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
			    "frobnicate has not been found\"}, \"id\": 4}");
	assert_string_equal(ask(f, "{\"execute\":\"cont\",\"arguments\":{\"x\":1},\"id\":5}\r\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'x' "
			    "is unexpected\"}, \"id\": 5}");
	assert_string_equal(ask(f, "{\"execute\":\"xen-set-global-dirty-log\",\"arguments\":"
				   "{\"enable\":\"yes\"},\"id\":6}\r\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter "
			    "type for 'enable', expected: boolean\"}, \"id\": 6}");
	assert_string_equal(ask(f, "{\"execute\":\"query-status\",\"bogus\":1}\r\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member "
			    "'bogus' is unexpected\"}}");
	/* a value split across writes is still one request */
	send_str(f, "{\"execute\":\"query-");
	loop_iterate(f->m.loop, 10);
	assert_non_null(strstr(ask(f, "version\",\"id\":7}"), "\"id\": 7}"));
}

static void oversized_input_is_refused(void **state)
{
	struct fx *f = *state;
	size_t big = (1u << 20) + 4096;
	char *junk = malloc(big + 1);

	negotiate(f);
	memset(junk, 'a', big);
	junk[0] = '"';
	junk[big] = '\0';
	/* an unterminated 1 MiB string: the reader must give up, not grow forever */
	for (size_t off = 0; off < big;) {
		ssize_t n = write(f->cli, junk + off, big - off > 65536 ? 65536 : big - off);

		if (n < 0 && errno == EAGAIN) {
			loop_iterate(f->m.loop, 10);
			continue;
		}
		assert_true(n > 0);
		off += (size_t)n;
		loop_iterate(f->m.loop, 0);
	}
	free(junk);
	assert_non_null(strstr(line(f), "exceeds the size limit"));
	/* after a newline the connection is usable again */
	send_str(f, "\n");
	for (;;) {
		char *l = ask(f, "{\"execute\":\"query-version\",\"id\":9}\n");

		if (strstr(l, "\"id\": 9"))
			break;
	}
}

static void fds_over_scm_rights(void **state)
{
	struct fx *f = *state;
	const char *req = "{\"execute\":\"add-fd\",\"arguments\":{\"opaque\":\"raw:/img\"},"
			  "\"id\":1}\r\n";
	int pipefd[2];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = strlen(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	char *r;
	int fd;

	negotiate(f);
	assert_string_equal(ask(f, "{\"execute\":\"add-fd\",\"id\":0}\r\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"No file "
			    "descriptor supplied via SCM_RIGHTS\"}, \"id\": 0}");
	assert_int_equal(pipe(pipefd), 0);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pipefd[0], sizeof(int));
	assert_int_equal(sendmsg(f->cli, &msg, 0), (ssize_t)strlen(req));
	close(pipefd[0]);
	r = line(f);
	assert_non_null(strstr(r, "{\"return\": {\"fdset-id\": 0, \"fd\": "));
	fd = fdset_open("/dev/fdset/0", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	{
		char c;

		assert_int_equal(read(fd, &c, 1), 1);
		assert_int_equal(c, 'x');
	}
	close(fd);
	assert_int_equal(fdset_open("/dev/fdset/0", O_WRONLY), -EACCES);
	assert_int_equal(fdset_open("/dev/fdset/7", O_RDONLY), -ENOENT);
	assert_int_equal(fdset_open("/dev/fdset/x", O_RDONLY), -EINVAL);
	assert_non_null(strstr(ask(f, "{\"execute\":\"query-fdsets\",\"id\":2}\n"),
			       "\"opaque\": \"raw:/img\"}], \"fdset-id\": 0}]"));
	assert_string_equal(ask(f, "{\"execute\":\"remove-fd\",\"arguments\":{\"fdset-id\":0},"
				   "\"id\":3}\n"),
			    "{\"return\": {}, \"id\": 3}");
	assert_string_equal(ask(f, "{\"execute\":\"remove-fd\",\"arguments\":{\"fdset-id\":0},"
				   "\"id\":4}\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"File descriptor "
			    "named 'fdset-id:0' not found\"}, \"id\": 4}");
	close(pipefd[1]);
}

/* Send req with fd attached (SCM_RIGHTS); return the reply line. */
static char *ask_with_fd(struct fx *f, const char *req, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = strlen(req) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	assert_int_equal(sendmsg(f->cli, &msg, 0), (ssize_t)strlen(req));
	return line(f);
}

/*
 * Client-chosen numbers are taken whole (QEMU monitor/fds.c): fdset-id
 * INT64_MAX is a set like any other (it used to overflow the id counter:
 * signed overflow, a UBSan abort), a set without fdset-id takes the lowest
 * free id, a negative fdset-id is refused, and remove-fd's fd is never
 * truncated to int (2^32 + n named fd n) nor taken as "the whole set" when
 * negative.
 */
static void fdset_ids_and_fds_taken_whole(void **state)
{
	struct fx *f = *state;
	int p[2], fd, keep;
	char req[256];

	negotiate(f);
	assert_int_equal(pipe(p), 0);
	assert_non_null(strstr(ask_with_fd(f,
					   "{\"execute\":\"add-fd\",\"arguments\":"
					   "{\"fdset-id\":9223372036854775807},\"id\":1}\r\n",
					   p[0]),
			       "{\"return\": {\"fdset-id\": 9223372036854775807, \"fd\": "));
	assert_non_null(strstr(ask_with_fd(f, "{\"execute\":\"add-fd\",\"id\":2}\r\n", p[0]),
			       "{\"return\": {\"fdset-id\": 0, \"fd\": "));
	assert_non_null(strstr(ask_with_fd(f,
					   "{\"execute\":\"add-fd\",\"arguments\":"
					   "{\"fdset-id\":3},\"id\":3}\r\n",
					   p[0]),
			       "{\"return\": {\"fdset-id\": 3, \"fd\": "));
	assert_non_null(strstr(ask_with_fd(f, "{\"execute\":\"add-fd\",\"id\":4}\r\n", p[0]),
			       "{\"return\": {\"fdset-id\": 1, \"fd\": "));
	assert_string_equal(ask_with_fd(f,
					"{\"execute\":\"add-fd\",\"arguments\":"
					"{\"fdset-id\":-1},\"id\":5}\r\n",
					p[0]),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter "
			    "'fdset-id' expects a non-negative value\"}, \"id\": 5}");

	/* Set 0's fd, as add-fd reported it: 2^32 + fd and -1 must not remove it. */
	keep = fdset_open("/dev/fdset/0", O_RDONLY);
	assert_true(keep >= 0);
	close(keep);
	fd = -1;
	{
		const char *q = ask(f, "{\"execute\":\"query-fdsets\",\"id\":7}\n");

		assert_int_equal(sscanf(q, "{\"return\": [{\"fds\": [{\"fd\": %d", &fd), 1);
	}
	snprintf(req, sizeof(req),
		 "{\"execute\":\"remove-fd\",\"arguments\":{\"fdset-id\":0,\"fd\":%lld},"
		 "\"id\":8}\n",
		 (1ll << 32) + fd);
	assert_non_null(strstr(ask(f, req), "not found"));
	assert_non_null(strstr(ask(f, "{\"execute\":\"remove-fd\",\"arguments\":"
				      "{\"fdset-id\":0,\"fd\":-1},\"id\":9}\n"),
			       "File descriptor named 'fdset-id:0, fd:-1' not found"));
	keep = fdset_open("/dev/fdset/0", O_RDONLY);
	assert_true(keep >= 0); /* still there */
	close(keep);
	snprintf(req, sizeof(req),
		 "{\"execute\":\"remove-fd\",\"arguments\":{\"fdset-id\":0,\"fd\":%d},"
		 "\"id\":10}\n",
		 fd);
	assert_string_equal(ask(f, req), "{\"return\": {}, \"id\": 10}");
	assert_int_equal(fdset_open("/dev/fdset/0", O_RDONLY), -ENOENT);
	close(p[0]);
	close(p[1]);
}

static void disconnect_and_quit(void **state)
{
	struct fx *f = *state;

	negotiate(f);
	send_str(f, "{\"execute\":\"query-stat");
	close(f->cli); /* abrupt, mid-request */
	f->cli = -1;
	for (int i = 0; i < 20 && qmp_connections(f->q); i++)
		loop_iterate(f->m.loop, 10);
	assert_int_equal(qmp_connections(f->q), 0);
	assert_false(loop_quitting(f->m.loop));
}

static void quit_stops_the_loop(void **state)
{
	struct fx *f = *state;

	negotiate(f);
	assert_string_equal(ask(f, "{\"execute\":\"quit\",\"id\":1}\r\n"),
			    "{\"return\": {}, \"id\": 1}");
	assert_true(loop_quitting(f->m.loop));
}

static void misc_queries(void **state)
{
	struct fx *f = *state;

	negotiate(f);
	assert_string_equal(ask(f, "{\"execute\":\"query-vnc\",\"id\":1}\n"),
			    "{\"return\": {\"enabled\": false}, \"id\": 1}");
	assert_non_null(strstr(ask(f, "{\"execute\":\"query-cpus-fast\",\"id\":2}\n"),
			       "\"cpu-index\": 1, \"target\": \"x86_64\"}], \"id\": 2}"));
	assert_string_equal(ask(f, "{\"execute\":\"query-name\",\"id\":3}\n"),
			    "{\"return\": {\"name\": \"guest1\"}, \"id\": 3}");
	assert_string_equal(ask(f, "{\"execute\":\"human-monitor-command\",\"arguments\":"
				   "{\"command-line\":\"info status\"},\"id\":4}\n"),
			    "{\"return\": \"VM status: prelaunch\\r\\n\", \"id\": 4}");
	assert_string_equal(ask(f, "{\"execute\":\"xen-set-global-dirty-log\",\"arguments\":"
				   "{\"enable\":true},\"id\":5}\n"),
			    "{\"return\": {}, \"id\": 5}");
	assert_true(f->m.log_dirty);
	assert_string_equal(ask(f, "{\"execute\":\"query-command-line-options\",\"arguments\":"
				   "{\"option\":\"run-with\"},\"id\":6}\n"),
			    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"invalid option "
			    "name: run-with\"}, \"id\": 6}");
	assert_string_equal(ask(f, "{\"execute\":\"query-pci\",\"id\":7}\n"),
			    "{\"return\": [{\"bus\": 0, \"devices\": []}], \"id\": 7}");
	assert_non_null(strstr(ask(f, "{\"execute\":\"xen-save-devices-state\",\"arguments\":"
					"{\"filename\":\"/dev/fdset/1\",\"live\":false},\"id\":8}\n"),
			       "GenericError"));
}

/* libxl's QMP socket: -chardev socket,...,server=on,wait=off + -mon chardev=...,mode=control. */
static void unix_socket_monitor(void **state)
{
	struct fx *f = *state;
	char path[64], spec[256], err[256] = "";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(path, sizeof(path), "/tmp/hvmdm-test-qmp-%d", getpid());
	snprintf(spec, sizeof(spec), "socket,id=libxl-cmd,path=%s,server=on,wait=off", path);
	assert_int_equal(strlist_add(&f->opts.chardevs, spec), 0);
	assert_int_equal(strlist_add(&f->opts.chardevs, "pty,id=p0"), 0);
	assert_int_equal(qmp_add_monitor(f->q, "chardev=nosuch,mode=control", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no -chardev with id 'nosuch'"));
	assert_int_equal(qmp_add_monitor(f->q, "chardev=libxl-cmd,mode=readline", err,
					 sizeof(err)),
			 -EINVAL);
	assert_int_equal(qmp_add_monitor(f->q, "chardev=p0,mode=control", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "needs a socket chardev"));
	assert_int_equal(qmp_add_monitor(f->q, "chardev=libxl-cmd,mode=control", err, sizeof(err)),
			 0);
	/* switch the fixture's client to the listening socket */
	close(f->cli);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	f->cli = fd;
	f->len = 0;
	/* the attached test connection still exists; the greeting comes on the new one */
	assert_non_null(strstr(line(f), "\"QMP\""));
	assert_string_equal(ask(f, "{\"execute\":\"qmp_capabilities\",\"id\":1}\r\n"),
			    "{\"return\": {}, \"id\": 1}");
	snprintf(spec, sizeof(spec),
		 "{\"return\": [{\"frontend-open\": true, \"filename\": \"unix:%s,server=on\", "
		 "\"label\": \"libxl-cmd\"}], \"id\": 2}",
		 path);
	assert_string_equal(ask(f, "{\"execute\":\"query-chardev\",\"id\":2}\r\n"), spec);
	qmp_free(f->q);
	f->q = qmp_new(&f->m);
	assert_int_equal(access(path, F_OK), -1); /* socket removed at exit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(greeting_matches_qemu_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(golden_libxl_session, setup, teardown),
		cmocka_unit_test_setup_teardown(negotiation_comes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(run_states, setup, teardown),
		cmocka_unit_test_setup_teardown(io_error_stop_and_cont, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_input_keeps_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(oversized_input_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(fds_over_scm_rights, setup, teardown),
		cmocka_unit_test_setup_teardown(fdset_ids_and_fds_taken_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(disconnect_and_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(quit_stops_the_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(misc_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(unix_socket_monitor, setup, teardown),
	};
	return cmocka_run_group_tests_name("qmp", tests, NULL, NULL);
}
