/*
 * A small fork-join thread pool, one per run: the calling thread works as
 * thread 0 and T-1 workers wait on a condition variable between kernels.
 * Tasks are handed out through an atomic counter. Each thread owns a
 * growable scratch buffer (im2col columns, ConvTranspose columns). Waits
 * spin briefly before sleeping: a run makes ~20 fork-joins, and a futex
 * wake-up on a virtual machine can cost as much as a small kernel.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "onnx/pool.h"

struct ox_pool {
    int             n;
    pthread_t      *th;
    pthread_mutex_t mu;
    pthread_cond_t  start, done;
    void          (*fn)(void *, int, int);
    void           *ctx;
    int             ntasks, inited;
    atomic_int      active, quit;
    atomic_uint     gen;
    atomic_int      next;
    float         **scratch;
    size_t         *cap;
    atomic_int      oom;
    ox_gemm_fn      gemm;
    ox_dconv_fn     dconv;
    /* --profile: CPU time inside tasks, per thread for the current fork-join
     * (each thread writes only its own slot before it reports done) and summed */
    int             prof;
    int64_t        *call_ns;
    ox_pool_stats   st;
};

typedef struct worker_arg {
    ox_pool *p;
    int      id;
} worker_arg;

static int64_t thread_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void drain_tasks(ox_pool *p, int id)
{
    for (;;) {
        int t = atomic_fetch_add(&p->next, 1);
        if (t >= p->ntasks)
            return;
        p->fn(p->ctx, t, id);
    }
}

static void drain(ox_pool *p, int id)
{
    if (!p->prof) {
        drain_tasks(p, id);
        return;
    }
    int64_t t0 = thread_ns();
    drain_tasks(p, id);
    p->call_ns[id] = thread_ns() - t0;
}

#define SPIN 20000 /* polls before sleeping, a few tens of microseconds */

static void *worker(void *arg)
{
    ox_pool *p = ((worker_arg *)arg)->p;
    int id = ((worker_arg *)arg)->id;
    free(arg);
    unsigned seen = 0;
    for (;;) {
        for (int i = 0; i < SPIN && atomic_load(&p->gen) == seen && !atomic_load(&p->quit); i++)
            ;
        if (atomic_load(&p->gen) == seen) {
            pthread_mutex_lock(&p->mu);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->start, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit))
            return NULL;
        seen = atomic_load(&p->gen);
        drain(p, id);
        if (atomic_fetch_sub(&p->active, 1) == 1) {
            pthread_mutex_lock(&p->mu); /* the caller checks active under the lock */
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

ox_pool *sigmix_ox_pool_new(int threads)
{
    ox_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    sigmix_ox_pool_set_isa(p, sigmix_ox_isa_best());
    p->scratch = calloc((size_t)p->n, sizeof *p->scratch);
    p->cap = calloc((size_t)p->n, sizeof *p->cap);
    p->th = calloc((size_t)p->n, sizeof *p->th);
    p->call_ns = calloc((size_t)p->n, sizeof *p->call_ns);
    if (!p->scratch || !p->cap || !p->th || !p->call_ns) {
        sigmix_ox_pool_free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    p->inited = 1;
    int started = 1;
    for (int k = 1; k < p->n; k++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a)
            break;
        a->p = p;
        a->id = k;
        if (pthread_create(&p->th[k], NULL, worker, a)) {
            free(a);
            break;
        }
        started++;
    }
    p->n = started; /* run with the threads we got */
    return p;
}

void sigmix_ox_pool_free(ox_pool *p)
{
    if (!p)
        return;
    if (p->inited) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->quit, 1);
        pthread_cond_broadcast(&p->start);
        pthread_mutex_unlock(&p->mu);
        for (int k = 1; k < p->n; k++)
            pthread_join(p->th[k], NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->start);
        pthread_cond_destroy(&p->done);
    }
    for (int k = 0; p->scratch && k < p->n; k++)
        free(p->scratch[k]);
    free(p->scratch);
    free(p->cap);
    free(p->th);
    free(p->call_ns);
    free(p);
}

int sigmix_ox_pool_threads(const ox_pool *p) { return p->n; }

void sigmix_ox_pool_give(ox_pool *p, int thread, float *buf, size_t cap)
{
    free(p->scratch[thread]);
    p->scratch[thread] = buf;
    p->cap[thread] = buf ? cap : 0;
}

float *sigmix_ox_pool_take(ox_pool *p, int thread, size_t *cap)
{
    float *b = p->scratch[thread];
    *cap = p->cap[thread];
    p->scratch[thread] = NULL;
    p->cap[thread] = 0;
    return b;
}

int sigmix_ox_pool_oom(const ox_pool *p) { return atomic_load(&((ox_pool *)p)->oom); }

float *sigmix_ox_scratch(ox_pool *p, int thread, size_t n)
{
    if (p->cap[thread] < n) {
        free(p->scratch[thread]);
        p->scratch[thread] = n <= SIZE_MAX / sizeof(float) ? malloc(n * sizeof(float)) : NULL;
        p->cap[thread] = p->scratch[thread] ? n : 0;
        if (!p->scratch[thread]) {
            atomic_store(&p->oom, 1);
            return NULL;
        }
    }
    return p->scratch[thread];
}

void sigmix_ox_parallel(ox_pool *p, void (*fn)(void *, int, int), void *ctx, int ntasks)
{
    if (ntasks <= 0)
        return;
    int64_t c0 = p->prof ? thread_ns() : 0;
    if (p->n == 1 || ntasks == 1) {
        for (int t = 0; t < ntasks; t++)
            fn(ctx, t, 0);
        if (p->prof) { /* serial: all of it is work and span */
            int64_t d = thread_ns() - c0;
            p->st.busy_ns += d;
            p->st.span_ns += d;
            p->st.caller_ns += d;
        }
        return;
    }
    for (int k = 0; p->prof && k < p->n; k++)
        p->call_ns[k] = 0;
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next, 0);
    atomic_store(&p->active, p->n - 1);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add(&p->gen, 1); /* publishes fn/ctx/ntasks to spinning workers */
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    drain(p, 0);
    for (int i = 0; i < SPIN && atomic_load(&p->active) > 0; i++)
        ;
    if (atomic_load(&p->active) > 0) {
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&p->active) > 0)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
    if (p->prof) { /* every worker stored its slot before decrementing active */
        int64_t mx = 0;
        for (int k = 0; k < p->n; k++) {
            p->st.busy_ns += p->call_ns[k];
            mx = p->call_ns[k] > mx ? p->call_ns[k] : mx;
        }
        p->st.span_ns += mx;
        p->st.caller_ns += thread_ns() - c0;
        p->st.forks++;
    }
}

void sigmix_ox_pool_profile(ox_pool *p, int on)
{
    p->prof = on;
}

void sigmix_ox_pool_stats(const ox_pool *p, ox_pool_stats *st)
{
    *st = p->st;
}

int64_t sigmix_ox_thread_ns(void)
{
    return thread_ns();
}

ox_gemm_fn sigmix_ox_pool_gemm(const ox_pool *p)
{
    return p->gemm;
}

ox_dconv_fn sigmix_ox_pool_dconv(const ox_pool *p)
{
    return p->dconv;
}

int sigmix_ox_pool_set_isa(ox_pool *p, int isa)
{
    ox_gemm_fn f = isa >= 0 && isa < OX_ISA_N ? sigmix_ox_gemm_variant(isa) : NULL;
    if (!f)
        return -1;
    p->gemm = f;
    p->dconv = sigmix_ox_dconv_variant(isa);
    return 0;
}
