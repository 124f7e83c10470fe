/*
 * Tiny clip generator for the saliency tests: flat grey frames with one
 * bright square that moves (dx, dy) px per frame, written as raw yuv420p or
 * as YUV4MPEG2 (which libavformat reads as a container with geometry).
 */
#ifndef SIGMIX_TEST_SAL_GEN_H
#define SIGMIX_TEST_SAL_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gen_spec {
    int w, h, frames;
    int bg, fg;          /* luma of background and square */
    int x0, y0, size;    /* square at frame 0 */
    int dx, dy;          /* motion per frame */
} gen_spec;

static inline void gen_frame(const gen_spec *g, int t, uint8_t *buf)
{
    int cw = (g->w + 1) / 2, ch = (g->h + 1) / 2;
    int x0 = g->x0 + t * g->dx, y0 = g->y0 + t * g->dy;
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            int in = x >= x0 && x < x0 + g->size && y >= y0 && y < y0 + g->size;
            buf[(size_t)y * g->w + x] = (uint8_t)(in ? g->fg : g->bg);
        }
    memset(buf + (size_t)g->w * g->h, 128, 2 * (size_t)cw * ch);
}

/* Write the clip; y4m != 0 adds the YUV4MPEG2 headers. Returns 0 or -1. */
static inline int gen_write(const char *path, const gen_spec *g, int y4m)
{
    size_t fs = (size_t)g->w * g->h + 2 * (size_t)((g->w + 1) / 2) * ((g->h + 1) / 2);
    uint8_t *buf = malloc(fs);
    FILE *f = buf ? fopen(path, "wb") : NULL;
    if (!f) {
        free(buf);
        return -1;
    }
    if (y4m)
        fprintf(f, "YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n", g->w, g->h);
    for (int t = 0; t < g->frames; t++) {
        gen_frame(g, t, buf);
        if (y4m)
            fputs("FRAME\n", f);
        fwrite(buf, 1, fs, f);
    }
    free(buf);
    return fclose(f) ? -1 : 0;
}

#endif
