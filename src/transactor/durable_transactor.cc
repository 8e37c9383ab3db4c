// The transactor of a database in storage (see durable_transactor.h).
#include "transactor/durable_transactor.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "db/bootstrap.h"
#include "log/gc.h"
#include "storage/mem_storage.h"
#include "strata/anomaly.h"
#include "tx/transaction.h"

namespace strata::internal {

// The exception being handled as an answer. Answers carry failures as
// values, not exception objects: a std::promise copies an exception_ptr, so
// the committer would share the exception with the caller's thread.
// REQUIRES: called inside a catch block.
DurableTransactor::Answer DurableTransactor::FailureOfCurrent() {
  Answer a;
  try {
    throw;
  } catch (const Anomaly& e) {
    a.anomaly = e;
  } catch (const SimulatedCrash&) {
    a.crashed = true;
  } catch (const std::exception& e) {
    a.anomaly = Anomaly(Category::kFault, fmt::format("Transaction failed: {}", e.what()));
  } catch (...) {
    a.anomaly = Anomaly(Category::kFault, "Transaction failed with an unknown exception");
  }
  return a;
}

DurableTransactor::Answer DurableTransactor::FailureOf(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (...) {
    return FailureOfCurrent();
  }
}

namespace {

// The wall clock, for :db/txInstant.
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

size_t DurableOptions::DefaultCacheBytes() {
  constexpr size_t kFloor = size_t{64} << 20;
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return kFloor;
  return std::max(kFloor, static_cast<size_t>(pages) * static_cast<size_t>(page_size) / 4);
}

std::vector<LogEntry> StorageLog::TxRange(std::optional<int64_t> start,
                                          std::optional<int64_t> end) const {
  int64_t lo = start ? ToT(*start) : INT64_MIN;
  int64_t hi = end ? ToT(*end) : INT64_MAX;
  std::vector<LogEntry> out;
  if (lo <= 0 && 0 < hi) out.push_back(LogEntry{0, BootstrapDatoms()});
  std::optional<std::pair<Root, DbRoot>> root = store_->ReadRoot();
  if (!root) return out;
  for (LogEntry& e : store_->ReadRange(root->second, lo, hi)) out.push_back(std::move(e));
  return out;
}

DurableTransactor::DurableTransactor(std::shared_ptr<Storage> storage, std::string name,
                                     DurableOptions options)
    : storage_(std::move(storage)),
      name_(std::move(name)),
      options_(std::move(options)),
      cache_(options_.cache ? options_.cache
                            : std::make_shared<SegmentCache>(options_.cache_bytes)),
      store_(storage_.get(), name_),
      log_(&store_),
      state_(DbState::Bootstrap()) {
  {
    std::lock_guard lock(state_mutex_);
    CatchUpLocked(store_.ReadRoot());
    chain_rev_ = root_rev_;
    chain_root_ = root_;
    restart_state_ = state_;
  }
  runner_ = std::thread([this] { RunLoop(); });
  committer_ = std::thread([this] { CommitLoop(); });
  indexer_ = std::thread([this] { IndexLoop(); });
}

DurableTransactor::~DurableTransactor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  runner_cv_.notify_all();
  committer_cv_.notify_all();
  indexer_cv_.notify_all();
  runner_.join();
  committer_.join();
  indexer_.join();
}

size_t DurableTransactor::MemoryDatoms(const DbState& state) {
  return state.index.size(Part::kCurrent) + state.index.size(Part::kHistory);
}

std::shared_ptr<const DbState> DurableTransactor::StateFromPointer(
    const IndexPointer& pointer) const {
  auto durable = std::make_shared<DurableIndex>();
  durable->storage = storage_;
  durable->cache = cache_;
  durable->t = pointer.t;
  durable->tiers = pointer.tiers;
  return StateFromIndex(std::move(durable), pointer.next_counter, pointer.last_tx_instant);
}

void DurableTransactor::CatchUpLocked(const std::optional<std::pair<Root, DbRoot>>& root) const {
  if (!root) {
    ThrowNotFound(
        "db-not-found",
        root_rev_ == 0
            ? fmt::format("Database {} does not exist in this storage: create it first", name_)
            : fmt::format("Database {} was deleted from its storage", name_));
  }
  if (root_rev_ != 0 && root->second.uuid != root_.uuid) {
    ThrowNotFound("db-not-found",
                  fmt::format("Database {} was deleted from its storage and created again: "
                              "connect again to use the new one",
                              name_));
  }
  // Revisions only grow; an older root than the published one (read before
  // a commit of this process was published) has nothing new.
  if (root->first.rev <= root_rev_) return;
  std::shared_ptr<const DbState> state = state_;
  // A newer durable index (on open, or another writer's job): start from it,
  // so the memory index holds only the log after it.
  const std::optional<IndexPointer>& pointer = root->second.index;
  if (pointer && (!state->durable || state->durable->t < pointer->t)) {
    state = StateFromPointer(*pointer);
  } else if (pointer && state->durable->t == pointer->t &&
             state->durable->tiers != pointer->tiers) {
    // The same transactions in other tiers (a compaction): the memory index
    // above them stays.
    auto durable = std::make_shared<DurableIndex>(*state->durable);
    durable->tiers = pointer->tiers;
    auto next = std::make_shared<DbState>(*state);
    next->durable = std::move(durable);
    state = std::move(next);
  }
  for (const LogEntry& e : store_.ReadEntries(root->second, state->basis_t)) {
    state = ApplyDatoms(*state, e.t, e.data);
  }
  state_ = std::move(state);
  root_rev_ = root->first.rev;
  root_ = root->second;
}

Database DurableTransactor::Db() const {
  try {
    std::optional<std::pair<Root, DbRoot>> root = store_.ReadRoot();
    std::lock_guard lock(state_mutex_);
    CatchUpLocked(root);
    return Database(state_);
  } catch (const Anomaly& e) {
    // Storage out of reach: the last database this process knows is still a
    // consistent value; the next call tries again. A deleted database is
    // gone, though.
    if (e.category() == Category::kNotFound) throw;
  }
  std::lock_guard lock(state_mutex_);
  return Database(state_);
}

CacheStats DurableTransactor::cache_stats() const {
  SegmentCache::Stats s = cache_->stats();
  CacheStats out;
  out.hits = static_cast<int64_t>(s.hits);
  out.misses = static_cast<int64_t>(s.misses);
  out.evictions = static_cast<int64_t>(s.evictions);
  out.entries = static_cast<int64_t>(s.entries);
  out.bytes = static_cast<int64_t>(s.bytes);
  out.capacity_bytes = static_cast<int64_t>(cache_->capacity());
  out.loaded_bytes = static_cast<int64_t>(s.loaded_bytes);
  return out;
}

bool DurableTransactor::RequestIndex() {
  std::shared_ptr<const DbState> published;
  {
    std::lock_guard lock(state_mutex_);
    published = state_;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || MemoryDatoms(*published) == 0) return false;
    if (indexing_) {
      // The running job may have started before what is new: one more after.
      index_again_ = true;
      return true;
    }
    indexing_ = true;
    index_request_ = std::move(published);
  }
  indexer_cv_.notify_one();
  return true;
}

Database DurableTransactor::SyncIndex(int64_t t) {
  t = ToT(t);
  for (;;) {
    int64_t jobs;
    {
      std::lock_guard lock(mutex_);
      jobs = index_jobs_;
    }
    // Db() catches up with the root: another process's index counts too.
    Database db = Db();
    const DbState& state = db.state();
    if (state.durable && state.durable->t >= t) return db;
    if (db.basis_t() >= t) RequestIndex();
    // Woken when a job is adopted; the timeout notices other processes'
    // commits and indexes, and tries again after a job that failed.
    std::unique_lock lock(mutex_);
    job_done_cv_.wait_for(lock, std::chrono::milliseconds(100),
                          [&] { return index_jobs_ != jobs; });
  }
}

TxReport DurableTransactor::Transact(const Value& tx_data) {
  Request request;
  request.tx_data = tx_data;
  std::future<Answer> done = request.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      throw Anomaly(Category::kUnavailable,
                    fmt::format("The transactor of database {} has stopped", name_));
    }
    queue_.push_back(&request);
  }
  runner_cv_.notify_one();
  Answer answer = done.get();
  if (answer.report) return std::move(*answer.report);
  if (answer.crashed) throw SimulatedCrash{};
  throw std::move(*answer.anomaly);
}

DurableTransactor::Group DurableTransactor::RunGroup(std::shared_ptr<const DbState> base,
                                                     const std::vector<Request*>& batch,
                                                     int64_t now_ms) {
  Database db(std::move(base));
  Group group;
  for (Request* r : batch) {
    try {
      TxResult result = RunTransaction(db, r->tx_data, now_ms);
      Database after(result.state);
      group.entries.push_back(LogEntry{result.state->basis_t, result.tx_data});
      Answer answer;
      answer.report = TxReport{db, after, std::move(result.tx_data), std::move(result.tempids)};
      group.outcomes.push_back(Outcome{r, std::move(answer)});
      db = after;
    } catch (...) {
      group.outcomes.push_back(Outcome{r, FailureOfCurrent()});
    }
  }
  group.state = db.state_ptr();
  return group;
}

void DurableTransactor::RunLoop() {
  std::shared_ptr<const DbState> base;
  uint64_t generation;
  {
    std::lock_guard lock(mutex_);
    base = restart_state_;
    generation = generation_;
  }
  for (;;) {
    std::vector<Request*> batch;
    {
      std::unique_lock lock(mutex_);
      // Back-pressure: past index_max, wait for the running indexing job.
      size_t memory = MemoryDatoms(*base);
      runner_cv_.wait(lock, [&] {
        bool full = memory > options_.index_max && indexing_ && generation == generation_;
        return dead_ || (!queue_.empty() && !full) || (stopping_ && in_flight_ == 0);
      });
      if (dead_ || queue_.empty()) {
        runner_done_ = true;
        committer_cv_.notify_all();
        return;
      }
      if (generation != generation_) {
        base = restart_state_;
        generation = generation_;
      }
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    Group group = RunGroup(base, batch, NowMs());
    {
      std::lock_guard lock(mutex_);
      if (dead_) {
        for (Outcome& o : group.outcomes) o.request->done.set_value(death_);
        continue;
      }
      if (generation != generation_) {
        // Built on a database the committer gave up: run it again.
        queue_.insert(queue_.begin(), batch.begin(), batch.end());
        continue;
      }
      base = group.state;
      if (waiting_.empty()) {
        waiting_.push_back(std::move(group));
        ++in_flight_;
      } else {
        // The committer is busy: this batch joins the group it will take
        // next, so a group holds everything that arrived during a commit.
        Group& open = waiting_.back();
        for (Outcome& o : group.outcomes) open.outcomes.push_back(std::move(o));
        for (LogEntry& e : group.entries) open.entries.push_back(std::move(e));
        open.state = std::move(group.state);
      }
    }
    committer_cv_.notify_one();
  }
}

void DurableTransactor::CommitLoop() {
  for (;;) {
    Group group;
    {
      std::unique_lock lock(mutex_);
      committer_cv_.wait(lock, [this] { return !waiting_.empty() || runner_done_ || indexed_; });
      if (indexed_ && !runner_done_) {
        std::shared_ptr<const DbState> indexed = std::move(indexed_);
        indexed_ = nullptr;
        lock.unlock();
        AdoptIndex(std::move(indexed));
        continue;
      }
      if (waiting_.empty()) return;
      group = std::move(waiting_.front());
      waiting_.pop_front();
    }
    runner_cv_.notify_all();
    try {
      CommitGroup(group);
    } catch (...) {
      Die(&group, std::current_exception());
      return;
    }
    std::shared_ptr<const DbState> published;
    {
      std::lock_guard lock(state_mutex_);
      published = state_;
    }
    bool start_job = false;
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
      if (!indexing_ && MemoryDatoms(*published) > options_.index_threshold) {
        indexing_ = true;
        index_request_ = std::move(published);
        start_job = true;
      }
    }
    if (start_job) indexer_cv_.notify_one();
    runner_cv_.notify_all();
  }
}

void DurableTransactor::IndexLoop() {
  for (;;) {
    std::shared_ptr<const DbState> snapshot;
    {
      std::unique_lock lock(mutex_);
      indexer_cv_.wait(lock, [this] { return index_request_ || stopping_; });
      if (!index_request_) return;
      snapshot = std::move(index_request_);
      index_request_ = nullptr;
    }
    // A storage failure leaves what was written as garbage; a later commit
    // starts the job again.
    std::shared_ptr<const DbState> indexed;
    try {
      indexed = IndexNow(*snapshot, storage_, cache_, options_.tree);
    } catch (const Anomaly&) {
    }
    snapshot.reset();
    // The log up to the index's t, packed into log segments: published with
    // the index pointer.
    std::optional<PackedLog> packed = indexed ? PackLogTo(indexed->basis_t) : std::nullopt;
    bool adopted = indexed && HandOver(indexed, /*compaction=*/false, std::move(packed), {});
    if (adopted && NeedsCompaction(*indexed->durable, options_.tier_ratio)) {
      std::shared_ptr<const DbState> merged;
      try {
        merged = CompactTiers(*indexed, options_.tier_ratio, options_.tree);
      } catch (const Anomaly&) {
      }
      // What the merged tiers no longer reach: recorded with the adoption,
      // so gc keeps it for readers of older database values.
      std::vector<Uuid> retired;
      if (merged) {
        try {
          retired = RetiredSegments(storage_.get(), cache_.get(), indexed->durable->tiers,
                                    merged->durable->tiers);
        } catch (const Anomaly&) {
          merged = nullptr;
        }
      }
      if (merged)
        HandOver(std::move(merged), /*compaction=*/true, std::nullopt, std::move(retired));
    }
    std::shared_ptr<const DbState> latest;
    {
      std::lock_guard lock(state_mutex_);
      latest = state_;
    }
    {
      std::lock_guard lock(mutex_);
      indexing_ = false;
      // RequestIndex during the job asked for another on what came since.
      if (index_again_ && !stopping_ && MemoryDatoms(*latest) > 0) {
        indexing_ = true;
        index_request_ = std::move(latest);
      }
      index_again_ = false;
    }
    committer_cv_.notify_all();
    runner_cv_.notify_all();
  }
}

bool DurableTransactor::HandOver(std::shared_ptr<const DbState> indexed, bool compaction,
                                 std::optional<PackedLog> packed, std::vector<Uuid> retired) {
  std::unique_lock lock(mutex_);
  indexed_ = std::move(indexed);
  packed_log_ = std::move(packed);
  retired_ = std::move(retired);
  indexed_is_compaction_ = compaction;
  adopted_.reset();
  committer_cv_.notify_all();
  indexer_cv_.wait(lock, [this] { return adopted_.has_value() || stopping_; });
  return adopted_.value_or(false);
}

void DurableTransactor::AdoptIndex(std::shared_ptr<const DbState> indexed) {
  IndexPointer pointer;
  pointer.t = indexed->basis_t;
  pointer.next_counter = indexed->next_counter;
  pointer.last_tx_instant = indexed->last_tx_instant;
  pointer.tiers = indexed->durable->tiers;
  DbRoot root = chain_root_;
  root.index = pointer;
  CarryPackedLog(&root);
  if (root.epoch != epoch_) root.epoch += 1;
  // What it retires, as the root's newest garbage record (gc.h).
  std::vector<Uuid> retired;
  {
    std::lock_guard lock(mutex_);
    retired = std::move(retired_);
    retired_.clear();
  }
  std::vector<std::pair<Uuid, std::string>> blobs;
  if (!retired.empty()) {
    Uuid key = NewBlobKey();
    blobs.emplace_back(key, EncodeGarbageRecord(GarbageRecord{root.garbage, std::move(retired)}));
    root.garbage = key;
  }
  uint64_t rev = chain_rev_;
  bool moved = false;
  try {
    moved = store_.UpdateRoot(&rev, root, std::move(blobs));
  } catch (const Anomaly&) {
    // Unknown whether it landed; the next catch-up tells.
  }
  std::shared_ptr<const DbState> state;
  if (moved) {
    std::shared_ptr<const DbState> published;
    {
      std::lock_guard lock(state_mutex_);
      published = state_;
    }
    if (published->durable && published->durable->t == pointer.t) {
      // A compaction: the same transactions in other tiers, so the
      // published memory index (all after t) stays on top of them.
      auto durable = std::make_shared<DurableIndex>(*published->durable);
      durable->tiers = pointer.tiers;
      auto next = std::make_shared<DbState>(*published);
      next->durable = std::move(durable);
      state = std::move(next);
    } else {
      // The database again: the new trees plus the log after them.
      try {
        state = indexed;
        for (const LogEntry& e : store_.ReadEntries(root, pointer.t)) {
          state = ApplyDatoms(*state, e.t, e.data);
        }
      } catch (const Anomaly&) {
        state = nullptr;  // the next catch-up rebuilds it from the root
      }
    }
    chain_rev_ = rev;
    chain_root_ = root;
    epoch_ = root.epoch;
    if (state) {
      std::lock_guard lock(state_mutex_);
      if (rev > root_rev_) {
        state_ = state;
        root_rev_ = rev;
        root_ = root;
      }
    }
  }
  {
    std::lock_guard lock(mutex_);
    adopted_ = moved;
    if (moved) ++(indexed_is_compaction_ ? compactions_ : index_jobs_);
    if (state) {
      // The open group was built on the old memory index: it runs again on
      // the new base, so the old index can go.
      std::vector<Request*> again;
      for (Group& g : waiting_) {
        for (Outcome& o : g.outcomes) again.push_back(o.request);
      }
      in_flight_ -= static_cast<int>(waiting_.size());
      waiting_.clear();
      queue_.insert(queue_.begin(), again.begin(), again.end());
      ++generation_;
      restart_state_ = std::move(state);
    }
  }
  indexer_cv_.notify_all();
  runner_cv_.notify_all();
  job_done_cv_.notify_all();
}

// ---- Packing the log, beside indexing jobs

std::optional<DurableTransactor::PackedLog> DurableTransactor::PackLogTo(int64_t t) {
  DbRoot root;
  {
    std::lock_guard lock(state_mutex_);
    root = root_;
  }
  try {
    std::optional<LogIndexPointer> pointer = store_.PackLog(root, t);
    if (pointer) return PackedLog{root.uuid, *pointer};
  } catch (const Anomaly&) {
    // Storage failed: what was written is garbage; the next job packs it.
  }
  return std::nullopt;
}

void DurableTransactor::CarryPackedLog(DbRoot* root) {
  std::optional<PackedLog> packed;
  {
    std::lock_guard lock(mutex_);
    packed = std::move(packed_log_);
    packed_log_.reset();
  }
  // Any directory of this database's log is true of every later root (the
  // log only grows): keep whichever reaches further.
  if (packed && packed->uuid == root->uuid && packed->pointer.t <= root->t &&
      (!root->log_index || root->log_index->t < packed->pointer.t)) {
    root->log_index = packed->pointer;
  }
}

void DurableTransactor::CommitGroup(Group& group) {
  auto answer_all = [&group] {
    for (Outcome& o : group.outcomes) {
      o.settled = true;
      o.request->done.set_value(std::move(o.answer));
    }
  };
  auto rerun_all = [this, &group] {
    std::vector<Request*> again;
    for (Outcome& o : group.outcomes) {
      o.settled = true;
      again.push_back(o.request);
    }
    Rerun(std::move(again));
  };
  if (group.entries.empty()) {
    // Every transaction failed, so no CAS will check that they ran on the
    // log's end: check it here (when storage answers), or run them again.
    std::optional<std::pair<Root, DbRoot>> now;
    bool current = true;
    try {
      now = store_.ReadRoot();
      current = now && now->first.rev == chain_rev_ && now->second.uuid == chain_root_.uuid;
    } catch (const Anomaly&) {
      // Unreachable: the newest log this writer knows is the best answer.
    }
    if (current) {
      answer_all();
    } else {
      rerun_all();
    }
    return;
  }
  // The first commit of a writer that did not write the root's last one
  // starts a new epoch: the epoch counts handovers between writers.
  DbRoot root = chain_root_;
  if (root.epoch != epoch_) root.epoch += 1;
  uint64_t rev = chain_rev_;
  bool written;
  try {
    written = store_.Append(&rev, &root, group.entries);
  } catch (const Anomaly&) {
    // Not acknowledged; whether storage kept it, the next catch-up tells.
    // Those that failed may have failed because of those that succeeded:
    // they run again.
    std::vector<Request*> again;
    for (Outcome& o : group.outcomes) {
      o.settled = true;
      if (o.answer.report) {
        o.request->done.set_value(FailureOfCurrent());
      } else {
        again.push_back(o.request);
      }
    }
    Rerun(std::move(again));
    return;
  }
  if (!written) {
    // Another writer moved the root: everything built on this group's
    // base runs again on the log as it is now.
    rerun_all();
    return;
  }
  {
    std::lock_guard lock(state_mutex_);
    if (rev > root_rev_) {
      state_ = group.state;
      root_rev_ = rev;
      root_ = root;
    }
  }
  chain_rev_ = rev;
  chain_root_ = root;
  epoch_ = root.epoch;
  answer_all();
}

void DurableTransactor::Rerun(std::vector<Request*> again) {
  std::shared_ptr<const DbState> base;
  std::optional<Anomaly> gone;
  {
    std::lock_guard lock(state_mutex_);
    try {
      CatchUpLocked(store_.ReadRoot());
    } catch (const Anomaly& e) {
      // Unreachable storage: start again from what is known; the next CAS
      // tells whether it is still the log's end. A deleted database fails
      // everything that would have run on it.
      if (e.category() == Category::kNotFound) gone = e;
    } catch (...) {
      // Not an anomaly: the process is going down; Die tells the rest.
      for (Request* r : again) r->done.set_value(FailureOfCurrent());
      throw;
    }
    base = state_;
    chain_rev_ = root_rev_;
    chain_root_ = root_;
  }
  {
    std::lock_guard lock(mutex_);
    for (Group& g : waiting_) {
      for (Outcome& o : g.outcomes) again.push_back(o.request);
    }
    in_flight_ -= static_cast<int>(waiting_.size());
    waiting_.clear();
    if (gone) {
      for (Request* r : again) r->done.set_value(Answer{std::nullopt, *gone});
    } else {
      queue_.insert(queue_.begin(), again.begin(), again.end());
    }
    ++generation_;
    restart_state_ = std::move(base);
  }
  runner_cv_.notify_all();
}

void DurableTransactor::Die(Group* group, const std::exception_ptr& why) {
  std::lock_guard lock(mutex_);
  dead_ = true;
  stopping_ = true;
  death_ = FailureOf(why);
  for (Outcome& o : group->outcomes) {
    if (!o.settled) o.request->done.set_value(death_);
  }
  for (Group& g : waiting_) {
    for (Outcome& o : g.outcomes) o.request->done.set_value(death_);
  }
  waiting_.clear();
  for (Request* r : queue_) r->done.set_value(death_);
  queue_.clear();
  in_flight_ = 0;
  runner_cv_.notify_all();
}

}  // namespace strata::internal
