/* Batch input and segment list shared by the text readers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table/jsonrow.h"
#include "table/simdjson_shim.h"
#include "table/textread.h"
#include "util/error.h"
#include "util/cpu.h"
#include "util/prefault.h"

/* Both buffers at `alloc` bytes (+ padding), keeping what they hold. They
 * come on huge pages: two fresh 4 MiB buffers on 4 KiB pages take 2,048
 * page faults, tens of milliseconds on a virtual machine. */
static int alloc_bufs(sigmix_textin *in, size_t alloc)
{
    for (int i = 0; i < 2; i++) {
        char *b = sigmix_huge_alloc(alloc + SIGMIX_SJ_PADDING);
        if (!b)
            return SIGMIX_ENOMEM;
        if (in->buf[i])
            memcpy(b, in->buf[i], in->have[i]);
        free(in->buf[i]);
        memset(b + alloc, ' ', SIGMIX_SJ_PADDING);
        in->buf[i] = b;
    }
    in->alloc = alloc;
    return 0;
}

/* Batch buffers: a full batch, or less when the input is known small. */
static int init(sigmix_textin *in, sigmix_error *err)
{
    uint64_t plain = sigmix_stream_size_hint(in->st), packed = sigmix_stream_input_size(in->st);
    uint64_t want = plain ? plain + 1 : packed ? packed * 8 : SIGMIX_TEXT_BATCH;
    /* a full batch plus its padding is exactly 4 MiB: two huge pages */
    const size_t batch = SIGMIX_TEXT_BATCH - SIGMIX_SJ_PADDING;
    size_t alloc = want < 4096 ? 4096 : want > batch ? batch : (size_t)want;
    if (alloc_bufs(in, alloc)) {
        sigmix_textin_close(in);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    return 0;
}

uint64_t sigmix_text_limit(const sigmix_read_options *o)
{
    return o && o->max_input_bytes ? o->max_input_bytes : SIGMIX_MAX_INPUT_BYTES_DEFAULT;
}

int sigmix_textin_open(sigmix_textin *in, const char *path, const sigmix_read_options *o,
                       sigmix_error *err)
{
    memset(in, 0, sizeof *in);
    int r = sigmix_stream_open(path, &in->st, err);
    if (!r)
        sigmix_stream_set_limit(in->st, sigmix_text_limit(o));
    if (!r && o && o->digest)
        sigmix_stream_hash(in->st);
    return r ? r : init(in, err);
}

int sigmix_textin_open_mem(sigmix_textin *in, const void *data, size_t size,
                           const char *name, const sigmix_read_options *o, sigmix_error *err)
{
    memset(in, 0, sizeof *in);
    int r = sigmix_stream_open_mem(data, size, name, &in->st, err);
    if (!r)
        sigmix_stream_set_limit(in->st, sigmix_text_limit(o));
    if (!r && o && o->digest)
        sigmix_stream_hash(in->st);
    return r ? r : init(in, err);
}

int sigmix_textin_finish(sigmix_textin *in, const sigmix_read_options *o, sigmix_error *err)
{
    if (!o || !o->digest)
        return 0;
    return sigmix_stream_digest(in->st, o->digest->sha256, &o->digest->bytes, err);
}

void sigmix_textin_close(sigmix_textin *in)
{
    sigmix_stream_close(&in->st);
    free(in->buf[0]);
    free(in->buf[1]);
    memset(in, 0, sizeof *in);
}

/* Read into buf[i] from have[i] until full or the end of the data. */
static int fill(sigmix_textin *in, int i, sigmix_error *err)
{
    while (!in->eof[i] && in->have[i] < in->alloc) {
        long r = sigmix_stream_read(in->st, in->buf[i] + in->have[i], in->alloc - in->have[i], err);
        if (r < 0)
            return (int)r;
        if (r == 0)
            in->eof[i] = 1;
        in->have[i] += (size_t)r;
    }
    /* Keep the padding after the data blank so a row never runs into
     * stale bytes (simdjson reads but ignores them). */
    memset(in->buf[i] + in->have[i], ' ', SIGMIX_SJ_PADDING);
    return 0;
}

int sigmix_textin_first(sigmix_textin *in, sigmix_error *err)
{
    int r = fill(in, in->cur, err);
    char *b = in->buf[in->cur];
    if (!r && in->have[in->cur] >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3)) {
        memmove(b, b + 3, in->have[in->cur] - 3);
        in->have[in->cur] -= 3;
        in->base[in->cur] = 3;
        r = fill(in, in->cur, err);
    }
    return r;
}

int sigmix_textin_grow(sigmix_textin *in, sigmix_error *err)
{
    if (in->alloc > ((size_t)1 << 40) || alloc_bufs(in, in->alloc * 2))
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (a row longer than %zu bytes)",
                                in->alloc);
    return fill(in, in->cur, err);
}

int sigmix_textin_refill(sigmix_textin *in, size_t from, sigmix_error *err)
{
    int c = in->cur;
    if (from) {
        memmove(in->buf[c], in->buf[c] + from, in->have[c] - from);
        in->have[c] -= from;
        in->base[c] += from;
    } else if (in->have[c] == in->alloc) {
        return sigmix_textin_grow(in, err);
    }
    return fill(in, c, err);
}

void sigmix_textin_prepare_next(sigmix_textin *in, size_t end)
{
    int c = in->cur, n = !c;
    size_t tail = in->have[c] - end;
    memcpy(in->buf[n], in->buf[c] + end, tail);
    in->have[n] = tail;
    in->base[n] = in->base[c] + end;
    in->eof[n] = in->eof[c];
    in->next_code = 0;
    memset(&in->next_err, 0, sizeof in->next_err);
}

void sigmix_textin_read_next(void *arg)
{
    sigmix_textin *in = arg;
    in->next_code = fill(in, !in->cur, &in->next_err);
}

int sigmix_textin_next_result(sigmix_textin *in, sigmix_error *err)
{
    in->cur = !in->cur;
    if (in->next_code)
        return sigmix_error_set(err, in->next_code, "%s", in->next_err.message);
    return 0;
}

size_t sigmix_text_estimate_rows(sigmix_textin *in, size_t rows, unsigned long long done)
{
    uint64_t size = sigmix_stream_size_hint(in->st);
    if (!size || !rows || !done)
        return 0;
    if (done >= size)
        return rows; /* the whole input: nothing to reserve beyond it */
    double est = (double)rows * (double)size / (double)done * 1.02 + 64;
    return est < 1e12 ? (size_t)est : 0;
}

int sigmix_text_reserve(sigmix_textin *in, sigmix_table *t, unsigned long long done)
{
    uint64_t size = sigmix_stream_size_hint(in->st);
    size_t est = sigmix_text_estimate_rows(in, sigmix_table_rows(t), done);
    if (est)
        sigmix_table_reserve(t, est); /* a hint: failure is harmless */
    return est || !size;
}

size_t sigmix_text_threads(const sigmix_read_options *o)
{
    long n = o && o->threads > 0 ? o->threads : sigmix_cpu_count();
    if (n < 1)
        n = 1;
    if (n > SIGMIX_JWORKERS_MAX)
        n = SIGMIX_JWORKERS_MAX;
    return (size_t)n;
}
