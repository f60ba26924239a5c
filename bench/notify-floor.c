/*
 * notify-floor [-e] [-s] [-t open|stat] COMMAND [ARG]...
 * notify-floor [-e] [-s] -f FILE COMMAND [ARG]...
 * The floors of bench/notify.sh and bench/trapped.sh.
 *
 * The least work a seccomp user-notification supervisor can do for each
 * call its filter hands it with SECCOMP_RET_USER_NOTIF: wake up in poll,
 * SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE (the kernel then runs the call as if
 * nothing had trapped it), poll again. No decision, no reading of the
 * caller's memory, no emulation, one thread. Any supervisor built on
 * user notification pays at least this much per trapped call, so husk's
 * notify transport is measured as a ratio to it.
 *
 * It traps open, openat and openat2 (those the architecture has), or
 * with -t stat newfstatat alone, and allows everything else; other
 * architectures than the native one are killed, as in husk's filter and
 * in floor-ptrace.
 *
 * Start-up: a fork that shares the parent's descriptor table (clone
 * with CLONE_FILES, as husk starts its command), and one shared word of
 * memory. The child asks for SIGKILL on its parent's death, sets
 * no-new-privs and installs the filter with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, which returns the listener
 * descriptor (close-on-exec): it is in the parent's table at once. The
 * child stores its number in the shared word (a plain store: no system
 * call, which the filter might trap before anyone listens), wakes the
 * parent (FUTEX_WAKE; if the filter traps that, the parent looks at the
 * word again within a millisecond anyway) and execvp()s the command;
 * exec gives the child a table of its own, without the listener. The
 * first trapped call waits in the kernel until the parent has the
 * listener and answers it.
 *
 * The loop: poll(listener, POLLIN). POLLIN: RECV one notification and
 * SEND "continue" for it (ENOENT from either means the caller died or was
 * interrupted meanwhile, which is fine). POLLHUP without POLLIN: every
 * task using the filter is gone, i.e. the command and all it started
 * have exited; then waitpid the child and exit with its status: its exit
 * code, or 128+N if killed by signal N. 125: notify-floor itself failed;
 * 126/127: the command could not be executed / found.
 *
 * Two variants, for comparison (bench/notify.sh times them too):
 *
 * -e  emulate: instead of "continue", answer each of the calls below
 *     that the filter traps (openat with the small filter, newfstatat
 *     with -t stat, all three with -f) by doing what an emulating
 *     supervisor must do at the least, and continue every other trapped
 *     call (open, openat2, ...). No policy, no path resolution, no
 *     identity check. A path argument is read from the caller's memory
 *     (process_vm_readv, one read of PATH_MAX bytes) and named from the
 *     caller's point of view the cheapest way each: an absolute path as
 *     it is; one relative to a descriptor (or empty) from a copy of that
 *     descriptor (pidfd_getfd through a pidfd of the caller kept between
 *     calls, then close: three calls, cheaper than a lookup through
 *     /proc/PID/fd/N, which costs more); one relative to the working
 *     directory through the caller's magic link /proc/PID/cwd/PATH.
 *     Paths that are unreadable, unterminated or do not fit, absolute
 *     /proc paths (/proc/self would name the supervisor) and empty paths
 *     relative to the working directory continue. After everything read
 *     that belonged to the caller (its memory, its descriptors, its /proc
 *     entries), i.e. after the call made in the supervisor, one
 *     NOTIF_ID_VALID checks that the caller still waits (else nothing is
 *     answered, and an open's descriptor is closed). A descriptor that
 *     cannot be copied (EBADF) or a call that fails in the supervisor
 *     gets its errno.
 *     openat(dirfd, path, flags, mode): openat it itself (flags |
 *     O_CLOEXEC, mode), install the descriptor in the caller as the
 *     call's result (NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND, O_CLOEXEC
 *     as asked; an ADDFD that fails, EMFILE say, is answered with its
 *     errno), then close its own copy: five calls for a path, seven for
 *     a descriptor.
 *     A created file's mode is masked with the supervisor's umask, not
 *     the caller's (nothing measured here creates files).
 *     newfstatat(dirfd, path, buf, flags): fstatat with the caller's
 *     AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (other flags continue, and an
 *     empty path without AT_EMPTY_PATH), write the struct stat into the
 *     caller's buffer (process_vm_writev; EFAULT if it cannot be
 *     written) and answer 0 (NOTIF_SEND): five calls for a path, seven
 *     for a descriptor (empty path: what glibc 2.36's fstat makes).
 *     getdents64(fd, buf, count), with -f only (the small filters never
 *     trap it): getdents64 on a copy of fd into a buffer of count bytes,
 *     at most 64 KiB (a shorter read is a valid answer), close the copy
 *     (it shares the caller's file position, so the next call goes on
 *     where this one stopped), NOTIF_ID_VALID, write the entries into
 *     the caller's buffer (process_vm_writev) and answer their size: six
 *     calls. A buffer that cannot be written gets EFAULT, and the entries
 *     read are lost (the kernel's own call would not move the position).
 *     With -f, -e installs the filter with
 *     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19; without it
 *     where the kernel refuses it, as husk does): once a notification is
 *     received, only a fatal signal interrupts its caller, so no entries
 *     read are lost to a call restarted after a signal.
 *     Not handled: relative paths from a descriptor of /proc or from a
 *     working directory in /proc ("self" names the supervisor there
 *     too); the supervisor is assumed to share the caller's root and
 *     mounts.
 * -s  sync wake-ups: SECCOMP_IOCTL_NOTIF_SET_FLAGS with
 *     SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6), which asks the
 *     kernel to hand over the CPU directly between the caller and the
 *     supervisor in each direction. Without kernel support: exit 125.
 *
 * -f FILE  husk's filter: install, instead of the small filter above,
 *     the classic-BPF program in FILE, husk's own sandbox filter as
 *     `husk [policy options] -E bpf > FILE` writes it (raw struct
 *     sock_filter records, 8 bytes each, native endianness; 1 to 4096
 *     instructions, else exit 125). Every `return TRACE(n)` in it
 *     (BPF_RET|BPF_K whose action is SECCOMP_RET_TRACE: the calls
 *     husk's notify transport hands to its ptrace tracer; with no
 *     tracer they would fail with ENOSYS) becomes `return USER_NOTIF`;
 *     every other return (ALLOW, ERRNO, KILL, USER_NOTIF) stays. So the
 *     floor traps exactly the calls husk traps, and continues them all:
 *     the do-nothing supervisor of bench/trapped.sh. With -e it emulates
 *     openat, newfstatat and getdents64 instead (nearly all of the
 *     notifications of `find /usr`) and continues the rest: the least
 *     an emulating supervisor adds, bench/trapped.sh's floor-emu.
 *     Combines with -e and -s; not with -t (exit 125).
 *
 * NOTIFY_FLOOR_COUNT=1 in the environment: on exit, print to stderr how
 * many notifications were answered, in all and per system call number
 * ("notify-floor: N notifications NR:N ..."), and with -e a second line
 * for those of them answered by emulation, not continued ("notify-floor:
 * N emulated NR:N ..."); for bench/trapped.sh's untimed count runs. It
 * costs a few stores per call, so timed runs leave it unset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#else
#error "notify-floor: unsupported architecture"
#endif

#ifndef __NR_openat2
#define __NR_openat2 437 /* the same number on every architecture */
#endif

/* Newer than some C libraries' kernel headers. */
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const int trapped_open[] = {
    __NR_openat,
#ifdef __NR_open
    __NR_open,
#endif
    __NR_openat2,
};
static const int trapped_stat[] = { __NR_newfstatat };
#define NTRAPPED_MAX 3
static const int *trapped = trapped_open;
static int ntrapped = (int)(sizeof(trapped_open) / sizeof(trapped_open[0]));

static void die(const char *what)
{
    fprintf(stderr, "notify-floor: %s: %s\n", what, strerror(errno));
    exit(125);
}

/* -f: the program read from the file, rewritten; NULL without -f. */
#define FILE_PROG_MAX 4096
static struct sock_filter *file_prog;
static unsigned short file_prog_len;

/*
 * Reads the program in `path` into file_prog and turns its RET_TRACE
 * returns into RET_USER_NOTIF. Exits 125 if the file is not a program.
 */
static void load_filter(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "notify-floor: %s: %s\n", path, strerror(errno));
        exit(125);
    }
    /* One record more than allowed, to see a file that is too long. */
    size_t cap = (FILE_PROG_MAX + 1) * sizeof(struct sock_filter);
    char *buf = malloc(cap);
    if (!buf)
        die("malloc");
    size_t len = 0;
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "notify-floor: %s: %s\n", path, strerror(errno));
            exit(125);
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    size_t n = len / sizeof(struct sock_filter);
    if (len % sizeof(struct sock_filter) != 0 || n < 1 || n > FILE_PROG_MAX) {
        fprintf(stderr,
                "notify-floor: %s: not a seccomp program (%zu bytes%s; want 1 to %d "
                "records of %zu bytes)\n",
                path, len, len == cap ? " or more" : "", FILE_PROG_MAX,
                sizeof(struct sock_filter));
        exit(125);
    }
    file_prog = (struct sock_filter *)(void *)buf;
    file_prog_len = (unsigned short)n;
    for (size_t i = 0; i < n; i++) {
        struct sock_filter *f = &file_prog[i];
        if (f->code == (BPF_RET | BPF_K) &&
            (f->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE)
            f->k = SECCOMP_RET_USER_NOTIF;
    }
}

/* The filter's flags: -e -f adds SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV. */
static unsigned long listener_flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;

/* Installs fprog with listener_flags (without WAIT_KILLABLE_RECV where
 * the kernel lacks it, before 5.19, as husk does). */
static int install_prog(struct sock_fprog *fprog)
{
    int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, listener_flags, fprog);
    if (fd < 0 && errno == EINVAL && (listener_flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
        fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                          SECCOMP_FILTER_FLAG_NEW_LISTENER, fprog);
    return fd;
}

/* Returns the listener descriptor, or -1. */
static int install_filter(void)
{
    if (file_prog) {
        struct sock_fprog fprog = { .len = file_prog_len, .filter = file_prog };
        return install_prog(&fprog);
    }
    struct sock_filter prog[8 + NTRAPPED_MAX];
    int n = 0;

    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, arch));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, nr));
    for (int i = 0; i < ntrapped; i++) {
        /* Match: jump over the remaining compares and the ALLOW. */
        unsigned char skip = (unsigned char)(ntrapped - i);
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                                 (unsigned)trapped[i], skip, 0);
    }
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);

    struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
    return install_prog(&fprog);
}

/* Answers notification `req` with `val`, or with error `err` if not 0. */
static void reply(int listener, const struct seccomp_notif *req, long long val, int err)
{
    struct seccomp_notif_resp resp = { .id = req->id, .val = val, .error = -err };
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno != ENOENT)
        die("SECCOMP_IOCTL_NOTIF_SEND");
}

/*
 * Whether `req` still waits for its answer: everything read that
 * belonged to the caller (its memory, its descriptors, its /proc
 * entries) was then really its own. Checked once, after the last read.
 */
static int still_waiting(int listener, const struct seccomp_notif *req)
{
    return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0;
}

/* A pidfd of the last caller (thread), kept between calls. */
static int caller_pidfd = -1;
static pid_t caller_tid;

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* A copy of descriptor fd of thread tid, or -1 (errno set). */
static int their_fd(pid_t tid, int fd)
{
    for (int fresh = 0; fresh < 2; fresh++) {
        if (fresh || caller_pidfd < 0 || caller_tid != tid) {
            if (caller_pidfd >= 0)
                close(caller_pidfd);
            caller_pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
            if (caller_pidfd < 0 && errno == EINVAL)
                caller_pidfd = (int)syscall(SYS_pidfd_open, tid, 0);
            if (caller_pidfd < 0)
                return -1;
            caller_tid = tid;
        }
        int copy = (int)syscall(SYS_pidfd_getfd, caller_pidfd, fd, 0);
        if (copy >= 0 || errno != ESRCH)
            return copy;
    }
    return -1;
}

/*
 * The path argument (dirfd, pointer) of an *at call of the caller, as
 * the supervisor can name it for an *at call of its own: `dir` and
 * `name`, the cheapest way each (see -e in the header): an absolute
 * path as it is; one relative to a descriptor (or empty) from a copy of
 * that descriptor; one relative to the working directory through the
 * caller's magic link /proc/PID/cwd/PATH, built in `full`.
 */
struct their_path {
    int dir;          /* AT_FDCWD, or the copy: closed by put_path */
    const char *name; /* in path or in full */
    char path[PATH_MAX];
    char full[PATH_MAX + 64];
};

/*
 * Reads and places the caller's path. Returns 0 if p is ready; -1 if the
 * call should continue (an unreadable or unterminated path, /proc, an
 * empty path relative to the working directory, too long); else the
 * errno to answer with (the descriptor cannot be copied).
 */
static int get_path(const struct seccomp_notif *req, int dirfd, unsigned long long addr,
                    struct their_path *p)
{
    struct iovec local = { .iov_base = p->path, .iov_len = sizeof(p->path) };
    struct iovec remote = { .iov_base = (void *)(unsigned long)addr,
                            .iov_len = sizeof(p->path) };
    p->dir = AT_FDCWD;
    p->name = p->path;
    /* One read of the largest path; a shorter read (the string ends
     * near the end of a mapping) or an unterminated path: continue. */
    ssize_t got = process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0);
    if (got <= 0 || !memchr(p->path, 0, (size_t)got))
        return -1;
    if (p->path[0] == '/')
        /* /proc/self and friends would name the supervisor: continue. */
        return strncmp(p->path, "/proc/", 6) == 0 || strcmp(p->path, "/proc") == 0 ? -1 : 0;
    if (dirfd == AT_FDCWD) {
        if (p->path[0] == 0)
            return -1;
        int n = snprintf(p->full, sizeof(p->full), "/proc/%u/cwd/", (unsigned)req->pid);
        if ((size_t)n + strlen(p->path) >= sizeof(p->full))
            return -1;
        strcpy(p->full + n, p->path);
        p->name = p->full;
        return 0;
    }
    p->dir = their_fd((pid_t)req->pid, dirfd);
    return p->dir < 0 ? errno : 0;
}

/* Closes the copy get_path may have made; keeps errno. */
static void put_path(struct their_path *p)
{
    int err = errno;
    if (p->dir >= 0)
        close(p->dir);
    errno = err;
}

/*
 * -e, openat(dirfd, path, flags, mode): answers by opening the path
 * itself and installing the descriptor in the caller. Returns 0 if
 * answered, -1 if the caller should just continue.
 */
static int emulate_open(int listener, const struct seccomp_notif *req)
{
    struct their_path p;
    int flags = (int)req->data.args[2];
    int err = get_path(req, (int)req->data.args[0], req->data.args[1], &p);
    if (err < 0)
        return -1;
    int fd = -1;
    if (!err) {
        fd = openat(p.dir, p.name, flags | O_CLOEXEC, (mode_t)req->data.args[3]);
        err = fd < 0 ? errno : 0;
        put_path(&p);
    }
    if (!still_waiting(listener, req)) {
        if (fd >= 0)
            close(fd);
        return 0; /* the caller is gone: nothing to answer */
    }
    if (fd < 0) {
        reply(listener, req, 0, err);
        return 0;
    }
    struct seccomp_notif_addfd addfd = {
        .id = req->id,
        .flags = SECCOMP_ADDFD_FLAG_SEND,
        .srcfd = (unsigned)fd,
        .newfd_flags = (unsigned)(flags & O_CLOEXEC),
    };
    /* A failed ADDFD (EMFILE in the caller, say) leaves the call
     * unanswered: answer it with the errno. */
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 && errno != ENOENT)
        reply(listener, req, 0, errno);
    close(fd);
    return 0;
}

/* Writes len bytes at buf into the caller at addr; 0 or EFAULT. */
static int put_their(const struct seccomp_notif *req, unsigned long long addr,
                     void *buf, size_t len)
{
    struct iovec out = { .iov_base = buf, .iov_len = len };
    struct iovec to = { .iov_base = (void *)(unsigned long)addr, .iov_len = len };
    return process_vm_writev((pid_t)req->pid, &out, 1, &to, 1, 0) == (ssize_t)len ? 0 : EFAULT;
}

/*
 * -e, newfstatat(dirfd, path, buf, flags): answers by doing the stat
 * itself. Returns 0 if answered, -1 if the caller should just continue.
 */
static int emulate_stat(int listener, const struct seccomp_notif *req)
{
    int flags = (int)req->data.args[3];
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -1;
    struct their_path p;
    int err = get_path(req, (int)req->data.args[0], req->data.args[1], &p);
    if (err < 0 || (p.path[0] == 0 && !(flags & AT_EMPTY_PATH))) {
        put_path(&p);
        return -1;
    }
    struct stat st;
    if (!err) {
        err = fstatat(p.dir, p.name, &st, flags) ? errno : 0;
        put_path(&p);
    }
    if (!still_waiting(listener, req))
        return 0;
    if (!err)
        err = put_their(req, req->data.args[2], &st, sizeof(st));
    reply(listener, req, 0, err);
    return 0;
}

/*
 * -e -f, getdents64(fd, buf, count): answers by reading the entries
 * itself, from a copy of the descriptor (which shares the caller's file
 * position). Always answered.
 */
static int emulate_getdents(int listener, const struct seccomp_notif *req)
{
    static char dents[65536];
    size_t count = req->data.args[2] < sizeof(dents) ? (size_t)req->data.args[2] : sizeof(dents);
    long n = -1;
    int err;
    int copy = their_fd((pid_t)req->pid, (int)req->data.args[0]);
    if (copy < 0) {
        err = errno;
    } else {
        n = syscall(SYS_getdents64, copy, dents, count);
        err = n < 0 ? errno : 0;
        close(copy);
    }
    if (!still_waiting(listener, req))
        return 0;
    if (n > 0)
        err = put_their(req, req->data.args[1], dents, (size_t)n);
    reply(listener, req, err ? 0 : n, err);
    return 0;
}

/* -e: the emulation of each call it knows. 0 if answered, -1: continue. */
static int emulate(int listener, const struct seccomp_notif *req)
{
    switch (req->data.nr) {
    case __NR_openat:
        return emulate_open(listener, req);
    case __NR_newfstatat:
        return emulate_stat(listener, req);
    case __NR_getdents64:
        return emulate_getdents(listener, req);
    default:
        return -1;
    }
}

static int child_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* NOTIFY_FLOOR_COUNT: notifications answered, per call number; [1]:
 * those answered by emulation (-e). */
#define COUNT_NR_MAX 1024
static unsigned long counts[2][COUNT_NR_MAX + 1]; /* the last: numbers beyond */

static void print_counts(int kind, const char *what)
{
    unsigned long total = 0;
    for (int i = 0; i <= COUNT_NR_MAX; i++)
        total += counts[kind][i];
    fprintf(stderr, "notify-floor: %lu %s", total, what);
    for (int i = 0; i <= COUNT_NR_MAX; i++) {
        if (!counts[kind][i])
            continue;
        if (i < COUNT_NR_MAX)
            fprintf(stderr, " %d:%lu", i, counts[kind][i]);
        else
            fprintf(stderr, " other:%lu", counts[kind][i]);
    }
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    int emulate_on = 0, sync_wake = 0, stat_calls = 0, trap_given = 0;
    const char *filter_file = NULL;
    while (argc > 1 && argv[1][0] == '-') {
        if (strcmp(argv[1], "-e") == 0)
            emulate_on = 1;
        else if (strcmp(argv[1], "-s") == 0)
            sync_wake = 1;
        else if (strcmp(argv[1], "-t") == 0 && argc > 2 &&
                 (strcmp(argv[2], "open") == 0 || strcmp(argv[2], "stat") == 0)) {
            stat_calls = strcmp(argv[2], "stat") == 0;
            trap_given = 1;
            argv++;
            argc--;
        } else if (strcmp(argv[1], "-f") == 0 && argc > 2) {
            filter_file = argv[2];
            argv++;
            argc--;
        } else
            break;
        argv++;
        argc--;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: notify-floor [-e] [-s] [-t open|stat] COMMAND [ARG]...\n"
                        "       notify-floor [-e] [-s] -f FILE COMMAND [ARG]...\n");
        return 125;
    }
    if (filter_file && trap_given) {
        fprintf(stderr, "notify-floor: -f does not combine with -t "
                        "(husk's filter decides what traps)\n");
        return 125;
    }
    if (filter_file)
        load_filter(filter_file);
    if (filter_file && emulate_on)
        listener_flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    const char *count_env = getenv("NOTIFY_FLOOR_COUNT");
    int counting = count_env && *count_env && strcmp(count_env, "0") != 0;
    if (stat_calls) {
        trapped = trapped_stat;
        ntrapped = (int)(sizeof(trapped_stat) / sizeof(trapped_stat[0]));
    }

    /* The listener's number, from the child; -1 until it is there. */
    int *shared = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        die("mmap");
    *shared = -1;

    pid_t parent = getpid();
    /* fork, but with one descriptor table for both until the exec. */
    pid_t child = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    if (child < 0)
        die("clone");
    if (child == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(125);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            die("no_new_privs");
        int listener = install_filter();
        if (listener < 0)
            die("seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");
        /* Not closed: the table is the parent's too; exec drops it. */
        __atomic_store_n(shared, listener, __ATOMIC_RELEASE);
        syscall(SYS_futex, shared, FUTEX_WAKE, 1, NULL, NULL, 0);
        execvp(argv[1], argv + 1);
        int e = errno;
        fprintf(stderr, "notify-floor: cannot run %s: %s\n", argv[1], strerror(e));
        _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
    }

    int listener;
    while ((listener = __atomic_load_n(shared, __ATOMIC_ACQUIRE)) < 0) {
        int status;
        pid_t w = waitpid(child, &status, WNOHANG);
        if (w < 0 && errno != EINTR)
            die("waitpid");
        if (w == child) {
            /* The child died before installing the filter: it says why. */
            int s = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return s ? s : 125;
        }
        struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
        syscall(SYS_futex, shared, FUTEX_WAIT, -1, &ms, NULL, 0);
    }
    munmap(shared, sizeof(int));

    if (sync_wake && ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                           (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) != 0) {
        kill(child, SIGKILL);
        die("SECCOMP_IOCTL_NOTIF_SET_FLAGS(SYNC_WAKE_UP)");
    }

    /* The kernel's structures may be larger than this header's. */
    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
        die("SECCOMP_GET_NOTIF_SIZES");
    size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
                          ? sizes.seccomp_notif
                          : sizeof(struct seccomp_notif);
    size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
                           ? sizes.seccomp_notif_resp
                           : sizeof(struct seccomp_notif_resp);
    struct seccomp_notif *req = calloc(1, req_size);
    struct seccomp_notif_resp *resp = calloc(1, resp_size);
    if (!req || !resp)
        die("calloc");

    struct pollfd pfd = { .fd = listener, .events = POLLIN };
    for (;;) {
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        if (pfd.revents & POLLIN) {
            memset(req, 0, req_size); /* RECV insists on a zeroed buffer */
            if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
                if (errno == EINTR || errno == ENOENT)
                    continue; /* the caller went away meanwhile */
                die("SECCOMP_IOCTL_NOTIF_RECV");
            }
            int nr = req->data.nr < COUNT_NR_MAX && req->data.nr >= 0 ? req->data.nr
                                                                      : COUNT_NR_MAX;
            if (counting)
                counts[0][nr]++;
            if (emulate_on && emulate(listener, req) == 0) {
                if (counting)
                    counts[1][nr]++;
                continue;
            }
            memset(resp, 0, resp_size);
            resp->id = req->id;
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno != ENOENT)
                die("SECCOMP_IOCTL_NOTIF_SEND");
            continue;
        }
        if (pfd.revents & (POLLHUP | POLLERR))
            break; /* no task uses the filter any more */
    }
    close(listener);
    if (counting) {
        print_counts(0, "notifications");
        if (emulate_on)
            print_counts(1, "emulated");
    }
    return child_status(child);
}
