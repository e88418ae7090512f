// Projected coordinates (state plane, UTM, CGCS2000 Gauss-Krüger …) to WGS84 latitude and
// longitude, through PROJ. The input axis order is normalised to (easting, northing) whatever
// the CRS definition says, so a mapping's x is always east and y always north.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "geo/latlon.hpp"

namespace pingan::io {

class CrsTransform {
public:
    // crs: "EPSG:2226", or any definition PROJ accepts. bad_argument naming the CRS when
    // PROJ does not know it. PROJ's network access stays off (grids come from proj-data).
    static base::Result<CrsTransform> to_wgs84(std::string_view crs);

    CrsTransform(CrsTransform&&) noexcept;
    CrsTransform& operator=(CrsTransform&&) noexcept;
    ~CrsTransform();

    // Nothing when PROJ cannot transform the point (outside the CRS's domain, not finite).
    std::optional<geo::LatLon> apply(double x, double y) const;
    const std::string& crs() const { return crs_; }

private:
    struct State;
    CrsTransform() = default;
    std::string crs_;
    std::unique_ptr<State> state_;
};

} // namespace pingan::io
