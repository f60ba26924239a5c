/* bt: the boot test's helper, linked statically into the initramfs.
 *
 *   bt drop UID GID PROG ARGS   setgroups(0), setgid, setuid, exec PROG
 *   bt status PROG ARGS         run PROG, print "exit N" or "signal N"
 *   bt serve PATH               bind a UNIX stream socket at PATH, listen,
 *                               accept and close connections forever
 *   bt connect PATH             connect to the UNIX socket PATH
 *   bt ptrace-parent            PTRACE_ATTACH to the parent
 *   bt io-uring                 io_uring_setup(1, ...)
 *   bt seccomp                  seccomp(SECCOMP_SET_MODE_FILTER, allow all)
 *   bt open PATH                open(PATH, O_RDONLY)
 *   bt truncate PATH            truncate(PATH, 0)
 *   bt append PATH              open(PATH, O_WRONLY | O_APPEND), write
 *   bt pidfd-signal PID         pidfd_open(PID), pidfd_send_signal(.., 0)
 *   bt thread-fds A B           a thread unshares its descriptor table,
 *                               puts B (read-write) where the process has
 *                               A, fstats it ("", AT_EMPTY_PATH) and
 *                               ftruncates it to 0: "ok" if both act on
 *                               B, "wrong file" (exit 1) if not
 *
 * Those print "ok" and exit 0 if the call worked, or print "errno NAME"
 * and exit 1 if it failed.
 *
 *   bt probe                    what this kernel has, asked directly (not
 *                               through husk), one "NAME yes|no" line each:
 *                               set_syscall_info, sync_wake_up,
 *                               wait_killable_recv, pidfd_thread, mseal,
 *                               and "landlock_abi N" (0: none)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Newer than some C libraries' headers: the kernel's numbers. */
#define PTRACE_GET_SYSCALL_INFO_ 0x420e
#define PTRACE_SET_SYSCALL_INFO_ 0x4212
#define NOTIF_SET_FLAGS_ _IOW('!', 4, unsigned long long)
#define FILTER_FLAG_NEW_LISTENER_ (1UL << 3)
#define FILTER_FLAG_WAIT_KILLABLE_RECV_ (1UL << 5)
#define PIDFD_THREAD_ O_EXCL
#define NR_pidfd_open_ 434
#define NR_pidfd_send_signal_ 424
#define NR_landlock_create_ruleset_ 444
#define NR_mseal_ 462

/* The names of the errnos the suite expects (glibc's strerrorname_np is
 * not in musl, which also builds bt). */
static const char *errno_name(int e)
{
	switch (e) {
#define E(n) \
	case n: \
		return #n
		E(EPERM); E(ENOENT); E(ESRCH); E(EIO); E(EBADF); E(EAGAIN);
		E(EACCES); E(EFAULT); E(EINVAL); E(ENOTTY); E(ENOSYS);
		E(ELOOP); E(EOPNOTSUPP); E(ECONNREFUSED); E(ENOEXEC);
#undef E
	}
	return "?";
}

static int result(long r)
{
	if (r >= 0) {
		puts("ok");
		return 0;
	}
	printf("errno %s\n", errno_name(errno));
	return 1;
}

static int unix_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a->sun_path) {
		fprintf(stderr, "bt: path too long\n");
		exit(2);
	}
	strcpy(a->sun_path, path);
	return socket(AF_UNIX, SOCK_STREAM, 0);
}

/* Installs an allow-all filter with flags in a child (the filter stays
 * there), and runs fn on the listener it gets: the child's exit status
 * is fn's (0: yes), or 1 if the filter was refused. */
static int with_listener(unsigned long flags, int (*fn)(int))
{
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
		struct sock_fprog p = {1, f};
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  FILTER_FLAG_NEW_LISTENER_ | flags, &p);
		_exit(fd < 0 ? 1 : fn ? fn(fd) : 0);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 2;
	return WEXITSTATUS(st);
}

static int sync_wake_up(int listener)
{
	return ioctl(listener, NOTIF_SET_FLAGS_, 1UL) ? 1 : 0;
}

/* PTRACE_SET_SYSCALL_INFO on a seized, interrupted child: EIO where the
 * kernel does not know the request. */
static int set_syscall_info(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		for (;;)
			pause();
	}
	int r = 2;
	char info[256];
	memset(info, 0, sizeof info);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0 && ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0 &&
	    waitpid(pid, NULL, __WALL) == pid) {
		long n = ptrace(PTRACE_GET_SYSCALL_INFO_, pid, (void *)sizeof info, info);
		if (n > 0) {
			long s = ptrace(PTRACE_SET_SYSCALL_INFO_, pid, (void *)n, info);
			r = s < 0 && errno == EIO ? 1 : 0;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
	return r;
}

static volatile pid_t thread_tid;
static volatile int thread_done;

static void *idle_thread(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	while (!thread_done)
		usleep(1000);
	return NULL;
}

static int pidfd_thread(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, idle_thread, NULL))
		return 2;
	while (!thread_tid)
		usleep(1000);
	long fd = syscall(NR_pidfd_open_, thread_tid, PIDFD_THREAD_);
	thread_done = 1;
	pthread_join(t, NULL);
	return fd < 0 ? 1 : 0;
}

static int mseal_works(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	return syscall(NR_mseal_, m, page, 0) ? 1 : 0;
}

static const char *yes_no(int r)
{
	return r == 0 ? "yes" : r == 1 ? "no" : "unknown";
}

static int probe(void)
{
	printf("set_syscall_info %s\n", yes_no(set_syscall_info()));
	printf("sync_wake_up %s\n", yes_no(with_listener(0, sync_wake_up)));
	printf("wait_killable_recv %s\n", yes_no(with_listener(FILTER_FLAG_WAIT_KILLABLE_RECV_, NULL)));
	printf("pidfd_thread %s\n", yes_no(pidfd_thread()));
	printf("mseal %s\n", yes_no(mseal_works()));
	long abi = syscall(NR_landlock_create_ruleset_, NULL, 0, 1UL);
	printf("landlock_abi %ld\n", abi < 0 ? 0 : abi);
	return 0;
}

static const char *fstat_a, *fstat_b;
static int fstat_fd;
static struct stat want_a, want_b;
static int fstat_verdict;

static void *fstat_thread(void *arg)
{
	(void)arg;
	struct stat st;
	/* A table of our own: our descriptor fstat_fd may now differ from
	 * the process leader's. */
	if (unshare(CLONE_FILES)) {
		fstat_verdict = result(-1);
		return NULL;
	}
	int b = open(fstat_b, O_RDWR | O_CLOEXEC);
	if (b < 0 || dup2(b, fstat_fd) < 0) {
		fstat_verdict = result(-1);
		return NULL;
	}
	close(b);
	/* The C library's call: newfstatat on 64-bit, fstatat64 or statx
	 * on 32-bit ARM; a path call with AT_EMPTY_PATH, which husk traps. */
	long r = fstatat(fstat_fd, "", &st, AT_EMPTY_PATH);
	if (r < 0) {
		fstat_verdict = result(r);
	} else if (st.st_dev == want_b.st_dev && st.st_ino == want_b.st_ino) {
		struct stat a, b2;
		r = ftruncate(fstat_fd, 0);
		if (r < 0) {
			fstat_verdict = result(r);
		} else if (stat(fstat_a, &a) || stat(fstat_b, &b2)) {
			fstat_verdict = result(-1);
		} else if (b2.st_size != 0 || a.st_size != want_a.st_size) {
			printf("wrong file: ftruncate: %s is %lld bytes, %s %lld\n", fstat_a,
			       (long long)a.st_size, fstat_b, (long long)b2.st_size);
			fstat_verdict = 1;
		} else {
			fstat_verdict = result(0);
		}
	} else {
		printf("wrong file: %s\n",
		       st.st_dev == want_a.st_dev && st.st_ino == want_a.st_ino ? fstat_a : "neither");
		fstat_verdict = 1;
	}
	return NULL;
}

static int thread_fstat(const char *a, const char *b)
{
	fstat_a = a;
	fstat_b = b;
	if (stat(a, &want_a) || stat(b, &want_b) || (fstat_fd = open(a, O_RDWR | O_CLOEXEC)) < 0) {
		perror("bt thread-fstat");
		return 2;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, fstat_thread, NULL))
		return 2;
	pthread_join(t, NULL);
	return fstat_verdict;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	const char *cmd = argv[1];

	if (!strcmp(cmd, "drop") && argc >= 5) {
		uid_t uid = atoi(argv[2]);
		gid_t gid = atoi(argv[3]);
		if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
			perror("bt drop");
			return 2;
		}
		execv(argv[4], argv + 4);
		perror("bt drop: exec");
		return 127;
	}
	if (!strcmp(cmd, "status") && argc >= 3) {
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		if (waitpid(pid, &st, 0) < 0)
			return 2;
		if (WIFSIGNALED(st))
			printf("signal %d\n", WTERMSIG(st));
		else
			printf("exit %d\n", WEXITSTATUS(st));
		return 0;
	}
	if (!strcmp(cmd, "serve") && argc == 3) {
		struct sockaddr_un a;
		int s = unix_addr(&a, argv[2]);
		unlink(argv[2]);
		if (s < 0 || bind(s, (void *)&a, sizeof a) || listen(s, 16)) {
			perror("bt serve");
			return 2;
		}
		for (;;) {
			int c = accept(s, NULL, NULL);
			if (c >= 0)
				close(c);
		}
	}
	if (!strcmp(cmd, "connect") && argc == 3) {
		struct sockaddr_un a;
		int s = unix_addr(&a, argv[2]);
		if (s < 0)
			return result(s);
		return result(connect(s, (void *)&a, sizeof a));
	}
	if (!strcmp(cmd, "ptrace-parent")) {
		pid_t pp = getppid();
		long r = ptrace(PTRACE_ATTACH, pp, 0, 0);
		if (r == 0) { /* it worked: let the parent go again */
			waitpid(pp, NULL, __WALL);
			ptrace(PTRACE_DETACH, pp, 0, 0);
		}
		return result(r);
	}
	if (!strcmp(cmd, "io-uring")) {
		char params[120];
		memset(params, 0, sizeof params);
		return result(syscall(SYS_io_uring_setup, 1, params));
	}
	if (!strcmp(cmd, "seccomp")) {
		struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
		struct sock_fprog p = {1, f};
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		return result(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p));
	}
	if (!strcmp(cmd, "open") && argc == 3)
		return result(open(argv[2], O_RDONLY));
	if (!strcmp(cmd, "append") && argc == 3) {
		int fd = open(argv[2], O_WRONLY | O_APPEND);
		if (fd < 0)
			return result(fd);
		return result(write(fd, "more\n", 5) == 5 ? 0 : -1);
	}
	if (!strcmp(cmd, "truncate") && argc == 3)
		return result(truncate(argv[2], 0));
	if (!strcmp(cmd, "pidfd-signal") && argc == 3) {
		long fd = syscall(NR_pidfd_open_, atoi(argv[2]), 0);
		if (fd < 0)
			return result(fd);
		return result(syscall(NR_pidfd_send_signal_, fd, 0, NULL, 0));
	}
	if (!strcmp(cmd, "thread-fds") && argc == 4)
		return thread_fstat(argv[2], argv[3]);
	if (!strcmp(cmd, "probe"))
		return probe();
usage:
	fprintf(stderr, "usage: bt drop|status|serve|connect|ptrace-parent|io-uring|seccomp|"
			"open|truncate|append|pidfd-signal|thread-fds|probe ...\n");
	return 2;
}
