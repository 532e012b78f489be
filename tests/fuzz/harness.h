/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fuzz harness: one machine configuration on the standalone platform
 * (dm/sim), driven by trace lines (shared/docs/trace-format.md) so that what
 * a fuzz input did is, line for line, a trace `hvmdm --replay` runs.
 *
 * Per input: a fresh machine is built from the configuration's argv, a
 * firmware-like set-up (BAR assignment, decode on, PIRQ routes, the
 * configuration's own lines) runs, the input's operations run, then the
 * invariants are checked and the machine is torn down. Every executed line
 * is kept, so a crash, a hang or a failed invariant prints the reproducer.
 *
 * Guest memory a device reads (DMA, the RAM side of a rep/PTR ioreq) is
 * filled lazily from the input's DMA pattern the first time it is read
 * (the idea of QEMU's generic_fuzz.c); each fill is recorded as a `write`
 * line placed before the operation that caused it.
 */
#ifndef TESTS_FUZZ_HARNESS_H
#define TESTS_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dm/bus.h"
#include "dm/cmdline.h"
#include "dm/machine.h"
#include "dm/sim/sim.h"
#include "dm/sim/trace.h"

/*
 * One device set to fuzz. argv is the machine command line; @DISK@ and @CD@
 * stand for the images the harness creates (FUZZ_DISK_BYTES, FUZZ_CD_BYTES,
 * zero-filled). init lines run after the generic firmware set-up.
 */
struct fuzz_config {
	const char *name;
	const char *help;
	const char *argv;
	const char *const *init; /* NULL-terminated, may be NULL */
};

#define FUZZ_DISK_BYTES (2u << 20)
#define FUZZ_CD_BYTES	(1u << 20)

/* The table (configs.c), terminated by an entry with name NULL. */
extern const struct fuzz_config fuzz_configs[];
const struct fuzz_config *fuzz_config_find(const char *name);

#define FUZZ_MAX_REGIONS 256
#define FUZZ_MAX_FILLED	 128
#define FUZZ_PATTERN_MAX 32
#define FUZZ_MAX_KNOWN	 32

struct fuzz_region {
	enum bus_space space;
	uint64_t base, len;
};

/* A DMA pattern: data repeated, byte `index` of each copy advanced by `stride` per copy. */
struct fuzz_pattern {
	uint8_t data[FUZZ_PATTERN_MAX];
	uint8_t len, index, stride;
};

struct harness {
	const struct fuzz_config *cfg;
	char argv_text[1024]; /* cfg->argv with the image paths */
	char disk[256], cd[256];
	char kernel[256]; /* @KERNEL@: a minimal bzImage for fw-cfg */
	/* argv split in place: options such as -kernel point into it while the machine lives */
	char argv_words[1024];
	struct machine_opts mo;
	struct run_opts ro;
	struct sim sim;
	bool live;
	struct trace_exec tx;
	struct guest_mem ram; /* the flat RAM's own ops, under our wrapper */

	/* The lines of the current input, in order (the reproducer). */
	char **lines;
	size_t nlines, cap;
	size_t op_at; /* index of the line being executed: fills go before it */
	bool executing;

	/* Firmware set-up lines, computed on the first machine and replayed after. */
	char **init;
	size_t ninit;
	bool no_setup;	  /* --check-trace: the trace carries its own set-up */
	bool full_checks; /* every check on every input (not sampled) */

	/* Lazy DMA fill. */
	struct fuzz_pattern pat;
	bool have_pat, fill_off;
	uint64_t filled[FUZZ_MAX_FILLED][2];
	size_t nfilled;
	uint64_t fill_bytes;

	/* The last answer line (the set-up reads BAR sizes through it). */
	char answer[160];
	uint64_t answers, fails;

	struct fuzz_region regions[FUZZ_MAX_REGIONS];
	size_t nregions;
	bool regions_known;
	unsigned devfns[256];
	size_t ndevfns;

	/* Known findings (known-findings.txt) tolerated, with how often each was seen. */
	struct {
		char *msg;
		uint64_t hits;
	} known[FUZZ_MAX_KNOWN];
	size_t nknown;

	/* The message of the last failed check. */
	char failure_buf[256];
};

/* Parse the configuration's argv and create its images; 0 or -errno (message printed). */
int harness_setup(struct harness *h, const struct fuzz_config *cfg);
void harness_cleanup(struct harness *h);
/* Delete the images (at exit). */
void harness_remove_images(struct harness *h);

/* A fresh machine with the set-up done; 0 or -errno (message printed). */
int harness_begin(struct harness *h);
/* Record and run one trace line (printf-style). */
void harness_exec(struct harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record and run one line as it is. */
void harness_exec_line(struct harness *h, const char *line);
/* Check the invariants after an operation that is done (cheap ones). NULL or a message. */
const char *harness_check_op(struct harness *h);
/* err, or NULL when err is a known finding (tests/fuzz/known-findings.txt). */
const char *harness_known(struct harness *h, const char *err);
/* Full checks, then tear the machine down; NULL or a message. */
const char *harness_end(struct harness *h);

/* The reproducer: header (argv, how to run it) and every line so far. */
void harness_write_trace(struct harness *h, FILE *f, const char *why);
/* Same, with write(2) only (signal context). */
void harness_write_trace_fd(struct harness *h, int fd, const char *why);

/* Report a failed invariant: the reproducer to stderr (and $FUZZ_REPRO if set), then abort. */
void harness_fail(struct harness *h, const char *why) __attribute__((noreturn));

#endif
