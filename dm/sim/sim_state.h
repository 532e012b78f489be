/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The standalone platform's own section of the device state stream
 * (issue 16 "Standalone"): guest RAM, the virtual clock and the recorded
 * interrupt lines, so that a trace cut anywhere, saved and restored into a
 * fresh process continues with the same answers and IRQ reports. Only the
 * standalone platform writes it: under Xen the hypervisor keeps RAM and time.
 *
 * It travels as the section of a pseudo-device "sim-platform" put first on
 * the machine's list, so dm_state_save/dm_state_load (two-phase, every
 * field checked) handle it like any device's.
 */
#ifndef DM_SIM_SIM_STATE_H
#define DM_SIM_SIM_STATE_H

#include <stddef.h>
#include <stdint.h>

struct sim;

/* Put the pseudo-device on s's machine (after sim_init). 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int sim_state_attach(struct sim *s);
/*
 * The virtual clock a stream was saved at, read before the load: the
 * restoring process sets its clock first so that timers the load re-arms
 * are relative to the saved time. 0, or -EINVAL (message logged).
 */
__attribute__((warn_unused_result)) int sim_state_peek_clock(const uint8_t *buf, size_t len,
							     uint64_t *ns);

#endif
