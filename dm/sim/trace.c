// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace protocol (see trace.h and shared/docs/trace-format.md).
 *
 * Answers follow QEMU's system/qtest.c: "OK 0x%04x" for in*, "OK 0x%016"
 * PRIx64 for read*, "OK 0x" + lower-case hex for read, "OK <ns>" for the
 * clock, "FAIL Unknown command '<word>'" for anything unknown. Where QEMU
 * asserts (missing or bad argument, port above 0xffff) hvmdm answers
 * "FAIL <reason>" and changes nothing.
 *
 * Every access goes through ioreq_handle(), as a Xen ioreq would: in/out as
 * PIO requests, readX/writeX as COPY requests to MMIO when a region is
 * mapped there and to RAM otherwise (ioreq_phys_read/write), so a trace
 * exercises the very dispatch a guest does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/loop.h"
#include "dm/sim/sim.h"
#include "dm/sim/trace.h"

/* ---------------------------------------------------------------- parsing */

#define MAX_WORDS 10

struct words {
	char *w[MAX_WORDS];
	unsigned n;
};

__attribute__((format(printf, 3, 4))) static int perr(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A C literal: decimal, 0x hex or 0 octal, no sign, no junk, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;

	if (!s || !*s || *s == ' ' || *s == '\t')
		return -EINVAL;
	errno = 0;
	*out = strtoll(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static void split_words(char *s, struct words *w)
{
	w->n = 0;
	while (*s && w->n < MAX_WORDS) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		w->w[w->n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

/* Argument i as a number, or a FAIL naming it. */
static int arg_u64(const struct words *w, unsigned i, const char *what, uint64_t *out, char *err,
		   size_t errlen)
{
	if (i >= w->n)
		return perr(err, errlen, "%s: missing %s", w->w[0], what);
	if (parse_u64(w->w[i], out))
		return perr(err, errlen, "%s: %s '%s' is not a number", w->w[0], what, w->w[i]);
	return 0;
}

static unsigned width_of(char c)
{
	switch (c) {
	case 'b':
		return 1;
	case 'w':
		return 2;
	case 'l':
		return 4;
	case 'q':
		return 8;
	default:
		return 0;
	}
}

typedef int (*parse_fn)(struct words *w, struct trace_cmd *c, char *err, size_t errlen);

static int parse_out(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (arg_u64(w, 1, "port", &c->addr, err, errlen) ||
	    arg_u64(w, 2, "value", &c->val, err, errlen))
		return -EINVAL;
	if (c->addr > 0xffff)
		return perr(err, errlen, "%s: port 0x%" PRIx64 " above 0xffff", w->w[0], c->addr);
	return 0;
}

static int parse_in(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (arg_u64(w, 1, "port", &c->addr, err, errlen))
		return -EINVAL;
	if (c->addr > 0xffff)
		return perr(err, errlen, "%s: port 0x%" PRIx64 " above 0xffff", w->w[0], c->addr);
	return 0;
}

static int parse_writen(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (arg_u64(w, 1, "address", &c->addr, err, errlen) ||
	    arg_u64(w, 2, "value", &c->val, err, errlen))
		return -EINVAL;
	return 0;
}

static int parse_readn(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	return arg_u64(w, 1, "address", &c->addr, err, errlen);
}

static int check_span(struct words *w, struct trace_cmd *c, uint64_t max, char *err, size_t errlen)
{
	if (c->len == 0)
		return perr(err, errlen, "%s: zero length", w->w[0]);
	if (c->len > max)
		return perr(err, errlen, "%s: length %" PRIu64 " above %" PRIu64, w->w[0], c->len,
			    max);
	if (c->addr + c->len - 1 < c->addr)
		return perr(err, errlen, "%s: range wraps around", w->w[0]);
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* QEMU answers data shorter than 3 characters with this line, not FAIL (-ERANGE: verbatim). */
static int short_data(const struct words *w, char *err, size_t errlen)
{
	if (strlen(w->w[3]) >= 3)
		return 0;
	snprintf(err, errlen, "ERR invalid argument size");
	return -ERANGE;
}

static int parse_write(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	const char *hex;
	size_t digits;
	int ret;

	if (arg_u64(w, 1, "address", &c->addr, err, errlen) ||
	    arg_u64(w, 2, "size", &c->len, err, errlen))
		return -EINVAL;
	if (w->n < 4)
		return perr(err, errlen, "write: missing data");
	ret = short_data(w, err, errlen);
	if (ret)
		return ret;
	if (check_span(w, c, TRACE_SPAN_MAX, err, errlen))
		return -EINVAL;
	hex = w->w[3];
	if (hex[0] != '0' || (hex[1] | 0x20) != 'x')
		return perr(err, errlen, "write: data must start with 0x");
	hex += 2;
	digits = strlen(hex);
	for (size_t i = 0; i < digits; i++)
		if (hexval(hex[i]) < 0)
			return perr(err, errlen, "write: '%c' is not a hex digit", hex[i]);
	c->data = calloc(1, c->len);
	if (!c->data)
		return -ENOMEM;
	/* As QEMU: whole byte pairs only; bytes past the data given are zero. */
	for (size_t i = 0; i < c->len && 2 * i + 1 < digits; i++)
		c->data[i] = hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]);
	return 0;
}

static int b64val(char ch)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(alphabet, ch) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

/* b64write ADDR SIZE DATA (RFC 4648 base64, as g_base64_decode takes it). */
static int parse_b64write(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	const char *b;
	size_t n, out = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	int ret;

	if (arg_u64(w, 1, "address", &c->addr, err, errlen) ||
	    arg_u64(w, 2, "size", &c->len, err, errlen))
		return -EINVAL;
	if (w->n < 4)
		return perr(err, errlen, "b64write: missing data");
	ret = short_data(w, err, errlen);
	if (ret)
		return ret;
	if (check_span(w, c, TRACE_SPAN_MAX, err, errlen))
		return -EINVAL;
	b = w->w[3];
	n = strlen(b);
	while (n && b[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++)
		if (b64val(b[i]) < 0)
			return perr(err, errlen, "b64write: '%c' is not base64", b[i]);
	c->data = calloc(1, c->len);
	if (!c->data)
		return -ENOMEM;
	/* As QEMU: data shorter than SIZE leaves the rest (here: zeros), longer is cut. */
	for (size_t i = 0; i < n && out < c->len; i++) {
		acc = acc << 6 | (uint32_t)b64val(b[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c->data[out++] = (uint8_t)(acc >> bits);
		}
	}
	return 0;
}

static int parse_read(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (arg_u64(w, 1, "address", &c->addr, err, errlen) ||
	    arg_u64(w, 2, "size", &c->len, err, errlen))
		return -EINVAL;
	return check_span(w, c, TRACE_SPAN_MAX, err, errlen);
}

static int parse_memset(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (arg_u64(w, 1, "address", &c->addr, err, errlen) ||
	    arg_u64(w, 2, "size", &c->len, err, errlen) ||
	    arg_u64(w, 3, "value", &c->val, err, errlen))
		return -EINVAL;
	/* QEMU: "For 'memset' a zero size is permitted and does nothing." */
	if (c->len == 0)
		return 0;
	return check_span(w, c, TRACE_MEMSET_MAX, err, errlen);
}

static int parse_clock_step(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (w->n < 2)
		return 0;
	c->has_ns = true;
	if (parse_i64(w->w[1], &c->ns))
		return perr(err, errlen, "clock_step: '%s' is not a number", w->w[1]);
	return 0;
}

static int parse_clock_set(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (w->n < 2)
		return perr(err, errlen, "clock_set: missing time");
	if (parse_i64(w->w[1], &c->ns))
		return perr(err, errlen, "clock_set: '%s' is not a number", w->w[1]);
	return 0;
}

static int parse_intercept(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	if (w->n < 2)
		return perr(err, errlen, "%s: missing device path", w->w[0]);
	c->name = w->w[1];
	return 0;
}

static int parse_none(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	(void)w, (void)c, (void)err, (void)errlen;
	return 0;
}

static int parse_dir(const struct words *w, unsigned i, struct trace_cmd *c, char *err,
		     size_t errlen)
{
	if (i >= w->n)
		return perr(err, errlen, "%s: missing direction r|w", w->w[0]);
	if (!strcmp(w->w[i], "r"))
		c->req.dir = DM_IOREQ_READ;
	else if (!strcmp(w->w[i], "w"))
		c->req.dir = DM_IOREQ_WRITE;
	else
		return perr(err, errlen, "%s: direction '%s' is not r or w", w->w[0], w->w[i]);
	return 0;
}

static int arg_flag(const struct words *w, unsigned i, const char *what, bool *out, char *err,
		    size_t errlen)
{
	uint64_t v;

	if (arg_u64(w, i, what, &v, err, errlen))
		return -EINVAL;
	if (v > 1)
		return perr(err, errlen, "%s: %s must be 0 or 1", w->w[0], what);
	*out = v;
	return 0;
}

static int arg_u32(const struct words *w, unsigned i, const char *what, uint32_t *out, char *err,
		   size_t errlen)
{
	uint64_t v;

	if (arg_u64(w, i, what, &v, err, errlen))
		return -EINVAL;
	if (v > UINT32_MAX)
		return perr(err, errlen, "%s: %s %" PRIu64 " too large", w->w[0], what, v);
	*out = v;
	return 0;
}

/* ioreq pio|copy DIR ADDR SIZE COUNT DF PTR DATA: the fields go to the ioreq core as given. */
static int parse_ioreq(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	struct dm_ioreq *r = &c->req;

	if (w->n < 2)
		return perr(err, errlen, "ioreq: missing type pio|copy");
	if (!strcmp(w->w[1], "pio"))
		r->type = DM_IOREQ_PIO;
	else if (!strcmp(w->w[1], "copy"))
		r->type = DM_IOREQ_COPY;
	else
		return perr(err, errlen, "ioreq: type '%s' is not pio or copy", w->w[1]);
	if (parse_dir(w, 2, c, err, errlen) || arg_u64(w, 3, "address", &r->addr, err, errlen) ||
	    arg_u32(w, 4, "size", &r->size, err, errlen) ||
	    arg_u32(w, 5, "count", &r->count, err, errlen) ||
	    arg_flag(w, 6, "df", &r->df, err, errlen) ||
	    arg_flag(w, 7, "ptr", &r->data_is_ptr, err, errlen) ||
	    arg_u64(w, 8, "data", &r->data, err, errlen))
		return -EINVAL;
	return 0;
}

/* "0000:00:03.0" or "00:03.0" into seg << 16 | bus << 8 | devfn. */
static int parse_sbdf(const char *s, uint32_t *out)
{
	unsigned seg = 0, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%4x:%2x:%2x.%1u%n", &seg, &bus, &dev, &fn, &n) == 4 && !s[n])
		goto ok;
	seg = 0;
	n = 0;
	if (sscanf(s, "%2x:%2x.%1u%n", &bus, &dev, &fn, &n) == 3 && !s[n])
		goto ok;
	return -EINVAL;
ok:
	if (dev > 31 || fn > 7 || strchr(s, '-') || strchr(s, '+') || strchr(s, ' '))
		return -EINVAL;
	*out = seg << 16 | bus << 8 | dev << 3 | fn;
	return 0;
}

/* pcicfg r|w SBDF REG SIZE [VAL] */
static int parse_pcicfg(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	struct dm_ioreq *r = &c->req;
	uint32_t sbdf;
	uint64_t reg;

	if (parse_dir(w, 1, c, err, errlen))
		return -EINVAL;
	if (w->n < 3)
		return perr(err, errlen, "pcicfg: missing SBDF");
	if (parse_sbdf(w->w[2], &sbdf))
		return perr(err, errlen, "pcicfg: '%s' is not SSSS:BB:DD.F", w->w[2]);
	if (arg_u64(w, 3, "register", &reg, err, errlen) ||
	    arg_u32(w, 4, "size", &r->size, err, errlen))
		return -EINVAL;
	if (reg > 0xfff)
		return perr(err, errlen, "pcicfg: register 0x%" PRIx64 " above 0xfff", reg);
	if (r->dir == DM_IOREQ_WRITE && arg_u64(w, 5, "value", &r->data, err, errlen))
		return -EINVAL;
	r->type = DM_IOREQ_PCI_CONFIG;
	r->addr = (uint64_t)sbdf << 32 | reg;
	r->count = 1;
	return 0;
}

static int parse_invalidate(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	(void)w, (void)err, (void)errlen;
	/* As Xen sends it: size 4, data all ones, a write (xen-interface.md §2.4). */
	c->req = (struct dm_ioreq){ .type = DM_IOREQ_INVALIDATE,
				    .dir = DM_IOREQ_WRITE,
				    .size = 4,
				    .count = 1,
				    .data = ~0ull };
	return 0;
}

/* bufioreq ADDR SIZE VAL: what Xen buffers is a single direct write below 1 MiB (§2.6). */
static int parse_bufioreq(struct words *w, struct trace_cmd *c, char *err, size_t errlen)
{
	struct dm_ioreq *r = &c->req;

	if (arg_u64(w, 1, "address", &r->addr, err, errlen) ||
	    arg_u32(w, 2, "size", &r->size, err, errlen) ||
	    arg_u64(w, 3, "value", &r->data, err, errlen))
		return -EINVAL;
	if (r->addr > 0xfffff)
		return perr(err, errlen, "bufioreq: address 0x%" PRIx64 " above 0xfffff", r->addr);
	if (r->size != 1 && r->size != 2 && r->size != 4 && r->size != 8)
		return perr(err, errlen, "bufioreq: size %u is not 1, 2, 4 or 8", r->size);
	r->type = DM_IOREQ_COPY;
	r->dir = DM_IOREQ_WRITE;
	r->count = 1;
	return 0;
}

struct cmd_desc {
	const char *name;
	enum trace_op op;
	parse_fn parse;
};

/* The command table. Width-suffixed commands carry their width in the last letter. */
static const struct cmd_desc cmds[] = {
	{ "outb", TOP_OUT, parse_out },
	{ "outw", TOP_OUT, parse_out },
	{ "outl", TOP_OUT, parse_out },
	{ "inb", TOP_IN, parse_in },
	{ "inw", TOP_IN, parse_in },
	{ "inl", TOP_IN, parse_in },
	{ "writeb", TOP_WRITEN, parse_writen },
	{ "writew", TOP_WRITEN, parse_writen },
	{ "writel", TOP_WRITEN, parse_writen },
	{ "writeq", TOP_WRITEN, parse_writen },
	{ "readb", TOP_READN, parse_readn },
	{ "readw", TOP_READN, parse_readn },
	{ "readl", TOP_READN, parse_readn },
	{ "readq", TOP_READN, parse_readn },
	{ "write", TOP_WRITE, parse_write },
	{ "read", TOP_READ, parse_read },
	{ "b64write", TOP_WRITE, parse_b64write },
	{ "b64read", TOP_B64READ, parse_read },
	{ "memset", TOP_MEMSET, parse_memset },
	{ "clock_step", TOP_CLOCK_STEP, parse_clock_step },
	{ "clock_set", TOP_CLOCK_SET, parse_clock_set },
	{ "irq_intercept_in", TOP_IRQ_INTERCEPT_IN, parse_intercept },
	{ "irq_intercept_out", TOP_IRQ_INTERCEPT_OUT, parse_intercept },
	{ "endianness", TOP_ENDIANNESS, parse_none },
	{ "ioreq", TOP_IOREQ, parse_ioreq },
	{ "pcicfg", TOP_PCICFG, parse_pcicfg },
	{ "invalidate", TOP_INVALIDATE, parse_invalidate },
	{ "bufioreq", TOP_BUFIOREQ, parse_bufioreq },
};

static const struct cmd_desc *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int trace_parse(const char *line, size_t len, struct trace_cmd *c, char *err, size_t errlen)
{
	const struct cmd_desc *d;
	struct words w;
	int ret;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	if (len && line[len - 1] == '\r')
		len--;
	if (len > TRACE_LINE_MAX)
		return perr(err, errlen, "line longer than %u bytes", TRACE_LINE_MAX);
	if (memchr(line, '\0', len))
		return perr(err, errlen, "NUL byte in line");
	c->line = malloc(len + 1);
	if (!c->line)
		return -ENOMEM;
	memcpy(c->line, line, len);
	c->line[len] = '\0';
	/* A comment keeps its text (the demo narrates with it). */
	if (c->line[strspn(c->line, " \t")] == '#')
		return 0;
	split_words(c->line, &w);
	if (w.n == 0)
		return 0;
	d = find_cmd(w.w[0]);
	if (!d)
		return perr(err, errlen, "Unknown command '%.64s'", w.w[0]);
	c->size = width_of(d->name[strlen(d->name) - 1]);
	ret = d->parse(&w, c, err, errlen);
	if (ret)
		return ret;
	c->op = d->op;
	return 0;
}

void trace_cmd_free(struct trace_cmd *c)
{
	free(c->data);
	free(c->line);
	c->data = NULL;
	c->line = NULL;
}

/* ---------------------------------------------------------------- executing */

static void answer(struct trace_exec *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void answer(struct trace_exec *t, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!strncmp(buf, "FAIL", 4) || !strncmp(buf, "ERR", 3))
		t->fails++;
	t->out(t->opaque, buf);
}

static struct ioreq_ctx *io(struct trace_exec *t)
{
	return &t->sim->m.io;
}

static uint64_t do_pio(struct trace_exec *t, uint64_t port, unsigned size, bool write, uint64_t val)
{
	struct dm_ioreq r = { .type = DM_IOREQ_PIO,
			      .addr = port,
			      .size = size,
			      .count = 1,
			      .dir = write ? DM_IOREQ_WRITE : DM_IOREQ_READ,
			      .data = val };

	(void)ioreq_handle(io(t), &r);
	return r.data;
}

/* One naturally sized guest-physical access: MMIO if a region is mapped there, else RAM. */
static int phys_access(struct trace_exec *t, uint64_t gpa, void *buf, unsigned size, bool write)
{
	struct region *reg = bus_find_range(t->sim->m.bus, BUS_MMIO, gpa, size);

	if (reg) {
		struct dm_ioreq r = { .type = DM_IOREQ_COPY,
				      .addr = gpa,
				      .size = size,
				      .count = 1,
				      .dir = write ? DM_IOREQ_WRITE : DM_IOREQ_READ };

		if (write)
			memcpy(&r.data, buf, size);
		(void)ioreq_handle(io(t), &r);
		if (!write)
			memcpy(buf, &r.data, size);
		return 0;
	}
	return write ? ioreq_phys_write(io(t), gpa, buf, size)
		     : ioreq_phys_read(io(t), gpa, buf, size);
}

/*
 * Is gpa guest RAM? *end: where that RAM run ends (exclusive), or where the
 * next one starts (UINT64_MAX: none). Flat RAM is [0, low) and
 * [4 GiB, 4 GiB + size - low) (memory.h).
 */
static bool ram_run(const struct sim *s, uint64_t gpa, uint64_t *end)
{
	const uint64_t four_g = 1ull << 32;
	uint64_t low = s->ram.low_size, high_end = four_g + (s->ram.size - low);

	if (gpa < low) {
		*end = low;
		return true;
	}
	if (gpa < four_g) {
		*end = s->ram.size > low ? four_g : UINT64_MAX;
		return false;
	}
	if (gpa < high_end) {
		*end = high_end;
		return true;
	}
	*end = UINT64_MAX;
	return false;
}

/*
 * A run of bytes: RAM pieces go through in one call each, MMIO pieces a
 * byte at a time (as an unaligned memcpy to MMIO would). Where nothing at
 * all is mapped, reads give zeros and writes are dropped, as QEMU's x86
 * address space does for unassigned memory; such holes are skipped whole,
 * so a huge memset outside RAM costs nothing.
 */
static void phys_bulk(struct trace_exec *t, uint64_t gpa, uint8_t *buf, uint64_t len, bool write)
{
	/* Bytes past the top of the address space (a readq at ~0) are a hole. */
	if (gpa + len - 1 < gpa) {
		uint64_t fit = 0 - gpa;

		if (!write)
			memset(buf + fit, 0, len - fit);
		len = fit;
	}
	while (len) {
		struct region *reg = bus_find_range(t->sim->m.bus, BUS_MMIO, gpa, len);
		uint64_t n, end;
		bool ram;
		int ret;

		if (reg && reg->base <= gpa) {
			if (phys_access(t, gpa, buf, 1, write) && !write)
				*buf = 0;
			n = 1;
		} else {
			n = reg ? reg->base - gpa : len;
			ram = ram_run(t->sim, gpa, &end);
			if (end != UINT64_MAX && end - gpa < n)
				n = end - gpa;
			ret = !ram    ? -EFAULT
			      : write ? ioreq_phys_write(io(t), gpa, buf, (uint32_t)n)
				      : ioreq_phys_read(io(t), gpa, buf, (uint32_t)n);
			if (ret && !write)
				memset(buf, 0, n);
		}
		gpa += n;
		buf += n;
		len -= n;
	}
}

static void exec_out(struct trace_exec *t, struct trace_cmd *c)
{
	/* As cpu_outb/w/l: the value is cut to the access width. */
	do_pio(t, c->addr, c->size, true, c->val & (~0ull >> (64 - 8 * c->size)));
	answer(t, "OK\n");
}

static void exec_in(struct trace_exec *t, struct trace_cmd *c)
{
	uint32_t v = do_pio(t, c->addr, c->size, false, 0);

	answer(t, "OK 0x%04x\n", v);
}

static void exec_writen(struct trace_exec *t, struct trace_cmd *c)
{
	uint64_t v = c->val; /* little-endian host: the low bytes are the value */

	if (phys_access(t, c->addr, &v, c->size, true))
		phys_bulk(t, c->addr, (uint8_t *)&v, c->size, true);
	answer(t, "OK\n");
}

static void exec_readn(struct trace_exec *t, struct trace_cmd *c)
{
	uint64_t v = 0;

	if (phys_access(t, c->addr, &v, c->size, false)) {
		v = 0;
		phys_bulk(t, c->addr, (uint8_t *)&v, c->size, false);
	}
	answer(t, "OK 0x%016" PRIx64 "\n", v);
}

static void exec_write(struct trace_exec *t, struct trace_cmd *c)
{
	phys_bulk(t, c->addr, c->data, c->len, true);
	answer(t, "OK\n");
}

static void exec_read(struct trace_exec *t, struct trace_cmd *c)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *data = calloc(1, c->len);
	char *s = malloc(2 * c->len + 7); /* "OK 0x", the digits, "\n", NUL */

	if (!data || !s) {
		free(data);
		free(s);
		answer(t, "FAIL out of memory\n");
		return;
	}
	phys_bulk(t, c->addr, data, c->len, false);
	memcpy(s, "OK 0x", 5);
	for (uint64_t i = 0; i < c->len; i++) {
		s[5 + 2 * i] = hex[data[i] >> 4];
		s[6 + 2 * i] = hex[data[i] & 15];
	}
	s[5 + 2 * c->len] = '\n';
	s[6 + 2 * c->len] = '\0';
	t->out(t->opaque, s);
	free(s);
	free(data);
}

static void exec_b64read(struct trace_exec *t, struct trace_cmd *c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t *d = calloc(1, c->len + 2);
	char *s = malloc(4 * (c->len / 3 + 1) + 5);
	size_t o = 3;

	if (!d || !s) {
		free(d);
		free(s);
		answer(t, "FAIL out of memory\n");
		return;
	}
	phys_bulk(t, c->addr, d, c->len, false);
	memcpy(s, "OK ", 3);
	for (uint64_t i = 0; i < c->len; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
		uint64_t left = c->len - i;

		s[o++] = alphabet[v >> 18];
		s[o++] = alphabet[(v >> 12) & 63];
		s[o++] = left > 1 ? alphabet[(v >> 6) & 63] : '=';
		s[o++] = left > 2 ? alphabet[v & 63] : '=';
	}
	s[o++] = '\n';
	s[o] = '\0';
	t->out(t->opaque, s);
	free(s);
	free(d);
}

static void exec_memset(struct trace_exec *t, struct trace_cmd *c)
{
	uint8_t chunk[4096];
	uint64_t done = 0;

	memset(chunk, (int)(c->val & 0xff), sizeof(chunk));
	while (done < c->len) {
		uint64_t n = c->len - done < sizeof(chunk) ? c->len - done : sizeof(chunk);

		phys_bulk(t, c->addr + done, chunk, n, true);
		memset(chunk, (int)(c->val & 0xff), sizeof(chunk));
		done += n;
	}
	answer(t, "OK\n");
}

/*
 * QEMU 7.2's answers (softmmu/qtest.c), which later QEMUs turned into FAILs:
 * the clock only moves forward, and whatever is asked, the answer is OK with
 * the clock as it now is. A step with no pending deadline, a step of 0 or
 * less and a set into the past leave it where it is.
 */
static void exec_clock_step(struct trace_exec *t, struct trace_cmd *c)
{
	struct loop *loop = t->sim->m.loop;
	uint64_t now = loop_now(loop), ns = 0;

	if (c->has_ns) {
		if (c->ns > 0)
			ns = (uint64_t)c->ns;
	} else {
		uint64_t next = loop_next_deadline(loop);

		if (next != UINT64_MAX && next > now)
			ns = next - now;
	}
	if (ns > (uint64_t)INT64_MAX - now)
		ns = (uint64_t)INT64_MAX - now;
	if (ns)
		now = loop_clock_step(loop, ns);
	answer(t, "OK %" PRIi64 "\n", (int64_t)now);
}

static void exec_clock_set(struct trace_exec *t, struct trace_cmd *c)
{
	struct loop *loop = t->sim->m.loop;
	uint64_t now = loop_now(loop);

	if (c->ns >= 0 && (uint64_t)c->ns > now)
		now = loop_clock_set(loop, (uint64_t)c->ns);
	answer(t, "OK %" PRIi64 "\n", (int64_t)now);
}

/* The one interrupt controller a client can intercept, as QEMU's PC calls it. */
static bool is_ioapic(const char *path)
{
	return !strcmp(path, "ioapic") || !strcmp(path, "/machine/ioapic");
}

/*
 * As QEMU: the first intercept binds the device; asking again for the same
 * device answers OK and changes nothing. The IOAPIC has no GPIO outputs, so
 * irq_intercept_out binds it with nothing reported (and a later
 * irq_intercept_in then reports nothing either).
 */
static void exec_intercept_in(struct trace_exec *t, struct trace_cmd *c)
{
	if (!is_ioapic(c->name)) {
		answer(t, "FAIL Unknown device\n");
		return;
	}
	if (!t->intercept_bound)
		sim_irq_intercept(t->sim);
	t->intercept_bound = true;
	answer(t, "OK\n");
}

static void exec_intercept_out(struct trace_exec *t, struct trace_cmd *c)
{
	if (!is_ioapic(c->name)) {
		answer(t, "FAIL Unknown device\n");
		return;
	}
	t->intercept_bound = true;
	answer(t, "OK\n");
}

static void exec_endianness(struct trace_exec *t, struct trace_cmd *c)
{
	(void)c;
	answer(t, "OK little\n");
}

static void exec_ioreq(struct trace_exec *t, struct trace_cmd *c)
{
	(void)ioreq_handle(io(t), &c->req);
	answer(t, "OK 0x%016" PRIx64 "\n", c->req.data);
}

static void exec_pcicfg(struct trace_exec *t, struct trace_cmd *c)
{
	(void)ioreq_handle(io(t), &c->req);
	if (c->req.dir == DM_IOREQ_READ)
		answer(t, "OK 0x%04x\n", (uint32_t)c->req.data);
	else
		answer(t, "OK\n");
}

static void exec_plain_ioreq(struct trace_exec *t, struct trace_cmd *c)
{
	(void)ioreq_handle(io(t), &c->req);
	answer(t, "OK\n");
}

typedef void (*exec_fn)(struct trace_exec *t, struct trace_cmd *c);

static const exec_fn exec_table[] = {
	[TOP_OUT] = exec_out,
	[TOP_IN] = exec_in,
	[TOP_WRITEN] = exec_writen,
	[TOP_READN] = exec_readn,
	[TOP_WRITE] = exec_write,
	[TOP_READ] = exec_read,
	[TOP_B64READ] = exec_b64read,
	[TOP_MEMSET] = exec_memset,
	[TOP_CLOCK_STEP] = exec_clock_step,
	[TOP_CLOCK_SET] = exec_clock_set,
	[TOP_IRQ_INTERCEPT_IN] = exec_intercept_in,
	[TOP_IRQ_INTERCEPT_OUT] = exec_intercept_out,
	[TOP_ENDIANNESS] = exec_endianness,
	[TOP_IOREQ] = exec_ioreq,
	[TOP_PCICFG] = exec_pcicfg,
	[TOP_INVALIDATE] = exec_plain_ioreq,
	[TOP_BUFIOREQ] = exec_plain_ioreq,
};

static void irq_to_out(void *opaque, const char *line)
{
	struct trace_exec *t = opaque;

	t->out(t->opaque, line);
}

void trace_exec_init(struct trace_exec *t, struct sim *sim,
		     void (*out)(void *opaque, const char *line), void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->sim = sim;
	t->out = out;
	t->opaque = opaque;
	sim->irq_out = irq_to_out;
	sim->irq_opaque = t;
}

void trace_exec_fini(struct trace_exec *t)
{
	if (t->sim && t->sim->irq_opaque == t) {
		t->sim->irq_out = NULL;
		t->sim->irq_opaque = NULL;
	}
}

void trace_exec_line(struct trace_exec *t, const char *line, size_t len)
{
	struct trace_cmd c;
	char err[160];
	int ret = trace_parse(line, len, &c, err, sizeof(err));

	if (!ret && c.op == TOP_NONE) {
		if (t->comment && c.line && c.line[0])
			t->comment(t->opaque, c.line);
		trace_cmd_free(&c);
		return;
	}
	t->commands++;
	if (t->command) {
		char *text = strndup(line, len);

		if (text)
			text[strcspn(text, "\r")] = '\0';
		t->command(t->opaque, text ? text : "");
		free(text);
	}
	if (ret) {
		if (ret == -ERANGE)
			answer(t, "%s\n", err);
		else
			answer(t, "FAIL %s\n", ret == -ENOMEM ? "out of memory" : err);
	} else {
		exec_table[c.op](t, &c);
	}
	trace_cmd_free(&c);
	sim_after_command(t->sim);
}

void trace_exec_overlong(struct trace_exec *t)
{
	t->commands++;
	if (t->command)
		t->command(t->opaque, "(overlong line)");
	answer(t, "FAIL line longer than %u bytes\n", TRACE_LINE_MAX);
}

/* ---------------------------------------------------------------- line reader */

int trace_reader_init(struct trace_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->buf = malloc(TRACE_LINE_MAX + 1);
	return r->buf ? 0 : -ENOMEM;
}

void trace_reader_fini(struct trace_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

void trace_reader_feed(struct trace_reader *r, const char *data, size_t n,
		       void (*fn)(void *opaque, const char *line, size_t len), void *opaque)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (r->discarding) {
			/* The rest of an overlong line, already answered. */
		} else if (r->len + take > TRACE_LINE_MAX + 1) {
			r->discarding = true;
			r->len = 0;
			fn(opaque, NULL, 0);
		} else if (nl && r->len == 0) {
			/* The whole line is in data: no copy. */
			fn(opaque, data, take);
		} else {
			memcpy(r->buf + r->len, data, take);
			r->len += take;
		}
		if (!nl)
			return;
		if (!r->discarding && r->len) {
			/* A line of TRACE_LINE_MAX + 1 bytes is overlong unless that byte is a CR.
			 */
			fn(opaque, r->buf, r->len);
		}
		r->len = 0;
		r->discarding = false;
		data = nl + 1;
		n -= take + 1;
	}
}

void trace_reader_finish(struct trace_reader *r,
			 void (*fn)(void *opaque, const char *line, size_t len), void *opaque)
{
	if (!r->discarding && r->len)
		fn(opaque, r->buf, r->len);
	r->len = 0;
	r->discarding = false;
}
