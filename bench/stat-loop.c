/*
 * stat-loop KIND [N] [PATH]: the stat workloads of bench/notify.sh.
 *
 * KIND says which call is made N times (default 100000) on PATH
 * (default /etc/passwd), then exits 0:
 *
 *   stat    newfstatat(AT_FDCWD, PATH, &st, 0): a path stat (what glibc's
 *           stat() makes; also lstat with AT_SYMLINK_NOFOLLOW)
 *   statat  newfstatat(dirfd, NAME, &st, AT_SYMLINK_NOFOLLOW), where dirfd
 *           is a descriptor of PATH's directory opened first and NAME its
 *           last component: how find and other tree walkers stat
 *   fstat   newfstatat(fd, "", &st, AT_EMPTY_PATH) on one descriptor of
 *           PATH opened first: what glibc 2.36's fstat() makes (later
 *           glibcs and musl call the fstat system call, never trapped)
 *
 * The calls are made with syscall(2), so the count does not depend on
 * the C library. Under a filter trapping newfstatat (husk's with the
 * stat category on, notify-floor -t stat) every iteration is exactly one
 * trapped call. Every call's result is checked: the inode must be the
 * one a first, untrapped fstat() of PATH gave (fstat is never trapped),
 * so a supervisor that answered wrongly, or with nothing, fails the run
 * (exit 1) instead of looking fast.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = 100000;
    const char *path = "/etc/passwd";

    if (argc < 2 || argc > 4 ||
        (strcmp(argv[1], "stat") && strcmp(argv[1], "statat") && strcmp(argv[1], "fstat"))) {
        fprintf(stderr, "usage: stat-loop stat|statat|fstat [N] [PATH]\n");
        return 2;
    }
    int by_fd = strcmp(argv[1], "fstat") == 0;
    int in_dir = strcmp(argv[1], "statat") == 0;
    if (argc > 2) {
        char *end;
        errno = 0;
        n = strtol(argv[2], &end, 10);
        if (errno || *end || end == argv[2] || n < 0) {
            fprintf(stderr, "stat-loop: bad count: %s\n", argv[2]);
            return 2;
        }
    }
    if (argc > 3)
        path = argv[3];

    long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "stat-loop: openat %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct stat want, st;
    if (syscall(SYS_fstat, fd, &want) != 0) {
        fprintf(stderr, "stat-loop: fstat: %s\n", strerror(errno));
        return 1;
    }
    /* statat: PATH's directory and last component. */
    long dirfd = AT_FDCWD;
    const char *name = path;
    if (in_dir) {
        static char dir[4096];
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1] || (size_t)(slash - path) >= sizeof(dir)) {
            fprintf(stderr, "stat-loop: statat needs a PATH with a directory: %s\n", path);
            return 2;
        }
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash == path ? 1 : slash - path] = 0;
        if (slash == path)
            dir[0] = '/';
        name = slash + 1;
        dirfd = syscall(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
            fprintf(stderr, "stat-loop: openat %s: %s\n", dir, strerror(errno));
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        memset(&st, 0, sizeof(st));
        long r = by_fd    ? syscall(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH)
                 : in_dir ? syscall(SYS_newfstatat, dirfd, name, &st, AT_SYMLINK_NOFOLLOW)
                          : syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0);
        if (r != 0) {
            fprintf(stderr, "stat-loop: %s %s (iteration %ld): %s\n", argv[1], path, i,
                    strerror(errno));
            return 1;
        }
        if (st.st_ino != want.st_ino || st.st_dev != want.st_dev) {
            fprintf(stderr, "stat-loop: %s %s (iteration %ld): wrong inode\n", argv[1],
                    path, i);
            return 1;
        }
    }
    return 0;
}
