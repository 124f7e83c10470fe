// libvmaf JSON logs (2.x/3.x, 1.x and the Python run_vmaf layout) with
// simdjson On-Demand. The table shim in src/table walks one flat row and
// renders nested values as text; logs are one big nested document, so
// this file walks it directly and feeds the C builder (internal.h).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string_view>
#include <utility>

#include <simdjson.h>

extern "C" {
#include "util/error.h"
}
#include "util/sj_reserve.hpp"
#include "vmaflog/internal.h"

using namespace simdjson;
using simdjson::ondemand::raw_json_string;

struct vl_json {
    ondemand::parser parser;
};

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct walk {
    const char *buf;
    size_t len;
    vl_builder *b;
    sigmix_error *err;
    const char *at = nullptr; // start of the value being read, for positions
    bool v1 = false, flat = false, nested = false;
};

int fail(walk &w, const char *what)
{
    size_t off = w.at && w.at >= w.buf ? (size_t)(w.at - w.buf) : w.len;
    if (off > w.len)
        off = w.len;
    return sigmix_error_set(w.err, SIGMIX_EFORMAT, "%s (line %zu, byte %zu)", what,
                            vl_line_of(w.buf, w.len, off), off);
}

int fail_sj(walk &w, error_code e, const char *context)
{
    char msg[200];
    const char *what;
    switch (e) {
    case INCOMPLETE_ARRAY_OR_OBJECT:
        // Found before the walk starts: the end of the input is the place.
        w.at = w.buf + w.len;
        what = "truncated JSON: object or array not closed"; break;
    case TAPE_ERROR: what = "unbalanced JSON"; break;
    case UNCLOSED_STRING:
        w.at = w.buf + w.len;
        what = "truncated JSON: unterminated string"; break;
    case UTF8_ERROR: what = "invalid UTF-8"; break;
    case DEPTH_ERROR: what = "nested too deeply"; break;
    case NUMBER_ERROR: case NUMBER_OUT_OF_RANGE: what = "bad number"; break;
    case INCORRECT_TYPE: what = "unexpected JSON type"; break;
    case EMPTY: what = "empty file"; break;
    case TRAILING_CONTENT: what = "text after the JSON document"; break;
    case MEMALLOC: case CAPACITY:
        return sigmix_error_set(w.err, SIGMIX_ENOMEM, "out of memory reading JSON");
    default: what = "invalid JSON"; break;
    }
    std::snprintf(msg, sizeof msg, "%s%s%s", what, context ? " in " : "", context ? context : "");
    return fail(w, msg);
}

int fail_builder(walk &w, int code)
{
    if (code == SIGMIX_ENOMEM)
        return sigmix_error_set(w.err, SIGMIX_ENOMEM, "%s", w.b->why);
    return fail(w, w.b->why);
}

// A metric value: a number, or null for NaN/inf (libvmaf >= 2.2.0). Python's
// json module writes NaN/Infinity/-Infinity: accepted in the flat layout only.
// Positions are looked up only on failure: current_location() on every
// value cost a tenth of the run time.
int metric_value(walk &w, ondemand::value v, bool python, double *out)
{
    double d;
    // libvmaf's %.6f: [-]digits.dddddd. The integer m (< 2^53) divided by
    // 1e6 is one correctly rounded IEEE division, so this is the double
    // strtod returns, without the generic number path. The value is left
    // unconsumed; On-Demand skips it when moving on.
    std::string_view raw = v.raw_json_token();
    size_t i = 0, n = raw.size();
    bool neg = n && raw[0] == '-';
    i = neg;
    uint64_t m = 0;
    size_t int_digits = 0;
    while (i < n && raw[i] >= '0' && raw[i] <= '9' && int_digits < 9) {
        m = m * 10 + (uint64_t)(raw[i++] - '0');
        int_digits++;
    }
    if (int_digits && i + 7 <= n && raw[i] == '.') {
        size_t j = i + 1;
        for (; j < i + 7 && raw[j] >= '0' && raw[j] <= '9'; j++)
            m = m * 10 + (uint64_t)(raw[j] - '0');
        // The token ends at the next structural; only blanks may follow.
        if (j == i + 7 && (j == n || raw[j] == ' ' || raw[j] == '\n' || raw[j] == '\r'
                           || raw[j] == '\t')) {
            double x = (double)m / 1e6;
            *out = neg ? -x : x;
            return 0;
        }
    }
    if (v.get_double().get(d) == SUCCESS) {
        *out = d;
        return 0;
    }
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\n' || tok.back() == '\r'
                            || tok.back() == '\t'))
        tok.remove_suffix(1);
    if (tok == "null" || (python && tok == "NaN")) {
        *out = kNaN;
        return 0;
    }
    if (python && (tok == "Infinity" || tok == "-Infinity")) {
        *out = tok[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return 0;
    }
    w.at = v.current_location().value_unsafe();
    return 1;
}

int read_metrics(walk &w, ondemand::value v)
{
    ondemand::object mo;
    w.at = v.current_location().value_unsafe();
    error_code e = v.get_object().get(mo);
    if (e)
        return fail_sj(w, e, "\"metrics\"");
    for (auto f : mo) {
        std::string_view key;
        ondemand::value mv;
        // The key's place in the input (for errors), and the fast path:
        // when it is the name the builder expects next, skip unescaping
        // and the name lookup. Taken before unescaping consumes the key.
        raw_json_string rk;
        if ((e = f.key().get(rk)))
            return fail_sj(w, e, "\"metrics\"");
        const char *next = vl_next_name(w.b);
        bool fast = next && rk.unsafe_is_equal(next);
        if ((!fast && (e = f.unescaped_key().get(key))) || (e = f.value().get(mv)))
            return fail_sj(w, e, "\"metrics\"");
        double d;
        if (metric_value(w, mv, false, &d))
            return fail(w, "metric value is not a number or null");
        int r = fast ? vl_value_next(w.b, d) : vl_value(w.b, key.data(), key.size(), d);
        if (r) {
            w.at = rk.raw() - 1; // the key's opening quote
            return fail_builder(w, r);
        }
    }
    return 0;
}

int read_frame(walk &w, ondemand::value fv)
{
    ondemand::object fo;
    w.at = fv.current_location().value_unsafe();
    const char *frame_at = w.at;
    error_code e = fv.get_object().get(fo);
    if (e)
        return fail_sj(w, e, "\"frames\"");
    int r = vl_frame(w.b, 0);
    if (r)
        return fail_builder(w, r);
    bool have_num = false;
    for (auto f : fo) {
        std::string_view key;
        ondemand::value v;
        raw_json_string rk;
        if ((e = f.key().get(rk)) || (e = f.unescaped_key().get(key)) || (e = f.value().get(v)))
            return fail_sj(w, e, "a frame");
        w.at = rk.raw() - 1;
        if (key == "frameNum") {
            int64_t n;
            if ((e = v.get_int64().get(n)) || n < 0)
                return fail(w, "frameNum is not a non-negative integer");
            if (have_num)
                return fail(w, "frameNum given twice");
            have_num = true;
            vl_frame_num(w.b, n);
        } else if (key == "metrics") {
            w.nested = true;
            if ((r = read_metrics(w, v)))
                return r;
        } else {
            // Python run_vmaf layout: the features sit in the frame itself.
            // Look at the raw token: type() rejects Python's NaN/Infinity.
            std::string_view tok = v.raw_json_token();
            char c0 = tok.empty() ? '\0' : tok[0];
            if (c0 == '{' || c0 == '[' || c0 == '"' || c0 == 't' || c0 == 'f')
                continue;
            double d;
            if (metric_value(w, v, true, &d))
                return fail(w, "metric value is not a number or null");
            w.flat = true;
            if ((r = vl_value(w.b, key.data(), key.size(), d))) {
                w.at = rk.raw() - 1;
                return fail_builder(w, r);
            }
        }
    }
    if (!have_num) {
        w.at = frame_at;
        return fail(w, "frame without frameNum");
    }
    return 0;
}

int read_frames(walk &w, ondemand::value v)
{
    ondemand::array arr;
    error_code e = v.get_array().get(arr);
    if (e)
        return fail_sj(w, e, "\"frames\"");
    for (auto fv : arr) {
        ondemand::value val;
        if ((e = fv.get(val)))
            return fail_sj(w, e, "\"frames\"");
        int r = read_frame(w, val);
        if (r)
            return r;
    }
    return 0;
}

// libvmaf 2.3.1 printed "fps": inf for zero-time runs; accept the
// non-JSON tokens inf/-inf/nan/-nan here and nowhere else.
int read_fps(walk &w, ondemand::value v)
{
    double d;
    if (v.get_double().get(d) == SUCCESS) {
        w.b->log->fps = std::isfinite(d) ? d : kNaN;
        return 0;
    }
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\n' || tok.back() == '\r'
                            || tok.back() == '\t'))
        tok.remove_suffix(1);
    if (tok == "null" || tok == "inf" || tok == "-inf" || tok == "nan" || tok == "-nan") {
        w.b->log->fps = kNaN;
        return 0;
    }
    return fail(w, "\"fps\" is not a number");
}

int walk_doc(walk &w, ondemand::parser &parser)
{
    ondemand::document doc;
    error_code e = sj_reserve(parser, w.len);
    if (!e)
        e = parser.iterate(w.buf, w.len, w.len + SIGMIX_VMAFLOG_PADDING).get(doc);
    if (e)
        return fail_sj(w, e, nullptr);
    ondemand::object root;
    w.at = w.buf;
    if ((e = doc.get_object().get(root)))
        return fail_sj(w, e, nullptr);
    bool have_frames = false;
    for (auto f : root) {
        std::string_view key;
        if ((e = f.unescaped_key().get(key)))
            return fail_sj(w, e, nullptr);
        ondemand::value v;
        if ((e = f.value().get(v)))
            return fail_sj(w, e, nullptr);
        w.at = v.current_location().value_unsafe();
        int r = 0;
        if (key == "version") {
            std::string_view s;
            if (v.get_string().get(s) == SUCCESS)
                r = vl_version(w.b, s.data(), s.size());
            else {
                std::string_view tok = v.raw_json_token();
                while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\n'))
                    tok.remove_suffix(1);
                double d;
                if (vl_number(tok.data(), tok.size(), &d) || !std::isfinite(d))
                    return fail(w, "\"version\" is not a string or number");
                r = vl_version(w.b, tok.data(), tok.size());
            }
            if (r)
                return fail_builder(w, r);
        } else if (key == "fps") {
            if ((r = read_fps(w, v)))
                return r;
        } else if (key == "frames") {
            if (have_frames)
                return fail(w, "\"frames\" given twice");
            have_frames = true;
            if ((r = read_frames(w, v)))
                return r;
        } else if (key == "params" || key == "VMAF score" || key == "ExecFps") {
            w.v1 = true;
            if (key == "ExecFps") {
                double d;
                if (v.get_double().get(d) == SUCCESS && std::isfinite(d))
                    w.b->log->fps = d;
            }
        }
        // pooled_metrics / aggregate_metrics / aggregate are never used
        // (libvmaf issue #1084); On-Demand skips them, still checking
        // that they are balanced.
    }
    const char *rest;
    if (doc.current_location().get(rest) == SUCCESS) {
        w.at = rest;
        return fail(w, "text after the JSON document");
    }
    w.at = w.buf + w.len;
    if (!have_frames)
        return fail(w, "no \"frames\" array");
    return 0;
}

} // namespace

extern "C" vl_json *vl_json_new(void)
{
    return new (std::nothrow) vl_json();
}

extern "C" void vl_json_free(vl_json *j)
{
    delete j;
}

extern "C" int vl_read_json(vl_json *j, const char *buf, size_t len, vl_builder *b,
                            sigmix_error *err)
{
    walk w;
    w.buf = buf;
    w.len = len;
    w.b = b;
    w.err = err;
    int r;
    try {
        r = walk_doc(w, j->parser);
    } catch (...) {
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory reading JSON");
    }
    if (r)
        return r;
    sigmix_vmaflog *L = b->log;
    if (w.flat)
        L->format = SIGMIX_VMAFLOG_JSON_PYTHON;
    else if (w.v1 || (L->version && L->version[0] == '1' && L->version[1] == '.'))
        L->format = SIGMIX_VMAFLOG_JSON_V1;
    else
        L->format = SIGMIX_VMAFLOG_JSON;
    return 0;
}
