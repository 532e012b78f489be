// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 82540EM receive path (8254x SDM ch. 3.2): the filters of RCTL
 * (13.4.22: UPE/MPE promiscuous, BAM broadcast, MO multicast-table offset),
 * the exact address filters RAL/RAH (13.4.25), the multicast table array
 * MTA (13.4.26), the VLAN filter VFTA with RCTL.VFE (13.4.27) and VLAN tag
 * stripping with CTRL.VME (3.2.7.1); then the descriptor ring
 * RDBAL/RDBAH/RDLEN with the hardware's RDH chasing software's RDT, buffers
 * of RCTL.BSIZE/BSEX bytes (3.2.2), a frame spread over as many descriptors
 * as it needs (EOP on the last), and the RXT0 / RXDMT0 / RXO interrupts.
 *
 * As QEMU 7.2 does it (hw/net/e1000.c e1000_receive_iov), so a guest sees
 * the same descriptors. The guest is hostile:
 *  - a frame is taken only when the ring has room for all of it
 *    (e1000_has_rxbufs); otherwise it is dropped with RXO and the missed
 *    packet counters, never queued without bound (dm/net.h flow control
 *    asks can_receive first, so a backend holds frames rather than lose them);
 *  - the walk over descriptors stops when RDH comes back to where it
 *    started or started outside the ring, as QEMU (CVE-2016-1981's shape);
 *    a descriptor with a null buffer is skipped (SDM 3.2.3) and counts
 *    against that bound;
 *  - frames longer than RCTL allows (1522 bytes without LPE, 16384 with;
 *    SBP lifts both) are dropped and counted in ROC (CVE-2012-6075 was a
 *    model writing an oversized frame past the guest's buffer);
 *  - guest memory is written only through gm_write, one buffer of at most
 *    rxbuf_size bytes at a time.
 *
 * Left out: receive checksum offload (RXCSUM; status IXSM says "ignore the
 * checksum", as QEMU sets it), RDTR/RADV delays beyond the mitigation timer,
 * flexible filters and wake-up.
 */
#include <stdint.h>
#include <string.h>

#include "dm/memory.h"
#include "dm/net.h"
#include "hw/net/e1000_int.h"

#define ETH_ZLEN	 60   /* shortest frame without FCS: padded to this */
#define RX_MAX_VLAN_SIZE 1522 /* QEMU 7.2's limit without RCTL.LPE */
#define RX_MAX_LPE_SIZE	 16384

/* RCTL.BSIZE with BSEX (SDM 13.4.22, table 13-67); the reserved combinations give 2048. */
uint32_t e1000_rxbufsize(uint32_t rctl)
{
	unsigned sz = (rctl & E1000_RCTL_SZ_MASK) >> E1000_RCTL_SZ_SHIFT;

	if (rctl & E1000_RCTL_BSEX) {
		static const uint32_t ext[4] = { 2048, 16384, 8192, 4096 };

		return ext[sz];
	}
	return (uint32_t[]){ 2048, 1024, 512, 256 }[sz];
}

static size_t ring_entries(const struct e1000 *s)
{
	return E1000_R(s, E1000_RDLEN) / sizeof(struct e1000_rx_desc);
}

bool e1000_has_rxbufs(const struct e1000 *s, size_t total)
{
	int64_t rdh = E1000_R(s, E1000_RDH), rdt = E1000_R(s, E1000_RDT), bufs;

	if (total <= s->rxbuf_size)
		return rdh != rdt;
	if (rdh < rdt)
		bufs = rdt - rdh;
	else if (rdh > rdt)
		bufs = (int64_t)ring_entries(s) + rdt - rdh;
	else
		return false;
	return bufs > 0 && (uint64_t)total <= (uint64_t)bufs * s->rxbuf_size;
}

bool e1000_can_receive(void *opaque)
{
	struct e1000 *s = opaque;

	return !s->unplugged && (E1000_R(s, E1000_STATUS) & E1000_STATUS_LU) &&
	       (E1000_R(s, E1000_RCTL) & E1000_RCTL_EN) && e1000_bus_master(s) &&
	       e1000_has_rxbufs(s, 1) && !timer_pending(&s->flush_timer);
}

static bool is_vlan(const struct e1000 *s, const uint8_t *f)
{
	return (uint16_t)(f[12] << 8 | f[13]) == (uint16_t)E1000_R(s, E1000_VET);
}

/* RAL/RAH pairs with Address Valid, then the MTA hash of the destination (SDM 13.4.26). */
static bool group_filter(struct e1000 *s, const uint8_t *dst)
{
	static const unsigned mta_shift[4] = { 4, 3, 2, 0 };
	uint32_t rctl = E1000_R(s, E1000_RCTL), f;

	for (unsigned i = 0; i < E1000_RA_PAIRS; i++) {
		uint32_t lo = E1000_R(s, E1000_RA + 8 * i), hi = E1000_R(s, E1000_RA + 8 * i + 4);
		uint8_t ra[6] = { (uint8_t)lo,	       (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
				  (uint8_t)(lo >> 24), (uint8_t)hi,	   (uint8_t)(hi >> 8) };

		if ((hi & E1000_RAH_AV) && !memcmp(dst, ra, 6))
			return true;
	}
	f = mta_shift[(rctl >> E1000_RCTL_MO_SHIFT) & 3];
	f = ((uint32_t)(dst[5] << 8 | dst[4]) >> f) & 0xfff;
	if (E1000_R(s, E1000_MTA + 4 * (f >> 5)) & (1u << (f & 0x1f))) {
		e1000_inc_reg(s, E1000_MPRC);
		return true;
	}
	return false;
}

/* QEMU 7.2's receive_filter: VLAN filter first, then promiscuous, broadcast, exact, hash. */
bool e1000_rx_filter(struct e1000 *s, const uint8_t *f, size_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t rctl = E1000_R(s, E1000_RCTL);
	bool isbcast = !memcmp(f, bcast, 6), ismcast = f[0] & 1;

	if (len < 18)
		return false;
	if (is_vlan(s, f) && (rctl & E1000_RCTL_VFE)) {
		unsigned vid = (unsigned)(f[14] << 8 | f[15]) & 0xfff;

		if (!(E1000_R(s, E1000_VFTA + 4 * (vid >> 5)) & (1u << (vid & 0x1f))))
			return false;
	}
	if (!isbcast && !ismcast && (rctl & E1000_RCTL_UPE))
		return true;
	if (ismcast && (rctl & E1000_RCTL_MPE)) {
		e1000_inc_reg(s, E1000_MPRC);
		return true;
	}
	if (isbcast && (rctl & E1000_RCTL_BAM)) {
		e1000_inc_reg(s, E1000_BPRC);
		return true;
	}
	return group_filter(s, f);
}

/* The frame as the guest gets it: f with the 4 tag bytes after the addresses taken out. */
struct rx_frame {
	const uint8_t *f;
	size_t size; /* after stripping */
	bool strip;
};

static bool rx_dma(struct e1000 *s, uint64_t gpa, const void *buf, size_t len)
{
	struct guest_mem *gm = e1000_gm(s);

	if (!len)
		return true;
	if (gm && e1000_bus_master(s) && !gm_write(gm, gpa, buf, len))
		return true;
	guest_err(s->pci.name, "RX DMA write of %zu bytes at %#llx failed", len,
		  (unsigned long long)gpa);
	return false;
}

/* Bytes [off, off + len) of the stripped frame to guest address gpa. */
static void rx_copy(struct e1000 *s, const struct rx_frame *fr, size_t off, size_t len,
		    uint64_t gpa)
{
	if (fr->strip && off < 12) {
		size_t head = len < 12 - off ? len : 12 - off;

		rx_dma(s, gpa, fr->f + off, head);
		off += head;
		gpa += head;
		len -= head;
	}
	rx_dma(s, gpa, fr->f + off + (fr->strip ? 4 : 0), len);
}

static void rx_overrun(struct e1000 *s)
{
	e1000_inc_reg(s, E1000_RNBC);
	e1000_inc_reg(s, E1000_MPC);
	e1000_set_ics(s, E1000_ICR_RXO);
}

static void desc_write(struct e1000 *s, uint64_t base, const struct e1000_rx_desc *d)
{
	uint8_t raw[16];

	for (unsigned i = 0; i < 8; i++)
		raw[i] = (uint8_t)(d->buffer_addr >> (8 * i));
	raw[8] = (uint8_t)d->length;
	raw[9] = (uint8_t)(d->length >> 8);
	raw[10] = (uint8_t)d->csum;
	raw[11] = (uint8_t)(d->csum >> 8);
	raw[12] = d->status;
	raw[13] = d->errors;
	raw[14] = (uint8_t)d->special;
	raw[15] = (uint8_t)(d->special >> 8);
	rx_dma(s, base, raw, sizeof(raw));
}

static void desc_read(struct e1000 *s, uint64_t base, struct e1000_rx_desc *d)
{
	struct guest_mem *gm = e1000_gm(s);
	uint8_t raw[16];

	if (!gm || !e1000_bus_master(s) || gm_read(gm, base, raw, sizeof(raw)))
		memset(raw, 0, sizeof(raw));
	d->buffer_addr = 0;
	for (unsigned i = 0; i < 8; i++)
		d->buffer_addr |= (uint64_t)raw[i] << (8 * i);
	d->length = (uint16_t)(raw[8] | raw[9] << 8);
	d->csum = (uint16_t)(raw[10] | raw[11] << 8);
	d->status = raw[12];
	d->errors = raw[13];
	d->special = (uint16_t)(raw[14] | raw[15] << 8);
}

/* Spread the frame over descriptors from RDH; false when the ring ran out (overrun). */
static bool rx_ring(struct e1000 *s, const struct rx_frame *fr, size_t total, uint16_t special,
		    uint8_t vlan_status)
{
	uint64_t ring = (uint64_t)E1000_R(s, E1000_RDBAH) << 32 | (E1000_R(s, E1000_RDBAL) & ~0xfu);
	uint32_t rdh_start = E1000_R(s, E1000_RDH);
	size_t done = 0;

	do {
		uint64_t base = ring + 16ull * E1000_R(s, E1000_RDH);
		size_t desc_size = total - done < s->rxbuf_size ? total - done : s->rxbuf_size;
		struct e1000_rx_desc d;

		desc_read(s, base, &d);
		d.special = special;
		d.status &= (uint8_t)~E1000_RXD_STAT_DD;
		if (d.buffer_addr) {
			if (done < fr->size) {
				size_t n = fr->size - done;

				rx_copy(s, fr, done, n < s->rxbuf_size ? n : s->rxbuf_size,
					d.buffer_addr);
			}
			done += desc_size;
			d.length = (uint16_t)desc_size;
			if (done >= total)
				d.status |= E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM;
			else
				d.status &= (uint8_t)~E1000_RXD_STAT_EOP;
		}
		desc_write(s, base, &d);
		/* DD last, in its own write, so a driver polling DD sees a whole descriptor. */
		d.status |= vlan_status | E1000_RXD_STAT_DD;
		rx_dma(s, base + 12, &d.status, 1);
		if (++E1000_R(s, E1000_RDH) * 16ull >= E1000_R(s, E1000_RDLEN))
			E1000_R(s, E1000_RDH) = 0;
		if (E1000_R(s, E1000_RDH) == rdh_start || rdh_start >= ring_entries(s)) {
			guest_err(s->pci.name, "RX ring: RDH wrapped at %u (RDT %u, RDLEN %u)",
				  rdh_start, E1000_R(s, E1000_RDT), E1000_R(s, E1000_RDLEN));
			rx_overrun(s);
			return false;
		}
	} while (done < total);
	return true;
}

/* 7.2's e1000x_update_rx_total_stats: sizes with the FCS; good = total counts. */
static void rx_stats(struct e1000 *s, size_t size, size_t total)
{
	e1000_size_stats(s, E1000_PRC64, total);
	e1000_inc_reg(s, E1000_TPR);
	E1000_R(s, E1000_GPRC) = E1000_R(s, E1000_TPR);
	e1000_grow_8reg(s, E1000_TORL, size + 4);
	E1000_R(s, E1000_GORCL) = E1000_R(s, E1000_TORL);
	E1000_R(s, E1000_GORCH) = E1000_R(s, E1000_TORH);
}

void e1000_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct e1000 *s = opaque;
	uint32_t rctl = E1000_R(s, E1000_RCTL), cause = E1000_ICR_RXT0;
	uint8_t min_buf[ETH_ZLEN];
	struct rx_frame fr = { frame, len, false };
	uint16_t special = 0;
	uint8_t vlan_status = 0;
	size_t total, rdt;

	if (s->unplugged || !len || !(E1000_R(s, E1000_STATUS) & E1000_STATUS_LU) ||
	    !(rctl & E1000_RCTL_EN))
		return;
	if (len < ETH_ZLEN) {
		memcpy(min_buf, frame, len);
		memset(min_buf + len, 0, ETH_ZLEN - len);
		fr.f = min_buf;
		fr.size = ETH_ZLEN;
	}
	if ((fr.size > RX_MAX_LPE_SIZE ||
	     (fr.size > RX_MAX_VLAN_SIZE && !(rctl & E1000_RCTL_LPE))) &&
	    !(rctl & E1000_RCTL_SBP)) {
		e1000_inc_reg(s, E1000_ROC);
		return;
	}
	if (!e1000_rx_filter(s, fr.f, fr.size))
		return;
	if ((E1000_R(s, E1000_CTRL) & E1000_CTRL_VME) && is_vlan(s, fr.f)) {
		special = (uint16_t)(fr.f[14] << 8 | fr.f[15]);
		fr.strip = true;
		fr.size -= 4;
		vlan_status = E1000_RXD_STAT_VP;
	}
	total = fr.size + ((rctl & E1000_RCTL_SECRC) ? 0 : 4);
	if (!e1000_has_rxbufs(s, total)) {
		rx_overrun(s);
		return;
	}
	if (!rx_ring(s, &fr, total, special, vlan_status))
		return;
	rx_stats(s, fr.size, total);
	rdt = E1000_R(s, E1000_RDT);
	if (rdt < E1000_R(s, E1000_RDH))
		rdt += ring_entries(s);
	if ((rdt - E1000_R(s, E1000_RDH)) * 16 <= (E1000_R(s, E1000_RDLEN) >> s->rxbuf_min_shift))
		cause |= E1000_ICR_RXDMT0;
	e1000_set_ics(s, cause);
}
