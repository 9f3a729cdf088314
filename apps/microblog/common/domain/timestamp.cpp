#include "common/domain/timestamp.hpp"

#include <algorithm>
#include <optional>

namespace microblog {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

struct CivilDate {
    std::int64_t year;
    int month;  // 1..12
    int day;    // 1..31
};

// Howard Hinnant's days_from_civil / civil_from_days: exact for every int64
// day count, with eras of 400 years so negative years need no special case.
std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap_year(std::int64_t y) noexcept { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int days_in_month(std::int64_t y, int m) noexcept {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap_year(y)) ? 29 : kDays[m - 1];
}

void append_padded(std::string& out, std::int64_t value, int width) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (int i = n; i < width; ++i) out.push_back('0');
    while (n > 0) out.push_back(digits[--n]);
}

// A cursor over the text being parsed; each reader consumes exactly what it
// expects or reports failure.
class Reader {
  public:
    explicit Reader(std::string_view text) : text_(text) {}

    std::optional<int> digits(std::size_t count) {
        if (text_.size() - pos_ < count) return std::nullopt;
        int value = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const char c = text_[pos_ + i];
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + (c - '0');
        }
        pos_ += count;
        return value;
    }

    bool literal(char expected_lower, char expected_upper) {
        if (pos_ >= text_.size() || (text_[pos_] != expected_lower && text_[pos_] != expected_upper)) return false;
        ++pos_;
        return true;
    }

    bool literal(char expected) { return literal(expected, expected); }

    std::optional<char> peek() const { return pos_ < text_.size() ? std::optional<char>(text_[pos_]) : std::nullopt; }

    // Reads 1..9 fraction digits and returns them as milliseconds (truncated).
    std::optional<int> fraction_ms() {
        int ms = 0;
        std::size_t count = 0;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            if (count < 3) ms = ms * 10 + (text_[pos_] - '0');
            ++count;
            ++pos_;
        }
        if (count == 0 || count > 9) return std::nullopt;
        for (std::size_t i = count; i < 3; ++i) ms *= 10;
        return ms;
    }

    bool at_end() const { return pos_ == text_.size(); }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

// Offset from UTC in minutes: 0 for Z, otherwise the signed +HH:MM value.
std::optional<int> read_offset_minutes(Reader& in) {
    if (in.literal('z', 'Z')) return 0;
    const auto sign_char = in.peek();
    if (!sign_char || (*sign_char != '+' && *sign_char != '-')) return std::nullopt;
    in.literal(*sign_char);
    const auto hours = in.digits(2);
    if (!hours || !in.literal(':')) return std::nullopt;
    const auto minutes = in.digits(2);
    if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
    const int total = *hours * 60 + *minutes;
    return *sign_char == '-' ? -total : total;
}

std::optional<std::int64_t> read_rfc3339(std::string_view text) {
    Reader in(text);
    const auto year = in.digits(4);
    if (!year || !in.literal('-')) return std::nullopt;
    const auto month = in.digits(2);
    if (!month || !in.literal('-')) return std::nullopt;
    const auto day = in.digits(2);
    if (!day || !in.literal('t', 'T')) return std::nullopt;
    const auto hour = in.digits(2);
    if (!hour || !in.literal(':')) return std::nullopt;
    const auto minute = in.digits(2);
    if (!minute || !in.literal(':')) return std::nullopt;
    const auto second = in.digits(2);
    if (!second) return std::nullopt;
    int ms = 0;
    if (in.literal('.')) {
        const auto fraction = in.fraction_ms();
        if (!fraction) return std::nullopt;
        ms = *fraction;
    }
    const auto offset_minutes = read_offset_minutes(in);
    if (!offset_minutes || !in.at_end()) return std::nullopt;

    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

    const std::int64_t days = days_from_civil(*year, *month, *day);
    const std::int64_t local_ms = days * kMsPerDay + ((*hour * 60LL + *minute) * 60 + *second) * 1000 + ms;
    return local_ms - *offset_minutes * 60'000LL;  // local = UTC + offset
}

}  // namespace

std::string format_rfc3339_ms(std::int64_t unix_ms) {
    unix_ms = std::clamp(unix_ms, kMinRfc3339UnixMs, kMaxRfc3339UnixMs);
    // Floor division, so that -1 ms is 23:59:59.999 of the day before the epoch.
    std::int64_t days = unix_ms / kMsPerDay;
    std::int64_t ms_of_day = unix_ms % kMsPerDay;
    if (ms_of_day < 0) {
        ms_of_day += kMsPerDay;
        --days;
    }
    const CivilDate date = civil_from_days(days);

    std::string out;
    out.reserve(24);
    append_padded(out, date.year, 4);
    out.push_back('-');
    append_padded(out, date.month, 2);
    out.push_back('-');
    append_padded(out, date.day, 2);
    out.push_back('T');
    append_padded(out, ms_of_day / 3'600'000, 2);
    out.push_back(':');
    append_padded(out, ms_of_day / 60'000 % 60, 2);
    out.push_back(':');
    append_padded(out, ms_of_day / 1000 % 60, 2);
    out.push_back('.');
    append_padded(out, ms_of_day % 1000, 3);
    out.push_back('Z');
    return out;
}

hypha::Result<std::int64_t> parse_rfc3339_ms(std::string_view text) {
    if (auto unix_ms = read_rfc3339(text)) return *unix_ms;
    return hypha::fail(hypha::ErrorCode::kInvalidArgument,
                       "timestamp: must be an RFC 3339 date-time such as 2026-11-25T10:50:35.123Z");
}

}  // namespace microblog
