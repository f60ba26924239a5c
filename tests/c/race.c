/*
 * Time-of-check to time-of-use attacks on the sandbox, for tests/race.rs.
 * Each mode makes attempts for SECONDS (or, with a trailing "first",
 * until the first leak), then prints one line
 *
 *     attempts=N ok=M leaked=K refused=R [killed=J]
 *
 * and exits 0. ok counts attempts that reached the allowed file, leaked
 * those that reached the denied one, refused those whose call failed
 * (a denial, or a torn or half-swapped path that named nothing).
 *
 * DIR holds allowed/ (which the policy allows) and denied/ (which it
 * denies); the test prepares the files each mode names. Flipped path
 * tails have the same length ("allowed/f", "denied//f": the double
 * slash is the same path), so the flip never moves the terminator.
 *
 *   race open-flip DIR SECONDS [first]    a thread flips a path buffer
 *       between DIR/allowed/f and DIR/denied/f; main opens and reads it
 *   race creat-flip DIR SECONDS [first]   the same for creat() of
 *       DIR/allowed/n and DIR/denied/n (the created file is named by
 *       /proc/self/fd/N afterwards)
 *   race exec-flip DIR SECONDS [first]    the same for execve() of
 *       DIR/allowed/p and DIR/denied/p (copies of this program), from a
 *       vfork child, which shares the flipped buffer; the program run
 *       ("ran" mode) exits 0 if it is allowed/p, 3 (creating
 *       DIR/ran-denied) if it is denied/p. killed counts children
 *       killed by a signal (husk kills a process whose exec event finds
 *       a denied program).
 *   race symlink-swap DIR SECONDS [first] a thread points the symlink
 *       DIR/allowed/l at DIR/allowed/f, then DIR/denied/f (a fresh
 *       symlink renamed over it); main opens DIR/allowed/l and reads
 *   race exchange DIR SECONDS [first]     DIR/allowed/x/f is "ALLOWED",
 *       DIR/allowed/y/f a symlink to DIR/denied/f; a thread exchanges x
 *       and y (renameat2 RENAME_EXCHANGE); main opens DIR/allowed/x/f
 *   race stat-exchange DIR SECONDS [first] DIR/allowed/x/f is "ALLOWED",
 *       DIR/allowed/h a symlink to DIR/hidden (whose f, "SECRET", may not
 *       even be stat'ed); a thread exchanges x and h; main stats
 *       DIR/allowed/x/f: leaked if the answer describes the hidden file
 *       (6 bytes), ok if the allowed one (7)
 *   race reader DIR SECONDS [first]       main opens DIR/allowed/t and
 *       reads it; another process (the test) swaps it
 *   race dup-flip DIR SECONDS [first]     a thread dup2()s DIR/allowed/m
 *       or DIR/denied/m onto descriptor 100; main fchmod()s descriptor
 *       100 (leaked: denied/m's mode changed)
 *   race opath-flip DIR SECONDS [first]   the same for O_PATH opens of
 *       DIR/allowed/f and DIR/hidden/f (stat denied), each from a vfork
 *       child; leaked if fstat of the descriptor shows the hidden file;
 *       killed counts children killed (husk checks the object an O_PATH
 *       open really reached once it returns)
 *   race ran DIR                          see exec-flip
 *   race once OP PATH DIR                 no race, one call, for the
 *       policy sanity check: OP open (prints "ok CONTENTS" or the errno
 *       name), creat ("ok" or the errno name), exec (execve PATH as in
 *       exec-flip: "ok", "leaked", "killed" or the errno name)
 *
 * The allowed file holds "ALLOWED", the denied one "SECRET".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Flipping threads per attack: more of them keep the flipped state
 * changing on every core the scheduler gives us. */
#define FLIPPERS 2

static const char *dir;
static double seconds;
static int first;
static volatile int stop;

/* The path buffer the flippers rewrite in place, and its two tails. */
static char path[4096];
static char *tail;
static char tail_a[64], tail_d[64];
static size_t tail_len;

static long attempts, ok, leaked, refused, killed;

/* Time is up, or (with "first") the attack has got through: a leak, or
 * a denied program loaded (and killed at the exec event). */
static int done(double end) {
    return now() >= end || (first && (leaked > 0 || killed > 0));
}

static void join(const char *p, char *out, size_t n) {
    if ((size_t)snprintf(out, n, "%s/%s", dir, p) >= n) {
        fprintf(stderr, "path too long\n");
        exit(2);
    }
}

/* Sets up the flipped buffer: DIR/allowed/NAME and DIR/OTHERNAME
 * (OTHER: "denied//" or "hidden//", the length of "allowed/"). */
static void flip_between(const char *name, const char *other) {
    snprintf(tail_a, sizeof tail_a, "allowed/%s", name);
    snprintf(tail_d, sizeof tail_d, "%s%s", other, name);
    tail_len = strlen(tail_a);
    join(tail_a, path, sizeof path);
    tail = path + strlen(dir) + 1;
}

/* DIR/allowed/NAME and DIR/denied//NAME. */
static void flip_paths(const char *name) {
    flip_between(name, "denied//");
}

static void *flipper(void *arg) {
    (void)arg;
    while (!stop) {
        memcpy(tail, tail_d, tail_len);
        memcpy(tail, tail_a, tail_len);
    }
    return NULL;
}

static pthread_t threads[FLIPPERS];
static int nthreads;

static void start(void *(*fn)(void *), int n) {
    for (int i = 0; i < n; i++) {
        if (pthread_create(&threads[nthreads], NULL, fn, (void *)(long)i))
            die("pthread_create");
        nthreads++;
    }
}

static void finish(void) {
    stop = 1;
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
}

/* Opens p and classifies what it read. */
static void open_and_read(const char *p) {
    attempts++;
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
        refused++;
        return;
    }
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) {
        refused++;
        return;
    }
    buf[n] = 0;
    if (!strcmp(buf, "SECRET"))
        leaked++;
    else if (!strcmp(buf, "ALLOWED"))
        ok++;
    else
        refused++;
}

static void open_flip(double end) {
    flip_paths("f");
    start(flipper, FLIPPERS);
    while (!done(end))
        open_and_read(path);
    finish();
}

/* Where descriptor fd really is. */
static int fd_is_denied(int fd) {
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        die("readlink /proc/self/fd");
    target[n] = 0;
    return strstr(target, "/denied/") != NULL;
}

static void creat_flip(double end) {
    char allowed[4096];
    join("allowed/n", allowed, sizeof allowed);
    flip_paths("n");
    start(flipper, FLIPPERS);
    while (!done(end)) {
        attempts++;
        int fd = creat(path, 0644);
        if (fd < 0) {
            refused++;
            continue;
        }
        if (fd_is_denied(fd)) {
            leaked++;
        } else {
            ok++;
            unlink(allowed);
        }
        close(fd);
    }
    finish();
}

static void exec_flip(double end, char **envp) {
    char *argv[] = {"p", "ran", (char *)dir, NULL};
    flip_paths("p");
    start(flipper, FLIPPERS);
    while (!done(end)) {
        attempts++;
        /* vfork: the child shares this address space, so the flippers
         * keep rewriting the very buffer its execve reads. */
        pid_t pid = vfork();
        if (pid < 0)
            die("vfork");
        if (pid == 0) {
            execve(path, argv, envp);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
            die("waitpid");
        if (WIFSIGNALED(status))
            killed++;
        else if (WEXITSTATUS(status) == 0)
            ok++;
        else if (WEXITSTATUS(status) == 3)
            leaked++;
        else
            refused++;
    }
    finish();
}

/* O_PATH opens of DIR/allowed/f flipped with DIR/hidden//f (a file
 * whose stat is denied), each from a vfork child (husk kills a process
 * whose O_PATH open turns out to have reached a hidden file): leaked if
 * the descriptor describes the hidden file (6 bytes: "SECRET"). */
static void opath_flip(double end) {
    flip_between("f", "hidden//");
    start(flipper, FLIPPERS);
    while (!done(end)) {
        attempts++;
        pid_t pid = vfork();
        if (pid < 0)
            die("vfork");
        if (pid == 0) {
            struct stat st;
            int fd = open(path, O_PATH);
            if (fd < 0 || fstat(fd, &st) < 0)
                _exit(1);
            _exit(st.st_size == 6 ? 3 : 0);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
            die("waitpid");
        if (WIFSIGNALED(status))
            killed++;
        else if (WEXITSTATUS(status) == 0)
            ok++;
        else if (WEXITSTATUS(status) == 3)
            leaked++;
        else
            refused++;
    }
    finish();
}

/* The program exec_flip ran: which one is it? */
static int ran(void) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        die("readlink /proc/self/exe");
    exe[n] = 0;
    if (!strstr(exe, "/denied/"))
        return 0;
    char marker[4096];
    join("ran-denied", marker, sizeof marker);
    int fd = open(marker, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0)
        close(fd);
    return 3;
}

/* Points DIR/allowed/l at the allowed file, then the denied one. */
static void *symlink_swapper(void *arg) {
    long i = (long)arg;
    char l[4096], tmp[4096], a[4096], d[4096];
    char name[64];
    join("allowed/l", l, sizeof l);
    snprintf(name, sizeof name, "allowed/l.tmp%ld", i);
    join(name, tmp, sizeof tmp);
    join("allowed/f", a, sizeof a);
    join("denied/f", d, sizeof d);
    while (!stop) {
        for (int k = 0; k < 2; k++) {
            unlink(tmp);
            if (symlink(k ? d : a, tmp) < 0)
                die("symlink");
            if (rename(tmp, l) < 0)
                die("rename");
        }
    }
    return NULL;
}

static void symlink_swap(double end) {
    char l[4096];
    join("allowed/l", l, sizeof l);
    start(symlink_swapper, FLIPPERS);
    while (!done(end))
        open_and_read(l);
    finish();
}

/* Exchanges DIR/allowed/x and DIR/allowed/y. */
static void *exchanger(void *arg) {
    (void)arg;
    char x[4096], y[4096];
    join("allowed/x", x, sizeof x);
    join("allowed/y", y, sizeof y);
    while (!stop)
        if (syscall(SYS_renameat2, AT_FDCWD, x, AT_FDCWD, y, RENAME_EXCHANGE) < 0)
            die("renameat2");
    return NULL;
}

static void exchange(double end) {
    char f[4096];
    join("allowed/x/f", f, sizeof f);
    /* One exchanger: two would undo each other's swaps in lock step. */
    start(exchanger, 1);
    while (!done(end))
        open_and_read(f);
    finish();
}

/* Exchanges DIR/allowed/x (a directory) and DIR/allowed/h (a symlink
 * to DIR/hidden). */
static void *stat_exchanger(void *arg) {
    (void)arg;
    char x[4096], h[4096];
    join("allowed/x", x, sizeof x);
    join("allowed/h", h, sizeof h);
    while (!stop)
        if (syscall(SYS_renameat2, AT_FDCWD, x, AT_FDCWD, h, RENAME_EXCHANGE) < 0)
            die("renameat2");
    return NULL;
}

static void stat_exchange(double end) {
    char f[4096];
    join("allowed/x/f", f, sizeof f);
    start(stat_exchanger, 1);
    while (!done(end)) {
        struct stat st;
        attempts++;
        if (stat(f, &st) < 0)
            refused++;
        else if (st.st_size == 6)
            leaked++;
        else if (st.st_size == 7)
            ok++;
        else
            refused++;
    }
    finish();
}

static void reader(double end) {
    char t[4096];
    join("allowed/t", t, sizeof t);
    while (!done(end))
        open_and_read(t);
}

/* The descriptor the dup-flip thread swaps, and its two sources. */
static int dup_target = 100, dup_a, dup_d;

static void *dup_flipper(void *arg) {
    (void)arg;
    while (!stop) {
        dup2(dup_d, dup_target);
        dup2(dup_a, dup_target);
    }
    return NULL;
}

/* A thread swaps descriptor 100 between DIR/allowed/m and DIR/denied/m
 * (both opened read-only, which the policy allows); main changes the
 * mode of descriptor 100 (which the policy allows for allowed/m only)
 * and looks whether denied/m's mode changed. */
static void dup_flip(double end) {
    char a[4096], d[4096];
    join("allowed/m", a, sizeof a);
    join("denied/m", d, sizeof d);
    dup_a = open(a, O_RDONLY);
    dup_d = open(d, O_RDONLY);
    if (dup_a < 0 || dup_d < 0)
        die("open m");
    struct stat before;
    if (fstat(dup_d, &before) < 0)
        die("fstat");
    pthread_t t;
    if (pthread_create(&t, NULL, dup_flipper, NULL))
        die("pthread_create");
    mode_t modes[2] = {0600, 0640};
    while (!done(end)) {
        attempts++;
        if (fchmod(dup_target, modes[attempts & 1]) == 0)
            ok++;
        else
            refused++;
        struct stat now;
        if (fstat(dup_d, &now) == 0 && now.st_mode != before.st_mode)
            leaked++, before = now;
    }
    stop = 1;
    pthread_join(t, NULL);
    /* A successful fchmod that hit denied/m counted as ok too. */
    ok -= leaked;
}

static void print_errno(int e) {
    const char *name = strerrorname_np(e);
    printf("%s\n", name ? name : "unknown");
}

static int once(const char *op, const char *p, char **envp) {
    if (!strcmp(op, "open")) {
        int fd = open(p, O_RDONLY);
        if (fd < 0) {
            print_errno(errno);
            return 0;
        }
        char buf[64];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        printf("ok %s\n", buf);
        return 0;
    }
    if (!strcmp(op, "creat")) {
        int fd = creat(p, 0644);
        if (fd < 0)
            print_errno(errno);
        else
            printf("ok\n");
        return 0;
    }
    if (!strcmp(op, "exec")) {
        char *argv[] = {"p", "ran", (char *)dir, NULL};
        /* Shared with the vfork child: why its execve failed. */
        static volatile int exec_errno;
        pid_t pid = vfork();
        if (pid < 0)
            die("vfork");
        if (pid == 0) {
            execve(p, argv, envp);
            exec_errno = errno;
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
            die("waitpid");
        if (WIFSIGNALED(status))
            printf("killed\n");
        else if (WEXITSTATUS(status) == 0)
            printf("ok\n");
        else if (WEXITSTATUS(status) == 3)
            printf("leaked\n");
        else
            print_errno(exec_errno);
        return 0;
    }
    fprintf(stderr, "unknown op %s\n", op);
    return 2;
}

int main(int argc, char **argv, char **envp) {
    if (argc == 3 && !strcmp(argv[1], "ran")) {
        dir = argv[2];
        return ran();
    }
    if (argc == 5 && !strcmp(argv[1], "once")) {
        dir = argv[4];
        return once(argv[2], argv[3], envp);
    }
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "first"))) {
        fprintf(stderr, "usage: race MODE DIR SECONDS [first]\n");
        return 2;
    }
    dir = argv[2];
    seconds = atof(argv[3]);
    first = argc == 5;
    double end = now() + seconds;
    const char *mode = argv[1];
    if (!strcmp(mode, "open-flip"))
        open_flip(end);
    else if (!strcmp(mode, "creat-flip"))
        creat_flip(end);
    else if (!strcmp(mode, "exec-flip"))
        exec_flip(end, envp);
    else if (!strcmp(mode, "symlink-swap"))
        symlink_swap(end);
    else if (!strcmp(mode, "exchange"))
        exchange(end);
    else if (!strcmp(mode, "stat-exchange"))
        stat_exchange(end);
    else if (!strcmp(mode, "reader"))
        reader(end);
    else if (!strcmp(mode, "dup-flip"))
        dup_flip(end);
    else if (!strcmp(mode, "opath-flip"))
        opath_flip(end);
    else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    printf("attempts=%ld ok=%ld leaked=%ld refused=%ld", attempts, ok, leaked, refused);
    if (!strcmp(mode, "exec-flip") || !strcmp(mode, "opath-flip"))
        printf(" killed=%ld", killed);
    printf("\n");
    return 0;
}
