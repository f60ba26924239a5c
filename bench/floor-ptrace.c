/*
 * floor-ptrace COMMAND [ARG]...: the floor of bench/ptrace.sh.
 *
 * The least work a ptrace supervisor can do for each call a seccomp
 * filter traps with SECCOMP_RET_TRACE: wake up in waitpid, PTRACE_CONT,
 * wait again. No decision, no reading of the tracee, no threads. Any
 * supervisor built on SECCOMP_RET_TRACE pays at least this much per
 * trapped call (two stops' worth of context switches and two system
 * calls in the tracer), so husk is measured as a ratio to it.
 *
 * It traps what husk traps for the open-close workload: openat, open
 * (where the architecture has it) and execve; everything else is
 * allowed (close is not trapped by husk either). Other architectures
 * than the native one are killed, as in husk's filter.
 *
 * Start-up is husk's (src/supervisor/child.rs), so both pay the same:
 * the child asks for SIGKILL on its parent's death and stops itself;
 * the parent waits for that stop, PTRACE_SEIZEs it with
 * TRACESECCOMP|TRACEFORK|TRACEVFORK|TRACECLONE|TRACEEXEC|EXITKILL and
 * sends SIGCONT; the child then sets no-new-privs, installs the filter
 * and execvp()s the command (the execve is itself trapped). Seizing
 * (rather than PTRACE_TRACEME) means auto-attached children start
 * with a PTRACE_EVENT_STOP, not a SIGSTOP the tracer must recognise and
 * swallow, and group-stops can be left in place with PTRACE_LISTEN.
 *
 * The loop: waitpid(-1, __WALL); an event stop (seccomp, fork, exec,
 * the new-task stop) gets PTRACE_CONT with no signal; a group-stop gets
 * PTRACE_LISTEN; a signal-delivery stop gets PTRACE_CONT with its signal
 * re-injected. When the command (the first process) ends, floor-ptrace
 * exits with its status: its exit code, or 128+N if killed by signal N
 * (EXITKILL then kills whatever it left behind). 125: floor-ptrace
 * itself failed; 126/127: the command could not be executed / found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#else
#error "floor-ptrace: unsupported architecture"
#endif

static const int trapped[] = {
    __NR_openat,
#ifdef __NR_open
    __NR_open,
#endif
    __NR_execve,
};
#define NTRAPPED (int)(sizeof(trapped) / sizeof(trapped[0]))

static int install_filter(void)
{
    struct sock_filter prog[8 + NTRAPPED];
    int n = 0;

    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, arch));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, nr));
    for (int i = 0; i < NTRAPPED; i++) {
        /* Match: jump over the remaining compares and the ALLOW. */
        unsigned char skip = (unsigned char)(NTRAPPED - i);
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                                 (unsigned)trapped[i], skip, 0);
    }
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);

    struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
}

static void die(const char *what)
{
    fprintf(stderr, "floor-ptrace: %s: %s\n", what, strerror(errno));
    exit(125);
}

/* A ptrace request failed: a vanished task is fine (its exit will be
 * reaped); anything else is a bug in this program. */
static void resumed(long rc, pid_t pid)
{
    if (rc < 0 && errno != ESRCH) {
        fprintf(stderr, "floor-ptrace: resuming %d: %s\n", (int)pid, strerror(errno));
        kill(pid, SIGKILL);
    }
}

static int is_stopping_signal(int sig)
{
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: floor-ptrace COMMAND [ARG]...\n");
        return 125;
    }

    pid_t parent = getpid();
    pid_t eldest = fork();
    if (eldest < 0)
        die("fork");
    if (eldest == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(125);
        raise(SIGSTOP); /* until the parent has seized us */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            die("no_new_privs");
        if (install_filter() != 0)
            die("seccomp");
        execvp(argv[1], argv + 1);
        int e = errno;
        fprintf(stderr, "floor-ptrace: cannot run %s: %s\n", argv[1], strerror(e));
        _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
    }

    int status;
    if (waitpid(eldest, &status, WUNTRACED) != eldest || !WIFSTOPPED(status)) {
        kill(eldest, SIGKILL);
        die("waiting for the child to stop");
    }
    long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                   PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SEIZE, eldest, 0, (void *)options) != 0) {
        kill(eldest, SIGKILL);
        die("PTRACE_SEIZE");
    }
    if (kill(eldest, SIGCONT) != 0)
        die("SIGCONT");

    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            die("waitpid"); /* ECHILD cannot happen: the eldest ends first */
        }
        /* The hot path first: a trapped call. */
        if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
            resumed(ptrace(PTRACE_CONT, pid, 0, 0), pid);
            continue;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == eldest)
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            continue;
        }
        if (!WIFSTOPPED(status))
            continue;
        int sig = WSTOPSIG(status);
        int event = status >> 16;
        if (event == 0) /* signal-delivery stop: deliver it */
            resumed(ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig), pid);
        else if (event == PTRACE_EVENT_STOP && is_stopping_signal(sig))
            resumed(ptrace(PTRACE_LISTEN, pid, 0, 0), pid); /* group-stop */
        else
            resumed(ptrace(PTRACE_CONT, pid, 0, 0), pid);
    }
}
