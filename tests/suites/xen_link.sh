#!/bin/bash
# The production binary is linked against the real Xen libraries; the dm/xen
# unit tests against tests/xensim instead (never both). Argument: build dir.
b=${1:-build}
libs="libxendevicemodel libxenforeignmemory libxenevtchn libxenstore libxentoolcore libxenctrl"

if [ ! -x "$b/hvmdm" ]; then
	echo "FAIL xen-link-hvmdm $b/hvmdm not built"
	exit 0
fi
deps=$(ldd "$b/hvmdm" 2>&1)
for l in $libs; do
	if grep -q "$l\.so" <<<"$deps"; then
		echo "PASS xen-link-hvmdm-$l"
	else
		echo "FAIL xen-link-hvmdm-$l hvmdm does not link $l"
	fi
done

for t in "$b"/tests/unit/test_xen_ioreq "$b"/tests/unit/test_xen_lifecycle "$b"/tests/unit/test_xen_mapcache; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	if ldd "$t" 2>&1 | grep -q 'libxen'; then
		echo "FAIL xensim-only-$n links a real libxen* library"
	else
		echo "PASS xensim-only-$n"
	fi
done

# Without a hypervisor, -xen-domid fails at once with a message, not a crash or a hang.
out=$(timeout 10 "$b/hvmdm" -xen-domid 5 -machine xenfv -nodefaults 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ $rc -lt 124 ] && grep -q "cannot attach to domain 5\|Xen interfaces" <<<"$out"; then
	echo "PASS xen-no-hypervisor-clean-error"
else
	echo "FAIL xen-no-hypervisor-clean-error rc=$rc: $out"
fi
