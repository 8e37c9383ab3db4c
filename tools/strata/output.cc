// Output of the `strata` command: exit codes, formats, JSON and tables.
#include "output.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>

#include "strata/edn.h"

namespace strata::cli {

int ExitCodeFor(Category category) {
  switch (category) {
    case Category::kIncorrect:
      return kExitIncorrect;
    case Category::kNotFound:
      return kExitNotFound;
    case Category::kConflict:
      return kExitConflict;
    case Category::kUnavailable:
      return kExitUnavailable;
    case Category::kBusy:
      return kExitBusy;
    case Category::kInterrupted:
      return kExitInterrupted;
    case Category::kForbidden:
      return kExitForbidden;
    case Category::kUnsupported:
      return kExitUnsupported;
    case Category::kFault:
      return kExitFault;
  }
  return kExitError;
}

int ReportAnomaly(const Anomaly& anomaly) {
  std::cerr << PrintEdn(anomaly.ToValue()) << "\n";
  return ExitCodeFor(anomaly.category());
}

void AddFormatOption(CLI::App* command, Format* format) {
  std::map<std::string, Format> names{
      {"edn", Format::kEdn}, {"json", Format::kJson}, {"table", Format::kTable}};
  command
      ->add_option("--format", *format,
                   "Output format: edn (default), json or table (docs/cli.md has the JSON mapping)")
      ->transform(CLI::CheckedTransformer(names, CLI::ignore_case))
      ->option_text("edn|json|table");
}

namespace {

// The text between the first and the last '"' of a tagged literal's EDN
// form (#inst "...", #uuid "...").
std::string QuotedPart(const Value& v) {
  std::string s = PrintEdn(v);
  size_t first = s.find('"'), last = s.rfind('"');
  if (first == std::string::npos || last <= first) return s;
  return s.substr(first + 1, last - first - 1);
}

std::string Utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return out;
}

std::string KeyText(const Value& k) {
  return k.is_keyword() ? ":" + std::string(k.QualifiedName()) : std::string(k.AsString());
}

nlohmann::json Number(double d) {
  if (std::isnan(d)) return "##NaN";
  if (std::isinf(d)) return d > 0 ? "##Inf" : "##-Inf";
  return d;
}

}  // namespace

nlohmann::json ToJson(const Value& v) {
  switch (v.type()) {
    case ValueType::kNil:
      return nullptr;
    case ValueType::kBoolean:
      return v.AsBoolean();
    case ValueType::kLong:
    case ValueType::kRef:
      return v.AsLong();
    case ValueType::kFloat:
      return Number(static_cast<double>(v.AsFloat()));
    case ValueType::kDouble:
      return Number(v.AsDouble());
    case ValueType::kBigInt:
    case ValueType::kBigDec:
      return PrintEdn(v);
    case ValueType::kChar:
      return Utf8(v.AsChar());
    case ValueType::kString:
      return std::string(v.AsString());
    case ValueType::kKeyword:
      return ":" + std::string(v.QualifiedName());
    case ValueType::kSymbol:
      return std::string(v.QualifiedName());
    case ValueType::kInstant:
    case ValueType::kUuid:
    case ValueType::kUri:
    case ValueType::kBytes:
      return QuotedPart(v);
    case ValueType::kTuple:
    case ValueType::kList:
    case ValueType::kVector:
    case ValueType::kSet: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : v.Items()) out.push_back(ToJson(item));
      return out;
    }
    case ValueType::kMap: {
      bool object = true;
      for (size_t i = 0; i < v.Count(); ++i) {
        object = object && (v.MapKey(i).is_keyword() || v.MapKey(i).is_string());
      }
      if (object) {
        nlohmann::json out = nlohmann::json::object();
        for (size_t i = 0; i < v.Count(); ++i) out[KeyText(v.MapKey(i))] = ToJson(v.MapVal(i));
        return out;
      }
      nlohmann::json out = nlohmann::json::array();
      for (size_t i = 0; i < v.Count(); ++i) {
        out.push_back(nlohmann::json::array({ToJson(v.MapKey(i)), ToJson(v.MapVal(i))}));
      }
      return out;
    }
    case ValueType::kTagged: {
      nlohmann::json out = nlohmann::json::object();
      out["#" + std::string(v.Tag().QualifiedName())] = ToJson(v.TaggedValue());
      return out;
    }
  }
  return PrintEdn(v);
}

std::string JsonText(const Value& v) {
  return ToJson(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CellText(const Value& v) {
  if (v.is_string()) return std::string(v.AsString());
  return PrintEdn(v);
}

namespace {

// Display width: UTF-8 code points, not bytes.
size_t Width(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<Value>>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  std::vector<size_t> widths;
  for (const std::string& h : header) widths.push_back(Width(h));
  for (const auto& row : rows) {
    std::vector<std::string> texts;
    for (size_t i = 0; i < row.size(); ++i) {
      texts.push_back(CellText(row[i]));
      if (i >= widths.size()) widths.push_back(0);
      widths[i] = std::max(widths[i], Width(texts.back()));
    }
    cells.push_back(std::move(texts));
  }
  auto line = [&](const std::vector<std::string>& texts) {
    std::string out;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string text = i < texts.size() ? texts[i] : "";
      if (i > 0) out += " | ";
      out += text;
      if (i + 1 < widths.size()) out.append(widths[i] - Width(text), ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) out += "-+-";
    out.append(widths[i], '-');
  }
  out += "\n";
  for (const auto& texts : cells) out += line(texts);
  out += "(" + std::to_string(rows.size()) + (rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string TableOf(const Value& v, const std::vector<std::string>& columns) {
  std::vector<std::vector<Value>> rows;
  if (v.is_map()) {
    for (size_t i = 0; i < v.Count(); ++i) rows.push_back({v.MapKey(i), v.MapVal(i)});
    return RenderTable({"key", "value"}, rows);
  }
  if (!v.is_collection() || v.is_map()) {
    return RenderTable({columns.empty() ? "value" : columns[0]}, {{v}});
  }
  auto items = v.Items();
  bool all_sequential = !items.empty(), all_maps = !items.empty();
  size_t width = 0;
  for (const Value& item : items) {
    all_sequential = all_sequential && item.is_sequential();
    all_maps = all_maps && item.is_map();
    if (item.is_sequential()) width = std::max(width, item.Count());
  }
  if (all_sequential) {
    std::vector<std::string> header = columns;
    if (header.size() != width) {
      header.clear();
      for (size_t i = 0; i < width; ++i) header.push_back(std::to_string(i + 1));
    }
    for (const Value& item : items) rows.emplace_back(item.Items().begin(), item.Items().end());
    return RenderTable(header, rows);
  }
  if (all_maps) {
    std::vector<Value> keys;
    for (const Value& item : items) {
      for (size_t i = 0; i < item.Count(); ++i) {
        if (std::find(keys.begin(), keys.end(), item.MapKey(i)) == keys.end()) {
          keys.push_back(item.MapKey(i));
        }
      }
    }
    std::vector<std::string> header;
    for (const Value& k : keys) header.push_back(CellText(k));
    for (const Value& item : items) {
      std::vector<Value> row;
      for (const Value& k : keys) {
        const Value* cell = item.Get(k);
        row.push_back(cell == nullptr ? Value::String("") : *cell);
      }
      rows.push_back(std::move(row));
    }
    return RenderTable(header, rows);
  }
  for (const Value& item : items) rows.push_back({item});
  return RenderTable({columns.size() == 1 ? columns[0] : "value"}, rows);
}

Value DatomValue(const Database& db, const Datom& d) {
  Value ident = db.Ident(d.a);
  return Value::Vector({Value::Long(d.e), ident.is_nil() ? Value::Long(d.a) : ident, d.v,
                        Value::Long(d.tx), Value::Boolean(d.added)});
}

std::string Render(const Value& v, Format format, const std::vector<std::string>& columns) {
  switch (format) {
    case Format::kJson:
      return JsonText(v) + "\n";
    case Format::kTable:
      return TableOf(v, columns);
    case Format::kEdn:
      break;
  }
  return PrintEdn(v) + "\n";
}

std::chrono::seconds ParseDuration(std::string_view text) {
  auto fail = [&]() -> std::chrono::seconds {
    throw Anomaly(
        Category::kIncorrect,
        "'" + std::string(text) +
            "' is not a duration of at most 100 years: write a number and a unit (s, m, h, d "
            "or w), such as 30m, 2h, 7d or 1h30m",
        Value::Keyword("db.error", "invalid-duration"),
        Value::Map({{Value::Keyword("duration"), Value::String(text)}}));
  };
  if (text.empty()) return fail();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > (int64_t{1} << 40)) return fail();
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return fail();
    int64_t unit = 60;  // a plain number is minutes
    if (i < text.size()) {
      switch (text[i]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        case 'w':
          unit = 7 * 86400;
          break;
        default:
          return fail();
      }
      ++i;
    } else if (start != 0) {
      return fail();  // "1h30": the last number needs its unit
    }
    total += n * unit;
    if (total > int64_t{100} * 366 * 86400) return fail();
  }
  return std::chrono::seconds(total);
}

}  // namespace strata::cli
