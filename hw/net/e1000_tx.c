// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 82540EM transmit path (8254x SDM ch. 3.3-3.5): the descriptor ring
 * TDBAL/TDBAH/TDLEN with TDH chasing TDT; legacy descriptors (3.3.3),
 * context descriptors (3.3.6) that set the checksum and TCP segmentation
 * offload parameters, and data descriptors (3.3.7) that use them; IP and
 * TCP/UDP checksum insertion (3.5), TCP segmentation (3.5.1-3.5.5: the
 * header repeated before every MSS bytes of payload, IP total length and
 * identification, TCP sequence number, PSH/FIN only on the last segment)
 * and VLAN tag insertion (3.3.3.1, VLE with CTRL.VME).
 *
 * As QEMU 7.2 does it (hw/net/e1000.c start_xmit/process_tx_desc/xmit_seg),
 * so frames on the wire are byte for byte QEMU's. The guest is hostile:
 *  - the walk stops when TDH comes back to where it started, or at once
 *    when TDH started outside the ring (TDLEN/16), as QEMU (the fix of
 *    CVE-2016-1981's endless loop); and it also stops after TX_BUDGET
 *    frames or descriptors, resuming from the loop, so a ring of 65535
 *    descriptors each cut into one-byte TSO segments cannot hold the
 *    daemon for billions of frames;
 *  - a TSO descriptor that makes no progress (a header plus MSS that the
 *    frame already passed, CVE-2015-6815) ends the descriptor;
 *  - the frame never grows past its 64 KiB buffer; header offsets are
 *    bytes (< 256) and land inside it; a checksum start past the end sums
 *    nothing;
 *  - a descriptor or buffer outside guest memory, or DMA while Bus Master
 *    is off, reads as zeros and writes nothing.
 *
 * Left out: the TX FIFO registers' meaning (TDFH... only store), TIDV's
 * delay (descriptors are done at once), collision statistics.
 */
#include <stdint.h>
#include <string.h>

#include "dm/memory.h"
#include "dm/net.h"
#include "hw/net/e1000_int.h"

/* Per call: at most this many descriptors plus frames before yielding to the loop. */
#define TX_BUDGET 65536u

static void dma_read(struct e1000 *s, uint64_t addr, void *buf, size_t len)
{
	struct guest_mem *gm = e1000_gm(s);

	if (!len)
		return;
	if (!gm || !e1000_bus_master(s) || gm_read(gm, addr, buf, len)) {
		guest_err(s->pci.name, "TX DMA read of %zu bytes at %#llx failed", len,
			  (unsigned long long)addr);
		memset(buf, 0, len);
	}
}

static void dma_write(struct e1000 *s, uint64_t addr, const void *buf, size_t len)
{
	struct guest_mem *gm = e1000_gm(s);

	if (!gm || !e1000_bus_master(s) || gm_write(gm, addr, buf, len))
		guest_err(s->pci.name, "TX DMA write of %zu bytes at %#llx failed", len,
			  (unsigned long long)addr);
}

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void st32(uint8_t *p, uint32_t v)
{
	st16(p, (uint16_t)(v >> 16));
	st16(p + 2, (uint16_t)v);
}

/* The Internet checksum (RFC 1071) of len bytes, not yet folded or inverted. */
static uint32_t csum_add(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_finish_nozero(uint32_t sum)
{
	uint16_t r;

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	r = (uint16_t)~sum;
	return r ? r : 0xffff;
}

/*
 * Insert a checksum over [css, cse] (cse 0: to the end of the n bytes) at
 * sloc, as SDM 3.3.6 describes and QEMU's putsum does it.
 */
static void putsum(uint8_t *data, uint32_t n, uint32_t sloc, uint32_t css, uint32_t cse)
{
	if (cse && cse < n)
		n = cse + 1;
	if (sloc + 1 < n)
		st16(data + sloc, csum_finish_nozero(css < n ? csum_add(data + css, n - css) : 0));
}

static void send_frame(struct e1000 *s, const uint8_t *buf, size_t size)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (s->phy[MII_BMCR] & MII_BMCR_LOOPBACK) {
		if (size && e1000_can_receive(s))
			e1000_receive(s, buf, size);
	} else if (size && size <= NET_FRAME_MAX && s->port) {
		(void)net_send(s->port, buf, size);
	} else if (size > NET_FRAME_MAX) {
		guest_err(s->pci.name, "TX frame of %zu bytes dropped (over %u)", size,
			  NET_FRAME_MAX);
	}
	if (!memcmp(buf, bcast, 6))
		e1000_inc_reg(s, E1000_BPTC);
	else if (buf[0] & 1)
		e1000_inc_reg(s, E1000_MPTC);
	e1000_size_stats(s, E1000_PTC64, size + 4);
}

/* The TSO header fields of this segment (SDM 3.5.4): lengths, IP ID, sequence number, flags. */
static void tso_fixup(struct e1000 *s, const struct e1000_tx_props *p)
{
	struct e1000_tx *tp = &s->tx;
	uint8_t *data = tp->frame + 4;
	unsigned frames = tp->tso_frames, css = p->ipcss;
	uint16_t len;

	if (p->ip) {
		st16(data + css + 2, (uint16_t)(tp->size - css));
		st16(data + css + 4, (uint16_t)(ld16(data + css + 4) + frames));
	} else {
		st16(data + css + 4, (uint16_t)(tp->size - css)); /* IPv6 payload length */
	}
	css = p->tucss;
	len = (uint16_t)(tp->size - css);
	if (p->tcp) {
		uint32_t sofar = frames * p->mss;

		st32(data + css + 4, ld32(data + css + 4) + sofar);
		if (p->paylen - sofar > p->mss)
			data[css + 13] &= (uint8_t)~9; /* PSH and FIN only on the last segment */
		else if (frames)
			e1000_inc_reg(s, E1000_TSCTC);
	} else {
		st16(data + css + 4, len); /* UDP length */
	}
	if (tp->sum_needed & E1000_TXD_POPTS_TXSM) {
		/* The pseudo-header sum the driver left lacks the length: add it. */
		uint8_t *sp = data + p->tucso;
		uint32_t phsum = ld16(sp) + len;

		st16(sp, (uint16_t)((phsum >> 16) + (phsum & 0xffff)));
	}
	tp->tso_frames++;
}

static void xmit_seg(struct e1000 *s)
{
	struct e1000_tx *tp = &s->tx;
	const struct e1000_tx_props *p = tp->cptse ? &tp->tso_props : &tp->props;
	uint8_t *data = tp->frame + 4;

	if (tp->cptse)
		tso_fixup(s, p);
	if (tp->sum_needed & E1000_TXD_POPTS_TXSM)
		putsum(data, tp->size, p->tucso, p->tucss, p->tucse);
	if (tp->sum_needed & E1000_TXD_POPTS_IXSM)
		putsum(data, tp->size, p->ipcso, p->ipcss, p->ipcse);
	if (tp->vlan_needed) {
		/* Destination and source addresses move 4 bytes up, the tag goes after them. */
		memmove(tp->frame, data, 12);
		memcpy(tp->frame + 12, tp->vlan_header, 4);
		send_frame(s, tp->frame, tp->size + 4);
	} else {
		send_frame(s, data, tp->size);
	}
	e1000_inc_reg(s, E1000_TPT);
	e1000_grow_8reg(s, E1000_TOTL, tp->size + 4);
	e1000_inc_reg(s, E1000_GPTC);
	e1000_grow_8reg(s, E1000_GOTCL, tp->size + 4);
}

/* SDM 3.3.6: the context descriptor's fields, little-endian in the 16 bytes. */
static void read_ctx(const uint8_t *d, struct e1000_tx_props *p)
{
	uint32_t op =
	    (uint32_t)d[8] | (uint32_t)d[9] << 8 | (uint32_t)d[10] << 16 | (uint32_t)d[11] << 24;

	p->ipcss = d[0];
	p->ipcso = d[1];
	p->ipcse = (uint16_t)(d[2] | d[3] << 8);
	p->tucss = d[4];
	p->tucso = d[5];
	p->tucse = (uint16_t)(d[6] | d[7] << 8);
	p->paylen = op & 0xfffff;
	p->hdr_len = d[13];
	p->mss = (uint16_t)(d[14] | d[15] << 8);
	p->ip = op & E1000_TXD_CMD_IP;
	p->tcp = op & E1000_TXD_CMD_TCP;
	p->tse = op & E1000_TXD_CMD_TSE;
}

/* Data of a TSO descriptor: cut into header + MSS segments as it arrives. */
static void tso_data(struct e1000 *s, uint64_t addr, uint32_t split, unsigned *budget)
{
	struct e1000_tx *tp = &s->tx;
	uint8_t *data = tp->frame + 4;
	uint32_t hdr = tp->tso_props.hdr_len, msh = hdr + tp->tso_props.mss, bytes;

	do {
		bytes = split;
		if (tp->size >= msh)
			return; /* no progress possible: CVE-2015-6815 */
		if (tp->size + bytes > msh)
			bytes = msh - tp->size;
		if (bytes > E1000_TX_BUF - tp->size)
			bytes = E1000_TX_BUF - tp->size;
		dma_read(s, addr, data + tp->size, bytes);
		if (tp->size + bytes >= hdr && tp->size < hdr)
			memcpy(tp->header, data, hdr);
		tp->size += bytes;
		addr += bytes;
		if (tp->size == msh) {
			xmit_seg(s);
			memcpy(data, tp->header, hdr);
			tp->size = hdr;
			if (*budget)
				(*budget)--;
		}
		split -= bytes;
	} while (bytes && split);
}

static void process_desc(struct e1000 *s, const uint8_t raw[16], unsigned *budget)
{
	struct e1000_tx *tp = &s->tx;
	uint32_t lower = (uint32_t)raw[8] | (uint32_t)raw[9] << 8 | (uint32_t)raw[10] << 16 |
			 (uint32_t)raw[11] << 24;
	uint32_t upper = (uint32_t)raw[12] | (uint32_t)raw[13] << 8 | (uint32_t)raw[14] << 16 |
			 (uint32_t)raw[15] << 24;
	uint32_t dtype = lower & (E1000_TXD_CMD_DEXT | E1000_TXD_DTYP_D);
	uint32_t split = lower & 0xffff;
	uint64_t addr = 0;

	for (unsigned i = 0; i < 8; i++)
		addr |= (uint64_t)raw[i] << (8 * i);
	s->mit_ide |= lower & E1000_TXD_CMD_IDE;
	if (dtype == E1000_TXD_CMD_DEXT) { /* context descriptor */
		if (lower & E1000_TXD_CMD_TSE) {
			read_ctx(raw, &tp->tso_props);
			tp->tso_frames = 0;
		} else {
			read_ctx(raw, &tp->props);
		}
		return;
	}
	if (dtype == (E1000_TXD_CMD_DEXT | E1000_TXD_DTYP_D)) { /* data descriptor */
		if (tp->size == 0)
			tp->sum_needed = (uint8_t)(upper >> 8);
		tp->cptse = lower & E1000_TXD_CMD_TSE;
	} else { /* legacy */
		tp->cptse = false;
	}
	if ((E1000_R(s, E1000_CTRL) & E1000_CTRL_VME) && (lower & E1000_TXD_CMD_VLE) &&
	    (tp->cptse || (lower & E1000_TXD_CMD_EOP))) {
		tp->vlan_needed = true;
		st16(tp->vlan_header, (uint16_t)E1000_R(s, E1000_VET));
		st16(tp->vlan_header + 2, (uint16_t)(upper >> 16));
	}
	if (tp->cptse) {
		tso_data(s, addr, split, budget);
	} else {
		if (split > E1000_TX_BUF - tp->size)
			split = E1000_TX_BUF - tp->size;
		dma_read(s, addr, tp->frame + 4 + tp->size, split);
		tp->size += split;
	}
	if (!(lower & E1000_TXD_CMD_EOP))
		return;
	if (!(tp->cptse && tp->size < tp->tso_props.hdr_len))
		xmit_seg(s);
	tp->tso_frames = 0;
	tp->sum_needed = 0;
	tp->vlan_needed = false;
	tp->size = 0;
	tp->cptse = false;
}

/* RS/RPS: report the descriptor done (DD) in its upper dword (SDM 3.3.3.2). */
static uint32_t writeback(struct e1000 *s, uint64_t base, const uint8_t raw[16])
{
	uint8_t upper[4];

	if (!(raw[11] & ((E1000_TXD_CMD_RS | E1000_TXD_CMD_RPS) >> 24)))
		return 0;
	memcpy(upper, raw + 12, 4);
	upper[0] = (uint8_t)((upper[0] | E1000_TXD_STAT_DD) &
			     ~(E1000_TXD_STAT_EC | E1000_TXD_STAT_LC | E1000_TXD_STAT_TU));
	dma_write(s, base + 12, upper, 4);
	return E1000_ICR_TXDW;
}

void e1000_start_xmit(struct e1000 *s)
{
	uint32_t tdh_start = E1000_R(s, E1000_TDH), cause = E1000_ICR_TXQE;
	uint64_t ring = (uint64_t)E1000_R(s, E1000_TDBAH) << 32 | (E1000_R(s, E1000_TDBAL) & ~0xfu);
	unsigned budget = TX_BUDGET;
	uint8_t raw[16];

	if (!(E1000_R(s, E1000_TCTL) & E1000_TCTL_EN) || s->tx.busy)
		return;
	s->tx.busy = true;
	while (E1000_R(s, E1000_TDH) != E1000_R(s, E1000_TDT)) {
		uint64_t base = ring + 16ull * E1000_R(s, E1000_TDH);

		if (!budget) {
			/* Yield: the rest of the ring runs from the loop (e1000_tx_resume). */
			e1000_tx_defer(s);
			break;
		}
		budget--;
		dma_read(s, base, raw, sizeof(raw));
		process_desc(s, raw, &budget);
		cause |= writeback(s, base, raw);
		if (++E1000_R(s, E1000_TDH) * 16ull >= E1000_R(s, E1000_TDLEN))
			E1000_R(s, E1000_TDH) = 0;
		if (E1000_R(s, E1000_TDH) == tdh_start ||
		    tdh_start >= E1000_R(s, E1000_TDLEN) / 16) {
			guest_err(s->pci.name, "TX ring: TDH wrapped at %u (TDT %u, TDLEN %u)",
				  tdh_start, E1000_R(s, E1000_TDT), E1000_R(s, E1000_TDLEN));
			break;
		}
	}
	s->tx.busy = false;
	e1000_set_ics(s, cause);
}
