// Projections for SQLite: how each event kind and side write changes the tables. Events carry
// a full snapshot of the record they change, so a projection is an upsert of that snapshot and
// the tables can be rebuilt from the log alone.
#pragma once

#include "ops/model.hpp"
#include "store/store.hpp"

namespace pingan::store::sqlite {

class Db;

// Applies one event to the projection tables. Unknown kinds change nothing (log-only events).
void project_event(Db& db, const ops::Event& e);
void apply_side_write(Db& db, const SideWrite& w);

} // namespace pingan::store::sqlite
