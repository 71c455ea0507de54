#include "synthetic_watchlist.h"

#include <array>
#include <cstdio>
#include <span>

namespace crosscheck::loadtest {
namespace {

struct Culture {
  std::span<const std::string_view> given;
  std::span<const std::string_view> family;
  std::span<const std::string_view> syllables;  // composed into rarer family names
  std::span<const std::string_view> suffixes;
  std::string_view nationality;
};

constexpr std::string_view kEnGiven[] = {"John", "Michael", "David", "James", "Robert", "William", "Richard",
                                         "Thomas", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth",
                                         "Susan", "Sarah", "Karen", "Daniel", "Paul", "Mark", "Emma"};
constexpr std::string_view kEnFamily[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis",
                                          "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Clark"};
constexpr std::string_view kEnSyl[] = {"ash", "brook", "wood", "ham", "ley", "mer", "ton", "field", "ford",
                                       "wick", "stan", "hart", "well", "more", "dale", "win"};
constexpr std::string_view kEnSuf[] = {"son", "ton", "ley", "er", "s", ""};

constexpr std::string_view kEsGiven[] = {"Jose", "Juan", "Carlos", "Luis", "Miguel", "Jorge", "Pedro",
                                         "Maria", "Ana", "Carmen", "Lucia", "Sofia", "Isabel", "Diego",
                                         "Alejandro", "Fernando"};
constexpr std::string_view kEsFamily[] = {"Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez",
                                          "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres", "Flores",
                                          "Rivera", "Gomez", "Diaz"};
constexpr std::string_view kEsSyl[] = {"bar", "ca", "do", "gal", "mon", "ne", "ri", "sal", "te", "va", "zar",
                                       "lo", "mi", "ra", "que", "cer"};
constexpr std::string_view kEsSuf[] = {"ez", "es", "ero", "illo", "ado", "a"};

constexpr std::string_view kArGiven[] = {"Mohammed", "Ahmed", "Ali", "Hassan", "Hussein", "Omar", "Khalid",
                                         "Abdullah", "Yusuf", "Ibrahim", "Mustafa", "Fatima", "Aisha",
                                         "Mariam", "Tariq", "Samir"};
constexpr std::string_view kArFamily[] = {"Al-Rashid", "Haddad", "Mansour", "Nasser", "Saleh", "Farouk",
                                          "Darwish", "Khalil", "Qureshi", "Hamdan", "Al-Tamimi", "Abbas"};
constexpr std::string_view kArSyl[] = {"ham", "dan", "sha", "rif", "ka", "zim", "ja", "bar", "nu", "ri",
                                       "sal", "ma", "ta", "qa", "far", "zu"};
constexpr std::string_view kArSuf[] = {"i", "awi", "ani", "an", "", "ah"};

constexpr std::string_view kRuGiven[] = {"Ivan", "Sergey", "Alexander", "Dmitry", "Andrey", "Vladimir",
                                         "Nikolai", "Mikhail", "Olga", "Elena", "Tatiana", "Natalia",
                                         "Irina", "Yuri", "Pavel", "Oleg"};
constexpr std::string_view kRuFamily[] = {"Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov",
                                          "Lebedev", "Kozlov", "Novikov", "Morozov", "Petrov", "Orlov"};
constexpr std::string_view kRuSyl[] = {"bor", "gra", "kov", "lev", "mir", "nov", "pol", "rus", "sto", "tur",
                                       "vel", "zha", "dro", "kra", "shu", "ya"};
constexpr std::string_view kRuSuf[] = {"ov", "ev", "in", "sky", "enko", "ikov"};

constexpr std::string_view kZhGiven[] = {"Wei", "Fang", "Lei", "Jun", "Ming", "Hui", "Jing", "Yong", "Li",
                                         "Qiang", "Xiu", "Hong", "Tao", "Bo", "Lin", "Ping"};
constexpr std::string_view kZhFamily[] = {"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao",
                                          "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu"};
constexpr std::string_view kZhSyl[] = {"xiao", "jian", "hua", "guo", "zhen", "qing", "yu", "dong", "ping",
                                       "chun", "feng", "hai", "shan", "kai", "rong", "bin"};
constexpr std::string_view kZhSuf[] = {""};

constexpr std::string_view kAfGiven[] = {"Chinedu", "Emeka", "Oluwaseun", "Ngozi", "Amina", "Kwame",
                                         "Kofi", "Abena", "Ifeoma", "Tunde", "Chidi", "Yaw", "Adaeze",
                                         "Musa", "Ibrahim", "Aminata"};
constexpr std::string_view kAfFamily[] = {"Okafor", "Adeyemi", "Okonkwo", "Mensah", "Boateng", "Diallo",
                                          "Traore", "Abubakar", "Eze", "Nwosu", "Balogun", "Owusu"};
constexpr std::string_view kAfSyl[] = {"ade", "bo", "chi", "du", "eke", "fo", "gba", "ko", "lu", "mba",
                                       "nwa", "olu", "tun", "wa", "ye", "zi"};
constexpr std::string_view kAfSuf[] = {"mi", "ye", "la", "ke", "nu", "si"};

constexpr std::string_view kInGiven[] = {"Rajesh", "Amit", "Suresh", "Priya", "Anjali", "Rahul", "Vikram",
                                         "Sunita", "Deepak", "Arjun", "Kavita", "Sanjay", "Pooja", "Ravi",
                                         "Neha", "Anil"};
constexpr std::string_view kInFamily[] = {"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Khan", "Reddy",
                                          "Iyer", "Nair", "Joshi", "Mehta", "Rao"};
constexpr std::string_view kInSyl[] = {"ban", "cha", "dev", "gan", "jee", "kar", "man", "nar", "pra", "ram",
                                       "sha", "thi", "van", "war", "ya", "kri"};
constexpr std::string_view kInSuf[] = {"an", "ar", "ia", "wal", "dar", "i"};

constexpr std::string_view kDeGiven[] = {"Hans", "Klaus", "Jurgen", "Stefan", "Andreas", "Wolfgang", "Pierre",
                                         "Jean", "Francois", "Michel", "Anna", "Ursula", "Monika", "Claire",
                                         "Sophie", "Marie"};
constexpr std::string_view kDeFamily[] = {"Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
                                          "Wagner", "Becker", "Dubois", "Martin", "Bernard", "Lefebvre"};
constexpr std::string_view kDeSyl[] = {"berg", "bach", "brun", "feld", "hof", "kirch", "lin", "mont", "rein",
                                       "stein", "wald", "tal", "ville", "roche", "mar", "haus"};
constexpr std::string_view kDeSuf[] = {"er", "mann", "el", "in", "ot", ""};

constexpr std::string_view kOrgWords[] = {
    "Global", "Trading", "International", "Holdings", "Energy", "Shipping", "Logistics", "Capital", "Group",
    "Industrial", "Petroleum", "Maritime", "Investment", "Development", "Technology", "Resources", "Export",
    "Import", "General", "United", "Eastern", "Western", "Northern", "Southern", "Golden", "Silver", "Star",
    "Ocean", "Pacific", "Atlantic", "Sun", "Crescent", "Falcon", "Eagle", "Phoenix", "Dragon", "Lotus",
    "Cedar", "Delta", "Alpha", "Omega", "Prime", "Royal", "National", "Commercial", "Finance", "Construction",
    "Engineering", "Mining", "Metals", "Chemicals", "Pharma", "Textiles", "Agro", "Foods", "Marine", "Air",
    "Transport", "Security", "Systems", "Networks", "Solutions", "Ventures", "Partners", "Services"};
constexpr std::string_view kLegalForms[] = {"LLC", "Ltd", "Limited", "Co", "Corp", "Inc", "SA", "GmbH",
                                            "FZE", "JSC", "PLC", "SRL", "LLP", "AG", "BV"};
constexpr std::string_view kOrgCountries[] = {"ARE", "CYP", "PAN", "HKG", "IRN", "RUS", "CHN", "TUR", "LBN",
                                              "SYR", "VEN", "PRK", "MYS", "SGP", "GBR", "USA", "DEU", "NGA"};

const std::array<Culture, 8>& cultures() {
  static const std::array<Culture, 8> c = {{
      {kEnGiven, kEnFamily, kEnSyl, kEnSuf, "GBR"},
      {kEsGiven, kEsFamily, kEsSyl, kEsSuf, "MEX"},
      {kArGiven, kArFamily, kArSyl, kArSuf, "SYR"},
      {kRuGiven, kRuFamily, kRuSyl, kRuSuf, "RUS"},
      {kZhGiven, kZhFamily, kZhSyl, kZhSuf, "CHN"},
      {kAfGiven, kAfFamily, kAfSyl, kAfSuf, "NGA"},
      {kInGiven, kInFamily, kInSyl, kInSuf, "IND"},
      {kDeGiven, kDeFamily, kDeSyl, kDeSuf, "DEU"},
  }};
  return c;
}

template <typename T>
const T& pick(std::span<const T> s, std::mt19937_64& rng) {
  return s[rng() % s.size()];
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string family_name(const Culture& c, std::mt19937_64& rng) {
  // A quarter from the pool of very common family names, the rest composed: real lists have a
  // long tail of rare family names. Two to four syllables (about 2.5 million spellings per
  // culture), so that a list of a million entries does not hold every family name a query can
  // draw: real family names are far more numerous than any list.
  if (rng() % 4 == 0) return std::string(pick(c.family, rng));
  std::string f;
  const int syllables = 2 + static_cast<int>(rng() % 3);
  for (int i = 0; i < syllables; ++i) f += pick(c.syllables, rng);
  f += pick(c.suffixes, rng);
  return capitalised(f);
}

std::string given_name(const Culture& c, std::mt19937_64& rng) {
  // Most given names from the short pool of common ones, one in five composed (the long tail).
  if (rng() % 5 != 0) return std::string(pick(c.given, rng));
  std::string g;
  for (int i = 0; i < 2; ++i) g += pick(c.syllables, rng);
  g += pick(c.suffixes, rng);
  return capitalised(g);
}

std::string person_name(const Culture& c, std::mt19937_64& rng) {
  std::string n = given_name(c, rng);
  if (rng() % 10 < 4) {
    n += ' ';
    n += rng() % 2 ? given_name(c, rng) : family_name(c, rng);
  }
  n += ' ';
  n += family_name(c, rng);
  return n;
}

std::string org_name(std::mt19937_64& rng) {
  std::string n;
  const int words = 1 + static_cast<int>(rng() % 3);
  // One invented word makes most organisation names distinctive, as real ones are.
  if (rng() % 4 != 0) {
    const Culture& c = cultures()[rng() % cultures().size()];
    std::string w;
    for (int i = 0; i < 2; ++i) w += pick(c.syllables, rng);
    n = capitalised(w);
  }
  for (int i = 0; i < words; ++i) {
    if (!n.empty()) n += ' ';
    n += pick(std::span<const std::string_view>(kOrgWords), rng);
  }
  n += ' ';
  n += pick(std::span<const std::string_view>(kLegalForms), rng);
  return n;
}

}  // namespace

std::string synthetic_name(std::mt19937_64& rng, bool organization) {
  if (organization) return org_name(rng);
  return person_name(cultures()[rng() % cultures().size()], rng);
}

std::string vary_name(std::string_view name, std::mt19937_64& rng) {
  std::vector<std::string> tokens;
  std::string cur;
  for (char ch : name) {
    if (ch == ' ') {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(ch);
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  if (tokens.empty()) return std::string(name);
  switch (rng() % 4) {
    case 0: {  // one typo: substitution, deletion, insertion or transposition in one token
      std::string& t = tokens[rng() % tokens.size()];
      if (t.size() < 4) break;
      const std::size_t p = 1 + rng() % (t.size() - 2);
      switch (rng() % 4) {
        case 0: t[p] = static_cast<char>('a' + rng() % 26); break;
        case 1: t.erase(p, 1); break;
        case 2: t.insert(t.begin() + static_cast<std::ptrdiff_t>(p), static_cast<char>('a' + rng() % 26)); break;
        default: std::swap(t[p], t[p - 1]); break;
      }
      break;
    }
    case 1:  // swapped order
      if (tokens.size() >= 2) std::swap(tokens.front(), tokens.back());
      break;
    case 2:  // dropped middle token
      if (tokens.size() >= 3) tokens.erase(tokens.begin() + 1);
      break;
    default: break;
  }
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

rules::Watchlist synthetic_watchlist(const SyntheticOptions& options) {
  std::mt19937_64 rng(options.seed);
  rules::Watchlist list;
  list.list_id = "synthetic-" + std::to_string(options.entries);
  list.name = "synthetic list";
  list.source = "loadtest/synthetic_watchlist.cpp";
  list.version = 1;
  list.entries.reserve(options.entries);
  const auto org_cut = static_cast<std::uint64_t>(options.organization_share * 1000);
  for (std::size_t i = 0; i < options.entries; ++i) {
    rules::WatchlistEntry e;
    e.id = "s" + std::to_string(i);
    if (rng() % 1000 < org_cut) {
      e.type = rules::EntityType::kOrganization;
      e.names.push_back(org_name(rng));
      e.names.push_back(vary_name(e.names[0], rng));
      e.countries.emplace_back(kOrgCountries[rng() % std::size(kOrgCountries)]);
    } else {
      const Culture& c = cultures()[rng() % cultures().size()];
      e.type = rules::EntityType::kPerson;
      e.names.push_back(person_name(c, rng));
      // The alias: a spelling variant of the primary name, or another name of the same culture.
      e.names.push_back(rng() % 2 ? vary_name(e.names[0], rng) : person_name(c, rng));
      char dob[16];
      std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", 1940 + static_cast<int>(rng() % 65),
                    1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28));
      e.dates_of_birth.emplace_back(dob);
      e.nationalities.emplace_back(c.nationality);
      e.gender = rng() % 2 ? "male" : "female";
    }
    list.entries.push_back(std::move(e));
  }
  return list;
}

}  // namespace crosscheck::loadtest
