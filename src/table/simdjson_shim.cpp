// The only C++ file in sigmix: walks one JSON row object with simdjson
// On-Demand and hands fields to C callbacks (see simdjson_shim.h).
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include <locale.h>
#include <stdlib.h>

#include <simdjson.h>

#include "table/simdjson_shim.h"
extern "C" {
#include "table/colbuild.h"
}
#include "util/sj_reserve.hpp"

using namespace simdjson;

struct sigmix_sj {
    ondemand::parser parser;
    char *out = nullptr;        // nested value text
    size_t out_len = 0, out_cap = 0;
    const char *base = nullptr; // start of the row (for offsets)
    const char *at = nullptr;   // last position seen, for error offsets
    int status = 0;             // our own status when not a simdjson error
    locale_t c_locale = (locale_t)0; // for strtod_l on numbers simdjson refuses
    sigmix_sj_sink *sink = nullptr;
};

namespace {

int map_error(error_code e)
{
    switch (e) {
    case UNCLOSED_STRING: return SIGMIX_SJ_UNTERMINATED;
    case UTF8_ERROR: return SIGMIX_SJ_BAD_UTF8;
    case DEPTH_ERROR: return SIGMIX_SJ_TOO_DEEP;
    case INCOMPLETE_ARRAY_OR_OBJECT: return SIGMIX_SJ_TRUNCATED;
    case TRAILING_CONTENT: return SIGMIX_SJ_TRAILING;
    case NUMBER_ERROR: case NUMBER_OUT_OF_RANGE: return SIGMIX_SJ_BAD_NUMBER;
    case STRING_ERROR: return SIGMIX_SJ_BAD_STRING;
    case MEMALLOC: case CAPACITY: return SIGMIX_SJ_NOMEM;
    case EMPTY: return SIGMIX_SJ_EMPTY;
    default: return SIGMIX_SJ_BAD_TOKEN;
    }
}

bool put(sigmix_sj *p, const char *s, size_t n)
{
    if (p->out_len + n + 1 > p->out_cap) {
        size_t cap = p->out_cap ? p->out_cap : 256;
        while (cap < p->out_len + n + 1)
            cap *= 2;
        char *q = static_cast<char *>(std::realloc(p->out, cap));
        if (!q)
            return false;
        p->out = q;
        p->out_cap = cap;
    }
    std::memcpy(p->out + p->out_len, s, n);
    p->out_len += n;
    return true;
}

// NaN, Infinity, -Infinity (Python's json writes them; simdjson does not
// accept them): 0, 1, 2 for the token that starts a value, else -1. The
// structural index ends the token at the next delimiter, so only trailing
// blanks need trimming.
int special_token(std::string_view tok)
{
    if (tok.empty() || (tok[0] != 'N' && tok[0] != 'I' && tok[0] != '-'))
        return -1;
    size_t n = tok.size();
    while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t' || tok[n - 1] == '\n' || tok[n - 1] == '\r'))
        n--;
    std::string_view t = tok.substr(0, n);
    return t == "NaN" ? 0 : t == "Infinity" ? 1 : t == "-Infinity" ? 2 : -1;
}

double special_value(int k)
{
    return k == 0 ? std::numeric_limits<double>::quiet_NaN()
         : k == 1 ? std::numeric_limits<double>::infinity()
                  : -std::numeric_limits<double>::infinity();
}

// Length of a raw (escaped) key or string body starting after its quote;
// *escaped tells whether it holds a backslash.
size_t raw_string_len(const char *s, bool *escaped = nullptr)
{
    size_t i = 0;
    bool esc = false;
    for (;;) {
        char c = s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            i += 2;
        } else {
            i++;
        }
    }
    if (escaped)
        *escaped = esc;
    return i;
}

// An integer token too wide for 64 bits: its correctly rounded double.
bool big_integer(std::string_view tok, double *d)
{
    size_t i = tok[0] == '-', n = i;
    while (n < tok.size() && tok[n] >= '0' && tok[n] <= '9')
        n++;
    if (n - i < 19 || (n < tok.size() && !std::strchr(" \t\r\n,]}", tok[n])) ||
        (tok[i] == '0'))
        return false;
    return std::from_chars(tok.data(), tok.data() + n, *d).ec == std::errc();
}

// Length of the JSON number (RFC 8259 grammar) at the start of tok, or 0.
size_t json_number_len(std::string_view tok)
{
    size_t i = 0, n = tok.size();
    auto digit = [&](size_t k) { return k < n && tok[k] >= '0' && tok[k] <= '9'; };
    if (i < n && tok[i] == '-')
        i++;
    if (!digit(i))
        return 0;
    if (tok[i] == '0')
        i++;
    else
        while (digit(i))
            i++;
    if (i < n && tok[i] == '.') {
        if (!digit(++i))
            return 0;
        while (digit(i))
            i++;
    }
    if (i < n && (tok[i] == 'e' || tok[i] == 'E')) {
        i++;
        if (i < n && (tok[i] == '+' || tok[i] == '-'))
            i++;
        if (!digit(i))
            return 0;
        while (digit(i))
            i++;
    }
    if (i < n && !std::strchr(" \t\r\n,]}", tok[i]))
        return 0;
    return i;
}

// A number simdjson refuses though it is valid JSON: a huge or tiny
// exponent (1e400, 1e-400). Its correctly rounded value is +-inf or +-0,
// which is what strtod gives (and what Python's json reads).
bool wide_number(sigmix_sj *p, std::string_view tok, double *d)
{
    size_t n = json_number_len(tok);
    if (!n || n > 4096)
        return false;
    if (!p->c_locale && !(p->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)))
        return false;
    char small[128];
    char *buf = n < sizeof small ? small : static_cast<char *>(std::malloc(n + 1));
    if (!buf)
        return false;
    std::memcpy(buf, tok.data(), n);
    buf[n] = 0;
    *d = strtod_l(buf, nullptr, p->c_locale); // ERANGE is the answer here
    if (buf != small)
        std::free(buf);
    return true;
}

// Parse a number value into v. Integers beyond int64 become doubles.
error_code number_value(sigmix_sj *p, ondemand::value &val, sigmix_sj_value *v)
{
    ondemand::number n;
    error_code e = val.get_number().get(n);
    if (e) {
        std::string_view tok = val.raw_json_token();
        p->at = tok.data();
        if (e == NUMBER_ERROR && big_integer(tok, &v->d)) {
            v->type = SIGMIX_SJ_DOUBLE;
            return SUCCESS;
        }
        if ((e == NUMBER_ERROR || e == NUMBER_OUT_OF_RANGE) && wide_number(p, tok, &v->d)) {
            v->type = SIGMIX_SJ_DOUBLE;
            return SUCCESS;
        }
        return e;
    }
    switch (n.get_number_type()) {
    case ondemand::number_type::signed_integer:
        v->type = SIGMIX_SJ_INT;
        v->i = n.get_int64();
        v->d = static_cast<double>(v->i);
        break;
    case ondemand::number_type::unsigned_integer:
        v->type = SIGMIX_SJ_DOUBLE;
        v->d = static_cast<double>(n.get_uint64());
        break;
    default:
        v->type = SIGMIX_SJ_DOUBLE;
        v->d = n.get_double();
    }
    return SUCCESS;
}

error_code serialize(sigmix_sj *p, ondemand::value val, int depth);

error_code serialize_object(sigmix_sj *p, ondemand::object obj, int depth)
{
    bool first = true;
    if (!put(p, "{", 1))
        return MEMALLOC;
    for (auto f : obj) {
        ondemand::field fld;
        if (auto e = std::move(f).get(fld))
            return e;
        const char *k = fld.key().raw();
        p->at = k;
        if ((!first && !put(p, ",", 1)) || !put(p, "\"", 1) ||
            !put(p, k, raw_string_len(k)) || !put(p, "\":", 2))
            return MEMALLOC;
        first = false;
        if (auto e = serialize(p, fld.value(), depth + 1))
            return e;
    }
    return put(p, "}", 1) ? SUCCESS : MEMALLOC;
}

error_code serialize_array(sigmix_sj *p, ondemand::array arr, int depth)
{
    bool first = true;
    if (!put(p, "[", 1))
        return MEMALLOC;
    for (auto el : arr) {
        ondemand::value v;
        if (auto e = std::move(el).get(v))
            return e;
        if (!first && !put(p, ",", 1))
            return MEMALLOC;
        first = false;
        if (auto e = serialize(p, v, depth + 1))
            return e;
    }
    return put(p, "]", 1) ? SUCCESS : MEMALLOC;
}

// Minified, validated JSON text of a nested value into p->out.
error_code serialize(sigmix_sj *p, ondemand::value val, int depth)
{
    if (depth > SIGMIX_SJ_MAX_DEPTH)
        return DEPTH_ERROR;
    std::string_view tok = val.raw_json_token();
    p->at = tok.data();
    if (int k = special_token(tok); k >= 0) {
        static const char *const names[] = { "NaN", "Infinity", "-Infinity" };
        return put(p, names[k], std::strlen(names[k])) ? SUCCESS : MEMALLOC;
    }
    ondemand::json_type t;
    if (auto e = val.type().get(t))
        return e;
    switch (t) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if (auto e = val.get_object().get(o))
            return e;
        return serialize_object(p, o, depth);
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if (auto e = val.get_array().get(a))
            return e;
        return serialize_array(p, a, depth);
    }
    case ondemand::json_type::number: {
        sigmix_sj_value v;
        if (auto e = number_value(p, val, &v))
            return e;
        size_t n = tok.size();
        while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t' || tok[n - 1] == '\n' || tok[n - 1] == '\r'))
            n--;
        return put(p, tok.data(), n) ? SUCCESS : MEMALLOC;
    }
    case ondemand::json_type::string: {
        std::string_view s;
        if (auto e = val.get_string().get(s)) // validates escapes
            return e;
        return put(p, tok.data(), raw_string_len(tok.data() + 1) + 2) ? SUCCESS : MEMALLOC;
    }
    case ondemand::json_type::boolean: {
        bool b;
        if (auto e = val.get_bool().get(b))
            return e;
        return put(p, b ? "true" : "false", b ? 4 : 5) ? SUCCESS : MEMALLOC;
    }
    case ondemand::json_type::null: {
        bool isnull;
        if (auto e = val.is_null().get(isnull))
            return e;
        if (!isnull)
            return N_ATOM_ERROR;
        return put(p, "null", 4) ? SUCCESS : MEMALLOC;
    }
    }
    return TAPE_ERROR;
}

// One field value into v (strings and nested text point into p or the parser).
error_code field_value(sigmix_sj *p, ondemand::value val, sigmix_sj_value *v)
{
    ondemand::json_type t;
    error_code te = val.type().get(t);
    if (te || (t == ondemand::json_type::number && val.is_negative())) {
        // NaN / Infinity / -Infinity: not JSON, so checked only here
        if (int k = special_token(val.raw_json_token()); k >= 0) {
            v->type = SIGMIX_SJ_DOUBLE;
            v->d = special_value(k);
            return SUCCESS; // the token is skipped by the next field()
        }
        if (te)
            return te;
    }
    switch (t) {
    case ondemand::json_type::number:
        return number_value(p, val, v);
    case ondemand::json_type::string: {
        std::string_view s;
        if (auto e = val.get_string().get(s))
            return e;
        v->type = SIGMIX_SJ_STRING;
        v->s = s.data();
        v->len = s.size();
        return SUCCESS;
    }
    case ondemand::json_type::boolean: {
        bool b;
        if (auto e = val.get_bool().get(b))
            return e;
        v->type = SIGMIX_SJ_BOOL;
        v->i = b;
        v->d = b;
        return SUCCESS;
    }
    case ondemand::json_type::null: {
        bool isnull;
        if (auto e = val.is_null().get(isnull))
            return e;
        v->type = SIGMIX_SJ_NULL;
        return isnull ? SUCCESS : N_ATOM_ERROR;
    }
    default: {
        p->out_len = 0;
        if (auto e = serialize(p, val, 2))
            return e;
        v->type = SIGMIX_SJ_NESTED;
        v->s = p->out;
        v->len = p->out_len;
        return SUCCESS;
    }
    }
}

const char *type_name(ondemand::json_type t)
{
    switch (t) {
    case ondemand::json_type::array: return "a list";
    case ondemand::json_type::object: return "an object";
    case ondemand::json_type::number: return "a number";
    case ondemand::json_type::string: return "a string";
    case ondemand::json_type::boolean: return "a boolean";
    case ondemand::json_type::null: return "null";
    }
    return "a value";
}

// Whether raw[0..n) equals name[0..n): 8 bytes at a time, the last step
// overlapping (both hold n bytes; names are short, a libc call costs
// more than the compare).
inline bool same_bytes(const char *name, const char *raw, size_t n)
{
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (name[i] != raw[i])
                return false;
        return true;
    }
    uint64_t a, b;
    for (size_t i = 0; i + 8 < n; i += 8) {
        std::memcpy(&a, name + i, 8);
        std::memcpy(&b, raw + i, 8);
        if (a != b)
            return false;
    }
    std::memcpy(&a, name + n - 8, 8);
    std::memcpy(&b, raw + n - 8, 8);
    return a == b;
}

// The predicted column when raw (just after the key's opening quote) is
// its name followed by the closing quote; else SIGMIX_SJ_NEED_KEY. A name
// holding a backslash is never matched raw (its raw form differs).
inline long predicted(sigmix_sj_sink *k, const char *raw)
{
    if (k->field >= k->npred)
        return SIGMIX_SJ_NEED_KEY;
    long c = k->pred[k->field];
    const sigmix_cb_col *col = &k->seg->cols[c];
    if (col->backslash || static_cast<size_t>(k->limit - raw) <= col->namelen ||
        raw[col->namelen] != '"' || !same_bytes(col->name, raw, col->namelen))
        return SIGMIX_SJ_NEED_KEY;
    k->field++;
    return col->skip ? -1 : c;
}

// Store a typed value straight into the sink's segment (what the readers'
// on_value does for these types); false for text, left to on_value.
inline bool sink_value(sigmix_sj_sink *k, long h, const sigmix_sj_value &v)
{
    switch (v.type) {
    case SIGMIX_SJ_DOUBLE: sigmix_cb_set_double(k->seg, static_cast<size_t>(h), v.d); return true;
    case SIGMIX_SJ_INT: sigmix_cb_set_int(k->seg, static_cast<size_t>(h), v.i); return true;
    case SIGMIX_SJ_BOOL: sigmix_cb_set_bool(k->seg, static_cast<size_t>(h), static_cast<int>(v.i)); return true;
    case SIGMIX_SJ_NULL: sigmix_cb_set_null(k->seg, static_cast<size_t>(h)); return true;
    default: return false;
    }
}

int parse_row(sigmix_sj *p, ondemand::document &doc, sigmix_sj_key_fn on_key,
              sigmix_sj_value_fn on_value, void *ctx, const char **found)
{
    ondemand::json_type t;
    if (auto e = doc.type().get(t))
        return map_error(e);
    if (t != ondemand::json_type::object) {
        *found = type_name(t);
        return SIGMIX_SJ_NOT_OBJECT;
    }
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj))
        return map_error(e);
    sigmix_sj_sink *sink = p->sink;
    for (auto f : obj) {
        ondemand::field fld;
        if (auto e = std::move(f).get(fld))
            return map_error(e);
        const char *raw = fld.key().raw();
        p->at = raw;
        long h = sink ? predicted(sink, raw) : on_key(ctx, raw, SIGMIX_SJ_RAW_KEY);
        if (h == SIGMIX_SJ_NEED_KEY) {
            bool escaped;
            size_t n = raw_string_len(raw, &escaped);
            std::string_view key(raw, n);
            if (escaped && fld.unescaped_key().get(key))
                return SIGMIX_SJ_BAD_STRING;
            h = on_key(ctx, key.data(), key.size());
        }
        if (h == -1)
            continue;
        if (h < 0)
            return SIGMIX_SJ_CALLBACK;
        if (sink) {
            // A number simdjson takes (most values): straight in. Anything
            // else (text, literals, NaN, wide numbers, errors) leaves the
            // value unread for field_value, which handles it as before.
            ondemand::value val = fld.value();
            ondemand::number n;
            if (!val.get_number().get(n)) {
                size_t c = static_cast<size_t>(h);
                switch (n.get_number_type()) {
                case ondemand::number_type::signed_integer:
                    sigmix_cb_set_int(sink->seg, c, n.get_int64());
                    break;
                case ondemand::number_type::unsigned_integer:
                    sigmix_cb_set_double(sink->seg, c, static_cast<double>(n.get_uint64()));
                    break;
                default:
                    sigmix_cb_set_double(sink->seg, c, n.get_double());
                }
                continue;
            }
        }
        sigmix_sj_value v = { SIGMIX_SJ_NULL, 0, 0, nullptr, 0 };
        if (auto e = field_value(p, fld.value(), &v))
            return map_error(e);
        if (sink && sink_value(sink, h, v))
            continue;
        if (on_value(ctx, h, &v))
            return SIGMIX_SJ_CALLBACK;
    }
    const char *loc;
    if (!doc.current_location().get(loc)) { // something follows the object
        p->at = loc;
        return SIGMIX_SJ_TRAILING;
    }
    return SIGMIX_SJ_OK;
}

// Validate a whole document; root scalars need the document's own getters.
error_code validate_doc(sigmix_sj *p, ondemand::document &doc)
{
    ondemand::json_type t;
    if (auto e = doc.type().get(t))
        return e;
    switch (t) {
    case ondemand::json_type::object:
    case ondemand::json_type::array: {
        ondemand::value v;
        if (auto e = doc.get_value().get(v))
            return e;
        return serialize(p, v, 1);
    }
    case ondemand::json_type::number: {
        double d;
        error_code e = doc.get_double().get(d);
        std::string_view tok;
        if ((e == NUMBER_ERROR || e == NUMBER_OUT_OF_RANGE) && !doc.raw_json_token().get(tok) &&
            wide_number(p, tok, &d)) {
            // the document was not advanced: only blanks may follow
            size_t k = json_number_len(tok);
            while (k < tok.size() && std::strchr(" \t\r\n", tok[k]))
                k++;
            if (k < tok.size()) {
                p->at = tok.data() + k;
                return TRAILING_CONTENT;
            }
            p->status = 1;
            return SUCCESS;
        }
        return e;
    }
    case ondemand::json_type::string: {
        std::string_view sv;
        return doc.get_string().get(sv);
    }
    case ondemand::json_type::boolean: {
        bool b;
        return doc.get_bool().get(b);
    }
    case ondemand::json_type::null: {
        bool isnull;
        if (auto e = doc.is_null().get(isnull))
            return e;
        return isnull ? SUCCESS : N_ATOM_ERROR;
    }
    }
    return TAPE_ERROR;
}

} // namespace

extern "C" sigmix_sj *sigmix_sj_new(void)
{
    return new (std::nothrow) sigmix_sj();
}

extern "C" void sigmix_sj_free(sigmix_sj *p)
{
    if (p) {
        std::free(p->out);
        if (p->c_locale)
            freelocale(p->c_locale);
    }
    delete p;
}

extern "C" void sigmix_sj_set_sink(sigmix_sj *p, sigmix_sj_sink *sink)
{
    p->sink = sink;
}

extern "C" int sigmix_sj_parse_row(sigmix_sj *p, const char *buf, size_t len, size_t capacity,
                                   sigmix_sj_key_fn on_key, sigmix_sj_value_fn on_value, void *ctx,
                                   size_t *where, const char **found_type)
{
    p->base = buf;
    p->at = buf;
    *found_type = "";
    ondemand::document doc;
    int r;
    error_code e = sj_reserve(p->parser, len);
    if (!e)
        e = p->parser.iterate(buf, len, capacity).get(doc);
    if (e)
        r = map_error(e);
    else
        r = parse_row(p, doc, on_key, on_value, ctx, found_type);
    if (r) {
        const char *loc = nullptr;
        if (!e && !doc.current_location().get(loc) && loc >= p->at && loc <= buf + len)
            p->at = loc;
        *where = p->at >= buf && p->at <= buf + len ? static_cast<size_t>(p->at - buf) : 0;
    }
    return r;
}

extern "C" int sigmix_sj_validate(sigmix_sj *p, const char *buf, size_t len, size_t capacity,
                                  size_t *where)
{
    p->base = buf;
    p->at = buf;
    p->out_len = 0;
    p->status = 0;
    *where = 0;
    if (special_token(std::string_view(buf, len)) >= 0) // a bare NaN/Infinity value
        return SIGMIX_SJ_OK;
    ondemand::document doc;
    error_code e = sj_reserve(p->parser, len);
    if (!e)
        e = p->parser.iterate(buf, len, capacity).get(doc);
    if (!e)
        e = validate_doc(p, doc);
    if (!e && !p->status) {
        const char *loc;
        if (!doc.current_location().get(loc)) {
            p->at = loc;
            e = TRAILING_CONTENT;
        }
    }
    *where = p->at >= buf && p->at <= buf + len ? static_cast<size_t>(p->at - buf) : 0;
    return e ? map_error(e) : SIGMIX_SJ_OK;
}

extern "C" int sigmix_sj_valid_utf8(const char *buf, size_t len)
{
    return simdjson::validate_utf8(buf, len) ? 1 : 0;
}
