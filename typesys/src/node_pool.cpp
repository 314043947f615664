#include "node_pool.h"

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define TYPESYS_POOL_BYPASS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TYPESYS_POOL_BYPASS 1
#endif
#endif

namespace typesys::detail {

#ifdef TYPESYS_POOL_BYPASS

void* poolAllocate(size_t bytes)
{
    void* p = std::malloc(bytes);
    if (!p)
        throw std::bad_alloc();
    return p;
}

void poolFree(void* p, size_t) noexcept { std::free(p); }

#else

namespace {

constexpr size_t kGranule = 8;
constexpr size_t kMaxPooled = 512;
constexpr size_t kClasses = kMaxPooled / kGranule;   // class c holds (c + 1) * 8 bytes
constexpr uint32_t kBatch = 64;                      // moved at once between a cache and the pool
constexpr uint32_t kCacheLimit = 2 * kBatch;         // per class and thread
constexpr size_t kBlockBytes = 64 * 1024;

struct FreeItem {
    FreeItem* next;
};

// Zero-initialized and trivially destructible, so the fast paths need no TLS guard check.
// A thread's cache goes back to the shared pool when the thread exits through a separate
// thread_local flusher, set up on the thread's first pool call. initial-exec: see value.cpp.
struct ThreadCache {
    FreeItem* head[kClasses];
    uint32_t count[kClasses];
    bool flushAtExit;
};
thread_local ThreadCache t_cache __attribute__((tls_model("initial-exec")));

struct SharedPool {
    std::mutex mutex;
    FreeItem* head[kClasses] = {};
    char* bump[kClasses] = {};
    char* bumpEnd[kClasses] = {};
    FreeItem* blocks = nullptr;   // every block, linked through its first word (kept reachable)
};

SharedPool& shared()
{
    static auto* pool = new SharedPool();   // lives with the process
    return *pool;
}

size_t classOf(size_t bytes) noexcept { return (bytes + kGranule - 1) / kGranule - 1; }

// Returns everything in the calling thread's cache to the shared pool.
void flushThreadCache() noexcept
{
    ThreadCache& t = t_cache;
    SharedPool& s = shared();
    std::lock_guard g(s.mutex);
    for (size_t c = 0; c < kClasses; ++c) {
        while (FreeItem* it = t.head[c]) {
            t.head[c] = it->next;
            it->next = s.head[c];
            s.head[c] = it;
        }
        t.count[c] = 0;
    }
}

struct CacheFlusher {
    ~CacheFlusher() { flushThreadCache(); }
};

void flushAtThreadExit() noexcept
{
    static thread_local CacheFlusher flusher;
    (void)&flusher;   // constructing it registers the destructor for this thread
    t_cache.flushAtExit = true;
}

// Fills the calling thread's empty cache of class c with up to kBatch items.
void refill(size_t c)
{
    SharedPool& s = shared();
    const size_t size = (c + 1) * kGranule;
    FreeItem* chain = nullptr;
    uint32_t n = 0;
    {
        std::lock_guard g(s.mutex);
        while (n < kBatch && s.head[c]) {
            FreeItem* it = s.head[c];
            s.head[c] = it->next;
            it->next = chain;
            chain = it;
            ++n;
        }
        while (n < kBatch) {
            if (size_t(s.bumpEnd[c] - s.bump[c]) < size) {
                auto* block = static_cast<char*>(std::malloc(kBlockBytes));
                if (!block)
                    break;
                auto* link = reinterpret_cast<FreeItem*>(block);
                link->next = s.blocks;
                s.blocks = link;
                s.bump[c] = block + 16;   // the first 16 bytes link the block (alignment kept)
                s.bumpEnd[c] = block + kBlockBytes;
            }
            auto* it = reinterpret_cast<FreeItem*>(s.bump[c]);
            s.bump[c] += size;
            it->next = chain;
            chain = it;
            ++n;
        }
    }
    if (!n)
        throw std::bad_alloc();
    t_cache.head[c] = chain;
    t_cache.count[c] = n;
}

// Moves kBatch items of class c from the calling thread's cache to the shared pool.
void spill(size_t c) noexcept
{
    ThreadCache& t = t_cache;
    FreeItem* first = t.head[c];
    FreeItem* last = first;
    for (uint32_t i = 1; i < kBatch; ++i)
        last = last->next;
    t.head[c] = last->next;
    t.count[c] -= kBatch;
    SharedPool& s = shared();
    std::lock_guard g(s.mutex);
    last->next = s.head[c];
    s.head[c] = first;
}

} // namespace

void* poolAllocate(size_t bytes)
{
    if (bytes > kMaxPooled) {
        void* p = std::malloc(bytes);
        if (!p)
            throw std::bad_alloc();
        return p;
    }
    const size_t c = classOf(bytes);
    ThreadCache& t = t_cache;
    if (!t.head[c]) {
        if (!t.flushAtExit)
            flushAtThreadExit();
        refill(c);
    }
    FreeItem* it = t.head[c];
    t.head[c] = it->next;
    --t.count[c];
    return it;
}

void poolFree(void* p, size_t bytes) noexcept
{
    if (bytes > kMaxPooled) {
        std::free(p);
        return;
    }
    const size_t c = classOf(bytes);
    ThreadCache& t = t_cache;
    if (!t.flushAtExit) [[unlikely]]
        flushAtThreadExit();
    auto* it = static_cast<FreeItem*>(p);
    it->next = t.head[c];
    t.head[c] = it;
    if (++t.count[c] > kCacheLimit)
        spill(c);
}

#endif

} // namespace typesys::detail
