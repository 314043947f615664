#pragma once
// A one-byte spin lock guarding the pointer slots of one container or object. Critical
// sections are a pointer copy plus a reference increment, so spinning beats a mutex and
// keeps every object header small.

#include <atomic>
#include <cstdint>
#include <thread>

namespace typesys {

class SpinLock {
public:
    void lock() noexcept
    {
        for (int spins = 0; m_flag.exchange(1, std::memory_order_acquire); ++spins) {
            while (m_flag.load(std::memory_order_relaxed)) {
                if (++spins > 64)
                    std::this_thread::yield();
            }
        }
    }
    bool try_lock() noexcept { return !m_flag.exchange(1, std::memory_order_acquire); }
    void unlock() noexcept { m_flag.store(0, std::memory_order_release); }

private:
    std::atomic<uint8_t> m_flag{0};
};

} // namespace typesys
