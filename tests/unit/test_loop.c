// SPDX-License-Identifier: GPL-2.0-only
/*
 * loop: timer heap order in virtual time (periodic re-arm, deletion from a
 * callback, ties, timer_mod of an armed timer), fd watches, real timerfd
 * timers, deferred work and signals. Real-mode tests assert only that
 * things happen and in which order, never how long they took.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/log.h"
#include "dm/loop.h"

#define MAX_EV 64

/* A log of which timer fired at which loop time. */
struct fired {
	struct loop *loop;
	int who[MAX_EV];
	uint64_t when[MAX_EV];
	unsigned n;
};

struct tctx {
	struct fired *log;
	int id;
	struct timer t;
	uint64_t period;      /* re-arm itself this far ahead, while > 0 */
	struct timer *victim; /* delete this one when fired */
	struct timer *rearm;  /* re-arm this one at rearm_at when fired */
	uint64_t rearm_at;
};

static void record(struct fired *log, int id)
{
	if (log->n < MAX_EV) {
		log->who[log->n] = id;
		log->when[log->n] = loop_now(log->loop);
	}
	log->n++;
}

static void tctx_fire(void *opaque)
{
	struct tctx *c = opaque;

	record(c->log, c->id);
	if (c->period)
		timer_mod(&c->t, c->t.deadline + c->period);
	if (c->victim)
		timer_del(c->victim);
	if (c->rearm)
		timer_mod(c->rearm, c->rearm_at);
}

static void tctx_init(struct tctx *c, struct loop *loop, struct fired *log, int id)
{
	memset(c, 0, sizeof(*c));
	c->log = log;
	c->id = id;
	timer_init(&c->t, loop, tctx_fire, c);
}

static void virtual_clock_starts_at_zero(void **state)
{
	struct loop *loop = loop_new(true);

	(void)state;
	assert_non_null(loop);
	assert_true(loop_is_virtual(loop));
	assert_int_equal(loop_now(loop), 0);
	assert_int_equal(loop_next_deadline(loop), UINT64_MAX);
	assert_int_equal(loop_clock_step(loop, 1000), 1000);
	assert_int_equal(loop_clock_set(loop, 5000), 5000);
	assert_int_equal(loop_now(loop), 5000);
	/* The clock never goes back. */
	assert_int_equal(loop_clock_set(loop, 10), 5000);
	loop_free(loop);
}

static void timers_fire_in_deadline_order(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx c[5];
	static const uint64_t dl[5] = { 500, 100, 400, 200, 300 };

	(void)state;
	for (int i = 0; i < 5; i++) {
		tctx_init(&c[i], loop, &log, i);
		assert_false(timer_pending(&c[i].t));
		timer_mod(&c[i].t, dl[i]);
		assert_true(timer_pending(&c[i].t));
	}
	assert_int_equal(loop_next_deadline(loop), 100);
	loop_clock_step(loop, 350);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.who[0], 1);
	assert_int_equal(log.when[0], 100);
	assert_int_equal(log.who[1], 3);
	assert_int_equal(log.when[1], 200);
	assert_int_equal(log.who[2], 4);
	assert_int_equal(log.when[2], 300);
	assert_false(timer_pending(&c[1].t));
	assert_int_equal(loop_now(loop), 350);
	assert_int_equal(loop_next_deadline(loop), 400);
	loop_clock_step(loop, 1000);
	assert_int_equal(log.n, 5);
	assert_int_equal(log.who[3], 2);
	assert_int_equal(log.who[4], 0);
	assert_int_equal(log.when[4], 500);
	assert_int_equal(loop_now(loop), 1350);
	assert_int_equal(loop_next_deadline(loop), UINT64_MAX);
	loop_free(loop);
}

static void deadline_reached_exactly_fires(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx c;

	(void)state;
	tctx_init(&c, loop, &log, 0);
	timer_mod(&c.t, 100);
	loop_clock_set(loop, 99);
	assert_int_equal(log.n, 0);
	loop_clock_set(loop, 100);
	assert_int_equal(log.n, 1);
	/* A deadline already past fires at the next step, at the current time. */
	timer_mod(&c.t, 50);
	loop_clock_step(loop, 0);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.when[1], 100);
	loop_free(loop);
}

static void periodic_timer_fires_every_period_in_one_step(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx p, q;

	(void)state;
	tctx_init(&p, loop, &log, 1);
	tctx_init(&q, loop, &log, 2);
	p.period = 1000;
	timer_mod(&p.t, 1000);
	timer_mod(&q.t, 2500);
	loop_clock_step(loop, 4999);
	/* 1000, 2000, 2500 (q), 3000, 4000 */
	assert_int_equal(log.n, 5);
	static const int who[] = { 1, 1, 2, 1, 1 };
	static const uint64_t when[] = { 1000, 2000, 2500, 3000, 4000 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(log.who[i], who[i]);
		assert_int_equal(log.when[i], when[i]);
	}
	assert_int_equal(loop_now(loop), 4999);
	assert_int_equal(loop_next_deadline(loop), 5000);
	p.period = 0;
	loop_clock_step(loop, 1);
	assert_int_equal(log.n, 6);
	assert_false(timer_pending(&p.t));
	loop_free(loop);
}

static void callback_deletes_and_rearms_others(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx a, b, c, d;

	(void)state;
	tctx_init(&a, loop, &log, 1);
	tctx_init(&b, loop, &log, 2);
	tctx_init(&c, loop, &log, 3);
	tctx_init(&d, loop, &log, 4);
	timer_mod(&a.t, 100);
	timer_mod(&b.t, 200);
	timer_mod(&c.t, 300);
	a.victim = &b.t; /* a deletes b before it is due */
	a.rearm = &d.t;	 /* and arms d (unarmed so far) inside the same step */
	a.rearm_at = 150;
	c.victim = &c.t; /* deleting itself after firing is harmless */
	loop_clock_step(loop, 1000);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.who[0], 1);
	assert_int_equal(log.who[1], 4);
	assert_int_equal(log.when[1], 150);
	assert_int_equal(log.who[2], 3);
	assert_false(timer_pending(&b.t));
	/* deleting an unarmed timer is harmless */
	timer_del(&b.t);
	loop_free(loop);
}

static void equal_deadlines_fire_in_arming_order(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx c[8];
	static const int order[8] = { 5, 2, 7, 0, 3, 6, 1, 4 };

	(void)state;
	for (int i = 0; i < 8; i++)
		tctx_init(&c[i], loop, &log, i);
	for (int i = 0; i < 8; i++)
		timer_mod(&c[order[i]].t, 777);
	/* re-arming counts as arming anew: 5 now goes last */
	timer_mod(&c[5].t, 777);
	loop_clock_step(loop, 777);
	assert_int_equal(log.n, 8);
	for (int i = 0; i < 7; i++)
		assert_int_equal(log.who[i], order[i + 1]);
	assert_int_equal(log.who[7], 5);
	loop_free(loop);
}

static void timer_mod_moves_an_armed_timer(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx c[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		tctx_init(&c[i], loop, &log, i);
		timer_mod(&c[i].t, 100 * (i + 1));
	}
	timer_mod(&c[0].t, 350); /* later */
	timer_mod(&c[3].t, 50);	 /* earlier */
	assert_int_equal(loop_next_deadline(loop), 50);
	timer_del(&c[1].t);
	assert_int_equal(loop_next_deadline(loop), 50);
	loop_clock_step(loop, 1000);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.who[0], 3);
	assert_int_equal(log.who[1], 2);
	assert_int_equal(log.who[2], 0);
	assert_int_equal(log.when[2], 350);
	loop_free(loop);
}

/* Many timers in random order come out sorted: exercises the heap's sift paths. */
struct stress {
	struct loop *loop;
	struct timer t;
	uint64_t armed_at;
	unsigned seq;
};

static uint64_t stress_last;
static unsigned stress_fired;
static unsigned stress_last_seq;

static void stress_fire(void *opaque)
{
	struct stress *s = opaque;
	uint64_t now = loop_now(s->loop);

	assert_int_equal(now, s->armed_at);
	assert_true(now >= stress_last);
	if (now == stress_last && stress_fired)
		assert_true(s->seq > stress_last_seq); /* ties in arming order */
	stress_last = now;
	stress_last_seq = s->seq;
	stress_fired++;
}

static void heap_stress_sorted(void **state)
{
	struct loop *loop = loop_new(true);
	enum { N = 500 };
	struct stress *c = calloc(N, sizeof(*c));
	unsigned seq = 0, armed = 0;

	(void)state;
	assert_non_null(c);
	srand(1);
	for (int i = 0; i < N; i++) {
		c[i].loop = loop;
		timer_init(&c[i].t, loop, stress_fire, &c[i]);
	}
	for (int round = 0; round < 3; round++) {
		for (int i = round; i < N; i += round + 1) {
			c[i].armed_at = 1 + (uint64_t)(rand() % 300);
			c[i].seq = ++seq;
			timer_mod(&c[i].t, c[i].armed_at);
		}
	}
	for (int i = 1; i < N; i += 7)
		timer_del(&c[i].t);
	for (int i = 0; i < N; i++)
		armed += timer_pending(&c[i].t);
	stress_last = 0;
	stress_fired = 0;
	loop_clock_set(loop, 1000);
	assert_int_equal(stress_fired, armed);
	assert_int_equal(loop_next_deadline(loop), UINT64_MAX);
	loop_free(loop);
	free(c);
}

static unsigned spin_fires;

static void spin_fire(void *opaque)
{
	struct timer *t = opaque;

	spin_fires++;
	timer_mod(t, t->deadline); /* zero period: due again at once */
}

/* A timer re-arming itself at the same instant cannot hold the clock forever. */
static void zero_period_timer_cannot_hang_step(void **state)
{
	struct loop *loop = loop_new(true);
	struct timer t;
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	log_set_stream(devnull);
	timer_init(&t, loop, spin_fire, &t);
	timer_mod(&t, 10);
	assert_int_equal(loop_clock_step(loop, 100), 100);
	assert_true(spin_fires >= 1000);
	assert_true(timer_pending(&t));
	log_set_stream(NULL);
	fclose(devnull);
	loop_free(loop);
}

static void loop_free_disarms_timers(void **state)
{
	struct loop *loop = loop_new(true);
	struct fired log = { .loop = loop };
	struct tctx c;

	(void)state;
	tctx_init(&c, loop, &log, 0);
	timer_mod(&c.t, 10);
	loop_free(loop);
	assert_false(timer_pending(&c.t));
}

/* ---------------------------------------------------------------- real mode */

struct pipe_ctx {
	int fds[2];
	unsigned calls;
	uint32_t events;
	char got;
};

static void pipe_ready(void *opaque, uint32_t events)
{
	struct pipe_ctx *p = opaque;

	p->calls++;
	p->events = events;
	if (read(p->fds[0], &p->got, 1) != 1)
		p->got = 0;
}

static void fd_watch_fires(void **state)
{
	struct loop *loop = loop_new(false);
	struct pipe_ctx p = { 0 };

	(void)state;
	assert_non_null(loop);
	assert_false(loop_is_virtual(loop));
	assert_int_equal(pipe(p.fds), 0);
	assert_int_equal(loop_add_fd(loop, p.fds[0], EPOLLIN, pipe_ready, &p), 0);
	assert_int_equal(loop_add_fd(loop, p.fds[0], EPOLLIN, pipe_ready, &p), -EEXIST);
	assert_int_equal(loop_iterate(loop, 0), 0);
	assert_int_equal(p.calls, 0);
	assert_int_equal(write(p.fds[1], "x", 1), 1);
	assert_true(loop_iterate(loop, 5000) > 0);
	assert_int_equal(p.calls, 1);
	assert_true(p.events & EPOLLIN);
	assert_int_equal(p.got, 'x');
	/* disabled: no event */
	assert_int_equal(loop_mod_fd(loop, p.fds[0], 0), 0);
	assert_int_equal(write(p.fds[1], "y", 1), 1);
	assert_int_equal(loop_iterate(loop, 0), 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(loop_mod_fd(loop, p.fds[0], EPOLLIN), 0);
	assert_true(loop_iterate(loop, 5000) > 0);
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.got, 'y');
	loop_del_fd(loop, p.fds[0]);
	assert_int_equal(write(p.fds[1], "z", 1), 1);
	assert_int_equal(loop_iterate(loop, 0), 0);
	assert_int_equal(p.calls, 2);
	assert_int_equal(loop_mod_fd(loop, p.fds[0], EPOLLIN), -ENOENT);
	assert_int_equal(loop_add_fd(loop, -1, EPOLLIN, pipe_ready, &p), -EBADF);
	close(p.fds[0]);
	close(p.fds[1]);
	loop_free(loop);
}

struct two_pipes {
	struct loop *loop;
	struct pipe_ctx a, b;
};

/* a's callback removes b's watch; b must not be called in the same round. */
static void a_removes_b(void *opaque, uint32_t events)
{
	struct two_pipes *t = opaque;

	(void)events;
	t->a.calls++;
	loop_del_fd(t->loop, t->b.fds[0]);
	loop_del_fd(t->loop, t->a.fds[0]);
}

static void b_counts(void *opaque, uint32_t events)
{
	struct two_pipes *t = opaque;

	(void)events;
	t->b.calls++;
	loop_del_fd(t->loop, t->b.fds[0]);
	loop_del_fd(t->loop, t->a.fds[0]);
}

static void fd_deleted_in_callback_not_called(void **state)
{
	struct two_pipes t = { 0 };

	(void)state;
	t.loop = loop_new(false);
	assert_int_equal(pipe(t.a.fds), 0);
	assert_int_equal(pipe(t.b.fds), 0);
	assert_int_equal(loop_add_fd(t.loop, t.a.fds[0], EPOLLIN, a_removes_b, &t), 0);
	assert_int_equal(loop_add_fd(t.loop, t.b.fds[0], EPOLLIN, b_counts, &t), 0);
	assert_int_equal(write(t.a.fds[1], "x", 1), 1);
	assert_int_equal(write(t.b.fds[1], "x", 1), 1);
	/* Both are ready before the wait; whichever runs first unwatches both. */
	assert_true(loop_iterate(t.loop, 5000) >= 0);
	assert_int_equal(t.a.calls + t.b.calls, 1);
	for (int i = 0; i < 2; i++) {
		close(t.a.fds[i]);
		close(t.b.fds[i]);
	}
	loop_free(t.loop);
}

static void quit_from_timer(void *opaque)
{
	struct tctx *c = opaque;

	record(c->log, c->id);
	loop_quit(c->log->loop, 42 + c->id);
}

static void real_timer_fires(void **state)
{
	struct loop *loop = loop_new(false);
	struct fired log = { .loop = loop };
	struct tctx a, b, never;
	uint64_t now = loop_now(loop);

	(void)state;
	assert_true(now > 0);
	tctx_init(&a, loop, &log, 1);
	tctx_init(&b, loop, &log, 2);
	tctx_init(&never, loop, &log, 9);
	b.t.fn = quit_from_timer;
	timer_mod(&a.t, now + 1000000);
	timer_mod(&b.t, now + 2000000);
	timer_mod(&never.t, now + 3600ull * 1000000000);
	assert_int_equal(loop_run(loop), 44);
	assert_true(loop_quitting(loop));
	assert_int_equal(log.n, 2);
	assert_int_equal(log.who[0], 1);
	assert_int_equal(log.who[1], 2);
	assert_true(log.when[0] >= now + 1000000);
	assert_true(log.when[1] >= now + 2000000);
	assert_true(timer_pending(&never.t));
	loop_free(loop);
	assert_false(timer_pending(&never.t));
}

struct defer_ctx {
	struct loop *loop;
	struct deferred d, other;
	unsigned runs, other_runs;
	bool requeue, cancel_other;
};

static void defer_fn(void *opaque)
{
	struct defer_ctx *c = opaque;

	c->runs++;
	if (c->requeue) {
		c->requeue = false;
		loop_defer(c->loop, &c->d);
	}
	if (c->cancel_other)
		loop_cancel_deferred(c->loop, &c->other);
}

static void other_fn(void *opaque)
{
	struct defer_ctx *c = opaque;

	c->other_runs++;
}

static void deferred_runs_once(void **state)
{
	struct defer_ctx c = { 0 };

	(void)state;
	c.loop = loop_new(false);
	deferred_init(&c.d, defer_fn, &c);
	deferred_init(&c.other, other_fn, &c);
	loop_defer(c.loop, &c.d);
	loop_defer(c.loop, &c.d); /* queued once */
	assert_true(loop_iterate(c.loop, 0) >= 0);
	assert_int_equal(c.runs, 1);
	assert_true(loop_iterate(c.loop, 0) >= 0);
	assert_int_equal(c.runs, 1);

	/* Re-queued from its own run: runs in the next round, not this one. */
	c.requeue = true;
	loop_defer(c.loop, &c.d);
	loop_run_deferred(c.loop);
	assert_int_equal(c.runs, 2);
	loop_run_deferred(c.loop);
	assert_int_equal(c.runs, 3);
	loop_run_deferred(c.loop);
	assert_int_equal(c.runs, 3);

	/* Cancelled before it runs: never runs; also from another's callback. */
	loop_defer(c.loop, &c.other);
	loop_cancel_deferred(c.loop, &c.other);
	loop_run_deferred(c.loop);
	assert_int_equal(c.other_runs, 0);
	c.cancel_other = true;
	loop_defer(c.loop, &c.d);
	loop_defer(c.loop, &c.other);
	loop_run_deferred(c.loop);
	assert_int_equal(c.runs, 4);
	assert_int_equal(c.other_runs, 0);
	loop_cancel_deferred(c.loop, &c.other); /* not queued: harmless */
	loop_free(c.loop);
}

static void deferred_in_virtual_mode(void **state)
{
	struct defer_ctx c = { 0 };

	(void)state;
	c.loop = loop_new(true);
	deferred_init(&c.other, other_fn, &c);
	loop_defer(c.loop, &c.other);
	assert_true(loop_iterate(c.loop, 0) >= 0);
	assert_int_equal(c.other_runs, 1);
	loop_free(c.loop);
}

struct sig_ctx {
	struct loop *loop;
	int signo[4];
	unsigned n;
};

static void on_signal(void *opaque, int signo)
{
	struct sig_ctx *s = opaque;

	if (s->n < 4)
		s->signo[s->n++] = signo;
	loop_quit(s->loop, 7);
}

static void signals_via_signalfd(void **state)
{
	struct sig_ctx s = { 0 };

	(void)state;
	s.loop = loop_new(false);
	assert_int_equal(loop_watch_signals(s.loop, on_signal, &s), 0);
	assert_int_equal(raise(SIGTERM), 0);
	assert_int_equal(loop_run(s.loop), 7);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.signo[0], SIGTERM);
	assert_int_equal(raise(SIGHUP), 0);
	assert_true(loop_iterate(s.loop, 5000) > 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.signo[1], SIGHUP);
	loop_free(s.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(virtual_clock_starts_at_zero),
		cmocka_unit_test(timers_fire_in_deadline_order),
		cmocka_unit_test(deadline_reached_exactly_fires),
		cmocka_unit_test(periodic_timer_fires_every_period_in_one_step),
		cmocka_unit_test(callback_deletes_and_rearms_others),
		cmocka_unit_test(equal_deadlines_fire_in_arming_order),
		cmocka_unit_test(timer_mod_moves_an_armed_timer),
		cmocka_unit_test(heap_stress_sorted),
		cmocka_unit_test(zero_period_timer_cannot_hang_step),
		cmocka_unit_test(loop_free_disarms_timers),
		cmocka_unit_test(fd_watch_fires),
		cmocka_unit_test(fd_deleted_in_callback_not_called),
		cmocka_unit_test(real_timer_fires),
		cmocka_unit_test(deferred_runs_once),
		cmocka_unit_test(deferred_in_virtual_mode),
		cmocka_unit_test(signals_via_signalfd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
