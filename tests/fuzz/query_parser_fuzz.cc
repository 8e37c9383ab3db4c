// Fuzz target for the query parser: any input read as EDN is parsed as a
// query and as rules, and the text itself as a query.
//
// The only outcomes allowed are a syntax tree or an invalid-query anomaly
// (category incorrect, :db.error/invalid-query, data with :form); nothing
// else may escape, and nothing may crash. A parsed query has a find element,
// a return map name per find element, and clauses whose
// variables are all variables; its printed form parses again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/ast.h"
#include "query/parser.h"
#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using strata::Value;
namespace query = strata::query;

void CheckAnomaly(const strata::Anomaly& e, std::string_view input) {
  FUZZ_CHECK(e.category() == strata::Category::kIncorrect, "parser error is not 'incorrect'",
             input);
  FUZZ_CHECK(e.error() == Value::Keyword("db.error/invalid-query"),
             "parser error is not :db.error/invalid-query", input);
  FUZZ_CHECK(e.data().is_map() && e.data().Get(Value::Keyword("form")) != nullptr,
             "parser error has no :form", input);
  FUZZ_CHECK(!e.message().empty(), "parser error has no message", input);
}

void CheckVariables(const std::vector<Value>& vars, std::string_view input) {
  for (const Value& v : vars)
    FUZZ_CHECK(query::IsVariable(v), "a non-variable in Variables()", input);
}

void CheckClauses(const query::Clauses& clauses, std::string_view input) {
  for (const query::Clause& clause : clauses) {
    FUZZ_CHECK(query::IsSourceVar(clause.source), "a clause without a source", input);
    CheckVariables(clause.Variables(), input);
    switch (clause.kind) {
      case query::Clause::Kind::kPattern:
        FUZZ_CHECK(!clause.pattern.terms.empty() && clause.pattern.terms.size() <= 5,
                   "a data pattern of 0 or more than 5 terms", input);
        break;
      case query::Clause::Kind::kFunction:
        CheckVariables(clause.function.output.Variables(), input);
        break;
      case query::Clause::Kind::kNot:
        FUZZ_CHECK(clause.not_clause != nullptr && !clause.not_clause->body.empty(),
                   "a not without a body", input);
        CheckClauses(clause.not_clause->body, input);
        break;
      case query::Clause::Kind::kOr:
        FUZZ_CHECK(clause.or_clause != nullptr && !clause.or_clause->branches.empty(),
                   "an or without branches", input);
        for (const query::Clauses& branch : clause.or_clause->branches) {
          FUZZ_CHECK(!branch.empty(), "an empty or branch", input);
          CheckClauses(branch, input);
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  strata::ReadOptions options;
  options.max_depth = 400;  // past the parser's own nesting limit
  Value form;
  bool readable = true;
  try {
    form = strata::ReadEdn(text, options);
  } catch (const strata::Anomaly&) {
    readable = false;
  }

  // The text as a query: reader errors become invalid-query anomalies too.
  try {
    query::ParseQuery(text);
  } catch (const strata::Anomaly& e) {
    CheckAnomaly(e, text);
  }
  if (!readable) return 0;

  try {
    query::Query q = query::ParseQuery(form);
    FUZZ_CHECK(!q.find.elements.empty(), "a query without find elements", text);
    FUZZ_CHECK(q.return_map.kind == query::ReturnMap::Kind::kNone ||
                   q.return_map.keys.size() == q.find.elements.size(),
               "return map names differ from find elements", text);
    for (const Value& v : q.with) FUZZ_CHECK(query::IsVariable(v), "a :with non-variable", text);
    for (const query::Input& input : q.inputs) {
      if (input.kind == query::Input::Kind::kBinding) {
        CheckVariables(input.binding.Variables(), text);
      }
    }
    CheckClauses(q.where, text);
    // What parsed prints as text that parses again.
    if (!form.is_string()) {
      std::string printed = strata::PrintEdn(form);
      try {
        query::ParseQuery(printed);
      } catch (const strata::Anomaly&) {
        FUZZ_CHECK(false, "the printed query does not parse", text);
      }
    }
  } catch (const strata::Anomaly& e) {
    CheckAnomaly(e, text);
  }

  try {
    query::RuleSet rules = query::ParseRules(form);
    for (const query::RuleBody& rule : rules.rules) {
      FUZZ_CHECK(!rule.vars.empty() && !rule.body.empty(), "a rule without vars or body", text);
      CheckClauses(rule.body, text);
    }
  } catch (const strata::Anomaly& e) {
    CheckAnomaly(e, text);
  }
  return 0;
}
