// SPDX-License-Identifier: GPL-2.0-only
/* Readers for the PCI ground truth; see golden.h. Test code: hostile input is not a concern. */
#include "golden.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root_buf[PATH_MAX];
static char dir_buf[PATH_MAX];

static bool file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, R_OK) == 0;
}

const char *golden_repo_root(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (root_buf[0])
		return root_buf;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	while ((slash = strrchr(exe, '/')) != NULL) {
		*slash = '\0';
		if (exe[0] && file_exists(exe, "dm/bus.h")) {
			snprintf(root_buf, sizeof(root_buf), "%s", exe);
			return root_buf;
		}
	}
	if (file_exists(".", "dm/bus.h") && getcwd(root_buf, sizeof(root_buf)))
		return root_buf;
	return NULL;
}

const char *golden_dir(void)
{
	const char *env = getenv("HVMDM_GOLDEN_DIR");
	const char *root;

	if (dir_buf[0])
		return dir_buf;
	if (env && file_exists(env, "README.md")) {
		snprintf(dir_buf, sizeof(dir_buf), "%s", env);
		return dir_buf;
	}
	root = golden_repo_root();
	if (!root)
		return NULL;
	snprintf(dir_buf, sizeof(dir_buf), "%s/../shared/docs/qemu-xen-golden", root);
	if (!file_exists(dir_buf, "README.md")) {
		dir_buf[0] = '\0';
		return NULL;
	}
	return dir_buf;
}

const char *golden_path(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

int golden_pci_dump(const char *log_path, unsigned devfn, uint8_t out[256])
{
	char want[32], line[512];
	FILE *f = fopen(log_path, "r");
	unsigned row = 0;
	bool in = false;

	if (!f)
		return -ENOENT;
	snprintf(want, sizeof(want), "00:%02x.%x device", (devfn >> 3) & 0x1f, devfn & 7);
	while (row < 16 && fgets(line, sizeof(line), f)) {
		unsigned off, b[16];

		if (!in) {
			in = strncmp(line, want, strlen(want)) == 0;
			continue;
		}
		if (sscanf(line, "%x: %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x", &off, &b[0],
			   &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8], &b[9], &b[10],
			   &b[11], &b[12], &b[13], &b[14], &b[15]) != 17 ||
		    off != row * 16) {
			fclose(f);
			return -EINVAL;
		}
		for (unsigned i = 0; i < 16; i++)
			out[row * 16 + i] = (uint8_t)b[i];
		row++;
	}
	fclose(f);
	return row == 16 ? 0 : (in ? -EINVAL : -ENOENT);
}

long golden_argv_ram_mb(const char *argv_path)
{
	char line[4096];
	FILE *f = fopen(argv_path, "r");
	bool next = false;
	long mb = -1;

	if (!f)
		return -1;
	/* One argument per line, or all on one line: scan words. */
	while (mb < 0 && fgets(line, sizeof(line), f)) {
		for (char *w = strtok(line, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
			if (next) {
				mb = strtol(w, NULL, 10);
				break;
			}
			next = strcmp(w, "-m") == 0;
		}
	}
	fclose(f);
	return mb;
}

static bool parse_field(const char *line, const char *key, unsigned long *v)
{
	const char *p = strstr(line, key);

	if (!p)
		return false;
	*v = strtoul(p + strlen(key), NULL, 0);
	return true;
}

long golden_trace_cfg_ops(const char *trace_gz,
			  int (*fn)(void *opaque, const struct golden_cfg_op *op), void *opaque)
{
	char cmd[PATH_MAX + 32], line[512];
	FILE *p;
	long n = 0;

	if (access(trace_gz, R_OK))
		return -ENOENT;
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", trace_gz);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (fgets(line, sizeof(line), p)) {
		struct golden_cfg_op op = { 0 };
		unsigned long sbdf, reg, size, data;

		if (!strncmp(line, "cpu_ioreq_config_read", 21))
			op.write = false;
		else if (!strncmp(line, "cpu_ioreq_config_write", 22))
			op.write = true;
		else
			continue;
		if (!parse_field(line, "sbdf=", &sbdf) || !parse_field(line, "reg=", &reg) ||
		    !parse_field(line, "size=", &size) || !parse_field(line, "data=", &data))
			continue;
		op.sbdf = (uint32_t)sbdf;
		op.reg = (unsigned)reg;
		op.size = (unsigned)size;
		op.data = (uint32_t)data;
		n++;
		if (fn(opaque, &op))
			break;
	}
	pclose(p);
	return n;
}

bool golden_known_diff(const char *source, unsigned devfn, unsigned reg)
{
	char path[PATH_MAX + 64], line[512];
	const char *root = golden_repo_root();
	bool hit = false;
	FILE *f;

	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/tests/golden/known-differences.txt", root);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f)) {
		char src[32];
		unsigned b, d, fn, lo, hi;
		int n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = sscanf(line, "%31s %x:%x.%x %x-%x", src, &b, &d, &fn, &lo, &hi);
		if (n < 5)
			continue;
		if (n == 5)
			hi = lo;
		hit = !strcmp(src, source) && b == 0 && ((d << 3) | fn) == devfn && reg >= lo &&
		      reg <= hi;
	}
	fclose(f);
	return hit;
}

/* ---------------------------------------------------------------- qtest replay */
#include "dm/bus.h"

static bool next_cmd(FILE *f, char *buf, size_t len)
{
	while (fgets(buf, (int)len, f)) {
		if (buf[0] != '#' && buf[0] != '\n')
			return true;
	}
	return false;
}

long golden_qtest_replay(const char *trace, const char *expected, struct bus *bus,
			 unsigned *checked, unsigned *skipped)
{
	FILE *t = fopen(trace, "r"), *e = fopen(expected, "r");
	char cmd[256], want[256], got[64], op[16];
	uint32_t cf8 = 0;
	long bad = 0;

	*checked = *skipped = 0;
	if (!t || !e) {
		if (t)
			fclose(t);
		if (e)
			fclose(e);
		return -ENOENT;
	}
	while (next_cmd(t, cmd, sizeof(cmd))) {
		unsigned long port = 0, val = 0;
		unsigned size;
		unsigned devfn = (cf8 >> 8) & 0xff;
		bool on_cfg_data, absent, known;
		int n;

		if (!fgets(want, sizeof(want), e)) {
			bad++;
			break;
		}
		want[strcspn(want, "\n")] = '\0';
		n = sscanf(cmd, "%15s %lx %lx", op, &port, &val);
		if (n < 2 || (strncmp(op, "in", 2) && strncmp(op, "out", 3)))
			continue;
		size = op[strlen(op) - 1] == 'b' ? 1 : op[strlen(op) - 1] == 'w' ? 2 : 4;
		if (op[0] == 'o') {
			bus_write(bus, BUS_PIO, port, val, size);
			if (port == 0xcf8 && size == 4)
				cf8 = (uint32_t)val;
			snprintf(got, sizeof(got), "OK");
		} else {
			snprintf(got, sizeof(got), "OK 0x%04x",
				 (unsigned)bus_read(bus, BUS_PIO, port, size));
		}
		on_cfg_data = port >= 0xcfc && port <= 0xcff && (cf8 & 0x80000000u);
		absent = on_cfg_data && ((cf8 >> 16) & 0xff) == 0 && !bus_pci_present(bus, devfn);
		known = false;
		for (unsigned i = 0; on_cfg_data && i < size; i++)
			known |= golden_known_diff("qemu-pc", devfn, (cf8 & 0xfc) + (port & 3) + i);
		if (strcmp(got, want) && (absent || known)) {
			(*skipped)++;
			continue;
		}
		(*checked)++;
		if (strcmp(got, want)) {
			fprintf(stderr,
				"qtest replay: '%s' answered '%s', QEMU '%s' (cf8 0x%08x)\n",
				strtok(cmd, "\n"), got, want, cf8);
			bad++;
		}
	}
	fclose(t);
	fclose(e);
	return bad;
}
