// SPDX-License-Identifier: GPL-2.0-only
/*
 * Character-device backends (see chardev.h): null, stdio, file, pty, host
 * tty, unix and TCP socket servers and clients.
 *
 * Behaviour follows QEMU 7.2's chardev/ where a guest or the toolstack can
 * see it: file truncates unless append=on; a server socket takes one client
 * at a time and stops accepting until it leaves; query-chardev filenames
 * ("pty:/dev/pts/N", "file", "unix:P,server=on", "disconnected:unix:...").
 *
 * Differences, on purpose: output is never retried or queued (QEMU retries
 * a byte a few times through a watch; here a byte the host cannot take now
 * is dropped and counted, so a stuck peer can never stall the loop). A pty
 * keeps its slave side open, so the master never sees a hang-up when a
 * reader (xl console) leaves: output then fills the pty buffer and is
 * dropped, where QEMU drops it at once. Telnet, websocket, UDP, mux,
 * logfile and reconnect= are not offered (libxl does not use them, and a
 * reconnect would need socket()/connect() after the sandbox is up); a connected unix
 * client is named by its path where QEMU prints its (unnamed) local end.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "dm/chardev.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/qemuopts.h"

#define CD_READ_MAX 4096
#define CD_NS_PER_S 1000000000ull

enum cd_backend { CD_NULL, CD_STDIO, CD_FILE, CD_PTY, CD_TTY, CD_SOCKET };

struct chardev {
	struct chardev_set *set;
	struct machine *m;
	char *id;
	char *origin; /* "-chardev SPEC" / "-serial SPEC": how messages name it */
	struct qopts spec;
	enum cd_backend backend;

	bool opened;
	bool frontend; /* a frontend holds it (query-chardev frontend-open) */
	bool claimed;  /* served by someone else (the QMP server) */
	chardev_describe_fn ext_describe;
	void *ext_opaque;

	int in_fd;	  /* polled for input, -1: none */
	int out_fd;	  /* written, -1: output dropped */
	uint32_t watched; /* events in_fd is polled for (0: not in the epoll set) */
	bool paused;	  /* the frontend took nothing: not polled until accept_input */

	/* socket */
	bool server, wait;
	int listen_fd;
	bool listen_watched;
	char *unlink_path; /* a socket file we bound, removed at close */
	/*
	 * Names for query-chardev, worked out while the syscalls to do so are
	 * still allowed (before the sandbox): the unix path (fd=: where the
	 * inherited socket is bound), the two ends of a TCP connection.
	 */
	char sock_path[108];
	char tcp_local[80]; /* "HOST:PORT" we listen on or connected from */
	char tcp_peer[80];  /* "HOST:PORT" of the connected peer */

	/* pty: the slave is kept open (see top of file) */
	int pty_slave;
	char pty_name[64];

	/* stdio */
	struct termios saved_tio;
	bool tio_saved;
	int saved_stdout_fl;

	chardev_can_read_fn can_read;
	chardev_read_fn receive;
	void *opaque;
	struct chardev_stats st;
	struct ratelimit drop_rl;
	struct chardev *next;
};

struct chardev_set {
	struct chardev *head;
	struct chardev **tail;
	unsigned nserial; /* -serial options seen, "none" excepted */
	bool stdio_taken;
};

/* ---------------------------------------------------------------- parsing */

struct backend_desc {
	const char *name;
	enum cd_backend backend;
	const char *const *keys; /* allowed besides the backend word */
};

static const char *const keys_null[] = { "id", "mux", NULL };
static const char *const keys_stdio[] = { "id", "mux", "signal", NULL };
static const char *const keys_file[] = { "id", "mux", "path", "append", NULL };
static const char *const keys_pty[] = { "id", "mux", NULL };
static const char *const keys_tty[] = { "id", "mux", "path", NULL };
static const char *const keys_socket[] = { "id",   "mux",    "path", "fd",	"host",
					   "port", "ipv4",   "ipv6", "nodelay", "server",
					   "wait", "nowait", NULL };

static const struct backend_desc backends[] = {
	{ "null", CD_NULL, keys_null },	      { "stdio", CD_STDIO, keys_stdio },
	{ "file", CD_FILE, keys_file },	      { "pty", CD_PTY, keys_pty },
	{ "serial", CD_TTY, keys_tty },	      { "tty", CD_TTY, keys_tty },
	{ "socket", CD_SOCKET, keys_socket },
};

static const struct backend_desc *backend_find(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i].name, name))
			return &backends[i];
	return NULL;
}

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool id_wellformed(const char *id)
{
	static const char extra[] = "-._";

	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	for (const char *p = id + 1; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9');
		if (!alnum && !strchr(extra, *p))
			return false;
	}
	return true;
}

static int check_bool(const struct qopts *o, const char *key, const char *origin, char *err,
		      size_t errlen)
{
	if (qopts_has(o, key) && qopts_get_bool(o, key, false) < 0) {
		snprintf(err, errlen, "%s: parameter '%s' expects on or off, not '%s'", origin, key,
			 qopts_get(o, key));
		return -EINVAL;
	}
	return 0;
}

/* A decimal or 0x integer within [min, max]. */
static int parse_int(const char *s, long long min, long long max, long long *out)
{
	unsigned long long v;

	if (!s || qopts_parse_u64(s, &v) || v > (unsigned long long)max || (long long)v < min)
		return -EINVAL;
	*out = (long long)v;
	return 0;
}

static int check_socket(struct chardev *cd, char *err, size_t errlen)
{
	const struct qopts *o = &cd->spec;
	const char *path = qopts_get(o, "path"), *fd = qopts_get(o, "fd");
	const char *port = qopts_get(o, "port");
	long long v;

	if (!!path + !!fd + !!port != 1) {
		snprintf(err, errlen,
			 "%s: a socket needs exactly one of path=, fd= and port=", cd->origin);
		return -EINVAL;
	}
	if (qopts_has(o, "host") && !port) {
		snprintf(err, errlen, "%s: host= needs port=", cd->origin);
		return -EINVAL;
	}
	if (port && parse_int(port, 0, 65535, &v)) {
		snprintf(err, errlen, "%s: port '%s' is not a TCP port number", cd->origin, port);
		return -EINVAL;
	}
	if (path && (!*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))) {
		snprintf(err, errlen, "%s: path '%s' is empty or too long for a unix socket",
			 cd->origin, path);
		return -EINVAL;
	}
	if (fd && parse_int(fd, 3, 65535, &v)) {
		snprintf(err, errlen, "%s: fd '%s' is not a file descriptor number above 2",
			 cd->origin, fd);
		return -EINVAL;
	}
	if (check_bool(o, "ipv4", cd->origin, err, errlen) ||
	    check_bool(o, "ipv6", cd->origin, err, errlen) ||
	    check_bool(o, "nodelay", cd->origin, err, errlen))
		return -EINVAL;
	if (check_bool(o, "server", cd->origin, err, errlen) ||
	    check_bool(o, "wait", cd->origin, err, errlen))
		return -EINVAL;
	cd->server = qopts_get_bool(o, "server", false) == 1;
	cd->wait = qopts_has(o, "nowait") ? false : qopts_get_bool(o, "wait", true) == 1;
	return 0;
}

static void unix_spec_path(const struct qopts *spec, char *buf, size_t len);

/* Check a parsed spec against its backend; fills cd->backend and socket flags. */
static int check_spec(struct chardev *cd, char *err, size_t errlen)
{
	const struct qopts *o = &cd->spec;
	const struct backend_desc *b;
	const char *bad;

	if (o->n == 0 || o->v[0].val) {
		snprintf(err, errlen, "%s: the backend must come first", cd->origin);
		return -EINVAL;
	}
	b = backend_find(o->v[0].key);
	if (!b) {
		snprintf(err, errlen, "%s: backend '%s' is not supported", cd->origin, o->v[0].key);
		return -EINVAL;
	}
	cd->backend = b->backend;
	bad = qopts_unknown_key(o, b->keys, true);
	if (bad) {
		snprintf(err, errlen, "%s: parameter '%s' is not supported by backend '%s'",
			 cd->origin, bad, b->name);
		return -EINVAL;
	}
	if (check_bool(o, "mux", cd->origin, err, errlen) ||
	    check_bool(o, "append", cd->origin, err, errlen) ||
	    check_bool(o, "signal", cd->origin, err, errlen))
		return -EINVAL;
	if (qopts_get_bool(o, "mux", false) == 1) {
		snprintf(err, errlen, "%s: mux=on is not supported", cd->origin);
		return -EINVAL;
	}
	if ((b->backend == CD_FILE || b->backend == CD_TTY) &&
	    (!qopts_get(o, "path") || !*qopts_get(o, "path"))) {
		snprintf(err, errlen, "%s: backend '%s' needs path=", cd->origin, b->name);
		return -EINVAL;
	}
	if (b->backend != CD_SOCKET)
		return 0;
	if (check_socket(cd, err, errlen))
		return -EINVAL;
	unix_spec_path(o, cd->sock_path, sizeof(cd->sock_path));
	return 0;
}

static struct chardev_set *set_get(struct machine *m)
{
	if (!m->chardevs) {
		m->chardevs = calloc(1, sizeof(*m->chardevs));
		if (!m->chardevs)
			return NULL;
		m->chardevs->tail = &m->chardevs->head;
	}
	return m->chardevs;
}

static struct chardev *find(struct machine *m, const char *id)
{
	if (!m->chardevs || !id)
		return NULL;
	for (struct chardev *cd = m->chardevs->head; cd; cd = cd->next)
		if (!strcmp(cd->id, id))
			return cd;
	return NULL;
}

static void cd_free(struct chardev *cd)
{
	qopts_free(&cd->spec);
	free(cd->id);
	free(cd->origin);
	free(cd->unlink_path);
	free(cd);
}

static struct chardev *cd_new(struct machine *m, const char *origin)
{
	struct chardev *cd = calloc(1, sizeof(*cd));

	if (!cd)
		return NULL;
	cd->origin = strdup(origin);
	if (!cd->origin) {
		free(cd);
		return NULL;
	}
	cd->m = m;
	cd->in_fd = cd->out_fd = cd->listen_fd = cd->pty_slave = -1;
	cd->saved_stdout_fl = -1;
	return cd;
}

/* Validate cd (spec filled, id set) and append it to m's set; frees cd on failure. */
static int record(struct machine *m, struct chardev *cd, char *err, size_t errlen)
{
	struct chardev_set *set = set_get(m);
	int ret = check_spec(cd, err, errlen);

	if (!ret && !set) {
		snprintf(err, errlen, "%s: out of memory", cd->origin);
		ret = -ENOMEM;
	}
	if (!ret && find(m, cd->id)) {
		snprintf(err, errlen, "%s: duplicate chardev id '%s'", cd->origin, cd->id);
		ret = -EEXIST;
	}
	if (ret) {
		cd_free(cd);
		return ret;
	}
	cd->set = set;
	*set->tail = cd;
	set->tail = &cd->next;
	return 0;
}

int chardev_add_opt(struct machine *m, const char *spec, char *err, size_t errlen)
{
	char origin[512];
	struct chardev *cd;
	const char *id;

	snprintf(origin, sizeof(origin), "-chardev %s", spec);
	cd = cd_new(m, origin);
	if (!cd) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	if (qopts_parse(spec, &cd->spec)) {
		snprintf(err, errlen, "%s: cannot parse the option", origin);
		cd_free(cd);
		return -EINVAL;
	}
	id = qopts_get(&cd->spec, "id");
	if (!id || !id_wellformed(id)) {
		snprintf(err, errlen, "%s: %s", origin,
			 id ? "id= must start with a letter and hold only letters, digits, '-', "
			      "'.', '_'"
			    : "id= is missing");
		cd_free(cd);
		return -EINVAL;
	}
	cd->id = strdup(id);
	if (!cd->id) {
		snprintf(err, errlen, "%s: out of memory", origin);
		cd_free(cd);
		return -ENOMEM;
	}
	return record(m, cd, err, errlen);
}

int chardev_add_opts(struct machine *m, char *err, size_t errlen)
{
	if (!m->opts)
		return 0;
	for (size_t i = 0; i < m->opts->chardevs.n; i++) {
		int ret = chardev_add_opt(m, m->opts->chardevs.v[i], err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

static int spec_push(struct qopts *o, const char *key, const char *val)
{
	struct qopt *v = realloc(o->v, (o->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	o->v = v;
	v[o->n].key = strdup(key);
	v[o->n].val = val ? strdup(val) : NULL;
	if (!v[o->n].key || (val && !v[o->n].val)) {
		free(v[o->n].key);
		free(v[o->n].val);
		return -ENOMEM;
	}
	o->n++;
	return 0;
}

/* "unix:PATH[,server][,nowait]...": PATH is the first element, the rest copied. */
static int serial_unix_spec(struct qopts *o, const char *rest)
{
	struct qopts r;
	int ret;

	if (qopts_parse(rest, &r))
		return -EINVAL;
	ret = r.v[0].val ? -EINVAL : spec_push(o, "path", r.v[0].key);
	for (size_t i = 1; !ret && i < r.n; i++)
		ret = spec_push(o, r.v[i].key, r.v[i].val);
	qopts_free(&r);
	return ret;
}

/* "tcp:[HOST]:PORT[,server][,nowait]...": HOST may be a bracketed IPv6 address. */
static int serial_tcp_spec(struct qopts *o, const char *rest)
{
	struct qopts r;
	char *hp, *colon, *host;
	int ret;

	if (qopts_parse(rest, &r))
		return -EINVAL;
	hp = r.v[0].key;
	colon = strrchr(hp, ':');
	if (r.v[0].val || !colon || !colon[1]) {
		qopts_free(&r);
		return -EINVAL;
	}
	*colon = '\0';
	host = hp;
	if (host[0] == '[' && colon > host + 1 && colon[-1] == ']') {
		colon[-1] = '\0';
		host++;
	}
	ret = spec_push(o, "host", host) ?: spec_push(o, "port", colon + 1);
	for (size_t i = 1; !ret && i < r.n; i++)
		ret = spec_push(o, r.v[i].key, r.v[i].val);
	qopts_free(&r);
	return ret;
}

/* Prefixes of QEMU's -serial syntax that we do not offer. */
static const char *const serial_unsupported[] = { "udp:",    "telnet:",	  "vc",
						  "mon:",    "pipe:",	  "braille",
						  "msmouse", "websocket", NULL };

/* The backend part of a -serial spec, as chardev options after "BACKEND,id=ID". */
static int serial_backend(struct qopts *o, const char *spec)
{
	static const char *const plain[] = { "pty", "stdio", "null", NULL };

	for (size_t i = 0; plain[i]; i++)
		if (!strcmp(spec, plain[i]))
			return spec_push(o, plain[i], NULL);
	if (!strncmp(spec, "file:", 5) && spec[5])
		return spec_push(o, "file", NULL) ?: spec_push(o, "path", spec + 5);
	if (!strncmp(spec, "/dev/", 5))
		return spec_push(o, "serial", NULL) ?: spec_push(o, "path", spec);
	if (!strncmp(spec, "unix:", 5) && spec[5])
		return spec_push(o, "socket", NULL) ?: serial_unix_spec(o, spec + 5);
	if (!strncmp(spec, "tcp:", 4) && spec[4])
		return spec_push(o, "socket", NULL) ?: serial_tcp_spec(o, spec + 4);
	return -ENOENT;
}

/* A new backend "serialN" for a checked -serial spec, recorded in m; 0 or -errno with err filled.
 */
static int serial_chardev_new(struct machine *m, struct chardev_set *set, const char *spec,
			      const char *origin, const char *label, char *err, size_t errlen)
{
	struct chardev *cd = cd_new(m, origin);
	int ret;

	if (!cd || !(cd->id = strdup(label))) {
		if (cd)
			cd_free(cd);
		snprintf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	ret = serial_backend(&cd->spec, spec);
	if (!ret)
		ret = spec_push(&cd->spec, "id", label);
	if (ret) {
		snprintf(err, errlen, "%s: %s", origin,
			 ret == -ENOMEM ? "out of memory"
					: "not a serial spec (file:PATH, pty, stdio, null, none, "
					  "chardev:ID, /dev/..., unix:PATH[,server][,nowait], "
					  "tcp:[HOST]:PORT[,server][,nowait])");
		cd_free(cd);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	ret = record(m, cd, err, errlen);
	if (!ret)
		set->nserial++;
	return ret;
}

int chardev_add_serial(struct machine *m, const char *spec, char *id, size_t idlen, char *err,
		       size_t errlen)
{
	char origin[512], label[32];
	struct chardev_set *set = set_get(m);
	int ret;

	snprintf(origin, sizeof(origin), "-serial %s", spec);
	if (idlen)
		id[0] = '\0';
	if (!set) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	if (!strcmp(spec, "none"))
		return 0;
	if (!strncmp(spec, "chardev:", 8)) {
		if (!find(m, spec + 8)) {
			snprintf(err, errlen, "%s: no -chardev with id '%s'", origin, spec + 8);
			return -ENOENT;
		}
		set->nserial++;
		snprintf(id, idlen, "%s", spec + 8);
		return 0;
	}
	for (size_t i = 0; serial_unsupported[i]; i++) {
		if (!strncmp(spec, serial_unsupported[i], strlen(serial_unsupported[i]))) {
			snprintf(err, errlen, "%s: '%s' serial backends are not supported", origin,
				 serial_unsupported[i]);
			return -EINVAL;
		}
	}
	snprintf(label, sizeof(label), "serial%u", set->nserial);
	ret = serial_chardev_new(m, set, spec, origin, label, err, errlen);
	if (!ret)
		snprintf(id, idlen, "%s", label);
	return ret;
}

const struct qopts *chardev_spec(struct machine *m, const char *id)
{
	struct chardev *cd = find(m, id);

	return cd ? &cd->spec : NULL;
}

bool chardev_exists(struct machine *m, const char *id)
{
	return find(m, id) != NULL;
}

int chardev_claim(struct machine *m, const char *id, chardev_describe_fn fn, void *opaque)
{
	struct chardev *cd = find(m, id);

	if (!cd)
		return -ENOENT;
	if (cd->frontend || cd->claimed || cd->opened)
		return -EBUSY;
	cd->claimed = true;
	cd->ext_describe = fn;
	cd->ext_opaque = opaque;
	return 0;
}

/* ---------------------------------------------------------------- input */

static void on_input(void *opaque, uint32_t events);

/*
 * What to poll in_fd for: input while a frontend takes it and is not
 * paused; a connected socket is also always watched for its peer leaving
 * (EPOLLRDHUP alone does not wake for data), so a departure is noticed even
 * with no reader.
 */
static uint32_t watch_events(const struct chardev *cd)
{
	bool sock = cd->backend == CD_SOCKET;

	if (cd->in_fd < 0 || !cd->m->loop)
		return 0;
	if (cd->receive && !cd->paused)
		return EPOLLIN | (sock ? EPOLLRDHUP : 0);
	return sock ? EPOLLRDHUP : 0;
}

static void watch_update(struct chardev *cd)
{
	uint32_t want = watch_events(cd);
	int ret = 0;

	if (want == cd->watched)
		return;
	if (!want)
		loop_del_fd(cd->m->loop, cd->in_fd);
	else if (!cd->watched)
		ret = loop_add_fd(cd->m->loop, cd->in_fd, want, on_input, cd);
	else
		ret = loop_mod_fd(cd->m->loop, cd->in_fd, want);
	if (ret) {
		/* A regular file or /dev/null as stdin: nothing to poll, no input. */
		dm_dbg(LOG_SERIAL, cd->id, "input not polled: %s", strerror(-ret));
		if (cd->watched)
			loop_del_fd(cd->m->loop, cd->in_fd);
		want = 0;
	}
	cd->watched = want;
}

static void sock_disconnect(struct chardev *cd);

/* End of input: a socket loses its peer; stdin or a tty just stops being read. */
static void input_eof(struct chardev *cd)
{
	if (cd->backend == CD_SOCKET) {
		sock_disconnect(cd);
		return;
	}
	if (cd->watched)
		loop_del_fd(cd->m->loop, cd->in_fd);
	cd->watched = 0;
	cd->in_fd = -1;
}

static void on_input(void *opaque, uint32_t events)
{
	struct chardev *cd = opaque;
	uint8_t buf[CD_READ_MAX];
	size_t want;
	ssize_t n;

	/* A socket watched only for hang-up: its peer left. */
	if (!(cd->watched & EPOLLIN)) {
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			input_eof(cd);
		return;
	}
	want = cd->can_read ? cd->can_read(cd->opaque) : 0;
	if (want == 0) {
		cd->paused = true;
		watch_update(cd);
		return;
	}
	if (want > sizeof(buf))
		want = sizeof(buf);
	n = read(cd->in_fd, buf, want);
	if (n > 0) {
		cd->st.received += (uint64_t)n;
		cd->receive(cd->opaque, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & (EPOLLHUP | EPOLLERR)))
		return;
	dm_dbg(LOG_SERIAL, cd->id, "input closed (%s)", n ? strerror(errno) : "end of file");
	input_eof(cd);
}

void chardev_set_handlers(struct chardev *cd, chardev_can_read_fn can_read, chardev_read_fn receive,
			  void *opaque)
{
	cd->can_read = can_read;
	cd->receive = receive;
	cd->opaque = opaque;
	cd->paused = false;
	watch_update(cd);
}

void chardev_accept_input(struct chardev *cd)
{
	if (cd && cd->paused) {
		cd->paused = false;
		watch_update(cd);
	}
}

/* "HOST:PORT" of a socket address, IPv6 hosts in brackets, as QEMU prints them. */
static void inet_name(const void *sa, socklen_t len, char *buf, size_t blen)
{
	const struct sockaddr *a = sa;
	char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
	bool v6 = a->sa_family == AF_INET6;

	buf[0] = '\0';
	if (a->sa_family != AF_INET && !v6)
		return;
	/* Numeric only: formatting, no look-up (and no syscall once sandboxed). */
	if (getnameinfo(a, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	snprintf(buf, blen, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", serv);
}

/* One end of fd (local or peer) into buf; set-up time only (getsockname/getpeername). */
static void sock_end_name(int fd, bool peer, char *buf, size_t blen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	buf[0] = '\0';
	if (!(peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		   : getsockname(fd, (struct sockaddr *)&ss, &len)))
		inet_name(&ss, len, buf, blen);
}

/* ---------------------------------------------------------------- sockets */

static void on_accept(void *opaque, uint32_t events);

static void listen_watch(struct chardev *cd, bool on)
{
	if (!cd->m->loop || cd->listen_fd < 0 || on == cd->listen_watched)
		return;
	if (on) {
		if (loop_add_fd(cd->m->loop, cd->listen_fd, EPOLLIN, on_accept, cd))
			return;
	} else {
		loop_del_fd(cd->m->loop, cd->listen_fd);
	}
	cd->listen_watched = on;
}

static void sock_attach(struct chardev *cd, int fd)
{
	cd->in_fd = cd->out_fd = fd;
	cd->paused = false;
	cd->st.connects++;
	dm_dbg(LOG_SERIAL, cd->id, "peer connected");
	watch_update(cd);
}

static void sock_disconnect(struct chardev *cd)
{
	int fd = cd->out_fd;

	if (fd < 0)
		return;
	if (cd->watched)
		loop_del_fd(cd->m->loop, fd);
	cd->watched = 0;
	close(fd);
	cd->in_fd = cd->out_fd = -1;
	dm_dbg(LOG_SERIAL, cd->id, "peer disconnected");
	if (cd->server)
		listen_watch(cd, true);
}

static void on_accept(void *opaque, uint32_t events)
{
	struct chardev *cd = opaque;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	(void)events;
	fd = accept4(cd->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return; /* EAGAIN, or the client left already: wait for the next */
	if (cd->out_fd >= 0) {
		close(fd);
		return;
	}
	inet_name(&ss, len, cd->tcp_peer, sizeof(cd->tcp_peer));
	/* One client at a time, as QEMU: stop accepting until it leaves. */
	listen_watch(cd, false);
	sock_attach(cd, fd);
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* An inherited fd must be a stream socket; listening exactly when server=on. */
static int inherited_socket(const struct qopts *spec, bool listening, char *err, size_t errlen)
{
	unsigned long long v;
	int fd, type = 0, acc = 0;
	socklen_t len = sizeof(type);

	if (qopts_parse_u64(qopts_get(spec, "fd"), &v) || v < 3 || v > 65535) {
		snprintf(err, errlen, "fd '%s' is not a file descriptor number above 2",
			 qopts_get(spec, "fd"));
		return -EINVAL;
	}
	fd = (int)v;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM) {
		snprintf(err, errlen, "fd %d is not a stream socket", fd);
		return -EINVAL;
	}
	len = sizeof(acc);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) || !!acc != listening) {
		snprintf(err, errlen, "fd %d is %s a listening socket", fd, acc ? "" : "not");
		return -EINVAL;
	}
	if (set_nonblock(fd) || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "fd %d: %s", fd, strerror(errno));
		return -EINVAL;
	}
	return fd;
}

/*
 * A TCP socket for host=/port= (ipv4=/ipv6= narrow the family): listening
 * (host empty: every address) or connected (host empty: localhost), made
 * non-blocking. Name resolution happens here, at set-up.
 */
static int tcp_socket(const struct qopts *spec, bool listening, char *err, size_t errlen)
{
	const char *host = qopts_get(spec, "host"), *port = qopts_get(spec, "port");
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, one = 1, ret;

	if (qopts_get_bool(spec, "ipv4", false) == 1)
		hints.ai_family = AF_INET;
	else if (qopts_get_bool(spec, "ipv6", false) == 1)
		hints.ai_family = AF_INET6;
	if (listening)
		hints.ai_flags = AI_PASSIVE;
	if (host && !*host)
		host = NULL;
	if (!host && !listening)
		host = "localhost";
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		snprintf(err, errlen, "cannot resolve %s:%s: %s", host ? host : "", port,
			 gai_strerror(ret));
		return -EINVAL;
	}
	ret = ENOENT;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			ret = errno;
			continue;
		}
		if (listening) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 1))
				break;
		} else if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			break;
		}
		ret = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot %s %s:%s: %s", listening ? "listen on" : "connect to",
			 host ? host : "", port, strerror(ret));
		return -ret;
	}
	if (qopts_get_bool(spec, "nodelay", false) == 1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = set_nonblock(fd);
	if (ret) {
		snprintf(err, errlen, "%s:%s: %s", host ? host : "", port, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

int chardev_socket_listen(const struct qopts *spec, char *err, size_t errlen)
{
	const char *path = qopts_get(spec, "path");
	struct sockaddr_un sa;
	struct stat st;
	int fd, ret;

	if (qopts_get(spec, "port"))
		return tcp_socket(spec, true, err, errlen);
	if (!path)
		return inherited_socket(spec, true, err, errlen);
	if (unix_addr(path, &sa)) {
		snprintf(err, errlen, "socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	/* Replace a stale socket left by an earlier run, never any other file. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return ret;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

int chardev_unix_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd, ret;

	if (unix_addr(path, &sa)) {
		snprintf(err, errlen, "socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	ret = set_nonblock(fd);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

static int sock_connect(struct chardev *cd, char *err, size_t errlen)
{
	const char *path = qopts_get(&cd->spec, "path");
	int fd;

	if (qopts_get(&cd->spec, "port")) {
		fd = tcp_socket(&cd->spec, false, err, errlen);
		if (fd < 0)
			return fd;
		sock_end_name(fd, false, cd->tcp_local, sizeof(cd->tcp_local));
		sock_end_name(fd, true, cd->tcp_peer, sizeof(cd->tcp_peer));
		sock_attach(cd, fd);
		return 0;
	}
	if (!path) {
		fd = inherited_socket(&cd->spec, false, err, errlen);
		if (fd < 0)
			return fd;
		sock_attach(cd, fd);
		return 0;
	}
	fd = chardev_unix_connect(path, err, errlen);
	if (fd < 0)
		return fd;
	sock_attach(cd, fd);
	return 0;
}

/* wait=on: block (at set-up, as QEMU does) until the first client connects. */
static int wait_first_client(struct chardev *cd, char *err, size_t errlen)
{
	struct pollfd p = { .fd = cd->listen_fd, .events = POLLIN };
	int fd;

	dm_info(cd->id, "waiting for a connection (%s)", cd->origin);
	for (;;) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		fd = accept4(cd->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			sock_attach(cd, fd);
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			break;
	}
	snprintf(err, errlen, "accept: %s", strerror(errno));
	return -errno;
}

static int open_socket(struct chardev *cd, char *err, size_t errlen)
{
	int ret;

	if (!cd->server)
		return sock_connect(cd, err, errlen);
	cd->listen_fd = chardev_socket_listen(&cd->spec, err, errlen);
	if (cd->listen_fd < 0) {
		ret = cd->listen_fd;
		cd->listen_fd = -1;
		return ret;
	}
	if (qopts_get(&cd->spec, "port"))
		sock_end_name(cd->listen_fd, false, cd->tcp_local, sizeof(cd->tcp_local));
	if (qopts_get(&cd->spec, "path")) {
		cd->unlink_path = strdup(qopts_get(&cd->spec, "path"));
		if (!cd->unlink_path) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	if (cd->wait)
		return wait_first_client(cd, err, errlen);
	listen_watch(cd, true);
	return 0;
}

/* ---------------------------------------------------------------- terminals */

/* Raw 8-bit input, no echo, as QEMU sets a pty or host tty; output untouched. */
static void tio_raw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~(tcflag_t)OPOST;
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

static int open_pty(struct chardev *cd, char *err, size_t errlen)
{
	struct termios t;
	int ret;

	cd->out_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (cd->out_fd < 0 || grantpt(cd->out_fd) || unlockpt(cd->out_fd) ||
	    ptsname_r(cd->out_fd, cd->pty_name, sizeof(cd->pty_name)))
		goto err_os;
	cd->pty_slave = open(cd->pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (cd->pty_slave < 0 || tcgetattr(cd->pty_slave, &t))
		goto err_os;
	tio_raw(&t);
	if (tcsetattr(cd->pty_slave, TCSANOW, &t) || set_nonblock(cd->out_fd))
		goto err_os;
	cd->in_fd = cd->out_fd;
	/* QEMU prints this line whatever the log settings; people look for it. */
	log_msg(LOG_WARN, LOG_GEN, cd->id, "char device redirected to %s (label %s)", cd->pty_name,
		cd->id);
	return 0;

err_os:
	ret = -errno;
	snprintf(err, errlen, "cannot create a pty: %s", strerror(errno));
	return ret;
}

static int open_tty(struct chardev *cd, char *err, size_t errlen)
{
	const char *path = qopts_get(&cd->spec, "path");
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (isatty(fd) && tcgetattr(fd, &t) == 0) {
		tio_raw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	cd->in_fd = cd->out_fd = fd;
	return 0;
}

static int open_file(struct chardev *cd, char *err, size_t errlen)
{
	const char *path = qopts_get(&cd->spec, "path");
	int flags = O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC;

	flags |= qopts_get_bool(&cd->spec, "append", false) == 1 ? O_APPEND : O_TRUNC;
	cd->out_fd = open(path, flags, 0666);
	if (cd->out_fd < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	return 0;
}

/* stdin raw (keeping ^C unless signal=off, as QEMU), stdout non-blocking. */
static int open_stdio(struct chardev *cd, char *err, size_t errlen)
{
	struct termios t;

	if (cd->set->stdio_taken) {
		snprintf(err, errlen, "stdio is already used by another chardev");
		return -EBUSY;
	}
	cd->set->stdio_taken = true;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &cd->saved_tio) == 0) {
		cd->tio_saved = true;
		t = cd->saved_tio;
		tio_raw(&t);
		t.c_oflag |= OPOST;
		if (qopts_get_bool(&cd->spec, "signal", true) == 1)
			t.c_lflag |= ISIG;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	cd->saved_stdout_fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (cd->saved_stdout_fl >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, cd->saved_stdout_fl | O_NONBLOCK);
	cd->in_fd = STDIN_FILENO;
	cd->out_fd = STDOUT_FILENO;
	return 0;
}

static int open_backend(struct chardev *cd, char *err, size_t errlen)
{
	switch (cd->backend) {
	case CD_NULL:
		return 0;
	case CD_STDIO:
		return open_stdio(cd, err, errlen);
	case CD_FILE:
		return open_file(cd, err, errlen);
	case CD_PTY:
		return open_pty(cd, err, errlen);
	case CD_TTY:
		return open_tty(cd, err, errlen);
	case CD_SOCKET:
		return open_socket(cd, err, errlen);
	}
	return -EINVAL;
}

static void close_backend(struct chardev *cd)
{
	if (cd->watched)
		loop_del_fd(cd->m->loop, cd->in_fd);
	listen_watch(cd, false);
	cd->watched = 0;
	if (cd->backend == CD_STDIO) {
		if (cd->tio_saved)
			tcsetattr(STDIN_FILENO, TCSANOW, &cd->saved_tio);
		if (cd->saved_stdout_fl >= 0)
			fcntl(STDOUT_FILENO, F_SETFL, cd->saved_stdout_fl);
	} else if (cd->out_fd >= 0) {
		close(cd->out_fd);
	}
	if (cd->listen_fd >= 0)
		close(cd->listen_fd);
	if (cd->pty_slave >= 0)
		close(cd->pty_slave);
	if (cd->unlink_path)
		unlink(cd->unlink_path);
	cd->in_fd = cd->out_fd = cd->listen_fd = cd->pty_slave = -1;
	cd->opened = false;
}

static int open_once(struct chardev *cd, char *err, size_t errlen)
{
	char why[384];
	int ret;

	if (cd->opened)
		return 0;
	why[0] = '\0';
	ret = open_backend(cd, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s: %s", cd->origin, why);
		close_backend(cd);
		return ret;
	}
	cd->opened = true;
	return 0;
}

int chardev_open(struct machine *m, const char *id, const char *who, struct chardev **out,
		 char *err, size_t errlen)
{
	struct chardev *cd = find(m, id);
	int ret;

	if (!cd) {
		snprintf(err, errlen, "%s: no chardev with id '%s'", who, id ? id : "(null)");
		return -ENOENT;
	}
	if (cd->frontend || cd->claimed) {
		snprintf(err, errlen, "%s: chardev '%s' is already in use%s", who, id,
			 cd->claimed ? " by a monitor" : "");
		return -EBUSY;
	}
	ret = open_once(cd, err, errlen);
	if (ret)
		return ret;
	cd->frontend = true;
	*out = cd;
	return 0;
}

void chardev_release(struct chardev *cd)
{
	if (!cd)
		return;
	cd->can_read = NULL;
	cd->receive = NULL;
	cd->opaque = NULL;
	cd->frontend = false;
	watch_update(cd);
}

/* ---------------------------------------------------------------- output */

static void count_drop(struct chardev *cd, size_t n, int why)
{
	cd->st.dropped += n;
	if (why && why != EAGAIN && ratelimit_pass(&cd->drop_rl, 1))
		dm_warn(cd->id, "output dropped: %s", strerror(why));
}

size_t chardev_write(struct chardev *cd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	if (!cd || !len)
		return 0;
	if (cd->backend == CD_NULL) {
		cd->st.written += len;
		return len;
	}
	while (done < len && cd->out_fd >= 0) {
		ssize_t n = cd->backend == CD_SOCKET ? send(cd->out_fd, p + done, len - done,
							    MSG_DONTWAIT | MSG_NOSIGNAL)
						     : write(cd->out_fd, p + done, len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		count_drop(cd, len - done, n < 0 ? errno : 0);
		if (n < 0 && cd->backend == CD_SOCKET && errno != EAGAIN)
			sock_disconnect(cd);
		cd->st.written += done;
		return done;
	}
	if (done < len)
		count_drop(cd, len - done, 0);
	cd->st.written += done;
	return done;
}

/* ---------------------------------------------------------------- queries */

const char *chardev_id(const struct chardev *cd)
{
	return cd->id;
}

bool chardev_connected(const struct chardev *cd)
{
	return cd->backend != CD_SOCKET || cd->out_fd >= 0;
}

struct chardev_stats chardev_stats(const struct chardev *cd)
{
	return cd->st;
}

/* The unix path of a socket spec: path=, or where the inherited fd= is bound. */
static void unix_spec_path(const struct qopts *spec, char *buf, size_t len)
{
	const char *path = qopts_get(spec, "path");
	struct sockaddr_un sa;
	socklen_t salen = sizeof(sa);
	unsigned long long fd;

	buf[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	if (!path && !qopts_parse_u64(qopts_get(spec, "fd"), &fd) && fd <= 65535 &&
	    getsockname((int)fd, (struct sockaddr *)&sa, &salen) == 0 && sa.sun_family == AF_UNIX)
		path = sa.sun_path;
	if (path)
		snprintf(buf, len, "%s", path);
}

static void describe_from(const struct qopts *spec, const char *unix_path, bool connected,
			  char *buf, size_t len)
{
	bool server = qopts_get_bool(spec, "server", false) == 1;
	const char *host = qopts_get(spec, "host");

	if (qopts_get(spec, "port"))
		snprintf(buf, len, "%stcp:%s:%s%s",
			 connected ? "" : "disconnected:", host ? host : "",
			 qopts_get(spec, "port"), server ? ",server=on" : "");
	else
		snprintf(buf, len, "%sunix:%s%s", connected ? "" : "disconnected:", unix_path,
			 server ? ",server=on" : "");
}

void chardev_describe_socket(const struct qopts *spec, bool connected, char *buf, size_t len)
{
	char path[108];

	unix_spec_path(spec, path, sizeof(path));
	describe_from(spec, path, connected, buf, len);
}

void chardev_describe(const struct chardev *cd, char *buf, size_t len)
{
	if (cd->claimed && cd->ext_describe) {
		cd->ext_describe(cd->ext_opaque, buf, len);
		return;
	}
	switch (cd->backend) {
	case CD_PTY:
		if (cd->opened) {
			snprintf(buf, len, "pty:%s", cd->pty_name);
			return;
		}
		break;
	case CD_SOCKET:
		/* Cached names only: query-chardev comes after the sandbox is up. */
		if (cd->out_fd >= 0 && cd->tcp_peer[0])
			snprintf(buf, len, "tcp:%s%s <-> %s", cd->tcp_local,
				 cd->server ? ",server=on" : "", cd->tcp_peer);
		else
			describe_from(&cd->spec, cd->sock_path, cd->opened && cd->out_fd >= 0, buf,
				      len);
		return;
	case CD_TTY:
		/* QEMU's type name for a host tty. */
		snprintf(buf, len, "serial");
		return;
	default:
		break;
	}
	snprintf(buf, len, "%s", cd->spec.v[0].key);
}

void chardev_for_each(struct machine *m,
		      void (*fn)(void *opaque, const char *label, const char *filename,
				 bool frontend_open),
		      void *opaque)
{
	char desc[512];

	if (!m->chardevs)
		return;
	for (struct chardev *cd = m->chardevs->head; cd; cd = cd->next) {
		chardev_describe(cd, desc, sizeof(desc));
		fn(opaque, cd->id, desc, cd->frontend || cd->claimed);
	}
}

void chardev_set_free(struct machine *m)
{
	struct chardev_set *set = m->chardevs;

	if (!set)
		return;
	for (struct chardev *cd = set->head, *next; cd; cd = next) {
		next = cd->next;
		close_backend(cd);
		cd_free(cd);
	}
	free(set);
	m->chardevs = NULL;
}
