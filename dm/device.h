/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device registry.
 *
 * A device type is a const description: name, kind, help, typed properties,
 * the size and version of its state, and its ops. Every type is listed in
 * one explicit table, dm/devices.c:dev_types[], so the order is deterministic,
 * one grep finds every device, and a fuzz target can link a subset.
 *
 * Instances come from "-device TYPE,prop=val,..." (or from the machine
 * builder, which uses the same parser). The core allocates the zeroed state,
 * parses and range-checks every property against the type's list (an
 * unknown type or property, or a bad value, is an error naming it), then
 * calls init. A device reads its properties with dev_prop_*().
 */
#ifndef DM_DEVICE_H
#define DM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct machine;
struct dm_dev;
struct snap_wr;
struct snap_rd;

enum dev_kind { DEV_KIND_SYS, DEV_KIND_PCI, DEV_KIND_ISA, DEV_KIND_USB };

enum prop_type {
	PROP_INT,     /* decimal or 0x hex, within [min, max] */
	PROP_BOOL,    /* on/off, true/false, yes/no, 1/0 */
	PROP_STR,     /* any text */
	PROP_MAC,     /* 52:54:00:12:34:56 */
	PROP_DRIVE,   /* id of a -drive */
	PROP_NETDEV,  /* id of a -netdev */
	PROP_CHARDEV, /* id of a -chardev */
	PROP_PCIADDR, /* slot[.fn], as QEMU's addr=: stored as devfn */
};

struct prop_desc {
	const char *name;
	enum prop_type type;
	const char *def;  /* default as it would be written on the command line; NULL: unset */
	int64_t min, max; /* PROP_INT only */
	const char *help;
};

union prop_value {
	int64_t i;
	bool b;
	const char *s; /* STR, DRIVE, NETDEV, CHARDEV: owned by the device */
	uint8_t mac[6];
};

enum reset_kind { RESET_POWER_ON, RESET_SYSTEM };

struct dev_type {
	const char *name;
	const char *alias; /* another name -device and -global take (QEMU's); may be NULL */
	enum dev_kind kind;
	const char *help;
	const struct prop_desc *props; /* terminated by an entry with name NULL; may be NULL */
	size_t state_size;
	uint32_t state_version;

	/* Add regions, attach PCI functions, open backends. 0 or -errno (message logged). */
	int (*init)(struct dm_dev *dev);
	/* Power-on or system reset; cannot fail. */
	void (*reset)(struct dm_dev *dev, enum reset_kind kind);
	/* Undo init; must tolerate a partial init. */
	void (*fini)(struct dm_dev *dev);
	/* Versioned, field-by-field device state (dm/state.h); NULL: nothing to save. */
	int (*save)(struct dm_dev *dev, struct snap_wr *w);
	int (*load)(struct dm_dev *dev, struct snap_rd *r, uint32_t version);
	/* After pause returns no backend completion touches the state until resume. */
	void (*pause)(struct dm_dev *dev);
	void (*resume)(struct dm_dev *dev);
	/*
	 * After every device's state is loaded and committed (dm_state_load):
	 * re-derive what lives outside the state from it (arm timers, drive IRQ
	 * lines, re-map BARs). load itself only decodes fields into dev->state,
	 * which is a scratch copy at that point. NULL: nothing to do.
	 */
	void (*post_load)(struct dm_dev *dev);
};

struct dm_dev {
	const struct dev_type *type;
	struct machine *m;
	char name[48];		 /* instance name for logs: "serial@3f8", "piix3-ide@01.1" */
	char id[32];		 /* id= given on the command line, or "" */
	void *state;		 /* type->state_size zeroed bytes */
	union prop_value *props; /* parallel to type->props */
	bool *prop_given;	 /* set on the command line (vs. default) */
	struct dm_dev *next;	 /* machine's list, creation order */
};

/* The table, in dm/devices.c; terminated by NULL. */
extern const struct dev_type *const dev_types[];

const struct dev_type *dev_type_find(const char *name);
/* The first device of type on m's list (creation order), or NULL (also for m NULL). */
struct dm_dev *dev_find_type(struct machine *m, const struct dev_type *type);

/*
 * Parse "TYPE,prop=val,..." into a new instance bound to m (not yet
 * initialised, not on m's list). 0, or -EINVAL with a message naming the
 * type, property or value in err.
 */
__attribute__((warn_unused_result)) int dev_parse(struct machine *m, const char *spec,
						  struct dm_dev **out, char *err, size_t errlen);
/* Set one property from text, as dev_parse does for each prop=val. */
__attribute__((warn_unused_result)) int dev_set_prop(struct dm_dev *dev, const char *name,
						     const char *val, char *err, size_t errlen);
/* Run init and append to m's device list; on failure the instance is freed. */
__attribute__((warn_unused_result)) int dev_realize(struct dm_dev *dev);
/* fini + free; the device must already be off m's list. */
void dev_free(struct dm_dev *dev);

/* The index of property name in type->props, or -1 when the type has none of that name. */
int dev_prop_index(const struct dev_type *type, const char *name);
int64_t dev_prop_int(const struct dm_dev *dev, const char *name);
bool dev_prop_bool(const struct dm_dev *dev, const char *name);
/* NULL when unset with no default. */
const char *dev_prop_str(const struct dm_dev *dev, const char *name);
const uint8_t *dev_prop_mac(const struct dm_dev *dev, const char *name);
bool dev_prop_given(const struct dm_dev *dev, const char *name);
/* Does type answer to name (its name or its alias)? */
bool dev_type_is(const struct dev_type *type, const char *name, size_t len);

/* -device help and -device TYPE,help. dev_print_props: -ENOENT for an unknown type. */
void dev_print_types(FILE *f);
int dev_print_props(FILE *f, const char *type);

#endif
