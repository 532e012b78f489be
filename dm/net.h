/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Network backends as a NIC model sees them: the one contract between
 * hw/net (rtl8139, e1000) and dm/net.c (tap, the test backends), so a NIC
 * never sees a file descriptor and a backend never sees a register.
 *
 * A NIC's `netdev` property names a -netdev id; at init the NIC attaches
 * to it with its receive ops. Frames are whole Ethernet frames without the
 * FCS, at most NET_FRAME_MAX bytes (a NIC drops anything longer before it
 * reaches the backend, and the backend never delivers longer).
 *
 * Receive is flow-controlled, as QEMU's can_receive: the backend reads
 * from its fd only while can_receive() says the NIC has room, so a guest
 * that never posts receive buffers costs nothing and loses nothing it was
 * not already going to lose on a real wire. When the guest makes room the
 * NIC calls net_rx_ready() and the backend resumes reading, in the loop.
 * receive() runs in the loop, never inside a NIC's register access.
 */
#ifndef DM_NET_H
#define DM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct net_port;

/* Ethernet frame without FCS, VLAN tag allowed, plus the largest offload segment e1000 builds. */
#define NET_FRAME_MAX 65536u

struct net_rx_ops {
	const char *name; /* the NIC's device type, for logs */
	/* Room for one more frame now? */
	bool (*can_receive)(void *opaque);
	/* One frame of len (1..NET_FRAME_MAX) bytes from the wire. */
	void (*receive)(void *opaque, const uint8_t *frame, size_t len);
	/* Optional: QMP set_link turned the link up or down (net_link_up follows it). */
	void (*link_changed)(void *opaque, bool up);
};

/*
 * Attach a NIC to the -netdev named id of machine m. Returns 0 with *port
 * set, -ENOENT when no such netdev exists, -EBUSY when another NIC holds
 * it (one NIC per backend, as QEMU's peer), -EINVAL for bad arguments.
 */
__attribute__((warn_unused_result)) int net_attach(struct machine *m, const char *id,
						   const struct net_rx_ops *ops, void *opaque,
						   struct net_port **port);
void net_detach(struct net_port *port);
/*
 * Detach and delete the backend, as QEMU's del_nic_peer on a Xen NIC unplug:
 * its fds close (the tap vif<domid>.<n>-emu disappears); the port stays
 * behind, dead: no frames, no new NIC.
 */
void net_delete(struct net_port *port);

/*
 * Send one frame to the wire. 0 when sent or dropped by the backend as a
 * wire would drop it (a full tap queue), -EINVAL for len 0 or over
 * NET_FRAME_MAX. Never blocks.
 */
int net_send(struct net_port *port, const uint8_t *frame, size_t len);

/* The NIC has room again: resume delivering frames (from the loop). */
void net_rx_ready(struct net_port *port);

/* The link as the backend sees it (tap up, peer connected). */
bool net_link_up(const struct net_port *port);

/*
 * For the command line and the machine builder (not for NIC models).
 *
 * -netdev as QEMU 7.2 takes it (libxl writes the first form):
 *   tap,id=ID,ifname=NAME[,br=BR][,script=no][,downscript=no][,vhost=off]
 *   tap,id=ID,fd=N                  (an open /dev/net/tun fd, TUNSETIFF done)
 *   socket,id=ID,fd=N               (stream: 4-byte big-endian length, frame;
 *                                    datagram: one frame a datagram)
 *   socket,id=ID,connect=H:P | listen=H:P | udp=H:P[,localaddr=H:P]
 *   stream,id=ID,addr.type=unix,addr.path=P[,server=on|off]
 *   stream,id=ID,addr.type=inet,addr.host=H,addr.port=P[,server=on|off]
 *   stream,id=ID,addr.type=fd,addr.str=N
 *   dgram,id=ID,local.type=fd,local.str=N
 *   hubport,id=ID,hubid=N[,netdev=ID2]  (QEMU's hub; ID2 an earlier -netdev joins it)
 *   "type=tap" is the same as a leading "tap". br= is libxl's information
 *   (its hotplug script bridges the tap); script= and downscript= other than
 *   "no" are refused (hvmdm runs no scripts).
 */
/* Syntax only, nothing opened (the command line). 0 or -EINVAL with a message in err. */
__attribute__((warn_unused_result)) int net_check_opt(const char *spec, char *err, size_t errlen);
/* Open every -netdev of m->opts, in order. 0 or -errno with a message naming the option. */
__attribute__((warn_unused_result)) int net_add_opts(struct machine *m, char *err, size_t errlen);
/* Close every backend (after the NICs detached). */
void net_set_free(struct machine *m);

/*
 * QMP set_link: name is a -netdev id or the id= of the NIC using one. While
 * down the port drops what the NIC sends and what the wire brings, as QEMU's
 * link_down does, and the NIC hears of the change. 0 or -ENOENT.
 */
__attribute__((warn_unused_result)) int net_set_link(struct machine *m, const char *name, bool up);

struct net_stats {
	uint64_t rx_frames;  /* handed to the NIC */
	uint64_t rx_dropped; /* read with no NIC attached, or too long */
	uint64_t tx_frames;  /* taken by the host */
	uint64_t tx_dropped; /* host queue full, peer absent */
};
struct net_stats net_port_stats(const struct net_port *port);

#endif
