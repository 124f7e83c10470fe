// C++ allocations of the simdjson and vmaf-log shims: nothrow new returns
// NULL, plain new throws std::bad_alloc, as the real ones do on failure.
#include <cstddef>
#include <new>

extern "C" {
int allocfail_inject(void);
void *__real__Znwm(std::size_t n);
void *__real__Znam(std::size_t n);
void *__real__ZnwmRKSt9nothrow_t(std::size_t n, const std::nothrow_t &);
void *__real__ZnamRKSt9nothrow_t(std::size_t n, const std::nothrow_t &);

void *__wrap__Znwm(std::size_t n)
{
    if (allocfail_inject())
        throw std::bad_alloc();
    return __real__Znwm(n);
}

void *__wrap__Znam(std::size_t n)
{
    if (allocfail_inject())
        throw std::bad_alloc();
    return __real__Znam(n);
}

void *__wrap__ZnwmRKSt9nothrow_t(std::size_t n, const std::nothrow_t &t)
{
    return allocfail_inject() ? nullptr : __real__ZnwmRKSt9nothrow_t(n, t);
}

void *__wrap__ZnamRKSt9nothrow_t(std::size_t n, const std::nothrow_t &t)
{
    return allocfail_inject() ? nullptr : __real__ZnamRKSt9nothrow_t(n, t);
}
}
