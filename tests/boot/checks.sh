# The check helpers smoke.sh and musl.sh share (sourced, not run). The
# caller sets U (uid), T (what is being tested: a transport), W (its
# scratch directory), LIMIT (seconds a run may take) and NAMES (a
# prefix of every check's name, maybe empty). One line per check:
# "PASS U/NAMEST NAME" or "FAIL U/NAMEST NAME (details)".

pass() { echo "PASS $U/$NAMES$T $1"; }
fail() { echo "FAIL $U/$NAMES$T $1 ($2)"; }

# run CMD...: its stdout and stderr go to $W/out, its status to $ST;
# a run longer than $LIMIT seconds is killed.
run() {
	timeout -s KILL "$LIMIT" "$@" > "$W/out" 2>&1
	ST=$?
}
out() { tr '\n' ' ' < "$W/out" | cut -c1-300; }

# check NAME STATUS TEXT CMD...: passes if CMD exits STATUS and its
# output holds TEXT (an empty TEXT always matches).
check() {
	name=$1 want=$2 text=$3
	shift 3
	run "$@"
	if [ "$ST" != "$want" ]; then
		fail "$name" "status $ST, expected $want: $(out)"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$W/out"; then
		fail "$name" "no '$text' in: $(out)"
	else
		pass "$name"
	fi
}
