/*
 * Signals from the sandbox to husk (its parent), for tests/signals.rs.
 * Every mode prints one line and exits 0.
 *
 *   signals probe       asks, with signal 0 (permission only, nothing
 *                       delivered), whether each route may signal the
 *                       parent: "kill=R tkill=R tgkill=R sigqueue=R
 *                       tgsigqueue=R pidfd=R group=R", R being "ok" or
 *                       the errno name. group: kill(-pgid) of the
 *                       parent's process group, from a group of our own.
 *   signals hit ROUTE   sends SIGUSR1 to the parent by ROUTE (kill, tkill,
 *                       tgkill, sigqueue, tgsigqueue, pidfd, fsetown,
 *                       fsetown-ex: an O_ASYNC pipe owned by the parent;
 *                       group: its process group, from a group of our
 *                       own; all: kill(-1), every process this user may
 *                       signal, so run it as a user of its own), waits
 *                       200 ms, prints "alive R" (R: the call's result).
 *                       A parent killed by it takes us along.
 *   signals siblings    a child of ours gets SIGUSR1 from us: "sibling ok"
 *                       (signals inside the sandbox keep working).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *result(long r) {
    return r < 0 ? strerrorname_np(errno) : "ok";
}

static long send(const char *route, pid_t p, int sig) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    if (!strcmp(route, "kill"))
        return kill(p, sig);
    if (!strcmp(route, "group")) {
        pid_t group = getpgid(p);
        if (setpgid(0, 0))
            return -1;
        return kill(-group, sig);
    }
    if (!strcmp(route, "all")) {
        signal(sig, SIG_IGN);
        return kill(-1, sig);
    }
    if (!strcmp(route, "tkill"))
        return syscall(SYS_tkill, p, sig);
    if (!strcmp(route, "tgkill"))
        return syscall(SYS_tgkill, p, p, sig);
    if (!strcmp(route, "sigqueue"))
        return syscall(SYS_rt_sigqueueinfo, p, sig, &info);
    if (!strcmp(route, "tgsigqueue"))
        return syscall(SYS_rt_tgsigqueueinfo, p, p, sig, &info);
    if (!strcmp(route, "pidfd")) {
        int pfd = syscall(SYS_pidfd_open, p, 0);
        if (pfd < 0)
            return -1;
        return syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
    }
    if (!strcmp(route, "fsetown") || !strcmp(route, "fsetown-ex")) {
        int fds[2];
        if (pipe(fds))
            return -1;
        long r;
        if (!strcmp(route, "fsetown")) {
            r = fcntl(fds[0], F_SETOWN, p);
        } else {
            struct f_owner_ex owner = {F_OWNER_PID, p};
            r = fcntl(fds[0], F_SETOWN_EX, &owner);
        }
        if (r < 0 || fcntl(fds[0], F_SETSIG, sig) < 0 ||
            fcntl(fds[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0)
            return -1;
        /* The kernel sends the owner the signal as data arrives. */
        return write(fds[1], "x", 1) == 1 ? 0 : -1;
    }
    fprintf(stderr, "unknown route %s\n", route);
    exit(2);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t parent = getppid();
    if (argc == 2 && !strcmp(argv[1], "probe")) {
        const char *routes[] = {"kill", "tkill", "tgkill", "sigqueue", "tgsigqueue", "pidfd"};
        for (unsigned i = 0; i < sizeof routes / sizeof *routes; i++)
            printf("%s=%s ", routes[i], result(send(routes[i], parent, 0)));
        printf("group=%s\n", result(send("group", parent, 0)));
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "hit")) {
        long r = send(argv[2], parent, SIGUSR1);
        const char *what = result(r);
        usleep(200000);
        printf("alive %s\n", what);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "siblings")) {
        int pipefd[2];
        if (pipe(pipefd))
            return 2;
        pid_t child = fork();
        if (child == 0) {
            sigset_t set;
            int sig;
            sigemptyset(&set);
            sigaddset(&set, SIGUSR1);
            sigprocmask(SIG_BLOCK, &set, NULL);
            if (write(pipefd[1], "r", 1) != 1)
                _exit(2);
            sigwait(&set, &sig);
            _exit(sig == SIGUSR1 ? 0 : 1);
        }
        char c;
        if (read(pipefd[0], &c, 1) != 1)
            return 2;
        long r = kill(child, SIGUSR1);
        int status;
        waitpid(child, &status, 0);
        printf("sibling %s\n", r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "failed");
        return 0;
    }
    fprintf(stderr, "usage: signals probe | hit ROUTE | siblings\n");
    return 2;
}
