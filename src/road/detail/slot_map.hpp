// Unit key -> slot index, for unit sets that are updated every second: open addressing with
// linear probing in one flat array (a lookup is one or two cache lines, where std::unordered_map
// pays a division and a pointer chase per lookup). Erase shifts the following entries back, so
// there are no tombstones and lookups stay short however long the map lives.
#pragma once

#include <cstdint>
#include <vector>

namespace pingan::road::detail {

class SlotMap {
public:
    static constexpr std::uint32_t kAbsent = 0xFFFF'FFFFu;

    std::size_t size() const { return size_; }

    // The slot of key, or kAbsent.
    std::uint32_t find(std::uint64_t key) const {
        if (size_ == 0) return kAbsent;
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            const Entry& e = table_[i];
            if (e.slot == kAbsent) return kAbsent;
            if (e.key == key) return e.slot;
        }
    }

    // Sets key's slot (inserted or replaced).
    void set(std::uint64_t key, std::uint32_t slot) {
        if ((size_ + 1) * 4 > table_.size() * 3) grow();
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            Entry& e = table_[i];
            if (e.slot == kAbsent) {
                e = {key, slot};
                ++size_;
                return;
            }
            if (e.key == key) {
                e.slot = slot;
                return;
            }
        }
    }

    // Removes key; false when absent.
    bool erase(std::uint64_t key) {
        if (size_ == 0) return false;
        std::size_t i = home(key);
        for (;; i = (i + 1) & mask_) {
            if (table_[i].slot == kAbsent) return false;
            if (table_[i].key == key) break;
        }
        // Backward-shift deletion: move later entries of the run into the hole when their home
        // position does not lie (cyclically) between the hole and them.
        for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            if (table_[j].slot == kAbsent) break;
            const std::size_t h = home(table_[j].key);
            const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (stays) continue;
            table_[i] = table_[j];
            i = j;
        }
        table_[i] = Entry{};
        --size_;
        return true;
    }

    void clear() {
        table_.clear();
        mask_ = 0;
        size_ = 0;
    }

private:
    struct Entry {
        std::uint64_t key = 0;
        std::uint32_t slot = kAbsent; // kAbsent: the entry is free
    };

    std::size_t home(std::uint64_t key) const {
        // Unit keys are database ids, mostly consecutive: their low bits are already spread, and
        // keeping consecutive keys in consecutive entries lets a pass over all units (position
        // reports arrive for every unit every second) read the table in order. The high bits are
        // folded in so that keys with a large common stride do not all share a home.
        return static_cast<std::size_t>(key ^ (key >> 16) ^ (key >> 32)) & mask_;
    }

    void grow() {
        std::vector<Entry> old = std::move(table_);
        table_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
        mask_ = table_.size() - 1;
        size_ = 0;
        for (const Entry& e : old) {
            if (e.slot != kAbsent) set(e.key, e.slot);
        }
    }

    std::vector<Entry> table_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

} // namespace pingan::road::detail
