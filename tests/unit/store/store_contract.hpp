// The Store contract suite, run on every backend: each backend's test file instantiates
// StoreContract with a factory that makes a fresh, empty database for each test.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "ops/board.hpp"
#include "store/store.hpp"

namespace pingan::test {

// One empty database of one backend, for one test.
class StoreBackend {
public:
    virtual ~StoreBackend() = default;
    // Opens (again) a Store on this test's database.
    virtual base::Result<std::unique_ptr<store::Store>> open() = 0;
    // Raw SQL on the database, as an attacker with access to it would run.
    virtual void tamper(const std::string& sql) = 0;
};

struct BackendParam {
    std::string name;
    // A fresh backend, or nullptr when this backend cannot run here (the test is skipped).
    std::function<std::unique_ptr<StoreBackend>()> make;
};

inline void PrintTo(const BackendParam& p, std::ostream* os) {
    *os << p.name;
}

inline std::string backend_name(const ::testing::TestParamInfo<BackendParam>& info) {
    return info.param.name;
}

inline constexpr base::TimeMs kT0 = 1'795'000'000'000;

// Runs commands on a Board and commits their events, as the server does.
class StoreContract : public ::testing::TestWithParam<BackendParam> {
protected:
    void SetUp() override {
        backend = GetParam().make();
        if (!backend) GTEST_SKIP() << GetParam().name << " is not available here";
        auto opened = backend->open();
        ASSERT_TRUE(opened.ok()) << opened.error().detail;
        store = std::move(opened).value();
        auto snap = store->load_board();
        ASSERT_TRUE(snap.ok());
        board.load(std::move(snap).value());
    }

    store::CommitResult commit(std::vector<ops::Event> events,
                               std::vector<store::SideWrite> side = {}) {
        store::Change c{std::move(events), std::move(side)};
        auto r = store->commit(std::span<const store::Change>(&c, 1));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
        return r.ok() ? std::move(r).value() : store::CommitResult{};
    }

    ops::Id create_incident(const std::string& description = "bike stolen") {
        std::vector<ops::Event> ev;
        ops::NewIncident in;
        in.location = {38.9, -77.03};
        in.category = "theft";
        in.description = description;
        auto inc = board.create_incident(in, "taker", kT0, ev);
        commit(std::move(ev));
        return inc->id;
    }

    void tamper(const std::string& sql) { backend->tamper(sql); }

    std::unique_ptr<StoreBackend> backend;
    std::unique_ptr<store::Store> store;
    ops::Board board;
};

} // namespace pingan::test
