#include "crosscheck/rules/normalize.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <vector>

#include "crosscheck/ascii.h"

namespace crosscheck::rules {
namespace {

using ascii::is_ascii;
constexpr auto ascii_alnum = ascii::is_alnum;
constexpr auto ascii_upper = ascii::to_upper;

// Splits `s` at spaces, sorts the tokens and joins them with single spaces.
std::string sort_tokens(std::string_view s) {
  const std::size_t total = s.size();
  std::vector<std::string_view> tokens;
  while (!s.empty()) {
    const auto start = s.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    s.remove_prefix(start);
    const auto end = std::min(s.find(' '), s.size());
    tokens.push_back(s.substr(0, end));
    s.remove_prefix(end);
  }
  std::sort(tokens.begin(), tokens.end());
  std::string out;
  out.reserve(total);
  for (auto t : tokens) {
    if (!out.empty()) out.push_back(' ');
    out.append(t);
  }
  return out;
}

std::string normalize_ascii_name(std::string_view name) {
  std::string upper(name.size(), ' ');
  for (std::size_t i = 0; i < name.size(); ++i) upper[i] = ascii_alnum(name[i]) ? ascii_upper(name[i]) : ' ';
  return sort_tokens(upper);
}

// Latin letters with no canonical decomposition that travellers routinely write without the
// stroke (case-folded forms; the text is folded before this is applied).
const char16_t* fold_special(UChar32 c) {
  switch (c) {
    case 0x0142: return u"l";   // ł
    case 0x00F8: return u"o";   // ø
    case 0x0111: return u"d";   // đ
    case 0x00F0: return u"d";   // ð
    case 0x0127: return u"h";   // ħ
    case 0x0131: return u"i";   // dotless ı
    case 0x00E6: return u"ae";  // æ
    case 0x0153: return u"oe";  // œ
    case 0x00FE: return u"th";  // þ
    default: return nullptr;
  }
}

bool is_token_char(UChar32 c) {
  const auto type = u_charType(c);
  return u_isalnum(c) || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

std::string normalize_unicode_name(std::string_view name) {
  UErrorCode status = U_ZERO_ERROR;
  // Both instances are process-wide singletons owned by ICU and safe to share between threads.
  static const icu::Normalizer2* const fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  static const icu::Normalizer2* const nfd = icu::Normalizer2::getNFDInstance(status);
  if (!fold || !nfd) return normalize_ascii_name(name);

  status = U_ZERO_ERROR;
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  icu::UnicodeString folded = fold->normalize(input, status);
  icu::UnicodeString decomposed = nfd->normalize(folded, status);
  if (U_FAILURE(status)) return {};

  // Drop combining diacritics, map the few undecomposable letters, turn the rest into tokens.
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    if (const char16_t* repl = fold_special(c)) {
      stripped.append(repl);
    } else if (is_token_char(c)) {
      stripped.append(c);
    } else {
      stripped.append(static_cast<UChar>(u' '));
    }
  }
  // Recompose (scripts whose marks are spacing keep them) and upper-case like the ASCII path.
  icu::UnicodeString composed = icu::Normalizer2::getNFCInstance(status)->normalize(stripped, status);
  if (U_FAILURE(status)) return {};
  composed.toUpper(icu::Locale::getRoot());

  std::string utf8;
  composed.toUTF8String(utf8);
  return sort_tokens(utf8);
}

std::string upper_alnum(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (ascii_alnum(c)) out.push_back(ascii_upper(c));
  }
  return out;
}

}  // namespace

std::string normalize_name(std::string_view name) {
  return is_ascii(name) ? normalize_ascii_name(name) : normalize_unicode_name(name);
}

std::string normalize_document(std::string_view number) { return upper_alnum(number); }

std::string normalize_iban(std::string_view iban) { return upper_alnum(iban); }

std::string normalize_imo(std::string_view imo) {
  std::string out = upper_alnum(imo);
  if (out.size() >= 3 && out.compare(0, 3, "IMO") == 0) out.erase(0, 3);
  if (out.size() != 7 || !std::all_of(out.begin(), out.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  return out;
}

}  // namespace crosscheck::rules
