// Prometheus metrics: request counts and latencies per route, commit batch sizes and
// durations, events, positions, stream clients. Lock-free counters; rendering walks them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pingan::server {

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);
    void render(std::string& out, const std::string& name, const std::string& labels) const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_; // one per bound, plus +Inf
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micro_{0}; // sum in millionths, to stay integral
};

class Metrics {
public:
    Metrics();
    // Registers a route for per-route series; returns its index.
    std::size_t add_route(std::string name);
    void request(std::size_t route, int status, double seconds);
    void commit_batch(std::size_t changes, std::size_t events, double seconds);
    void positions(std::size_t n) { positions_.fetch_add(n, std::memory_order_relaxed); }
    void stream_clients(int delta) { stream_clients_.fetch_add(delta, std::memory_order_relaxed); }
    std::string render() const;

    static constexpr std::size_t kUnmatched = 0; // route index for requests matching no route

private:
    struct RouteSeries {
        explicit RouteSeries(std::string n);
        std::string name;
        std::array<std::atomic<std::uint64_t>, 600> by_status{};
        Histogram latency;
    };
    std::mutex routes_mutex_; // only for add_route; routes are added before serving
    std::deque<RouteSeries> routes_;
    Histogram batch_changes_;
    Histogram batch_seconds_;
    std::atomic<std::uint64_t> events_{0};
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> positions_{0};
    std::atomic<std::int64_t> stream_clients_{0};
};

} // namespace pingan::server
