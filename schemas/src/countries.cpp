// ISO 3166-1 country names and codes as sources write them, mapped to alpha-3.
//
// The table is ISO 3166-1 as shipped by Debian's iso-codes package (name, official name, common
// name); the variants below it are the spellings the OFAC SDN and UN consolidated lists actually
// use for nationalities, flags, document issuers and addresses.
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "crosscheck/schemas/identifiers.h"

namespace crosscheck::schemas::ids {
namespace {

struct Country {
  std::string_view alpha2;
  std::string_view alpha3;
  std::string_view name;
  std::string_view official_name;  // may be empty
  std::string_view common_name;    // may be empty
};

constexpr std::array<Country, kCountryCount> kCountries = {{
    {"AD", "AND", "Andorra", "Principality of Andorra", ""},
    {"AE", "ARE", "United Arab Emirates", "", ""},
    {"AF", "AFG", "Afghanistan", "Islamic Republic of Afghanistan", ""},
    {"AG", "ATG", "Antigua and Barbuda", "", ""},
    {"AI", "AIA", "Anguilla", "", ""},
    {"AL", "ALB", "Albania", "Republic of Albania", ""},
    {"AM", "ARM", "Armenia", "Republic of Armenia", ""},
    {"AO", "AGO", "Angola", "Republic of Angola", ""},
    {"AQ", "ATA", "Antarctica", "", ""},
    {"AR", "ARG", "Argentina", "Argentine Republic", ""},
    {"AS", "ASM", "American Samoa", "", ""},
    {"AT", "AUT", "Austria", "Republic of Austria", ""},
    {"AU", "AUS", "Australia", "", ""},
    {"AW", "ABW", "Aruba", "", ""},
    {"AX", "ALA", "Åland Islands", "", ""},
    {"AZ", "AZE", "Azerbaijan", "Republic of Azerbaijan", ""},
    {"BA", "BIH", "Bosnia and Herzegovina", "Republic of Bosnia and Herzegovina", ""},
    {"BB", "BRB", "Barbados", "", ""},
    {"BD", "BGD", "Bangladesh", "People's Republic of Bangladesh", ""},
    {"BE", "BEL", "Belgium", "Kingdom of Belgium", ""},
    {"BF", "BFA", "Burkina Faso", "", ""},
    {"BG", "BGR", "Bulgaria", "Republic of Bulgaria", ""},
    {"BH", "BHR", "Bahrain", "Kingdom of Bahrain", ""},
    {"BI", "BDI", "Burundi", "Republic of Burundi", ""},
    {"BJ", "BEN", "Benin", "Republic of Benin", ""},
    {"BL", "BLM", "Saint Barthélemy", "", ""},
    {"BM", "BMU", "Bermuda", "", ""},
    {"BN", "BRN", "Brunei Darussalam", "", ""},
    {"BO", "BOL", "Bolivia, Plurinational State of", "Plurinational State of Bolivia", "Bolivia"},
    {"BQ", "BES", "Bonaire, Sint Eustatius and Saba", "", ""},
    {"BR", "BRA", "Brazil", "Federative Republic of Brazil", ""},
    {"BS", "BHS", "Bahamas", "Commonwealth of the Bahamas", ""},
    {"BT", "BTN", "Bhutan", "Kingdom of Bhutan", ""},
    {"BV", "BVT", "Bouvet Island", "", ""},
    {"BW", "BWA", "Botswana", "Republic of Botswana", ""},
    {"BY", "BLR", "Belarus", "Republic of Belarus", ""},
    {"BZ", "BLZ", "Belize", "", ""},
    {"CA", "CAN", "Canada", "", ""},
    {"CC", "CCK", "Cocos (Keeling) Islands", "", ""},
    {"CD", "COD", "Congo, The Democratic Republic of the", "", ""},
    {"CF", "CAF", "Central African Republic", "", ""},
    {"CG", "COG", "Congo", "Republic of the Congo", ""},
    {"CH", "CHE", "Switzerland", "Swiss Confederation", ""},
    {"CI", "CIV", "Côte d'Ivoire", "Republic of Côte d'Ivoire", ""},
    {"CK", "COK", "Cook Islands", "", ""},
    {"CL", "CHL", "Chile", "Republic of Chile", ""},
    {"CM", "CMR", "Cameroon", "Republic of Cameroon", ""},
    {"CN", "CHN", "China", "People's Republic of China", ""},
    {"CO", "COL", "Colombia", "Republic of Colombia", ""},
    {"CR", "CRI", "Costa Rica", "Republic of Costa Rica", ""},
    {"CU", "CUB", "Cuba", "Republic of Cuba", ""},
    {"CV", "CPV", "Cabo Verde", "Republic of Cabo Verde", ""},
    {"CW", "CUW", "Curaçao", "", ""},
    {"CX", "CXR", "Christmas Island", "", ""},
    {"CY", "CYP", "Cyprus", "Republic of Cyprus", ""},
    {"CZ", "CZE", "Czechia", "Czech Republic", ""},
    {"DE", "DEU", "Germany", "Federal Republic of Germany", ""},
    {"DJ", "DJI", "Djibouti", "Republic of Djibouti", ""},
    {"DK", "DNK", "Denmark", "Kingdom of Denmark", ""},
    {"DM", "DMA", "Dominica", "Commonwealth of Dominica", ""},
    {"DO", "DOM", "Dominican Republic", "", ""},
    {"DZ", "DZA", "Algeria", "People's Democratic Republic of Algeria", ""},
    {"EC", "ECU", "Ecuador", "Republic of Ecuador", ""},
    {"EE", "EST", "Estonia", "Republic of Estonia", ""},
    {"EG", "EGY", "Egypt", "Arab Republic of Egypt", ""},
    {"EH", "ESH", "Western Sahara", "", ""},
    {"ER", "ERI", "Eritrea", "the State of Eritrea", ""},
    {"ES", "ESP", "Spain", "Kingdom of Spain", ""},
    {"ET", "ETH", "Ethiopia", "Federal Democratic Republic of Ethiopia", ""},
    {"FI", "FIN", "Finland", "Republic of Finland", ""},
    {"FJ", "FJI", "Fiji", "Republic of Fiji", ""},
    {"FK", "FLK", "Falkland Islands (Malvinas)", "", ""},
    {"FM", "FSM", "Micronesia, Federated States of", "Federated States of Micronesia", ""},
    {"FO", "FRO", "Faroe Islands", "", ""},
    {"FR", "FRA", "France", "French Republic", ""},
    {"GA", "GAB", "Gabon", "Gabonese Republic", ""},
    {"GB", "GBR", "United Kingdom", "United Kingdom of Great Britain and Northern Ireland", ""},
    {"GD", "GRD", "Grenada", "", ""},
    {"GE", "GEO", "Georgia", "", ""},
    {"GF", "GUF", "French Guiana", "", ""},
    {"GG", "GGY", "Guernsey", "", ""},
    {"GH", "GHA", "Ghana", "Republic of Ghana", ""},
    {"GI", "GIB", "Gibraltar", "", ""},
    {"GL", "GRL", "Greenland", "", ""},
    {"GM", "GMB", "Gambia", "Republic of the Gambia", ""},
    {"GN", "GIN", "Guinea", "Republic of Guinea", ""},
    {"GP", "GLP", "Guadeloupe", "", ""},
    {"GQ", "GNQ", "Equatorial Guinea", "Republic of Equatorial Guinea", ""},
    {"GR", "GRC", "Greece", "Hellenic Republic", ""},
    {"GS", "SGS", "South Georgia and the South Sandwich Islands", "", ""},
    {"GT", "GTM", "Guatemala", "Republic of Guatemala", ""},
    {"GU", "GUM", "Guam", "", ""},
    {"GW", "GNB", "Guinea-Bissau", "Republic of Guinea-Bissau", ""},
    {"GY", "GUY", "Guyana", "Republic of Guyana", ""},
    {"HK", "HKG", "Hong Kong", "Hong Kong Special Administrative Region of China", ""},
    {"HM", "HMD", "Heard Island and McDonald Islands", "", ""},
    {"HN", "HND", "Honduras", "Republic of Honduras", ""},
    {"HR", "HRV", "Croatia", "Republic of Croatia", ""},
    {"HT", "HTI", "Haiti", "Republic of Haiti", ""},
    {"HU", "HUN", "Hungary", "", ""},
    {"ID", "IDN", "Indonesia", "Republic of Indonesia", ""},
    {"IE", "IRL", "Ireland", "", ""},
    {"IL", "ISR", "Israel", "State of Israel", ""},
    {"IM", "IMN", "Isle of Man", "", ""},
    {"IN", "IND", "India", "Republic of India", ""},
    {"IO", "IOT", "British Indian Ocean Territory", "", ""},
    {"IQ", "IRQ", "Iraq", "Republic of Iraq", ""},
    {"IR", "IRN", "Iran, Islamic Republic of", "Islamic Republic of Iran", "Iran"},
    {"IS", "ISL", "Iceland", "Republic of Iceland", ""},
    {"IT", "ITA", "Italy", "Italian Republic", ""},
    {"JE", "JEY", "Jersey", "", ""},
    {"JM", "JAM", "Jamaica", "", ""},
    {"JO", "JOR", "Jordan", "Hashemite Kingdom of Jordan", ""},
    {"JP", "JPN", "Japan", "", ""},
    {"KE", "KEN", "Kenya", "Republic of Kenya", ""},
    {"KG", "KGZ", "Kyrgyzstan", "Kyrgyz Republic", ""},
    {"KH", "KHM", "Cambodia", "Kingdom of Cambodia", ""},
    {"KI", "KIR", "Kiribati", "Republic of Kiribati", ""},
    {"KM", "COM", "Comoros", "Union of the Comoros", ""},
    {"KN", "KNA", "Saint Kitts and Nevis", "", ""},
    {"KP", "PRK", "Korea, Democratic People's Republic of", "Democratic People's Republic of Korea", "North Korea"},
    {"KR", "KOR", "Korea, Republic of", "South Korea", ""},
    {"KW", "KWT", "Kuwait", "State of Kuwait", ""},
    {"KY", "CYM", "Cayman Islands", "", ""},
    {"KZ", "KAZ", "Kazakhstan", "Republic of Kazakhstan", ""},
    {"LA", "LAO", "Lao People's Democratic Republic", "Laos", ""},
    {"LB", "LBN", "Lebanon", "Lebanese Republic", ""},
    {"LC", "LCA", "Saint Lucia", "", ""},
    {"LI", "LIE", "Liechtenstein", "Principality of Liechtenstein", ""},
    {"LK", "LKA", "Sri Lanka", "Democratic Socialist Republic of Sri Lanka", ""},
    {"LR", "LBR", "Liberia", "Republic of Liberia", ""},
    {"LS", "LSO", "Lesotho", "Kingdom of Lesotho", ""},
    {"LT", "LTU", "Lithuania", "Republic of Lithuania", ""},
    {"LU", "LUX", "Luxembourg", "Grand Duchy of Luxembourg", ""},
    {"LV", "LVA", "Latvia", "Republic of Latvia", ""},
    {"LY", "LBY", "Libya", "", ""},
    {"MA", "MAR", "Morocco", "Kingdom of Morocco", ""},
    {"MC", "MCO", "Monaco", "Principality of Monaco", ""},
    {"MD", "MDA", "Moldova, Republic of", "Republic of Moldova", "Moldova"},
    {"ME", "MNE", "Montenegro", "", ""},
    {"MF", "MAF", "Saint Martin (French part)", "", ""},
    {"MG", "MDG", "Madagascar", "Republic of Madagascar", ""},
    {"MH", "MHL", "Marshall Islands", "Republic of the Marshall Islands", ""},
    {"MK", "MKD", "North Macedonia", "Republic of North Macedonia", ""},
    {"ML", "MLI", "Mali", "Republic of Mali", ""},
    {"MM", "MMR", "Myanmar", "Republic of Myanmar", ""},
    {"MN", "MNG", "Mongolia", "", ""},
    {"MO", "MAC", "Macao", "Macao Special Administrative Region of China", ""},
    {"MP", "MNP", "Northern Mariana Islands", "Commonwealth of the Northern Mariana Islands", ""},
    {"MQ", "MTQ", "Martinique", "", ""},
    {"MR", "MRT", "Mauritania", "Islamic Republic of Mauritania", ""},
    {"MS", "MSR", "Montserrat", "", ""},
    {"MT", "MLT", "Malta", "Republic of Malta", ""},
    {"MU", "MUS", "Mauritius", "Republic of Mauritius", ""},
    {"MV", "MDV", "Maldives", "Republic of Maldives", ""},
    {"MW", "MWI", "Malawi", "Republic of Malawi", ""},
    {"MX", "MEX", "Mexico", "United Mexican States", ""},
    {"MY", "MYS", "Malaysia", "", ""},
    {"MZ", "MOZ", "Mozambique", "Republic of Mozambique", ""},
    {"NA", "NAM", "Namibia", "Republic of Namibia", ""},
    {"NC", "NCL", "New Caledonia", "", ""},
    {"NE", "NER", "Niger", "Republic of the Niger", ""},
    {"NF", "NFK", "Norfolk Island", "", ""},
    {"NG", "NGA", "Nigeria", "Federal Republic of Nigeria", ""},
    {"NI", "NIC", "Nicaragua", "Republic of Nicaragua", ""},
    {"NL", "NLD", "Netherlands", "Kingdom of the Netherlands", ""},
    {"NO", "NOR", "Norway", "Kingdom of Norway", ""},
    {"NP", "NPL", "Nepal", "Federal Democratic Republic of Nepal", ""},
    {"NR", "NRU", "Nauru", "Republic of Nauru", ""},
    {"NU", "NIU", "Niue", "", ""},
    {"NZ", "NZL", "New Zealand", "", ""},
    {"OM", "OMN", "Oman", "Sultanate of Oman", ""},
    {"PA", "PAN", "Panama", "Republic of Panama", ""},
    {"PE", "PER", "Peru", "Republic of Peru", ""},
    {"PF", "PYF", "French Polynesia", "", ""},
    {"PG", "PNG", "Papua New Guinea", "Independent State of Papua New Guinea", ""},
    {"PH", "PHL", "Philippines", "Republic of the Philippines", ""},
    {"PK", "PAK", "Pakistan", "Islamic Republic of Pakistan", ""},
    {"PL", "POL", "Poland", "Republic of Poland", ""},
    {"PM", "SPM", "Saint Pierre and Miquelon", "", ""},
    {"PN", "PCN", "Pitcairn", "", ""},
    {"PR", "PRI", "Puerto Rico", "", ""},
    {"PS", "PSE", "Palestine, State of", "the State of Palestine", ""},
    {"PT", "PRT", "Portugal", "Portuguese Republic", ""},
    {"PW", "PLW", "Palau", "Republic of Palau", ""},
    {"PY", "PRY", "Paraguay", "Republic of Paraguay", ""},
    {"QA", "QAT", "Qatar", "State of Qatar", ""},
    {"RE", "REU", "Réunion", "", ""},
    {"RO", "ROU", "Romania", "", ""},
    {"RS", "SRB", "Serbia", "Republic of Serbia", ""},
    {"RU", "RUS", "Russian Federation", "", ""},
    {"RW", "RWA", "Rwanda", "Rwandese Republic", ""},
    {"SA", "SAU", "Saudi Arabia", "Kingdom of Saudi Arabia", ""},
    {"SB", "SLB", "Solomon Islands", "", ""},
    {"SC", "SYC", "Seychelles", "Republic of Seychelles", ""},
    {"SD", "SDN", "Sudan", "Republic of the Sudan", ""},
    {"SE", "SWE", "Sweden", "Kingdom of Sweden", ""},
    {"SG", "SGP", "Singapore", "Republic of Singapore", ""},
    {"SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha", "", ""},
    {"SI", "SVN", "Slovenia", "Republic of Slovenia", ""},
    {"SJ", "SJM", "Svalbard and Jan Mayen", "", ""},
    {"SK", "SVK", "Slovakia", "Slovak Republic", ""},
    {"SL", "SLE", "Sierra Leone", "Republic of Sierra Leone", ""},
    {"SM", "SMR", "San Marino", "Republic of San Marino", ""},
    {"SN", "SEN", "Senegal", "Republic of Senegal", ""},
    {"SO", "SOM", "Somalia", "Federal Republic of Somalia", ""},
    {"SR", "SUR", "Suriname", "Republic of Suriname", ""},
    {"SS", "SSD", "South Sudan", "Republic of South Sudan", ""},
    {"ST", "STP", "Sao Tome and Principe", "Democratic Republic of Sao Tome and Principe", ""},
    {"SV", "SLV", "El Salvador", "Republic of El Salvador", ""},
    {"SX", "SXM", "Sint Maarten (Dutch part)", "", ""},
    {"SY", "SYR", "Syrian Arab Republic", "Syria", ""},
    {"SZ", "SWZ", "Eswatini", "Kingdom of Eswatini", ""},
    {"TC", "TCA", "Turks and Caicos Islands", "", ""},
    {"TD", "TCD", "Chad", "Republic of Chad", ""},
    {"TF", "ATF", "French Southern Territories", "", ""},
    {"TG", "TGO", "Togo", "Togolese Republic", ""},
    {"TH", "THA", "Thailand", "Kingdom of Thailand", ""},
    {"TJ", "TJK", "Tajikistan", "Republic of Tajikistan", ""},
    {"TK", "TKL", "Tokelau", "", ""},
    {"TL", "TLS", "Timor-Leste", "Democratic Republic of Timor-Leste", ""},
    {"TM", "TKM", "Turkmenistan", "", ""},
    {"TN", "TUN", "Tunisia", "Republic of Tunisia", ""},
    {"TO", "TON", "Tonga", "Kingdom of Tonga", ""},
    {"TR", "TUR", "Türkiye", "Republic of Türkiye", ""},
    {"TT", "TTO", "Trinidad and Tobago", "Republic of Trinidad and Tobago", ""},
    {"TV", "TUV", "Tuvalu", "", ""},
    {"TW", "TWN", "Taiwan, Province of China", "Taiwan", ""},
    {"TZ", "TZA", "Tanzania, United Republic of", "United Republic of Tanzania", "Tanzania"},
    {"UA", "UKR", "Ukraine", "", ""},
    {"UG", "UGA", "Uganda", "Republic of Uganda", ""},
    {"UM", "UMI", "United States Minor Outlying Islands", "", ""},
    {"US", "USA", "United States", "United States of America", ""},
    {"UY", "URY", "Uruguay", "Eastern Republic of Uruguay", ""},
    {"UZ", "UZB", "Uzbekistan", "Republic of Uzbekistan", ""},
    {"VA", "VAT", "Holy See (Vatican City State)", "", ""},
    {"VC", "VCT", "Saint Vincent and the Grenadines", "", ""},
    {"VE", "VEN", "Venezuela, Bolivarian Republic of", "Bolivarian Republic of Venezuela", "Venezuela"},
    {"VG", "VGB", "Virgin Islands, British", "British Virgin Islands", ""},
    {"VI", "VIR", "Virgin Islands, U.S.", "Virgin Islands of the United States", ""},
    {"VN", "VNM", "Viet Nam", "Socialist Republic of Viet Nam", "Vietnam"},
    {"VU", "VUT", "Vanuatu", "Republic of Vanuatu", ""},
    {"WF", "WLF", "Wallis and Futuna", "", ""},
    {"WS", "WSM", "Samoa", "Independent State of Samoa", ""},
    {"YE", "YEM", "Yemen", "Republic of Yemen", ""},
    {"YT", "MYT", "Mayotte", "", ""},
    {"ZA", "ZAF", "South Africa", "Republic of South Africa", ""},
    {"ZM", "ZMB", "Zambia", "Republic of Zambia", ""},
    {"ZW", "ZWE", "Zimbabwe", "Republic of Zimbabwe", ""},
}};

// Spellings found in the OFAC and UN lists (and common English usage) that are not an ISO name.
// Keys are written as plain English; they go through the same folding as the input.
struct Variant {
  std::string_view name;
  std::string_view alpha3;
};
constexpr Variant kVariants[] = {
    {"North Korea", "PRK"}, {"DPRK", "PRK"}, {"Korea DPR", "PRK"}, {"South Korea", "KOR"},
    {"Republic of Korea", "KOR"}, {"Russia", "RUS"}, {"Burma", "MMR"}, {"Iran", "IRN"}, {"Syria", "SYR"},
    {"Vietnam", "VNM"}, {"Laos", "LAO"}, {"Brunei", "BRN"}, {"Micronesia", "FSM"}, {"Moldova", "MDA"},
    {"Bolivia", "BOL"}, {"Venezuela", "VEN"}, {"Tanzania", "TZA"}, {"Turkey", "TUR"}, {"Taiwan", "TWN"},
    {"Palestine", "PSE"}, {"Palestinian", "PSE"}, {"Palestinian Territory", "PSE"},
    {"Palestinian Territories", "PSE"}, {"Occupied Palestinian Territory", "PSE"}, {"West Bank", "PSE"},
    {"Gaza", "PSE"}, {"Gaza Strip", "PSE"}, {"UK", "GBR"}, {"Great Britain", "GBR"}, {"Britain", "GBR"},
    {"USA", "USA"}, {"US", "USA"}, {"U.S.A.", "USA"}, {"America", "USA"}, {"UAE", "ARE"},
    {"Emirates", "ARE"}, {"Macedonia", "MKD"}, {"Former Yugoslav Republic of Macedonia", "MKD"},
    {"Republic of Macedonia", "MKD"}, {"Cape Verde", "CPV"}, {"Ivory Coast", "CIV"}, {"Swaziland", "SWZ"},
    {"East Timor", "TLS"}, {"Vatican", "VAT"}, {"Vatican City", "VAT"}, {"Macau", "MAC"},
    {"China Hong Kong Special Administrative Region", "HKG"},
    {"China Macao Special Administrative Region", "MAC"}, {"Democratic Republic of Congo", "COD"},
    {"DRC", "COD"}, {"DR Congo", "COD"}, {"Congo Kinshasa", "COD"}, {"Congo Brazzaville", "COG"},
    {"Republic of Congo", "COG"}, {"Slovak Republic", "SVK"}, {"Kyrgyz Republic", "KGZ"},
    {"Libyan Arab Jamahiriya", "LBY"}, {"Great Socialist People's Libyan Arab Jamahiriya", "LBY"},
    {"Czech Republic", "CZE"}, {"Holland", "NLD"}, {"Saint Kitts & Nevis", "KNA"},
    {"Saint Vincent", "VCT"}, {"Falkland Islands", "FLK"}, {"Virgin Islands British", "VGB"},
    {"Virgin Islands US", "VIR"}, {"US Virgin Islands", "VIR"}, {"Pitcairn Islands", "PCN"},
    {"Heard and McDonald Islands", "HMD"}, {"Reunion", "REU"}, {"Curacao", "CUW"},
    {"Sint Maarten", "SXM"}, {"Saint Martin", "MAF"}, {"Saint Barthelemy", "BLM"},
    {"Svalbard", "SJM"}, {"Wallis and Futuna Islands", "WLF"}, {"Turks and Caicos", "TCA"},
    {"Bosnia", "BIH"}, {"Bosnia-Herzegovina", "BIH"}, {"Trinidad", "TTO"}, {"Timor", "TLS"},
    {"Sao Tome", "STP"}, {"Guinea Bissau", "GNB"}, {"Equatorial Guinea", "GNQ"}, {"The Gambia", "GMB"},
    {"The Bahamas", "BHS"}, {"The Netherlands", "NLD"}, {"Kingdom of the Netherlands", "NLD"},
    {"Persia", "IRN"}, {"Soviet Russia", "RUS"}, {"Mainland China", "CHN"},
    {"People's Republic of China", "CHN"}, {"PRC", "CHN"}, {"Republic of China", "TWN"},
    {"Chinese Taipei", "TWN"}, {"State of Qatar", "QAT"}, {"Kingdom of Saudi Arabia", "SAU"},
    {"KSA", "SAU"}, {"Turkiye", "TUR"}, {"Republic of Turkey", "TUR"},
};

// Folds a name to its key: ASCII lower case letters and digits, words separated by one space.
// Latin-1 letters lose their accents (Türkiye, Côte d'Ivoire, Curaçao, Réunion); "&" is "and";
// "St." is "saint"; the word "the" and everything else that is not a letter or digit is dropped.
std::string fold(std::string_view in) {
  // U+00C0..U+00FF (UTF-8 C3 80..C3 BF) to a base letter; '*' for the two signs.
  static constexpr std::string_view kLatin1 = "aaaaaaaceeeeiiiidnooooo*ouuuuytsaaaaaaaceeeeiiiidnooooo*ouuuuyty";
  std::string raw;
  raw.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        raw += static_cast<char>(c - 'A' + 'a');
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        raw += static_cast<char>(c);
      } else if (c == '&') {
        raw += " and ";
      } else {
        raw += ' ';
      }
      continue;
    }
    if (c == 0xC3 && i + 1 < in.size()) {
      const auto d = static_cast<unsigned char>(in[i + 1]);
      if (d >= 0x80 && d <= 0xBF) {
        const char base = kLatin1[d - 0x80];
        raw += base == '*' ? ' ' : base;
        ++i;
        continue;
      }
    }
    raw += ' ';  // any other byte of a multi-byte character (’, ‘, ...) separates words
  }
  std::string out;
  out.reserve(raw.size());
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t start = raw.find_first_not_of(' ', pos);
    if (start == std::string::npos) break;
    std::size_t end = raw.find(' ', start);
    if (end == std::string::npos) end = raw.size();
    std::string_view word(raw.data() + start, end - start);
    pos = end;
    if (word == "the") continue;
    if (word == "st") word = "saint";
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

class CountryNames {
 public:
  CountryNames() {
    for (const auto& c : kCountries) {
      for (auto name : {c.name, c.official_name, c.common_name}) {
        if (name.empty()) continue;
        add(name, c.alpha3);
        // "Korea, Republic of" is also written "Republic of Korea".
        if (const auto comma = name.find(','); comma != std::string_view::npos) {
          add(std::string(name.substr(comma + 1)) + " " + std::string(name.substr(0, comma)), c.alpha3);
        }
        // "Bolivia (Plurinational State of)" is also "Bolivia".
        if (const auto paren = name.find('('); paren != std::string_view::npos) add(name.substr(0, paren), c.alpha3);
      }
    }
    for (const auto& v : kVariants) add(v.name, v.alpha3);
  }

  std::optional<std::string_view> find(std::string_view name) const {
    auto it = by_key_.find(fold(name));
    if (it == by_key_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void add(std::string_view name, std::string_view alpha3) {
    // The first entry wins: ISO names come before variants.
    by_key_.emplace(fold(name), alpha3);
  }

  std::unordered_map<std::string, std::string_view> by_key_;
};

const CountryNames& names() {
  static const CountryNames instance;  // thread-safe initialisation; read-only afterwards
  return instance;
}

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n.;,");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n.;,");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::optional<std::string_view> country_alpha3_of(std::string_view any) {
  any = trim(any);
  if (any.empty() || any.size() > 200) return std::nullopt;
  // Codes only in upper case: a lower-case "na" in a source means "not available", not Namibia.
  if (any.size() == 3 && is_country_alpha3(any)) {
    for (const auto& c : kCountries) {
      if (c.alpha3 == any) return c.alpha3;
    }
  }
  if (any.size() == 2 && is_country_alpha2(any)) {
    for (const auto& c : kCountries) {
      if (c.alpha2 == any) return c.alpha3;
    }
  }
  const CountryNames& table = names();
  if (auto hit = table.find(any)) return hit;
  // "Korea, North", "Congo, Democratic Republic of the", "Man, Isle of": the part after the
  // comma goes first.
  if (const auto comma = any.find(','); comma != std::string_view::npos && any.find(',', comma + 1) == std::string_view::npos) {
    if (auto hit = table.find(std::string(any.substr(comma + 1)) + " " + std::string(any.substr(0, comma)))) return hit;
  }
  // "Iran (Islamic Republic of)" is matched whole above (as "Iran, Islamic Republic of"); other
  // parenthesised qualifiers are dropped.
  if (const auto paren = any.find('('); paren != std::string_view::npos && paren > 0) {
    if (auto hit = table.find(any.substr(0, paren))) return hit;
  }
  // OFAC add.csv writes a few places as "Region: Gaza".
  if (any.size() > 7 && fold(any.substr(0, 7)) == "region") return table.find(any.substr(7));
  return std::nullopt;
}

}  // namespace crosscheck::schemas::ids
