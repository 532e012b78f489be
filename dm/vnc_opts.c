// SPDX-License-Identifier: GPL-2.0-only
/*
 * -vnc parsing (vnc_opts.h). QEMU 7.2's vnc_display_open() reads the same
 * forms; the answers for an out-of-range display or to= below the display
 * follow it (QEMU fails to listen; we refuse at parse time, naming why).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/qemuopts.h"
#include "dm/vnc_opts.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_display(const char *s, int *out)
{
	unsigned long long v;

	if (!*s || qopts_parse_u64(s, &v) || v > VNC_MAX_DISPLAY)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* "[HOST]:DISPLAY" (the first element): host and display into o. */
static int parse_address(const char *addr, struct vnc_opts *o, char *err, size_t errlen)
{
	const char *colon = strrchr(addr, ':');
	size_t hlen;

	if (!colon)
		return fail(err, errlen, "'%s': expected HOST:DISPLAY, unix:PATH or none", addr);
	hlen = (size_t)(colon - addr);
	if (hlen >= 2 && addr[0] == '[' && addr[hlen - 1] == ']') {
		addr++;
		hlen -= 2;
	} else if (memchr(addr, ':', hlen)) {
		return fail(err, errlen, "'%s': an IPv6 host is written [ADDRESS]:DISPLAY", addr);
	}
	if (hlen >= sizeof(o->host))
		return fail(err, errlen, "'%s': host name too long", addr);
	memcpy(o->host, addr, hlen);
	o->host[hlen] = '\0';
	if (parse_display(colon + 1, &o->display))
		return fail(err, errlen, "'%s': the display is a number from 0 to 59635",
			    colon + 1);
	o->to = o->display;
	return 0;
}

static int parse_first(const char *first, struct vnc_opts *o, char *err, size_t errlen)
{
	if (!strncmp(first, "unix:", 5)) {
		if (!first[5] || strlen(first + 5) >= sizeof(o->path))
			return fail(err, errlen, "'%s': the socket path is empty or too long",
				    first);
		o->unix_socket = true;
		snprintf(o->path, sizeof(o->path), "%s", first + 5);
		return 0;
	}
	return parse_address(first, o, err, errlen);
}

static int parse_to(const char *v, struct vnc_opts *o, char *err, size_t errlen)
{
	int to;

	if (!v || parse_display(v, &to))
		return fail(err, errlen, "to='%s': a display number from 0 to 59635", v ? v : "");
	if (o->unix_socket)
		return fail(err, errlen, "%s", "to= needs a TCP display, not unix:");
	if (to < o->display)
		return fail(err, errlen, "to=%s is below the display", v);
	o->to = to;
	return 0;
}

int vnc_opts_parse(const char *spec, struct vnc_opts *o, char *err, size_t errlen)
{
	static const char *const keys[] = { "password", "to", NULL };
	struct qopts q;
	const char *bad;
	int r, pw;

	memset(o, 0, sizeof(*o));
	if (!strcmp(spec, "none"))
		return 0;
	if (qopts_parse(spec, &q))
		return fail(err, errlen, "'%s': expected HOST:DISPLAY, unix:PATH or none", spec);
	if (!q.n || q.v[0].val) {
		qopts_free(&q);
		return fail(err, errlen, "'%s': expected HOST:DISPLAY, unix:PATH or none", spec);
	}
	r = parse_first(q.v[0].key, o, err, errlen);
	bad = r ? NULL : qopts_unknown_key(&q, keys, true);
	if (bad)
		r = fail(err, errlen, "option '%s' is not supported by this VNC server", bad);
	pw = r ? 0 : qopts_get_bool(&q, "password", false);
	if (pw < 0)
		r = fail(err, errlen, "password='%s': expected on or off",
			 qopts_get(&q, "password"));
	o->password = pw > 0;
	if (!r && qopts_has(&q, "to"))
		r = parse_to(qopts_get(&q, "to"), o, err, errlen);
	qopts_free(&q);
	o->enabled = !r;
	return r;
}
