// A latency histogram in microseconds: exact below 128 us, then 64 buckets per power of two
// (relative error under 1.6%), so p50/p99 stay meaningful from 20 us to minutes without
// storing samples. Thread-bound: each worker owns one and they are merged at the end.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace prefectcore::bench {

class LatencyHistogram {
 public:
  LatencyHistogram() : buckets_(kBucketCount, 0) {}

  void record(uint64_t micros) {
    ++buckets_[index_of(micros)];
    ++count_;
    max_ = std::max(max_, micros);
  }

  void merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < kBucketCount; ++i) {
      buckets_[i] += other.buckets_[i];
    }
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }

  // The upper bound of the bucket holding the q-quantile (0 < q <= 1), never above max().
  // Returns 0 when empty.
  uint64_t percentile(double q) const {
    if (count_ == 0) {
      return 0;
    }
    auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBucketCount; ++i) {
      seen += buckets_[i];
      if (seen >= rank) {
        return std::min(upper_bound_of(i), max_);
      }
    }
    return max_;
  }

  static size_t index_of(uint64_t v) {
    if (v < kExact) {
      return static_cast<size_t>(v);
    }
    const int exponent = std::bit_width(v) - 1;  // >= 7
    const int shift = exponent - kSubBits;
    const uint64_t mantissa = v >> shift;  // in [64, 128)
    return kExact + static_cast<size_t>(exponent - 7) * kSub + static_cast<size_t>(mantissa - kSub);
  }

  static uint64_t upper_bound_of(size_t index) {
    if (index < kExact) {
      return index;
    }
    const size_t rel = index - kExact;
    const int exponent = static_cast<int>(rel / kSub) + 7;
    const uint64_t mantissa = rel % kSub + kSub;
    const int shift = exponent - kSubBits;
    return ((mantissa + 1) << shift) - 1;
  }

 private:
  static constexpr int kSubBits = 6;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;  // 64
  static constexpr uint64_t kExact = 2 * kSub;               // 128
  static constexpr size_t kBucketCount = kExact + (64 - 7) * kSub;

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace prefectcore::bench
