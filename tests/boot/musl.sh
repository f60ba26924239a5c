#!/bin/sh
# husk in a root with no glibc at all (tests/boot/mkinitramfs MUSL_CC=...):
# run by tests/boot/init chrooted into /musl, as root and (bt drop) as
# uid 1000. The root holds busybox (Debian's busybox-static: glibc
# linked in statically, so no C library file), husk, bt built static
# with musl, bt-dyn built dynamic with musl, and musl's loader
# /lib/ld-musl-x86_64.so.1 (its C library too): the only shared object.
# Same line format as smoke.sh.

H=/bin/husk
U=$(id -u)
W=/tmp/musl-$U
rm -rf "$W"
mkdir -p "$W/ok" "$W/no" || exit 1
echo hello > "$W/ok/f"
echo secret > "$W/no/f"
LOADER=/lib/ld-musl-x86_64.so.1

LIMIT=60 NAMES=musl-
. /checks.sh

T=root
# Every file of this root (not the kernel file systems mounted on it):
# nothing from glibc, one shared object, musl's loader.
files=$(find / -xdev -type f | sort | tr '\n' ' ')
want="/bin/bt /bin/bt-dyn /bin/busybox /bin/husk /checks.sh $LOADER /musl.sh "
if [ "$files" = "$want" ]; then
	pass only-musl
else
	fail only-musl "files: $files"
fi
check dynamic-bare 0 ok /bin/bt-dyn open "$W/ok/f"

for T in notify ptrace; do
	M="-m trace/transport:$T"
	R="-m sandbox/read:on -m allow/read+$W/ok/***"
	X="-m sandbox/exec:on -m allow/exec+/bin/***"

	check static-read-allowed 0 ok "$H" $M -p off $R -- /bin/bt open "$W/ok/f"
	check static-read-denied 1 "errno EACCES" "$H" $M -p off $R -- /bin/bt open "$W/no/f"
	grep -qF '"cap":"read"' "$W/out" || fail static-read-denied-logged "$(out)"

	check dynamic-runs 0 ok "$H" $M -p off $X -m "allow/exec+$LOADER" -- /bin/bt-dyn open "$W/ok/f"
	check dynamic-read-allowed 0 ok "$H" $M -p off $X -m "allow/exec+$LOADER" $R -- /bin/bt-dyn open "$W/ok/f"
	check dynamic-read-denied 1 "errno EACCES" "$H" $M -p off $X -m "allow/exec+$LOADER" $R -- /bin/bt-dyn open "$W/no/f"
	# The loader is the program's first code: exec-denied, the program
	# is killed before it runs (husk exits 137), and the log names it.
	run "$H" $M -p off $X -- /bin/bt-dyn open "$W/ok/f"
	if [ "$ST" = 137 ] && ! grep -qx ok "$W/out" && grep -qF "\"path\":\"$LOADER\"" "$W/out"; then
		pass dynamic-loader-denied
	else
		fail dynamic-loader-denied "status $ST: $(out)"
	fi
	check dynamic-in-shell 0 ok "$H" $M -p off $X -m "allow/exec+$LOADER" -- sh -c "/bin/bt-dyn open $W/ok/f"
done
rm -rf "$W"
