/*
 * Running a file's code without execve, for tests/mapexec.rs: each mode
 * maps FILE and prints one line, then exits 0:
 *
 *   mapexec mmap FILE       mmap(PROT_READ|PROT_EXEC) of FILE
 *   mapexec mprotect FILE   mmap(PROT_READ), then mprotect adding
 *                           PROT_EXEC
 *   mapexec anon            mprotect adding PROT_EXEC to anonymous
 *                           memory (a JIT's: never a file's)
 *
 * The line is "mapped" if the memory became executable, else the errno
 * name of the call that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int failed(void) {
    printf("%s\n", strerrorname_np(errno));
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "anon")) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ | PROT_EXEC))
            return failed();
        printf("mapped\n");
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: mapexec mmap|mprotect FILE | mapexec anon\n");
        return 2;
    }
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0)
        return failed();
    int exec_now = !strcmp(argv[1], "mmap");
    void *p = mmap(NULL, 4096, PROT_READ | (exec_now ? PROT_EXEC : 0), MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return failed();
    if (!exec_now && mprotect(p, 4096, PROT_READ | PROT_EXEC))
        return failed();
    printf("mapped\n");
    return 0;
}
