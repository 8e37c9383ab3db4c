// `strata import` and `strata export`: bulk loading of tx-data files and
// writing a database's current state as tx-data that import reads back.
//
// Import reads each FILE through a memory map, one form at a time, so a file
// of any size loads in bounded memory (but for the tempid table below). A
// file holds a sequence of top-level EDN values, each one of:
//
//   [form ...]        a tx-data vector: its forms are streamed, and it is
//                     transacted as written when it fits one batch, else
//                     split into batches
//   {...}             an entity map         } consecutive ones are gathered
//   [:db/add ...]     a list or vector form } into batches
//
// A batch is transacted when it holds about `batch_datoms` datoms (counted
// from the forms: each attribute value of a map, each list form). A
// top-level tx-data vector always ends its batch, so its forms never share a
// transaction with the forms after it.
//
// Tempids are file-wide: a string tempid resolved by one batch names the
// same entity in every later batch of the import (import rewrites it to the
// entity id before transacting), so references may cross batches. The table
// of resolved tempids lives in memory for the whole import.
//
// Failure: batches are separate transactions. When one fails, the batches
// before it stay committed, the failing batch writes nothing, and import
// stops with an anomaly that names the first failing form (file, index,
// line, column) and what was committed.
//
// Export writes the current state only (no history, no transaction
// entities): the schema (every entity with a :db/ident, with its schema
// attributes) as one tx-data vector, then every other datom grouped into
// entity maps as a second one. Entities get the string tempids of their
// entity ids ("17592186045418"); refs to entities with an ident are written
// as the ident, other refs as the target's tempid. Composite tuple values are
// left out (the transactor derives them).
#ifndef STRATA_TOOLS_STRATA_IMPORT_EXPORT_H_
#define STRATA_TOOLS_STRATA_IMPORT_EXPORT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace strata::cli {

struct ImportOptions {
  // Datoms per transaction, about.
  int64_t batch_datoms = 10000;
  // When not empty, the resolved tempids are written there as one EDN map
  // {"tempid" eid ...} after the import.
  std::string tempids_path;
  // Show a progress bar on stderr (import sets it when stderr is a tty).
  bool progress = false;
};

// `strata import URI FILE ...`: prints a summary EDN map on stdout; throws
// an Anomaly (with the failing form's position and what was committed in
// its data) on the first failure.
int RunImport(const std::string& uri, const std::vector<std::string>& files,
              const ImportOptions& options);

// `strata export URI FILE` ('-' for stdout).
int RunExport(const std::string& uri, const std::string& path);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_IMPORT_EXPORT_H_
