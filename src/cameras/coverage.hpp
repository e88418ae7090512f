// Which cameras can see a place ("the map moves, the video follows"): the cameras whose view
// cone covers a point, best view first, and the cameras standing inside a map viewport.
//
// A camera sees a point when the point is within range_m of it and the bearing from the camera
// to the point is within heading_deg ± fov_deg / 2, both inclusive (a point on the camera
// itself is seen). Line of sight is approximated by the view cone alone: buildings, trees and
// terrain are not modelled, so "covers" means "could see if nothing is in the way".
//
// Geometry is planar in each camera's own tangent plane (equirectangular around the camera):
// within 2 km its distances differ from great-circle ones by under 0.03 % at mid-latitudes,
// and the cone test becomes two dot products on precomputed sines and cosines.
// The index is a uniform grid in a LocalProjection of the whole set: each camera is listed in
// every cell its cone's bounding box touches, so a point query tests one cell's list. Cones
// that cross the antimeridian or come near a pole are kept in a short list tested every time.
// Queries are const and keep no scratch state: one index may serve many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "cameras/camera.hpp"
#include "geo/latlon.hpp"

namespace pingan::cameras {

// How one camera sees a point it covers.
struct Sight {
    double distance_m = 0;   // camera to point
    double bearing_deg = 0;  // camera to point: 0 = north, clockwise, in [0, 360)
    double off_axis_deg = 0; // bearing minus heading, in (-180, 180]; positive = right of axis
    // Ranking, lower is better: distance_m / range_m + 0.5 * |off_axis_deg| / (fov_deg / 2).
    // range_m is where the camera stops giving usable detail, so the first term is how much of
    // that reach is used up; the second is how close to the frame's edge the point lies (lens
    // distortion, half the scene cut off), weighted half because it hurts less than distance.
    // A dome (fov_deg 360) has no preferred axis: its second term is 0. Within [0, 1.5]
    // (up to rounding at the inclusive edges).
    double score = 0;

    friend bool operator==(const Sight&, const Sight&) = default;
};

// The coverage test and measures of one camera, without an index (the reference the index
// must agree with exactly). std::nullopt: the camera does not cover `p`.
std::optional<Sight> sight(const Camera& camera, geo::LatLon p);

struct CoveringCamera {
    std::uint32_t camera; // index into CameraIndex::cameras()
    Sight sight;

    friend bool operator==(const CoveringCamera&, const CoveringCamera&) = default;
};

// A map viewport; west > east means it crosses the antimeridian. Edges are inclusive.
struct Viewport {
    geo::LatLon south_west;
    geo::LatLon north_east;
};

struct CameraInView {
    std::uint32_t camera; // index into CameraIndex::cameras()
    double distance_m;    // from the viewport's centre

    friend bool operator==(const CameraInView&, const CameraInView&) = default;
};

struct InView {
    std::vector<CameraInView> cameras; // nearest the centre first, ties by id; at most `limit`
    std::size_t total = 0;             // cameras in the viewport, before the limit
};

namespace detail {
// One camera's cone, precomputed for the hot test; a 64-byte line.
struct Cone {
    double lat, lon;           // camera position, degrees
    double m_per_deg_lon;      // at the camera's latitude (its own tangent plane)
    double sin_h, cos_h;       // heading: the axis is (sin_h, cos_h) in (east, north)
    double sin_half, cos_half; // of fov / 2
    double range2;             // range_m² widened by a relative 2e-9 (edges are inclusive)
};
} // namespace detail

class CameraIndex {
public:
    // Validates every camera (the first problem is returned, its detail prefixed with the
    // camera's position in the vector and id: "camera 12 (PRT-0042): fov_deg: …") and refuses
    // duplicate ids. The set is fixed: rebuild the index when the register changes.
    static base::Result<CameraIndex> build(std::vector<Camera> cameras);

    const std::vector<Camera>& cameras() const { return cameras_; }
    std::size_t size() const { return cameras_.size(); }
    // The camera with this id, or null.
    const Camera* find(std::string_view id) const;
    // The distinct origins of the HLS cameras' streams (see stream_origin), sorted.
    std::vector<std::string> stream_origins() const;

    // Cameras covering `p`, ranked by (Sight::score, id). Nothing for an invalid coordinate.
    std::vector<CoveringCamera> covering(geo::LatLon p) const;
    // The same into `out` (cleared first), so a caller can reuse its buffer and allocate
    // nothing per query.
    void covering(geo::LatLon p, std::vector<CoveringCamera>& out) const;
    // The same by testing every camera: the brute-force peer for tests and benchmarks.
    void covering_scan(geo::LatLon p, std::vector<CoveringCamera>& out) const;

    // Cameras standing inside `view` (for "panning the map lists the cameras in view"),
    // nearest the viewport's centre first (ties by id), at most `limit`: when a wide view holds
    // more than the list can show, the ones in the middle of the screen are the ones looked
    // at. Distances are planar around the centre. Nothing for a viewport with south > north
    // or coordinates out of range.
    InView in_view(const Viewport& view, std::size_t limit) const;

    // Grid shape, for tests and benchmarks.
    double cell_m() const { return cell_m_; }
    std::size_t cell_count() const { return nx_ * ny_; }
    std::size_t grid_entries() const { return cone_cells_.size(); }
    std::size_t unindexed() const { return always_.size(); }

private:
    CameraIndex() = default;
    // Ranks `out` by (score, id).
    void rank(std::vector<CoveringCamera>& out) const;
    // The grid cell of a projected point, or false when outside the grid.
    bool cell_of(double x_m, double y_m, std::size_t& cell) const;
    void scan_viewport(const Viewport& view, bool wraps, InView& out) const;

    std::vector<Camera> cameras_;
    std::unordered_map<std::string, std::uint32_t> by_id_;
    std::vector<detail::Cone> cones_; // by camera index
    geo::LocalProjection projection_{geo::LatLon{}};
    double x0_m_ = 0, y0_m_ = 0; // south-west corner of the grid, projected
    double cell_m_ = 1;
    std::size_t nx_ = 0, ny_ = 0;
    // CSR by cell (row-major, x fastest): cameras whose cone's box touches the cell.
    std::vector<std::uint32_t> cone_first_, cone_cells_;
    // CSR by cell: cameras standing in the cell (each exactly once), with their positions
    // inline so that a wide viewport reads one contiguous array, not every Camera.
    struct Standing {
        geo::LatLon position;
        std::uint32_t camera;
    };
    std::vector<std::uint32_t> position_first_;
    std::vector<Standing> position_cells_;
    std::vector<std::uint32_t> always_;   // cones not in the grid: tested on every query
    std::vector<std::uint32_t> off_grid_; // positions outside the grid: checked every in_view
};

} // namespace pingan::cameras
