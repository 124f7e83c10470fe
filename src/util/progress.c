/* Progress line/bar on stderr; see progress.h. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"

double sigmix_progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sigmix_progress_init(sigmix_progress *p, FILE *out, int tty, const char *label,
                          const char *item, const char *unit, double interval_s)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = tty;
    p->label = label;
    p->item = item;
    p->unit = unit;
    p->interval = interval_s > 0 ? interval_s : 30.0;
    p->redraw = 0.1;
    p->t0 = p->last = sigmix_progress_now();
}

static void fmt_eta(char *buf, size_t n, double s)
{
    if (!(s >= 0) || s > 99 * 3600.0) {
        snprintf(buf, n, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static int term_cols(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void sigmix_progress_update_at(sigmix_progress *p, double now, size_t done, size_t total,
                               size_t work_done, size_t work_left, int force)
{
    if (!force && now - p->last < (p->tty ? p->redraw : p->interval))
        return;
    p->last = now;
    double el = now - p->t0, rate = el > 0 ? (double)work_done / el : 0;
    char eta[32], text[256];
    if (work_left == 0)
        fmt_eta(eta, sizeof eta, 0);
    else
        fmt_eta(eta, sizeof eta, rate > 0 ? (double)work_left / rate : -1);
    int pct = total ? (int)((double)done * 100 / (double)total) : 100;
    snprintf(text, sizeof text, "%zu/%zu %s (%d%%)  %.2f %s/s  ETA %s", done, total, p->item,
             pct, rate, p->unit, eta);
    if (!p->tty) {
        fprintf(p->out, "%s: %s\n", p->label, text);
        fflush(p->out);
        return;
    }
    /* "LABEL [bar] TEXT" in at most cols-1 columns, so the line never wraps. */
    int cols = p->width > 0 ? p->width : term_cols(p->out);
    int fixed = (int)strlen(p->label) + 4 + (int)strlen(text);
    int bar = cols - 1 - fixed;
    char line[1024];
    if (bar >= 4) {
        char b[512];
        if (bar > (int)sizeof b - 1)
            bar = (int)sizeof b - 1;
        int fill = total ? (int)((double)done / (double)total * bar) : bar;
        for (int i = 0; i < bar; i++)
            b[i] = i < fill ? '#' : '.';
        b[bar] = '\0';
        snprintf(line, sizeof line, "%s [%s] %s", p->label, b, text);
    } else {
        snprintf(line, sizeof line, "%s %s", p->label, text);
        if (cols > 1 && (int)strlen(line) > cols - 1)
            line[cols - 1] = '\0';
    }
    fprintf(p->out, "\r\033[K%s", line);
    fflush(p->out);
    p->drawn = 1;
}

void sigmix_progress_update(sigmix_progress *p, size_t done, size_t total, size_t work_done,
                            size_t work_left, int force)
{
    sigmix_progress_update_at(p, sigmix_progress_now(), done, total, work_done, work_left, force);
}

void sigmix_progress_clear(sigmix_progress *p)
{
    if (p->tty && p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    p->drawn = 0;
}
