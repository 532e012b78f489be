// SPDX-License-Identifier: GPL-2.0-only
/*
 * xensim core: the simulated domain, its RAM, the hypervisor half of the
 * ioreq protocol (vCPU threads and the buffered-ring producer) and the call
 * log. The request side follows Xen's common/ioreq.c: ioreq_send (slot must
 * be NONE, vp_eport must match, fields then state READY after a write
 * barrier, notify), wait_for_io (states only move forward; wait for a
 * change; consume at IORESP_READY and set NONE) and ioreq_send_buffered
 * (posted writes up to 0xfffff, two slots for 8 bytes, full ring falls
 * back to synchronous, pointer pair canonicalised by cmpxchg).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/xensim/xensim_int.h"

struct xensim xs_sim = { .lock = PTHREAD_MUTEX_INITIALIZER,
			 .cond = PTHREAD_COND_INITIALIZER,
			 .memfd = -1 };
#define S xs_sim

/* ------------------------------------------------------------ log */

static void log_add(char *line)
{
	if (S.nlog == S.caplog) {
		size_t cap = S.caplog ? S.caplog * 2 : 256;
		char **n = realloc(S.log, cap * sizeof(*n));

		if (!n) {
			free(line);
			return;
		}
		S.log = n;
		S.caplog = cap;
	}
	S.log[S.nlog++] = line;
}

static void vlogf(const char *prefix, const char *fmt, va_list ap)
{
	char body[256], *line;

	vsnprintf(body, sizeof(body), fmt, ap);
	if (asprintf(&line, "%s%s", prefix, body) >= 0)
		log_add(line);
}

void xs_logf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogf("", fmt, ap);
	va_end(ap);
}

void xs_error(const char *fmt, ...)
{
	va_list ap;

	S.errors++;
	va_start(ap, fmt);
	vlogf("ERROR ", fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	fprintf(stderr, "xensim: ERROR: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool xs_should_fail(const char *call)
{
	if (S.fail_call[0] && !strcmp(S.fail_call, call)) {
		S.fail_call[0] = 0;
		errno = S.fail_err;
		return true;
	}
	return false;
}

void xensim_fail_next(const char *call, int err)
{
	pthread_mutex_lock(&S.lock);
	snprintf(S.fail_call, sizeof(S.fail_call), "%s", call);
	S.fail_err = err;
	pthread_mutex_unlock(&S.lock);
}

size_t xensim_log_count(void)
{
	size_t n;

	pthread_mutex_lock(&S.lock);
	n = S.nlog;
	pthread_mutex_unlock(&S.lock);
	return n;
}

const char *xensim_log_line(size_t i)
{
	const char *l;

	pthread_mutex_lock(&S.lock);
	l = i < S.nlog ? S.log[i] : NULL;
	pthread_mutex_unlock(&S.lock);
	return l;
}

static long log_find(const char *s, size_t from, bool prefix)
{
	long found = -1;
	size_t i, len = strlen(s);

	pthread_mutex_lock(&S.lock);
	for (i = from; i < S.nlog; i++) {
		if (prefix ? !strncmp(S.log[i], s, len) : !strcmp(S.log[i], s)) {
			found = (long)i;
			break;
		}
	}
	pthread_mutex_unlock(&S.lock);
	return found;
}

long xensim_log_find(const char *line, size_t from)
{
	return log_find(line, from, false);
}

long xensim_log_find_prefix(const char *prefix, size_t from)
{
	return log_find(prefix, from, true);
}

static void log_free(void)
{
	size_t i;

	for (i = 0; i < S.nlog; i++)
		free(S.log[i]);
	S.nlog = 0;
}

void xensim_log_clear(void)
{
	pthread_mutex_lock(&S.lock);
	log_free();
	pthread_mutex_unlock(&S.lock);
}

void xensim_log_dump(void)
{
	size_t i;

	pthread_mutex_lock(&S.lock);
	for (i = 0; i < S.nlog; i++)
		fprintf(stderr, "  xensim[%zu] %s\n", i, S.log[i]);
	pthread_mutex_unlock(&S.lock);
}

unsigned xensim_errors(void)
{
	return __atomic_load_n(&S.errors, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------ RAM */

#define VGA_HOLE_FIRST 0xa0ull
#define VGA_HOLE_END   0xc0ull
#define GFN_4G	       0x100000ull

int64_t xs_gfn_offset(uint64_t gfn)
{
	uint64_t low_pages = S.cfg.ram_low / XS_PAGE, high_pages = S.cfg.ram_high / XS_PAGE;

	if (gfn < low_pages)
		return gfn >= VGA_HOLE_FIRST && gfn < VGA_HOLE_END ? -1 : (int64_t)(gfn * XS_PAGE);
	if (gfn >= GFN_4G && gfn - GFN_4G < high_pages)
		return (int64_t)(S.cfg.ram_low + (gfn - GFN_4G) * XS_PAGE);
	if (gfn == XS_GFN_BUFIOREQ)
		return (int64_t)S.ioreq_off;
	if (gfn == XS_GFN_IOREQ)
		return (int64_t)(S.ioreq_off + XS_PAGE);
	return -1;
}

uint8_t *xensim_ram(uint64_t gpa, uint64_t len)
{
	uint64_t first = gpa / XS_PAGE, last = (gpa + len - 1) / XS_PAGE, g;
	int64_t off0 = xs_gfn_offset(first);

	if (!len || off0 < 0 || first == XS_GFN_IOREQ || first == XS_GFN_BUFIOREQ)
		return NULL;
	for (g = first + 1; g <= last; g++)
		if (xs_gfn_offset(g) != off0 + (int64_t)((g - first) * XS_PAGE))
			return NULL;
	return S.view + off0 + (gpa % XS_PAGE);
}

int xensim_init(const struct xensim_cfg *cfg)
{
	pthread_mutex_lock(&S.lock);
	log_free();
	S.cfg = *cfg;
	if (!S.cfg.wait_timeout_ms)
		S.cfg.wait_timeout_ms = 20000;
	if (!S.cfg.nr_vcpus || S.cfg.nr_vcpus > XS_MAX_VCPUS)
		S.cfg.nr_vcpus = 1;
	S.cfg.ram_low &= ~(XS_PAGE - 1);
	S.cfg.ram_high &= ~(XS_PAGE - 1);
	S.ioreq_off = S.cfg.ram_low + S.cfg.ram_high;
	S.memfd_size = S.ioreq_off + 2 * XS_PAGE;
	S.memfd = memfd_create("xensim-guest", MFD_CLOEXEC);
	if (S.memfd < 0 || ftruncate(S.memfd, (off_t)S.memfd_size) < 0)
		goto err;
	S.view = mmap(NULL, S.memfd_size, PROT_READ | PROT_WRITE, MAP_SHARED, S.memfd, 0);
	if (S.view == MAP_FAILED)
		goto err;
	S.buf = (buffered_iopage_t *)(S.view + S.ioreq_off);
	S.shared = (shared_iopage_t *)(S.view + S.ioreq_off + XS_PAGE);
	S.server = S.enabled = false;
	S.nranges = 0;
	memset(S.pcidev, 0, sizeof(S.pcidev));
	memset(S.lport, 0, sizeof(S.lport));
	memset(S.vcpu, 0, sizeof(S.vcpu));
	S.isa = 0;
	S.errors = 0;
	S.handles = 0; /* a failed test before must not fail the next */
	S.nmaps = 0;
	S.restricted = false;
	S.fail_call[0] = 0;
	S.up = true;
	pthread_mutex_unlock(&S.lock);
	return 0;
err:
	if (S.memfd >= 0)
		close(S.memfd);
	pthread_mutex_unlock(&S.lock);
	return -errno;
}

void xensim_fini(void)
{
	unsigned i;

	xensim_vcpu_join_all();
	pthread_mutex_lock(&S.lock);
	if (S.view)
		munmap(S.view, S.memfd_size);
	S.view = NULL;
	if (S.memfd >= 0)
		close(S.memfd);
	S.memfd = -1;
	for (i = 0; i < 64; i++) {
		free(S.xs_keys[i]);
		free(S.xs_vals[i]);
		S.xs_keys[i] = S.xs_vals[i] = NULL;
	}
	free(S.maps);
	S.maps = NULL;
	S.nmaps = S.capmaps = 0;
	log_free();
	free(S.log);
	S.log = NULL;
	S.caplog = 0;
	S.up = false;
	pthread_mutex_unlock(&S.lock);
}

/* ------------------------------------------------------------ queries */

bool xensim_server_exists(void)
{
	return S.server;
}

bool xensim_server_enabled(void)
{
	return S.enabled;
}

unsigned xensim_live_foreign_maps(void)
{
	return S.nmaps;
}

unsigned xensim_open_handles(void)
{
	return S.handles;
}

static bool range_contains(bool mmio, uint64_t first, uint64_t last)
{
	unsigned i;

	for (i = 0; i < S.nranges; i++)
		if (S.ranges[i].mmio == mmio && S.ranges[i].first <= first &&
		    last <= S.ranges[i].last)
			return true;
	return false;
}

bool xensim_range_claimed(bool mmio, uint64_t first, uint64_t last)
{
	bool r;

	pthread_mutex_lock(&S.lock);
	r = range_contains(mmio, first, last);
	pthread_mutex_unlock(&S.lock);
	return r;
}

bool xensim_pcidev_claimed(unsigned devfn)
{
	return devfn < 256 && (S.pcidev[devfn / 8] & (1u << (devfn % 8)));
}

unsigned xensim_isa_level(unsigned irq)
{
	return irq < 16 ? (S.isa >> irq) & 1 : 0;
}

const char *xensim_xs_read(const char *path)
{
	unsigned i;

	for (i = 0; i < 64; i++)
		if (S.xs_keys[i] && !strcmp(S.xs_keys[i], path))
			return S.xs_vals[i];
	return NULL;
}

/* ------------------------------------------------------------ requests */

/* Which server takes the request (common/ioreq.c ioreq_server_select). */
static bool dm_takes(const struct xensim_req *r)
{
	uint64_t len, first, last;

	if (!S.server || !S.enabled)
		return false;
	switch (r->type) {
	case IOREQ_TYPE_INVALIDATE:
		return true;
	case IOREQ_TYPE_PCI_CONFIG:
		return (r->addr >> 32) < 256 && xensim_pcidev_claimed((unsigned)(r->addr >> 32));
	case IOREQ_TYPE_PIO:
		return range_contains(false, r->addr, r->addr + r->size - 1);
	case IOREQ_TYPE_COPY:
		/* The whole extent, REP included. */
		len = (uint64_t)r->size * (r->count ? r->count : 1);
		first = r->df ? r->addr - (len - r->size) : r->addr;
		last = first + len - 1;
		return range_contains(true, first, last);
	default:
		return true; /* malformed shapes are the test's business */
	}
}

static const uint8_t size_log2[9] = { [1] = 0, [2] = 1, [4] = 2, [8] = 3 };

static uint32_t buf_word(uint8_t type, uint32_t size, uint64_t addr)
{
	/* type:8, pad:1, dir:1, size:2, addr:20 (public/hvm/ioreq.h buf_ioreq) */
	return type | (uint32_t)size_log2[size] << 10 | (uint32_t)(addr & 0xfffff) << 12;
}

/* ioreq_send_buffered. Under the lock. 0, or -EAGAIN: send it synchronously. */
static int buffered_put(uint8_t type, uint64_t addr, uint32_t size, uint64_t data)
{
	buffered_iopage_t *pg = S.buf;
	unsigned qw = size == 8;
	uint32_t rp, wp, w0;
	uint64_t *full = (uint64_t *)pg, old, nw;

	if (!S.server || !S.enabled || S.bufioreq_mode == HVM_IOREQSRV_BUFIOREQ_OFF)
		return -EAGAIN;
	if (addr > 0xfffff || !(size == 1 || size == 2 || size == 4 || size == 8))
		return -EAGAIN;
	rp = __atomic_load_n(&pg->read_pointer, __ATOMIC_ACQUIRE);
	wp = __atomic_load_n(&pg->write_pointer, __ATOMIC_RELAXED);
	if (wp - rp >= IOREQ_BUFFER_SLOT_NUM - qw)
		return -EAGAIN;
	w0 = buf_word(type, size, addr);
	memcpy(&pg->buf_ioreq[wp % IOREQ_BUFFER_SLOT_NUM], &w0, 4);
	pg->buf_ioreq[wp % IOREQ_BUFFER_SLOT_NUM].data = (uint32_t)data;
	if (qw) {
		memcpy(&pg->buf_ioreq[(wp + 1) % IOREQ_BUFFER_SLOT_NUM], &w0, 4);
		pg->buf_ioreq[(wp + 1) % IOREQ_BUFFER_SLOT_NUM].data = (uint32_t)(data >> 32);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&pg->write_pointer, wp + 1 + qw, __ATOMIC_RELEASE);
	/* Canonicalise the pair so it never overflows (HVM_IOREQSRV_BUFIOREQ_ATOMIC). */
	old = __atomic_load_n(full, __ATOMIC_ACQUIRE);
	{
		uint32_t orp = (uint32_t)old, owp = (uint32_t)(old >> 32);
		uint32_t k = orp / IOREQ_BUFFER_SLOT_NUM;

		nw = (uint64_t)(owp - k * IOREQ_BUFFER_SLOT_NUM) << 32 |
		     (orp - k * IOREQ_BUFFER_SLOT_NUM);
	}
	__atomic_compare_exchange_n(full, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	xs_deliver(XS_REMOTE_BUF);
	return 0;
}

int xensim_buffered_write(uint8_t type, uint64_t addr, uint32_t size, uint64_t data)
{
	int rc;

	pthread_mutex_lock(&S.lock);
	rc = buffered_put(type, addr, size, data);
	pthread_mutex_unlock(&S.lock);
	return rc;
}

void xensim_buffered_raw(const uint32_t (*slots)[2], unsigned n, uint32_t wp_advance)
{
	buffered_iopage_t *pg;
	uint32_t wp;
	unsigned i;

	pthread_mutex_lock(&S.lock);
	pg = S.buf;
	wp = __atomic_load_n(&pg->write_pointer, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++)
		memcpy(&pg->buf_ioreq[(wp + i) % IOREQ_BUFFER_SLOT_NUM], slots[i], 8);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&pg->write_pointer, wp + wp_advance, __ATOMIC_RELEASE);
	xs_deliver(XS_REMOTE_BUF);
	pthread_mutex_unlock(&S.lock);
}

void xensim_buffered_pointers(uint32_t *rp, uint32_t *wp)
{
	*rp = __atomic_load_n(&S.buf->read_pointer, __ATOMIC_ACQUIRE);
	*wp = __atomic_load_n(&S.buf->write_pointer, __ATOMIC_ACQUIRE);
}

void xensim_notify_spurious(unsigned v)
{
	pthread_mutex_lock(&S.lock);
	xs_deliver(XS_REMOTE_VCPU(v));
	pthread_mutex_unlock(&S.lock);
}

unsigned xensim_buffered_pending(void)
{
	buffered_iopage_t *pg = S.buf;

	return __atomic_load_n(&pg->write_pointer, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&pg->read_pointer, __ATOMIC_ACQUIRE);
}

static uint8_t *flags_of(ioreq_t *p)
{
	return (uint8_t *)p + 30;
}

static unsigned state_of(ioreq_t *p)
{
	return __atomic_load_n(flags_of(p), __ATOMIC_ACQUIRE) & 0xf;
}

static bool can_buffer(const struct xensim_req *r)
{
	return r->buffer_ok && r->dir == IOREQ_WRITE && !r->data_is_ptr && r->count == 1 &&
	       (r->type == IOREQ_TYPE_COPY || r->type == IOREQ_TYPE_PIO);
}

/* Post the request in vCPU v's slot (ioreq_send). Under the lock. */
static int post(unsigned v, const struct xensim_req *r, ioreq_t *want)
{
	ioreq_t *p = &S.shared->vcpu_ioreq[v];
	uint8_t flags;

	if (state_of(p) != STATE_IOREQ_NONE) {
		xs_error("vcpu %u: device model set bad IO state %u", v, state_of(p));
		return -1;
	}
	if (p->vp_eport != XS_REMOTE_VCPU(v)) {
		xs_error("vcpu %u: device model set bad event channel %u", v, p->vp_eport);
		return -1;
	}
	p->addr = r->addr;
	p->data = r->data;
	p->count = r->count;
	p->size = r->size;
	p->type = r->type;
	flags = (uint8_t)((r->data_is_ptr ? 0x10 : 0) | (r->dir ? 0x20 : 0) | (r->df ? 0x40 : 0));
	__atomic_store_n(flags_of(p), flags, __ATOMIC_RELAXED);
	memcpy(want, p, sizeof(*want));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(flags_of(p), flags | STATE_IOREQ_READY, __ATOMIC_RELEASE);
	xs_deliver(XS_REMOTE_VCPU(v));
	return 0;
}

/* Only data and state may change under the device model. */
static void check_untouched(unsigned v, const ioreq_t *want)
{
	ioreq_t now;

	memcpy(&now, &S.shared->vcpu_ioreq[v], sizeof(now));
	if (now.addr != want->addr || now.count != want->count || now.size != want->size ||
	    now.type != want->type || now.vp_eport != want->vp_eport ||
	    (*((uint8_t *)&now + 30) & 0xf0) != (*((const uint8_t *)want + 30) & 0xf0))
		xs_error("vcpu %u: device model wrote more than data and state", v);
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* wait_for_io: states only move forward; consume at IORESP_READY. Under the lock. */
static void wait_response(unsigned v, struct xensim_req *r, const ioreq_t *want)
{
	ioreq_t *p = &S.shared->vcpu_ioreq[v];
	unsigned prev = STATE_IOREQ_READY, st;
	struct timespec dl;

	deadline_after(&dl, S.cfg.wait_timeout_ms);
	for (;;) {
		uint64_t seen = S.vcpu[v].notified;

		st = state_of(p);
		if (st < prev) {
			xs_error("vcpu %u: weird ioreq state transition %u -> %u", v, prev, st);
			r->outcome = XSIM_ERROR;
			return;
		}
		if (st == STATE_IORESP_READY) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			r->result = __atomic_load_n(&p->data, __ATOMIC_RELAXED);
			check_untouched(v, want);
			r->log_at_response = S.nlog;
			__atomic_store_n(flags_of(p), (uint8_t)(*flags_of(p) & 0xf0),
					 __ATOMIC_RELEASE);
			r->outcome = XSIM_DM;
			return;
		}
		if (st != STATE_IOREQ_READY && st != STATE_IOREQ_INPROCESS) {
			xs_error("vcpu %u: weird ioreq state %u", v, st);
			r->outcome = XSIM_ERROR;
			return;
		}
		prev = st;
		while (S.vcpu[v].notified == seen && state_of(p) == st) {
			if (pthread_cond_timedwait(&S.cond, &S.lock, &dl) == ETIMEDOUT) {
				xs_error("vcpu %u: no response in %u ms (state %u)", v,
					 S.cfg.wait_timeout_ms, state_of(p));
				r->outcome = XSIM_ERROR;
				return;
			}
		}
	}
}

static uint64_t null_read(uint32_t size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

void xensim_vcpu_issue(unsigned v, struct xensim_req *r)
{
	ioreq_t want;

	pthread_mutex_lock(&S.lock);
	r->outcome = XSIM_PENDING;
	if (v >= S.cfg.nr_vcpus) {
		xs_error("vcpu %u does not exist", v);
		r->outcome = XSIM_ERROR;
	} else if (!r->raw && !dm_takes(r)) {
		r->result = r->dir == IOREQ_READ ? null_read(r->size) : r->data;
		r->outcome = XSIM_NULL;
	} else if (!r->raw && can_buffer(r) && !buffered_put(r->type, r->addr, r->size, r->data)) {
		r->outcome = XSIM_BUFFERED;
	} else if (post(v, r, &want)) {
		r->outcome = XSIM_ERROR;
	} else {
		wait_response(v, r, &want);
	}
	pthread_mutex_unlock(&S.lock);
}

static void *vcpu_main(void *arg)
{
	struct xs_vcpu *vc = arg;
	unsigned v = (unsigned)(vc - S.vcpu);
	size_t i;

	for (i = 0; i < vc->n; i++)
		xensim_vcpu_issue(v, &vc->script[i]);
	pthread_mutex_lock(&S.lock);
	vc->done = true;
	pthread_mutex_unlock(&S.lock);
	return NULL;
}

int xensim_vcpu_start(unsigned v, struct xensim_req *script, size_t n)
{
	struct xs_vcpu *vc;
	int rc;

	if (v >= S.cfg.nr_vcpus)
		return -EINVAL;
	vc = &S.vcpu[v];
	pthread_mutex_lock(&S.lock);
	vc->script = script;
	vc->n = n;
	vc->done = false;
	vc->started = true;
	pthread_mutex_unlock(&S.lock);
	rc = pthread_create(&vc->th, NULL, vcpu_main, vc);
	if (rc) {
		vc->started = false;
		return -rc;
	}
	return 0;
}

bool xensim_vcpus_done(void)
{
	bool done = true;
	unsigned v;

	pthread_mutex_lock(&S.lock);
	for (v = 0; v < XS_MAX_VCPUS; v++)
		if (S.vcpu[v].started && !S.vcpu[v].done)
			done = false;
	pthread_mutex_unlock(&S.lock);
	return done;
}

void xensim_vcpu_join_all(void)
{
	unsigned v;

	for (v = 0; v < XS_MAX_VCPUS; v++) {
		if (!S.vcpu[v].started)
			continue;
		pthread_join(S.vcpu[v].th, NULL);
		S.vcpu[v].started = false;
	}
}
