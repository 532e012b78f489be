/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the QMP server: what the transport (qmp.c) and the command set
 * (qmp_cmds.c, with its probes in qmp_qom.c) share. Nothing else includes this.
 */
#ifndef DM_QMP_INT_H
#define DM_QMP_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "dm/error.h"
#include "dm/qmp.h"
#include "dm/runstate.h"

/* Input waiting for the end of one JSON value is bounded, as libxl's own reader is. */
#define QMP_RX_MAX (1u << 20)
/* A client that stops reading its replies is dropped beyond this much queued output. */
#define QMP_TX_MAX (4u << 20)
/* fds received with SCM_RIGHTS and not yet taken by add-fd/getfd. */
#define QMP_FDS_MAX 8

struct qmp_monitor {
	struct qmp_server *q;
	char *label; /* the chardev id, for query-chardev */
	char *path;  /* socket path we created (unlinked at exit), or NULL */
	int listen_fd;
	bool claimed; /* registered in the machine's chardev set (listed by it) */
	/* query-chardev "filename" with and without a client, worked out at set-up */
	char desc_open[160], desc_closed[176];
	struct qmp_monitor *next;
};

struct qmp_conn {
	struct qmp_server *q;
	struct qmp_monitor *mon; /* NULL for qmp_attach_fd */
	int fd;
	bool negotiated;
	bool closing;
	char *rx;
	size_t rx_len;
	char *tx;
	size_t tx_len;
	int fds[QMP_FDS_MAX];
	unsigned nfds;
	struct qmp_conn *next;
};

struct qmp_named_fd {
	char *name;
	int fd;
	struct qmp_named_fd *next;
};

struct qmp_server {
	struct machine *m;
	struct qmp_monitor *mons;
	struct qmp_conn *conns;
	struct qmp_named_fd *named_fds; /* getfd */
	struct runstate_hook rs_hook;	/* STOP when a device stops the guest (io-error) */
};

/* A command: 0 with *ret set, or -1 with e filled by dm_fail(). */
typedef int (*qmp_cmd_fn)(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);

struct qmp_cmd {
	const char *name;
	qmp_cmd_fn fn;
};

/* The command table (qmp_cmds.c), terminated by a NULL name. */
extern const struct qmp_cmd qmp_cmds[];

/*
 * Arguments, checked as QEMU's generated unmarshallers check them (qmp_cmds.c):
 * a missing required one, or one of the wrong JSON type, fills e and returns -1.
 */
int arg_string(json_t *args, const char *name, bool required, const char **out, struct dm_error *e);
int arg_bool(json_t *args, const char *name, bool required, bool *out, struct dm_error *e);
/* A command without arguments rejects any. */
int no_args(json_t *args, struct dm_error *e);

/* The VNC commands (qmp_vnc.c). */
int qmp_cmd_query_vnc(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);
int qmp_cmd_change_vnc_password(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);
int qmp_cmd_set_password(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);
int qmp_cmd_expire_password(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);
/* The machine and type probes (qmp_qom.c). */
int cmd_query_machines(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);
int cmd_qom_list_types(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);
/* The display's picture to a file (qmp_screendump.c). */
int cmd_screendump(struct qmp_conn *c, json_t *args, json_t **ret, struct dm_error *e);

/* Is a client connected to mon now? */
bool qmp_monitor_connected(const struct qmp_monitor *mon);
/* Take the oldest fd received on c (or -1). */
int qmp_conn_take_fd(struct qmp_conn *c);

#endif
