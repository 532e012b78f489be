// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic libFuzzer target: the input is a sequence of ioreq-shaped
 * operations, each an opcode byte and fixed-size little-endian arguments,
 * run as trace lines on a fresh machine of one configuration (configs.c).
 * Region operations pick one of the regions the machine claimed (bus_for_each
 * after the firmware-like set-up) and an offset inside it; absolute forms
 * exist so that recorded traces encode exactly (--encode).
 *
 *   op                 arguments                        becomes
 *   REGION_READ        u8 region, u32 off, u8 size      inb/inw/inl | readb..readq
 *   REGION_WRITE       ... + u64 value                  outb.. | writeb..
 *   PIO_READ/WRITE     u16 port, u8 size [, u32 value]  in*, out*
 *   MMIO_READ/WRITE    u64 addr, u8 size [, u64 value]  read*, write*
 *   PCI_READ/WRITE     u8 mode, u8 devfn, u16 reg [, u32 value]   pcicfg r|w
 *   REP                u8 region, u32 off, u8 flags, u16 count, u32 data   ioreq (rep, PTR)
 *   REP_ABS            u8 flags, u64 addr, u32 count, u64 data             ioreq as given
 *   CLOCK              u32 ns (0: to the next deadline)  clock_step
 *   PATTERN            u8 len, u8 index, u8 stride, len bytes   (DMA fill pattern)
 *   RAM_WRITE          u32 gpa, u8 len, len bytes       write
 *   INVALIDATE                                          invalidate
 *   BUFIOREQ           u32 addr, u8 size, u64 value     bufioreq
 *
 * The machine configuration: $FUZZ_CONFIG, else the program's name
 * (fuzz-NAME), else "chipset". Besides fuzzing (libFuzzer's own flags):
 *   fuzz-NAME --list-configs
 *   fuzz-NAME --reproduce INPUT [OUT.trace]   the input as a trace (stdout)
 *   fuzz-NAME --check-trace TRACE             run a trace with the harness checks
 *   fuzz-NAME --encode TRACE OUT              a trace as an input (seeds)
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/harness.h"

enum op {
	OP_REGION_READ,
	OP_REGION_WRITE,
	OP_PIO_READ,
	OP_PIO_WRITE,
	OP_MMIO_READ,
	OP_MMIO_WRITE,
	OP_PCI_READ,
	OP_PCI_WRITE,
	OP_REP,
	OP_REP_ABS,
	OP_CLOCK,
	OP_PATTERN,
	OP_RAM_WRITE,
	OP_INVALIDATE,
	OP_BUFIOREQ,
	OP_COUNT
};

/* Longest virtual time one CLOCK op moves (0.1 s): periodic timers fire at every period. */
#define CLOCK_MAX_NS 100000000u

static struct harness H;
static bool ready;
static bool reproducing;
static int repro_fd = 2;
static bool reported;
static bool death_set;

extern void __sanitizer_set_death_callback(void (*cb)(void));
static void on_death(void);

static void put_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* ---------------------------------------------------------------- input reader */

struct rd {
	const uint8_t *p;
	size_t n, pos;
	bool eof;
};

static uint64_t get(struct rd *r, unsigned bytes)
{
	uint64_t v = 0;

	if (r->n - r->pos < bytes) {
		r->eof = true;
		r->pos = r->n;
		return 0;
	}
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->pos + i] << (8 * i);
	r->pos += bytes;
	return v;
}

/* v cut to an access of bytes bytes, as the trace executor cuts it. */
static uint64_t cut(uint64_t v, unsigned bytes)
{
	return bytes >= 8 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

static const char pio_suffix[] = "bwl";
static const char mem_suffix[] = "bwlq";

static uint64_t ram_bytes(void)
{
	uint64_t b = H.sim.ram.low_size;

	return b ? b : 1;
}

static void region_access(struct rd *r, bool write)
{
	unsigned idx = get(r, 1);
	uint64_t off = get(r, 4);
	unsigned sz = get(r, 1);
	uint64_t val = write ? get(r, 8) : 0;
	const struct fuzz_region *g;

	if (r->eof || !H.nregions)
		return;
	g = &H.regions[idx % H.nregions];
	off %= g->len;
	if (g->space == BUS_PIO) {
		sz %= 3;
		if (write)
			harness_exec(&H, "out%c 0x%" PRIx64 " 0x%" PRIx64, pio_suffix[sz],
				     g->base + off, cut(val, 1u << sz));
		else
			harness_exec(&H, "in%c 0x%" PRIx64, pio_suffix[sz], g->base + off);
		return;
	}
	sz %= 4;
	if (write)
		harness_exec(&H, "write%c 0x%" PRIx64 " 0x%" PRIx64, mem_suffix[sz], g->base + off,
			     cut(val, 1u << sz));
	else
		harness_exec(&H, "read%c 0x%" PRIx64, mem_suffix[sz], g->base + off);
}

static void pio_access(struct rd *r, bool write)
{
	unsigned port = get(r, 2), sz = get(r, 1) % 3;
	uint64_t val = write ? get(r, 4) : 0;

	if (r->eof)
		return;
	if (write)
		harness_exec(&H, "out%c 0x%x 0x%" PRIx64, pio_suffix[sz], port, cut(val, 1u << sz));
	else
		harness_exec(&H, "in%c 0x%x", pio_suffix[sz], port);
}

static void mmio_access(struct rd *r, bool write)
{
	uint64_t addr = get(r, 8);
	unsigned sz = get(r, 1) % 4;
	uint64_t val = write ? get(r, 8) : 0;

	if (r->eof)
		return;
	if (write)
		harness_exec(&H, "write%c 0x%" PRIx64 " 0x%" PRIx64, mem_suffix[sz], addr,
			     cut(val, 1u << sz));
	else
		harness_exec(&H, "read%c 0x%" PRIx64, mem_suffix[sz], addr);
}

/*
 * mode: bits 0-1 size code (1, 2, 4, 4), bit 2 devfn is raw (else an index
 * into the present functions), bit 3 register up to 0xfff (else 0xff),
 * bit 4 leave the register unaligned.
 */
static void pci_access(struct rd *r, bool write)
{
	unsigned mode = get(r, 1), devfn = get(r, 1), reg = get(r, 2);
	uint32_t val = write ? get(r, 4) : 0;
	unsigned size = 1u << ((mode & 3) == 3 ? 2 : (mode & 3));

	if (r->eof)
		return;
	if (!(mode & 4) && H.ndevfns)
		devfn = H.devfns[devfn % H.ndevfns];
	reg &= mode & 8 ? 0xfff : 0xff;
	if (!(mode & 16))
		reg &= ~(size - 1);
	if (write)
		harness_exec(&H, "pcicfg w 0000:00:%02x.%u 0x%x %u 0x%x", devfn >> 3, devfn & 7,
			     reg, size, val & (uint32_t)(~0ull >> (64 - 8 * size)));
	else
		harness_exec(&H, "pcicfg r 0000:00:%02x.%u 0x%x %u", devfn >> 3, devfn & 7, reg,
			     size);
}

/*
 * flags: bits 0-1 size code, bit 2 read, bit 3 df, bit 4 data is a pointer,
 * bit 5 count as given (else 1-64), bit 6 pointer as given (else inside RAM);
 * REP_ABS: bit 7 a COPY (MMIO) request, else PIO.
 */
static void rep_access(struct rd *r, bool absolute)
{
	unsigned flags, size;
	uint64_t addr, data, count;
	bool pio;

	if (absolute) {
		flags = get(r, 1);
		addr = get(r, 8);
		count = get(r, 4);
		data = get(r, 8);
		pio = !(flags & 0x80);
	} else {
		unsigned idx = get(r, 1);
		uint64_t off = get(r, 4);
		const struct fuzz_region *g;

		flags = get(r, 1);
		count = get(r, 2);
		data = get(r, 4);
		if (r->eof || !H.nregions)
			return;
		g = &H.regions[idx % H.nregions];
		addr = g->base + off % g->len;
		pio = g->space == BUS_PIO;
		if (!(flags & 0x20))
			count = count % 64 + 1;
		if ((flags & 0x10) && !(flags & 0x40))
			data %= ram_bytes();
	}
	if (r->eof)
		return;
	size = 1u << (flags & 3);
	harness_exec(&H, "ioreq %s %c 0x%" PRIx64 " %u %" PRIu64 " %u %u 0x%" PRIx64,
		     pio ? "pio" : "copy", flags & 4 ? 'r' : 'w', addr, size, count, !!(flags & 8),
		     !!(flags & 0x10), data);
}

static void clock_op(struct rd *r)
{
	uint32_t v = get(r, 4);

	if (r->eof)
		return;
	if (!v)
		harness_exec_line(&H, "clock_step");
	else
		harness_exec(&H, "clock_step %u", 1 + v % CLOCK_MAX_NS);
}

static void pattern_op(struct rd *r)
{
	unsigned len = get(r, 1) % FUZZ_PATTERN_MAX + 1;

	H.pat.index = get(r, 1);
	H.pat.stride = get(r, 1);
	for (unsigned i = 0; i < len; i++)
		H.pat.data[i] = get(r, 1);
	if (r->eof)
		return;
	H.pat.len = len;
	H.have_pat = true;
}

static void ram_write_op(struct rd *r)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t gpa = get(r, 4) % ram_bytes();
	unsigned len = get(r, 1) + 1;
	char buf[3 * 256 + 64];
	int n;

	if (r->eof)
		return;
	n = snprintf(buf, sizeof(buf), "write 0x%" PRIx64 " %u 0x", gpa, len);
	for (unsigned i = 0; i < len; i++) {
		uint8_t b = get(r, 1);

		buf[n++] = hex[b >> 4];
		buf[n++] = hex[b & 15];
	}
	buf[n] = '\0';
	if (!r->eof)
		harness_exec_line(&H, buf);
}

static void bufioreq_op(struct rd *r)
{
	uint32_t addr = get(r, 4) % 0x100000;
	unsigned sz = get(r, 1) % 4;
	uint64_t val = get(r, 8);

	if (!r->eof)
		harness_exec(&H, "bufioreq 0x%x %u 0x%" PRIx64, addr, 1u << sz, cut(val, 1u << sz));
}

static void run_op(struct rd *r, enum op op)
{
	switch (op) {
	case OP_REGION_READ:
	case OP_REGION_WRITE:
		region_access(r, op == OP_REGION_WRITE);
		break;
	case OP_PIO_READ:
	case OP_PIO_WRITE:
		pio_access(r, op == OP_PIO_WRITE);
		break;
	case OP_MMIO_READ:
	case OP_MMIO_WRITE:
		mmio_access(r, op == OP_MMIO_WRITE);
		break;
	case OP_PCI_READ:
	case OP_PCI_WRITE:
		pci_access(r, op == OP_PCI_WRITE);
		break;
	case OP_REP:
	case OP_REP_ABS:
		rep_access(r, op == OP_REP_ABS);
		break;
	case OP_CLOCK:
		clock_op(r);
		break;
	case OP_PATTERN:
		pattern_op(r);
		break;
	case OP_RAM_WRITE:
		ram_write_op(r);
		break;
	case OP_INVALIDATE:
		harness_exec_line(&H, "invalidate");
		break;
	case OP_BUFIOREQ:
		bufioreq_op(r);
		break;
	case OP_COUNT:
		break;
	}
}

/* ---------------------------------------------------------------- one input */

static void check_or_die(const char *err)
{
	if (!err)
		return;
	reported = true;
	if (reproducing) {
		harness_write_trace_fd(&H, repro_fd, err);
		fprintf(stderr, "fuzz: invariant failed: %s\n", err);
		exit(1);
	}
	harness_fail(&H, err);
}

static void run_input(const uint8_t *data, size_t size)
{
	struct rd r = { .p = data, .n = size };
	size_t before;

	if (harness_begin(&H))
		abort();
	reported = false;
	while (!r.eof && r.pos < r.n) {
		enum op op = (enum op)(get(&r, 1) % OP_COUNT);

		before = H.nlines;
		run_op(&r, op);
		if (H.nlines != before)
			check_or_die(harness_check_op(&H));
	}
	check_or_die(harness_end(&H));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		return 0;
	/* libFuzzer sets its own callback after LLVMFuzzerInitialize: ours goes first, then chains.
	 */
	if (!death_set) {
		__sanitizer_set_death_callback(on_death);
		death_set = true;
	}
	run_input(data, size);
	return 0;
}

/* ---------------------------------------------------------------- modes */

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				exit(2);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void on_alarm(int sig)
{
	(void)sig;
	harness_write_trace_fd(&H, repro_fd, "timeout: the input did not finish");
	_exit(1);
}

static int mode_reproduce(const char *in, const char *out)
{
	size_t len;
	uint8_t *data = read_file(in, &len);
	const char *t = getenv("FUZZ_REPRO_TIMEOUT");

	if (out) {
		FILE *f = fopen(out, "w");

		if (!f) {
			fprintf(stderr, "fuzz: %s: %s\n", out, strerror(errno));
			return 2;
		}
		repro_fd = dup(fileno(f));
		fclose(f);
	} else {
		repro_fd = 1;
	}
	reproducing = true;
	H.full_checks = true;
	signal(SIGALRM, on_alarm);
	alarm(t ? (unsigned)atoi(t) : 30);
	run_input(data, len);
	alarm(0);
	harness_write_trace_fd(&H, repro_fd, NULL);
	free(data);
	return 0;
}

static int mode_check_trace(const char *path)
{
	size_t len;
	char *text = read_file(path, &len), *save = NULL;
	unsigned long n = 0;

	reproducing = true;
	repro_fd = 2;
	H.no_setup = true;
	H.full_checks = true;
	if (harness_begin(&H))
		return 2;
	/* A fuzzer's trace names its fills explicitly: no lazy fill here. */
	H.have_pat = false;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !line[strspn(line, " \t\r")])
			continue;
		harness_exec_line(&H, line);
		check_or_die(harness_check_op(&H));
		n++;
	}
	check_or_die(harness_end(&H));
	fprintf(stderr, "fuzz: %s: %lu commands, %" PRIu64 " FAIL answers, invariants hold\n", path,
		n, H.fails);
	free(text);
	return 0;
}

/* Encode each trace command as the operation that replays it exactly (seeds). */
static void enc(FILE *f, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		fputc((int)(v >> (8 * i) & 0xff), f);
}

static unsigned size_code(unsigned size)
{
	return size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
}

static void encode_cmd(FILE *f, const struct trace_cmd *c)
{
	const struct dm_ioreq *q = &c->req;

	switch (c->op) {
	case TOP_OUT:
	case TOP_IN:
		enc(f, c->op == TOP_OUT ? OP_PIO_WRITE : OP_PIO_READ, 1);
		enc(f, c->addr, 2);
		enc(f, size_code(c->size), 1);
		if (c->op == TOP_OUT)
			enc(f, c->val, 4);
		break;
	case TOP_WRITEN:
	case TOP_READN:
		enc(f, c->op == TOP_WRITEN ? OP_MMIO_WRITE : OP_MMIO_READ, 1);
		enc(f, c->addr, 8);
		enc(f, size_code(c->size), 1);
		if (c->op == TOP_WRITEN)
			enc(f, c->val, 8);
		break;
	case TOP_WRITE:
		for (uint64_t done = 0; done < c->len && done < 4096; done += 256) {
			uint64_t n = c->len - done < 256 ? c->len - done : 256;

			enc(f, OP_RAM_WRITE, 1);
			enc(f, c->addr + done, 4);
			enc(f, n - 1, 1);
			fwrite(c->data + done, 1, n, f);
		}
		break;
	case TOP_CLOCK_STEP:
	case TOP_CLOCK_SET:
		enc(f, OP_CLOCK, 1);
		enc(f, c->has_ns || c->op == TOP_CLOCK_SET ? (uint32_t)(c->ns % CLOCK_MAX_NS) : 0,
		    4);
		break;
	case TOP_IOREQ:
		enc(f, OP_REP_ABS, 1);
		enc(f,
		    size_code(q->size) | (q->dir == DM_IOREQ_READ) << 2 | q->df << 3 |
			q->data_is_ptr << 4 | (q->type == DM_IOREQ_COPY) << 7,
		    1);
		enc(f, q->addr, 8);
		enc(f, q->count, 4);
		enc(f, q->data, 8);
		break;
	case TOP_PCICFG:
		enc(f, q->dir == DM_IOREQ_WRITE ? OP_PCI_WRITE : OP_PCI_READ, 1);
		enc(f, (q->size == 4 ? 2 : q->size == 2 ? 1 : 0) | 4 | 8 | 16, 1);
		enc(f, q->addr >> 32 & 0xff, 1);
		enc(f, q->addr & 0xfff, 2);
		if (q->dir == DM_IOREQ_WRITE)
			enc(f, q->data, 4);
		break;
	case TOP_INVALIDATE:
		enc(f, OP_INVALIDATE, 1);
		break;
	case TOP_BUFIOREQ:
		enc(f, OP_BUFIOREQ, 1);
		enc(f, q->addr, 4);
		enc(f, size_code(q->size), 1);
		enc(f, q->data, 8);
		break;
	default:
		break; /* memset, intercepts, endianness: nothing to fuzz */
	}
}

static int mode_encode(const char *in, const char *out)
{
	size_t len;
	char *text = read_file(in, &len), *save = NULL, err[160];
	FILE *f = fopen(out, "wb");

	if (!f) {
		fprintf(stderr, "fuzz: %s: %s\n", out, strerror(errno));
		return 2;
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct trace_cmd c;

		if (!trace_parse(line, strlen(line), &c, err, sizeof(err)))
			encode_cmd(f, &c);
		trace_cmd_free(&c);
	}
	fclose(f);
	free(text);
	return 0;
}

/* ---------------------------------------------------------------- start-up */

/* libFuzzer's own death callback (it writes the crash- file); we print the trace first. */
extern void fuzzer_death_callback(void) __asm__("_ZN6fuzzer6Fuzzer19StaticDeathCallbackEv")
    __attribute__((weak));
static void on_death(void)
{
	if (!reported && H.live) {
		const char *path = getenv("FUZZ_REPRO");

		reported = true;
		if (reproducing) {
			harness_write_trace_fd(&H, repro_fd, "crash: sanitizer report above");
		} else {
			put_str(2, "\n==== hvmdm fuzz: reproducer (trace) begins\n");
			harness_write_trace_fd(&H, 2, "crash: sanitizer report above");
			put_str(2, "==== reproducer ends\n");
			if (path) {
				FILE *f = fopen(path, "w");

				if (f) {
					harness_write_trace(&H, f, "crash: sanitizer report above");
					fclose(f);
				}
			}
		}
	}
	if (fuzzer_death_callback && !reproducing)
		fuzzer_death_callback();
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	/* An abort() (a failed invariant, an assert) goes through ASan and our death callback. */
	return "handle_abort=1";
}

static void remove_images(void)
{
	harness_remove_images(&H);
}

static const struct fuzz_config *pick_config(const char *argv0)
{
	const char *env = getenv("FUZZ_CONFIG"), *base = strrchr(argv0, '/');
	const struct fuzz_config *c;

	base = base ? base + 1 : argv0;
	if (env)
		return fuzz_config_find(env);
	if (!strncmp(base, "fuzz-", 5) && (c = fuzz_config_find(base + 5)))
		return c;
	return fuzz_config_find("chipset");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char **av = *argv;
	const struct fuzz_config *cfg = pick_config(av[0]);

	if (*argc > 1 && !strcmp(av[1], "--list-configs")) {
		for (const struct fuzz_config *c = fuzz_configs; c->name; c++)
			printf("%s\t%s\n", c->name, c->help);
		exit(0);
	}
	if (!cfg) {
		fprintf(stderr, "fuzz: no such config '%s' (--list-configs)\n",
			getenv("FUZZ_CONFIG"));
		exit(2);
	}
	if (*argc > 2 && !strcmp(av[1], "--encode"))
		exit(*argc > 3 ? mode_encode(av[2], av[3]) : 2);
	if (harness_setup(&H, cfg))
		exit(2);
	atexit(remove_images);
	__sanitizer_set_death_callback(on_death);
	ready = true;
	if (*argc > 2 && !strcmp(av[1], "--reproduce"))
		exit(mode_reproduce(av[2], *argc > 3 ? av[3] : NULL));
	if (*argc > 2 && !strcmp(av[1], "--check-trace"))
		exit(mode_check_trace(av[2]));
	return 0;
}
