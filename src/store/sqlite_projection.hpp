// Projections for SQLite: how each event and side write changes the tables. Events carry a
// full snapshot of the record they change (typed in Event::data, and as JSON in the payload),
// so a projection is an upsert of that snapshot and the tables can be rebuilt from the log.
#pragma once

#include "ops/model.hpp"
#include "store/store.hpp"

namespace pingan::store::sqlite {

class Db;

// Applies one event to the projection tables. Log-only events change nothing.
void project_event(Db& db, const ops::Event& e);
// Positions are only appended to the breadcrumbs here; the units' latest positions are set
// by update_latest_positions(), which SqliteStore calls when breadcrumbs are digested and at
// close (sqlite_store.hpp).
void apply_side_write(Db& db, const SideWrite& w);
void update_latest_positions(Db& db, const std::vector<PositionRecord>& latest);

} // namespace pingan::store::sqlite
