/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Direct Linux boot as QEMU 7.2's x86_load_linux does it for a bzImage
 * (boot protocol 2.00 and later, Documentation/x86/boot.rst "The real-mode
 * kernel header"): the setup sectors with the loader fields filled in, the
 * protected-mode kernel, the initrd placed at the top of what the kernel
 * allows, and the command line.
 *
 * Left out on purpose: zImage (protocol < 2.00, or no "HdrS"), multiboot and
 * PVH kernels, which QEMU also takes; -dtb; and the setup_data RNG seed
 * (QEMU's xenfv-3.1 machine sets legacy_no_rng_seed, so qemu-xen adds none
 * there either).
 */
#include "dm/file_load.h"
#include "hw/fw_cfg/linux_boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offsets in the real-mode header (boot.rst, "The real-mode kernel header"). */
#define HDR_SETUP_SECTS	   0x1f1
#define HDR_VID_MODE	   0x1fa
#define HDR_MAGIC	   0x202 /* "HdrS" */
#define HDR_VERSION	   0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS	   0x211
#define HDR_RAMDISK_IMAGE  0x218
#define HDR_RAMDISK_SIZE   0x21c
#define HDR_HEAP_END_PTR   0x224
#define HDR_CMD_LINE_PTR   0x228
#define HDR_INITRD_MAX	   0x22c
#define HDR_XLOADFLAGS	   0x236
#define HDR_END		   0x238 /* the fields we read end here */

#define HDR_MAGIC_VAL		   0x53726448u /* "HdrS" */
#define LOADFLAGS_LOADED_HIGH	   0x01
#define LOADFLAGS_CAN_USE_HEAP	   0x80
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02
#define LOADER_QEMU		   0xb0 /* type_of_loader: QEMU, version 0 */

/* The old command-line protocol (< 2.02): magic and offset at 0x20 of the zero page. */
#define OLD_CL_MAGIC_OFF  0x20
#define OLD_CL_OFFSET_OFF 0x22
#define OLD_CL_MAGIC	  0xa33f

/* QEMU's PC keeps the ACPI tables here, below the top of low RAM (pcmc->acpi_data_size). */
#define ACPI_DATA_SIZE (0x20000 + 0x8000)

/* Files larger than this are refused: fw_cfg sizes are 32 bits. */
#define MAX_FILE_SIZE 0xfffff000u

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* The whole of path, as -OPT: 0 or -errno with err set. */
static int slurp(const char *opt, const char *path, uint8_t **out, uint32_t *len, char *err,
		 size_t errlen)
{
	int ret = file_load(path, MAX_FILE_SIZE, out, len);

	if (ret == -EINVAL || ret == -EFBIG)
		snprintf(err, errlen, "-%s %s: not a regular file of at most %u bytes", opt, path,
			 MAX_FILE_SIZE);
	else if (ret == -EIO)
		snprintf(err, errlen, "-%s %s: cannot read: file shrank while reading", opt, path);
	else if (ret)
		snprintf(err, errlen, "-%s %s: cannot read: %s", opt, path, strerror(-ret));
	return ret;
}

/* vga=normal|ext|ask|NUMBER into the header's vid_mode, as QEMU reads it. */
static int set_vga(uint8_t *hdr, const char *cmdline, char *err, size_t errlen)
{
	const char *v = strstr(cmdline, "vga=");
	unsigned long mode;
	char *end;

	if (!v)
		return 0;
	v += 4;
	if (!strncmp(v, "normal", 6)) {
		mode = 0xffff;
	} else if (!strncmp(v, "ext", 3)) {
		mode = 0xfffe;
	} else if (!strncmp(v, "ask", 3)) {
		mode = 0xfffd;
	} else {
		errno = 0;
		mode = strtoul(v, &end, 0);
		if (errno || end == v || (*end && *end != ' ') || mode > 0xffff) {
			snprintf(err, errlen, "-append: invalid 'vga=' kernel parameter");
			return -EINVAL;
		}
	}
	put16(hdr + HDR_VID_MODE, (uint16_t)mode);
	return 0;
}

/* The header checks: "HdrS", protocol 2.00 or later, setup sectors inside the file. */
static int check_header(const char *path, const uint8_t *f, uint32_t len, uint32_t *setup_size,
			char *err, size_t errlen)
{
	uint32_t sects;

	if (len < HDR_END || get32(f + HDR_MAGIC) != HDR_MAGIC_VAL) {
		snprintf(err, errlen, "-kernel %s: not a Linux bzImage (no \"HdrS\" boot header)",
			 path);
		return -EINVAL;
	}
	if (get16(f + HDR_VERSION) < 0x200) {
		snprintf(err, errlen, "-kernel %s: boot protocol %u.%02u is too old (2.00 needed)",
			 path, f[HDR_VERSION + 1], f[HDR_VERSION]);
		return -EINVAL;
	}
	sects = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS] : 4;
	*setup_size = (sects + 1) * 512;
	if (*setup_size > len) {
		snprintf(err, errlen,
			 "-kernel %s: truncated bzImage (%u setup bytes, the file has %u)", path,
			 *setup_size, len);
		return -EINVAL;
	}
	return 0;
}

/* Where the parts go (x86_load_linux): low kernels at 0x90000, the rest at 0x10000. */
static void place(struct linux_boot *lb, const uint8_t *hdr)
{
	uint32_t cl = (uint32_t)((strlen(lb->cmdline) + 16) & ~(size_t)15);

	if (!(hdr[HDR_LOADFLAGS] & LOADFLAGS_LOADED_HIGH)) {
		lb->real_addr = 0x90000;
		lb->cmdline_addr = 0x9a000 - cl;
		lb->prot_addr = 0x10000;
	} else if (lb->protocol < 0x202) {
		lb->real_addr = 0x90000;
		lb->cmdline_addr = 0x9a000 - cl;
		lb->prot_addr = 0x100000;
	} else {
		lb->real_addr = 0x10000;
		lb->cmdline_addr = 0x20000;
		lb->prot_addr = 0x100000;
	}
}

/* The highest byte the initrd may occupy (initrd_addr_max, capped below the ACPI data). */
static uint32_t initrd_max(const uint8_t *hdr, uint16_t protocol, uint64_t below_4g)
{
	uint64_t max;

	if (protocol >= 0x20c && (get16(hdr + HDR_XLOADFLAGS) & XLF_CAN_BE_LOADED_ABOVE_4G))
		max = UINT32_MAX;
	else if (protocol >= 0x203)
		max = get32(hdr + HDR_INITRD_MAX);
	else
		max = 0x37ffffff;
	if (below_4g > ACPI_DATA_SIZE && max >= below_4g - ACPI_DATA_SIZE)
		max = below_4g - ACPI_DATA_SIZE - 1;
	return (uint32_t)max;
}

static int load_initrd(struct linux_boot *lb, const char *path, uint8_t *hdr, uint64_t below_4g,
		       char *err, size_t errlen)
{
	uint32_t max = initrd_max(hdr, lb->protocol, below_4g);
	uint64_t size;
	int ret;

	/* Refused before it is read, then checked again on what was read. */
	if (!file_size(path, &size) && size >= max)
		lb->initrd_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	else if ((ret = slurp("initrd", path, &lb->initrd, &lb->initrd_size, err, errlen)))
		return ret;
	if (lb->initrd_size >= max) {
		snprintf(err, errlen,
			 "-initrd %s: too large: %u bytes, the kernel takes at most %u below %#x",
			 path, lb->initrd_size, max, max + 1);
		return -EFBIG;
	}
	lb->initrd_addr = (max - lb->initrd_size) & ~4095u;
	put32(hdr + HDR_RAMDISK_IMAGE, lb->initrd_addr);
	put32(hdr + HDR_RAMDISK_SIZE, lb->initrd_size);
	return 0;
}

/* The loader fields a boot loader fills in (boot.rst "Details of header fields"). */
static void fill_loader_fields(struct linux_boot *lb, uint8_t *hdr)
{
	if (lb->protocol >= 0x202) {
		put32(hdr + HDR_CMD_LINE_PTR, lb->cmdline_addr);
	} else {
		put16(hdr + OLD_CL_MAGIC_OFF, OLD_CL_MAGIC);
		put16(hdr + OLD_CL_OFFSET_OFF, (uint16_t)(lb->cmdline_addr - lb->real_addr));
	}
	hdr[HDR_TYPE_OF_LOADER] = LOADER_QEMU;
	if (lb->protocol >= 0x201) {
		hdr[HDR_LOADFLAGS] |= LOADFLAGS_CAN_USE_HEAP;
		put16(hdr + HDR_HEAP_END_PTR, (uint16_t)(lb->cmdline_addr - lb->real_addr - 0x200));
	}
}

static int split_kernel(struct linux_boot *lb, uint8_t *file, uint32_t len, uint32_t setup_size)
{
	lb->setup_size = setup_size;
	lb->kernel_size = len - setup_size;
	lb->setup = file;
	lb->kernel = malloc(lb->kernel_size ? lb->kernel_size : 1);
	if (!lb->kernel)
		return -ENOMEM;
	memcpy(lb->kernel, file + setup_size, lb->kernel_size);
	return 0;
}

int linux_boot_load(struct linux_boot *lb, const char *kernel, const char *initrd,
		    const char *cmdline, uint64_t below_4g, char *err, size_t errlen)
{
	uint8_t *file;
	uint32_t len, setup_size;
	int ret;

	memset(lb, 0, sizeof(*lb));
	ret = slurp("kernel", kernel, &file, &len, err, errlen);
	if (ret)
		return ret;
	ret = check_header(kernel, file, len, &setup_size, err, errlen);
	if (ret) {
		free(file);
		return ret;
	}
	lb->protocol = get16(file + HDR_VERSION);
	lb->cmdline = strdup(cmdline ? cmdline : "");
	ret = lb->cmdline ? split_kernel(lb, file, len, setup_size) : -ENOMEM;
	if (ret) {
		snprintf(err, errlen, "-kernel %s: out of memory", kernel);
		free(file);
		free(lb->cmdline);
		return ret;
	}
	lb->cmdline_size = (uint32_t)strlen(lb->cmdline) + 1;
	place(lb, lb->setup);
	fill_loader_fields(lb, lb->setup);
	ret = set_vga(lb->setup, lb->cmdline, err, errlen);
	if (!ret && initrd)
		ret = load_initrd(lb, initrd, lb->setup, below_4g, err, errlen);
	if (ret)
		linux_boot_free(lb);
	return ret;
}

void linux_boot_free(struct linux_boot *lb)
{
	free(lb->setup);
	free(lb->kernel);
	free(lb->initrd);
	free(lb->cmdline);
	memset(lb, 0, sizeof(*lb));
}
