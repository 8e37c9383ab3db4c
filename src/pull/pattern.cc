// The pull pattern parser: EDN to the tree of pattern.h. Every error names
// the part of the pattern that is wrong (see strata/pull.h's grammar).
#include "pull/pattern.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::internal {

void ThrowInvalidPull(const Value& pattern, const Value& form, std::string message) {
  ThrowIncorrect(
      "invalid-pull", std::move(message),
      Value::Map({{Value::Keyword("pattern"), pattern}, {Value::Keyword("form"), form}}));
}

namespace {

bool IsBareSymbol(const Value& v, std::string_view name) {
  return v.is_symbol() && v.Namespace().empty() && v.Name() == name;
}

bool IsWildcard(const Value& v) {
  return IsBareSymbol(v, "*") || (v.is_string() && v.AsString() == "*");
}

// The legacy forms' heads: the symbol or the string.
bool IsHead(const Value& v, std::string_view name) {
  return IsBareSymbol(v, name) || (v.is_string() && v.AsString() == name);
}

class Parser {
 public:
  explicit Parser(const Value& pattern) : pattern_(pattern) {}

  void ParseNode(const Value& form, int depth, PullNode* node) {
    if (depth > kMaxPatternDepth) {
      Fail(form, fmt::format("Pull patterns nest at most {} levels deep", kMaxPatternDepth));
    }
    if (!form.is_vector() && !form.is_list()) {
      Fail(form, fmt::format("A pull pattern is a vector of attr-specs, such as [:person/name "
                             "{{:person/friend [:person/name]}}], not {}",
                             PrintEdn(form)));
    }
    if (form.Count() == 0) {
      Fail(form,
           "A pull pattern needs at least one attr-spec: an attribute name, *, a map-spec "
           "or an attribute expression");
    }
    for (const Value& item : form.Items()) {
      if (IsWildcard(item)) {
        node->wildcard = true;
      } else if (item.is_keyword()) {
        node->specs.push_back(NameSpec(item));
      } else if (item.is_map()) {
        ParseMapSpec(item, depth, node);
      } else if (item.is_vector() || item.is_list()) {
        node->specs.push_back(ParseAttrExpr(item));
      } else {
        Fail(item, fmt::format("{} is not an attr-spec: write an attribute keyword, *, a map-spec "
                               "{{:attr pattern}} or an attribute expression [:attr :as ...]",
                               PrintEdn(item)));
      }
    }
  }

 private:
  [[noreturn]] void Fail(const Value& form, std::string message) {
    ThrowInvalidPull(pattern_, form, std::move(message));
  }

  PullAttrSpec NameSpec(const Value& keyword) {
    PullAttrSpec spec;
    spec.form = keyword;
    spec.name = keyword;
    spec.key = keyword;
    if (keyword.Namespace() == "db" && keyword.Name() == "id") {
      spec.kind = PullAttrSpec::Kind::kDbId;
      return spec;
    }
    std::string_view name = keyword.Name();
    if (name.size() > 1 && name[0] == '_') {
      // A name whose rest is no keyword's name (:a/_#x) is a forward name.
      try {
        spec.reverse_of = Value::Keyword(keyword.Namespace(), name.substr(1));
      } catch (const Anomaly&) {
        spec.reverse_of = Value();
      }
    }
    return spec;
  }

  // [attr option value ...], (limit attr n), (default attr value).
  PullAttrSpec ParseAttrExpr(const Value& form) {
    std::span<const Value> items = form.Items();
    if (items.empty()) {
      Fail(form, "An attribute expression is [:attr option value ...], not empty");
    }
    const Value& head = items[0];
    if (IsHead(head, "limit") || IsHead(head, "default")) {
      bool limit = IsHead(head, "limit");
      if (items.size() != 3 || !items[1].is_keyword()) {
        Fail(form, fmt::format("{} is not a {} expression: write ({} :attr {})", PrintEdn(form),
                               limit ? "limit" : "default", limit ? "limit" : "default",
                               limit ? "n" : "value"));
      }
      PullAttrSpec spec = NameSpec(items[1]);
      spec.form = form;
      if (limit) {
        SetLimit(&spec, items[2], form);
      } else {
        SetDefault(&spec, items[2]);
      }
      return spec;
    }
    if (!head.is_keyword()) {
      Fail(form, fmt::format("An attribute expression starts with an attribute keyword (or is "
                             "(limit :attr n) or (default :attr value)), not {}",
                             PrintEdn(head)));
    }
    if (items.size() < 3 || items.size() % 2 == 0) {
      Fail(form, fmt::format("{} is not an attribute expression: write [{} option value ...] with "
                             "options :as, :limit, :default, :xform",
                             PrintEdn(form), PrintEdn(head)));
    }
    PullAttrSpec spec = NameSpec(head);
    spec.form = form;
    bool seen[4] = {false, false, false, false};
    for (size_t i = 1; i < items.size(); i += 2) {
      const Value& option = items[i];
      const Value& value = items[i + 1];
      int which = !option.is_keyword() || !option.Namespace().empty() ? -1
                  : option.Name() == "as"                             ? 0
                  : option.Name() == "limit"                          ? 1
                  : option.Name() == "default"                        ? 2
                  : option.Name() == "xform"                          ? 3
                                                                      : -1;
      if (which < 0) {
        Fail(form, fmt::format("{} is not an attribute option in {}: use :as, :limit, :default "
                               "or :xform",
                               PrintEdn(option), PrintEdn(form)));
      }
      if (seen[which]) {
        Fail(form, fmt::format("{} is given twice in {}", PrintEdn(option), PrintEdn(form)));
      }
      seen[which] = true;
      switch (which) {
        case 0:
          spec.key = value;
          break;
        case 1:
          SetLimit(&spec, value, form);
          break;
        case 2:
          SetDefault(&spec, value);
          break;
        default:
          SetXform(&spec, value, form);
          break;
      }
    }
    return spec;
  }

  void SetLimit(PullAttrSpec* spec, const Value& value, const Value& form) {
    if (value.is_nil()) {
      spec->limit = -1;
    } else if (value.is_long() && value.AsLong() > 0) {
      spec->limit = value.AsLong();
    } else {
      Fail(form, fmt::format(":limit is a positive integer, or nil for no limit, not {} (in {})",
                             PrintEdn(value), PrintEdn(form)));
    }
  }

  static void SetDefault(PullAttrSpec* spec, const Value& value) {
    spec->has_default = !value.is_nil();
    spec->default_value = value;
  }

  void SetXform(PullAttrSpec* spec, const Value& value, const Value& form) {
    if (!value.is_symbol()) {
      Fail(form, fmt::format(":xform names a function by symbol (str, name, my.app/f), not {} "
                             "(in {})",
                             PrintEdn(value), PrintEdn(form)));
    }
    spec->xform = FindPullXform(value);
    if (!spec->xform) {
      Fail(form, fmt::format("No pull :xform function named {} (in {}): register it with "
                             "RegisterPullXform, or use str, keyword, symbol, name or namespace",
                             PrintEdn(value), PrintEdn(form)));
    }
  }

  void ParseMapSpec(const Value& map, int depth, PullNode* node) {
    if (map.Count() == 0) {
      Fail(map, "A map-spec needs at least one entry {:attr pattern}");
    }
    for (size_t i = 0; i < map.Count(); ++i) {
      const Value& key = map.MapKey(i);
      const Value& val = map.MapVal(i);
      PullAttrSpec spec;
      if (key.is_keyword()) {
        spec = NameSpec(key);
      } else if (key.is_vector() || key.is_list()) {
        spec = ParseAttrExpr(key);
      } else {
        Fail(map, fmt::format("A map-spec's key is an attribute or an attribute expression, not {}",
                              PrintEdn(key)));
      }
      Value entry = Value::Map({{key, val}});
      if (spec.kind == PullAttrSpec::Kind::kDbId) {
        Fail(entry, ":db/id is not a reference: it takes no pattern in a map-spec");
      }
      spec.form = entry;
      if (val.is_vector() || val.is_list()) {
        spec.sub = std::make_unique<PullNode>();
        ParseNode(val, depth + 1, spec.sub.get());
      } else if (IsBareSymbol(val, "...")) {
        spec.recursion = PullAttrSpec::Recursion::kUnbounded;
      } else if (val.is_long() && val.AsLong() > 0) {
        spec.recursion = PullAttrSpec::Recursion::kDepth;
        spec.depth = val.AsLong();
      } else {
        Fail(entry, fmt::format("A map-spec's value is a pattern, a positive recursion limit or "
                                "..., not {}",
                                PrintEdn(val)));
      }
      node->specs.push_back(std::move(spec));
    }
  }

  const Value& pattern_;
};

}  // namespace

std::shared_ptr<const PullPatternImpl> ParsePattern(const Value& form) {
  auto impl = std::make_shared<PullPatternImpl>();
  impl->form = form;
  Parser(form).ParseNode(form, 0, &impl->root);
  return impl;
}

}  // namespace strata::internal
