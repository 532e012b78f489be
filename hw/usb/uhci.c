// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX3 USB host controller (82371SB function 2, 8086:7020 rev 01 at
 * 00:01.2) as qemu-xen presents it: class 0c0300 (UHCI), subsystem
 * 1af4:1100, interrupt pin D, the 32-byte I/O BAR4, SBRN 10h at 60h; two
 * root ports. Registers follow the UHCI 1.1 design guide (§2.1 I/O
 * registers, §2.2 PCI configuration) and QEMU 7.2's hcd-uhci.c where the
 * guide leaves room (16-bit register decode, odd offsets, reset values),
 * so that register sessions answer as QEMU's do.
 *
 * The schedule (UHCI 1.1 §3): while USBCMD.RS is set a 1 ms frame timer on
 * the loop clock (virtual in replay, so traces are deterministic) walks
 * the frame list entry FRNUM & 3FFh: queue heads and transfer descriptors
 * read from guest memory, depth or breadth first as each link's Vf bit
 * says (§3.4.2), one transaction per active TD, status written back, the
 * QH element pointer advanced on completion, short packets (SPD) leave
 * the queue, NAK retries next frame, STALL/timeout set USBSTS.ERR. IOC and
 * short-packet interrupts are raised at the end of the frame, after FRNUM
 * moved on (§2.1.2: the guest looks at FRNUM - 1).
 *
 * The guest is hostile: a frame does at most FRAME_MAX_STEPS link steps
 * and 1280 bytes (the full-speed frame), a QH seen twice with no TD done
 * since ends the frame (a schedule that loops on itself, as QEMU's QH
 * database), a TD moves at most MaxLen+1 <= 2048 bytes through a local
 * buffer, and one timer tick catches up at most FRAMES_CATCH_UP frames
 * (older ones are skipped, FRNUM still counts them). A guest-memory access
 * that fails is a Host System Error (§2.1.2 HSE): the controller halts.
 *
 * Differences from QEMU, all on guest errors: a failing DMA halts with
 * HSE (QEMU reads zeroes and goes on); with bus mastering off no frame is
 * walked (QEMU reads zeroes). Left out: the legacy keyboard emulation of
 * LEGSUP (C0h is a plain register, as in QEMU), isochronous TDs (no device
 * here has an isochronous endpoint; they time out like a missing device).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/memory.h"
#include "dm/state.h"
#include "hw/pci/pci.h"
#include "hw/usb/usb.h"

#define UHCI_PORTS   2
#define UHCI_IO_SIZE 32

/* I/O registers (UHCI 1.1 §2.1, Table 1). */
#define UHCI_USBCMD    0x00
#define UHCI_USBSTS    0x02
#define UHCI_USBINTR   0x04
#define UHCI_FRNUM     0x06
#define UHCI_FLBASEADD 0x08 /* 32 bits: 08h low half, 0Ah high half */
#define UHCI_SOFMOD    0x0c
#define UHCI_PORTSC1   0x10

/* USBCMD (§2.1.1). */
#define UHCI_CMD_RS	 0x0001
#define UHCI_CMD_HCRESET 0x0002
#define UHCI_CMD_GRESET	 0x0004
#define UHCI_CMD_EGSM	 0x0008
#define UHCI_CMD_FGR	 0x0010

/* USBSTS (§2.1.2). */
#define UHCI_STS_USBINT	  0x0001
#define UHCI_STS_USBERR	  0x0002
#define UHCI_STS_RD	  0x0004
#define UHCI_STS_HSERR	  0x0008
#define UHCI_STS_HCPERR	  0x0010
#define UHCI_STS_HCHALTED 0x0020

/* USBINTR (§2.1.3). */
#define UHCI_INTR_TIMEOUT 0x0001
#define UHCI_INTR_RESUME  0x0002
#define UHCI_INTR_IOC	  0x0004
#define UHCI_INTR_SP	  0x0008

/* PORTSC (§2.1.7). */
#define UHCI_PORT_CCS	  0x0001
#define UHCI_PORT_CSC	  0x0002
#define UHCI_PORT_EN	  0x0004
#define UHCI_PORT_ENC	  0x0008
#define UHCI_PORT_RD	  0x0040
#define UHCI_PORT_RSVD1	  0x0080 /* reads 1 */
#define UHCI_PORT_LSDA	  0x0100
#define UHCI_PORT_RESET	  0x0200
#define UHCI_PORT_SUSPEND 0x1000
/* What a write cannot change (QEMU's mask: status, line state, reserved 1, LSDA). */
#define UHCI_PORT_READ_ONLY   0x01bb
#define UHCI_PORT_WRITE_CLEAR (UHCI_PORT_CSC | UHCI_PORT_ENC)

/* Reads of a register that does not exist (QEMU's "disabled port" value). */
#define UHCI_READ_DEFAULT 0xff7f

/* Frame list pointers, QH and TD link pointers (§3.1-§3.3). */
#define UHCI_LINK_TERMINATE 0x1
#define UHCI_LINK_QH	    0x2
#define UHCI_LINK_DEPTH	    0x4
#define UHCI_LINK_ADDR	    0xfffffff0u

/* TD control and status (§3.2.2). */
#define TD_CTRL_ACTLEN	0x000007ff
#define TD_CTRL_TIMEOUT (1u << 18)
#define TD_CTRL_NAK	(1u << 19)
#define TD_CTRL_BABBLE	(1u << 20)
#define TD_CTRL_STALL	(1u << 22)
#define TD_CTRL_ACTIVE	(1u << 23)
#define TD_CTRL_IOC	(1u << 24)
#define TD_CTRL_IOS	(1u << 25)
#define TD_CTRL_CERR	(3u << 27)
#define TD_CTRL_SPD	(1u << 29)

/* The hidden "which interrupt" register (QEMU's status2): IOC and short packet. */
#define UHCI_INT_IOC 0x01
#define UHCI_INT_SPD 0x02

#define FRAME_NS	 1000000ull /* full-speed frame: 1 ms (§3.1) */
#define FRAME_MAX_STEPS	 256	    /* link steps per frame (QEMU's FRAME_MAX_LOOPS) */
#define FRAME_BANDWIDTH	 1280	    /* bytes per frame (QEMU's frame_bandwidth) */
#define FRAMES_CATCH_UP	 128	    /* frames one tick runs; older ones are skipped */
#define QH_SEEN_MAX	 16	    /* QHs remembered for loop detection */
#define TD_BUF_MAX	 2048	    /* MaxLen + 1 is at most 0x7ff + 1 */
#define UHCI_FRNUM_MASK	 0x7ff
#define UHCI_FLBASE_MASK 0xfffff000u

enum td_result { TD_COMPLETE, TD_NEXT_QH, TD_STOP_FRAME };

struct uhci {
	struct pci_func pci;
	struct dm_dev *dev;
	struct machine *m;
	struct region io;
	struct usb_bus bus;
	struct usb_port ports[UHCI_PORTS];
	uint16_t portsc[UHCI_PORTS];
	uint16_t cmd, sts, intr, frnum;
	uint32_t flbase;
	uint8_t sof;
	uint8_t status2;     /* UHCI_INT_* raised, cleared with USBSTS.USBINT */
	uint8_t pending_int; /* UHCI_INT_* of the frames in this tick */
	unsigned frame_bytes;
	struct timer frame_timer;
	bool timer_ready;
	uint64_t expire;     /* clock time the next frame ends */
	uint64_t frame_left; /* load to post_load: ns to the next frame, UINT64_MAX: stopped */
	char bus_name[48];
};

const struct dev_type piix3_usb_uhci_type;

static const struct pci_identity uhci_identity = {
	.vendor = 0x8086,
	.device = 0x7020,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x0c0300,
	.revision = 0x01,
	.int_pin = 4, /* INTD, as qemu-xen (lspci: "pin D") */
};

/* ---------------------------------------------------------------- interrupt */

static void update_irq(struct uhci *s)
{
	bool level = ((s->status2 & UHCI_INT_IOC) && (s->intr & UHCI_INTR_IOC)) ||
		     ((s->status2 & UHCI_INT_SPD) && (s->intr & UHCI_INTR_SP)) ||
		     ((s->sts & UHCI_STS_USBERR) && (s->intr & UHCI_INTR_TIMEOUT)) ||
		     ((s->sts & UHCI_STS_RD) && (s->intr & UHCI_INTR_RESUME)) ||
		     (s->sts & (UHCI_STS_HSERR | UHCI_STS_HCPERR));

	pci_set_irq(&s->pci, level);
}

/* Resume signalling while globally suspended (§2.1.1 EGSM, §2.1.2 RD). */
static void resume(struct uhci *s)
{
	if (s->cmd & UHCI_CMD_EGSM) {
		s->cmd |= UHCI_CMD_FGR;
		s->sts |= UHCI_STS_RD;
		update_irq(s);
	}
}

/* A system access failed: HSE, halted (§2.1.2). */
static void host_error(struct uhci *s, const char *what, uint32_t addr)
{
	guest_err(s->dev->name, "%s at 0x%x is not guest memory: host system error", what, addr);
	s->sts |= UHCI_STS_HSERR | UHCI_STS_HCHALTED;
	s->cmd &= (uint16_t)~UHCI_CMD_RS;
	update_irq(s);
}

/* ---------------------------------------------------------------- ports */

static void port_attach(struct usb_port *p)
{
	struct uhci *s = p->opaque;
	uint16_t *sc = &s->portsc[p->index - 1];

	*sc |= UHCI_PORT_CCS | UHCI_PORT_CSC;
	*sc &= (uint16_t)~UHCI_PORT_LSDA; /* every function here is full speed */
	resume(s);
}

static void port_detach(struct usb_port *p)
{
	struct uhci *s = p->opaque;
	uint16_t *sc = &s->portsc[p->index - 1];

	if (*sc & UHCI_PORT_CCS) {
		*sc &= (uint16_t)~UHCI_PORT_CCS;
		*sc |= UHCI_PORT_CSC;
	}
	if (*sc & UHCI_PORT_EN) {
		*sc &= (uint16_t)~UHCI_PORT_EN;
		*sc |= UHCI_PORT_ENC;
	}
	resume(s);
}

static void port_wakeup(struct usb_port *p)
{
	struct uhci *s = p->opaque;
	uint16_t *sc = &s->portsc[p->index - 1];

	if ((*sc & UHCI_PORT_SUSPEND) && !(*sc & UHCI_PORT_RD)) {
		*sc |= UHCI_PORT_RD;
		resume(s);
	}
}

static const struct usb_port_ops port_ops = {
	.attach = port_attach,
	.detach = port_detach,
	.wakeup = port_wakeup,
};

static void port_write(struct uhci *s, unsigned n, uint16_t val)
{
	struct usb_dev *d = s->ports[n].dev;
	uint16_t *sc = &s->portsc[n];

	/* The rising edge of Port Reset resets the device (§2.1.7 bit 9). */
	if (d && (val & UHCI_PORT_RESET) && !(*sc & UHCI_PORT_RESET))
		usb_dev_reset(d);
	*sc &= UHCI_PORT_READ_ONLY;
	/* Enable only sticks with a device connected. */
	if (!(*sc & UHCI_PORT_CCS))
		val &= (uint16_t)~UHCI_PORT_EN;
	*sc |= val & (uint16_t)~UHCI_PORT_READ_ONLY;
	*sc &= (uint16_t) ~(val & UHCI_PORT_WRITE_CLEAR);
}

/* ---------------------------------------------------------------- reset */

static void hc_reset(struct uhci *s)
{
	pci_cfg_set8(&s->pci, 0x6a, 0x01); /* QEMU's "usb clock" byte */
	pci_cfg_set8(&s->pci, 0x6b, 0x00);
	s->cmd = 0;
	s->sts = UHCI_STS_HCHALTED;
	s->status2 = 0;
	s->pending_int = 0;
	s->intr = 0;
	/* FRNUM survives a reset in QEMU 7.2 (its uhci_reset leaves it); so here. */
	s->flbase = 0;
	s->sof = 64; /* §2.1.6: 1 ms frames at 12 MHz */
	for (unsigned i = 0; i < UHCI_PORTS; i++) {
		struct usb_dev *d = s->ports[i].dev;

		s->portsc[i] = UHCI_PORT_RSVD1;
		/* A connected device sees a reconnect and a bus reset. */
		if (d) {
			port_detach(&s->ports[i]);
			port_attach(&s->ports[i]);
			usb_dev_reset(d);
		}
	}
	if (s->timer_ready)
		timer_del(&s->frame_timer);
	update_irq(s);
}

/* ---------------------------------------------------------------- the schedule */

struct td {
	uint32_t link, ctrl, token, buffer;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_dwords(struct uhci *s, uint32_t addr, uint32_t *out, unsigned n, const char *what)
{
	uint8_t b[16];

	if (gm_read(&s->m->mem, addr, b, 4u * n)) {
		host_error(s, what, addr);
		return -EFAULT;
	}
	for (unsigned i = 0; i < n; i++)
		out[i] = le32(b + 4 * i);
	return 0;
}

static int write_dword(struct uhci *s, uint32_t addr, uint32_t v, const char *what)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	if (gm_write(&s->m->mem, addr, b, 4)) {
		host_error(s, what, addr);
		return -EFAULT;
	}
	return 0;
}

/* The device at addr behind an enabled port, or NULL. */
static struct usb_dev *find_device(struct uhci *s, uint8_t addr)
{
	for (unsigned i = 0; i < UHCI_PORTS; i++) {
		struct usb_dev *d;

		if (!(s->portsc[i] & UHCI_PORT_EN))
			continue;
		d = usb_port_find(&s->ports[i], addr);
		if (d)
			return d;
	}
	return NULL;
}

/* An error status: the TD retires with ERR set in USBSTS (QEMU's uhci_handle_td_error). */
static enum td_result td_error(struct uhci *s, struct td *td, enum usb_status st)
{
	enum td_result ret = TD_NEXT_QH;

	switch (st) {
	case USB_RET_NAK:
		td->ctrl |= TD_CTRL_NAK;
		return TD_NEXT_QH;
	case USB_RET_STALL:
		td->ctrl |= TD_CTRL_STALL;
		break;
	case USB_RET_BABBLE:
		td->ctrl |= TD_CTRL_BABBLE | TD_CTRL_STALL;
		ret = TD_STOP_FRAME;
		break;
	default:
		/* No device answered: CRC/time out, error count to 0 (§3.2.2). */
		td->ctrl |= TD_CTRL_TIMEOUT;
		td->ctrl &= ~TD_CTRL_CERR;
		break;
	}
	td->ctrl &= ~TD_CTRL_ACTIVE;
	s->sts |= UHCI_STS_USBERR;
	if (td->ctrl & TD_CTRL_IOC)
		s->pending_int |= UHCI_INT_IOC;
	update_irq(s);
	return ret;
}

/* One transaction for an active TD (UHCI 1.1 §3.2; QEMU's uhci_handle_td + complete_td). */
static enum td_result handle_td(struct uhci *s, struct td *td)
{
	uint8_t buf[TD_BUF_MAX];
	uint8_t pid = td->token & 0xff;
	size_t max_len = ((td->token >> 21) + 1) & 0x7ff;
	struct usb_packet p = { .pid = pid, .ep = (td->token >> 15) & 0xf, .buf = buf };
	struct usb_dev *d;

	if (!(td->ctrl & TD_CTRL_ACTIVE)) {
		/* An inactive TD still interrupts when it asks to (QEMU, after the EHCI text). */
		if (td->ctrl & TD_CTRL_IOC)
			s->pending_int |= UHCI_INT_IOC;
		return TD_NEXT_QH;
	}
	if (pid != USB_PID_IN && pid != USB_PID_OUT && pid != USB_PID_SETUP) {
		guest_err(s->dev->name, "TD with PID 0x%02x: host controller process error", pid);
		s->sts |= UHCI_STS_HCPERR;
		s->cmd &= (uint16_t)~UHCI_CMD_RS;
		update_irq(s);
		return TD_STOP_FRAME;
	}
	d = find_device(s, (td->token >> 8) & 0x7f);
	if (!d)
		return td_error(s, td, USB_RET_NODEV);
	p.len = max_len;
	if (pid != USB_PID_IN && max_len && gm_read(&s->m->mem, td->buffer, buf, max_len)) {
		host_error(s, "TD buffer", td->buffer);
		return TD_STOP_FRAME;
	}
	usb_handle_packet(d, &p);
	if (pid != USB_PID_IN && p.status == USB_RET_SUCCESS)
		p.actual = max_len;
	if (td->ctrl & TD_CTRL_IOS)
		td->ctrl &= ~TD_CTRL_ACTIVE;
	if (p.status != USB_RET_SUCCESS)
		return td_error(s, td, p.status);
	td->ctrl = (td->ctrl & ~TD_CTRL_ACTLEN) | ((uint32_t)(p.actual - 1) & TD_CTRL_ACTLEN);
	/* NAK may be left from an earlier frame (win2k relies on its clearing, says QEMU). */
	td->ctrl &= ~(TD_CTRL_ACTIVE | TD_CTRL_NAK);
	if (td->ctrl & TD_CTRL_IOC)
		s->pending_int |= UHCI_INT_IOC;
	if (pid == USB_PID_IN) {
		if (p.actual && gm_write(&s->m->mem, td->buffer, buf, p.actual)) {
			host_error(s, "TD buffer", td->buffer);
			return TD_STOP_FRAME;
		}
		/* A short packet with SPD ends the queue for this frame (§3.2.2 bit 29). */
		if ((td->ctrl & TD_CTRL_SPD) && p.actual < max_len) {
			s->pending_int |= UHCI_INT_SPD;
			return TD_NEXT_QH;
		}
	}
	return TD_COMPLETE;
}

/* Has link been seen since the last TD completion? Remembers it if not. */
static bool qh_seen(uint32_t *seen, unsigned *n, uint32_t link)
{
	for (unsigned i = 0; i < *n; i++)
		if (seen[i] == link)
			return true;
	if (*n < QH_SEEN_MAX)
		seen[(*n)++] = link;
	return false;
}

/* Walk one frame's schedule (UHCI 1.1 §3.4; the order of QEMU's uhci_process_frame). */
static void process_frame(struct uhci *s)
{
	uint32_t seen[QH_SEEN_MAX], link, qh[2] = { 0, 0 }, curr_qh = 0, old_ctrl;
	uint32_t frame = (s->flbase & UHCI_FLBASE_MASK) + ((s->frnum & 0x3ffu) << 2);
	unsigned nseen = 0, td_done = 0;
	struct td td;

	if (read_dwords(s, frame, &link, 1, "frame list entry"))
		return;
	for (unsigned steps = FRAME_MAX_STEPS; !(link & UHCI_LINK_TERMINATE) && steps; steps--) {
		if (s->frame_bytes >= FRAME_BANDWIDTH)
			break;
		if (link & UHCI_LINK_QH) {
			/* A QH met again with no TD done since: the schedule loops idle. */
			if (qh_seen(seen, &nseen, link)) {
				if (!td_done)
					break;
				td_done = 0;
				nseen = 0;
				qh_seen(seen, &nseen, link);
			}
			if (read_dwords(s, link & UHCI_LINK_ADDR, qh, 2, "QH"))
				return;
			if (qh[1] & UHCI_LINK_TERMINATE) {
				curr_qh = 0;
				link = qh[0];
			} else {
				curr_qh = link;
				link = qh[1];
			}
			continue;
		}
		if (read_dwords(s, link & UHCI_LINK_ADDR, &td.link, 4, "TD"))
			return;
		old_ctrl = td.ctrl;
		enum td_result r = handle_td(s, &td);
		if (old_ctrl != td.ctrl &&
		    write_dword(s, (link & UHCI_LINK_ADDR) + 4, td.ctrl, "TD status"))
			return;
		if (r == TD_STOP_FRAME || (s->sts & UHCI_STS_HSERR))
			return;
		if (r == TD_NEXT_QH) {
			link = curr_qh ? qh[0] : td.link;
			continue;
		}
		link = td.link;
		td_done++;
		s->frame_bytes += (td.ctrl & TD_CTRL_ACTLEN) + 1;
		if (curr_qh) {
			/* The queue advances: its element pointer takes the next TD (§3.3). */
			qh[1] = link;
			if (write_dword(s, (curr_qh & UHCI_LINK_ADDR) + 4, link, "QH element"))
				return;
			if (!(link & UHCI_LINK_DEPTH)) {
				curr_qh = 0;
				link = qh[0];
			}
		}
	}
}

static void frame_tick(void *opaque)
{
	struct uhci *s = opaque;
	uint64_t now = loop_now(s->m->loop);
	uint64_t frames;

	if (!(s->cmd & UHCI_CMD_RS)) {
		s->sts |= UHCI_STS_HCHALTED;
		return;
	}
	frames = now + FRAME_NS >= s->expire ? (now + FRAME_NS - s->expire) / FRAME_NS : 0;
	if (frames > FRAMES_CATCH_UP) {
		uint64_t skipped = frames - FRAMES_CATCH_UP;

		s->expire += skipped * FRAME_NS;
		s->frnum = (uint16_t)((s->frnum + skipped) & UHCI_FRNUM_MASK);
		frames = FRAMES_CATCH_UP;
	}
	for (uint64_t i = 0; i < frames && (s->cmd & UHCI_CMD_RS); i++) {
		s->frame_bytes = 0;
		/* No bus master, no schedule: the frame passes with nothing fetched. */
		if (pci_cfg_get16(&s->pci, PCI_COMMAND) & PCI_COMMAND_MASTER)
			process_frame(s);
		s->frnum = (uint16_t)((s->frnum + 1) & UHCI_FRNUM_MASK);
		s->expire += FRAME_NS;
	}
	if (s->pending_int) {
		s->status2 |= s->pending_int;
		s->sts |= UHCI_STS_USBINT;
		update_irq(s);
	}
	s->pending_int = 0;
	if (s->cmd & UHCI_CMD_RS)
		timer_mod(&s->frame_timer, now + FRAME_NS);
	else
		s->sts |= UHCI_STS_HCHALTED;
}

/* ---------------------------------------------------------------- registers */

static void cmd_write(struct uhci *s, uint16_t val)
{
	if ((val & UHCI_CMD_RS) && !(s->cmd & UHCI_CMD_RS)) {
		/* Start: the first frame ends 1 ms from now. */
		if (s->timer_ready) {
			s->expire = loop_now(s->m->loop) + FRAME_NS;
			timer_mod(&s->frame_timer, s->expire);
		}
		s->sts &= (uint16_t)~UHCI_STS_HCHALTED;
	} else if (!(val & UHCI_CMD_RS)) {
		s->sts |= UHCI_STS_HCHALTED;
	}
	if (val & UHCI_CMD_GRESET) {
		/* Global reset: every device sees a bus reset, then the controller resets. */
		for (unsigned i = 0; i < UHCI_PORTS; i++)
			if (s->ports[i].dev)
				usb_dev_reset(s->ports[i].dev);
		hc_reset(s);
		return;
	}
	if (val & UHCI_CMD_HCRESET) {
		hc_reset(s);
		return;
	}
	s->cmd = val;
	if ((val & UHCI_CMD_EGSM) &&
	    ((s->portsc[0] & UHCI_PORT_RD) || (s->portsc[1] & UHCI_PORT_RD)))
		resume(s);
}

/* One 16-bit register access at off, as QEMU's decode (odd offsets included). */
static uint16_t reg_read(struct uhci *s, unsigned off)
{
	switch (off) {
	case UHCI_USBCMD:
		return s->cmd;
	case UHCI_USBSTS:
		return s->sts;
	case UHCI_USBINTR:
		return s->intr;
	case UHCI_FRNUM:
		return s->frnum;
	case UHCI_FLBASEADD:
		return (uint16_t)s->flbase;
	case UHCI_FLBASEADD + 2:
		return (uint16_t)(s->flbase >> 16);
	case UHCI_SOFMOD:
		return s->sof;
	default:
		if (off >= UHCI_PORTSC1 && ((off >> 1) & 7) < UHCI_PORTS)
			return s->portsc[(off >> 1) & 7];
		return UHCI_READ_DEFAULT;
	}
}

static void reg_write(struct uhci *s, unsigned off, uint16_t val)
{
	switch (off) {
	case UHCI_USBCMD:
		cmd_write(s, val);
		break;
	case UHCI_USBSTS:
		s->sts &= (uint16_t)~val;
		if (val & UHCI_STS_USBINT)
			s->status2 = 0;
		update_irq(s);
		break;
	case UHCI_USBINTR:
		s->intr = val;
		update_irq(s);
		break;
	case UHCI_FRNUM:
		/* §2.1.4: writable only while halted. */
		if (s->sts & UHCI_STS_HCHALTED)
			s->frnum = val & UHCI_FRNUM_MASK;
		break;
	case UHCI_FLBASEADD:
		s->flbase = (s->flbase & 0xffff0000u) | (val & 0xf000u);
		break;
	case UHCI_FLBASEADD + 2:
		s->flbase = (s->flbase & 0x0000ffffu) | (uint32_t)val << 16;
		break;
	case UHCI_SOFMOD:
		s->sof = val & 0xff;
		break;
	default:
		if (off >= UHCI_PORTSC1 && ((off >> 1) & 7) < UHCI_PORTS)
			port_write(s, (off >> 1) & 7, val);
		break;
	}
}

/* Accesses of 1 or 4 bytes go as 16-bit ones at off and off + 2 (QEMU's impl size 2). */
static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
	struct uhci *s = opaque;

	if (size == 4)
		return reg_read(s, (unsigned)off) | (uint32_t)reg_read(s, (unsigned)off + 2) << 16;
	return reg_read(s, (unsigned)off) & (size == 1 ? 0xffu : 0xffffu);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct uhci *s = opaque;

	if (size == 4) {
		reg_write(s, (unsigned)off, (uint16_t)val);
		reg_write(s, (unsigned)off + 2, (uint16_t)(val >> 16));
		return;
	}
	reg_write(s, (unsigned)off, (uint16_t)(val & (size == 1 ? 0xffu : 0xffffu)));
}

static const struct region_ops io_ops = {
	.read = io_read,
	.write = io_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

/* ---------------------------------------------------------------- device type */

/* QEMU's bus names: "ID.0" under a controller with id=, else "usb-bus.N". */
static void name_bus(struct uhci *s)
{
	unsigned n = 0;

	if (s->dev->id[0]) {
		snprintf(s->bus_name, sizeof(s->bus_name), "%.40s.0", s->dev->id);
		return;
	}
	for (;; n++) {
		snprintf(s->bus_name, sizeof(s->bus_name), "usb-bus.%u", n);
		if (!usb_bus_find(s->m, s->bus_name))
			return;
	}
}

static int uhci_init(struct dm_dev *dev)
{
	struct uhci *s = dev->state;
	unsigned devfn = (unsigned)dev_prop_int(dev, "addr");
	int ret;

	s->dev = dev;
	s->m = dev->m;
	s->frame_left = UINT64_MAX;
	snprintf(dev->name, sizeof(dev->name), "piix3-usb-uhci@%02x.%x", PCI_SLOT(devfn),
		 PCI_FUNC(devfn));
	pci_func_init(&s->pci, dev->m, devfn, &uhci_identity, NULL, s, dev->name);
	s->io.name = "uhci";
	s->io.ops = &io_ops;
	s->io.opaque = s;
	ret = pci_bar_init(&s->pci, 4, PCI_BAR_IO, UHCI_IO_SIZE, &s->io);
	if (ret)
		return ret;
	pci_cfg_set8(&s->pci, 0x60, 0x10); /* SBRN: USB 1.0 (§2.2) */
	if (dev->m->loop) {
		timer_init(&s->frame_timer, dev->m->loop, frame_tick, s);
		s->timer_ready = true;
	}
	for (unsigned i = 0; i < UHCI_PORTS; i++)
		s->ports[i] = (struct usb_port){ .index = i + 1, .ops = &port_ops, .opaque = s };
	hc_reset(s);
	ret = pci_func_attach(&s->pci);
	if (ret)
		return ret;
	name_bus(s);
	s->bus = (struct usb_bus){ .m = dev->m, .ports = s->ports, .nports = UHCI_PORTS };
	snprintf(s->bus.name, sizeof(s->bus.name), "%s", s->bus_name);
	snprintf(s->bus.hc_path, sizeof(s->bus.hc_path), "0000:00:%02x.%x", PCI_SLOT(devfn),
		 PCI_FUNC(devfn));
	usb_bus_register(&s->bus);
	return 0;
}

static void uhci_fini(struct dm_dev *dev)
{
	struct uhci *s = dev->state;

	if (s->bus.m)
		usb_bus_unregister(&s->bus);
	if (s->timer_ready)
		timer_del(&s->frame_timer);
	pci_func_detach(&s->pci);
}

static void uhci_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct uhci *s = dev->state;

	(void)kind;
	pci_func_reset(&s->pci);
	hc_reset(s);
}

static int uhci_save(struct dm_dev *dev, struct snap_wr *w)
{
	const struct uhci *s = dev->state;
	uint64_t left = UINT64_MAX, now;

	if (pci_func_save(&s->pci, w))
		return -EINVAL;
	if (s->timer_ready && timer_pending(&s->frame_timer)) {
		now = loop_now(s->m->loop);
		left = s->frame_timer.deadline > now ? s->frame_timer.deadline - now : 0;
	}
	snap_u16(w, "usbcmd", s->cmd);
	snap_u16(w, "usbsts", s->sts);
	snap_u16(w, "usbintr", s->intr);
	snap_u16(w, "frnum", s->frnum);
	snap_u32(w, "flbaseadd", s->flbase);
	snap_u8(w, "sofmod", s->sof);
	snap_u8(w, "status2", s->status2);
	snap_u16(w, "portsc1", s->portsc[0]);
	snap_u16(w, "portsc2", s->portsc[1]);
	return snap_u64(w, "frame_left", left);
}

static int uhci_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct uhci *s = dev->state;
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = pci_func_load(&s->pci, r);
	ret = ret ?: snap_get_u16(r, "usbcmd", &s->cmd);
	ret = ret ?: snap_get_u16(r, "usbsts", &s->sts);
	ret = ret ?: snap_get_u16(r, "usbintr", &s->intr);
	ret = ret ?: snap_get_u16(r, "frnum", &s->frnum);
	ret = ret ?: snap_get_u32(r, "flbaseadd", &s->flbase);
	ret = ret ?: snap_get_u8(r, "sofmod", &s->sof);
	ret = ret ?: snap_get_u8(r, "status2", &s->status2);
	ret = ret ?: snap_get_u16(r, "portsc1", &s->portsc[0]);
	ret = ret ?: snap_get_u16(r, "portsc2", &s->portsc[1]);
	ret = ret ?: snap_get_u64(r, "frame_left", &s->frame_left);
	if (ret)
		return ret;
	/* Only values a guest could have produced. */
	if (s->frnum > UHCI_FRNUM_MASK || (s->flbase & 0xfffu) || (s->status2 & ~3u) ||
	    (s->frame_left != UINT64_MAX && s->frame_left > FRAME_NS))
		return -EINVAL;
	for (unsigned i = 0; i < UHCI_PORTS; i++) {
		/* Connect status is the device's, not the stream's. */
		s->portsc[i] = (uint16_t)((s->portsc[i] & ~UHCI_PORT_CCS) | UHCI_PORT_RSVD1 |
					  (s->ports[i].dev ? UHCI_PORT_CCS : 0));
		if (!s->ports[i].dev)
			s->portsc[i] &= (uint16_t)~UHCI_PORT_EN;
	}
	return 0;
}

static void uhci_post_load(struct dm_dev *dev)
{
	struct uhci *s = dev->state;

	pci_func_post_load(&s->pci);
	update_irq(s);
	if (!s->timer_ready)
		return;
	timer_del(&s->frame_timer);
	/* Armed as it was saved (a tick after RS was cleared only halts), so a save repeats. */
	if (s->frame_left != UINT64_MAX) {
		s->expire = loop_now(s->m->loop) + s->frame_left;
		timer_mod(&s->frame_timer, s->expire);
	}
	s->frame_left = UINT64_MAX;
}

static const struct prop_desc uhci_props[] = {
	{ "addr", PROP_PCIADDR, NULL, 0, 0,
	  "PCI slot.function (-usb: 01.2 on the PIIX3; else the next free slot)" },
	{ NULL, PROP_INT, NULL, 0, 0, NULL },
};

const struct dev_type piix3_usb_uhci_type = {
	.name = "piix3-usb-uhci",
	.kind = DEV_KIND_PCI,
	.help = "PIIX3 USB UHCI controller (8086:7020), two root ports",
	.props = uhci_props,
	.state_size = sizeof(struct uhci),
	.state_version = 1,
	.init = uhci_init,
	.reset = uhci_reset,
	.fini = uhci_fini,
	.save = uhci_save,
	.load = uhci_load,
	.post_load = uhci_post_load,
};
