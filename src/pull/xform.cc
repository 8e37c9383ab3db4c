// Pull :xform functions: the registry of RegisterPullXform and the
// built-ins str, keyword, symbol, name and namespace (as Clojure's, found
// by the bare symbol or under clojure.core/).
#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <string>

#include "core/utf8.h"
#include "pull/pattern.h"
#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/pull.h"

namespace strata {
namespace {

[[noreturn]] void ThrowXformType(std::string_view fn, const Value& v) {
  ThrowIncorrect(
      "", fmt::format("Pull :xform {} cannot take {} (a {})", fn, PrintEdn(v), TypeName(v.type())),
      Value::Map({{Value::Keyword("xform"), Value::Symbol(fn)}, {Value::Keyword("value"), v}}));
}

Value Str(const Value& v) {
  switch (v.type()) {
    case ValueType::kNil:
      return Value::String("");
    case ValueType::kString:
      return v;
    case ValueType::kSymbol:
      return Value::String(v.QualifiedName());
    case ValueType::kUuid:
      return Value::String(v.AsUuid().ToString());
    case ValueType::kUri:
      return Value::String(v.AsString());
    case ValueType::kChar: {
      std::string s;
      AppendUtf8(v.AsChar(), &s);
      return Value::String(s);
    }
    default:
      return Value::String(PrintEdn(v));
  }
}

Value Keyword(const Value& v) {
  if (v.is_nil() || v.is_keyword()) return v;
  if (v.is_symbol()) return Value::Keyword(v.Namespace(), v.Name());
  if (v.is_string()) return Value::Keyword(v.AsString());
  ThrowXformType("keyword", v);
}

Value Symbol(const Value& v) {
  if (v.is_nil() || v.is_symbol()) return v;
  if (v.is_keyword()) return Value::Symbol(v.Namespace(), v.Name());
  if (v.is_string()) return Value::Symbol(v.AsString());
  ThrowXformType("symbol", v);
}

Value Name(const Value& v) {
  if (v.is_keyword() || v.is_symbol()) return Value::String(v.Name());
  if (v.is_string()) return v;
  ThrowXformType("name", v);
}

Value Namespace(const Value& v) {
  if (v.is_keyword() || v.is_symbol()) {
    return v.Namespace().empty() ? Value() : Value::String(v.Namespace());
  }
  ThrowXformType("namespace", v);
}

struct Registry {
  std::mutex mu;
  absl::flat_hash_map<std::string, std::shared_ptr<const PullXform>> registered;
  absl::flat_hash_map<std::string, std::shared_ptr<const PullXform>> built_in;

  Registry() {
    auto add = [this](std::string name, Value (*fn)(const Value&)) {
      auto xform = std::make_shared<const PullXform>(fn);
      built_in.emplace(name, xform);
      built_in.emplace("clojure.core/" + name, xform);
    };
    add("str", Str);
    add("keyword", Keyword);
    add("symbol", Symbol);
    add("name", Name);
    add("namespace", Namespace);
  }
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

void RegisterPullXform(std::string_view name, PullXform fn) {
  Value symbol = Value::Symbol(name);  // checks the name
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.registered[std::string(symbol.QualifiedName())] =
      std::make_shared<const PullXform>(std::move(fn));
}

namespace internal {

std::shared_ptr<const PullXform> FindPullXform(const Value& symbol) {
  if (!symbol.is_symbol()) return nullptr;
  std::string name(symbol.QualifiedName());
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (auto it = r.registered.find(name); it != r.registered.end()) return it->second;
  if (auto it = r.built_in.find(name); it != r.built_in.end()) return it->second;
  return nullptr;
}

}  // namespace internal
}  // namespace strata
