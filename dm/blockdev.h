/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * -blockdev, the subset QEMU 7.2's qtest programs use (libxl writes -drive
 * only): a raw file as one node,
 *   -blockdev driver=file,node-name=N,filename=F[,read-only=on|off]
 *   -blockdev file,node-name=N,filename=F          (the implied key: driver)
 * which `-device ide-hd|ide-cd,drive=N` then takes as it takes an if=none
 * -drive with id=N. hvmdm has no block graph: the node is that drive.
 */
#ifndef DM_BLOCKDEV_H
#define DM_BLOCKDEV_H

#include <stddef.h>

/*
 * The -drive spec equal to the -blockdev spec (malloc'd, in *drive), or
 * -EINVAL with a message naming the key or driver in err, or -ENOMEM.
 */
__attribute__((warn_unused_result)) int blockdev_to_drive(const char *spec, char **drive, char *err,
							  size_t errlen);

#endif
