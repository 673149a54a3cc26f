#include "lib/schemas/cron.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "lib/core/time.h"

namespace prefectcore::schemas {

namespace {

struct FieldSpec {
  int min, max;
  const char* const* names;  // index i names value min + i
  int name_count;
};

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr FieldSpec kSpecs[] = {
    {0, 59, nullptr, 0},  {0, 23, nullptr, 0}, {1, 31, nullptr, 0},
    {1, 12, kMonths, 12}, {0, 7, kDays, 7},
};

std::optional<int> value_of(std::string_view s, const FieldSpec& spec) {
  if (s.empty()) {
    return std::nullopt;
  }
  if (std::isalpha(static_cast<unsigned char>(s[0]))) {
    std::string lower(s);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (int i = 0; i < spec.name_count; ++i) {
      if (lower == spec.names[i]) {
        return spec.min + i;
      }
    }
    return std::nullopt;
  }
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < spec.min || v > spec.max) {
    return std::nullopt;
  }
  return v;
}

// Parses one comma-separated field into `bits` (indexed by value). Returns false on error.
template <std::size_t N>
bool parse_field(std::string_view field, int index, std::bitset<N>& bits, CronExpr& cron) {
  const FieldSpec& spec = kSpecs[index];
  std::size_t start = 0;
  while (start <= field.size()) {
    auto comma = field.find(',', start);
    std::string_view item =
        field.substr(start, comma == std::string_view::npos ? comma : comma - start);
    start = comma == std::string_view::npos ? field.size() + 1 : comma + 1;
    if (item.empty()) {
      return false;
    }
    if (index == 2 && (item == "L" || item == "l")) {
      cron.last_day = true;
      continue;
    }
    if (index == 4) {  // nth weekday: "fri#3", "5#3", "L5"/"Lfri" (last), "5L"
      auto hash = item.find('#');
      if (hash != std::string_view::npos) {
        auto wd = value_of(item.substr(0, hash), spec);
        auto n = value_of(item.substr(hash + 1), FieldSpec{1, 5, nullptr, 0});
        if (!wd || !n) {
          return false;
        }
        cron.nth_weekday.emplace_back(*wd % 7, *n);
        continue;
      }
      if (item.size() > 1 && (item[0] == 'L' || item[0] == 'l')) {
        auto wd = value_of(item.substr(1), spec);
        if (!wd) {
          return false;
        }
        cron.nth_weekday.emplace_back(*wd % 7, -1);
        continue;
      }
      if (item.size() > 1 && (item.back() == 'L' || item.back() == 'l') &&
          std::isdigit(static_cast<unsigned char>(item[0]))) {
        auto wd = value_of(item.substr(0, item.size() - 1), spec);
        if (!wd) {
          return false;
        }
        cron.nth_weekday.emplace_back(*wd % 7, -1);
        continue;
      }
    }
    int step = 1;
    const bool has_step = item.find('/') != std::string_view::npos;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto s = value_of(item.substr(slash + 1), FieldSpec{1, 1000, nullptr, 0});
      if (!s) {
        return false;
      }
      step = *s;
      item = item.substr(0, slash);
    }
    int lo = spec.min, hi = spec.max;
    if (item == "*" || ((index == 2 || index == 4) && item == "?")) {
      if (index == 4) {
        hi = 6;
      }
    } else if (auto dash = item.find('-', 1); dash != std::string_view::npos) {
      auto a = value_of(item.substr(0, dash), spec), b = value_of(item.substr(dash + 1), spec);
      if (!a || !b) {
        return false;
      }
      lo = *a;
      hi = *b;
    } else {
      auto a = value_of(item, spec);
      if (!a) {
        return false;
      }
      lo = *a;
      hi = has_step ? (index == 4 ? 6 : spec.max) : *a;  // croniter: "a/step" is "a-max/step"
    }
    // A range written high-low wraps around the field (e.g. fri-mon).
    const int span = spec.max - spec.min + 1;
    const int count = hi >= lo ? hi - lo : hi - lo + span;
    for (int k = 0; k <= count; k += step) {
      int v = lo + k;
      if (v > spec.max) {
        v -= span;
      }
      const int bit = index == 4 ? v % 7 : v;
      bits.set(static_cast<std::size_t>(bit));
    }
  }
  return true;
}

std::string_view expand_macro(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "@yearly" || lower == "@annually") {
    return "0 0 1 1 *";
  }
  if (lower == "@monthly") {
    return "0 0 1 * *";
  }
  if (lower == "@weekly") {
    return "0 0 * * 0";
  }
  if (lower == "@daily" || lower == "@midnight") {
    return "0 0 * * *";
  }
  if (lower == "@hourly") {
    return "0 * * * *";
  }
  return text;
}

bool day_matches(const CronExpr& c, long long days, bool day_or) {
  long long y;
  unsigned m, d;
  core::civil_from_days(days, y, m, d);
  const int wd = (weekday_of_days(days) + 1) % 7;  // Sunday = 0
  bool dom = c.day.test(d);
  if (c.last_day) {
    const unsigned next_m = m == 12 ? 1 : m + 1;
    const long long first_next = core::days_from_civil(m == 12 ? y + 1 : y, next_m, 1);
    dom = dom || days == first_next - 1;
  }
  bool dow = c.weekday.test(static_cast<std::size_t>(wd));
  for (auto [want, n] : c.nth_weekday) {
    if (want != wd) {
      continue;
    }
    const long long first = core::days_from_civil(y, m, 1);
    const long long month_len =
        (m == 12 ? core::days_from_civil(y + 1, 1, 1) : core::days_from_civil(y, m + 1, 1)) - first;
    const long long index = days - first;  // 0-based day of month
    dow = dow || (n > 0 ? index / 7 + 1 == n : index + 7 >= month_len);
  }
  if (c.day_star && c.weekday_star) {
    return true;
  }
  if (c.day_star) {
    return dow;
  }
  if (c.weekday_star) {
    return dom;
  }
  return day_or ? (dom || dow) : (dom && dow);
}

}  // namespace

std::optional<CronExpr> parse_cron(std::string_view text) {
  text = expand_macro(text);
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (i > start) {
      fields.push_back(text.substr(start, i - start));
    }
  }
  if (fields.size() != 5) {
    return std::nullopt;
  }
  CronExpr c;
  if (!parse_field(fields[0], 0, c.minute, c) || !parse_field(fields[1], 1, c.hour, c) ||
      !parse_field(fields[2], 2, c.day, c) || !parse_field(fields[3], 3, c.month, c) ||
      !parse_field(fields[4], 4, c.weekday, c)) {
    return std::nullopt;
  }
  // croniter treats a field that covers every value like `*` (this matters for day_or).
  c.day_star = !c.last_day && c.day.count() == 31;
  c.weekday_star = c.nth_weekday.empty() && c.weekday.count() == 7;
  if (c.day.none() && !c.last_day) {
    c.day_star = true;  // only L/#-style entries never leave the field empty
  }
  if (c.weekday.none() && c.nth_weekday.empty()) {
    c.weekday_star = true;
  }
  return c;
}

std::optional<LocalMicros> cron_next(const CronExpr& c, LocalMicros after, bool day_or) {
  constexpr std::int64_t kMinute = 60 * kMicrosPerSecond;
  LocalMicros t = after - (((after % kMinute) + kMinute) % kMinute) + kMinute;
  const LocalMicros limit = after + 50LL * 366 * kMicrosPerDay;
  while (t < limit) {
    const CivilTime ct = to_civil(t);
    const long long days = core::days_from_civil(ct.year, ct.month, ct.day);
    if (!c.month.test(ct.month)) {
      t = from_civil(ct.month == 12 ? ct.year + 1 : ct.year, ct.month == 12 ? 1 : ct.month + 1, 1);
    } else if (!day_matches(c, days, day_or)) {
      t = (days + 1) * kMicrosPerDay;
    } else if (!c.hour.test(ct.hour)) {
      t = days * kMicrosPerDay + (ct.hour + 1) * 3600LL * kMicrosPerSecond;
    } else if (!c.minute.test(ct.minute)) {
      t += kMinute;
    } else {
      return t;
    }
  }
  return std::nullopt;
}

}  // namespace prefectcore::schemas
