// Areas: jurisdictions (辖区) and patrol areas (巡区) as polygons with holes, and the index that
// says which area a point lies in. Plain coordinate vectors in the interface; Boost.Geometry
// (R-tree, point-in-polygon, validity) inside.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "geo/latlon.hpp"

namespace pingan::geo {

using Ring = std::vector<LatLon>; // closed or not; the first point need not be repeated

struct Polygon {
    Ring outer;
    std::vector<Ring> holes;
};
using MultiPolygon = std::vector<Polygon>;

struct Boundary {
    std::string layer; // "jurisdiction", "patrol_area", …
    std::string name;  // e.g. "705" (a DC PSA) or "新城区"
    MultiPolygon shape;
};

// Closes and orients rings and removes repeated points and spikes (harmless for "which area
// is this point in"). Refused, with the reason in words: no polygon, a ring of fewer than
// three points, coordinates out of range. Returned as warnings, in words: what is still
// invalid, e.g. edges crossing each other. Point-in-polygon uses the even-odd rule, which
// gives a definite answer even there; callers decide whether warnings are acceptable.
base::Result<std::vector<std::string>> normalise(MultiPolygon& shape);

// Even-odd point-in-polygon over the outer ring and holes; a point on an edge is inside.
bool contains(const MultiPolygon& shape, LatLon p);

// Area in square metres (local projection; good to a fraction of a percent at city scale).
double area_m2(const MultiPolygon& shape);

class BoundaryIndex {
public:
    BoundaryIndex();
    ~BoundaryIndex();
    BoundaryIndex(BoundaryIndex&&) noexcept;
    BoundaryIndex& operator=(BoundaryIndex&&) noexcept;

    // Adds a normalised boundary (call normalise() first).
    void add(Boundary b);
    // The boundary of `layer` that contains `p` (on an edge counts as inside). Where areas of
    // one layer overlap (bad data), the smallest wins. nullptr: outside every area.
    const Boundary* locate(std::string_view layer, LatLon p) const;
    std::size_t size() const;
    std::vector<std::string> layers() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pingan::geo
