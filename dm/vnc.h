/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VNC server: the machine's display (dm/display.h) and input
 * (dm/input.h) over RFB, with libvncserver doing the protocol and the
 * encodings, driven from the machine's loop (no thread of its own).
 *
 * Sockets: the listening socket is opened by vnc_start (before the
 * sandbox); clients are accepted on the loop. Each client's input is handed
 * to libvncserver one whole message at a time (dm/vnc_proto.h), so its
 * blocking reads never wait; its output is sent only while the socket's
 * send queue has room for it, a band of rows at a time, so its writes never
 * wait either. A client that stops reading gets its updates coalesced into
 * its pending region (bounded by the screen) and is not read from until it
 * drains.
 *
 * The screen is polled with display_refresh() while a client is connected
 * (the display contract has no change notification), every VNC_FRAME_MS
 * while it changes; each refresh that finds nothing new waits
 * VNC_FRAME_IDLE_INC_MS longer, up to VNC_FRAME_IDLE_MAX_MS, and a change
 * or a client's input brings it back to VNC_FRAME_MS (QEMU 7.2's
 * vnc_refresh does the same with 30/50/3000 ms). The rows the source
 * reports are compared with the copy the server keeps, and only what
 * changed is sent.
 */
#ifndef DM_VNC_H
#define DM_VNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct vnc_opts;
struct vnc_server;

/* Frame interval: at most this often the screen is read and updates sent. */
#define VNC_FRAME_MS 33
/* An idle screen is read less often: this much later each time, up to the max. */
#define VNC_FRAME_IDLE_INC_MS 50
#define VNC_FRAME_IDLE_MAX_MS 3000
/* Clients at once; one more is accepted and closed at once. */
#define VNC_MAX_CLIENTS 16
/* A client that has not finished the handshake after this long is dropped. */
#define VNC_HANDSHAKE_MS 10000
/* A client whose full output queue has not moved for this long is dropped (its slot freed). */
#define VNC_STALL_MS 30000

/* An endpoint as query-vnc reports it (VncBasicInfo). */
struct vnc_endpoint {
	char host[256];
	char service[108];  /* a port number, or the socket path for unix: */
	const char *family; /* "ipv4", "ipv6", "unix" */
};

/*
 * Listen where o says (o->enabled) for machine m, whose loop runs the
 * server. name: the desktop name clients show ("QEMU (name)" as QEMU's).
 * 0, or -errno with err filled (errlen bytes).
 */
__attribute__((warn_unused_result)) int vnc_start(struct machine *m, const struct vnc_opts *o,
						  const char *name, struct vnc_server **out,
						  char *err, size_t errlen);
/* Drop every client (their held keys released), close the sockets, free. */
void vnc_stop(struct vnc_server *vs);

/* QMP query-vnc: the listening endpoint, the auth ("vnc" or "none"). */
void vnc_query(const struct vnc_server *vs, struct vnc_endpoint *ep, const char **auth);
/* The clients past the handshake, up to max; how many there are. */
unsigned vnc_query_clients(const struct vnc_server *vs, struct vnc_endpoint *out, unsigned max);

/*
 * change-vnc-password / set_password: the VNC Authentication password
 * (only its first 8 characters count, as the DES key has 8 bytes).
 * -EINVAL when the server was not started with password=on (QEMU 7.2).
 */
__attribute__((warn_unused_result)) int vnc_set_password(struct vnc_server *vs, const char *pw);
/* expire_password: refuse logins from this wall-clock time (seconds since 1970). */
void vnc_expire_password(struct vnc_server *vs, int64_t when);

/* Counters for tests and benchmarks. */
struct vnc_stats {
	unsigned clients;	    /* connected now, any phase */
	uint64_t accepted, refused; /* connections accepted / closed at once (too many) */
	uint64_t dropped;	    /* clients dropped for bad input, timeouts, write errors */
	uint64_t updates;	    /* framebuffer updates sent */
	uint64_t deferred;	    /* sends put off because the client's queue was full */
	uint64_t refreshes;	    /* display_refresh() calls */
	unsigned interval_ms;	    /* the frame interval now */
};
void vnc_get_stats(const struct vnc_server *vs, struct vnc_stats *st);
/* Tests: the stall limit, VNC_STALL_MS by default. */
void vnc_set_stall_ms(struct vnc_server *vs, unsigned ms);

#endif
