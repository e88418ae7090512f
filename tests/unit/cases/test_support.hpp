// Shared helpers of the cases tests: shipped config files and local times in China (+08:00).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "base/time.hpp"

namespace pingan::test {

inline constexpr int kChina = 480; // UTC offset of the centre in minutes
inline constexpr base::TimeMs kHour = 3'600'000;
// 10:00 on 30 January 2026 in China: where the case book and report tests begin.
inline constexpr base::TimeMs kStart = 1'769'738'400'000;

inline std::string read_config(const std::string& name) {
    std::ifstream in(std::string(PINGAN_SOURCE_DIR) + "/config/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// An instant given as a local time in China.
inline base::TimeMs local(int y, int mo, int d, int h = 0, int mi = 0) {
    return base::from_civil(base::CivilTime{y, mo, d, h, mi, 0, 0}, kChina);
}

} // namespace pingan::test
