/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synthetic bzImages and other files for the direct-boot tests, written to
 * temporary files (no kernel binary lives in the repo). The header fields
 * are those of Documentation/x86/boot.rst, "The real-mode kernel header".
 * Header-only; include after <cmocka.h>.
 */
#ifndef TESTS_UNIT_BZIMAGE_H
#define TESTS_UNIT_BZIMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bz_spec {
	uint8_t setup_sects;  /* 0 means 4, as the protocol says */
	uint16_t version;     /* 0x20f for a modern kernel */
	uint8_t loadflags;    /* 0x01: LOADED_HIGH */
	uint32_t initrd_max;  /* initrd_addr_max */
	uint16_t xloadflags;  /* 0x236 */
	uint32_t kernel_size; /* protected-mode bytes after the setup */
	uint32_t truncate;    /* nonzero: write only this many bytes */
};

/* The byte of the image at i (a pattern that differs per position). */
static inline uint8_t bz_pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 8) + 1);
}

/* Write bytes to a new temporary file; its path into path (>= 32 bytes). */
static inline void tmp_write(char *path, const void *buf, size_t len)
{
	int fd;

	strcpy(path, "/tmp/hvmdm-fwcfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static inline size_t bz_setup_size(const struct bz_spec *s)
{
	return ((size_t)(s->setup_sects ? s->setup_sects : 4) + 1) * 512;
}

/* A bzImage as spec says, in a temporary file; its size returned. */
static inline size_t bz_write(char *path, const struct bz_spec *s)
{
	size_t setup = bz_setup_size(s), len = setup + s->kernel_size;
	uint8_t *b = malloc(len);

	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = bz_pattern((uint32_t)i);
	b[0] = 'M';
	b[1] = 'Z';
	b[0x1f1] = s->setup_sects;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = (uint8_t)s->version;
	b[0x207] = (uint8_t)(s->version >> 8);
	b[0x210] = 0;
	b[0x211] = s->loadflags;
	for (int i = 0; i < 4; i++)
		b[0x22c + i] = (uint8_t)(s->initrd_max >> (8 * i));
	b[0x236] = (uint8_t)s->xloadflags;
	b[0x237] = (uint8_t)(s->xloadflags >> 8);
	tmp_write(path, b, s->truncate ? s->truncate : len);
	free(b);
	return len;
}

/* A modern kernel: protocol 2.15, loaded high, initrd below 2 GiB, 2 setup sectors. */
static inline struct bz_spec bz_modern(uint32_t kernel_size)
{
	struct bz_spec s = { .setup_sects = 2,
			     .version = 0x20f,
			     .loadflags = 0x01,
			     .initrd_max = 0x7fffffff,
			     .kernel_size = kernel_size };
	return s;
}

/* len bytes of pattern in a temporary file. */
static inline void blob_write(char *path, size_t len, uint8_t seed)
{
	uint8_t *b = malloc(len ? len : 1);

	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(bz_pattern((uint32_t)i) ^ seed);
	tmp_write(path, b, len);
	free(b);
}

#endif
