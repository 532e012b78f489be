// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device state streams (see state.h for the format). The reader trusts
 * nothing: every length is checked against what is left before it is used,
 * and a load commits only after every section decoded cleanly.
 */
#include "dm/state.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/device.h"
#include "dm/growbuf.h"
#include "dm/log.h"
#include "dm/machine.h"

#define SNAP_MAGIC     "HVMDMSTA"
#define SNAP_MAGIC_LEN 8
#define SNAP_FORMAT    1
#define SNAP_TAG_DEV   'D'
#define SNAP_TAG_END   'E'
#define SNAP_BYTES     0x10
#define SNAP_NAME_MAX  255

/* ---------------------------------------------------------------- writer */

void snap_wr_init(struct snap_wr *w)
{
	memset(w, 0, sizeof(*w));
}

void snap_wr_free(struct snap_wr *w)
{
	free(w->buf);
	snap_wr_init(w);
}

static int wr_fail(struct snap_wr *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

static int wr_put(struct snap_wr *w, const void *data, size_t len)
{
	uint8_t *b;

	if (w->err)
		return w->err;
	if (len > SIZE_MAX / 2 - w->len)
		return wr_fail(w, -ENOMEM);
	b = growbuf(w->buf, &w->cap, w->len + len, 256);
	if (!b)
		return wr_fail(w, -ENOMEM);
	w->buf = b;
	memcpy(w->buf + w->len, data, len);
	w->len += len;
	return 0;
}

static void le_store(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_load(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int wr_le(struct snap_wr *w, uint64_t v, unsigned n)
{
	uint8_t b[8];

	le_store(b, v, n);
	return wr_put(w, b, n);
}

static int wr_name(struct snap_wr *w, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SNAP_NAME_MAX)
		return wr_fail(w, -EINVAL);
	wr_le(w, n, 1);
	return wr_put(w, name, n);
}

int snap_begin_dev(struct snap_wr *w, const char *key, uint32_t version)
{
	if (w->sec_len_at)
		return wr_fail(w, -EINVAL);
	wr_le(w, SNAP_TAG_DEV, 1);
	wr_name(w, key);
	wr_le(w, version, 4);
	w->sec_len_at = w->len;
	return wr_le(w, 0, 4);
}

int snap_end_dev(struct snap_wr *w)
{
	if (!w->err && !w->sec_len_at)
		return wr_fail(w, -EINVAL);
	if (w->err)
		return w->err;
	if (w->len - w->sec_len_at - 4 > UINT32_MAX)
		return wr_fail(w, -EINVAL);
	le_store(w->buf + w->sec_len_at, w->len - w->sec_len_at - 4, 4);
	w->sec_len_at = 0;
	return 0;
}

static int wr_int(struct snap_wr *w, const char *name, uint64_t v, unsigned n)
{
	wr_name(w, name);
	wr_le(w, n, 1);
	return wr_le(w, v, n);
}

int snap_u8(struct snap_wr *w, const char *name, uint8_t v)
{
	return wr_int(w, name, v, 1);
}

int snap_u16(struct snap_wr *w, const char *name, uint16_t v)
{
	return wr_int(w, name, v, 2);
}

int snap_u32(struct snap_wr *w, const char *name, uint32_t v)
{
	return wr_int(w, name, v, 4);
}

int snap_u64(struct snap_wr *w, const char *name, uint64_t v)
{
	return wr_int(w, name, v, 8);
}

int snap_bytes(struct snap_wr *w, const char *name, const void *data, size_t len)
{
	if (len > UINT32_MAX)
		return wr_fail(w, -EINVAL);
	wr_name(w, name);
	wr_le(w, SNAP_BYTES, 1);
	wr_le(w, len, 4);
	return wr_put(w, data, len);
}

/* ---------------------------------------------------------------- reader */

void snap_rd_init(struct snap_rd *r, const void *body, size_t len)
{
	r->p = body;
	r->len = len;
	r->pos = 0;
	r->err = 0;
	r->field = NULL;
}

static const uint8_t *rd_take(struct snap_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->pos) {
		r->err = -EINVAL;
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

static int rd_le(struct snap_rd *r, unsigned n, uint64_t *v)
{
	const uint8_t *p = rd_take(r, n);

	if (!p)
		return -EINVAL;
	*v = le_load(p, n);
	return 0;
}

/* The next field's name must be name and its type tag type. */
static int rd_field(struct snap_rd *r, const char *name, unsigned type)
{
	size_t want = strlen(name);
	const uint8_t *p;
	uint64_t n, t;

	if (!r->err)
		r->field = name;
	if (rd_le(r, 1, &n) || n != want || !(p = rd_take(r, n)) || memcmp(p, name, n) ||
	    rd_le(r, 1, &t) || t != type) {
		r->err = -EINVAL;
		return -EINVAL;
	}
	return 0;
}

static int rd_int(struct snap_rd *r, const char *name, unsigned n, uint64_t *v)
{
	if (rd_field(r, name, n) || rd_le(r, n, v))
		return -EINVAL;
	return 0;
}

int snap_get_u8(struct snap_rd *r, const char *name, uint8_t *v)
{
	uint64_t x;

	if (rd_int(r, name, 1, &x))
		return -EINVAL;
	*v = (uint8_t)x;
	return 0;
}

int snap_get_bool(struct snap_rd *r, const char *name, bool *v)
{
	uint8_t b;

	if (snap_get_u8(r, name, &b))
		return -EINVAL;
	if (b > 1)
		return -EINVAL;
	*v = b;
	return 0;
}

int snap_get_u16(struct snap_rd *r, const char *name, uint16_t *v)
{
	uint64_t x;

	if (rd_int(r, name, 2, &x))
		return -EINVAL;
	*v = (uint16_t)x;
	return 0;
}

int snap_get_u32(struct snap_rd *r, const char *name, uint32_t *v)
{
	uint64_t x;

	if (rd_int(r, name, 4, &x))
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int snap_get_u64(struct snap_rd *r, const char *name, uint64_t *v)
{
	return rd_int(r, name, 8, v);
}

int snap_get_bytes_ref(struct snap_rd *r, const char *name, const uint8_t **data, size_t len)
{
	const uint8_t *p;
	uint64_t n;

	if (rd_field(r, name, SNAP_BYTES) || rd_le(r, 4, &n) || n != len ||
	    !(p = rd_take(r, len))) {
		r->err = -EINVAL;
		return -EINVAL;
	}
	*data = p;
	return 0;
}

int snap_get_bytes(struct snap_rd *r, const char *name, void *data, size_t len)
{
	const uint8_t *p;

	if (snap_get_bytes_ref(r, name, &p, len))
		return -EINVAL;
	memcpy(data, p, len);
	return 0;
}

/* ---------------------------------------------------------------- machine */

/* "name", or "name#k" for the k-th (k >= 2) device of m with the same name. */
static void dev_key(const struct machine *m, const struct dm_dev *dev, char *key, size_t len)
{
	unsigned k = 1;

	for (const struct dm_dev *d = m->devs; d && d != dev; d = d->next)
		k += !strcmp(d->name, dev->name);
	if (k == 1)
		snprintf(key, len, "%s", dev->name);
	else
		snprintf(key, len, "%s#%u", dev->name, k);
}

int dm_state_save(struct machine *m, struct snap_wr *w)
{
	char key[64];
	int ret;

	wr_put(w, SNAP_MAGIC, SNAP_MAGIC_LEN);
	wr_le(w, SNAP_FORMAT, 4);
	for (struct dm_dev *d = m->devs; d; d = d->next) {
		if (!d->type->save)
			continue;
		dev_key(m, d, key, sizeof(key));
		snap_begin_dev(w, key, d->type->state_version);
		ret = d->type->save(d, w);
		if (ret) {
			dm_err(d->name, "saving state failed: %s", strerror(-ret));
			return wr_fail(w, ret);
		}
		snap_end_dev(w);
	}
	return wr_le(w, SNAP_TAG_END, 1);
}

/* One device's pending load: the decoded scratch state, not yet committed. */
struct pending {
	struct dm_dev *dev;
	void *scratch; /* NULL until its section is decoded */
};

static struct pending *pending_find(struct pending *p, size_t n, struct machine *m, const char *key,
				    size_t keylen)
{
	char k[64];

	for (size_t i = 0; i < n; i++) {
		dev_key(m, p[i].dev, k, sizeof(k));
		if (strlen(k) == keylen && !memcmp(k, key, keylen))
			return &p[i];
	}
	return NULL;
}

static int load_section(struct pending *p, struct snap_rd *body, uint32_t version)
{
	struct dm_dev scratch = *p->dev;
	size_t size = p->dev->type->state_size ? p->dev->type->state_size : 1;
	int ret;

	if (p->scratch) {
		dm_err("state", "%s: two sections", p->dev->name);
		return -EINVAL;
	}
	if (version > p->dev->type->state_version) {
		dm_err("state", "%s: version %u is newer than %u", p->dev->name, version,
		       p->dev->type->state_version);
		return -EINVAL;
	}
	scratch.state = malloc(size);
	if (!scratch.state)
		return -ENOMEM;
	memcpy(scratch.state, p->dev->state, size);
	ret = p->dev->type->load(&scratch, body, version);
	if (!ret && (body->err || body->pos != body->len))
		ret = -EINVAL;
	if (ret) {
		dm_err("state", "%s: bad section (version %u), at field '%s'", p->dev->name,
		       version, body->field ? body->field : "(none)");
		free(scratch.state);
		return ret == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	p->scratch = scratch.state;
	return 0;
}

/* Walk the stream after the header; every section goes to its pending entry. */
static int decode_sections(struct machine *m, struct snap_rd *r, struct pending *p, size_t n)
{
	uint64_t tag, keylen, version, bodylen;
	const uint8_t *key, *body;
	struct pending *e;
	struct snap_rd sec;
	int ret;

	for (;;) {
		if (rd_le(r, 1, &tag))
			return -EINVAL;
		if (tag == SNAP_TAG_END)
			return r->pos == r->len ? 0 : -EINVAL;
		if (tag != SNAP_TAG_DEV || rd_le(r, 1, &keylen) || !(key = rd_take(r, keylen)) ||
		    rd_le(r, 4, &version) || rd_le(r, 4, &bodylen) || !(body = rd_take(r, bodylen)))
			return -EINVAL;
		e = pending_find(p, n, m, (const char *)key, keylen);
		if (!e) {
			dm_err("state", "section for an unknown device '%.*s'", (int)keylen, key);
			return -EINVAL;
		}
		snap_rd_init(&sec, body, bodylen);
		ret = load_section(e, &sec, (uint32_t)version);
		if (ret)
			return ret;
	}
}

static int load_all(struct machine *m, struct snap_rd *r, struct pending *p, size_t n)
{
	int ret = decode_sections(m, r, p, n);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].scratch) {
			dm_err("state", "%s: no section in the stream", p[i].dev->name);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Commit by copying into the live state, not by swapping pointers: other
 * structures (bus regions, PCI functions, timers) point into dev->state.
 */
static void commit(struct pending *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t size = p[i].dev->type->state_size;

		if (size)
			memcpy(p[i].dev->state, p[i].scratch, size);
	}
	for (size_t i = 0; i < n; i++)
		if (p[i].dev->type->post_load)
			p[i].dev->type->post_load(p[i].dev);
}

int dm_state_load(struct machine *m, const void *buf, size_t len)
{
	struct snap_rd r;
	struct pending *p;
	uint64_t format;
	size_t n = 0, i = 0;
	int ret;

	snap_rd_init(&r, buf, len);
	if (len < SNAP_MAGIC_LEN || memcmp(buf, SNAP_MAGIC, SNAP_MAGIC_LEN) ||
	    !rd_take(&r, SNAP_MAGIC_LEN) || rd_le(&r, 4, &format) || format != SNAP_FORMAT) {
		dm_err("state", "not an hvmdm device state stream (format %u)", SNAP_FORMAT);
		return -EINVAL;
	}
	for (struct dm_dev *d = m->devs; d; d = d->next)
		n += d->type->save && d->type->load;
	p = calloc(n ? n : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (struct dm_dev *d = m->devs; d; d = d->next)
		if (d->type->save && d->type->load)
			p[i++].dev = d;
	ret = load_all(m, &r, p, n);
	if (ret == -EINVAL && r.err)
		dm_err("state", "device state stream truncated or malformed at byte %zu", r.pos);
	if (!ret)
		commit(p, n);
	for (i = 0; i < n; i++)
		free(p[i].scratch);
	free(p);
	return ret;
}
