/* Allocation wrappers behind allocfail.h (linked with -Wl,--wrap=...). */
#include "allocfail.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
int   __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

/* Under a sanitizer, SIGMIX_ALLOCFAIL_TRACE=1 prints the stack of each
 * failed allocation (to find which one a wrong error code comes from). */
void __sanitizer_print_stack_trace(void) __attribute__((weak));

/* Atomics: the library's worker threads allocate too. */
static atomic_long calls;
static atomic_long fail_at; /* 0: never */
static atomic_int  failed;

static int inject(void)
{
    long k = atomic_fetch_add(&calls, 1) + 1;
    if (k == atomic_load(&fail_at)) {
        atomic_store(&failed, 1);
        const char *trace = getenv("SIGMIX_ALLOCFAIL_TRACE");
        if (trace && *trace == '1' && __sanitizer_print_stack_trace)
            __sanitizer_print_stack_trace();
        return 1;
    }
    return 0;
}

int allocfail_inject(void); /* for allocfail_new.cpp */
int allocfail_inject(void)
{
    return inject();
}

void allocfail_arm(long n)
{
    atomic_store(&fail_at, 0);
    atomic_store(&calls, 0);
    atomic_store(&failed, 0);
    atomic_store(&fail_at, n);
}

long allocfail_disarm(void)
{
    atomic_store(&fail_at, 0);
    return atomic_load(&calls);
}

int allocfail_hit(void)
{
    return atomic_load(&failed);
}

void *allocfail_real_malloc(size_t n)
{
    return __real_malloc(n);
}

char *allocfail_real_strdup(const char *s)
{
    return __real_strdup(s);
}

long allocfail_next(long n, long total, long all_max, long head, long spread)
{
    const char *all = getenv("SIGMIX_ALLOCFAIL_ALL");
    if (n >= total)
        return 0;
    if (total <= all_max || (all && *all == '1') || n < head)
        return n + 1;
    long step = (total - head) / spread + 1;
    return n + step <= total ? n + step : 0;
}

void *__wrap_malloc(size_t n)
{
    if (inject()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t s)
{
    if (inject()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, s);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (inject()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    return inject() ? ENOMEM : __real_posix_memalign(p, a, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
    if (inject()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_aligned_alloc(a, n);
}

char *__wrap_strdup(const char *s)
{
    if (inject()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    if (inject()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strndup(s, n);
}
