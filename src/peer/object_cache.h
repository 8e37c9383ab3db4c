// The process's object cache: the one segment cache every connection made by
// Connect() reads through, as Datomic's peer has one object cache, and its
// bound, read from the environment variable STRATA_OBJECT_CACHE_MAX (as
// Datomic's datomic.objectCacheMax system property).
//
//   STRATA_OBJECT_CACHE_MAX=268435456   bytes
//   STRATA_OBJECT_CACHE_MAX=512k        KiB  (k or K)
//   STRATA_OBJECT_CACHE_MAX=64m         MiB  (m or M)
//   STRATA_OBJECT_CACHE_MAX=2g          GiB  (g or G)
//
// Unset, the bound is DurableOptions::DefaultCacheBytes() (a quarter of
// physical memory, at least 64 MiB). Anything else (empty, a sign, spaces,
// a fraction, another suffix, more than 2^64 - 1 bytes) is an incorrect
// anomaly :db.error/invalid-config naming the variable and the accepted
// forms.
#ifndef STRATA_PEER_OBJECT_CACHE_H_
#define STRATA_PEER_OBJECT_CACHE_H_

#include <cstddef>
#include <string_view>

namespace strata::internal {

inline constexpr std::string_view kObjectCacheMaxVariable = "STRATA_OBJECT_CACHE_MAX";

// The bytes `text`, the value of the variable `variable`, stands for, in
// the forms above; an incorrect anomaly :db.error/invalid-config naming
// `variable` if it is malformed.
size_t ParseByteSize(std::string_view text, std::string_view variable);

// The object cache's bound as the environment says now: the parsed value of
// STRATA_OBJECT_CACHE_MAX, or DurableOptions::DefaultCacheBytes() when it is
// unset. Throws as ParseByteSize.
size_t ObjectCacheMaxFromEnvironment();

}  // namespace strata::internal

#endif  // STRATA_PEER_OBJECT_CACHE_H_
