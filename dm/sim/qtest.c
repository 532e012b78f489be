// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transports of the trace protocol (see qtest.h). One session reads bytes
 * from an fd, splits them into lines (trace_reader: overlong lines are
 * answered FAIL, not buffered without bound), runs each line and writes
 * the answers, in order, IRQ reports included, to the output fd.
 *
 * "-qtest unix:PATH" connects to PATH as a client, as QEMU does for
 * libqtest (the test creates the listening socket first). Input that is a
 * regular file cannot be polled, so it is read straight through; a pipe,
 * terminal or socket is served from the event loop, so SIGTERM and QMP
 * connections are handled between commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dm/growbuf.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/sim/qtest.h"
#include "dm/sim/qtest_log.h"
#include "dm/sim/sim.h"
#include "dm/sim/trace.h"

#define READ_CHUNK 65536

struct session {
	struct sim *sim;
	struct trace_exec exec;
	struct trace_reader rd;
	int in_fd, out_fd;
	char *obuf;
	size_t olen, ocap;
	bool flush_lines;
	bool out_broken;       /* the peer went away: answers are dropped */
	struct qtest_log *log; /* -qtest-log, or NULL */
	int status;
};

static void flush_out(struct session *ss)
{
	size_t done = 0;

	while (done < ss->olen && !ss->out_broken) {
		ssize_t n = write(ss->out_fd, ss->obuf + done, ss->olen - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct timeval tv = { 0, 1000 };

			/* stdout made non-blocking by a stdio chardev: wait a little. */
			select(0, NULL, NULL, NULL, &tv);
			continue;
		}
		if (n <= 0) {
			ss->out_broken = true;
			break;
		}
		done += (size_t)n;
	}
	ss->olen = 0;
}

static void session_out(void *opaque, const char *line)
{
	struct session *ss = opaque;
	size_t n = strlen(line);
	char *p;

	if (ss->out_broken)
		return;
	p = growbuf(ss->obuf, &ss->ocap, ss->olen + n, 65536);
	if (!p) {
		flush_out(ss);
		if (n > ss->ocap) {
			ss->out_broken = true;
			return;
		}
	} else {
		ss->obuf = p;
	}
	qtest_log_send(ss->log, line);
	memcpy(ss->obuf + ss->olen, line, n);
	ss->olen += n;
	if (ss->flush_lines || ss->olen >= READ_CHUNK)
		flush_out(ss);
}

static void session_line(void *opaque, const char *line, size_t len)
{
	struct session *ss = opaque;

	if (line)
		qtest_log_recv(ss->log, line, len);
	if (line)
		trace_exec_line(&ss->exec, line, len);
	else
		trace_exec_overlong(&ss->exec);
}

static int session_init(struct session *ss, struct sim *s, int in_fd, int out_fd, bool flush)
{
	memset(ss, 0, sizeof(*ss));
	ss->sim = s;
	ss->in_fd = in_fd;
	ss->out_fd = out_fd;
	ss->flush_lines = flush;
	if (trace_reader_init(&ss->rd))
		return -ENOMEM;
	trace_exec_init(&ss->exec, s, session_out, ss);
	return 0;
}

static void session_fini(struct session *ss)
{
	flush_out(ss);
	trace_exec_fini(&ss->exec);
	trace_reader_fini(&ss->rd);
	free(ss->obuf);
}

/* Read once: 1 data handled, 0 end of input, -errno. */
static int session_read(struct session *ss, char *buf)
{
	ssize_t n = read(ss->in_fd, buf, READ_CHUNK);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0) {
		trace_reader_finish(&ss->rd, session_line, ss);
		flush_out(ss);
		return 0;
	}
	trace_reader_feed(&ss->rd, buf, (size_t)n, session_line, ss);
	flush_out(ss);
	return 1;
}

/* Straight through to the end (files), still answering signals between blocks. */
static int session_run_sync(struct session *ss)
{
	struct loop *loop = ss->sim->m.loop;
	char *buf = malloc(READ_CHUNK);
	int ret = 1;

	if (!buf)
		return 1;
	while (!loop_quitting(loop) && !ss->out_broken) {
		ret = session_read(ss, buf);
		if (ret <= 0)
			break;
		loop_iterate(loop, 0);
	}
	free(buf);
	if (ret < 0) {
		dm_err("sim", "reading the trace: %s", strerror(-ret));
		return 1;
	}
	return 0;
}

static void session_event(void *opaque, uint32_t events)
{
	struct session *ss = opaque;
	static char buf[READ_CHUNK];
	int ret;

	(void)events;
	ret = session_read(ss, buf);
	if (ret <= 0 || ss->out_broken) {
		loop_del_fd(ss->sim->m.loop, ss->in_fd);
		if (ret < 0)
			dm_err("sim", "qtest input: %s", strerror(-ret));
		loop_quit(ss->sim->m.loop, ret < 0 ? 1 : 0);
	}
}

/* From the loop when the input can be polled, else straight through. */
static int session_run(struct session *ss)
{
	struct loop *loop = ss->sim->m.loop;
	int ret = loop_add_fd(loop, ss->in_fd, EPOLLIN, session_event, ss);

	if (ret == -EPERM)
		return session_run_sync(ss);
	if (ret) {
		dm_err("sim", "cannot watch the qtest input: %s", strerror(-ret));
		return 1;
	}
	return loop_run(loop);
}

int sim_replay_file(struct sim *s, const char *path, bool flush_lines)
{
	struct session ss;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	int status;

	if (fd < 0) {
		dm_err("sim", "--replay %s: %s", path, strerror(errno));
		return 1;
	}
	if (session_init(&ss, s, fd, STDOUT_FILENO, flush_lines)) {
		if (fd != STDIN_FILENO)
			close(fd);
		return 1;
	}
	status = session_run(&ss);
	session_fini(&ss);
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		dm_err("sim", "-qtest unix:%s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		dm_err("sim", "-qtest unix:%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

int sim_qtest(struct sim *s, const char *chardev, struct qtest_log *log)
{
	struct session ss;
	int in_fd = STDIN_FILENO, out_fd = STDOUT_FILENO, status;

	if (!strncmp(chardev, "unix:", 5)) {
		in_fd = connect_unix(chardev + 5);
		if (in_fd < 0)
			return 1;
		out_fd = in_fd;
	}
	if (session_init(&ss, s, in_fd, out_fd, false)) {
		if (in_fd != STDIN_FILENO)
			close(in_fd);
		return 1;
	}
	ss.log = log;
	qtest_log_opened(log);
	status = session_run(&ss);
	session_fini(&ss);
	qtest_log_close(log);
	if (in_fd != STDIN_FILENO)
		close(in_fd);
	return status;
}

static void buffer_line(void *opaque, const char *line, size_t len)
{
	struct trace_exec *t = opaque;

	if (line)
		trace_exec_line(t, line, len);
	else
		trace_exec_overlong(t);
}

void sim_replay_buffer(struct sim *s, const char *buf, size_t len,
		       void (*out)(void *opaque, const char *line), void *opaque,
		       void (*command)(void *opaque, const char *line),
		       void (*comment)(void *opaque, const char *text))
{
	struct trace_reader rd;
	struct trace_exec t;

	if (trace_reader_init(&rd))
		return;
	trace_exec_init(&t, s, out, opaque);
	t.command = command;
	t.comment = comment;
	trace_reader_feed(&rd, buf, len, buffer_line, &t);
	trace_reader_finish(&rd, buffer_line, &t);
	trace_exec_fini(&t);
	trace_reader_fini(&rd);
}
