/* os.c — everything gull asks of the operating system, behind one small
 * interface (mimalloc's "prim" layer): aligned chunks, returning pages,
 * the bounds of a thread's stack, the monotonic clock, the resident set.
 * Algorithm files call these and contain no #ifdef.
 */
#define GULL_BUILDING_LIBRARY
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#if GULL_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#endif
#if HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

/* Map size bytes aligned to align (a power of two): over-map by align and
 * trim both ends, so the result is exactly [p, p + size). */
void *os_map_aligned(size_t size, size_t align)
{
    size_t over = size + align;
    uint8_t *raw = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)raw;
    size_t tail = over - head - size;
    if (head)
        munmap(raw, head);
    if (tail)
        munmap((uint8_t *)start + size, tail);
#if GULL_ASAN
    /* LeakSanitizer does not scan mmap'd memory: without this, malloc'd
     * memory that only heap objects point to (a host's string bodies)
     * would be reported as leaked. */
    __lsan_register_root_region((void *)start, size);
#endif
    return (void *)start;
}

void os_unmap(void *p, size_t size)
{
    /* A later mapping may land here: it must not inherit free-cell poison. */
    os_unpoison(p, size);
#if GULL_ASAN
    __lsan_unregister_root_region(p, size);
#endif
    munmap(p, size);
}

/* The range stays mapped and reads back as zeros; the kernel takes the RAM. */
void os_decommit(void *p, size_t size)
{
    madvise(p, size, MADV_DONTNEED);
}

/* The hot end of the calling thread's stack (the highest address on the
 * downward-growing stacks of every platform gull runs on). */
void *os_stack_base(void)
{
#if HAVE_PTHREAD_GETATTR_NP
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *lo = NULL;
        size_t size = 0;
        int rc = pthread_attr_getstack(&attr, &lo, &size);
        pthread_attr_destroy(&attr);
        if (rc == 0 && lo)
            return (uint8_t *)lo + size;
    }
#endif
    /* Fallback: a local of the caller's caller's frame is close to the base
     * only if called early; hosts should pass stack_base explicitly. */
    return __builtin_frame_address(0);
}

uint64_t os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t os_thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t os_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (n != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* Free cells are made inaccessible to AddressSanitizer and Valgrind, so a
 * host's use of a freed object is reported where it happens. */
bool os_poisoning(void)
{
#if GULL_ASAN
    return true;
#elif HAVE_VALGRIND_MEMCHECK_H
    return RUNNING_ON_VALGRIND != 0;
#else
    return false;
#endif
}

void os_poison(void *p, size_t n)
{
#if GULL_ASAN
    ASAN_POISON_MEMORY_REGION(p, n);
#endif
#if HAVE_VALGRIND_MEMCHECK_H
    VALGRIND_MAKE_MEM_NOACCESS(p, n);
#endif
    (void)p, (void)n;
}

/* Under Valgrind, every object is a client block (as malloc's are), so a
 * host's use of a freed object is reported with the stacks of the
 * allocation and of the free.  Cheap no-ops when not under Valgrind. */
bool os_under_valgrind(void)
{
#if HAVE_VALGRIND_MEMCHECK_H
    return RUNNING_ON_VALGRIND != 0;
#else
    return false;
#endif
}

void os_object_alloc(void *p, size_t n)
{
#if HAVE_VALGRIND_MEMCHECK_H
    VALGRIND_MALLOCLIKE_BLOCK(p, n, 0, 1);
#endif
    (void)p, (void)n;
}

void os_object_free(void *p)
{
#if HAVE_VALGRIND_MEMCHECK_H
    VALGRIND_FREELIKE_BLOCK(p, 0);
#endif
    (void)p;
}

void os_unpoison(void *p, size_t n)
{
#if GULL_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
#if HAVE_VALGRIND_MEMCHECK_H
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
    (void)p, (void)n;
}
