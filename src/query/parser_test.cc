// Tests of the query parser (parser.h) and of the syntax tree's variable
// lists (ast.h): every grammar element, and every error the parser reports.
#include "query/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace {

Value Sym(std::string_view s) { return Value::Symbol(s); }
Value Kw(std::string_view s) { return Value::Keyword(s); }
Value Edn(std::string_view s) { return ReadEdn(s); }

std::vector<Value> Syms(std::initializer_list<std::string_view> names) {
  std::vector<Value> out;
  for (std::string_view n : names) out.push_back(Sym(n));
  return out;
}

// The anomaly `parse` throws; fails the test unless it is an invalid-query
// anomaly whose message contains `fragment` and whose data has :form.
template <typename F>
Anomaly ExpectInvalid(F parse, std::string_view fragment) {
  try {
    parse();
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kIncorrect);
    EXPECT_EQ(e.error(), Kw("db.error/invalid-query"));
    EXPECT_NE(e.message().find(fragment), std::string::npos)
        << "message: " << e.message() << "\nexpected to contain: " << fragment;
    return e;
  }
  ADD_FAILURE() << "no error; expected one containing: " << fragment;
  return Anomaly(Category::kFault, "none");
}

// The offending form an invalid query names.
Value ErrorForm(const Anomaly& e) {
  const Value* form = e.data().Get(Kw("form"));
  EXPECT_NE(form, nullptr) << e.message();
  return form == nullptr ? Value() : *form;
}

void ExpectQueryError(std::string_view text, std::string_view fragment) {
  SCOPED_TRACE(std::string(text));
  Anomaly e = ExpectInvalid([&] { ParseQuery(text); }, fragment);
  ErrorForm(e);
}

void ExpectRulesError(std::string_view text, std::string_view fragment) {
  SCOPED_TRACE(std::string(text));
  Anomaly e = ExpectInvalid([&] { ParseRules(Edn(text)); }, fragment);
  ErrorForm(e);
}

// ---------------------------------------------------------------------------
// Symbols

TEST(QueryParserTest, ClassifiesSymbols) {
  EXPECT_TRUE(IsVariable(Sym("?x")));
  EXPECT_TRUE(IsVariable(Sym("?")));
  EXPECT_FALSE(IsVariable(Sym("x")));
  EXPECT_FALSE(IsVariable(Sym("ns/?x")));
  EXPECT_FALSE(IsVariable(Kw("?x")));
  EXPECT_FALSE(IsVariable(Value::String("?x")));
  EXPECT_TRUE(IsSourceVar(Sym("$")));
  EXPECT_TRUE(IsSourceVar(Sym("$hist")));
  EXPECT_FALSE(IsSourceVar(Sym("?x")));
  EXPECT_TRUE(IsRulesVar(Sym("%")));
  EXPECT_FALSE(IsRulesVar(Sym("%x")));
  EXPECT_TRUE(IsBlank(Sym("_")));
  EXPECT_FALSE(IsBlank(Sym("_x")));
  EXPECT_FALSE(IsBlank(Value()));
}

// ---------------------------------------------------------------------------
// Query forms

TEST(QueryParserTest, VectorQuery) {
  Query q = ParseQuery("[:find ?e ?n :where [?e :person/name ?n]]");
  EXPECT_EQ(q.find.shape, FindSpec::Shape::kRelation);
  ASSERT_EQ(q.find.elements.size(), 2u);
  EXPECT_EQ(q.find.elements[0].kind, FindElement::Kind::kVariable);
  EXPECT_EQ(q.find.elements[0].variable, Sym("?e"));
  EXPECT_EQ(q.find.elements[1].variable, Sym("?n"));
  EXPECT_EQ(q.return_map.kind, ReturnMap::Kind::kNone);
  EXPECT_TRUE(q.with.empty());
  ASSERT_EQ(q.inputs.size(), 1u);  // no :in means :in $
  EXPECT_EQ(q.inputs[0].kind, Input::Kind::kSource);
  EXPECT_EQ(q.inputs[0].symbol, Sym("$"));
  ASSERT_EQ(q.where.size(), 1u);
  const Clause& c = q.where[0];
  EXPECT_EQ(c.kind, Clause::Kind::kPattern);
  EXPECT_EQ(c.source, Sym("$"));
  EXPECT_EQ(c.form, Edn("[?e :person/name ?n]"));
  ASSERT_EQ(c.pattern.terms.size(), 3u);
  EXPECT_TRUE(c.pattern.terms[0].is_variable());
  EXPECT_TRUE(c.pattern.terms[1].is_constant());
  EXPECT_EQ(c.pattern.terms[1].value, Kw("person/name"));
  EXPECT_EQ(q.form, Edn("[:find ?e ?n :where [?e :person/name ?n]]"));
}

TEST(QueryParserTest, MapQuery) {
  Query q = ParseQuery(Edn("{:find [?e] :in [$ ?x] :with [?w] :where [[?e :a ?x] [?e :b ?w]]}"));
  ASSERT_EQ(q.find.elements.size(), 1u);
  EXPECT_EQ(q.find.shape, FindSpec::Shape::kRelation);
  EXPECT_EQ(q.with, Syms({"?w"}));
  ASSERT_EQ(q.inputs.size(), 2u);
  EXPECT_EQ(q.inputs[1].kind, Input::Kind::kBinding);
  EXPECT_EQ(q.inputs[1].binding.variable, Sym("?x"));
  EXPECT_EQ(q.where.size(), 2u);
}

TEST(QueryParserTest, MapQueryFindShapes) {
  EXPECT_EQ(ParseQuery("{:find [?e .] :where [[?e :a]]}").find.shape, FindSpec::Shape::kScalar);
  EXPECT_EQ(ParseQuery("{:find [[?e ...]] :where [[?e :a]]}").find.shape,
            FindSpec::Shape::kCollection);
  EXPECT_EQ(ParseQuery("{:find [[?e ?v]] :where [[?e :a ?v]]}").find.shape,
            FindSpec::Shape::kTuple);
  Query q = ParseQuery("{:find [?e] :keys [id] :where [[?e :a]]}");
  EXPECT_EQ(q.return_map.keys, std::vector<Value>{Kw("id")});
}

TEST(QueryParserTest, MapQueryWithoutInHasDefaultSource) {
  Query q = ParseQuery("{:find [?e] :where [[?e :a]]}");
  ASSERT_EQ(q.inputs.size(), 1u);
  EXPECT_EQ(q.inputs[0].symbol, Sym("$"));
}

TEST(QueryParserTest, StringQueries) {
  Query q = ParseQuery(Value::String("[:find ?e :where [?e :a 1]]"));
  EXPECT_EQ(q.form, Edn("[:find ?e :where [?e :a 1]]"));
  Query m = ParseQuery(Value::String("{:find [?e] :where [[?e :a 1]]}"));
  EXPECT_EQ(m.where.size(), 1u);
}

TEST(QueryParserTest, SectionsInAnyOrderAndEmptyWhere) {
  Query q = ParseQuery("[:find ?x :where :in ?x]");
  EXPECT_TRUE(q.where.empty());
  ASSERT_EQ(q.inputs.size(), 1u);
  EXPECT_EQ(q.inputs[0].binding.variable, Sym("?x"));
  EXPECT_TRUE(ParseQuery("[:find ?x :in ?x]").where.empty());
}

// ---------------------------------------------------------------------------
// :find

TEST(QueryParserTest, FindShapes) {
  Query coll = ParseQuery("[:find [?e ...] :where [?e :a]]");
  EXPECT_EQ(coll.find.shape, FindSpec::Shape::kCollection);
  ASSERT_EQ(coll.find.elements.size(), 1u);
  EXPECT_EQ(coll.find.elements[0].variable, Sym("?e"));

  Query tuple = ParseQuery("[:find [?e ?v] :where [?e :a ?v]]");
  EXPECT_EQ(tuple.find.shape, FindSpec::Shape::kTuple);
  EXPECT_EQ(tuple.find.elements.size(), 2u);

  Query one = ParseQuery("[:find [?e] :where [?e :a ?v]]");
  EXPECT_EQ(one.find.shape, FindSpec::Shape::kTuple);

  Query scalar = ParseQuery("[:find ?e . :where [?e :a]]");
  EXPECT_EQ(scalar.find.shape, FindSpec::Shape::kScalar);
  EXPECT_EQ(scalar.find.elements.size(), 1u);

  Query agg_scalar = ParseQuery("[:find (count ?e) . :where [?e :a]]");
  EXPECT_EQ(agg_scalar.find.shape, FindSpec::Shape::kScalar);
  EXPECT_EQ(agg_scalar.find.elements[0].kind, FindElement::Kind::kAggregate);
}

TEST(QueryParserTest, FindAggregates) {
  Query q = ParseQuery(
      "[:find ?g (count ?x) (max 3 ?x) (my.ns/agg ?x) (sample 2 \"s\" ?x) "
      ":with ?w :where [?g :a ?x] [?g :b ?w]]");
  ASSERT_EQ(q.find.elements.size(), 5u);
  const FindElement& count = q.find.elements[1];
  EXPECT_EQ(count.kind, FindElement::Kind::kAggregate);
  EXPECT_EQ(count.aggregate, Sym("count"));
  EXPECT_EQ(count.variable, Sym("?x"));
  EXPECT_TRUE(count.aggregate_args.empty());
  EXPECT_EQ(count.form, Edn("(count ?x)"));
  const FindElement& max = q.find.elements[2];
  EXPECT_EQ(max.aggregate, Sym("max"));
  EXPECT_EQ(max.aggregate_args, std::vector<Value>{Value::Long(3)});
  EXPECT_EQ(q.find.elements[3].aggregate, Sym("my.ns/agg"));
  EXPECT_EQ(q.find.elements[4].aggregate_args,
            (std::vector<Value>{Value::Long(2), Value::String("s")}));
  EXPECT_EQ(q.with, Syms({"?w"}));
}

TEST(QueryParserTest, FindPull) {
  Query q = ParseQuery(
      "[:find (pull ?e [*]) (pull $h ?e [:a {:b [*]}]) (pull ?e pat) :in $ $h pat "
      ":where [?e :a]]");
  ASSERT_EQ(q.find.elements.size(), 3u);
  const FindElement& plain = q.find.elements[0];
  EXPECT_EQ(plain.kind, FindElement::Kind::kPull);
  EXPECT_EQ(plain.variable, Sym("?e"));
  EXPECT_EQ(plain.source, Sym("$"));
  EXPECT_EQ(plain.pull_pattern, Edn("[*]"));
  EXPECT_EQ(q.find.elements[1].source, Sym("$h"));
  EXPECT_EQ(q.find.elements[1].pull_pattern, Edn("[:a {:b [*]}]"));
  EXPECT_EQ(q.find.elements[2].pull_pattern, Sym("pat"));
  EXPECT_EQ(q.inputs[2].kind, Input::Kind::kPattern);
}

TEST(QueryParserTest, ReturnMaps) {
  Query keys = ParseQuery("[:find ?a ?b :keys a my/b :where [?a :x ?b]]");
  EXPECT_EQ(keys.return_map.kind, ReturnMap::Kind::kKeys);
  EXPECT_EQ(keys.return_map.keys, (std::vector<Value>{Kw("a"), Kw("my/b")}));
  Query strs = ParseQuery("[:find ?a ?b :strs a b :where [?a :x ?b]]");
  EXPECT_EQ(strs.return_map.kind, ReturnMap::Kind::kStrs);
  EXPECT_EQ(strs.return_map.keys, (std::vector<Value>{Value::String("a"), Value::String("b")}));
  Query syms = ParseQuery("[:find ?a ?b :syms a b :where [?a :x ?b]]");
  EXPECT_EQ(syms.return_map.kind, ReturnMap::Kind::kSyms);
  EXPECT_EQ(syms.return_map.keys, Syms({"a", "b"}));
  Query tuple = ParseQuery("[:find [?a ?b] :keys a b :where [?a :x ?b]]");
  EXPECT_EQ(tuple.return_map.keys.size(), 2u);
}

// ---------------------------------------------------------------------------
// :in

TEST(QueryParserTest, Inputs) {
  Query q = ParseQuery(
      "[:find ?x :in $ $hist % pat ?x [?a ?b] [?c ...] [[?d _]] _ [[?t ?u] ...] "
      ":where [?x :a]]");
  ASSERT_EQ(q.inputs.size(), 10u);
  EXPECT_EQ(q.inputs[0].kind, Input::Kind::kSource);
  EXPECT_EQ(q.inputs[1].kind, Input::Kind::kSource);
  EXPECT_EQ(q.inputs[1].symbol, Sym("$hist"));
  EXPECT_EQ(q.inputs[2].kind, Input::Kind::kRules);
  EXPECT_EQ(q.inputs[3].kind, Input::Kind::kPattern);
  EXPECT_EQ(q.inputs[3].symbol, Sym("pat"));

  const Binding& scalar = q.inputs[4].binding;
  EXPECT_EQ(q.inputs[4].kind, Input::Kind::kBinding);
  EXPECT_EQ(scalar.kind, Binding::Kind::kScalar);
  EXPECT_EQ(scalar.variable, Sym("?x"));

  const Binding& tuple = q.inputs[5].binding;
  EXPECT_EQ(tuple.kind, Binding::Kind::kTuple);
  ASSERT_EQ(tuple.elements.size(), 2u);
  EXPECT_EQ(tuple.elements[1].variable, Sym("?b"));
  EXPECT_EQ(tuple.form, Edn("[?a ?b]"));

  const Binding& coll = q.inputs[6].binding;
  EXPECT_EQ(coll.kind, Binding::Kind::kCollection);
  ASSERT_EQ(coll.elements.size(), 1u);
  EXPECT_EQ(coll.elements[0].variable, Sym("?c"));

  const Binding& rel = q.inputs[7].binding;
  EXPECT_EQ(rel.kind, Binding::Kind::kRelation);
  ASSERT_EQ(rel.elements.size(), 2u);
  EXPECT_EQ(rel.elements[0].variable, Sym("?d"));
  EXPECT_TRUE(rel.elements[1].variable.is_nil());

  const Binding& blank = q.inputs[8].binding;
  EXPECT_EQ(blank.kind, Binding::Kind::kScalar);
  EXPECT_TRUE(blank.variable.is_nil());
  EXPECT_TRUE(blank.Variables().empty());

  const Binding& coll_of_tuples = q.inputs[9].binding;
  EXPECT_EQ(coll_of_tuples.kind, Binding::Kind::kCollection);
  EXPECT_EQ(coll_of_tuples.elements[0].kind, Binding::Kind::kTuple);
  EXPECT_EQ(coll_of_tuples.Variables(), Syms({"?t", "?u"}));
}

TEST(QueryParserTest, BlankInTupleBindings) {
  Query q = ParseQuery("[:find ?b :in [_ ?b] [[_ ?c _]] :where [?b :a ?c]]");
  EXPECT_EQ(q.inputs[0].binding.Variables(), Syms({"?b"}));
  EXPECT_EQ(q.inputs[1].binding.Variables(), Syms({"?c"}));
}

// ---------------------------------------------------------------------------
// :where

TEST(QueryParserTest, DataPatterns) {
  Query q = ParseQuery(
      "[:find ?e :in $ $h :where [?e] [$h ?e :a _ ?tx false] [_ :a [:id 1]] "
      "[?e :a \"s\" ?tx]]");
  ASSERT_EQ(q.where.size(), 4u);
  EXPECT_EQ(q.where[0].pattern.terms.size(), 1u);
  const Clause& sourced = q.where[1];
  EXPECT_EQ(sourced.source, Sym("$h"));
  ASSERT_EQ(sourced.pattern.terms.size(), 5u);
  EXPECT_EQ(sourced.pattern.terms[2].kind, Term::Kind::kBlank);
  EXPECT_TRUE(sourced.pattern.terms[2].value.is_nil());
  EXPECT_EQ(sourced.pattern.terms[4].value, Value::Boolean(false));
  EXPECT_EQ(sourced.Variables(), Syms({"?e", "?tx"}));
  EXPECT_EQ(q.where[2].pattern.terms[2].value, Edn("[:id 1]"));
  EXPECT_TRUE(q.where[2].Variables().empty());
}

TEST(QueryParserTest, PredicateExpressions) {
  Query q = ParseQuery("[:find ?a :where [?a :n ?n] [(< ?n 3)] [(my.ns/ok? ?a \"x\" ?n ?a)]]");
  const Clause& lt = q.where[1];
  EXPECT_EQ(lt.kind, Clause::Kind::kPredicate);
  EXPECT_EQ(lt.pred.fn, Sym("<"));
  ASSERT_EQ(lt.pred.args.size(), 2u);
  EXPECT_TRUE(lt.pred.args[0].is_variable());
  EXPECT_EQ(lt.pred.args[1].value, Value::Long(3));
  EXPECT_EQ(q.where[2].pred.fn, Sym("my.ns/ok?"));
  EXPECT_EQ(q.where[2].Variables(), Syms({"?a", "?n"}));
}

TEST(QueryParserTest, FunctionExpressions) {
  Query q = ParseQuery(
      "[:find ?b :in $ $h :where [?a :n ?n] [(+ ?n 1) ?b] [(vector ?a ?n) [?x ?y]] "
      "[(range ?n) [?r ...]] [(f ?a) [[?p _ ?q]]] [(get-else $h ?a :x \"none\") ?v] "
      "[(rand) _]]");
  const Clause& plus = q.where[1];
  EXPECT_EQ(plus.kind, Clause::Kind::kFunction);
  EXPECT_EQ(plus.function.fn, Sym("+"));
  EXPECT_EQ(plus.function.output.kind, Binding::Kind::kScalar);
  EXPECT_EQ(plus.function.output.variable, Sym("?b"));
  EXPECT_EQ(plus.Variables(), Syms({"?n", "?b"}));
  EXPECT_EQ(q.where[2].function.output.kind, Binding::Kind::kTuple);
  EXPECT_EQ(q.where[3].function.output.kind, Binding::Kind::kCollection);
  EXPECT_EQ(q.where[4].function.output.kind, Binding::Kind::kRelation);
  EXPECT_EQ(q.where[4].Variables(), Syms({"?a", "?p", "?q"}));
  const Clause& get_else = q.where[5];
  ASSERT_EQ(get_else.function.args.size(), 4u);
  EXPECT_EQ(get_else.function.args[0].kind, Term::Kind::kSource);
  EXPECT_EQ(get_else.function.args[0].value, Sym("$h"));
  EXPECT_TRUE(q.where[6].function.args.empty());
  EXPECT_TRUE(q.where[6].function.output.variable.is_nil());
}

TEST(QueryParserTest, RuleExpressions) {
  Query q = ParseQuery("[:find ?a :in $ $h % :where (anc ?a _ 3) ($h anc ?a :k)]");
  const Clause& call = q.where[0];
  EXPECT_EQ(call.kind, Clause::Kind::kRule);
  EXPECT_EQ(call.source, Sym("$"));
  EXPECT_EQ(call.rule.name, Sym("anc"));
  ASSERT_EQ(call.rule.args.size(), 3u);
  EXPECT_EQ(call.rule.args[1].kind, Term::Kind::kBlank);
  EXPECT_EQ(call.rule.args[2].value, Value::Long(3));
  EXPECT_EQ(q.where[1].source, Sym("$h"));
  EXPECT_EQ(q.where[1].Variables(), Syms({"?a"}));
}

TEST(QueryParserTest, NotClauses) {
  Query q = ParseQuery(
      "[:find ?e :in $ $h :where [?e :a ?v] (not [?e :b ?v] [?e :c ?w]) "
      "(not-join [?e] [?e :d ?x] [?x :e 1]) ($h not [?e :f])]");
  const Clause& n = q.where[1];
  EXPECT_EQ(n.kind, Clause::Kind::kNot);
  ASSERT_NE(n.not_clause, nullptr);
  EXPECT_FALSE(n.not_clause->is_join);
  EXPECT_EQ(n.not_clause->join_vars, Syms({"?e", "?v", "?w"}));
  EXPECT_EQ(n.not_clause->body.size(), 2u);
  EXPECT_EQ(n.Variables(), Syms({"?e", "?v", "?w"}));

  const Clause& nj = q.where[2];
  EXPECT_TRUE(nj.not_clause->is_join);
  EXPECT_EQ(nj.not_clause->join_vars, Syms({"?e"}));
  EXPECT_EQ(nj.Variables(), Syms({"?e"}));

  const Clause& sourced = q.where[3];
  EXPECT_EQ(sourced.source, Sym("$h"));
  // The body's clauses default to the source of the not.
  EXPECT_EQ(sourced.not_clause->body[0].source, Sym("$h"));
}

TEST(QueryParserTest, OrClauses) {
  Query q = ParseQuery(
      "[:find ?e :in $ $h :where "
      "(or [?e :a ?v] (and [?e :b ?v] [(pos? ?v)]) [?v :d ?e]) "
      "(or-join [?e] [?e :a 1] (and [?e :b ?y] [(pos? ?y)])) "
      "(or-join [[?e] ?z] [?e :a ?z] [?e :b ?z]) "
      "($h or [?e :g] [?e :h])]");
  const Clause& o = q.where[0];
  EXPECT_EQ(o.kind, Clause::Kind::kOr);
  ASSERT_NE(o.or_clause, nullptr);
  EXPECT_FALSE(o.or_clause->is_join);
  EXPECT_EQ(o.or_clause->join_vars, Syms({"?e", "?v"}));
  ASSERT_EQ(o.or_clause->branches.size(), 3u);
  EXPECT_EQ(o.or_clause->branches[1].size(), 2u);
  EXPECT_EQ(o.Variables(), Syms({"?e", "?v"}));

  const Clause& oj = q.where[1];
  EXPECT_TRUE(oj.or_clause->is_join);
  EXPECT_EQ(oj.or_clause->join_vars, Syms({"?e"}));
  EXPECT_TRUE(oj.or_clause->required_vars.empty());
  EXPECT_EQ(oj.or_clause->branches[1][1].kind, Clause::Kind::kPredicate);

  const Clause& req = q.where[2];
  EXPECT_EQ(req.or_clause->required_vars, Syms({"?e"}));
  EXPECT_EQ(req.or_clause->join_vars, Syms({"?e", "?z"}));

  const Clause& sourced = q.where[3];
  EXPECT_EQ(sourced.source, Sym("$h"));
  EXPECT_EQ(sourced.or_clause->branches[1][0].source, Sym("$h"));
}

TEST(QueryParserTest, OrJoinBranchMayLeaveOutAJoinVariable) {
  // Datomic accepts this when ?x is bound before the or-join.
  Query q = ParseQuery("[:find ?e :in ?x :where (or-join [?e ?x] [?e :a ?x] [?e :b 1])]");
  EXPECT_EQ(q.where[0].or_clause->join_vars, Syms({"?e", "?x"}));
}

TEST(QueryParserTest, NestedNotAndOr) {
  Query q = ParseQuery(
      "[:find ?e :where [?e :a] (or (not [?e :b]) (and [?e :c] (not-join [?e] [?e :d ?z])))]");
  const OrClause& o = *q.where[1].or_clause;
  EXPECT_EQ(o.join_vars, Syms({"?e"}));
  EXPECT_EQ(o.branches[0][0].kind, Clause::Kind::kNot);
  EXPECT_EQ(o.branches[1][1].not_clause->join_vars, Syms({"?e"}));
}

TEST(QueryParserTest, DeepButBoundedNesting) {
  std::string text = "[:find ?e :where ";
  for (int i = 0; i < 200; ++i) text += "(not ";
  text += "[?e :a]";
  for (int i = 0; i < 200; ++i) text += ")";
  text += "]";
  Query q = ParseQuery(text);
  EXPECT_EQ(q.where[0].Variables(), Syms({"?e"}));
}

TEST(QueryParserTest, LargeClauseListsAreLinear) {
  std::string text = "[:find ?a0 :where [(f";
  for (int i = 0; i < 20000; ++i) text += " ?a" + std::to_string(i);
  text += ")]";
  for (int i = 0; i < 20000; ++i) text += " [?a0 :x ?a" + std::to_string(i) + "]";
  text += "]";
  Query q = ParseQuery(text);
  EXPECT_EQ(q.where.size(), 20001u);
  EXPECT_EQ(q.where[0].Variables().size(), 20000u);
}

// ---------------------------------------------------------------------------
// Rules

TEST(QueryParserTest, Rules) {
  RuleSet rules =
      ParseRules(Edn("[[(anc ?a ?b) [?a :parent ?b]]"
                     " [(anc ?a ?b) [?a :parent ?x] (anc ?x ?b)]"
                     " [(named [?e] ?n) [?e :name ?n]]"
                     " [[vec-head ?x] [?x :a]]]"));
  ASSERT_EQ(rules.rules.size(), 4u);
  const RuleBody& first = rules.rules[0];
  EXPECT_EQ(first.name, Sym("anc"));
  EXPECT_EQ(first.vars, Syms({"?a", "?b"}));
  EXPECT_TRUE(first.required_vars.empty());
  EXPECT_EQ(first.body.size(), 1u);
  EXPECT_EQ(rules.rules[1].body[1].kind, Clause::Kind::kRule);
  EXPECT_EQ(rules.rules[2].required_vars, Syms({"?e"}));
  EXPECT_EQ(rules.rules[2].vars, Syms({"?e", "?n"}));
  EXPECT_EQ(rules.rules[3].name, Sym("vec-head"));
}

TEST(QueryParserTest, RuleBodiesDefaultToTheDollarSource) {
  RuleSet rules = ParseRules(Edn("[[(r ?a) [?a :x] (not [?a :y]) [$h ?a :z]]]"));
  EXPECT_EQ(rules.rules[0].body[0].source, Sym("$"));
  EXPECT_EQ(rules.rules[0].body[1].not_clause->body[0].source, Sym("$"));
  EXPECT_EQ(rules.rules[0].body[2].source, Sym("$h"));
}

TEST(QueryParserTest, RulesFromString) {
  RuleSet rules = ParseRules(Value::String("[[(r ?a) [?a :x]]]"));
  ASSERT_EQ(rules.rules.size(), 1u);
  EXPECT_EQ(rules.rules[0].name, Sym("r"));
  EXPECT_TRUE(ParseRules(Edn("[]")).rules.empty());
}

// ---------------------------------------------------------------------------
// Errors: the query as a whole

TEST(QueryParserErrorTest, NotAQuery) {
  ExpectQueryError("42", "42 is not a query");
  ExpectQueryError("\"[:find ?e]\"", "holds a string");
  Anomaly unread =
      ExpectInvalid([] { ParseQuery("[:find ?e :where [?e :a]"); }, "The query is not valid EDN");
  EXPECT_NE(unread.data().Get(Kw("line")), nullptr);
  EXPECT_EQ(ErrorForm(unread), Value::String("[:find ?e :where [?e :a]"));
  ExpectInvalid([] { ParseQuery(Value::String("[:find")); }, "not valid EDN");
}

TEST(QueryParserErrorTest, Sections) {
  ExpectQueryError("[?e :find ?e]", "starts with ?e");
  ExpectQueryError("[:find ?e :from [?e]]", "Unknown query section :from");
  ExpectQueryError("[:find ?e :where [?e :a] :where [?e :b]]", "two :where sections");
  ExpectQueryError("[:where [?e :a]]", "has no :find");
  ExpectQueryError("[]", "has no :find");
  ExpectQueryError("{:find [?e] :wher [[?e :a]]}", "Unknown key :wher");
  ExpectQueryError("{:find [?e] \"where\" [[?e :a]]}", "Unknown key \"where\"");
  ExpectQueryError("{:find ?e :where [[?e :a]]}", "The value of :find");
  ExpectQueryError("{:where [[?e :a]]}", "has no :find");
  Anomaly e = ExpectInvalid([] { ParseQuery("[:find ?e :limit 3 :where [?e :a]]"); }, ":limit");
  EXPECT_EQ(ErrorForm(e), Kw("limit"));
}

// ---------------------------------------------------------------------------
// Errors: :find, :keys, :with

TEST(QueryParserErrorTest, Find) {
  ExpectQueryError("[:find :where [?e :a]]", "The :find of");
  ExpectQueryError("{:find [] :where [[?e :a]]}", "is empty");
  ExpectQueryError("[:find 1 :where [?e :a]]", "The find element 1 is not a variable");
  ExpectQueryError("[:find e :where [?e :a]]", "The find element e is not a variable");
  ExpectQueryError("[:find _ :where [?e :a]]", "The find element _");
  ExpectQueryError("[:find $ :where [?e :a]]", "The find element $");
  ExpectQueryError("[:find () :where [?e :a]]", "The find element ()");
  ExpectQueryError("[:find [?e ...] ?v :where [?e :a ?v]]",
                   "The find element [?e ...] is a vector");
  ExpectQueryError("[:find [[?e]] :where [?e :a ?v]]", "The find element [?e] is a vector");
}

TEST(QueryParserErrorTest, FindDots) {
  ExpectQueryError("[:find ?a ?b . :where [?a :x ?b]]", ". is misplaced");
  ExpectQueryError("[:find . ?a :where [?a :x]]", ". is misplaced");
  ExpectQueryError("[:find ?a ... :where [?a :x]]", "... is misplaced");
  ExpectQueryError("[:find [?a ?b ...] :where [?a :x ?b]]", "... is misplaced in the find spec");
  ExpectQueryError("[:find [?a .] :where [?a :x]]", ". is misplaced in the find spec");
  ExpectQueryError("[:find [... ?a] :where [?a :x]]", "... is misplaced");
  ExpectQueryError("[:find [] :where [?a :x]]", "The find spec [] is empty");
}

TEST(QueryParserErrorTest, Aggregates) {
  ExpectQueryError("[:find (count) :where [?a :x]]", "(count) must end with the variable");
  ExpectQueryError("[:find (count 1) :where [?a :x]]", "(count 1) must end with the variable");
  ExpectQueryError("[:find (max ?n ?x) :in ?n :where [?a :x ?x]]",
                   "has the argument ?n before its variable");
  ExpectQueryError("[:find (?f ?x) :where [?a :x ?x]]", "The find element (?f ?x)");
  ExpectQueryError("[:find (\"count\" ?x) :where [?a :x ?x]]", "The find element (\"count\" ?x)");
}

TEST(QueryParserErrorTest, Pull) {
  ExpectQueryError("[:find (pull ?e) :where [?e :a]]", "(pull ?e) takes an entity variable");
  ExpectQueryError("[:find (pull ?e [*] [*]) :where [?e :a]]", "takes an entity variable");
  ExpectQueryError("[:find (pull e [*]) :where [?e :a]]", "pulls e, which is not a variable");
  ExpectQueryError("[:find (pull ?e 42) :where [?e :a]]", "The pattern of (pull ?e 42) is 42");
  ExpectQueryError("[:find (pull ?e ?p) :in $ ?p :where [?e :a]]", "is ?p");
  ExpectQueryError("[:find (pull ?e pat) :where [?e :a]]", "names the pattern pat");
}

TEST(QueryParserErrorTest, ReturnMaps) {
  ExpectQueryError("[:find ?a ?b :keys a :where [?a :x ?b]]", "2 find elements but 1");
  ExpectQueryError("[:find ?a :keys a b :where [?a :x]]", "1 find elements but 2");
  ExpectQueryError("[:find ?a :keys :where [?a :x]]", "1 find elements but 0");
  ExpectQueryError("[:find ?a :keys a :strs a :where [?a :x]]", "more than one of :keys");
  ExpectQueryError("[:find ?a :keys ?a :where [?a :x]]", "?a is not a name for :keys");
  ExpectQueryError("[:find ?a :syms 1 :where [?a :x]]", "1 is not a name");
  ExpectQueryError("[:find ?a ?b :keys a a :where [?a :x ?b]]", "names a twice");
  // A map query may give :keys as keywords and :strs as strings.
  EXPECT_EQ(ParseQuery("{:find [?a] :keys [:a] :where [[?a :x]]}").return_map.keys[0], Kw("a"));
  EXPECT_EQ(ParseQuery("{:find [?a] :strs [\"a\"] :where [[?a :x]]}").return_map.keys[0],
            Value::String("a"));
}

TEST(QueryParserErrorTest, With) {
  ExpectQueryError("[:find ?a :with w :where [?a :x ?w]]", ":with takes variables");
  ExpectQueryError("[:find ?a :with 1 :where [?a :x ?w]]", "not 1");
}

// ---------------------------------------------------------------------------
// Errors: :in

TEST(QueryParserErrorTest, Inputs) {
  ExpectQueryError("[:find ?a :in $ %rules :where [?a :x]]", "%rules is not an input");
  ExpectQueryError("[:find ?a :in ... :where [?a :x]]", "... is not an input");
  ExpectQueryError("[:find ?a :in 42 :where [?a :x]]", "42 is not a binding");
  ExpectQueryError("[:find ?a :in ?a ?a :where [?a :x]]", ":in names ?a twice");
  ExpectQueryError("[:find ?a :in $ $ :where [?a :x]]", ":in names $ twice");
  ExpectQueryError("[:find ?a :in % % :where [?a :x]]", ":in names % twice");
  ExpectQueryError("[:find ?a :in [?a ?a] :where [?a :x]]", ":in names ?a twice");
  ExpectQueryError("[:find ?a :in [?a ...] [[?a]] :where [?a :x]]", ":in names ?a twice");
}

TEST(QueryParserErrorTest, Bindings) {
  ExpectQueryError("[:find ?a :in [] :where [?a :x]]", "The binding [] is empty");
  ExpectQueryError("[:find ?a :in [[]] :where [?a :x]]", "The relation binding [[]]");
  ExpectQueryError("[:find ?a :in [?a [?b]] :where [?a :x]]", "[?a [?b]] holds [?b]");
  ExpectQueryError("[:find ?a :in [?a ?b ...] :where [?a :x]]", "misplaced in [?a ?b ...]");
  ExpectQueryError("[:find ?a :in [[?a ...]] :where [?a :x]]", "misplaced in [[?a ...]]");
  ExpectQueryError("[:find ?a :in [[?a 1]] :where [?a :x]]", "[[?a 1]] holds 1");
  ExpectQueryError("[:find ?a :in [a ...] :where [?a :x]]", "a cannot be bound");
  ExpectQueryError("[:find ?a :in [{:a 1} ...] :where [?a :x]]", "{:a 1} is not a binding");
}

// ---------------------------------------------------------------------------
// Errors: :where

TEST(QueryParserErrorTest, NotAClause) {
  ExpectQueryError("[:find ?a :where 42]", "42 is not a where clause");
  ExpectQueryError("[:find ?a :where :x]", "Unknown query section :x");
  ExpectQueryError("[:find ?a :where {:a 1}]", "{:a 1} is not a where clause");
  ExpectQueryError("[:find ?a :where []]", "The where clause [] is empty");
  ExpectQueryError("[:find ?a :where ()]", "The where clause () is empty");
  ExpectQueryError("{:find [?a] :where [?a :x]}", "?a is not a where clause");
}

TEST(QueryParserErrorTest, DataPatterns) {
  ExpectQueryError("[:find ?a :where [$]]", "The data pattern [$] has no terms");
  ExpectQueryError("[:find ?a :where [?a :x 1 2 true 9]]", "has 6 terms");
  ExpectQueryError("[:find ?a :where [$ ?a :x 1 2 true 9]]", "has 6 terms");
  ExpectQueryError("[:find ?a :where [?a foo ?v]]", "holds the symbol foo");
  ExpectQueryError("[:find ?a :where [myrule ?a]]", "call a rule as a list: (myrule ...)");
  ExpectQueryError("[:find ?a :where [not [?a :x]]]", "not is written as a list");
  ExpectQueryError("[:find ?a :where [or [?a :x] [?a :y]]]", "or is written as a list");
  ExpectQueryError("[:find ?a :where [?a $ ?v]]", "The source $ can only come first");
  ExpectQueryError("[:find ?a :where [?a :x %]]", "holds the symbol %");
  ExpectQueryError("[:find ?a :where [?a :x ...]]", "holds the symbol ...");
  Anomaly e = ExpectInvalid([] { ParseQuery("[:find ?a :where [?a :x 1] [?a y]]"); }, "y");
  EXPECT_EQ(ErrorForm(e), Edn("[?a y]"));
}

TEST(QueryParserErrorTest, Expressions) {
  ExpectQueryError("[:find ?a :where [(< ?a 3) ?b ?c]]", "has 3 elements");
  ExpectQueryError("[:find ?a :where [()]]", "calls nothing");
  ExpectQueryError("[:find ?a :where [(?f ?a)]]", "The function of [(?f ?a)] is ?f");
  ExpectQueryError("[:find ?a :where [(\"f\" ?a)]]", "is \"f\", which is not a function name");
  ExpectQueryError("[:find ?a :where [(1 ?a)]]", "is 1, which is not a function name");
  ExpectQueryError("[:find ?a :where [($ ?a)]]", "is $");
  ExpectQueryError("[:find ?a :where [(< ?a _)]]", "_ cannot be an argument");
  ExpectQueryError("[:find ?a :where [(< ?a b)]]", "has the argument b");
  ExpectQueryError("[:find ?a :where [(f ?a) 42]]", "42 is not a binding");
  ExpectQueryError("[:find ?a :where [(f ?a) b]]", "b cannot be bound");
  ExpectQueryError("[:find ?a :where [(f ?a) [?b ?b ...]]]", "misplaced in [?b ?b ...]");
}

TEST(QueryParserErrorTest, RuleCalls) {
  ExpectQueryError("[:find ?a :where (rule)]", "The rule call (rule) has no arguments");
  ExpectQueryError("[:find ?a :where (?r ?a)]", "?r is not a rule name");
  ExpectQueryError("[:find ?a :where (1 ?a)]", "1 is not a rule name");
  ExpectQueryError("[:find ?a :where ([?a :x] ?a)]", "is not a rule name");
  ExpectQueryError("[:find ?a :where (r ?a b)]", "has the argument b");
  ExpectQueryError("[:find ?a :where (r ?a $)]", "The source $ can only come first");
  ExpectQueryError("[:find ?a :where ($db)]", "names a source and nothing else");
  ExpectQueryError("[:find ?a :where ($db $x ?a)]", "$x is not a rule name");
}

TEST(QueryParserErrorTest, And) {
  ExpectQueryError("[:find ?a :where (and [?a :x])]", "(and ...) is only a branch of or");
  ExpectQueryError("[:find ?a :where (not (and [?a :x]))]", "(and ...) is only a branch of or");
  ExpectQueryError("[:find ?a :where (or (and) [?a :x])]", "(and) has no clauses");
}

TEST(QueryParserErrorTest, Not) {
  ExpectQueryError("[:find ?a :where (not)]", "not has no clauses");
  ExpectQueryError("[:find ?a :where (not-join [?a])]", "not-join has no clauses");
  ExpectQueryError("[:find ?a :where (not-join ?a [?a :x])]", "not-join starts with a vector");
  ExpectQueryError("[:find ?a :where (not-join [] [?a :x])]", "not-join starts with a vector");
  ExpectQueryError("[:find ?a :where (not-join [a] [?a :x])]", "but a is not one");
  ExpectQueryError("[:find ?a :where (not-join [?a ?a] [?a :x])]", "name ?a twice");
  ExpectQueryError("[:find ?a :where [?a :x] (not-join [?a ?z] [?a :y])]",
                   "The join variable ?z of not-join appears in none of its clauses");
  ExpectQueryError("[:find ?a :where (not [?a foo])]", "holds the symbol foo");
}

TEST(QueryParserErrorTest, Or) {
  ExpectQueryError("[:find ?a :where (or)]", "or has no branches");
  ExpectQueryError("[:find ?a :where (or-join [?a])]", "or-join has no branches");
  Anomaly e =
      ExpectInvalid([] { ParseQuery("[:find ?a :where (or [?a :x] [?b :y])]"); }, "use (or-join");
  EXPECT_NE(e.message().find("[?a :x] uses [?a] and [?b :y] uses [?b]"), std::string::npos)
      << e.message();
  ExpectQueryError("[:find ?a :where (or [?a :x ?v] [?a :y])]", "must use the same variables");
  ExpectQueryError("[:find ?a :where (or-join ?a [?a :x])]", "or-join starts with a vector");
  ExpectQueryError("[:find ?a :where (or-join [] [?a :x])]", "or-join starts with a vector");
  ExpectQueryError("[:find ?a :where (or-join [[] ?a] [?a :x])]", "required variables of or-join");
  ExpectQueryError("[:find ?a :where (or-join [[?a] ?a] [?a :x])]", "name ?a twice");
  ExpectQueryError("[:find ?a :where (or-join [[?a] x] [?a :x])]", "but x is not one");
  ExpectQueryError("[:find ?a :where (or-join [?a ?z] [?a :x] [?a :y])]",
                   "The join variable ?z of or-join appears in none of its branches");
}

TEST(QueryParserErrorTest, NestingDepthIsBounded) {
  std::string text = "[:find ?e :where ";
  for (int i = 0; i < 300; ++i) text += "(not ";
  text += "[?e :a]";
  for (int i = 0; i < 300; ++i) text += ")";
  text += "]";
  ExpectQueryError(text, "nest more than 256 levels");

  std::string binding = "[:find ?e :in ";
  for (int i = 0; i < 300; ++i) binding += "[";
  binding += "?e";
  for (int i = 0; i < 300; ++i) binding += " ...]";
  binding += "]";
  ExpectQueryError(binding, "nest more than 256 levels");
}

TEST(QueryParserErrorTest, ValueDeeperThanTheReaderAllows) {
  // Built in C++, beyond the EDN reader's depth limit: an error, no crash,
  // and the message does not try to print it all.
  Value clause = Edn("[?e :a]");
  for (int i = 0; i < 3000; ++i) clause = Value::List({Sym("not"), clause});
  Value query = Value::Vector({Kw("find"), Sym("?e"), Kw("where"), clause});
  Anomaly e = ExpectInvalid([&] { ParseQuery(query); }, "nested too deeply to print");
  EXPECT_LT(e.message().size(), 1000u);
}

TEST(QueryParserErrorTest, LongFormsAreQuotedShort) {
  std::string text = "[:find ?a :where [?a";
  for (int i = 0; i < 1000; ++i) text += " :k" + std::to_string(i);
  text += "]]";
  Anomaly e = ExpectInvalid([&] { ParseQuery(text); }, "has 1001 terms");
  EXPECT_LT(e.message().size(), 1000u);
  EXPECT_NE(e.message().find(" ..."), std::string::npos);
}

// ---------------------------------------------------------------------------
// Errors: rules

TEST(QueryParserErrorTest, Rules) {
  ExpectRulesError("42", "The rules 42 are not a vector of rules");
  ExpectRulesError("[42]", "42 is not a rule");
  ExpectRulesError("[[(r ?a)]]", "[(r ?a)] is not a rule");
  ExpectRulesError("[[42 [?a :x]]]", "does not start with a head");
  ExpectRulesError("[[() [?a :x]]]", "does not start with a head");
  ExpectRulesError("[[(?r ?a) [?a :x]]]", "(?r ?a) does not start with a rule name");
  ExpectRulesError("[[(not ?a) [?a :x]]]", "(not ?a) does not start with a rule name");
  ExpectRulesError("[[(1 ?a) [?a :x]]]", "(1 ?a) does not start with a rule name");
  ExpectRulesError("[[(r) [?a :x]]]", "The rule head (r) has no variables");
  ExpectRulesError("[[(r a) [?a :x]]]", "but a is not one");
  ExpectRulesError("[[(r ?a ?a) [?a :x]]]", "name ?a twice");
  ExpectRulesError("[[(r [?a] ?a) [?a :x]]]", "names ?a twice");
  ExpectRulesError("[[(r [] ?a) [?a :x]]]", "required variables of the rule head");
  ExpectRulesError("[[(r ?a [?b]) [?a :x]]]", "but [?b] is not one");
  ExpectRulesError("[[(r ?a) [?a foo]]]", "holds the symbol foo");
  ExpectRulesError("[[(r ?a) [?a :x]] [(r ?a ?b) [?a :x ?b]]]",
                   "The rule r has 1 variables in (r ?a) but 2 in (r ?a ?b)");
  ExpectInvalid([] { ParseRules(Value::String("[[(r ?a)")); }, "rules text is not valid EDN");
}

}  // namespace
}  // namespace strata::query
