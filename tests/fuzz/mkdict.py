#!/usr/bin/env python3
"""Write tests/fuzz/hvmdm.dict, the libFuzzer dictionary of fuzz_generic.c's
binary operations: PIO_READ/PIO_WRITE opcodes with a port and size code, PCI
config register offsets (u16), and values drivers write (ATA and ATAPI
commands, PRD end-of-table, the CONFIG_ADDRESS enable bit). Ports are the
ones the harness's firmware set-up places (BMDMA at 0xc000, the Xen platform
BAR0 at 0xc100, PIIX4 PM at 0xb000) plus the fixed ISA ones."""
import os

OP_PIO_READ, OP_PIO_WRITE = 2, 3
PORTS = {
    'ata0_data': 0x1f0, 'ata0_err': 0x1f1, 'ata0_nsect': 0x1f2, 'ata0_lbal': 0x1f3,
    'ata0_lbam': 0x1f4, 'ata0_lbah': 0x1f5, 'ata0_dev': 0x1f6, 'ata0_cmd': 0x1f7,
    'ata0_ctl': 0x3f6, 'ata1_data': 0x170, 'ata1_feat': 0x171, 'ata1_nsect': 0x172,
    'ata1_bcl': 0x174, 'ata1_bch': 0x175, 'ata1_dev': 0x176, 'ata1_cmd': 0x177,
    'ata1_ctl': 0x376, 'bmdma_cmd0': 0xc000, 'bmdma_st0': 0xc002, 'bmdma_prd0': 0xc004,
    'bmdma_cmd1': 0xc008, 'bmdma_st1': 0xc00a, 'bmdma_prd1': 0xc00c, 'pci_cf8': 0xcf8,
    'pci_cfc': 0xcfc, 'rst_cf9': 0xcf9, 'port92': 0x92, 'com1_thr': 0x3f8, 'com1_ier': 0x3f9,
    'com1_iir': 0x3fa, 'com1_lcr': 0x3fb, 'com1_mcr': 0x3fc, 'com1_lsr': 0x3fd,
    'com1_msr': 0x3fe, 'com1_scr': 0x3ff, 'kbd_data': 0x60, 'kbd_cmd': 0x64,
    'cmos_idx': 0x70, 'cmos_data': 0x71, 'pm1_sts': 0xb000, 'pm1_en': 0xb002,
    'pm1_cnt': 0xb004, 'pm_tmr': 0xb008, 'gpe0': 0xafe0, 'apm_cnt': 0xb2, 'apm_sts': 0xb3,
    'xenpf_magic': 0x10, 'xenpf_log': 0x12, 'xenpf_bar0': 0xc100, 'pci_hotplug': 0xae00,
    'cpu_hotplug': 0xaf00,
}
PCI_REGS = [0x04, 0x06, 0x0c, 0x0d, 0x0e, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x2c, 0x30,
            0x34, 0x3c, 0x3d, 0x40, 0x41, 0x42, 0x43, 0x44, 0x48, 0x4a, 0x4c, 0x58, 0x59, 0x5a,
            0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x72, 0x80, 0xb0, 0xd2]
VALUES = {
    'ata_identify': 0xec, 'ata_identify_packet': 0xa1, 'ata_packet': 0xa0,
    'ata_read_dma': 0xc8, 'ata_write_dma': 0xca, 'ata_read_sectors': 0x20,
    'ata_write_sectors': 0x30, 'ata_read_multiple': 0xc4, 'ata_set_multiple': 0xc6,
    'ata_set_features': 0xef, 'ata_flush': 0xe7, 'ata_read_dma_ext': 0x25,
    'ata_write_dma_ext': 0x35, 'ata_verify': 0x40, 'ata_device_reset': 0x08,
    'ata_sleep': 0xe6, 'ata_read_native_max': 0xf8, 'ata_smart': 0xb0, 'ata_lba': 0xe0,
    'ata_slave': 0xf0, 'ata_srst': 0x04, 'bm_start_read': 0x09, 'bm_start': 0x01,
    'atapi_read10': 0x28, 'atapi_read12': 0xa8, 'atapi_toc': 0x43, 'atapi_inquiry': 0x12,
    'atapi_mode_sense': 0x5a, 'atapi_request_sense': 0x03, 'atapi_start_stop': 0x1b,
    'atapi_get_config': 0x46, 'atapi_read_cd': 0xbe, 'atapi_event': 0x4a,
    'atapi_capacity': 0x25,
}
RAW = {'prd_eot': [0x00, 0x02, 0x00, 0x80], 'prd_64k': [0x00, 0x00, 0x00, 0x80],
       'cf8_enable': [0x00, 0x00, 0x00, 0x80], 'xen_magic': [0xf1, 0x49],
       'sector_2048': [0x00, 0x08]}


def esc(bs):
    return ''.join('\\x%02x' % b for b in bs)


def main():
    out = ["# libFuzzer dictionary for tests/fuzz/fuzz_generic.c, written by mkdict.py."]
    for name, p in PORTS.items():
        for sz in range(3):
            out.append('in_%s_%d="%s"' % (name, sz, esc([OP_PIO_READ, p & 0xff, p >> 8, sz])))
            out.append('out_%s_%d="%s"' % (name, sz, esc([OP_PIO_WRITE, p & 0xff, p >> 8, sz])))
    out += ['pcireg_%02x="%s"' % (r, esc([r, 0])) for r in PCI_REGS]
    out += ['%s="%s"' % (n, esc([v])) for n, v in VALUES.items()]
    out += ['%s="%s"' % (n, esc(v)) for n, v in RAW.items()]
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hvmdm.dict"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
