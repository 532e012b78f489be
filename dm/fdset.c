// SPDX-License-Identifier: GPL-2.0-only
/* File descriptor sets for QMP add-fd / "/dev/fdset/N": see fdset.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/fdset.h"

/* Few sets ever exist at once (a save file, a CD-ROM image): bounded arrays. */
#define FDSET_MAX     64
#define FDSET_FDS_MAX 8

struct fdset {
	int64_t id;
	unsigned n;
	struct fdset_fd fds[FDSET_FDS_MAX];
};

static struct fdset sets[FDSET_MAX];
static unsigned nsets;

static struct fdset *find(int64_t id)
{
	for (unsigned i = 0; i < nsets; i++)
		if (sets[i].id == id)
			return &sets[i];
	return NULL;
}

/*
 * The lowest id no set has, as QEMU's monitor_fdset_add_fd picks it for an
 * add-fd without fdset-id. Sets are sorted and ids are >= 0, so this is at
 * most FDSET_MAX: no counter that a large client-chosen id could overflow.
 */
static int64_t first_free_id(void)
{
	int64_t id = 0;

	for (unsigned i = 0; i < nsets && sets[i].id == id; i++)
		id++;
	return id;
}

static struct fdset *create(int64_t id)
{
	struct fdset *s;

	if (nsets == FDSET_MAX)
		return NULL;
	if (id < 0)
		id = first_free_id();
	/* keep sets sorted by id so that query-fdsets lists them in order */
	unsigned pos = nsets;
	while (pos > 0 && sets[pos - 1].id > id)
		pos--;
	memmove(&sets[pos + 1], &sets[pos], (nsets - pos) * sizeof(sets[0]));
	nsets++;
	s = &sets[pos];
	memset(s, 0, sizeof(*s));
	s->id = id;
	return s;
}

int fdset_add(int64_t id, int fd, const char *opaque, int64_t *id_out)
{
	struct fdset *s = id >= 0 ? find(id) : NULL;
	char *op = NULL;

	if (fd < 0)
		return -EBADF;
	if (opaque && !(op = strdup(opaque)))
		return -ENOMEM;
	if (!s)
		s = create(id);
	if (!s || s->n == FDSET_FDS_MAX) {
		free(op);
		return -ENOSPC;
	}
	s->fds[s->n].fd = fd;
	s->fds[s->n].opaque = op;
	s->n++;
	*id_out = s->id;
	return 0;
}

static void drop_set(struct fdset *s)
{
	unsigned idx = (unsigned)(s - sets);

	memmove(s, s + 1, (nsets - idx - 1) * sizeof(*s));
	nsets--;
}

int fdset_remove(int64_t id, int fd)
{
	struct fdset *s = find(id);
	bool found = false;

	if (!s)
		return -ENOENT;
	for (unsigned i = 0; i < s->n;) {
		if (fd >= 0 && s->fds[i].fd != fd) {
			i++;
			continue;
		}
		close(s->fds[i].fd);
		free(s->fds[i].opaque);
		s->fds[i] = s->fds[--s->n];
		found = true;
	}
	if (!found)
		return -ENOENT;
	if (s->n == 0)
		drop_set(s);
	return 0;
}

static bool mode_allows(int fd, int flags)
{
	int fl = fcntl(fd, F_GETFL);
	int want = flags & O_ACCMODE;

	if (fl < 0)
		return false;
	fl &= O_ACCMODE;
	return fl == O_RDWR || fl == want;
}

int fdset_open(const char *path, int flags)
{
	static const char prefix[] = "/dev/fdset/";
	unsigned long long id;
	char *end;
	struct fdset *s;
	int fd;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0) {
		fd = open(path, flags | O_CLOEXEC, 0600);
		return fd < 0 ? -errno : fd;
	}
	errno = 0;
	id = strtoull(path + sizeof(prefix) - 1, &end, 10);
	if (errno || *end || end == path + sizeof(prefix) - 1 || id > INT64_MAX)
		return -EINVAL;
	s = find((int64_t)id);
	if (!s)
		return -ENOENT;
	for (unsigned i = 0; i < s->n; i++) {
		if (!mode_allows(s->fds[i].fd, flags))
			continue;
		fd = fcntl(s->fds[i].fd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	return -EACCES;
}

void fdset_for_each(void (*fn)(void *opaque, int64_t id, const struct fdset_fd *fds, unsigned n),
		    void *opaque)
{
	for (unsigned i = 0; i < nsets; i++)
		fn(opaque, sets[i].id, sets[i].fds, sets[i].n);
}

void fdset_clear_all(void)
{
	while (nsets)
		fdset_remove(sets[0].id, -1);
}
