/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The QMP server: the monitor protocol libxl, xl and xentop speak
 * (xen-interface.md §7.3, §7.4), over the unix sockets named by
 * "-chardev socket,id=X,path=P|fd=N,server=on,wait=off -mon chardev=X,mode=control",
 * or connected at start-up to the socket P of "-chardev socket,id=X,path=P"
 * (no server=on: QEMU's client socket, as libqtest passes it; a client
 * that goes away is not reconnected, as QEMU without reconnect= does).
 *
 * Framing as QEMU does it: a greeting on connect, one JSON value per reply
 * on one line ending in CRLF (QEMU's spacing: {"return": {}, "id": 1}),
 * capability negotiation first, replies carrying the request's id, fds
 * passed with SCM_RIGHTS queued for add-fd/getfd. Several monitors and
 * several connections at once; malformed JSON, oversized input, unknown
 * commands and abrupt disconnects get QMP errors (or a closed connection)
 * and never disturb the daemon.
 */
#ifndef DM_QMP_H
#define DM_QMP_H

#include <stddef.h>

struct machine;
struct qmp_server;

/* The QEMU version announced in the greeting (libxl keys features on >= 2.11). */
#define QMP_QEMU_MAJOR 7
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0

struct qmp_server *qmp_new(struct machine *m);
void qmp_free(struct qmp_server *q);

/*
 * Start the monitor of one "-mon" option value. 0, or -errno with a message
 * naming the problem in err (unknown chardev, mode=readline, not a socket...).
 */
__attribute__((warn_unused_result)) int qmp_add_monitor(struct qmp_server *q, const char *mon_spec,
							char *err, size_t errlen);
/* Start every -mon of the machine's options. Same errors. */
__attribute__((warn_unused_result)) int qmp_add_monitors(struct qmp_server *q, char *err,
							 size_t errlen);
/* Serve an already connected stream socket (tests; ownership passes). */
__attribute__((warn_unused_result)) int qmp_attach_fd(struct qmp_server *q, int fd);
/* Send an event ("STOP", "RESUME", "SHUTDOWN"...) to every negotiated connection. */
void qmp_event(struct qmp_server *q, const char *name);
/* Number of open client connections (tests, stats). */
unsigned qmp_connections(const struct qmp_server *q);

#endif
