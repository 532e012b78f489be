/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File descriptor sets, as QMP add-fd creates them: libxl passes an open
 * file (the save file, a new CD-ROM image) over the monitor socket and then
 * names it "/dev/fdset/N", because the daemon may be chrooted and must not
 * open paths itself (xen-interface.md §7.5, §7.6).
 */
#ifndef DM_FDSET_H
#define DM_FDSET_H

#include <stdint.h>

struct fdset_fd {
	int fd;
	char *opaque;
};

/*
 * Add fd (ownership passes to the set) to set id, or to a new set when id < 0
 * (it takes the lowest id no set has, as in QEMU).
 * The set's id is returned in *id_out. 0 or -errno (fd not taken on error).
 */
__attribute__((warn_unused_result)) int fdset_add(int64_t id, int fd, const char *opaque,
						  int64_t *id_out);
/* Remove one fd (fd >= 0) or the whole set (fd < 0), closing them. 0 or -ENOENT. */
int fdset_remove(int64_t id, int fd);
/*
 * Open path: "/dev/fdset/N" duplicates the first fd of set N whose access
 * mode allows flags' O_ACCMODE; any other path is opened with open(2).
 * Returns the new fd (O_CLOEXEC) or -errno.
 */
int fdset_open(const char *path, int flags);
/* Walk sets in id order: fn(opaque, id, fds, n). */
void fdset_for_each(void (*fn)(void *opaque, int64_t id, const struct fdset_fd *fds, unsigned n),
		    void *opaque);
void fdset_clear_all(void);

#endif
