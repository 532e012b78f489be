/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transports of the trace protocol on the standalone platform: a trace file
 * (--replay), stdio or a unix socket this process connects to
 * (-qtest stdio | unix:PATH, as QEMU's qtest accelerator does).
 */
#ifndef DM_SIM_QTEST_H
#define DM_SIM_QTEST_H

#include <stdbool.h>
#include <stddef.h>

struct qtest_log;
struct sim;

/*
 * Run every line of the file at path ("-": stdin) on s, answers on stdout.
 * flush_lines: write each answer as it is made (needed when a chardev also
 * writes to stdout), else once per block of input. Returns the exit status.
 */
int sim_replay_file(struct sim *s, const char *path, bool flush_lines);
/* Run the lines of an in-memory trace (the embedded demo), answers to out(). */
void sim_replay_buffer(struct sim *s, const char *buf, size_t len,
		       void (*out)(void *opaque, const char *line), void *opaque,
		       void (*command)(void *opaque, const char *line),
		       void (*comment)(void *opaque, const char *text));
/*
 * Serve the qtest protocol on chardev ("stdio" or "unix:PATH") until EOF or
 * a signal; log (may be NULL or not open) records both directions and is closed.
 */
int sim_qtest(struct sim *s, const char *chardev, struct qtest_log *log);

#endif
