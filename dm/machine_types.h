/* SPDX-License-Identifier: GPL-2.0-only */
/* The machine types -machine takes (dm/machine_types.c). */
#ifndef DM_MACHINE_TYPES_H
#define DM_MACHINE_TYPES_H

#include <stddef.h>

#include "dm/machine.h"

/* -smp and QMP query-machines' cpu-max: Xen's HVM_MAX_VCPUS. */
#define HVM_MAX_VCPUS 128u

/*
 * The i-th machine type ("xenfv", "pc", "none"), its description in *help;
 * NULL past the end. The versioned spellings (xenfv-X, pc-i440fx-X) are
 * accepted by machine_type_find as these and not listed.
 */
const char *machine_type_name(size_t i, const char **help);
/* The kind of machine type (a name or a versioned spelling); 0 or -ENOENT. */
int machine_type_find(const char *type, enum machine_kind *kind);

#endif
