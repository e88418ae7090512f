// Where and when the patrol tests happen: metres east and north of Tiananmen, Beijing, and
// times from 08:00 on 2 March 2026 there (UTC+8).
#pragma once

#include "base/time.hpp"
#include "geo/latlon.hpp"

namespace pingan::patrol::test {

inline const geo::LocalProjection kFrame({39.9042, 116.4074});

inline geo::LatLon at_m(double x_m, double y_m) {
    return kFrame.to_latlon(x_m, y_m);
}

inline constexpr base::TimeMs kS = 1000;
inline constexpr base::TimeMs kMin = 60 * kS;
inline const base::TimeMs kT0 = base::from_civil({2026, 3, 2, 8, 0, 0, 0}, 480);

} // namespace pingan::patrol::test
