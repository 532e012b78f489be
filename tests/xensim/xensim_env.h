/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A machine for dm/xen tests and benchmarks: a bus, a virtual-clock loop,
 * the Xen platform brought up against xensim, and a handful of test
 * devices whose accesses are logged so tests can check what reached them.
 *
 *   port 0x510-0x513  "reg": reads 0x12345678 (bytes by offset), writes logged
 *   port 0x1f0-0x1f1  "fifo": 16-bit reads count up from 0, writes logged
 *   MMIO 0xfebf0000   "ram": 4 KiB of device memory, any size 1-8
 *   MMIO 0xa0000      "vga": 128 KiB window, every write logged in order
 *   PCI 00:03.0       "cfg": reads (devfn << 16 | reg), writes logged
 *   port 0x520        "ctl": writing 1/2/3 asks for power-off/reboot/S3
 */
#ifndef TESTS_XENSIM_XENSIM_ENV_H
#define TESTS_XENSIM_XENSIM_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "dm/bus.h"
#include "dm/machine.h"
#include "dm/xen/xen.h"
#include "tests/xensim/xensim.h"

#define ENV_DOMID     7
#define ENV_REG_PORT  0x510
#define ENV_FIFO_PORT 0x1f0
#define ENV_MMIO_BASE 0xfebf0000ull
#define ENV_VGA_BASE  0xa0000ull
#define ENV_PCI_DEVFN 0x18u
#define ENV_CTL_PORT  0x520
#define ENV_LOG_MAX   65536u

struct env_access {
	uint8_t space; /* 'p' port, 'm' MMIO, 'c' PCI config */
	uint8_t size;
	uint32_t devfn;
	uint64_t addr;
	uint64_t val;
};

struct env {
	struct machine m;
	struct machine_opts mo;
	struct xen_opts xo;
	struct region reg, fifo, mmio, vga, ctl;
	uint8_t mmio_mem[4096];
	uint16_t fifo_next;
	unsigned resets;
	struct env_access *log; /* writes that reached the devices */
	unsigned nlog;
};

/* xensim up, platform up, devices added, platform started. 0 or -errno. */
int env_setup(struct env *e, const struct xensim_cfg *cfg, const struct xen_opts *xo);
/* Everything torn down; 0, or -1 (and a message) if a mapping or handle was left open. */
int env_teardown(struct env *e);
/* Run the loop until every vCPU thread has finished its script. */
void env_run_vcpus(struct env *e);
/* A script entry. */
struct xensim_req env_req(uint8_t type, uint8_t dir, uint64_t addr, uint32_t size, uint64_t data);

#endif
