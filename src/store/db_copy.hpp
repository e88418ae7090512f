// pingan db copy: every table of the pingan schema, row by row, from one database to another
// of either backend (SQLite → PostgreSQL, PostgreSQL → SQLite, or the same backend).
//
// Contract:
// - The source is read in one snapshot (SQLite read transaction; PostgreSQL REPEATABLE READ),
//   so a server may keep running on it. The target is written in one transaction (PostgreSQL:
//   under the commit lock, so no server appends meanwhile) and keeps every value as it was:
//   events keep seq, prev_hash and hash, so the chain verifies on the target; floats keep
//   their exact double; BLOBs their bytes.
// - The target must be empty (no row in any pingan table). A target whose head event is the
//   source's head (seq and hash) is left alone: copying again is a no-op.
// - The tables and columns copied are a fixed list (kCopyTables in db_copy.cpp) that both
//   schemas share; the copy refuses to run when either database has a column the list does
//   not name, so a new migration cannot be forgotten here silently.
// - After the copy, PostgreSQL sequences (BIGSERIAL ids) continue after the largest id.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace pingan::store {

struct CopyReport {
    bool already_copied = false; // the target already had the source's head: nothing written
    std::int64_t head_seq = 0;
    std::string head_hash{kGenesisHash};
    std::int64_t position_digests = 0;                      // verified on the target
    std::vector<std::pair<std::string, std::int64_t>> rows; // per table: rows copied
};

// Errors: Code::bad_argument with field "--from" or "--to" for input the operator must fix
// (missing file, non-empty target, same database twice); Code::corrupt_file when the chain
// does not verify on the target; other codes for failures while copying (nothing is kept).
base::Result<CopyReport> copy_database(const std::string& from, const std::string& to);

} // namespace pingan::store
