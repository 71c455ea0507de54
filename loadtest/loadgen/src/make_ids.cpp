#include "crosscheck/loadgen/make_ids.h"

#include <stdexcept>

#include "crosscheck/schemas/identifiers.h"

namespace crosscheck::loadgen {

namespace ids = schemas::ids;

std::string mrz_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') out += c;
    else if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if (c >= '0' && c <= '9') out += c;
    else if (c == '\'') continue;
    else out += '<';
  }
  return out;
}

namespace {

std::string yymmdd(const std::string& date) { return date.substr(2, 2) + date.substr(5, 2) + date.substr(8, 2); }

char check(std::string_view field) {
  const int d = ids::icao_check_digit(field);
  if (d < 0) throw std::logic_error("MRZ field with a character outside [A-Z0-9<]");
  return static_cast<char>('0' + d);
}

std::string pad(std::string s, std::size_t n) {
  if (s.size() > n) s.resize(n);
  s.append(n - s.size(), '<');
  return s;
}

std::string name_field(const MrzHolder& h, std::size_t width) {
  std::string name = mrz_text(h.surname) + "<<" + mrz_text(h.given_names);
  return pad(std::move(name), width);
}

char sex_char(const std::string& sex) { return sex == "F" ? 'F' : sex == "M" ? 'M' : '<'; }

}  // namespace

std::vector<std::string> make_td3(const MrzHolder& h) {
  std::string line1 = pad(h.document_code, 2) + h.issuing_state + name_field(h, 39);
  const std::string number = pad(h.number, 9);
  const std::string dob = yymmdd(h.date_of_birth);
  const std::string exp = yymmdd(h.expiry);
  const std::string optional(14, '<');
  std::string line2 = number + check(number) + h.nationality + dob + check(dob) + sex_char(h.sex) + exp + check(exp) +
                      optional + check(optional);
  const std::string composite = line2.substr(0, 10) + line2.substr(13, 7) + line2.substr(21, 22);
  line2 += check(composite);
  return {line1, line2};
}

std::vector<std::string> make_td1(const MrzHolder& h) {
  const std::string number = pad(h.number, 9);
  std::string line1 = pad(h.document_code, 2) + h.issuing_state + number + check(number) + std::string(15, '<');
  const std::string dob = yymmdd(h.date_of_birth);
  const std::string exp = yymmdd(h.expiry);
  std::string line2 = dob + check(dob) + sex_char(h.sex) + exp + check(exp) + h.nationality + std::string(11, '<');
  const std::string composite = line1.substr(5, 25) + line2.substr(0, 7) + line2.substr(8, 7) + line2.substr(18, 11);
  line2 += check(composite);
  std::string line3 = name_field(h, 30);
  return {line1, line2, line3};
}

std::string make_imo(Rng& rng) {
  std::string six = "9" + rng.digits(5);
  int sum = 0;
  for (int i = 0; i < 6; ++i) sum += (six[i] - '0') * (7 - i);
  return six + static_cast<char>('0' + sum % 10);
}

std::string make_container(std::string_view owner_u, Rng& rng) {
  std::string body = std::string(owner_u) + rng.digits(6);
  const int d = ids::container_check_digit(body);
  if (d < 0) throw std::logic_error("container owner code is not ISO 6346");
  return body + static_cast<char>('0' + d);
}

std::string make_iban_with_bban(std::string_view country, std::string_view bban) {
  const std::string probe = std::string(country) + "00" + std::string(bban);
  const int r = ids::iban_mod97(probe);
  if (r < 0) return {};
  const int check_digits = 98 - r;
  std::string iban = std::string(country);
  iban += static_cast<char>('0' + check_digits / 10);
  iban += static_cast<char>('0' + check_digits % 10);
  iban += bban;
  return iban;
}

std::string make_iban(std::string_view country, Rng& rng) {
  const int length = ids::iban_length_for(country);
  if (length <= 4) return {};
  std::string bban;
  // Where the national BBAN starts with a bank code of letters, write one, as the IBANs people see do.
  if (country == "GB" || country == "IE" || country == "NL") bban = rng.letters(4);
  bban += rng.digits(static_cast<std::size_t>(length - 4) - bban.size());
  return make_iban_with_bban(country, bban);
}

std::string make_uuid_v4(Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    char c = kHex[rng.below(16)];
    if (i == 12) c = '4';
    if (i == 16) c = kHex[8 + rng.below(4)];
    out += c;
  }
  return out;
}

std::string with_mod7(const std::string& body) {
  std::uint64_t v = 0;
  for (char c : body) v = (v * 10 + static_cast<std::uint64_t>(c - '0')) % 7;
  return body + static_cast<char>('0' + v);
}

std::string break_digit(std::string s, std::size_t pos) {
  if (pos >= s.size()) return s;
  const char c = s[pos];
  if (c >= '0' && c <= '9') s[pos] = static_cast<char>('0' + ((c - '0') + 3) % 10);
  else if (c >= 'A' && c <= 'Z') s[pos] = static_cast<char>('A' + ((c - 'A') + 3) % 26);
  else s[pos] = '7';
  return s;
}

}  // namespace crosscheck::loadgen
