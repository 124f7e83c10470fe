/*
 * Saliency benchmark helper.
 *   sal_bench gen DIR N W H FRAMES   encode N distinct H.264 clips (libx264
 *                                    through libavcodec, mp4 via libavformat)
 *   sal_bench decode REPS FILE...    time libavcodec decoding alone (one
 *                                    decoder thread, as sigmix does); prints
 *                                    the best of REPS in seconds and clips/s
 * Content: a textured gradient with moving squares and light noise, so the
 * decoder does realistic work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>

#include "sigmix/saliency.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec * 1e-6;
}

static void fill(AVFrame *f, int clip, int t)
{
    uint32_t s = 2654435761u * (uint32_t)(clip + 1) + (uint32_t)t * 40503u;
    for (int y = 0; y < f->height; y++) {
        uint8_t *row = f->data[0] + (size_t)y * f->linesize[0];
        for (int x = 0; x < f->width; x++) {
            s = s * 1664525u + 1013904223u;
            int v = 40 + (x * 3 + y * 2 + clip * 17) % 160 + (int)(s >> 29);
            int bx = (x - t * 9 - clip * 13) % 240, by = (y - t * 4) % 180;
            if (bx >= 0 && bx < 80 && by >= 0 && by < 60)
                v = 230 - (x + y) % 30;
            row[x] = (uint8_t)v;
        }
    }
    for (int p = 1; p < 3; p++)
        for (int y = 0; y < f->height / 2; y++)
            for (int x = 0; x < f->width / 2; x++)
                f->data[p][(size_t)y * f->linesize[p] + x] =
                    (uint8_t)(128 + ((x + y + clip * (p == 1 ? 5 : 11)) % 64) - 32);
}

static int write_packets(AVCodecContext *cc, AVFormatContext *fc, AVStream *st, AVFrame *fr)
{
    int r = avcodec_send_frame(cc, fr);
    AVPacket *pkt = av_packet_alloc();
    while (r >= 0) {
        r = avcodec_receive_packet(cc, pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) {
            r = 0;
            break;
        }
        if (r < 0)
            break;
        if (pkt->duration <= 0)
            pkt->duration = 1; /* else the mp4 edit list drops the last frame */
        av_packet_rescale_ts(pkt, cc->time_base, st->time_base);
        pkt->stream_index = st->index;
        r = av_interleaved_write_frame(fc, pkt);
    }
    av_packet_free(&pkt);
    return r;
}

static int gen_one(const char *path, int clip, int w, int h, int frames)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    AVFormatContext *fc = NULL;
    if (!codec || avformat_alloc_output_context2(&fc, NULL, NULL, path) < 0)
        return -1;
    AVStream *st = avformat_new_stream(fc, NULL);
    AVCodecContext *cc = avcodec_alloc_context3(codec);
    cc->width = w;
    cc->height = h;
    cc->pix_fmt = AV_PIX_FMT_YUV420P;
    cc->time_base = (AVRational){ 1, 25 };
    cc->framerate = (AVRational){ 25, 1 };
    cc->gop_size = 250;
    cc->max_b_frames = 0; /* no reordering: the mp4 edit list keeps every frame */
    cc->thread_count = 1;
    if (fc->oformat->flags & AVFMT_GLOBALHEADER)
        cc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(cc->priv_data, "preset", "veryfast", 0);
    av_opt_set(cc->priv_data, "crf", "23", 0);
    if (avcodec_open2(cc, codec, NULL) < 0 || avcodec_parameters_from_context(st->codecpar, cc) < 0)
        return -1;
    st->time_base = cc->time_base;
    if (avio_open(&fc->pb, path, AVIO_FLAG_WRITE) < 0 || avformat_write_header(fc, NULL) < 0)
        return -1;
    AVFrame *fr = av_frame_alloc();
    fr->width = w;
    fr->height = h;
    fr->format = AV_PIX_FMT_YUV420P;
    av_frame_get_buffer(fr, 0);
    for (int t = 0; t < frames; t++) {
        av_frame_make_writable(fr);
        fill(fr, clip, t);
        fr->pts = t;
        if (write_packets(cc, fc, st, fr) < 0)
            return -1;
    }
    write_packets(cc, fc, st, NULL);
    av_write_trailer(fc);
    av_frame_free(&fr);
    avcodec_free_context(&cc);
    avio_closep(&fc->pb);
    avformat_free_context(fc);
    return 0;
}

/* Decode the first max_frames frames; returns the count. */
static int decode_one(const char *path, int max_frames)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return -1;
    const AVCodec *dec = NULL;
    int s = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    AVCodecContext *cc = avcodec_alloc_context3(dec);
    avcodec_parameters_to_context(cc, fc->streams[s]->codecpar);
    cc->thread_count = 1;
    avcodec_open2(cc, dec, NULL);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int n = 0, eof = 0;
    while (n < max_frames && !eof) {
        if (av_read_frame(fc, pkt) < 0) {
            avcodec_send_packet(cc, NULL);
            eof = 1;
        } else if (pkt->stream_index == s) {
            avcodec_send_packet(cc, pkt);
        }
        av_packet_unref(pkt);
        while (n < max_frames && avcodec_receive_frame(cc, fr) >= 0) {
            n++;
            av_frame_unref(fr);
        }
    }
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    return n;
}

/*
 * The library path alone (no table file I/O): ROWS rows over NCLIPS clips,
 * built-in model, best of 3. Prints wall time and the CPU breakdown.
 */
static int run_lib(const char *dir, int nclips, int rows, int jobs)
{
    double best = 1e30;
    sigmix_saliency_report best_rep;
    memset(&best_rep, 0, sizeof best_rep);
    for (int rep_i = 0; rep_i < 3; rep_i++) {
        sigmix_table *t;
        sigmix_table_create(&t);
        sigmix_table_resize(t, (size_t)rows);
        sigmix_table_add_column(t, "src", SIGMIX_KIND_STRING, NULL);
        for (int r = 0; r < rows; r++) {
            char p[4096];
            int n = snprintf(p, sizeof p, "%s/clip%02d.mp4", dir, r % nclips);
            sigmix_table_set_string(t, 0, (size_t)r, p, (size_t)n);
        }
        sigmix_saliency_settings s;
        sigmix_saliency_default_settings(&s);
        s.jobs = jobs;
        sigmix_saliency_report rep;
        sigmix_error err = { 0 };
        double t0 = now_s();
        if (sigmix_saliency_run(t, &s, &rep, &err)) {
            fprintf(stderr, "sal_bench: %s\n", err.message);
            return 1;
        }
        double el = now_s() - t0;
        if (el < best) {
            best = el;
            best_rep = rep;
        }
        sigmix_table_free(&t);
    }
    printf("lib_wall_s=%.4f clips_per_s=%.1f ok=%zu cpu_decode_s=%.4f cpu_convert_s=%.4f "
           "cpu_model_s=%.4f cpu_reduce_s=%.4f\n", best, nclips / best,
           best_rep.by_status[SIGMIX_SAL_OK], best_rep.t_decode, best_rep.t_convert,
           best_rep.t_model, best_rep.t_reduce);
    return 0;
}

int main(int argc, char **argv)
{
    av_log_set_level(AV_LOG_ERROR);
    if (argc >= 7 && !strcmp(argv[1], "gen")) {
        int n = atoi(argv[3]), w = atoi(argv[4]), h = atoi(argv[5]), frames = atoi(argv[6]);
        for (int i = 0; i < n; i++) {
            char p[4096];
            snprintf(p, sizeof p, "%s/clip%02d.mp4", argv[2], i);
            if (gen_one(p, i, w, h, frames)) {
                fprintf(stderr, "sal_bench: cannot encode %s\n", p);
                return 1;
            }
        }
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "decode")) {
        int reps = atoi(argv[2]);
        double best = 1e30, best_cpu = 0;
        long frames = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = now_s(), c0 = cpu_s();
            frames = 0;
            for (int i = 3; i < argc; i++)
                frames += decode_one(argv[i], 8);
            double t = now_s() - t0;
            if (t < best) {
                best = t;
                best_cpu = cpu_s() - c0;
            }
        }
        printf("decode_s=%.4f cpu_s=%.4f frames=%ld clips_per_s=%.1f\n", best, best_cpu, frames,
               (argc - 3) / best);
        return 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "run"))
        return run_lib(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: sal_bench gen DIR N W H FRAMES | decode REPS FILE... | "
                    "run DIR NCLIPS ROWS JOBS\n");
    return 2;
}
