// SPDX-License-Identifier: GPL-2.0-only
/*
 * RFB message framing (vnc_proto.h), RFC 6143 section 7 and the rfbproto
 * community document for the extensions: SetDesktopSize (type 251) and the
 * QEMU client message (type 255, subtype 0: the extended key event). Other
 * types libvncserver knows (file transfer, text chat, xvp, PalmVNC scaling)
 * are refused: nothing hvmdm serves needs them.
 */
#include <stdbool.h>

#include "dm/vnc_proto.h"

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum vnc_frame need(size_t n, size_t avail, size_t *len)
{
	*len = n;
	return avail >= n ? VNC_FRAME_WHOLE : VNC_FRAME_SHORT;
}

/* A message with a count in its header: hdr bytes, then count items of item bytes. */
static enum vnc_frame counted(size_t avail, size_t hdr, uint32_t count, size_t item, size_t *len)
{
	return need(hdr + (size_t)count * item, avail, len);
}

static enum vnc_frame cut_text(const uint8_t *buf, size_t avail, size_t *len)
{
	uint32_t n;

	if (avail < RFB_CUT_TEXT_HDR)
		return need(RFB_CUT_TEXT_HDR, avail, len);
	n = be32(buf + 4);
	/* A negative length is the extended clipboard's (rfbproto 7.7.27): |length| bytes. */
	if (n & 0x80000000u)
		n = 0u - n;
	if (n > VNC_MAX_CUT_TEXT)
		return VNC_FRAME_BAD;
	*len = n;
	return VNC_FRAME_CUT;
}

/*
 * A pixel format libvncserver can translate to without undefined shifts
 * (RFC 6143 7.4): 8, 16 or 32 bits per pixel; in true colour every
 * channel's max shifted into place fits in the pixel.
 */
static bool pixel_format_ok(const uint8_t *pf)
{
	unsigned bpp = pf[0];

	if (bpp != 8 && bpp != 16 && bpp != 32)
		return false;
	if (!pf[3])
		return true; /* colour map: only 8 bpp is served, libvncserver checks it */
	for (unsigned c = 0; c < 3; c++) {
		uint64_t max = be16(pf + 4 + 2 * c);
		unsigned shift = pf[10 + c];

		if (!max || shift >= bpp || (max << shift) >> bpp)
			return false;
	}
	return true;
}

static enum vnc_frame normal(const uint8_t *buf, size_t avail, size_t *len)
{
	switch (buf[0]) {
	case RFB_SET_PIXEL_FORMAT:
		if (avail >= 20 && !pixel_format_ok(buf + 4))
			return VNC_FRAME_BAD;
		return need(20, avail, len);
	case RFB_SET_ENCODINGS:
		if (avail < 4)
			return need(4, avail, len);
		if (be16(buf + 2) > VNC_MAX_ENCODINGS)
			return VNC_FRAME_BAD;
		return counted(avail, 4, be16(buf + 2), 4, len);
	case RFB_FB_UPDATE_REQUEST:
		return need(10, avail, len);
	case RFB_KEY_EVENT:
		return need(8, avail, len);
	case RFB_POINTER_EVENT:
		return need(6, avail, len);
	case RFB_CLIENT_CUT_TEXT:
		return cut_text(buf, avail, len);
	case RFB_SET_DESKTOP_SIZE:
		if (avail < 8)
			return need(8, avail, len);
		return counted(avail, 8, buf[6], 16, len);
	case RFB_QEMU:
		if (avail < 2)
			return need(2, avail, len);
		if (buf[1] != RFB_QEMU_EXT_KEY)
			return VNC_FRAME_BAD;
		return need(RFB_QEMU_EXT_KEY_LEN, avail, len);
	default:
		return VNC_FRAME_BAD;
	}
}

enum vnc_frame vnc_frame_next(enum vnc_phase ph, const uint8_t *buf, size_t avail, size_t *len)
{
	static const size_t fixed[] = {
		[VNC_PHASE_VERSION] = 12,
		[VNC_PHASE_SECURITY] = 1,
		[VNC_PHASE_AUTH] = 16,
		[VNC_PHASE_INIT] = 1,
	};

	if (ph != VNC_PHASE_NORMAL)
		return need(fixed[ph], avail, len);
	if (!avail)
		return need(1, avail, len);
	return normal(buf, avail, len);
}
