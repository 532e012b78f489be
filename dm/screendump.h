/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QMP screendump (QEMU 7.2 ui/console.c qmp_screendump, ppm_save): the
 * machine's display (dm/display.h) refreshed once and written to a file as
 * a binary PPM, the bytes QEMU writes for the same surface: the header
 * "P6\n<width> <height>\n255\n", then each row left to right as R, G, B.
 */
#ifndef DM_SCREENDUMP_H
#define DM_SCREENDUMP_H

#include <stddef.h>
#include <stdint.h>

struct display_surface;
struct machine;

/* The PPM of s in a malloc'ed *out of *len bytes: 0 or -ENOMEM (-EINVAL: an empty surface). */
__attribute__((warn_unused_result)) int screendump_ppm(const struct display_surface *s,
						       uint8_t **out, size_t *len);

/*
 * Refresh m's display and write it to path ("/dev/fdset/N": an fd given with
 * add-fd). 0, or -errno with a message in err: -ENODEV no display, the file's
 * error (checked first, as QEMU does), -ENODATA nothing drawn yet (the file is
 * removed again, as a partial one is).
 */
__attribute__((warn_unused_result)) int screendump_write(struct machine *m, const char *path,
							 char *err, size_t errlen);

#endif
