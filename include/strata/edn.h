// EDN: reading and printing Values as text.
//
// The reader takes the whole EDN specification (https://github.com/edn-format/edn)
// plus what Clojure's reader adds and Datomic users write: `##NaN`, `##Inf`,
// `##-Inf`, `#:ns{...}` namespaced maps, `\uXXXX` escapes, integers too big for
// a long read as big integers. Tags `#inst` (RFC 3339) and `#uuid` are built
// in, and so are Strata's own for the types EDN lacks: `#strata/float`,
// `#strata/uri`, `#strata/bytes` (base64). Other tags go through readers
// registered in ReadOptions, or are kept as tagged values when asked; else
// they are an error. docs/edn.md lists every rule.
//
// Errors are Anomalies of category incorrect with :db/error
// :db.error/invalid-edn, a message giving line, column and what was expected,
// and data {:line L :column C :near "text at the error"}. No input crashes the
// reader: nesting deeper than ReadOptions::max_depth is an error, not a stack
// overflow, and so is a number of more than 100,000 digits (the Value
// factories refuse those too, so everything printed reads back).
//
// The printer writes text that the reader reads back to an equal Value, and
// the same text for equal Values (maps and sets print in sorted order).
#ifndef STRATA_EDN_H_
#define STRATA_EDN_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/value.h"

namespace strata {

// Turns the value after a tag into the tagged value; throws an Anomaly to
// reject it (the reader adds the position).
using TagReader = std::function<Value(const Value& form)>;

struct ReadOptions {
  // Readers for tags beyond the built-in ones, by tag ("db/id"); they take
  // precedence over the built-in ones.
  std::map<std::string, TagReader, std::less<>> tag_readers;
  // Keep a tag with no reader as a tagged value instead of failing.
  bool keep_unknown_tags = false;
  // Deepest nesting of collections and tags accepted.
  int max_depth = 1000;
};

// Reads exactly one value from `text` (whitespace and comments around it are
// fine; anything else after it is an error).
Value ReadEdn(std::string_view text, const ReadOptions& options = {});

// Reads every top-level value of `text`, in order.
std::vector<Value> ReadAllEdn(std::string_view text, const ReadOptions& options = {});

// Reads top-level values one at a time, for large inputs.
// The text must outlive the reader.
class EdnReader {
 public:
  explicit EdnReader(std::string_view text, ReadOptions options = {});
  ~EdnReader();
  EdnReader(const EdnReader&) = delete;
  EdnReader& operator=(const EdnReader&) = delete;

  // Reads the next top-level value into *out; returns false at the end of the
  // text. Throws an Anomaly on malformed input (and keeps throwing after).
  bool Next(Value* out);
  // Byte offset of the next unread character.
  size_t offset() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends the EDN text of `value` to *out.
void PrintEdn(const Value& value, std::string* out);
std::string PrintEdn(const Value& value);

}  // namespace strata

#endif  // STRATA_EDN_H_
