// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts and guest lifecycle requests under Xen
 * (shared/docs/xen-interface.md §4, §1.4).
 *
 * ISA lines go to xendevicemodel_set_isa_irq_level, PCI INTx to
 * set_pci_intx_level with the slot and pin (the levels of every function of
 * a slot are ORed per pin first, as QEMU's xen_intx_set_irq does, so one
 * function dropping its line does not drop another's), PIIX3 PIRQ routes to
 * set_pci_link_route, MSI to inject_msi. Only changes of a line reach Xen.
 *
 * Power-off and reboot become xendevicemodel_shutdown; raised while a
 * synchronous request is being handled they wait until it is done but
 * before IORESP_READY, so the toolstack sees them before the vCPU resumes
 * (QEMU cpu_handle_ioreq). A reboot resets the devices first. S3 sets
 * HVM_PARAM_ACPI_S_STATE to 3 (QEMU xen_suspend_notifier). The platform
 * device's ROM lock makes pages read-only with set_mem_type (§5.4).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "dm/log.h"
#include "dm/machine.h"
#include "dm/xen/xen_int.h"

static const char WHO[] = "xen-irq";

static void x_isa_irq(void *opaque, unsigned irq, bool level)
{
	struct xen_platform *xp = opaque;
	uint16_t bit = (uint16_t)(1u << irq);

	if (!!(xp->isa_level & bit) == level)
		return;
	if (xendevicemodel_set_isa_irq_level(xp->dmod, xp->domid, (uint8_t)irq, level)) {
		dm_warn(WHO, "set_isa_irq_level %u %u: %s", irq, level, strerror(errno));
		return;
	}
	xp->isa_level = level ? xp->isa_level | bit : xp->isa_level & ~bit;
}

/* Is pin asserted by any function of slot? */
static bool slot_pin_level(const struct xen_platform *xp, unsigned slot, unsigned pin)
{
	unsigned fn;

	for (fn = 0; fn < 8; fn++)
		if (xp->intx_level[slot << 3 | fn] & (1u << pin))
			return true;
	return false;
}

static void x_pci_intx(void *opaque, unsigned devfn, unsigned pin, bool level)
{
	struct xen_platform *xp = opaque;
	unsigned slot = devfn >> 3;
	bool before = slot_pin_level(xp, slot, pin), after;
	uint8_t saved = xp->intx_level[devfn];

	if (level)
		xp->intx_level[devfn] |= (uint8_t)(1u << pin);
	else
		xp->intx_level[devfn] &= (uint8_t) ~(1u << pin);
	after = slot_pin_level(xp, slot, pin);
	if (before == after)
		return;
	if (xendevicemodel_set_pci_intx_level(xp->dmod, xp->domid, 0, 0, (uint8_t)slot,
					      (uint8_t)pin, after)) {
		dm_warn(WHO, "set_pci_intx_level %02x INT%c %u: %s", slot, 'A' + pin, after,
			strerror(errno));
		xp->intx_level[devfn] = saved;
	}
}

static void x_link_route(void *opaque, unsigned link, unsigned irq)
{
	struct xen_platform *xp = opaque;

	if (xendevicemodel_set_pci_link_route(xp->dmod, xp->domid, (uint8_t)link, (uint8_t)irq))
		dm_warn(WHO, "set_pci_link_route %u -> %u: %s", link, irq, strerror(errno));
}

static void x_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct xen_platform *xp = opaque;

	if (xendevicemodel_inject_msi(xp->dmod, xp->domid, addr, data))
		dm_warn(WHO, "inject_msi 0x%" PRIx64 "/0x%x: %s", addr, data, strerror(errno));
}

/* §5.4: the platform device's ROM lock (QEMU platform_fixed_ioport_writeb). */
static int x_set_ram_ro(void *opaque, uint64_t first_pfn, uint64_t nr, bool ro)
{
	struct xen_platform *xp = opaque;

	if (!nr || nr > UINT32_MAX)
		return -EINVAL;
	if (xendevicemodel_set_mem_type(xp->dmod, xp->domid, ro ? HVMMEM_ram_ro : HVMMEM_ram_rw,
					first_pfn, (uint32_t)nr)) {
		int rc = -errno;

		dm_warn(WHO, "set_mem_type 0x%" PRIx64 "+0x%" PRIx64 " %s: %s", first_pfn, nr,
			ro ? "ro" : "rw", strerror(-rc));
		return rc;
	}
	return 0;
}

static void do_request(struct xen_platform *xp, enum plat_request req)
{
	static const char *const names[] = { "poweroff", "reboot", "suspend" };
	int rc;

	dm_info(WHO, "guest asks for %s", names[req]);
	switch (req) {
	case PLAT_REQ_POWEROFF:
		rc = xendevicemodel_shutdown(xp->dmod, xp->domid, SHUTDOWN_poweroff);
		break;
	case PLAT_REQ_REBOOT:
		if (xp->opts.system_reset)
			xp->opts.system_reset(xp->m);
		rc = xendevicemodel_shutdown(xp->dmod, xp->domid, SHUTDOWN_reboot);
		break;
	case PLAT_REQ_SUSPEND:
		rc = xc_set_hvm_param(xp->xch, xp->domid, HVM_PARAM_ACPI_S_STATE, 3);
		break;
	default:
		return;
	}
	if (rc)
		dm_err(WHO, "%s request to Xen failed: %s", names[req], strerror(errno));
}

static void x_request(void *opaque, enum plat_request req)
{
	struct xen_platform *xp = opaque;

	if ((unsigned)req > PLAT_REQ_SUSPEND)
		return;
	if (xp->in_sync) {
		xp->pending_req |= 1u << req;
		return;
	}
	do_request(xp, req);
}

void xen_run_pending_requests(struct xen_platform *xp)
{
	unsigned req;

	while (xp->pending_req) {
		req = (unsigned)__builtin_ctz(xp->pending_req);
		xp->pending_req &= ~(1u << req);
		do_request(xp, (enum plat_request)req);
	}
}

/* Xen keeps the guest's RTC; the CMOS bytes we own are dated from the host, as in qemu-xen. */
static int64_t x_rtc_seconds(void *opaque)
{
	(void)opaque;
	return (int64_t)time(NULL);
}

const struct platform_ops xen_backend_ops = {
	.isa_irq = x_isa_irq,
	.pci_intx = x_pci_intx,
	.pci_link_route = x_link_route,
	.msi = x_msi,
	.request = x_request,
	.set_ram_ro = x_set_ram_ro,
	.rtc_seconds = x_rtc_seconds,
};
