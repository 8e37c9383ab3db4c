// MemStorage: the in-process storage backend, for tests (the role of
// LevelDB's memenv), with fault injection.
//
// Everything a Commit writes is "durable" the moment it returns true. A
// FaultPlan chosen by a test decides, call by call, to fail a call before it
// has any effect (an unavailable anomaly), to apply a commit and still report
// failure (the caller cannot know whether it landed: an ambiguous
// acknowledgement), or to crash: the process is taken to die at that point,
// either before the commit's durable point (nothing of it survives) or just
// after it (all of it does). A crash throws SimulatedCrash, which no
// Strata code catches, and leaves the storage refusing every call until
// Restart(), which brings back exactly the durable state, as a restarted
// process would find it.
#ifndef STRATA_STORAGE_MEM_STORAGE_H_
#define STRATA_STORAGE_MEM_STORAGE_H_

#include <absl/container/flat_hash_map.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "storage/storage.h"

namespace strata::internal {

// Thrown by MemStorage at a simulated crash. Not an Anomaly on purpose:
// nothing may handle it as an error and carry on.
struct SimulatedCrash {};

class MemStorage : public Storage {
 public:
  enum class Op : uint8_t { kGet, kGetRoot, kCommit, kDelete, kList };
  enum class Fault : uint8_t {
    kNone,
    kUnavailable,       // fails before any effect
    kUnavailableAfter,  // a commit is applied, but the caller is told it failed
    kCrashBefore,       // the process dies before the call's durable point
    kCrashAfter,        // the process dies just after it
  };
  // Called before every operation with its kind and the number of calls made
  // so far (from 0); returns the fault to inject.
  using FaultPlan = std::function<Fault(Op op, uint64_t call)>;

  MemStorage() = default;

  std::optional<std::string> Get(const Uuid& key) override;
  std::optional<Root> GetRoot(std::string_view name) override;
  bool Commit(const StorageWrite& w) override;
  void Delete(const std::vector<Uuid>& keys) override;
  void ListBlobs(const std::function<void(const Uuid&)>& f) override;
  std::vector<std::string> ListRoots(std::string_view prefix) override;

  void SetFaultPlan(FaultPlan plan);
  // After a simulated crash: back in service with the durable state.
  void Restart();
  bool crashed() const;
  uint64_t calls() const;

 private:
  // Applies the fault plan to the next call; returns the fault to act on
  // after the call's effect (kNone or kUnavailableAfter / kCrashAfter).
  Fault Enter(Op op);  // REQUIRES: mutex_ held

  mutable std::mutex mutex_;
  absl::flat_hash_map<Uuid, std::string, UuidHash> blobs_;  // GUARDED_BY(mutex_)
  std::map<std::string, Root, std::less<>> roots_;          // GUARDED_BY(mutex_)
  FaultPlan plan_;                                          // GUARDED_BY(mutex_)
  uint64_t calls_ = 0;                                      // GUARDED_BY(mutex_)
  bool crashed_ = false;                                    // GUARDED_BY(mutex_)
};

}  // namespace strata::internal

#endif  // STRATA_STORAGE_MEM_STORAGE_H_
