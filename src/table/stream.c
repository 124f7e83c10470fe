/* Byte-stream input with gzip/zstd detection; see stream.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "table/stream.h"
#include "util/codecs.h"
#include "util/error.h"
#include "util/sha256.h"

enum { IN_BUF = 1 << 20 };

struct sigmix_stream {
    int                 fd;       /* -1 for memory input */
    const uint8_t      *mem;
    size_t              mem_size, mem_pos;
    sigmix_stream_codec codec;
    uint8_t            *in;       /* compressed input (or the sniffed head) */
    size_t              in_cap;
    size_t              in_len, in_pos;
    uint64_t            in_base;  /* file offset of in[0] */
    int                 in_eof;
    const sigmix_zlib_api *zl;    /* set for gzip input */
    const sigmix_zstd_api *zs;    /* set for zstd input */
    z_stream            z;
    int                 z_live;
    int                 z_member_end; /* last inflate ended a member */
    ZSTD_DCtx          *zd;
    uint64_t            file_size;
    size_t              zd_pending;   /* last ZSTD_decompressStream hint; 0 = frame done */
    int                 done;
    int                 own_fd;       /* 0 for standard input: not ours to close */
    uint64_t            produced;     /* bytes handed out so far */
    uint64_t            limit;        /* most bytes to hand out; 0 = no limit */
    int                 hashing;      /* SHA-256 of the raw bytes as they are read */
    struct sha256_ctx   sha;
    uint64_t            raw_bytes;    /* raw bytes read (and hashed) so far */
};

/* Hash in pieces this large, each right after read() put it in the cache. */
enum { HASH_PIECE = 256 << 10 };

static long raw_read1(sigmix_stream *s, uint8_t *buf, size_t n, sigmix_error *err)
{
    if (s->fd < 0) {
        size_t k = s->mem_size - s->mem_pos;
        if (k > n)
            k = n;
        memcpy(buf, s->mem + s->mem_pos, k);
        s->mem_pos += k;
        return (long)k;
    }
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r >= 0)
            return (long)r;
        if (errno != EINTR)
            return sigmix_error_set(err, SIGMIX_EIO, "read error: %s", strerror(errno));
    }
}

/* Every byte of the input comes through here, so the hash sees the file
 * exactly once, in order, while its bytes are still in the cache. */
static long raw_read(sigmix_stream *s, uint8_t *buf, size_t n, sigmix_error *err)
{
    if (!s->hashing)
        return raw_read1(s, buf, n, err);
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < HASH_PIECE ? n - got : HASH_PIECE;
        long r = raw_read1(s, buf + got, want, err);
        if (r < 0)
            return r;
        sha256_update(&s->sha, (size_t)r, buf + got);
        s->raw_bytes += (uint64_t)r;
        got += (size_t)r;
        if ((size_t)r < want)
            break; /* the end of the data (or a short read: the caller loops) */
    }
    return (long)got;
}

/* Refill the input buffer once it is used up. Returns 0 or an error. */
static int refill(sigmix_stream *s, sigmix_error *err)
{
    if (s->in_pos < s->in_len || s->in_eof)
        return 0;
    s->in_base += s->in_len;
    s->in_pos = s->in_len = 0;
    long r = raw_read(s, s->in, s->in_cap, err);
    if (r < 0)
        return (int)r;
    if (r == 0)
        s->in_eof = 1;
    s->in_len = (size_t)r;
    return 0;
}

static int ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), e = strlen(ext);
    return n >= e && !strcasecmp(s + n - e, ext);
}

/* Sniff the first bytes and set up the decoder. */
static int start(sigmix_stream *s, const char *name, sigmix_error *err)
{
    /* small inputs get a small buffer (the fuzzers read many tiny ones) */
    s->in_cap = s->file_size && s->file_size < IN_BUF ? (size_t)s->file_size : IN_BUF;
    s->in = malloc(s->in_cap); /* no calloc: it would touch every page */
    if (!s->in)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    memset(s->in, 0, s->in_cap < 4 ? s->in_cap : 4); /* only in_len bytes are read */
    /* Fill at least 4 bytes (or to the end) for the magic check, one page
     * at a time: a plain file is then read straight into the caller's
     * buffers, and the rest of this one is never touched (each fresh page
     * is a fault). */
    while (s->in_len < 4 && !s->in_eof) {
        size_t want = s->in_cap - s->in_len < 4096 ? s->in_cap - s->in_len : 4096;
        long r = raw_read(s, s->in + s->in_len, want, err);
        if (r < 0)
            return (int)r;
        if (r == 0)
            s->in_eof = 1;
        s->in_len += (size_t)r;
    }
    /* 0 bytes is a stream of nothing: each reader decides what an empty
     * table means for its format (JSON Lines: 0 rows). */
    static const uint8_t gz[2] = { 0x1f, 0x8b }, zs[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    if (s->in_len >= 2 && !memcmp(s->in, gz, 2))
        s->codec = SIGMIX_STREAM_GZIP;
    else if (s->in_len >= 4 && !memcmp(s->in, zs, 4))
        s->codec = SIGMIX_STREAM_ZSTD;
    else if (name && ends_with(name, ".gz"))
        return sigmix_error_set(err, SIGMIX_EFORMAT, "bad gzip data: not in gzip format (byte offset 0)");
    else if (name && ends_with(name, ".zst"))
        return sigmix_error_set(err, SIGMIX_EFORMAT, "bad zstd data: not in zstd format (byte offset 0)");
    if (s->codec == SIGMIX_STREAM_GZIP) {
        if (!(s->zl = sigmix_zlib(err)))
            return SIGMIX_EUNSUPPORTED;
        if (sigmix_inflate_init2(s->zl, &s->z, 16 + MAX_WBITS) != Z_OK)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (zlib)");
        s->z_live = 1;
    } else if (s->codec == SIGMIX_STREAM_ZSTD) {
        if (!(s->zs = sigmix_zstd(err)))
            return SIGMIX_EUNSUPPORTED;
        s->zd = s->zs->ZSTD_createDCtx();
        if (!s->zd)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (zstd)");
    }
    return 0;
}

static int finish_open(sigmix_stream *s, const char *name, sigmix_stream **out,
                       sigmix_error *err)
{
    int r = start(s, name, err);
    if (r) {
        sigmix_stream_close(&s);
        return r;
    }
    *out = s;
    return 0;
}

int sigmix_stream_open(const char *path, sigmix_stream **out, sigmix_error *err)
{
    *out = NULL;
    sigmix_stream *s = calloc(1, sizeof *s);
    if (!s)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    s->own_fd = strcmp(path, "-") != 0;
    s->fd = s->own_fd ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (s->fd < 0) {
        int e = errno;
        free(s);
        return sigmix_error_open(err, e);
    }
    struct stat st;
    if (!fstat(s->fd, &st) && S_ISDIR(st.st_mode)) {
        sigmix_stream_close(&s);
        return sigmix_error_set(err, SIGMIX_EIO, "cannot read: is a folder");
    }
    if (S_ISREG(st.st_mode))
        s->file_size = (uint64_t)st.st_size;
    return finish_open(s, path, out, err);
}

int sigmix_stream_open_mem(const void *data, size_t size, const char *name,
                           sigmix_stream **out, sigmix_error *err)
{
    *out = NULL;
    sigmix_stream *s = calloc(1, sizeof *s);
    if (!s)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    s->fd = -1;
    s->mem = data;
    s->mem_size = size;
    s->file_size = size;
    return finish_open(s, name, out, err);
}

static long read_plain(sigmix_stream *s, uint8_t *buf, size_t n, sigmix_error *err)
{
    size_t got = 0;
    if (s->in_pos < s->in_len) { /* the sniffed head first */
        got = s->in_len - s->in_pos < n ? s->in_len - s->in_pos : n;
        memcpy(buf, s->in + s->in_pos, got);
        s->in_pos += got;
    }
    while (got < n && !s->in_eof) {
        long r = raw_read(s, buf + got, n - got, err);
        if (r < 0)
            return r;
        if (r == 0)
            s->in_eof = 1;
        got += (size_t)r;
    }
    return (long)got;
}

static uint64_t in_offset(const sigmix_stream *s)
{
    return s->in_base + s->in_pos;
}

/* After a gzip member ends: another member, or the end of the data. */
static int next_member(sigmix_stream *s, sigmix_error *err)
{
    int r = refill(s, err);
    if (r)
        return r;
    if (s->in_pos == s->in_len) {
        s->done = 1;
        return 0;
    }
    if (s->in[s->in_pos] != 0x1f)
        return sigmix_error_set(err, SIGMIX_EFORMAT,
            "bad gzip data: trailing garbage after the compressed data (byte offset %llu)",
            (unsigned long long)in_offset(s));
    s->zl->inflateReset(&s->z);
    s->z_member_end = 0;
    return 0;
}

static long read_gzip(sigmix_stream *s, uint8_t *buf, size_t n, sigmix_error *err)
{
    size_t got = 0;
    while (got < n && !s->done) {
        int r = s->z_member_end ? next_member(s, err) : refill(s, err);
        if (r)
            return r;
        if (s->done)
            break;
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
        s->z.next_out = buf + got;
        s->z.avail_out = (uInt)want;
        int zr = s->zl->inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        got += want - s->z.avail_out;
        if (zr == Z_BUF_ERROR && s->in_eof && s->in_pos == s->in_len)
            /* no progress possible: the input ended inside a member */
            return sigmix_error_set(err, SIGMIX_EFORMAT, "truncated gzip data (byte offset %llu)",
                                    (unsigned long long)(s->in_base + s->in_len));
        if (zr == Z_STREAM_END)
            s->z_member_end = 1;
        else if (zr == Z_MEM_ERROR)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (zlib)");
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return sigmix_error_set(err, SIGMIX_EFORMAT, "bad gzip data: %s (byte offset %llu)",
                                    s->z.msg ? s->z.msg : "corrupt stream",
                                    (unsigned long long)in_offset(s));
    }
    return (long)got;
}

static long read_zstd(sigmix_stream *s, uint8_t *buf, size_t n, sigmix_error *err)
{
    size_t got = 0;
    while (got < n && !s->done) {
        int r = refill(s, err);
        if (r)
            return r;
        if (s->in_pos == s->in_len && !s->zd_pending) {
            s->done = 1;
            break;
        }
        ZSTD_inBuffer ib = { s->in, s->in_len, s->in_pos };
        ZSTD_outBuffer ob = { buf + got, n - got, 0 };
        size_t zr = s->zs->ZSTD_decompressStream(s->zd, &ob, &ib);
        s->in_pos = ib.pos;
        got += ob.pos;
        if (s->zs->ZSTD_isError(zr))
            return sigmix_error_set(err, SIGMIX_EFORMAT, "bad zstd data: %s (byte offset %llu)",
                                    s->zs->ZSTD_getErrorName(zr), (unsigned long long)in_offset(s));
        s->zd_pending = zr;
        if (zr && !ob.pos && s->in_eof && s->in_pos == s->in_len)
            /* the decoder wants more and there is none */
            return sigmix_error_set(err, SIGMIX_EFORMAT, "truncated zstd data (byte offset %llu)",
                                    (unsigned long long)(s->in_base + s->in_len));
    }
    return (long)got;
}

void sigmix_stream_hash(sigmix_stream *s)
{
    /* only before the first byte is handed out: the sniffed head was
     * read already, so it is hashed here */
    if (s->hashing)
        return;
    s->hashing = 1;
    sha256_init(&s->sha);
    sha256_update(&s->sha, s->in_len, s->in);
    s->raw_bytes = s->in_len;
}

int sigmix_stream_digest(sigmix_stream *s, char hex[65], uint64_t *bytes, sigmix_error *err)
{
    hex[0] = 0;
    if (!s->hashing)
        return 0;
    /* the rest of the file (a reader may stop before the end) */
    uint8_t buf[1 << 14];
    long r;
    while ((r = raw_read(s, buf, sizeof buf, err)) > 0)
        ;
    if (r < 0)
        return (int)r;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&s->sha, sizeof d, d);
    sigmix_sha256_hex(d, hex);
    if (bytes)
        *bytes = s->raw_bytes;
    return 0;
}

void sigmix_stream_set_limit(sigmix_stream *s, uint64_t limit)
{
    s->limit = limit;
}

long sigmix_stream_read(sigmix_stream *s, void *buf, size_t n, sigmix_error *err)
{
    if (n > (size_t)1 << 40)
        n = (size_t)1 << 40;
    /* Ask for at most one byte past the limit: enough to know it is
     * exceeded, and the decoder never expands more than that. */
    if (s->limit && n > s->limit - s->produced + 1)
        n = (size_t)(s->limit - s->produced + 1);
    long r;
    switch (s->codec) {
    case SIGMIX_STREAM_GZIP: r = read_gzip(s, buf, n, err); break;
    case SIGMIX_STREAM_ZSTD: r = read_zstd(s, buf, n, err); break;
    default:                 r = read_plain(s, buf, n, err); break;
    }
    if (r > 0) {
        s->produced += (uint64_t)r;
        if (s->limit && s->produced > s->limit)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "%sinput exceeds --max-input-bytes (%llu bytes)",
                                    s->codec == SIGMIX_STREAM_PLAIN ? "" : "decompressed ",
                                    (unsigned long long)s->limit);
    }
    return r;
}

uint64_t sigmix_stream_size_hint(const sigmix_stream *s)
{
    return s->codec == SIGMIX_STREAM_PLAIN ? s->file_size : 0;
}

uint64_t sigmix_stream_input_size(const sigmix_stream *s)
{
    return s->file_size;
}

void sigmix_stream_close(sigmix_stream **ps)
{
    sigmix_stream *s = ps ? *ps : NULL;
    if (!s)
        return;
    if (s->fd >= 0 && s->own_fd)
        close(s->fd);
    if (s->z_live)
        s->zl->inflateEnd(&s->z);
    if (s->zd)
        s->zs->ZSTD_freeDCtx(s->zd);
    free(s->in);
    free(s);
    *ps = NULL;
}
