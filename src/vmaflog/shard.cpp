// vmaf-logs shard files: the writer and the strict reader (simdjson DOM,
// one document per line). Layout in sigmix/vmaflog.h.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

extern "C" {
#include "util/error.h"
#include "util/jsonw.h"
#include "util/utf8.h"
}
#include "vmaflog/internal.h"

using namespace simdjson;

struct sigmix_vmaflog_shard {
    sigmix_vmaflog_shard_header h;
    sigmix_vmaflog_shard_entry *e = nullptr;
    size_t n = 0;
};

namespace {

// ---- writing ----------------------------------------------------------------

// A JSON string, or {"hex":".."} when s is not valid UTF-8 (lossless).
void put_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    size_t len = strlen(s), bad;
    if (sigmix_utf8_valid(s, len, &bad)) {
        size_t q = sigmix_json_quote(s, len, nullptr);
        char small[512];
        char *buf = q < sizeof small ? small : static_cast<char *>(malloc(q + 1));
        if (!buf) {
            fputs("\x01", f); // poisons the line; the caller sees ferror or the reader refuses
            return;
        }
        sigmix_json_quote(s, len, buf);
        fwrite(buf, 1, q, f);
        if (buf != small)
            free(buf);
        return;
    }
    fputs("{\"hex\":\"", f);
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%02x", static_cast<unsigned char>(s[i]));
    fputs("\"}", f);
}

void put_num(FILE *f, double v)
{
    if (std::isnan(v))
        fputs("\"nan\"", f);
    else
        fprintf(f, "\"%a\"", v);
}

void put_head(FILE *f, size_t index, const char *path)
{
    fprintf(f, "{\"log\":%zu,\"path\":", index);
    put_str(f, path);
}

// ---- reading ----------------------------------------------------------------

struct reader {
    sigmix_error *err;
    size_t line;
};

int bad(reader &r, const char *what)
{
    return sigmix_error_set(r.err, SIGMIX_EFORMAT, "line %zu: %s", r.line, what);
}

// Text (string or {"hex":..}) into a malloc'd C string.
int get_str(reader &r, simdjson_result<dom::element> res, char **out, const char *what)
{
    *out = nullptr;
    dom::element el;
    if (res.get(el))
        return bad(r, what);
    std::string_view sv;
    if (el.get_string().get(sv) == SUCCESS) {
        if (memchr(sv.data(), '\0', sv.size()))
            return bad(r, what);
        char *s = static_cast<char *>(malloc(sv.size() + 1));
        if (!s)
            return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
        memcpy(s, sv.data(), sv.size());
        s[sv.size()] = '\0';
        *out = s;
        return 0;
    }
    dom::object o;
    if (el.get_object().get(o) || o.size() != 1 || o["hex"].get_string().get(sv)
        || sv.size() % 2)
        return bad(r, what);
    char *s = static_cast<char *>(malloc(sv.size() / 2 + 1));
    if (!s)
        return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < sv.size() / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = sv[2 * i + static_cast<size_t>(k)];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) {
                free(s);
                return bad(r, what);
            }
            v = v * 16 + d;
        }
        if (!v) {
            free(s);
            return bad(r, what);
        }
        s[i] = static_cast<char>(v);
    }
    s[sv.size() / 2] = '\0';
    *out = s;
    return 0;
}

// A hex-float text as written by put_num.
int get_num(reader &r, simdjson_result<dom::element> el, double *v, const char *what)
{
    std::string_view sv;
    if (el.get_string().get(sv) || sv.empty() || sv.size() > 40)
        return bad(r, what);
    char tmp[48];
    memcpy(tmp, sv.data(), sv.size());
    tmp[sv.size()] = '\0';
    if (!strcmp(tmp, "nan")) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    double x = strtod(tmp, &end);
    if (*end || end == tmp)
        return bad(r, what);
    *v = x;
    return 0;
}

int get_str(reader &r, dom::element el, char **out, const char *what)
{
    return get_str(r, simdjson_result<dom::element>(std::move(el)), out, what);
}

int get_num(reader &r, dom::element el, double *v, const char *what)
{
    return get_num(r, simdjson_result<dom::element>(std::move(el)), v, what);
}

int get_uint(reader &r, simdjson_result<dom::element> el, uint64_t max, uint64_t *v, const char *what)
{
    uint64_t x;
    if (el.get_uint64().get(x) || x > max)
        return bad(r, what);
    *v = x;
    return 0;
}

// Exactly these keys, in any order.
bool keys_are(dom::object o, const char *const *keys, size_t n)
{
    if (o.size() != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        dom::element e;
        if (o[keys[i]].get(e))
            return false;
    }
    return true;
}

int parse_header(reader &r, dom::element el, sigmix_vmaflog_shard_header *h)
{
    static const char *const keys[] = { "sigmix_vmaf_logs_shard", "shard", "of", "logs", "mode",
                                        "stats", "input_sha256", "config_sha256" };
    dom::object o;
    uint64_t ver, k, n, logs, stats;
    std::string_view mode, ish, csh;
    if (el.get_object().get(o) || !keys_are(o, keys, 8))
        return bad(r, "not a vmaf-logs shard header");
    if (get_uint(r, o["sigmix_vmaf_logs_shard"], 1, &ver, "unknown shard file version")
        || ver != 1)
        return bad(r, "unknown shard file version");
    if (get_uint(r, o["of"], 100000, &n, "bad shard count") || n < 1
        || get_uint(r, o["shard"], n - 1, &k, "shard number out of range")
        || get_uint(r, o["logs"], UINT64_C(1) << 40, &logs, "bad log count")
        || get_uint(r, o["stats"], 64, &stats, "bad statistics count"))
        return r.err->code;
    if (o["mode"].get_string().get(mode) || (mode != "per-clip" && mode != "per-frame"))
        return bad(r, "bad mode");
    if (o["input_sha256"].get_string().get(ish) || ish.size() != 64
        || o["config_sha256"].get_string().get(csh) || csh.size() != 64)
        return bad(r, "bad sha256");
    for (char c : std::string(ish) + std::string(csh))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return bad(r, "bad sha256");
    h->k = static_cast<int>(k);
    h->n = static_cast<int>(n);
    h->logs = static_cast<size_t>(logs);
    h->nstats = static_cast<size_t>(stats);
    h->per_frame = mode == "per-frame";
    memcpy(h->input_sha256, ish.data(), 64);
    h->input_sha256[64] = '\0';
    memcpy(h->config_sha256, csh.data(), 64);
    h->config_sha256[64] = '\0';
    return 0;
}

int format_of(std::string_view s, sigmix_vmaflog_format *f)
{
    for (int i = SIGMIX_VMAFLOG_JSON; i <= SIGMIX_VMAFLOG_SUB; i++)
        if (s == sigmix_vmaflog_format_name(static_cast<sigmix_vmaflog_format>(i))) {
            *f = static_cast<sigmix_vmaflog_format>(i);
            return 0;
        }
    return -1;
}

int parse_log(reader &r, dom::object o, int per_frame, size_t nstats,
              sigmix_vmaflog_shard_entry *e)
{
    static const char *const clip_keys[] = { "log", "path", "format", "version", "fps",
                                             "frames", "metrics", "pooled" };
    static const char *const frame_keys[] = { "log", "path", "format", "version", "fps",
                                              "frames", "metrics", "frame_num", "values" };
    if (per_frame ? !keys_are(o, frame_keys, 9) : !keys_are(o, clip_keys, 8))
        return bad(r, per_frame ? "not a per-frame log line" : "not a per-clip log line");
    sigmix_vmaflog *L = static_cast<sigmix_vmaflog *>(calloc(1, sizeof *L));
    if (!L)
        return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
    e->log = L;
    std::string_view fmt;
    if (o["format"].get_string().get(fmt) || format_of(fmt, &L->format))
        return bad(r, "bad format");
    dom::element ver = o["version"];
    if (!ver.is_null()) {
        char *v;
        if (get_str(r, ver, &v, "bad version"))
            return r.err->code;
        L->version = v;
    }
    dom::element fps = o["fps"];
    L->fps = NAN;
    if (!fps.is_null() && get_num(r, fps, &L->fps, "bad fps"))
        return r.err->code;
    uint64_t frames;
    if (get_uint(r, o["frames"], UINT64_C(1) << 40, &frames, "bad frame count"))
        return r.err->code;
    L->nframes = static_cast<size_t>(frames);
    dom::array ms;
    if (o["metrics"].get_array().get(ms))
        return bad(r, "bad metrics");
    size_t nm = ms.size();
    if (nm) {
        L->metrics = static_cast<sigmix_vmaflog_metric *>(calloc(nm, sizeof *L->metrics));
        if (!L->metrics)
            return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
    }
    for (dom::element m : ms) {
        dom::array pair;
        if (m.get_array().get(pair) || pair.size() != 2)
            return bad(r, "bad metric name pair");
        char *name, *source;
        if (get_str(r, pair.at(1), &source, "bad metric name"))
            return r.err->code;
        sigmix_vmaflog_metric *mt = &L->metrics[L->nmetrics++];
        mt->source = source;
        mt->name = source;
        if (get_str(r, pair.at(0), &name, "bad metric name"))
            return r.err->code;
        if (!strcmp(name, source))
            free(name);
        else
            mt->name = name;
    }
    if (!per_frame) {
        dom::array pa;
        if (o["pooled"].get_array().get(pa) || pa.size() != nm * nstats)
            return bad(r, "pooled values do not match the metrics and statistics");
        if (nm != 0 && nstats != 0) {
            e->pooled = static_cast<double *>(malloc(nm * nstats * sizeof *e->pooled));
            if (!e->pooled)
                return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
        }
        size_t i = 0;
        for (dom::element v : pa)
            if (get_num(r, v, &e->pooled[i++], "bad pooled value"))
                return r.err->code;
        return 0;
    }
    dom::array fa, va;
    if (o["frame_num"].get_array().get(fa) || fa.size() != L->nframes)
        return bad(r, "frame_num does not match the frame count");
    if (o["values"].get_array().get(va) || va.size() != nm)
        return bad(r, "values do not match the metrics");
    size_t nf = L->nframes ? L->nframes : 1;
    L->frame_num = static_cast<int64_t *>(malloc(nf * sizeof *L->frame_num));
    if (!L->frame_num)
        return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
    size_t i = 0;
    for (dom::element v : fa) {
        int64_t x;
        if (v.get_int64().get(x) || x < 0)
            return bad(r, "bad frame number");
        L->frame_num[i++] = x;
    }
    size_t m = 0;
    for (dom::element col : va) {
        dom::array ca;
        if (col.get_array().get(ca) || ca.size() != L->nframes)
            return bad(r, "values do not match the frame count");
        sigmix_vmaflog_metric *mt = &L->metrics[m++];
        mt->values = static_cast<double *>(malloc(nf * sizeof *mt->values));
        mt->present = static_cast<uint8_t *>(calloc(nf, 1));
        if (!mt->values || !mt->present)
            return sigmix_error_set(r.err, SIGMIX_ENOMEM, "out of memory");
        size_t j = 0;
        for (dom::element v : ca) {
            if (v.is_null()) {
                mt->values[j++] = NAN;
                continue;
            }
            if (get_num(r, v, &mt->values[j], "bad value"))
                return r.err->code;
            mt->present[j++] = 1;
        }
    }
    return 0;
}

void free_entry(sigmix_vmaflog_shard_entry *e)
{
    free(const_cast<char *>(e->path));
    free(const_cast<char *>(e->error));
    sigmix_vmaflog_free(&e->log);
    free(e->pooled);
}

int parse_all(const char *buf, size_t len, sigmix_vmaflog_shard *s,
              sigmix_error *err)
{
    reader r{ err, 0 };
    dom::parser parser;
    size_t pos = 0;
    size_t cap = 0;
    while (pos < len) {
        const char *nl = static_cast<const char *>(memchr(buf + pos, '\n', len - pos));
        if (!nl)
            return sigmix_error_set(err, SIGMIX_EFORMAT, "line %zu: cut short (no newline)",
                                    r.line + 1);
        size_t ll = static_cast<size_t>(nl - (buf + pos));
        r.line++;
        // The line is followed by padding-safe bytes: the rest of buf or
        // the caller's padding, so simdjson may read past ll.
        dom::element el;
        if (error_code e = parser.parse(buf + pos, ll, false).get(el))
            return e == MEMALLOC ? sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory")
                                 : bad(r, "not valid JSON");
        pos += ll + 1;
        if (r.line == 1) {
            if (parse_header(r, el, &s->h))
                return err->code;
            continue;
        }
        if (s->n == s->h.logs)
            return bad(r, "more lines than the header's log count");
        if (s->n == cap) { // grows with the lines read, not with the header's claim
            size_t nc = cap ? 2 * cap : 64;
            void *ne = realloc(s->e, nc * sizeof *s->e);
            if (!ne)
                return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
            s->e = static_cast<sigmix_vmaflog_shard_entry *>(ne);
            memset(s->e + cap, 0, (nc - cap) * sizeof *s->e);
            cap = nc;
        }
        dom::object o;
        if (el.get_object().get(o))
            return bad(r, "not an object");
        sigmix_vmaflog_shard_entry *e = &s->e[s->n++];
        uint64_t idx;
        char *path = nullptr;
        if (get_uint(r, o["log"], UINT64_C(1) << 40, &idx, "bad log index")
            || get_str(r, o["path"], &path, "bad path"))
            return err->code;
        e->index = static_cast<size_t>(idx);
        e->path = path;
        dom::element msg;
        if (o["error"].get(msg) == SUCCESS) {
            static const char *const keys[] = { "log", "path", "error" };
            char *m;
            if (!keys_are(o, keys, 3))
                return bad(r, "not an error line");
            if (get_str(r, msg, &m, "bad error message"))
                return err->code;
            e->error = m;
            continue;
        }
        if (parse_log(r, o, s->h.per_frame, s->h.nstats, e))
            return err->code;
    }
    if (!r.line)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "line 1: empty file, no header");
    if (s->n != s->h.logs)
        return sigmix_error_set(err, SIGMIX_EFORMAT, "line %zu: %zu log lines, the header says "
                                "%zu (cut short?)", r.line, s->n, s->h.logs);
    return 0;
}

} // namespace

extern "C" {

int sigmix_vmaflog_shard_write_header(FILE *f, const sigmix_vmaflog_shard_header *h)
{
    fprintf(f, "{\"sigmix_vmaf_logs_shard\":1,\"shard\":%d,\"of\":%d,\"logs\":%zu,"
               "\"mode\":\"%s\",\"stats\":%zu,\"input_sha256\":\"%s\",\"config_sha256\":\"%s\"}\n",
            h->k, h->n, h->logs, h->per_frame ? "per-frame" : "per-clip", h->nstats, h->input_sha256,
            h->config_sha256);
    return ferror(f) ? SIGMIX_EIO : 0;
}

int sigmix_vmaflog_shard_write_log(FILE *f, size_t index, const char *path,
                                   const sigmix_vmaflog *log, int per_frame,
                                   const double *pooled, size_t nstats)
{
    put_head(f, index, path);
    fprintf(f, ",\"format\":\"%s\",\"version\":", sigmix_vmaflog_format_name(log->format));
    put_str(f, log->version);
    fputs(",\"fps\":", f);
    if (std::isnan(log->fps))
        fputs("null", f);
    else
        put_num(f, log->fps);
    fprintf(f, ",\"frames\":%zu,\"metrics\":[", log->nframes);
    for (size_t m = 0; m < log->nmetrics; m++) {
        fputs(m ? ",[" : "[", f);
        put_str(f, log->metrics[m].name);
        fputc(',', f);
        put_str(f, log->metrics[m].source);
        fputc(']', f);
    }
    if (!per_frame) {
        fputs("],\"pooled\":[", f);
        for (size_t i = 0; pooled && i < log->nmetrics * nstats; i++) {
            if (i)
                fputc(',', f);
            put_num(f, pooled[i]);
        }
        fputs("]}\n", f);
        return ferror(f) ? SIGMIX_EIO : 0;
    }
    fputs("],\"frame_num\":[", f);
    for (size_t i = 0; i < log->nframes; i++)
        fprintf(f, i ? ",%lld" : "%lld", static_cast<long long>(log->frame_num[i]));
    fputs("],\"values\":[", f);
    for (size_t m = 0; m < log->nmetrics; m++) {
        const sigmix_vmaflog_metric *mt = &log->metrics[m];
        fputs(m ? ",[" : "[", f);
        for (size_t i = 0; i < log->nframes; i++) {
            if (i)
                fputc(',', f);
            if (mt->present[i])
                put_num(f, mt->values[i]);
            else
                fputs("null", f);
        }
        fputc(']', f);
    }
    fputs("]}\n", f);
    return ferror(f) ? SIGMIX_EIO : 0;
}

int sigmix_vmaflog_shard_write_error(FILE *f, size_t index, const char *path,
                                     const char *message)
{
    put_head(f, index, path);
    fputs(",\"error\":", f);
    put_str(f, message);
    fputs("}\n", f);
    return ferror(f) ? SIGMIX_EIO : 0;
}

int sigmix_vmaflog_shard_parse(const char *buf, size_t len,
                               sigmix_vmaflog_shard **out, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *out = nullptr;
    sigmix_vmaflog_shard *s = new (std::nothrow) sigmix_vmaflog_shard();
    if (!s)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    int r;
    try {
        r = parse_all(buf, len, s, err);
    } catch (...) { // simdjson's allocations
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    if (r) {
        sigmix_vmaflog_shard_free(&s);
        return r;
    }
    *out = s;
    return 0;
}

int sigmix_vmaflog_shard_read(const char *path, sigmix_vmaflog_shard **out,
                              sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    *out = nullptr;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return sigmix_error_open(err, errno);
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return sigmix_error_set(err, SIGMIX_EIO, "not a regular file");
    }
    size_t n = static_cast<size_t>(st.st_size), got = 0;
    char *buf = static_cast<char *>(malloc(n + SIGMIX_VMAFLOG_PADDING + 1));
    while (buf && got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0)
            break;
        got += static_cast<size_t>(k);
    }
    close(fd);
    if (!buf)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory for %zu bytes", n);
    if (got != n) {
        free(buf);
        return sigmix_error_set(err, SIGMIX_EIO, "read error");
    }
    memset(buf + n, 0, SIGMIX_VMAFLOG_PADDING + 1);
    int r = sigmix_vmaflog_shard_parse(buf, n, out, err);
    free(buf);
    return r;
}

const sigmix_vmaflog_shard_header *sigmix_vmaflog_shard_header_of(const sigmix_vmaflog_shard *s)
{
    return s ? &s->h : nullptr;
}

size_t sigmix_vmaflog_shard_count(const sigmix_vmaflog_shard *s)
{
    return s ? s->n : 0;
}

const sigmix_vmaflog_shard_entry *sigmix_vmaflog_shard_at(const sigmix_vmaflog_shard *s,
                                                          size_t i)
{
    return s && i < s->n ? &s->e[i] : nullptr;
}

void sigmix_vmaflog_shard_free(sigmix_vmaflog_shard **s)
{
    if (!s || !*s)
        return;
    for (size_t i = 0; i < (*s)->n; i++)
        free_entry(&(*s)->e[i]);
    free((*s)->e);
    delete *s;
    *s = nullptr;
}

} // extern "C"
