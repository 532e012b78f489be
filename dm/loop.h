/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: one thread, one epoll set. fd watches, one timerfd over a
 * min-heap of timers, deferred work (run before the loop sleeps), and a
 * signalfd for SIGTERM/SIGINT/SIGHUP so that no work happens in a signal
 * handler.
 *
 * Time: loop_now() is the device clock in nanoseconds. In real mode it is
 * CLOCK_MONOTONIC; in virtual mode (replay, qtest, fuzzing) it starts at 0
 * and moves only with loop_clock_step()/loop_clock_set(), which fire the
 * timers that fall due in deadline order, so a trace is deterministic.
 */
#ifndef DM_LOOP_H
#define DM_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_fn)(void *opaque, uint32_t events);
typedef void (*loop_fn)(void *opaque);

struct timer {
	uint64_t deadline; /* ns on the loop clock */
	loop_fn fn;
	void *opaque;
	struct loop *loop;
	size_t heap_idx; /* SIZE_MAX while not armed */
};

struct deferred {
	loop_fn fn;
	void *opaque;
	struct deferred *next;
	bool queued;
};

/* virtual: true for replay/qtest/fuzzing. NULL on failure (errno set). */
struct loop *loop_new(bool virtual_clock);
void loop_free(struct loop *loop);
bool loop_is_virtual(const struct loop *loop);

/* events are EPOLLIN/EPOLLOUT/...; -errno on failure. */
__attribute__((warn_unused_result)) int loop_add_fd(struct loop *loop, int fd, uint32_t events,
						    loop_fd_fn fn, void *opaque);
__attribute__((warn_unused_result)) int loop_mod_fd(struct loop *loop, int fd, uint32_t events);
void loop_del_fd(struct loop *loop, int fd);

void timer_init(struct timer *t, struct loop *loop, loop_fn fn, void *opaque);
/* Arm (or re-arm) to fire at deadline ns on the loop clock. */
void timer_mod(struct timer *t, uint64_t deadline);
void timer_del(struct timer *t);
bool timer_pending(const struct timer *t);

uint64_t loop_now(const struct loop *loop);
/* Virtual clock only: advance by ns / to ns, firing due timers in order. Returns the new time. */
uint64_t loop_clock_step(struct loop *loop, uint64_t ns);
uint64_t loop_clock_set(struct loop *loop, uint64_t ns);
/* Deadline of the next armed timer, or UINT64_MAX. */
uint64_t loop_next_deadline(const struct loop *loop);
/* How many timers are armed (the fuzz harness checks none is left after teardown). */
size_t loop_timers_armed(const struct loop *loop);

void deferred_init(struct deferred *d, loop_fn fn, void *opaque);
/* Queue once (a second call before it runs does nothing). */
void loop_defer(struct loop *loop, struct deferred *d);
void loop_cancel_deferred(struct loop *loop, struct deferred *d);
/* Run deferred work now (the loop does this before every wait). */
void loop_run_deferred(struct loop *loop);

/*
 * Block SIGTERM/SIGINT/SIGHUP and watch them on a signalfd; when one comes,
 * fn(opaque, signo) runs on the loop thread. Call it before creating any
 * thread (I/O workers): threads inherit the blocked mask, and a thread that
 * left SIGTERM unblocked would take the default action (exit) instead.
 */
__attribute__((warn_unused_result)) int
loop_watch_signals(struct loop *loop, void (*fn)(void *opaque, int signo), void *opaque);

/* One iteration: wait up to timeout_ms (-1: until something happens). */
int loop_iterate(struct loop *loop, int timeout_ms);
/* Iterate until loop_quit(); returns the status passed to it. */
int loop_run(struct loop *loop);
void loop_quit(struct loop *loop, int status);
bool loop_quitting(const struct loop *loop);

#endif
