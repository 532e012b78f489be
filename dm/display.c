// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display registry (see display.h): at most one source per machine,
 * and the checks that keep a faulty source's surface from reaching a
 * consumer that indexes it.
 */
#include "dm/display.h"

#include <errno.h>
#include <stddef.h>

#include "dm/log.h"

/* A process runs one machine; tests build a few in turn. */
#define DISPLAY_MAX_MACHINES 8

struct display_slot {
	struct machine *m;
	const struct display_source *src;
	void *opaque;
};

static struct display_slot slots[DISPLAY_MAX_MACHINES];

static struct display_slot *find(struct machine *m)
{
	for (size_t i = 0; i < DISPLAY_MAX_MACHINES; i++)
		if (slots[i].m && slots[i].m == m)
			return &slots[i];
	return NULL;
}

int display_register(struct machine *m, const struct display_source *src, void *opaque)
{
	if (!m || !src || !src->refresh)
		return -EINVAL;
	if (find(m)) {
		dm_err("display", "a second display (%s) for one machine",
		       src->name ? src->name : "?");
		return -EBUSY;
	}
	for (size_t i = 0; i < DISPLAY_MAX_MACHINES; i++) {
		if (slots[i].m)
			continue;
		slots[i] = (struct display_slot){ m, src, opaque };
		return 0;
	}
	return -ENOSPC;
}

void display_unregister(struct machine *m)
{
	struct display_slot *s = find(m);

	if (s)
		*s = (struct display_slot){ 0 };
}

bool display_present(struct machine *m)
{
	return find(m) != NULL;
}

static bool surface_ok(const struct display_surface *s)
{
	if (s->width == 0 && s->height == 0)
		return true;
	return s->width && s->height && s->width <= DISPLAY_MAX_WIDTH &&
	       s->height <= DISPLAY_MAX_HEIGHT && s->stride >= 4 * s->width && s->stride % 4 == 0 &&
	       s->pixels;
}

bool display_refresh(struct machine *m, bool full, struct display_surface *out,
		     struct display_dirty *dirty)
{
	struct display_slot *slot = find(m);
	struct display_surface s = { 0 };
	struct display_dirty d = { 0, 0 };

	if (!slot)
		return false;
	slot->src->refresh(slot->opaque, full, &s, &d);
	if (!surface_ok(&s)) {
		/* A source bug, not guest input: show nothing rather than read past a buffer. */
		dm_err("display", "%s reported a bad surface %ux%u stride %u",
		       slot->src->name ? slot->src->name : "?", s.width, s.height, s.stride);
		s = (struct display_surface){ 0 };
		d = (struct display_dirty){ 0, 0 };
	}
	if (d.y1 > s.height)
		d.y1 = s.height;
	if (d.y0 > d.y1)
		d.y0 = d.y1;
	if (full)
		d = (struct display_dirty){ 0, s.height };
	*out = s;
	*dirty = d;
	return true;
}
