// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP transport: the sockets of -chardev/-mon (listening, or connected to a
 * client socket's path as libqtest wants), connections, framing,
 * capability negotiation, fd passing, dispatch into the command table
 * (qmp_cmds.c). Protocol as QEMU's docs/interop/qmp-spec and as libxl reads
 * it (libxl_qmp.c): greeting, then {"execute": ..., "arguments": ..., "id": ...}.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dm/chardev.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/qemuopts.h"
#include "dm/qmp_int.h"

#define WHO "qmp"

static void conn_close(struct qmp_conn *c);

int qmp_conn_take_fd(struct qmp_conn *c)
{
	int fd;

	if (!c->nfds)
		return -1;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, --c->nfds * sizeof(c->fds[0]));
	return fd;
}

/* ------------------------------------------------------------ output */

static void conn_flush(struct qmp_conn *c)
{
	while (c->tx_len) {
		ssize_t n = send(c->fd, c->tx, c->tx_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			c->closing = true; /* peer gone; close after this round */
			c->tx_len = 0;
			return;
		}
		memmove(c->tx, c->tx + n, c->tx_len - (size_t)n);
		c->tx_len -= (size_t)n;
	}
	if (loop_mod_fd(c->q->m->loop, c->fd, EPOLLIN | (c->tx_len ? EPOLLOUT : 0)) < 0)
		c->closing = true;
}

/* Queue one message (stolen) as a line ending in CRLF. */
static void conn_send(struct qmp_conn *c, json_t *msg)
{
	char *s = json_dumps(msg, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	size_t len;
	char *tx;

	json_decref(msg);
	if (!s) {
		c->closing = true;
		return;
	}
	len = strlen(s);
	if (c->tx_len + len + 2 > QMP_TX_MAX || !(tx = realloc(c->tx, c->tx_len + len + 2))) {
		dm_warn(WHO, "client not reading its replies: dropping the connection");
		free(s);
		c->closing = true;
		return;
	}
	c->tx = tx;
	memcpy(c->tx + c->tx_len, s, len);
	memcpy(c->tx + c->tx_len + len, "\r\n", 2);
	c->tx_len += len + 2;
	free(s);
	conn_flush(c);
}

static void send_greeting(struct qmp_conn *c)
{
	json_t *g = json_pack("{s:{s:{s:{s:i,s:i,s:i},s:s},s:[]}}", "QMP", "version", "qemu",
			      "micro", QMP_QEMU_MICRO, "minor", QMP_QEMU_MINOR, "major",
			      QMP_QEMU_MAJOR, "package", "hvmdm", "capabilities");

	if (g)
		conn_send(c, g);
}

static void send_error(struct qmp_conn *c, const char *cls, const char *desc, json_t *id)
{
	json_t *r = json_pack("{s:{s:s,s:s}}", "error", "class", cls, "desc", desc);

	if (r && id)
		json_object_set(r, "id", id);
	if (r)
		conn_send(c, r);
}

void qmp_event(struct qmp_server *q, const char *name)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (struct qmp_conn *c = q->conns; c; c = c->next) {
		json_t *ev;

		if (!c->negotiated || c->closing)
			continue;
		ev = json_pack("{s:{s:I,s:I},s:s}", "timestamp", "seconds", (json_int_t)ts.tv_sec,
			       "microseconds", (json_int_t)(ts.tv_nsec / 1000), "event", name);
		if (ev)
			conn_send(c, ev);
	}
}

/* ------------------------------------------------------------ input */

static const struct qmp_cmd *find_cmd(const char *name)
{
	for (const struct qmp_cmd *cmd = qmp_cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

/* Check the request's shape as QEMU's dispatcher does; NULL if well formed. */
static const char *check_request(json_t *req, const char **name, json_t **args, char *buf,
				 size_t buflen)
{
	const char *key;
	json_t *val;

	if (!json_is_object(req))
		return "QMP input must be a JSON object";
	json_object_foreach(req, key, val)
	{
		if (!strcmp(key, "execute") || !strcmp(key, "exec-oob")) {
			if (!json_is_string(val))
				return "QMP input member 'execute' must be a string";
			*name = json_string_value(val);
		} else if (!strcmp(key, "arguments")) {
			if (!json_is_object(val))
				return "QMP input member 'arguments' must be an object";
			*args = val;
		} else if (strcmp(key, "id") != 0) {
			snprintf(buf, buflen, "QMP input member '%.64s' is unexpected", key);
			return buf;
		}
	}
	if (!*name)
		return "QMP input lacks member 'execute'";
	return NULL;
}

static void handle_request(struct qmp_conn *c, json_t *req)
{
	const char *name = NULL;
	json_t *args = NULL, *ret = NULL, *id = json_object_get(req, "id");
	struct dm_error e = { 0 };
	const char *bad = check_request(req, &name, &args, e.desc, sizeof(e.desc));
	const struct qmp_cmd *cmd;
	json_t *empty = NULL;

	if (bad) {
		send_error(c, "GenericError", bad, id);
		return;
	}
	dm_dbg(LOG_QMP, WHO, "<- %s", name);
	if (!c->negotiated && strcmp(name, "qmp_capabilities") != 0) {
		send_error(c, "CommandNotFound",
			   "Expecting capabilities negotiation with 'qmp_capabilities'", id);
		return;
	}
	cmd = find_cmd(name);
	if (!cmd) {
		snprintf(e.desc, sizeof(e.desc), "The command %s has not been found", name);
		send_error(c, "CommandNotFound", e.desc, id);
		return;
	}
	if (!args)
		args = empty = json_object();
	if (cmd->fn(c, args, &ret, &e) < 0) {
		json_decref(ret);
		send_error(c, e.cls ? e.cls : "GenericError", e.desc, id);
	} else {
		json_t *r = json_pack("{s:o}", "return", ret ? ret : json_object());

		if (r && id)
			json_object_set(r, "id", id);
		if (r)
			conn_send(c, r);
	}
	json_decref(empty);
}

/* Drop input up to and including the next newline (resync after garbage). */
static void skip_line(struct qmp_conn *c)
{
	char *nl = memchr(c->rx, '\n', c->rx_len);
	size_t n = nl ? (size_t)(nl - c->rx) + 1 : c->rx_len;

	memmove(c->rx, c->rx + n, c->rx_len - n);
	c->rx_len -= n;
}

static void parse_input(struct qmp_conn *c)
{
	while (c->rx_len && !c->closing) {
		size_t ws = strspn(c->rx, " \t\r\n");
		json_error_t jerr;
		json_t *req;

		if (ws) {
			memmove(c->rx, c->rx + ws, c->rx_len - ws);
			c->rx_len -= ws;
			continue;
		}
		req = json_loadb(c->rx, c->rx_len, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
		if (!req && json_error_code(&jerr) == json_error_premature_end_of_input) {
			if (c->rx_len >= QMP_RX_MAX) {
				send_error(c, "GenericError", "JSON input exceeds the size limit",
					   NULL);
				c->rx_len = 0;
			}
			return;
		}
		if (!req) {
			char desc[200];

			snprintf(desc, sizeof(desc), "JSON parse error, %s", jerr.text);
			send_error(c, "GenericError", desc, NULL);
			skip_line(c);
			continue;
		}
		memmove(c->rx, c->rx + jerr.position, c->rx_len - (size_t)jerr.position);
		c->rx_len -= (size_t)jerr.position;
		handle_request(c, req);
		json_decref(req);
	}
}

static void keep_fds(struct qmp_conn *c, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n;
		int *fds;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (int *)CMSG_DATA(cm);
		for (size_t i = 0; i < n; i++) {
			if (c->nfds < QMP_FDS_MAX) {
				c->fds[c->nfds++] = fds[i];
			} else {
				guest_err(WHO,
					  "too many fds passed without add-fd/getfd: closing one");
				close(fds[i]);
			}
		}
	}
}

static void conn_read(struct qmp_conn *c)
{
	char buf[65536];
	union {
		char b[CMSG_SPACE(sizeof(int) * QMP_FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.b,
		.msg_controllen = sizeof(ctl.b),
	};
	ssize_t n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	char *rx;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->closing = true;
		return;
	}
	keep_fds(c, &msg);
	if (c->rx_len + (size_t)n > QMP_RX_MAX + sizeof(buf)) {
		send_error(c, "GenericError", "JSON input exceeds the size limit", NULL);
		c->rx_len = 0;
		skip_line(c);
	}
	rx = realloc(c->rx, c->rx_len + (size_t)n + 1);
	if (!rx) {
		c->closing = true;
		return;
	}
	c->rx = rx;
	memcpy(c->rx + c->rx_len, buf, (size_t)n);
	c->rx_len += (size_t)n;
	c->rx[c->rx_len] = '\0'; /* for strspn; JSON parsing uses rx_len */
	parse_input(c);
}

static void conn_event(void *opaque, uint32_t events)
{
	struct qmp_conn *c = opaque;

	if (events & EPOLLOUT)
		conn_flush(c);
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(c);
	if (c->closing)
		conn_close(c);
}

static void conn_close(struct qmp_conn *c)
{
	struct qmp_server *q = c->q;

	for (struct qmp_conn **p = &q->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	loop_del_fd(q->m->loop, c->fd);
	close(c->fd);
	while (c->nfds)
		close(qmp_conn_take_fd(c));
	free(c->rx);
	free(c->tx);
	free(c);
}

static int conn_new(struct qmp_server *q, struct qmp_monitor *mon, int fd)
{
	struct qmp_conn *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->q = q;
	c->mon = mon;
	c->fd = fd;
	ret = loop_add_fd(q->m->loop, fd, EPOLLIN, conn_event, c);
	if (ret) {
		close(fd);
		free(c);
		return ret;
	}
	c->next = q->conns;
	q->conns = c;
	send_greeting(c);
	if (c->closing)
		conn_close(c);
	return 0;
}

int qmp_attach_fd(struct qmp_server *q, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		close(fd);
		return -errno;
	}
	return conn_new(q, NULL, fd);
}

unsigned qmp_connections(const struct qmp_server *q)
{
	unsigned n = 0;

	for (const struct qmp_conn *c = q->conns; c; c = c->next)
		n++;
	return n;
}

/* ------------------------------------------------------------ monitors */

static void mon_accept(void *opaque, uint32_t events)
{
	struct qmp_monitor *mon = opaque;
	int fd;

	(void)events;
	fd = accept4(mon->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			dm_warn(WHO, "%s: accept: %s", mon->label, strerror(errno));
		return;
	}
	if (conn_new(mon->q, mon, fd) < 0)
		dm_warn(WHO, "%s: cannot serve a new connection", mon->label);
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	/* a stale socket from an earlier run is replaced, anything else is an error */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot listen on '%s': %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	return fd;
}

/* An inherited fd must already be a listening stream socket (libxl's probe and dm_restrict). */
static int inherited_listener(const char *fdstr, char *err, size_t errlen)
{
	unsigned long long v;
	int fd, on = 0, type = 0;
	socklen_t len = sizeof(on);

	if (qopts_parse_u64(fdstr, &v) || v > 65535) {
		snprintf(err, errlen, "fd=%s is not a file descriptor number", fdstr);
		return -EINVAL;
	}
	fd = (int)v;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) {
		snprintf(err, errlen, "fd=%s is not a listening stream socket", fdstr);
		return -EBADF;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "fd=%s: %s", fdstr, strerror(errno));
		return -errno;
	}
	return fd;
}

/* The "-chardev" option whose id= is id, parsed; -ENOENT if none. */
static int find_chardev(struct machine *m, const char *id, struct qopts *out)
{
	for (size_t i = 0; i < m->opts->chardevs.n; i++) {
		const char *cid;

		if (qopts_parse(m->opts->chardevs.v[i], out))
			continue;
		cid = qopts_get(out, "id");
		if (cid && !strcmp(cid, id))
			return 0;
		qopts_free(out);
	}
	return -ENOENT;
}

static const char *const socket_keys[] = { "id",     "path",   "fd",	  "server", "wait",
					   "nowait", "telnet", "logfile", NULL };

/*
 * The monitor's socket: a listener for server=on (path= or an inherited
 * fd=), else a connection to path= (QEMU's client socket, which libqtest
 * uses: the test listens, QEMU connects at start-up). *client tells which.
 */
static int open_monitor_socket(const struct qopts *cd, const char *id, char **path_out,
			       bool *client, char *err, size_t errlen)
{
	const char *path = qopts_get(cd, "path"), *fd = qopts_get(cd, "fd");
	const char *bad = qopts_unknown_key(cd, socket_keys, true);
	int server = qopts_get_bool(cd, "server", false);

	if (strcmp(cd->v[0].key, "socket") != 0 || cd->v[0].val) {
		snprintf(err, errlen, "-chardev %s: a QMP monitor needs a socket chardev", id);
		return -EINVAL;
	}
	if (bad) {
		snprintf(err, errlen, "-chardev %s: parameter '%s' is not supported", id, bad);
		return -EINVAL;
	}
	if (server < 0 || qopts_get_bool(cd, "telnet", false) != 0) {
		snprintf(err, errlen, "-chardev %s: only plain (not telnet) sockets are supported",
			 id);
		return -EINVAL;
	}
	if (!!path == !!fd) {
		snprintf(err, errlen, "-chardev %s: needs exactly one of path= and fd=", id);
		return -EINVAL;
	}
	*client = server == 0;
	if (*client && fd) {
		snprintf(err, errlen, "-chardev %s: fd= needs server=on (a listening socket)", id);
		return -EINVAL;
	}
	if (*client)
		return chardev_unix_connect(path, err, errlen);
	if (fd)
		return inherited_listener(fd, err, errlen);
	*path_out = strdup(path);
	if (!*path_out)
		return -ENOMEM;
	return listen_unix(path, err, errlen);
}

bool qmp_monitor_connected(const struct qmp_monitor *mon)
{
	for (const struct qmp_conn *c = mon->q->conns; c; c = c->next)
		if (c->mon == mon)
			return true;
	return false;
}

/* query-chardev's description of a monitor socket, for the machine's chardev set. */
static void describe_monitor(void *opaque, char *buf, size_t len)
{
	const struct qmp_monitor *mon = opaque;

	snprintf(buf, len, "%s", qmp_monitor_connected(mon) ? mon->desc_open : mon->desc_closed);
}

/*
 * Work out the descriptions now (an fd= socket's address needs a system
 * call the sandbox forbids later) and, when the machine records its
 * chardevs, claim this one so that no serial port opens it and
 * query-chardev lists it in command-line order.
 */
static void register_monitor(struct qmp_server *q, struct qmp_monitor *mon,
			     const struct qopts *spec)
{
	chardev_describe_socket(spec, true, mon->desc_open, sizeof(mon->desc_open));
	chardev_describe_socket(spec, false, mon->desc_closed, sizeof(mon->desc_closed));
	if (chardev_exists(q->m, mon->label) &&
	    chardev_claim(q->m, mon->label, describe_monitor, mon) == 0)
		mon->claimed = true;
}

/*
 * A monitor record for fd: a listener, watched for clients, or (client) a
 * connection this process made, served once the record exists; no listener then.
 */
static int add_monitor(struct qmp_server *q, const char *label, int fd, char *path, bool client)
{
	struct qmp_monitor *mon = calloc(1, sizeof(*mon));
	int ret = -ENOMEM;

	if (!mon || !(mon->label = strdup(label)))
		goto err_free;
	mon->q = q;
	mon->listen_fd = client ? -1 : fd;
	mon->path = path;
	ret = client ? 0 : loop_add_fd(q->m->loop, fd, EPOLLIN, mon_accept, mon);
	if (ret)
		goto err_free;
	mon->next = q->mons;
	q->mons = mon;
	return 0;
err_free:
	if (mon)
		free(mon->label);
	free(mon);
	return ret;
}

/* wait=on: QEMU blocks start-up until the first client connects; so do we. */
static void wait_for_client(struct qmp_server *q, const char *id)
{
	struct qmp_monitor *mon = q->mons;
	int fl = fcntl(mon->listen_fd, F_GETFL);

	dm_info(WHO, "%s: waiting for a connection (wait=on)", id);
	if (fcntl(mon->listen_fd, F_SETFL, fl & ~O_NONBLOCK) == 0) {
		int fd = accept4(mon->listen_fd, NULL, NULL, SOCK_CLOEXEC);

		fcntl(mon->listen_fd, F_SETFL, fl);
		if (fd >= 0 && qmp_attach_fd(q, fd) < 0)
			dm_warn(WHO, "%s: cannot serve the first connection", id);
	}
}

/* Open a checked monitor's socket (listening, or connected as a client) and serve it. */
static int attach_monitor(struct qmp_server *q, const char *mon_spec, const char *id,
			  const struct qopts *cd, char *err, size_t errlen)
{
	char *path = NULL;
	bool client = false;
	int ret, lfd;

	lfd = open_monitor_socket(cd, id, &path, &client, err, errlen);
	ret = lfd < 0 ? lfd : add_monitor(q, id, lfd, path, client);
	if (ret && lfd >= 0) {
		close(lfd);
		snprintf(err, errlen, "-mon %s: cannot watch the socket", mon_spec);
	}
	if (ret) {
		free(path);
		return ret;
	}
	register_monitor(q, q->mons, cd);
	if (client && conn_new(q, q->mons, lfd) < 0)
		dm_warn(WHO, "%s: cannot serve the connection", id);
	if (!client && qopts_get_bool(cd, "wait", false) == 1 && !qopts_has(cd, "nowait"))
		wait_for_client(q, id);
	return 0;
}

int qmp_add_monitor(struct qmp_server *q, const char *mon_spec, char *err, size_t errlen)
{
	static const char *const mon_keys[] = {
		"chardev", "mode", "pretty", "id", "default", NULL
	};
	struct qopts mo, cd;
	const char *id, *mode, *bad;
	int ret;

	ret = qopts_parse(mon_spec, &mo);
	if (ret) {
		snprintf(err, errlen, "-mon %s: cannot parse it", mon_spec);
		return ret;
	}
	id = qopts_get(&mo, "chardev");
	mode = qopts_get(&mo, "mode");
	bad = qopts_unknown_key(&mo, mon_keys, false);
	ret = -EINVAL;
	if (bad) {
		snprintf(err, errlen, "-mon: parameter '%s' is not supported", bad);
	} else if (!id) {
		snprintf(err, errlen, "-mon %s: chardev= is missing", mon_spec);
	} else if (!mode || strcmp(mode, "control") != 0) {
		snprintf(err, errlen, "-mon %s: only mode=control (QMP) is supported", mon_spec);
	} else if (find_chardev(q->m, id, &cd) < 0) {
		snprintf(err, errlen, "-mon %s: no -chardev with id '%s'", mon_spec, id);
	} else {
		ret = attach_monitor(q, mon_spec, id, &cd, err, errlen);
		qopts_free(&cd);
	}
	qopts_free(&mo);
	return ret;
}

int qmp_add_monitors(struct qmp_server *q, char *err, size_t errlen)
{
	for (size_t i = 0; i < q->m->opts->mons.n; i++) {
		int ret = qmp_add_monitor(q, q->m->opts->mons.v[i], err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

/* The stop/cont commands send their own events; a device's stop (rerror/werror=stop) is here. */
static void device_stopped_guest(void *opaque, enum run_state from, enum run_state to)
{
	(void)from;
	if (to == RUN_IO_ERROR)
		qmp_event(opaque, "STOP");
}

struct qmp_server *qmp_new(struct machine *m)
{
	struct qmp_server *q = calloc(1, sizeof(*q));

	/*
	 * jansson seeds its hash function from /dev/urandom on the first
	 * object it builds; do it now, at set-up, not on the first command
	 * after the sandbox (dm/sandbox.h) forbids opening files.
	 */
	json_object_seed(0);
	if (q)
		q->m = m;
	if (q && m) {
		q->rs_hook = (struct runstate_hook){ .changed = device_stopped_guest, .opaque = q };
		runstate_add_hook(&m->rs, &q->rs_hook);
	}
	return q;
}

void qmp_free(struct qmp_server *q)
{
	if (!q)
		return;
	if (q->m)
		runstate_del_hook(&q->m->rs, &q->rs_hook);
	while (q->conns)
		conn_close(q->conns);
	while (q->mons) {
		struct qmp_monitor *mon = q->mons;

		q->mons = mon->next;
		if (mon->listen_fd >= 0) {
			loop_del_fd(q->m->loop, mon->listen_fd);
			close(mon->listen_fd);
		}
		if (mon->path)
			unlink(mon->path);
		free(mon->path);
		free(mon->label);
		free(mon);
	}
	while (q->named_fds) {
		struct qmp_named_fd *nf = q->named_fds;

		q->named_fds = nf->next;
		close(nf->fd);
		free(nf->name);
		free(nf);
	}
	free(q);
}
