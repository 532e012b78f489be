// SPDX-License-Identifier: GPL-2.0-only
/*
 * --record FILE: every ioreq the Xen platform handles, written in the trace
 * format (shared/docs/trace-format.md), so that `hvmdm --replay FILE` with
 * the same machine options drives the devices through the same requests.
 *
 *   single port I/O          inb/inw/inl ADDR, outb/outw/outl ADDR VAL
 *   MMIO, rep and PTR forms   ioreq pio|copy DIR ADDR SIZE COUNT DF PTR DATA
 *   PCI_CONFIG                pcicfg r|w SSSS:BB:DD.F REG SIZE [VAL]
 *   INVALIDATE                invalidate
 *   buffered writes           bufioreq ADDR SIZE VAL
 *
 * A PTR write (OUTS, MOVS to a device) reads guest memory: a `write` line
 * (in pieces of at most 1 KiB) carrying those bytes precedes it, so the
 * replayed request reads the same data. Only RAM is read for this (a buffer
 * in MMIO, rare, is noted as a comment: reading it would disturb a device). The answer to every
 * synchronous request follows as a `#=` comment, which replay skips and a diff can use. TIMEOFFSET
 * has no trace command and is kept as a comment.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dm/log.h"
#include "dm/machine.h"
#include "dm/xen/xen_int.h"

static const char WHO[] = "record";

#define REC_CHUNK 1024u

int xen_record_open(struct xen_platform *xp, const char *path)
{
	xp->record = fopen(path, "we");
	if (!xp->record) {
		int rc = -errno;

		dm_err(WHO, "--record %s: %s", path, strerror(-rc));
		return rc;
	}
	fprintf(xp->record, "# hvmdm recording of domain %u\n", xp->domid);
	return 0;
}

void xen_record_close(struct xen_platform *xp)
{
	if (xp->record && fclose(xp->record))
		dm_err(WHO, "closing the recording: %s", strerror(errno));
	xp->record = NULL;
}

static char size_letter(uint32_t size)
{
	return size == 1 ? 'b' : size == 2 ? 'w' : 'l';
}

/* The guest memory a PTR write will read, as write lines. */
static void record_ptr_data(struct xen_platform *xp, const struct dm_ioreq *r)
{
	static uint8_t buf[DM_IOREQ_MAX_COUNT * 8];
	uint64_t len, start, off;
	unsigned i;

	if (!r->count || r->count > DM_IOREQ_MAX_COUNT || !r->size || r->size > 8)
		return;
	len = (uint64_t)r->count * r->size;
	start = r->df ? r->data - (len - r->size) : r->data;
	/* Guest RAM only: reading a device here would change its state. */
	if (gm_read(&xp->m->mem, start, buf, len)) {
		fprintf(xp->record, "# guest memory 0x%" PRIx64 "+%" PRIu64 " unreadable\n", start,
			len);
		return;
	}
	for (off = 0; off < len; off += REC_CHUNK) {
		uint64_t n = len - off < REC_CHUNK ? len - off : REC_CHUNK;

		fprintf(xp->record, "write 0x%" PRIx64 " %" PRIu64 " 0x", start + off, n);
		for (i = 0; i < n; i++)
			fprintf(xp->record, "%02x", buf[off + i]);
		fputc('\n', xp->record);
	}
}

static void record_raw(FILE *f, const struct dm_ioreq *r)
{
	fprintf(f, "ioreq %s %c 0x%" PRIx64 " %u %u %u %u 0x%" PRIx64 "\n",
		r->type == DM_IOREQ_PIO ? "pio" : "copy", r->dir == DM_IOREQ_READ ? 'r' : 'w',
		r->addr, r->size, r->count, r->df, r->data_is_ptr, r->data);
}

static void record_pio(FILE *f, const struct dm_ioreq *r)
{
	if (r->dir == DM_IOREQ_READ)
		fprintf(f, "in%c 0x%" PRIx64 "\n", size_letter(r->size), r->addr);
	else
		fprintf(f, "out%c 0x%" PRIx64 " 0x%" PRIx64 "\n", size_letter(r->size), r->addr,
			r->data);
}

static void record_pcicfg(struct xen_platform *xp, const struct dm_ioreq *r)
{
	uint32_t sbdf = (uint32_t)(r->addr >> 32);
	uint32_t reg = (uint32_t)r->addr;
	uint64_t val = r->data;
	uint8_t b[4] = { 0 };
	FILE *f = xp->record;

	fprintf(f, "pcicfg %c %04x:%02x:%02x.%u %u %u", r->dir == DM_IOREQ_READ ? 'r' : 'w',
		sbdf >> 16, (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7, reg, r->size);
	if (r->dir == DM_IOREQ_WRITE) {
		if (r->data_is_ptr && r->size <= 4 && !gm_read(&xp->m->mem, r->data, b, r->size))
			val = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
			      (uint64_t)b[3] << 24;
		fprintf(f, " 0x%" PRIx64, val);
	}
	fputc('\n', f);
}

/* Recorded as inb/outb...: a single port access of 1, 2 or 4 bytes. */
static bool simple_pio(const struct dm_ioreq *r)
{
	return r->type == DM_IOREQ_PIO && !r->data_is_ptr && r->count == 1 &&
	       (r->size == 1 || r->size == 2 || r->size == 4);
}

void xen_record_request(struct xen_platform *xp, const struct dm_ioreq *r)
{
	FILE *f = xp->record;

	switch (r->type) {
	case DM_IOREQ_PIO:
	case DM_IOREQ_COPY:
		if (r->data_is_ptr && r->dir == DM_IOREQ_WRITE)
			record_ptr_data(xp, r);
		if (simple_pio(r))
			record_pio(f, r);
		else
			record_raw(f, r);
		break;
	case DM_IOREQ_PCI_CONFIG:
		record_pcicfg(xp, r);
		break;
	case DM_IOREQ_INVALIDATE:
		fputs("invalidate\n", f);
		break;
	case DM_IOREQ_TIMEOFFSET:
		fprintf(f, "# timeoffset %" PRId64 "\n", (int64_t)r->data);
		break;
	default:
		fprintf(f, "# malformed ioreq type %u dir %u addr 0x%" PRIx64 " size %u count %u\n",
			r->type, r->dir, r->addr, r->size, r->count);
		break;
	}
}

/* The answer replay gives to the line recorded for r (trace-format.md). */
void xen_record_answer(struct xen_platform *xp, const struct dm_ioreq *r, int rc)
{
	FILE *f = xp->record;
	bool in_out = simple_pio(r) || r->type == DM_IOREQ_PCI_CONFIG;

	if (in_out && r->dir == DM_IOREQ_READ)
		fprintf(f, "#= OK 0x%04" PRIx64 "\n", r->data);
	else if (!in_out && (r->type == DM_IOREQ_PIO || r->type == DM_IOREQ_COPY))
		fprintf(f, "#= OK 0x%016" PRIx64 "\n", r->data);
	else
		fputs("#= OK\n", f);
	if (rc)
		fprintf(f, "# (%s)\n", strerror(-rc));
	if (fflush(f))
		dm_err(WHO, "writing the recording: %s", strerror(errno));
}

void xen_record_buffered(struct xen_platform *xp, const struct dm_ioreq *r)
{
	if (r->type == DM_IOREQ_TIMEOFFSET)
		fprintf(xp->record, "# timeoffset %" PRId64 "\n", (int64_t)r->data);
	else if (r->type == DM_IOREQ_PIO && r->size <= 4)
		record_pio(xp->record, r);
	else
		fprintf(xp->record, "bufioreq 0x%" PRIx64 " %u 0x%" PRIx64 "\n", r->addr, r->size,
			r->data);
}
