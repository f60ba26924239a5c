/* Helpers shared by the test programs in tests/c. */
#ifndef HUSK_TEST_UTIL_H
#define HUSK_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A setup failure: says what, exits 2. */
static void die(const char *what) {
    perror(what);
    exit(2);
}

/* Monotonic seconds. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

#endif
