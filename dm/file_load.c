/* Whole files for start-up devices (see file_load.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm/file_load.h"

int file_size(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

int file_load(const char *path, uint32_t max, uint8_t **out, uint32_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fstat(fd, &st))
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else if ((uint64_t)st.st_size > max)
		ret = -EFBIG;
	else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
		ret = -ENOMEM;
	while (!ret && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			ret = n ? -errno : -EIO;
		else
			got += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*len = (uint32_t)got;
	return 0;
}
