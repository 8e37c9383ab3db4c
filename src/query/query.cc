// The public query API: the parsed-query cache in front of the engine.
#include "strata/query.h"

#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "query/engine.h"
#include "query/parser.h"

namespace strata {

namespace {

// Parsed queries by their form (a string query by its text), least
// recently used first out.
class QueryCache {
 public:
  std::shared_ptr<const query::Query> Get(const Value& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.second);
    return it->second.first;
  }
  void Put(const Value& key, std::shared_ptr<const query::Query> q) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (map_.contains(key)) return;
    order_.push_front(key);
    map_.emplace(key, std::make_pair(std::move(q), order_.begin()));
    if (map_.size() > kCapacity) {
      map_.erase(order_.back());
      order_.pop_back();
    }
  }

 private:
  static constexpr size_t kCapacity = 1024;
  std::mutex mutex_;
  std::list<Value> order_;
  absl::flat_hash_map<
      Value, std::pair<std::shared_ptr<const query::Query>, std::list<Value>::iterator>, ValueHash>
      map_;
};

QueryCache& Cache() {
  static QueryCache* cache = new QueryCache();
  return *cache;
}

std::shared_ptr<const query::Query> Parsed(const Value& form) {
  std::shared_ptr<const query::Query> q = Cache().Get(form);
  if (q == nullptr) {
    q = std::make_shared<const query::Query>(query::ParseQuery(form));
    Cache().Put(form, q);
  }
  return q;
}

}  // namespace

Value Q(const Value& query, const std::vector<QueryInput>& inputs, const QueryOptions& options) {
  return query::Execute(*Parsed(query), inputs, options);
}

Value Q(std::string_view query, const std::vector<QueryInput>& inputs,
        const QueryOptions& options) {
  return query::Execute(*Parsed(Value::String(query)), inputs, options);
}

Value Explain(const Value& query, const std::vector<QueryInput>& inputs,
              const QueryOptions& options) {
  Value plan;
  query::Execute(*Parsed(query), inputs, options, &plan);
  return plan;
}

}  // namespace strata
