/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's option syntax, as libxl writes it: "first,key=val,key=val,flag".
 * A comma inside a value is written ",,". The first element may be a bare
 * word (a -device type, a -chardev backend) or itself key=val; a bare word
 * after the first is a boolean flag ("server" means server=on).
 *
 * One parser for -device, -drive, -chardev, -netdev, -mon, -machine, -vnc,
 * -boot and friends, so that every option is split the same way.
 */
#ifndef DM_QEMUOPTS_H
#define DM_QEMUOPTS_H

#include <stdbool.h>
#include <stddef.h>

struct qopt {
	char *key; /* never NULL */
	char *val; /* NULL for a bare word */
};

struct qopts {
	struct qopt *v;
	size_t n;
};

/* 0, -EINVAL (empty key, "=val"), or -ENOMEM. */
__attribute__((warn_unused_result)) int qopts_parse(const char *s, struct qopts *out);
void qopts_free(struct qopts *o);
/* The value of key (last one wins), NULL if absent; a bare flag "key" gives "on". */
const char *qopts_get(const struct qopts *o, const char *key);
bool qopts_has(const struct qopts *o, const char *key);
/*
 * on/yes/true/1 -> 1, off/no/false/0 -> 0, else -EINVAL. Absent -> def.
 */
int qopts_get_bool(const struct qopts *o, const char *key, bool def);
/*
 * Check that every key is one of allowed[] (NULL-terminated); the first
 * that is not is returned (so the caller can name it), or NULL.
 * Element 0 is skipped when skip_first (a bare type/backend word).
 */
const char *qopts_unknown_key(const struct qopts *o, const char *const *allowed, bool skip_first);

/* Parse a size with optional suffix k/K, M, G, T (binary), or "B". */
__attribute__((warn_unused_result)) int qopts_parse_size(const char *s, unsigned long long *out);
/* Parse a C literal integer (decimal, 0x hex); whole string must be used. */
__attribute__((warn_unused_result)) int qopts_parse_u64(const char *s, unsigned long long *out);

#endif
