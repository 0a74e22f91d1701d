#include "controller/platform/passwords.h"

#include <sodium.h>

#include <condition_variable>
#include <mutex>

namespace wharf::controller {
namespace {

constexpr std::size_t kMinLength = 8;
constexpr std::size_t kMaxLength = 1024;
constexpr int kMaxConcurrent = 2;  // each takes crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB)
constexpr int kMaxWaiting = 8;

// At most kMaxConcurrent hashes at once, process-wide: the limit is a property of the machine's
// memory, not of one caller.
class HashSlots {
 public:
  // False (nothing taken) when kMaxWaiting callers wait already.
  bool Acquire() {
    std::unique_lock lock(mu_);
    if (in_use_ >= kMaxConcurrent && waiting_ >= kMaxWaiting) return false;
    ++waiting_;
    cv_.wait(lock, [&] { return in_use_ < kMaxConcurrent; });
    --waiting_;
    ++in_use_;
    return true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      --in_use_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int in_use_ = 0;
  int waiting_ = 0;
};

HashSlots& Slots() {
  static HashSlots slots;  // the machine's memory is one resource: one gate for the process
  return slots;
}

struct SlotGuard {
  SlotGuard() : held(Slots().Acquire()) {}
  ~SlotGuard() {
    if (held) Slots().Release();
  }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;
  const bool held;
};

const Status kBusy = Status::TooManyRequests("too many password checks at once; try again in a moment");

bool Init() { return sodium_init() >= 0; }  // idempotent and thread-safe

}  // namespace

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < kMinLength) {
    return Status::InvalidArgument("the password must have at least " + std::to_string(kMinLength) + " characters");
  }
  if (password.size() > kMaxLength) {
    return Status::InvalidArgument("the password must have at most " + std::to_string(kMaxLength) + " characters");
  }
  if (password.find('\0') != std::string_view::npos) return Status::InvalidArgument("the password may not contain NUL");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  WHARF_RETURN_IF_ERROR(CheckPasswordRules(password));
  if (!Init()) return Status::Internal("libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  SlotGuard slot;
  if (!slot.held) return kBusy;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("hashing the password ran out of memory");
  }
  return std::string(out);
}

Result<bool> VerifyPassword(std::string_view stored, std::string_view password) {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES || password.size() > kMaxLength) return false;
  if (!Init()) return false;
  const std::string s(stored);  // NUL-terminated, as libsodium reads it
  SlotGuard slot;
  if (!slot.held) return kBusy;
  return crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) == 0;
}

}  // namespace wharf::controller
