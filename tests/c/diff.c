/*
 * The differential table (tests/differential.rs): every system call
 * husk traps, and in notify mode performs itself, made in its success
 * case and in each error case the kernel tells apart, one line per
 * call:
 *
 *   NAME CASE: RESULT
 *
 * RESULT is "ok" and what the call returned that does not depend on
 * time or inode numbers (modes, sizes, link counts, texts, sorted
 * names), or the errno's name. Run bare and under husk, the lines must
 * be equal: a difference is a call husk answers otherwise than the
 * kernel.
 *
 *   diff DIR       DIR: empty, writable by the runner. The program
 *                  works inside it, makes its fixtures itself (so they
 *                  belong to whoever runs it), and prints no absolute
 *                  path (DIR's own is printed as <D>).
 *   diff --exit N  exits N (the image execve runs).
 *
 * Every line must be the same in two bare runs in a row: nothing here
 * may print a time, an inode, a device, a port or a pid.
 *
 * A call that must fail but might be performed anyway acts on a victim
 * of its own (never on a fixture later cases read), so one wrong answer
 * shows as one wrong line, not as every line after it. Cases on objects
 * with no path (a removed working directory, an O_TMPFILE file) end in
 * "(no path)": under a policy that denies stat anywhere such objects
 * are hidden on purpose (README, "Files with no path").
 *
 * Left out on purpose, as README ("Known limits") documents them:
 * openat2 with O_PATH (ENOSYS in notify mode), RESOLVE_NO_XDEV and
 * RESOLVE_CACHED (not honoured), datagrams over 64 KiB (EMSGSIZE),
 * control data over 4 KiB (ENOBUFS), default ACLs (the caller's umask
 * is applied), name_to_handle_at (EOPNOTSUPP for every path).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Newer than these headers. */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#define SYS_setxattrat_ 463
#define SYS_getxattrat_ 464
#define SYS_listxattrat_ 465
#define SYS_removexattrat_ 466
#define SYS_file_getattr_ 468
#define SYS_file_setattr_ 469
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

/* struct xattr_args (Linux 6.13). */
struct xattr_args_ {
    uint64_t value;
    uint32_t size;
    uint32_t flags;
};

/* This run's directory, as the kernel names it (getcwd after chdir). */
static char here[PATH_MAX];
/* O_RDONLY|O_DIRECTORY descriptor of it. */
static int dfd = -1;
/* Lines printed: at least one per case. */
static int lines;

/* Prints "NAME CASE: " and the rest. */
static void line(const char *name, const char *cas, const char *fmt, ...) {
    va_list ap;
    printf("%s %s: ", name, cas);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    lines++;
}

static const char *en(int e) {
    const char *s = strerrorname_np(e);
    return s ? s : "E?";
}

/* A call's outcome with nothing more to say: "ok" or the errno. */
static void res(const char *name, const char *cas, long r) {
    int e = errno;
    if (r < 0)
        line(name, cas, "%s", en(e));
    else
        line(name, cas, "ok");
}

/* A call that returns a count or a number worth printing. */
static void resn(const char *name, const char *cas, long r) {
    int e = errno;
    if (r < 0)
        line(name, cas, "%s", en(e));
    else
        line(name, cas, "ok %ld", r);
}

static const char *kind(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    }
    return "?";
}

/* What a stat says that two runs agree on. Directory sizes follow the
 * history of the directory's blocks: left out. */
static void fmt_stat(char *buf, size_t n, unsigned mode, long long size, unsigned long nlink,
                     unsigned uid, unsigned gid, unsigned rdev_major, unsigned rdev_minor) {
    char sz[32] = "";
    if (!S_ISDIR(mode))
        snprintf(sz, sizeof sz, " size=%lld", size);
    char dev[32] = "";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        snprintf(dev, sizeof dev, " rdev=%u,%u", rdev_major, rdev_minor);
    char owner[40];
    if (uid == geteuid() && gid == getegid())
        snprintf(owner, sizeof owner, "own");
    else
        snprintf(owner, sizeof owner, "%u:%u", uid, gid);
    snprintf(buf, n, "%s %04o%s nlink=%lu owner=%s%s", kind(mode), mode & 07777, sz, nlink,
             owner, dev);
}

static void show_stat(const char *name, const char *cas, long r, const struct stat *st) {
    int e = errno;
    if (r < 0) {
        line(name, cas, "%s", en(e));
        return;
    }
    char buf[160];
    fmt_stat(buf, sizeof buf, st->st_mode, st->st_size, st->st_nlink, st->st_uid, st->st_gid,
             major(st->st_rdev), minor(st->st_rdev));
    line(name, cas, "ok %s", buf);
}

/* One of a few static buffers in turn, so that a line may show
 * several results. */
static char *ring(void) {
    static char bufs[4][160];
    static int next;
    return bufs[next++ % 4];
}

/* stat of PATH (no link followed), as a string, for "what is there now". */
static const char *now_at(const char *path) {
    char *buf = ring();
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        snprintf(buf, 160, "%s", en(errno));
        return buf;
    }
    fmt_stat(buf, 160, st.st_mode, st.st_size, st.st_nlink, st.st_uid, st.st_gid,
             major(st.st_rdev), minor(st.st_rdev));
    return buf;
}

/* The contents of a small file, or the errno. */
static const char *contents(const char *path) {
    char *buf = ring();
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(buf, 160, "%s", en(errno));
        return buf;
    }
    ssize_t n = read(fd, buf, 159);
    int e = errno;
    close(fd);
    if (n < 0)
        snprintf(buf, 160, "%s", en(e));
    else
        buf[n] = 0;
    return buf;
}

/* The lowest free descriptor (dup is not trapped). */
static int lowest(void) {
    int fd = dup(0);
    close(fd);
    return fd;
}

/* An open's outcome: the descriptor's status flags, close-on-exec,
 * whether it got the lowest number, what it is, and what a read of it
 * gives (only where a read cannot wait). Closes it. */
static void show_fd(const char *name, const char *cas, long fd, int lo) {
    int e = errno;
    if (fd < 0) {
        line(name, cas, "%s", en(e));
        return;
    }
    int fl = fcntl(fd, F_GETFL);
    int fdfl = fcntl(fd, F_GETFD);
    struct stat st;
    char what[160] = "?";
    if (fstat(fd, &st) == 0)
        fmt_stat(what, sizeof what, st.st_mode, st.st_size, st.st_nlink, st.st_uid, st.st_gid,
                 major(st.st_rdev), minor(st.st_rdev));
    char got[96] = "-";
    int may_wait = (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) && !(fl & O_NONBLOCK);
    if (!(fl & O_PATH) && !may_wait) {
        char buf[64];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0)
            snprintf(got, sizeof got, "%s", en(errno));
        else {
            buf[n] = 0;
            snprintf(got, sizeof got, "\"%s\"", buf);
        }
    }
    line(name, cas, "ok flags=0%o cloexec=%d lowest=%d %s read=%s", fl, fdfl & FD_CLOEXEC,
         fd == lo, what, got);
    close(fd);
}

/* An open (EXPR), shown with show_fd: the lowest free number is taken
 * first. */
#define SHOWFD(name, cas, expr)                                                                    \
    do {                                                                                           \
        int lo_ = lowest();                                                                        \
        long fd_ = (expr);                                                                         \
        show_fd(name, cas, fd_, lo_);                                                              \
    } while (0)

static long sys_open(const char *path, int flags, int mode) {
    return syscall(SYS_open, path, flags, mode);
}

static long sys_openat2(int dir, const char *path, uint64_t flags, uint64_t mode,
                        uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    return syscall(SYS_openat2, dir, path, &how, sizeof how);
}

/* Makes a file with CONTENT (mode 0644 under umask 022). */
static void mkfile(const char *path, const char *content) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        line("setup", path, "%s", en(errno));
        return;
    }
    if (write(fd, content, strlen(content)) != (ssize_t)strlen(content))
        line("setup", path, "short write");
    close(fd);
}

/* A 300-byte component. */
static char longname[301];

/* ---- Sockets ---- */

static socklen_t unix_addr(struct sockaddr_un *un, const char *path) {
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    strncpy(un->sun_path, path, sizeof un->sun_path - 1);
    return offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1;
}

static int sock_stream = -1, sock_dgram = -1, sock_ro = -1;

/* What is waiting on the datagram fixture: each datagram as text, and
 * the descriptors passed along (read from). */
static void drain(const char *name, const char *cas) {
    char all[256] = "";
    for (;;) {
        char buf[128];
        char control[CMSG_SPACE(sizeof(int) * 4)];
        struct iovec iov = {buf, sizeof buf - 1};
        struct msghdr msg = {0};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(sock_dgram, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
            break;
        buf[n] = 0;
        char one[160];
        snprintf(one, sizeof one, "[%s]", buf);
        strncat(all, one, sizeof all - strlen(all) - 1);
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            int fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (int i = 0; i < fds; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                char data[32] = "";
                ssize_t k = pread(fd, data, sizeof data - 1, 0);
                if (k >= 0)
                    data[k] = 0;
                snprintf(one, sizeof one, "{fd:%s}", k < 0 ? en(errno) : data);
                strncat(all, one, sizeof all - strlen(all) - 1);
                close(fd);
            }
        }
    }
    line(name, cas, "received %s", all[0] ? all : "nothing");
}

/* ---- The table ---- */

static void setup(void) {
    umask(022);
    mkfile("f", "hello");
    mkfile("ro", "ro");
    res("setup", "chmod ro 0444", chmod("ro", 0444));
    mkfile("none", "none");
    res("setup", "chmod none 0000", chmod("none", 0));
    mkfile("e", "");
    res("setup", "mkdir dir", mkdir("dir", 0777));
    mkfile("dir/a", "A");
    mkfile("dir/b", "B");
    res("setup", "mkdir dir/sub", mkdir("dir/sub", 0777));
    res("setup", "mkdir empty", mkdir("empty", 0777));
    res("setup", "mkdir rodir", mkdir("rodir", 0777));
    mkfile("rodir/x", "X");
    res("setup", "chmod rodir 0555", chmod("rodir", 0555));
    res("setup", "mkdir noperm", mkdir("noperm", 0777));
    mkfile("noperm/x", "X");
    res("setup", "chmod noperm 0", chmod("noperm", 0));
    res("setup", "symlink lnk", symlink("f", "lnk"));
    res("setup", "symlink lnk2", symlink("lnk", "lnk2"));
    res("setup", "symlink dlnk", symlink("missing", "dlnk"));
    res("setup", "symlink dirlnk", symlink("dir", "dirlnk"));
    res("setup", "symlink emptylnk", symlink("empty", "emptylnk"));
    res("setup", "symlink loop1", symlink("loop2", "loop1"));
    res("setup", "symlink loop2", symlink("loop1", "loop2"));
    res("setup", "symlink abslnk", symlink("/", "abslnk"));
    res("setup", "symlink uplnk", symlink("..", "uplnk"));
    res("setup", "mknod fifo", mknod("fifo", S_IFIFO | 0666, 0));
    memset(longname, 'n', 300);
    longname[300] = 0;

    struct sockaddr_un un;
    socklen_t len;
    sock_stream = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "sock");
    res("setup", "bind sock", bind(sock_stream, (struct sockaddr *)&un, len));
    res("setup", "listen sock", listen(sock_stream, 64));
    sock_dgram = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "dsock");
    res("setup", "bind dsock", bind(sock_dgram, (struct sockaddr *)&un, len));
    int dead = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "dead");
    res("setup", "bind dead", bind(dead, (struct sockaddr *)&un, len));
    close(dead);
    sock_ro = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "sockro");
    res("setup", "bind sockro", bind(sock_ro, (struct sockaddr *)&un, len));
    res("setup", "listen sockro", listen(sock_ro, 64));
    res("setup", "chmod sockro 0555", chmod("sockro", 0555));
    res("setup", "symlink socklnk", symlink("sock", "socklnk"));
}

static void t_open(void) {
    static const struct {
        const char *cas, *path;
        int flags, mode;
    } cases[] = {
        {"f r", "f", O_RDONLY, 0},
        {"f w", "f", O_WRONLY, 0},
        {"f rw", "f", O_RDWR, 0},
        {"f r append nonblock", "f", O_RDONLY | O_APPEND | O_NONBLOCK, 0},
        {"f w append", "f", O_WRONLY | O_APPEND, 0},
        {"f r cloexec", "f", O_RDONLY | O_CLOEXEC, 0},
        {"f r noatime", "f", O_RDONLY | O_NOATIME, 0},
        {"f r accmode3", "f", 3, 0},
        {"f r unknown-bit", "f", O_RDONLY | 0x40000000, 0},
        {"f r directory", "f", O_RDONLY | O_DIRECTORY, 0},
        {"missing", "missing", O_RDONLY, 0},
        {"missing/x", "missing/x", O_RDONLY, 0},
        {"f/x ENOTDIR", "f/x", O_RDONLY, 0},
        {"f/ trailing slash", "f/", O_RDONLY, 0},
        {"f/. dot", "f/.", O_RDONLY, 0},
        {"dir r", "dir", O_RDONLY, 0},
        {"dir/ r", "dir/", O_RDONLY, 0},
        {"dir/. r", "dir/.", O_RDONLY, 0},
        {"dir/.. r", "dir/..", O_RDONLY, 0},
        {"dir w EISDIR", "dir", O_WRONLY, 0},
        {"dir rw EISDIR", "dir", O_RDWR, 0},
        {"dir creat EISDIR", "dir", O_RDONLY | O_CREAT, 0644},
        {"dir directory", "dir", O_RDONLY | O_DIRECTORY, 0},
        {"dirlnk directory", "dirlnk", O_RDONLY | O_DIRECTORY, 0},
        {"dirlnk/a", "dirlnk/a", O_RDONLY, 0},
        {"lnk", "lnk", O_RDONLY, 0},
        {"lnk2 chain", "lnk2", O_RDONLY, 0},
        {"lnk nofollow ELOOP", "lnk", O_RDONLY | O_NOFOLLOW, 0},
        {"lnk path nofollow", "lnk", O_PATH | O_NOFOLLOW, 0},
        {"f path", "f", O_PATH, 0},
        {"dirlnk/ nofollow", "dirlnk/", O_RDONLY | O_NOFOLLOW, 0},
        {"dlnk", "dlnk", O_RDONLY, 0},
        {"loop1 ELOOP", "loop1", O_RDONLY, 0},
        {"loop1/x ELOOP", "loop1/x", O_RDONLY, 0},
        {"abslnk directory", "abslnk", O_RDONLY | O_DIRECTORY, 0},
        {"empty path", "", O_RDONLY, 0},
        {"long name", longname, O_RDONLY, 0},
        {"ro w", "ro", O_WRONLY, 0},
        {"ro r", "ro", O_RDONLY, 0},
        {"ro r trunc", "ro", O_RDONLY | O_TRUNC, 0},
        {"none r", "none", O_RDONLY, 0},
        {"noperm r", "noperm", O_RDONLY, 0},
        {"noperm/x r", "noperm/x", O_RDONLY, 0},
        {"noperm/missing creat", "noperm/new", O_WRONLY | O_CREAT, 0644},
        {"rodir/new creat", "rodir/new", O_WRONLY | O_CREAT, 0644},
        {"rodir/x w", "rodir/x", O_WRONLY, 0},
        {"fifo r nonblock", "fifo", O_RDONLY | O_NONBLOCK, 0},
        {"fifo w nonblock ENXIO", "fifo", O_WRONLY | O_NONBLOCK, 0},
        {"fifo rw", "fifo", O_RDWR, 0},
        {"fifo rw nonblock", "fifo", O_RDWR | O_NONBLOCK, 0},
        {"sock ENXIO", "sock", O_RDONLY, 0},
        {"creat|excl f EEXIST", "f", O_WRONLY | O_CREAT | O_EXCL, 0644},
        {"creat|excl lnk EEXIST", "lnk", O_WRONLY | O_CREAT | O_EXCL, 0644},
        {"creat|excl dlnk EEXIST", "dlnk", O_WRONLY | O_CREAT | O_EXCL, 0644},
        {"creat|excl dir EEXIST", "dir", O_WRONLY | O_CREAT | O_EXCL, 0644},
        {"creat new 0777", "new1", O_WRONLY | O_CREAT, 0777},
        {"creat new 0666 rw", "new2", O_RDWR | O_CREAT, 0666},
        {"creat new 07777", "new3", O_WRONLY | O_CREAT, 07777},
        {"creat new 0", "new4", O_WRONLY | O_CREAT, 0},
        {"creat new r", "new5", O_RDONLY | O_CREAT, 0644},
        {"creat existing", "new1", O_WRONLY | O_CREAT, 0600},
        {"creat new/ trailing", "new6/", O_WRONLY | O_CREAT, 0644},
        {"creat|excl new/ trailing", "new7/", O_WRONLY | O_CREAT | O_EXCL, 0644},
        {"creat dirlnk/new", "dirlnk/new", O_WRONLY | O_CREAT, 0644},
        {"creat missing/new", "missing/new", O_WRONLY | O_CREAT, 0644},
        {"creat f/new", "f/new", O_WRONLY | O_CREAT, 0644},
        {"creat directory", "new8", O_RDONLY | O_CREAT | O_DIRECTORY, 0644},
        {"creat long", longname, O_WRONLY | O_CREAT, 0644},
        {"tmpfile .", ".", O_TMPFILE | O_RDWR, 0600},
        {"tmpfile . 0777", ".", O_TMPFILE | O_WRONLY, 0777},
        {"tmpfile . rdonly EINVAL", ".", O_TMPFILE | O_RDONLY, 0600},
        {"tmpfile f ENOTDIR", "f", O_TMPFILE | O_RDWR, 0600},
        {"tmpfile missing", "missing", O_TMPFILE | O_RDWR, 0600},
        {"tmpfile dirlnk", "dirlnk", O_TMPFILE | O_RDWR, 0600},
        {"tmpfile noperm", "noperm", O_TMPFILE | O_RDWR, 0600},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int lo = lowest();
        show_fd("open", cases[i].cas, sys_open(cases[i].path, cases[i].flags, cases[i].mode),
                lo);
    }
    SHOWFD("open", "creat dlnk", sys_open("dlnk", O_WRONLY | O_CREAT, 0600));
    line("open", "after creat dlnk (its target made)", "%s", now_at("missing"));
    unlink("missing");
    line("open", "after creat new/ trailing", "%s", now_at("new6"));
    line("open", "after creat|excl new/ trailing", "%s", now_at("new7"));
    line("open", "after creat directory", "%s", now_at("new8"));

    /* O_TRUNC and O_APPEND, seen in the file afterwards. */
    mkfile("t1", "12345");
    SHOWFD("open", "t1 w trunc", sys_open("t1", O_WRONLY | O_TRUNC, 0));
    line("open", "after t1 w trunc", "%s", now_at("t1"));
    mkfile("t2", "12345");
    SHOWFD("open", "t2 r trunc", sys_open("t2", O_RDONLY | O_TRUNC, 0));
    line("open", "after t2 r trunc", "%s", now_at("t2"));
    mkfile("t3", "12345");
    long fd = sys_open("t3", O_WRONLY | O_APPEND, 0);
    resn("open", "t3 append write", fd < 0 ? fd : write(fd, "67", 2));
    if (fd >= 0)
        close(fd);
    line("open", "after t3 append", "%s", contents("t3"));

    /* Reopening through the caller's own magic links. */
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) == 0) {
        (void)!write(pfd[1], "piped", 5);
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", pfd[0]);
        SHOWFD("open", "/proc/self/fd/PIPE nonblock", sys_open(path, O_RDONLY | O_NONBLOCK, 0));
        snprintf(path, sizeof path, "/proc/self/fd/%d", pfd[1]);
        SHOWFD("open", "/proc/self/fd/PIPE-W w", sys_open(path, O_WRONLY, 0));
        close(pfd[0]);
        close(pfd[1]);
    }
    int opath = open("f", O_PATH | O_CLOEXEC);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", opath);
    SHOWFD("open", "/proc/self/fd/OPATH", sys_open(path, O_RDONLY, 0));
    snprintf(path, sizeof path, "/proc/self/fd/%d/x", opath);
    SHOWFD("open", "/proc/self/fd/OPATH/x", sys_open(path, O_RDONLY, 0));
    close(opath);
    SHOWFD("open", "/proc/self/fd/999", sys_open("/proc/self/fd/999", O_RDONLY, 0));
    SHOWFD("open", "/proc/self/cwd/f", sys_open("/proc/self/cwd/f", O_RDONLY, 0));
    SHOWFD("open", "/proc/self/cwd/dir/../f", sys_open("/proc/self/cwd/dir/../f", O_RDONLY, 0));
    SHOWFD("open", "/proc/thread-self/cwd/f", sys_open("/proc/thread-self/cwd/f", O_RDONLY, 0));
}

static void t_openat_creat(void) {
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    int sub = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof abs, "%s/f", here);
    SHOWFD("openat", "dir a", syscall(SYS_openat, sub, "a", O_RDONLY, 0));
    SHOWFD("openat", "dir ../f", syscall(SYS_openat, sub, "../f", O_RDONLY, 0));
    SHOWFD("openat", "dir . directory", syscall(SYS_openat, sub, ".", O_RDONLY | O_DIRECTORY, 0));
    SHOWFD("openat", "file dirfd ENOTDIR", syscall(SYS_openat, filefd, "x", O_RDONLY, 0));
    SHOWFD("openat", "file dirfd empty", syscall(SYS_openat, filefd, "", O_RDONLY, 0));
    SHOWFD("openat", "bad dirfd EBADF", syscall(SYS_openat, 999, "x", O_RDONLY, 0));
    SHOWFD("openat", "negative dirfd EBADF", syscall(SYS_openat, -5, "x", O_RDONLY, 0));
    SHOWFD("openat", "bad dirfd absolute", syscall(SYS_openat, 999, abs, O_RDONLY, 0));
    SHOWFD("openat", "dir creat 0666", syscall(SYS_openat, sub, "c1", O_WRONLY | O_CREAT, 0666));
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) == 0) {
        SHOWFD("openat", "pipe dirfd ENOTDIR", syscall(SYS_openat, pfd[0], "x", O_RDONLY, 0));
        close(pfd[0]);
        close(pfd[1]);
    }
    close(filefd);
    close(sub);

    SHOWFD("creat", "new 0666", syscall(SYS_creat, "cr1", 0666));
    mkfile("cr2", "12345");
    SHOWFD("creat", "existing truncates", syscall(SYS_creat, "cr2", 0600));
    line("creat", "after existing", "%s", now_at("cr2"));
    SHOWFD("creat", "dir EISDIR", syscall(SYS_creat, "dir", 0644));
    SHOWFD("creat", "ro", syscall(SYS_creat, "ro", 0644));
    SHOWFD("creat", "missing/x", syscall(SYS_creat, "missing/x", 0644));
    SHOWFD("creat", "dlnk", syscall(SYS_creat, "dlnk", 0644));
    line("creat", "after dlnk", "%s", now_at("missing"));
    unlink("missing");
}

static void t_openat2(void) {
    int sub = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    SHOWFD("openat2", "plain", sys_openat2(dfd, "f", O_RDONLY, 0, 0));
    SHOWFD("openat2", "creat 0777", sys_openat2(dfd, "o2new", O_WRONLY | O_CREAT, 0777, 0));
    SHOWFD("openat2", "beneath inside", sys_openat2(dfd, "dir/a", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "beneath dotdot EXDEV",
            sys_openat2(sub, "../f", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "beneath dotdot back inside",
            sys_openat2(dfd, "dir/../f", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "beneath absolute EXDEV",
            sys_openat2(dfd, "/", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "beneath abslnk EXDEV",
            sys_openat2(dfd, "abslnk", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "beneath uplnk EXDEV",
            sys_openat2(dfd, "uplnk", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "beneath lnk inside",
            sys_openat2(dfd, "lnk", O_RDONLY, 0, RESOLVE_BENEATH));
    SHOWFD("openat2", "no_symlinks lnk ELOOP",
            sys_openat2(dfd, "lnk", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    SHOWFD("openat2", "no_symlinks dirlnk/a ELOOP",
            sys_openat2(dfd, "dirlnk/a", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    SHOWFD("openat2", "no_symlinks plain",
            sys_openat2(dfd, "dir/a", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    SHOWFD("openat2", "in_root /f", sys_openat2(dfd, "/f", O_RDONLY, 0, RESOLVE_IN_ROOT));
    SHOWFD("openat2", "in_root ../../f",
            sys_openat2(dfd, "../../f", O_RDONLY, 0, RESOLVE_IN_ROOT));
    SHOWFD("openat2", "in_root abslnk directory",
            sys_openat2(dfd, "abslnk/dir", O_RDONLY | O_DIRECTORY, 0, RESOLVE_IN_ROOT));
    int f = open("f", O_RDONLY | O_CLOEXEC);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", f);
    SHOWFD("openat2", "no_magiclinks ELOOP",
            sys_openat2(AT_FDCWD, path, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    SHOWFD("openat2", "magiclink", sys_openat2(AT_FDCWD, path, O_RDONLY, 0, 0));
    SHOWFD("openat2", "beneath|in_root EINVAL",
            sys_openat2(dfd, "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
    SHOWFD("openat2", "unknown flag EINVAL", sys_openat2(dfd, "f", O_RDONLY | 0x40000000, 0, 0));
    SHOWFD("openat2", "unknown resolve EINVAL", sys_openat2(dfd, "f", O_RDONLY, 0, 0x1000));
    SHOWFD("openat2", "mode without creat EINVAL", sys_openat2(dfd, "f", O_RDONLY, 0644, 0));
    SHOWFD("openat2", "creat|directory EINVAL",
            sys_openat2(dfd, "o2x", O_RDONLY | O_CREAT | O_DIRECTORY, 0644, 0));
    SHOWFD("openat2", "tmpfile", sys_openat2(dfd, ".", O_TMPFILE | O_RDWR, 0640, 0));
    SHOWFD("openat2", "missing", sys_openat2(dfd, "missing", O_RDONLY, 0, 0));
    SHOWFD("openat2", "f/ trailing", sys_openat2(dfd, "f/", O_RDONLY, 0, 0));
    SHOWFD("openat2", "file dirfd", sys_openat2(f, "x", O_RDONLY, 0, 0));
    SHOWFD("openat2", "bad dirfd", sys_openat2(999, "x", O_RDONLY, 0, 0));
    close(f);
    struct open_how how = {.flags = O_RDONLY};
    SHOWFD("openat2", "size 8 EINVAL", syscall(SYS_openat2, dfd, "f", &how, 8));
    unsigned char big[64] = {0};
    memcpy(big, &how, sizeof how);
    SHOWFD("openat2", "size 64 zero tail", syscall(SYS_openat2, dfd, "f", big, sizeof big));
    big[40] = 1;
    SHOWFD("openat2", "size 64 tail E2BIG", syscall(SYS_openat2, dfd, "f", big, sizeof big));
    close(sub);
}

static void t_stat(void) {
    static const char *paths[] = {
        "f", "lnk", "lnk2", "dlnk", "dir", "dir/", "dir/.", "dir/..", "dirlnk", "dirlnk/",
        "missing", "missing/x", "f/x", "f/", "f/.", "f/..", "lnk/", "loop1", "loop1/x", "",
        "noperm", "noperm/x", "noperm/missing", "none", "ro", "fifo", "sock", "fifo/",
        "/proc/self/cwd/f", "/proc/self/fd/999",
    };
    struct stat st;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char cas[64];
        snprintf(cas, sizeof cas, "'%s'", paths[i]);
        memset(&st, 0, sizeof st);
        show_stat("stat", cas, syscall(SYS_stat, paths[i], &st), &st);
        memset(&st, 0, sizeof st);
        show_stat("lstat", cas, syscall(SYS_lstat, paths[i], &st), &st);
    }
    show_stat("stat", "long", syscall(SYS_stat, longname, &st), &st);
    show_stat("stat", "bad buffer EFAULT", syscall(SYS_stat, "f", (void *)8), &st);

    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    int lnkfd = open("lnk", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int sub = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    show_stat("newfstatat", "dirfd a", syscall(SYS_newfstatat, sub, "a", &st, 0), &st);
    show_stat("newfstatat", "dirfd ../lnk nofollow",
              syscall(SYS_newfstatat, sub, "../lnk", &st, AT_SYMLINK_NOFOLLOW), &st);
    show_stat("newfstatat", "dirfd ../lnk", syscall(SYS_newfstatat, sub, "../lnk", &st, 0), &st);
    show_stat("newfstatat", "file dirfd ENOTDIR", syscall(SYS_newfstatat, filefd, "x", &st, 0),
              &st);
    show_stat("newfstatat", "bad dirfd EBADF", syscall(SYS_newfstatat, 999, "x", &st, 0), &st);
    show_stat("newfstatat", "file empty path",
              syscall(SYS_newfstatat, filefd, "", &st, AT_EMPTY_PATH), &st);
    show_stat("newfstatat", "file empty path without flag",
              syscall(SYS_newfstatat, filefd, "", &st, 0), &st);
    show_stat("newfstatat", "O_PATH lnk empty path",
              syscall(SYS_newfstatat, lnkfd, "", &st, AT_EMPTY_PATH), &st);
    show_stat("newfstatat", "cwd empty path",
              syscall(SYS_newfstatat, AT_FDCWD, "", &st, AT_EMPTY_PATH), &st);
    show_stat("newfstatat", "bad fd empty path",
              syscall(SYS_newfstatat, 999, "", &st, AT_EMPTY_PATH), &st);
    show_stat("newfstatat", "bad flags EINVAL", syscall(SYS_newfstatat, sub, "a", &st, 0x8000000),
              &st);
    show_stat("newfstatat", "dirlnk/ nofollow",
              syscall(SYS_newfstatat, AT_FDCWD, "dirlnk/", &st, AT_SYMLINK_NOFOLLOW), &st);
    show_stat("newfstatat", "no automount", syscall(SYS_newfstatat, sub, "b", &st, AT_NO_AUTOMOUNT),
              &st);

    struct statx sx;
    static const struct {
        const char *cas;
        int dir;
        const char *path;
        int flags;
        unsigned mask;
    } xs[] = {
        {"f", AT_FDCWD, "f", 0, STATX_BASIC_STATS},
        {"lnk", AT_FDCWD, "lnk", 0, STATX_BASIC_STATS},
        {"lnk nofollow", AT_FDCWD, "lnk", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS},
        {"dir", AT_FDCWD, "dir", 0, STATX_BASIC_STATS},
        {"missing", AT_FDCWD, "missing", 0, STATX_BASIC_STATS},
        {"f/ ENOTDIR", AT_FDCWD, "f/", 0, STATX_BASIC_STATS},
        {"f/x ENOTDIR", AT_FDCWD, "f/x", 0, STATX_BASIC_STATS},
        {"mask type only", AT_FDCWD, "f", 0, STATX_TYPE},
        {"mask 0", AT_FDCWD, "f", 0, 0},
        {"reserved mask EINVAL", AT_FDCWD, "f", 0, 0x80000000u},
        {"bad flags EINVAL", AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS},
        {"sync flags both EINVAL", AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
         STATX_BASIC_STATS},
        {"force sync", AT_FDCWD, "f", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS},
        {"cwd empty path", AT_FDCWD, "", AT_EMPTY_PATH, STATX_BASIC_STATS},
        {"empty path without flag", AT_FDCWD, "", 0, STATX_BASIC_STATS},
        {"noperm/x", AT_FDCWD, "noperm/x", 0, STATX_BASIC_STATS},
        {"loop1", AT_FDCWD, "loop1", 0, STATX_BASIC_STATS},
    };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        memset(&sx, 0, sizeof sx);
        long r = syscall(SYS_statx, xs[i].dir, xs[i].path, xs[i].flags, xs[i].mask, &sx);
        int e = errno;
        if (r < 0) {
            line("statx", xs[i].cas, "%s", en(e));
            continue;
        }
        char buf[160];
        fmt_stat(buf, sizeof buf, sx.stx_mode, sx.stx_size, sx.stx_nlink, sx.stx_uid,
                 sx.stx_gid, sx.stx_rdev_major, sx.stx_rdev_minor);
        line("statx", xs[i].cas, "ok %s mask=%#x attributes=%#llx", buf, sx.stx_mask,
             (unsigned long long)sx.stx_attributes);
    }
    memset(&sx, 0, sizeof sx);
    long r = syscall(SYS_statx, filefd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx);
    int e = errno;
    line("statx", "file empty path", r < 0 ? "%s" : "ok %s", r < 0 ? en(e) : kind(sx.stx_mode));
    r = syscall(SYS_statx, lnkfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx);
    e = errno;
    line("statx", "O_PATH lnk empty path", r < 0 ? "%s" : "ok %s",
         r < 0 ? en(e) : kind(sx.stx_mode));
    r = syscall(SYS_statx, filefd, "x", 0, STATX_BASIC_STATS, &sx);
    e = errno;
    line("statx", "file dirfd ENOTDIR", r < 0 ? "%s" : "ok", r < 0 ? en(e) : "");
    r = syscall(SYS_statx, 999, "x", 0, STATX_BASIC_STATS, &sx);
    e = errno;
    line("statx", "bad dirfd EBADF", r < 0 ? "%s" : "ok", r < 0 ? en(e) : "");

    struct statfs sf;
    static const char *fs[] = {".", "f", "missing", "f/", "lnk", "dlnk", "noperm/x", ""};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        char cas[32];
        snprintf(cas, sizeof cas, "'%s'", fs[i]);
        long r = syscall(SYS_statfs, fs[i], &sf);
        int e = errno;
        if (r < 0)
            line("statfs", cas, "%s", en(e));
        else
            line("statfs", cas, "ok type=%#lx bsize=%ld namelen=%ld flags=%#lx",
                 (long)sf.f_type, (long)sf.f_bsize, (long)sf.f_namelen, (long)sf.f_flags);
    }
    close(filefd);
    close(lnkfd);
    close(sub);
}

static void t_access(void) {
    static const struct {
        const char *cas, *path;
        int mode;
    } cases[] = {
        {"f F_OK", "f", F_OK},
        {"f R_OK|W_OK", "f", R_OK | W_OK},
        {"f X_OK", "f", X_OK},
        {"ro W_OK", "ro", W_OK},
        {"ro R_OK", "ro", R_OK},
        {"none R_OK", "none", R_OK},
        {"dir X_OK", "dir", X_OK},
        {"noperm R_OK", "noperm", R_OK},
        {"noperm/x F_OK", "noperm/x", F_OK},
        {"rodir W_OK", "rodir", W_OK},
        {"missing", "missing", F_OK},
        {"dlnk", "dlnk", F_OK},
        {"lnk W_OK", "lnk", W_OK},
        {"f/ ENOTDIR", "f/", F_OK},
        {"f/x ENOTDIR", "f/x", F_OK},
        {"loop1 ELOOP", "loop1", F_OK},
        {"bad mode EINVAL", "f", 8},
        {"empty path", "", F_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        res("access", cases[i].cas, syscall(SYS_access, cases[i].path, cases[i].mode));
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    res("faccessat", "dfd ro W_OK", syscall(SYS_faccessat, dfd, "ro", W_OK));
    res("faccessat", "dfd dir/a R_OK", syscall(SYS_faccessat, dfd, "dir/a", R_OK));
    res("faccessat", "file dirfd ENOTDIR", syscall(SYS_faccessat, filefd, "x", F_OK));
    res("faccessat", "bad dirfd EBADF", syscall(SYS_faccessat, 999, "x", F_OK));
    res("faccessat2", "ro W_OK eaccess", syscall(SYS_faccessat2, dfd, "ro", W_OK, AT_EACCESS));
    res("faccessat2", "ro R_OK eaccess", syscall(SYS_faccessat2, dfd, "ro", R_OK, AT_EACCESS));
    res("faccessat2", "none R_OK eaccess",
        syscall(SYS_faccessat2, dfd, "none", R_OK, AT_EACCESS));
    res("faccessat2", "dlnk nofollow",
        syscall(SYS_faccessat2, dfd, "dlnk", F_OK, AT_SYMLINK_NOFOLLOW));
    res("faccessat2", "dlnk follow", syscall(SYS_faccessat2, dfd, "dlnk", F_OK, 0));
    res("faccessat2", "lnk W_OK nofollow",
        syscall(SYS_faccessat2, dfd, "lnk", W_OK, AT_SYMLINK_NOFOLLOW));
    res("faccessat2", "lnk X_OK nofollow",
        syscall(SYS_faccessat2, dfd, "lnk", X_OK, AT_SYMLINK_NOFOLLOW));
    res("faccessat2", "ro W_OK eaccess|nofollow",
        syscall(SYS_faccessat2, dfd, "ro", W_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW));
    res("faccessat2", "file empty path",
        syscall(SYS_faccessat2, filefd, "", R_OK, AT_EMPTY_PATH));
    res("faccessat2", "file empty path X_OK",
        syscall(SYS_faccessat2, filefd, "", X_OK, AT_EMPTY_PATH));
    res("faccessat2", "empty path without flag", syscall(SYS_faccessat2, filefd, "", R_OK, 0));
    res("faccessat2", "bad flags EINVAL", syscall(SYS_faccessat2, dfd, "f", F_OK, 0x1));
    res("faccessat2", "bad mode EINVAL", syscall(SYS_faccessat2, dfd, "f", 0x10, 0));
    close(filefd);
}

static void show_link(const char *name, const char *cas, long n, const char *buf) {
    int e = errno;
    if (n < 0) {
        line(name, cas, "%s", en(e));
        return;
    }
    char text[PATH_MAX + 16];
    memcpy(text, buf, n);
    text[n] = 0;
    /* This run's directory as <D>, and the length counted as if its
     * path were that (each run has a path of its own). */
    size_t h = strlen(here);
    if (!strncmp(text, here, h) && (text[h] == '/' || text[h] == 0)) {
        char rest[PATH_MAX];
        snprintf(rest, sizeof rest, "%s", text + h);
        snprintf(text, sizeof text, "<D>%s", rest);
        n -= (long)h - 3;
    }
    line(name, cas, "ok \"%s\" len=%ld", text, n);
}

static void t_readlink(void) {
    char buf[PATH_MAX];
    static const char *paths[] = {"lnk", "dlnk", "loop1", "abslnk", "f", "dir", "missing",
                                  "f/", "lnk/", "dirlnk/", "f/x", "", "noperm/x",
                                  "/proc/self/cwd", "dirlnk/a"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char cas[40];
        snprintf(cas, sizeof cas, "'%s'", paths[i]);
        long n = syscall(SYS_readlink, paths[i], buf, sizeof buf);
        show_link("readlink", cas, n, buf);
    }
    show_link("readlink", "long", syscall(SYS_readlink, longname, buf, sizeof buf), buf);
    show_link("readlink", "dlnk size 2", syscall(SYS_readlink, "dlnk", buf, 2), buf);
    show_link("readlink", "dlnk size 0 EINVAL", syscall(SYS_readlink, "dlnk", buf, 0), buf);
    show_link("readlink", "dlnk size -1 EINVAL", syscall(SYS_readlink, "dlnk", buf, -1L), buf);
    show_link("readlink", "bad buffer EFAULT", syscall(SYS_readlink, "dlnk", (void *)8, 10), buf);

    int lnkfd = open("lnk", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    int fpath = open("f", O_PATH | O_CLOEXEC);
    int sub = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    show_link("readlinkat", "dfd lnk", syscall(SYS_readlinkat, dfd, "lnk", buf, sizeof buf), buf);
    show_link("readlinkat", "dir ../dlnk", syscall(SYS_readlinkat, sub, "../dlnk", buf, sizeof buf),
              buf);
    show_link("readlinkat", "O_PATH lnk empty path",
              syscall(SYS_readlinkat, lnkfd, "", buf, sizeof buf), buf);
    show_link("readlinkat", "file empty path", syscall(SYS_readlinkat, filefd, "", buf, sizeof buf),
              buf);
    show_link("readlinkat", "O_PATH file empty path",
              syscall(SYS_readlinkat, fpath, "", buf, sizeof buf), buf);
    show_link("readlinkat", "dir empty path", syscall(SYS_readlinkat, sub, "", buf, sizeof buf),
              buf);
    show_link("readlinkat", "cwd empty path",
              syscall(SYS_readlinkat, AT_FDCWD, "", buf, sizeof buf), buf);
    show_link("readlinkat", "file dirfd ENOTDIR",
              syscall(SYS_readlinkat, filefd, "x", buf, sizeof buf), buf);
    show_link("readlinkat", "bad dirfd EBADF", syscall(SYS_readlinkat, 999, "x", buf, sizeof buf),
              buf);
    show_link("readlinkat", "bad fd empty path",
              syscall(SYS_readlinkat, 999, "", buf, sizeof buf), buf);
    show_link("readlinkat", "O_PATH lnk empty path size 0",
              syscall(SYS_readlinkat, lnkfd, "", buf, 0), buf);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", filefd);
    show_link("readlink", "/proc/self/fd/FILE", syscall(SYS_readlink, path, buf, sizeof buf), buf);
    close(lnkfd);
    close(filefd);
    close(fpath);
    close(sub);
}

static void t_mkdir_mknod(void) {
    res("mkdir", "new 0777", syscall(SYS_mkdir, "md1", 0777));
    line("mkdir", "after new 0777", "%s", now_at("md1"));
    res("mkdir", "new 01777", syscall(SYS_mkdir, "md2", 01777));
    line("mkdir", "after new 01777", "%s", now_at("md2"));
    res("mkdir", "new 0 ", syscall(SYS_mkdir, "md3", 0));
    line("mkdir", "after new 0", "%s", now_at("md3"));
    res("mkdir", "trailing slash", syscall(SYS_mkdir, "md4/", 0755));
    line("mkdir", "after trailing slash", "%s", now_at("md4"));
    res("mkdir", "trailing slashes", syscall(SYS_mkdir, "md5//", 0755));
    res("mkdir", "f EEXIST", syscall(SYS_mkdir, "f", 0755));
    res("mkdir", "dir EEXIST", syscall(SYS_mkdir, "dir", 0755));
    res("mkdir", "lnk EEXIST", syscall(SYS_mkdir, "lnk", 0755));
    res("mkdir", "dlnk EEXIST", syscall(SYS_mkdir, "dlnk", 0755));
    symlink("missing-mk", "dlnk-mk");
    res("mkdir", "dlnk/ EEXIST", syscall(SYS_mkdir, "dlnk-mk/", 0755));
    line("mkdir", "after dlnk/", "%s", now_at("missing-mk"));
    res("mkdir", ". EEXIST", syscall(SYS_mkdir, ".", 0755));
    res("mkdir", ".. EEXIST", syscall(SYS_mkdir, "..", 0755));
    res("mkdir", "dir/.. EEXIST", syscall(SYS_mkdir, "dir/..", 0755));
    res("mkdir", "missing/x ENOENT", syscall(SYS_mkdir, "missing/x", 0755));
    res("mkdir", "f/x ENOTDIR", syscall(SYS_mkdir, "f/x", 0755));
    res("mkdir", "noperm/x", syscall(SYS_mkdir, "noperm/y", 0755));
    res("mkdir", "rodir/x", syscall(SYS_mkdir, "rodir/y", 0755));
    res("mkdir", "long ENAMETOOLONG", syscall(SYS_mkdir, longname, 0755));
    res("mkdir", "empty path", syscall(SYS_mkdir, "", 0755));
    res("mkdir", "dirlnk/new", syscall(SYS_mkdir, "dirlnk/md6", 0700));
    line("mkdir", "after dirlnk/new", "%s", now_at("dir/md6"));
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    res("mkdirat", "dfd new 0700", syscall(SYS_mkdirat, dfd, "md7", 0700));
    line("mkdirat", "after dfd new 0700", "%s", now_at("md7"));
    res("mkdirat", "file dirfd ENOTDIR", syscall(SYS_mkdirat, filefd, "x", 0700));
    res("mkdirat", "bad dirfd EBADF", syscall(SYS_mkdirat, 999, "x", 0700));

    res("mknod", "fifo 0666", syscall(SYS_mknod, "mn1", S_IFIFO | 0666, 0));
    line("mknod", "after fifo 0666", "%s", now_at("mn1"));
    res("mknod", "reg 0600", syscall(SYS_mknod, "mn2", S_IFREG | 0600, 0));
    line("mknod", "after reg 0600", "%s", now_at("mn2"));
    res("mknod", "type 0 0644", syscall(SYS_mknod, "mn3", 0644, 0));
    line("mknod", "after type 0 0644", "%s", now_at("mn3"));
    res("mknod", "sock 0777", syscall(SYS_mknod, "mn4", S_IFSOCK | 0777, 0));
    line("mknod", "after sock 0777", "%s", now_at("mn4"));
    res("mknod", "chr 1,3", syscall(SYS_mknod, "mn5", S_IFCHR | 0666, makedev(1, 3)));
    line("mknod", "after chr 1,3", "%s", now_at("mn5"));
    res("mknod", "dir type EPERM", syscall(SYS_mknod, "mn6", S_IFDIR | 0755, 0));
    res("mknod", "bad type EINVAL", syscall(SYS_mknod, "mn7", 0170000 | 0755, 0));
    res("mknod", "f EEXIST", syscall(SYS_mknod, "f", S_IFIFO | 0644, 0));
    res("mknod", "dlnk EEXIST", syscall(SYS_mknod, "dlnk", S_IFIFO | 0644, 0));
    res("mknod", "missing/x ENOENT", syscall(SYS_mknod, "missing/x", S_IFIFO | 0644, 0));
    res("mknod", "f/x ENOTDIR", syscall(SYS_mknod, "f/x", S_IFIFO | 0644, 0));
    res("mknod", "trailing slash", syscall(SYS_mknod, "mn8/", S_IFIFO | 0644, 0));
    line("mknod", "after trailing slash", "%s", now_at("mn8"));
    res("mknod", "noperm/x", syscall(SYS_mknod, "noperm/y", S_IFIFO | 0644, 0));
    res("mknodat", "dfd fifo", syscall(SYS_mknodat, dfd, "mn9", S_IFIFO | 0640, 0));
    line("mknodat", "after dfd fifo", "%s", now_at("mn9"));
    res("mknodat", "file dirfd ENOTDIR", syscall(SYS_mknodat, filefd, "x", S_IFIFO | 0640, 0));
    close(filefd);
}

static void t_unlink_rmdir(void) {
    mkfile("u1", "");
    res("unlink", "file", syscall(SYS_unlink, "u1"));
    line("unlink", "after file", "%s", now_at("u1"));
    res("unlink", "missing", syscall(SYS_unlink, "missing"));
    res("unlink", "dir EISDIR", syscall(SYS_unlink, "dir"));
    mkfile("u-slash", "");
    res("unlink", "file/ ENOTDIR", syscall(SYS_unlink, "u-slash/"));
    res("unlink", "f/x ENOTDIR", syscall(SYS_unlink, "f/x"));
    res("unlink", "noperm/x", syscall(SYS_unlink, "noperm/x"));
    res("unlink", "rodir/x", syscall(SYS_unlink, "rodir/x"));
    res("unlink", "empty path", syscall(SYS_unlink, ""));
    res("unlink", ". EISDIR", syscall(SYS_unlink, "."));
    res("unlink", "long", syscall(SYS_unlink, longname));
    symlink("f", "ul1");
    res("unlink", "symlink", syscall(SYS_unlink, "ul1"));
    line("unlink", "after symlink", "%s / f %s", now_at("ul1"), now_at("f"));
    symlink("dir", "ul2");
    res("unlink", "dir symlink trailing slash", syscall(SYS_unlink, "ul2/"));
    line("unlink", "after dir symlink trailing slash", "%s", now_at("ul2"));
    symlink("f", "ul3");
    res("unlink", "file symlink trailing slash", syscall(SYS_unlink, "ul3/"));
    res("unlink", "dlnk/", syscall(SYS_unlink, "dlnk/"));
    res("unlink", "dirlnk/a", syscall(SYS_unlink, "dirlnk/b"));
    line("unlink", "after dirlnk/a", "%s", now_at("dir/b"));
    mkfile("dir/b", "B");

    mkdir("r1", 0755);
    res("rmdir", "empty", syscall(SYS_rmdir, "r1"));
    line("rmdir", "after empty", "%s", now_at("r1"));
    res("rmdir", "f ENOTDIR", syscall(SYS_rmdir, "f"));
    res("rmdir", "dir ENOTEMPTY", syscall(SYS_rmdir, "dir"));
    res("rmdir", "missing", syscall(SYS_rmdir, "missing"));
    res("rmdir", "dirlnk ENOTDIR", syscall(SYS_rmdir, "dirlnk"));
    mkdir("empty-rm", 0755);
    symlink("empty-rm", "emptylnk-rm");
    res("rmdir", "emptylnk/ (link to empty dir)", syscall(SYS_rmdir, "emptylnk-rm/"));
    line("rmdir", "after emptylnk/", "%s", now_at("empty-rm"));
    res("rmdir", ". EINVAL", syscall(SYS_rmdir, "."));
    res("rmdir", ".. ENOTEMPTY", syscall(SYS_rmdir, ".."));
    mkdir("r2", 0755);
    res("rmdir", "r2/. EINVAL", syscall(SYS_rmdir, "r2/."));
    line("rmdir", "after r2/.", "%s", now_at("r2"));
    mkdir("r3", 0755);
    res("rmdir", "r3/../r3", syscall(SYS_rmdir, "r3/../r3"));
    mkdir("r4", 0755);
    res("rmdir", "r4/ trailing slash", syscall(SYS_rmdir, "r4/"));
    res("rmdir", "noperm", syscall(SYS_rmdir, "noperm"));
    mkdir("dir/r5", 0755);
    res("rmdir", "r5 in dir", syscall(SYS_rmdir, "dir/r5"));
    res("rmdir", "empty path", syscall(SYS_rmdir, ""));
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    mkdir("r6", 0755);
    mkfile("u2", "");
    res("unlinkat", "dfd file", syscall(SYS_unlinkat, dfd, "u2", 0));
    res("unlinkat", "dfd dir EISDIR", syscall(SYS_unlinkat, dfd, "r6", 0));
    res("unlinkat", "dfd removedir", syscall(SYS_unlinkat, dfd, "r6", AT_REMOVEDIR));
    res("unlinkat", "dfd removedir file ENOTDIR", syscall(SYS_unlinkat, dfd, "f", AT_REMOVEDIR));
    res("unlinkat", "dfd removedir nonempty", syscall(SYS_unlinkat, dfd, "dir", AT_REMOVEDIR));
    mkfile("u-bad", "");
    res("unlinkat", "bad flags EINVAL", syscall(SYS_unlinkat, dfd, "u-bad", 0x1));
    line("unlinkat", "after bad flags", "%s", now_at("u-bad"));
    res("unlinkat", "file dirfd ENOTDIR", syscall(SYS_unlinkat, filefd, "x", 0));
    res("unlinkat", "bad dirfd EBADF", syscall(SYS_unlinkat, 999, "x", 0));
    res("unlinkat", "empty path", syscall(SYS_unlinkat, dfd, "", 0));
    close(filefd);
}

static void t_rename(void) {
    mkfile("rn1", "1");
    res("rename", "file", syscall(SYS_rename, "rn1", "rn1b"));
    line("rename", "after file", "%s / %s", now_at("rn1"), contents("rn1b"));
    res("rename", "missing", syscall(SYS_rename, "missing", "rnx"));
    res("rename", "onto itself", syscall(SYS_rename, "f", "f"));
    link("rn1b", "rn1c");
    res("rename", "onto its hard link", syscall(SYS_rename, "rn1b", "rn1c"));
    line("rename", "after onto its hard link", "%s / %s", now_at("rn1b"), now_at("rn1c"));
    mkfile("rn2", "2");
    res("rename", "file over dir EISDIR", syscall(SYS_rename, "rn2", "empty"));
    mkdir("rd1", 0755);
    res("rename", "dir over file ENOTDIR", syscall(SYS_rename, "rd1", "rn2"));
    res("rename", "dir over non-empty dir", syscall(SYS_rename, "rd1", "dir"));
    res("rename", "dir over empty dir", syscall(SYS_rename, "rd1", "empty"));
    line("rename", "after dir over empty dir", "%s / %s", now_at("rd1"), now_at("empty"));
    mkdir("rd1", 0755);
    res("rename", "dir into itself EINVAL", syscall(SYS_rename, "dir", "dir/sub/x"));
    res("rename", "dir onto its subdir", syscall(SYS_rename, "dir", "dir/sub"));
    res("rename", "to missing/x ENOENT", syscall(SYS_rename, "rn2", "missing/x"));
    res("rename", "to f/x ENOTDIR", syscall(SYS_rename, "rn2", "f/x"));
    res("rename", "file trailing slash ENOTDIR", syscall(SYS_rename, "rn2/", "rn3"));
    res("rename", "to trailing slash ENOTDIR", syscall(SYS_rename, "rn2", "rn3/"));
    res("rename", "dir trailing slashes", syscall(SYS_rename, "rd1/", "rd2/"));
    line("rename", "after dir trailing slashes", "%s", now_at("rd2"));
    res("rename", ". EBUSY", syscall(SYS_rename, ".", "rnx"));
    res("rename", "to . EBUSY", syscall(SYS_rename, "rn2", "."));
    mkdir("rdot", 0755);
    res("rename", "rdot/. EBUSY", syscall(SYS_rename, "rdot/.", "rdot2"));
    line("rename", "after rdot/.", "%s / %s", now_at("rdot"), now_at("rdot2"));
    res("rename", "noperm/x", syscall(SYS_rename, "noperm/x", "rnx"));
    res("rename", "rodir/x", syscall(SYS_rename, "rodir/x", "rnx"));
    res("rename", "into rodir", syscall(SYS_rename, "rn2", "rodir/rnx"));
    res("rename", "empty path", syscall(SYS_rename, "", "rnx"));
    symlink("f", "rl1");
    res("rename", "symlink", syscall(SYS_rename, "rl1", "rl2"));
    line("rename", "after symlink", "%s", now_at("rl2"));
    mkdir("rdl", 0755);
    symlink("rdl", "rl3");
    res("rename", "dir symlink trailing slash", syscall(SYS_rename, "rl3/", "rl4"));
    line("rename", "after dir symlink trailing slash", "%s / %s / %s", now_at("rl3"),
         now_at("rl4"), now_at("rdl"));
    res("rename", "dlnk", syscall(SYS_rename, "dlnk", "dlnk2"));
    res("rename", "dlnk2 back", syscall(SYS_rename, "dlnk2", "dlnk"));
    res("rename", "long", syscall(SYS_rename, "rn2", longname));

    mkfile("x1", "one");
    mkfile("x2", "two");
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    res("renameat", "dfd", syscall(SYS_renameat, dfd, "x1", dfd, "x1b"));
    res("renameat", "file dirfd ENOTDIR", syscall(SYS_renameat, filefd, "x", dfd, "y"));
    res("renameat", "bad new dirfd EBADF", syscall(SYS_renameat, dfd, "x1b", 999, "y"));
    res("renameat2", "noreplace existing EEXIST",
        syscall(SYS_renameat2, dfd, "x1b", dfd, "x2", RENAME_NOREPLACE));
    res("renameat2", "noreplace new", syscall(SYS_renameat2, dfd, "x1b", dfd, "x1", RENAME_NOREPLACE));
    res("renameat2", "exchange", syscall(SYS_renameat2, dfd, "x1", dfd, "x2", RENAME_EXCHANGE));
    line("renameat2", "after exchange", "x1=%s x2=%s", contents("x1"), contents("x2"));
    res("renameat2", "exchange file and dir",
        syscall(SYS_renameat2, dfd, "x1", dfd, "rd2", RENAME_EXCHANGE));
    line("renameat2", "after exchange file and dir", "%s / %s", now_at("x1"), now_at("rd2"));
    res("renameat2", "exchange back",
        syscall(SYS_renameat2, dfd, "x1", dfd, "rd2", RENAME_EXCHANGE));
    res("renameat2", "exchange missing ENOENT",
        syscall(SYS_renameat2, dfd, "x1", dfd, "missing", RENAME_EXCHANGE));
    res("renameat2", "exchange|noreplace EINVAL",
        syscall(SYS_renameat2, dfd, "x1", dfd, "x2", RENAME_EXCHANGE | RENAME_NOREPLACE));
    res("renameat2", "bad flags EINVAL", syscall(SYS_renameat2, dfd, "x1", dfd, "x2", 1 << 10));
    res("renameat2", "whiteout", syscall(SYS_renameat2, dfd, "x1", dfd, "x3", RENAME_WHITEOUT));
    line("renameat2", "after whiteout", "%s / %s", now_at("x1"), now_at("x3"));
    res("renameat2", "noreplace dlnk EEXIST",
        syscall(SYS_renameat2, dfd, "x2", dfd, "dlnk", RENAME_NOREPLACE));
    res("renameat2", "noreplace missing source",
        syscall(SYS_renameat2, dfd, "missing", dfd, "x9", RENAME_NOREPLACE));
    close(filefd);
}

static void t_link_symlink(void) {
    mkfile("l1", "L");
    res("link", "file", syscall(SYS_link, "l1", "l1b"));
    line("link", "after file", "%s", now_at("l1"));
    res("link", "dir EPERM", syscall(SYS_link, "dir", "ldir"));
    res("link", "to existing EEXIST", syscall(SYS_link, "l1", "f"));
    res("link", "to dlnk EEXIST", syscall(SYS_link, "l1", "dlnk"));
    res("link", "missing ENOENT", syscall(SYS_link, "missing", "lx"));
    res("link", "symlink itself", syscall(SYS_link, "lnk", "lsym"));
    line("link", "after symlink itself", "%s", now_at("lsym"));
    res("link", "dlnk itself", syscall(SYS_link, "dlnk", "ldsym"));
    line("link", "after dlnk itself", "%s", now_at("ldsym"));
    res("link", "to missing/x", syscall(SYS_link, "l1", "missing/x"));
    res("link", "to f/x ENOTDIR", syscall(SYS_link, "l1", "f/x"));
    mkfile("lf", "");
    res("link", "from file/ ENOTDIR", syscall(SYS_link, "lf/", "lx"));
    line("link", "after from file/", "%s", now_at("lx"));
    res("link", "to trailing slash", syscall(SYS_link, "l1", "ltrail/"));
    line("link", "after to trailing slash", "%s", now_at("ltrail"));
    res("link", "noperm/x", syscall(SYS_link, "noperm/x", "lx"));
    res("link", "into rodir", syscall(SYS_link, "l1", "rodir/lx"));
    res("link", "into noperm", syscall(SYS_link, "l1", "noperm/lx"));
    res("link", "long", syscall(SYS_link, "l1", longname));
    res("link", "empty path", syscall(SYS_link, "", "lx"));
    res("link", "fifo", syscall(SYS_link, "fifo", "lfifo"));
    line("link", "after fifo", "%s", now_at("lfifo"));
    res("link", "sock", syscall(SYS_link, "sock", "lsock"));
    line("link", "after sock", "%s", now_at("lsock"));
    res("link", "ro (someone's 0444 file)", syscall(SYS_link, "ro", "lro"));

    int filefd = open("l1", O_RDONLY | O_CLOEXEC);
    int opath = open("l1", O_PATH | O_CLOEXEC);
    res("linkat", "follow symlink",
        syscall(SYS_linkat, dfd, "lnk", dfd, "lfollow", AT_SYMLINK_FOLLOW));
    line("linkat", "after follow symlink", "%s", now_at("lfollow"));
    res("linkat", "follow dlnk ENOENT",
        syscall(SYS_linkat, dfd, "dlnk", dfd, "lfollow2", AT_SYMLINK_FOLLOW));
    res("linkat", "empty path", syscall(SYS_linkat, filefd, "", dfd, "lempty", AT_EMPTY_PATH));
    line("linkat", "after empty path", "%s", now_at("lempty"));
    res("linkat", "O_PATH empty path",
        syscall(SYS_linkat, opath, "", dfd, "lempty2", AT_EMPTY_PATH));
    res("linkat", "empty path without flag", syscall(SYS_linkat, filefd, "", dfd, "lempty3", 0));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", filefd);
    res("linkat", "/proc/self/fd follow",
        syscall(SYS_linkat, AT_FDCWD, path, dfd, "lproc", AT_SYMLINK_FOLLOW));
    line("linkat", "after /proc/self/fd follow", "%s", now_at("lproc"));
    res("linkat", "/proc/self/fd nofollow",
        syscall(SYS_linkat, AT_FDCWD, path, dfd, "lproc2", 0));
    mkfile("lb", "");
    res("linkat", "bad flags EINVAL", syscall(SYS_linkat, dfd, "lb", dfd, "lbad", 0x1));
    line("linkat", "after bad flags", "%s", now_at("lbad"));
    res("linkat", "file dirfd ENOTDIR", syscall(SYS_linkat, filefd, "x", dfd, "y", 0));
    res("linkat", "bad dirfd EBADF", syscall(SYS_linkat, 999, "x", dfd, "y", 0));
    close(filefd);
    close(opath);
    int tmp = open(".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tmp >= 0) {
        (void)!write(tmp, "tmp", 3);
        res("linkat", "O_TMPFILE empty path (no path)",
            syscall(SYS_linkat, tmp, "", dfd, "ltmp", AT_EMPTY_PATH));
        snprintf(path, sizeof path, "/proc/self/fd/%d", tmp);
        res("linkat", "O_TMPFILE /proc/self/fd (no path)",
            syscall(SYS_linkat, AT_FDCWD, path, dfd, "ltmp2", AT_SYMLINK_FOLLOW));
        line("linkat", "after O_TMPFILE (no path)", "%s %s", now_at("ltmp2"), contents("ltmp2"));
        close(tmp);
    }
    tmp = open(".", O_TMPFILE | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (tmp >= 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", tmp);
        res("linkat", "O_TMPFILE|O_EXCL (no path)",
            syscall(SYS_linkat, AT_FDCWD, path, dfd, "ltmp3", AT_SYMLINK_FOLLOW));
        close(tmp);
    }

    res("symlink", "new", syscall(SYS_symlink, "target", "s1"));
    line("symlink", "after new", "%s", now_at("s1"));
    res("symlink", "over f EEXIST", syscall(SYS_symlink, "target", "f"));
    res("symlink", "over dlnk EEXIST", syscall(SYS_symlink, "target", "dlnk"));
    res("symlink", "over dir EEXIST", syscall(SYS_symlink, "target", "dir"));
    res("symlink", "missing/x ENOENT", syscall(SYS_symlink, "target", "missing/x"));
    res("symlink", "f/x ENOTDIR", syscall(SYS_symlink, "target", "f/x"));
    res("symlink", "empty target ENOENT", syscall(SYS_symlink, "", "s2"));
    res("symlink", "long target", syscall(SYS_symlink, longname, "s3"));
    line("symlink", "after long target", "%s", now_at("s3"));
    res("symlink", "long name", syscall(SYS_symlink, "target", longname));
    res("symlink", "trailing slash", syscall(SYS_symlink, "target", "s4/"));
    res("symlink", "noperm/x", syscall(SYS_symlink, "target", "noperm/s"));
    res("symlink", "rodir/x", syscall(SYS_symlink, "target", "rodir/s"));
    res("symlink", "dirlnk/new", syscall(SYS_symlink, "../f", "dirlnk/s5"));
    line("symlink", "after dirlnk/new", "%s %s", now_at("dir/s5"), contents("dir/s5"));
    res("symlink", "empty path", syscall(SYS_symlink, "target", ""));
    filefd = open("f", O_RDONLY | O_CLOEXEC);
    res("symlinkat", "dfd", syscall(SYS_symlinkat, "t", dfd, "s6"));
    res("symlinkat", "file dirfd ENOTDIR", syscall(SYS_symlinkat, "t", filefd, "s7"));
    res("symlinkat", "bad dirfd EBADF", syscall(SYS_symlinkat, "t", 999, "s7"));
    close(filefd);
}

static void t_attrs(void) {
    /* The victim of calls that must fail (a file used as a directory):
     * if one is performed anyway, nothing else shows it. */
    mkfile("v", "v");
    mkfile("c1", "c");
    symlink("c1", "c1lnk");
    res("chmod", "0600", syscall(SYS_chmod, "c1", 0600));
    line("chmod", "after 0600", "%s", now_at("c1"));
    res("chmod", "07755", syscall(SYS_chmod, "c1", 07755));
    line("chmod", "after 07755", "%s", now_at("c1"));
    res("chmod", "through link 0640", syscall(SYS_chmod, "c1lnk", 0640));
    line("chmod", "after through link", "%s / %s", now_at("c1"), now_at("c1lnk"));
    res("chmod", "high bits", syscall(SYS_chmod, "c1", 0170644));
    line("chmod", "after high bits", "%s", now_at("c1"));
    res("chmod", "missing", syscall(SYS_chmod, "missing", 0644));
    res("chmod", "dlnk", syscall(SYS_chmod, "dlnk", 0644));
    res("chmod", "file/ ENOTDIR", syscall(SYS_chmod, "v/", 0644));
    res("chmod", "noperm/x", syscall(SYS_chmod, "noperm/x", 0644));
    res("chmod", "parent (root's)", syscall(SYS_chmod, "..", 0777));
    res("chmod", "empty path", syscall(SYS_chmod, "", 0644));
    res("chmod", "fifo", syscall(SYS_chmod, "fifo", 0600));
    line("chmod", "after fifo", "%s", now_at("fifo"));
    int filefd = open("c1", O_RDONLY | O_CLOEXEC);
    int opath = open("c1", O_PATH | O_CLOEXEC);
    int lnkfd = open("c1lnk", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    res("fchmodat", "dfd", syscall(SYS_fchmodat, dfd, "c1", 0604));
    line("fchmodat", "after dfd", "%s", now_at("c1"));
    res("fchmodat", "file dirfd ENOTDIR", syscall(SYS_fchmodat, filefd, "x", 0604));
    res("fchmodat2", "nofollow file", syscall(SYS_fchmodat2, dfd, "c1", 0640, AT_SYMLINK_NOFOLLOW));
    line("fchmodat2", "after nofollow file", "%s", now_at("c1"));
    res("fchmodat2", "nofollow symlink EOPNOTSUPP",
        syscall(SYS_fchmodat2, dfd, "c1lnk", 0600, AT_SYMLINK_NOFOLLOW));
    res("fchmodat2", "empty path", syscall(SYS_fchmodat2, filefd, "", 0644, AT_EMPTY_PATH));
    line("fchmodat2", "after empty path", "%s", now_at("c1"));
    res("fchmodat2", "O_PATH empty path",
        syscall(SYS_fchmodat2, opath, "", 0640, AT_EMPTY_PATH));
    res("fchmodat2", "O_PATH symlink empty path",
        syscall(SYS_fchmodat2, lnkfd, "", 0640, AT_EMPTY_PATH));
    res("fchmodat2", "bad flags EINVAL", syscall(SYS_fchmodat2, dfd, "c1", 0644, 0x1));
    res("fchmod", "fd", syscall(SYS_fchmod, filefd, 0600));
    line("fchmod", "after fd", "%s", now_at("c1"));
    res("fchmod", "O_PATH EBADF", syscall(SYS_fchmod, opath, 0600));
    res("fchmod", "bad fd", syscall(SYS_fchmod, 999, 0600));
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) == 0) {
        res("fchmod", "pipe", syscall(SYS_fchmod, pfd[0], 0600));
        res("fchown", "pipe", syscall(SYS_fchown, pfd[0], -1, -1));
        res("ftruncate", "pipe EINVAL", syscall(SYS_ftruncate, pfd[1], 0));
        res("fallocate", "pipe ESPIPE", syscall(SYS_fallocate, pfd[1], 0, 0, 10));
        close(pfd[0]);
        close(pfd[1]);
    }
    res("fchmod", "socket", syscall(SYS_fchmod, sock_dgram, 0600));

    res("chown", "-1 -1", syscall(SYS_chown, "c1", -1, -1));
    res("chown", "to self", syscall(SYS_chown, "c1", geteuid(), getegid()));
    res("chown", "to 1:1", syscall(SYS_chown, "c1", 1, 1));
    line("chown", "after to 1:1", "%s", now_at("c1"));
    if (geteuid() == 0)
        chown("c1", 0, 0);
    res("chown", "group only", syscall(SYS_chown, "c1", -1, getegid()));
    res("chown", "missing", syscall(SYS_chown, "missing", -1, -1));
    res("chown", "dlnk", syscall(SYS_chown, "dlnk", -1, -1));
    res("chown", "file/ ENOTDIR", syscall(SYS_chown, "v/", -1, -1));
    res("chown", "noperm/x", syscall(SYS_chown, "noperm/x", -1, -1));
    res("chown", "parent (root's) to self", syscall(SYS_chown, "..", geteuid(), -1));
    res("lchown", "symlink", syscall(SYS_lchown, "c1lnk", geteuid(), getegid()));
    res("lchown", "dlnk", syscall(SYS_lchown, "dlnk", -1, -1));
    res("lchown", "to 1", syscall(SYS_lchown, "c1lnk", 1, -1));
    line("lchown", "after to 1", "%s / %s", now_at("c1lnk"), now_at("c1"));
    if (geteuid() == 0)
        lchown("c1lnk", 0, 0);
    res("fchownat", "empty path", syscall(SYS_fchownat, filefd, "", -1, -1, AT_EMPTY_PATH));
    res("fchownat", "O_PATH empty path", syscall(SYS_fchownat, opath, "", -1, -1, AT_EMPTY_PATH));
    res("fchownat", "O_PATH symlink empty path",
        syscall(SYS_fchownat, lnkfd, "", -1, -1, AT_EMPTY_PATH));
    res("fchownat", "cwd empty path", syscall(SYS_fchownat, AT_FDCWD, "", -1, -1, AT_EMPTY_PATH));
    res("fchownat", "empty path without flag", syscall(SYS_fchownat, filefd, "", -1, -1, 0));
    res("fchownat", "nofollow dlnk",
        syscall(SYS_fchownat, dfd, "dlnk", -1, -1, AT_SYMLINK_NOFOLLOW));
    res("fchownat", "bad flags EINVAL", syscall(SYS_fchownat, dfd, "c1", -1, -1, 0x1));
    res("fchownat", "file dirfd ENOTDIR", syscall(SYS_fchownat, filefd, "x", -1, -1, 0));
    res("fchown", "fd", syscall(SYS_fchown, filefd, -1, -1));
    res("fchown", "fd to 1", syscall(SYS_fchown, filefd, 1, -1));
    if (geteuid() == 0)
        chown("c1", 0, 0);
    res("fchown", "O_PATH EBADF", syscall(SYS_fchown, opath, -1, -1));
    res("fchown", "bad fd EBADF", syscall(SYS_fchown, 999, -1, -1));
    close(filefd);
    close(opath);
    close(lnkfd);

    /* Times: only whether the call worked (nothing printed depends on
     * the clock). */
    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    struct timespec set[2] = {{1000000, 0}, {2000000, 0}};
    struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    filefd = open("c1", O_RDONLY | O_CLOEXEC);
    res("utimensat", "now", syscall(SYS_utimensat, dfd, "c1", NULL, 0));
    res("utimensat", "omit", syscall(SYS_utimensat, dfd, "c1", omit, 0));
    res("utimensat", "set", syscall(SYS_utimensat, dfd, "c1", set, 0));
    res("utimensat", "UTIME_NOW", syscall(SYS_utimensat, dfd, "c1", now2, 0));
    res("utimensat", "bad nsec EINVAL", syscall(SYS_utimensat, dfd, "c1", bad, 0));
    res("utimensat", "missing", syscall(SYS_utimensat, dfd, "missing", NULL, 0));
    res("utimensat", "dlnk", syscall(SYS_utimensat, dfd, "dlnk", NULL, 0));
    res("utimensat", "dlnk nofollow",
        syscall(SYS_utimensat, dfd, "dlnk", NULL, AT_SYMLINK_NOFOLLOW));
    res("utimensat", "file/ ENOTDIR", syscall(SYS_utimensat, dfd, "v/", NULL, 0));
    res("utimensat", "fd, NULL path", syscall(SYS_utimensat, filefd, NULL, set, 0));
    res("utimensat", "fd, empty path", syscall(SYS_utimensat, filefd, "", set, AT_EMPTY_PATH));
    res("utimensat", "fd, empty path without flag", syscall(SYS_utimensat, filefd, "", set, 0));
    res("utimensat", "AT_FDCWD, NULL path EFAULT",
        syscall(SYS_utimensat, AT_FDCWD, NULL, set, 0));
    res("utimensat", "bad fd, NULL path", syscall(SYS_utimensat, 999, NULL, set, 0));
    res("utimensat", "bad flags EINVAL", syscall(SYS_utimensat, dfd, "c1", NULL, 0x1));
    res("utimensat", "ro now", syscall(SYS_utimensat, dfd, "ro", NULL, 0));
    res("utimensat", "parent (root's) now", syscall(SYS_utimensat, dfd, "..", NULL, 0));
    res("utimensat", "parent (root's) set", syscall(SYS_utimensat, dfd, "..", set, 0));
    res("utimensat", "parent (root's) omit", syscall(SYS_utimensat, dfd, "..", omit, 0));
    res("utimensat", "noperm/x", syscall(SYS_utimensat, dfd, "noperm/x", NULL, 0));
    struct utimbuf {
        long actime, modtime;
    } ub = {1000, 2000};
    res("utime", "NULL", syscall(SYS_utime, "c1", NULL));
    res("utime", "set", syscall(SYS_utime, "c1", &ub));
    res("utime", "missing", syscall(SYS_utime, "missing", NULL));
    struct timeval tv[2] = {{1000, 0}, {2000, 0}};
    struct timeval badtv[2] = {{1000, 2000000}, {2000, 0}};
    res("utimes", "set", syscall(SYS_utimes, "c1", tv));
    res("utimes", "bad usec EINVAL", syscall(SYS_utimes, "c1", badtv));
    res("utimes", "missing", syscall(SYS_utimes, "missing", tv));
    res("futimesat", "dfd", syscall(SYS_futimesat, dfd, "c1", tv));
    res("futimesat", "fd, NULL path", syscall(SYS_futimesat, filefd, NULL, tv));
    res("futimesat", "file dirfd ENOTDIR", syscall(SYS_futimesat, filefd, "x", tv));
    close(filefd);

    /* Truncation. */
    mkfile("tr1", "12345");
    symlink("tr1", "tr1lnk");
    res("truncate", "3", syscall(SYS_truncate, "tr1", 3));
    line("truncate", "after 3", "%s", now_at("tr1"));
    res("truncate", "through link 1", syscall(SYS_truncate, "tr1lnk", 1));
    line("truncate", "after through link", "%s", now_at("tr1"));
    res("truncate", "grow 100", syscall(SYS_truncate, "tr1", 100));
    line("truncate", "after grow 100", "%s", now_at("tr1"));
    res("truncate", "negative EINVAL", syscall(SYS_truncate, "tr1", -1L));
    res("truncate", "dir EISDIR", syscall(SYS_truncate, "dir", 0));
    res("truncate", "missing", syscall(SYS_truncate, "missing", 0));
    res("truncate", "file/ ENOTDIR", syscall(SYS_truncate, "v/", 0));
    res("truncate", "ro", syscall(SYS_truncate, "ro", 2));
    res("truncate", "fifo EINVAL", syscall(SYS_truncate, "fifo", 0));
    res("truncate", "noperm/x", syscall(SYS_truncate, "noperm/x", 0));
    res("truncate", "empty path", syscall(SYS_truncate, "", 0));
    int w = open("tr1", O_WRONLY | O_CLOEXEC);
    int r = open("tr1", O_RDONLY | O_CLOEXEC);
    int p = open("tr1", O_PATH | O_CLOEXEC);
    int d = open("dir", O_RDONLY | O_CLOEXEC);
    res("ftruncate", "w 10", syscall(SYS_ftruncate, w, 10));
    line("ftruncate", "after w 10", "%s", now_at("tr1"));
    res("ftruncate", "r EINVAL", syscall(SYS_ftruncate, r, 5));
    res("ftruncate", "O_PATH EBADF", syscall(SYS_ftruncate, p, 5));
    res("ftruncate", "dir", syscall(SYS_ftruncate, d, 5));
    res("ftruncate", "negative EINVAL", syscall(SYS_ftruncate, w, -1L));
    res("ftruncate", "bad fd EBADF", syscall(SYS_ftruncate, 999, 5));
    res("ftruncate", "socket", syscall(SYS_ftruncate, sock_dgram, 5));
    res("fallocate", "w 0..200", syscall(SYS_fallocate, w, 0, 0, 200));
    line("fallocate", "after w 0..200", "%s", now_at("tr1"));
    res("fallocate", "keep size", syscall(SYS_fallocate, w, FALLOC_FL_KEEP_SIZE, 0, 8192));
    line("fallocate", "after keep size", "%s", now_at("tr1"));
    res("fallocate", "r EBADF", syscall(SYS_fallocate, r, 0, 0, 10));
    res("fallocate", "len 0 EINVAL", syscall(SYS_fallocate, w, 0, 0, 0));
    res("fallocate", "bad mode", syscall(SYS_fallocate, w, 0x1000, 0, 10));
    res("fallocate", "punch hole without keep size",
        syscall(SYS_fallocate, w, FALLOC_FL_PUNCH_HOLE, 0, 10));
    res("fallocate", "O_PATH EBADF", syscall(SYS_fallocate, p, 0, 0, 10));
    res("fallocate", "dir", syscall(SYS_fallocate, d, 0, 0, 10));
    res("fallocate", "bad fd EBADF", syscall(SYS_fallocate, 999, 0, 0, 10));
    int a = open("tr1", O_WRONLY | O_APPEND | O_CLOEXEC);
    res("fallocate", "append fd", syscall(SYS_fallocate, a, 0, 0, 10));
    res("ftruncate", "append fd", syscall(SYS_ftruncate, a, 10));
    close(a);
    close(w);
    close(r);
    close(p);
    close(d);
}

/* listxattr's names, sorted, joined with commas. */
static void show_names(const char *name, const char *cas, long n, char *buf) {
    int e = errno;
    if (n < 0) {
        line(name, cas, "%s", en(e));
        return;
    }
    const char *names[64];
    int k = 0;
    for (long i = 0; i < n && k < 64; i += strlen(buf + i) + 1)
        names[k++] = buf + i;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (strcmp(names[j], names[i]) < 0) {
                const char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    char all[512] = "";
    for (int i = 0; i < k; i++) {
        strncat(all, i ? "," : "", sizeof all - strlen(all) - 1);
        strncat(all, names[i], sizeof all - strlen(all) - 1);
    }
    line(name, cas, "ok %ld [%s]", n, all);
}

static void show_value(const char *name, const char *cas, long n, const char *buf) {
    int e = errno;
    if (n < 0)
        line(name, cas, "%s", en(e));
    else
        line(name, cas, "ok %ld \"%.*s\"", n, (int)n, buf);
}

static void t_xattr(void) {
    char buf[256];
    mkfile("xa", "x");
    symlink("xa", "xalnk");
    mkdir("xd", 0755);
    res("setxattr", "user.a", syscall(SYS_setxattr, "xa", "user.a", "1", 1, 0));
    res("setxattr", "user.b", syscall(SYS_setxattr, "xa", "user.b", "22", 2, 0));
    res("setxattr", "empty value", syscall(SYS_setxattr, "xa", "user.e", "", 0, 0));
    res("setxattr", "create existing EEXIST",
        syscall(SYS_setxattr, "xa", "user.a", "9", 1, XATTR_CREATE));
    res("setxattr", "replace missing ENODATA",
        syscall(SYS_setxattr, "xa", "user.z", "9", 1, XATTR_REPLACE));
    res("setxattr", "replace existing", syscall(SYS_setxattr, "xa", "user.b", "33", 2, XATTR_REPLACE));
    res("setxattr", "bad flags EINVAL", syscall(SYS_setxattr, "xa", "user.c", "1", 1, 4));
    res("setxattr", "bad namespace", syscall(SYS_setxattr, "xa", "foo.x", "1", 1, 0));
    res("setxattr", "empty name ERANGE", syscall(SYS_setxattr, "xa", "", "1", 1, 0));
    res("setxattr", "long name ERANGE", syscall(SYS_setxattr, "xa", longname, "1", 1, 0));
    res("setxattr", "value too big E2BIG", syscall(SYS_setxattr, "xa", "user.big", buf, 70000, 0));
    res("setxattr", "through link", syscall(SYS_setxattr, "xalnk", "user.l", "L", 1, 0));
    res("setxattr", "dir", syscall(SYS_setxattr, "xd", "user.d", "D", 1, 0));
    res("setxattr", "missing", syscall(SYS_setxattr, "missing", "user.a", "1", 1, 0));
    res("setxattr", "dlnk", syscall(SYS_setxattr, "dlnk", "user.a", "1", 1, 0));
    res("setxattr", "file/ ENOTDIR", syscall(SYS_setxattr, "v/", "user.a", "1", 1, 0));
    res("setxattr", "ro", syscall(SYS_setxattr, "ro", "user.a", "1", 1, 0));
    res("setxattr", "fifo", syscall(SYS_setxattr, "fifo", "user.a", "1", 1, 0));
    res("setxattr", "noperm/x", syscall(SYS_setxattr, "noperm/x", "user.a", "1", 1, 0));
    res("setxattr", "trusted.x", syscall(SYS_setxattr, "xd", "trusted.x", "1", 1, 0));
    res("lsetxattr", "symlink user.*", syscall(SYS_lsetxattr, "xalnk", "user.a", "1", 1, 0));
    res("lsetxattr", "file", syscall(SYS_lsetxattr, "xa", "user.c", "333", 3, 0));
    show_value("getxattr", "user.a", syscall(SYS_getxattr, "xa", "user.a", buf, sizeof buf), buf);
    show_value("getxattr", "user.b", syscall(SYS_getxattr, "xa", "user.b", buf, sizeof buf), buf);
    show_value("getxattr", "user.e", syscall(SYS_getxattr, "xa", "user.e", buf, sizeof buf), buf);
    show_value("getxattr", "through link user.l",
               syscall(SYS_getxattr, "xalnk", "user.l", buf, sizeof buf), buf);
    show_value("getxattr", "missing attribute ENODATA",
               syscall(SYS_getxattr, "xa", "user.none", buf, sizeof buf), buf);
    resn("getxattr", "size 0", syscall(SYS_getxattr, "xa", "user.b", NULL, 0));
    show_value("getxattr", "size 1 ERANGE", syscall(SYS_getxattr, "xa", "user.b", buf, 1), buf);
    show_value("getxattr", "bad namespace", syscall(SYS_getxattr, "xa", "foo.x", buf, sizeof buf),
               buf);
    show_value("getxattr", "empty name", syscall(SYS_getxattr, "xa", "", buf, sizeof buf), buf);
    show_value("getxattr", "missing file", syscall(SYS_getxattr, "missing", "user.a", buf, 10), buf);
    show_value("getxattr", "f/", syscall(SYS_getxattr, "f/", "user.a", buf, 10), buf);
    show_value("getxattr", "dir", syscall(SYS_getxattr, "xd", "user.d", buf, sizeof buf), buf);
    show_value("getxattr", "none (mode 0)", syscall(SYS_getxattr, "none", "user.a", buf, 10), buf);
    show_value("getxattr", "noperm/x", syscall(SYS_getxattr, "noperm/x", "user.a", buf, 10), buf);
    show_value("getxattr", "bad buffer EFAULT",
               syscall(SYS_getxattr, "xa", "user.b", (void *)8, 10), buf);
    show_value("lgetxattr", "symlink", syscall(SYS_lgetxattr, "xalnk", "user.l", buf, sizeof buf),
               buf);
    show_value("lgetxattr", "file", syscall(SYS_lgetxattr, "xa", "user.c", buf, sizeof buf), buf);
    show_names("listxattr", "file", syscall(SYS_listxattr, "xa", buf, sizeof buf), buf);
    resn("listxattr", "size 0", syscall(SYS_listxattr, "xa", NULL, 0));
    show_names("listxattr", "size 1 ERANGE", syscall(SYS_listxattr, "xa", buf, 1), buf);
    show_names("listxattr", "through link", syscall(SYS_listxattr, "xalnk", buf, sizeof buf), buf);
    show_names("listxattr", "dir", syscall(SYS_listxattr, "xd", buf, sizeof buf), buf);
    show_names("listxattr", "none (mode 0)", syscall(SYS_listxattr, "none", buf, sizeof buf), buf);
    show_names("listxattr", "missing", syscall(SYS_listxattr, "missing", buf, sizeof buf), buf);
    show_names("listxattr", "f/", syscall(SYS_listxattr, "f/", buf, sizeof buf), buf);
    show_names("llistxattr", "symlink", syscall(SYS_llistxattr, "xalnk", buf, sizeof buf), buf);
    show_names("listxattr", "fifo", syscall(SYS_listxattr, "fifo", buf, sizeof buf), buf);
    res("removexattr", "user.e", syscall(SYS_removexattr, "xa", "user.e"));
    res("removexattr", "missing attribute ENODATA", syscall(SYS_removexattr, "xa", "user.none"));
    res("removexattr", "missing file", syscall(SYS_removexattr, "missing", "user.a"));
    res("removexattr", "ro", syscall(SYS_removexattr, "ro", "user.a"));
    res("lremovexattr", "symlink", syscall(SYS_lremovexattr, "xalnk", "user.l"));
    res("lremovexattr", "file", syscall(SYS_lremovexattr, "xa", "user.c"));

    int fd = open("xa", O_RDONLY | O_CLOEXEC);
    int opath = open("xa", O_PATH | O_CLOEXEC);
    res("fsetxattr", "fd", syscall(SYS_fsetxattr, fd, "user.f", "F", 1, 0));
    res("fsetxattr", "O_PATH EBADF", syscall(SYS_fsetxattr, opath, "user.f", "F", 1, 0));
    res("fsetxattr", "bad fd EBADF", syscall(SYS_fsetxattr, 999, "user.f", "F", 1, 0));
    res("fsetxattr", "socket", syscall(SYS_fsetxattr, sock_dgram, "user.f", "F", 1, 0));
    show_value("fgetxattr", "fd", syscall(SYS_fgetxattr, fd, "user.f", buf, sizeof buf), buf);
    show_value("fgetxattr", "ENODATA", syscall(SYS_fgetxattr, fd, "user.none", buf, sizeof buf),
               buf);
    resn("fgetxattr", "size 0", syscall(SYS_fgetxattr, fd, "user.f", NULL, 0));
    show_value("fgetxattr", "O_PATH EBADF", syscall(SYS_fgetxattr, opath, "user.f", buf, 10), buf);
    show_names("flistxattr", "fd", syscall(SYS_flistxattr, fd, buf, sizeof buf), buf);
    show_names("flistxattr", "size 1 ERANGE", syscall(SYS_flistxattr, fd, buf, 1), buf);
    show_names("flistxattr", "O_PATH EBADF", syscall(SYS_flistxattr, opath, buf, sizeof buf), buf);
    show_names("flistxattr", "socket", syscall(SYS_flistxattr, sock_dgram, buf, sizeof buf), buf);
    res("fremovexattr", "fd", syscall(SYS_fremovexattr, fd, "user.f"));
    res("fremovexattr", "ENODATA", syscall(SYS_fremovexattr, fd, "user.f"));
    res("fremovexattr", "O_PATH EBADF", syscall(SYS_fremovexattr, opath, "user.a"));

    /* The *xattrat calls (Linux 6.13). */
    char v[8] = "at";
    struct xattr_args_ args = {(uint64_t)(uintptr_t)v, 2, 0};
    res("setxattrat", "dfd", syscall(SYS_setxattrat_, dfd, "xa", 0, "user.at", &args, sizeof args));
    res("setxattrat", "symlink nofollow",
        syscall(SYS_setxattrat_, dfd, "xalnk", AT_SYMLINK_NOFOLLOW, "user.at", &args,
                sizeof args));
    res("setxattrat", "empty path",
        syscall(SYS_setxattrat_, fd, "", AT_EMPTY_PATH, "user.at2", &args, sizeof args));
    res("setxattrat", "small args EINVAL",
        syscall(SYS_setxattrat_, dfd, "xa", 0, "user.at", &args, 8));
    res("setxattrat", "bad flags EINVAL",
        syscall(SYS_setxattrat_, dfd, "xa", 0x1, "user.at", &args, sizeof args));
    res("setxattrat", "missing",
        syscall(SYS_setxattrat_, dfd, "missing", 0, "user.at", &args, sizeof args));
    char g[16] = "";
    struct xattr_args_ gargs = {(uint64_t)(uintptr_t)g, sizeof g, 0};
    show_value("getxattrat", "dfd",
               syscall(SYS_getxattrat_, dfd, "xa", 0, "user.at", &gargs, sizeof gargs), g);
    show_value("getxattrat", "empty path",
               syscall(SYS_getxattrat_, fd, "", AT_EMPTY_PATH, "user.at2", &gargs, sizeof gargs),
               g);
    show_value("getxattrat", "through link",
               syscall(SYS_getxattrat_, dfd, "xalnk", 0, "user.at", &gargs, sizeof gargs), g);
    show_value("getxattrat", "symlink nofollow ENODATA",
               syscall(SYS_getxattrat_, dfd, "xalnk", AT_SYMLINK_NOFOLLOW, "user.at", &gargs,
                       sizeof gargs),
               g);
    gargs.size = 1;
    show_value("getxattrat", "size 1 ERANGE",
               syscall(SYS_getxattrat_, dfd, "xa", 0, "user.at", &gargs, sizeof gargs), g);
    show_names("listxattrat", "dfd",
               syscall(SYS_listxattrat_, dfd, "xa", 0, buf, sizeof buf), buf);
    show_names("listxattrat", "empty path",
               syscall(SYS_listxattrat_, fd, "", AT_EMPTY_PATH, buf, sizeof buf), buf);
    show_names("listxattrat", "symlink nofollow",
               syscall(SYS_listxattrat_, dfd, "xalnk", AT_SYMLINK_NOFOLLOW, buf, sizeof buf), buf);
    res("removexattrat", "dfd", syscall(SYS_removexattrat_, dfd, "xa", 0, "user.at"));
    res("removexattrat", "ENODATA", syscall(SYS_removexattrat_, dfd, "xa", 0, "user.at"));
    res("removexattrat", "empty path",
        syscall(SYS_removexattrat_, fd, "", AT_EMPTY_PATH, "user.at2"));
    show_names("listxattr", "at the end", syscall(SYS_listxattr, "xa", buf, sizeof buf), buf);
    close(fd);
    close(opath);

    /* file_getattr / file_setattr (Linux 6.17). */
    unsigned char attr[32] = {0};
    long r = syscall(SYS_file_getattr_, dfd, "xa", attr, 24, 0);
    int e = errno;
    unsigned long long xflags;
    memcpy(&xflags, attr, sizeof xflags);
    if (r < 0)
        line("file_getattr", "file", "%s", en(e));
    else
        line("file_getattr", "file", "ok xflags=%#llx", xflags);
    res("file_getattr", "missing", syscall(SYS_file_getattr_, dfd, "missing", attr, 24, 0));
    res("file_getattr", "small size EINVAL", syscall(SYS_file_getattr_, dfd, "xa", attr, 8, 0));
    res("file_getattr", "fifo", syscall(SYS_file_getattr_, dfd, "fifo", attr, 24, 0));
    res("file_getattr", "symlink nofollow",
        syscall(SYS_file_getattr_, dfd, "xalnk", attr, 24, AT_SYMLINK_NOFOLLOW));
    res("file_setattr", "file same", syscall(SYS_file_setattr_, dfd, "xa", attr, 24, 0));
    res("file_setattr", "bad flags",
        syscall(SYS_file_setattr_, dfd, "xa", attr, 24, 0x1));
}

static void t_inotify(void) {
    mkfile("w1", "w");
    symlink("w1", "w1lnk");
    static const struct {
        const char *cas, *path;
        unsigned mask;
    } cases[] = {
        {"file", "w1", IN_MODIFY},
        {"dir", "dir", IN_CREATE},
        {"missing", "missing", IN_MODIFY},
        {"f/ ENOTDIR", "f/", IN_MODIFY},
        {"f/x ENOTDIR", "f/x", IN_MODIFY},
        {"link", "w1lnk", IN_MODIFY},
        {"link dont_follow", "w1lnk", IN_MODIFY | IN_DONT_FOLLOW},
        {"dlnk", "dlnk", IN_MODIFY},
        {"dlnk dont_follow", "dlnk", IN_MODIFY | IN_DONT_FOLLOW},
        {"onlydir file ENOTDIR", "w1", IN_MODIFY | IN_ONLYDIR},
        {"onlydir dirlnk", "dirlnk", IN_CREATE | IN_ONLYDIR},
        {"mask 0 EINVAL", "w1", 0},
        {"none (mode 0)", "none", IN_MODIFY},
        {"noperm/x", "noperm/x", IN_MODIFY},
        {"fifo", "fifo", IN_MODIFY},
        {"empty path", "", IN_MODIFY},
        {"loop1 ELOOP", "loop1", IN_MODIFY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        resn("inotify_add_watch", cases[i].cas,
             syscall(SYS_inotify_add_watch, in, cases[i].path, cases[i].mask));
        close(in);
    }
    int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    resn("inotify_add_watch", "first", syscall(SYS_inotify_add_watch, in, "w1", IN_MODIFY));
    resn("inotify_add_watch", "same again", syscall(SYS_inotify_add_watch, in, "w1", IN_ATTRIB));
    resn("inotify_add_watch", "same through link",
         syscall(SYS_inotify_add_watch, in, "w1lnk", IN_MODIFY | IN_MASK_ADD));
    resn("inotify_add_watch", "mask_create existing EEXIST",
         syscall(SYS_inotify_add_watch, in, "w1", IN_MODIFY | IN_MASK_CREATE));
    resn("inotify_add_watch", "second file", syscall(SYS_inotify_add_watch, in, "f", IN_OPEN));
    int w = open("w1", O_WRONLY | O_APPEND | O_CLOEXEC);
    (void)!write(w, "x", 1);
    close(w);
    char ev[512];
    ssize_t n = read(in, ev, sizeof ev);
    int e = errno;
    if (n < 0)
        line("inotify_add_watch", "event", "%s", en(e));
    else {
        struct inotify_event *ie = (struct inotify_event *)ev;
        line("inotify_add_watch", "event", "ok wd=%d mask=%#x", ie->wd, ie->mask);
    }
    close(in);
    resn("inotify_add_watch", "bad fd EBADF", syscall(SYS_inotify_add_watch, 999, "w1", IN_MODIFY));
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    resn("inotify_add_watch", "not inotify EINVAL",
         syscall(SYS_inotify_add_watch, filefd, "w1", IN_MODIFY));
    close(filefd);
}

/* Names in a directory by raw getdents64 with a SIZE-byte buffer. */
static void list(const char *cas, int fd, size_t size) {
    char buf[8192];
    char names[64][64];
    int k = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, size);
        int e = errno;
        if (n < 0) {
            line("getdents64", cas, "%s", en(e));
            return;
        }
        if (n == 0)
            break;
        for (long at = 0; at < n;) {
            unsigned short reclen;
            memcpy(&reclen, buf + at + 16, sizeof reclen);
            unsigned char type = buf[at + 18];
            if (k < 64)
                snprintf(names[k++], 64, "%s/%u", buf + at + 19, type);
            at += reclen;
        }
    }
    qsort(names, k, 64, (int (*)(const void *, const void *))strcmp);
    char all[2048] = "";
    for (int i = 0; i < k; i++) {
        strncat(all, i ? "," : "", sizeof all - strlen(all) - 1);
        strncat(all, names[i], sizeof all - strlen(all) - 1);
    }
    line("getdents64", cas, "ok [%s]", all);
}

static void t_getdents(void) {
    int d = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    list("dir", d, 4096);
    close(d);
    d = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    list("dir one entry per call", d, 32);
    close(d);
    d = open("empty", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    list("empty", d, 4096);
    close(d);
    d = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    list("buffer too small EINVAL", d, 10);
    close(d);
    d = open("f", O_RDONLY | O_CLOEXEC);
    list("file ENOTDIR", d, 4096);
    close(d);
    d = open("dir", O_PATH | O_CLOEXEC);
    list("O_PATH EBADF", d, 4096);
    close(d);
    list("bad fd EBADF", 999, 4096);
    d = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long n = syscall(SYS_getdents64, d, (void *)8, 4096);
    int e = errno;
    line("getdents64", "bad buffer", n < 0 ? "%s" : "ok", n < 0 ? en(e) : "");
    close(d);
}

static void t_chdir(void) {
    int sub = open("dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    res("chdir", "dir", syscall(SYS_chdir, "dir"));
    SHOWFD("chdir", "dir, then open a", sys_open("a", O_RDONLY, 0));
    struct stat st;
    show_stat("chdir", "dir, then stat ../f", syscall(SYS_stat, "../f", &st), &st);
    res("chdir", "dir, then mkdir new", syscall(SYS_mkdir, "cd1", 0755));
    line("chdir", "after mkdir new", "%s", now_at("cd1"));
    res("fchdir", "back", syscall(SYS_fchdir, dfd));
    SHOWFD("fchdir", "back, then open f", sys_open("f", O_RDONLY, 0));
    res("chdir", "dirlnk", syscall(SYS_chdir, "dirlnk"));
    SHOWFD("chdir", "dirlnk, then open b", sys_open("b", O_RDONLY, 0));
    SHOWFD("chdir", "dirlnk, then open ../f", sys_open("../f", O_RDONLY, 0));
    res("chdir", "..", syscall(SYS_chdir, ".."));
    SHOWFD("chdir", ".., then open f", sys_open("f", O_RDONLY, 0));
    res("chdir", "f ENOTDIR", syscall(SYS_chdir, "f"));
    res("chdir", "missing", syscall(SYS_chdir, "missing"));
    res("chdir", "noperm", syscall(SYS_chdir, "noperm"));
    fchdir(dfd);
    res("chdir", "dlnk", syscall(SYS_chdir, "dlnk"));
    res("chdir", "empty path", syscall(SYS_chdir, ""));
    res("chdir", "f/ ENOTDIR", syscall(SYS_chdir, "f/"));
    res("fchdir", "dir fd", syscall(SYS_fchdir, sub));
    SHOWFD("fchdir", "dir fd, then open a", sys_open("a", O_RDONLY, 0));
    res("fchdir", "file fd ENOTDIR", syscall(SYS_fchdir, filefd));
    res("fchdir", "bad fd EBADF", syscall(SYS_fchdir, 999));
    res("fchdir", "back", syscall(SYS_fchdir, dfd));

    /* A working directory that is removed. */
    mkdir("gone", 0755);
    res("chdir", "gone", syscall(SYS_chdir, "gone"));
    res("rmdir", "../gone from inside", syscall(SYS_rmdir, "../gone"));
    show_stat("stat", "removed cwd . (no path)", syscall(SYS_stat, ".", &st), &st);
    show_stat("stat", "removed cwd x (no path)", syscall(SYS_stat, "x", &st), &st);
    show_stat("stat", "removed cwd .. (no path)", syscall(SYS_stat, "..", &st), &st);
    SHOWFD("open", "removed cwd creat x (no path)", sys_open("x", O_WRONLY | O_CREAT, 0644));
    SHOWFD("open", "removed cwd . (no path)", sys_open(".", O_RDONLY | O_DIRECTORY, 0));
    SHOWFD("open", "removed cwd ../f (no path)", sys_open("../f", O_RDONLY, 0));
    SHOWFD("open", "removed cwd tmpfile (no path)", sys_open(".", O_TMPFILE | O_RDWR, 0600));
    res("mkdir", "removed cwd x (no path)", syscall(SYS_mkdir, "x", 0755));
    res("access", "removed cwd . (no path)", syscall(SYS_access, ".", F_OK));
    res("symlink", "removed cwd x (no path)", syscall(SYS_symlink, "t", "x"));
    int gone = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    list("removed dir ENOENT (no path)", gone, 4096);
    close(gone);
    res("fchdir", "back from removed (no path)", syscall(SYS_fchdir, dfd));
    close(sub);
    close(filefd);
}

static void t_exec(char *self) {
    static const struct {
        const char *cas, *path;
    } cases[] = {
        {"self", NULL},
        {"f (not executable)", "f"},
        {"dir", "dir"},
        {"missing", "missing"},
        {"f/x ENOTDIR", "f/x"},
        {"f/ ENOTDIR", "f/"},
        {"dlnk", "dlnk"},
        {"loop1", "loop1"},
        {"script without interpreter", "scr1"},
        {"script, interpreter a directory", "scr2"},
        {"noperm/x", "noperm/x"},
        {"empty path", ""},
    };
    mkfile("scr1", "#!/nonexistent/interpreter\n");
    chmod("scr1", 0755);
    mkfile("scr2", "#!/\n");
    chmod("scr2", 0755);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
            continue;
        pid_t pid = fork();
        if (pid == 0) {
            char *argv[] = {self, "--exit", "7", NULL};
            char *envp[] = {NULL};
            syscall(SYS_execve, cases[i].path ? cases[i].path : self, argv, envp);
            int e = errno;
            (void)!write(p[1], &e, sizeof e);
            _exit(99);
        }
        close(p[1]);
        int e = 0;
        ssize_t n = read(p[0], &e, sizeof e);
        close(p[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (n == sizeof e)
            line("execve", cases[i].cas, "%s", en(e));
        else
            line("execve", cases[i].cas, "ok exit=%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    int fd = open("f", O_RDONLY | O_CLOEXEC);
    void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    line("mmap", "file exec", m == MAP_FAILED ? "%s" : "ok", m == MAP_FAILED ? en(errno) : "");
    if (m != MAP_FAILED)
        munmap(m, 4096);
    m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
        res("mprotect", "file add exec", mprotect(m, 4096, PROT_READ | PROT_EXEC));
        munmap(m, 4096);
    }
    close(fd);
}

static void t_net(void) {
    struct sockaddr_un un;
    socklen_t len;
    int s;

    /* bind, each on a socket of its own */
    static const struct {
        const char *cas, *path, *after;
    } bs[] = {
        {"existing socket EADDRINUSE", "sock", NULL},
        {"existing file EADDRINUSE", "f", NULL},
        {"dangling symlink EADDRINUSE", "dlnk", "missing"},
        {"missing/s ENOENT", "missing/s", NULL},
        {"f/s ENOTDIR", "f/s", NULL},
        {"noperm/sk", "noperm/sk", NULL},
        {"rodir/sk", "rodir/sk", NULL},
        {"trailing slash", "b1/", "b1"},
        {"dirlnk/b2", "dirlnk/b2", "dir/b2"},
        {"dir/. EADDRINUSE", "dir/.", NULL},
        {"f/. ENOTDIR", "f/.", NULL},
        {"dir/.. EADDRINUSE", "dir/..", NULL},
        {"loop1 EADDRINUSE", "loop1", NULL},
        {"loop1/x ELOOP", "loop1/x", NULL},
    };
    for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++) {
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        len = unix_addr(&un, bs[i].path);
        res("bind", bs[i].cas, bind(s, (struct sockaddr *)&un, len));
        if (bs[i].after) {
            char cas[64];
            snprintf(cas, sizeof cas, "after %s", bs[i].cas);
            line("bind", cas, "%s", now_at(bs[i].after));
        }
        close(s);
    }
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "b3");
    res("bind", "new", bind(s, (struct sockaddr *)&un, len));
    line("bind", "after new", "%s", now_at("b3"));
    len = unix_addr(&un, "b4");
    res("bind", "again EINVAL", bind(s, (struct sockaddr *)&un, len));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    res("bind", "short address EINVAL", bind(s, (struct sockaddr *)&un, 1));
    struct sockaddr_in in4 = {.sin_family = AF_INET};
    res("bind", "wrong family EINVAL", bind(s, (struct sockaddr *)&in4, sizeof in4));
    len = unix_addr(&un, "");
    res("bind", "autobind", bind(s, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path)));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    int an = snprintf(un.sun_path + 1, sizeof un.sun_path - 1, "husk-diff-%d", (int)getpid());
    res("bind", "abstract", bind(s, (struct sockaddr *)&un,
                                 offsetof(struct sockaddr_un, sun_path) + 1 + an));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    res("chdir", "dir for bind", chdir("dir"));
    len = unix_addr(&un, "b5");
    res("bind", "relative to cwd", bind(s, (struct sockaddr *)&un, len));
    res("fchdir", "back for bind", fchdir(dfd));
    line("bind", "after relative to cwd", "%s", now_at("dir/b5"));
    close(s);
    int filefd = open("f", O_RDONLY | O_CLOEXEC);
    len = unix_addr(&un, "b6");
    res("bind", "not a socket ENOTSOCK", bind(filefd, (struct sockaddr *)&un, len));
    res("bind", "bad fd EBADF", bind(999, (struct sockaddr *)&un, len));
    /* The longest name sun_path holds: 107 bytes and the NUL. */
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, longname);
    res("bind", "107-byte name", bind(s, (struct sockaddr *)&un, len));
    line("bind", "after 107-byte name", "%s", now_at(un.sun_path));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "b7");
    res("bind", "length over sockaddr_un EINVAL", bind(s, (struct sockaddr *)&un, sizeof un + 8));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    memset(un.sun_path, 'm', sizeof un.sun_path);
    res("bind", "108-byte name, no NUL", bind(s, (struct sockaddr *)&un, sizeof un));
    un.sun_path[sizeof un.sun_path - 1] = 0;
    line("bind", "after 108-byte name, no NUL", "%s", now_at(un.sun_path));
    close(s);

    /* connect */
    static const struct {
        const char *cas, *path;
        int type;
    } cs[] = {
        {"stream sock", "sock", SOCK_STREAM},
        {"stream through symlink", "socklnk", SOCK_STREAM},
        {"stream dead ECONNREFUSED", "dead", SOCK_STREAM},
        {"stream missing ENOENT", "missing", SOCK_STREAM},
        {"stream file ECONNREFUSED", "f", SOCK_STREAM},
        {"stream dgram socket EPROTOTYPE", "dsock", SOCK_STREAM},
        {"stream sockro (0555)", "sockro", SOCK_STREAM},
        {"stream noperm/x", "noperm/x", SOCK_STREAM},
        {"stream f/x ENOTDIR", "f/x", SOCK_STREAM},
        {"stream dir", "dir", SOCK_STREAM},
        {"stream dlnk", "dlnk", SOCK_STREAM},
        {"stream loop1", "loop1", SOCK_STREAM},
        {"dgram dsock", "dsock", SOCK_DGRAM},
        {"dgram stream socket EPROTOTYPE", "sock", SOCK_DGRAM},
        {"dgram dead ECONNREFUSED", "dead", SOCK_DGRAM},
        {"nonblocking stream sock", "sock", SOCK_STREAM | SOCK_NONBLOCK},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        s = socket(AF_UNIX, cs[i].type | SOCK_CLOEXEC, 0);
        len = unix_addr(&un, cs[i].path);
        res("connect", cs[i].cas, connect(s, (struct sockaddr *)&un, len));
        close(s);
    }
    /* Take the connections made off the listeners' queues. */
    for (;;) {
        struct pollfd pf = {sock_stream, POLLIN, 0};
        if (poll(&pf, 1, 0) <= 0)
            break;
        int c = accept4(sock_stream, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            break;
        close(c);
    }
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "sock");
    res("connect", "stream twice, first", connect(s, (struct sockaddr *)&un, len));
    res("connect", "stream twice, second EISCONN", connect(s, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "dsock");
    res("sendto", "connected stream EISCONN", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    close(s);
    int c = accept4(sock_stream, NULL, NULL, SOCK_CLOEXEC);
    if (c >= 0)
        close(c);
    res("connect", "not a socket ENOTSOCK", connect(filefd, (struct sockaddr *)&un, len));
    res("connect", "bad fd EBADF", connect(999, (struct sockaddr *)&un, len));
    s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    res("connect", "dgram AF_UNSPEC disconnect",
        connect(s, (struct sockaddr *)&(struct sockaddr){.sa_family = AF_UNSPEC},
                sizeof(struct sockaddr)));
    close(s);

    /* sendto and sendmsg, to the datagram fixture. */
    s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "dsock");
    resn("sendto", "dsock", sendto(s, "hi", 2, 0, (struct sockaddr *)&un, len));
    drain("sendto", "dsock received");
    resn("sendto", "empty datagram", sendto(s, "", 0, 0, (struct sockaddr *)&un, len));
    drain("sendto", "empty datagram received");
    resn("sendto", "bad buffer EFAULT", sendto(s, (void *)8, 5, 0, (struct sockaddr *)&un, len));
    drain("sendto", "bad buffer received");
    resn("sendto", "dontwait", sendto(s, "dw", 2, MSG_DONTWAIT, (struct sockaddr *)&un, len));
    drain("sendto", "dontwait received");
    len = unix_addr(&un, "missing");
    resn("sendto", "missing ENOENT", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "dead");
    resn("sendto", "dead ECONNREFUSED", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "f");
    resn("sendto", "file ECONNREFUSED", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "sock");
    resn("sendto", "stream listener EPROTOTYPE", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "noperm/x");
    resn("sendto", "noperm/x", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "f/x");
    resn("sendto", "f/x ENOTDIR", sendto(s, "x", 1, 0, (struct sockaddr *)&un, len));
    len = unix_addr(&un, "dsock");
    resn("sendto", "not a socket ENOTSOCK", sendto(filefd, "x", 1, 0, (struct sockaddr *)&un, len));
    resn("sendto", "bad fd EBADF", sendto(999, "x", 1, 0, (struct sockaddr *)&un, len));
    resn("sendto", "short address EINVAL", sendto(s, "x", 1, 0, (struct sockaddr *)&un, 1));
    resn("sendto", "bad flags", sendto(s, "x", 1, 0x40000000, (struct sockaddr *)&un, len));
    drain("sendto", "bad flags received");
    resn("sendto", "MSG_OOB EOPNOTSUPP", sendto(s, "x", 1, MSG_OOB, (struct sockaddr *)&un, len));

    struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
    struct msghdr msg = {0};
    msg.msg_name = &un;
    msg.msg_namelen = len;
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    resn("sendmsg", "two pieces", sendmsg(s, &msg, 0));
    drain("sendmsg", "two pieces received");
    int pass = open("f", O_RDONLY | O_CLOEXEC);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &pass, sizeof pass);
    resn("sendmsg", "SCM_RIGHTS", sendmsg(s, &msg, 0));
    drain("sendmsg", "SCM_RIGHTS received");
    int badfd = 999;
    memcpy(CMSG_DATA(cm), &badfd, sizeof badfd);
    resn("sendmsg", "SCM_RIGHTS bad fd EBADF", sendmsg(s, &msg, 0));
    memcpy(CMSG_DATA(cm), &pass, sizeof pass);
    cm->cmsg_len = 4;
    resn("sendmsg", "bad cmsg_len EINVAL", sendmsg(s, &msg, 0));
    drain("sendmsg", "bad cmsg_len received");
    close(pass);
    msg.msg_control = NULL;
    msg.msg_controllen = 0;
    len = unix_addr(&un, "missing");
    msg.msg_namelen = len;
    resn("sendmsg", "missing ENOENT", sendmsg(s, &msg, 0));
    len = unix_addr(&un, "dead");
    msg.msg_namelen = len;
    resn("sendmsg", "dead ECONNREFUSED", sendmsg(s, &msg, 0));
    msg.msg_name = NULL;
    msg.msg_namelen = 0;
    resn("sendmsg", "no address, unconnected ENOTCONN", sendmsg(s, &msg, 0));
    msg.msg_iov = (void *)8;
    len = unix_addr(&un, "dsock");
    msg.msg_name = &un;
    msg.msg_namelen = len;
    resn("sendmsg", "bad iov EFAULT", sendmsg(s, &msg, 0));
    resn("sendmsg", "bad msghdr EFAULT", sendmsg(s, (void *)8, 0));
    msg.msg_iov = iov;
    resn("sendmsg", "not a socket ENOTSOCK", sendmsg(filefd, &msg, 0));
    drain("sendmsg", "leftovers received");

    struct mmsghdr mm[2];
    memset(mm, 0, sizeof mm);
    struct iovec one = {"m1", 2}, two = {"m2", 2};
    mm[0].msg_hdr.msg_name = &un;
    mm[0].msg_hdr.msg_namelen = len;
    mm[0].msg_hdr.msg_iov = &one;
    mm[0].msg_hdr.msg_iovlen = 1;
    mm[1].msg_hdr = mm[0].msg_hdr;
    mm[1].msg_hdr.msg_iov = &two;
    resn("sendmmsg", "two", syscall(SYS_sendmmsg, s, mm, 2, 0));
    line("sendmmsg", "lengths", "%u %u", mm[0].msg_len, mm[1].msg_len);
    drain("sendmmsg", "two received");
    struct sockaddr_un missing;
    socklen_t mlen = unix_addr(&missing, "missing");
    mm[1].msg_hdr.msg_name = &missing;
    mm[1].msg_hdr.msg_namelen = mlen;
    resn("sendmmsg", "second to missing", syscall(SYS_sendmmsg, s, mm, 2, 0));
    drain("sendmmsg", "second to missing received");
    mm[0].msg_hdr.msg_name = &missing;
    mm[0].msg_hdr.msg_namelen = mlen;
    resn("sendmmsg", "first to missing ENOENT", syscall(SYS_sendmmsg, s, mm, 2, 0));
    close(s);

    /* A connected datagram socket: a send without an address. */
    s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    len = unix_addr(&un, "dsock");
    res("connect", "dgram for send", connect(s, (struct sockaddr *)&un, len));
    msg.msg_name = NULL;
    msg.msg_namelen = 0;
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    resn("sendmsg", "connected, no address", sendmsg(s, &msg, 0));
    drain("sendmsg", "connected, no address received");
    pass = open("f", O_RDONLY | O_CLOEXEC);
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &pass, sizeof pass);
    resn("sendmsg", "connected SCM_RIGHTS", sendmsg(s, &msg, 0));
    drain("sendmsg", "connected SCM_RIGHTS received");
    close(pass);
    close(s);
    close(filefd);

    /* listen */
    s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    res("listen", "unix dgram EOPNOTSUPP", listen(s, 1));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    res("listen", "unix stream unbound EINVAL", listen(s, 1));
    close(s);
    s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    res("listen", "tcp unbound", listen(s, 1));
    close(s);
    res("listen", "bad fd EBADF", listen(999, 1));

    /* IPv4 and IPv6 on loopback (ports are never printed). */
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    res("bind", "udp loopback port 0", bind(u, (struct sockaddr *)&a4, sizeof a4));
    socklen_t a4len = sizeof a4;
    getsockname(u, (struct sockaddr *)&a4, &a4len);
    int u2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    resn("sendto", "udp loopback", sendto(u2, "udp", 3, 0, (struct sockaddr *)&a4, sizeof a4));
    char ubuf[16] = "";
    ssize_t un_ = recv(u, ubuf, sizeof ubuf - 1, MSG_DONTWAIT);
    line("sendto", "udp loopback received", "%zd \"%s\"", un_, un_ > 0 ? ubuf : "");
    res("connect", "udp loopback", connect(u2, (struct sockaddr *)&a4, sizeof a4));
    struct sockaddr_in short4 = a4;
    resn("sendto", "udp short address EINVAL",
         sendto(u2, "x", 1, 0, (struct sockaddr *)&short4, 4));
    close(u2);
    int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in free4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(t, (struct sockaddr *)&free4, sizeof free4);
    socklen_t flen = sizeof free4;
    getsockname(t, (struct sockaddr *)&free4, &flen);
    close(t);
    t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    res("connect", "tcp closed port ECONNREFUSED", connect(t, (struct sockaddr *)&free4, sizeof free4));
    close(t);
    t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in far4 = {.sin_family = AF_INET, .sin_port = htons(1)};
    inet_pton(AF_INET, "192.0.2.1", &far4.sin_addr);
    res("bind", "tcp foreign address EADDRNOTAVAIL", bind(t, (struct sockaddr *)&far4, sizeof far4));
    struct sockaddr_in low4 = {.sin_family = AF_INET, .sin_port = htons(1),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    res("bind", "tcp port 1", bind(t, (struct sockaddr *)&low4, sizeof low4));
    close(t);
    t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    res("bind", "tcp udp's port", bind(t, (struct sockaddr *)&a4, sizeof a4));
    res("bind", "tcp short address EINVAL", bind(t, (struct sockaddr *)&a4, 4));
    close(t);
    close(u);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    u = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    res("bind", "udp6 loopback port 0", bind(u, (struct sockaddr *)&a6, sizeof a6));
    socklen_t a6len = sizeof a6;
    getsockname(u, (struct sockaddr *)&a6, &a6len);
    u2 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    resn("sendto", "udp6 loopback", sendto(u2, "six", 3, 0, (struct sockaddr *)&a6, sizeof a6));
    un_ = recv(u, ubuf, sizeof ubuf - 1, MSG_DONTWAIT);
    line("sendto", "udp6 loopback received", "%zd \"%s\"", un_, un_ > 0 ? ubuf : "");
    struct sockaddr_in6 mapped = {.sin6_family = AF_INET6, .sin6_port = a4.sin_port};
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
    resn("sendto", "udp6 to v4-mapped", sendto(u2, "m", 1, 0, (struct sockaddr *)&mapped, sizeof mapped));
    close(u2);
    close(u);
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--exit"))
        return atoi(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: diff DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(argv[1]) < 0 || !getcwd(here, sizeof here)) {
        perror(argv[1]);
        return 2;
    }
    dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    setup();
    t_open();
    t_openat_creat();
    t_openat2();
    t_stat();
    t_access();
    t_readlink();
    t_mkdir_mknod();
    t_unlink_rmdir();
    t_rename();
    t_link_symlink();
    t_attrs();
    t_xattr();
    t_inotify();
    t_getdents();
    t_chdir();
    t_exec(argv[0]);
    t_net();
    /* Leave nothing a cleanup cannot remove. */
    chmod("noperm", 0700);
    chmod("rodir", 0700);
    printf("end %d lines\n", lines);
    return 0;
}
