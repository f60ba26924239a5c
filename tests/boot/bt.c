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
 *
 * The last four print "ok" and exit 0 if the call worked, or print
 * "errno NAME" and exit 1 if it failed.
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
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(long r)
{
	if (r >= 0) {
		puts("ok");
		return 0;
	}
	const char *n = strerrorname_np(errno);
	printf("errno %s\n", n ? n : "?");
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
usage:
	fprintf(stderr, "usage: bt drop|status|serve|connect|ptrace-parent|io-uring|seccomp ...\n");
	return 2;
}
