/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readers for the ground truth the PCI tests compare against:
 *  - shared/docs/qemu-xen-golden (found next to the repository, or at
 *    $HVMDM_GOLDEN_DIR): lspci-style config dumps in pci-*.log, the -m of
 *    argv-*.txt, the PCI_CONFIG requests of ioreq-*.trace.gz;
 *  - tests/traces/qemu: QEMU qtest transcripts (trace + expected answers);
 *  - tests/golden/known-differences.txt: bytes allowed to differ, with why.
 * All paths are found at run time relative to the test binary's repository.
 */
#ifndef TESTS_GOLDEN_GOLDEN_H
#define TESTS_GOLDEN_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The repository root (holds dm/bus.h), or NULL. */
const char *golden_repo_root(void);
/* The qemu-xen-golden directory, or NULL when it is not there. */
const char *golden_dir(void);

/* "<dir>/<name>" into buf; returns buf. */
const char *golden_path(char *buf, size_t len, const char *dir, const char *name);

/*
 * The 256-byte config dump of bus 0 devfn in an lspci-style log
 * ("00:01.0 device" then 16 lines "xx: 16 hex bytes"). 0, -ENOENT (no such
 * section or file) or -EINVAL (malformed).
 */
int golden_pci_dump(const char *log_path, unsigned devfn, uint8_t out[256]);

/* The value of "-m N" in an argv-*.txt file, or -1. */
long golden_argv_ram_mb(const char *argv_path);

/*
 * Every PCI_CONFIG request in a qemu-xen trace (gzip'd QEMU trace log:
 * cpu_ioreq_config_read/write lines), in order. fn returns 0 to go on.
 * Returns the number of requests seen, or -errno.
 */
struct golden_cfg_op {
	bool write;
	uint32_t sbdf;
	unsigned reg, size;
	uint32_t data;
};
long golden_trace_cfg_ops(const char *trace_gz,
			  int (*fn)(void *opaque, const struct golden_cfg_op *op), void *opaque);

/*
 * Known differences: lines "SOURCE BB:DD.F REG[-REG] reason..." in
 * tests/golden/known-differences.txt. True when byte reg of devfn is
 * listed for source ("qemu-xen" for the golden dumps, "qemu-pc" for the
 * QEMU recording).
 */
bool golden_known_diff(const char *source, unsigned devfn, unsigned reg);

#endif

/*
 * Replay a QEMU qtest transcript's port commands (outb/outw/outl,
 * inb/inw/inl; '#' lines skipped) against bus and compare each answer
 * with the recorded one. Answers about a PCI function that is absent from
 * bus (as last selected through 0xcf8) are not compared (counted in
 * *skipped). Known differences (source "qemu-pc") are not compared either.
 * Mismatches are printed to stderr. Returns the number of mismatches, or
 * -errno when the files cannot be read; *checked counts compared answers.
 */
struct bus;
long golden_qtest_replay(const char *trace, const char *expected, struct bus *bus,
			 unsigned *checked, unsigned *skipped);
