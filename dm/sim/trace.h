/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trace protocol (shared/docs/trace-format.md): QEMU's qtest commands,
 * answered byte for byte as QEMU answers them, plus the Xen-only ioreq
 * shapes (ioreq, pcicfg, invalidate, bufioreq). One parser (a line to a
 * struct trace_cmd, no side effects) and one executor (a command through
 * ioreq_handle() on a sim machine), shared by --replay and -qtest.
 *
 * A malformed line is answered "FAIL <reason>" and changes nothing; QEMU
 * aborts on most of these, hvmdm goes on.
 */
#ifndef DM_SIM_TRACE_H
#define DM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/ioreq.h"

struct sim;

/* Most bytes one read/write command moves (its answer is twice that in hex). */
#define TRACE_SPAN_MAX (1u << 20)
/*
 * Longest command line accepted, newline excluded: a `write` of TRACE_SPAN_MAX
 * bytes in hex with its address and length. QEMU 7.2's qtest has no line limit,
 * so the only limit is the per-command size one; longer lines are answered FAIL.
 */
#define TRACE_LINE_MAX (2u * TRACE_SPAN_MAX + 64u)
/* Most bytes one memset fills. */
#define TRACE_MEMSET_MAX (1ull << 32)

enum trace_op {
	TOP_NONE, /* blank line or comment: not answered */
	TOP_OUT,
	TOP_IN,
	TOP_WRITEN, /* writeb..writeq */
	TOP_READN,  /* readb..readq */
	TOP_WRITE,
	TOP_READ,
	TOP_B64READ,
	TOP_MEMSET,
	TOP_CLOCK_STEP,
	TOP_CLOCK_SET,
	TOP_IRQ_INTERCEPT_IN,
	TOP_IRQ_INTERCEPT_OUT,
	TOP_ENDIANNESS,
	TOP_IOREQ,  /* ioreq pio|copy ... */
	TOP_PCICFG, /* pcicfg r|w ... */
	TOP_INVALIDATE,
	TOP_BUFIOREQ,
};

struct trace_cmd {
	enum trace_op op;
	unsigned size;	     /* access width: 1, 2, 4, 8 */
	uint64_t addr;	     /* port or guest-physical address */
	uint64_t val;	     /* value to write, memset byte */
	uint64_t len;	     /* read/write/memset byte count */
	bool has_ns;	     /* clock_step NS given */
	int64_t ns;	     /* clock_step / clock_set */
	const char *name;    /* irq_intercept_in: the device path (points into the parsed copy) */
	uint8_t *data;	     /* write: len bytes, zero-filled past the given hex (malloc'd) */
	struct dm_ioreq req; /* ioreq, pcicfg, invalidate, bufioreq */
	char *line;	     /* the parser's working copy of the line (malloc'd) */
};

/*
 * Parse one line (no newline; a trailing CR is ignored). 0 with cmd filled
 * (op TOP_NONE for a comment or blank line), or -EINVAL with the reason
 * (without "FAIL ") in err, or -ERANGE with the whole answer in err (QEMU's
 * "ERR invalid argument size" for write/b64write data under 3 characters),
 * or -ENOMEM. Free with trace_cmd_free either way.
 */
__attribute__((warn_unused_result)) int
trace_parse(const char *line, size_t len, struct trace_cmd *cmd, char *err, size_t errlen);
void trace_cmd_free(struct trace_cmd *cmd);

/* The executor: answers go to out() one line at a time, each ending in '\n'. */
struct trace_exec {
	struct sim *sim;
	void (*out)(void *opaque, const char *line);
	void *opaque;
	/* Optional: a comment line as read (demo narration), and each command before it runs. */
	void (*comment)(void *opaque, const char *text);
	void (*command)(void *opaque, const char *line);
	bool intercept_bound; /* an irq_intercept_in/out bound the IOAPIC */
	/* Counters. */
	uint64_t commands;
	uint64_t fails;
};

/* Route the sim's IRQ reports to t->out and start. */
void trace_exec_init(struct trace_exec *t, struct sim *sim,
		     void (*out)(void *opaque, const char *line), void *opaque);
void trace_exec_fini(struct trace_exec *t);
/* Parse and run one line (no newline), answering it. */
void trace_exec_line(struct trace_exec *t, const char *line, size_t len);
/* Answer an overlong line (the reader dropped it). */
void trace_exec_overlong(struct trace_exec *t);

/*
 * A line splitter for a byte stream (file, pipe, socket): feed it bytes,
 * it calls fn for each complete line (without the newline), and reports
 * lines longer than TRACE_LINE_MAX once each, with line == NULL.
 */
struct trace_reader {
	char *buf; /* TRACE_LINE_MAX + 1 bytes */
	size_t len;
	bool discarding; /* inside an overlong line */
};

__attribute__((warn_unused_result)) int trace_reader_init(struct trace_reader *r);
void trace_reader_fini(struct trace_reader *r);
void trace_reader_feed(struct trace_reader *r, const char *data, size_t n,
		       void (*fn)(void *opaque, const char *line, size_t len), void *opaque);
/* End of input: a last line without a newline is still a line. */
void trace_reader_finish(struct trace_reader *r,
			 void (*fn)(void *opaque, const char *line, size_t len), void *opaque);

#endif
