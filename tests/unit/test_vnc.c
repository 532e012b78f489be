// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC server (dm/vnc.c) against RFB clients written here (RFC 6143
 * byte for byte) and a real one from Debian (vncsnapshot), on a display
 * source of the test's own that draws a known pattern and changes it, and
 * input handlers that record what reaches them.
 *
 * Waiting is bounded by loop iterations, never by a clock: a client's read
 * runs the server's loop until the bytes are there or the test fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <rfb/rfb.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jpeglib.h> /* after stdio.h: it uses FILE */

#include "dm/bus.h"
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
#include "hw/vga/vga_adapter.h"

extern char **environ;

/* ---------------------------------------------------------------- the display source */

#define MAXW 800
#define MAXH 600

struct pattern {
	unsigned w, h;
	uint32_t px[MAXW * MAXH];
	unsigned y0, y1; /* dirty rows to report next */
};

static struct pattern pat;

static void pat_refresh(void *opaque, bool full, struct display_surface *s, struct display_dirty *d)
{
	struct pattern *p = opaque;

	s->width = p->w;
	s->height = p->h;
	s->stride = p->w * 4;
	s->pixels = p->px;
	d->y0 = full ? 0 : p->y0;
	d->y1 = full ? p->h : p->y1;
	p->y0 = p->y1 = 0;
}

static const struct display_source pat_src = { .name = "test-pattern", .refresh = pat_refresh };

/* Blocks of 40x40 in colours that survive JPEG (vncsnapshot writes JPEG only). */
static uint32_t block_colour(unsigned x, unsigned y)
{
	static const uint32_t c[] = { 0xff0000, 0x00ff00, 0x0000ff, 0xffffff,
				      0x000000, 0xffff00, 0x00ffff, 0x808080 };

	return c[((x / 40) + 3 * (y / 40)) % 8];
}

static void pat_draw(unsigned w, unsigned h)
{
	pat.w = w;
	pat.h = h;
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++)
			pat.px[y * w + x] = block_colour(x, y);
	pat.y0 = 0;
	pat.y1 = h;
}

/* ---------------------------------------------------------------- input recorders */

struct ev {
	char kind; /* 'k', 'r', 'a' */
	unsigned a, b;
	int c, d, dz;
	unsigned buttons;
};

static struct ev evs[256];
static unsigned nevs;

static void rec_key(void *o, uint16_t key, bool down)
{
	(void)o;
	if (nevs < 256)
		evs[nevs++] = (struct ev){ .kind = 'k', .a = key, .b = down };
}

static void rec_rel(void *o, int dx, int dy, int dz, unsigned buttons)
{
	(void)o;
	if (nevs < 256)
		evs[nevs++] =
		    (struct ev){ .kind = 'r', .c = dx, .d = dy, .dz = dz, .buttons = buttons };
}

static void rec_abs(void *o, unsigned x, unsigned y, int dz, unsigned buttons)
{
	(void)o;
	if (nevs < 256)
		evs[nevs++] =
		    (struct ev){ .kind = 'a', .a = x, .b = y, .dz = dz, .buttons = buttons };
}

static const struct input_handler kbd = { .name = "kbd", .mask = INPUT_MASK_KEY, .key = rec_key };
static const struct input_handler mouse = { .name = "mouse",
					    .mask = INPUT_MASK_REL,
					    .rel = rec_rel };
static const struct input_handler tablet = { .name = "tablet",
					     .mask = INPUT_MASK_ABS,
					     .abs = rec_abs };

/* ---------------------------------------------------------------- the server under test */

static struct machine M;
/* false: the test registers its own display source (the VGA adapter) */
static bool with_pattern = true;
/* -k for the next server_up ("": keysyms as US) */
static const char *test_keymap = "";
static struct vnc_server *VS;
static int h_kbd = -1, h_ptr = -1;
static char sock_path[108];

static void pump(int n)
{
	for (int i = 0; i < n; i++)
		loop_iterate(M.loop, 2);
}

static void server_up(const char *spec, bool absolute)
{
	struct vnc_opts o;
	char err[256];

	memset(&M, 0, sizeof(M));
	M.loop = loop_new(false);
	assert_non_null(M.loop);
	pat_draw(320, 200);
	if (with_pattern)
		assert_int_equal(display_register(&M, &pat_src, &pat), 0);
	h_kbd = input_register(&M, &kbd, NULL);
	h_ptr = input_register(&M, absolute ? &tablet : &mouse, NULL);
	assert_true(h_kbd >= 0 && h_ptr >= 0);
	assert_int_equal(vnc_opts_parse(spec, &o, err, sizeof(err)), 0);
	snprintf(o.keymap, sizeof(o.keymap), "%s", test_keymap);
	if (vnc_start(&M, &o, "guest7", &VS, err, sizeof(err)))
		fail_msg("vnc_start: %s", err);
	nevs = 0;
}

static void server_up_unix(bool password, bool absolute)
{
	char spec[160];

	snprintf(sock_path, sizeof(sock_path), "/tmp/hvmdm-test-vnc-%d.sock", (int)getpid());
	snprintf(spec, sizeof(spec), "unix:%s%s", sock_path, password ? ",password=on" : "");
	server_up(spec, absolute);
}

static void server_down(void)
{
	if (!M.loop)
		return;
	vnc_stop(VS);
	VS = NULL;
	input_unregister(h_kbd);
	input_unregister(h_ptr);
	display_unregister(&M);
	loop_free(M.loop);
	M.loop = NULL;
	with_pattern = true;
	test_keymap = "";
}

/* After every test, also one that failed half-way. */
static int teardown(void **state)
{
	(void)state;
	server_down();
	return 0;
}

/* ---------------------------------------------------------------- an RFB client */

static int cli_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/*
 * How long a client waits for the server before the test fails. The server
 * runs on the loop's real clock (its refresh backs off up to 3 s on an idle
 * screen), and a count of loop iterations is no measure of time: an
 * iteration returns at once while other fds are ready. So the bound is a
 * generous deadline, a hang guard only: a correct server answers well
 * before it, however loaded the machine.
 */
#define CLI_WAIT_S 60.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cli_send(int fd, const void *b, size_t n)
{
	assert_int_equal(send(fd, b, n, MSG_NOSIGNAL), (ssize_t)n);
	pump(3);
}

/* n bytes, running the server meanwhile; false on EOF (the server closed). */
static bool cli_recv(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	for (double end = now_s() + CLI_WAIT_S; n && now_s() < end;) {
		ssize_t r = recv(fd, p, n, MSG_DONTWAIT);

		if (r == 0)
			return false;
		if (r < 0) {
			assert_true(errno == EAGAIN || errno == ECONNRESET);
			if (errno == ECONNRESET)
				return false;
			loop_iterate(M.loop, 2);
			continue;
		}
		p += r;
		n -= (size_t)r;
	}
	assert_int_equal(n, 0);
	return true;
}

/* True once the server closed the connection (EOF or reset). */
static bool cli_closed(int fd)
{
	uint8_t b[4096];

	for (double end = now_s() + CLI_WAIT_S; now_s() < end;) {
		ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);

		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
		if (r < 0)
			loop_iterate(M.loop, 2);
	}
	return false;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct server_init {
	unsigned w, h;
	uint8_t fmt[16];
	char name[64];
};

/*
 * RFB 3.8 up to ServerInit (RFC 6143 7.1-7.3). pw NULL: security type None.
 * Returns the SecurityResult (0 OK), with si filled when it is 0.
 */
static uint32_t cli_handshake(int fd, const char *pw, struct server_init *si)
{
	uint8_t v[12], n, types[16], res[4], init[24], one = 1;
	uint8_t type = pw ? rfbVncAuth : rfbNoAuth;

	assert_true(cli_recv(fd, v, 12));
	assert_memory_equal(v, "RFB 003.008\n", 12);
	cli_send(fd, "RFB 003.008\n", 12);
	assert_true(cli_recv(fd, &n, 1));
	assert_true(n >= 1 && n <= sizeof(types));
	assert_true(cli_recv(fd, types, n));
	assert_int_equal(types[0], type);
	cli_send(fd, &type, 1);
	if (pw) {
		uint8_t ch[16];
		char key[9];

		assert_true(cli_recv(fd, ch, 16));
		snprintf(key, sizeof(key), "%s", pw);
		rfbEncryptBytes(ch, key);
		cli_send(fd, ch, 16);
	}
	if (!cli_recv(fd, res, 4))
		return UINT32_MAX;
	if (be32(res))
		return be32(res);
	cli_send(fd, &one, 1);
	assert_true(cli_recv(fd, init, 24));
	si->w = be16(init);
	si->h = be16(init + 2);
	memcpy(si->fmt, init + 4, 16);
	assert_true(be32(init + 20) < sizeof(si->name));
	assert_true(cli_recv(fd, si->name, be32(init + 20)));
	si->name[be32(init + 20)] = '\0';
	return 0;
}

/* SetPixelFormat: 32 bpp, depth 24, little endian, true colour, 0x00RRGGBB. */
static void cli_format32(int fd)
{
	uint8_t m[20] = {
		RFB_SET_PIXEL_FORMAT, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0
	};

	cli_send(fd, m, sizeof(m));
}

static void cli_encodings(int fd, const int32_t *enc, unsigned n)
{
	uint8_t m[4 + 4 * 16] = { RFB_SET_ENCODINGS, 0 };

	put16(m + 2, n);
	for (unsigned i = 0; i < n; i++)
		put32(m + 4 + 4 * i, (uint32_t)enc[i]);
	cli_send(fd, m, 4 + 4 * n);
}

static void cli_request(int fd, bool incremental, unsigned x, unsigned y, unsigned w, unsigned h)
{
	uint8_t m[10] = { RFB_FB_UPDATE_REQUEST, incremental };

	put16(m + 2, x);
	put16(m + 4, y);
	put16(m + 6, w);
	put16(m + 8, h);
	cli_send(fd, m, sizeof(m));
}

struct rect {
	unsigned x, y, w, h;
	int32_t enc;
};

/* The client's copy of the screen, filled from raw rectangles. */
static uint32_t screen_copy[MAXW * MAXH];
static unsigned copy_w;

/* One FramebufferUpdate: its rectangles (raw ones painted into screen_copy). */
static unsigned cli_update(int fd, struct rect *rects, unsigned max)
{
	uint8_t hdr[4], rh[12];
	unsigned n;

	assert_true(cli_recv(fd, hdr, 4));
	assert_int_equal(hdr[0], 0); /* FramebufferUpdate */
	n = be16(hdr + 2);
	for (unsigned i = 0; i < n; i++) {
		struct rect r;

		assert_true(cli_recv(fd, rh, 12));
		r = (struct rect){ be16(rh), be16(rh + 2), be16(rh + 4), be16(rh + 6),
				   (int32_t)be32(rh + 8) };
		if (r.enc == rfbEncodingRaw) {
			assert_true(r.x + r.w <= MAXW && r.y + r.h <= MAXH);
			for (unsigned y = 0; y < r.h; y++)
				assert_true(
				    cli_recv(fd, screen_copy + (r.y + y) * copy_w + r.x, r.w * 4));
		}
		if (i < max)
			rects[i] = r;
	}
	return n;
}

/* Request and read until every row of a w x h screen came (updates go in bands). */
static void cli_fetch_full(int fd, unsigned w, unsigned h)
{
	static uint8_t got[MAXH];
	unsigned have = 0;
	struct rect r[64];

	memset(got, 0, sizeof(got));
	copy_w = w;
	cli_request(fd, false, 0, 0, w, h);
	for (int round = 0; have < h && round < 200; round++) {
		unsigned n = cli_update(fd, r, 64);

		for (unsigned i = 0; i < n && i < 64; i++) {
			assert_int_equal(r[i].enc, rfbEncodingRaw);
			assert_int_equal(r[i].x, 0);
			assert_int_equal(r[i].w, w);
			for (unsigned y = r[i].y; y < r[i].y + r[i].h; y++)
				if (!got[y]++)
					have++;
		}
		if (have < h)
			cli_request(fd, true, 0, 0, w, h);
	}
	assert_int_equal(have, h);
}

static int open_client_si(struct server_init *si)
{
	int fd = cli_connect();

	assert_int_equal(cli_handshake(fd, NULL, si), 0);
	cli_format32(fd);
	return fd;
}

static int open_client(void)
{
	struct server_init si;

	return open_client_si(&si);
}

/* A client past the handshake, raw encoding, holding the whole 320x200 pattern. */
static int raw_client_with_screen(void)
{
	int fd = open_client();

	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw }, 1);
	cli_fetch_full(fd, 320, 200);
	return fd;
}

/* ---------------------------------------------------------------- option parsing, framing, input
 * maps */

static void opts_as_libxl_writes_them(void **state)
{
	struct vnc_opts o;
	char err[200];

	(void)state;
	assert_int_equal(vnc_opts_parse("127.0.0.1:0,to=99", &o, err, sizeof(err)), 0);
	assert_true(o.enabled && !o.unix_socket && !o.password);
	assert_string_equal(o.host, "127.0.0.1");
	assert_int_equal(o.display, 0);
	assert_int_equal(o.to, 99);
	assert_int_equal(vnc_opts_parse("0.0.0.0:3,password=on,to=99", &o, err, sizeof(err)), 0);
	assert_true(o.password);
	assert_int_equal(o.display, 3);
	assert_int_equal(vnc_opts_parse(":5", &o, err, sizeof(err)), 0);
	assert_string_equal(o.host, "");
	assert_int_equal(o.to, 5);
	assert_int_equal(vnc_opts_parse("[::1]:2", &o, err, sizeof(err)), 0);
	assert_string_equal(o.host, "::1");
	assert_int_equal(vnc_opts_parse("unix:/run/x.sock,password", &o, err, sizeof(err)), 0);
	assert_true(o.unix_socket && o.password);
	assert_string_equal(o.path, "/run/x.sock");
	assert_int_equal(vnc_opts_parse("none", &o, err, sizeof(err)), 0);
	assert_false(o.enabled);
}

static void opts_refused_by_name(void **state)
{
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "127.0.0.1", "expected HOST:DISPLAY" },
		{ "127.0.0.1:x", "the display is a number" },
		{ "127.0.0.1:59636", "the display is a number" },
		{ "::1:0", "[ADDRESS]:DISPLAY" },
		{ "127.0.0.1:0,websocket=on", "option 'websocket'" },
		{ "127.0.0.1:0,tls-creds=x", "option 'tls-creds'" },
		{ "127.0.0.1:5,to=4", "below the display" },
		{ "127.0.0.1:5,password=maybe", "expected on or off" },
		{ "unix:/x,to=5", "needs a TCP display" },
		{ "unix:", "socket path" },
	};
	struct vnc_opts o;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vnc_opts_parse(bad[i].spec, &o, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("%s: '%s' lacks '%s'", bad[i].spec, err, bad[i].why);
		assert_false(o.enabled);
	}
}

/* RFC 6143 7.5: the length of every client message the server takes. */
static void framing_of_client_messages(void **state)
{
	uint8_t b[32] = { 0 };
	size_t len;

	(void)state;
	assert_int_equal(vnc_frame_next(VNC_PHASE_VERSION, b, 5, &len), VNC_FRAME_SHORT);
	assert_int_equal(len, 12);
	assert_int_equal(vnc_frame_next(VNC_PHASE_AUTH, b, 16, &len), VNC_FRAME_WHOLE);
	assert_int_equal(len, 16);
	assert_int_equal(vnc_frame_next(VNC_PHASE_INIT, b, 1, &len), VNC_FRAME_WHOLE);
	b[0] = RFB_SET_PIXEL_FORMAT;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 19, &len), VNC_FRAME_SHORT);
	assert_int_equal(len, 20);
	/* RFC 6143 7.4: 32 bpp true colour 0x00RRGGBB is taken ... */
	memcpy(b, (const uint8_t[]){ 0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0 },
	       17);
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 20, &len), VNC_FRAME_WHOLE);
	b[14] = 25; /* ... red shifted out of the pixel is not */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 20, &len), VNC_FRAME_BAD);
	b[14] = 200; /* nor a shift past any width */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 20, &len), VNC_FRAME_BAD);
	b[14] = 16, b[4] = 24; /* nor 24 bits per pixel */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 20, &len), VNC_FRAME_BAD);
	b[4] = 8, b[7] = 0; /* 8 bpp colour map: taken */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 20, &len), VNC_FRAME_WHOLE);
	memset(b, 0, sizeof(b));
	b[0] = RFB_SET_ENCODINGS, b[2] = 0, b[3] = 3;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 16, &len), VNC_FRAME_WHOLE);
	assert_int_equal(len, 16);
	b[2] = 0x04, b[3] = 0x01; /* 1025 encodings */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 4, &len), VNC_FRAME_BAD);
	b[0] = RFB_KEY_EVENT;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_WHOLE);
	assert_int_equal(len, 8);
	b[0] = RFB_POINTER_EVENT;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 6, &len), VNC_FRAME_WHOLE);
	assert_int_equal(len, 6);
	b[0] = RFB_CLIENT_CUT_TEXT, b[4] = 0, b[5] = 0, b[6] = 1, b[7] = 0;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_CUT);
	assert_int_equal(len, 256);
	b[4] = 0x80, b[5] = 0, b[6] = 0, b[7] = 0; /* 2^31 */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_BAD);
	b[4] = 0x7f, b[5] = 0xff, b[6] = 0xff, b[7] = 0xff; /* 2^31 - 1 */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_BAD);
	b[4] = 0, b[5] = 0x10, b[6] = 0, b[7] = 1; /* 1 MiB + 1 */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_BAD);
	b[4] = 0, b[5] = 0x10, b[6] = 0, b[7] = 0; /* 1 MiB: taken (and skipped) */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_CUT);
	b[4] = 0xff, b[5] = 0xff, b[6] = 0xff, b[7] = 0xf0; /* extended clipboard, 16 bytes */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_CUT);
	assert_int_equal(len, 16);
	b[0] = RFB_SET_DESKTOP_SIZE, b[6] = 2;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 8, &len), VNC_FRAME_SHORT);
	assert_int_equal(len, 8 + 32);
	b[0] = RFB_QEMU, b[1] = 0;
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 12, &len), VNC_FRAME_WHOLE);
	assert_int_equal(len, 12);
	b[1] = 1; /* QEMU audio: not served */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 12, &len), VNC_FRAME_BAD);
	b[0] = 7; /* libvncserver's file transfer: refused */
	assert_int_equal(vnc_frame_next(VNC_PHASE_NORMAL, b, 12, &len), VNC_FRAME_BAD);
}

/* QEMU's qnum numbering: set 1 codes, 0x80 | code for the 0xe0 ones (keycodemapdb). */
static void qnum_and_buttons(void **state)
{
	struct vnc_held h = { 0 };
	unsigned pos = 0;

	(void)state;
	assert_int_equal(vnc_qnum_to_key(0x1e), 0x1c);	 /* a */
	assert_int_equal(vnc_qnum_to_key(0x01), 0x76);	 /* Esc */
	assert_int_equal(vnc_qnum_to_key(0x9d), 0xe014); /* right Ctrl */
	assert_int_equal(vnc_qnum_to_key(0xc8), 0xe075); /* Up */
	assert_int_equal(vnc_qnum_to_key(0xc6), INPUT_KEY_PAUSE);
	assert_int_equal(vnc_qnum_to_key(0xb7), INPUT_KEY_PRINT);
	assert_int_equal(vnc_qnum_to_key(0x300), 0);
	assert_int_equal(vnc_buttons(RFB_BTN_LEFT | RFB_BTN_RIGHT),
			 INPUT_BTN_LEFT | INPUT_BTN_RIGHT);
	assert_int_equal(vnc_buttons(RFB_BTN_MIDDLE | RFB_BTN_WHEEL_UP), INPUT_BTN_MIDDLE);
	assert_int_equal(vnc_wheel(0, RFB_BTN_WHEEL_DOWN), 1);
	assert_int_equal(vnc_wheel(0, RFB_BTN_WHEEL_UP), -1);
	assert_int_equal(vnc_wheel(RFB_BTN_WHEEL_UP, RFB_BTN_WHEEL_UP), 0);
	assert_int_equal(vnc_abs_scale(320, 640), 320u * 0x7fff / 640);
	assert_int_equal(vnc_abs_scale(70000, 640), INPUT_ABS_MAX);
	assert_true(vnc_held_set(&h, 0x1c, true));
	assert_true(vnc_held_set(&h, 0xe014, true));
	assert_false(vnc_held_set(&h, 0x1234, true));
	assert_int_equal(vnc_held_next(&h, &pos), 0x1c);
	assert_int_equal(vnc_held_next(&h, &pos), 0xe014);
	assert_int_equal(vnc_held_next(&h, &pos), 0);
}

/* ---------------------------------------------------------------- the protocol */

/* RFC 6143 7.3.2 ServerInit: the source's mode, 0x00RRGGBB as 32 bpp LE, QEMU's name. */
static void server_init_shows_the_mode(void **state)
{
	static const uint8_t fmt[16] = { 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0 };
	struct server_init si;
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = cli_connect();
	assert_int_equal(cli_handshake(fd, NULL, &si), 0);
	assert_int_equal(si.w, 320);
	assert_int_equal(si.h, 200);
	assert_memory_equal(si.fmt, fmt, 16);
	assert_string_equal(si.name, "QEMU (guest7)");
	close(fd);
	server_down();
}

static void full_update_equals_the_surface(void **state)
{
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = raw_client_with_screen();
	assert_memory_equal(screen_copy, pat.px, 320 * 200 * 4);
	close(fd);
	server_down();
}

/* Only what changed is sent: one rectangle around the changed pixels of the dirty rows. */
static void incremental_update_is_the_change(void **state)
{
	struct rect r[8];
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = raw_client_with_screen();
	for (unsigned y = 10; y < 20; y++)
		for (unsigned x = 5; x < 50; x++)
			pat.px[y * 320 + x] = 0x123456 + x;
	pat.y0 = 0, pat.y1 = 100; /* the source may report more rows than changed */
	cli_request(fd, true, 0, 0, 320, 200);
	assert_int_equal(cli_update(fd, r, 8), 1);
	assert_int_equal(r[0].x, 5);
	assert_int_equal(r[0].y, 10);
	assert_int_equal(r[0].w, 45);
	assert_int_equal(r[0].h, 10);
	assert_memory_equal(screen_copy, pat.px, 320 * 200 * 4);
	close(fd);
	server_down();
}

/* A mode change: the DesktopSize pseudo-rectangle (RFC 6143 7.8.2), then the new screen. */
static void mode_change_sends_desktop_size(void **state)
{
	struct rect r[4];
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw, rfbEncodingNewFBSize }, 2);
	cli_fetch_full(fd, 320, 200);
	pat_draw(400, 300);
	cli_request(fd, true, 0, 0, 320, 200);
	assert_int_equal(cli_update(fd, r, 4), 1);
	assert_int_equal(r[0].enc, (int32_t)rfbEncodingNewFBSize);
	assert_int_equal(r[0].w, 400);
	assert_int_equal(r[0].h, 300);
	cli_fetch_full(fd, 400, 300);
	assert_memory_equal(screen_copy, pat.px, 400 * 300 * 4);
	close(fd);
	server_down();
}

static void cli_key(int fd, uint32_t keysym, bool down)
{
	uint8_t m[8] = { RFB_KEY_EVENT, down };

	put32(m + 4, keysym);
	cli_send(fd, m, sizeof(m));
}

static void cli_ext_key(int fd, uint32_t keysym, uint32_t qnum, bool down)
{
	uint8_t m[12] = { RFB_QEMU, RFB_QEMU_EXT_KEY, 0, down };

	put32(m + 4, keysym);
	put32(m + 8, qnum);
	cli_send(fd, m, sizeof(m));
}

static void expect_key(unsigned i, unsigned key, bool down)
{
	assert_true(i < nevs);
	assert_int_equal(evs[i].kind, 'k');
	assert_int_equal(evs[i].a, key);
	assert_int_equal(evs[i].b, down);
}

/* KeyEvent keysyms through the US map; disconnecting releases what is held. */
static void keysyms_reach_the_keyboard(void **state)
{
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	cli_key(fd, 'a', true);
	cli_key(fd, 'a', false);
	cli_key(fd, 0xffe1, true); /* Shift_L */
	cli_key(fd, 'A', true);
	cli_key(fd, 0xff54, true); /* Down */
	assert_int_equal(nevs, 5);
	expect_key(0, 0x1c, true);
	expect_key(1, 0x1c, false);
	expect_key(2, 0x12, true);
	expect_key(3, 0x1c, true);
	expect_key(4, 0xe072, true);
	close(fd);
	pump(20);
	assert_int_equal(nevs, 8);
	expect_key(5, 0x12, false);
	expect_key(6, 0x1c, false);
	expect_key(7, 0xe072, false);
	server_down();
}

/*
 * -k de and fr from QEMU's keymap files (qemu-system-data): the key a
 * keysym is on in that layout, with the modifiers held choosing between
 * entries (xkeyboard-config's German and French layouts).
 */
static void keymaps_from_qemu_files(void **state)
{
	struct vnc_keymap km;
	char err[256];

	(void)state;
	assert_int_equal(vnc_keymap_load(&km, VNC_KEYMAP_DIR, "de", err, sizeof(err)), 0);
	assert_int_equal(vnc_keymap_key(&km, 'z', 0), 0x35);		 /* US y key */
	assert_int_equal(vnc_keymap_key(&km, 'Z', VNC_MOD_SHIFT), 0x35); /* shifted */
	assert_int_equal(vnc_keymap_key(&km, 'y', 0), 0x1a);		 /* US z key */
	assert_int_equal(vnc_keymap_key(&km, 0xe4, 0), 0x52);		 /* adiaeresis */
	assert_int_equal(vnc_keymap_key(&km, '@', VNC_MOD_ALTGR), 0x15); /* AltGr q */
	assert_int_equal(vnc_keymap_key(&km, 0xfe03, 0), 0xe011);	 /* AltGr itself */
	assert_int_equal(vnc_keymap_key(&km, vnc_keysym_by_name("EuroSign"), 0),
			 0x24); /* AltGr e */
	assert_int_equal(vnc_keymap_key(&km, 0x12345678, 0), 0);
	vnc_keymap_free(&km);
	assert_int_equal(vnc_keymap_load(&km, VNC_KEYMAP_DIR, "fr", err, sizeof(err)), 0);
	assert_int_equal(vnc_keymap_key(&km, 'a', 0), 0x15); /* AZERTY: a on the US q key */
	assert_int_equal(vnc_keymap_key(&km, 'q', 0), 0x1c);
	vnc_keymap_free(&km);
	assert_int_equal(vnc_keymap_load(&km, VNC_KEYMAP_DIR, "xx-none", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "xx-none"));
	assert_int_equal(vnc_keymap_load(&km, VNC_KEYMAP_DIR, "../de", err, sizeof(err)), -EINVAL);
	assert_int_equal(vnc_keysym_by_name("U20AC"), 0x010020ac);
	assert_int_equal(vnc_keysym_by_name("no-such-name"), 0);
}

/* A client's keysyms read in the -k layout: German z, and AltGr+q for @. */
static void keysyms_in_the_k_layout(void **state)
{
	int fd;

	(void)state;
	test_keymap = "de";
	server_up_unix(false, false);
	fd = open_client();
	cli_key(fd, 'z', true);
	cli_key(fd, 'z', false);
	cli_key(fd, 0xfe03, true); /* ISO_Level3_Shift */
	cli_key(fd, '@', true);
	assert_int_equal(nevs, 4);
	expect_key(0, 0x35, true);
	expect_key(1, 0x35, false);
	expect_key(2, 0xe011, true);
	expect_key(3, 0x15, true);
	close(fd);
}

/* QEMU's extended key event: acknowledged with a -258 rectangle, then scancodes, not keysyms. */
static void extended_key_event_sends_scancodes(void **state)
{
	struct rect r[2];
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw, RFB_ENC_QEMU_EXT_KEY }, 2);
	assert_int_equal(cli_update(fd, r, 2), 1);
	assert_int_equal(r[0].enc, RFB_ENC_QEMU_EXT_KEY);
	/* keysym 'q' with the scancode of 'a' (an AZERTY client): the scancode wins */
	cli_ext_key(fd, 'q', 0x1e, true);
	cli_ext_key(fd, 0xffe4, 0x9d, true); /* right Ctrl */
	cli_ext_key(fd, 0xffe4, 0x9d, false);
	cli_ext_key(fd, 'q', 0, true); /* no scancode: the keysym */
	assert_int_equal(nevs, 4);
	expect_key(0, 0x1c, true);
	expect_key(1, 0xe014, true);
	expect_key(2, 0xe014, false);
	expect_key(3, 0x15, true);
	close(fd);
	server_down();
}

static void cli_pointer(int fd, unsigned mask, unsigned x, unsigned y)
{
	uint8_t m[6] = { RFB_POINTER_EVENT, (uint8_t)mask };

	put16(m + 2, x);
	put16(m + 4, y);
	cli_send(fd, m, sizeof(m));
}

/* Without a tablet: motion relative to the last position (QEMU pointer_event). */
static void pointer_relative_into_the_mouse(void **state)
{
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	cli_pointer(fd, 0, 100, 100);
	cli_pointer(fd, RFB_BTN_LEFT, 105, 98);
	cli_pointer(fd, RFB_BTN_WHEEL_DOWN, 105, 98);
	assert_int_equal(nevs, 3);
	assert_int_equal(evs[0].kind, 'r');
	assert_int_equal(evs[0].c, 0);
	assert_int_equal(evs[1].c, 5);
	assert_int_equal(evs[1].d, -2);
	assert_int_equal(evs[1].buttons, INPUT_BTN_LEFT);
	assert_int_equal(evs[2].dz, 1);
	assert_int_equal(evs[2].buttons, 0);
	close(fd);
	server_down();
}

/*
 * QEMU pointer motion change (-257): the server says "relative" with a
 * rectangle of that encoding (x = 0), then the client's positions are
 * deltas from 0x7fff (QEMU 7.2 pointer_event).
 */
static void pointer_motion_change(void **state)
{
	struct rect r[2];
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw, RFB_ENC_QEMU_POINTER }, 2);
	assert_int_equal(cli_update(fd, r, 2), 1);
	assert_int_equal(r[0].enc, RFB_ENC_QEMU_POINTER);
	assert_int_equal(r[0].x, 0);
	cli_pointer(fd, RFB_BTN_LEFT, 0x7fff + 5, 0x7fff - 3);
	assert_int_equal(nevs, 1);
	assert_int_equal(evs[0].kind, 'r');
	assert_int_equal(evs[0].c, 5);
	assert_int_equal(evs[0].d, -3);
	assert_int_equal(evs[0].buttons, INPUT_BTN_LEFT);
	close(fd);
}

/* With a tablet the pointer motion change rectangle says "absolute" (x = 1). */
static void pointer_motion_change_absolute(void **state)
{
	struct rect r[2];
	int fd;

	(void)state;
	server_up_unix(false, true);
	fd = open_client();
	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw, RFB_ENC_QEMU_POINTER }, 2);
	assert_int_equal(cli_update(fd, r, 2), 1);
	assert_int_equal(r[0].enc, RFB_ENC_QEMU_POINTER);
	assert_int_equal(r[0].x, 1);
	assert_int_equal(r[0].w, 320);
	assert_int_equal(r[0].h, 200);
	cli_pointer(fd, 0, 160, 100);
	assert_int_equal(nevs, 1);
	assert_int_equal(evs[0].kind, 'a');
	assert_int_equal(evs[0].a, 160u * 0x7fff / 320);
	close(fd);
}

/* With a tablet: absolute, scaled to INPUT_ABS_MAX over the screen (QEMU scale_axis). */
static void pointer_absolute_into_the_tablet(void **state)
{
	int fd;

	(void)state;
	server_up_unix(false, true);
	fd = open_client();
	cli_pointer(fd, RFB_BTN_RIGHT, 160, 50);
	assert_int_equal(nevs, 1);
	assert_int_equal(evs[0].kind, 'a');
	assert_int_equal(evs[0].a, 160u * 0x7fff / 320);
	assert_int_equal(evs[0].b, 50u * 0x7fff / 200);
	assert_int_equal(evs[0].buttons, INPUT_BTN_RIGHT);
	close(fd);
	server_down();
}

/* password=on: refused until a password is set, then only the right one, until it expires. */
static void password_authentication(void **state)
{
	struct server_init si;
	int fd;

	(void)state;
	server_up_unix(true, false);
	fd = cli_connect();
	assert_int_equal(cli_handshake(fd, "secret", &si), 1);
	close(fd);
	assert_int_equal(vnc_set_password(VS, "secret"), 0);
	fd = cli_connect();
	assert_int_equal(cli_handshake(fd, "secreT", &si), 1);
	close(fd);
	fd = cli_connect();
	assert_int_equal(cli_handshake(fd, "secret", &si), 0);
	assert_int_equal(si.w, 320);
	close(fd);
	vnc_expire_password(VS, 0);
	fd = cli_connect();
	assert_int_equal(cli_handshake(fd, "secret", &si), 1);
	close(fd);
	server_down();
}

static void no_password_without_password_on(void **state)
{
	(void)state;
	server_up_unix(false, false);
	assert_int_equal(vnc_set_password(VS, "x"), -EINVAL);
	server_down();
}

/*
 * A static screen is read less and less often (VNC_FRAME_IDLE_INC_MS more
 * each idle refresh); a key brings the full rate back, as QEMU's
 * vnc_refresh backs off. Counted in refreshes, not in time.
 */
static void idle_screen_backs_off(void **state)
{
	struct vnc_stats st;
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = raw_client_with_screen();
	vnc_get_stats(VS, &st);
	for (int i = 0; i < 5000 && st.interval_ms < VNC_FRAME_MS + 3 * VNC_FRAME_IDLE_INC_MS;
	     i++) {
		loop_iterate(M.loop, 5);
		vnc_get_stats(VS, &st);
	}
	assert_int_equal(st.interval_ms, VNC_FRAME_MS + 3 * VNC_FRAME_IDLE_INC_MS);
	cli_key(fd, 'a', true);
	vnc_get_stats(VS, &st);
	/* reset to VNC_FRAME_MS (an idle frame may have come since: one increment) */
	assert_true(st.interval_ms <= VNC_FRAME_MS + VNC_FRAME_IDLE_INC_MS);
	close(fd);
}

/* ---------------------------------------------------------------- hostile clients */

/* A good client keeps working beside whatever the others did. */
static void good_client_still_served(int good)
{
	pat.px[0] ^= 0xffffff;
	pat.y0 = 0, pat.y1 = 1;
	cli_request(good, true, 0, 0, pat.w, pat.h);
	{
		struct rect r[4];

		assert_true(cli_update(good, r, 4) >= 1);
	}
	assert_int_equal(screen_copy[0], pat.px[0]);
}

static void bad_clients_are_dropped(void **state)
{
	static const uint8_t garbage_type[] = { 0x42, 1, 2, 3 };
	static const uint8_t huge_cut[8] = { RFB_CLIENT_CUT_TEXT, 0, 0, 0, 0x80, 0, 0, 0 };
	static const uint8_t bad_format[20] = { RFB_SET_PIXEL_FORMAT, 0, 0, 0, 7, 7, 0, 1 };
	struct vnc_stats st;
	struct server_init si;
	int good, fd;

	(void)state;
	server_up_unix(false, false);
	good = raw_client_with_screen();

	fd = cli_connect(); /* not RFB at all */
	assert_true(cli_recv(fd, si.name, 12));
	cli_send(fd, "HELLO WORLD\n", 12);
	assert_true(cli_closed(fd));
	close(fd);

	fd = open_client(); /* an unknown message type after the handshake */
	cli_send(fd, garbage_type, sizeof(garbage_type));
	assert_true(cli_closed(fd));
	close(fd);

	fd = open_client(); /* a 2^31-byte cut text */
	cli_send(fd, huge_cut, sizeof(huge_cut));
	assert_true(cli_closed(fd));
	close(fd);

	fd = open_client(); /* 7 bits per pixel */
	cli_send(fd, bad_format, sizeof(bad_format));
	assert_true(cli_closed(fd));
	close(fd);

	vnc_get_stats(VS, &st);
	assert_int_equal(st.dropped, 4);
	assert_int_equal(st.clients, 1);
	good_client_still_served(good);
	close(good);
	server_down();
}

/*
 * Half a message waits without waking the loop again (the fd is
 * edge-triggered: a level-triggered one would spin on the unread bytes),
 * and is handled when the rest comes.
 */
static void partial_message_does_not_spin(void **state)
{
	static const uint8_t key[8] = { RFB_KEY_EVENT, 1, 0, 0, 0, 0, 0, 'a' };
	int fd, woken = 0;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	pump(20);
	cli_send(fd, key, 5);
	/* (a frame tick may come in between: at most one wake-up for it) */
	for (int i = 0; i < 10; i++)
		woken += loop_iterate(M.loop, 0);
	assert_true(woken <= 1);
	assert_int_equal(nevs, 0);
	cli_send(fd, key + 5, 3);
	assert_int_equal(nevs, 1);
	expect_key(0, 0x1c, true);
	close(fd);
}

/* Cut text within the limit is read and dropped; the client goes on. */
static void cut_text_is_consumed(void **state)
{
	uint8_t m[8 + 3000] = { RFB_CLIENT_CUT_TEXT };
	int fd;

	(void)state;
	server_up_unix(false, false);
	fd = open_client();
	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw }, 1);
	put32(m + 4, 3000);
	memset(m + 8, 'x', 3000);
	cli_send(fd, m, 8 + 1000); /* in two pieces */
	cli_send(fd, m + 8 + 1000, 2000);
	cli_key(fd, 'a', true);
	assert_int_equal(nevs, 1);
	expect_key(0, 0x1c, true);
	cli_fetch_full(fd, 320, 200);
	close(fd);
	server_down();
}

/* A client that asks for updates and never reads: its queue fills, then it is only deferred. */
static void slow_reader_does_not_stall_others(void **state)
{
	struct vnc_stats st;
	int slow, good;
	int big = 64 << 10;

	(void)state;
	server_up_unix(false, false);
	pat_draw(800, 600);
	slow = open_client();
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	cli_encodings(slow, (const int32_t[]){ rfbEncodingRaw }, 1);
	good = open_client();
	cli_encodings(good, (const int32_t[]){ rfbEncodingRaw }, 1);
	cli_fetch_full(good, 800, 600);
	for (int frame = 0; frame < 40; frame++) {
		for (unsigned i = 0; i < 800 * 600; i++)
			pat.px[i] += 0x010101;
		pat.y0 = 0, pat.y1 = 600;
		cli_request(slow, false, 0, 0, 800, 600);
		pump(20);
	}
	vnc_get_stats(VS, &st);
	assert_true(st.deferred > 0);
	assert_int_equal(st.clients, 2);
	cli_fetch_full(good, 800, 600);
	assert_memory_equal(screen_copy, pat.px, 800 * 600 * 4);
	close(slow);
	close(good);
	server_down();
}

static uint32_t lcg_next(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* One random client message: a real type with random fields, or a random byte. */
static size_t random_message(uint32_t *rng, uint8_t *m, size_t max)
{
	static const uint8_t types[] = { RFB_SET_PIXEL_FORMAT,	RFB_SET_ENCODINGS,
					 RFB_FB_UPDATE_REQUEST, RFB_KEY_EVENT,
					 RFB_POINTER_EVENT,	RFB_CLIENT_CUT_TEXT,
					 RFB_SET_DESKTOP_SIZE,	RFB_QEMU };
	size_t n = 1 + lcg_next(rng) % 40;

	for (size_t i = 0; i < max; i++)
		m[i] = (uint8_t)lcg_next(rng);
	if (lcg_next(rng) % 8)
		m[0] = types[lcg_next(rng) % sizeof(types)];
	if (m[0] == RFB_QEMU && lcg_next(rng) % 2)
		m[1] = RFB_QEMU_EXT_KEY;
	if (m[0] == RFB_SET_PIXEL_FORMAT && lcg_next(rng) % 2)
		m[4] = (uint8_t[]){ 8, 16, 32 }[lcg_next(rng) % 3];
	if (m[0] == RFB_SET_ENCODINGS)
		m[2] = 0, n = 4 + 4u * (m[3] % 20);
	if (m[0] == RFB_CLIENT_CUT_TEXT && lcg_next(rng) % 2)
		m[4] = m[5] = 0, n = 8 + m[7] + 256u * m[6];
	return n < max ? n : max;
}

/*
 * Many hostile clients from a fixed seed: garbage before the handshake,
 * random messages after it (real types with random fields: pixel formats,
 * encodings, rectangles, cut-text lengths), some left open. The server
 * survives, its client count stays bounded, and a good client goes on.
 */
static void random_hostile_clients(void **state)
{
	static uint8_t m[2048];
	int open_fds[8], nopen = 0, good;
	uint32_t rng = 1;
	struct vnc_stats st;

	(void)state;
	server_up_unix(false, false);
	good = raw_client_with_screen();
	for (int round = 0; round < 150; round++) {
		int fd = lcg_next(&rng) % 4 ? open_client() : cli_connect();

		int msgs = 1 + (int)(lcg_next(&rng) % 6);

		for (int i = 0; i < msgs; i++) {
			size_t n = random_message(&rng, m, sizeof(m));

			if (send(fd, m, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				break;
			pump(2);
		}
		if (nopen == 8) {
			close(open_fds[0]);
			memmove(open_fds, open_fds + 1, sizeof(open_fds) - sizeof(open_fds[0]));
			nopen--;
		}
		open_fds[nopen++] = fd;
		pump(3);
	}
	vnc_get_stats(VS, &st);
	assert_true(st.clients >= 1 && st.clients <= 1 + 8);
	assert_true(st.dropped > 0);
	good_client_still_served(good);
	while (nopen)
		close(open_fds[--nopen]);
	close(good);
}

/* A client that never reads is dropped once its full queue has not moved for the stall limit. */
static void stalled_reader_is_dropped(void **state)
{
	struct vnc_stats st;
	int slow, good;
	int small = 4096;

	(void)state;
	server_up_unix(false, false);
	pat_draw(800, 600);
	good = open_client();
	cli_encodings(good, (const int32_t[]){ rfbEncodingRaw }, 1);
	slow = open_client();
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	cli_encodings(slow, (const int32_t[]){ rfbEncodingRaw }, 1);
	/* the screen changes and it keeps asking, until its queue is full */
	vnc_get_stats(VS, &st);
	for (int frame = 0; frame < 200 && !st.deferred; frame++) {
		for (unsigned i = 0; i < 800 * 600; i++)
			pat.px[i] += 0x010101;
		pat.y0 = 0, pat.y1 = 600;
		cli_request(slow, false, 0, 0, 800, 600);
		pump(20);
		vnc_get_stats(VS, &st);
	}
	assert_true(st.deferred > 0);
	vnc_set_stall_ms(VS, 200);
	for (int i = 0; i < 5000 && st.clients == 2; i++) {
		loop_iterate(M.loop, 5);
		vnc_get_stats(VS, &st);
	}
	assert_int_equal(st.clients, 1);
	assert_int_equal(st.dropped, 1);
	assert_true(cli_closed(slow));
	cli_fetch_full(good, 800, 600);
	assert_memory_equal(screen_copy, pat.px, 800 * 600 * 4);
	close(slow);
	close(good);
}

/* 100 connections at once: VNC_MAX_CLIENTS are taken, the rest closed; the first keeps working. */
static void many_connections(void **state)
{
	int fds[100], good;
	struct vnc_stats st;

	(void)state;
	server_up_unix(false, false);
	good = raw_client_with_screen();
	/* the server runs between the connects (a full backlog blocks a unix connect) */
	for (int i = 0; i < 100; i++) {
		fds[i] = cli_connect();
		pump(1);
	}
	pump(50);
	vnc_get_stats(VS, &st);
	assert_int_equal(st.clients, VNC_MAX_CLIENTS);
	assert_int_equal(st.refused, 100 - (VNC_MAX_CLIENTS - 1));
	good_client_still_served(good);
	for (int i = 0; i < 100; i++)
		close(fds[i]);
	pump(50);
	vnc_get_stats(VS, &st);
	assert_int_equal(st.clients, 1);
	close(good);
	server_down();
}

/* ---------------------------------------------------------------- the std VGA core as the source
 */

/* VGA mode 13h (FreeVGA "Mode 13h"): {port, index or -1, value}; attribute writes after. */
static const struct {
	uint16_t port;
	int idx;
	uint8_t val;
} mode13h[] = {
	{ 0x3c2, -1, 0x63 },   { 0x3c4, 1, 0x01 },    { 0x3c4, 2, 0x0f },    { 0x3c4, 4, 0x0e },
	{ 0x3d4, 1, 0x4f },    { 0x3d4, 7, 0x1f },    { 0x3d4, 9, 0x41 },    { 0x3d4, 0x12, 0x8f },
	{ 0x3d4, 0x13, 0x28 }, { 0x3d4, 0x17, 0xa3 }, { 0x3d4, 0x18, 0xff }, { 0x3ce, 5, 0x40 },
	{ 0x3ce, 6, 0x05 },    { 0x3ce, 8, 0xff },
};

static void pio(uint16_t port, uint8_t v)
{
	bus_write(M.bus, BUS_PIO, port, v, 1);
}

static void vga_mode13h(void)
{
	for (size_t i = 0; i < sizeof(mode13h) / sizeof(mode13h[0]); i++) {
		if (mode13h[i].idx >= 0)
			pio(mode13h[i].port, (uint8_t)mode13h[i].idx);
		pio((uint16_t)(mode13h[i].port + (mode13h[i].idx >= 0)), mode13h[i].val);
	}
	for (unsigned i = 0; i < 0x14; i++) {
		(void)bus_read(M.bus, BUS_PIO, 0x3da, 1); /* the attribute flip-flop to index */
		pio(0x3c0, (uint8_t)i);
		pio(0x3c0, i < 16 ? (uint8_t)i : i == 0x10 ? 0x41 : i == 0x12 ? 0x0f : 0);
	}
	pio(0x3c0, 0x20); /* PAS: the palette drives the screen */
	pio(0x3c8, 0);	  /* DAC: colour i = (i, 255 - i, i / 2) in 6 bits */
	for (unsigned i = 0; i < 256; i++) {
		pio(0x3c9, (uint8_t)(i >> 2));
		pio(0x3c9, (uint8_t)((255 - i) >> 2));
		pio(0x3c9, (uint8_t)(i >> 3));
	}
}

/*
 * The std VGA core (hw/vga/vga_adapter) is the display source: a mode 13h
 * picture the "guest" draws through the 0xa0000 window reaches the client
 * exactly as display_refresh() renders it, and a byte it writes later comes
 * as an incremental update.
 */
static void vga_adapter_screen_over_vnc(void **state)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	static struct vga_adapter a;
	struct display_surface s;
	struct display_dirty d;
	struct server_init si;
	struct rect r[4];
	int fd;

	(void)state;
	with_pattern = false;
	server_up_unix(false, false);
	M.bus = bus_new();
	assert_non_null(M.bus);
	assert_int_equal(vga_adapter_init(&a, &M, "vga-test", 16u << 20, &cfg, NULL, NULL), 0);
	assert_int_equal(vga_adapter_map_legacy(&a), 0);
	vga_mode13h();
	for (unsigned i = 0; i < 320 * 200; i++)
		bus_write(M.bus, BUS_MMIO, 0xa0000 + i, (uint8_t)((i % 320) ^ (i / 320)), 1);
	fd = open_client_si(&si);
	assert_true(display_refresh(&M, true, &s, &d));
	assert_int_equal(si.w, s.width);
	assert_int_equal(si.h, s.height);
	assert_true(s.width >= 320 && s.width <= MAXW && s.height >= 200 && s.height <= MAXH);
	cli_encodings(fd, (const int32_t[]){ rfbEncodingRaw }, 1);
	cli_fetch_full(fd, si.w, si.h);
	assert_true(display_refresh(&M, true, &s, &d));
	for (unsigned y = 0; y < si.h; y++)
		assert_memory_equal(screen_copy + y * si.w,
				    (const uint8_t *)s.pixels + (size_t)y * s.stride, si.w * 4);
	assert_int_not_equal(screen_copy[si.w * 2 + 40], screen_copy[si.w * 2 + 80]);
	/* a pixel of the bottom half changes */
	bus_write(M.bus, BUS_MMIO, 0xa0000 + 150 * 320 + 7, 0xfe, 1);
	cli_request(fd, true, 0, 0, si.w, si.h);
	assert_int_equal(cli_update(fd, r, 4), 1);
	assert_true(r[0].y >= si.h / 2 && r[0].h <= 4);
	assert_true(display_refresh(&M, true, &s, &d));
	for (unsigned y = 0; y < si.h; y++)
		assert_memory_equal(screen_copy + y * si.w,
				    (const uint8_t *)s.pixels + (size_t)y * s.stride, si.w * 4);
	close(fd);
	vga_adapter_fini(&a);
	server_down();
	bus_free(M.bus);
}

/* ---------------------------------------------------------------- TCP and a real client */

static unsigned tcp_port(void)
{
	struct vnc_endpoint ep;
	const char *auth;

	vnc_query(VS, &ep, &auth);
	return (unsigned)atoi(ep.service);
}

/* to= tries the next displays when the first is taken, as QEMU's (and libxl's vncunused). */
static void to_searches_a_free_display(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct vnc_endpoint ep;
	const char *auth;
	unsigned port;
	int blocker;

	(void)state;
	server_up("127.0.0.1:70,to=99", false);
	port = tcp_port();
	vnc_query(VS, &ep, &auth);
	assert_string_equal(ep.host, "127.0.0.1");
	assert_string_equal(ep.family, "ipv4");
	assert_string_equal(auth, "none");
	assert_true(port >= 5970 && port <= 5999);
	server_down();
	/* hold that port: the search must go past it */
	blocker = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = htons((uint16_t)port);
	assert_int_equal(bind(blocker, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(blocker, 1), 0);
	{
		char spec[64];

		snprintf(spec, sizeof(spec), "127.0.0.1:%u,to=99", port - 5900);
		server_up(spec, false);
	}
	assert_true(tcp_port() > port);
	server_down();
	close(blocker);
}

/* Decode a JPEG file into rgb (w x h x 3); false when it is not one. */
static bool read_jpeg(const char *path, uint8_t *rgb, unsigned *w, unsigned *h, size_t max)
{
	struct jpeg_decompress_struct ci;
	struct jpeg_error_mgr jerr;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	ci.err = jpeg_std_error(&jerr);
	jpeg_create_decompress(&ci);
	jpeg_stdio_src(&ci, f);
	jpeg_read_header(&ci, TRUE);
	ci.out_color_space = JCS_RGB;
	jpeg_start_decompress(&ci);
	*w = ci.output_width;
	*h = ci.output_height;
	if ((size_t)*w * *h * 3 > max) {
		jpeg_destroy_decompress(&ci);
		fclose(f);
		return false;
	}
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW row = rgb + (size_t)ci.output_scanline * *w * 3;

		jpeg_read_scanlines(&ci, &row, 1);
	}
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	fclose(f);
	return true;
}

/* Run argv to its end while the server's loop runs; its exit status. */
static int run_client(char *const argv[])
{
	pid_t pid;
	int st = -1;

	assert_int_equal(posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ), 0);
	for (int i = 0; i < 20000; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		loop_iterate(M.loop, 5);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	fail_msg("%s did not finish", argv[0]);
	return -1;
}

/*
 * Debian's vncsnapshot (TightVNC's client, tight/JPEG transport) captures
 * the screen: every 40x40 block's centre has the source's colour (within
 * JPEG's error; the blocks are flat so it is small).
 */
static void vncsnapshot_captures_the_screen(void **state)
{
	static uint8_t rgb[MAXW * MAXH * 3];
	char path[64], disp[32];
	unsigned w = 0, h = 0;

	(void)state;
	server_up("127.0.0.1:70,to=99", false);
	pat_draw(640, 480);
	snprintf(path, sizeof(path), "/tmp/hvmdm-test-vnc-%d.jpg", (int)getpid());
	snprintf(disp, sizeof(disp), "127.0.0.1:%u", tcp_port() - 5900);
	{
		char a0[] = "vncsnapshot", a1[] = "-quiet", a2[] = "-allowblank", a3[] = "-quality",
		     a4[] = "100";
		char *argv[] = { a0, a1, a2, a3, a4, disp, path, NULL };

		assert_int_equal(run_client(argv), 0);
	}
	assert_true(read_jpeg(path, rgb, &w, &h, sizeof(rgb)));
	unlink(path);
	assert_int_equal(w, 640);
	assert_int_equal(h, 480);
	for (unsigned y = 20; y < h; y += 40)
		for (unsigned x = 20; x < w; x += 40) {
			uint32_t want = block_colour(x, y);
			const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
			int dr = abs((int)p[0] - (int)(want >> 16 & 0xff));
			int dg = abs((int)p[1] - (int)(want >> 8 & 0xff));
			int db = abs((int)p[2] - (int)(want & 0xff));

			if (dr > 8 || dg > 8 || db > 8)
				fail_msg("block at %u,%u: got %02x%02x%02x, want %06x", x, y, p[0],
					 p[1], p[2], want);
		}
	server_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(opts_as_libxl_writes_them, teardown),
		cmocka_unit_test_teardown(opts_refused_by_name, teardown),
		cmocka_unit_test_teardown(framing_of_client_messages, teardown),
		cmocka_unit_test_teardown(qnum_and_buttons, teardown),
		cmocka_unit_test_teardown(server_init_shows_the_mode, teardown),
		cmocka_unit_test_teardown(full_update_equals_the_surface, teardown),
		cmocka_unit_test_teardown(incremental_update_is_the_change, teardown),
		cmocka_unit_test_teardown(mode_change_sends_desktop_size, teardown),
		cmocka_unit_test_teardown(keysyms_reach_the_keyboard, teardown),
		cmocka_unit_test_teardown(keymaps_from_qemu_files, teardown),
		cmocka_unit_test_teardown(keysyms_in_the_k_layout, teardown),
		cmocka_unit_test_teardown(extended_key_event_sends_scancodes, teardown),
		cmocka_unit_test_teardown(pointer_relative_into_the_mouse, teardown),
		cmocka_unit_test_teardown(pointer_absolute_into_the_tablet, teardown),
		cmocka_unit_test_teardown(pointer_motion_change, teardown),
		cmocka_unit_test_teardown(pointer_motion_change_absolute, teardown),
		cmocka_unit_test_teardown(password_authentication, teardown),
		cmocka_unit_test_teardown(no_password_without_password_on, teardown),
		cmocka_unit_test_teardown(idle_screen_backs_off, teardown),
		cmocka_unit_test_teardown(bad_clients_are_dropped, teardown),
		cmocka_unit_test_teardown(partial_message_does_not_spin, teardown),
		cmocka_unit_test_teardown(cut_text_is_consumed, teardown),
		cmocka_unit_test_teardown(slow_reader_does_not_stall_others, teardown),
		cmocka_unit_test_teardown(stalled_reader_is_dropped, teardown),
		cmocka_unit_test_teardown(many_connections, teardown),
		cmocka_unit_test_teardown(random_hostile_clients, teardown),
		cmocka_unit_test_teardown(vga_adapter_screen_over_vnc, teardown),
		cmocka_unit_test_teardown(to_searches_a_free_display, teardown),
		cmocka_unit_test_teardown(vncsnapshot_captures_the_screen, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
