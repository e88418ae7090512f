// Times the analytics tests build their cases from: a day, and a UTC wall-clock time.
#pragma once

#include "base/time.hpp"

namespace pingan::test {

inline constexpr base::TimeMs kDay = 86'400'000;

inline base::TimeMs utc(int y, int mo, int d, int h, int mi, int s = 0) {
    return base::from_civil({y, mo, d, h, mi, s, 0});
}

} // namespace pingan::test
