// Coordinates: WGS84 degrees, always as LatLon{lat, lon}, never as a bare pair of doubles.
#pragma once

#include <algorithm>
#include <cmath>

namespace pingan::geo {

struct LatLon {
    double lat = 0; // degrees north, -90..90
    double lon = 0; // degrees east, -180..180

    friend bool operator==(const LatLon&, const LatLon&) = default;
};

inline constexpr double kEarthRadiusM = 6'371'008.8; // mean Earth radius (IUGG)
inline constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// Whether both components are finite and within their ranges.
inline bool is_valid(LatLon p) {
    return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90 && p.lat <= 90 &&
           p.lon >= -180 && p.lon <= 180;
}

// Great-circle distance in metres (haversine).
inline double distance_m(LatLon a, LatLon b) {
    const double dlat = (b.lat - a.lat) * kDegToRad;
    const double dlon = (b.lon - a.lon) * kDegToRad;
    const double s = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(a.lat * kDegToRad) * std::cos(b.lat * kDegToRad) *
                         std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthRadiusM * std::asin(std::sqrt(std::min(1.0, s)));
}

// A local equirectangular projection around an origin: metres east (x) and north (y).
// Accurate to well under 0.1% within a city (tens of km); used for snapping and geometry.
class LocalProjection {
public:
    explicit LocalProjection(LatLon origin)
        : origin_(origin), m_per_deg_lat_(kEarthRadiusM * kDegToRad),
          m_per_deg_lon_(kEarthRadiusM * kDegToRad * std::cos(origin.lat * kDegToRad)) {}

    double x_m(LatLon p) const { return (p.lon - origin_.lon) * m_per_deg_lon_; }
    double y_m(LatLon p) const { return (p.lat - origin_.lat) * m_per_deg_lat_; }
    LatLon to_latlon(double x_m, double y_m) const {
        return {origin_.lat + y_m / m_per_deg_lat_, origin_.lon + x_m / m_per_deg_lon_};
    }
    LatLon origin() const { return origin_; }

private:
    LatLon origin_;
    double m_per_deg_lat_;
    double m_per_deg_lon_;
};

} // namespace pingan::geo
