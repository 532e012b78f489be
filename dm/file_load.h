/*
 * Whole files for devices that are given one at start-up (the fw_cfg kernel,
 * initrd and option ROM): the OS side stays here, hw/ only sees bytes.
 */
#ifndef DM_FILE_LOAD_H
#define DM_FILE_LOAD_H

#include <stdint.h>

/* The size of the regular file at path: 0, or -errno (-EINVAL: not a regular file). */
__attribute__((warn_unused_result)) int file_size(const char *path, uint64_t *size);
/*
 * All of the regular file at path, at most max bytes, into a malloc'ed *out:
 * 0, or -errno (-EINVAL: not a regular file; -EFBIG: over max; -EIO: it
 * shrank while read). Nothing is allocated on failure.
 */
__attribute__((warn_unused_result)) int file_load(const char *path, uint32_t max, uint8_t **out,
						  uint32_t *len);

#endif
