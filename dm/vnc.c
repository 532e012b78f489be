// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC server (vnc.h): libvncserver for RFB and its encodings, run from
 * the machine's loop. libvncserver is written for its own select() loop
 * and blocking socket I/O; the rules that keep it from ever waiting here:
 *
 * - We listen and accept ourselves. A client is created by rfbNewClient()
 *   on one end of a socketpair primed with "RFB ": that is what its
 *   WebSockets sniffing peeks for, so it does not wait 100 ms for the first
 *   bytes of a client that (as RFB wants) waits for the server to speak.
 *   The 12-byte ProtocolVersion it writes there is forwarded, and the
 *   client's own socket takes the socketpair's place in cl->sock.
 * - A message is handed to rfbProcessClientMessage() only once it is whole
 *   in the receive queue (vnc_proto.h), so its reads return at once. Cut
 *   text is read and dropped here (no clipboard), so its length never
 *   reaches libvncserver's allocator.
 * - Output is written only while the send queue has room for what is
 *   written: updates go out a band of rows at a time, sized to the free
 *   space, and a client whose queue is full is neither written to nor read
 *   from until it drains (its changes pile up in its pending region).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <rfb/rfb.h>
#include <rfb/rfbregion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dm/display.h"
#include "dm/input.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/vnc.h"
#include "dm/vnc_input.h"
#include "dm/vnc_keymap.h"
#include "dm/vnc_opts.h"
#include "dm/vnc_proto.h"

#define WHO "vnc"

/* The screen before the guest set a mode (QEMU shows 640x480 too). */
#define VNC_DEFAULT_W 640
#define VNC_DEFAULT_H 480
/* The send buffer asked for; the kernel caps it at net.core.wmem_max. */
#define VNC_SNDBUF (4u << 20)
/* Below this much free send space nothing is written to a client. */
#define VNC_TX_MIN (64u << 10)
/* Messages handled per client per wake-up, so one client cannot hold the loop. */
#define VNC_MSGS_PER_WAKE 64
/*
 * A reading client's events. Edge-triggered: a message that is not whole
 * yet stays in the queue (only peeked), and must not wake the loop again
 * until more of it arrives.
 */
#define VNC_READ_EVENTS (EPOLLIN | EPOLLRDHUP | EPOLLET)
/* libvncserver's write and read timeouts (ms): a backstop never reached by design. */
#define VNC_LIB_WAIT_MS 100

struct vnc_client {
	struct vnc_server *vs;
	rfbClientPtr cl;
	int fd;
	struct vnc_endpoint ep;
	uint64_t deadline_ms;  /* handshake must be done by then */
	uint64_t stall_since;  /* last time its output queue moved or had room */
	int stall_outq;	       /* the queue's length then */
	bool reading;	       /* EPOLLIN watched */
	bool backlog;	       /* whole messages left after a wake-up's budget */
	bool ext_key;	       /* QEMU extended key event enabled */
	bool ptr_change;       /* QEMU pointer motion change enabled */
	int ptr_abs_sent;      /* the pointer kind last announced (-1: none yet) */
	uint32_t cut_skip;     /* cut-text payload bytes still to discard */
	unsigned last_buttons; /* the RFB mask of the previous pointer event */
	int last_x, last_y;    /* relative mode without pointer change: -1 at first */
	struct vnc_held held;
	unsigned mods; /* VNC_MOD_* the client holds (for the keymap) */
	struct vnc_client *next;
};

struct vnc_server {
	struct machine *m;
	struct loop *loop;
	rfbScreenInfoPtr screen;
	struct vnc_opts opts;
	struct vnc_endpoint ep;
	int listen_fd;
	int timer_fd;
	bool timer_armed;
	unsigned interval_ms; /* the next frame's, VNC_FRAME_MS.. VNC_FRAME_IDLE_MAX_MS */
	unsigned stall_ms;
	int pair[2]; /* the primed socketpair rfbNewClient() is called on */
	uint32_t *fb;
	unsigned width, height;
	char password[9];
	bool password_set;
	int64_t expires; /* wall-clock seconds; INT64_MAX: never */
	struct vnc_client *clients;
	struct vnc_keymap km; /* -k; empty: keysyms as the US layout */
	struct vnc_stats st;
	char name[128];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* libvncserver's log lines go to the vnc debug category. */
static void lib_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void lib_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	size_t n;

	if (!(log_mask & LOG_VNC))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	dm_dbg(LOG_VNC, WHO, "libvncserver: %s", line);
}

/* ---------------------------------------------------------------- output */

/* Bytes the client's socket takes now without blocking (conservatively). */
static size_t tx_room(const struct vnc_client *vc)
{
	int sndbuf = 0, outq = 0;
	socklen_t len = sizeof(sndbuf);

	if (getsockopt(vc->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) ||
	    ioctl(vc->fd, SIOCOUTQ, &outq))
		return 0;
	/* The kernel doubles SO_SNDBUF for its own overhead: count only half. */
	sndbuf /= 2;
	return outq >= sndbuf ? 0 : (size_t)(sndbuf - outq);
}

static void send_rect_header(struct vnc_client *vc, int x, int y, int w, int h, int32_t enc)
{
	uint8_t b[16] = { 0, 0, 0, 1 };
	uint32_t e = (uint32_t)enc;

	b[4] = (uint8_t)(x >> 8), b[5] = (uint8_t)x, b[6] = (uint8_t)(y >> 8), b[7] = (uint8_t)y;
	b[8] = (uint8_t)(w >> 8), b[9] = (uint8_t)w, b[10] = (uint8_t)(h >> 8), b[11] = (uint8_t)h;
	b[12] = (uint8_t)(e >> 24), b[13] = (uint8_t)(e >> 16), b[14] = (uint8_t)(e >> 8);
	b[15] = (uint8_t)e;
	rfbWriteExact(vc->cl, (const char *)b, sizeof(b));
}

/* QEMU pointer motion change (rfbproto 7.8.x): tell the client which kind the guest takes. */
static void announce_pointer(struct vnc_client *vc)
{
	int abs = input_pointer_absolute(vc->vs->m);

	if (!vc->ptr_change || vc->ptr_abs_sent == abs)
		return;
	vc->ptr_abs_sent = abs;
	send_rect_header(vc, abs, 0, (int)vc->vs->width, (int)vc->vs->height, RFB_ENC_QEMU_POINTER);
}

/*
 * The band of the pending region the free space takes: rows from the top
 * of (modified AND requested) whose raw size, with a tenth to spare for
 * encodings that do worse than raw, fits in room.
 */
static sraRegionPtr next_band(struct vnc_client *vc, size_t room)
{
	rfbClientPtr cl = vc->cl;
	size_t row = (size_t)vc->vs->width * (cl->format.bitsPerPixel / 8u) + 64;
	sraRegionPtr r = sraRgnCreateRgn(cl->modifiedRegion), bbox, band;
	sraRect top;
	size_t rows;

	sraRgnAnd(r, cl->requestedRegion);
	bbox = sraRgnBBox(r);
	if (!sraRgnPopRect(bbox, &top, 0)) {
		sraRgnDestroy(bbox);
		sraRgnDestroy(r);
		return NULL;
	}
	sraRgnDestroy(bbox);
	rows = (room - room / 10) / row;
	if (!rows) {
		sraRgnDestroy(r);
		return NULL;
	}
	band = sraRgnCreateRect(0, top.y1, (int)vc->vs->width, top.y1 + (int)rows);
	sraRgnAnd(r, band);
	sraRgnDestroy(band);
	return r;
}

static bool client_gone(const struct vnc_client *vc)
{
	return vc->cl->sock == RFB_INVALID_SOCKET;
}

/* Send what the client asked for and may take now. */
static void try_send(struct vnc_client *vc)
{
	rfbClientPtr cl = vc->cl;
	size_t room;
	sraRegionPtr band;

	if (client_gone(vc) || cl->state != RFB_NORMAL)
		return;
	room = tx_room(vc);
	if (room < VNC_TX_MIN) {
		vc->vs->st.deferred++;
		return;
	}
	announce_pointer(vc);
	if (sraRgnEmpty(cl->requestedRegion) || !FB_UPDATE_PENDING(cl))
		return;
	if (cl->useNewFBSize && cl->newFBSizePending) {
		/* Only the DesktopSize rectangle goes in this update. */
		rfbSendFramebufferUpdate(cl, cl->modifiedRegion);
		vc->vs->st.updates++;
		return;
	}
	band = next_band(vc, room);
	if (!band)
		return;
	rfbSendFramebufferUpdate(cl, band);
	sraRgnDestroy(band);
	vc->vs->st.updates++;
}

/* ---------------------------------------------------------------- the screen */

/* Mark the box around what differs from the copy in rows [y0, y1), and take it. */
static bool take_band(struct vnc_server *vs, const struct display_surface *s, unsigned y0,
		      unsigned y1)
{
	unsigned x0 = vs->width, x1 = 0, first = y1, last = y0;

	for (unsigned y = y0; y < y1; y++) {
		const uint32_t *src =
		    (const uint32_t *)((const uint8_t *)s->pixels + (size_t)y * s->stride);
		uint32_t *dst = vs->fb + (size_t)y * vs->width;
		unsigned a = 0, b = vs->width;

		while (a < b && src[a] == dst[a])
			a++;
		if (a == b)
			continue;
		while (b > a && src[b - 1] == dst[b - 1])
			b--;
		memcpy(dst + a, src + a, (size_t)(b - a) * 4);
		x0 = a < x0 ? a : x0;
		x1 = b > x1 ? b : x1;
		first = y < first ? y : first;
		last = y + 1;
	}
	if (x1 <= x0)
		return false;
	rfbMarkRectAsModified(vs->screen, (int)x0, (int)first, (int)x1, (int)last);
	return true;
}

/* libvncserver's pixel format for 0x00RRGGBB words (rfbNewFramebuffer resets it). */
static void set_server_format(struct vnc_server *vs)
{
	rfbPixelFormat *f = &vs->screen->serverFormat;
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	/* depth 24 and true colour, as QEMU's ServerInit */
	f->depth = 24;
	f->trueColour = 1;
	f->redShift = 16;
	f->greenShift = 8;
	f->blueShift = 0;
	it = rfbGetClientIterator(vs->screen);
	while ((cl = rfbClientIteratorNext(it)))
		vs->screen->setTranslateFunction(cl);
	rfbReleaseClientIterator(it);
}

static int resize(struct vnc_server *vs, unsigned w, unsigned h)
{
	uint32_t *fb = calloc((size_t)w * h, 4);

	if (!fb)
		return -ENOMEM;
	rfbNewFramebuffer(vs->screen, (char *)fb, (int)w, (int)h, 8, 3, 4);
	free(vs->fb);
	vs->fb = fb;
	vs->width = w;
	vs->height = h;
	set_server_format(vs);
	for (struct vnc_client *vc = vs->clients; vc; vc = vc->next)
		vc->ptr_abs_sent = -1;
	return 0;
}

/* Bring the copy up to date; true when something changed. */
static bool refresh_screen(struct vnc_server *vs)
{
	struct display_surface s;
	struct display_dirty d;
	bool changed = false;

	vs->st.refreshes++;
	if (!display_refresh(vs->m, false, &s, &d) || !s.width || !s.height)
		return false;
	if (s.width != vs->width || s.height != vs->height) {
		if (resize(vs, s.width, s.height))
			return false;
		d.y0 = 0;
		d.y1 = s.height;
		changed = true;
	}
	/* Bands of 16 rows: one rectangle each around what changed in them. */
	for (unsigned y = d.y0; y < d.y1; y += 16)
		changed |= take_band(vs, &s, y, y + 16 < d.y1 ? y + 16 : d.y1);
	return changed;
}

/* ---------------------------------------------------------------- clients */

static void release_keys(struct vnc_client *vc)
{
	unsigned pos = 0;
	uint16_t key;

	while ((key = vnc_held_next(&vc->held, &pos)))
		input_key(vc->vs->m, key, false);
	memset(&vc->held, 0, sizeof(vc->held));
}

/* libvncserver 0.9.14 frees neither the list of a client's extensions nor their data. */
static void free_extensions(rfbClientPtr cl)
{
	while (cl->extensions) {
		rfbExtensionData *e = cl->extensions;

		cl->extensions = e->next;
		free(e->data);
		free(e);
	}
}

static void client_free(struct vnc_client *vc)
{
	struct vnc_server *vs = vc->vs;
	struct vnc_client **pp;

	for (pp = &vs->clients; *pp; pp = &(*pp)->next)
		if (*pp == vc) {
			*pp = vc->next;
			break;
		}
	release_keys(vc);
	loop_del_fd(vs->loop, vc->fd);
	if (!client_gone(vc))
		rfbCloseClient(vc->cl);
	free_extensions(vc->cl);
	/* Closes nothing more (the socket went with rfbCloseClient) and frees cl. */
	rfbClientConnectionGone(vc->cl);
	vs->st.clients--;
	free(vc);
}

static void client_drop(struct vnc_client *vc, const char *why)
{
	dm_dbg(LOG_VNC, WHO, "client %s:%s dropped: %s", vc->ep.host, vc->ep.service, why);
	vc->vs->st.dropped++;
	client_free(vc);
}

static enum vnc_phase phase_of(const rfbClientRec *cl)
{
	switch (cl->state) {
	case RFB_PROTOCOL_VERSION:
		return VNC_PHASE_VERSION;
	case RFB_SECURITY_TYPE:
		return VNC_PHASE_SECURITY;
	case RFB_AUTHENTICATION:
		return VNC_PHASE_AUTH;
	case RFB_INITIALISATION:
		return VNC_PHASE_INIT;
	default:
		return VNC_PHASE_NORMAL;
	}
}

/* Discard cut-text payload as it arrives; 0, or -1 when the client went. */
static int skip_cut(struct vnc_client *vc)
{
	char buf[4096];

	while (vc->cut_skip) {
		size_t want = vc->cut_skip < sizeof(buf) ? vc->cut_skip : sizeof(buf);
		ssize_t n = recv(vc->fd, buf, want, MSG_DONTWAIT);

		if (n > 0) {
			vc->cut_skip -= (uint32_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return -1;
	}
	return 0;
}

enum step { STEP_WAIT, STEP_DONE, STEP_GONE };

/* Handle the next whole message, if there is one. */
static enum step step_input(struct vnc_client *vc, const char **why)
{
	uint8_t peek[32];
	ssize_t n;
	size_t len, avail;
	int queued = 0;
	enum vnc_frame f;

	if (vc->cut_skip) {
		if (skip_cut(vc))
			return *why = "connection closed", STEP_GONE;
		return vc->cut_skip ? STEP_WAIT : STEP_DONE;
	}
	n = recv(vc->fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return *why = "connection closed", STEP_GONE;
	if (n < 0)
		return STEP_WAIT;
	if (ioctl(vc->fd, FIONREAD, &queued) || queued < n)
		queued = (int)n;
	avail = (size_t)queued;
	f = vnc_frame_next(phase_of(vc->cl), peek, (size_t)n, &len);
	if (f == VNC_FRAME_BAD)
		return *why = "a message the server does not take", STEP_GONE;
	if (f == VNC_FRAME_CUT) {
		if (recv(vc->fd, peek, RFB_CUT_TEXT_HDR, MSG_DONTWAIT) != RFB_CUT_TEXT_HDR)
			return *why = "short read", STEP_GONE;
		vc->cut_skip = (uint32_t)len;
		return STEP_DONE;
	}
	/* Lengths past the peek are counted in the queue, not in peek[]. */
	if (f == VNC_FRAME_SHORT && len > (size_t)n && avail >= len)
		f = VNC_FRAME_WHOLE;
	if (f != VNC_FRAME_WHOLE || avail < len)
		return STEP_WAIT;
	rfbProcessClientMessage(vc->cl);
	if (client_gone(vc))
		return *why = "refused by the protocol", STEP_GONE;
	return STEP_DONE;
}

/* The next frame in interval_ms (one-shot: every frame picks the next interval). */
static void arm_timer(struct vnc_server *vs, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_value.tv_sec = vs->interval_ms / 1000;
		its.it_value.tv_nsec = (long)(vs->interval_ms % 1000) * 1000000L;
	}
	if (!timerfd_settime(vs->timer_fd, 0, &its, NULL))
		vs->timer_armed = on;
}

/* A change, or input that will likely cause one: frames at full rate again. */
static void wake_frames(struct vnc_server *vs)
{
	if (vs->interval_ms == VNC_FRAME_MS)
		return;
	vs->interval_ms = VNC_FRAME_MS;
	arm_timer(vs, true);
}

static void next_interval(struct vnc_server *vs, bool changed)
{
	if (changed)
		vs->interval_ms = VNC_FRAME_MS;
	else if (vs->interval_ms + VNC_FRAME_IDLE_INC_MS < VNC_FRAME_IDLE_MAX_MS)
		vs->interval_ms += VNC_FRAME_IDLE_INC_MS;
	else
		vs->interval_ms = VNC_FRAME_IDLE_MAX_MS;
}

static void set_reading(struct vnc_client *vc, bool on)
{
	if (vc->reading == on)
		return;
	/* Not reading, still told when the client goes (its slot is freed at once). */
	if (!loop_mod_fd(vc->vs->loop, vc->fd, on ? VNC_READ_EVENTS : EPOLLRDHUP))
		vc->reading = on;
}

/* Read while the client's output has room (a reply may be written at any message). */
static bool pump_input(struct vnc_client *vc)
{
	const char *why = NULL;

	vc->backlog = true;
	for (int i = 0; i < VNC_MSGS_PER_WAKE; i++) {
		enum step s;

		if (tx_room(vc) < VNC_TX_MIN) {
			set_reading(vc, false);
			vc->vs->st.deferred++;
			return true;
		}
		s = step_input(vc, &why);
		if (s == STEP_GONE) {
			client_drop(vc, why);
			return false;
		}
		if (s == STEP_WAIT) {
			vc->backlog = false;
			break;
		}
	}
	/* The edge is spent: a backlog is taken up at the next frame. */
	if (vc->backlog)
		wake_frames(vc->vs);
	set_reading(vc, true);
	return true;
}

static void on_client_io(void *opaque, uint32_t events)
{
	struct vnc_client *vc = opaque;

	if ((events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) && !vc->reading) {
		client_drop(vc, "connection closed while its output was full");
		return;
	}
	if ((events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN)) {
		client_drop(vc, "connection closed");
		return;
	}
	if (!pump_input(vc))
		return;
	/* It closed its side: what is left is a message that will never be whole. */
	if (events & (EPOLLRDHUP | EPOLLHUP)) {
		client_drop(vc, "connection closed mid-message");
		return;
	}
	try_send(vc);
}

/* True when the client's output has been full and unmoving for stall_ms (it is dropped). */
static bool stalled(struct vnc_client *vc, uint64_t now)
{
	int outq = 0;

	if (ioctl(vc->fd, SIOCOUTQ, &outq) || tx_room(vc) >= VNC_TX_MIN || outq != vc->stall_outq) {
		vc->stall_outq = outq;
		vc->stall_since = now;
		return false;
	}
	/* looked at again soon, not after an idle back-off */
	vc->vs->interval_ms = VNC_FRAME_MS;
	if (now - vc->stall_since < vc->vs->stall_ms)
		return false;
	client_drop(vc, "its output did not move");
	return true;
}

/* Each frame: the screen, then every client's sends, timeouts and stalled input. */
static void on_frame(void *opaque, uint32_t events)
{
	struct vnc_server *vs = opaque;
	uint64_t ticks, now = mono_ms();
	struct vnc_client *vc, *next;

	(void)events;
	if (read(vs->timer_fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return;
	next_interval(vs, refresh_screen(vs));
	for (vc = vs->clients; vc; vc = next) {
		next = vc->next;
		if (vc->cl->state != RFB_NORMAL && now >= vc->deadline_ms) {
			client_drop(vc, "handshake timed out");
			continue;
		}
		if (stalled(vc, now))
			continue;
		/* a client waiting for room is looked at again soon */
		if (!vc->reading)
			vs->interval_ms = VNC_FRAME_MS;
		if ((!vc->reading || vc->backlog) && !pump_input(vc))
			continue;
		try_send(vc);
	}
	arm_timer(vs, vs->clients != NULL);
}

/* ---------------------------------------------------------------- libvncserver hooks */

/* The modifier a keysym is (for choosing a keymap entry), or 0. */
static unsigned keysym_mod(uint32_t keysym)
{
	switch (keysym) {
	case 0xffe1: /* Shift_L (keysymdef.h) */
	case 0xffe2: /* Shift_R */
		return VNC_MOD_SHIFT;
	case 0xfe03: /* ISO_Level3_Shift */
	case 0xff7e: /* Mode_switch */
		return VNC_MOD_ALTGR;
	default:
		return 0;
	}
}

static uint16_t keysym_key(struct vnc_client *vc, uint32_t keysym)
{
	uint16_t key = vc->vs->km.n ? vnc_keymap_key(&vc->vs->km, keysym, vc->mods) : 0;

	return key ? key : input_keysym_to_key(keysym);
}

static void kbd_event(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
	struct vnc_client *vc = cl->clientData;
	unsigned mod = keysym_mod((uint32_t)keysym);
	uint16_t key;

	if (!vc)
		return;
	key = keysym_key(vc, (uint32_t)keysym);
	vc->mods = down ? vc->mods | mod : vc->mods & ~mod;
	if (!key)
		return;
	vnc_held_set(&vc->held, key, down);
	input_key(vc->vs->m, key, down);
	wake_frames(vc->vs);
}

static void ptr_event(int mask, int x, int y, rfbClientPtr cl)
{
	struct vnc_client *vc = cl->clientData;
	struct machine *m;
	unsigned btn;
	int dz;

	if (!vc)
		return;
	wake_frames(vc->vs);
	m = vc->vs->m;
	btn = vnc_buttons((unsigned)mask);
	dz = vnc_wheel(vc->last_buttons, (unsigned)mask);
	vc->last_buttons = (unsigned)mask;
	if (input_pointer_absolute(m)) {
		input_pointer_abs(m, vnc_abs_scale((unsigned)x, vc->vs->width),
				  vnc_abs_scale((unsigned)y, vc->vs->height), dz, btn);
	} else if (vc->ptr_change && vc->ptr_abs_sent == 0) {
		input_pointer_rel(m, x - 0x7fff, y - 0x7fff, dz, btn);
	} else {
		int dx = vc->last_x < 0 ? 0 : x - vc->last_x;
		int dy = vc->last_x < 0 ? 0 : y - vc->last_y;

		vc->last_x = x;
		vc->last_y = y;
		input_pointer_rel(m, dx, dy, dz, btn);
	}
}

static rfbBool check_password(rfbClientPtr cl, const char *response, int len)
{
	struct vnc_client *vc = cl->clientData;
	struct vnc_server *vs = vc ? vc->vs : NULL;
	unsigned char expect[CHALLENGESIZE];
	unsigned diff = 0;

	if (!vs || !vs->password_set || len != CHALLENGESIZE || (int64_t)time(NULL) >= vs->expires)
		return FALSE;
	memcpy(expect, cl->authChallenge, CHALLENGESIZE);
	rfbEncryptBytes(expect, vs->password);
	for (int i = 0; i < CHALLENGESIZE; i++)
		diff |= (unsigned)(expect[i] ^ (unsigned char)response[i]);
	return diff == 0;
}

static enum rfbNewClientAction new_client_hook(rfbClientPtr cl)
{
	(void)cl;
	return RFB_CLIENT_ACCEPT;
}

static void cut_text(char *str, int len, rfbClientPtr cl)
{
	(void)str, (void)len, (void)cl;
}

/* The QEMU extensions: extended key event (-258), pointer motion change (-257). */
static int qemu_encodings[] = { RFB_ENC_QEMU_EXT_KEY, RFB_ENC_QEMU_POINTER, 0 };

static rfbBool ext_new_client(rfbClientPtr cl, void **data)
{
	(void)cl;
	*data = NULL;
	return TRUE;
}

static rfbBool ext_enable(rfbClientPtr cl, void **data, int enc)
{
	struct vnc_client *vc = cl->clientData;

	(void)data;
	if (!vc)
		return FALSE;
	if (enc == RFB_ENC_QEMU_EXT_KEY) {
		/* QEMU acknowledges with a rectangle of the encoding (rfbproto 7.8.x). */
		if (!vc->ext_key)
			send_rect_header(vc, 0, 0, (int)vc->vs->width, (int)vc->vs->height,
					 RFB_ENC_QEMU_EXT_KEY);
		vc->ext_key = true;
		return TRUE;
	}
	if (enc == RFB_ENC_QEMU_POINTER) {
		vc->ptr_change = true;
		vc->ptr_abs_sent = -1;
		return TRUE;
	}
	return FALSE;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* QEMU client message 255/0: down (u16), keysym (u32), keycode (u32, a qnum). */
static rfbBool ext_message(rfbClientPtr cl, void *data, const rfbClientToServerMsg *msg)
{
	struct vnc_client *vc = cl->clientData;
	uint8_t b[RFB_QEMU_EXT_KEY_LEN - 1];
	uint16_t key;
	bool down;

	(void)data;
	if (msg->type != RFB_QEMU || !vc)
		return FALSE;
	if (rfbReadExact(cl, (char *)b, sizeof(b)) <= 0) {
		rfbCloseClient(cl);
		return TRUE;
	}
	down = b[1] || b[2];
	key = vnc_qnum_to_key(rd32(b + 7));
	if (!key)
		key = keysym_key(vc, rd32(b + 3));
	if (key) {
		vnc_held_set(&vc->held, key, down);
		input_key(vc->vs->m, key, down);
	}
	wake_frames(vc->vs);
	return TRUE;
}

static rfbProtocolExtension qemu_ext = {
	.newClient = ext_new_client,
	.pseudoEncodings = qemu_encodings,
	.enablePseudoEncoding = ext_enable,
	.handleMessage = ext_message,
};

/* ---------------------------------------------------------------- accepting */

static int prime_pair(struct vnc_server *vs)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, vs->pair))
		return vs->pair[0] = vs->pair[1] = -1, -errno;
	/* Peeked, never read: it stays there for every rfbNewClient(). */
	if (write(vs->pair[0], "RFB ", 4) != 4) {
		close(vs->pair[0]);
		close(vs->pair[1]);
		vs->pair[0] = vs->pair[1] = -1;
		return -EIO;
	}
	return 0;
}

static void describe_peer(struct vnc_client *vc, const struct sockaddr_storage *sa, socklen_t len)
{
	if (sa->ss_family == AF_UNIX) {
		snprintf(vc->ep.host, sizeof(vc->ep.host), "%s", "");
		snprintf(vc->ep.service, sizeof(vc->ep.service), "%s", vc->vs->opts.path);
		vc->ep.family = "unix";
		return;
	}
	if (getnameinfo((const struct sockaddr *)sa, len, vc->ep.host, sizeof(vc->ep.host),
			vc->ep.service, sizeof(vc->ep.service), NI_NUMERICHOST | NI_NUMERICSERV))
		vc->ep.host[0] = vc->ep.service[0] = '\0';
	vc->ep.family = sa->ss_family == AF_INET6 ? "ipv6" : "ipv4";
}

/* libvncserver's client on the primed pair, then moved onto fd. */
static rfbClientPtr make_lib_client(struct vnc_server *vs, int fd)
{
	char pv[sz_rfbProtocolVersionMsg];
	rfbClientPtr cl;

	if (vs->pair[1] < 0 && prime_pair(vs))
		return NULL;
	cl = rfbNewClient(vs->screen, vs->pair[1]);
	if (!cl) {
		/* It closed its end: make a new pair next time. */
		close(vs->pair[0]);
		vs->pair[0] = vs->pair[1] = -1;
		return NULL;
	}
	FD_CLR(vs->pair[1], &vs->screen->allFds);
	if (read(vs->pair[0], pv, sizeof(pv)) != (ssize_t)sizeof(pv) ||
	    write(fd, pv, sizeof(pv)) != (ssize_t)sizeof(pv)) {
		cl->sock = RFB_INVALID_SOCKET;
		free_extensions(cl);
		rfbClientConnectionGone(cl);
		return NULL;
	}
	cl->sock = fd;
	return cl;
}

static void tune_socket(int fd, bool tcp)
{
	int one = 1, sndbuf = VNC_SNDBUF;

	if (tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
}

static void accept_one(struct vnc_server *vs, int fd, const struct sockaddr_storage *sa,
		       socklen_t salen)
{
	struct vnc_client *vc;

	if (vs->st.clients >= VNC_MAX_CLIENTS || fd >= FD_SETSIZE) {
		vs->st.refused++;
		close(fd);
		return;
	}
	vc = calloc(1, sizeof(*vc));
	if (!vc) {
		close(fd);
		return;
	}
	vc->vs = vs;
	vc->fd = fd;
	vc->last_x = vc->last_y = -1;
	vc->ptr_abs_sent = -1;
	vc->deadline_ms = mono_ms() + VNC_HANDSHAKE_MS;
	vc->stall_since = mono_ms();
	describe_peer(vc, sa, salen);
	tune_socket(fd, sa->ss_family != AF_UNIX);
	/* ServerInit then gives the mode the guest has now. */
	refresh_screen(vs);
	vc->cl = make_lib_client(vs, fd);
	if (!vc->cl || loop_add_fd(vs->loop, fd, VNC_READ_EVENTS, on_client_io, vc)) {
		if (vc->cl) {
			free_extensions(vc->cl);
			rfbClientConnectionGone(vc->cl); /* closes fd */
		} else
			close(fd);
		free(vc);
		vs->st.refused++;
		return;
	}
	free(vc->cl->host);
	vc->cl->host = strdup(vc->ep.host);
	vc->cl->clientData = vc;
	vc->reading = true;
	vc->next = vs->clients;
	vs->clients = vc;
	vs->st.clients++;
	vs->st.accepted++;
	wake_frames(vs);
	if (!vs->timer_armed)
		arm_timer(vs, true);
}

static void on_listen(void *opaque, uint32_t events)
{
	struct vnc_server *vs = opaque;

	(void)events;
	for (int i = 0; i < VNC_MAX_CLIENTS + 1; i++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(vs->listen_fd, (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		accept_one(vs, fd, &sa, len);
	}
}

/* ---------------------------------------------------------------- listening */

static int listen_unix(struct vnc_server *vs, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", vs->opts.path);
	if (fd >= 0)
		unlink(vs->opts.path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 16)) {
		snprintf(err, errlen, "unix:%s: %s", vs->opts.path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EADDRINUSE;
	}
	vs->listen_fd = fd;
	snprintf(vs->ep.service, sizeof(vs->ep.service), "%s", vs->opts.path);
	vs->ep.family = "unix";
	return 0;
}

/* Bind one address of host on port; the fd or -errno. */
static int bind_tcp(const struct addrinfo *ai)
{
	int one = 1;
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static int listen_port(struct vnc_server *vs, int port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res, *ai;
	char serv[12];
	int fd = -EADDRNOTAVAIL;

	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(vs->opts.host[0] ? vs->opts.host : NULL, serv, &hints, &res))
		return -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = bind_tcp(ai);
		if (fd >= 0) {
			vs->ep.family = ai->ai_family == AF_INET6 ? "ipv6" : "ipv4";
			getnameinfo(ai->ai_addr, ai->ai_addrlen, vs->ep.host, sizeof(vs->ep.host),
				    NULL, 0, NI_NUMERICHOST);
			break;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* The first free display from opts.display to opts.to, as QEMU's to= search. */
static int listen_tcp(struct vnc_server *vs, char *err, size_t errlen)
{
	int fd = -EADDRINUSE;

	for (int d = vs->opts.display; d <= vs->opts.to; d++) {
		fd = listen_port(vs, VNC_BASE_PORT + d);
		if (fd >= 0) {
			vs->listen_fd = fd;
			snprintf(vs->ep.service, sizeof(vs->ep.service), "%d", VNC_BASE_PORT + d);
			return 0;
		}
		if (fd != -EADDRINUSE)
			break;
	}
	snprintf(err, errlen, "%s:%d%s: %s", vs->opts.host, vs->opts.display,
		 vs->opts.to > vs->opts.display ? " (and the displays up to to=)" : "",
		 fd == -EADDRINUSE ? "Failed to find an available port: Address already in use"
				   : strerror(-fd));
	return fd;
}

/* ---------------------------------------------------------------- set-up */

/*
 * Done before the sandbox: libgcrypt's first DES use may read files, and
 * libvncserver seeds random() from the time and pid on its first challenge;
 * reseeding from getrandom() afterwards makes the challenges unpredictable.
 */
static void warm_crypto(void)
{
	unsigned char c[CHALLENGESIZE] = { 0 };
	char key[] = "hvmdm";
	unsigned seed = 0;

	rfbRandomBytes(c);
	rfbEncryptBytes(c, key);
	if (getrandom(&seed, sizeof(seed), 0) == sizeof(seed))
		srandom(seed);
}

static int setup_screen(struct vnc_server *vs, const char *name)
{
	int argc = 0;
	rfbScreenInfoPtr s = rfbGetScreen(&argc, NULL, VNC_DEFAULT_W, VNC_DEFAULT_H, 8, 3, 4);

	if (!s)
		return -ENOMEM;
	vs->screen = s;
	snprintf(vs->name, sizeof(vs->name), name && *name ? "QEMU (%s)" : "QEMU", name);
	s->desktopName = vs->name;
	s->autoPort = FALSE;
	s->port = 0;
	s->ipv6port = 0;
	s->httpPort = 0;
	s->httpDir = NULL;
	s->cursor = NULL;
	s->alwaysShared = TRUE;
	s->maxClientWait = VNC_LIB_WAIT_MS;
	s->deferUpdateTime = 0;
	s->deferPtrUpdateTime = 0;
	s->kbdAddEvent = kbd_event;
	s->ptrAddEvent = ptr_event;
	s->setXCutText = cut_text;
	s->newClientHook = new_client_hook;
	s->passwordCheck = check_password;
	/* Non-NULL offers VNC Authentication; check_password decides. */
	s->authPasswdData = vs->opts.password ? (void *)vs : NULL;
	s->screenData = vs;
	rfbInitServer(s);
	return resize(vs, VNC_DEFAULT_W, VNC_DEFAULT_H);
}

static int setup_timer(struct vnc_server *vs)
{
	vs->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (vs->timer_fd < 0)
		return -errno;
	return loop_add_fd(vs->loop, vs->timer_fd, EPOLLIN, on_frame, vs);
}

int vnc_start(struct machine *m, const struct vnc_opts *o, const char *name,
	      struct vnc_server **out, char *err, size_t errlen)
{
	static bool registered;
	struct vnc_server *vs;
	int r;

	*out = NULL;
	if (!o->enabled)
		return 0;
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	vs->m = m;
	vs->loop = m->loop;
	vs->opts = *o;
	vs->listen_fd = vs->timer_fd = vs->pair[0] = vs->pair[1] = -1;
	vs->expires = INT64_MAX;
	vs->interval_ms = VNC_FRAME_MS;
	vs->stall_ms = VNC_STALL_MS;
	snprintf(vs->ep.host, sizeof(vs->ep.host), "%s", o->unix_socket ? "" : o->host);
	rfbLog = lib_log;
	rfbErr = lib_log;
	if (!registered) {
		rfbRegisterProtocolExtension(&qemu_ext);
		registered = true;
	}
	warm_crypto();
	r = o->keymap[0] ? vnc_keymap_load(&vs->km, VNC_KEYMAP_DIR, o->keymap, err, errlen) : 0;
	if (!r && (r = setup_screen(vs, name)))
		snprintf(err, errlen, "cannot set up the RFB screen: %s", strerror(-r));
	if (!r)
		r = o->unix_socket ? listen_unix(vs, err, errlen) : listen_tcp(vs, err, errlen);
	if (!r && (r = prime_pair(vs)))
		snprintf(err, errlen, "socketpair: %s", strerror(-r));
	if (!r && (r = setup_timer(vs)))
		snprintf(err, errlen, "timerfd: %s", strerror(-r));
	if (!r && (r = loop_add_fd(vs->loop, vs->listen_fd, EPOLLIN, on_listen, vs)))
		snprintf(err, errlen, "cannot watch the listening socket: %s", strerror(-r));
	if (r) {
		vnc_stop(vs);
		return r;
	}
	*out = vs;
	return 0;
}

void vnc_stop(struct vnc_server *vs)
{
	if (!vs)
		return;
	while (vs->clients)
		client_free(vs->clients);
	if (vs->listen_fd >= 0) {
		loop_del_fd(vs->loop, vs->listen_fd);
		close(vs->listen_fd);
		if (vs->opts.unix_socket)
			unlink(vs->opts.path);
	}
	if (vs->timer_fd >= 0) {
		loop_del_fd(vs->loop, vs->timer_fd);
		close(vs->timer_fd);
	}
	for (int i = 0; i < 2; i++)
		if (vs->pair[i] >= 0)
			close(vs->pair[i]);
	if (vs->screen) {
		vs->screen->frameBuffer = NULL;
		rfbScreenCleanup(vs->screen);
	}
	vnc_keymap_free(&vs->km);
	free(vs->fb);
	free(vs);
}

/* ---------------------------------------------------------------- QMP */

void vnc_query(const struct vnc_server *vs, struct vnc_endpoint *ep, const char **auth)
{
	*ep = vs->ep;
	*auth = vs->opts.password ? "vnc" : "none";
}

unsigned vnc_query_clients(const struct vnc_server *vs, struct vnc_endpoint *out, unsigned max)
{
	unsigned n = 0;

	for (const struct vnc_client *vc = vs->clients; vc; vc = vc->next) {
		if (vc->cl->state != RFB_NORMAL)
			continue;
		if (n < max)
			out[n] = vc->ep;
		n++;
	}
	return n;
}

int vnc_set_password(struct vnc_server *vs, const char *pw)
{
	if (!vs || !vs->opts.password)
		return -EINVAL;
	snprintf(vs->password, sizeof(vs->password), "%s", pw);
	vs->password_set = true;
	return 0;
}

void vnc_expire_password(struct vnc_server *vs, int64_t when)
{
	if (vs)
		vs->expires = when;
}

void vnc_set_stall_ms(struct vnc_server *vs, unsigned ms)
{
	vs->stall_ms = ms;
}

void vnc_get_stats(const struct vnc_server *vs, struct vnc_stats *st)
{
	*st = vs->st;
	st->interval_ms = vs->interval_ms;
}
