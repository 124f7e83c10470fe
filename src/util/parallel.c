/* Fork/join over a few items (see parallel.h). */
#include "util/parallel.h"

#include <pthread.h>

void sigmix_parallel(void *(*fn)(void *), void *items, size_t size, size_t n)
{
    pthread_t th[SIGMIX_PARALLEL_MAX];
    int started[SIGMIX_PARALLEL_MAX] = { 0 };
    char *base = items;
    size_t k = n < SIGMIX_PARALLEL_MAX ? n : SIGMIX_PARALLEL_MAX;
    for (size_t i = 1; i < k; i++)
        started[i] = !pthread_create(&th[i], NULL, fn, base + i * size);
    if (n)
        fn(base);
    for (size_t i = 1; i < n; i++) {
        if (i < k && started[i])
            pthread_join(th[i], NULL);
        else
            fn(base + i * size);
    }
}
