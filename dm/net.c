// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network backends (dm/net.h): the only code that opens a tap or a socket
 * for a NIC.
 *
 * tap: /dev/net/tun with TUNSETIFF IFF_TAP|IFF_NO_PI under the name libxl
 * gave (xen-interface.md §7.1: libxl's hotplug script then bridges it; we
 * never touch the bridge), or an fd libxl opened. One read() is one frame.
 *
 * socket/stream: QEMU's stream framing, a 4-byte big-endian length then the
 * frame, over a connected stream socket (fd=, connect=, listen=, unix or
 * inet); socket/dgram: one frame per datagram. These are what QEMU's own
 * qtest NIC tests use (-netdev socket,fd= over a socketpair), so a test
 * injects and captures frames without root.
 *
 * Receive is pulled, never pushed: the fd is polled only while the NIC's
 * can_receive() says yes, at most RX_BUDGET frames per wake-up, and a
 * stream frame that arrived while the NIC was full waits in its buffer (one
 * frame, never a queue). Transmit never blocks: a tap or datagram socket
 * that cannot take a frame drops it, as a full wire queue does (counted); a
 * stream keeps the unsent tail of one frame and drops (counted) what comes
 * while that tail is pending, so the framing is never broken.
 *
 * hubport: QEMU's hub, a frame from one port to every other port of the same
 * hubid (NICs, or a backend joined with netdev=), so NICs of one guest talk
 * to each other and several NICs share one backend.
 *
 * Left out: -netdev user (slirp), vhost, vnet headers, multiqueue.
 */
#include "dm/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/qemuopts.h"

/* Frames handed to a NIC per wake-up, so one busy port cannot starve the loop. */
#define RX_BUDGET  64
#define STREAM_HDR 4

enum net_kind { NET_TAP, NET_STREAM, NET_DGRAM, NET_HUB };

struct net_port {
	struct machine *m;
	char id[32];
	enum net_kind kind;
	int fd;	       /* the frame fd; -1 while a stream has no peer */
	int listen_fd; /* stream server: accepts one peer at a time; else -1 */
	uint32_t watched;
	const struct net_rx_ops *ops; /* NULL: no NIC attached */
	void *opaque;
	struct deferred pump;
	/* Receive: a stream frame is assembled here; rx_ready means whole and undelivered. */
	uint8_t *rx;
	size_t rx_have, rx_want;
	bool rx_ready;
	/* Transmit: the unsent tail of one stream frame. */
	uint8_t *tx;
	size_t tx_off, tx_len;
	struct net_stats st;
	bool link_down; /* QMP set_link ... false */
	bool deleted;	/* net_delete: fds closed, no NIC may attach */
	/* hubport: its hub, and the backend it joins to the hub (netdev=), or NULL */
	long hubid;
	struct net_port *joined;
	struct net_port *next;
};

struct net_set {
	struct net_port *ports;
	struct net_port **tail;
};

static const char *const tap_keys[] = { "type",	  "id",		"ifname", "fd",	    "br",
					"script", "downscript", "vhost",  "queues", NULL };
static const char *const socket_keys[] = { "type",   "id",  "fd",	 "connect",
					   "listen", "udp", "localaddr", NULL };
static const char *const stream_keys[] = { "type",	"id",	     "server",
					   "addr.type", "addr.path", "addr.host",
					   "addr.port", "addr.str",  NULL };
static const char *const dgram_keys[] = { "type", "id", "local.type", "local.str", NULL };
static const char *const hub_keys[] = { "type", "id", "hubid", "netdev", NULL };

static const char *spec_type(const struct qopts *o)
{
	if (!o->n)
		return NULL;
	if (!o->v[0].val)
		return o->v[0].key;
	return qopts_get(o, "type");
}

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int parse_fd(const char *s, int *fd)
{
	unsigned long long v;

	if (!s || qopts_parse_u64(s, &v) || v > 65535)
		return -EINVAL;
	*fd = (int)v;
	return 0;
}

static int check_tap(const struct qopts *o, char *err, size_t errlen)
{
	const char *ifname = qopts_get(o, "ifname"), *fd = qopts_get(o, "fd");
	const char *keys[] = { "script", "downscript" };
	int n;

	for (size_t i = 0; i < 2; i++) {
		const char *v = qopts_get(o, keys[i]);

		if (v && strcmp(v, "no"))
			return errf(err, errlen, -EINVAL,
				    "tap %s='%s': hvmdm runs no scripts (use %s=no)", keys[i], v,
				    keys[i]);
	}
	if (qopts_get_bool(o, "vhost", false) != 0)
		return errf(err, errlen, -EINVAL, "tap vhost= must be off (no vhost-net)");
	if (qopts_has(o, "queues") && strcmp(qopts_get(o, "queues"), "1"))
		return errf(err, errlen, -EINVAL, "tap queues= must be 1 (no multiqueue)");
	if (fd && ifname)
		return errf(err, errlen, -EINVAL, "tap ifname= is invalid with fd=");
	if (fd && parse_fd(fd, &n))
		return errf(err, errlen, -EINVAL, "tap fd='%s' is not a file descriptor", fd);
	if (!fd && (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ))
		return errf(err, errlen, -EINVAL,
			    "tap needs ifname= (1 to %d characters) or fd=", IFNAMSIZ - 1);
	return 0;
}

static int check_socket(const struct qopts *o, char *err, size_t errlen)
{
	const char *modes[] = { "fd", "connect", "listen", "udp" };
	unsigned given = 0;
	int n;

	for (size_t i = 0; i < 4; i++)
		given += qopts_has(o, modes[i]);
	if (given != 1)
		return errf(err, errlen, -EINVAL,
			    "socket needs exactly one of fd=, connect=, listen=, udp=");
	if (qopts_has(o, "fd") && parse_fd(qopts_get(o, "fd"), &n))
		return errf(err, errlen, -EINVAL, "socket fd='%s' is not a file descriptor",
			    qopts_get(o, "fd"));
	if (qopts_has(o, "localaddr") && !qopts_has(o, "udp"))
		return errf(err, errlen, -EINVAL, "socket localaddr= needs udp=");
	return 0;
}

static int check_stream(const struct qopts *o, char *err, size_t errlen)
{
	const char *t = qopts_get(o, "addr.type");
	int n;

	if (qopts_get_bool(o, "server", false) < 0)
		return errf(err, errlen, -EINVAL, "stream server= must be on or off");
	if (!t)
		return errf(err, errlen, -EINVAL, "stream needs addr.type=unix|inet|fd");
	if (!strcmp(t, "unix") && qopts_get(o, "addr.path"))
		return 0;
	if (!strcmp(t, "inet") && qopts_get(o, "addr.host") && qopts_get(o, "addr.port"))
		return 0;
	if (!strcmp(t, "fd") && !parse_fd(qopts_get(o, "addr.str"), &n))
		return 0;
	return errf(err, errlen, -EINVAL,
		    "stream addr.type=%s needs addr.path= (unix), addr.host= and addr.port= "
		    "(inet) or addr.str=FD (fd)",
		    t);
}

static int check_dgram(const struct qopts *o, char *err, size_t errlen)
{
	const char *t = qopts_get(o, "local.type");
	int n;

	if (!t || strcmp(t, "fd") || parse_fd(qopts_get(o, "local.str"), &n))
		return errf(err, errlen, -EINVAL, "dgram needs local.type=fd,local.str=FD");
	return 0;
}

static int check_hub(const struct qopts *o, char *err, size_t errlen)
{
	unsigned long long v;

	if (!qopts_get(o, "hubid") || qopts_parse_u64(qopts_get(o, "hubid"), &v) || v > 0x7fffffff)
		return errf(err, errlen, -EINVAL, "hubport needs hubid=N (0 to 2147483647)");
	return 0;
}

static const struct {
	const char *type;
	const char *const *keys;
	int (*check)(const struct qopts *o, char *err, size_t errlen);
} backends[] = {
	{ "tap", tap_keys, check_tap },		 { "socket", socket_keys, check_socket },
	{ "stream", stream_keys, check_stream }, { "dgram", dgram_keys, check_dgram },
	{ "hubport", hub_keys, check_hub },
};

static int check_parsed(const struct qopts *o, size_t *which, char *err, size_t errlen)
{
	const char *type = spec_type(o), *id = qopts_get(o, "id"), *bad;

	if (!type)
		return errf(err, errlen, -EINVAL,
			    "no backend type (tap, socket, stream, dgram, hubport)");
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(type, backends[i].type))
			continue;
		bad = qopts_unknown_key(o, backends[i].keys, !o->v[0].val);
		if (bad)
			return errf(err, errlen, -EINVAL, "%s has no parameter '%s'", type, bad);
		if (!id || !*id || strlen(id) >= sizeof(((struct net_port *)0)->id))
			return errf(err, errlen, -EINVAL, "%s needs id= (1 to 31 characters)",
				    type);
		*which = i;
		return backends[i].check(o, err, errlen);
	}
	return errf(err, errlen, -EINVAL, "network backend '%s' is not in this build", type);
}

int net_check_opt(const char *spec, char *err, size_t errlen)
{
	struct qopts o;
	size_t which;
	int ret;

	if (qopts_parse(spec, &o))
		return errf(err, errlen, -EINVAL, "cannot parse '%s'", spec);
	ret = check_parsed(&o, &which, err, errlen);
	qopts_free(&o);
	return ret;
}

/* ------------------------------------------------------------- the fd watch */

static void on_event(void *opaque, uint32_t events);
static void on_accept(void *opaque, uint32_t events);

static uint32_t want_events(const struct net_port *p)
{
	uint32_t ev = 0;

	if (p->fd < 0)
		return 0;
	/* With no NIC, a tap is still drained (frames dropped) so its queue never backs up. */
	if (!p->rx_ready && (!p->ops || p->ops->can_receive(p->opaque)))
		ev |= EPOLLIN;
	if (p->tx_len)
		ev |= EPOLLOUT;
	if (p->kind == NET_STREAM)
		ev |= EPOLLRDHUP;
	return ev;
}

static void watch_update(struct net_port *p)
{
	uint32_t want = want_events(p);
	int ret = 0;

	if (want == p->watched)
		return;
	if (!want)
		loop_del_fd(p->m->loop, p->fd);
	else if (!p->watched)
		ret = loop_add_fd(p->m->loop, p->fd, want, on_event, p);
	else
		ret = loop_mod_fd(p->m->loop, p->fd, want);
	if (ret) {
		dm_warn(p->id, "cannot poll the backend: %s", strerror(-ret));
		if (p->watched)
			loop_del_fd(p->m->loop, p->fd);
		want = 0;
	}
	p->watched = want;
}

/* A stream peer left (EOF, error, bad framing): a server waits for the next one. */
static void stream_disconnect(struct net_port *p, const char *why)
{
	dm_info(p->id, "stream peer gone: %s", why);
	if (p->watched)
		loop_del_fd(p->m->loop, p->fd);
	p->watched = 0;
	close(p->fd);
	p->fd = -1;
	p->rx_have = p->rx_want = 0;
	p->rx_ready = false;
	p->st.tx_dropped += p->tx_len ? 1 : 0;
	p->tx_len = p->tx_off = 0;
	if (p->listen_fd >= 0 && loop_add_fd(p->m->loop, p->listen_fd, EPOLLIN, on_accept, p) < 0)
		dm_warn(p->id, "cannot poll the listening socket");
}

/* ------------------------------------------------------------- receive */

/*
 * Read what one stream frame still needs, never more (the next frame's
 * bytes stay in the socket). 1: a frame is whole; 0: would block; <0: gone.
 */
static int stream_read(struct net_port *p)
{
	for (;;) {
		size_t want = p->rx_want ? STREAM_HDR + p->rx_want : STREAM_HDR;
		ssize_t n = read(p->fd, p->rx + p->rx_have, want - p->rx_have);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0)
			return -EPIPE;
		p->rx_have += (size_t)n;
		if (p->rx_have < want)
			continue;
		if (p->rx_want)
			return 1;
		uint32_t len = (uint32_t)p->rx[0] << 24 | (uint32_t)p->rx[1] << 16 |
			       (uint32_t)p->rx[2] << 8 | p->rx[3];
		if (len > NET_FRAME_MAX)
			return -EMSGSIZE;
		if (!len) /* an empty record carries no frame */
			p->rx_have = 0;
		p->rx_want = len;
	}
}

/* One tap frame or datagram into rx. 1: a frame; 0: would block; <0: error. */
static int packet_read(struct net_port *p)
{
	for (;;) {
		/* MSG_TRUNC: a datagram's real length, so an over-long one is seen and dropped */
		ssize_t n = p->kind == NET_TAP
				? read(p->fd, p->rx + STREAM_HDR, NET_FRAME_MAX + 1)
				: recv(p->fd, p->rx + STREAM_HDR, NET_FRAME_MAX + 1, MSG_TRUNC);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0 || n > (ssize_t)NET_FRAME_MAX) {
			/* empty or longer than any NIC takes: what a wire does with it */
			p->st.rx_dropped++;
			continue;
		}
		p->rx_want = (size_t)n;
		return 1;
	}
}

static void deliver(struct net_port *p)
{
	size_t len = p->rx_want;

	p->rx_ready = false;
	p->rx_have = p->rx_want = 0;
	if (!p->ops || p->link_down) {
		p->st.rx_dropped++;
		return;
	}
	p->st.rx_frames++;
	p->ops->receive(p->opaque, p->rx + STREAM_HDR, len);
}

/* A hubport holds at most one frame for its NIC, delivered when the NIC has room. */
static void hub_wake_backends(const struct net_port *hub);

static void hub_pump(struct net_port *p)
{
	if (p->rx_ready && (!p->ops || p->ops->can_receive(p->opaque))) {
		deliver(p);
		hub_wake_backends(p);
	}
}

static void rx_pump(struct net_port *p)
{
	if (p->kind == NET_HUB) {
		hub_pump(p);
		return;
	}
	for (unsigned i = 0; i < RX_BUDGET && p->fd >= 0; i++) {
		int r;

		if (p->ops && !p->ops->can_receive(p->opaque))
			break;
		if (!p->rx_ready) {
			r = p->kind == NET_STREAM ? stream_read(p) : packet_read(p);
			if (r == 0)
				break;
			if (r < 0) {
				if (p->kind == NET_STREAM) {
					stream_disconnect(p, strerror(-r));
					return;
				}
				dm_warn(p->id, "read: %s", strerror(-r));
				break;
			}
			p->rx_ready = true;
		}
		deliver(p);
	}
	watch_update(p);
}

static void pump_deferred(void *opaque)
{
	rx_pump(opaque);
}

/* ------------------------------------------------------------- transmit */

static void stream_flush(struct net_port *p)
{
	while (p->tx_off < p->tx_len) {
		ssize_t n = write(p->fd, p->tx + p->tx_off, p->tx_len - p->tx_off);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			stream_disconnect(p, n < 0 ? strerror(errno) : "write returned 0");
			return;
		}
		p->tx_off += (size_t)n;
	}
	if (p->tx_off == p->tx_len) {
		p->tx_off = p->tx_len = 0;
		p->st.tx_frames++;
	}
	watch_update(p);
}

static void on_event(void *opaque, uint32_t events)
{
	struct net_port *p = opaque;

	if (events & EPOLLOUT)
		stream_flush(p);
	if (p->fd >= 0 && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		rx_pump(p);
}

static int stream_send(struct net_port *p, const uint8_t *frame, size_t len)
{
	uint8_t hdr[STREAM_HDR] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
				    (uint8_t)len };
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)frame, len } };
	ssize_t n;

	if (p->fd < 0 || p->tx_len) {
		p->st.tx_dropped++;
		return 0;
	}
	n = writev(p->fd, iov, 2);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		p->st.tx_dropped++;
		stream_disconnect(p, strerror(errno));
		return 0;
	}
	if (n == (ssize_t)(len + STREAM_HDR)) {
		p->st.tx_frames++;
		return 0;
	}
	/* Keep the tail (a frame's framing is never broken) and finish it when writable. */
	n = n < 0 ? 0 : n;
	memcpy(p->tx, hdr, sizeof(hdr));
	memcpy(p->tx + sizeof(hdr), frame, len);
	p->tx_off = (size_t)n;
	p->tx_len = len + STREAM_HDR;
	watch_update(p);
	return 0;
}

/*
 * A hub (QEMU's -netdev hubport): a frame from one port goes to every other
 * port of the same hub: out through the backend a port joins, or to the
 * port's NIC. From the loop (a backend's frame) a NIC with room takes it at
 * once; otherwise, and always for a frame a NIC sent (we are inside its
 * register access), it waits in the port's one-frame slot for the loop. A
 * backend joined to the hub is read only while every NIC port's slot is
 * free, so a full NIC holds the wire back instead of losing frames; a NIC's
 * frame meeting a full slot is dropped and counted, as on a wire.
 */
static void hub_forward(struct net_port *from, const uint8_t *frame, size_t len, bool in_loop)
{
	for (struct net_port *q = from->m->nets->ports; q; q = q->next) {
		if (q == from || q->kind != NET_HUB || q->hubid != from->hubid)
			continue;
		if (q->joined) {
			(void)net_send(q->joined, frame, len);
		} else if (!q->ops || q->rx_ready) {
			q->st.rx_dropped++;
		} else if (in_loop && q->ops->can_receive(q->opaque)) {
			q->st.rx_frames++;
			q->ops->receive(q->opaque, frame, len);
		} else {
			memcpy(q->rx + STREAM_HDR, frame, len);
			q->rx_want = len;
			q->rx_ready = true;
			loop_defer(q->m->loop, &q->pump);
		}
	}
}

/* Every NIC port of hub has its slot free (a joined backend may be read). */
static bool hub_has_room(const struct net_port *hub)
{
	for (const struct net_port *q = hub->m->nets->ports; q; q = q->next)
		if (q->kind == NET_HUB && q->hubid == hub->hubid && q->rx_ready)
			return false;
	return true;
}

/* A slot of hub emptied: the backends joined to it may be read again. */
static void hub_wake_backends(const struct net_port *hub)
{
	for (struct net_port *q = hub->m->nets->ports; q; q = q->next)
		if (q->kind == NET_HUB && q->hubid == hub->hubid && q->joined)
			net_rx_ready(q->joined);
}

static bool hub_backend_can_receive(void *opaque)
{
	return hub_has_room(opaque);
}

static void hub_backend_receive(void *opaque, const uint8_t *frame, size_t len)
{
	hub_forward(opaque, frame, len, true);
}

static const struct net_rx_ops hub_backend_ops = {
	.name = "hubport",
	.can_receive = hub_backend_can_receive,
	.receive = hub_backend_receive,
};

int net_send(struct net_port *p, const uint8_t *frame, size_t len)
{
	ssize_t n;

	if (!p || !frame || !len || len > NET_FRAME_MAX)
		return -EINVAL;
	if (p->link_down || p->deleted) {
		p->st.tx_dropped++;
		return 0;
	}
	if (p->kind == NET_HUB) {
		p->st.tx_frames++;
		hub_forward(p, frame, len, false);
		return 0;
	}
	if (p->kind == NET_STREAM)
		return stream_send(p, frame, len);
	n = p->kind == NET_TAP ? write(p->fd, frame, len) : send(p->fd, frame, len, 0);
	if (n == (ssize_t)len) {
		p->st.tx_frames++;
		return 0;
	}
	/* Full host queue (EAGAIN, ENOBUFS), interface down, no datagram peer: a wire drops it. */
	p->st.tx_dropped++;
	dm_dbg(LOG_NET, p->id, "frame of %zu bytes dropped: %s", len,
	       n < 0 ? strerror(errno) : "short write");
	return 0;
}

/* ------------------------------------------------------------- NIC side */

int net_attach(struct machine *m, const char *id, const struct net_rx_ops *ops, void *opaque,
	       struct net_port **port)
{
	if (!m || !id || !ops || !ops->can_receive || !ops->receive || !port)
		return -EINVAL;
	for (struct net_port *p = m->nets ? m->nets->ports : NULL; p; p = p->next) {
		if (strcmp(p->id, id))
			continue;
		if (p->deleted)
			return -ENOENT;
		if (p->ops)
			return -EBUSY;
		p->ops = ops;
		p->opaque = opaque;
		*port = p;
		watch_update(p);
		return 0;
	}
	return -ENOENT;
}

void net_detach(struct net_port *p)
{
	if (!p)
		return;
	loop_cancel_deferred(p->m->loop, &p->pump);
	p->ops = NULL;
	p->opaque = NULL;
	watch_update(p);
}

void net_delete(struct net_port *p)
{
	if (!p)
		return;
	net_detach(p);
	if (p->watched)
		loop_del_fd(p->m->loop, p->fd);
	else if (p->listen_fd >= 0 && p->fd < 0)
		loop_del_fd(p->m->loop, p->listen_fd);
	p->watched = 0;
	if (p->fd >= 0)
		close(p->fd);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	p->fd = p->listen_fd = -1;
	p->deleted = true;
	dm_info(p->id, "backend deleted");
}

void net_rx_ready(struct net_port *p)
{
	if (p && (p->fd >= 0 || p->kind == NET_HUB))
		loop_defer(p->m->loop, &p->pump);
}

bool net_link_up(const struct net_port *p)
{
	return p && !p->link_down && (p->fd >= 0 || p->kind == NET_HUB);
}

/* The netdev id the NIC with id= (or instance name) name uses, or NULL. */
static const char *nic_netdev(struct machine *m, const char *name)
{
	for (struct dm_dev *d = m->devs; d; d = d->next)
		if (((d->id[0] && !strcmp(d->id, name)) || !strcmp(d->name, name)) &&
		    dev_prop_index(d->type, "netdev") >= 0)
			return dev_prop_str(d, "netdev");
	return NULL;
}

int net_set_link(struct machine *m, const char *name, bool up)
{
	const char *id = nic_netdev(m, name);

	for (struct net_port *p = m->nets ? m->nets->ports : NULL; p; p = p->next) {
		if (strcmp(p->id, name) && !(id && !strcmp(p->id, id)))
			continue;
		if (p->link_down != !up) {
			p->link_down = !up;
			if (p->ops && p->ops->link_changed)
				p->ops->link_changed(p->opaque, up);
		}
		return 0;
	}
	return -ENOENT;
}

struct net_stats net_port_stats(const struct net_port *p)
{
	return p->st;
}

/* ------------------------------------------------------------- opening */

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int open_tap(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errf(err, errlen, -errno, "tap %s: cannot open /dev/net/tun: %s", ifname,
			    strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		return errf(err, errlen, -e, "tap %s: TUNSETIFF: %s", ifname, strerror(e));
	}
	return fd;
}

/* An inherited fd: must be open; made non-blocking and close-on-exec. */
static int take_fd(const char *s, char *err, size_t errlen)
{
	int fd, ret;

	if (parse_fd(s, &fd))
		return errf(err, errlen, -EINVAL, "'%s' is not a file descriptor", s);
	ret = set_nonblock(fd);
	if (ret)
		return errf(err, errlen, ret, "fd %d: %s", fd, strerror(-ret));
	return fd;
}

static int sock_type(int fd)
{
	int t;
	socklen_t l = sizeof(t);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l) < 0 ? -errno : t;
}

/* "host:port" or "[v6]:port" into a resolved address. */
static int inet_addr_of(const char *hostport, int socktype, struct sockaddr_storage *ss,
			socklen_t *sl, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_socktype = socktype }, *ai;
	size_t hl;
	int r;

	if (!colon || !colon[1])
		return errf(err, errlen, -EINVAL, "'%s' is not HOST:PORT", hostport);
	hl = (size_t)(colon - hostport);
	if (hl >= sizeof(host))
		return errf(err, errlen, -EINVAL, "host name too long in '%s'", hostport);
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	r = getaddrinfo(*host ? host : NULL, colon + 1, &hints, &ai);
	if (r)
		return errf(err, errlen, -EINVAL, "cannot resolve '%s': %s", hostport,
			    gai_strerror(r));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int sock_open(const struct sockaddr_storage *ss, socklen_t sl, int type, bool server,
		     const char *what, char *err, size_t errlen)
{
	int one = 1, fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errf(err, errlen, -errno, "%s: socket: %s", what, strerror(errno));
	if (server && ss->ss_family != AF_UNIX)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (server ? bind(fd, (const struct sockaddr *)ss, sl) < 0 ||
			 (type == SOCK_STREAM && listen(fd, 1) < 0)
		   : connect(fd, (const struct sockaddr *)ss, sl) < 0 && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return errf(err, errlen, -e, "%s: %s", what, strerror(e));
	}
	return fd;
}

static int unix_addr(const char *path, struct sockaddr_storage *ss, socklen_t *sl, char *err,
		     size_t errlen)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;

	if (strlen(path) >= sizeof(un->sun_path))
		return errf(err, errlen, -ENAMETOOLONG, "unix path too long: %s", path);
	memset(ss, 0, sizeof(*ss));
	un->sun_family = AF_UNIX;
	strcpy(un->sun_path, path);
	*sl = sizeof(*un);
	return 0;
}

static int open_socket(struct net_port *p, const struct qopts *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	const char *v;
	int fd, ret;

	if ((v = qopts_get(o, "fd"))) {
		fd = take_fd(v, err, errlen);
		if (fd < 0)
			return fd;
		ret = sock_type(fd);
		if (ret != SOCK_STREAM && ret != SOCK_DGRAM)
			return errf(err, errlen, -EINVAL, "socket fd=%d is not a socket", fd);
		p->kind = ret == SOCK_STREAM ? NET_STREAM : NET_DGRAM;
		p->fd = fd;
		return 0;
	}
	p->kind = qopts_has(o, "udp") ? NET_DGRAM : NET_STREAM;
	v = qopts_get(o, "udp");
	if (!v)
		v = qopts_get(o, qopts_has(o, "listen") ? "listen" : "connect");
	ret =
	    inet_addr_of(v, p->kind == NET_DGRAM ? SOCK_DGRAM : SOCK_STREAM, &ss, &sl, err, errlen);
	if (ret)
		return ret;
	if (p->kind == NET_DGRAM) {
		struct sockaddr_storage la;
		socklen_t ll;
		const char *local = qopts_get(o, "localaddr");

		ret = local ? inet_addr_of(local, SOCK_DGRAM, &la, &ll, err, errlen) : 0;
		if (ret)
			return ret;
		fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || (local && bind(fd, (struct sockaddr *)&la, ll) < 0) ||
		    connect(fd, (struct sockaddr *)&ss, sl) < 0) {
			ret = -errno;
			if (fd >= 0)
				close(fd);
			return errf(err, errlen, ret, "socket udp=%s: %s", v, strerror(-ret));
		}
		p->fd = fd;
		return 0;
	}
	fd = sock_open(&ss, sl, SOCK_STREAM, qopts_has(o, "listen"), v, err, errlen);
	if (fd < 0)
		return fd;
	if (qopts_has(o, "listen"))
		p->listen_fd = fd;
	else
		p->fd = fd;
	return 0;
}

static int open_stream(struct net_port *p, const struct qopts *o, char *err, size_t errlen)
{
	const char *t = qopts_get(o, "addr.type");
	bool server = qopts_get_bool(o, "server", false) == 1;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char hp[300];
	int fd, ret;

	p->kind = NET_STREAM;
	if (!strcmp(t, "fd")) {
		fd = take_fd(qopts_get(o, "addr.str"), err, errlen);
		if (fd < 0)
			return fd;
		if (sock_type(fd) != SOCK_STREAM)
			return errf(err, errlen, -EINVAL, "stream fd %d is not a stream socket",
				    fd);
		if (server)
			p->listen_fd = fd;
		else
			p->fd = fd;
		return 0;
	}
	if (!strcmp(t, "unix")) {
		ret = unix_addr(qopts_get(o, "addr.path"), &ss, &sl, err, errlen);
		if (!ret && server)
			unlink(qopts_get(o, "addr.path"));
	} else {
		snprintf(hp, sizeof(hp), "%s:%s", qopts_get(o, "addr.host"),
			 qopts_get(o, "addr.port"));
		ret = inet_addr_of(hp, SOCK_STREAM, &ss, &sl, err, errlen);
	}
	if (ret)
		return ret;
	fd = sock_open(&ss, sl, SOCK_STREAM, server, t, err, errlen);
	if (fd < 0)
		return fd;
	if (server)
		p->listen_fd = fd;
	else
		p->fd = fd;
	return 0;
}

static int open_dgram(struct net_port *p, const struct qopts *o, char *err, size_t errlen)
{
	int fd = take_fd(qopts_get(o, "local.str"), err, errlen);

	if (fd < 0)
		return fd;
	if (sock_type(fd) != SOCK_DGRAM)
		return errf(err, errlen, -EINVAL, "dgram fd %d is not a datagram socket", fd);
	p->kind = NET_DGRAM;
	p->fd = fd;
	return 0;
}

static int open_tap_opt(struct net_port *p, const struct qopts *o, char *err, size_t errlen)
{
	const char *fd = qopts_get(o, "fd");

	p->kind = NET_TAP;
	p->fd = fd ? take_fd(fd, err, errlen) : open_tap(qopts_get(o, "ifname"), err, errlen);
	return p->fd < 0 ? p->fd : 0;
}

static void on_accept(void *opaque, uint32_t events)
{
	struct net_port *p = opaque;
	int fd;

	(void)events;
	fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* One peer at a time, as QEMU: stop accepting until it leaves. */
	loop_del_fd(p->m->loop, p->listen_fd);
	p->fd = fd;
	dm_info(p->id, "stream peer connected");
	watch_update(p);
}

static void port_free(struct net_port *p)
{
	if (p->fd >= 0) {
		if (p->watched)
			loop_del_fd(p->m->loop, p->fd);
		close(p->fd);
	} else if (p->listen_fd >= 0) {
		loop_del_fd(p->m->loop, p->listen_fd);
	}
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	loop_cancel_deferred(p->m->loop, &p->pump);
	free(p->rx);
	free(p->tx);
	free(p);
}

/* hubport,hubid=N[,netdev=ID]: ID (an earlier -netdev, with no NIC) joins the hub. */
static int open_hub(struct net_port *p, const struct qopts *o, char *err, size_t errlen)
{
	const char *id = qopts_get(o, "netdev");
	unsigned long long v = 0;

	p->kind = NET_HUB;
	if (qopts_parse_u64(qopts_get(o, "hubid"), &v)) /* checked by check_hub */
		return errf(err, errlen, -EINVAL, "hubport needs hubid=N");
	p->hubid = (long)v;
	if (!id)
		return 0;
	for (struct net_port *b = p->m->nets->ports; b; b = b->next) {
		if (strcmp(b->id, id))
			continue;
		if (b->ops || b->kind == NET_HUB)
			return errf(err, errlen, -EBUSY, "hubport netdev=%s: already has a peer",
				    id);
		b->ops = &hub_backend_ops;
		b->opaque = p;
		p->joined = b;
		watch_update(b);
		return 0;
	}
	return errf(err, errlen, -ENOENT, "hubport netdev=%s: no such -netdev before it", id);
}

static int (*const openers[])(struct net_port *, const struct qopts *, char *, size_t) = {
	open_tap_opt, open_socket, open_stream, open_dgram, open_hub,
};

static int add_one(struct machine *m, const char *spec, char *err, size_t errlen)
{
	struct net_port *p;
	struct qopts o;
	size_t which = 0;
	int ret;

	if (qopts_parse(spec, &o))
		return errf(err, errlen, -EINVAL, "cannot parse '%s'", spec);
	ret = check_parsed(&o, &which, err, errlen);
	for (p = m->nets->ports; !ret && p; p = p->next)
		if (!strcmp(p->id, qopts_get(&o, "id")))
			ret = errf(err, errlen, -EEXIST, "duplicate id '%s'", p->id);
	p = ret ? NULL : calloc(1, sizeof(*p));
	if (!ret && p) {
		p->m = m;
		p->fd = p->listen_fd = -1;
		snprintf(p->id, sizeof(p->id), "%s", qopts_get(&o, "id"));
		deferred_init(&p->pump, pump_deferred, p);
		p->rx = malloc(STREAM_HDR + NET_FRAME_MAX + 1);
		p->tx = malloc(STREAM_HDR + NET_FRAME_MAX);
		ret = p->rx && p->tx ? openers[which](p, &o, err, errlen)
				     : errf(err, errlen, -ENOMEM, "out of memory");
	} else if (!ret) {
		ret = errf(err, errlen, -ENOMEM, "out of memory");
	}
	qopts_free(&o);
	if (ret) {
		if (p)
			port_free(p);
		return ret;
	}
	if (p->listen_fd >= 0 && p->fd < 0 &&
	    loop_add_fd(m->loop, p->listen_fd, EPOLLIN, on_accept, p) < 0) {
		port_free(p);
		return errf(err, errlen, -EIO, "cannot poll '%s'", spec);
	}
	*m->nets->tail = p;
	m->nets->tail = &p->next;
	watch_update(p);
	return 0;
}

int net_add_opts(struct machine *m, char *err, size_t errlen)
{
	int ret;

	if (!m->opts->netdevs.n)
		return 0;
	if (!m->nets) {
		m->nets = calloc(1, sizeof(*m->nets));
		if (!m->nets)
			return errf(err, errlen, -ENOMEM, "out of memory");
		m->nets->tail = &m->nets->ports;
	}
	for (size_t i = 0; i < m->opts->netdevs.n; i++) {
		ret = add_one(m, m->opts->netdevs.v[i], err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

void net_set_free(struct machine *m)
{
	if (!m->nets)
		return;
	while (m->nets->ports) {
		struct net_port *p = m->nets->ports;

		m->nets->ports = p->next;
		port_free(p);
	}
	free(m->nets);
	m->nets = NULL;
}
