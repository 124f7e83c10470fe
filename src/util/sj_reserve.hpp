// Checked allocation for simdjson's On-Demand parser (C++ only).
//
// simdjson 3.0 (Debian 12) does not check the allocation of the parser's
// string buffer in ondemand::parser::allocate: when new(nothrow) fails, the
// parse goes on and unescaping a string writes through a null pointer. The
// allocation-failure run (tests/hostile/allocfail_entry.c) finds it. So the
// shims grow the parser themselves before each iterate and check the buffer.
// The buffer is a private member; an explicit instantiation may name private
// members (C++17 [temp.explicit]/14), which is how it is read here.
#ifndef SIGMIX_UTIL_SJ_RESERVE_HPP
#define SIGMIX_UTIL_SJ_RESERVE_HPP

#include <cstdint>
#include <memory>

#include <simdjson.h>

namespace {

using sj_sbuf_member = std::unique_ptr<uint8_t[]> simdjson::ondemand::parser::*;
sj_sbuf_member sj_sbuf();
template <sj_sbuf_member M> struct sj_sbuf_access {
    friend sj_sbuf_member sj_sbuf() { return M; }
};
template struct sj_sbuf_access<&simdjson::ondemand::parser::string_buf>;

// Make room for a document of len bytes: SUCCESS, or MEMALLOC/CAPACITY.
inline simdjson::error_code sj_reserve(simdjson::ondemand::parser &p, size_t len) noexcept
{
    if (p.capacity() >= len && p.*sj_sbuf())
        return simdjson::SUCCESS;
    if (simdjson::error_code e = p.allocate(len, p.max_depth()))
        return e;
    return p.*sj_sbuf() ? simdjson::SUCCESS : simdjson::MEMALLOC;
}

} // namespace

#endif
