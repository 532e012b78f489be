/* SPDX-License-Identifier: GPL-2.0-only */
/* xensim internals shared by its files (not for tests). */
#ifndef TESTS_XENSIM_XENSIM_INT_H
#define TESTS_XENSIM_XENSIM_INT_H

#define __XEN_TOOLS__ 1

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xentoolcore.h>
#include <xenctrl.h>
#include <xen/hvm/ioreq.h>

#include "tests/xensim/xensim.h"

#define XS_PAGE		  4096ull
#define XS_MAX_VCPUS	  128u
#define XS_NPORTS	  1024u
#define XS_FIRST_LOCAL	  200u
#define XS_REMOTE_BUF	  16u
#define XS_REMOTE_VCPU(v) (32u + (v))
#define XS_IOSERVID	  3u
/* The gfns the pre-4.11 interface reports for the two pages. */
#define XS_GFN_IOREQ	0xfeff0ull
#define XS_GFN_BUFIOREQ 0xfeff1ull
#define XS_RING		256u
#define XS_MAX_RANGES	512u

struct xenevtchn_handle {
	int efd;
	uint32_t ring[XS_RING];
	unsigned head, tail; /* ring of raised local ports */
};

struct xenforeignmemory_resource_handle {
	void *addr;
	size_t pages;
};

struct xs_range {
	bool mmio;
	uint64_t first, last;
};

struct xs_lport {
	bool bound;
	uint32_t remote;
	struct xenevtchn_handle *h;
	bool pending, masked;
};

struct xs_vcpu {
	pthread_t th;
	bool started, done;
	struct xensim_req *script;
	size_t n;
	uint64_t notified; /* the device model notified this vCPU's port */
};

struct xs_map {
	void *addr;
	size_t pages;
};

struct xensim {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool up;
	struct xensim_cfg cfg;
	int memfd;
	uint64_t memfd_size;
	uint8_t *view; /* the hypervisor's view of the memfd */
	uint64_t ioreq_off;
	buffered_iopage_t *buf;
	shared_iopage_t *shared;

	bool server, enabled;
	int bufioreq_mode;
	struct xs_range ranges[XS_MAX_RANGES];
	unsigned nranges;
	uint8_t pcidev[32];
	uint16_t isa;

	struct xs_lport lport[XS_NPORTS];
	struct xs_vcpu vcpu[XS_MAX_VCPUS];

	struct xs_map *maps;
	unsigned nmaps, capmaps;
	unsigned handles;
	bool restricted;

	char **log;
	size_t nlog, caplog;
	unsigned errors;

	char *xs_keys[64], *xs_vals[64];

	char fail_call[40];
	int fail_err;
};

extern struct xensim xs_sim;

/* Under xs_sim.lock. */
void xs_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xs_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Should the call named fail now? Sets errno. */
bool xs_should_fail(const char *call);
/* Raise remote port's event towards the device model. Under the lock. */
void xs_deliver(uint32_t remote);
/* Guest frame to memfd offset, or -1. */
int64_t xs_gfn_offset(uint64_t gfn);

#endif
