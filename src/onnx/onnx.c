/* Public entry points of the ONNX runner: load, free, describe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx/internal.h"
#include "util/error.h"

/* Largest model file accepted: the saliency networks are < 1 MiB. */
#define MAX_MODEL_BYTES ((size_t)1 << 30)

void sigmix_onnx_default_settings(sigmix_onnx_settings *s)
{
    *s = (sigmix_onnx_settings){ .threads = 0, .pad = 1,
                                 .max_model_memory = SIGMIX_ONNX_DEFAULT_MAX_MEMORY,
                                 .blas_threads = 1 };
}

/* A model whose input size is fixed is planned once here, so a model that can
 * never run within max_model_memory is refused at load time. */
static int check_fixed_size(const sigmix_onnx_model *m, sigmix_error *err)
{
    const ox_valueinfo *vi = &m->raw.inputs[m->input_info];
    if (vi->ndim != 4)
        return 0;
    for (int k = 0; k < 4; k++)
        if (vi->dims[k] <= 0)
            return 0;
    sigmix_onnx_plan p;
    int rc = sigmix_onnx_plan_memory(m, vi->dims[2], vi->dims[3], &p, err);
    if (rc || !p.limit_bytes || p.peak_bytes <= p.limit_bytes)
        return rc;
    ox_plan q = { .pub = p };
    return sigmix_ox_plan_check(m, &q, err);
}

int sigmix_onnx_load_buffer(const void *data, size_t size, const sigmix_onnx_settings *s,
                            sigmix_onnx_model **out, sigmix_error *err)
{
    sigmix_error_clear(err);
    sigmix_error local = { 0, "" };
    if (!err)
        err = &local;
    if (!out)
        return sigmix_error_set(err, SIGMIX_EINVAL, "missing argument");
    *out = NULL;
    if (!data && size)
        return sigmix_error_set(err, SIGMIX_EINVAL, "missing argument");
    sigmix_onnx_model *m = calloc(1, sizeof *m);
    if (!m)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    sigmix_arena_init(&m->arena);
    if (pthread_mutex_init(&m->cache_mu, NULL)) {
        free(m);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "cannot create a mutex");
    }
    m->cache_init = 1;
    if (s)
        m->settings = *s;
    else
        sigmix_onnx_default_settings(&m->settings);
    int rc = sigmix_ox_parse(data ? data : "", size, &m->arena, &m->raw, err);
    if (!rc)
        rc = sigmix_ox_compile(m, err);
    if (!rc)
        rc = check_fixed_size(m, err);
    if (rc) {
        rc = err->code ? err->code : SIGMIX_EMODEL;
        sigmix_onnx_free(&m);
        return rc;
    }
    *out = m;
    return 0;
}

int sigmix_onnx_load(const char *path, const sigmix_onnx_settings *s, sigmix_onnx_model **out,
                     sigmix_error *err)
{
    sigmix_error_clear(err);
    if (out)
        *out = NULL;
    if (!path || !out)
        return sigmix_error_set(err, SIGMIX_EINVAL, "missing argument");
    /* O_NONBLOCK: a FIFO or device path must fail below, not block in open() */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return sigmix_error_set(err, e == ENOENT ? SIGMIX_ENOTFOUND : SIGMIX_EIO,
                                "cannot open model (%s)", strerror(e));
    }
    struct stat st;
    if (fstat(fileno(f), &st)) {
        int e = errno;
        fclose(f);
        return sigmix_error_set(err, SIGMIX_EIO, "cannot read model (%s)", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        return sigmix_error_set(err, SIGMIX_EIO, "not a regular file (%s)",
                                S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a pipe"
                                : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                : S_ISSOCK(st.st_mode) ? "a socket" : "a special file");
    }
    if ((uint64_t)st.st_size > MAX_MODEL_BYTES) {
        fclose(f);
        return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "model file larger than 1 GiB");
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    size_t got = fread(buf, 1, n, f);
    int e = ferror(f) ? errno : 0;
    fclose(f);
    if (got != n) {
        free(buf);
        return sigmix_error_set(err, SIGMIX_EIO, "cannot read model (%s)",
                                e ? strerror(e) : "the file shrank while being read");
    }
    int rc = sigmix_onnx_load_buffer(buf, n, s, out, err);
    free(buf);
    return rc;
}

void sigmix_onnx_free(sigmix_onnx_model **m)
{
    if (!m || !*m)
        return;
    sigmix_arena_free(&(*m)->arena);
    for (int k = 0; k < (*m)->ncache; k++)
        free((*m)->cache[k]);
    if ((*m)->cache_init)
        pthread_mutex_destroy(&(*m)->cache_mu);
    free(*m);
    *m = NULL;
}

int sigmix_onnx_pad_multiple(const sigmix_onnx_model *m)
{
    return m ? m->pad_multiple : 1;
}

int sigmix_onnx_io_info(const sigmix_onnx_model *m, int is_output, int index, sigmix_onnx_io *io)
{
    if (!m || !io || index < 0)
        return SIGMIX_EINVAL;
    const ox_valueinfo *vi = NULL;
    if (is_output) {
        if ((size_t)index < m->raw.noutputs)
            vi = &m->raw.outputs[index];
    } else {
        /* only the real input: initializers may be listed as inputs too */
        if (index == 0)
            vi = &m->raw.inputs[m->input_info];
    }
    if (!vi)
        return SIGMIX_ENOTFOUND;
    memset(io, 0, sizeof *io);
    io->name = vi->name;
    io->elem_type = vi->elem_type;
    io->ndim = vi->ndim;
    for (int k = 0; k < vi->ndim && k < SIGMIX_ONNX_MAXDIM; k++) {
        io->dims[k] = vi->dims[k];
        io->dim_names[k] = vi->dim_names[k];
    }
    return 0;
}

int sigmix_onnx_op_info(const sigmix_onnx_model *m, int index, const char **op_type, int *count)
{
    if (!m || index < 0)
        return SIGMIX_EINVAL;
    if (index >= m->nops)
        return SIGMIX_ENOTFOUND;
    if (op_type)
        *op_type = m->op_names[index];
    if (count)
        *count = m->op_counts[index];
    return 0;
}

size_t sigmix_onnx_weight_count(const sigmix_onnx_model *m)
{
    return m ? m->weight_count : 0;
}

int sigmix_onnx_opset(const sigmix_onnx_model *m, int64_t *ir_version)
{
    if (!m)
        return 0;
    if (ir_version)
        *ir_version = m->raw.ir_version;
    return (int)m->raw.opset;
}
