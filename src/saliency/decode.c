/*
 * Clip decoding with FFmpeg's libraries. Containers go through libavformat
 * and libavcodec (one decoder thread: clips are parallelised instead); raw
 * .yuv files are read directly. Every frame ends up packed 8-bit yuv420p of
 * the target geometry; other formats or sizes go through libswscale with
 * SWS_BICUBIC and the frame's colour details, as `ffmpeg -pix_fmt yuv420p`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "saliency/internal.h"

enum { MAX_DIM = 32768 };
#define MAX_PIXELS ((int64_t)1 << 28)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int fail(char *msg, size_t n, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return status;
}

int sigmix_sal_is_raw(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcasecmp(path + n - 4, ".yuv");
}

static int geometry_ok(int w, int h)
{
    return w > 0 && h > 0 && w <= MAX_DIM && h <= MAX_DIM && (int64_t)w * h <= MAX_PIXELS;
}

void sigmix_sal_clip_free(sal_clip *c)
{
    if (c->refs)
        for (int i = 0; i < c->n; i++) {
            AVFrame *f = c->refs[i];
            av_frame_free(&f);
        }
    free(c->refs);
    free(c->frames);
    c->refs = NULL;
    c->frames = NULL;
    c->n = 0;
}

static int clip_init(sal_clip *c, int w, int h, int max_frames)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->h = h;
    c->frames = calloc((size_t)max_frames, sizeof *c->frames);
    c->refs = calloc((size_t)max_frames, sizeof *c->refs);
    return c->frames && c->refs ? 0 : -1;
}

static sal_frame view_of(const AVFrame *f)
{
    sal_frame v = { f->data[0], f->data[1], f->data[2], f->linesize[0], f->linesize[1],
                    f->linesize[2], f->width, f->height };
    return v;
}

static void clip_push(sal_clip *c, AVFrame *f)
{
    c->refs[c->n] = f;
    c->frames[c->n++] = view_of(f);
}

/* A fresh yuv420p frame of the clip's size, or NULL. */
static AVFrame *clip_alloc_frame(const sal_clip *c)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return NULL;
    f->width = c->w;
    f->height = c->h;
    f->format = AV_PIX_FMT_YUV420P;
    if (av_frame_get_buffer(f, 0) < 0)
        av_frame_free(&f);
    return f;
}

/* Convert src (any format/size) into a packed yuv420p frame of c's size. */
static int convert(struct SwsContext **sws, const uint8_t *const src[4], const int ss[4],
                   int sw, int sh, enum AVPixelFormat sf, int full_range, int colorspace,
                   sal_clip *c, AVFrame *dst)
{
    *sws = sws_getCachedContext(*sws, sw, sh, sf, c->w, c->h, AV_PIX_FMT_YUV420P,
                                SWS_BICUBIC, NULL, NULL, NULL);
    if (!*sws)
        return -1;
    int *inv, *tab, src_full, dst_full, bri, con, sat;
    if (sws_getColorspaceDetails(*sws, &inv, &src_full, &tab, &dst_full, &bri, &con, &sat) >= 0) {
        const int *coef = sws_getCoefficients(colorspace);
        if (full_range >= 0)
            src_full = full_range;
        sws_setColorspaceDetails(*sws, coef, src_full, coef, dst_full, bri, con, sat);
    }
    return sws_scale(*sws, src, ss, 0, sh, dst->data, dst->linesize) == c->h ? 0 : -1;
}

/* Keep a decoded frame: by reference when it already is yuv420p of the
 * clip's size, else converted into a new frame. */
static int store_frame(AVFrame *fr, sal_clip *c, struct SwsContext **sws)
{
    double t0 = now_s();
    int r = 0;
    if (fr->format == AV_PIX_FMT_YUV420P && fr->width == c->w && fr->height == c->h) {
        AVFrame *keep = av_frame_alloc();
        if (!keep)
            return -1;
        av_frame_move_ref(keep, fr);
        clip_push(c, keep);
    } else {
        AVFrame *dst = clip_alloc_frame(c);
        if (!dst)
            return -1;
        int full = fr->color_range == AVCOL_RANGE_JPEG ? 1
                 : fr->color_range == AVCOL_RANGE_MPEG ? 0 : -1;
        int cs = fr->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : (int)fr->colorspace;
        r = convert(sws, (const uint8_t *const *)fr->data, fr->linesize, fr->width, fr->height,
                    fr->format, full, cs, c, dst);
        if (r)
            av_frame_free(&dst);
        else
            clip_push(c, dst);
    }
    c->t_convert += now_s() - t0;
    return r;
}

/* Read one packed yuv420p frame into f's planes. */
static int read_yuv420p(FILE *in, AVFrame *f)
{
    int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    const int pw[3] = { f->width, cw, cw }, ph[3] = { f->height, ch, ch };
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < ph[p]; r++)
            if (fread(f->data[p] + (size_t)r * f->linesize[p], 1, (size_t)pw[p], in)
                != (size_t)pw[p])
                return -1;
    return 0;
}

static int stop(const sal_decode_opts *o)
{
    return o->cancel && *o->cancel;
}

static int decode_raw(int fd, const sal_decode_opts *o, sal_clip *c, char *msg, size_t n)
{
    int w = o->row_w, h = o->row_h;
    if (!(w > 0 && h > 0)) {
        w = o->def_w;
        h = o->def_h;
    }
    if (!(w > 0 && h > 0))
        return fail(msg, n, SIGMIX_SAL_MISSING_GEOMETRY, "raw clip without width/height");
    if (sigmix_sal_too_large(w, h, o->max_pixels, msg, n))
        return SIGMIX_SAL_MODEL_FAILED;
    if (!geometry_ok(w, h))
        return fail(msg, n, SIGMIX_SAL_MISSING_GEOMETRY, "geometry %dx%d out of range", w, h);
    enum AVPixelFormat fmt = o->raw_pix_fmt;
    int fsize = av_image_get_buffer_size(fmt, w, h, 1);
    if (fsize <= 0)
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "pixel format cannot hold %dx%d", w, h);
    int dfd = dup(fd);
    FILE *f = dfd >= 0 ? fdopen(dfd, "rb") : NULL;
    struct stat st;
    if (!f && dfd >= 0)
        close(dfd);
    if (!f || fstat(fileno(f), &st)) {
        if (f)
            fclose(f);
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "cannot open (%s)", strerror(errno));
    }
    int64_t avail = (int64_t)st.st_size / fsize;
    int frames = avail < o->max_frames ? (int)avail : o->max_frames;
    if (frames <= 0) {
        fclose(f);
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "no complete %dx%d frame", w, h);
    }
    int direct = fmt == AV_PIX_FMT_YUV420P;
    uint8_t *tmp = direct ? NULL : malloc((size_t)fsize);
    struct SwsContext *sws = NULL;
    int status = SIGMIX_SAL_OK;
    if (clip_init(c, w, h, frames) || (!direct && !tmp)) {
        status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "out of memory");
        goto done;
    }
    for (int i = 0; i < frames && !stop(o); i++) {
        double t0 = now_s();
        AVFrame *dst = clip_alloc_frame(c);
        if (!dst) {
            status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "out of memory");
            break;
        }
        clip_push(c, dst);
        int rd = direct ? read_yuv420p(f, dst)
                        : fread(tmp, 1, (size_t)fsize, f) == (size_t)fsize ? 0 : -1;
        if (rd) {
            status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "short read (frame %d)", i);
            break;
        }
        c->t_decode += now_s() - t0;
        if (!direct) {
            t0 = now_s();
            uint8_t *src[4];
            int ss[4];
            av_image_fill_arrays(src, ss, tmp, fmt, w, h, 1);
            if (convert(&sws, (const uint8_t *const *)src, ss, w, h, fmt, -1, SWS_CS_DEFAULT,
                        c, dst)) {
                status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "pixel conversion failed");
                break;
            }
            c->t_convert += now_s() - t0;
        }
    }
done:
    sws_freeContext(sws);
    free(tmp);
    fclose(f);
    if (status != SIGMIX_SAL_OK)
        sigmix_sal_clip_free(c);
    return status;
}

typedef struct dec_state {
    AVFormatContext *fc;
    AVCodecContext  *cc;
    AVPacket        *pkt;
    AVFrame         *fr;
    struct SwsContext *sws;
    AVIOContext     *pb;   /* ours: the one file the row names */
    int              fd;   /* its descriptor (owned by the caller) */
} dec_state;

static void dec_close(dec_state *d)
{
    sws_freeContext(d->sws);
    av_frame_free(&d->fr);
    av_packet_free(&d->pkt);
    avcodec_free_context(&d->cc);
    avformat_close_input(&d->fc);
    if (d->pb) {
        av_freep(&d->pb->buffer);
        avio_context_free(&d->pb);
    }
}

/*
 * Demuxers that open further resources (playlists, concat lists, image
 * sequences, external references) would bypass the root confinement. Only
 * self-contained video containers and elementary streams are accepted, and
 * every nested open through the context is refused as well.
 */
#define SAL_DEMUXERS "mov,mp4,matroska,webm,avi,mpegts,mpeg,flv,yuv4mpegpipe,ivf,h264,hevc," \
    "m4v,mpegvideo,obu,nut,asf,ogg,mjpeg,rawvideo"
static int refuse_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **opts)
{
    (void)s; (void)pb; (void)url; (void)flags; (void)opts;
    return AVERROR(EPERM);
}

/* Custom I/O on the descriptor that was checked: libavformat never opens a
 * path itself, so a file swapped after the check is not what gets decoded. */
static int fd_read(void *opaque, uint8_t *buf, int size)
{
    int fd = *(int *)opaque;
    for (;;) {
        ssize_t r = read(fd, buf, (size_t)size);
        if (r > 0)
            return (int)r;
        if (r == 0)
            return AVERROR_EOF;
        if (errno != EINTR)
            return AVERROR(errno);
    }
}

static int64_t fd_seek(void *opaque, int64_t off, int whence)
{
    int fd = *(int *)opaque;
    if (whence & AVSEEK_SIZE) {
        struct stat st;
        return fstat(fd, &st) ? AVERROR(errno) : (int64_t)st.st_size;
    }
    whence &= ~AVSEEK_FORCE;
    off_t r = lseek(fd, (off_t)off, whence);
    return r < 0 ? AVERROR(errno) : (int64_t)r;
}

static int open_input(dec_state *d, const char *path)
{
    enum { IOBUF = 1 << 16 };
    AVDictionary *opts = NULL;
    unsigned char *buf = av_malloc(IOBUF);
    if (!buf)
        return AVERROR(ENOMEM);
    d->pb = avio_alloc_context(buf, IOBUF, 0, &d->fd, fd_read, NULL, fd_seek);
    if (!d->pb) {
        av_free(buf);
        return AVERROR(ENOMEM);
    }
    int r;
    if (!(d->fc = avformat_alloc_context()))
        return AVERROR(ENOMEM);
    d->fc->pb = d->pb;
    d->fc->io_open = refuse_open;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    av_dict_set(&opts, "format_whitelist", SAL_DEMUXERS, 0);
    r = avformat_open_input(&d->fc, path, NULL, &opts); /* frees fc on failure */
    av_dict_free(&opts);
    return r;
}

/* Drain decoded frames into the clip. 1: enough frames, 0: more, <0 error. */
static int drain(dec_state *d, sal_clip *c, int max_frames)
{
    for (;;) {
        int r = avcodec_receive_frame(d->cc, d->fr);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r < 0)
            return r;
        r = store_frame(d->fr, c, &d->sws);
        av_frame_unref(d->fr);
        if (r)
            return AVERROR(ENOMEM);
        if (c->n >= max_frames)
            return 1;
    }
}

static int open_stream(dec_state *d, const char *path, int *sidx, char *msg, size_t n)
{
    char e[AV_ERROR_MAX_STRING_SIZE];
    int r = open_input(d, path);
    if (r < 0)
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "cannot open container (%s)",
                    av_make_error_string(e, sizeof e, r));
    const AVCodec *dec = NULL;
    int s = av_find_best_stream(d->fc, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    if (s < 0 || !dec || d->fc->streams[s]->codecpar->width <= 0) {
        /* Some containers only know their streams after probing packets. */
        if (avformat_find_stream_info(d->fc, NULL) >= 0)
            s = av_find_best_stream(d->fc, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    }
    if (s < 0 || !dec)
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "no decodable video stream");
    d->cc = avcodec_alloc_context3(dec);
    if (!d->cc || avcodec_parameters_to_context(d->cc, d->fc->streams[s]->codecpar) < 0)
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "out of memory");
    d->cc->thread_count = 1;
    r = avcodec_open2(d->cc, dec, NULL);
    if (r < 0)
        return fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "cannot open %s decoder (%s)", dec->name,
                    av_make_error_string(e, sizeof e, r));
    *sidx = s;
    return SIGMIX_SAL_OK;
}

static int decode_container(int fd, const char *path, const sal_decode_opts *o, sal_clip *c,
                            char *msg, size_t n)
{
    dec_state d = { 0 };
    d.fd = fd;
    int sidx = -1, status = open_stream(&d, path, &sidx, msg, n);
    if (status != SIGMIX_SAL_OK)
        goto done;
    const AVCodecParameters *par = d.fc->streams[sidx]->codecpar;
    int w = o->row_w, h = o->row_h;
    if (!(w > 0 && h > 0)) {
        w = par->width;
        h = par->height;
    }
    if (!(w > 0 && h > 0)) {
        w = o->def_w;
        h = o->def_h;
    }
    if (!(w > 0 && h > 0)) {
        status = fail(msg, n, SIGMIX_SAL_MISSING_GEOMETRY, "no geometry in row or container");
        goto done;
    }
    /* Before the first frame is decoded: the container's size decides the
     * decoder's buffers, whatever the row declares. */
    if (sigmix_sal_too_large(w, h, o->max_pixels, msg, n)
        || sigmix_sal_too_large(par->width, par->height, o->max_pixels, msg, n)) {
        status = SIGMIX_SAL_MODEL_FAILED;
        goto done;
    }
    if (!geometry_ok(w, h)) {
        status = fail(msg, n, SIGMIX_SAL_MISSING_GEOMETRY, "geometry %dx%d out of range", w, h);
        goto done;
    }
    d.pkt = av_packet_alloc();
    d.fr = av_frame_alloc();
    if (!d.pkt || !d.fr || clip_init(c, w, h, o->max_frames)) {
        status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "out of memory");
        goto done;
    }
    int r = 0, flushed = 0;
    while (r == 0 && !stop(o)) {
        double t0 = now_s();
        int rr = av_read_frame(d.fc, d.pkt);
        if (rr < 0) {
            avcodec_send_packet(d.cc, NULL);
            flushed = 1;
        } else if (d.pkt->stream_index == sidx) {
            rr = avcodec_send_packet(d.cc, d.pkt);
            /* A corrupt packet is skipped like the ffmpeg CLI does. */
            (void)rr;
        }
        av_packet_unref(d.pkt);
        double conv0 = c->t_convert;
        r = drain(&d, c, o->max_frames);
        c->t_decode += now_s() - t0 - (c->t_convert - conv0);
        if (flushed)
            break;
    }
    if (r < 0) {
        char e[AV_ERROR_MAX_STRING_SIZE];
        status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "decoding failed (%s)",
                      av_make_error_string(e, sizeof e, r));
    } else if (c->n == 0) {
        status = fail(msg, n, SIGMIX_SAL_DECODE_FAILED, "no frame decoded");
    }
done:
    dec_close(&d);
    if (status != SIGMIX_SAL_OK)
        sigmix_sal_clip_free(c);
    return status;
}

int sigmix_sal_decode_fd(int fd, const char *path, const sal_decode_opts *o, sal_clip *out,
                         char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    msg[0] = '\0';
    if (sigmix_sal_is_raw(path))
        return decode_raw(fd, o, out, msg, msglen);
    return decode_container(fd, path, o, out, msg, msglen);
}

int sigmix_sal_decode(const char *path, const sal_decode_opts *o, sal_clip *out,
                      char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    int fd = sigmix_sal_open_source(path, NULL, 1, msg, msglen);
    if (fd < 0)
        return SIGMIX_SAL_DECODE_FAILED;
    int r = sigmix_sal_decode_fd(fd, path, o, out, msg, msglen);
    close(fd);
    return r;
}

void sigmix_saliency_quiet_decoder_logs(void)
{
    av_log_set_level(AV_LOG_QUIET);
}
