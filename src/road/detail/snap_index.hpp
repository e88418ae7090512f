// R-tree over every straight piece of every segment's shape, in a local metric projection.
// Built when a graph is constructed or loaded (bulk-loaded, so it is not stored in the file).
#pragma once

#include <utility>
#include <vector>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "road/graph.hpp"

namespace pingan::road::detail {

class SnapIndex {
public:
    SnapIndex(const GraphData& d, const geo::LocalProjection& projection);

    // Offset of shape point i (global index into GraphData::shape) from its segment's tail.
    double shape_offset_m(std::uint32_t shape_index) const { return shape_offset_m_[shape_index]; }

    // Nearest position within radius_m, or an invalid position.
    RoadPosition nearest(const GraphData& d, geo::LatLon point, double radius_m) const;

private:
    using Point = boost::geometry::model::point<double, 2, boost::geometry::cs::cartesian>;
    using Box = boost::geometry::model::box<Point>;
    using Value = std::pair<Box, std::uint32_t>; // piece = global index of its first shape point

    geo::LocalProjection projection_;      // a copy: the graph owning this index may move
    std::vector<float> shape_offset_m_;    // per shape point, from its segment's tail
    std::vector<std::uint32_t> shape_seg_; // per shape point, its segment
    boost::geometry::index::rtree<Value, boost::geometry::index::rstar<16>> rtree_;
};

} // namespace pingan::road::detail
