#!/bin/sh
# Deciding in the kernel: whole programs under a policy Landlock can
# decide exactly, bare against husk with the kernel deciding
# (trace/kernel:on, the default) and husk deciding every call
# (trace/kernel:off), in one run, pinned to CPU 0 (taskset -c 0: this
# VM's idle vCPUs wake slowly and unpinned figures swing):
#
#   find   find /usr                               (output checksummed)
#   tar    tar cf - /usr/share/doc | wc -c         (byte count compared)
#
# The policy (issue 13's example, plus what the programs read at start):
#   -p off -m sandbox/read,readdir,exec,write,create,delete:on
#   -m allow/read,readdir,exec+/usr/*** -m allow/all+CWD/***
#   -m allow/read+/etc/ld.so.cache ... (see POLICY below: tar looks up
#   every file's owner and group, and a denied /etc/passwd is read again
#   for each file)
# `husk -E landlock` is printed first: it shows which categories the
# kernel decides. Every run must exit 0 and give bare's output.
#
# Environment: REPS (5), HUSK (target/release/husk), DOC
# (/usr/share/doc), FINDDIR (/usr).
set -euf
cd "$(dirname "$0")/.."
. bench/lib.sh

REPS=${REPS:-5}
HUSK=${HUSK:-target/release/husk}
DOC=${DOC:-/usr/share/doc}
FINDDIR=${FINDDIR:-/usr}
CWD=$(pwd)
POLICY="-p off -m sandbox/read,readdir,exec,write,create,delete:on
 -m allow/read,readdir,exec+/usr/*** -m allow/all+$CWD/***
 -m allow/read+/etc/ld.so.cache -m allow/read+/etc/locale.alias
 -m allow/read+/proc/filesystems -m allow/read,write+/dev/null
 -m allow/read+/etc/nsswitch.conf -m allow/read+/etc/passwd
 -m allow/read+/etc/group"

if ! command -v taskset >/dev/null 2>&1 || ! taskset -c 0 /bin/true 2>/dev/null; then
    echo "bench/kernel.sh: taskset -c 0 is needed (util-linux)" >&2
    exit 2
fi

echo "== kernel.sh: routing (husk -E landlock)"
# shellcheck disable=SC2086 # the policy is words
"$HUSK" $POLICY -E landlock | grep -v ' off$'

W_find="find $FINDDIR | cksum"
W_tar="tar cf - $DOC | wc -c"

# prefix MODE: what runs in front of the workload.
prefix() {
    case $1 in
        bare) echo "" ;;
        on) echo "$HUSK $POLICY -m trace/kernel:on --" ;;
        off) echo "$HUSK $POLICY -m trace/kernel:off --" ;;
    esac
}

# once MODE WORK: one timed run, pinned; prints "NS OUTPUT".
once() {
    start=$(date +%s%N)
    # shellcheck disable=SC2046,SC2086 # the prefix is words
    if out=$(taskset -c 0 $(prefix "$1") sh -c "$2" 2>/dev/null); then
        end=$(date +%s%N)
        echo "$((end - start)) $out"
    else
        echo "fail"
    fi
}

status=0
for w in find tar; do
    eval "work=\$W_$w"
    want=$(sh -c "$work") # warm cache, and the output to compare with
    t_bare= t_on= t_off=
    i=0
    while [ $i -lt "$REPS" ]; do
        for m in bare on off; do
            r=$(once $m "$work")
            t=${r%% *}
            got=${r#* }
            if [ "$r" = fail ] || [ "$got" != "$want" ]; then
                echo "$w $m: failed or output differs ($got, bare $want)" >&2
                status=1
                t=fail
            fi
            eval "t_$m=\"\$t_$m $t\""
        done
        i=$((i + 1))
    done
    # shellcheck disable=SC2154 # set by eval above
    b=$(stats "$t_bare") n=$(stats "$t_on") f=$(stats "$t_off")
    b=${b%% *} n=${n%% *} f=${f%% *}
    if [ "$b" = fail ] || [ "$n" = fail ] || [ "$f" = fail ]; then
        echo "$w: a run failed"
        continue
    fi
    awk -v w="$w" -v b="$b" -v n="$n" -v f="$f" 'BEGIN {
        printf "%-5s bare %7.1f ms | kernel:on %7.1f ms %5.2fx | kernel:off %7.1f ms %5.2fx  (target kernel:on <= 1.25x)\n",
            w, b / 1e6, n / 1e6, n / b, f / 1e6, f / b }'
done
exit $status
