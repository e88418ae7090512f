// Contraction hierarchy preprocessing (Geisberger et al. 2008): nodes are contracted one by one
// in order of a priority (edge difference, hops, depth); a shortcut u->w replaces u->v->w when
// no witness path u->w without v is as short. The result fills the CH arrays of GraphData.
#pragma once

#include "road/graph.hpp"

namespace pingan::road::detail {

// Fills rank, node_at_rank, up_* and down_* from the forward CSR of d.
void build_contraction_hierarchy(GraphData& d);

} // namespace pingan::road::detail
