// SPDX-License-Identifier: GPL-2.0-only
/*
 * Block backend (block.h): raw images through libaio with O_DIRECT, or
 * through one I/O thread for the page-cache modes and for files that refuse
 * O_DIRECT. Completions reach the loop thread through eventfds; the I/O
 * thread touches no device state, only the request it was handed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <limits.h>
#include <linux/fs.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm/block.h"
#include "dm/fdset.h"
#include "dm/log.h"
#include "dm/loop.h"

#define WHO	     "block"
#define AIO_DEPTH    128
#define DIRECT_ALIGN 512

enum req_op { REQ_READ, REQ_WRITE, REQ_FLUSH };

struct blk_req {
	struct blk *b;
	enum req_op op;
	uint64_t off;
	size_t len;
	struct iovec *iov;
	int iovcnt;
	void *bounce; /* aligned copy for O_DIRECT, or NULL */
	blk_cb cb;
	void *opaque;
	int ret;
	struct iocb iocb;
	struct blk_req *next;
};

struct req_queue {
	struct blk_req *head, **tail;
};

struct blk {
	struct loop *loop;
	int fd;
	uint64_t size;
	bool readonly, direct;
	enum blk_cache cache;
	unsigned inflight;

	/* libaio (direct only) */
	io_context_t aio;
	int aio_efd;
	unsigned aio_inflight;
	struct req_queue aio_wait;   /* io_submit said EAGAIN */
	struct req_queue flush_wait; /* flushes waiting for earlier aio writes */

	/* the I/O thread */
	pthread_t thread;
	bool thread_started, thread_quit;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct req_queue queued, done; /* under lock */
	int done_efd;
};

static bool sync_mode;

void blk_set_sync(bool sync)
{
	sync_mode = sync;
}

static void q_init(struct req_queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
}

static void q_push(struct req_queue *q, struct blk_req *r)
{
	r->next = NULL;
	*q->tail = r;
	q->tail = &r->next;
}

static struct blk_req *q_pop(struct req_queue *q)
{
	struct blk_req *r = q->head;

	if (r) {
		q->head = r->next;
		if (!q->head)
			q->tail = &q->head;
	}
	return r;
}

/* ------------------------------------------------------------ doing the I/O */

/* pread/pwrite until done; 0 or -errno. Used by the thread and by sync mode. */
static int do_io(struct blk_req *r)
{
	struct iovec one, *iov = r->iov;
	int iovcnt = r->iovcnt;
	uint64_t off = r->off;
	size_t left = r->len;

	if (r->op == REQ_FLUSH)
		return r->b->cache == BLK_CACHE_UNSAFE || fdatasync(r->b->fd) == 0 ? 0 : -errno;
	if (r->bounce) {
		one.iov_base = r->bounce;
		one.iov_len = r->len;
		iov = &one;
		iovcnt = 1;
	}
	while (left) {
		ssize_t n = r->op == REQ_READ ? preadv(r->b->fd, iov, iovcnt, (off_t)off)
					      : pwritev(r->b->fd, iov, iovcnt, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the image shrank under us */
		left -= (size_t)n;
		off += (uint64_t)n;
		/* a short transfer: continue from where it stopped */
		while (n > 0 && iovcnt) {
			if ((size_t)n >= iov->iov_len) {
				n -= (ssize_t)iov->iov_len;
				iov++;
				iovcnt--;
			} else {
				one.iov_base = (char *)iov->iov_base + n;
				one.iov_len = iov->iov_len - (size_t)n;
				iov = &one;
				n = 0;
			}
		}
	}
	return 0;
}

static void finish(struct blk_req *r)
{
	struct blk *b = r->b;

	if (r->bounce && r->op == REQ_READ && r->ret == 0) {
		size_t done = 0;

		for (int i = 0; i < r->iovcnt; i++) {
			memcpy(r->iov[i].iov_base, (char *)r->bounce + done, r->iov[i].iov_len);
			done += r->iov[i].iov_len;
		}
	}
	b->inflight--;
	if (r->ret)
		dm_dbg(LOG_BLOCK, WHO, "%s at %llu (+%zu) failed: %s",
		       r->op == REQ_READ    ? "read"
		       : r->op == REQ_WRITE ? "write"
					    : "flush",
		       (unsigned long long)r->off, r->len, strerror(-r->ret));
	r->cb(r->opaque, r->ret);
	free(r->bounce);
	free(r->iov);
	free(r);
}

/* ------------------------------------------------------------ the I/O thread */

static void *io_thread(void *opaque)
{
	struct blk *b = opaque;
	uint64_t one = 1;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		struct blk_req *r;

		while (!b->queued.head && !b->thread_quit)
			pthread_cond_wait(&b->cond, &b->lock);
		r = q_pop(&b->queued);
		if (!r)
			break; /* quit with nothing left */
		pthread_mutex_unlock(&b->lock);
		r->ret = do_io(r);
		pthread_mutex_lock(&b->lock);
		q_push(&b->done, r);
		if (write(b->done_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			dm_err(WHO, "completion eventfd: %s", strerror(errno));
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static void thread_submit(struct blk *b, struct blk_req *r)
{
	pthread_mutex_lock(&b->lock);
	q_push(&b->queued, r);
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void thread_complete(struct blk *b)
{
	uint64_t cnt;
	struct req_queue done;

	if (read(b->done_efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		dm_err(WHO, "completion eventfd: %s", strerror(errno));
	pthread_mutex_lock(&b->lock);
	done = b->done;
	q_init(&b->done);
	pthread_mutex_unlock(&b->lock);
	if (!done.head)
		return;
	for (struct blk_req *r = q_pop(&done); r; r = q_pop(&done))
		finish(r);
}

static void on_thread_done(void *opaque, uint32_t events)
{
	(void)events;
	thread_complete(opaque);
}

/* ------------------------------------------------------------ libaio */

static void aio_release_flushes(struct blk *b)
{
	if (b->aio_inflight)
		return;
	for (struct blk_req *r = q_pop(&b->flush_wait); r; r = q_pop(&b->flush_wait))
		thread_submit(b, r);
}

static void aio_submit(struct blk *b, struct blk_req *r)
{
	struct iocb *cb = &r->iocb;
	struct iovec one;
	int ret;

	if (r->bounce) {
		one.iov_base = r->bounce;
		one.iov_len = r->len;
	}
	if (r->op == REQ_READ)
		io_prep_preadv(cb, b->fd, r->bounce ? &one : r->iov, r->bounce ? 1 : r->iovcnt,
			       (long long)r->off);
	else
		io_prep_pwritev(cb, b->fd, r->bounce ? &one : r->iov, r->bounce ? 1 : r->iovcnt,
				(long long)r->off);
	/* the kernel copies the iovec array at submission, so `one` may go away */
	io_set_eventfd(cb, b->aio_efd);
	cb->data = r;
	ret = io_submit(b->aio, 1, &cb);
	if (ret == 1) {
		b->aio_inflight++;
		return;
	}
	if (ret == -EAGAIN && b->aio_inflight) {
		q_push(&b->aio_wait, r); /* resubmitted as completions make room */
		return;
	}
	if (ret == -EAGAIN) {
		thread_submit(b, r); /* nothing in flight to wait for */
		return;
	}
	r->ret = ret < 0 ? ret : -EIO;
	finish(r);
}

static void aio_complete(struct blk *b)
{
	struct io_event ev[32];
	struct timespec zero = { 0, 0 };
	uint64_t cnt;
	int n;

	if (read(b->aio_efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		dm_err(WHO, "aio eventfd: %s", strerror(errno));
	while ((n = io_getevents(b->aio, 0, 32, ev, &zero)) > 0) {
		for (int i = 0; i < n; i++) {
			struct blk_req *r = ev[i].data;
			long res = (long)ev[i].res;

			b->aio_inflight--;
			r->ret = res < 0 ? (int)res : (size_t)res == r->len ? 0 : -EIO;
			finish(r);
		}
		/* room again: resubmit what io_submit turned away */
		while (b->aio_wait.head && b->aio_inflight < AIO_DEPTH)
			aio_submit(b, q_pop(&b->aio_wait));
	}
	aio_release_flushes(b);
}

static void on_aio_done(void *opaque, uint32_t events)
{
	(void)events;
	aio_complete(opaque);
}

/* ------------------------------------------------------------ requests */

static bool aligned(const struct blk_req *r)
{
	if (r->off % DIRECT_ALIGN || r->len % DIRECT_ALIGN)
		return false;
	for (int i = 0; i < r->iovcnt; i++)
		if ((uintptr_t)r->iov[i].iov_base % DIRECT_ALIGN ||
		    r->iov[i].iov_len % DIRECT_ALIGN)
			return false;
	return true;
}

static int prepare(struct blk_req *r)
{
	if (!r->b->direct || aligned(r))
		return 0;
	if (posix_memalign(&r->bounce, 4096, r->len ? r->len : DIRECT_ALIGN))
		return -ENOMEM;
	if (r->op == REQ_WRITE) {
		size_t done = 0;

		for (int i = 0; i < r->iovcnt; i++) {
			memcpy((char *)r->bounce + done, r->iov[i].iov_base, r->iov[i].iov_len);
			done += r->iov[i].iov_len;
		}
	}
	return 0;
}

static void dispatch(struct blk *b, struct blk_req *r)
{
	b->inflight++;
	if (sync_mode) {
		r->ret = do_io(r);
		finish(r);
	} else if (r->op == REQ_FLUSH && b->direct && b->aio_inflight) {
		q_push(&b->flush_wait, r); /* after the writes queued before it */
	} else if (r->op != REQ_FLUSH && b->direct) {
		aio_submit(b, r);
	} else {
		thread_submit(b, r);
	}
}

/* A request with its own copy of the iovec array (the caller's may not outlive the call). */
static struct blk_req *req_new(struct blk *b, enum req_op op, uint64_t off, size_t len,
			       const struct iovec *iov, int iovcnt, blk_cb cb, void *opaque)
{
	struct blk_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (iovcnt) {
		r->iov = malloc(sizeof(*iov) * (size_t)iovcnt);
		if (!r->iov) {
			free(r);
			return NULL;
		}
		memcpy(r->iov, iov, sizeof(*iov) * (size_t)iovcnt);
	}
	r->b = b;
	r->op = op;
	r->off = off;
	r->len = len;
	r->iovcnt = iovcnt;
	r->cb = cb;
	r->opaque = opaque;
	return r;
}

static int submit(struct blk *b, enum req_op op, uint64_t off, const struct iovec *iov, int iovcnt,
		  blk_cb cb, void *opaque)
{
	struct blk_req *r;
	size_t len = 0;
	int ret;

	if (op == REQ_WRITE && b->readonly)
		return -EROFS;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > BLK_MAX_REQUEST - len)
			return -EINVAL;
		len += iov[i].iov_len;
	}
	if (off > b->size || len > b->size - off)
		return -EINVAL;
	r = req_new(b, op, off, len, iov, iovcnt, cb, opaque);
	if (!r)
		return -ENOMEM;
	ret = op == REQ_FLUSH ? 0 : prepare(r);
	if (ret) {
		free(r->iov);
		free(r);
		return ret;
	}
	dispatch(b, r);
	return 0;
}

int blk_read(struct blk *b, uint64_t off, const struct iovec *iov, int iovcnt, blk_cb cb,
	     void *opaque)
{
	return submit(b, REQ_READ, off, iov, iovcnt, cb, opaque);
}

int blk_write(struct blk *b, uint64_t off, const struct iovec *iov, int iovcnt, blk_cb cb,
	      void *opaque)
{
	return submit(b, REQ_WRITE, off, iov, iovcnt, cb, opaque);
}

int blk_flush(struct blk *b, blk_cb cb, void *opaque)
{
	return submit(b, REQ_FLUSH, 0, NULL, 0, cb, opaque);
}

void blk_drain(struct blk *b)
{
	while (b->inflight) {
		struct pollfd p[2] = { { .fd = b->done_efd, .events = POLLIN },
				       { .fd = b->aio_efd, .events = POLLIN } };

		if (poll(p, b->direct ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			thread_complete(b);
		if (b->direct && (p[1].revents & POLLIN))
			aio_complete(b);
	}
}

/* ------------------------------------------------------------ open/close */

/*
 * Does this fd take an O_DIRECT read at DIRECT_ALIGN granularity? The
 * buffer is deliberately 512- but not 4096-aligned, so that a file system
 * wanting page alignment says so now rather than on the guest's first read.
 */
static bool direct_works(int fd, uint64_t size)
{
	void *buf;
	bool ok;

	if (posix_memalign(&buf, 4096, 2 * 4096))
		return false;
	ok = pread(fd, (char *)buf + DIRECT_ALIGN, DIRECT_ALIGN,
		   size >= 2 * DIRECT_ALIGN ? DIRECT_ALIGN : 0) >= 0;
	free(buf);
	return ok;
}

static int open_image(struct blk *b, const char *path, char *err, size_t errlen)
{
	int flags = (b->readonly ? O_RDONLY : O_RDWR);
	bool want_direct = b->cache == BLK_CACHE_NONE || b->cache == BLK_CACHE_DIRECTSYNC;
	struct stat st;

	if (b->cache == BLK_CACHE_WRITETHROUGH || b->cache == BLK_CACHE_DIRECTSYNC)
		flags |= O_DSYNC;
	b->fd = fdset_open(path, flags | (want_direct ? O_DIRECT : 0));
	if (b->fd == -EINVAL && want_direct) {
		dm_info(WHO, "%s: O_DIRECT refused, using the host page cache", path);
		want_direct = false;
		b->fd = fdset_open(path, flags);
	}
	if (b->fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(-b->fd));
		return b->fd;
	}
	if (fstat(b->fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "'%s' is not a file or block device", path);
		return -EINVAL;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(b->fd, BLKGETSIZE64, &b->size) < 0)
			b->size = 0;
	} else {
		b->size = (uint64_t)st.st_size;
	}
	if (want_direct && !direct_works(b->fd, b->size)) {
		/* the file system wants larger alignment than sectors: use the page cache */
		dm_info(WHO,
			"%s: O_DIRECT needs more than %d-byte alignment here, using the "
			"host page cache",
			path, DIRECT_ALIGN);
		close(b->fd);
		want_direct = false;
		b->fd = fdset_open(path, flags);
		if (b->fd < 0) {
			snprintf(err, errlen, "cannot open '%s': %s", path, strerror(-b->fd));
			return b->fd;
		}
	}
	b->direct = want_direct;
	return 0;
}

static int start_io(struct blk *b, char *err, size_t errlen)
{
	int ret;

	b->done_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->done_efd < 0)
		goto err_errno;
	ret = pthread_create(&b->thread, NULL, io_thread, b);
	if (ret) {
		snprintf(err, errlen, "cannot start the I/O thread: %s", strerror(ret));
		return -ret;
	}
	b->thread_started = true;
	if (b->loop && loop_add_fd(b->loop, b->done_efd, EPOLLIN, on_thread_done, b) < 0)
		goto err_errno;
	if (!b->direct)
		return 0;
	b->aio_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->aio_efd < 0)
		goto err_errno;
	ret = io_setup(AIO_DEPTH, &b->aio);
	if (ret < 0) {
		snprintf(err, errlen, "io_setup: %s", strerror(-ret));
		return ret;
	}
	if (b->loop && loop_add_fd(b->loop, b->aio_efd, EPOLLIN, on_aio_done, b) < 0)
		goto err_errno;
	return 0;
err_errno:
	snprintf(err, errlen, "cannot set up completions: %s", strerror(errno));
	return -errno;
}

struct blk *blk_open(struct loop *loop, const char *path, bool readonly, enum blk_cache cache,
		     char *err, size_t errlen)
{
	struct blk *b = calloc(1, sizeof(*b));

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->loop = loop;
	b->readonly = readonly;
	b->cache = cache;
	b->fd = b->aio_efd = b->done_efd = -1;
	q_init(&b->aio_wait);
	q_init(&b->flush_wait);
	q_init(&b->queued);
	q_init(&b->done);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	if (open_image(b, path, err, errlen) || start_io(b, err, errlen)) {
		blk_close(b);
		return NULL;
	}
	dm_dbg(LOG_BLOCK, WHO, "%s: %llu bytes, cache=%s%s%s", path, (unsigned long long)b->size,
	       blk_cache_name(cache), b->direct ? ", O_DIRECT+libaio" : "",
	       readonly ? ", read-only" : "");
	return b;
}

void blk_close(struct blk *b)
{
	if (!b)
		return;
	if (b->thread_started) {
		blk_drain(b);
		if (!b->readonly && b->cache != BLK_CACHE_UNSAFE && fdatasync(b->fd) < 0)
			dm_warn(WHO, "flush at close: %s", strerror(errno));
		pthread_mutex_lock(&b->lock);
		b->thread_quit = true;
		pthread_cond_signal(&b->cond);
		pthread_mutex_unlock(&b->lock);
		pthread_join(b->thread, NULL);
	}
	if (b->aio)
		io_destroy(b->aio);
	if (b->aio_efd >= 0) {
		if (b->loop)
			loop_del_fd(b->loop, b->aio_efd);
		close(b->aio_efd);
	}
	if (b->done_efd >= 0) {
		if (b->loop)
			loop_del_fd(b->loop, b->done_efd);
		close(b->done_efd);
	}
	if (b->fd >= 0)
		close(b->fd);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	free(b);
}

uint64_t blk_size(const struct blk *b)
{
	return b->size;
}

bool blk_is_readonly(const struct blk *b)
{
	return b->readonly;
}

bool blk_is_direct(const struct blk *b)
{
	return b->direct;
}

unsigned blk_inflight(const struct blk *b)
{
	return b->inflight;
}
