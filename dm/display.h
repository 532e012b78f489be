/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Display: what a graphics adapter shows, handed to the consumers of the
 * screen (the VNC server, QMP screendump). It is the one contract between
 * hw/vga (producers) and the display backends, so neither knows the other.
 *
 * An adapter registers one display source for its machine. A consumer calls
 * display_refresh() when it wants a picture (VNC: once per frame interval,
 * from the loop; screendump: once); the source renders what the guest
 * changed since its last refresh into its surface and reports the rows it
 * rewrote. The surface belongs to the source and stays valid until the next
 * refresh of the same source; consumers copy what they keep.
 *
 * Pixels are XRGB8888 in host byte order (0x00RRGGBB), whatever the guest's
 * mode: the source converts from text, planar, 8 bpp palette, 15/16/24/32
 * bpp. A blanked or disabled screen is a width x height surface of black,
 * never a missing one; 0x0 only before the guest programmed any mode.
 */
#ifndef DM_DISPLAY_H
#define DM_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct machine;

/* Larger than any mode a source may report (Bochs VBE and Cirrus stop below). */
#define DISPLAY_MAX_WIDTH  4096u
#define DISPLAY_MAX_HEIGHT 4096u

struct display_surface {
	unsigned width, height; /* pixels, each <= DISPLAY_MAX_* */
	unsigned stride;	/* bytes from one row to the next, >= 4 * width */
	const uint32_t *pixels; /* height rows of stride bytes, 0x00RRGGBB */
};

/* Rows [y0, y1) changed since the last refresh; y0 == y1: nothing did. */
struct display_dirty {
	unsigned y0, y1;
};

struct display_source {
	const char *name; /* the adapter's device type, for logs */
	/*
	 * Bring the surface up to date. full: redraw every row (a new client,
	 * a screendump) and report them all. The size may change between
	 * calls (a mode set); a size change reports every row dirty.
	 */
	void (*refresh)(void *opaque, bool full, struct display_surface *s,
			struct display_dirty *d);
};

/*
 * Register src (static, outlives the registration) as machine m's display.
 * One per machine: -EBUSY when m has one, -EINVAL for a source without a
 * refresh op.
 */
__attribute__((warn_unused_result)) int
display_register(struct machine *m, const struct display_source *src, void *opaque);
void display_unregister(struct machine *m);
bool display_present(struct machine *m);

/*
 * The current picture of m's display; false (s and d untouched) when m has
 * none. The surface the source reports is checked (size limits, stride,
 * dirty rows inside it) so a consumer can trust it.
 */
bool display_refresh(struct machine *m, bool full, struct display_surface *s,
		     struct display_dirty *d);

#endif
