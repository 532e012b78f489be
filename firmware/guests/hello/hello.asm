; SPDX-License-Identifier: GPL-2.0-only
;
; hello: the end-to-end test's smallest guest, a two-sector disk program.
;
; SeaBIOS loads sector 0 from the IDE disk to 0000:7c00 and jumps to it with
; the BIOS drive number in DL. The program then
;   1. prints its banner on COM1 (16550 at 0x3f8, the device model's UART,
;      polling LSR.THRE with a bound) and on Xen's debug port 0xe9 (which Xen
;      itself prints as "(dN) ..." on its console, independent of the DM);
;   2. reads sector 1 through INT 13h (SeaBIOS's ATA driver against the DM's
;      PIIX3 IDE) and prints the line stored there, after checking its tag;
;   3. writes the banner to the VGA text buffer at b800:0000 and reads it
;      back: "VGA text buffer ok" when a VGA device holds the bytes, "VGA text
;      buffer absent" with vga="none" (the writes then go nowhere);
;   4. powers the guest off the ACPI way: SLP_EN | SLP_TYP=0 into PM1a_CNT.
;      Xen's hvmloader places PM1a_CNT at 0xb004 (tools/libacpi/static_tables.c,
;      ACPI_PM1A_CNT_BLK_ADDRESS_V1) and its DSDT's \_S5 has SLP_TYP 0
;      (tools/libacpi/dsdt.asl); ACPI 6.4 section 4.8.3.2.1 (PM1 Control,
;      SLP_EN bit 13, SLP_TYP bits 12:10). The address is fixed rather than
;      read from the FADT because the tables live above 1 MiB, out of reach
;      of a 512-byte real-mode program.
; If the power-off write does not stop it, it says so and halts.
;
; Every line starts with "HVMDM-E2E hello:" so the test can find it in the
; serial log (through the DM) and in Xen's console (through port 0xe9).
;
; Build: nasm -f bin -o hello.bin hello.asm  (1024 bytes: sectors 0 and 1)

	bits 16
	org 0x7c00

COM1		equ 0x3f8
COM1_LSR	equ COM1 + 5
LSR_THRE	equ 0x20
XEN_DEBUG_PORT	equ 0xe9
PM1A_CNT	equ 0xb004
PM1_SLP_EN	equ 0x2000	; SLP_EN, SLP_TYP 0 = S5 in Xen's DSDT
SECTOR1		equ 0x7e00

start:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	cld
	mov [boot_drive], dl

	mov si, msg_banner
	call say

	; INT 13h AH=02h: read 1 sector, cylinder 0, head 0, sector 2 -> 0000:7e00
	mov ax, 0x0201
	mov cx, 0x0002
	xor dh, dh
	mov dl, [boot_drive]
	mov bx, SECTOR1
	int 0x13
	jc .read_failed
	mov si, SECTOR1
	mov di, tag_sector1
	mov cx, tag_sector1_len
	repe cmpsb
	jne .read_bad
	mov si, SECTOR1
	call puts
	jmp .vga
.read_failed:
	mov si, msg_read_failed
	call say
	jmp .vga
.read_bad:
	mov si, msg_read_bad
	call say

.vga:
	; the banner into the text buffer, attribute 0x07, then read it back
	push es
	mov ax, 0xb800
	mov es, ax
	xor di, di
	mov si, msg_banner
.vga_put:
	lodsb
	cmp al, 13
	je .vga_check
	mov ah, 0x07
	stosw
	jmp .vga_put
.vga_check:
	xor di, di
	mov si, msg_banner
	mov cx, 16
.vga_cmp:
	lodsb
	cmp [es:di], al
	jne .vga_absent
	add di, 2
	loop .vga_cmp
	pop es
	mov si, msg_vga_ok
	call say
	jmp .poweroff
.vga_absent:
	pop es
	mov si, msg_vga_absent
	call say

.poweroff:
	mov si, msg_poweroff
	call say
	mov dx, PM1A_CNT
	mov ax, PM1_SLP_EN
	out dx, ax
	; still here: the device model did not power the guest off
	mov cx, 0xffff
.spin:
	loop .spin
	mov si, msg_still_running
	call say
.halt:
	hlt
	jmp .halt

; say: "HVMDM-E2E hello: " then the zero-terminated string at ds:si.
say:
	push si
	mov si, msg_prefix
	call puts
	pop si
	; fall through
; puts: the zero-terminated string at ds:si to COM1 and port 0xe9.
puts:
	lodsb
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1_LSR
	mov cx, 0xffff			; bounded wait for THRE
.wait_thre:
	in al, dx
	test al, LSR_THRE
	jnz .send
	loop .wait_thre
.send:
	mov al, ah
	mov dx, COM1
	out dx, al
	out XEN_DEBUG_PORT, al
	jmp puts
.done:
	ret

msg_prefix:		db "HVMDM-E2E hello: ", 0
msg_banner:		db "boot sector running", 13, 10, 0
msg_read_failed:	db "INT 13h read of sector 1 FAILED", 13, 10, 0
msg_read_bad:		db "sector 1 read but its tag is wrong", 13, 10, 0
msg_vga_ok:		db "VGA text buffer ok", 13, 10, 0
msg_vga_absent:		db "VGA text buffer absent", 13, 10, 0
msg_poweroff:		db "powering off via ACPI PM1a_CNT", 13, 10, 0
msg_still_running:	db "still running after the power-off write", 13, 10, 0
tag_sector1:		db "HVMDM-E2E hello: sector 1"
tag_sector1_len		equ $ - tag_sector1
boot_drive:		db 0

	times 510 - ($ - $$) db 0
	dw 0xaa55

; sector 1: read back through INT 13h by the code above
sector1:
	db "HVMDM-E2E hello: sector 1 read through INT 13h ok", 13, 10, 0
	times 1024 - ($ - $$) db 0
