// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event loop (see loop.h): one epoll set carrying the fd watches, one
 * timerfd programmed to the earliest deadline of a binary min-heap of
 * timers, and a signalfd. Deferred work runs before every wait.
 *
 * Timers are ordered by (deadline, arming sequence), so equal deadlines
 * fire in the order they were armed and every run is reproducible. In
 * virtual mode the timerfd is never armed: time moves only through
 * loop_clock_step/set, which fire the due timers one at a time with the
 * clock set to each one's deadline, so a periodic timer that re-arms itself
 * fires once per period within a single large step.
 *
 * fd events carry (fd, generation) so that a watch removed, or removed and
 * replaced, by an earlier callback of the same round is never called with a
 * stale event.
 */
#include "dm/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "dm/log.h"

#define LOOP_MAX_EVENTS 32

struct watch {
	loop_fd_fn fn;
	void *opaque;
	uint32_t gen; /* bumped on every add, so stale events are recognised */
	bool used;
};

struct heap_ent {
	struct timer *t;
	uint64_t seq;
};

struct loop {
	int epfd;
	int tfd; /* -1 in virtual mode */
	int sfd; /* -1 until loop_watch_signals */
	bool virt;
	uint64_t vnow;

	struct watch *watches; /* indexed by fd */
	size_t nwatches;

	struct heap_ent *heap;
	size_t nheap, heap_cap;
	uint64_t next_seq;
	uint64_t tfd_armed; /* deadline the timerfd is set to, UINT64_MAX: none */

	struct deferred *dq_head, **dq_tail; /* next round */
	struct deferred *dq_run;	     /* the round being run */

	void (*sig_fn)(void *opaque, int signo);
	void *sig_opaque;
	sigset_t sig_old;

	bool quit;
	int status;
};

/* epoll data for the loop's own fds; user fds are >= 0 */
enum { TAG_TIMERFD = 1, TAG_SIGNALFD = 2 };
#define TAG_INTERNAL (1ull << 63)

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int epoll_add_internal(struct loop *loop, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_INTERNAL | tag };

	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

struct loop *loop_new(bool virtual_clock)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	int err;

	if (!loop)
		return NULL;
	loop->virt = virtual_clock;
	loop->tfd = -1;
	loop->sfd = -1;
	loop->tfd_armed = UINT64_MAX;
	loop->dq_tail = &loop->dq_head;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto err_free;
	if (virtual_clock)
		return loop;
	loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (loop->tfd < 0)
		goto err_close_epoll;
	err = epoll_add_internal(loop, loop->tfd, TAG_TIMERFD);
	if (err) {
		errno = -err;
		goto err_close_timerfd;
	}
	return loop;

err_close_timerfd:
	err = errno;
	close(loop->tfd);
	errno = err;
err_close_epoll:
	err = errno;
	close(loop->epfd);
	errno = err;
err_free:
	free(loop);
	return NULL;
}

void loop_free(struct loop *loop)
{
	struct deferred *d;

	if (!loop)
		return;
	for (size_t i = 0; i < loop->nheap; i++)
		loop->heap[i].t->heap_idx = SIZE_MAX;
	for (d = loop->dq_head; d; d = d->next)
		d->queued = false;
	for (d = loop->dq_run; d; d = d->next)
		d->queued = false;
	if (loop->sfd >= 0) {
		close(loop->sfd);
		sigprocmask(SIG_SETMASK, &loop->sig_old, NULL);
	}
	if (loop->tfd >= 0)
		close(loop->tfd);
	close(loop->epfd);
	free(loop->heap);
	free(loop->watches);
	free(loop);
}

bool loop_is_virtual(const struct loop *loop)
{
	return loop->virt;
}

/* ---------------------------------------------------------------- fd watches */

static int watch_grow(struct loop *loop, int fd)
{
	size_t n = loop->nwatches ? loop->nwatches : 16;
	struct watch *w;

	while (n <= (size_t)fd)
		n *= 2;
	w = realloc(loop->watches, n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w + loop->nwatches, 0, (n - loop->nwatches) * sizeof(*w));
	loop->watches = w;
	loop->nwatches = n;
	return 0;
}

static struct watch *watch_of(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nwatches || !loop->watches[fd].used)
		return NULL;
	return &loop->watches[fd];
}

static uint64_t watch_data(int fd, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)fd;
}

int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_fn fn, void *opaque)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;
	int err;

	if (fd < 0)
		return -EBADF;
	if (watch_of(loop, fd))
		return -EEXIST;
	if ((size_t)fd >= loop->nwatches) {
		err = watch_grow(loop, fd);
		if (err)
			return err;
	}
	w = &loop->watches[fd];
	ev.data.u64 = watch_data(fd, w->gen + 1);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	w->gen++;
	w->fn = fn;
	w->opaque = opaque;
	w->used = true;
	dm_dbg(LOG_LOOP, "loop", "watch fd %d events %#x", fd, events);
	return 0;
}

int loop_mod_fd(struct loop *loop, int fd, uint32_t events)
{
	struct watch *w = watch_of(loop, fd);
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOENT;
	ev.data.u64 = watch_data(fd, w->gen);
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void loop_del_fd(struct loop *loop, int fd)
{
	struct watch *w = watch_of(loop, fd);

	if (!w)
		return;
	/* The fd may already be closed (then epoll dropped it itself). */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->used = false;
	w->fn = NULL;
	w->opaque = NULL;
	dm_dbg(LOG_LOOP, "loop", "unwatch fd %d", fd);
}

static void dispatch_fd(struct loop *loop, uint64_t data, uint32_t events)
{
	int fd = (int)(uint32_t)data;
	struct watch *w = watch_of(loop, fd);

	if (w && w->gen == (uint32_t)(data >> 32))
		w->fn(w->opaque, events);
}

/* ---------------------------------------------------------------- timer heap */

static bool ent_before(const struct heap_ent *a, const struct heap_ent *b)
{
	if (a->t->deadline != b->t->deadline)
		return a->t->deadline < b->t->deadline;
	return a->seq < b->seq;
}

static void heap_set(struct loop *loop, size_t i, struct heap_ent e)
{
	loop->heap[i] = e;
	e.t->heap_idx = i;
}

static void sift_up(struct loop *loop, size_t i)
{
	struct heap_ent e = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!ent_before(&e, &loop->heap[parent]))
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, e);
}

static void sift_down(struct loop *loop, size_t i)
{
	struct heap_ent e = loop->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= loop->nheap)
			break;
		if (child + 1 < loop->nheap &&
		    ent_before(&loop->heap[child + 1], &loop->heap[child]))
			child++;
		if (!ent_before(&loop->heap[child], &e))
			break;
		heap_set(loop, i, loop->heap[child]);
		i = child;
	}
	heap_set(loop, i, e);
}

static void heap_remove(struct loop *loop, size_t i)
{
	struct timer *t = loop->heap[i].t;

	t->heap_idx = SIZE_MAX;
	loop->nheap--;
	if (i == loop->nheap)
		return;
	heap_set(loop, i, loop->heap[loop->nheap]);
	sift_down(loop, i);
	sift_up(loop, loop->heap[i].t->heap_idx);
}

static int heap_reserve(struct loop *loop)
{
	size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
	struct heap_ent *h;

	if (loop->nheap < loop->heap_cap)
		return 0;
	h = realloc(loop->heap, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	loop->heap = h;
	loop->heap_cap = cap;
	return 0;
}

void timer_init(struct timer *t, struct loop *loop, loop_fn fn, void *opaque)
{
	t->deadline = 0;
	t->fn = fn;
	t->opaque = opaque;
	t->loop = loop;
	t->heap_idx = SIZE_MAX;
}

bool timer_pending(const struct timer *t)
{
	return t->heap_idx != SIZE_MAX;
}

void timer_del(struct timer *t)
{
	if (timer_pending(t) && t->loop)
		heap_remove(t->loop, t->heap_idx);
}

/*
 * Re-arming counts as arming anew for the tie order. If the heap cannot grow
 * the timer stays unarmed: that is logged, since it means memory is gone.
 */
void timer_mod(struct timer *t, uint64_t deadline)
{
	struct loop *loop = t->loop;
	size_t i;

	if (timer_pending(t)) {
		i = t->heap_idx;
		t->deadline = deadline;
		loop->heap[i].seq = loop->next_seq++;
		sift_down(loop, i);
		sift_up(loop, t->heap_idx);
		return;
	}
	if (heap_reserve(loop)) {
		dm_err("loop", "out of memory arming a timer");
		return;
	}
	t->deadline = deadline;
	i = loop->nheap++;
	loop->heap[i] = (struct heap_ent){ .t = t, .seq = loop->next_seq++ };
	t->heap_idx = i;
	sift_up(loop, i);
}

uint64_t loop_next_deadline(const struct loop *loop)
{
	return loop->nheap ? loop->heap[0].t->deadline : UINT64_MAX;
}

size_t loop_timers_armed(const struct loop *loop)
{
	return loop->nheap;
}

uint64_t loop_now(const struct loop *loop)
{
	return loop->virt ? loop->vnow : mono_now();
}

static void fire_top(struct loop *loop)
{
	struct timer *t = loop->heap[0].t;

	heap_remove(loop, 0);
	t->fn(t->opaque);
}

/*
 * A timer that keeps re-arming itself at the current instant (a zero period
 * computed from guest registers, say) would hold the virtual clock forever;
 * after this many fires at one instant the step ends and the clock moves
 * on, leaving the timers armed.
 */
#define LOOP_MAX_FIRES_PER_INSTANT 100000u

uint64_t loop_clock_set(struct loop *loop, uint64_t ns)
{
	unsigned same_instant = 0;

	if (!loop->virt) {
		dm_err("loop", "loop_clock_set on the real clock");
		return loop_now(loop);
	}
	while (loop->nheap && loop->heap[0].t->deadline <= ns) {
		if (loop->heap[0].t->deadline > loop->vnow) {
			loop->vnow = loop->heap[0].t->deadline;
			same_instant = 0;
		}
		if (++same_instant > LOOP_MAX_FIRES_PER_INSTANT) {
			dm_err("loop", "timers re-armed at %llu ns without end; clock moved on",
			       (unsigned long long)loop->vnow);
			break;
		}
		fire_top(loop);
	}
	if (ns > loop->vnow)
		loop->vnow = ns;
	return loop->vnow;
}

uint64_t loop_clock_step(struct loop *loop, uint64_t ns)
{
	uint64_t now = loop_now(loop);

	return loop_clock_set(loop, ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
}

/*
 * Real mode: fire what is due now. At most as many timers as were armed on
 * entry fire in one round, so a timer re-arming itself in the past cannot
 * starve the fds; the rest fire on the next round (the timerfd is then set
 * in the past and wakes the loop at once).
 */
static void run_due_timers(struct loop *loop)
{
	uint64_t now = mono_now();
	size_t budget = loop->nheap;

	while (budget-- && loop->nheap && loop->heap[0].t->deadline <= now)
		fire_top(loop);
}

static void program_timerfd(struct loop *loop)
{
	uint64_t dl = loop_next_deadline(loop);
	struct itimerspec its = { 0 };

	if (loop->virt || dl == loop->tfd_armed)
		return;
	if (dl != UINT64_MAX) {
		/* 0 would disarm: a deadline at time 0 is simply "now". */
		its.it_value.tv_sec = (time_t)(dl / 1000000000ull);
		its.it_value.tv_nsec = (long)(dl % 1000000000ull);
		if (!dl)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL)) {
		dm_err("loop", "timerfd_settime: %s", strerror(errno));
		return;
	}
	loop->tfd_armed = dl;
}

static void timerfd_ready(struct loop *loop)
{
	uint64_t expirations;

	/* Non-blocking; EAGAIN when re-programmed after it fired. */
	if (read(loop->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		dm_err("loop", "timerfd read: %s", strerror(errno));
	loop->tfd_armed = UINT64_MAX;
	run_due_timers(loop);
}

/* ---------------------------------------------------------------- deferred work */

void deferred_init(struct deferred *d, loop_fn fn, void *opaque)
{
	d->fn = fn;
	d->opaque = opaque;
	d->next = NULL;
	d->queued = false;
}

void loop_defer(struct loop *loop, struct deferred *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = NULL;
	*loop->dq_tail = d;
	loop->dq_tail = &d->next;
}

static bool unlink_from(struct deferred **head, struct deferred ***tail, struct deferred *d)
{
	for (struct deferred **pp = head; *pp; pp = &(*pp)->next) {
		if (*pp != d)
			continue;
		*pp = d->next;
		if (tail && *tail == &d->next)
			*tail = pp;
		d->next = NULL;
		return true;
	}
	return false;
}

void loop_cancel_deferred(struct loop *loop, struct deferred *d)
{
	if (!d->queued)
		return;
	if (!unlink_from(&loop->dq_head, &loop->dq_tail, d))
		unlink_from(&loop->dq_run, NULL, d);
	d->queued = false;
}

/* Work queued while this round runs goes to the next round. */
void loop_run_deferred(struct loop *loop)
{
	struct deferred *d;

	loop->dq_run = loop->dq_head;
	loop->dq_head = NULL;
	loop->dq_tail = &loop->dq_head;
	while ((d = loop->dq_run) != NULL) {
		loop->dq_run = d->next;
		d->next = NULL;
		d->queued = false;
		d->fn(d->opaque);
	}
}

/* ---------------------------------------------------------------- signals */

int loop_watch_signals(struct loop *loop, void (*fn)(void *opaque, int signo), void *opaque)
{
	sigset_t set;
	int err;

	if (loop->sfd >= 0)
		return -EBUSY;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &loop->sig_old))
		return -errno;
	loop->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sfd < 0) {
		err = -errno;
		goto err_unblock;
	}
	err = epoll_add_internal(loop, loop->sfd, TAG_SIGNALFD);
	if (err)
		goto err_close_signalfd;
	loop->sig_fn = fn;
	loop->sig_opaque = opaque;
	return 0;

err_close_signalfd:
	close(loop->sfd);
	loop->sfd = -1;
err_unblock:
	sigprocmask(SIG_SETMASK, &loop->sig_old, NULL);
	return err;
}

static void signalfd_ready(struct loop *loop)
{
	struct signalfd_siginfo si;

	while (read(loop->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		dm_dbg(LOG_LOOP, "loop", "signal %u", si.ssi_signo);
		if (loop->sig_fn)
			loop->sig_fn(loop->sig_opaque, (int)si.ssi_signo);
	}
}

/* ---------------------------------------------------------------- the loop */

static void dispatch(struct loop *loop, const struct epoll_event *ev)
{
	if (!(ev->data.u64 & TAG_INTERNAL)) {
		dispatch_fd(loop, ev->data.u64, ev->events);
		return;
	}
	if ((ev->data.u64 & ~TAG_INTERNAL) == TAG_TIMERFD)
		timerfd_ready(loop);
	else
		signalfd_ready(loop);
}

int loop_iterate(struct loop *loop, int timeout_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n;

	loop_run_deferred(loop);
	if (loop->dq_head || loop->quit)
		timeout_ms = 0;
	program_timerfd(loop);
	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++)
		dispatch(loop, &evs[i]);
	return n;
}

int loop_run(struct loop *loop)
{
	while (!loop->quit) {
		int ret = loop_iterate(loop, -1);

		if (ret < 0) {
			dm_err("loop", "epoll_wait: %s", strerror(-ret));
			return ret;
		}
	}
	return loop->status;
}

void loop_quit(struct loop *loop, int status)
{
	loop->quit = true;
	loop->status = status;
}

bool loop_quitting(const struct loop *loop)
{
	return loop->quit;
}
