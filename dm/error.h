/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The error a command returns to its caller: a class (QMP's error classes:
 * GenericError, DeviceNotFound, ...) and a message. QMP commands fill it and
 * so do the device calls behind them (ide_eject, ...), so a device's error
 * reaches the QMP client without a conversion.
 */
#ifndef DM_ERROR_H
#define DM_ERROR_H

struct dm_error {
	const char *cls;
	char desc[256];
};

/* Fill e (cls must be a string literal or outlive e) and return -1. */
int dm_fail(struct dm_error *e, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
