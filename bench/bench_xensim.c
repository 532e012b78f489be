// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioreq round trips through the real dm/xen code against tests/xensim: vCPU
 * threads post requests in their ioreq slots and wait for IORESP_READY as
 * Xen does; the loop thread takes each event, handles the request and
 * answers. Figures only, never a pass/fail.
 *
 *   bench_xensim                 round trips/s: PIO register read and a
 *                                4 KiB REP INSW, with 1 and 4 vCPUs
 *   bench_xensim --count N       requests per vCPU (default 100000)
 *   bench_xensim --profile N     N PIO reads on one vCPU, nothing printed:
 *                                the run bench/run.sh puts under callgrind
 *                                (--toggle-collect=xen_evtchn_ready) to count
 *                                the instructions hvmdm spends per request
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/loop.h"
#include "tests/xensim/xensim_env.h"

#define IOREQ_TYPE_PIO 0
#define IOREQ_READ     1

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct xensim_req pio_read(void)
{
	return env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4, 0);
}

/* REP INSW of 4 KiB into guest RAM, a page per vCPU. */
static struct xensim_req insw_4k(unsigned v)
{
	struct xensim_req r =
	    env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_FIFO_PORT, 2, 0x100000 + (uint64_t)v * 4096);

	r.count = 2048;
	r.data_is_ptr = true;
	return r;
}

static int run(const char *name, unsigned nv, unsigned per, bool rep, bool quiet)
{
	struct xensim_cfg c = { .domid = ENV_DOMID, .nr_vcpus = nv, .ram_low = 64u << 20 };
	struct xen_opts xo = { 0 };
	struct xensim_req *s = calloc((size_t)nv * per, sizeof(*s));
	struct env *e = calloc(1, sizeof(*e));
	double t0, dt;
	unsigned v, i, bad = 0;

	if (!s || !e || env_setup(e, &c, &xo)) {
		fprintf(stderr, "bench_xensim: set-up failed\n");
		return 1;
	}
	for (v = 0; v < nv; v++)
		for (i = 0; i < per; i++)
			s[v * per + i] = rep ? insw_4k(v) : pio_read();
	t0 = now_s();
	for (v = 0; v < nv; v++)
		if (xensim_vcpu_start(v, &s[v * per], per))
			return 1;
	env_run_vcpus(e);
	dt = now_s() - t0;
	for (i = 0; i < nv * per; i++)
		bad += s[i].outcome != XSIM_DM;
	if (!quiet) {
		double n = (double)nv * per;

		printf("  %-28s %u vCPU%s  %9.0f round trips/s  %6.2f us each", name, nv,
		       nv > 1 ? "s" : " ", n / dt, dt / n * 1e6 * nv);
		if (rep)
			printf("  %7.1f MiB/s", n * 4096 / dt / (1 << 20));
		printf("%s\n", bad || xensim_errors() ? "  (PROTOCOL ERRORS)" : "");
	}
	env_teardown(e);
	free(e);
	free(s);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned count = 100000;
	int rc = 0;

	if (argc == 3 && !strcmp(argv[1], "--profile"))
		return run("profile", 1, (unsigned)strtoul(argv[2], NULL, 0), false, true);
	if (argc == 3 && !strcmp(argv[1], "--count"))
		count = (unsigned)strtoul(argv[2], NULL, 0);
	printf("== ioreq round trips through dm/xen + xensim (%u requests per vCPU)\n", count);
	rc |= run("PIO read (inl 0x510)", 1, count, false, false);
	rc |= run("PIO read (inl 0x510)", 4, count, false, false);
	rc |= run("REP INSW 4 KiB", 1, count / 10, true, false);
	rc |= run("REP INSW 4 KiB", 4, count / 10, true, false);
	return rc;
}
