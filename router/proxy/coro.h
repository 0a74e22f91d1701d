// Internal to the router: a minimal C++20 coroutine task for the data path, and awaiters
// for Asio's callback-based operations.
//
// Why not asio::awaitable: in Boost 1.74 every awaitable frame and every co_await of an
// async operation allocates (one cached block per thread), which put malloc at ~6% of the
// router's CPU with 512 connections. Here frames come from per-thread free lists and an
// operation resumes the waiting coroutine directly from its completion handler.
//
// Contract: a Task is lazy and is started by co_await (or Spawn); it must be awaited at
// most once; exceptions escaping a task terminate the process (the data path reports
// errors as values). An operation's handler must run before its io_context is destroyed
// (Router::Stop closes every socket and lets the loops run dry), else the suspended frames
// leak.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

namespace wharf::router::detail {

// Per-thread free lists of coroutine frames in 64-byte size classes up to 4 KiB.
class FrameAllocator {
 public:
  static void* Allocate(std::size_t n);
  static void Deallocate(void* p, std::size_t n) noexcept;
};

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();

  static void* operator new(std::size_t n) { return FrameAllocator::Allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FrameAllocator::Deallocate(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      return h.promise().continuation;  // symmetric transfer: no stack growth
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }
};

template <typename T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : PromiseBase {
    std::optional<T> value;
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    template <typename U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
  };
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> cont) noexcept {
    h_.promise().continuation = cont;
    return h_;
  }
  T await_resume() { return std::move(*h_.promise().value); }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : PromiseBase {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_void() noexcept {}
  };
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> cont) noexcept {
    h_.promise().continuation = cont;
    return h_;
  }
  void await_resume() noexcept {}

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

// Runs `task` now, on the calling thread, until its first suspension; it then continues
// wherever its operations complete, and frees itself when done.
void Spawn(Task<void> task);

// ---- awaiters over Asio operations (the error lands in `ec`, like redirect_error) ------

template <typename Stream, typename Buffers>
auto ReadSome(Stream& s, const Buffers& buffers, boost::system::error_code& ec) {
  struct Awaiter {
    Stream& s;
    Buffers buffers;
    boost::system::error_code& ec;
    std::size_t n = 0;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      s.async_read_some(buffers, [this, h](const boost::system::error_code& e, std::size_t k) {
        ec = e;
        n = k;
        h.resume();
      });
    }
    std::size_t await_resume() noexcept { return n; }
  };
  return Awaiter{s, buffers, ec};
}

template <typename Stream, typename Buffers>
auto WriteAll(Stream& s, const Buffers& buffers, boost::system::error_code& ec) {
  struct Awaiter {
    Stream& s;
    Buffers buffers;
    boost::system::error_code& ec;
    std::size_t n = 0;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      boost::asio::async_write(s, buffers, [this, h](const boost::system::error_code& e, std::size_t k) {
        ec = e;
        n = k;
        h.resume();
      });
    }
    std::size_t await_resume() noexcept { return n; }
  };
  return Awaiter{s, buffers, ec};
}

// Any Asio operation with a void(error_code) handler: connect, accept, timer waits.
template <typename Initiate>
auto Op(Initiate initiate, boost::system::error_code& ec) {
  struct Awaiter {
    Initiate initiate;
    boost::system::error_code& ec;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      initiate([this, h](const boost::system::error_code& e) {
        ec = e;
        h.resume();
      });
    }
    void await_resume() noexcept {}
  };
  return Awaiter{std::move(initiate), ec};
}

}  // namespace wharf::router::detail
