/*
 * File operations in each region of a fixture tree, one line each:
 *
 *   OP REGION: RESULT
 *
 * RESULT is "ok" (with what was read, for reads) or the errno's name.
 * tests/kernel.rs runs it under husk with the same policy twice, once
 * with the categories Landlock can decide left to the kernel
 * (trace/kernel:on) and once with husk deciding every call
 * (trace/kernel:off): the lines must be equal.
 *
 *   kdiff DIR    DIR holds the regions the test made (rw, ro, wo, mk,
 *                md, none, lit), each with a file f and a directory sub.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int lines;

static void report(const char *op, const char *where, long ret, const char *extra)
{
	if (ret < 0)
		printf("%s %s: %s\n", op, where, strerrorname_np(errno));
	else
		printf("%s %s: ok%s%s\n", op, where, extra ? " " : "", extra ? extra : "");
	lines++;
}

static void path(char *buf, const char *region, const char *name)
{
	snprintf(buf, 4096, "%s/%s", region, name);
}

static void try_open(const char *op, const char *region, const char *name, int flags)
{
	char p[4096];
	path(p, region, name);
	int fd = open(p, flags, 0644);
	char got[64] = "";
	if (fd >= 0 && (flags & O_ACCMODE) != O_WRONLY && !(flags & O_DIRECTORY) &&
	    !(flags & O_PATH)) {
		ssize_t n = read(fd, got, sizeof got - 1);
		if (n < 0)
			snprintf(got, sizeof got, "read:%s", strerrorname_np(errno));
		else
			got[n] = 0;
		for (char *c = got; *c; c++)
			if (*c == '\n')
				*c = '_';
	}
	int saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
	report(op, p, fd, got[0] ? got : NULL);
}

static void region(const char *r)
{
	char p[4096], q[4096];
	try_open("open-rdonly", r, "f", O_RDONLY);
	try_open("open-wronly", r, "f", O_WRONLY);
	try_open("open-rdwr", r, "f", O_RDWR);
	try_open("open-append", r, "f", O_WRONLY | O_APPEND);
	try_open("open-rdonly-creat-existing", r, "f", O_RDONLY | O_CREAT);
	try_open("open-creat-existing", r, "f", O_WRONLY | O_CREAT);
	try_open("open-creat-excl-existing", r, "f", O_WRONLY | O_CREAT | O_EXCL);
	try_open("open-creat-new", r, "new1", O_WRONLY | O_CREAT);
	try_open("open-creat-excl-new", r, "new2", O_RDWR | O_CREAT | O_EXCL);
	try_open("open-creat-rdonly-new", r, "new5", O_RDONLY | O_CREAT);
	try_open("open-dir", r, "sub", O_RDONLY | O_DIRECTORY);
	try_open("open-dir-plain", r, "sub", O_RDONLY);
	try_open("open-self-dir", r, ".", O_RDONLY);
	try_open("open-dir-wronly", r, "sub", O_WRONLY);
	try_open("open-missing", r, "missing", O_RDONLY);
	try_open("open-missing-creat-dir", r, "missing/x", O_WRONLY | O_CREAT);
	try_open("open-notdir", r, "f/x", O_RDONLY);
	try_open("open-path", r, "f", O_PATH);
	try_open("open-sub-file", r, "sub/g", O_RDONLY);
	try_open("open-sub-file-write", r, "sub/g", O_WRONLY);
	try_open("open-tmpfile", r, ".", O_TMPFILE | O_RDWR);
	try_open("open-trunc-write", r, "t1", O_WRONLY | O_TRUNC);
	try_open("open-trunc-rdonly", r, "t2", O_RDONLY | O_TRUNC);
	try_open("open-creat-trunc", r, "t3", O_WRONLY | O_CREAT | O_TRUNC);
	try_open("open-creat-trunc-new", r, "new6", O_WRONLY | O_CREAT | O_TRUNC);

	path(p, r, "new3");
	report("creat", p, creat(p, 0644), NULL);
	path(p, r, "d1");
	report("mkdir-new", p, mkdir(p, 0755), NULL);
	path(p, r, "sub");
	report("mkdir-existing", p, mkdir(p, 0755), NULL);
	path(p, r, "missing/x");
	report("mkdir-missing-parent", p, mkdir(p, 0755), NULL);
	path(p, r, "d1/inner");
	report("mkdir-inner", p, mkdir(p, 0755), NULL);
	path(p, r, "l1");
	report("symlink-new", p, symlink("f", p), NULL);
	path(p, r, "f");
	report("symlink-existing", p, symlink("f", p), NULL);
	path(p, r, "t4");
	report("truncate", p, truncate(p, 1), NULL);
	path(p, r, "missing");
	report("truncate-missing", p, truncate(p, 0), NULL);
	path(p, r, "p1");
	report("mkfifo", p, mkfifo(p, 0644), NULL);
	path(p, r, "new1");
	path(q, r, "new4");
	report("rename", p, rename(p, q), NULL);
	report("unlink", q, unlink(q), NULL);
	path(p, r, "d1/inner");
	report("rmdir", p, rmdir(p), NULL);
	path(p, r, "sub");
	DIR *d = opendir(p);
	int n = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			n++;
		closedir(d);
		char count[16];
		snprintf(count, sizeof count, "%d", n);
		report("list", p, 0, count);
	} else {
		report("list", p, -1, NULL);
	}
	path(p, r, "f");
	struct stat st;
	report("stat", p, stat(p, &st), NULL);
	report("access-w", p, access(p, W_OK), NULL);
	/* Through the region's directory, relatively. */
	if (chdir(r) == 0) {
		try_open("open-relative", ".", "f", O_RDONLY);
		try_open("open-dotdot-rw", "..", "rw/f", O_RDONLY);
		try_open("open-dotdot-none", "..", "none/f", O_RDONLY);
		if (chdir("..") != 0)
			exit(2);
	} else {
		report("chdir", r, -1, NULL);
	}
}

int main(int argc, char **argv)
{
	static const char *regions[] = { "rw", "ro", "wo", "mk", "md", "none", "lit" };
	if (argc != 2 || chdir(argv[1]) != 0) {
		fprintf(stderr, "usage: kdiff DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	for (unsigned i = 0; i < sizeof regions / sizeof *regions; i++)
		region(regions[i]);
	/* Links between regions: the object decides, not the name. */
	try_open("link-to-none", "rw", "tonone", O_RDONLY);
	try_open("link-to-rw", "none", "torw", O_RDONLY);
	try_open("link-to-rw-write", "none", "torw", O_WRONLY);
	try_open("link-to-none-write", "rw", "tonone", O_WRONLY);
	try_open("lit-other", "lit", "h", O_RDONLY);
	try_open("lit-file", "lit", "f", O_RDONLY);
	printf("end %d lines\n", lines);
	return 0;
}
