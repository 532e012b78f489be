; SPDX-License-Identifier: GPL-2.0-only
;
; iobench: a boot sector that times port I/O round trips under the real Xen.
;
; Each batch is COUNT identical port accesses; before and after it a line
; goes to Xen's debug port 0xe9, which Xen prints with its own timestamp
; ("(dN) [  12.345678] IOBENCH ..."), so the time per access is the gap
; between two lines divided by COUNT. Batches:
;   xen-pic     in 0x21     the 8259 mask, emulated inside Xen (the baseline)
;   dm-lsr      in 0x3fd    COM1 line status, a port read the DM answers
;   dm-thr      out 0x3f8   COM1 transmit, a port write the DM sends to a file
;   dm-pcicfg   out 0xcf8 + in 0xcfc   a PCI config read (two ioreqs to the DM)
; then it powers off as hello does (SLP_EN | SLP_TYP=0 into PM1a_CNT 0xb004,
; Xen's FADT and DSDT; ACPI 6.4 section 4.8.3.2.1).
;
; Build: nasm -f bin -o iobench.bin iobench.asm  (512 bytes)

	bits 16
	org 0x7c00

COUNT		equ 500
XEN_DEBUG_PORT	equ 0xe9
PM1A_CNT	equ 0xb004
PM1_SLP_EN	equ 0x2000

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	cld

	mov si, msg_start
	call say

	mov cx, COUNT
	mov dx, 0x21
.pic:	in al, dx
	loop .pic
	mov si, msg_pic
	call say

	mov cx, COUNT
	mov dx, 0x3fd
.lsr:	in al, dx
	loop .lsr
	mov si, msg_lsr
	call say

	mov cx, COUNT
	mov dx, 0x3f8
	mov al, '.'
.thr:	out dx, al
	loop .thr
	mov si, msg_thr
	call say

	mov cx, COUNT
.cfg:	mov dx, 0xcf8
	mov eax, 0x80000000		; 00:00.0 register 0: vendor/device
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	loop .cfg
	mov si, msg_cfg
	call say

	mov si, msg_off
	call say
	mov dx, PM1A_CNT
	mov ax, PM1_SLP_EN
	out dx, ax
.halt:	hlt
	jmp .halt

; say: "IOBENCH " and the zero-terminated string at ds:si on port 0xe9
say:
	push si
	mov si, msg_prefix
	call puts
	pop si
puts:
	lodsb
	test al, al
	jz .done
	out XEN_DEBUG_PORT, al
	jmp puts
.done:
	ret

msg_prefix:	db "IOBENCH ", 0
msg_start:	db "start count=500", 10, 0
msg_pic:	db "done xen-pic in 0x21", 10, 0
msg_lsr:	db "done dm-lsr in 0x3fd", 10, 0
msg_thr:	db "done dm-thr out 0x3f8", 10, 0
msg_cfg:	db "done dm-pcicfg 0xcf8+0xcfc", 10, 0
msg_off:	db "powering off", 10, 0

	times 510 - ($ - $$) db 0
	dw 0xaa55
