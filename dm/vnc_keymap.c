// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU keymap files (vnc_keymap.h), read as QEMU 7.2's ui/keymaps.c reads
 * them: "include NAME" pulls another file in, "map 0x..." is the layout's
 * id (ignored), other lines are "KEYSYM-NAME SCANCODE [modifiers...]" with
 * the scancode a qnum; a name the table does not know is skipped (QEMU
 * warns and goes on), a scancode that names no key too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/vnc_input.h"
#include "dm/vnc_keymap.h"

/* Generated from keysymdef.h by the Makefile (build/gen/keysym_names.c). */
struct keysym_name {
	const char *name;
	uint32_t keysym;
};
extern const struct keysym_name keysym_names[];
extern const size_t keysym_names_len;

#define INCLUDE_DEPTH 4

uint32_t vnc_keysym_by_name(const char *name)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < keysym_names_len; i++)
		if (!strcmp(keysym_names[i].name, name))
			return keysym_names[i].keysym;
	/* Unicode keysyms (keysymdef.h: 0x01000000 + the code point), and raw numbers */
	if (name[0] == 'U' && name[1]) {
		v = strtoul(name + 1, &end, 16);
		if (!*end && v <= 0x10ffff)
			return 0x01000000u | (uint32_t)v;
	}
	if (!strncmp(name, "0x", 2)) {
		v = strtoul(name, &end, 16);
		if (!*end && v && v <= 0xffffffffu)
			return (uint32_t)v;
	}
	return 0;
}

static int add(struct vnc_keymap *km, uint32_t keysym, uint16_t key, uint8_t mods)
{
	if (km->n == km->cap) {
		size_t cap = km->cap ? km->cap * 2 : 256;
		struct vnc_keymap_entry *v = realloc(km->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		km->v = v;
		km->cap = cap;
	}
	km->v[km->n++] = (struct vnc_keymap_entry){ keysym, key, mods };
	return 0;
}

static uint8_t parse_mods(char *rest)
{
	uint8_t mods = 0;

	for (char *w = strtok(rest, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
		if (!strcmp(w, "shift"))
			mods |= VNC_MOD_SHIFT;
		else if (!strcmp(w, "altgr"))
			mods |= VNC_MOD_ALTGR;
	}
	return mods;
}

static int load_file(struct vnc_keymap *km, const char *dir, const char *lang, int depth, char *err,
		     size_t errlen);

/* One line: 0, or -errno with err filled. */
static int load_line(struct vnc_keymap *km, const char *dir, char *line, int depth, char *err,
		     size_t errlen)
{
	char name[64], rest[128] = "";
	unsigned code;
	uint32_t keysym;
	uint16_t key;

	if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
		return 0;
	if (sscanf(line, "include %63s", name) == 1)
		return load_file(km, dir, name, depth + 1, err, errlen);
	if (!strncmp(line, "map ", 4))
		return 0;
	if (sscanf(line, "%63s %x %127[^\n]", name, &code, rest) < 2)
		return 0;
	keysym = vnc_keysym_by_name(name);
	key = vnc_qnum_to_key(code);
	if (!keysym || !key)
		return 0;
	return add(km, keysym, key, parse_mods(rest));
}

static int load_file(struct vnc_keymap *km, const char *dir, const char *lang, int depth, char *err,
		     size_t errlen)
{
	char path[512], line[256];
	FILE *f;
	int r = 0;

	if (depth > INCLUDE_DEPTH || strchr(lang, '/') || lang[0] == '.') {
		snprintf(err, errlen, "keymap '%s': bad name or includes nested too deep", lang);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, lang);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "keymap %s: %s", path, strerror(errno));
		return -ENOENT;
	}
	while (!r && fgets(line, sizeof(line), f))
		r = load_line(km, dir, line, depth, err, errlen);
	fclose(f);
	return r;
}

int vnc_keymap_load(struct vnc_keymap *km, const char *dir, const char *lang, char *err,
		    size_t errlen)
{
	int r;

	memset(km, 0, sizeof(*km));
	r = load_file(km, dir, lang, 0, err, errlen);
	if (!r && !km->n) {
		snprintf(err, errlen, "keymap %s/%s: no keys", dir, lang);
		r = -EINVAL;
	}
	if (r)
		vnc_keymap_free(km);
	return r;
}

void vnc_keymap_free(struct vnc_keymap *km)
{
	free(km->v);
	memset(km, 0, sizeof(*km));
}

uint16_t vnc_keymap_key(const struct vnc_keymap *km, uint32_t keysym, unsigned mods)
{
	uint16_t first = 0;

	for (size_t i = 0; i < km->n; i++) {
		if (km->v[i].keysym != keysym)
			continue;
		if (km->v[i].mods == (mods & (VNC_MOD_SHIFT | VNC_MOD_ALTGR)))
			return km->v[i].key;
		if (!first)
			first = km->v[i].key;
	}
	return first;
}
