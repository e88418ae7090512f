#include "store/records.hpp"

#include <fmt/core.h>

#include "base/time.hpp"

namespace pingan::store {

base::Error empty_period_error(RecordStore& records, RecordQuery scope,
                               const analytics::Period& period) {
    scope.periods.clear();
    const std::string wanted =
        fmt::format("no incident records between {} and {}", base::format_iso8601(period.from),
                    base::format_iso8601(period.to));
    auto range = records.data_range(scope);
    if (!range || range->count == 0) {
        return base::error(base::Code::bad_argument, "from",
                           wanted + "; the database holds no incident records");
    }
    return base::error(base::Code::bad_argument, "from",
                       fmt::format("{}; the database holds {} records from {} to {}", wanted,
                                   range->count, base::format_iso8601(*range->first_received_at),
                                   base::format_iso8601(*range->last_received_at)));
}

} // namespace pingan::store
