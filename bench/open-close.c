/*
 * open-close [N] [PATH]: the workload of bench/ptrace.sh.
 *
 * Does N times openat(AT_FDCWD, PATH, O_RDONLY) followed by close(fd),
 * then exits 0. N defaults to 100000, PATH to /etc/passwd (a file every
 * Linux system has). Any failure is reported and exits 1: a benchmark
 * that silently measured failing calls would measure the wrong thing.
 *
 * Under a seccomp filter that traps openat (husk's, the floor's), each
 * iteration is exactly one trapped call (openat) and one untrapped one
 * (close). The system calls are made with syscall(2), not through the
 * libc wrappers, so the count does not depend on what the C library
 * turns open() into.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = 100000;
    const char *path = "/etc/passwd";

    if (argc > 1) {
        char *end;
        errno = 0;
        n = strtol(argv[1], &end, 10);
        if (errno || *end || end == argv[1] || n < 0) {
            fprintf(stderr, "open-close: bad count: %s\n", argv[1]);
            return 2;
        }
    }
    if (argc > 2)
        path = argv[2];
    if (argc > 3) {
        fprintf(stderr, "usage: open-close [N] [PATH]\n");
        return 2;
    }

    for (long i = 0; i < n; i++) {
        long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "open-close: openat %s (iteration %ld): %s\n",
                    path, i, strerror(errno));
            return 1;
        }
        if (syscall(SYS_close, fd) != 0) {
            fprintf(stderr, "open-close: close (iteration %ld): %s\n",
                    i, strerror(errno));
            return 1;
        }
    }
    return 0;
}
