/*
 * hidden-timing N HIDDEN MISSING: N times stat(HIDDEN), then N times
 * stat(MISSING), each call timed with CLOCK_MONOTONIC (a run of each,
 * so whatever a call leaves husk to do afterwards, its log line, weighs
 * on the next one of the same kind); prints the median and 10th
 * percentile of each in microseconds, and the ratio of the medians. Both must fail with ENOENT (exit 1 otherwise): the point is
 * whether their latency tells them apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static int cmp(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static long timed(const char *path) {
    struct stat st;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int r = stat(path, &st);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (r == 0 || errno != ENOENT) {
        fprintf(stderr, "hidden-timing: stat %s did not fail with ENOENT\n", path);
        exit(1);
    }
    return (b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4)
        return 2;
    int n = atoi(argv[1]);
    long *h = malloc(n * sizeof(long)), *m = malloc(n * sizeof(long));
    for (int i = 0; i < n; i++)
        h[i] = timed(argv[2]);
    for (int i = 0; i < n; i++)
        m[i] = timed(argv[3]);
    qsort(h, n, sizeof(long), cmp);
    qsort(m, n, sizeof(long), cmp);
    printf("hidden %6.1f us (p10 %6.1f)  missing %6.1f us (p10 %6.1f)  ratio %.2f\n",
           h[n / 2] / 1e3, h[n / 10] / 1e3, m[n / 2] / 1e3, m[n / 10] / 1e3,
           (double)h[n / 2] / m[n / 2]);
    return 0;
}
