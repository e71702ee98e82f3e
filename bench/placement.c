/* SPDX-License-Identifier: MIT */
/*
 * placement - how far apart the two CPUs the benchmarks use are: two
 * threads, pinned to CPU A and CPU B, pass one cache line back and forth
 * (each waits for the other's value, then writes its own).  Prints the
 * median over a few passes of the nanoseconds per round trip.  On a VM it
 * tells where the hypervisor placed the two vCPUs: tens of nanoseconds
 * for hyperthreads of one core, about a hundred within a socket, several
 * hundred across sockets, and microseconds when one vCPU waits for a
 * physical CPU the other holds.
 *
 * usage: placement [-a cpu] [-b cpu] [-n round-trips]
 *        prints "placement: CPU A <-> CPU B: N ns per round trip (...)"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PASSES 7

struct line {
    _Alignas(64) atomic_ulong v;
};

static struct line ball;
static unsigned long trips = 100000;
static int cpu_b = 1;

static int pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The far side: answers every odd value with the next even one. */
static void *echo_main(void *arg)
{
    unsigned long n = 2 * trips * PASSES;

    (void)arg;
    pin(cpu_b); /* main() has checked that it can */
    for (unsigned long want = 1; want < n; want += 2) {
        while (atomic_load_explicit(&ball.v, memory_order_acquire) != want)
            ;
        atomic_store_explicit(&ball.v, want + 1, memory_order_release);
    }
    return NULL;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    double ns[PASSES];
    unsigned long v = 0;
    int cpu_a = 0, opt;
    pthread_t echo;

    while ((opt = getopt(argc, argv, "a:b:n:")) != -1) {
        if (opt == 'a')
            cpu_a = atoi(optarg);
        else if (opt == 'b')
            cpu_b = atoi(optarg);
        else if (opt == 'n')
            trips = strtoul(optarg, NULL, 10);
        else {
            fprintf(stderr, "usage: placement [-a cpu] [-b cpu] [-n trips]\n");
            return 2;
        }
    }
    if (trips == 0 || pin(cpu_b) < 0 || pin(cpu_a) < 0) {
        fprintf(stderr, "placement: cannot pin to CPU %d and %d\n", cpu_a,
                cpu_b);
        return 1;
    }
    if (pthread_create(&echo, NULL, echo_main, NULL) != 0)
        return 1;
    for (int p = 0; p < PASSES; p++) {
        double t0 = now_ns();

        for (unsigned long i = 0; i < trips; i++) {
            atomic_store_explicit(&ball.v, ++v, memory_order_release);
            while (atomic_load_explicit(&ball.v, memory_order_acquire) != v + 1)
                ;
            v++;
        }
        ns[p] = (now_ns() - t0) / (double)trips;
    }
    pthread_join(echo, NULL);
    qsort(ns, PASSES, sizeof(ns[0]), cmp_double);
    printf("placement: CPU %d <-> CPU %d: %.1f ns per round trip "
           "(median of %d passes of %lu, %.1f-%.1f)\n", cpu_a, cpu_b,
           ns[PASSES / 2], PASSES, trips, ns[0], ns[PASSES - 1]);
    return 0;
}
