// SPDX-License-Identifier: GPL-2.0-only
/*
 * net: the backends of dm/net.h as a NIC sees them. QEMU 7.2's stream
 * framing (net/stream.c, net/socket.c: 4-byte big-endian length, then the
 * frame) over a socketpair, as QEMU's own qtest NIC tests pass it with
 * -netdev socket,fd=; datagrams one frame each; a unix stream server that
 * takes one peer at a time; flow control (a NIC with no room leaves frames
 * in the socket, net_rx_ready resumes); hostile peers (a length over
 * NET_FRAME_MAX drops the peer, an over-long datagram is dropped); and a
 * real tap in a network namespace the test creates (root only: skipped
 * with the reason printed otherwise); QEMU's hubport hub.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <cmocka.h>

#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/net.h"

struct nic {
	bool room;
	bool only_88b5; /* a tap: count only the test's EtherType, not the kernel's IPv6 chatter */
	unsigned frames;
	size_t last_len;
	uint8_t last[2048];
};

static bool nic_can_receive(void *opaque)
{
	return ((struct nic *)opaque)->room;
}

static void nic_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct nic *n = opaque;

	assert_true(n->room);
	if (n->only_88b5 && (len < 14 || frame[12] != 0x88 || frame[13] != 0xb5))
		return;
	n->frames++;
	n->last_len = len;
	memcpy(n->last, frame, len < sizeof(n->last) ? len : sizeof(n->last));
}

static const struct net_rx_ops nic_ops = { .name = "test-nic",
					   .can_receive = nic_can_receive,
					   .receive = nic_receive };

struct rig {
	struct machine m;
	struct machine_opts o;
	char err[256];
};

static void rig_init(struct rig *r, const char *spec)
{
	memset(r, 0, sizeof(*r));
	r->m.opts = &r->o;
	r->m.loop = loop_new(true);
	assert_non_null(r->m.loop);
	assert_int_equal(strlist_add(&r->o.netdevs, spec), 0);
}

static void rig_fini(struct rig *r)
{
	net_set_free(&r->m);
	strlist_free(&r->o.netdevs);
	loop_free(r->m.loop);
}

/* A -netdev socket,id=ID,fd= over a fresh socketpair of type; sv[1] is the test's end. */
static void rig_socketpair(struct rig *r, int type, const char *id, int sv[2])
{
	char spec[64];

	assert_int_equal(socketpair(AF_UNIX, type, 0, sv), 0);
	snprintf(spec, sizeof(spec), "socket,id=%s,fd=%d", id, sv[0]);
	rig_init(r, spec);
	assert_int_equal(net_add_opts(&r->m, r->err, sizeof(r->err)), 0);
}

/* Let the loop take every event now (virtual clock: never waits). */
static void spin(struct rig *r)
{
	for (int i = 0; i < 8; i++)
		loop_iterate(r->m.loop, 0);
}

static void put_record(int fd, const uint8_t *frame, uint32_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			   (uint8_t)len };

	assert_int_equal(write(fd, hdr, 4), 4);
	if (len)
		assert_int_equal(write(fd, frame, len), (ssize_t)len);
}

static int queued(int fd)
{
	int n = -1;

	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

static void frame_fill(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

/* -netdev socket,fd= over a stream socketpair: both directions, QEMU's framing. */
static void stream_both_ways_with_flow_control(void **state)
{
	struct rig r;
	struct net_port *port, *again;
	struct nic nic = { .room = true };
	uint8_t f[1514], got[4 + 1514];
	int sv[2];

	(void)state;
	rig_socketpair(&r, SOCK_STREAM, "hs0", sv);
	assert_int_equal(net_attach(&r.m, "nope", &nic_ops, &nic, &port), -ENOENT);
	assert_int_equal(net_attach(&r.m, "hs0", &nic_ops, &nic, &port), 0);
	assert_int_equal(net_attach(&r.m, "hs0", &nic_ops, &nic, &again), -EBUSY);
	assert_true(net_link_up(port));

	/* wire -> NIC: two frames, then one split across writes */
	frame_fill(f, 60, 1);
	put_record(sv[1], f, 60);
	frame_fill(f, 1514, 7);
	put_record(sv[1], f, 1514);
	spin(&r);
	assert_int_equal(nic.frames, 2);
	assert_int_equal(nic.last_len, 1514);
	assert_memory_equal(nic.last, f, 1514);
	assert_int_equal(write(sv[1], "\0\0\0\x40", 4), 4);
	spin(&r);
	assert_int_equal(nic.frames, 2);
	assert_int_equal(write(sv[1], f, 64), 64);
	spin(&r);
	assert_int_equal(nic.frames, 3);
	assert_int_equal(nic.last_len, 64);

	/* NIC full: nothing delivered, the bytes stay in the socket (nothing lost) */
	nic.room = false;
	put_record(sv[1], f, 100);
	put_record(sv[1], f, 200);
	spin(&r);
	assert_int_equal(nic.frames, 3);
	assert_int_equal(queued(sv[0]), 2 * 4 + 300);
	nic.room = true;
	spin(&r); /* no wake-up of its own: the NIC must say so */
	assert_int_equal(nic.frames, 3);
	net_rx_ready(port);
	spin(&r);
	assert_int_equal(nic.frames, 5);
	assert_int_equal(nic.last_len, 200);
	assert_int_equal(net_port_stats(port).rx_frames, 5);

	/* NIC -> wire */
	frame_fill(f, 1514, 9);
	assert_int_equal(net_send(port, f, 1514), 0);
	assert_int_equal(read(sv[1], got, sizeof(got)), 4 + 1514);
	assert_memory_equal(got, "\0\0\x05\xea", 4);
	assert_memory_equal(got + 4, f, 1514);
	assert_int_equal(net_send(port, f, 0), -EINVAL);
	assert_int_equal(net_send(port, f, NET_FRAME_MAX + 1), -EINVAL);
	assert_int_equal(net_port_stats(port).tx_frames, 1);

	net_detach(port);
	assert_int_equal(net_attach(&r.m, "hs0", &nic_ops, &nic, &port), 0);
	close(sv[1]);
	spin(&r);
	assert_false(net_link_up(port));
	assert_int_equal(net_send(port, f, 60), 0);
	assert_int_equal(net_port_stats(port).tx_dropped, 1);
	net_detach(port);
	rig_fini(&r);
}

/* A hostile peer: a record longer than any frame ends the connection, nothing delivered. */
static void stream_oversize_record_drops_peer(void **state)
{
	struct rig r;
	struct net_port *port;
	struct nic nic = { .room = true };
	int sv[2];

	(void)state;
	rig_socketpair(&r, SOCK_STREAM, "hs0", sv);
	assert_int_equal(net_attach(&r.m, "hs0", &nic_ops, &nic, &port), 0);
	/* empty records carry nothing and are skipped */
	put_record(sv[1], NULL, 0);
	assert_int_equal(write(sv[1], "\0\x01\0\x01", 4), 4); /* 65537 > NET_FRAME_MAX */
	spin(&r);
	assert_int_equal(nic.frames, 0);
	assert_false(net_link_up(port));
	net_detach(port);
	close(sv[1]);
	rig_fini(&r);
}

/* Datagrams: one frame each; one longer than NET_FRAME_MAX never reaches the NIC. */
static void dgram_frames_and_oversize(void **state)
{
	static uint8_t big[NET_FRAME_MAX + 10];
	struct rig r;
	struct net_port *port;
	struct nic nic = { .room = true };
	uint8_t f[300], got[400];
	int sv[2], sz = 1 << 20;

	(void)state;
	rig_socketpair(&r, SOCK_DGRAM, "d0", sv);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), 0);
	assert_int_equal(net_attach(&r.m, "d0", &nic_ops, &nic, &port), 0);
	frame_fill(f, sizeof(f), 3);
	assert_int_equal(send(sv[1], big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(send(sv[1], f, sizeof(f), 0), (ssize_t)sizeof(f));
	spin(&r);
	assert_int_equal(nic.frames, 1);
	assert_int_equal(nic.last_len, sizeof(f));
	assert_memory_equal(nic.last, f, sizeof(f));
	assert_int_equal(net_port_stats(port).rx_dropped, 1);
	assert_int_equal(net_send(port, f, 77), 0);
	assert_int_equal(recv(sv[1], got, sizeof(got), 0), 77);
	assert_memory_equal(got, f, 77);
	net_detach(port);
	close(sv[1]);
	rig_fini(&r);
}

/* -netdev stream,server=on,addr.type=unix: one peer at a time, the next after it leaves. */
static void stream_unix_server_takes_one_peer_at_a_time(void **state)
{
	struct rig r;
	struct net_port *port;
	struct nic nic = { .room = true };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	uint8_t f[60];
	char spec[160];
	int c1, c2;

	(void)state;
	snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/hvmdm-net-%d.sock", (int)getpid());
	snprintf(spec, sizeof(spec), "stream,id=s0,server=on,addr.type=unix,addr.path=%s",
		 un.sun_path);
	rig_init(&r, spec);
	assert_int_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), 0);
	assert_int_equal(net_attach(&r.m, "s0", &nic_ops, &nic, &port), 0);
	assert_false(net_link_up(port));
	frame_fill(f, sizeof(f), 5);
	for (int round = 0; round < 2; round++) {
		c1 = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(c1, (struct sockaddr *)&un, sizeof(un)), 0);
		spin(&r);
		assert_true(net_link_up(port));
		put_record(c1, f, sizeof(f));
		spin(&r);
		assert_int_equal(nic.frames, (unsigned)round + 1);
		close(c1);
		spin(&r);
		assert_false(net_link_up(port));
	}
	/* a second peer while one is connected waits in the backlog, unserved */
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c1, (struct sockaddr *)&un, sizeof(un)), 0);
	spin(&r);
	assert_int_equal(connect(c2, (struct sockaddr *)&un, sizeof(un)), 0);
	put_record(c2, f, sizeof(f));
	spin(&r);
	assert_int_equal(nic.frames, 2);
	close(c1);
	spin(&r);
	assert_int_equal(nic.frames, 3);
	close(c2);
	net_detach(port);
	rig_fini(&r);
	unlink(un.sun_path);
}

/* Bad backends at open time: a closed fd, a file that is not a socket, a duplicate id. */
static void open_errors_name_the_problem(void **state)
{
	struct rig r;
	int fd = open("/dev/null", O_RDONLY);
	char spec[64];

	(void)state;
	snprintf(spec, sizeof(spec), "socket,id=x,fd=%d", fd);
	rig_init(&r, spec);
	assert_int_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), -EINVAL);
	assert_non_null(strstr(r.err, "not a socket"));
	rig_fini(&r);
	close(fd);
	rig_init(&r, "socket,id=x,fd=1000");
	assert_int_not_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), 0);
	assert_non_null(strstr(r.err, "fd 1000"));
	rig_fini(&r);
	rig_init(&r, "stream,id=x,addr.type=unix,addr.path=/nonexistent/sock");
	assert_int_not_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), 0);
	rig_fini(&r);
}

/*
 * -netdev hubport (QEMU's hub): NIC to NIC, NIC to a backend joined with
 * netdev= and back, delivery from the loop only, one frame held per full NIC.
 */
static void hub_ports_forward_to_each_other(void **state)
{
	struct rig r;
	struct net_port *h0, *h1, *h9;
	struct nic n0 = { .room = true }, n1 = { .room = true }, n9 = { .room = true };
	uint8_t f[200], got[4 + 200];
	char spec[64];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(spec, sizeof(spec), "socket,id=s0,fd=%d", sv[0]);
	rig_init(&r, spec);
	assert_int_equal(strlist_add(&r.o.netdevs, "hubport,id=h0,hubid=1"), 0);
	assert_int_equal(strlist_add(&r.o.netdevs, "hubport,id=h1,hubid=1"), 0);
	assert_int_equal(strlist_add(&r.o.netdevs, "hubport,id=hs,hubid=1,netdev=s0"), 0);
	assert_int_equal(strlist_add(&r.o.netdevs, "hubport,id=h9,hubid=9"), 0);
	assert_int_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), 0);
	assert_int_equal(net_attach(&r.m, "s0", &nic_ops, &n0, &h0), -EBUSY); /* the hub has it */
	assert_int_equal(net_attach(&r.m, "h0", &nic_ops, &n0, &h0), 0);
	assert_int_equal(net_attach(&r.m, "h1", &nic_ops, &n1, &h1), 0);
	assert_int_equal(net_attach(&r.m, "h9", &nic_ops, &n9, &h9), 0);
	assert_true(net_link_up(h0));

	/* NIC h0 sends: h1 gets it from the loop, the socket gets it now, h9 (hub 9) never */
	frame_fill(f, sizeof(f), 1);
	assert_int_equal(net_send(h0, f, sizeof(f)), 0);
	assert_int_equal(n1.frames, 0);
	assert_int_equal(read(sv[1], got, sizeof(got)), 4 + 200);
	assert_memory_equal(got + 4, f, 200);
	spin(&r);
	assert_int_equal(n1.frames, 1);
	assert_memory_equal(n1.last, f, 200);
	assert_int_equal(n0.frames + n9.frames, 0);

	/* the wire sends: both NICs of hub 1 get it; a full NIC holds one frame and the wire */
	n1.room = false;
	put_record(sv[1], f, 100);
	put_record(sv[1], f, 120);
	spin(&r);
	assert_int_equal(n0.frames, 1);
	assert_int_equal(n1.frames, 1);
	assert_int_equal(queued(sv[0]), 4 + 120); /* the second frame still in the socket */
	n1.room = true;
	net_rx_ready(h1);
	spin(&r);
	assert_int_equal(n1.frames, 3);
	assert_int_equal(n0.frames, 2);
	assert_int_equal(n1.last_len, 120);
	assert_int_equal(net_port_stats(h1).rx_dropped, 0);
	/* NIC to NIC while the other is full: one waits in the slot, the next is dropped */
	n1.room = false;
	assert_int_equal(net_send(h0, f, 60), 0);
	assert_int_equal(net_send(h0, f, 61), 0);
	spin(&r);
	assert_int_equal(net_port_stats(h1).rx_dropped, 1);
	n1.room = true;
	net_rx_ready(h1);
	spin(&r);
	assert_int_equal(n1.frames, 4);
	assert_int_equal(n1.last_len, 60);
	assert_int_equal(n9.frames, 0);
	net_detach(h0);
	net_detach(h1);
	net_detach(h9);
	close(sv[1]);
	rig_fini(&r);
}

/* A hubport's netdev= must name an earlier -netdev nobody else holds. */
static void hub_bad_netdev(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, "hubport,id=h0,hubid=0,netdev=later");
	assert_int_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), -ENOENT);
	assert_non_null(strstr(r.err, "later"));
	rig_fini(&r);
	assert_int_equal(net_check_opt("hubport,id=h0", r.err, sizeof(r.err)), -EINVAL);
	assert_non_null(strstr(r.err, "hubid"));
}

/* ------------------------------------------------------------- tap (root) */

static bool tap_env_missing(void)
{
	if (access("/dev/net/tun", R_OK | W_OK)) {
		fprintf(stderr, "SKIP tap: /dev/net/tun is absent or not writable (%s)\n",
			strerror(errno));
		return true;
	}
	/* Our own network namespace: the tap never meets the host's interfaces. */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "SKIP tap: cannot create a network namespace (%s): needs root\n",
			strerror(errno));
		return true;
	}
	return false;
}

static void if_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

/* An AF_PACKET socket on the host side of the tap: what the bridge would see. */
static int host_side(const char *name)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(0x88b5) };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(0x88b5));

	assert_true(s >= 0);
	ll.sll_ifindex = (int)if_nametoindex(name);
	assert_true(ll.sll_ifindex > 0);
	assert_int_equal(bind(s, (struct sockaddr *)&ll, sizeof(ll)), 0);
	return s;
}

/* A frame of the local experimental EtherType 88b5, so stray IPv6 chatter is ignored. */
static void test_frame(uint8_t *f, size_t len, uint8_t seed)
{
	frame_fill(f, len, seed);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5", 14);
}

static void tap_both_ways(struct rig *r, const char *ifname, const char *id)
{
	struct net_port *port;
	struct nic nic = { .room = true, .only_88b5 = true };
	uint8_t f[1000], got[1100];
	int hs;

	assert_int_equal(net_attach(&r->m, id, &nic_ops, &nic, &port), 0);
	assert_true(net_link_up(port));
	if_up(ifname);
	hs = host_side(ifname);
	/* NIC -> host */
	test_frame(f, sizeof(f), 1);
	assert_int_equal(net_send(port, f, sizeof(f)), 0);
	for (int i = 0; i < 1000; i++) {
		ssize_t n = recv(hs, got, sizeof(got), 0);

		if (n == (ssize_t)sizeof(f)) {
			assert_memory_equal(got, f, sizeof(f));
			break;
		}
		assert_true(i < 999);
		usleep(1000);
	}
	/* host -> NIC */
	test_frame(f, 200, 9);
	assert_int_equal(send(hs, f, 200, 0), 200);
	for (int i = 0; i < 1000 && !nic.frames; i++)
		loop_iterate(r->m.loop, 10);
	assert_int_equal(nic.frames, 1);
	assert_memory_equal(nic.last, f, 200);
	close(hs);
	net_detach(port);
}

/* libxl's -netdev tap,ifname= (hvmdm creates the tap) and tap,fd= (an open tun fd). */
static void tap_in_a_namespace(void **state)
{
	struct rig r;
	struct ifreq ifr = { 0 };
	char spec[96];
	int fd;

	(void)state;
	if (tap_env_missing()) {
		skip();
		return;
	}
	rig_init(&r, "type=tap,id=net0,ifname=vif7.0-emu,br=xenbr0,script=no,downscript=no");
	assert_int_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), 0);
	tap_both_ways(&r, "vif7.0-emu", "net0");
	rig_fini(&r);

	fd = open("/dev/net/tun", O_RDWR);
	assert_true(fd >= 0);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "hvmdmfd0");
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	snprintf(spec, sizeof(spec), "tap,id=net1,fd=%d", fd);
	rig_init(&r, spec);
	assert_int_equal(net_add_opts(&r.m, r.err, sizeof(r.err)), 0);
	tap_both_ways(&r, "hvmdmfd0", "net1");
	rig_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_both_ways_with_flow_control),
		cmocka_unit_test(stream_oversize_record_drops_peer),
		cmocka_unit_test(dgram_frames_and_oversize),
		cmocka_unit_test(stream_unix_server_takes_one_peer_at_a_time),
		cmocka_unit_test(open_errors_name_the_problem),
		cmocka_unit_test(hub_ports_forward_to_each_other),
		cmocka_unit_test(hub_bad_netdev),
		cmocka_unit_test(tap_in_a_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
