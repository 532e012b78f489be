// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 8042 keyboard controller ("i8042": port 0x60 data, 0x64 status and
 * command; IRQ 1 keyboard, IRQ 12 auxiliary device) with a PS/2 keyboard
 * and mouse behind it (ps2.c).
 *
 * Followed: IBM PS/2 Hardware Interface Technical Reference, "Keyboard/
 * Auxiliary Device Controller": status register (OBF, IBF, system flag,
 * command/data, inhibit, auxiliary OBF, timeouts, parity), the command byte
 * (0x20/0x60: interrupt enables, system flag, disable keyboard/auxiliary
 * clocks, translation), and the commands 0xa7-0xae, 0xc0, 0xd0-0xd4,
 * 0xf0-0xff. The answers are QEMU's (hw/input/pckbd.c), which a guest moving
 * from qemu-xen sees, and which the golden qemu-xen ioreq trace confirms
 * (status 0x18 after reset, 0x1d with a byte ready, 0x3d with a mouse byte):
 *  - the status "command/data" bit stays 1 and "unlocked" stays 1; the
 *    system flag (bit 2) is set by the self test 0xaa only; IBF, the
 *    timeouts and parity are never set (every write completes at once);
 *  - a read of 0x60 with nothing ready returns the last byte read again;
 *  - keyboard IRQ 1 is not raised while the keyboard interface is disabled
 *    (command byte bit 4);
 *  - "extended state" (QEMU property, off on qemu-xen's xenfv machine, on
 *    for pc): controller answers use their own one-byte buffer ahead of
 *    device data, and device data waits while its interface is disabled.
 *    Off, controller answers go into the device queues as in QEMU < 6.1;
 *  - only 0x20 and 0x60 reach the command byte (not the rest of the 8042's
 *    RAM at 0x21-0x3f/0x61-0x7f); 0xa1 (version), 0xa4-0xa6 (password) and
 *    0xe0 (test inputs) are not answered; 0xdd/0xdf switch A20 (HP Vectra).
 * Output port: bit 0 (reset) written 0, or a pulse of it (0xf0-0xfe with
 * bit 0 clear), asks the platform to reboot; bit 1 is A20, which Xen HVM
 * guests do not have switched by the device model, so it is only stored.
 * Left out: the keyboard throttle timer (QEMU's kbd-throttle, off by default).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/input.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/isa/ps2.h"

#define I8042_DATA 0x60
#define I8042_CMD  0x64

/* Controller commands. */
#define CCMD_READ_MODE	    0x20
#define CCMD_WRITE_MODE	    0x60
#define CCMD_MOUSE_DISABLE  0xa7
#define CCMD_MOUSE_ENABLE   0xa8
#define CCMD_TEST_MOUSE	    0xa9
#define CCMD_SELF_TEST	    0xaa
#define CCMD_KBD_TEST	    0xab
#define CCMD_KBD_DISABLE    0xad
#define CCMD_KBD_ENABLE	    0xae
#define CCMD_READ_INPORT    0xc0
#define CCMD_READ_OUTPORT   0xd0
#define CCMD_WRITE_OUTPORT  0xd1
#define CCMD_WRITE_OBUF	    0xd2
#define CCMD_WRITE_AUX_OBUF 0xd3
#define CCMD_WRITE_MOUSE    0xd4
#define CCMD_DISABLE_A20    0xdd
#define CCMD_ENABLE_A20	    0xdf
#define CCMD_PULSE	    0xf0 /* 0xf0-0xff: pulse output port bits 3-0 that are 0 */

/* Status register. */
#define STAT_OBF       0x01
#define STAT_IBF       0x02
#define STAT_SELFTEST  0x04 /* system flag */
#define STAT_CMD       0x08 /* last write was to 0x64 */
#define STAT_UNLOCKED  0x10 /* keyboard not inhibited */
#define STAT_MOUSE_OBF 0x20
#define STAT_GTO       0x40
#define STAT_PERR      0x80

/* Command byte ("mode"). */
#define MODE_KBD_INT	   0x01
#define MODE_MOUSE_INT	   0x02
#define MODE_SYS	   0x04
#define MODE_NO_KEYLOCK	   0x08
#define MODE_DISABLE_KBD   0x10
#define MODE_DISABLE_MOUSE 0x20
#define MODE_KCC	   0x40 /* translate set 2 to set 1 */

/* Output port. */
#define OUT_RESET     0x01 /* 0 = CPU reset */
#define OUT_A20	      0x02
#define OUT_OBF	      0x10
#define OUT_MOUSE_OBF 0x20
#define OUT_ONES      0xcc /* QEMU's reset value keeps these set */

#define SELF_TEST_OK 0x55
#define INPORT_VALUE 0x80 /* keyboard not inhibited */

/* Who has data: controller answers, then device data (QEMU's pending bits). */
#define PENDING_CTRL_KBD 0x04
#define PENDING_CTRL_AUX 0x08
#define PENDING_KBD	 MODE_DISABLE_KBD   /* 0x10: masked by that mode bit */
#define PENDING_AUX	 MODE_DISABLE_MOUSE /* 0x20 */

#define OBSRC_KBD   0x01
#define OBSRC_MOUSE 0x02
#define OBSRC_CTRL  0x04

enum { LINE_KBD, LINE_MOUSE };

struct i8042 {
	struct dm_dev *dev;
	struct region data_io, cmd_io;
	uint8_t write_cmd; /* controller command waiting for its byte at 0x60, or 0 */
	uint8_t status;
	uint8_t mode;
	uint8_t outport;
	uint8_t pending;
	uint8_t obsrc;	/* source of the byte in the output buffer */
	uint8_t obdata; /* the last byte read from 0x60 */
	uint8_t cbdata; /* controller answer waiting (extended state) */
	bool extended_state;
	unsigned irq_no[2];
	bool irq_level[2];
	int input_kbd, input_mouse;
	struct ps2_kbd kbd;
	struct ps2_mouse mouse;
};

const struct dev_type i8042_type;

/* ---------------------------------------------------------------- output buffer and irqs */

static void set_line(struct i8042 *s, int line, bool level)
{
	if (s->irq_level[line] == level)
		return;
	s->irq_level[line] = level;
	dm_isa_irq(s->dev->m, s->irq_no[line], level);
}

/* Levels follow OBF and the command byte's enables, as in QEMU. */
static bool line_wanted(const struct i8042 *s, int line)
{
	if (!(s->status & STAT_OBF))
		return false;
	if (s->status & STAT_MOUSE_OBF)
		return line == LINE_MOUSE && (s->mode & MODE_MOUSE_INT);
	return line == LINE_KBD && (s->mode & MODE_KBD_INT) && !(s->mode & MODE_DISABLE_KBD);
}

static void update_irq_lines(struct i8042 *s)
{
	set_line(s, LINE_KBD, line_wanted(s, LINE_KBD));
	set_line(s, LINE_MOUSE, line_wanted(s, LINE_MOUSE));
}

static void deassert_irq(struct i8042 *s)
{
	s->status &= ~(STAT_OBF | STAT_MOUSE_OBF);
	s->outport &= ~(OUT_OBF | OUT_MOUSE_OBF);
	update_irq_lines(s);
}

static uint8_t pending(const struct i8042 *s)
{
	if (s->extended_state)
		return s->pending & (~s->mode | ~(PENDING_KBD | PENDING_AUX));
	return s->pending;
}

/* Fill the output buffer from the highest-priority source with data. */
static void update_irq(struct i8042 *s)
{
	uint8_t p = pending(s);

	s->status &= ~(STAT_OBF | STAT_MOUSE_OBF);
	s->outport &= ~(OUT_OBF | OUT_MOUSE_OBF);
	if (p) {
		s->status |= STAT_OBF;
		s->outport |= OUT_OBF;
		if (p & PENDING_CTRL_KBD) {
			s->obsrc = OBSRC_CTRL;
		} else if (p & PENDING_CTRL_AUX) {
			s->status |= STAT_MOUSE_OBF;
			s->outport |= OUT_MOUSE_OBF;
			s->obsrc = OBSRC_CTRL;
		} else if (p & PENDING_KBD) {
			s->obsrc = OBSRC_KBD;
		} else {
			s->status |= STAT_MOUSE_OBF;
			s->outport |= OUT_MOUSE_OBF;
			s->obsrc = OBSRC_MOUSE;
		}
	}
	update_irq_lines(s);
}

/* Only an empty output buffer takes new data; a read of 0x60 refills it. */
static void safe_update_irq(struct i8042 *s)
{
	if (s->status & STAT_OBF)
		return;
	if (pending(s))
		update_irq(s);
}

static void kbd_line(void *opaque, bool level)
{
	struct i8042 *s = opaque;

	if (level)
		s->pending |= PENDING_KBD;
	else
		s->pending &= ~PENDING_KBD;
	safe_update_irq(s);
}

static void mouse_line(void *opaque, bool level)
{
	struct i8042 *s = opaque;

	if (level)
		s->pending |= PENDING_AUX;
	else
		s->pending &= ~PENDING_AUX;
	safe_update_irq(s);
}

/* A controller answer, as if from the keyboard (aux false) or the mouse. */
static void ctrl_queue(struct i8042 *s, uint8_t b, bool aux)
{
	if (!s->extended_state) {
		ps2_queue(aux ? &s->mouse.p : &s->kbd.p, b);
		return;
	}
	s->cbdata = b;
	s->pending &= ~(PENDING_CTRL_KBD | PENDING_CTRL_AUX);
	s->pending |= aux ? PENDING_CTRL_AUX : PENDING_CTRL_KBD;
	safe_update_irq(s);
}

static uint8_t ctrl_dequeue(struct i8042 *s)
{
	s->pending &= ~(PENDING_CTRL_KBD | PENDING_CTRL_AUX);
	if (pending(s))
		update_irq(s);
	return s->cbdata;
}

/* ---------------------------------------------------------------- output port */

static void outport_write(struct i8042 *s, uint8_t val)
{
	s->outport = val;
	if (!(val & OUT_RESET)) {
		dm_info(s->dev->name, "output port reset line low: reboot");
		plat_request(&s->dev->m->plat, PLAT_REQ_REBOOT);
	}
}

/* ---------------------------------------------------------------- commands (0x64) */

typedef void (*ccmd_fn)(struct i8042 *s, uint8_t cmd);

static void ccmd_read_mode(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	ctrl_queue(s, s->mode, false);
}

static void ccmd_takes_data(struct i8042 *s, uint8_t cmd)
{
	s->write_cmd = cmd;
}

static void ccmd_mouse_disable(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	s->mode |= MODE_DISABLE_MOUSE;
}

static void ccmd_mouse_enable(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	s->mode &= ~MODE_DISABLE_MOUSE;
	safe_update_irq(s);
}

/* Interface tests 0xa9/0xab: 0x00 = no error. */
static void ccmd_iface_test(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	ctrl_queue(s, 0x00, false);
}

static void ccmd_self_test(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	s->status |= STAT_SELFTEST;
	ctrl_queue(s, SELF_TEST_OK, false);
}

static void ccmd_kbd_disable(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	s->mode |= MODE_DISABLE_KBD;
}

static void ccmd_kbd_enable(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	s->mode &= ~MODE_DISABLE_KBD;
	safe_update_irq(s);
}

static void ccmd_read_inport(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	ctrl_queue(s, INPORT_VALUE, false);
}

static void ccmd_read_outport(struct i8042 *s, uint8_t cmd)
{
	(void)cmd;
	ctrl_queue(s, s->outport, false);
}

static void ccmd_a20(struct i8042 *s, uint8_t cmd)
{
	if (cmd == CCMD_ENABLE_A20)
		s->outport |= OUT_A20;
	else
		s->outport &= ~OUT_A20;
}

/* 0xf0-0xff: bits 3-0 = 0 are pulsed; only bit 0 (CPU reset) does anything. */
static void ccmd_pulse(struct i8042 *s, uint8_t cmd)
{
	if (cmd & OUT_RESET)
		return;
	dm_info(s->dev->name, "reset pulse (command 0x%02x): reboot", cmd);
	plat_request(&s->dev->m->plat, PLAT_REQ_REBOOT);
}

static const ccmd_fn ccmds[256] = {
	[CCMD_READ_MODE] = ccmd_read_mode,
	[CCMD_WRITE_MODE] = ccmd_takes_data,
	[CCMD_MOUSE_DISABLE] = ccmd_mouse_disable,
	[CCMD_MOUSE_ENABLE] = ccmd_mouse_enable,
	[CCMD_TEST_MOUSE] = ccmd_iface_test,
	[CCMD_SELF_TEST] = ccmd_self_test,
	[CCMD_KBD_TEST] = ccmd_iface_test,
	[CCMD_KBD_DISABLE] = ccmd_kbd_disable,
	[CCMD_KBD_ENABLE] = ccmd_kbd_enable,
	[CCMD_READ_INPORT] = ccmd_read_inport,
	[CCMD_READ_OUTPORT] = ccmd_read_outport,
	[CCMD_WRITE_OUTPORT] = ccmd_takes_data,
	[CCMD_WRITE_OBUF] = ccmd_takes_data,
	[CCMD_WRITE_AUX_OBUF] = ccmd_takes_data,
	[CCMD_WRITE_MOUSE] = ccmd_takes_data,
	[CCMD_DISABLE_A20] = ccmd_a20,
	[CCMD_ENABLE_A20] = ccmd_a20,
	[0xf0 ... 0xff] = ccmd_pulse,
};

static void write_command(struct i8042 *s, uint8_t cmd)
{
	dm_dbg(LOG_PS2, s->dev->name, "command 0x%02x", cmd);
	if (!ccmds[cmd]) {
		guest_err(s->dev->name, "unsupported controller command 0x%02x ignored", cmd);
		return;
	}
	ccmds[cmd](s, cmd);
}

/* ---------------------------------------------------------------- data port (0x60) */

static void write_data(struct i8042 *s, uint8_t val)
{
	dm_dbg(LOG_PS2, s->dev->name, "data 0x%02x (after command 0x%02x)", val, s->write_cmd);
	switch (s->write_cmd) {
	case 0:
		ps2_kbd_write(&s->kbd, val);
		/* Writing to the keyboard re-enables its interface. */
		s->mode &= ~MODE_DISABLE_KBD;
		safe_update_irq(s);
		break;
	case CCMD_WRITE_MODE:
		s->mode = val;
		ps2_kbd_set_translation(&s->kbd, val & MODE_KCC);
		/* The enables act on the lines at once; the disables may release data. */
		update_irq_lines(s);
		safe_update_irq(s);
		break;
	case CCMD_WRITE_OBUF:
		ctrl_queue(s, val, false);
		break;
	case CCMD_WRITE_AUX_OBUF:
		ctrl_queue(s, val, true);
		break;
	case CCMD_WRITE_OUTPORT:
		outport_write(s, val);
		break;
	case CCMD_WRITE_MOUSE:
		ps2_mouse_write(&s->mouse, val);
		s->mode &= ~MODE_DISABLE_MOUSE;
		safe_update_irq(s);
		break;
	default:
		break;
	}
	s->write_cmd = 0;
}

static uint8_t read_data(struct i8042 *s)
{
	if (s->status & STAT_OBF) {
		deassert_irq(s);
		if (s->obsrc & OBSRC_KBD)
			s->obdata = ps2_read(&s->kbd.p);
		else if (s->obsrc & OBSRC_MOUSE)
			s->obdata = ps2_read(&s->mouse.p);
		else if (s->obsrc & OBSRC_CTRL)
			s->obdata = ctrl_dequeue(s);
	}
	return s->obdata;
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
	(void)off;
	(void)size;
	return read_data(opaque);
}

static void data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	write_data(opaque, val & 0xff);
}

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
	struct i8042 *s = opaque;

	(void)off;
	(void)size;
	return s->status;
}

static void cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)off;
	(void)size;
	write_command(opaque, val & 0xff);
}

static const struct region_ops data_ops = {
	.read = data_read,
	.write = data_write,
	.min_size = 1,
	.max_size = 1,
};

static const struct region_ops cmd_ops = {
	.read = cmd_read,
	.write = cmd_write,
	.min_size = 1,
	.max_size = 1,
};

/* ---------------------------------------------------------------- input */

static void input_kbd_key(void *opaque, uint16_t key, bool down)
{
	struct i8042 *s = opaque;

	ps2_kbd_key(&s->kbd, key, down);
}

static void input_mouse_rel(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
	struct i8042 *s = opaque;

	ps2_mouse_move(&s->mouse, dx, dy, dz, buttons);
}

static unsigned input_kbd_leds(void *opaque)
{
	struct i8042 *s = opaque;

	return s->kbd.ledstate;
}

static const struct input_handler kbd_handler = {
	.name = "PS/2 keyboard",
	.mask = INPUT_MASK_KEY,
	.key = input_kbd_key,
	.leds = input_kbd_leds,
};

static const struct input_handler mouse_handler = {
	.name = "PS/2 mouse",
	.mask = INPUT_MASK_REL,
	.rel = input_mouse_rel,
};

/* ---------------------------------------------------------------- device */

static void i8042_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct i8042 *s = dev->state;

	(void)kind;
	s->mode = MODE_KBD_INT | MODE_MOUSE_INT;
	s->status = STAT_CMD | STAT_UNLOCKED;
	s->outport = OUT_RESET | OUT_A20 | OUT_ONES;
	s->pending = 0;
	deassert_irq(s);
	ps2_kbd_reset(&s->kbd);
	ps2_mouse_reset(&s->mouse);
}

/*
 * QEMU's "extended-state" is on by default but off on machine types before
 * 6.1, and qemu-xen's xenfv is xenfv-3.1: follow the machine unless given.
 */
static bool want_extended_state(const struct dm_dev *dev)
{
	const struct machine_opts *o = dev->m ? dev->m->opts : NULL;

	if (dev_prop_given(dev, "extended-state") || !o)
		return dev_prop_bool(dev, "extended-state");
	return o->kind != MACHINE_XENFV;
}

static int add_port(struct i8042 *s, struct region *r, const char *name, uint16_t port,
		    const struct region_ops *ops)
{
	int ret;

	*r = (struct region){
		.name = name,
		.space = BUS_PIO,
		.base = port,
		.len = 1,
		.ops = ops,
		.opaque = s,
	};
	ret = bus_add(s->dev->m->bus, r);
	if (ret)
		dm_err(s->dev->name, "port %#x: %s", port, strerror(-ret));
	return ret;
}

static int i8042_init(struct dm_dev *dev)
{
	struct i8042 *s = dev->state;
	int ret;

	s->dev = dev;
	s->input_kbd = s->input_mouse = -1;
	s->irq_no[LINE_KBD] = (unsigned)dev_prop_int(dev, "kbd-irq");
	s->irq_no[LINE_MOUSE] = (unsigned)dev_prop_int(dev, "mouse-irq");
	s->extended_state = want_extended_state(dev);
	ps2_kbd_init(&s->kbd, kbd_line, s);
	ps2_mouse_init(&s->mouse, mouse_line, s);
	i8042_reset(dev, RESET_POWER_ON);

	ret = add_port(s, &s->data_io, "i8042-data", I8042_DATA, &data_ops);
	if (!ret)
		ret = add_port(s, &s->cmd_io, "i8042-cmd", I8042_CMD, &cmd_ops);
	if (ret)
		return ret;
	s->input_kbd = input_register(dev->m, &kbd_handler, s);
	if (s->input_kbd < 0)
		return s->input_kbd;
	s->input_mouse = input_register(dev->m, &mouse_handler, s);
	return s->input_mouse < 0 ? s->input_mouse : 0;
}

static void i8042_fini(struct dm_dev *dev)
{
	struct i8042 *s = dev->state;

	if (!s->dev)
		return;
	if (s->input_kbd >= 0)
		input_unregister(s->input_kbd);
	if (s->input_mouse >= 0)
		input_unregister(s->input_mouse);
	s->input_kbd = s->input_mouse = -1;
	if (s->data_io.mapped)
		bus_del(dev->m->bus, &s->data_io);
	if (s->cmd_io.mapped)
		bus_del(dev->m->bus, &s->cmd_io);
}

/* ---------------------------------------------------------------- save / restore */

static int save_port(struct snap_wr *w, const struct ps2_port *p)
{
	snap_bytes(w, "q.data", p->q.data, sizeof(p->q.data));
	snap_u8(w, "q.rptr", (uint8_t)p->q.rptr);
	snap_u8(w, "q.wptr", (uint8_t)p->q.wptr);
	snap_u16(w, "q.cwptr", (uint16_t)p->q.cwptr);
	snap_u8(w, "q.count", (uint8_t)p->q.count);
	return snap_u16(w, "write_cmd", (uint16_t)p->write_cmd);
}

/* A ring state QEMU's code can reach: count matches the pointers, replies <= 3. */
static int load_port(struct snap_rd *r, struct ps2_port *p, int max_count, bool replies)
{
	uint8_t rptr, wptr, count;
	uint16_t cwptr, write_cmd;
	int ret;

	ret = snap_get_bytes(r, "q.data", p->q.data, sizeof(p->q.data));
	ret = ret ?: snap_get_u8(r, "q.rptr", &rptr);
	ret = ret ?: snap_get_u8(r, "q.wptr", &wptr);
	ret = ret ?: snap_get_u16(r, "q.cwptr", &cwptr);
	ret = ret ?: snap_get_u8(r, "q.count", &count);
	ret = ret ?: snap_get_u16(r, "write_cmd", &write_cmd);
	if (ret)
		return ret;
	if (count > max_count || ((wptr - rptr) & 0xff) != count)
		return -EINVAL;
	if (cwptr != 0xffff && (!replies || cwptr > 0xff || ((cwptr - rptr) & 0xff) > 3 ||
				((cwptr - rptr) & 0xff) > count))
		return -EINVAL;
	if (write_cmd != 0xffff && write_cmd > 0xff)
		return -EINVAL;
	p->q.rptr = rptr;
	p->q.wptr = wptr;
	p->q.cwptr = cwptr == 0xffff ? -1 : cwptr;
	p->q.count = count;
	p->write_cmd = write_cmd == 0xffff ? -1 : write_cmd;
	return 0;
}

static int i8042_save(struct dm_dev *dev, struct snap_wr *w)
{
	const struct i8042 *s = dev->state;
	const struct ps2_kbd *k = &s->kbd;
	const struct ps2_mouse *ms = &s->mouse;

	snap_u8(w, "write_cmd", s->write_cmd);
	snap_u8(w, "status", s->status);
	snap_u8(w, "mode", s->mode);
	snap_u8(w, "outport", s->outport);
	snap_u8(w, "pending", s->pending);
	snap_u8(w, "obsrc", s->obsrc);
	snap_u8(w, "obdata", s->obdata);
	snap_u8(w, "cbdata", s->cbdata);
	snap_u8(w, "extended_state", s->extended_state);
	save_port(w, &k->p);
	snap_u8(w, "kbd.scan_enabled", k->scan_enabled);
	snap_u8(w, "kbd.translate", k->translate);
	snap_u8(w, "kbd.need_high_bit", k->need_high_bit);
	snap_u8(w, "kbd.scancode_set", k->scancode_set);
	snap_u8(w, "kbd.ledstate", k->ledstate);
	snap_u8(w, "kbd.modifiers", k->modifiers);
	save_port(w, &ms->p);
	snap_u8(w, "mouse.status", ms->status);
	snap_u8(w, "mouse.resolution", ms->resolution);
	snap_u8(w, "mouse.sample_rate", ms->sample_rate);
	snap_u8(w, "mouse.wrap", ms->wrap);
	snap_u8(w, "mouse.type", ms->type);
	snap_u8(w, "mouse.detect_state", ms->detect_state);
	snap_u32(w, "mouse.dx", (uint32_t)ms->dx);
	snap_u32(w, "mouse.dy", (uint32_t)ms->dy);
	snap_u32(w, "mouse.dz", (uint32_t)ms->dz);
	snap_u8(w, "mouse.buttons", ms->buttons);
	/* Version 2: the lines as the platform has them (they depend on history, see load). */
	snap_u8(w, "irq_kbd", s->irq_level[LINE_KBD]);
	return snap_u8(w, "irq_mouse", s->irq_level[LINE_MOUSE]);
}

static int get_delta(struct snap_rd *r, const char *name, int32_t *v)
{
	uint32_t u;
	int ret = snap_get_u32(r, name, &u);

	if (ret)
		return ret;
	*v = (int32_t)u;
	return *v > (1 << 24) || *v < -(1 << 24) ? -EINVAL : 0;
}

static int load_ctrl(struct snap_rd *r, struct i8042 *s)
{
	int ret;

	ret = snap_get_u8(r, "write_cmd", &s->write_cmd);
	ret = ret ?: snap_get_u8(r, "status", &s->status);
	ret = ret ?: snap_get_u8(r, "mode", &s->mode);
	ret = ret ?: snap_get_u8(r, "outport", &s->outport);
	ret = ret ?: snap_get_u8(r, "pending", &s->pending);
	ret = ret ?: snap_get_u8(r, "obsrc", &s->obsrc);
	ret = ret ?: snap_get_u8(r, "obdata", &s->obdata);
	ret = ret ?: snap_get_u8(r, "cbdata", &s->cbdata);
	ret = ret ?: snap_get_bool(r, "extended_state", &s->extended_state);
	if (ret)
		return ret;
	if (s->write_cmd && !ccmds[s->write_cmd])
		return -EINVAL;
	if (s->pending & ~(PENDING_CTRL_KBD | PENDING_CTRL_AUX | PENDING_KBD | PENDING_AUX))
		return -EINVAL;
	if (s->obsrc & ~(OBSRC_KBD | OBSRC_MOUSE | OBSRC_CTRL))
		return -EINVAL;
	return 0;
}

static int load_kbd(struct snap_rd *r, struct ps2_kbd *k)
{
	int ret = load_port(r, &k->p, PS2_QUEUE_SIZE + 3, true);

	ret = ret ?: snap_get_bool(r, "kbd.scan_enabled", &k->scan_enabled);
	ret = ret ?: snap_get_bool(r, "kbd.translate", &k->translate);
	ret = ret ?: snap_get_bool(r, "kbd.need_high_bit", &k->need_high_bit);
	ret = ret ?: snap_get_u8(r, "kbd.scancode_set", &k->scancode_set);
	ret = ret ?: snap_get_u8(r, "kbd.ledstate", &k->ledstate);
	ret = ret ?: snap_get_u8(r, "kbd.modifiers", &k->modifiers);
	if (ret)
		return ret;
	return k->scancode_set < 1 || k->scancode_set > 3 ? -EINVAL : 0;
}

static int load_mouse(struct snap_rd *r, struct ps2_mouse *ms)
{
	int ret = load_port(r, &ms->p, PS2_QUEUE_SIZE, false);

	ret = ret ?: snap_get_u8(r, "mouse.status", &ms->status);
	ret = ret ?: snap_get_u8(r, "mouse.resolution", &ms->resolution);
	ret = ret ?: snap_get_u8(r, "mouse.sample_rate", &ms->sample_rate);
	ret = ret ?: snap_get_bool(r, "mouse.wrap", &ms->wrap);
	ret = ret ?: snap_get_u8(r, "mouse.type", &ms->type);
	ret = ret ?: snap_get_u8(r, "mouse.detect_state", &ms->detect_state);
	ret = ret ?: get_delta(r, "mouse.dx", &ms->dx);
	ret = ret ?: get_delta(r, "mouse.dy", &ms->dy);
	ret = ret ?: get_delta(r, "mouse.dz", &ms->dz);
	ret = ret ?: snap_get_u8(r, "mouse.buttons", &ms->buttons);
	if (ret)
		return ret;
	if ((ms->type != 0 && ms->type != 3 && ms->type != 4) || ms->detect_state > 3)
		return -EINVAL;
	return 0;
}

/*
 * The IRQ lines are not a function of the other fields: as in QEMU's pckbd,
 * disabling the keyboard interface (0xad) leaves a raised line up, and a
 * keyboard write that re-enables it leaves the line low while OBF is set.
 * Version 2 saves the levels; a version 1 stream gets the ones the state
 * implies (line_wanted), as before.
 */
static int load_lines(struct snap_rd *r, struct i8042 *s, uint32_t version)
{
	int ret;

	if (version < 2) {
		s->irq_level[LINE_KBD] = line_wanted(s, LINE_KBD);
		s->irq_level[LINE_MOUSE] = line_wanted(s, LINE_MOUSE);
		return 0;
	}
	ret = snap_get_bool(r, "irq_kbd", &s->irq_level[LINE_KBD]);
	return ret ?: snap_get_bool(r, "irq_mouse", &s->irq_level[LINE_MOUSE]);
}

static int i8042_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct i8042 *s = dev->state;
	int ret;

	if (version != 1 && version != 2)
		return -EINVAL;
	ret = load_ctrl(r, s);
	ret = ret ?: load_kbd(r, &s->kbd);
	ret = ret ?: load_mouse(r, &s->mouse);
	return ret ?: load_lines(r, s, version);
}

/* Drive both lines to the loaded levels, whatever the platform had. */
static void i8042_post_load(struct dm_dev *dev)
{
	struct i8042 *s = dev->state;

	for (int line = LINE_KBD; line <= LINE_MOUSE; line++) {
		bool want = s->irq_level[line];

		s->irq_level[line] = !want;
		set_line(s, line, want);
	}
}

static const struct prop_desc i8042_props[] = {
	{ "extended-state", PROP_BOOL, "on", 0, 0,
	  "controller answers ahead of device data (QEMU >= 6.1; default off on xenfv)" },
	{ "kbd-irq", PROP_INT, "1", 0, 15, "ISA IRQ of the keyboard" },
	{ "mouse-irq", PROP_INT, "12", 0, 15, "ISA IRQ of the mouse" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct dev_type i8042_type = {
	.name = "i8042",
	.kind = DEV_KIND_ISA,
	.help = "8042 keyboard controller, PS/2 keyboard and mouse (ports 0x60/0x64, IRQ 1/12)",
	.props = i8042_props,
	.state_size = sizeof(struct i8042),
	.state_version = 2,
	.init = i8042_init,
	.reset = i8042_reset,
	.fini = i8042_fini,
	.save = i8042_save,
	.load = i8042_load,
	.post_load = i8042_post_load,
};
