/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The standalone platform: the machine a trace, a qtest client or a fuzzer
 * drives when there is no hypervisor. Guest RAM is one in-process buffer
 * (flat_ram), the bus listener accepts every claim, the clock is virtual,
 * and interrupts are recorded and reported, not delivered:
 *
 *   - ISA IRQ levels as devices set them;
 *   - PCI INTx levels per (devfn, pin), combined per PIIX3 link
 *     ((slot + pin) & 3, as Xen and QEMU's PIIX3 compute it) and routed to
 *     an ISA IRQ by the link routes PIIX3 reports (PIRQRC[A-D]);
 *   - once a client asked "irq_intercept_in ioapic", every change of a
 *     line's level is reported as "IRQ raise N" / "IRQ lower N", as QEMU's
 *     qtest does (N = ISA IRQ, or the IRQ a PCI link is routed to).
 *
 * Lifecycle requests (reboot, poweroff, S3) are counted and logged; a
 * reboot resets the machine once the current command has finished.
 */
#ifndef DM_SIM_SIM_H
#define DM_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "dm/bus.h"
#include "dm/machine.h"
#include "dm/memory.h"

#define SIM_NR_IRQS 16

struct sim {
	struct machine m;
	struct flat_ram ram;
	struct bus_listener listener;

	/* Interrupt state. */
	bool isa_level[SIM_NR_IRQS];
	uint8_t intx[256];	    /* asserted pins per devfn, bit n = INTA + n */
	unsigned link_count[4];	    /* asserted (devfn, pin) pairs per link */
	uint8_t link_route[4];	    /* ISA IRQ, 0 = disabled */
	bool line[SIM_NR_IRQS];	    /* resulting level of each line */
	bool intercept;		    /* irq_intercept_in ioapic was asked */
	bool reported[SIM_NR_IRQS]; /* level last reported (QEMU's irq_levels) */

	/* Where "IRQ raise N" lines go (the trace executor's output). */
	void (*irq_out)(void *opaque, const char *line);
	void *irq_opaque;

	/* Counters for the summary. */
	uint64_t irq_raises, irq_lowers;
	uint64_t requests[3]; /* by enum plat_request */
	uint64_t claims;      /* ranges and PCI functions the bus claimed */
	bool reset_pending;
};

/*
 * Set up the platform (RAM of opts->ram_mb MiB, virtual clock, bus) and
 * build the machine of opts. 0, or -errno with a message logged.
 */
__attribute__((warn_unused_result)) int sim_init(struct sim *s, struct machine_opts *opts);
void sim_fini(struct sim *s);

/* Start reporting line changes (irq_intercept_in ioapic). */
void sim_irq_intercept(struct sim *s);
/* Run work a command left behind (a requested reset); call after each command. */
void sim_after_command(struct sim *s);

#endif
