/*
 * Thread workloads for the supervisor tests.
 *
 *   threads open THREADS ITERATIONS FILE
 *       every thread opens, reads and closes FILE ITERATIONS times;
 *       prints "ok TOTAL" where TOTAL is the number of successful opens
 *   threads exit-from-thread CODE
 *       8 threads; one of them calls exit(CODE) while the others run
 *   threads leader-exits CODE
 *       the main thread ends with pthread_exit; the last of 8 threads
 *       calls exit(CODE)
 *   threads many N
 *       starts N threads that each sleep 5 s (small stacks); prints
 *       "started N" once all are running, then waits for them
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *file;
static int iterations;
static atomic_long opened;
static atomic_int finished;
static int code;

static void *opener(void *arg) {
    (void)arg;
    char buf[64];
    for (int i = 0; i < iterations; i++) {
        int fd = open(file, O_RDONLY);
        if (fd < 0)
            continue;
        if (read(fd, buf, sizeof buf) >= 0)
            atomic_fetch_add(&opened, 1);
        close(fd);
    }
    return NULL;
}

static void *spinner(void *arg) {
    long me = (long)arg;
    usleep(20000 + 1000 * me);
    if (me == 5)
        exit(code);
    for (;;)
        pause();
}

static void *last_one_exits(void *arg) {
    (void)arg;
    usleep(20000);
    if (atomic_fetch_add(&finished, 1) == 7)
        exit(code);
    for (;;)
        pause();
}

static void *sleeper(void *arg) {
    (void)arg;
    sleep(5);
    return NULL;
}

static int many(int n) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t *t = calloc(n, sizeof *t);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&t[i], &attr, sleeper, NULL)) {
            printf("failed at %d\n", i);
            return 1;
        }
    }
    printf("started %d\n", n);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "many"))
        return many(atoi(argv[2]));
    if (argc >= 5 && !strcmp(argv[1], "open")) {
        int threads = atoi(argv[2]);
        iterations = atoi(argv[3]);
        file = argv[4];
        pthread_t t[256];
        if (threads > 256)
            threads = 256;
        for (int i = 0; i < threads; i++)
            if (pthread_create(&t[i], NULL, opener, NULL))
                return 90;
        for (int i = 0; i < threads; i++)
            pthread_join(t[i], NULL);
        printf("ok %ld\n", atomic_load(&opened));
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "exit-from-thread")) {
        code = atoi(argv[2]);
        pthread_t t;
        for (long i = 0; i < 8; i++)
            pthread_create(&t, NULL, spinner, (void *)i);
        for (;;)
            pause();
    }
    if (argc >= 3 && !strcmp(argv[1], "leader-exits")) {
        code = atoi(argv[2]);
        pthread_t t;
        for (long i = 0; i < 8; i++)
            pthread_create(&t, NULL, last_one_exits, (void *)i);
        pthread_exit(NULL);
    }
    fprintf(stderr, "usage: threads open|exit-from-thread|leader-exits ...\n");
    return 2;
}
