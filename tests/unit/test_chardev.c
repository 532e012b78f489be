// SPDX-License-Identifier: GPL-2.0-only
/*
 * chardev: -chardev / -serial parsing as QEMU 7.2 takes them (bad specs
 * rejected naming the bad part), each backend opened and written through
 * (file truncation and append, pty path and both directions, unix socket
 * server and client, inherited fds, stdio on pipes), query-chardev names,
 * flow control of input, writes that never block, and peers that leave.
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
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/chardev.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/qemuopts.h"
#include "dm/sandbox.h"

struct rig {
	struct machine m;
	struct machine_opts o;
	char dir[64];
	char err[512];
};

struct sink {
	uint8_t buf[8192];
	size_t n;
	size_t room; /* what can_read offers */
};

static size_t sink_can_read(void *opaque)
{
	struct sink *s = opaque;

	return s->room;
}

static void sink_receive(void *opaque, const uint8_t *buf, size_t n)
{
	struct sink *s = opaque;

	assert_true(n <= s->room);
	memcpy(s->buf + s->n, buf, n);
	s->n += n;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->m.opts = &r->o;
	r->m.loop = loop_new(true);
	assert_non_null(r->m.loop);
	snprintf(r->dir, sizeof(r->dir), "/tmp/hvmdm-chardev-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
}

static void rig_free(struct rig *r)
{
	char cmd[128];

	chardev_set_free(&r->m);
	loop_free(r->m.loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	assert_int_equal(system(cmd), 0);
}

static void spin(struct rig *r)
{
	for (int i = 0; i < 8; i++)
		loop_iterate(r->m.loop, 0);
}

static int add(struct rig *r, const char *spec)
{
	r->err[0] = '\0';
	return chardev_add_opt(&r->m, spec, r->err, sizeof(r->err));
}

static struct chardev *open_id(struct rig *r, const char *id)
{
	struct chardev *cd = NULL;

	assert_int_equal(chardev_open(&r->m, id, "test", &cd, r->err, sizeof(r->err)), 0);
	return cd;
}

static void describe(struct chardev *cd, char *buf)
{
	chardev_describe(cd, buf, 256);
}

/* Every bad spec is refused, and the message names the part that is wrong. */
static void bad_specs_named(void **state)
{
	static const struct {
		const char *spec, *named;
	} bad[] = {
		{ "foo,id=a", "'foo'" },
		{ "socket,id=a,path=/x,host=y", "host=" },
		{ "socket,id=a,host=h,port=99999", "port '99999'" },
		{ "socket,id=a,port=1,telnet=on", "'telnet'" },
		{ "socket,id=a", "path=" },
		{ "socket,id=a,path=/x,fd=5", "path=" },
		{ "socket,id=a,path=/x,server=maybe", "'server'" },
		{ "socket,id=a,fd=1", "fd '1'" },
		{ "socket,id=a,path=/x,server=on,reconnect=2", "'reconnect'" },
		{ "file,id=a", "path=" },
		{ "file,id=a,path=/x,append=perhaps", "'append'" },
		{ "pty,id=a,path=/x", "'path'" },
		{ "null", "id=" },
		{ "null,id=9lives", "id=" },
		{ "null,id=a,mux=on", "mux=on" },
		{ "id=a,backend=null", "backend" },
	};
	struct rig r;

	(void)state;
	rig_init(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(add(&r, bad[i].spec), 0);
		if (!strstr(r.err, bad[i].named) || !strstr(r.err, "-chardev")) {
			fail_msg("'%s' gave '%s', not naming %s", bad[i].spec, r.err, bad[i].named);
		}
	}
	assert_int_equal(add(&r, "null,id=a"), 0);
	assert_int_equal(add(&r, "null,id=a"), -EEXIST);
	assert_non_null(strstr(r.err, "'a'"));
	rig_free(&r);
}

/* -serial SPEC: implicit "serialN" chardevs in option order; "none" takes no number. */
static void serial_specs(void **state)
{
	static const char *const bad[] = {
		"udp:127.0.0.1:4555",  "vc",	      "mon:stdio", "bogus", "file:", "unix:",
		"telnet::4444,server", "tcp:nocolon", "tcp:host:",
	};
	struct rig r;
	char id[32], path[128], desc[256];
	const struct qopts *q;

	(void)state;
	rig_init(&r);
	assert_int_equal(add(&r, "null,id=mine"), 0);
	assert_int_equal(chardev_add_serial(&r.m, "none", id, sizeof(id), r.err, 512), 0);
	assert_string_equal(id, "");
	snprintf(path, sizeof(path), "file:%s/log", r.dir);
	assert_int_equal(chardev_add_serial(&r.m, path, id, sizeof(id), r.err, 512), 0);
	assert_string_equal(id, "serial0");
	q = chardev_spec(&r.m, "serial0");
	assert_non_null(q);
	assert_string_equal(q->v[0].key, "file");
	assert_int_equal(chardev_add_serial(&r.m, "chardev:mine", id, sizeof(id), r.err, 512), 0);
	assert_string_equal(id, "mine");
	assert_int_equal(chardev_add_serial(&r.m, "pty", id, sizeof(id), r.err, 512), 0);
	assert_string_equal(id, "serial2");
	assert_int_equal(
	    chardev_add_serial(&r.m, "unix:/tmp/x.sock,server,nowait", id, sizeof(id), r.err, 512),
	    0);
	assert_string_equal(id, "serial3");
	q = chardev_spec(&r.m, "serial3");
	assert_string_equal(qopts_get(q, "path"), "/tmp/x.sock");
	chardev_describe_socket(q, false, desc, sizeof(desc));
	assert_string_equal(desc, "disconnected:unix:/tmp/x.sock,server=on");
	assert_int_equal(chardev_add_serial(&r.m, "/dev/null", id, sizeof(id), r.err, 512), 0);
	assert_string_equal(chardev_spec(&r.m, id)->v[0].key, "serial");
	assert_int_equal(chardev_add_serial(&r.m, "chardev:nope", id, sizeof(id), r.err, 512),
			 -ENOENT);
	assert_non_null(strstr(r.err, "'nope'"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chardev_add_serial(&r.m, bad[i], id, sizeof(id), r.err, 512),
				 -EINVAL);
		assert_non_null(strstr(r.err, bad[i]));
	}
	rig_free(&r);
}

/* null: opens, swallows everything. */
static void null_backend(void **state)
{
	struct rig r;
	struct chardev *cd;
	char desc[256];

	(void)state;
	rig_init(&r);
	assert_int_equal(add(&r, "null,id=n"), 0);
	cd = open_id(&r, "n");
	assert_int_equal(chardev_write(cd, "abc", 3), 3);
	describe(cd, desc);
	assert_string_equal(desc, "null");
	assert_true(chardev_connected(cd));
	rig_free(&r);
}

static size_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len);
	close(fd);
	assert_true(n >= 0);
	return (size_t)n;
}

/* file: QEMU truncates unless append=on; writes land in the file. */
static void file_backend(void **state)
{
	struct rig r;
	struct chardev *cd;
	char path[128], spec[256], buf[64], desc[256];
	FILE *f;

	(void)state;
	rig_init(&r);
	snprintf(path, sizeof(path), "%s/serial.log", r.dir);
	f = fopen(path, "w");
	fputs("old contents\n", f);
	fclose(f);
	snprintf(spec, sizeof(spec), "file,id=f,path=%s", path);
	assert_int_equal(add(&r, spec), 0);
	snprintf(spec, sizeof(spec), "file,id=g,path=%s/app.log,append=on", r.dir);
	assert_int_equal(add(&r, spec), 0);
	cd = open_id(&r, "f");
	assert_int_equal(chardev_write(cd, "boot\n", 5), 5);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "boot\n", 5);
	describe(cd, desc);
	assert_string_equal(desc, "file");
	assert_int_equal(chardev_stats(cd).written, 5);

	snprintf(path, sizeof(path), "%s/app.log", r.dir);
	f = fopen(path, "w");
	fputs("keep|", f);
	fclose(f);
	cd = open_id(&r, "g");
	assert_int_equal(chardev_write(cd, "more", 4), 4);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "keep|more", 9);

	/* A file that cannot be opened: the message names the option and the OS error. */
	assert_int_equal(add(&r, "file,id=h,path=/nonexistent-dir/x"), 0);
	assert_int_equal(chardev_open(&r.m, "h", "test", &cd, r.err, sizeof(r.err)), -ENOENT);
	assert_non_null(strstr(r.err, "-chardev file,id=h,path=/nonexistent-dir/x"));
	assert_non_null(strstr(r.err, "No such file"));
	rig_free(&r);
}

/* pty: "pty:/dev/pts/N", both directions through the slave, raw (no echo). */
static void pty_backend(void **state)
{
	struct rig r;
	struct sink s = { .room = 64 };
	struct chardev *cd;
	char desc[256], buf[64];
	int slave;
	ssize_t n;

	(void)state;
	rig_init(&r);
	assert_int_equal(add(&r, "pty,id=p"), 0);
	cd = open_id(&r, "p");
	chardev_set_handlers(cd, sink_can_read, sink_receive, &s);
	describe(cd, desc);
	assert_memory_equal(desc, "pty:/dev/pts/", 13);
	slave = open(desc + 4, O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(slave >= 0);
	assert_int_equal(chardev_write(cd, "to guest console\n", 17), 17);
	/* A pty hands data across through a kernel work item: wait for it (bounded). */
	assert_int_equal(poll(&(struct pollfd){ .fd = slave, .events = POLLIN }, 1, 5000), 1);
	n = read(slave, buf, sizeof(buf));
	assert_int_equal(n, 17);
	assert_memory_equal(buf, "to guest console\n", 17);
	assert_int_equal(write(slave, "typed", 5), 5);
	for (int i = 0; i < 100 && s.n < 5; i++)
		loop_iterate(r.m.loop, 50);
	assert_int_equal(s.n, 5);
	assert_memory_equal(s.buf, "typed", 5);
	/* Raw mode: nothing we wrote comes back as input. */
	assert_int_equal(chardev_stats(cd).received, 5);
	close(slave);
	/* The reader left: writes still never block; the loop sees no hang-up storm. */
	assert_int_equal(chardev_write(cd, "x", 1), 1);
	assert_true(loop_iterate(r.m.loop, 0) <= 0);
	rig_free(&r);
}

/* "-serial /dev/pts/N" (libxl passes host tty paths): a host tty, raw, both ways. */
static void host_tty_backend(void **state)
{
	struct rig r;
	struct sink s = { .room = 64 };
	struct chardev *cd;
	char slave[64], spec[80], id[32], desc[256], buf[16];
	int master;

	(void)state;
	rig_init(&r);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(ptsname_r(master, slave, sizeof(slave)), 0);
	assert_int_equal(chardev_add_serial(&r.m, slave, id, sizeof(id), r.err, 512), 0);
	cd = open_id(&r, id);
	chardev_set_handlers(cd, sink_can_read, sink_receive, &s);
	describe(cd, desc);
	assert_string_equal(desc, "serial");
	assert_int_equal(chardev_write(cd, "tx", 2), 2);
	assert_int_equal(poll(&(struct pollfd){ .fd = master, .events = POLLIN }, 1, 5000), 1);
	assert_int_equal(read(master, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "tx", 2);
	assert_int_equal(write(master, "rx\n", 3), 3);
	for (int i = 0; i < 100 && s.n < 3; i++)
		loop_iterate(r.m.loop, 50);
	assert_int_equal(s.n, 3); /* raw: the newline arrives as it is, no line editing */
	assert_memory_equal(s.buf, "rx\n", 3);
	snprintf(spec, sizeof(spec), "serial,id=bad,path=/dev/nonexistent-tty");
	assert_int_equal(add(&r, spec), 0);
	assert_int_equal(chardev_open(&r.m, "bad", "test", &cd, r.err, sizeof(r.err)), -ENOENT);
	assert_non_null(strstr(r.err, "/dev/nonexistent-tty"));
	rig_free(&r);
	close(master);
}

/* A pty nobody reads fills up; then output is dropped and counted, never waited for. */
static void pty_without_reader_never_blocks(void **state)
{
	struct rig r;
	struct chardev *cd;
	static char chunk[4096];
	uint64_t total = 0;
	struct chardev_stats st;

	(void)state;
	rig_init(&r);
	assert_int_equal(add(&r, "pty,id=p"), 0);
	cd = open_id(&r, "p");
	memset(chunk, 'z', sizeof(chunk));
	for (int i = 0; i < 256; i++)
		total += chardev_write(cd, chunk, sizeof(chunk));
	st = chardev_stats(cd);
	assert_true(total < 256u * sizeof(chunk));
	assert_int_equal(st.written, total);
	assert_int_equal(st.dropped, 256u * sizeof(chunk) - total);
	rig_free(&r);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static size_t peer_read(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

	return n < 0 ? 0 : (size_t)n;
}

/* unix server, wait=off: one client at a time, a departed client is survived. */
static void socket_server(void **state)
{
	struct rig r;
	struct sink s = { .room = 64 };
	struct chardev *cd;
	char path[128], spec[256], desc[256], want[300], buf[64];
	int c1, c2;

	(void)state;
	rig_init(&r);
	snprintf(path, sizeof(path), "%s/s.sock", r.dir);
	snprintf(spec, sizeof(spec), "socket,id=s,path=%s,server=on,wait=off", path);
	assert_int_equal(add(&r, spec), 0);
	cd = open_id(&r, "s");
	chardev_set_handlers(cd, sink_can_read, sink_receive, &s);
	describe(cd, desc);
	snprintf(want, sizeof(want), "disconnected:unix:%s,server=on", path);
	assert_string_equal(desc, want);
	/* No client: output dropped, nothing blocks. */
	assert_int_equal(chardev_write(cd, "lost", 4), 0);
	assert_int_equal(chardev_stats(cd).dropped, 4);

	c1 = connect_to(path);
	spin(&r);
	assert_true(chardev_connected(cd));
	describe(cd, desc);
	assert_string_equal(desc, want + strlen("disconnected:"));
	assert_int_equal(chardev_write(cd, "hello", 5), 5);
	assert_int_equal(peer_read(c1, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(write(c1, "in", 2), 2);
	spin(&r);
	assert_int_equal(s.n, 2);

	/* A second client waits in the backlog while the first is served. */
	c2 = connect_to(path);
	spin(&r);
	assert_int_equal(chardev_write(cd, "one", 3), 3);
	assert_int_equal(peer_read(c2, buf, sizeof(buf)), 0);
	assert_int_equal(peer_read(c1, buf, sizeof(buf)), 3);

	/* The first leaves: survived, then the second is taken. */
	close(c1);
	spin(&r);
	assert_int_equal(chardev_write(cd, "two", 3), 3);
	assert_int_equal(peer_read(c2, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "two", 3);
	assert_int_equal(chardev_stats(cd).connects, 2);
	close(c2);
	spin(&r);
	chardev_write(cd, "gone", 4); /* EPIPE or no peer: dropped, no SIGPIPE */
	assert_false(chardev_connected(cd));
	rig_free(&r);
	/* The socket file we created is gone with the chardev. */
	assert_int_not_equal(access(path, F_OK), 0);
}

/* A free TCP port on 127.0.0.1 (bound and released; good enough for a test). */
static unsigned free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static int tcp_connect(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* TCP, as "-serial tcp:HOST:PORT,server,nowait" and -chardev host=/port=: QEMU's names. */
static void tcp_sockets(void **state)
{
	struct rig r;
	struct chardev *cd;
	char spec[128], id[32], desc[256], want[256], buf[16];
	const struct qopts *q;
	unsigned port = free_port();
	int c, lfd, peer;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	(void)state;
	rig_init(&r);
	assert_int_equal(
	    chardev_add_serial(&r.m, "tcp::4555,server,nowait", id, sizeof(id), r.err, 512), 0);
	q = chardev_spec(&r.m, id);
	assert_string_equal(qopts_get(q, "host"), "");
	assert_string_equal(qopts_get(q, "port"), "4555");
	assert_int_equal(qopts_get_bool(q, "server", false), 1);
	assert_true(qopts_has(q, "nowait"));
	assert_int_equal(chardev_add_serial(&r.m, "tcp:[::1]:4556", id, sizeof(id), r.err, 512), 0);
	assert_string_equal(qopts_get(chardev_spec(&r.m, id), "host"), "::1");

	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u,server=on,wait=off,nodelay", port);
	assert_int_equal(chardev_add_serial(&r.m, spec, id, sizeof(id), r.err, 512), 0);
	cd = open_id(&r, id);
	describe(cd, desc);
	snprintf(want, sizeof(want), "disconnected:tcp:127.0.0.1:%u,server=on", port);
	assert_string_equal(desc, want);
	c = tcp_connect(port);
	spin(&r);
	describe(cd, desc);
	snprintf(want, sizeof(want), "tcp:127.0.0.1:%u,server=on <-> 127.0.0.1:", port);
	assert_memory_equal(desc, want, strlen(want));
	assert_int_equal(chardev_write(cd, "tcp", 3), 3);
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 3);
	close(c);
	spin(&r);
	assert_false(chardev_connected(cd));
	c = tcp_connect(port); /* and a new client is served */
	spin(&r);
	assert_int_equal(chardev_write(cd, "again", 5), 5);
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 5);
	close(c);

	/* Client side. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	snprintf(spec, sizeof(spec), "socket,id=tc,host=127.0.0.1,port=%u", ntohs(sa.sin_port));
	assert_int_equal(add(&r, spec), 0);
	cd = open_id(&r, "tc");
	peer = accept(lfd, NULL, NULL);
	assert_true(peer >= 0);
	assert_int_equal(chardev_write(cd, "cli", 3), 3);
	assert_int_equal(recv(peer, buf, sizeof(buf), 0), 3);
	close(peer);
	close(lfd);
	rig_free(&r);
}

/* unix client: connects at open, a peer that hangs up is survived. */
static void socket_client(void **state)
{
	struct rig r;
	struct chardev *cd;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char spec[256], buf[16], desc[256], want[300];
	int lfd, peer;

	(void)state;
	rig_init(&r);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/c.sock", r.dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	snprintf(spec, sizeof(spec), "socket,id=c,path=%s", sa.sun_path);
	assert_int_equal(add(&r, spec), 0);
	cd = open_id(&r, "c");
	peer = accept(lfd, NULL, NULL);
	assert_true(peer >= 0);
	describe(cd, desc);
	snprintf(want, sizeof(want), "unix:%s", sa.sun_path);
	assert_string_equal(desc, want);
	assert_int_equal(chardev_write(cd, "ok", 2), 2);
	assert_int_equal(peer_read(peer, buf, sizeof(buf)), 2);
	close(peer);
	for (int i = 0; i < 3; i++)
		chardev_write(cd, "x", 1);
	assert_false(chardev_connected(cd));
	assert_true(chardev_stats(cd).dropped >= 1);
	close(lfd);
	/* Nobody listening: the open fails naming the option. */
	unlink(sa.sun_path);
	snprintf(spec, sizeof(spec), "socket,id=d,path=%s", sa.sun_path);
	assert_int_equal(add(&r, spec), 0);
	assert_int_not_equal(chardev_open(&r.m, "d", "test", &cd, r.err, sizeof(r.err)), 0);
	assert_non_null(strstr(r.err, "-chardev socket,id=d"));
	rig_free(&r);
}

/* Input flow control: nothing offered, fd no longer polled; accept_input resumes. */
static void input_flow_control(void **state)
{
	struct rig r;
	struct sink s = { .room = 3 };
	struct chardev *cd;
	char spec[64];
	int sv[2];

	(void)state;
	rig_init(&r);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(spec, sizeof(spec), "socket,id=t,fd=%d", sv[0]);
	assert_int_equal(add(&r, spec), 0);
	cd = open_id(&r, "t");
	chardev_set_handlers(cd, sink_can_read, sink_receive, &s);
	assert_int_equal(write(sv[1], "abcdefgh", 8), 8);
	spin(&r);
	assert_int_equal(s.n, 8); /* three at a time, all of it */
	s.room = 0;
	assert_int_equal(write(sv[1], "ijkl", 4), 4);
	spin(&r);
	assert_int_equal(s.n, 8);
	/* Paused: the loop has nothing to report even though data waits. */
	assert_int_equal(loop_iterate(r.m.loop, 0), 0);
	s.room = 100;
	spin(&r);
	assert_int_equal(s.n, 8); /* still paused until the frontend says so */
	chardev_accept_input(cd);
	spin(&r);
	assert_int_equal(s.n, 12);
	assert_memory_equal(s.buf, "abcdefghijkl", 12);
	assert_int_equal(chardev_stats(cd).received, 12);
	/* The peer hangs up: survived, output dropped. */
	close(sv[1]);
	spin(&r);
	assert_false(chardev_connected(cd));
	assert_int_equal(chardev_write(cd, "z", 1), 0);
	rig_free(&r);
}

/* fd=N must be a socket of the right kind. */
static void inherited_fds_checked(void **state)
{
	struct rig r;
	struct chardev *cd;
	char spec[64];
	int p[2], sv[2], lfd;

	(void)state;
	rig_init(&r);
	assert_int_equal(pipe(p), 0);
	snprintf(spec, sizeof(spec), "socket,id=a,fd=%d", p[0]);
	assert_int_equal(add(&r, spec), 0);
	assert_int_equal(chardev_open(&r.m, "a", "test", &cd, r.err, sizeof(r.err)), -EINVAL);
	assert_non_null(strstr(r.err, "not a stream socket"));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(spec, sizeof(spec), "socket,id=b,fd=%d,server=on,wait=off", sv[0]);
	assert_int_equal(add(&r, spec), 0);
	assert_int_equal(chardev_open(&r.m, "b", "test", &cd, r.err, sizeof(r.err)), -EINVAL);
	assert_non_null(strstr(r.err, "listening"));
	/* A listening fd, as libxl passes for dm_restrict. */
	{
		struct qopts q;
		char path[128], qs[200], desc[256], want[300];

		snprintf(path, sizeof(path), "%s/l.sock", r.dir);
		snprintf(qs, sizeof(qs), "socket,id=x,path=%s,server=on,wait=off", path);
		assert_int_equal(qopts_parse(qs, &q), 0);
		lfd = chardev_socket_listen(&q, r.err, sizeof(r.err));
		assert_true(lfd >= 0);
		qopts_free(&q);
		snprintf(qs, sizeof(qs), "socket,id=x,fd=%d,server=on,wait=off", lfd);
		assert_int_equal(add(&r, qs), 0);
		cd = open_id(&r, "x");
		describe(cd, desc);
		snprintf(want, sizeof(want), "disconnected:unix:%s,server=on", path);
		assert_string_equal(desc, want);
	}
	close(p[0]);
	close(p[1]);
	close(sv[1]);
	rig_free(&r);
}

static void mon_describe(void *opaque, char *buf, size_t len)
{
	(void)opaque;
	snprintf(buf, len, "unix:/run/qmp,server=on");
}

struct listing {
	char label[8][32];
	char file[8][128];
	bool open[8];
	unsigned n;
};

static void collect(void *opaque, const char *label, const char *filename, bool frontend_open)
{
	struct listing *l = opaque;

	assert_true(l->n < 8);
	snprintf(l->label[l->n], 32, "%s", label);
	snprintf(l->file[l->n], 128, "%s", filename);
	l->open[l->n] = frontend_open;
	l->n++;
}

/* query-chardev: creation order, monitor sockets described by their server, one frontend. */
static void listing_and_claims(void **state)
{
	struct rig r;
	struct listing l = { 0 };
	struct chardev *cd;
	char id[32];

	(void)state;
	rig_init(&r);
	assert_int_equal(add(&r, "socket,id=libxl-cmd,path=/run/qmp,server=on,wait=off"), 0);
	assert_int_equal(add(&r, "socket,id=libxenstat-cmd,path=/run/qmp2,server=on,wait=off"), 0);
	assert_int_equal(chardev_add_serial(&r.m, "null", id, sizeof(id), r.err, 512), 0);
	assert_int_equal(chardev_claim(&r.m, "libxl-cmd", mon_describe, NULL), 0);
	assert_int_equal(chardev_claim(&r.m, "libxl-cmd", mon_describe, NULL), -EBUSY);
	assert_int_equal(chardev_claim(&r.m, "nope", mon_describe, NULL), -ENOENT);
	assert_int_equal(chardev_open(&r.m, "libxl-cmd", "serial@3f8", &cd, r.err, sizeof(r.err)),
			 -EBUSY);
	assert_non_null(strstr(r.err, "monitor"));
	cd = open_id(&r, "serial0");
	assert_int_equal(chardev_open(&r.m, "serial0", "serial@2f8", &cd, r.err, sizeof(r.err)),
			 -EBUSY);
	assert_int_equal(chardev_open(&r.m, "nope", "serial@2f8", &cd, r.err, sizeof(r.err)),
			 -ENOENT);
	assert_non_null(strstr(r.err, "'nope'"));
	chardev_for_each(&r.m, collect, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.label[0], "libxl-cmd");
	assert_string_equal(l.file[0], "unix:/run/qmp,server=on");
	assert_string_equal(l.label[1], "libxenstat-cmd");
	assert_string_equal(l.file[1], "disconnected:unix:/run/qmp2,server=on");
	assert_false(l.open[1]);
	assert_string_equal(l.label[2], "serial0");
	assert_string_equal(l.file[2], "null");
	assert_true(l.open[2]);
	/* The second chardev was never opened: its socket file does not exist. */
	assert_int_not_equal(access("/run/qmp2", F_OK), 0);
	rig_free(&r);
}

/* stdio on pipes: output to fd 1, input from fd 0, restored afterwards; only one stdio. */
static void stdio_backend(void **state)
{
	struct rig r;
	struct sink s = { .room = 64 };
	struct chardev *cd;
	int in[2], out[2], save0, save1;
	char buf[16];

	(void)state;
	rig_init(&r);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	fflush(stdout);
	save0 = dup(0);
	save1 = dup(1);
	dup2(in[0], 0);
	dup2(out[1], 1);
	assert_int_equal(add(&r, "stdio,id=io,signal=off"), 0);
	assert_int_equal(add(&r, "stdio,id=io2"), 0);
	cd = open_id(&r, "io");
	chardev_set_handlers(cd, sink_can_read, sink_receive, &s);
	assert_int_equal(chardev_write(cd, "out", 3), 3);
	assert_int_equal(write(in[1], "in", 2), 2);
	spin(&r);
	assert_int_equal(chardev_open(&r.m, "io2", "test", &cd, r.err, sizeof(r.err)), -EBUSY);
	chardev_set_free(&r.m);
	dup2(save0, 0);
	dup2(save1, 1);
	close(save0);
	close(save1);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "out", 3);
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.buf, "in", 2);
	assert_int_equal(fcntl(1, F_GETFL) & O_NONBLOCK, 0);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	rig_free(&r);
}

/*
 * After the sandbox (dm_restrict's seccomp allow-list) every run-time path
 * works: accepting a client, naming it for query-chardev, writing, reading,
 * losing it. A forbidden system call would kill the child with SIGSYS.
 */
static int sandboxed_child(void)
{
	struct sandbox_conf conf = { .seccomp = true };
	struct rig r;
	struct sink s = { .room = 64 };
	struct chardev *tcp, *pty, *file;
	char spec[160], desc[256], err[256], buf[16];
	unsigned port = free_port();
	int c;

	rig_init(&r);
	snprintf(spec, sizeof(spec), "socket,id=t,host=127.0.0.1,port=%u,server=on,wait=off", port);
	if (add(&r, spec) || add(&r, "pty,id=p"))
		return 10;
	snprintf(spec, sizeof(spec), "file,id=f,path=%s/log", r.dir);
	if (add(&r, spec))
		return 11;
	tcp = open_id(&r, "t");
	pty = open_id(&r, "p");
	file = open_id(&r, "f");
	chardev_set_handlers(tcp, sink_can_read, sink_receive, &s);
	chardev_set_handlers(pty, sink_can_read, sink_receive, &s);
	c = tcp_connect(port); /* queued in the backlog, accepted after the sandbox */
	if (sandbox_enter(&conf, err, sizeof(err)))
		return 12;
	spin(&r);
	describe(tcp, desc);
	if (strncmp(desc, "tcp:127.0.0.1:", 14))
		return 13;
	if (chardev_write(tcp, "ab", 2) != 2 || recv(c, buf, sizeof(buf), 0) != 2)
		return 14;
	if (write(c, "in", 2) != 2)
		return 15;
	spin(&r);
	if (s.n != 2)
		return 16;
	close(c);
	spin(&r);
	chardev_write(tcp, "x", 1);
	describe(pty, desc);
	if (chardev_write(pty, "p", 1) != 1 || chardev_write(file, "f", 1) != 1)
		return 17;
	chardev_set_free(&r.m);
	return 0;
}

static void runtime_paths_under_sandbox(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(sandboxed_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("sandboxed child killed by signal %d", WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_specs_named),
		cmocka_unit_test(serial_specs),
		cmocka_unit_test(null_backend),
		cmocka_unit_test(file_backend),
		cmocka_unit_test(pty_backend),
		cmocka_unit_test(pty_without_reader_never_blocks),
		cmocka_unit_test(host_tty_backend),
		cmocka_unit_test(socket_server),
		cmocka_unit_test(socket_client),
		cmocka_unit_test(tcp_sockets),
		cmocka_unit_test(input_flow_control),
		cmocka_unit_test(inherited_fds_checked),
		cmocka_unit_test(listing_and_claims),
		cmocka_unit_test(stdio_backend),
		cmocka_unit_test(runtime_paths_under_sandbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
