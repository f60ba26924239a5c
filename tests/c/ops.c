/*
 * One system call per invocation, for the policy tests: prints "ok"
 * (or what was read) on success, the errno name on failure, and exits
 * 0 either way (a crash or a kill is the only other outcome). Built
 * static so the dynamic loader's own opens do not need allowing.
 *
 *   ops open PATH MODE            MODE: r w rw rt (read+trunc) wt wc (create)
 *                                 wcx (create|excl) wct (create|trunc: `>`) rn (read, nofollow) p (O_PATH) tmp (O_TMPFILE)
 *   ops openat DIR REL MODE       relative to an open directory
 *   ops reopen PATH               O_PATH open, then read via /proc/self/fd/N
 *   ops openflags PATH            O_WRONLY|O_APPEND open: "append=A nonblock=N" (F_GETFL)
 *   ops stat PATH | lstat PATH | access PATH
 *   ops mkdir PATH | rmdir PATH | unlink PATH
 *   ops rename FROM TO | link FROM TO | symlink TARGET PATH | readlink PATH
 *   ops truncate PATH | chmod PATH | chown PATH | chgrp PATH | utime PATH
 *   ops mkfifo PATH | mkbdev PATH | mkcdev PATH
 *   ops setxattr PATH | getxattr PATH
 *   ops chdir PATH [REL]          chdir, then (if REL) open REL for reading
 *   ops cwdopen DIR REL           chdir DIR, open /proc/self/cwd/REL
 *   ops exec PATH [ARG...]        execv (prints the errno if it fails)
 *   ops bind ADDR | connect ADDR  ADDR: 1.2.3.4:80, [::1]:80, unix:/p, abstract:name
 *   ops sendto ADDR MSG           a UDP datagram (or unix datagram)
 *   ops socketpair
 *   ops openat2 PATH FLAGS MODE RESOLVE SIZE TAIL
 *                                 a raw openat2 (numbers as in C), the struct's bytes past
 *                                 24 all TAIL: "ok" or the errno name
 *   ops deep DIR N [make]         chdir DIR, then N levels of 200-byte names (made, and f
 *                                 holding "F" at the bottom, with "make"); read "f"
 *   ops handle PATH               name_to_handle_at
 *   ops listen 4|6                listen on a socket never bound (tcp)
 *   ops rawsocket raw|packet      socket(AF_INET, SOCK_RAW) or socket(AF_PACKET)
 *   ops bindmode unix:PATH        bind under umask 022: "mode NNN" of the socket file
 *   ops sendfd ADDR               sendmsg with SCM_RIGHTS (fd 0) to a unix datagram socket
 *   ops sendmmsg ADDR MSG         two UDP datagrams in one sendmmsg ("ok" if both went)
 *   ops inotify PATH              inotify_add_watch (IN_MODIFY)
 *   ops setxattrat PATH | getxattrat PATH   the *xattrat calls (user.husk)
 *   ops fileattr PATH             file_getattr then file_setattr (Linux 6.17)
 *   ops emptypaths PATH           fstatat/statx/futimens/fchownat/fchmod on an open PATH, by empty path
 *   ops list DIR SIZE [old]       every name (sorted, one per line) from raw getdents64 (or the
 *                                 old getdents, x86_64) with a SIZE-byte buffer; then "end" or
 *                                 the errno name of the call that failed
 *   ops threadfchmod PATH         a thread with its own descriptor table (unshare CLONE_FILES)
 *                                 opens PATH and fchmods it (the number is free in the process's)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *thread_path;

/* threadfchmod: what the thread's fchmod returned (-errno on failure). */
static void *thread_fchmod(void *unused) {
    (void)unused;
    if (unshare(CLONE_FILES))
        return (void *)(long)-errno;
    int fd = open(thread_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fchmod(fd, 0644))
        return (void *)(long)-errno;
    return (void *)0L;
}

/* The mode of path (stat), or 0. */
static unsigned st_of(const char *path) {
    struct stat st;
    return stat(path, &st) ? 0 : st.st_mode;
}

static int report(long r) {
    if (r < 0)
        printf("%s\n", strerrorname_np(errno));
    else
        printf("ok\n");
    return 0;
}

static int open_flags(const char *mode) {
    if (!strcmp(mode, "r")) return O_RDONLY;
    if (!strcmp(mode, "w")) return O_WRONLY;
    if (!strcmp(mode, "rw")) return O_RDWR;
    if (!strcmp(mode, "rt")) return O_RDONLY | O_TRUNC;
    if (!strcmp(mode, "wt")) return O_WRONLY | O_TRUNC;
    if (!strcmp(mode, "wc")) return O_WRONLY | O_CREAT;
    if (!strcmp(mode, "wcx")) return O_WRONLY | O_CREAT | O_EXCL;
    if (!strcmp(mode, "wct")) return O_WRONLY | O_CREAT | O_TRUNC;
    if (!strcmp(mode, "rn")) return O_RDONLY | O_NOFOLLOW;
    if (!strcmp(mode, "p")) return O_PATH;
    if (!strcmp(mode, "tmp")) return O_TMPFILE | O_RDWR;
    return -1;
}

static int show_open(int fd, int flags) {
    if (fd < 0)
        return report(-1);
    if ((flags & O_ACCMODE) != O_WRONLY && !(flags & O_PATH) && !(flags & O_TMPFILE)) {
        char buf[256];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n >= 0) {
            buf[n] = 0;
            printf("ok %s\n", buf);
            return 0;
        }
        if (errno == EISDIR) {
            printf("ok dir\n");
            return 0;
        }
    }
    printf("ok\n");
    return 0;
}

static socklen_t parse_addr(const char *text, struct sockaddr_storage *ss, int *family) {
    memset(ss, 0, sizeof *ss);
    if (!strncmp(text, "unix:", 5) || !strncmp(text, "abstract:", 9)) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        un->sun_family = AF_UNIX;
        *family = AF_UNIX;
        if (text[0] == 'u') {
            strncpy(un->sun_path, text + 5, sizeof un->sun_path - 1);
            return offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1;
        }
        size_t n = strlen(text + 9);
        memcpy(un->sun_path + 1, text + 9, n);
        return offsetof(struct sockaddr_un, sun_path) + 1 + n;
    }
    if (text[0] == '[') {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        char host[64];
        const char *end = strchr(text, ']');
        size_t n = end - text - 1;
        memcpy(host, text + 1, n);
        host[n] = 0;
        in6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, host, &in6->sin6_addr);
        in6->sin6_port = htons(atoi(end + 2));
        *family = AF_INET6;
        return sizeof *in6;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    char host[64];
    const char *colon = strchr(text, ':');
    size_t n = colon - text;
    memcpy(host, text, n);
    host[n] = 0;
    in->sin_family = AF_INET;
    inet_pton(AF_INET, host, &in->sin_addr);
    in->sin_port = htons(atoi(colon + 1));
    *family = AF_INET;
    return sizeof *in;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2)
        return 2;
    const char *op = argv[1];
    const char *a = argc > 2 ? argv[2] : "";
    const char *b = argc > 3 ? argv[3] : "";
    if (!strcmp(op, "open") && argc > 3) {
        int flags = open_flags(b);
        return show_open(open(a, flags | O_CLOEXEC, 0644), flags);
    }
    if (!strcmp(op, "openat") && argc > 4) {
        int dir = open(a, O_RDONLY | O_DIRECTORY);
        if (dir < 0)
            return report(-1);
        int flags = open_flags(argv[4]);
        return show_open(openat(dir, b, flags, 0644), flags);
    }
    if (!strcmp(op, "openflags")) {
        /* The status flags an open leaves: O_APPEND asked, O_NONBLOCK not. */
        int fd = open(a, O_WRONLY | O_APPEND);
        if (fd < 0)
            return report(-1);
        int fl = fcntl(fd, F_GETFL);
        printf("append=%d nonblock=%d\n", !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
        return 0;
    }
    if (!strcmp(op, "reopen")) {
        int fd = open(a, O_PATH);
        if (fd < 0)
            return report(-1);
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        return show_open(open(path, O_RDONLY), O_RDONLY);
    }
    struct stat st;
    if (!strcmp(op, "stat")) return report(stat(a, &st));
    if (!strcmp(op, "lstat")) return report(lstat(a, &st));
    if (!strcmp(op, "access")) return report(access(a, F_OK));
    if (!strcmp(op, "mkdir")) return report(mkdir(a, 0755));
    if (!strcmp(op, "rmdir")) return report(rmdir(a));
    if (!strcmp(op, "unlink")) return report(unlink(a));
    if (!strcmp(op, "rename")) return report(rename(a, b));
    if (!strcmp(op, "link")) return report(link(a, b));
    if (!strcmp(op, "symlink")) return report(symlink(a, b));
    if (!strcmp(op, "readlink")) {
        char buf[256];
        ssize_t n = readlink(a, buf, sizeof buf - 1);
        if (n < 0)
            return report(-1);
        buf[n] = 0;
        printf("ok %s\n", buf);
        return 0;
    }
    if (!strcmp(op, "truncate")) return report(truncate(a, 0));
    if (!strcmp(op, "chmod")) return report(chmod(a, 0600));
    if (!strcmp(op, "chown")) return report(chown(a, getuid(), -1));
    if (!strcmp(op, "chgrp")) return report(chown(a, -1, getgid()));
    if (!strcmp(op, "utime")) return report(utimes(a, NULL));
    if (!strcmp(op, "mkfifo")) return report(mknod(a, S_IFIFO | 0644, 0));
    if (!strcmp(op, "mkbdev")) return report(mknod(a, S_IFBLK | 0600, makedev(7, 0)));
    if (!strcmp(op, "mkcdev")) return report(mknod(a, S_IFCHR | 0600, makedev(1, 3)));
    if (!strcmp(op, "setxattr")) return report(setxattr(a, "user.husk", "1", 1, 0));
    if (!strcmp(op, "getxattr")) {
        char v[16];
        return report(getxattr(a, "user.husk", v, sizeof v));
    }
    if (!strcmp(op, "chdir")) {
        if (chdir(a) < 0)
            return report(-1);
        if (argc > 3)
            return show_open(open(b, O_RDONLY), O_RDONLY);
        return report(0);
    }
    if (!strcmp(op, "cwdopen")) {
        if (chdir(a) < 0)
            return report(-1);
        char path[512];
        snprintf(path, sizeof path, "/proc/self/cwd/%s", b);
        return show_open(open(path, O_RDONLY), O_RDONLY);
    }
    if (!strcmp(op, "exec")) {
        execv(a, argv + 2);
        return report(-1);
    }
    if (!strcmp(op, "bind") || !strcmp(op, "connect") || !strcmp(op, "sendto")) {
        struct sockaddr_storage ss;
        int family;
        socklen_t len = parse_addr(a, &ss, &family);
        int type = !strcmp(op, "sendto") ? SOCK_DGRAM : SOCK_STREAM;
        int s = socket(family, type, 0);
        if (s < 0)
            return report(-1);
        if (!strcmp(op, "bind"))
            return report(bind(s, (struct sockaddr *)&ss, len));
        if (!strcmp(op, "connect"))
            return report(connect(s, (struct sockaddr *)&ss, len));
        return report(sendto(s, b, strlen(b), 0, (struct sockaddr *)&ss, len));
    }
    if (!strcmp(op, "sendfd")) {
        struct sockaddr_storage ss;
        int family;
        socklen_t len = parse_addr(a, &ss, &family);
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        char data = 'x';
        struct iovec iov = {&data, 1};
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } control;
        struct msghdr msg = {0};
        msg.msg_name = &ss;
        msg.msg_namelen = len;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof control.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        int fd = 0;
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
        return report(sendmsg(s, &msg, 0));
    }
    if (!strcmp(op, "sendmmsg")) {
        /* Two datagrams, B then B again, to ADDR: prints "ok" if both
         * went, else the errno name. */
        struct sockaddr_storage ss;
        int family;
        socklen_t len = parse_addr(a, &ss, &family);
        int s = socket(family, SOCK_DGRAM, 0);
        struct iovec iov = {(void *)b, strlen(b)};
        struct mmsghdr m[2];
        memset(m, 0, sizeof m);
        for (int i = 0; i < 2; i++) {
            m[i].msg_hdr.msg_name = &ss;
            m[i].msg_hdr.msg_namelen = len;
            m[i].msg_hdr.msg_iov = &iov;
            m[i].msg_hdr.msg_iovlen = 1;
        }
        int n = sendmmsg(s, m, 2, 0);
        if (n == 2 && m[0].msg_len == strlen(b) && m[1].msg_len == strlen(b))
            return report(0);
        return report(n < 0 ? -1 : (errno = EIO, -1));
    }
    if (!strcmp(op, "list") && argc > 3) {
        int fd = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return report(-1);
        size_t size = strtoul(b, NULL, 0);
        int old = argc > 4 && !strcmp(argv[4], "old");
        char *buf = malloc(size + 1);
        static char names[4096][256];
        int count = 0;
        const char *outcome = "end";
        for (;;) {
#ifdef SYS_getdents
            long n = syscall(old ? SYS_getdents : SYS_getdents64, fd, buf, size);
#else
            long n = old ? (errno = ENOSYS, -1) : syscall(SYS_getdents64, fd, buf, size);
#endif
            if (n < 0) {
                outcome = strerrorname_np(errno);
                break;
            }
            if (n == 0)
                break;
            for (long at = 0; at < n;) {
                unsigned short len = *(unsigned short *)(buf + at + 16);
                const char *name = buf + at + (old ? 18 : 19);
                if (count < 4096)
                    snprintf(names[count++], 256, "%s", name);
                at += len;
            }
        }
        qsort(names, count, 256, (int (*)(const void *, const void *))strcmp);
        for (int i = 0; i < count; i++)
            printf("%s\n", names[i]);
        printf("%s\n", outcome);
        return 0;
    }
    if (!strcmp(op, "threadfchmod")) {
        pthread_t t;
        void *r;
        thread_path = a;
        if (pthread_create(&t, NULL, thread_fchmod, NULL) || pthread_join(t, &r))
            return report(-1);
        errno = (int)-(long)r;
        return report((long)r);
    }
    if (!strcmp(op, "emptypaths")) {
        /* The calls that name a descriptor (or the working directory)
         * by an empty path: each must work, or the first failure's
         * errno name is printed. */
        int fd = open(a, O_RDONLY);
        struct statx sx;
        if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH) || fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH) ||
            statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) || futimens(fd, NULL) ||
            fchownat(fd, "", getuid(), -1, AT_EMPTY_PATH) || fchmod(fd, 0644) || fsync(fd))
            return report(-1);
        return report(0);
    }
    if (!strcmp(op, "setxattrat") || !strcmp(op, "getxattrat")) {
        /* Linux 6.13: struct xattr_args { u64 value; u32 size, flags; }.
         * getxattrat prints "ok VALUE". */
        char value[8] = "1";
        struct { unsigned long long value; unsigned size, flags; } args = {
            (unsigned long long)(unsigned long)value, 1, 0};
        if (!strcmp(op, "setxattrat"))
            return report(syscall(463, AT_FDCWD, a, 0, "user.husk", &args, sizeof args));
        value[0] = 0;
        args.size = sizeof value - 1;
        long n = syscall(464, AT_FDCWD, a, 0, "user.husk", &args, sizeof args);
        if (n < 0)
            return report(-1);
        value[n] = 0;
        printf("ok %s\n", value);
        return 0;
    }
    if (!strcmp(op, "fileattr")) {
        /* Linux 6.17: file_getattr, then file_setattr of the same. */
        unsigned char attr[24] = {0};
        if (syscall(468, AT_FDCWD, a, attr, sizeof attr, 0) < 0)
            return report(-1);
        return report(syscall(469, AT_FDCWD, a, attr, sizeof attr, 0));
    }
    if (!strcmp(op, "inotify")) {
        int fd = inotify_init1(IN_CLOEXEC);
        return report(inotify_add_watch(fd, a, IN_MODIFY) < 0 ? -1 : 0);
    }
    if (!strcmp(op, "openat2") && argc > 7) {
        /* openat2(AT_FDCWD, PATH, how, SIZE): how = {FLAGS, MODE,
         * RESOLVE}, then SIZE - 24 bytes of TAIL (each byte that value). */
        unsigned char how[8192];
        unsigned long long fields[3] = {strtoull(argv[3], 0, 0), strtoull(argv[4], 0, 0),
                                        strtoull(argv[5], 0, 0)};
        size_t size = strtoul(argv[6], 0, 0);
        memset(how, (int)strtoul(argv[7], 0, 0), sizeof how);
        memcpy(how, fields, sizeof fields);
        long fd = syscall(SYS_openat2, AT_FDCWD, a, how, size);
        return report(fd);
    }
    if (!strcmp(op, "deep") && argc > 3) {
        /* chdir DIR, then N times into a 200-byte name (made, with "F"
         * in f at the bottom, if argv[4] is "make"), then read f by its
         * relative name. */
        char name[201];
        memset(name, 'd', 200);
        name[200] = 0;
        int make = argc > 4 && !strcmp(argv[4], "make");
        if (chdir(a))
            return report(-1);
        for (int i = 0; i < atoi(b); i++) {
            if (make && mkdir(name, 0777) && errno != EEXIST)
                return report(-1);
            if (chdir(name))
                return report(-1);
        }
        if (make) {
            int fd = open("f", O_WRONLY | O_CREAT | O_TRUNC, 0666);
            if (fd < 0 || write(fd, "F", 1) != 1)
                return report(-1);
            close(fd);
        }
        return show_open(open("f", O_RDONLY), O_RDONLY);
    }
    if (!strcmp(op, "handle")) {
        /* name_to_handle_at(AT_FDCWD, PATH): a file handle. */
        struct {
            struct file_handle h;
            unsigned char bytes[128];
        } fh;
        int mount;
        fh.h.handle_bytes = sizeof fh.bytes;
        return report(name_to_handle_at(AT_FDCWD, a, &fh.h, &mount, 0));
    }
    if (!strcmp(op, "listen")) {
        /* listen on a socket never bound: the kernel binds it to the
         * wildcard address (a = "4" or "6"). */
        int s = socket(!strcmp(a, "6") ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        return report(s < 0 ? -1 : listen(s, 1));
    }
    if (!strcmp(op, "rawsocket")) {
        /* a = "raw" (AF_INET SOCK_RAW UDP) or "packet" (AF_PACKET). */
        int s = !strcmp(a, "packet") ? socket(AF_PACKET, SOCK_DGRAM, 0)
                                     : socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
        return report(s);
    }
    if (!strcmp(op, "bindmode")) {
        /* bind unix:PATH under umask 022; print the socket file's mode. */
        struct sockaddr_storage ss;
        int family;
        socklen_t len = parse_addr(a, &ss, &family);
        umask(022);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s < 0 || bind(s, (struct sockaddr *)&ss, len) < 0)
            return report(-1);
        printf("mode %o\n", (unsigned)(st_of(((struct sockaddr_un *)&ss)->sun_path) & 07777));
        return 0;
    }
    if (!strcmp(op, "socketpair")) {
        int sv[2];
        return report(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    }
    fprintf(stderr, "ops: unknown operation %s\n", op);
    return 2;
}
