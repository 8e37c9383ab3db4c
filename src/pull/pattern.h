// A pull pattern parsed into a tree (strata/pull.h has the grammar).
//
// Parsing needs no database: it checks the pattern's shape and keeps the
// attribute names as written. The names are resolved against a schema when
// the pattern is first used with a database of that schema (pull.cc), and
// that resolution is cached in the pattern.
#ifndef STRATA_PULL_PATTERN_H_
#define STRATA_PULL_PATTERN_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "strata/pull.h"
#include "strata/value.h"

namespace strata::internal {

// The :limit of cardinality-many attributes when a pattern gives none.
inline constexpr int64_t kDefaultPullLimit = 1000;
// The deepest nesting of patterns the parser accepts.
inline constexpr int kMaxPatternDepth = 256;

struct PullNode;

// One attr-spec as written, with its options.
struct PullAttrSpec {
  enum class Kind : uint8_t { kAttribute, kDbId };
  enum class Recursion : uint8_t { kNone, kUnbounded, kDepth };

  Kind kind = Kind::kAttribute;
  // The attribute keyword as written (:ns/_name for a reverse name).
  Value name;
  // For a name whose local part starts with '_': the forward attribute it
  // names when read as a reverse reference (:ns/name); else nil.
  Value reverse_of;
  // The key of the result: :as, or the name.
  Value key;
  // At most this many values of a cardinality-many attribute; < 0 for all.
  int64_t limit = kDefaultPullLimit;
  bool has_default = false;
  Value default_value;
  // Null for none.
  std::shared_ptr<const PullXform> xform;
  // A nested pattern (map-spec with a pattern), else null.
  std::unique_ptr<PullNode> sub;
  // A map-spec with a recursion limit: repeat the enclosing pattern.
  Recursion recursion = Recursion::kNone;
  int64_t depth = 0;
  // The spec as written, for messages.
  Value form;
};

// A pattern: `*` and the attr-specs, in the order written.
struct PullNode {
  bool wildcard = false;
  std::vector<PullAttrSpec> specs;
};

struct ResolvedPattern;  // pull.cc

struct PullPatternImpl {
  Value form;
  PullNode root;

  // The pattern resolved for the last schema it was used with.
  mutable std::mutex mu;
  mutable std::shared_ptr<const ResolvedPattern> resolved;
};

// Parses `form` (a pattern vector). Throws an invalid-pull Anomaly naming
// the bad part.
std::shared_ptr<const PullPatternImpl> ParsePattern(const Value& form);

// The xform named by `symbol`: a registered one, else a built-in; null when
// there is none.
std::shared_ptr<const PullXform> FindPullXform(const Value& symbol);

// Throws the invalid-pull Anomaly: `message`, with data {:pattern pattern
// :form form}.
[[noreturn]] void ThrowInvalidPull(const Value& pattern, const Value& form, std::string message);

}  // namespace strata::internal

#endif  // STRATA_PULL_PATTERN_H_
