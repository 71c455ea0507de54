#include "crosscheck/schemas/identifiers.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace crosscheck::schemas::ids {
namespace {

constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_upper_alnum(char c) { return is_upper(c) || is_digit(c); }
constexpr bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

template <class Pred>
constexpr bool all_of(std::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// ISO 3166-1, officially assigned codes (249), sorted.
constexpr std::array<std::string_view, kCountryCount> kAlpha2 = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};
constexpr std::array<std::string_view, kCountryCount> kAlpha3 = {
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG", "AUS", "AUT",
    "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL",
    "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG",
    "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM",
    "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB", "GBR",
    "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY",
    "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA",
    "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY",
    "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL",
    "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM",
    "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER",
    "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU",
    "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON",
    "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT", "VEN", "VGB",
    "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB", "ZWE",
};

struct CodeValue {
  std::string_view code;
  int value;
};

// ISO 4217 active currency codes and their minor units, sorted.
constexpr CodeValue kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2},
    {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2},
    {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2},
    {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2},
    {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
    {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0},
    {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
    {"ZWL", 2},
};

// SWIFT IBAN registry: country and IBAN length, sorted.
constexpr CodeValue kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27},
    {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21},
    {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
    {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22},
    {"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

template <class It>
constexpr bool is_sorted_unique(It first, It last, auto key) {
  if (first == last) return true;
  for (It next = first + 1; next != last; ++first, ++next) {
    if (!(key(*first) < key(*next))) return false;
  }
  return true;
}
constexpr auto sv_key = [](std::string_view s) { return s; };
constexpr auto cv_key = [](const CodeValue& c) { return c.code; };
static_assert(is_sorted_unique(kAlpha2.begin(), kAlpha2.end(), sv_key));
static_assert(is_sorted_unique(kAlpha3.begin(), kAlpha3.end(), sv_key));
static_assert(is_sorted_unique(std::begin(kCurrencies), std::end(kCurrencies), cv_key));
static_assert(is_sorted_unique(std::begin(kIbanLengths), std::end(kIbanLengths), cv_key));

// The code lists packed into integers (big-endian, so the order is the same), so that lookups
// compare integers rather than calling memcmp.
constexpr std::uint32_t pack_code(std::string_view s) {
  std::uint32_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}
template <std::size_t N>
constexpr std::array<std::uint32_t, N> packed(const std::array<std::string_view, N>& codes) {
  std::array<std::uint32_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = pack_code(codes[i]);
  return out;
}
constexpr auto kAlpha2Packed = packed(kAlpha2);
constexpr auto kAlpha3Packed = packed(kAlpha3);

template <std::size_t N>
bool in_packed(const std::array<std::uint32_t, N>& table, std::string_view s) {
  return std::binary_search(table.begin(), table.end(), pack_code(s));
}

const CodeValue* find_code(std::span<const CodeValue> table, std::string_view s) {
  const auto it = std::lower_bound(table.begin(), table.end(), s,
                                   [](const CodeValue& c, std::string_view k) { return c.code < k; });
  return it != table.end() && it->code == s ? &*it : nullptr;
}

// Streaming ICAO 9303 check digit over several pieces as if concatenated.
struct IcaoSum {
  int sum = 0;
  int pos = 0;
  bool ok = true;
  void add(std::string_view s) {
    static constexpr int kWeights[3] = {7, 3, 1};
    for (char c : s) {
      const int v = icao_char_value(c);
      if (v < 0) ok = false;
      sum += (v < 0 ? 0 : v) * kWeights[pos % 3];
      ++pos;
    }
  }
  bool matches(char check) const { return ok && is_digit(check) && sum % 10 == check - '0'; }
};

std::string_view trim_fillers(std::string_view s) {
  while (!s.empty() && s.back() == '<') s.remove_suffix(1);
  return s;
}

int container_letter_value(char c) {
  // A=10, then skip every multiple of 11: B=12 ... K=21, L=23 ... U=32, V=34 ... Z=38.
  int v = 10;
  for (char x = 'A'; x < c; ++x) {
    ++v;
    if (v % 11 == 0) ++v;
  }
  return v;
}

std::uint32_t pack3(std::string_view s) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[0])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[1])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[2]));
}

}  // namespace

// ---- ICAO 9303 ----

int icao_char_value(char c) {
  if (is_digit(c)) return c - '0';
  if (is_upper(c)) return c - 'A' + 10;
  if (c == '<') return 0;
  return -1;
}

int icao_check_digit(std::string_view field) {
  IcaoSum s;
  s.add(field);
  return s.ok ? s.sum % 10 : -1;
}

bool icao_check_digit_ok(std::string_view field, char check) {
  IcaoSum s;
  s.add(field);
  return s.matches(check);
}

std::optional<Mrz> parse_mrz(std::span<const std::string_view> lines, MrzError* error) {
  const auto fail = [&](MrzError e) -> std::optional<Mrz> {
    if (error != nullptr) *error = e;
    return std::nullopt;
  };
  if (error != nullptr) *error = MrzError::kNone;
  if (lines.size() != 2 && lines.size() != 3) return fail(MrzError::kLineCount);
  const std::size_t width = lines.size() == 2 ? 44 : 30;
  for (std::string_view l : lines) {
    if (l.size() != width) return fail(MrzError::kLineLength);
  }
  for (std::string_view l : lines) {
    if (!all_of(l, [](char c) { return is_upper_alnum(c) || c == '<'; })) return fail(MrzError::kCharset);
  }
  Mrz m;
  if (lines.size() == 2) {
    // TD3. Line 1: code(0-1) state(2-4) name(5-43). Line 2: number(0-8) check(9) nationality(10-12)
    // birth(13-18) check(19) sex(20) expiry(21-26) check(27) personal number(28-41) check(42)
    // composite(43) over 0-9, 13-19, 21-42.
    const std::string_view l1 = lines[0], l2 = lines[1];
    m.format = MrzFormat::kTD3;
    m.document_code = l1.substr(0, 2);
    m.issuing_state = l1.substr(2, 3);
    m.document_number = trim_fillers(l2.substr(0, 9));
    m.nationality = l2.substr(10, 3);
    m.date_of_birth = l2.substr(13, 6);
    m.sex = l2.substr(20, 1);
    m.expiry = l2.substr(21, 6);
    m.document_number_ok = icao_check_digit_ok(l2.substr(0, 9), l2[9]);
    m.date_of_birth_ok = icao_check_digit_ok(m.date_of_birth, l2[19]);
    m.expiry_ok = icao_check_digit_ok(m.expiry, l2[27]);
    IcaoSum c;
    c.add(l2.substr(0, 10));
    c.add(l2.substr(13, 7));
    c.add(l2.substr(21, 22));
    m.composite_ok = c.matches(l2[43]);
    return m;
  }
  // TD1. Line 1: code(0-1) state(2-4) number(5-13) check(14) optional(15-29). Line 2: birth(0-5)
  // check(6) sex(7) expiry(8-13) check(14) nationality(15-17) optional(18-28) composite(29) over
  // line 1 5-29, line 2 0-6, 8-14, 18-28. Line 3: name.
  const std::string_view l1 = lines[0], l2 = lines[1];
  m.format = MrzFormat::kTD1;
  m.document_code = l1.substr(0, 2);
  m.issuing_state = l1.substr(2, 3);
  m.date_of_birth = l2.substr(0, 6);
  m.sex = l2.substr(7, 1);
  m.expiry = l2.substr(8, 6);
  m.nationality = l2.substr(15, 3);
  if (l1[14] == '<' && l1[15] != '<') {
    // A document number longer than 9 characters: the rest and its check digit continue in the
    // optional data (positions 16 on, 1-based), the check digit over the whole number.
    std::size_t end = 15;
    while (end < 30 && l1[end] != '<') ++end;
    const std::string_view overflow = l1.substr(15, end - 15);  // rest + check digit
    m.document_number = l1.substr(5, 9);
    m.document_number_overflow = overflow.substr(0, overflow.size() - 1);
    IcaoSum s;
    s.add(m.document_number);
    s.add(m.document_number_overflow);
    m.document_number_ok = overflow.size() >= 2 && s.matches(overflow.back());
  } else {
    m.document_number = trim_fillers(l1.substr(5, 9));
    m.document_number_ok = icao_check_digit_ok(l1.substr(5, 9), l1[14]);
  }
  m.date_of_birth_ok = icao_check_digit_ok(m.date_of_birth, l2[6]);
  m.expiry_ok = icao_check_digit_ok(m.expiry, l2[14]);
  IcaoSum c;
  c.add(l1.substr(5, 25));
  c.add(l2.substr(0, 7));
  c.add(l2.substr(8, 7));
  c.add(l2.substr(18, 11));
  m.composite_ok = c.matches(l2[29]);
  return m;
}

// ---- transport ----

bool container_shape_ok(std::string_view s) {
  return s.size() == 11 && all_of(s.substr(0, 3), is_upper) && (s[3] == 'U' || s[3] == 'J' || s[3] == 'Z') &&
         all_of(s.substr(4), is_digit);
}

int container_check_digit(std::string_view s) {
  if (s.size() < 10) return -1;
  int sum = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    const char c = s[i];
    int v = 0;
    if (i < 4 && is_upper(c)) v = container_letter_value(c);
    else if (i >= 4 && is_digit(c)) v = c - '0';
    else return -1;
    sum += v << i;
  }
  return sum % 11 % 10;
}

bool container_ok(std::string_view s) {
  return container_shape_ok(s) && container_check_digit(s) == s[10] - '0';
}

bool imo_shape_ok(std::string_view s) { return s.size() == 7 && all_of(s, is_digit); }

bool imo_ok(std::string_view s) {
  if (!imo_shape_ok(s)) return false;
  int sum = 0;
  for (std::size_t i = 0; i < 6; ++i) sum += (s[i] - '0') * static_cast<int>(7 - i);
  return sum % 10 == s[6] - '0';
}

bool iata_airport_shape_ok(std::string_view s) { return s.size() == 3 && all_of(s, is_upper); }

std::shared_ptr<const AirportCodes> AirportCodes::from_codes(std::span<const std::string_view> codes) {
  auto set = std::make_shared<AirportCodes>();
  set->codes_.reserve(codes.size());
  for (std::string_view c : codes) {
    if (c.size() != 3) continue;
    char up[3];
    bool ok = true;
    for (std::size_t i = 0; i < 3; ++i) {
      char x = c[i];
      if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
      ok = ok && is_upper(x);
      up[i] = x;
    }
    if (ok) set->codes_.push_back(pack3(std::string_view(up, 3)));
  }
  std::sort(set->codes_.begin(), set->codes_.end());
  set->codes_.erase(std::unique(set->codes_.begin(), set->codes_.end()), set->codes_.end());
  return set;
}

bool AirportCodes::contains(std::string_view code) const {
  if (!iata_airport_shape_ok(code)) return false;
  return std::binary_search(codes_.begin(), codes_.end(), pack3(code));
}

namespace {
// Splits one CSV record (RFC 4180) starting at pos in text; quoted fields may contain commas,
// doubled quotes and newlines. Returns false at the end of the text.
bool next_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields) {
  fields.clear();
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field.push_back('"');
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
  return true;
}

std::string trim_lower(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF && static_cast<unsigned char>(s[1]) == 0xBB &&
      static_cast<unsigned char>(s[2]) == 0xBF) {
    s.remove_prefix(3);  // a UTF-8 byte order mark before the first header
  }
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}
}  // namespace

Result<std::shared_ptr<const AirportCodes>> load_airport_codes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::fatal("airports", "cannot open the airport list " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error::fatal("airports", "cannot read the airport list " + path);
  const std::string text = ss.str();
  std::size_t pos = 0;
  std::vector<std::string> fields;
  if (!next_record(text, pos, fields)) return Error::fatal("airports", "the airport list " + path + " is empty");
  std::size_t column = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (trim_lower(fields[i]) == "iata") {
      column = i;
      break;
    }
  }
  if (column == fields.size()) {
    return Error::fatal("airports", "the airport list " + path + " has no iata column in its header");
  }
  std::vector<std::string> values;
  while (next_record(text, pos, fields)) {
    if (column < fields.size()) values.push_back(trim_lower(fields[column]));
  }
  std::vector<std::string_view> views(values.begin(), values.end());
  auto set = AirportCodes::from_codes(views);
  if (set->size() == 0) return Error::fatal("airports", "the airport list " + path + " has no IATA codes");
  return set;
}

// ---- countries, currencies, places ----

bool is_country_alpha2(std::string_view s) { return s.size() == 2 && in_packed(kAlpha2Packed, s); }
bool is_country_alpha3(std::string_view s) { return s.size() == 3 && in_packed(kAlpha3Packed, s); }
std::span<const std::string_view> country_alpha2_codes() { return kAlpha2; }
std::span<const std::string_view> country_alpha3_codes() { return kAlpha3; }

std::optional<int> currency_minor_units(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  const CodeValue* c = find_code(kCurrencies, code);
  if (c == nullptr) return std::nullopt;
  return c->value;
}
std::size_t currency_count() { return std::size(kCurrencies); }

bool unlocode_shape_ok(std::string_view s) {
  return s.size() == 5 && all_of(s.substr(0, 2), is_upper) &&
         all_of(s.substr(2), [](char c) { return is_upper(c) || (c >= '2' && c <= '9'); });
}
bool unlocode_ok(std::string_view s) { return unlocode_shape_ok(s) && is_country_alpha2(s.substr(0, 2)); }

// ---- banking ----

int iban_length_for(std::string_view country) {
  if (country.size() != 2) return 0;
  const CodeValue* c = find_code(kIbanLengths, country);
  return c == nullptr ? 0 : c->value;
}
std::size_t iban_country_count() { return std::size(kIbanLengths); }

int iban_mod97(std::string_view s) {
  if (s.size() < 5) return -1;
  // Move the first four characters to the end; letters become 10..35. Reduce at every step: the
  // accumulator stays below 97 * 100 + 99.
  std::uint32_t rem = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[(i + 4) % s.size()];
    if (is_digit(c)) rem = (rem * 10 + static_cast<std::uint32_t>(c - '0')) % 97;
    else if (is_upper(c)) rem = (rem * 100 + static_cast<std::uint32_t>(c - 'A' + 10)) % 97;
    else return -1;
  }
  return static_cast<int>(rem);
}

IbanStatus validate_iban(std::string_view s) {
  if (s.size() < 5 || !is_upper(s[0]) || !is_upper(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
      !all_of(s, is_upper_alnum)) {
    return IbanStatus::kFormat;
  }
  const int len = iban_length_for(s.substr(0, 2));
  if (len == 0 || static_cast<std::size_t>(len) != s.size()) return IbanStatus::kLength;
  return iban_mod97(s) == 1 ? IbanStatus::kOk : IbanStatus::kCheckDigits;
}

bool bic_ok(std::string_view s) {
  if (s.size() != 8 && s.size() != 11) return false;
  if (!all_of(s.substr(0, 4), is_upper)) return false;
  const std::string_view country = s.substr(4, 2);
  if (!is_country_alpha2(country) && country != "XK") return false;
  return all_of(s.substr(6), is_upper_alnum);
}

// ---- miscellaneous ----

bool uuid_v4_lowercase_ok(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_lower_hex(s[i])) return false;
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

int decimal_fraction_digits(std::string_view s, int max_int, int max_frac) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > static_cast<std::size_t>(max_int)) return -1;
  if (n == s.size()) return 0;
  if (s[n] != '.') return -1;
  const std::string_view frac = s.substr(n + 1);
  if (frac.empty() || frac.size() > static_cast<std::size_t>(max_frac) || !all_of(frac, is_digit)) return -1;
  return static_cast<int>(frac.size());
}

bool decimal_positive(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '1' && c <= '9'; });
}

}  // namespace crosscheck::schemas::ids
