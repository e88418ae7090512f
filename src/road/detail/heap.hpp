// Search scratch space reused across queries: an indexed 4-ary min-heap and an array whose
// reset is O(1) (a stamp per slot instead of clearing). Both are sized once per graph.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace pingan::road::detail {

// Min-heap of (key, id) with decrease/increase of an id's key. Ids are < capacity.
template <class Key>
class IndexedHeap {
public:
    static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();

    IndexedHeap() = default;
    explicit IndexedHeap(std::size_t capacity) : pos_(capacity, kAbsent) {}
    void resize(std::size_t capacity) {
        heap_.clear();
        pos_.assign(capacity, kAbsent);
    }

    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    bool contains(std::uint32_t id) const { return pos_[id] != kAbsent; }
    Key min_key() const { return heap_.front().key; }
    std::uint32_t min_id() const { return heap_.front().id; }

    // Inserts id, or changes its key (up or down) when present.
    void set(std::uint32_t id, Key key) {
        std::uint32_t p = pos_[id];
        if (p == kAbsent) {
            p = static_cast<std::uint32_t>(heap_.size());
            heap_.push_back({key, id});
            pos_[id] = p;
            sift_up(p);
        } else if (key < heap_[p].key) {
            heap_[p].key = key;
            sift_up(p);
        } else {
            heap_[p].key = key;
            sift_down(p);
        }
    }

    // Removes and returns the id with the smallest key.
    std::uint32_t pop() {
        const std::uint32_t id = heap_.front().id;
        pos_[id] = kAbsent;
        const Entry last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) {
            heap_[0] = last;
            pos_[last.id] = 0;
            sift_down(0);
        }
        return id;
    }

    void clear() {
        for (const Entry& e : heap_)
            pos_[e.id] = kAbsent;
        heap_.clear();
    }

private:
    struct Entry {
        Key key;
        std::uint32_t id;
    };
    static constexpr std::uint32_t kArity = 4;

    void sift_up(std::uint32_t p) {
        const Entry e = heap_[p];
        while (p > 0) {
            const std::uint32_t parent = (p - 1) / kArity;
            if (!(e.key < heap_[parent].key)) break;
            heap_[p] = heap_[parent];
            pos_[heap_[p].id] = p;
            p = parent;
        }
        heap_[p] = e;
        pos_[e.id] = p;
    }

    void sift_down(std::uint32_t p) {
        const Entry e = heap_[p];
        const std::uint32_t n = static_cast<std::uint32_t>(heap_.size());
        for (;;) {
            const std::uint32_t first = p * kArity + 1;
            if (first >= n) break;
            const std::uint32_t last = first + kArity < n ? first + kArity : n;
            std::uint32_t best = first;
            for (std::uint32_t c = first + 1; c < last; ++c) {
                if (heap_[c].key < heap_[best].key) best = c;
            }
            if (!(heap_[best].key < e.key)) break;
            heap_[p] = heap_[best];
            pos_[heap_[p].id] = p;
            p = best;
        }
        heap_[p] = e;
        pos_[e.id] = p;
    }

    std::vector<Entry> heap_;
    std::vector<std::uint32_t> pos_;
};

// An array of values that all read as `absent` after reset(), in O(1).
template <class T>
class StampedArray {
public:
    StampedArray() = default;
    StampedArray(std::size_t n, T absent) { resize(n, absent); }
    void resize(std::size_t n, T absent) {
        slots_.assign(n, Slot{absent, 0});
        absent_ = absent;
        stamp_ = 1;
    }
    void reset() {
        if (++stamp_ == 0) { // wrapped after 4 billion resets: clear for real once
            for (Slot& s : slots_)
                s.stamp = 0;
            stamp_ = 1;
        }
    }
    T get(std::size_t i) const { return slots_[i].stamp == stamp_ ? slots_[i].value : absent_; }
    bool has(std::size_t i) const { return slots_[i].stamp == stamp_; }
    void set(std::size_t i, T value) { slots_[i] = Slot{value, stamp_}; }
    std::size_t size() const { return slots_.size(); }

private:
    struct Slot {
        T value;
        std::uint32_t stamp;
    };
    std::vector<Slot> slots_;
    T absent_{};
    std::uint32_t stamp_ = 1;
};

} // namespace pingan::road::detail
