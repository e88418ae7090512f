// Projections for PostgreSQL: how each event and side write changes the tables. The same
// upserts as sqlite_projection.hpp, in PostgreSQL's dialect; see there for the contract.
#pragma once

#include "ops/model.hpp"
#include "store/store.hpp"

namespace pingan::store::pg {

class Conn;

// Applies one event to the projection tables. Log-only events change nothing.
void project_event(Conn& db, const ops::Event& e);
// Positions are only appended to the breadcrumbs here; the units' latest positions are set
// once per unit per commit by update_latest_positions().
void apply_side_write(Conn& db, const SideWrite& w);
// Appends breadcrumbs in the order given (their ids follow it), in one statement however many.
void insert_positions(Conn& db, const std::vector<const PositionRecord*>& positions);
// Moves each unit to its report unless it holds a newer one; one statement for all units.
void update_latest_positions(Conn& db, const std::vector<PositionRecord>& latest);

} // namespace pingan::store::pg
