// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device registry (see device.h): finds types in dev_types[], parses
 * "-device TYPE,prop=val,..." against the type's typed property list
 * (range-checked integers, booleans, MAC addresses, QEMU's PCI addr=),
 * fills in defaults, and runs init/fini. Every error names the option
 * element, the property and what it wants.
 */
#include "dm/device.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dm/log.h"
#include "dm/machine.h"
#include "dm/qemuopts.h"

bool dev_type_is(const struct dev_type *type, const char *name, size_t len)
{
	return (strlen(type->name) == len && !memcmp(type->name, name, len)) ||
	       (type->alias && strlen(type->alias) == len && !memcmp(type->alias, name, len));
}

const struct dev_type *dev_type_find(const char *name)
{
	for (size_t i = 0; dev_types[i]; i++)
		if (dev_type_is(dev_types[i], name, strlen(name)))
			return dev_types[i];
	return NULL;
}

struct dm_dev *dev_find_type(struct machine *m, const struct dev_type *type)
{
	for (struct dm_dev *d = m ? m->devs : NULL; d; d = d->next)
		if (d->type == type)
			return d;
	return NULL;
}

static size_t prop_count(const struct dev_type *type)
{
	size_t n = 0;

	while (type->props && type->props[n].name)
		n++;
	return n;
}

int dev_prop_index(const struct dev_type *type, const char *name)
{
	for (size_t i = 0; type->props && type->props[i].name; i++)
		if (!strcmp(type->props[i].name, name))
			return (int)i;
	return -1;
}

static __attribute__((format(printf, 3, 4))) int set_err(char *err, size_t errlen, const char *fmt,
							 ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---------------------------------------------------------------- value parsers */

static bool is_plain_number(const char *s)
{
	if (*s == '-')
		s++;
	return isdigit((unsigned char)*s);
}

static int parse_int(const char *s, int64_t *out)
{
	unsigned long long u;
	bool neg = s[0] == '-';

	if (!is_plain_number(s) || qopts_parse_u64(s + neg, &u))
		return -EINVAL;
	if (neg ? u > (unsigned long long)INT64_MAX + 1 : u > INT64_MAX)
		return -EINVAL;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly six colon-separated pairs of hex digits. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	return 0;
}

/* One run of digits in base, no sign or space; NULL if none or too large. */
static const char *parse_digits(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;

	if (hexval(*s) < 0 || hexval(*s) >= base)
		return NULL;
	errno = 0;
	*out = strtoul(s, &end, base);
	if (errno || *out > max)
		return NULL;
	return end;
}

/* QEMU's addr=: "slot" or "slot.fn", slot in hex (0x allowed), fn 0-7. */
static int parse_pciaddr(const char *s, int64_t *devfn)
{
	unsigned long slot, fn = 0;
	const char *p = parse_digits(s, 16, 0x1f, &slot);

	if (!p)
		return -EINVAL;
	if (*p == '.') {
		p = parse_digits(p + 1, 8, 7, &fn);
		if (!p)
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*devfn = (int64_t)(slot << 3 | fn);
	return 0;
}

static const char *const prop_type_names[] = {
	[PROP_INT] = "int",	    [PROP_BOOL] = "bool",	  [PROP_STR] = "str",
	[PROP_MAC] = "macaddr",	    [PROP_DRIVE] = "drive",	  [PROP_NETDEV] = "netdev",
	[PROP_CHARDEV] = "chardev", [PROP_PCIADDR] = "pci-devfn",
};

/*
 * Parse text for property i into v. ctx names the option element in
 * messages ("-device serial,iobase=zz").
 */
static int parse_value(const struct prop_desc *p, const char *text, union prop_value *v,
		       const char *ctx, char *err, size_t errlen)
{
	switch (p->type) {
	case PROP_INT:
		if (parse_int(text, &v->i))
			return set_err(err, errlen, "%s: property '%s' wants an integer", ctx,
				       p->name);
		if (v->i < p->min || v->i > p->max)
			return set_err(err, errlen, "%s: property '%s' must be in %lld..%lld", ctx,
				       p->name, (long long)p->min, (long long)p->max);
		return 0;
	case PROP_BOOL:
		if (parse_bool(text, &v->b))
			return set_err(err, errlen, "%s: property '%s' wants on or off", ctx,
				       p->name);
		return 0;
	case PROP_MAC:
		if (parse_mac(text, v->mac))
			return set_err(
			    err, errlen,
			    "%s: property '%s' wants a MAC address like 52:54:00:12:34:56", ctx,
			    p->name);
		return 0;
	case PROP_PCIADDR:
		if (parse_pciaddr(text, &v->i))
			return set_err(
			    err, errlen,
			    "%s: property '%s' wants slot[.fn] (slot 0-1f in hex, fn 0-7)", ctx,
			    p->name);
		return 0;
	case PROP_STR:
	case PROP_DRIVE:
	case PROP_NETDEV:
	case PROP_CHARDEV:
		v->s = strdup(text);
		return v->s ? 0 : set_err(err, errlen, "%s: out of memory", ctx);
	}
	return set_err(err, errlen, "%s: property '%s' has an unknown type", ctx, p->name);
}

/* dev_prop_str reads every text type; dev_prop_int reads a PCI address too. */
static bool type_reads_as(enum prop_type t, enum prop_type want)
{
	if (want == PROP_STR)
		return t == PROP_STR || t == PROP_DRIVE || t == PROP_NETDEV || t == PROP_CHARDEV;
	if (want == PROP_INT)
		return t == PROP_INT || t == PROP_PCIADDR;
	return t == want;
}

static bool prop_is_string(const struct prop_desc *p)
{
	return type_reads_as(p->type, PROP_STR);
}

/* ---------------------------------------------------------------- instances */

static void set_instance_name(struct dm_dev *dev)
{
	if (dev->id[0])
		snprintf(dev->name, sizeof(dev->name), "%.15s@%.31s", dev->type->name, dev->id);
	else
		snprintf(dev->name, sizeof(dev->name), "%s", dev->type->name);
}

/* QEMU's id_wellformed(), bounded by our id[] buffer. */
static bool id_ok(const char *id)
{
	if (!isalpha((unsigned char)id[0]) || strlen(id) >= sizeof(((struct dm_dev *)0)->id))
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			return false;
	return true;
}

static int set_prop_ctx(struct dm_dev *dev, const char *name, const char *val, const char *ctx,
			char *err, size_t errlen)
{
	const struct prop_desc *p;
	union prop_value v = { 0 };
	int i, ret;

	if (!strcmp(name, "id")) {
		if (!val || !id_ok(val))
			return set_err(err, errlen,
				       "%s: id wants a letter, then letters, digits, '-', '.' or "
				       "'_' (at most 31)",
				       ctx);
		snprintf(dev->id, sizeof(dev->id), "%s", val);
		set_instance_name(dev);
		return 0;
	}
	i = dev_prop_index(dev->type, name);
	if (i < 0)
		return set_err(err, errlen, "-device %s: unknown property '%s'", dev->type->name,
			       name);
	p = &dev->type->props[i];
	/* A bare word is a flag: "on" for a bool, a missing value for the rest. */
	ret = parse_value(p, val ? val : p->type == PROP_BOOL ? "on" : "", &v, ctx, err, errlen);
	if (ret)
		return ret;
	if (prop_is_string(p))
		free((char *)dev->props[i].s);
	dev->props[i] = v;
	dev->prop_given[i] = true;
	return 0;
}

int dev_set_prop(struct dm_dev *dev, const char *name, const char *val, char *err, size_t errlen)
{
	char ctx[160];

	snprintf(ctx, sizeof(ctx), "-device %s,%s=%s", dev->type->name, name, val ? val : "");
	return set_prop_ctx(dev, name, val, ctx, err, errlen);
}

static int apply_defaults(struct dm_dev *dev, char *err, size_t errlen)
{
	char ctx[96];

	for (size_t i = 0; dev->type->props && dev->type->props[i].name; i++) {
		const struct prop_desc *p = &dev->type->props[i];

		if (!p->def)
			continue;
		snprintf(ctx, sizeof(ctx), "device type %s: default of %s", dev->type->name,
			 p->name);
		if (parse_value(p, p->def, &dev->props[i], ctx, err, errlen))
			return -EINVAL;
	}
	return 0;
}

static struct dm_dev *dev_alloc(struct machine *m, const struct dev_type *type)
{
	struct dm_dev *dev = calloc(1, sizeof(*dev));
	size_t n = prop_count(type);

	if (!dev)
		return NULL;
	dev->type = type;
	dev->m = m;
	dev->state = calloc(1, type->state_size ? type->state_size : 1);
	dev->props = calloc(n ? n : 1, sizeof(*dev->props));
	dev->prop_given = calloc(n ? n : 1, sizeof(*dev->prop_given));
	if (!dev->state || !dev->props || !dev->prop_given) {
		free(dev->state);
		free(dev->props);
		free(dev->prop_given);
		free(dev);
		return NULL;
	}
	set_instance_name(dev);
	return dev;
}

static void dev_release(struct dm_dev *dev)
{
	for (size_t i = 0; dev->type->props && dev->type->props[i].name; i++)
		if (prop_is_string(&dev->type->props[i]))
			free((char *)dev->props[i].s);
	free(dev->props);
	free(dev->prop_given);
	free(dev->state);
	free(dev);
}

/* The option element as written, for messages: "iobase=zz" or "flag". */
static void elem_ctx(char *ctx, size_t len, const char *type, const struct qopt *o)
{
	if (o->val)
		snprintf(ctx, len, "-device %s,%s=%s", type, o->key, o->val);
	else
		snprintf(ctx, len, "-device %s,%s", type, o->key);
}

static int parse_into(struct dm_dev *dev, const struct qopts *o, char *err, size_t errlen)
{
	char ctx[192];
	int ret = apply_defaults(dev, err, errlen);

	for (size_t i = 1; !ret && i < o->n; i++) {
		elem_ctx(ctx, sizeof(ctx), dev->type->name, &o->v[i]);
		ret = set_prop_ctx(dev, o->v[i].key, o->v[i].val, ctx, err, errlen);
	}
	return ret;
}

int dev_parse(struct machine *m, const char *spec, struct dm_dev **out, char *err, size_t errlen)
{
	const struct dev_type *type;
	struct dm_dev *dev;
	struct qopts o;
	int ret;

	*out = NULL;
	ret = qopts_parse(spec, &o);
	if (ret == -ENOMEM)
		return set_err(err, errlen, "-device %s: out of memory", spec);
	if (ret)
		return set_err(err, errlen, "-device '%s': empty option", spec ? spec : "");
	if (o.v[0].val) {
		ret = set_err(err, errlen, "-device %s: the device type comes first", spec);
		goto out_free_opts;
	}
	type = dev_type_find(o.v[0].key);
	if (!type) {
		ret =
		    set_err(err, errlen, "-device %s: unknown device type '%s' (try -device help)",
			    o.v[0].key, o.v[0].key);
		goto out_free_opts;
	}
	dev = dev_alloc(m, type);
	if (!dev) {
		ret = set_err(err, errlen, "-device %s: out of memory", type->name);
		goto out_free_opts;
	}
	ret = parse_into(dev, &o, err, errlen);
	if (ret)
		dev_release(dev);
	else
		*out = dev;
out_free_opts:
	qopts_free(&o);
	return ret;
}

int dev_realize(struct dm_dev *dev)
{
	struct machine *m = dev->m;
	int ret = dev->type->init ? dev->type->init(dev) : 0;

	if (ret) {
		dm_err(dev->name, "initialisation failed: %s", strerror(-ret));
		dev_free(dev);
		return ret;
	}
	if (!m)
		return 0;
	if (!m->devs_tail) {
		m->devs_tail = &m->devs;
		while (*m->devs_tail)
			m->devs_tail = &(*m->devs_tail)->next;
	}
	dev->next = NULL;
	*m->devs_tail = dev;
	m->devs_tail = &dev->next;
	return 0;
}

void dev_free(struct dm_dev *dev)
{
	if (!dev)
		return;
	if (dev->type->fini)
		dev->type->fini(dev);
	dev_release(dev);
}

/* ---------------------------------------------------------------- property look-ups */

/* A wrong name or type is a bug in the device: logged, answered with 0/NULL. */
static int prop_lookup(const struct dm_dev *dev, const char *name, enum prop_type want)
{
	int i = dev_prop_index(dev->type, name);
	enum prop_type t;

	if (i < 0) {
		dm_err(dev->name, "no property '%s' in type %s", name, dev->type->name);
		return -1;
	}
	t = dev->type->props[i].type;
	if (!type_reads_as(t, want)) {
		dm_err(dev->name, "property '%s' read as %s but is %s", name, prop_type_names[want],
		       prop_type_names[t]);
		return -1;
	}
	return i;
}

int64_t dev_prop_int(const struct dm_dev *dev, const char *name)
{
	int i = prop_lookup(dev, name, PROP_INT);

	return i < 0 ? 0 : dev->props[i].i;
}

bool dev_prop_bool(const struct dm_dev *dev, const char *name)
{
	int i = prop_lookup(dev, name, PROP_BOOL);

	return i < 0 ? false : dev->props[i].b;
}

const char *dev_prop_str(const struct dm_dev *dev, const char *name)
{
	int i = prop_lookup(dev, name, PROP_STR);

	return i < 0 ? NULL : dev->props[i].s;
}

const uint8_t *dev_prop_mac(const struct dm_dev *dev, const char *name)
{
	int i = prop_lookup(dev, name, PROP_MAC);

	if (i < 0 || (!dev->prop_given[i] && !dev->type->props[i].def))
		return NULL;
	return dev->props[i].mac;
}

bool dev_prop_given(const struct dm_dev *dev, const char *name)
{
	int i = dev_prop_index(dev->type, name);

	if (i < 0) {
		dm_err(dev->name, "no property '%s' in type %s", name, dev->type->name);
		return false;
	}
	return dev->prop_given[i];
}

/* ---------------------------------------------------------------- help */

static const char *const kind_names[] = {
	[DEV_KIND_SYS] = "sys",
	[DEV_KIND_PCI] = "pci",
	[DEV_KIND_ISA] = "isa",
	[DEV_KIND_USB] = "usb",
};

void dev_print_types(FILE *f)
{
	fprintf(f, "Devices (-device NAME,help lists the properties of one):\n");
	for (size_t i = 0; dev_types[i]; i++) {
		fprintf(f, "  %-24s %-4s %s\n", dev_types[i]->name, kind_names[dev_types[i]->kind],
			dev_types[i]->help ? dev_types[i]->help : "");
		if (dev_types[i]->alias)
			fprintf(f, "  %-24s %-4s the same as %s\n", dev_types[i]->alias,
				kind_names[dev_types[i]->kind], dev_types[i]->name);
	}
}

int dev_print_props(FILE *f, const char *name)
{
	const struct dev_type *type = dev_type_find(name);
	char lhs[64];

	if (!type)
		return -ENOENT;
	fprintf(f, "%s options:\n", type->name);
	for (size_t i = 0; type->props && type->props[i].name; i++) {
		const struct prop_desc *p = &type->props[i];

		snprintf(lhs, sizeof(lhs), "%s=<%s>", p->name, prop_type_names[p->type]);
		fprintf(f, "  %-24s - %s", lhs, p->help ? p->help : "");
		if (p->type == PROP_INT)
			fprintf(f, " [%lld..%lld]", (long long)p->min, (long long)p->max);
		if (p->def)
			fprintf(f, " (default: %s)", p->def);
		fputc('\n', f);
	}
	return 0;
}
