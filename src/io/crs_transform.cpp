#include "io/crs_transform.hpp"

#include <cmath>
#include <proj.h>

#include <fmt/core.h>

namespace pingan::io {

// One PROJ context per transform: contexts are not shared between threads.
struct CrsTransform::State {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    ~State() {
        if (pj != nullptr) proj_destroy(pj);
        if (ctx != nullptr) proj_context_destroy(ctx);
    }
};

CrsTransform::CrsTransform(CrsTransform&&) noexcept = default;
CrsTransform& CrsTransform::operator=(CrsTransform&&) noexcept = default;
CrsTransform::~CrsTransform() = default;

base::Result<CrsTransform> CrsTransform::to_wgs84(std::string_view crs) {
    CrsTransform t;
    t.crs_ = std::string(crs);
    t.state_ = std::make_unique<State>();
    t.state_->ctx = proj_context_create();
    proj_context_set_enable_network(t.state_->ctx, 0);
    proj_log_level(t.state_->ctx, PJ_LOG_NONE);
    PJ* raw = proj_create_crs_to_crs(t.state_->ctx, t.crs_.c_str(), "EPSG:4326", nullptr);
    if (raw == nullptr) {
        const int err = proj_context_errno(t.state_->ctx);
        return base::error(base::Code::bad_argument, "crs",
                           fmt::format("PROJ does not know the coordinate system '{}' ({})", crs,
                                       proj_context_errno_string(t.state_->ctx, err)));
    }
    // Longitude, latitude order on output and easting, northing on input, whatever the
    // authority's axis order.
    t.state_->pj = proj_normalize_for_visualization(t.state_->ctx, raw);
    proj_destroy(raw);
    if (t.state_->pj == nullptr) {
        return base::error(base::Code::bad_argument, "crs",
                           fmt::format("PROJ cannot transform '{}' to WGS84", crs));
    }
    return t;
}

std::optional<geo::LatLon> CrsTransform::apply(double x, double y) const {
    if (!std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
    PJ_COORD in = proj_coord(x, y, 0, 0);
    const PJ_COORD out = proj_trans(state_->pj, PJ_FWD, in);
    // After normalisation the output is (lon, lat) in v[0], v[1]; failures are HUGE_VAL.
    const geo::LatLon p{out.v[1], out.v[0]};
    if (!geo::is_valid(p)) return std::nullopt;
    return p;
}

} // namespace pingan::io
