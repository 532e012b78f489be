/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 16550A UART ("serial" device type) and how -serial options become
 * serial ports.
 */
#ifndef HW_ISA_SERIAL_H
#define HW_ISA_SERIAL_H

struct machine;

/*
 * Create one serial port per -serial option of m->opts, as QEMU's PC board
 * does: the Nth option that is not "none" becomes COM(N+1) (index=N, its
 * port and IRQ), connected to the implicit chardev "serialN" (or to ID for
 * chardev:ID). The -chardev options must be recorded first
 * (chardev_add_opts), so that chardev:ID finds them. 0, or -errno with a
 * message naming the option logged.
 */
__attribute__((warn_unused_result)) int serial_from_opts(struct machine *m);

#endif
