// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtl8139 with frames on a real backend (-netdev socket,fd= over a
 * socketpair, QEMU's stream framing): C-mode receive into the ring with
 * flow control (a full ring leaves frames in the socket until CAPR moves),
 * C-mode and C+ transmit to the wire, C+ checksum and large-send offload
 * checked by recomputing every checksum of every segment, and the hostile
 * guest: C+ rings that never end (CVE-2016-8910), offload headers whose
 * lengths lie (CVE-2015-5165 / CVE-2015-5158 shapes), descriptors outside
 * guest memory, a receive descriptor the guest never returns; the NIC
 * still works after a soft reset. The register values themselves are
 * compared with QEMU 7.2 by tests/traces/rtl8139-*.trace. Also: the
 * missing-ROM error names the Debian package, Xen unplug removes the NIC.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/log.h"
#include "dm/memory.h"
#include "dm/net.h"
#include "dm/state.h"
#include "hw/net/ether.h"
#include "hw/pci/pci.h"
#include "hw/pci/xen_platform.h"
#include "tests/unit/dev_rig.h"

#define IO    0xc000
#define DEVFN PCI_DEVFN(2, 0)
#define RING  0x200000u
#define TXBUF 0x100000u
#define CPTX  0x300000u /* C+ Tx ring */
#define CPRX  0x310000u /* C+ Rx ring */
#define CPBUF 0x320000u
#define MAC   "\x52\x54\x00\x12\x34\x56"

struct rig {
	struct machine m;
	struct machine_opts o;
	struct flat_ram ram;
	struct dm_dev *nic;
	int peer;  /* the test's end of the socketpair */
	int nicfd; /* the backend's end (to see what it left unread) */
};

static void rig_init(struct rig *r)
{
	int sv[2];
	char spec[64], err[256];

	dev_rig_init(&r->m, &r->o, MACHINE_PC, 16, 1, NULL, NULL);
	r->m.loop = loop_new(true);
	assert_int_equal(flat_ram_init(&r->ram, &r->m.mem, 16 << 20), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	r->peer = sv[1];
	r->nicfd = sv[0];
	snprintf(spec, sizeof(spec), "socket,id=n0,fd=%d", sv[0]);
	assert_int_equal(strlist_add(&r->o.netdevs, spec), 0);
	assert_int_equal(net_add_opts(&r->m, err, sizeof(err)), 0);
	assert_int_equal(dev_rig_add(&r->m, "rtl8139,addr=02.0,netdev=n0,romfile=", &r->nic), 0);
	bus_pci_write(r->m.bus, DEVFN, 0x10, IO | 1, 4);
	bus_pci_write(r->m.bus, DEVFN, 0x04, 0x7, 2);
}

static void rig_fini(struct rig *r)
{
	while (r->m.devs) {
		struct dm_dev *d = r->m.devs;

		r->m.devs = d->next;
		dev_free(d);
	}
	net_set_free(&r->m); /* before the loop its fds are on */
	dev_rig_free(&r->m);
	strlist_free(&r->o.netdevs);
	flat_ram_fini(&r->ram);
	close(r->peer);
}

static uint32_t in(struct rig *r, unsigned off, unsigned size)
{
	return (uint32_t)bus_read(r->m.bus, BUS_PIO, IO + off, size);
}

static void out(struct rig *r, unsigned off, uint32_t v, unsigned size)
{
	bus_write(r->m.bus, BUS_PIO, IO + off, v, size);
}

static uint8_t *ram(struct rig *r, uint64_t gpa)
{
	return flat_ram_ptr(&r->ram, gpa, 1);
}

static void spin(struct rig *r)
{
	for (int i = 0; i < 8; i++) {
		loop_run_deferred(r->m.loop);
		loop_iterate(r->m.loop, 0);
	}
}

static void put_record(int fd, const uint8_t *f, uint32_t len)
{
	uint8_t hdr[4];

	put_be32(hdr, len);
	assert_int_equal(write(fd, hdr, 4), 4);
	assert_int_equal(write(fd, f, len), (ssize_t)len);
}

/* The next frame the NIC sent, or 0 when none is waiting. */
static size_t get_record(int fd, uint8_t *buf, size_t cap)
{
	uint8_t hdr[4];
	uint32_t len;

	if (recv(fd, hdr, 4, MSG_DONTWAIT) != 4)
		return 0;
	len = get_be32(hdr);
	assert_true(len <= cap);
	assert_int_equal(recv(fd, buf, len, MSG_WAITALL), (ssize_t)len);
	return len;
}

static void make_frame(uint8_t *f, size_t len, uint8_t seed)
{
	memcpy(f, MAC, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01\x88\xb5", 8);
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

static int queued(int fd)
{
	int n = -1;

	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

/* Datasheet 6.2: header (ROK, length + 4), frame, FCS; CBR dword aligned; CAPR frees. */
static void c_mode_receive_and_flow_control(void **state)
{
	struct rig r;
	uint8_t f[1514];
	unsigned frames = 0;

	(void)state;
	rig_init(&r);
	out(&r, 0x37, 0x08, 1);	      /* RE */
	out(&r, 0x30, RING, 4);	      /* RBSTART */
	out(&r, 0x44, 0x0000000e, 4); /* 8 KiB ring, AB AM APM */
	out(&r, 0x3c, 0x0001, 2);     /* ROK only: a full ring stops the backend */
	make_frame(f, 100, 1);
	put_record(r.peer, f, 100);
	spin(&r);
	assert_int_equal(get_le32(ram(&r, RING)), 0x00684001); /* 100 + 4, PAM, ROK */
	assert_memory_equal(ram(&r, RING + 4), f, 100);
	assert_int_equal(get_le32(ram(&r, RING + 104)), ether_crc32(f, 100));
	assert_int_equal(in(&r, 0x3a, 2), 108);
	assert_int_equal(in(&r, 0x3e, 2), 0x0001);
	assert_int_equal(in(&r, 0x37, 1) & 1, 0);

	/* fill the ring: the rest stays in the socket, nothing is dropped */
	make_frame(f, 1514, 2);
	for (int i = 0; i < 8; i++)
		put_record(r.peer, f, 1514);
	spin(&r);
	frames = (in(&r, 0x3a, 2) - 108) / 1524;
	assert_true(frames >= 4 && frames < 8);
	assert_int_equal(in(&r, 0x4c, 4), 0); /* no frame missed */
	assert_true(queued(r.nicfd) >= 1514);
	/* the driver reads everything: CAPR = CBR - 16, the backend resumes */
	out(&r, 0x38, (in(&r, 0x3a, 2) - 16) & 0xffff, 2);
	spin(&r);
	out(&r, 0x38, (in(&r, 0x3a, 2) - 16) & 0xffff, 2);
	spin(&r);
	assert_int_equal(in(&r, 0x4c, 4), 0);
	rig_fini(&r);
}

/* C mode Tx: TSD size bytes from TSAD go to the wire; TOK in TSD, TSAD and ISR. */
static void c_mode_transmit_to_the_wire(void **state)
{
	struct rig r;
	uint8_t f[1514], got[2048];

	(void)state;
	rig_init(&r);
	make_frame(f, 1514, 7);
	memcpy(ram(&r, TXBUF), f, 1514);
	out(&r, 0x37, 0x04, 1);
	out(&r, 0x20, TXBUF, 4);
	out(&r, 0x10, 1514, 4);
	assert_int_equal(in(&r, 0x10, 4), 0xa000 | 1514);
	assert_int_equal(in(&r, 0x3e, 2), 0x0004);
	assert_int_equal(get_record(r.peer, got, sizeof(got)), 1514);
	assert_memory_equal(got, f, 1514);
	/* a slot the host owns does not send again */
	out(&r, 0x20 + 4, TXBUF, 4);
	assert_int_equal(get_record(r.peer, got, sizeof(got)), 0);
	rig_fini(&r);
}

/* ---------------------------------------------------------------- C+ mode */

static void cp_tx_desc(struct rig *r, unsigned i, uint32_t dw0, uint32_t dw1, uint64_t buf)
{
	uint8_t *d = ram(r, CPTX + 16 * i);

	put_le32(d, dw0);
	put_le32(d + 4, dw1);
	put_le32(d + 8, (uint32_t)buf);
	put_le32(d + 12, (uint32_t)(buf >> 32));
}

static void cp_enable(struct rig *r)
{
	out(r, 0xe0, 0x0003, 2); /* C+ Rx and Tx */
	out(r, 0x37, 0x0c, 1);
	out(r, 0x20, CPTX, 4);
	out(r, 0x24, 0, 4);
}

/* A TCP/IPv4 frame: IP hlen 20, TCP hlen 20, payload of n bytes. */
static size_t tcp_frame(uint8_t *f, size_t n)
{
	make_frame(f, ETH_HLEN + 40 + n, 0);
	put_be16(f + 12, ETH_P_IP);
	f[14] = 0x45;
	put_be16(f + 16, (uint16_t)(40 + n));
	f[23] = IP_PROTO_TCP;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	put_be32(f + 38, 1000); /* seq */
	f[46] = 0x50;		/* doff 5 */
	f[47] = 0x18;		/* PSH ACK */
	return ETH_HLEN + 40 + n;
}

static bool tcp_checksums_ok(const uint8_t *f, size_t len)
{
	uint8_t pseudo[12];
	uint32_t tot = get_be16(f + 16);

	if (inet_fold(inet_sum(f + 14, 20, 0)) != 0 || tot + 14 != len)
		return false;
	memcpy(pseudo, f + 26, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put_be16(pseudo + 10, (uint16_t)(tot - 20));
	return inet_fold(inet_sum(f + 34, tot - 20, inet_sum(pseudo, 12, 0))) == 0;
}

/* Large send (datasheet 9.2.3): MSS-sized segments, each with correct IP and TCP checksums. */
static void cplus_tso_segments_verified(void **state)
{
	struct rig r;
	static uint8_t f[8000], got[2048];
	size_t len = tcp_frame(f, 4000), n;
	uint32_t seq = 1000, total = 0;
	unsigned segs = 0;

	(void)state;
	rig_init(&r);
	cp_enable(&r);
	memcpy(ram(&r, CPBUF), f, len);
	cp_tx_desc(&r, 0,
		   (1u << 31) | (1u << 30) | (3u << 28) | (1u << 27) | (1448u << 16) |
		       (uint32_t)len,
		   0, CPBUF);
	out(&r, 0xd9, 0x40, 1);
	assert_int_equal(get_le32(ram(&r, CPTX)) >> 31, 0); /* ownership back to the driver */
	while ((n = get_record(r.peer, got, sizeof(got)))) {
		assert_true(n <= 14 + 1500);
		assert_true(tcp_checksums_ok(got, n));
		assert_int_equal(get_be32(got + 38), seq);
		assert_memory_equal(got + 54, f + 54 + total, n - 54);
		seq += (uint32_t)(n - 54);
		total += (uint32_t)(n - 54);
		/* PSH only on the last segment */
		assert_int_equal(got[47] & 0x08, total == 4000 ? 0x08 : 0);
		segs++;
	}
	assert_int_equal(total, 4000);
	assert_int_equal(segs, 3);
	assert_int_equal(in(&r, 0x3e, 2) & 0x0004, 0x0004);
	rig_fini(&r);
}

/*
 * CVE-2015-5165 / CVE-2015-5158 shapes: IP total length past the frame,
 * total length shorter than the header, TCP header longer than the data,
 * MSS 0 (c == 3: a valid frame, unsegmented), a frame shorter than an IP header. Each frame goes
 * out once, as the guest built it, nothing more.
 */
static void cplus_offload_lying_headers_sent_as_built(void **state)
{
	struct rig r;
	static uint8_t f[2000], got[4096];
	size_t len;

	(void)state;
	rig_init(&r);
	cp_enable(&r);
	for (int c = 0; c < 5; c++) {
		len = tcp_frame(f, 100);
		if (c == 0)
			put_be16(f + 16, 1400); /* total length past the frame (CVE-2015-5165) */
		if (c == 1)
			put_be16(f + 16, 10); /* total < header */
		if (c == 2)
			f[46] = 0xf0, put_be16(f + 16, 60); /* TCP header 60 > IP data 40 */
		if (c == 4)
			len = 30; /* frame ends inside the IP header */
		memcpy(ram(&r, CPBUF), f, len);
		cp_tx_desc(&r, 0,
			   (1u << 31) | (1u << 30) | (3u << 28) | (1u << 27) |
			       (c == 3 ? 0 : 536u << 16) | (uint32_t)len,
			   0, CPBUF);
		out(&r, 0xd9, 0x40, 1);
		assert_int_equal(get_record(r.peer, got, sizeof(got)), len);
		assert_memory_equal(got, f, len);
		assert_int_equal(get_record(r.peer, got, sizeof(got)), 0);
	}
	rig_fini(&r);
}

/* CVE-2016-8910: descriptors the guest keeps owned with no EOR: one TxPoll, at most 64. */
static void cplus_endless_ring_is_bounded(void **state)
{
	struct rig r;
	static uint8_t got[2048];
	unsigned sent = 0;

	(void)state;
	rig_init(&r);
	cp_enable(&r);
	make_frame(ram(&r, CPBUF), 60, 3);
	for (unsigned i = 0; i < 64; i++)
		cp_tx_desc(&r, i, (1u << 31) | (3u << 28) | 60, 0, CPBUF);
	/* descriptor 0..63 then wraps to 0, which the guest "returns" at once */
	out(&r, 0xd9, 0x40, 1);
	while (get_record(r.peer, got, sizeof(got)))
		sent++;
	assert_int_equal(sent, 64);
	/* a descriptor pointing outside guest memory, and a ring outside it: no crash */
	cp_tx_desc(&r, 0, (1u << 31) | (1u << 30) | (3u << 28) | 0xffff, 0, 0xfffffff00000ull);
	out(&r, 0x37, 0x10, 1); /* soft reset */
	cp_enable(&r);
	out(&r, 0xd9, 0x40, 1);
	out(&r, 0x20, 0xfff00000, 4);
	out(&r, 0xd9, 0x40, 1);
	rig_fini(&r);
}

/* C+ receive: a descriptor the guest returned takes the frame; none: missed and counted. */
static void cplus_receive_and_missed(void **state)
{
	struct rig r;
	uint8_t f[200];
	uint8_t *d;

	(void)state;
	rig_init(&r);
	cp_enable(&r);
	out(&r, 0x44, 0x0000000e, 4);
	out(&r, 0xe4, CPRX, 4);
	out(&r, 0xe8, 0, 4);
	d = ram(&r, CPRX);
	put_le32(d, (1u << 31) | (1u << 30) | 1536);
	put_le32(d + 8, CPBUF);
	make_frame(f, 200, 9);
	put_record(r.peer, f, 200);
	spin(&r);
	assert_int_equal(get_le32(d), (1u << 30) | (3u << 28) | (1u << 25) | 204);
	assert_memory_equal(ram(&r, CPBUF), f, 200);
	assert_int_equal(in(&r, 0x3e, 2) & 1, 1);
	/* the guest never returns it: the next frame is missed, MPC counts it */
	put_record(r.peer, f, 200);
	spin(&r);
	assert_int_equal(in(&r, 0x4c, 4), 1);
	assert_int_equal(in(&r, 0x3e, 2) & 0x10, 0x10);
	rig_fini(&r);
}

/* TAGC (datasheet 9.2.1 Tx dw1): the 802.1Q tag inserted after the addresses, on the wire. */
static void cplus_vlan_tag_inserted_on_the_wire(void **state)
{
	struct rig r;
	uint8_t f[100], got[200];

	(void)state;
	rig_init(&r);
	cp_enable(&r);
	make_frame(f, sizeof(f), 4);
	memcpy(ram(&r, CPBUF), f, sizeof(f));
	cp_tx_desc(&r, 0, (1u << 31) | (1u << 30) | (3u << 28) | sizeof(f), (1u << 17) | 0x0a01,
		   CPBUF);
	out(&r, 0xd9, 0x40, 1);
	assert_int_equal(get_record(r.peer, got, sizeof(got)), sizeof(f) + 4);
	assert_memory_equal(got, f, 12);
	assert_memory_equal(got + 12, "\x81\x00\x01\x0a", 4); /* the tag as stored, big-endian */
	assert_memory_equal(got + 16, f + 12, sizeof(f) - 12);
	rig_fini(&r);
}

/* Save, restore into a fresh NIC: the ring positions, a C+ frame half assembled, go on. */
static void save_restore_round_trip(void **state)
{
	struct rig a, b;
	struct snap_wr sw;
	uint8_t f[100], got[300];

	(void)state;
	rig_init(&a);
	cp_enable(&a);
	out(&a, 0x00, 0x12345678, 4);
	make_frame(f, sizeof(f), 5);
	memcpy(ram(&a, CPBUF), f, sizeof(f));
	cp_tx_desc(&a, 0, (1u << 31) | (1u << 29) | 40, 0, CPBUF); /* FS, no LS yet */
	out(&a, 0xd9, 0x40, 1);
	out(&a, 0x3c, 0x0005, 2);
	snap_wr_init(&sw);
	assert_int_equal(dm_state_save(&a.m, &sw), 0);
	rig_fini(&a);

	rig_init(&b);
	assert_int_equal(dm_state_load(&b.m, sw.buf, sw.len), 0);
	assert_int_equal(in(&b, 0x00, 4), 0x12345678);
	assert_int_equal(in(&b, 0x3c, 2), 0x0005);
	assert_int_equal(in(&b, 0xe0, 2), 0x0003);
	/* the guest's memory moves with it (here: written again); the frame ends */
	memcpy(ram(&b, CPBUF), f, sizeof(f));
	cp_tx_desc(&b, 1, (1u << 31) | (1u << 30) | (1u << 28) | 60, 0, CPBUF + 40);
	out(&b, 0xd9, 0x40, 1);
	assert_int_equal(get_record(b.peer, got, sizeof(got)), 100);
	assert_memory_equal(got, f, 100);
	rig_fini(&b);
	snap_wr_free(&sw);
}

/* A stream whose ring pointer lies past the ring (CVE-2014-0182's shape): refused, nothing changes.
 */
static void restore_rejects_bad_ring_pointer(void **state)
{
	static const char key[] = "capr";
	struct rig a;
	struct snap_wr sw;
	size_t off;

	(void)state;
	rig_init(&a);
	out(&a, 0x3c, 0x0005, 2);
	snap_wr_init(&sw);
	assert_int_equal(dm_state_save(&a.m, &sw), 0);
	for (off = 1; off + sizeof(key) + 4 < sw.len; off++)
		if (sw.buf[off - 1] == sizeof(key) - 1 &&
		    !memcmp(sw.buf + off, key, sizeof(key) - 1))
			break;
	assert_true(off + sizeof(key) + 4 < sw.len);
	put_le32(sw.buf + off + sizeof(key), 0x10000); /* past the 8 KiB ring */
	out(&a, 0x3c, 0x00ff, 2);
	assert_int_equal(dm_state_load(&a.m, sw.buf, sw.len), -EINVAL);
	assert_int_equal(in(&a, 0x3c, 2), 0x00ff);
	snap_wr_free(&sw);
	rig_fini(&a);
}

/* QEMU's default MACs: 52:54:00:12:34:56 for the first NIC without mac=, :57 for the next
 * (QEMU 7.2 with the same three -device rtl8139 reads 52:54:00:12:34:57 on the third). */
static void default_macs_count_up(void **state)
{
	struct machine m;
	struct machine_opts o;

	(void)state;
	dev_rig_init(&m, &o, MACHINE_PC, 16, 1, NULL, NULL);
	assert_int_equal(dev_rig_add(&m, "rtl8139,addr=03.0,romfile=", NULL), 0);
	assert_int_equal(dev_rig_add(&m, "rtl8139,addr=04.0,romfile=,mac=00:16:3e:00:00:01", NULL),
			 0);
	assert_int_equal(dev_rig_add(&m, "rtl8139,addr=05.0,romfile=", NULL), 0);
	for (unsigned slot = 3; slot <= 5; slot++)
		bus_pci_write(m.bus, PCI_DEVFN(slot, 0), 0x10, 0xc001 + 0x100 * (slot - 3), 4),
		    bus_pci_write(m.bus, PCI_DEVFN(slot, 0), 0x04, 1, 2);
	assert_int_equal(bus_read(m.bus, BUS_PIO, 0xc000, 4), 0x12005452);
	assert_int_equal(bus_read(m.bus, BUS_PIO, 0xc004, 2), 0x5634);
	assert_int_equal(bus_read(m.bus, BUS_PIO, 0xc104, 2), 0x0100);
	assert_int_equal(bus_read(m.bus, BUS_PIO, 0xc204, 2), 0x5734);
	dev_rig_free(&m);
}

/* QMP set_link by the NIC's id or its netdev: BMSR link bit, MSR LINKB, ISR PUN; frames stop. */
static void set_link_down_and_up(void **state)
{
	struct rig r;
	uint8_t f[60], got[100];

	(void)state;
	rig_init(&r);
	assert_int_equal(in(&r, 0x64, 2) & 4, 4);
	assert_int_equal(net_set_link(&r.m, "nope", false), -ENOENT);
	assert_int_equal(net_set_link(&r.m, "n0", false), 0);
	assert_int_equal(in(&r, 0x64, 2) & 4, 0);
	assert_int_equal(in(&r, 0x58, 1) & 4, 4);
	assert_int_equal(in(&r, 0x3e, 2), 0x0020);
	make_frame(f, sizeof(f), 1);
	memcpy(ram(&r, TXBUF), f, sizeof(f));
	out(&r, 0x37, 0x04, 1);
	out(&r, 0x20, TXBUF, 4);
	out(&r, 0x10, sizeof(f), 4);
	assert_int_equal(get_record(r.peer, got, sizeof(got)), 0); /* dropped while down */
	out(&r, 0x3e, 0xffff, 2);
	assert_int_equal(net_set_link(&r.m, r.nic->name, true), 0);
	assert_int_equal(in(&r, 0x64, 2) & 4, 4);
	assert_int_equal(in(&r, 0x3e, 2) & 0x20, 0x20);
	out(&r, 0x24, TXBUF, 4);
	out(&r, 0x14, sizeof(f), 4);
	assert_int_equal(get_record(r.peer, got, sizeof(got)), sizeof(f));
	rig_fini(&r);
}

/* romfile= naming a missing file: a start-up error naming ipxe-qemu. */
static void missing_rom_names_the_package(void **state)
{
	struct machine m;
	struct machine_opts o;
	char *buf = NULL;
	size_t len = 0;
	FILE *log = open_memstream(&buf, &len);

	(void)state;
	dev_rig_init(&m, &o, MACHINE_PC, 16, 1, NULL, NULL);
	log_set_stream(log);
	assert_int_equal(
	    dev_rig_add(&m, "rtl8139,addr=03.0,romfile=/nonexistent/efi-rtl8139.rom", NULL),
	    -ENOENT);
	log_set_stream(NULL);
	fclose(log);
	assert_non_null(strstr(buf, "ipxe-qemu"));
	free(buf);
	dev_rig_free(&m);
}

/* Xen unplug (XEN_UNPLUG_NICS): the function leaves the bus, the backend closes. */
static void unplug_removes_the_nic(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	assert_true(bus_pci_present(r.m.bus, DEVFN));
	assert_int_equal(xen_unplug(&r.m, XEN_UNPLUG_NICS), 1);
	assert_false(bus_pci_present(r.m.bus, DEVFN));
	/* the backend is deleted with it (QEMU's del_nic_peer): the wire sees its end close */
	assert_int_equal(read(r.peer, &(char){ 0 }, 1), 0);
	rig_fini(&r);
}

/*
 * qemu-xen's config space for golden a's NIC at 00:04.0 (pci-a.log, lspci-vvv-a.txt):
 * identity, subsystem 1af4:1100, capability pointer 0xdc, pin A, the 256 KiB
 * ROM BAR of efi-rtl8139.rom; the BIOS's BAR, command and line values replayed.
 */
static void config_space_as_golden_a(void **state)
{
	static const uint8_t bios_regs[] = { 0x04, 0x0c, 0x10, 0x14, 0x30, 0x3c };
	struct machine m;
	struct machine_opts o;
	uint8_t want[256];

	(void)state;
	if (golden_log_dump("pci-a.log", PCI_DEVFN(4, 0), want)) {
		fprintf(stderr, "SKIP config_space_as_golden_a: no golden pci-a.log\n");
		skip();
	}
	if (access("/usr/lib/ipxe/qemu/efi-rtl8139.rom", R_OK)) {
		fprintf(stderr,
			"SKIP config_space_as_golden_a: efi-rtl8139.rom missing (ipxe-qemu)\n");
		skip();
	}
	dev_rig_init(&m, &o, MACHINE_XENFV, 16, 1, NULL, NULL);
	assert_int_equal(dev_rig_add(&m, "rtl8139,addr=04.0,mac=00:16:3e:00:00:a1", NULL), 0);
	/* the ROM BAR's size first: all ones, then the BIOS's address */
	bus_pci_write(m.bus, PCI_DEVFN(4, 0), 0x30, 0xfffff800, 4);
	assert_int_equal(bus_pci_read(m.bus, PCI_DEVFN(4, 0), 0x30, 4), 0xfffc0000);
	for (size_t i = 0; i < sizeof(bios_regs); i++) {
		unsigned reg = bios_regs[i], size = reg == 0x04			 ? 2
						    : reg == 0x0c || reg == 0x3c ? 1
										 : 4;
		uint32_t v = 0;

		for (unsigned b = 0; b < size; b++)
			v |= (uint32_t)want[reg + b] << (8 * b);
		bus_pci_write(m.bus, PCI_DEVFN(4, 0), reg, v, size);
	}
	for (unsigned reg = 0; reg < 256; reg++)
		if (bus_pci_read(m.bus, PCI_DEVFN(4, 0), reg, 1) != want[reg])
			fail_msg("config[%#04x] = %#04x, qemu-xen %#04x", reg,
				 bus_pci_read(m.bus, PCI_DEVFN(4, 0), reg, 1), want[reg]);
	dev_rig_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(c_mode_receive_and_flow_control),
		cmocka_unit_test(c_mode_transmit_to_the_wire),
		cmocka_unit_test(cplus_tso_segments_verified),
		cmocka_unit_test(cplus_offload_lying_headers_sent_as_built),
		cmocka_unit_test(cplus_endless_ring_is_bounded),
		cmocka_unit_test(cplus_receive_and_missed),
		cmocka_unit_test(cplus_vlan_tag_inserted_on_the_wire),
		cmocka_unit_test(save_restore_round_trip),
		cmocka_unit_test(restore_rejects_bad_ring_pointer),
		cmocka_unit_test(default_macs_count_up),
		cmocka_unit_test(set_link_down_and_up),
		cmocka_unit_test(missing_rom_names_the_package),
		cmocka_unit_test(unplug_removes_the_nic),
		cmocka_unit_test(config_space_as_golden_a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
