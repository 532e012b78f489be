/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * -qtest-log FILE: both directions of a qtest session, in QEMU 7.2's format
 * (softmmu/qtest.c; checked against Debian's qemu-system-x86_64 7.2 with
 * -accel tcg -qtest stdio -qtest-log FILE):
 *   [I 0.000000] OPENED
 *   [R +0.013798] outb 0x80 0x1        a command as received
 *   [S +0.013806] OK                   an answer or IRQ notice as sent
 *   [I +0.982606] CLOSED
 * Times are seconds since the log was opened (host monotonic clock: the log
 * is for people, nothing reads the times back). "none" keeps no log.
 * Without -qtest-log QEMU logs to stderr; hvmdm keeps none (stderr is its
 * own log), a documented difference.
 */
#ifndef DM_SIM_QTEST_LOG_H
#define DM_SIM_QTEST_LOG_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct qtest_log {
	FILE *f; /* NULL: no log */
	struct timespec t0;
};

/* Open (truncate) path; NULL or "none": no log. 0 or -errno (message logged). */
int qtest_log_open(struct qtest_log *l, const char *path);
void qtest_log_opened(struct qtest_log *l);
/* One command line as received (len bytes, no newline). */
void qtest_log_recv(struct qtest_log *l, const char *line, size_t len);
/* Text as sent: one or more lines, each ending in a newline. */
void qtest_log_send(struct qtest_log *l, const char *text);
/* Log "CLOSED" and close the file. Each call is a no-op on NULL or a log never opened. */
void qtest_log_close(struct qtest_log *l);

#endif
