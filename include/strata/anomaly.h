// Anomaly: the one exception type Strata throws.
//
// As in Datomic, every error is an anomaly: a category that tells the caller
// what to do about it (see Category), an optional Datomic error keyword
// (`:db.error/...`), a message that says what was wrong and how to fix it, and
// data (an EDN map: the offending clause, datom, attribute, position...). At
// the wire and the CLI an anomaly becomes the EDN map Datomic users know:
//
//   {:cognitect.anomalies/category :cognitect.anomalies/incorrect
//    :cognitect.anomalies/message "..."
//    :db/error :db.error/...
//    ...data entries...}
#ifndef STRATA_ANOMALY_H_
#define STRATA_ANOMALY_H_

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "strata/value.h"

namespace strata {

// What the caller should do, after cognitect.anomalies.
enum class Category : uint8_t {
  kIncorrect,    // fix the input; retrying the same call fails again
  kNotFound,     // the named thing does not exist; fix the name
  kConflict,     // a concurrent change won; retry the whole operation
  kUnavailable,  // a resource is down or unreachable; retry later
  kBusy,         // overloaded; retry with backoff
  kInterrupted,  // cancelled or timed out; retry if still wanted
  kForbidden,    // not allowed for these credentials
  kUnsupported,  // not implemented or not available here
  kFault,        // a bug or corruption inside Strata; report it
};

// "incorrect", "not-found", ...
std::string_view CategoryName(Category category);
// Whether retrying the same call may succeed (unavailable, busy, interrupted).
bool IsRetryable(Category category);
// Parses a category name (with or without the "cognitect.anomalies/"
// namespace); returns nullopt when it is not one.
std::optional<Category> ParseCategory(std::string_view name);

class Anomaly : public std::exception {
 public:
  // `error` is a keyword such as :db.error/not-a-keyword, or nil for none.
  // `data` is nil or a map whose entries are added to the anomaly's map.
  Anomaly(Category category, std::string message, Value error = Value(), Value data = Value());

  Category category() const { return category_; }
  const std::string& message() const { return message_; }
  // The :db/error keyword, or nil.
  const Value& error() const { return error_; }
  // nil or a map.
  const Value& data() const { return data_; }

  // The message.
  const char* what() const noexcept override { return message_.c_str(); }

  // The anomaly as an EDN map (see the file comment).
  Value ToValue() const;
  // Rebuilds an anomaly from ToValue()'s map (e.g. received over the wire);
  // throws an Anomaly of category incorrect when `map` is not one.
  static Anomaly FromValue(const Value& map);

 private:
  Category category_;
  std::string message_;
  Value error_;
  Value data_;
};

// Shorthands for the common categories; `error` is the name of a :db.error
// keyword without its namespace ("not-a-keyword"), or empty for none.
[[noreturn]] void ThrowIncorrect(std::string_view error, std::string message, Value data = Value());
[[noreturn]] void ThrowNotFound(std::string_view error, std::string message, Value data = Value());
[[noreturn]] void ThrowFault(std::string message, Value data = Value());
[[noreturn]] void ThrowUnsupported(std::string message, Value data = Value());

}  // namespace strata

#endif  // STRATA_ANOMALY_H_
