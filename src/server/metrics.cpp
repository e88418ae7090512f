#include "server/metrics.hpp"

#include <fmt/core.h>

namespace pingan::server {
namespace {

const std::vector<double> kLatencyBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                         0.05,   0.1,   0.25,   0.5,   1,    2.5};
const std::vector<double> kBatchBounds{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

} // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i])
        ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_micro_.fetch_add(static_cast<std::uint64_t>(value * 1e6), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
    std::uint64_t cumulative = 0;
    const std::string sep = labels.empty() ? "" : ",";
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        const std::string le = i < bounds_.size() ? fmt::format("{}", bounds_[i]) : "+Inf";
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
    }
    const std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += fmt::format("{}_sum{} {}\n", name, braces,
                       static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6);
    out += fmt::format("{}_count{} {}\n", name, braces, count_.load(std::memory_order_relaxed));
}

Metrics::RouteSeries::RouteSeries(std::string n) : name(std::move(n)), latency(kLatencyBounds) {}

Metrics::Metrics() : batch_changes_(kBatchBounds), batch_seconds_(kLatencyBounds) {
    routes_.emplace_back("unmatched");
}

std::size_t Metrics::add_route(std::string name) {
    std::lock_guard lock(routes_mutex_);
    routes_.emplace_back(std::move(name));
    return routes_.size() - 1;
}

void Metrics::request(std::size_t route, int status, double seconds) {
    RouteSeries& r = routes_[route];
    if (status >= 100 && status < 600) {
        r.by_status[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
    }
    r.latency.observe(seconds);
}

void Metrics::commit_batch(std::size_t changes, std::size_t events, double seconds) {
    batch_changes_.observe(static_cast<double>(changes));
    batch_seconds_.observe(seconds);
    events_.fetch_add(events, std::memory_order_relaxed);
    batches_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
    std::string out;
    out += "# HELP pingan_http_requests_total HTTP requests by route and status.\n"
           "# TYPE pingan_http_requests_total counter\n";
    for (const RouteSeries& r : routes_) {
        for (std::size_t s = 100; s < r.by_status.size(); ++s) {
            const auto n = r.by_status[s].load(std::memory_order_relaxed);
            if (n != 0) {
                out += fmt::format("pingan_http_requests_total{{route=\"{}\",code=\"{}\"}} {}\n",
                                   r.name, s, n);
            }
        }
    }
    out += "# HELP pingan_http_request_duration_seconds Time from request read to response "
           "queued.\n# TYPE pingan_http_request_duration_seconds histogram\n";
    for (const RouteSeries& r : routes_) {
        r.latency.render(out, "pingan_http_request_duration_seconds",
                         fmt::format("route=\"{}\"", r.name));
    }
    out += "# HELP pingan_commit_batch_changes Commands per group commit.\n"
           "# TYPE pingan_commit_batch_changes histogram\n";
    batch_changes_.render(out, "pingan_commit_batch_changes", "");
    out += "# HELP pingan_commit_duration_seconds Duration of one durable group commit.\n"
           "# TYPE pingan_commit_duration_seconds histogram\n";
    batch_seconds_.render(out, "pingan_commit_duration_seconds", "");
    out += fmt::format("# HELP pingan_events_committed_total Events appended to the log.\n"
                       "# TYPE pingan_events_committed_total counter\n"
                       "pingan_events_committed_total {}\n",
                       events_.load(std::memory_order_relaxed));
    out += fmt::format("# HELP pingan_commit_batches_total Group commits.\n"
                       "# TYPE pingan_commit_batches_total counter\n"
                       "pingan_commit_batches_total {}\n",
                       batches_.load(std::memory_order_relaxed));
    out += fmt::format("# HELP pingan_positions_total Unit positions stored.\n"
                       "# TYPE pingan_positions_total counter\n"
                       "pingan_positions_total {}\n",
                       positions_.load(std::memory_order_relaxed));
    out += fmt::format("# HELP pingan_stream_clients Open WebSocket stream connections.\n"
                       "# TYPE pingan_stream_clients gauge\n"
                       "pingan_stream_clients {}\n",
                       stream_clients_.load(std::memory_order_relaxed));
    return out;
}

} // namespace pingan::server
