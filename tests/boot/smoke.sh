#!/bin/busybox sh
# husk's boot smoke suite: run inside a booted guest (tests/boot/init runs it
# as root and, through `bt drop`, as uid 1000). One line per check:
# "PASS USER/TRANSPORT NAME" or "FAIL USER/TRANSPORT NAME (details)".
# The caller counts them. Each check runs in every transport the kernel
# has (notify only where `husk -C` says it is the best it offers).
#
# HUSK, BT, BIN and CHECKS say where husk, the helper (tests/boot/bt.c),
# the busybox applet links and checks.sh are (/bin, / in the guest), so
# the suite also runs on a development machine.

H=${HUSK:-/bin/husk}
BT=${BT:-/bin/bt}
BIN=${BIN:-/bin}
U=$(id -u)
W=/tmp/husk-smoke-$U
LIMIT=${LIMIT:-120}

rm -rf "$W"
mkdir -p "$W/ok" "$W/no" || exit 1
echo hello > "$W/ok/f"
echo secret > "$W/no/f"
cp "$BIN/busybox" "$W/no/true"
printf '#!%s/sh\necho script ran\n' "$BIN" > "$W/ok/script"
chmod +x "$W/ok/script" "$W/no/true"

if "$H" -C | grep -q '^transport: notify'; then
	TRANSPORTS="notify ptrace"
else
	TRANSPORTS="ptrace"
	echo "NOTE uid $U: no notify transport on this kernel, ptrace only"
fi

NAMES=
. "${CHECKS:-/checks.sh}"

# Controls: without husk, this kernel lets the helper do what the
# escape checks below require husk to refuse (else they prove nothing).
T=bare
check control-ptrace-parent 0 ok "$BT" ptrace-parent
check control-io-uring 0 ok "$BT" io-uring
check control-seccomp-filter 0 ok "$BT" seccomp

LANDLOCK=$("$H" -C | sed -n 's/^landlock: ABI \([0-9]*\).*/\1/p')

"$BIN/sleep" 600 & OUTSIDE=$!

# What this kernel has, by its version: KVER is uname -r
# ("MAJOR.MINOR..."), unless husk_kver=X.Y is on the kernel command line
# (BOOT_APPEND, tests/boot/boot): then every expectation below is that
# of another kernel, which is how each check was shown to fail.
KVER=${husk_kver:-$(uname -r)}
KMAJ=${KVER%%.*}
KMIN=${KVER#*.}
KMIN=${KMIN%%[!0-9]*}
# kge MAJOR MINOR: the kernel is MAJOR.MINOR or newer.
kge() { [ "$KMAJ" -gt "$1" ] || { [ "$KMAJ" -eq "$1" ] && [ "$KMIN" -ge "$2" ]; }; }
yes_from() { if kge "$1" "$2"; then echo yes; else echo no; fi; }
# Landlock's ABI by the version that brought it.
LL_WANT=0
for e in "5 13 1" "5 19 2" "6 2 3" "6 7 4" "6 10 5" "6 12 6" "6 15 7"; do
	set -- $e
	kge "$1" "$2" && LL_WANT=$3
done

"$H" -C > "$W/caps" 2>&1
"$BT" probe > "$W/probe" 2>&1
probed() { sed -n "s/^$1 //p" "$W/probe"; }
# reported LINE: what husk -C says after "LINE: " (its first word).
reported() { sed -n "s/^$1: \([^ ]*\).*/\1/p" "$W/caps"; }

T=kernel
# feature NAME MAJOR MINOR [C_LINE]: the kernel has NAME (asked by bt,
# not through husk) exactly if it is MAJOR.MINOR or newer; and husk -C,
# where it reports NAME (its line C_LINE), says the same.
feature() {
	want=$(yes_from "$2" "$3") got=$(probed "$1")
	if [ "$got" = "$want" ]; then
		pass "has-$1-$want"
	else
		fail "has-$1-$want" "Linux $KVER: expected $1 $want (from $2.$3), bt probe says '$got'"
	fi
	[ -n "${4:-}" ] || return 0
	said=$(reported "$4")
	if [ "$said" = "$want" ]; then
		pass "husk-reports-$1-$want"
	else
		fail "husk-reports-$1-$want" "husk -C '$4: $said', kernel: $got"
	fi
}
feature set_syscall_info 6 16 "  PTRACE_SET_SYSCALL_INFO"
feature sync_wake_up 6 6 "  notify SYNC_WAKE_UP"
feature wait_killable_recv 5 19 "  notify WAIT_KILLABLE_RECV"
feature pidfd_thread 6 9 "pidfd PIDFD_THREAD"
# mseal exists on 64-bit architectures only.
case $(uname -m) in
*64) feature mseal 6 10 mseal ;;
*) feature mseal 99 0 mseal ;;
esac
got=$(probed landlock_abi) said=$(sed -n 's/^landlock: ABI \([0-9]*\)$/\1/p' "$W/caps")
if [ "$got" = "$LL_WANT" ] && [ "${said:-0}" = "$LL_WANT" ]; then
	pass "landlock-abi-$LL_WANT"
else
	fail "landlock-abi-$LL_WANT" "Linux $KVER: expected ABI $LL_WANT, bt probe says $got, husk -C says ${said:-none}"
fi
# The policy region (.husk_lockdown, its bounds in /husk-lockdown from
# mkinitramfs) of a running husk is read-only, and sealed (VmFlags "sl")
# where the kernel has mseal. Root only: husk is not dumpable.
if [ "$U" = 0 ] && [ -r /husk-lockdown ]; then
	read -r lstart lend < /husk-lockdown
	rm -f "$W/started"
	"$H" -p off -- sh -c "echo > $W/started; exec sleep 60" > /dev/null 2>&1 &
	hp=$!
	i=0
	while [ ! -e "$W/started" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	region=$(awk -v a="$lstart-$lend" '$1 == a { p = $2; f = 1; next } f && /^VmFlags:/ { print p, $0; exit }' "/proc/$hp/smaps")
	kill -KILL $hp
	wait $hp 2> /dev/null
	want=$(yes_from 6 10)
	case $(uname -m) in *64) ;; *) want=no ;; esac
	case $region in
	'r--p '*' sl'*) sealed=yes ;;
	'r--p '*) sealed=no ;;
	*) sealed="not read-only" ;;
	esac
	if [ "$sealed" = "$want" ]; then
		pass "policy-region-sealed-$want"
	else
		fail "policy-region-sealed-$want" "Linux $KVER: $lstart-$lend is '$region'"
	fi
fi
# The routing husk reports (-E landlock) for write and truncate: Landlock's
# (kernel) where its ABI has the right, write from ABI 1, truncate from 3.
"$H" -p off -m sandbox/write,truncate:on -m "allow/write,truncate+$W/ok/***" -E landlock > "$W/routing" 2>&1
for e in "write 1" "truncate 3"; do
	set -- $e
	want=husk
	[ "$LL_WANT" -ge "$2" ] && want=kernel
	said=$(sed -n "s/^$1  *\([a-z]*\).*/\1/p" "$W/routing")
	if [ "$said" = "$want" ]; then
		pass "routes-$1-to-$want"
	else
		fail "routes-$1-to-$want" "Landlock ABI $LL_WANT: husk -E landlock says '$said': $(grep -E "^(# husk|$1 )" "$W/routing" | tr '\n' ' ')"
	fi
done
# Notify from 5.14 (ADDFD_FLAG_SEND), else ptrace.
want=ptrace
kge 5 14 && want=notify
if [ "$(reported transport)" = "$want" ]; then
	pass "transport-$want"
else
	fail "transport-$want" "husk -C: $(grep '^transport' "$W/caps")"
fi
# The path a denied call's errno takes in ptrace mode.
if [ "$(probed set_syscall_info)" = yes ]; then
	ERRNO_PATH=set_syscall_info
else
	ERRNO_PATH=registers
fi
echo "NOTE uid $U: Linux $KVER: ptrace errnos via $ERRNO_PATH; notify $(probed sync_wake_up | sed 's/yes/with/;s/no/without/') SYNC_WAKE_UP; caller descriptors via $(probed pidfd_thread | sed 's/yes/the thread (PIDFD_THREAD)/;s/no/the process (no PIDFD_THREAD)/'); Landlock ABI $got$( [ "$got" -ge 6 ] || echo ': no signal scope'); mseal $(probed mseal)"


"$BT" serve "$W/ok/sock" & SERVE_OK=$!
"$BT" serve "$W/no/sock" & SERVE_NO=$!
sleep 1

for T in $TRANSPORTS; do
	M="-m trace/transport:$T"
	X="-m sandbox/exec:on -m allow/exec+$BIN/***"

	check exit-status 7 "" "$H" $M -p off -- sh -c 'exit 7'
	check signal 0 "signal 15" "$BT" status "$H" $M -p off -- "$BIN/sh" -c 'kill -TERM $$'

	R="-p off -m sandbox/read:on -m allow/read+$W/ok/***"
	check read-allowed 0 hello "$H" $M $R -- cat "$W/ok/f"
	run "$H" $M $R -- cat "$W/no/f"
	if [ "$ST" = 0 ] || grep -q secret "$W/out" || ! grep -qF '"cap":"read"' "$W/out"; then
		fail read-denied "status $ST: $(out)"
	else
		pass read-denied
	fi

	# husk deciding (and logging) writes: trace/kernel:off (else notify
	# mode leaves write to Landlock: below).
	WR="-p off -m trace/kernel:off -m sandbox/write:on -m allow/write+$W/ok/***"
	check write-allowed 0 "" "$H" $M $WR -- sh -c "echo more >> $W/ok/f"
	grep -q more "$W/ok/f" || fail write-allowed-content "$W/ok/f: $(cat "$W/ok/f")"
	run "$H" $M $WR -- sh -c "echo more >> $W/no/f"
	if [ "$ST" = 0 ] || grep -q more "$W/no/f" || ! grep -qF '"cap":"write"' "$W/out"; then
		fail write-denied "status $ST, file: $(cat "$W/no/f"): $(out)"
	else
		pass write-denied
	fi

	# The same rules with the routing on (the default): in notify mode
	# Landlock decides write (ABI 1+) and truncate (ABI 3+, Linux 6.2)
	# in the kernel, whose denials are EACCES and not logged (README
	# "Deciding in the kernel"); husk decides, and logs, the rest, and
	# everything in ptrace mode.
	# (truncate(2): writing $W/no is allowed, truncating it is not;
	# ftruncate stays with husk)
	for what in write truncate; do
		KW="-p off -m sandbox/write,truncate:on -m allow/write,truncate+$W/ok/***"
		# (the filter sends an open for writing to the kernel only where
		# read and readdir are the kernel's too, as it may be O_RDWR; and
		# read is only where it covers all that exec allows, and the ELF
		# loaders: none in this root)
		[ $what = write ] && KW="$KW -m sandbox/exec,read,readdir:on -m allow/exec,read+$BT -m allow/read,readdir+$W/***"
		[ $what = truncate ] && KW="$KW -m allow/write+$W/no/***"
		if [ "$T" = notify ] && { [ $what = write ] || [ "$LL_WANT" -ge 3 ]; }; then
			by=kernel
		else
			by=husk
		fi
		if [ $what = write ]; then
			# (no O_CREAT: create is not checked, and an open that
			# needs an unchecked category stays with husk)
			run "$H" $M $KW -- "$BT" append "$W/no/f"
		else
			run "$H" $M $KW -- "$BT" truncate "$W/no/f"
		fi
		logged=no
		grep -qF "\"cap\":\"$what\"" "$W/out" && logged=yes
		if [ "$ST" != 0 ] && [ "$(cat "$W/no/f")" = secret ] && grep -qE 'Permission denied|errno EACCES' "$W/out" &&
			{ { [ $by = kernel ] && [ $logged = no ]; } || { [ $by = husk ] && [ $logged = yes ]; }; }; then
			pass "$what-denied-by-$by"
		else
			fail "$what-denied-by-$by" "status $ST, logged $logged, file: $(cat "$W/no/f"): $(out)"
		fi
	done

	check exec-allowed 0 "" "$H" $M -p off $X -- "$BIN/true"
	check exec-denied 126 "denied by policy" "$H" $M -p off $X -- "$W/no/true"
	check exec-denied-in-shell 126 "" "$H" $M -p off $X -- sh -c "$W/no/true"

	C="-p off -m sandbox/net/connect:on -m allow/net/connect+$W/ok/sock"
	check connect-allowed 0 ok "$H" $M $C -- "$BT" connect "$W/ok/sock"
	check connect-denied 1 "errno ECONNREFUSED" "$H" $M $C -- "$BT" connect "$W/no/sock"

	run "$BT" status "$H" $M -p off -m sandbox/read:on -m 'allow/read+/***' -m "kill/read+$W/no/f" -- cat "$W/no/f"
	if grep -qE '^(signal 9|exit 137)$' "$W/out" && ! grep -q secret "$W/out"; then
		pass kill-action
	else
		fail kill-action "expected signal 9 or exit 137: $(out)"
	fi

	check escape-ptrace-parent 1 "errno EPERM" "$H" $M -p off -- "$BT" ptrace-parent
	run "$H" $M -p off -- "$BT" io-uring
	if [ "$ST" = 1 ] && grep -qE '^errno (ENOSYS|EPERM)$' "$W/out"; then
		pass escape-io-uring
	else
		fail escape-io-uring "status $ST: $(out)"
	fi
	check escape-seccomp-filter 1 "errno EPERM" "$H" $M -p off -- "$BT" seccomp

	# The errno of a denied call reaches the caller: in ptrace mode it is
	# set at the syscall-exit stop, through $ERRNO_PATH on this kernel.
	check denied-errno 1 "errno EACCES" "$H" $M $R -- "$BT" open "$W/no/f"
	run "$H" $M -p off -m sandbox/stat:on -m 'allow/stat+/***' -m "deny/stat+$W/no/***" -- "$BT" open "$W/no/f"
	if [ "$ST" = 1 ] && grep -qx 'errno ENOENT' "$W/out"; then
		pass hidden-errno
	else
		fail hidden-errno "status $ST, expected errno ENOENT: $(out)"
	fi

	# A thread with a descriptor table of its own (unshare(CLONE_FILES))
	# has calls on its own descriptors performed on them (fstat, and
	# ftruncate on a pidfd_getfd copy in notify mode): a copy from the
	# thread's table with PIDFD_THREAD (6.9+), else from the process's,
	# which must not be taken for the thread's.
	# Without PIDFD_THREAD, notify mode cannot reach such a descriptor
	# and the call fails (EOPNOTSUPP, README's known limit) rather than
	# act on the process's descriptor of that number, another file.
	echo more > "$W/ok/g"
	echo longer > "$W/ok/h"
	# (32-bit ARM's notify mode leaves ftruncate to the kernel: README)
	if [ "$T" = notify ] && ! kge 6 9 && case $(uname -m) in arm*) false ;; esac; then
		run "$H" $M -p off -m sandbox/stat,write,truncate:on -m 'allow/stat,write,truncate+/***' -- "$BT" thread-fds "$W/ok/g" "$W/ok/h"
		if [ "$ST" = 1 ] && grep -qx 'errno EOPNOTSUPP' "$W/out" && [ "$(cat "$W/ok/g")" = more ] && [ "$(cat "$W/ok/h")" = longer ]; then
			pass thread-own-fds-refused
		else
			fail thread-own-fds-refused "status $ST, files '$(cat "$W/ok/g")' '$(cat "$W/ok/h")': $(out)"
		fi
	else
		check thread-own-fds 0 ok "$H" $M -p off -m sandbox/stat,write,truncate:on -m 'allow/stat,write,truncate+/***' -- "$BT" thread-fds "$W/ok/g" "$W/ok/h"
	fi

	# Signals from the sandbox (README): from Landlock ABI 6 (6.12) they
	# reach only the sandbox, by kill or pidfd_send_signal, to husk or to
	# any other process; before, the known limit: the sandbox may signal
	# husk and other processes of its user. Both ways are checked.
	if [ "$LL_WANT" -ge 6 ]; then
		sig_want=refused sig_text="errno EPERM"
	else
		sig_want=allowed sig_text=ok
	fi
	sigcheck() {
		name=$1
		shift
		run "$H" $M -p off -- sh -c "$* && echo signal-sent"
		if { [ $sig_want = refused ] && [ "$ST" != 0 ] && ! grep -q signal-sent "$W/out"; } ||
			{ [ $sig_want = allowed ] && [ "$ST" = 0 ] && grep -q signal-sent "$W/out"; }; then
			pass "$name-$sig_want"
		else
			fail "$name-$sig_want" "Landlock ABI $LANDLOCK, status $ST: $(out)"
		fi
	}
	sigcheck signal-husk 'kill -0 $PPID'
	sigcheck signal-outside "kill -0 $OUTSIDE"
	check "pidfd-signal-husk-$sig_want" "$([ $sig_want = refused ] && echo 1 || echo 0)" "$sig_text" \
		"$H" $M -p off -- sh -c "exec $BT pidfd-signal \$PPID"
	# Signals inside the sandbox work on every kernel.
	check signal-inside 0 "status 143" "$H" $M -p off -- sh -c 'sleep 60 & kill $!; wait $!; echo status $?'
	# On 6.12 the Landlock domain also bars ptrace-mode access to
	# processes outside (husk and the rest), whatever the path rules
	# allow; in notify mode too, where husk performs the open.
	if [ "$LL_WANT" -ge 6 ]; then
		for who in husk outside; do
			pid='$PPID'
			[ $who = outside ] && pid=$OUTSIDE
			run "$H" $M -p off -m sandbox/read:on -m 'allow/read+/***' -- sh -c "cat /proc/$pid/environ"
			if [ "$ST" != 0 ] && grep -q 'Permission denied' "$W/out"; then
				pass "environ-$who-refused"
			else
				fail "environ-$who-refused" "status $ST: $(out)"
			fi
		done
	fi
	# A signal sent to husk from outside reaches the command (and husk
	# ends as it did): on every kernel, scoped or not.
	rm -f "$W/started"
	"$H" $M -p off -- sh -c "echo > $W/started; exec sleep 60" > /dev/null 2>&1 &
	hp=$!
	i=0
	while [ ! -e "$W/started" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	kill -TERM $hp
	wait $hp
	ST=$?
	if [ -e "$W/started" ] && [ "$ST" = 143 ]; then
		pass signal-from-outside
	else
		fail signal-from-outside "husk status $ST (expected 143), started: $([ -e "$W/started" ] && echo yes || echo no)"
	fi

	check shebang-script 0 "script ran" "$H" $M -p off $X -m "allow/exec+$W/ok/***" -- "$W/ok/script"
	check fork-storm 0 "" "$H" $M -p off $X -- sh -c 'for i in $(seq 50); do sh -c true & done; wait'
done

kill "$SERVE_OK" "$SERVE_NO" "$OUTSIDE" 2> /dev/null
wait 2> /dev/null
rm -rf "$W"
