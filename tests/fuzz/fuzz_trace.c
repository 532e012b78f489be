// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace-text libFuzzer target: the input is a trace (any bytes), split
 * into lines as --replay splits a file and run on the chipset machine after
 * the harness's set-up. It reaches the trace parser (dm/sim/trace.c: every
 * command's argument checks, the line reader) as well as the devices, and
 * its reproducer is the input itself.
 *
 * Lines that would only make an input slow, not wrong, are dropped before
 * they run (and so from the reproducer): memset/read/write spans above
 * 64 KiB and clock moves above 0.1 s (every periodic timer fires at each
 * period of virtual time).
 *
 *   fuzz-trace --reproduce INPUT [OUT.trace]   the lines it ran, as a trace
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/harness.h"

#define SPAN_MAX     (64u << 10)
#define CLOCK_MAX_NS 100000000
#define LINES_MAX    2000

static struct harness H;
static bool ready, reported, death_set;

extern void fuzzer_death_callback(void) __asm__("_ZN6fuzzer6Fuzzer19StaticDeathCallbackEv")
    __attribute__((weak));
extern void __sanitizer_set_death_callback(void (*cb)(void));

static bool too_costly(const char *line, size_t len)
{
	struct trace_cmd c;
	char err[160];
	bool costly = false;

	if (!trace_parse(line, len, &c, err, sizeof(err))) {
		switch (c.op) {
		case TOP_MEMSET:
		case TOP_READ:
		case TOP_WRITE:
			costly = c.len > SPAN_MAX;
			break;
		case TOP_CLOCK_STEP:
			costly = c.has_ns && c.ns > CLOCK_MAX_NS;
			break;
		case TOP_CLOCK_SET:
			costly = c.ns > CLOCK_MAX_NS;
			break;
		default:
			break;
		}
	}
	trace_cmd_free(&c);
	return costly;
}

static void run_text(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *line;
	const char *err;
	unsigned n = 0;

	if (harness_begin(&H))
		abort();
	reported = false;
	while (p < end && n < LINES_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* A NUL would cut the recorded line short of what ran: keep such lines out. */
		if (len <= TRACE_LINE_MAX && !memchr(p, '\0', len) && !too_costly(p, len)) {
			line = strndup(p, len);
			if (line) {
				harness_exec_line(&H, line);
				free(line);
				n++;
				err = harness_check_op(&H);
				if (err) {
					reported = true;
					harness_fail(&H, err);
				}
			}
		}
		p += len + 1;
	}
	err = harness_end(&H);
	if (err) {
		reported = true;
		harness_fail(&H, err);
	}
}

static void on_death(void)
{
	if (!reported && H.live) {
		reported = true;
		fprintf(stderr, "\n==== hvmdm fuzz: reproducer (trace) begins\n");
		harness_write_trace(&H, stderr, "crash: sanitizer report above");
		fprintf(stderr, "==== reproducer ends\n");
	}
	if (fuzzer_death_callback)
		fuzzer_death_callback();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		return 0;
	if (!death_set) {
		__sanitizer_set_death_callback(on_death);
		death_set = true;
	}
	run_text(data, size);
	return 0;
}

static void remove_images(void)
{
	harness_remove_images(&H);
}

static int reproduce(const char *in, const char *out)
{
	FILE *f = fopen(in, "rb"), *o;
	static uint8_t buf[1 << 20];
	size_t n;

	if (!f)
		return 2;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	H.full_checks = true;
	run_text(buf, n);
	o = out ? fopen(out, "w") : stdout;
	if (!o)
		return 2;
	/* run_text tore the machine down; the lines it ran are still recorded. */
	harness_write_trace(&H, o, NULL);
	if (out)
		fclose(o);
	return 0;
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "handle_abort=1";
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct fuzz_config *cfg = fuzz_config_find("chipset");

	if (!cfg || harness_setup(&H, cfg))
		exit(2);
	atexit(remove_images);
	ready = true;
	if (*argc > 2 && !strcmp((*argv)[1], "--reproduce"))
		exit(reproduce((*argv)[2], *argc > 3 ? (*argv)[3] : NULL));
	return 0;
}
