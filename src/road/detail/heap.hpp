// Search scratch space reused across queries: an indexed 4-ary min-heap, a radix heap, an array
// whose reset is O(1) (a stamp per slot instead of clearing) and a set of marks cleared through
// the list of what was marked. All are sized once per graph.
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

// Monotone queue for Dijkstra with 32-bit keys (radix heap, Ahuja et al. 1990). Popped keys
// never decrease, so an entry can live in the bucket of the highest bit in which its key differs
// from the last key popped: a push is one push_back, and a pop now and then spreads the lowest
// non-empty bucket over lower ones (each entry moves down at most 32 times, far fewer in
// practice). It has no id-indexed array: lowering an id's key pushes a second entry, and the
// caller skips stale entries when it pops them. A bit per bucket says which are not empty, so
// finding the lowest one is one instruction.
class RadixHeap {
public:
    struct Entry {
        std::uint32_t key;
        std::uint32_t id;
    };

    bool empty() const { return size_ == 0; }
    void clear() {
        for (std::uint64_t m = used_; m != 0; m &= m - 1)
            buckets_[__builtin_ctzll(m)].clear();
        used_ = 0;
        size_ = 0;
        last_ = 0;
    }
    // key must not be below the last key popped (or read by min_key()).
    void push(std::uint32_t key, std::uint32_t id) {
        const std::size_t b = bucket_of(key);
        buckets_[b].push_back({key, id});
        used_ |= std::uint64_t{1} << b;
        ++size_;
    }
    // The smallest key; the queue must not be empty.
    std::uint32_t min_key() {
        refill();
        return last_;
    }
    // Removes an entry with the smallest key; the queue must not be empty.
    Entry pop() {
        refill();
        const Entry e = buckets_[0].back();
        buckets_[0].pop_back();
        if (buckets_[0].empty()) used_ &= ~std::uint64_t{1};
        --size_;
        return e;
    }

private:
    std::size_t bucket_of(std::uint32_t key) const {
        return key == last_ ? 0 : 32 - static_cast<std::size_t>(__builtin_clz(key ^ last_));
    }
    // Makes bucket 0 (the entries whose key is last_) non-empty.
    void refill() {
        if (used_ & 1) return;
        const std::size_t i = static_cast<std::size_t>(__builtin_ctzll(used_));
        std::vector<Entry>& b = buckets_[i];
        std::uint32_t m = b.front().key;
        for (const Entry& e : b)
            m = e.key < m ? e.key : m;
        last_ = m;
        for (const Entry& e : b) { // into a lower bucket: they share bit i-1
            const std::size_t to = bucket_of(e.key);
            buckets_[to].push_back(e);
            used_ |= std::uint64_t{1} << to;
        }
        b.clear();
        used_ &= ~(std::uint64_t{1} << i);
    }

    std::vector<Entry> buckets_[33];
    std::uint64_t used_ = 0; // bit b: buckets_[b] is not empty
    std::uint32_t last_ = 0;
    std::size_t size_ = 0;
};

// A set of ids below a fixed bound, one bit per id, emptied through the list of ids added since
// the last clear(). A bit per id keeps a search's marks in cache where a stamp per id would not.
class MarkSet {
public:
    void resize(std::size_t n) {
        bits_.assign((n + 63) / 64, 0);
        added_.clear();
    }
    bool has(std::uint32_t i) const { return (bits_[i >> 6] >> (i & 63)) & 1; }
    // Adds i; false when it was there already.
    bool insert(std::uint32_t i) {
        std::uint64_t& word = bits_[i >> 6];
        const std::uint64_t bit = std::uint64_t{1} << (i & 63);
        if (word & bit) return false;
        word |= bit;
        added_.push_back(i);
        return true;
    }
    void clear() {
        for (const std::uint32_t i : added_)
            bits_[i >> 6] = 0; // every bit set in that word was added since the last clear
        added_.clear();
    }

private:
    std::vector<std::uint64_t> bits_;
    std::vector<std::uint32_t> added_;
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
