/*
 * Another process's memory, and one's own under every spelling, through
 * /proc, for tests/memory.rs. Each mode prints one line and exits 0:
 * "ESCAPED ..." if the memory was read or written, else the errno name
 * of the open that failed.
 *
 *   memory own SPELLING    reads our own memory through SPELLING: "self"
 *                          (/proc/self/mem), "thread" (/proc/thread-self/
 *                          mem), "task" (/proc/self/task/TID/mem), "pid"
 *                          (/proc/PID/mem)
 *   memory child           writes into a child's memory through
 *                          /proc/CHILD/mem (a process we may ptrace)
 *   memory parent          reads the parent's (husk's) ELF header through
 *                          /proc/PPID/mem, at the start of its first mapping
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long marker = 42;

static int failed(void) {
    printf("%s\n", strerrorname_np(errno));
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char path[128];
    if (argc == 3 && !strcmp(argv[1], "own")) {
        const char *how = argv[2];
        if (!strcmp(how, "self"))
            snprintf(path, sizeof path, "/proc/self/mem");
        else if (!strcmp(how, "thread"))
            snprintf(path, sizeof path, "/proc/thread-self/mem");
        else if (!strcmp(how, "task"))
            snprintf(path, sizeof path, "/proc/self/task/%d/mem", gettid());
        else
            snprintf(path, sizeof path, "/proc/%d/mem", getpid());
        int fd = open(path, O_RDONLY);
        long value = 0;
        if (fd < 0)
            return failed();
        if (pread(fd, &value, sizeof value, (off_t)(long)&marker) != sizeof value)
            return failed();
        printf(value == 42 ? "ESCAPED read own memory\n" : "read nothing\n");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "child")) {
        pid_t child = fork();
        if (child == 0) {
            for (;;)
                pause();
        }
        usleep(20000);
        snprintf(path, sizeof path, "/proc/%d/mem", child);
        int fd = open(path, O_RDWR);
        long value = 7, back = 0;
        int ok = fd >= 0 &&
                 pwrite(fd, &value, sizeof value, (off_t)(long)&marker) == sizeof value &&
                 pread(fd, &back, sizeof back, (off_t)(long)&marker) == sizeof back;
        int saved = errno;
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        errno = saved;
        if (!ok)
            return failed();
        printf(back == 7 ? "ESCAPED wrote a child's memory\n" : "wrote nothing\n");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "parent")) {
        pid_t parent = getppid();
        char maps[64], line[256];
        snprintf(maps, sizeof maps, "/proc/%d/maps", parent);
        FILE *f = fopen(maps, "r");
        unsigned long start = 0;
        if (f && fgets(line, sizeof line, f))
            start = strtoul(line, NULL, 16);
        snprintf(path, sizeof path, "/proc/%d/mem", parent);
        int fd = open(path, O_RDONLY);
        char head[4];
        if (fd < 0)
            return failed();
        if (pread(fd, head, 4, (off_t)start) != 4)
            return failed();
        printf(!memcmp(head, "\177ELF", 4) ? "ESCAPED read the parent's memory\n" : "read nothing\n");
        return 0;
    }
    fprintf(stderr, "usage: memory own SPELLING | child | parent\n");
    return 2;
}
