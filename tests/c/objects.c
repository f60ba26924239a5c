/*
 * Attacks on how husk names objects, for tests/objects.rs: files that
 * have lost their name (deleted, a removed working directory), whose
 * kernel text " (deleted)" a sandboxed program can give to a look-alike
 * of its own; objects that change type or place between the check and
 * the call; a check that opens what it checks. One attack per mode;
 * each prints one line and exits 0 (a setup failure exits 2). A line
 * starting with "ESCAPED" means the attack reached what the policy
 * denies; otherwise the line says how it was refused (an errno name, or
 * counts). D is the scratch directory the test prepares.
 *
 *   objects exec-deleted D execveat|proc-fd symlink|file
 *       open D/bin/forbidden (exec-denied, readable) O_RDONLY, unlink
 *       it, put a look-alike named "D/bin/forbidden (deleted)" (a
 *       symlink to D/bin/ok, or a regular copy of it), then run the
 *       descriptor: execveat(fd, "", AT_EMPTY_PATH) or
 *       execve("/proc/self/fd/N"), in a child. Prints "ESCAPED ran
 *       forbidden", "ran ok", "killed SIGNAL" or the errno name.
 *   objects ran INODE
 *       what exec-deleted runs: exits 42 if this program is inode INODE
 *       (the forbidden copy) or its exe link names /bin/forbidden, 43
 *       if not. Prints nothing.
 *   objects reopen-read D
 *       open D/secret/k (read-denied, stat allowed) O_PATH, hard-link it
 *       to D/secret/k2, unlink D/secret/k, symlink "D/secret/k
 *       (deleted)" -> D/pub/x, open /proc/self/fd/N O_RDONLY and read.
 *       Prints "ESCAPED read SECRET", "read OTHER <what>" or the errno
 *       name; then " link=ok|ERRNO" (the hard link's fate).
 *   objects reopen-write D
 *       the same with D/ro/w (write-denied) and O_WRONLY, writing
 *       "PWNED". Prints "ESCAPED wrote ro/w", "wrote another file" or
 *       the errno name.
 *   objects gone-cwd D
 *       chdir D/wd, rmdir D/wd, mkdir "D/wd (deleted)", then creates
 *       "x" (open O_CREAT), "y" (mkdir), "z" (symlink) in the working
 *       directory. Prints "ESCAPED made ... in D/wd (deleted)" if
 *       anything appeared there, else "open=E mkdir=E symlink=E"
 *       (errno names, or "ok" for a call that returned 0).
 *   objects type-swap D SECONDS [first]
 *       D/t/p is a directory, D/t/f a file holding "SECRET"; a thread
 *       exchanges them (renameat2 RENAME_EXCHANGE) while main opens
 *       D/t/p O_RDONLY and reads: ok, it was the directory (EISDIR);
 *       leaked, it read "SECRET"; refused, the open failed. Prints
 *       "attempts=N ok=M leaked=K refused=R swaps=S swapfails=F".
 *   objects delete-race D SECONDS [first]
 *       D/keep/precious holds "PRECIOUS" and may not be deleted; a
 *       thread moves it to D/tmp/elsewhere and back (RENAME_NOREPLACE:
 *       it never replaces anything); main renames a fresh junk file onto
 *       D/keep/precious, and after each success moves it away again
 *       (RENAME_NOREPLACE). leaked: the precious file's link count fell
 *       to 0 (a rename replaced it). Prints "attempts=N ok=M leaked=K
 *       refused=R".
 *   objects fifo-exec D
 *       mkfifo D/fifo (mode 0755), 20 children each execve it; then an
 *       open of D/pub/x. Prints "execs EACCES=N other=M pending=P
 *       open=ok|ERRNO"; "HUNG ..." if the children were still waiting
 *       after 5 s or the open after 3 s.
 *   objects reopen-fd D N
 *       open /proc/self/fd/N O_RDONLY and read: "read CONTENTS" or the
 *       errno name (N: a file of another mount namespace, passed in).
 *   objects fanotify
 *       fanotify_init(FAN_CLASS_NOTIF, O_RDONLY): "ESCAPED fanotify_init"
 *       or the errno name.
 *   objects fanotify-listen D SECONDS
 *       fanotify_init, then a mark for opens in D/secret; waits SECONDS
 *       for someone (the test) to open D/secret/k and reads it through
 *       the event's descriptor: "ESCAPED read SECRET through fanotify",
 *       "no event" or the errno name of the failed call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static const char *dir;

static const char *ename(int e) {
    const char *name = strerrorname_np(e);
    return name ? name : "unknown";
}

/* D/rel, in a static buffer of the caller's. */
static void at(const char *rel, char *out, size_t n) {
    if ((size_t)snprintf(out, n, "%s/%s", dir, rel) >= n) {
        fprintf(stderr, "path too long\n");
        exit(2);
    }
}

static int renameat2_(const char *from, const char *to, unsigned flags) {
    return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

/* ---- exec-deleted ---------------------------------------------------- */

static int ran(const char *inode) {
    unsigned long want = strtoul(inode, NULL, 10);
    struct stat st;
    if (stat("/proc/self/exe", &st) == 0 && st.st_ino == want)
        return 42;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n >= 0) {
        exe[n] = 0;
        if (strstr(exe, "/bin/forbidden"))
            return 42;
    }
    return 43;
}

/* Copies from to to (mode 0755). */
static void copy(const char *from, const char *to) {
    int in = open(from, O_RDONLY);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0755);
    if (in < 0 || out < 0)
        die("copy: open");
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, n) != n)
            die("copy: write");
    if (n < 0)
        die("copy: read");
    if (fchmod(out, 0755) < 0)
        die("copy: fchmod");
    close(in);
    close(out);
}

static int exec_deleted(const char *how, const char *decoy, char **envp) {
    char forbidden[4096], ok[4096], lookalike[4096];
    at("bin/forbidden", forbidden, sizeof forbidden);
    at("bin/ok", ok, sizeof ok);
    at("bin/forbidden (deleted)", lookalike, sizeof lookalike);
    int fd = open(forbidden, O_RDONLY);
    if (fd < 0)
        die("open bin/forbidden");
    struct stat st;
    if (fstat(fd, &st) < 0)
        die("fstat");
    if (unlink(forbidden) < 0)
        die("unlink bin/forbidden");
    if (!strcmp(decoy, "symlink")) {
        if (symlink(ok, lookalike) < 0)
            die("symlink");
    } else {
        copy(ok, lookalike);
    }
    char inode[32], proc[64];
    snprintf(inode, sizeof inode, "%lu", (unsigned long)st.st_ino);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    char *argv[] = {"forbidden", "ran", inode, NULL};
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0)
        die("pipe2");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (!strcmp(how, "execveat"))
            syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        else
            execve(proc, argv, envp);
        int e = errno;
        if (write(report[1], &e, sizeof e) < 0)
            _exit(126);
        _exit(127);
    }
    close(report[1]);
    int status, e = 0;
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid");
    if (read(report[0], &e, sizeof e) != sizeof e)
        e = 0;
    if (WIFSIGNALED(status))
        printf("killed %s\n", sigabbrev_np(WTERMSIG(status)));
    else if (WEXITSTATUS(status) == 42)
        printf("ESCAPED ran forbidden\n");
    else if (WEXITSTATUS(status) == 43)
        printf("ran ok\n");
    else if (WEXITSTATUS(status) == 127 && e)
        printf("%s\n", ename(e));
    else
        printf("exit %d\n", WEXITSTATUS(status));
    return 0;
}

/* ---- reopen-read, reopen-write ------------------------------------- */

/* O_PATH open of D/name, the deleted-name trick, and the reopen of
 * /proc/self/fd/N with flags: returns the reopened descriptor (or -1,
 * errno set); *pinned is the O_PATH one. link (if not NULL) gets the
 * hard link's outcome. */
static int reopen_trick(const char *name, int flags, int *pinned, const char **link_result) {
    char path[4096], alias[4096], lookalike[4096], pub[4096], deleted[4200];
    at(name, path, sizeof path);
    snprintf(deleted, sizeof deleted, "%s (deleted)", name);
    at(deleted, lookalike, sizeof lookalike);
    at("pub/x", pub, sizeof pub);
    int fd = open(path, O_PATH);
    if (fd < 0)
        die("open O_PATH");
    *pinned = fd;
    if (link_result) {
        snprintf(deleted, sizeof deleted, "%s2", name);
        at(deleted, alias, sizeof alias);
        *link_result = link(path, alias) == 0 ? "ok" : ename(errno);
    }
    if (unlink(path) < 0)
        die("unlink");
    if (symlink(pub, lookalike) < 0)
        die("symlink");
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return open(proc, flags);
}

static int reopen_read(void) {
    int pinned;
    const char *linked;
    int fd = reopen_trick("secret/k", O_RDONLY, &pinned, &linked);
    if (fd < 0) {
        printf("%s link=%s\n", ename(errno), linked);
        return 0;
    }
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0) {
        printf("read:%s link=%s\n", ename(errno), linked);
        return 0;
    }
    buf[n] = 0;
    if (!strcmp(buf, "SECRET"))
        printf("ESCAPED read SECRET link=%s\n", linked);
    else
        printf("read OTHER %s link=%s\n", buf, linked);
    return 0;
}

static int reopen_write(void) {
    int pinned;
    int fd = reopen_trick("ro/w", O_WRONLY, &pinned, NULL);
    if (fd < 0) {
        printf("%s\n", ename(errno));
        return 0;
    }
    if (write(fd, "PWNED", 5) != 5) {
        printf("write:%s\n", ename(errno));
        return 0;
    }
    struct stat a, b;
    if (fstat(fd, &a) < 0 || fstat(pinned, &b) < 0)
        die("fstat");
    if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        printf("ESCAPED wrote ro/w\n");
    else
        printf("wrote another file\n");
    return 0;
}

/* ---- gone-cwd ------------------------------------------------------- */

static const char *outcome(int r) {
    return r == 0 ? "ok" : ename(errno);
}

static int gone_cwd(void) {
    char wd[4096], lookalike[4096];
    at("wd", wd, sizeof wd);
    at("wd (deleted)", lookalike, sizeof lookalike);
    if (chdir(wd) < 0)
        die("chdir");
    if (rmdir(wd) < 0)
        die("rmdir");
    if (mkdir(lookalike, 0777) < 0)
        die("mkdir look-alike");
    int fd = open("x", O_CREAT | O_WRONLY, 0644);
    const char *o = fd >= 0 ? "ok" : ename(errno);
    const char *m = outcome(mkdir("y", 0755));
    const char *s = outcome(symlink("/", "z"));
    char made[64] = "";
    const char *names[] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++) {
        char p[4200];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", lookalike, names[i]);
        if (lstat(p, &st) == 0) {
            strcat(made, " ");
            strcat(made, names[i]);
        }
    }
    if (made[0])
        printf("ESCAPED made%s in wd (deleted): open=%s mkdir=%s symlink=%s\n", made, o, m, s);
    else
        printf("open=%s mkdir=%s symlink=%s\n", o, m, s);
    return 0;
}

/* ---- type-swap ------------------------------------------------------ */

static volatile int stop;
static long attempts, ok, leaked, refused, swaps, swapfails;
static char swap_p[4096], swap_f[4096];

/* Exchanges D/t/p and D/t/f until stopped (or refused 1000 times in a
 * row: the sandbox does not allow it). */
static void *exchanger(void *unused) {
    (void)unused;
    long row = 0;
    while (!stop && row < 1000) {
        if (renameat2_(swap_p, swap_f, RENAME_EXCHANGE) == 0)
            swaps++, row = 0;
        else
            swapfails++, row++;
    }
    return NULL;
}

static int type_swap(double seconds, int first) {
    at("t/p", swap_p, sizeof swap_p);
    at("t/f", swap_f, sizeof swap_f);
    pthread_t t;
    if (pthread_create(&t, NULL, exchanger, NULL))
        die("pthread_create");
    double end = now() + seconds;
    while (now() < end && !(first && leaked)) {
        attempts++;
        int fd = open(swap_p, O_RDONLY);
        if (fd < 0) {
            refused++;
            continue;
        }
        char buf[64];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        int e = errno;
        close(fd);
        if (n < 0 && e == EISDIR) {
            ok++;
        } else if (n >= 0) {
            buf[n] = 0;
            if (!strcmp(buf, "SECRET"))
                leaked++;
            else
                refused++;
        } else {
            refused++;
        }
    }
    stop = 1;
    pthread_join(t, NULL);
    printf("attempts=%ld ok=%ld leaked=%ld refused=%ld swaps=%ld swapfails=%ld\n", attempts, ok,
           leaked, refused, swaps, swapfails);
    return 0;
}

/* ---- delete-race ---------------------------------------------------- */

static char keep[4096], elsewhere[4096];

static void *mover(void *unused) {
    (void)unused;
    while (!stop) {
        renameat2_(keep, elsewhere, RENAME_NOREPLACE);
        renameat2_(elsewhere, keep, RENAME_NOREPLACE);
    }
    return NULL;
}

static int delete_race(double seconds, int first) {
    char junk[4096], out[4096];
    at("keep/precious", keep, sizeof keep);
    at("tmp/elsewhere", elsewhere, sizeof elsewhere);
    at("tmp/junk", junk, sizeof junk);
    at("tmp/out", out, sizeof out);
    int precious = open(keep, O_RDONLY);
    if (precious < 0)
        die("open keep/precious");
    pthread_t t;
    if (pthread_create(&t, NULL, mover, NULL))
        die("pthread_create");
    double end = now() + seconds;
    struct stat st;
    while (now() < end && !(first && leaked)) {
        attempts++;
        int fd = open(junk, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            die("open tmp/junk");
        if (write(fd, "JUNK", 4) != 4)
            die("write tmp/junk");
        close(fd);
        if (rename(junk, keep) < 0) {
            refused++;
            continue;
        }
        if (fstat(precious, &st) < 0)
            die("fstat");
        if (st.st_nlink == 0) {
            leaked++;
            break;
        }
        ok++;
        /* Only junk can be at keep/precious now (the mover never
         * replaces): move it away, so the mover can go on. */
        unlink(out);
        if (renameat2_(keep, out, RENAME_NOREPLACE) < 0) {
            fprintf(stderr, "moving junk away: %s\n", ename(errno));
            break;
        }
    }
    stop = 1;
    pthread_join(t, NULL);
    if (!leaked && fstat(precious, &st) == 0 && st.st_nlink == 0)
        leaked++;
    printf("attempts=%ld ok=%ld leaked=%ld refused=%ld\n", attempts, ok, leaked, refused);
    return 0;
}

/* ---- fifo-exec ------------------------------------------------------ */

#define FIFO_EXECS 20

static volatile int open_done;

static void *watchdog(void *unused) {
    (void)unused;
    struct timespec ts = {3, 0};
    nanosleep(&ts, NULL);
    if (!open_done) {
        printf("HUNG open\n");
        fflush(stdout);
        _exit(0);
    }
    return NULL;
}

static int fifo_exec(char **envp) {
    char fifo[4096], pub[4096];
    at("fifo", fifo, sizeof fifo);
    at("pub/x", pub, sizeof pub);
    if (mkfifo(fifo, 0755) < 0 && errno != EEXIST)
        die("mkfifo");
    if (chmod(fifo, 0755) < 0)
        die("chmod fifo");
    pid_t kids[FIFO_EXECS];
    char *argv[] = {"fifo", NULL};
    fflush(stdout);
    for (int i = 0; i < FIFO_EXECS; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            die("fork");
        if (kids[i] == 0) {
            execve(fifo, argv, envp);
            _exit(errno & 0xff);
        }
    }
    int eacces = 0, other = 0, pending = FIFO_EXECS;
    double end = now() + 5;
    while (pending && now() < end) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0)
            die("waitpid");
        if (pid == 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        pending--;
        if (WIFEXITED(status) && WEXITSTATUS(status) == EACCES)
            eacces++;
        else
            other++;
    }
    if (pending) {
        printf("HUNG execs EACCES=%d other=%d pending=%d\n", eacces, other, pending);
        fflush(stdout);
        for (int i = 0; i < FIFO_EXECS; i++)
            kill(kids[i], SIGKILL);
        _exit(0);
    }
    pthread_t t;
    if (pthread_create(&t, NULL, watchdog, NULL))
        die("pthread_create");
    int fd = open(pub, O_RDONLY);
    const char *o = fd >= 0 ? "ok" : ename(errno);
    open_done = 1;
    printf("execs EACCES=%d other=%d pending=%d open=%s\n", eacces, other, pending, o);
    return 0;
}

/* ---- fanotify ------------------------------------------------------- */

static int fanotify(void) {
    int fd = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
    if (fd < 0)
        printf("%s\n", ename(errno));
    else
        printf("ESCAPED fanotify_init\n");
    return 0;
}

static int fanotify_listen(double seconds) {
    char secret[4096];
    at("secret", secret, sizeof secret);
    int fan = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
    if (fan < 0) {
        printf("fanotify_init:%s\n", ename(errno));
        return 0;
    }
    if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN | FAN_EVENT_ON_CHILD, AT_FDCWD, secret) < 0) {
        printf("fanotify_mark:%s\n", ename(errno));
        return 0;
    }
    double end = now() + seconds;
    while (now() < end) {
        struct pollfd p = {.fd = fan, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        char buf[4096] __attribute__((aligned(8)));
        ssize_t n = read(fan, buf, sizeof buf);
        if (n <= 0)
            continue;
        struct fanotify_event_metadata *m = (void *)buf;
        for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
            if (m->fd < 0)
                continue;
            char got[64];
            ssize_t k = pread(m->fd, got, sizeof got - 1, 0);
            close(m->fd);
            if (k > 0) {
                got[k] = 0;
                if (!strcmp(got, "SECRET")) {
                    printf("ESCAPED read SECRET through fanotify\n");
                    return 0;
                }
            }
        }
    }
    printf("no event\n");
    return 0;
}

static int reopen_fd(const char *n) {
    char link[64], buf[64];
    snprintf(link, sizeof link, "/proc/self/fd/%s", n);
    int fd = open(link, O_RDONLY);
    if (fd < 0) {
        printf("%s\n", strerrorname_np(errno));
        return 0;
    }
    ssize_t got = read(fd, buf, sizeof buf - 1);
    if (got < 0) {
        printf("%s\n", strerrorname_np(errno));
        return 0;
    }
    buf[got] = 0;
    buf[strcspn(buf, "\n")] = 0;
    printf("read %s\n", buf);
    return 0;
}

int main(int argc, char **argv, char **envp) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "ran") && argc == 3)
        return ran(argv[2]);
    if (!strcmp(mode, "fanotify") && argc == 2)
        return fanotify();
    if (argc < 3) {
        fprintf(stderr, "usage: objects MODE D [ARGS...]\n");
        return 2;
    }
    dir = argv[2];
    if (!strcmp(mode, "exec-deleted") && argc == 5)
        return exec_deleted(argv[3], argv[4], envp);
    if (!strcmp(mode, "reopen-read") && argc == 3)
        return reopen_read();
    if (!strcmp(mode, "reopen-write") && argc == 3)
        return reopen_write();
    if (!strcmp(mode, "gone-cwd") && argc == 3)
        return gone_cwd();
    if (!strcmp(mode, "fifo-exec") && argc == 3)
        return fifo_exec(envp);
    if (!strcmp(mode, "reopen-fd") && argc == 4)
        return reopen_fd(argv[3]);
    if (argc < 4) {
        fprintf(stderr, "%s: SECONDS missing\n", mode);
        return 2;
    }
    double seconds = atof(argv[3]);
    int first = argc == 5 && !strcmp(argv[4], "first");
    if (argc > 5 || (argc == 5 && !first)) {
        fprintf(stderr, "%s: unexpected arguments\n", mode);
        return 2;
    }
    if (!strcmp(mode, "type-swap"))
        return type_swap(seconds, first);
    if (!strcmp(mode, "delete-race"))
        return delete_race(seconds, first);
    if (!strcmp(mode, "fanotify-listen"))
        return fanotify_listen(seconds);
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
