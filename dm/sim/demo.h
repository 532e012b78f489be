/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The built-in demonstration: what `hvmdm` with no arguments runs. A trace
 * (dm/sim/demo.trace, embedded at build time as demo_trace[]) is replayed
 * on the standalone xenfv machine and narrated: each command with its
 * answer, then what the machine is made of and what it did.
 */
#ifndef DM_SIM_DEMO_H
#define DM_SIM_DEMO_H

#include <stddef.h>

struct sim;

/* Generated from dm/sim/demo.trace by the Makefile (od). */
extern const char demo_trace[];
extern const size_t demo_trace_len;

/* COM1's output, when the caller wired it to a pipe (read end, non-blocking), else -1. */
extern int demo_serial_fd;

/* Replay buf on s, narrated on stdout. Returns the exit status. */
int sim_demo(struct sim *s, const char *buf, size_t len);

#endif
