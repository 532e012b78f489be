// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC commands of QMP, with the answers QEMU 7.2 gives (checked against
 * Debian's qemu-system-x86 7.2 with -vnc HOST:D[,password=on] and -vnc none):
 * query-vnc, change-vnc-password, set_password and expire_password.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/machine.h"
#include "dm/qmp_int.h"
#include "dm/vnc.h"

/* Any key not in allowed[] (NULL-terminated) is refused as QEMU's unmarshallers do. */
static int only_keys(json_t *args, const char *const *allowed, struct dm_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
	{
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key))
			i++;
		if (!allowed[i])
			return dm_fail(e, "GenericError", "Parameter '%s' is unexpected", key);
	}
	return 0;
}

static json_t *endpoint(const struct vnc_endpoint *ep)
{
	return json_pack("{s:s, s:s, s:s}", "host", ep->host, "service", ep->service, "family",
			 ep->family);
}

int qmp_cmd_query_vnc(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	struct vnc_server *vs = c->q->m->vnc;
	struct vnc_endpoint ep, cl[VNC_MAX_CLIENTS];
	const char *auth;
	json_t *clients;
	unsigned n;

	if (no_args(args, e))
		return -1;
	if (!vs) {
		*ret = json_pack("{s:b}", "enabled", 0);
		return 0;
	}
	vnc_query(vs, &ep, &auth);
	n = vnc_query_clients(vs, cl, VNC_MAX_CLIENTS);
	clients = json_array();
	for (unsigned i = 0; i < n && i < VNC_MAX_CLIENTS; i++) {
		json_t *o = endpoint(&cl[i]);

		json_object_set_new(o, "websocket", json_false());
		json_array_append_new(clients, o);
	}
	*ret = endpoint(&ep);
	json_object_set_new(*ret, "enabled", json_true());
	json_object_set_new(*ret, "auth", json_string(auth));
	json_object_set_new(*ret, "clients", clients);
	return 0;
}

int qmp_cmd_change_vnc_password(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	static const char *const keys[] = { "password", NULL };
	const char *pw;

	if (arg_string(args, "password", true, &pw, e) || only_keys(args, keys, e))
		return -1;
	if (vnc_set_password(c->q->m->vnc, pw))
		return dm_fail(e, "GenericError", "Could not set password");
	*ret = json_object();
	return 0;
}

/* protocol: "vnc" goes on, "spice" is not in use, anything else is not a DisplayProtocol. */
static int check_protocol(json_t *args, struct dm_error *e)
{
	const char *proto;

	if (arg_string(args, "protocol", true, &proto, e))
		return -1;
	if (!strcmp(proto, "spice"))
		return dm_fail(e, "DeviceNotActive", "SPICE is not in use");
	if (strcmp(proto, "vnc"))
		return dm_fail(e, "GenericError", "Parameter 'protocol' does not accept value '%s'",
			       proto);
	return 0;
}

int qmp_cmd_set_password(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	static const char *const keys[] = { "protocol", "password", "connected", "display", NULL };
	const char *pw, *connected, *display;

	if (arg_string(args, "protocol", true, &pw, e) ||
	    arg_string(args, "password", true, &pw, e) ||
	    arg_string(args, "connected", false, &connected, e) ||
	    arg_string(args, "display", false, &display, e) || only_keys(args, keys, e) ||
	    check_protocol(args, e))
		return -1;
	if (connected && strcmp(connected, "keep")) {
		if (strcmp(connected, "fail") && strcmp(connected, "disconnect"))
			return dm_fail(e, "GenericError",
				       "Parameter 'connected' does not accept value '%s'",
				       connected);
		/* VNC supports connected=keep only (QEMU 7.2 qmp_set_password). */
		return dm_fail(e, "GenericError", "Invalid parameter 'connected'");
	}
	/* One display, with no id: a display named explicitly is not found. */
	if (display || vnc_set_password(c->q->m->vnc, pw))
		return dm_fail(e, "GenericError", "Could not set password");
	*ret = json_object();
	return 0;
}

/* "now", "never", "+SECONDS" (from now) or "SECONDS" (since 1970), as QEMU parses it. */
static int64_t expiry_time(const char *t)
{
	int64_t now = (int64_t)time(NULL);

	if (!strcmp(t, "now"))
		return 0;
	if (!strcmp(t, "never"))
		return INT64_MAX;
	if (t[0] == '+') {
		unsigned long long d = strtoull(t + 1, NULL, 10);

		return d > (unsigned long long)(INT64_MAX - now) ? INT64_MAX : now + (int64_t)d;
	}
	unsigned long long v = strtoull(t, NULL, 10);

	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

int qmp_cmd_expire_password(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e)
{
	static const char *const keys[] = { "protocol", "time", "display", NULL };
	const char *t, *display;

	if (arg_string(args, "protocol", true, &t, e) || arg_string(args, "time", true, &t, e) ||
	    arg_string(args, "display", false, &display, e) || only_keys(args, keys, e) ||
	    check_protocol(args, e))
		return -1;
	if (display)
		return dm_fail(e, "GenericError", "Could not set password expire time");
	/* Without a VNC server QEMU 7.2 answers {} too. */
	vnc_expire_password(c->q->m->vnc, expiry_time(t));
	*ret = json_object();
	return 0;
}
