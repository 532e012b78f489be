// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device state streams in files (see state_file.h). The whole stream is
 * built in memory first, so a failing device leaves the file untouched
 * beyond its truncation, and a load sees the whole stream before it
 * decodes any of it (two-phase: dm_state_load).
 */
#include "dm/state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/fdset.h"
#include "dm/growbuf.h"
#include "dm/log.h"
#include "dm/state.h"

/* Longer than any stream hvmdm writes (RAM included): a bound on what a load reads. */
#define STATE_FILE_MAX (4ull << 30)

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int dm_state_save_path(struct machine *m, const char *path)
{
	struct snap_wr w;
	int fd, ret;

	snap_wr_init(&w);
	ret = dm_state_save(m, &w);
	if (ret) {
		snap_wr_free(&w);
		return ret;
	}
	fd = fdset_open(path, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd < 0) {
		snap_wr_free(&w);
		return fd;
	}
	ret = write_all(fd, w.buf, w.len);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		dm_err("state", "writing %s: %s", path, strerror(-ret));
	else
		dm_info("state", "%zu bytes of device state to %s", w.len, path);
	snap_wr_free(&w);
	return ret;
}

int dm_state_read_fd(int fd, uint8_t **out, size_t *len_out)
{
	uint8_t *buf = NULL, *b;
	size_t len = 0, cap = 0;
	ssize_t n;
	int ret = 0;

	for (;;) {
		if (len >= STATE_FILE_MAX) {
			ret = -EFBIG;
			break;
		}
		b = growbuf(buf, &cap, len + 65536, 65536);
		if (!b) {
			ret = -ENOMEM;
			break;
		}
		buf = b;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (ret) {
		dm_err("state", "reading the device state: %s", strerror(-ret));
		free(buf);
		return ret;
	}
	*out = buf;
	*len_out = len;
	return 0;
}
