/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Character-device backends: what a serial port (or any byte-stream
 * frontend) is connected to on the host. The only code that opens host
 * files, ptys and sockets for a frontend.
 *
 * Options as QEMU (7.2, qemu-xen) takes them:
 *   -chardev null,id=ID
 *   -chardev stdio,id=ID[,signal=on|off]
 *   -chardev file,id=ID,path=PATH[,append=on]       (truncates unless append)
 *   -chardev pty,id=ID                               ("pty:/dev/pts/N" in QMP)
 *   -chardev serial|tty,id=ID,path=/dev/ttyX
 *   -chardev socket,id=ID,path=P[,server=on][,wait=off|nowait]
 *   -chardev socket,id=ID,fd=N[,server=on]  (inherited listening or connected socket)
 *   -chardev socket,id=ID,[host=H,]port=P[,server=on][,wait=off][,nodelay][,ipv4|ipv6]
 *   -serial  file:PATH | pty | stdio | null | none | chardev:ID | /dev/... |
 *            unix:PATH[,server][,nowait|wait=off] | tcp:[HOST]:PORT[,server][,nowait]
 * A -serial spec becomes an implicit chardev labelled "serialN" (N counts
 * the -serial options that are not "none"), as QEMU does; libxl reads the
 * pty path of every "serialN" from query-chardev.
 *
 * A -chardev is recorded (parsed and checked) when given and opened on
 * first use by a frontend (chardev_open), so a chardev that only a -mon
 * uses is never opened here: the QMP server reads its spec (chardev_spec)
 * and opens its own socket, and may chardev_claim() it so that query-chardev
 * describes it and no frontend takes it.
 *
 * Output never blocks the loop: chardev_write() writes what the host takes
 * now and drops the rest (counted), whether the peer is slow, absent (a pty
 * nobody reads, a server socket with no client) or gone. Input is read from
 * the loop's fd watches only as far as the frontend's can_read() allows;
 * when it allows nothing the fd is no longer polled until the frontend
 * calls chardev_accept_input().
 */
#ifndef DM_CHARDEV_H
#define DM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct qopts;
struct chardev;
struct chardev_set;

/* Input handlers of the one frontend. can_read: bytes it takes now (0: stop polling). */
typedef size_t (*chardev_can_read_fn)(void *opaque);
typedef void (*chardev_read_fn)(void *opaque, const uint8_t *buf, size_t n);
/* Write a query-chardev "filename" for a chardev someone else serves. */
typedef void (*chardev_describe_fn)(void *opaque, char *buf, size_t len);

struct chardev_stats {
	uint64_t written;  /* bytes the host took */
	uint64_t dropped;  /* bytes dropped: peer slow, absent or gone */
	uint64_t received; /* bytes handed to the frontend */
	uint64_t connects; /* clients accepted / connections made (sockets) */
};

/*
 * Record one -chardev value. 0, or -EINVAL/-EEXIST with a message naming
 * the option and its bad part in err (unknown backend or parameter, missing
 * id= or path=, duplicate id, bad value).
 */
__attribute__((warn_unused_result)) int chardev_add_opt(struct machine *m, const char *spec,
							char *err, size_t errlen);
/* Record every -chardev of m->opts, in command-line order. Same errors. */
__attribute__((warn_unused_result)) int chardev_add_opts(struct machine *m, char *err,
							 size_t errlen);
/*
 * Record one -serial SPEC as an implicit chardev. id receives the chardev id
 * a serial port should use ("serialN", or ID for chardev:ID), or "" for
 * "none". Same errors (unknown chardev:ID: -ENOENT).
 */
__attribute__((warn_unused_result)) int chardev_add_serial(struct machine *m, const char *spec,
							   char *id, size_t idlen, char *err,
							   size_t errlen);

/* The parsed options of chardev id (element 0 is the backend), or NULL. */
const struct qopts *chardev_spec(struct machine *m, const char *id);
bool chardev_exists(struct machine *m, const char *id);

/*
 * Mark id as served by someone else (the QMP server): chardev_open() then
 * refuses it, and chardev_for_each() describes it with fn. -ENOENT, -EBUSY.
 */
__attribute__((warn_unused_result)) int chardev_claim(struct machine *m, const char *id,
						      chardev_describe_fn fn, void *opaque);

/*
 * Open chardev id for one frontend (who: "serial@3f8", for messages),
 * opening the backend on first use. 0, or -errno with a message naming the
 * option in err: -ENOENT (no such id), -EBUSY (already has a frontend or
 * claimed), or the OS error of opening the backend.
 */
__attribute__((warn_unused_result)) int chardev_open(struct machine *m, const char *id,
						     const char *who, struct chardev **out,
						     char *err, size_t errlen);
/* Detach the frontend (handlers cleared); the backend stays open until chardev_set_free. */
void chardev_release(struct chardev *cd);

/* Bytes the host took now (the rest of len is dropped and counted). */
size_t chardev_write(struct chardev *cd, const void *buf, size_t len);
void chardev_set_handlers(struct chardev *cd, chardev_can_read_fn can_read, chardev_read_fn receive,
			  void *opaque);
/* The frontend can take input again: resume polling if it had stopped. */
void chardev_accept_input(struct chardev *cd);

const char *chardev_id(const struct chardev *cd);
/*
 * query-chardev "filename": "pty:/dev/pts/3", "file", "unix:/p,server=on",
 * "disconnected:tcp:H:P,server=on", "tcp:L:P,server=on <-> R:Q"...
 */
void chardev_describe(const struct chardev *cd, char *buf, size_t len);
/*
 * The describe string of a socket spec, connected or not (for the QMP
 * server). For fd= it asks the kernel where the socket is bound
 * (getsockname): call it at set-up, before the sandbox, and keep the result.
 */
void chardev_describe_socket(const struct qopts *spec, bool connected, char *buf, size_t len);
/* True while a socket has its peer (pty, file, stdio, null: always). */
bool chardev_connected(const struct chardev *cd);
struct chardev_stats chardev_stats(const struct chardev *cd);

/* Every recorded chardev in creation order, as query-chardev lists them. */
void chardev_for_each(struct machine *m,
		      void (*fn)(void *opaque, const char *label, const char *filename,
				 bool frontend_open),
		      void *opaque);

/*
 * Connect to the unix socket at path (a "socket,path=P" spec without
 * server=on, as QEMU does at start-up). Non-blocking, close-on-exec. The
 * fd, or -errno with "cannot connect to P: why" in err.
 */
__attribute__((warn_unused_result)) int chardev_unix_connect(const char *path, char *err,
							     size_t errlen);
/*
 * A listening socket for a "socket,...,server=on" spec: unix, bound to path=
 * (a stale socket file is replaced), the inherited fd=, or TCP on
 * host=/port=. Non-blocking,
 * close-on-exec. The fd, or -errno with a message in err. For the QMP server.
 */
__attribute__((warn_unused_result)) int chardev_socket_listen(const struct qopts *spec, char *err,
							      size_t errlen);

/* Close every backend (sockets created here are unlinked, terminals restored). */
void chardev_set_free(struct machine *m);

#endif
