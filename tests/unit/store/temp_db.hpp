// A fresh database file in a private temporary folder, removed afterwards.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace pingan::test {

class TempDb {
public:
    TempDb() {
        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() /
               ("pingan-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
    }
    ~TempDb() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    TempDb(const TempDb&) = delete;
    TempDb& operator=(const TempDb&) = delete;
    std::string path() const { return (dir_ / "pingan.db").string(); }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
};

} // namespace pingan::test
