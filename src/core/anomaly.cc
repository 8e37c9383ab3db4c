// Anomaly: categories, the EDN map form, and the throw shorthands.
#include "strata/anomaly.h"

#include <fmt/format.h>

#include <array>

#include "strata/edn.h"

namespace strata {
namespace {

constexpr std::array<std::string_view, 9> kCategoryNames = {
    "incorrect",   "not-found", "conflict",    "unavailable", "busy",
    "interrupted", "forbidden", "unsupported", "fault"};

constexpr std::string_view kAnomaliesNs = "cognitect.anomalies";

Value ErrorKeyword(std::string_view error) {
  return error.empty() ? Value() : Value::Keyword("db.error", error);
}

}  // namespace

std::string_view CategoryName(Category category) {
  return kCategoryNames[static_cast<size_t>(category)];
}

bool IsRetryable(Category category) {
  return category == Category::kUnavailable || category == Category::kBusy ||
         category == Category::kInterrupted;
}

std::optional<Category> ParseCategory(std::string_view name) {
  if (name.starts_with(kAnomaliesNs) && name.size() > kAnomaliesNs.size() &&
      name[kAnomaliesNs.size()] == '/') {
    name.remove_prefix(kAnomaliesNs.size() + 1);
  }
  for (size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
}

Anomaly::Anomaly(Category category, std::string message, Value error, Value data)
    : category_(category),
      message_(std::move(message)),
      error_(std::move(error)),
      data_(std::move(data)) {}

Value Anomaly::ToValue() const {
  std::vector<ValuePair> entries;
  entries.emplace_back(Value::Keyword(kAnomaliesNs, "category"),
                       Value::Keyword(kAnomaliesNs, CategoryName(category_)));
  entries.emplace_back(Value::Keyword(kAnomaliesNs, "message"), Value::String(message_));
  if (!error_.is_nil()) {
    entries.emplace_back(Value::Keyword("db", "error"), error_);
  }
  if (data_.is_map()) {
    for (size_t i = 0; i < data_.Count(); ++i) {
      const Value& key = data_.MapKey(i);
      bool reserved = false;
      for (const auto& [k, v] : entries) reserved = reserved || k == key;
      if (!reserved) entries.emplace_back(key, data_.MapVal(i));
    }
  }
  return Value::Map(std::move(entries));
}

Anomaly Anomaly::FromValue(const Value& map) {
  const Value* category =
      map.is_map() ? map.Get(Value::Keyword(kAnomaliesNs, "category")) : nullptr;
  std::optional<Category> parsed;
  if (category != nullptr && category->is_keyword() && category->Namespace() == kAnomaliesNs) {
    parsed = ParseCategory(category->Name());
  }
  if (!parsed) {
    ThrowIncorrect("not-an-anomaly", fmt::format("{} is not an anomaly: expected a map with "
                                                 ":cognitect.anomalies/category set to one of "
                                                 ":cognitect.anomalies/incorrect, ...",
                                                 PrintEdn(map)));
  }
  const Value* message = map.Get(Value::Keyword(kAnomaliesNs, "message"));
  const Value* error = map.Get(Value::Keyword("db", "error"));
  std::vector<ValuePair> data;
  for (size_t i = 0; i < map.Count(); ++i) {
    const Value& key = map.MapKey(i);
    if (key.is_keyword() &&
        (key.Namespace() == kAnomaliesNs || key == Value::Keyword("db", "error"))) {
      continue;
    }
    data.emplace_back(key, map.MapVal(i));
  }
  return Anomaly(
      *parsed,
      message != nullptr && message->is_string() ? std::string(message->AsString()) : std::string(),
      error != nullptr ? *error : Value(), data.empty() ? Value() : Value::Map(std::move(data)));
}

void ThrowIncorrect(std::string_view error, std::string message, Value data) {
  throw Anomaly(Category::kIncorrect, std::move(message), ErrorKeyword(error), std::move(data));
}

void ThrowNotFound(std::string_view error, std::string message, Value data) {
  throw Anomaly(Category::kNotFound, std::move(message), ErrorKeyword(error), std::move(data));
}

void ThrowFault(std::string message, Value data) {
  throw Anomaly(Category::kFault, std::move(message), Value(), std::move(data));
}

void ThrowUnsupported(std::string message, Value data) {
  throw Anomaly(Category::kUnsupported, std::move(message), Value(), std::move(data));
}

}  // namespace strata
