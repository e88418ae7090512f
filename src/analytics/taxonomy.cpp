#include "analytics/taxonomy.hpp"

#include <array>

namespace pingan::analytics {
namespace {

constexpr std::array kCategories = {
    // Top-level codes.
    CategoryInfo{"criminal", "criminal", "刑事案件", "criminal case"},
    CategoryInfo{"public_order", "public_order", "治安案件", "public order case"},
    CategoryInfo{"traffic", "traffic", "交通", "traffic"},
    CategoryInfo{"fire", "fire", "火灾", "fire"},
    CategoryInfo{"medical", "medical", "医疗求助", "medical aid"},
    CategoryInfo{"dispute", "dispute", "纠纷", "dispute"},
    CategoryInfo{"assistance", "assistance", "群众求助", "request for assistance"},
    CategoryInfo{"non_police", "non_police", "非警务", "non-police matter (12345)"},
    // Finer codes.
    CategoryInfo{"theft", "criminal", "盗窃", "theft"},
    CategoryInfo{"burglary", "criminal", "入室盗窃", "burglary"},
    CategoryInfo{"robbery", "criminal", "抢劫", "robbery"},
    CategoryInfo{"assault", "criminal", "伤害", "assault"},
    CategoryInfo{"homicide", "criminal", "杀人", "homicide"},
    CategoryInfo{"sexual_assault", "criminal", "性侵害", "sexual assault"},
    CategoryInfo{"vehicle_theft", "criminal", "盗窃机动车", "vehicle theft"},
    CategoryInfo{"fraud", "criminal", "诈骗", "fraud"},
    CategoryInfo{"arson", "criminal", "放火", "arson"},
    CategoryInfo{"weapons", "criminal", "涉枪涉刀", "weapons"},
    CategoryInfo{"vandalism", "public_order", "故意损毁财物", "vandalism"},
    CategoryInfo{"noise", "public_order", "噪音扰民", "noise"},
    CategoryInfo{"suspicious", "public_order", "可疑情况", "suspicious activity"},
    CategoryInfo{"alarm", "public_order", "报警器报警", "alarm"},
    CategoryInfo{"welfare_check", "assistance", "安全确认", "welfare check"},
    CategoryInfo{"other", "other", "其他", "other"},
};

} // namespace

std::span<const CategoryInfo> categories() {
    return kCategories;
}

const CategoryInfo* find_category(std::string_view code) {
    for (const CategoryInfo& c : kCategories) {
        if (c.code == code) return &c;
    }
    return nullptr;
}

std::string_view group_of(std::string_view code) {
    const CategoryInfo* c = find_category(code);
    return c != nullptr ? c->group : std::string_view("other");
}

} // namespace pingan::analytics
