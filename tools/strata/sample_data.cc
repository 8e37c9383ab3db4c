// The sample database (see sample_data.h).
#include "sample_data.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace strata::cli {
namespace {

constexpr std::string_view kSchema = R"([
 {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
  :db/unique :db.unique/identity :db/doc "A person's full name"}
 {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one
  :db/unique :db.unique/value}
 {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :person/city :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
 {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
  :db/doc "People this person counts as friends"}
 {:db/ident :person/language :db/valueType :db.type/keyword
  :db/cardinality :db.cardinality/many}
 {:db/ident :city/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
  :db/unique :db.unique/identity}
 {:db/ident :city/country :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])";

struct Person {
  std::string_view name;
  std::string_view email;
  int age;
  std::string_view city;
  std::string_view languages;
};

constexpr std::array<Person, 12> kPeople = {{
    {"Ada Lovelace", "ada@example.com", 36, "London", ":lang/english :lang/french"},
    {"Alan Turing", "alan@example.com", 41, "London", ":lang/english"},
    {"Grace Hopper", "grace@example.com", 85, "Boston", ":lang/english :lang/cobol"},
    {"Edsger Dijkstra", "edsger@example.com", 72, "Zurich", ":lang/dutch :lang/english"},
    {"Barbara Liskov", "barbara@example.com", 48, "Boston", ":lang/english :lang/clu"},
    {"Donald Knuth", "don@example.com", 38, "Boston", ":lang/english :lang/tex"},
    {"Margaret Hamilton", "margaret@example.com", 33, "Boston", ":lang/english"},
    {"John McCarthy", "john@example.com", 29, "Boston", ":lang/english :lang/lisp"},
    {"Frances Allen", "frances@example.com", 45, "Paris", ":lang/english :lang/fortran"},
    {"Ken Thompson", "ken@example.com", 26, "Zurich", ":lang/english :lang/c"},
    {"Radia Perlman", "radia@example.com", 39, "Paris", ":lang/english"},
    {"Leslie Lamport", "leslie@example.com", 52, "Zurich", ":lang/english :lang/tla"},
}};

std::string Quote(std::string_view s) { return fmt::format("\"{}\"", s); }

}  // namespace

int64_t TransactSampleData(Connection& conn) {
  int64_t transactions = 0;
  auto transact = [&](const std::string& tx) {
    conn.Transact(std::string_view(tx));
    ++transactions;
  };
  transact(std::string(kSchema));
  transact(R"([{:city/name "London" :city/country "UK"}
               {:city/name "Paris" :city/country "France"}
               {:city/name "Boston" :city/country "USA"}
               {:city/name "Zurich" :city/country "Switzerland"}])");
  std::string people = "[";
  for (const Person& p : kPeople) {
    people += fmt::format(
        "{{:person/name {} :person/email {} :person/age {} :person/city [:city/name {}] "
        ":person/language [{}]}}\n",
        Quote(p.name), Quote(p.email), p.age, Quote(p.city), p.languages);
  }
  transact(people + "]");
  // Friends: each person befriends the next and the one three further on.
  std::string friends = "[";
  for (size_t i = 0; i < kPeople.size(); ++i) {
    for (size_t step : {size_t{1}, size_t{3}}) {
      friends +=
          fmt::format("[:db/add [:person/name {}] :person/friend [:person/name {}]]\n",
                      Quote(kPeople[i].name), Quote(kPeople[(i + step) % kPeople.size()].name));
    }
  }
  transact(friends + "]");
  // History: birthdays, a move, a friendship ended, then another birthday.
  transact(R"([[:db/add [:person/name "Ada Lovelace"] :person/age 37]
               [:db/add [:person/name "Ken Thompson"] :person/age 27]
               [:db/add [:person/name "Alan Turing"] :person/city [:city/name "Paris"]]
               [:db/retract [:person/name "Ada Lovelace"] :person/friend
                [:person/name "Alan Turing"]]])");
  transact(R"([[:db/add [:person/name "Ada Lovelace"] :person/age 38]
               [:db/add [:person/name "John McCarthy"] :person/language :lang/english]
               [:db/add [:person/name "Margaret Hamilton"] :person/city [:city/name "London"]]])");
  return transactions;
}

std::vector<SampleExample> SampleExamples() {
  return {
      {"People of 40 or more and where they live now",
       "q [:find ?name ?age ?city\n"
       "  :where [?p :person/age ?age] [(>= ?age 40)]\n"
       "         [?p :person/name ?name] [?p :person/city ?c] [?c :city/name ?city]]"},
      {"How many friends each person has",
       "q [:find ?name (count ?f) :where [?p :person/name ?name] [?p :person/friend ?f]]"},
      {"Ada's age over time: every assertion and retraction (history)",
       "history q [:find ?age ?tx ?added\n"
       "          :where [?p :person/name \"Ada Lovelace\"] [?p :person/age ?age ?tx ?added]]"},
  };
}

}  // namespace strata::cli
