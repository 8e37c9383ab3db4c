// The variables of bindings and clauses (ast.h).
#include "query/ast.h"

#include <absl/container/flat_hash_set.h>

namespace strata::query {
namespace {

// Variables in order of first appearance, each once. A hash set keeps this
// linear for a call with thousands of arguments.
class VariableList {
 public:
  void Add(const Value& v) {
    if (seen_.insert(v).second) list_.push_back(v);
  }
  std::vector<Value> Take() && { return std::move(list_); }

 private:
  absl::flat_hash_set<Value, ValueHash> seen_;
  std::vector<Value> list_;
};

void AddBinding(const Binding& binding, VariableList* out) {
  if (binding.kind == Binding::Kind::kScalar) {
    if (!binding.variable.is_nil()) out->Add(binding.variable);
    return;
  }
  for (const Binding& element : binding.elements) AddBinding(element, out);
}

void AddTerms(const std::vector<Term>& terms, VariableList* out) {
  for (const Term& term : terms) {
    if (term.is_variable()) out->Add(term.value);
  }
}

}  // namespace

std::vector<Value> Binding::Variables() const {
  VariableList out;
  AddBinding(*this, &out);
  return std::move(out).Take();
}

std::vector<Value> Clause::Variables() const {
  VariableList out;
  switch (kind) {
    case Kind::kPattern:
      AddTerms(pattern.terms, &out);
      break;
    case Kind::kPredicate:
      AddTerms(pred.args, &out);
      break;
    case Kind::kFunction:
      AddTerms(function.args, &out);
      AddBinding(function.output, &out);
      break;
    case Kind::kRule:
      AddTerms(rule.args, &out);
      break;
    case Kind::kNot:
      if (not_clause != nullptr) {
        for (const Value& v : not_clause->join_vars) out.Add(v);
      }
      break;
    case Kind::kOr:
      if (or_clause != nullptr) {
        for (const Value& v : or_clause->join_vars) out.Add(v);
      }
      break;
  }
  return std::move(out).Take();
}

}  // namespace strata::query
