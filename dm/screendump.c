// SPDX-License-Identifier: GPL-2.0-only
/*
 * Screendump to a PPM file (screendump.h). The file side lives here, in
 * dm/: the display source in hw/ only renders into memory.
 */
#include "dm/screendump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/display.h"
#include "dm/fdset.h"

int screendump_ppm(const struct display_surface *s, uint8_t **out, size_t *len)
{
	char head[48];
	int hl;
	size_t n;
	uint8_t *buf, *p;

	if (!s->width || !s->height || !s->pixels)
		return -EINVAL;
	hl = snprintf(head, sizeof(head), "P6\n%u %u\n255\n", s->width, s->height);
	n = (size_t)hl + (size_t)s->width * s->height * 3;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, head, (size_t)hl);
	p = buf + hl;
	for (unsigned y = 0; y < s->height; y++) {
		const uint32_t *row = s->pixels + (size_t)y * (s->stride / 4);

		for (unsigned x = 0; x < s->width; x++) {
			*p++ = (uint8_t)(row[x] >> 16);
			*p++ = (uint8_t)(row[x] >> 8);
			*p++ = (uint8_t)row[x];
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A partial or unwanted file goes again (an add-fd fd is the caller's to keep). */
static void drop(const char *path)
{
	if (strncmp(path, "/dev/fdset/", 11))
		unlink(path);
}

int screendump_write(struct machine *m, const char *path, char *err, size_t errlen)
{
	struct display_surface s;
	struct display_dirty d;
	uint8_t *ppm = NULL;
	size_t len = 0;
	int fd, ret;

	if (!display_present(m)) {
		snprintf(err, errlen, "There is no console to take a screendump from.");
		return -ENODEV;
	}
	/* As QEMU: the file is opened before the picture is taken, so its errors come first. */
	fd = fdset_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "failed to open file '%s': %s", path, strerror(errno));
		return ret;
	}
	(void)display_refresh(m, false, &s, &d);
	ret = screendump_ppm(&s, &ppm, &len);
	if (ret)
		snprintf(err, errlen, ret == -EINVAL ? "no surface" : "out of memory");
	else if ((ret = write_all(fd, ppm, len)))
		snprintf(err, errlen, "failed to write file '%s': %s", path, strerror(-ret));
	if (close(fd) && !ret) {
		ret = -errno;
		snprintf(err, errlen, "failed to write file '%s': %s", path, strerror(-ret));
	}
	free(ppm);
	if (ret)
		drop(path);
	return ret == -EINVAL ? -ENODATA : ret;
}
