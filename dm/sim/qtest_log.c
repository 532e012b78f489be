// SPDX-License-Identifier: GPL-2.0-only
/*
 * The -qtest-log writer (see qtest_log.h). Every record is flushed at once
 * so that a test that kills the process still finds the log complete.
 */
#include <errno.h>
#include <string.h>

#include "dm/log.h"
#include "dm/sim/qtest_log.h"

int qtest_log_open(struct qtest_log *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	if (!path || !strcmp(path, "none"))
		return 0;
	l->f = fopen(path, "we");
	if (!l->f) {
		int ret = -errno;

		dm_err("sim", "-qtest-log %s: %s", path, strerror(errno));
		return ret;
	}
	clock_gettime(CLOCK_MONOTONIC, &l->t0);
	return 0;
}

/* "[TAG +S.UUUUUU] " (plus omitted for OPENED, as QEMU prints it). */
static void prefix(struct qtest_log *l, char tag, const char *plus)
{
	struct timespec now;
	long long s, us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (long long)(now.tv_sec - l->t0.tv_sec);
	us = (now.tv_nsec - l->t0.tv_nsec) / 1000;
	if (us < 0) {
		s--;
		us += 1000000;
	}
	fprintf(l->f, "[%c %s%lld.%06lld]", tag, plus, s, us);
}

void qtest_log_opened(struct qtest_log *l)
{
	if (!l || !l->f)
		return;
	prefix(l, 'I', "");
	fputs(" OPENED\n", l->f);
	fflush(l->f);
}

void qtest_log_recv(struct qtest_log *l, const char *line, size_t len)
{
	if (!l || !l->f)
		return;
	prefix(l, 'R', "+");
	/* The whole line, as QEMU logs it (a line is at most TRACE_LINE_MAX bytes). */
	fputc(' ', l->f);
	fwrite(line, 1, len, l->f);
	fputc('\n', l->f);
	fflush(l->f);
}

void qtest_log_send(struct qtest_log *l, const char *text)
{
	if (!l || !l->f)
		return;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) + 1 : strlen(text);

		prefix(l, 'S', "+");
		fprintf(l->f, " %.*s%s", (int)n, text, nl ? "" : "\n");
		text += n;
	}
	fflush(l->f);
}

void qtest_log_close(struct qtest_log *l)
{
	if (!l || !l->f)
		return;
	prefix(l, 'I', "+");
	fputs(" CLOSED\n", l->f);
	fclose(l->f);
	l->f = NULL;
}
