/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Direct Linux boot: a bzImage, an initrd and a command line turned into
 * what the linuxboot option ROM reads from fw_cfg, with the checks and the
 * memory layout of QEMU's x86_load_linux (hw/i386/x86.c, QEMU 7.2) and the
 * header fields of the x86 boot protocol (Documentation/x86/boot.rst).
 */
#ifndef HW_FW_CFG_LINUX_BOOT_H
#define HW_FW_CFG_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct linux_boot {
	uint8_t *setup; /* the real-mode part, header fields filled in as a boot loader does */
	uint32_t setup_size;
	uint8_t *kernel; /* the protected-mode part */
	uint32_t kernel_size;
	uint8_t *initrd; /* NULL: no -initrd */
	uint32_t initrd_size;
	char *cmdline; /* with its NUL */
	uint32_t cmdline_size;
	uint32_t real_addr, cmdline_addr, prot_addr, initrd_addr;
	uint16_t protocol;
};

/*
 * Load kernel (a bzImage), initrd (NULL: none) and cmdline (NULL: "") for a
 * guest with below_4g bytes of RAM under 4 GiB. 0, or -errno with a message
 * naming the file in err (then nothing is allocated).
 */
__attribute__((warn_unused_result)) int linux_boot_load(struct linux_boot *lb, const char *kernel,
							const char *initrd, const char *cmdline,
							uint64_t below_4g, char *err,
							size_t errlen);
void linux_boot_free(struct linux_boot *lb);

#endif
