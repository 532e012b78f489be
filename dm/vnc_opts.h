/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The -vnc option as libxl writes it and QEMU 7.2 reads it:
 *
 *   -vnc none
 *   -vnc [HOST]:DISPLAY[,password=on][,to=LAST]   TCP port 5900 + DISPLAY
 *   -vnc unix:PATH[,password=on]
 *
 * HOST is an IPv4 address, a name, or [IPv6]; empty means every interface.
 * to=LAST: when port 5900 + DISPLAY is taken, try the next displays up to
 * LAST (an absolute display number, as QEMU's "to"; libxl's vncunused
 * passes to=99). Nothing else is taken: an option hvmdm does not implement
 * (websocket=, tls-creds=, sasl, lossy, ...) is refused by name.
 */
#ifndef DM_VNC_OPTS_H
#define DM_VNC_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define VNC_BASE_PORT 5900
/* The highest display whose port (5900 + display) is a TCP port. */
#define VNC_MAX_DISPLAY (65535 - VNC_BASE_PORT)

struct vnc_opts {
	bool enabled;	  /* false for "none" */
	bool unix_socket; /* unix:PATH */
	char host[256];	  /* TCP: without the IPv6 brackets; "" = every interface */
	char path[108];	  /* unix: the socket path (sun_path's size) */
	int display;	  /* TCP: the first display to try */
	int to;		  /* TCP: the last display to try (== display without to=) */
	bool password;	  /* password=on: VNC authentication */
	char keymap[32];  /* -k (not part of -vnc): the layout of keysyms; "" = US */
};

/*
 * Parse spec into o. 0, or -EINVAL with a message naming the problem in
 * err (errlen bytes).
 */
__attribute__((warn_unused_result)) int vnc_opts_parse(const char *spec, struct vnc_opts *o,
						       char *err, size_t errlen);

#endif
