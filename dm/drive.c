// SPDX-License-Identifier: GPL-2.0-only
/*
 * -drive options as libxl writes them (xen-interface.md §7.1):
 *   file=IMG,if=ide,index=N,media=disk,format=raw,cache=writeback
 *   (if=ide position: index=N, or bus=B[,unit=U], or none: the first free unit)
 *   if=none,readonly=on,id=ide-5632[,file=ISO,format=raw]        (CD-ROM)
 * Only raw images are supported; anything else is refused by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/block.h"
#include "dm/qemuopts.h"

static const char *const cache_names[] = {
	[BLK_CACHE_WRITEBACK] = "writeback", [BLK_CACHE_WRITETHROUGH] = "writethrough",
	[BLK_CACHE_NONE] = "none",	     [BLK_CACHE_DIRECTSYNC] = "directsync",
	[BLK_CACHE_UNSAFE] = "unsafe",
};

const char *blk_cache_name(enum blk_cache c)
{
	return (unsigned)c < sizeof(cache_names) / sizeof(cache_names[0]) ? cache_names[c] : "?";
}

static int parse_cache(const char *s, enum blk_cache *out)
{
	for (unsigned i = 0; i < sizeof(cache_names) / sizeof(cache_names[0]); i++) {
		if (!strcmp(s, cache_names[i])) {
			*out = (enum blk_cache)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const drive_keys[] = { "file",  "if",       "index",	 "media", "format",
					  "cache", "readonly", "id",	 "aio",	  "bus",
					  "unit",  "rerror",   "werror", NULL };

/* QEMU 7.2 parse_block_error_action: enospc is for writes only. */
static int parse_err_action(const char *s, bool is_read, enum blk_err_action *out)
{
	static const char *const names[] = { [BLK_ERR_REPORT] = "report",
					     [BLK_ERR_IGNORE] = "ignore",
					     [BLK_ERR_STOP] = "stop",
					     [BLK_ERR_ENOSPC] = "enospc" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i]) && !(is_read && i == BLK_ERR_ENOSPC)) {
			*out = (enum blk_err_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Check the keys whose values are words; 0 or -EINVAL with err filled. */
static int parse_words(const struct qopts *o, struct drive_conf *c, char *err, size_t errlen)
{
	const char *iface = qopts_get(o, "if"), *media = qopts_get(o, "media");
	const char *format = qopts_get(o, "format"), *cache = qopts_get(o, "cache");
	const char *aio = qopts_get(o, "aio");
	const char *rerror = qopts_get(o, "rerror"), *werror = qopts_get(o, "werror");

	if (iface && strcmp(iface, "ide") && strcmp(iface, "none")) {
		snprintf(err, errlen, "-drive: interface if=%s is not supported (ide, none)",
			 iface);
		return -EINVAL;
	}
	c->iface = iface && !strcmp(iface, "none") ? BLK_IF_NONE : BLK_IF_IDE;
	if (media && strcmp(media, "disk") && strcmp(media, "cdrom")) {
		snprintf(err, errlen, "-drive: media=%s is not disk or cdrom", media);
		return -EINVAL;
	}
	c->media = media && !strcmp(media, "cdrom") ? BLK_MEDIA_CDROM : BLK_MEDIA_DISK;
	if (format && strcmp(format, "raw")) {
		snprintf(err, errlen, "-drive: format=%s is not supported (only raw)", format);
		return -EINVAL;
	}
	if (cache && parse_cache(cache, &c->cache)) {
		snprintf(err, errlen, "-drive: cache=%s is not a cache mode", cache);
		return -EINVAL;
	}
	c->rerror = BLK_ERR_REPORT;
	c->werror = BLK_ERR_ENOSPC;
	if (rerror && parse_err_action(rerror, true, &c->rerror)) {
		snprintf(err, errlen, "-drive: '%s' invalid read error action", rerror);
		return -EINVAL;
	}
	if (werror && parse_err_action(werror, false, &c->werror)) {
		snprintf(err, errlen, "-drive: '%s' invalid write error action", werror);
		return -EINVAL;
	}
	if (aio && strcmp(aio, "native") && strcmp(aio, "threads")) {
		snprintf(err, errlen, "-drive: aio=%s is not supported", aio);
		return -EINVAL;
	}
	return 0;
}

/*
 * bus=/unit= as QEMU's drive_new() takes them for IDE (2 buses of 2 units):
 * not together with index=; both give the position, bus= alone (or none of
 * the three) leaves c->index -1 and the first free unit from bus c->bus on
 * is taken when the drives are attached (hw/ide/piix_ide.c).
 */
static int parse_bus_unit(const struct qopts *o, struct drive_conf *c, char *err, size_t errlen)
{
	const char *bus = qopts_get(o, "bus"), *unit = qopts_get(o, "unit");
	unsigned long long b = 0, u = 0;

	if ((bus || unit) && c->index >= 0) {
		snprintf(err, errlen, "-drive: index cannot be used with bus and unit");
		return -EINVAL;
	}
	if (bus && (qopts_parse_u64(bus, &b) || b > 1)) {
		snprintf(err, errlen, "-drive: bus=%s is out of range (0-1 for IDE)", bus);
		return -EINVAL;
	}
	if (unit && (qopts_parse_u64(unit, &u) || u > 1)) {
		snprintf(err, errlen, "-drive: unit %s too big (max is 1)", unit);
		return -EINVAL;
	}
	c->bus = (int)b;
	if (unit)
		c->index = (int)(b * 2 + u);
	return 0;
}

static int parse_numbers(const struct qopts *o, struct drive_conf *c, char *err, size_t errlen)
{
	const char *index = qopts_get(o, "index");
	int ro = qopts_get_bool(o, "readonly", false);
	unsigned long long v;

	c->index = -1;
	c->bus = 0;
	if (index) {
		if (qopts_parse_u64(index, &v) || v > 3) {
			snprintf(err, errlen, "-drive: index=%s is out of range (0-3 for IDE)",
				 index);
			return -EINVAL;
		}
		c->index = (int)v;
	}
	if (parse_bus_unit(o, c, err, errlen))
		return -EINVAL;
	if (ro < 0) {
		snprintf(err, errlen, "-drive: readonly=%s is not on or off",
			 qopts_get(o, "readonly"));
		return -EINVAL;
	}
	c->readonly = ro == 1 || c->media == BLK_MEDIA_CDROM;
	return 0;
}

int drive_parse(const char *spec, struct drive_conf *out, char *err, size_t errlen)
{
	struct qopts o;
	const char *bad, *file, *id;
	int ret;

	memset(out, 0, sizeof(*out));
	if (qopts_parse(spec, &o)) {
		snprintf(err, errlen, "-drive %s: cannot parse it", spec);
		return -EINVAL;
	}
	bad = qopts_unknown_key(&o, drive_keys, false);
	if (bad) {
		snprintf(err, errlen, "-drive: parameter '%s' is not supported", bad);
		ret = -EINVAL;
		goto out;
	}
	ret = parse_words(&o, out, err, errlen);
	if (!ret)
		ret = parse_numbers(&o, out, err, errlen);
	if (ret)
		goto out;
	file = qopts_get(&o, "file");
	id = qopts_get(&o, "id");
	if (out->iface == BLK_IF_NONE && !id) {
		snprintf(err, errlen, "-drive: if=none needs id=");
		ret = -EINVAL;
	} else if (file && !strncmp(file, "blkdebug:", 9)) {
		/* QEMU's error-injection driver: hvmdm opens raw files only. */
		snprintf(err, errlen, "-drive: file=%s: the blkdebug driver is not supported",
			 file);
		ret = -EINVAL;
	} else if (!file && out->media == BLK_MEDIA_DISK && out->iface == BLK_IF_IDE) {
		snprintf(err, errlen, "-drive: a disk needs file=");
		ret = -EINVAL;
	} else if ((file && !(out->file = strdup(file))) || (id && !(out->id = strdup(id)))) {
		ret = -ENOMEM;
	}
	if (ret)
		drive_conf_free(out);
out:
	qopts_free(&o);
	return ret;
}

void drive_conf_free(struct drive_conf *c)
{
	free(c->file);
	free(c->id);
	c->file = NULL;
	c->id = NULL;
}
