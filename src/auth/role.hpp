// Roles of the centre's staff. What each role may do is decided in one table:
// server/role_matrix.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pingan::auth {

enum class Role : std::uint8_t {
    admin,      // system administration: users, units, configuration
    call_taker, // 接警员: creates incidents
    dispatcher, // 调度员: sends units, manages incidents
    unit,       // a vehicle terminal: reports its own status and position
    supervisor, // 值班长: everything operational, oversight
    analyst,    // reads data for reports; no operational changes
    auditor,    // reads the event log and audit trails
};

inline constexpr std::array<std::string_view, 7> kRoleNames{
    "admin", "call_taker", "dispatcher", "unit", "supervisor", "analyst", "auditor"};

constexpr std::string_view to_string(Role r) {
    return kRoleNames[static_cast<std::size_t>(r)];
}

constexpr std::optional<Role> parse_role(std::string_view s) {
    for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
        if (kRoleNames[i] == s) return static_cast<Role>(i);
    }
    return std::nullopt;
}

// A set of roles as a bit mask, usable in constexpr tables.
class RoleSet {
public:
    constexpr RoleSet() = default;
    constexpr RoleSet(std::initializer_list<Role> roles) {
        for (Role r : roles)
            bits_ |= bit(r);
    }
    constexpr bool contains(Role r) const { return (bits_ & bit(r)) != 0; }
    constexpr bool empty() const { return bits_ == 0; }
    static constexpr RoleSet all() {
        return {Role::admin,      Role::call_taker, Role::dispatcher, Role::unit,
                Role::supervisor, Role::analyst,    Role::auditor};
    }

private:
    static constexpr std::uint16_t bit(Role r) {
        return static_cast<std::uint16_t>(1U << static_cast<unsigned>(r));
    }
    std::uint16_t bits_ = 0;
};

inline constexpr std::array kAllRoles{Role::admin,  Role::call_taker, Role::dispatcher,
                                      Role::unit,   Role::supervisor, Role::analyst,
                                      Role::auditor};

} // namespace pingan::auth
