/*
 * Calls that block, for tests/blocking.rs: FIFO opens that wait for the
 * other end, and a connect that waits for a peer. Each mode prints one
 * line of KEY=VALUE fields on stdout and exits 0 if everything it
 * checked itself went as expected (1 if not, 2 on a setup failure);
 * the test reads the fields and checks them too.
 *
 *   blocking one FIFO FILE DIR
 *       A forked reader opens FIFO O_RDONLY (it blocks: no writer yet).
 *       Once it is blocked, the parent times 200 open/close + stat of
 *       the regular FILE, creates DIR/ready, waits (up to 20 s) for
 *       DIR/go, checks the reader is still blocked, opens the FIFO for
 *       writing and writes "hello\n"; the reader must read that line.
 *       Fields: ops (seconds for the 200 rounds), still_blocked (0/1),
 *       go (0/1), reader (its exit status; 0 = read the line).
 *   blocking many FIFO FILE N
 *       Times 1000 opens of FILE (base), forks N readers that each open
 *       FIFO O_RDONLY and block, waits until all are blocked, times
 *       1000 opens again (busy), then opens the write end (O_WRONLY |
 *       O_NONBLOCK, retried until a reader is there), keeps it open
 *       until every reader has exited. Fields: base, base_max, busy,
 *       busy_max (seconds: total, slowest single open), open_failures
 *       (opens of FILE that failed), blocked (readers seen blocked),
 *       readers_ok, readers_failed.
 *   blocking signal FIFO restart|norestart
 *       A SIGALRM handler (SA_RESTART or not), alarm(1), then a plain
 *       open(FIFO, O_RDONLY). Fields: result (ok or the errno name),
 *       line (what was read, "-" if nothing), handled (times the
 *       handler ran), elapsed (seconds the open took).
 *   blocking killed FIFO KILL|TERM
 *       A forked reader opens FIFO O_RDONLY and blocks; the parent sends
 *       it SIGKILL (or SIGTERM, default action), reaps it (waiting up to
 *       5 s), waits 300 ms and opens FIFO O_WRONLY|O_NONBLOCK, which
 *       must fail with ENXIO (no reader left). Fields: signal (the
 *       reader's terminating signal, 0 if not reaped), reaped (0/1),
 *       reap (seconds from kill to reaped), writer (ok or the errno
 *       name). A reader not reaped in time is then SIGKILLed.
 *   blocking connect FILE
 *       A TCP listener on 127.0.0.1 with backlog 0 that never accepts
 *       is filled (non-blocking connects until one does not complete),
 *       then a forked child makes a blocking connect to it with a
 *       SIGALRM handler (no SA_RESTART) and alarm(2). While the child
 *       is blocked the parent times 200 open/close + stat of FILE.
 *       Fields: filled (connections queued), ops (seconds), during
 *       (1 if the child was still blocked after the ops), result (the
 *       child's connect: ok or the errno name), elapsed (seconds it
 *       took).
 *   blocking sendmsg FILE
 *       Fills one end of a UNIX stream socket pair (non-blocking sends
 *       until EAGAIN), warms up with 100 open/close + stat rounds of
 *       FILE, then a forked child makes a blocking sendmsg on the full
 *       end while the parent sleeps 300 ms (so that the sendmsg is the
 *       only call in flight). While the child waits the parent times
 *       200 open/close +
 *       stat of FILE, then reads the other end empty so the sendmsg can
 *       finish. Fields: first (seconds until the parent saw the child
 *       waiting), ops (seconds), slowest (the slowest round),
 *       failed, during (1 if the child still waited after the ops),
 *       result (the child's sendmsg: ok or the errno name).
 *   blocking quick FILE
 *       Opens, reads and stats FILE; prints ok=1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) && errno == EINTR)
        ;
}

static const char *errname(int e) {
    switch (e) {
    case 0: return "ok";
    case EINTR: return "EINTR";
    case ENXIO: return "ENXIO";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    default: return "other";
    }
}

/* Whether PID is blocked in system call NR: /proc/PID/syscall starts
 * with the number while the task is in a call (in the kernel or waiting
 * for the supervisor), "running" otherwise. */
static int in_call(pid_t pid, long nr) {
    char p[64], buf[128];
    snprintf(p, sizeof p, "/proc/%d/syscall", (int)pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *end;
    long got = strtol(buf, &end, 10);
    return end != buf && got == nr;
}

/* Waits (up to SECONDS) until PID is blocked in NR; 1 if it is. */
static int wait_in_call(pid_t pid, long nr, double seconds) {
    double end = now() + seconds;
    while (now() < end) {
        if (in_call(pid, nr))
            return 1;
        sleep_ms(5);
    }
    return 0;
}

/* ROUNDS open/close + stat of FILE; returns the seconds, and counts
 * failures in *failed. */
static double ops(const char *file, int rounds, int with_stat, double *slowest, int *failed) {
    double start = now();
    for (int i = 0; i < rounds; i++) {
        double t = now();
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            (*failed)++;
        else
            close(fd);
        if (with_stat) {
            struct stat st;
            if (stat(file, &st))
                (*failed)++;
        }
        double d = now() - t;
        if (slowest && d > *slowest)
            *slowest = d;
    }
    return now() - start;
}

/* Opens FIFO for writing without ever blocking: O_NONBLOCK, retried
 * while there is no reader (ENXIO), for up to SECONDS. */
static int open_writer(const char *fifo, double seconds) {
    double end = now() + seconds;
    for (;;) {
        int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0 || errno != ENXIO || now() >= end)
            return fd;
        sleep_ms(5);
    }
}

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* The reader of "one": reads one line, which must be "hello". */
static int read_hello(const char *fifo) {
    int fd = open(fifo, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "reader: open: %s\n", strerror(errno));
        return 3;
    }
    char buf[64];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += n;
    buf[got] = 0;
    return strcmp(buf, "hello\n") == 0 ? 0 : 4;
}

static int status_code(int st) {
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

static int mode_one(const char *fifo, const char *file, const char *dir) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0)
        _exit(read_hello(fifo));
    if (!wait_in_call(pid, SYS_openat, 10)) {
        fprintf(stderr, "the reader never blocked in openat\n");
        kill(pid, SIGKILL);
        return 2;
    }
    sleep_ms(50);
    int failed = 0;
    double t = ops(file, 200, 1, NULL, &failed);
    char p[4096];
    snprintf(p, sizeof p, "%s/ready", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        die("ready");
    close(fd);
    snprintf(p, sizeof p, "%s/go", dir);
    double end = now() + 20;
    while (!exists(p) && now() < end)
        sleep_ms(10);
    int go = exists(p);
    int still_blocked = waitpid(pid, NULL, WNOHANG) == 0 && in_call(pid, SYS_openat);
    int w = open_writer(fifo, 10);
    if (w < 0) {
        fprintf(stderr, "writer: %s\n", strerror(errno));
        kill(pid, SIGKILL);
    } else {
        if (write(w, "hello\n", 6) != 6)
            die("write");
        close(w);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        die("waitpid");
    int reader = status_code(st);
    printf("ops=%.3f failed=%d still_blocked=%d go=%d reader=%d\n", t, failed,
           still_blocked, go, reader);
    return failed == 0 && still_blocked && go && reader == 0 ? 0 : 1;
}

static int mode_many(const char *fifo, const char *file, int n) {
    int failed = 0;
    double base_max = 0, busy_max = 0;
    double base = ops(file, 1000, 0, &base_max, &failed);
    volatile int *started =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (started == MAP_FAILED)
        die("mmap");
    pid_t *pids = calloc(n, sizeof *pids);
    if (!pids)
        die("calloc");
    fflush(stdout);
    int forked = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            break;
        }
        if (pid == 0) {
            __atomic_fetch_add(started, 1, __ATOMIC_SEQ_CST);
            int fd = open(fifo, O_RDONLY);
            if (fd < 0) {
                fprintf(stderr, "reader %d: open: %s\n", i, strerror(errno));
                _exit(3);
            }
            _exit(0);
        }
        pids[forked++] = pid;
    }
    /* Every reader blocked in its open (up to 30 s for all). */
    double end = now() + 30;
    while (__atomic_load_n(started, __ATOMIC_SEQ_CST) < forked && now() < end)
        sleep_ms(5);
    int blocked = 0;
    for (int i = 0; i < forked; i++) {
        double left = end - now();
        if (wait_in_call(pids[i], SYS_openat, left > 0 ? left : 0.001))
            blocked++;
    }
    sleep_ms(100);
    double busy = ops(file, 1000, 0, &busy_max, &failed);
    /* Release them: a writer, held open until every reader is done (a
     * reader whose open starts late then still finds it). */
    int w = open_writer(fifo, 10);
    if (w < 0)
        fprintf(stderr, "writer: %s\n", strerror(errno));
    int ok = 0, bad = 0, left = forked;
    end = now() + 30;
    while (left > 0) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid > 0) {
            left--;
            if (status_code(st) == 0)
                ok++;
            else
                bad++;
        } else if (now() >= end) {
            fprintf(stderr, "%d readers never finished\n", left);
            for (int i = 0; i < forked; i++)
                kill(pids[i], SIGKILL);
            end = now() + 30;
        } else {
            sleep_ms(2);
        }
    }
    if (w >= 0)
        close(w);
    printf("base=%.3f base_max=%.4f busy=%.3f busy_max=%.4f open_failures=%d "
           "blocked=%d readers_ok=%d readers_failed=%d\n",
           base, base_max, busy, busy_max, failed, blocked, ok, bad + (n - forked));
    return failed == 0 && blocked == n && ok == n ? 0 : 1;
}

static volatile sig_atomic_t handled;

static void on_alarm(int sig) {
    (void)sig;
    handled++;
}

static void handle_alarm(int restart) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL))
        die("sigaction");
}

static int mode_signal(const char *fifo, int restart) {
    handle_alarm(restart);
    alarm(1);
    double t = now();
    int fd = open(fifo, O_RDONLY);
    int e = fd < 0 ? errno : 0;
    double elapsed = now() - t;
    char line[64] = "-";
    if (fd >= 0) {
        ssize_t n = read(fd, line, sizeof line - 1);
        line[n > 0 ? n : 0] = 0;
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (!line[0])
            strcpy(line, "-");
        close(fd);
    }
    printf("result=%s line=%s handled=%d elapsed=%.3f\n", errname(e), line, (int)handled,
           elapsed);
    return 0;
}

static int mode_killed(const char *fifo, int sig) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int fd = open(fifo, O_RDONLY);
        fprintf(stderr, "reader: open returned %d (%s)\n", fd, strerror(errno));
        _exit(3);
    }
    if (!wait_in_call(pid, SYS_openat, 10)) {
        fprintf(stderr, "the reader never blocked in openat\n");
        kill(pid, SIGKILL);
        return 2;
    }
    sleep_ms(100);
    double t = now();
    kill(pid, sig);
    int st = 0, reaped = 0;
    while (now() < t + 5) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r < 0)
            die("waitpid");
        if (r == pid) {
            reaped = 1;
            break;
        }
        sleep_ms(1);
    }
    double reap = now() - t;
    sleep_ms(300);
    int w = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    int e = w < 0 ? errno : 0;
    if (w >= 0)
        close(w);
    if (!reaped) {
        /* Still blocked, 5 s after a fatal signal: clean up. */
        kill(pid, SIGKILL);
        if (waitpid(pid, &st, 0) < 0)
            die("waitpid");
    }
    int got = reaped && WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    printf("signal=%d reaped=%d reap=%.3f writer=%s\n", got, reaped, reap, errname(e));
    return got == sig && e == ENXIO ? 0 : 1;
}

/* Forks a child that reports one line through a pipe: returns its pid
 * (0 in the child); *report is the child's write end there, the
 * parent's read end here. */
static pid_t fork_reporter(int *report) {
    int pipefd[2];
    if (pipe(pipefd))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    close(pipefd[pid == 0 ? 0 : 1]);
    *report = pipefd[pid == 0 ? 1 : 0];
    return pid;
}

/* The child's line (FALLBACK if it wrote none), once it has exited. */
static void reported(int report, pid_t pid, char *line, size_t size, const char *fallback) {
    snprintf(line, size, "%s", fallback);
    ssize_t n = read(report, line, size - 1);
    if (n > 0)
        line[n] = 0;
    int st;
    if (waitpid(pid, &st, 0) < 0)
        die("waitpid");
}

static int mode_connect(const char *file) {
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0)
        die("socket");
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 0) ||
        getsockname(l, (struct sockaddr *)&a, &len))
        die("listener");
    /* Fill the accept queue: connects that complete are queued; the
     * first that does not complete within 200 ms has its SYN dropped
     * (a full queue), and so will the next. */
    int filled = 0;
    for (int i = 0; i < 64; i++) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0)
            die("socket");
        if (connect(s, (struct sockaddr *)&a, sizeof a) && errno != EINPROGRESS)
            die("connect (filling)");
        struct pollfd p = {s, POLLOUT, 0};
        if (poll(&p, 1, 200) == 0)
            break;
        filled++;
    }
    fflush(stdout);
    int report;
    pid_t pid = fork_reporter(&report);
    if (pid == 0) {
        handle_alarm(0);
        alarm(2);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
            die("socket");
        double t = now();
        int r = connect(s, (struct sockaddr *)&a, sizeof a);
        int e = r ? errno : 0;
        char out[128];
        int n = snprintf(out, sizeof out, "result=%s elapsed=%.3f handled=%d", errname(e),
                         now() - t, (int)handled);
        if (write(report, out, n) != n)
            _exit(2);
        _exit(0);
    }
    int failed = 0;
    double t = -1;
    int during = 0;
    if (wait_in_call(pid, SYS_connect, 10)) {
        sleep_ms(50);
        t = ops(file, 200, 1, NULL, &failed);
        during = waitpid(pid, NULL, WNOHANG) == 0 && in_call(pid, SYS_connect);
    } else {
        fprintf(stderr, "the child never blocked in connect\n");
    }
    char child[128];
    reported(report, pid, child, sizeof child, "result=none");
    printf("filled=%d ops=%.3f failed=%d during=%d %s\n", filled, t, failed, during, child);
    return failed == 0 && during && strstr(child, "result=EINTR") ? 0 : 1;
}

static int mode_sendmsg(const char *file) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        die("socketpair");
    char block[4096];
    memset(block, 'x', sizeof block);
    for (;;) {
        ssize_t n = send(sv[0], block, sizeof block, MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0)
            die("send (filling)");
    }
    int failed = 0;
    ops(file, 100, 1, NULL, &failed);
    int report;
    pid_t pid = fork_reporter(&report);
    if (pid == 0) {
        struct iovec iov = {block, sizeof block};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t r = sendmsg(sv[0], &msg, 0);
        const char *res = r == (ssize_t)sizeof block ? "ok" : r < 0 ? errname(errno) : "short";
        char out[64];
        int n = snprintf(out, sizeof out, "result=%s", res);
        if (write(report, out, n) != n)
            _exit(2);
        _exit(0);
    }
    /* No call of ours meanwhile: the child's sendmsg is the only one in
     * flight when it starts to wait. */
    sleep_ms(300);
    double t = -1, slowest = 0;
    int during = 0;
    /* The child has long been waiting: this is quick unless our own
     * calls (it opens /proc) find no worker to serve them. */
    double first = now();
    int waited = wait_in_call(pid, SYS_sendmsg, 10);
    first = now() - first;
    if (waited) {
        sleep_ms(50);
        t = ops(file, 200, 1, &slowest, &failed);
        during = waitpid(pid, NULL, WNOHANG) == 0 && in_call(pid, SYS_sendmsg);
    } else {
        fprintf(stderr, "the child never blocked in sendmsg\n");
    }
    /* Room for the child's message: read everything there is. */
    int flags = fcntl(sv[1], F_GETFL);
    if (flags < 0 || fcntl(sv[1], F_SETFL, flags | O_NONBLOCK))
        die("fcntl");
    double end = now() + 10;
    for (;;) {
        while (read(sv[1], block, sizeof block) > 0) {
        }
        struct pollfd p = {report, POLLIN, 0};
        if (poll(&p, 1, 10) > 0 || now() > end)
            break;
    }
    char child[64];
    reported(report, pid, child, sizeof child, "result=none");
    printf("first=%.3f ops=%.3f slowest=%.3f failed=%d during=%d %s\n", first, t, slowest, failed,
           during, child);
    return failed == 0 && during && strstr(child, "result=ok") ? 0 : 1;
}

static int mode_quick(const char *file) {
    char buf[256];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open");
    if (read(fd, buf, sizeof buf) < 0)
        die("read");
    close(fd);
    struct stat st;
    if (stat(file, &st))
        die("stat");
    printf("ok=1\n");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "one") && argc == 5)
        return mode_one(argv[2], argv[3], argv[4]);
    if (!strcmp(mode, "many") && argc == 5)
        return mode_many(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(mode, "signal") && argc == 4)
        return mode_signal(argv[2], !strcmp(argv[3], "restart"));
    if (!strcmp(mode, "killed") && argc == 4)
        return mode_killed(argv[2], !strcmp(argv[3], "TERM") ? SIGTERM : SIGKILL);
    if (!strcmp(mode, "connect") && argc == 3)
        return mode_connect(argv[2]);
    if (!strcmp(mode, "sendmsg") && argc == 3)
        return mode_sendmsg(argv[2]);
    if (!strcmp(mode, "quick") && argc == 3)
        return mode_quick(argv[2]);
    fprintf(stderr, "usage: see tests/c/blocking.c\n");
    return 2;
}
