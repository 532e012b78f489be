/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deprivileging (xen-interface.md §8, libxl's dm_restrict): after every
 * handle, image, socket and pty is open and the Xen handles are restricted
 * to the guest's domain (dm/xen does that), the daemon
 *   1. sets the rlimits libxl would (core 0, memlock 0, locks 0, msgqueue 0),
 *   2. chroots into the given directory,
 *   3. drops to the given uid/gid (and checks that root cannot come back),
 *   4. sets no_new_privs and installs a seccomp allow-list of exactly what
 *      the running daemon calls. A forbidden call kills the process with
 *      SIGSYS after a log line naming the system call.
 * Afterwards nothing opens a path: CD-ROM media and save files arrive as
 * fds over QMP (dm/fdset.h).
 */
#ifndef DM_SANDBOX_H
#define DM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sandbox_conf {
	const char *chroot_dir; /* -chroot DIR / -run-with chroot=DIR, or NULL */
	const char *runas;	/* -runas USER|UID:GID / -run-with user=..., or NULL */
	bool seccomp;		/* install the system call filter */
};

/*
 * Resolve "-runas" the way QEMU does: "uid:gid" numerically, otherwise a
 * user name looked up in the password database (its primary group).
 * 0 or -EINVAL/-ENOENT with a message in err. Call before chroot.
 */
__attribute__((warn_unused_result)) int sandbox_resolve_user(const char *runas, uid_t *uid,
							     gid_t *gid, char *err, size_t errlen);

/* Apply everything conf asks for, in the order above. 0 or -errno with err filled. */
__attribute__((warn_unused_result)) int sandbox_enter(const struct sandbox_conf *conf, char *err,
						      size_t errlen);
/*
 * True once sandbox_enter installed the system call filter: code that would
 * open a path (a QMP medium change given a file name) refuses instead.
 */
bool sandbox_filtering(void);

/*
 * Close every inherited fd above 2 except those in keep[] (fds named on the
 * command line: fd= of a QMP socket, -incoming fd:N). Called first thing, so
 * that nothing libxl's process leaked survives into the daemon.
 */
void sandbox_close_inherited_fds(const int *keep, size_t nkeep);

#endif
