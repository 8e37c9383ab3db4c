// The process-wide tables of interned keyword and symbol names.
//
// Lookups take a shared lock; only the first use of a name takes the
// exclusive one. Interned names are never freed, so a pointer handed out
// stays valid for the life of the process and equal names are one pointer.
#include <absl/container/flat_hash_map.h>
#include <xxhash.h>

#include <memory>
#include <mutex>
#include <shared_mutex>

#include "core/value_internal.h"

namespace strata::internal {
namespace {

uint64_t Prefix(std::string_view s) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) {
    p = p << 8 | (i < s.size() ? static_cast<uint8_t>(s[i]) : 0);
  }
  return p;
}

class InternTable {
 public:
  const Interned* Intern(bool is_symbol, std::string_view ns, std::string_view name) {
    thread_local std::string key;
    key.clear();
    if (!ns.empty()) {
      key.append(ns);
      key.push_back('/');
    }
    key.append(name);
    {
      std::shared_lock lock(mutex_);
      auto it = names_.find(key);
      if (it != names_.end()) return it->second;
    }
    std::unique_lock lock(mutex_);
    auto it = names_.find(key);
    if (it != names_.end()) return it->second;
    auto* interned =
        new Interned{key, static_cast<uint32_t>(ns.size()), is_symbol, 0, Prefix(ns), Prefix(name)};
    uint64_t h = XXH3_64bits(key.data(), key.size());
    interned->hash =
        static_cast<size_t>(h ^ (is_symbol ? 0x9e3779b97f4a7c15u : 0x6a09e667f3bcc909u));
    names_.emplace(std::string_view(interned->qualified), interned);
    return interned;
  }

 private:
  std::shared_mutex mutex_;
  // Keys view the Interned's own text.
  absl::flat_hash_map<std::string_view, const Interned*> names_;
};

// Never destroyed, so interned names outlive every static Value.
InternTable& Table(bool is_symbol) {
  static InternTable* keywords = new InternTable;
  static InternTable* symbols = new InternTable;
  return is_symbol ? *symbols : *keywords;
}

}  // namespace

const Interned* Intern(bool is_symbol, std::string_view ns, std::string_view name) {
  return Table(is_symbol).Intern(is_symbol, ns, name);
}

}  // namespace strata::internal
