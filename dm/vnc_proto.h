/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RFB message framing (RFC 6143 section 7), for the VNC server's input
 * gate: libvncserver reads a message with blocking reads that wait up to
 * its client timeout, so dm/vnc.c hands it a message only once the whole
 * message is in the socket's receive queue. This file says how long the
 * next client message is, from the bytes peeked so far, and refuses what
 * the server does not take.
 */
#ifndef DM_VNC_PROTO_H
#define DM_VNC_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Where the client is in the protocol (the message it must send next). */
enum vnc_phase {
	VNC_PHASE_VERSION,  /* ProtocolVersion, 7.1.1: 12 bytes */
	VNC_PHASE_SECURITY, /* the chosen security type, 7.1.2: 1 byte */
	VNC_PHASE_AUTH,	    /* the VNC Authentication response, 7.2.2: 16 bytes */
	VNC_PHASE_INIT,	    /* ClientInit, 7.3.1: 1 byte */
	VNC_PHASE_NORMAL,   /* client-to-server messages, 7.5 */
};

/* RFC 6143 7.5 message types, and the extensions the server takes. */
#define RFB_SET_PIXEL_FORMAT  0
#define RFB_SET_ENCODINGS     2
#define RFB_FB_UPDATE_REQUEST 3
#define RFB_KEY_EVENT	      4
#define RFB_POINTER_EVENT     5
#define RFB_CLIENT_CUT_TEXT   6
#define RFB_SET_DESKTOP_SIZE  251 /* ExtendedDesktopSize (rfbproto "SetDesktopSize") */
#define RFB_QEMU	      255 /* QEMU client message; subtype 0: extended key event */
#define RFB_QEMU_EXT_KEY      0
#define RFB_QEMU_EXT_KEY_LEN  12
/* Encodings a client names in SetEncodings that the server acts on itself. */
#define RFB_ENC_QEMU_POINTER (-257) /* QEMU pointer motion change */
#define RFB_ENC_QEMU_EXT_KEY (-258) /* QEMU extended key event */

/* A client sends at most this many encodings (real ones send about 20). */
#define VNC_MAX_ENCODINGS 1024
/* Cut text beyond this is refused, as QEMU 7.2 refuses it (1 MiB). */
#define VNC_MAX_CUT_TEXT (1u << 20)
/* The cut-text header: type, 3 padding bytes, a 32-bit length. */
#define RFB_CUT_TEXT_HDR 8

enum vnc_frame {
	VNC_FRAME_BAD = -1,  /* not a message the server takes: drop the client */
	VNC_FRAME_SHORT = 0, /* more bytes needed: *len says how many in all */
	VNC_FRAME_WHOLE = 1, /* a whole message of *len bytes is there */
	VNC_FRAME_CUT = 2,   /* a cut-text header: skip *len more payload bytes */
};

/*
 * The next message of a client in phase ph, from the avail bytes at buf
 * (a peek of its receive queue). For VNC_FRAME_CUT, *len is the payload
 * length after the 8-byte header (the caller discards it as it arrives:
 * hvmdm has no clipboard).
 */
enum vnc_frame vnc_frame_next(enum vnc_phase ph, const uint8_t *buf, size_t avail, size_t *len);

#endif
