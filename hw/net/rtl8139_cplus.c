// SPDX-License-Identifier: GPL-2.0-only
/*
 * RTL8139C+ mode (datasheet 9: "C+ mode"): the normal-priority transmit
 * descriptor ring at TNPDS (TSAD0/TSAD1), the receive ring at RDSAR, both
 * 64 descriptors of 16 bytes (OWN, EOR, FS, LS, length; VLAN word; buffer
 * address low/high), IP/TCP/UDP checksum offload and TCP large send, and
 * the tally counter dump (DTCCR).
 *
 * The guest owns every descriptor word, so: one TxPoll sends at most 64
 * descriptors (CVE-2016-8910: a ring of descriptors the guest keeps
 * handing back looped forever), a frame assembled across descriptors never
 * exceeds 64 KiB, and the offload trusts no header: the IPv4 header length
 * must be 20..payload, the total length header..payload (CVE-2015-5165
 * leaked host memory through a short one), the TCP header 20..IP data, an
 * MSS of 0 sends unsegmented. A frame whose headers fail is sent as the
 * guest built it, without offload, as QEMU 7.2 does.
 *
 * Large send: each segment carries the Ethernet, IP and TCP headers, the
 * IP total length and checksum and the TCP checksum recomputed, the
 * sequence number advanced, the IP ID counted up from the guest's (as QEMU
 * 7.2), PSH and FIN only on the last segment. Segments are at most the MSS
 * and the 1500-byte MTU. A deliberate difference: QEMU 7.2 clears PSH and
 * FIN in the guest's header while it segments, so its last segment loses
 * them too; a real 8139C+ (and hvmdm) keeps them there (test_rtl8139).
 */
#include "hw/net/rtl8139_int.h"

#include <string.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/net.h"
#include "hw/net/ether.h"

#define DESC_OWN (1u << 31)
#define DESC_EOR (1u << 30)
#define DESC_FS	 (1u << 29)
#define DESC_LS	 (1u << 28)
/* Tx dw0 */
#define TX_LGSEN     (1u << 27)
#define TX_MSS_SHIFT 16
#define TX_MSS_MASK  0x7ffu
#define TX_IPCS	     (1u << 18)
#define TX_UDPCS     (1u << 17)
#define TX_TCPCS     (1u << 16)
#define TX_LEN_MASK  0xffffu
#define TX_ERR_BITS  ((1u << 25) | (1u << 23) | (1u << 22) | (1u << 21) | (1u << 20))
#define TX_TAGC	     (1u << 17) /* dw1 */
/* Rx dw0 status */
#define RX_LEN_MASK 0x1fffu
#define RX_MAR	    (1u << 26)
#define RX_PAM	    (1u << 25)
#define RX_BAR	    (1u << 24)
#define RX_TAVA	    (1u << 16) /* dw1 */

#define ETH_MTU 1500
#define TCP_FIN 0x01
#define TCP_PSH 0x08

static int desc_read(struct rtl8139 *s, uint64_t at, uint32_t dw[4])
{
	uint8_t b[16];

	if (gm_read(&s->dev->m->mem, at, b, sizeof(b))) {
		guest_err(s->dev->name, "C+ descriptor at 0x%llx: not guest memory",
			  (unsigned long long)at);
		return -1;
	}
	for (int i = 0; i < 4; i++)
		dw[i] = get_le32(b + 4 * i);
	return 0;
}

static void dword_write(struct rtl8139 *s, uint64_t at, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	if (gm_write(&s->dev->m->mem, at, b, 4))
		guest_err(s->dev->name, "C+ write at 0x%llx: not guest memory",
			  (unsigned long long)at);
}

/* ---------------------------------------------------------------- offload */

struct l3 {
	uint8_t *ip;	/* IPv4 header in the frame */
	uint32_t hlen;	/* its length */
	uint32_t total; /* IP total length, checked */
	uint8_t proto;
};

/* The IPv4 header of an Ethernet frame, every length checked; false: no offload. */
static bool ipv4_headers(uint8_t *frame, size_t len, struct l3 *l)
{
	size_t payload;

	if (len < ETH_HLEN + 20 || get_be16(frame + 12) != ETH_P_IP)
		return false;
	payload = len - ETH_HLEN;
	l->ip = frame + ETH_HLEN;
	if ((l->ip[0] >> 4) != 4)
		return false;
	l->hlen = (l->ip[0] & 0xf) * 4u;
	l->total = get_be16(l->ip + 2);
	l->proto = l->ip[9];
	return l->hlen >= 20 && l->hlen <= payload && l->total >= l->hlen && l->total <= payload;
}

static void ip_checksum(struct l3 *l)
{
	put_be16(l->ip + 10, 0);
	put_be16(l->ip + 10, inet_fold(inet_sum(l->ip, l->hlen, 0)));
}

/* TCP/UDP checksum of len bytes at l4 (field at csum_off) with the IPv4 pseudo-header. */
static void l4_checksum(const struct l3 *l, uint8_t *l4, uint32_t len, unsigned csum_off)
{
	uint8_t pseudo[12];
	uint16_t c;

	memcpy(pseudo, l->ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = l->proto;
	put_be16(pseudo + 10, (uint16_t)len);
	put_be16(l4 + csum_off, 0);
	c = inet_fold(inet_sum(l4, len, inet_sum(pseudo, sizeof(pseudo), 0)));
	/* UDP sends a computed 0 as 0xffff (RFC 768) */
	put_be16(l4 + csum_off, l->proto == IP_PROTO_UDP && !c ? 0xffff : c);
}

/* TCP large send: the segments of one frame whose headers ipv4_headers() checked. */
static bool tso_send(struct rtl8139 *s, uint8_t *frame, const struct l3 *l, uint32_t mss)
{
	static uint8_t seg[ETH_HLEN + 60 + 60 + ETH_MTU];
	uint8_t *tcp = l->ip + l->hlen;
	uint32_t data_len = l->total - l->hlen, thlen, hdrs, chunk, seq, sent = 0;
	uint16_t ip_id = get_be16(l->ip + 4);
	uint8_t flags;

	if (data_len < 20)
		return false;
	thlen = (tcp[12] >> 4) * 4u;
	if (thlen < 20 || thlen > data_len || !mss)
		return false;
	hdrs = ETH_HLEN + l->hlen + thlen;
	chunk = ETH_MTU - l->hlen - thlen;
	if (mss < chunk)
		chunk = mss;
	seq = get_be32(tcp + 4);
	flags = tcp[13];
	data_len -= thlen;
	do {
		uint32_t n = data_len - sent < chunk ? data_len - sent : chunk;
		struct l3 sl = *l;
		uint8_t *st;

		memcpy(seg, frame, hdrs);
		memcpy(seg + hdrs, frame + hdrs + sent, n);
		sl.ip = seg + ETH_HLEN;
		st = sl.ip + l->hlen;
		put_be16(sl.ip + 2, (uint16_t)(l->hlen + thlen + n));
		put_be16(sl.ip + 4, ip_id++);
		ip_checksum(&sl);
		put_be32(st + 4, seq + sent);
		st[13] = sent + n < data_len ? flags & ~(TCP_FIN | TCP_PSH) : flags;
		l4_checksum(&sl, st, thlen + n, 16);
		rtl_transfer_frame(s, seg, hdrs + n);
		sent += n;
	} while (sent < data_len);
	return true;
}

/* Offload what dw0 asks for, then send; false: the frame goes out as built. */
static bool offload_send(struct rtl8139 *s, uint8_t *frame, size_t len, uint32_t dw0)
{
	struct l3 l;

	if (!ipv4_headers(frame, len, &l))
		return false;
	if (dw0 & TX_IPCS)
		ip_checksum(&l);
	if ((dw0 & TX_LGSEN) && l.proto == IP_PROTO_TCP)
		return tso_send(s, frame, &l, (dw0 >> TX_MSS_SHIFT) & TX_MSS_MASK);
	if ((dw0 & TX_TCPCS) && l.proto == IP_PROTO_TCP && l.total - l.hlen >= 20)
		l4_checksum(&l, l.ip + l.hlen, l.total - l.hlen, 16);
	else if ((dw0 & TX_UDPCS) && l.proto == IP_PROTO_UDP && l.total - l.hlen >= 8)
		l4_checksum(&l, l.ip + l.hlen, l.total - l.hlen, 6);
	rtl_transfer_frame(s, frame, len);
	return true;
}

/* The assembled frame, with the 802.1Q tag dw1 asks for inserted after the addresses. */
static void send_assembled(struct rtl8139 *s, uint32_t dw0, uint32_t dw1)
{
	static uint8_t tagged[RTL_CP_TXBUF + 4];
	uint8_t *frame = s->txbuf;
	size_t len = s->txbuf_len;

	s->txbuf_len = 0;
	if ((dw1 & TX_TAGC) && len >= 2 * ETH_ALEN) {
		/* the tag is stored big-endian in the descriptor's low 16 bits */
		memcpy(tagged, frame, 12);
		put_be16(tagged + 12, ETH_P_8021Q);
		tagged[14] = (uint8_t)dw1;
		tagged[15] = (uint8_t)(dw1 >> 8);
		memcpy(tagged + 16, frame + 12, len - 12);
		frame = tagged;
		len += 4;
	}
	if (!(dw0 & (TX_IPCS | TX_UDPCS | TX_TCPCS | TX_LGSEN)) ||
	    !offload_send(s, frame, len, dw0))
		rtl_transfer_frame(s, frame, len);
	s->tally.tx_ok++;
}

/* ---------------------------------------------------------------- transmit ring */

static bool transmit_one(struct rtl8139 *s)
{
	uint64_t at = ((uint64_t)s->tsad[1] << 32 | s->tsad[0]) + 16ull * s->cur_cp_tx;
	uint32_t dw[4], len;

	if (!(s->cr & CR_TE) || !(s->cpcr & CPCR_TXENB) || desc_read(s, at, dw) ||
	    !(dw[0] & DESC_OWN))
		return false;
	if (dw[0] & DESC_FS)
		s->txbuf_len = 0;
	len = dw[0] & TX_LEN_MASK;
	if (s->txbuf_len + len > RTL_CP_TXBUF) {
		guest_err(s->dev->name, "C+ frame over 64 KiB: descriptor %u truncated",
			  s->cur_cp_tx);
		len = RTL_CP_TXBUF - s->txbuf_len;
	}
	if (len &&
	    gm_read(&s->dev->m->mem, (uint64_t)dw[3] << 32 | dw[2], s->txbuf + s->txbuf_len, len)) {
		guest_err(s->dev->name, "C+ Tx buffer 0x%x%08x+%u: not guest memory", dw[3], dw[2],
			  len);
		memset(s->txbuf + s->txbuf_len, 0, len);
	}
	s->txbuf_len += len;
	s->cur_cp_tx = (dw[0] & DESC_EOR) ? 0 : (s->cur_cp_tx + 1) % RTL_CP_DESCS;
	dword_write(s, at, dw[0] & ~(DESC_OWN | TX_ERR_BITS));
	if (dw[0] & DESC_LS)
		send_assembled(s, dw[0], dw[1]);
	return true;
}

void rtl_cplus_transmit(struct rtl8139 *s)
{
	unsigned n = 0;

	/* one pass over the ring at most (CVE-2016-8910) */
	while (n < RTL_CP_DESCS && transmit_one(s))
		n++;
	if (n) {
		s->isr |= ISR_TOK;
		rtl_update_irq(s);
	}
}

/* ---------------------------------------------------------------- receive ring */

static void missed(struct rtl8139 *s)
{
	s->isr |= ISR_RXOVW;
	s->mpc = (s->mpc + 1) & 0xffffff;
	s->tally.rx_err++;
	s->tally.miss_pkt++;
	rtl_update_irq(s);
}

int rtl_cplus_receive(struct rtl8139 *s, const uint8_t *frame, size_t len, uint32_t rxh)
{
	uint64_t at = ((uint64_t)s->rdsar_hi << 32 | s->rdsar_lo) + 16ull * s->cur_cp_rx;
	uint64_t buf;
	uint32_t dw[4], room, fcs, out_len = (uint32_t)len;
	bool vlan = false;
	uint8_t tail[4];

	if (desc_read(s, at, dw) || !(dw[0] & DESC_OWN)) {
		missed(s);
		return -1;
	}
	room = dw[0] & RX_LEN_MASK;
	/* VLAN detagging: the tag goes to dw1, the frame loses its 4 bytes */
	if ((s->cpcr & CPCR_RXVLAN) && len >= ETH_HLEN + 4 && get_be16(frame + 12) == ETH_P_8021Q) {
		vlan = true;
		out_len = (uint32_t)len - 4 < ETH_MIN_FRAME ? ETH_MIN_FRAME : (uint32_t)len - 4;
		dw[1] = (dw[1] & ~0xffffu) | RX_TAVA | frame[14] | (uint32_t)frame[15] << 8;
	} else {
		dw[1] &= ~RX_TAVA;
	}
	if (out_len + 4 > room) {
		missed(s);
		return -1;
	}
	buf = (uint64_t)dw[3] << 32 | dw[2];
	if (vlan) {
		uint8_t head[12];

		memcpy(head, frame, 12);
		if (gm_write(&s->dev->m->mem, buf, head, 12) ||
		    gm_write(&s->dev->m->mem, buf + 12, frame + 16,
			     len - 16 < out_len - 12 ? len - 16 : out_len - 12))
			guest_err(s->dev->name, "C+ Rx buffer 0x%llx: not guest memory",
				  (unsigned long long)buf);
	} else if (gm_write(&s->dev->m->mem, buf, frame, out_len)) {
		guest_err(s->dev->name, "C+ Rx buffer 0x%llx: not guest memory",
			  (unsigned long long)buf);
	}
	fcs = ether_crc32(frame, len);
	put_le32(tail, fcs);
	if (gm_write(&s->dev->m->mem, buf + out_len, tail, 4))
		guest_err(s->dev->name, "C+ Rx FCS at 0x%llx: not guest memory",
			  (unsigned long long)(buf + out_len));
	dw[0] &= ~(DESC_OWN | RX_LEN_MASK);
	dw[0] |= DESC_FS | DESC_LS | (out_len + 4);
	dw[0] |= (rxh & RXH_BAR ? RX_BAR : 0) | (rxh & RXH_MAR ? RX_MAR : 0) |
		 (rxh & RXH_PAM ? RX_PAM : 0);
	dword_write(s, at, dw[0]);
	dword_write(s, at + 4, dw[1]);
	s->tally.rx_ok++;
	s->cur_cp_rx = (dw[0] & DESC_EOR) ? 0 : (s->cur_cp_rx + 1) % RTL_CP_DESCS;
	return 0;
}

/* ---------------------------------------------------------------- tally counters */

/* DTCCR: the 64-byte counter block (datasheet 9.4) at the 64-byte aligned address. */
void rtl_tally_dump(struct rtl8139 *s)
{
	const struct rtl_tally *t = &s->tally;
	uint64_t at = (uint64_t)s->tsd[1] << 32 | (s->tsd[0] & ~0x3fu);
	uint8_t b[64];

	memset(b, 0, sizeof(b));
	put_le32(b + 0, (uint32_t)t->tx_ok);
	put_le32(b + 4, (uint32_t)(t->tx_ok >> 32));
	put_le32(b + 8, (uint32_t)t->rx_ok);
	put_le32(b + 12, (uint32_t)(t->rx_ok >> 32));
	put_le32(b + 16, (uint32_t)t->tx_err);
	put_le32(b + 20, (uint32_t)(t->tx_err >> 32));
	put_le32(b + 24, t->rx_err);
	b[28] = (uint8_t)t->miss_pkt;
	b[29] = (uint8_t)(t->miss_pkt >> 8);
	b[30] = (uint8_t)t->fae;
	b[31] = (uint8_t)(t->fae >> 8);
	put_le32(b + 32, t->tx_1col);
	put_le32(b + 36, t->tx_mcol);
	put_le32(b + 40, (uint32_t)t->rx_ok_phy);
	put_le32(b + 44, (uint32_t)(t->rx_ok_phy >> 32));
	put_le32(b + 48, (uint32_t)t->rx_ok_brd);
	put_le32(b + 52, (uint32_t)(t->rx_ok_brd >> 32));
	put_le32(b + 56, t->rx_ok_mul);
	b[60] = (uint8_t)t->tx_abt;
	b[61] = (uint8_t)(t->tx_abt >> 8);
	b[62] = (uint8_t)t->tx_undrn;
	b[63] = (uint8_t)(t->tx_undrn >> 8);
	if (gm_write(&s->dev->m->mem, at, b, sizeof(b)))
		guest_err(s->dev->name, "tally dump to 0x%llx: not guest memory",
			  (unsigned long long)at);
}
