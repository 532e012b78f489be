/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device state stream to and from a file: QMP xen-save-devices-state
 * writes one (a path, or "/dev/fdset/N" libxl passed with add-fd), and
 * -incoming fd:N reads one at start-up (xen-interface.md §7.5).
 */
#ifndef DM_STATE_FILE_H
#define DM_STATE_FILE_H

#include <stddef.h>
#include <stdint.h>

struct machine;

/* Save m's state to path (fdset_open). 0, or -errno (message logged). */
__attribute__((warn_unused_result)) int dm_state_save_path(struct machine *m, const char *path);
/* Read all of fd (closed) into *buf / *len (free it). 0 or -errno (message logged). */
__attribute__((warn_unused_result)) int dm_state_read_fd(int fd, uint8_t **buf, size_t *len);

#endif
