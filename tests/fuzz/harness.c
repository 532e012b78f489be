// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzz harness (see harness.h): a machine per input, driven by trace
 * lines that are kept as the reproducer, lazy DMA fills, and the invariants
 * checked after each operation and after each input.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/block.h"
#include "dm/display.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/state.h"
#include "tests/fuzz/harness.h"

/* A device reading more than this at once gets only the first part filled. */
#define FILL_CHUNK (64u << 10)
/* Most bytes filled per input (the reproducer carries each as two hex digits). */
#define FILL_TOTAL (1u << 20)

/* The firmware-like set-up places BARs here, as SeaBIOS/hvmloader would. */
#define BIOS_IO_BASE  0xc000u
#define BIOS_MEM_BASE 0xe0000000ull
#define BIOS_MEM_END  0xfec00000ull
/* PIIX3 PIRQA-D routes the set-up programs: IRQ 5, 10, 11, 5 (hvmloader's choice of 5/10/11). */
static const uint8_t bios_pirq[4] = { 5, 10, 11, 5 };

static void load_known(struct harness *h);

const struct fuzz_config *fuzz_config_find(const char *name)
{
	for (const struct fuzz_config *c = fuzz_configs; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* ---------------------------------------------------------------- images and argv */

static int make_image(const char *path, uint64_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int ret = 0;

	if (fd < 0)
		return -errno;
	/* Truncating to zero first drops what the last input wrote: every input sees zeros. */
	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)bytes))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * @KERNEL@: the smallest bzImage fw-cfg takes (boot.rst header: "HdrS",
 * protocol 2.15, loaded high, 2 setup sectors) and 4 KiB of kernel, so the
 * Linux boot items and the file directory exist to be fuzzed.
 */
static int make_kernel(const char *path)
{
	uint8_t b[3 * 512 + 4096] = { 'M', 'Z' };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ret = 0;

	if (fd < 0)
		return -errno;
	b[0x1f1] = 2;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;
	b[0x207] = 0x02;
	b[0x211] = 0x01;
	memcpy(b + 0x22c, "\xff\xff\xff\x7f", 4);
	if (write(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
		ret = -EIO;
	close(fd);
	return ret;
}

static void subst(char *out, size_t outlen, const char *in, const char *disk, const char *cd,
		  const char *kernel)
{
	size_t o = 0;

	while (*in && o + 1 < outlen) {
		const char *rep = NULL;
		size_t skip = 0;

		if (!strncmp(in, "@DISK@", 6))
			rep = disk, skip = 6;
		else if (!strncmp(in, "@CD@", 4))
			rep = cd, skip = 4;
		else if (!strncmp(in, "@KERNEL@", 8))
			rep = kernel, skip = 8;
		if (rep) {
			o += snprintf(out + o, outlen - o, "%s", rep);
			if (o >= outlen)
				o = outlen - 1;
			in += skip;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

void harness_remove_images(struct harness *h)
{
	if (h->disk[0])
		unlink(h->disk);
	if (h->cd[0])
		unlink(h->cd);
	if (h->kernel[0])
		unlink(h->kernel);
}

int harness_setup(struct harness *h, const struct fuzz_config *cfg)
{
	const char *dir = getenv("FUZZ_WORKDIR");
	char *copy = h->argv_words, *argv[64], *save = NULL;
	int argc = 0, ret;
	FILE *null;

	memset(h, 0, sizeof(*h));
	h->cfg = cfg;
	if (!dir)
		dir = "/tmp";
	if (strstr(cfg->argv, "@DISK@")) {
		snprintf(h->disk, sizeof(h->disk), "%s/hvmdm-fuzz-%d-disk.img", dir, (int)getpid());
		ret = make_image(h->disk, FUZZ_DISK_BYTES);
		if (ret) {
			fprintf(stderr, "fuzz: cannot create %s: %s\n", h->disk, strerror(-ret));
			return ret;
		}
	}
	if (strstr(cfg->argv, "@CD@")) {
		snprintf(h->cd, sizeof(h->cd), "%s/hvmdm-fuzz-%d-cd.iso", dir, (int)getpid());
		ret = make_image(h->cd, FUZZ_CD_BYTES);
		if (ret) {
			fprintf(stderr, "fuzz: cannot create %s: %s\n", h->cd, strerror(-ret));
			harness_remove_images(h);
			return ret;
		}
	}
	if (strstr(cfg->argv, "@KERNEL@")) {
		snprintf(h->kernel, sizeof(h->kernel), "%s/hvmdm-fuzz-%d-bzImage", dir,
			 (int)getpid());
		ret = make_kernel(h->kernel);
		if (ret) {
			fprintf(stderr, "fuzz: cannot create %s: %s\n", h->kernel, strerror(-ret));
			harness_remove_images(h);
			return ret;
		}
	}
	subst(h->argv_text, sizeof(h->argv_text), cfg->argv, h->disk, h->cd, h->kernel);
	snprintf(copy, sizeof(h->argv_words), "hvmdm %s", h->argv_text);
	for (char *w = strtok_r(copy, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	cmdline_defaults(&h->mo, &h->ro);
	if (cmdline_parse(argc, argv, &h->mo, &h->ro, stderr, stderr)) {
		fprintf(stderr, "fuzz: config %s: bad argv '%s'\n", cfg->name, cfg->argv);
		harness_remove_images(h);
		return -EINVAL;
	}
	/* Devices' warnings would flood the fuzzer's output: FUZZ_VERBOSE=1 keeps them. */
	if (getenv("FUZZ_LOG")) {
		char bad[64];

		if (log_parse_mask(getenv("FUZZ_LOG"), &log_mask, bad, sizeof(bad)))
			fprintf(stderr, "fuzz: FUZZ_LOG: unknown category '%s'\n", bad);
		log_level_max = LOG_DEBUG;
	} else if (!getenv("FUZZ_VERBOSE")) {
		null = fopen("/dev/null", "w");
		if (null)
			log_set_stream(null);
	}
	blk_set_sync(true);
	load_known(h);
	return 0;
}

void harness_cleanup(struct harness *h)
{
	if (h->live) {
		machine_teardown(&h->sim.m);
		sim_fini(&h->sim);
		h->live = false;
	}
	for (size_t i = 0; i < h->nlines; i++)
		free(h->lines[i]);
	free(h->lines);
	for (size_t i = 0; i < h->ninit; i++)
		free(h->init[i]);
	free(h->init);
	for (size_t i = 0; i < h->nknown; i++)
		free(h->known[i].msg);
	h->nknown = 0;
	h->lines = h->init = NULL;
	h->nlines = h->ninit = h->cap = 0;
	cmdline_free(&h->mo);
	harness_remove_images(h);
}

/* ---------------------------------------------------------------- lazy DMA fill */

static void insert_line(struct harness *h, size_t at, char *line)
{
	if (h->nlines == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		char **n = realloc(h->lines, cap * sizeof(*n));

		if (!n) {
			free(line);
			return;
		}
		h->lines = n;
		h->cap = cap;
	}
	memmove(&h->lines[at + 1], &h->lines[at], (h->nlines - at) * sizeof(*h->lines));
	h->lines[at] = line;
	h->nlines++;
}

static bool overlaps_filled(const struct harness *h, uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < h->nfilled; i++)
		if (gpa < h->filled[i][1] && h->filled[i][0] < gpa + len)
			return true;
	return false;
}

static void pattern_bytes(const struct fuzz_pattern *p, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t copy = i / p->len, at = i % p->len;
		uint8_t b = p->data[at];

		if (at == p->index % p->len)
			b = (uint8_t)(b + copy * p->stride);
		buf[i] = b;
	}
}

/*
 * A device reads [gpa, gpa+len) of RAM during an operation: the first time
 * in this input, fill it from the pattern and record the fill as a write
 * line before the operation, so replay puts the same bytes there.
 */
static void dma_fill(struct harness *h, uint64_t gpa, uint64_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *buf;
	char *line;
	int n;

	if (!h->executing || h->fill_off || !h->have_pat || !len)
		return;
	if (len > FILL_CHUNK)
		len = FILL_CHUNK;
	if (h->fill_bytes + len > FILL_TOTAL || h->nfilled == FUZZ_MAX_FILLED)
		return;
	if (gpa + len < gpa || overlaps_filled(h, gpa, len))
		return;
	/* Replay writes through the MMIO map: only RAM nothing is mapped over. */
	if (!flat_ram_ptr(&h->sim.ram, gpa, len) ||
	    bus_find_range(h->sim.m.bus, BUS_MMIO, gpa, len))
		return;
	buf = malloc(len);
	line = malloc(2 * len + 64);
	if (!buf || !line) {
		free(buf);
		free(line);
		return;
	}
	pattern_bytes(&h->pat, buf, len);
	if (h->ram.ops->write(h->ram.opaque, gpa, buf, len)) {
		free(buf);
		free(line);
		return;
	}
	n = sprintf(line, "write 0x%" PRIx64 " %" PRIu64 " 0x", gpa, len);
	for (uint64_t i = 0; i < len; i++) {
		line[n++] = hex[buf[i] >> 4];
		line[n++] = hex[buf[i] & 15];
	}
	line[n] = '\0';
	free(buf);
	h->filled[h->nfilled][0] = gpa;
	h->filled[h->nfilled][1] = gpa + len;
	h->nfilled++;
	h->fill_bytes += len;
	insert_line(h, h->op_at, line);
	h->op_at++;
}

static int w_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct harness *h = opaque;

	dma_fill(h, gpa, len);
	return h->ram.ops->read(h->ram.opaque, gpa, buf, len);
}

static int w_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct harness *h = opaque;

	return h->ram.ops->write(h->ram.opaque, gpa, buf, len);
}

static void *w_map(void *opaque, uint64_t gpa, size_t len, bool writable)
{
	struct harness *h = opaque;

	dma_fill(h, gpa, len);
	return h->ram.ops->map(h->ram.opaque, gpa, len, writable);
}

static void w_unmap(void *opaque, void *ptr, size_t len)
{
	struct harness *h = opaque;

	h->ram.ops->unmap(h->ram.opaque, ptr, len);
}

static void w_mark_dirty(void *opaque, uint64_t gpa, size_t len)
{
	struct harness *h = opaque;

	if (h->ram.ops->mark_dirty)
		h->ram.ops->mark_dirty(h->ram.opaque, gpa, len);
}

static void w_invalidate(void *opaque)
{
	struct harness *h = opaque;

	if (h->ram.ops->invalidate)
		h->ram.ops->invalidate(h->ram.opaque);
}

static const struct guest_mem_ops wrap_ops = {
	.read = w_read,
	.write = w_write,
	.map = w_map,
	.unmap = w_unmap,
	.mark_dirty = w_mark_dirty,
	.invalidate = w_invalidate,
};

/* ---------------------------------------------------------------- running lines */

static void on_answer(void *opaque, const char *line)
{
	struct harness *h = opaque;

	if (!strncmp(line, "IRQ ", 4))
		return;
	snprintf(h->answer, sizeof(h->answer), "%s", line);
	h->answers++;
	if (!strncmp(line, "FAIL", 4))
		h->fails++;
}

static void run_line(struct harness *h, char *line)
{
	size_t at = h->nlines;

	insert_line(h, at, line);
	if (h->nlines == at)
		return; /* out of memory: nothing recorded, nothing run */
	h->op_at = at;
	h->executing = true;
	h->fill_off = !strncmp(line, "write ", 6);
	h->answer[0] = '\0';
	trace_exec_line(&h->tx, line, strlen(line));
	h->executing = false;
}

void harness_exec_line(struct harness *h, const char *line)
{
	char *copy = strdup(line);

	if (copy)
		run_line(h, copy);
}

void harness_exec(struct harness *h, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n >= 0)
		run_line(h, line);
}

static uint64_t answer_value(const struct harness *h)
{
	if (strncmp(h->answer, "OK 0x", 5))
		return ~0ull;
	return strtoull(h->answer + 3, NULL, 16);
}

static void init_push(struct harness *h, const char *line)
{
	char **n = realloc(h->init, (h->ninit + 1) * sizeof(*n));

	if (!n)
		return;
	h->init = n;
	h->init[h->ninit] = strdup(line);
	if (h->init[h->ninit])
		h->ninit++;
}

static const char *sbdf(unsigned devfn)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "0000:00:%02x.%u", devfn >> 3, devfn & 7);
	return buf;
}

static uint32_t cfg_read(struct harness *h, unsigned devfn, unsigned reg, unsigned size)
{
	harness_exec(h, "pcicfg r %s 0x%x %u", sbdf(devfn), reg, size);
	return (uint32_t)answer_value(h);
}

/* Size a BAR (all ones, read back) and place it; returns how many BAR slots it used. */
static unsigned bios_bar(struct harness *h, unsigned devfn, unsigned reg, uint32_t *io_next,
			 uint64_t *mem_next)
{
	uint32_t v, size;
	uint64_t at;

	harness_exec(h, "pcicfg w %s 0x%x 4 0xffffffff", sbdf(devfn), reg);
	v = cfg_read(h, devfn, reg, 4);
	if (!v || v == ~0u)
		return 1;
	if (v & 1) {
		size = ~((v & 0xfffffffcu) | 0xffff0000u) + 1;
		at = (*io_next + size - 1) & ~(uint64_t)(size - 1);
		if (!size || at + size > 0x10000)
			return 1;
		*io_next = (uint32_t)(at + size);
		harness_exec(h, "pcicfg w %s 0x%x 4 0x%" PRIx64, sbdf(devfn), reg, at);
		return 1;
	}
	size = ~(v & 0xfffffff0u) + 1;
	at = (*mem_next + size - 1) & ~(uint64_t)(size - 1);
	if (size && at + size <= BIOS_MEM_END) {
		*mem_next = at + size;
		harness_exec(h, "pcicfg w %s 0x%x 4 0x%" PRIx64, sbdf(devfn), reg, at);
	}
	if ((v & 6) == 4 && reg < 0x24) {
		harness_exec(h, "pcicfg w %s 0x%x 4 0x0", sbdf(devfn), reg + 4);
		return 2;
	}
	return 1;
}

static void bios_rom(struct harness *h, unsigned devfn, uint64_t *mem_next)
{
	uint32_t v, size;
	uint64_t at;

	harness_exec(h, "pcicfg w %s 0x30 4 0xfffff800", sbdf(devfn));
	v = cfg_read(h, devfn, 0x30, 4) & 0xfffff800u;
	if (!v)
		return;
	size = ~v + 1;
	at = (*mem_next + size - 1) & ~(uint64_t)(size - 1);
	if (at + size > BIOS_MEM_END)
		return;
	*mem_next = at + size;
	harness_exec(h, "pcicfg w %s 0x30 4 0x%" PRIx64, sbdf(devfn), at | 1);
}

/*
 * What firmware does before a guest driver runs: PIIX3 PIRQ routes, every
 * function's BARs (and ROM) placed, I/O + memory decode and bus mastering
 * on, the interrupt line written. All as trace lines, so replay does it too.
 */
static void bios_setup(struct harness *h)
{
	uint32_t io_next = BIOS_IO_BASE;
	uint64_t mem_next = BIOS_MEM_BASE;
	struct bus *bus = h->sim.m.bus;

	harness_exec_line(h, "irq_intercept_in ioapic");
	if (bus_pci_present(bus, 0x08) && cfg_read(h, 0x08, 0, 4) == 0x70008086u)
		harness_exec(h, "pcicfg w %s 0x60 4 0x%02x%02x%02x%02x", sbdf(0x08), bios_pirq[3],
			     bios_pirq[2], bios_pirq[1], bios_pirq[0]);
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		uint32_t pin;

		if (!bus_pci_present(bus, devfn) || devfn == 0)
			continue;
		if ((cfg_read(h, devfn, 0x0e, 1) & 0x7f) != 0)
			continue; /* not a type 0 header */
		for (unsigned reg = 0x10; reg <= 0x24;)
			reg += 4 * bios_bar(h, devfn, reg, &io_next, &mem_next);
		bios_rom(h, devfn, &mem_next);
		harness_exec(h, "pcicfg w %s 0x4 2 0x%x", sbdf(devfn),
			     (cfg_read(h, devfn, 0x4, 2) | 0x7) & 0xffff);
		pin = cfg_read(h, devfn, 0x3d, 1);
		if (pin >= 1 && pin <= 4)
			harness_exec(h, "pcicfg w %s 0x3c 1 0x%x", sbdf(devfn),
				     bios_pirq[pci_intx_link(devfn, pin - 1)]);
	}
	for (const char *const *l = h->cfg->init; l && *l; l++)
		harness_exec_line(h, *l);
	for (size_t i = 0; i < h->nlines; i++)
		init_push(h, h->lines[i]);
}

/* The set-up: computed on the first machine, replayed as recorded on the next ones. */
static void run_setup(struct harness *h)
{
	if (h->no_setup)
		return;
	if (!h->ninit) {
		bios_setup(h);
		return;
	}
	for (size_t i = 0; i < h->ninit; i++)
		harness_exec_line(h, h->init[i]);
}

static void collect_region(void *opaque, const struct region *r)
{
	struct harness *h = opaque;

	if (h->nregions < FUZZ_MAX_REGIONS)
		h->regions[h->nregions++] =
		    (struct fuzz_region){ .space = r->space, .base = r->base, .len = r->len };
}

int harness_begin(struct harness *h)
{
	int ret;

	for (size_t i = 0; i < h->nlines; i++)
		free(h->lines[i]);
	h->nlines = 0;
	h->have_pat = false;
	h->nfilled = 0;
	h->fill_bytes = 0;
	if (h->disk[0] && make_image(h->disk, FUZZ_DISK_BYTES))
		return -EIO;
	ret = sim_init(&h->sim, &h->mo);
	if (ret) {
		fprintf(stderr, "fuzz: config %s: cannot build the machine\n", h->cfg->name);
		return ret;
	}
	h->live = true;
	h->ram = h->sim.m.mem;
	h->sim.m.mem.ops = &wrap_ops;
	h->sim.m.mem.opaque = h;
	trace_exec_init(&h->tx, &h->sim, on_answer, h);
	run_setup(h);
	/* The set-up is the same every time, so is the map after it: walk it once (64K ports). */
	if (!h->regions_known || h->no_setup) {
		h->nregions = 0;
		bus_for_each(h->sim.m.bus, BUS_PIO, collect_region, h);
		bus_for_each(h->sim.m.bus, BUS_MMIO, collect_region, h);
		h->ndevfns = 0;
		for (unsigned devfn = 0; devfn < 256; devfn++)
			if (bus_pci_present(h->sim.m.bus, devfn))
				h->devfns[h->ndevfns++] = devfn;
		h->regions_known = true;
	}
	return 0;
}

/* ---------------------------------------------------------------- invariants */

__attribute__((format(printf, 2, 3))) static const char *fail(struct harness *h, const char *fmt,
							      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->failure_buf, sizeof(h->failure_buf), fmt, ap);
	va_end(ap);
	return h->failure_buf;
}

/* ---------------------------------------------------------------- known findings */

/*
 * tests/fuzz/known-findings.txt ($FUZZ_KNOWN): findings reported to a
 * device's owner and not fixed yet, one per line as
 *   config-glob | message substring | file | reason
 * A failed invariant whose message contains the substring (on a matching
 * config) is counted and let pass, so that fuzzing goes on past it; each
 * is printed once per process. FUZZ_KNOWN=/dev/null disables the list
 * (to minimize such a finding).
 */
static void load_known(struct harness *h)
{
	const char *path = getenv("FUZZ_KNOWN");
	char line[512];
	FILE *f;

	f = fopen(path ? path : "tests/fuzz/known-findings.txt", "r");
	if (!f)
		return;
	while (h->nknown < FUZZ_MAX_KNOWN && fgets(line, sizeof(line), f)) {
		char *cfg, *msg, *save = NULL;

		if (line[0] == '#' || !strchr(line, '|'))
			continue;
		cfg = strtok_r(line, "|", &save);
		msg = strtok_r(NULL, "|", &save);
		if (!cfg || !msg)
			continue;
		cfg += strspn(cfg, " \t");
		cfg[strcspn(cfg, " \t")] = '\0';
		msg += strspn(msg, " \t");
		while (*msg && strchr(" \t", msg[strlen(msg) - 1]))
			msg[strlen(msg) - 1] = '\0';
		if (fnmatch(cfg, h->cfg->name, 0) || !*msg)
			continue;
		h->known[h->nknown].msg = strdup(msg);
		if (h->known[h->nknown].msg)
			h->nknown++;
	}
	fclose(f);
}

const char *harness_known(struct harness *h, const char *err)
{
	for (size_t i = 0; err && i < h->nknown; i++) {
		if (!strstr(err, h->known[i].msg))
			continue;
		if (!h->known[i].hits++)
			fprintf(stderr, "fuzz: known finding (tests/fuzz/known-findings.txt): %s\n",
				err);
		return NULL;
	}
	return err;
}

static const char *check_op(struct harness *h)
{
	struct loop *loop = h->sim.m.loop;
	const char *last = h->nlines ? h->lines[h->nlines - 1] : "";
	static unsigned ops;

	/* A display is scanned out every 8th operation, as a viewer would, whatever the input set. */
	if (!(++ops % 8) && display_present(&h->sim.m)) {
		struct display_surface sf;
		struct display_dirty d;

		(void)display_refresh(&h->sim.m, false, &sf, &d);
	}

	if (h->sim.ram.maps_live)
		return fail(h, "guest mapping leaked: %u gm_map without gm_unmap after '%.60s'",
			    h->sim.ram.maps_live, last);
	/* After the clock moved to T every timer due by T has fired (unless one re-arms forever).
	 */
	if (!strncmp(last, "clock_", 6) && loop_next_deadline(loop) < loop_now(loop))
		return fail(h,
			    "a timer due at %" PRIu64 " ns is still armed at %" PRIu64
			    " ns after '%.60s' (re-arming itself at one instant?)",
			    loop_next_deadline(loop), loop_now(loop), last);
	return NULL;
}

const char *harness_check_op(struct harness *h)
{
	return harness_known(h, check_op(h));
}

struct overlap_walk {
	struct harness *h;
	uint64_t end; /* end of the previous region */
	const char *err;
	enum bus_space space;
};

static void check_region(void *opaque, const struct region *r)
{
	struct overlap_walk *w = opaque;

	if (w->err)
		return;
	if (!r->mapped || !r->len || r->base + r->len < r->base)
		w->err = fail(w->h, "region %s at 0x%" PRIx64 " len 0x%" PRIx64 " is malformed",
			      r->name, r->base, r->len);
	else if (r->base < w->end)
		w->err = fail(w->h, "region %s at 0x%" PRIx64 " overlaps the one before it",
			      r->name, r->base);
	else if (w->space == BUS_PIO && r->base + r->len > 0x10000)
		w->err = fail(w->h, "port region %s runs past 0xffff", r->name);
	else if (bus_find(w->h->sim.m.bus, w->space, r->base) != r ||
		 bus_find(w->h->sim.m.bus, w->space, r->base + r->len - 1) != r)
		w->err =
		    fail(w->h, "region %s is not what the bus finds at its own address", r->name);
	w->end = r->base + r->len;
}

/*
 * Walking the port map visits all 64K ports (a third of the time of a short
 * input under coverage instrumentation): the fuzzer does it every 32nd
 * input, --reproduce and --check-trace every time.
 */
static const char *check_regions(struct harness *h)
{
	struct overlap_walk w = { .h = h };
	static unsigned n;
	int first = h->full_checks || !(n++ % 32) ? BUS_PIO : BUS_MMIO;

	for (int sp = first; sp <= BUS_MMIO && !w.err; sp++) {
		w.space = (enum bus_space)sp;
		w.end = 0;
		bus_for_each(h->sim.m.bus, w.space, check_region, &w);
	}
	return w.err;
}

/* The sim's interrupt bookkeeping: per-link counts and line levels follow from the sources. */
static const char *check_irq_books(struct harness *h)
{
	const struct sim *s = &h->sim;
	unsigned count[4] = { 0 };

	for (unsigned devfn = 0; devfn < 256; devfn++)
		for (unsigned pin = 0; pin < 4; pin++)
			if (s->intx[devfn] & (1u << pin))
				count[pci_intx_link(devfn, pin)]++;
	for (unsigned l = 0; l < 4; l++)
		if (count[l] != s->link_count[l])
			return fail(h, "PCI link %u counts %u asserted pins, %u are", l,
				    s->link_count[l], count[l]);
	for (unsigned irq = 0; irq < SIM_NR_IRQS; irq++) {
		bool level = s->isa_level[irq];

		for (unsigned l = 0; l < 4; l++)
			level |= irq && s->link_route[l] == irq && s->link_count[l];
		if (level != s->line[irq])
			return fail(h, "IRQ %u is %u, its sources say %u", irq, s->line[irq],
				    level);
	}
	return NULL;
}

/*
 * Save the machine, load it back, save again: the load must accept what a
 * guest could bring the devices to, post_load re-drives every IRQ line from
 * the state alone (so the levels must come out as they were: a level that
 * disagrees with the device state shows here), and the second save must be
 * byte for byte the first.
 */
static const char *check_state_roundtrip(struct harness *h)
{
	struct sim *s = &h->sim;
	bool isa[SIM_NR_IRQS];
	uint8_t intx[256];
	struct snap_wr a, b;
	const char *err = NULL;
	int ret;

	memcpy(isa, s->isa_level, sizeof(isa));
	memcpy(intx, s->intx, sizeof(intx));
	snap_wr_init(&a);
	snap_wr_init(&b);
	ret = dm_state_save(&s->m, &a);
	if (ret) {
		err = fail(h, "dm_state_save failed: %s", strerror(-ret));
		goto out;
	}
	ret = dm_state_load(&s->m, a.buf, a.len);
	if (ret) {
		err = fail(h, "the saved state does not load back: %s", strerror(-ret));
		goto out;
	}
	for (unsigned irq = 0; irq < SIM_NR_IRQS; irq++)
		if (isa[irq] != s->isa_level[irq]) {
			err = fail(h, "ISA IRQ %u was %u, the device state after load says %u", irq,
				   isa[irq], s->isa_level[irq]);
			goto out;
		}
	for (unsigned devfn = 0; devfn < 256; devfn++)
		if (intx[devfn] != s->intx[devfn]) {
			err = fail(h, "PCI %s INTx pins were 0x%x, the state after load says 0x%x",
				   sbdf(devfn), intx[devfn], s->intx[devfn]);
			goto out;
		}
	ret = dm_state_save(&s->m, &b);
	if (ret || a.len != b.len || memcmp(a.buf, b.buf, a.len))
		err = fail(h, "save after load differs from the first save (%zu vs %zu bytes)",
			   a.len, b.len);
out:
	snap_wr_free(&a);
	snap_wr_free(&b);
	return err;
}

const char *harness_end(struct harness *h)
{
	const char *err = harness_check_op(h);

	if (!err)
		err = harness_known(h, check_regions(h));
	if (!err)
		err = harness_known(h, check_irq_books(h));
	if (!err && !getenv("FUZZ_NO_STATE_CHECK"))
		err = harness_known(h, check_state_roundtrip(h));
	trace_exec_fini(&h->tx);
	machine_teardown(&h->sim.m);
	if (!err && loop_timers_armed(h->sim.m.loop))
		err = harness_known(h, fail(h, "%zu timer(s) still armed after every device's fini",
					    loop_timers_armed(h->sim.m.loop)));
	if (!err && h->sim.ram.maps_live)
		err = harness_known(
		    h, fail(h, "guest mapping leaked at teardown (%u)", h->sim.ram.maps_live));
	sim_fini(&h->sim);
	h->live = false;
	return err;
}

/* ---------------------------------------------------------------- reproducers */

static void put(int fd, const char *s)
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

void harness_write_trace_fd(struct harness *h, int fd, const char *why)
{
	put(fd, "# hvmdm fuzz reproducer, config ");
	put(fd, h->cfg->name);
	put(fd, ": ");
	put(fd, why ? why : "(no finding)");
	put(fd, "\n# argv: ");
	put(fd, h->cfg->argv);
	put(fd, "\n");
	if (h->disk[0] || h->cd[0])
		put(fd, "# images: @DISK@ = 2 MiB of zeros (truncate -s 2M), "
			"@CD@ = 1 MiB of zeros (truncate -s 1M)\n");
	if (h->kernel[0])
		put(fd, "# @KERNEL@: a minimal bzImage (tests/fuzz/harness.c make_kernel)\n");
	put(fd, "# run: hvmdm --replay THIS.trace <argv>; the fuzzer's checks: FUZZ_CONFIG=");
	put(fd, h->cfg->name);
	put(fd, " build-fuzz/tests/fuzz/fuzz-generic --check-trace THIS.trace\n");
	for (size_t i = 0; i < h->nlines; i++) {
		put(fd, h->lines[i]);
		put(fd, "\n");
	}
}

void harness_write_trace(struct harness *h, FILE *f, const char *why)
{
	fflush(f);
	harness_write_trace_fd(h, fileno(f), why);
}

void harness_fail(struct harness *h, const char *why)
{
	const char *path = getenv("FUZZ_REPRO");

	fprintf(stderr, "\n==== hvmdm fuzz: invariant failed: %s\n", why);
	fprintf(stderr, "==== reproducer (trace) begins\n");
	harness_write_trace(h, stderr, why);
	fprintf(stderr, "==== reproducer ends\n");
	if (path) {
		FILE *f = fopen(path, "w");

		if (f) {
			harness_write_trace(h, f, why);
			fclose(f);
		}
	}
	abort();
}
