/*
 * Escape attempts against the sandbox filter. Each subcommand tries
 * one attack and prints "ESCAPED" (exit 0) if it worked, or "blocked:
 * <why>" (exit 1) if the kernel refused it. Run bare, every attack
 * must work (so the test can fail); under husk, every one must not.
 *
 *   escape int80 FILE       open(2) FILE through the i386 entry (int 0x80)
 *   escape x32 FILE         open(2) FILE with the x32 bit set
 *   escape io_uring         io_uring_setup(2)
 *   escape ptrace-attach    PTRACE_ATTACH a sibling process
 *   escape vm-write         process_vm_writev into a sibling
 *   escape vm-read          process_vm_readv of a sibling (another process:
 *                           outside the sandbox it could be husk, or any
 *                           process of the user)
 *   escape seccomp-trap     stack a filter returning SECCOMP_RET_TRAP
 *                           (installed: the process dies of SIGSYS)
 *   escape traceme          PTRACE_TRACEME: prints TracerPid before and
 *                           after; "ESCAPED" if a tracer got attached
 *   escape clone-untraced   raw clone(CLONE_UNTRACED|SIGCHLD); the child
 *                           reports its TracerPid through a pipe:
 *                           "ESCAPED" if the clone ran and the child was
 *                           not traced (bare, nothing traces it)
 *   escape clone3-untraced  the same through clone3
 *   escape setns pidfd|nsfd PID mnt|user+mnt
 *                           join PID's namespaces (a pidfd_open descriptor
 *                           or the /proc/PID/ns entries): "ESCAPED" if
 *                           setns returned 0
 *   escape clone-plain      control: a raw clone(SIGCHLD), a fork, a
 *                           pthread and a posix_spawn all work; prints
 *                           the children's TracerPid (husk traces them)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int escaped(const char *what) {
    printf("ESCAPED: %s\n", what);
    return 0;
}

static int blocked(const char *what) {
    printf("blocked: %s: %s\n", what, strerror(errno));
    return 1;
}

static int read_and_report(int fd, const char *what) {
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0)
        return blocked("read");
    buf[n] = 0;
    printf("read %zd bytes\n", n);
    return escaped(what);
}

#if defined(__x86_64__)
static long int80_open(const char *path) {
    /* i386 open is 5; arguments in ebx, ecx, edx. The path must be
       reachable with a 32-bit pointer: copy it below 4 GiB. */
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    strncpy(p, path, 4095);
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(5), "b"((long)p), "c"(O_RDONLY), "d"(0) : "memory");
    return ret;
}
#endif

static long tracer_pid(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long tracer = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "TracerPid: %ld", &tracer) == 1)
            break;
    if (f)
        fclose(f);
    return tracer;
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* struct clone_args as of Linux 5.3 (CLONE_ARGS_SIZE_VER0), spelled out:
   <linux/sched.h> would clash with <sched.h>'s CLONE_* macros. */
struct clone_args_v0 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* In a child created without CLONE_VM on the parent's stack (fork-like):
   report our TracerPid through `fd` and exit. */
static void report_tracer(int fd) {
    long tracer = tracer_pid();
    if (write(fd, &tracer, sizeof tracer) != sizeof tracer)
        _exit(3);
    _exit(0);
}

/* Reads the TracerPid the child `pid` reported on `fd`, reaps it. */
static long child_tracer(pid_t pid, int fd) {
    long tracer = -1;
    if (read(fd, &tracer, sizeof tracer) != sizeof tracer)
        tracer = -1;
    waitpid(pid, NULL, 0);
    return tracer;
}

/* Clones with `raw` (which returns 0 in the child, like fork) and says
   whether the child escaped the tracer. */
static int untraced(const char *what, long (*raw)(void)) {
    int p[2];
    if (pipe(p) < 0)
        return blocked("pipe");
    long pid = raw();
    if (pid == 0)
        report_tracer(p[1]);
    if (pid < 0)
        return blocked(what);
    long tracer = child_tracer((pid_t)pid, p[0]);
    printf("child TracerPid %ld\n", tracer);
    if (tracer != 0) {
        printf("blocked: %s: the child is traced\n", what);
        return 1;
    }
    return escaped(what);
}

static long raw_clone_untraced(void) {
    /* Flags are argument 0 on every architecture the tests run on; the
       zero stack makes the child run on a copy of ours, as fork does. */
    return syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
}

static long raw_clone3_untraced(void) {
    struct clone_args_v0 args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_UNTRACED;
    args.exit_signal = SIGCHLD;
    return syscall(SYS_clone3, &args, sizeof args);
}

static int join(const char *how, pid_t pid, const char *which) {
    int user = !strcmp(which, "user+mnt");
    if (!user && strcmp(which, "mnt"))
        return 2;
    if (!strcmp(how, "pidfd")) {
        long fd = syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
            return blocked("pidfd_open");
        if (setns((int)fd, CLONE_NEWNS | (user ? CLONE_NEWUSER : 0)) < 0)
            return blocked("setns");
        return escaped("setns into another process's namespaces");
    }
    if (strcmp(how, "nsfd"))
        return 2;
    char path[64];
    int userfd = -1;
    if (user) {
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
        if ((userfd = open(path, O_RDONLY)) < 0)
            return blocked(path);
    }
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
    int mntfd = open(path, O_RDONLY);
    if (mntfd < 0)
        return blocked(path);
    if (user && setns(userfd, CLONE_NEWUSER) < 0)
        return blocked("setns");
    if (setns(mntfd, CLONE_NEWNS) < 0)
        return blocked("setns");
    return escaped("setns into another process's namespaces");
}

static void *thread_body(void *arg) {
    (void)arg;
    return (void *)42;
}

/* Ordinary process and thread creation, which must keep working. */
static int plain(void) {
    int p[2];
    if (pipe(p) < 0)
        return blocked("pipe");
    long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        report_tracer(p[1]);
    if (pid < 0)
        return blocked("clone");
    printf("clone child TracerPid %ld\n", child_tracer((pid_t)pid, p[0]));
    pid = fork();
    if (pid == 0)
        report_tracer(p[1]);
    if (pid < 0)
        return blocked("fork");
    printf("fork child TracerPid %ld\n", child_tracer((pid_t)pid, p[0]));
    pthread_t t;
    void *ret = NULL;
    int e = pthread_create(&t, NULL, thread_body, NULL);
    if (e != 0 || (e = pthread_join(t, &ret)) != 0 || ret != (void *)42) {
        errno = e;
        return blocked("pthread");
    }
    printf("thread ran\n");
    char *argv[] = {"true", NULL};
    pid_t spawned;
    e = posix_spawnp(&spawned, "true", NULL, NULL, argv, NULL);
    int status = -1;
    if (e != 0 || waitpid(spawned, &status, 0) < 0) {
        errno = e;
        return blocked("posix_spawn");
    }
    printf("posix_spawn status %d\n", status);
    return 0;
}

static pid_t sibling(void) {
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    usleep(20000);
    return pid;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2)
        return 2;
    const char *what = argv[1];
#if defined(__x86_64__)
    if (!strcmp(what, "int80") && argc > 2) {
        long fd = int80_open(argv[2]);
        if (fd < 0) {
            errno = -fd;
            return blocked("int 0x80 open");
        }
        return read_and_report((int)fd, "int 0x80 open");
    }
    if (!strcmp(what, "x32") && argc > 2) {
        long fd = syscall(0x40000000 | 2 /* x32 open */, argv[2], O_RDONLY);
        if (fd < 0)
            return blocked("x32 open");
        return read_and_report((int)fd, "x32 open");
    }
#endif
    if (!strcmp(what, "io_uring")) {
        char params[120];
        memset(params, 0, sizeof params);
        long fd = syscall(SYS_io_uring_setup, 4, params);
        if (fd < 0)
            return blocked("io_uring_setup");
        return escaped("io_uring_setup");
    }
    if (!strcmp(what, "ptrace-attach")) {
        pid_t pid = sibling();
        long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
        int saved = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        errno = saved;
        if (r < 0)
            return blocked("PTRACE_ATTACH");
        return escaped("PTRACE_ATTACH");
    }
    if (!strcmp(what, "vm-write")) {
        static volatile long target = 1;
        pid_t pid = sibling();
        long value = 2;
        struct iovec local = {&value, sizeof value}, remote = {(void *)&target, sizeof target};
        ssize_t r = process_vm_writev(pid, &local, 1, &remote, 1, 0);
        int saved = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        errno = saved;
        if (r < 0)
            return blocked("process_vm_writev");
        return escaped("process_vm_writev");
    }
    if (!strcmp(what, "vm-read")) {
        static volatile long secret = 42;
        pid_t pid = sibling();
        long value = 0;
        struct iovec local = {&value, sizeof value}, remote = {(void *)&secret, sizeof secret};
        ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        int saved = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        errno = saved;
        if (r < 0)
            return blocked("process_vm_readv");
        return value == 42 ? escaped("process_vm_readv") : blocked("process_vm_readv read nothing");
    }
    if (!strcmp(what, "seccomp-trap")) {
        struct sock_filter insns[] = {
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        };
        struct sock_fprog prog = {1, insns};
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
            int saved = errno;
            if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
                return escaped("PR_SET_SECCOMP filter installed");
            errno = saved;
            return blocked("seccomp(SET_MODE_FILTER)");
        }
        /* Installed: the next system call would raise SIGSYS. */
        _exit(0);
    }
    if (!strcmp(what, "traceme")) {
        long before = tracer_pid();
        long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
        if (r != 0) {
            printf("PTRACE_TRACEME returned %ld: %s\n", r, strerror(errno));
            return 3;
        }
        long after = tracer_pid();
        printf("PTRACE_TRACEME returned 0, TracerPid %ld -> %ld\n", before, after);
        return before == after ? 1 : escaped("PTRACE_TRACEME attached a tracer");
    }
    if (!strcmp(what, "clone-untraced"))
        return untraced("clone(CLONE_UNTRACED)", raw_clone_untraced);
    if (!strcmp(what, "clone3-untraced"))
        return untraced("clone3(CLONE_UNTRACED)", raw_clone3_untraced);
    if (!strcmp(what, "setns") && argc > 4)
        return join(argv[2], (pid_t)atoi(argv[3]), argv[4]);
    if (!strcmp(what, "clone-plain"))
        return plain();
    fprintf(stderr, "unknown attack %s\n", what);
    return 2;
}
