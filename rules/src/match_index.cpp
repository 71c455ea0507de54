// The matcher: retrieval keys built from the listed names, token-by-token scoring, corroboration
// and explanations. The design and its constants are described in docs/matching.md.
#include "crosscheck/rules/match_index.h"

#if CROSSCHECK_MATCH_PHASES && (defined(__x86_64__) || defined(__i386__))
#include <x86intrin.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include <sys/mman.h>

#include "crosscheck/rules/name_similarity.h"
#include "crosscheck/rules/name_tokens.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/schemas/identifiers.h"
#include "candidate_cap.h"

namespace crosscheck::rules {

// ---- small public helpers -----------------------------------------------------------------------

static_assert(static_cast<std::size_t>(MatchPhase::kExplanations) + 1 ==
                  std::tuple_size_v<decltype(MatchStats::phase_cycles)>,
              "one MatchStats::phase_cycles slot per MatchPhase");

std::string_view to_string(MatchPhase phase) {
  switch (phase) {
    case MatchPhase::kIdentifiers: return "identifiers";
    case MatchPhase::kQueryTokens: return "query_tokens";
    case MatchPhase::kRetrieval: return "retrieval";
    case MatchPhase::kPreparation: return "preparation";
    case MatchPhase::kSummaryCheck: return "summary_check";
    case MatchPhase::kPreBound: return "pre_bound";
    case MatchPhase::kExactBounds: return "exact_bounds";
    case MatchPhase::kScoring: return "scoring";
    case MatchPhase::kThresholds: return "thresholds";
    case MatchPhase::kExplanations: return "explanations";
  }
  return "unknown";
}

std::string_view to_string(MatchKind kind) {
  switch (kind) {
    case MatchKind::kName: return "name";
    case MatchKind::kDocument: return "document_number";
    case MatchKind::kIban: return "iban";
    case MatchKind::kImo: return "imo";
    case MatchKind::kBic: return "bic";
    case MatchKind::kCryptoAddress: return "crypto_address";
  }
  return "unknown";
}

std::optional<QueryType> query_type_from_string(std::string_view name) {
  std::string lower;
  lower.reserve(name.size());
  for (char c : name) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  if (lower == "person" || lower == "individual") return QueryType::kPerson;
  if (lower == "company" || lower == "organization" || lower == "organisation" || lower == "legalentity" ||
      lower == "legal_entity") {
    return QueryType::kOrganization;
  }
  if (lower == "vessel") return QueryType::kVessel;
  if (lower == "aircraft") return QueryType::kAircraft;
  if (lower == "any") return QueryType::kAny;
  if (lower == "party") return QueryType::kParty;
  return std::nullopt;
}

namespace {

std::string format_score(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}
std::string format_signed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", v);
  return buf;
}

}  // namespace

std::string MatchExplanation::summary() const {
  std::string s = query_name.empty() ? std::string("(no name)") : query_name;
  s += " ~ ";
  s += listed_name.empty() ? std::string("(no name)") : listed_name;
  if (alias) s += " (alias)";
  s += ' ';
  s += format_score(score);
  s += ':';
  bool first = true;
  for (const auto& f : features) {
    s += first ? " " : "; ";
    first = false;
    s += f.feature;
    s += ' ';
    s += f.feature == "name" ? format_score(f.contribution) : format_signed(f.contribution);
    if (f.feature == "name" && !tokens.empty()) {
      s += " (";
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (i) s += ", ";
        s += tokens[i].query_token.empty() ? "-" : tokens[i].query_token;
        s += '=';
        s += tokens[i].listed_token.empty() ? "-" : tokens[i].listed_token;
        s += ' ';
        s += tokens[i].how;
      }
      s += ')';
    } else if (!f.detail.empty()) {
      s += " (" + f.detail + ")";
    }
  }
  s += "; list ";
  s += list_id.empty() ? std::string("?") : list_id;
  s += " v" + std::to_string(list_version);
  return s;
}

namespace {

// ---- tuning constants (docs/matching.md explains each) -------------------------------------------

constexpr std::size_t kMaxQueryTokens = 12;    // strong + initial tokens scored per query name
constexpr std::size_t kMaxListedTokens = 16;   // tokens scored per listed name
constexpr std::size_t kMaxNameBytes = 1024;    // longer query names are cut (garbage guard)
constexpr std::uint32_t kCommonDf = 48;        // a phonetic group in more names is "common"
constexpr std::size_t kMaxVariants = 48;       // dictionary variants kept per query token
constexpr std::size_t kMaxPostingsRead = 60000;  // retrieval work cap per query
constexpr std::size_t kMaxCandidates = 600;    // names fully scored per query
constexpr std::size_t kRunsAhead = 8;          // candidates' runs fetched ahead of the quick bound
constexpr double kUnmatchedQueryPenalty = 0.3;   // weight factor of a query token left unmatched
constexpr double kUnmatchedListedPenalty = 0.3;  // ... of a listed token left unmatched
constexpr double kUnmatchedMiddlePenalty = 0.15;  // ... of a middle token (neither first nor last)
constexpr double kOrderPenalty = 0.04;
constexpr double kWeakAliasPenalty = 0.08;
constexpr double kShortNameBase = 0.03;
constexpr double kShortNameCommon = 0.30;
// Names made only of common tokens ("Mohammed Ahmed") are weak evidence even when every token
// matches: below this much matched rarity weight (times similarity), the score drops in proportion.
constexpr double kMinEvidence = 1.2;
constexpr double kCommonNamePenalty = 0.25;
constexpr double kCorroborationFloor = 0.6;  // corroboration applies only above this name score
constexpr double kMaxCorroborationGain = 0.10;
constexpr double kMaxNameBasedScore = 0.99;  // 1.0 is reserved for identifier equality
// The candidate bound follows score_tokens term by term, with the same token similarities; the
// slack only absorbs rounding (float similarities, the order in which sums are taken).
constexpr double kBoundSlack = 0.01;

// ---- memory for the large arrays ----------------------------------------------------------------

// At a million entries the index holds hundreds of MB read at random (a summary, token records,
// posting lists and dictionary slots per candidate): with 4 KiB pages nearly every such read also
// misses the TLB, and a page walk (two-dimensional under a hypervisor) costs more cache misses.
// Arrays of 1 MiB or more are therefore mapped on 2 MiB boundaries and marked for transparent
// huge pages (MADV_HUGEPAGE; a no-op where the kernel has them off). Contents are unchanged.
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kHugeMin = std::size_t{1} << 20;

inline std::size_t huge_len(std::size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

template <typename T>
struct HugeAlloc {
  using value_type = T;
  HugeAlloc() = default;
  template <typename U>
  HugeAlloc(const HugeAlloc<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeMin) return static_cast<T*>(::operator new(bytes));
    const std::size_t len = huge_len(bytes);
    void* p = mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t aligned = (a + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > a) munmap(p, aligned - a);
    if (const std::uintptr_t tail = a + len + kHugePage - (aligned + len); tail > 0) {
      munmap(reinterpret_cast<void*>(aligned + len), tail);
    }
    madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);
    return reinterpret_cast<T*>(aligned);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeMin) {
      ::operator delete(p);
    } else {
      munmap(p, huge_len(bytes));
    }
  }
  template <typename U>
  bool operator==(const HugeAlloc<U>&) const noexcept {
    return true;
  }
};
template <typename T>
using BigVec = std::vector<T, HugeAlloc<T>>;
using BigString = std::basic_string<char, std::char_traits<char>, HugeAlloc<char>>;

// ---- hashing and a flat read-only multimap ------------------------------------------------------

inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// The slot of a small id (a token, group, form or name id) in a per-query table of `size` slots
// (a power of two, at least 2): Fibonacci hashing, the top bits of one multiplication, which
// spread consecutive ids evenly in about a third of mix64's latency. These tables are probed on
// every candidate's every token, where that latency is on the critical path.
inline std::size_t id_slot(std::uint64_t id, std::size_t size) {
  return static_cast<std::size_t>((id * 0x9e3779b97f4a7c15ULL) >> (64 - std::countr_zero(size)));
}

// FNV-1a over the bytes, then mix64: hash_str(s, seed) is mix64 of fnv_bytes(fnv_start(seed), s),
// so the hash of a string is also the continuation of the hash of its prefix.
constexpr std::uint64_t fnv_start(std::uint64_t seed) { return 1469598103934665603ULL ^ seed; }
inline std::uint64_t fnv_byte(std::uint64_t h, unsigned char c) { return (h ^ c) * 1099511628211ULL; }
inline std::uint64_t fnv_bytes(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = fnv_byte(h, c);
  return h;
}

inline std::uint64_t hash_str(std::string_view s, std::uint64_t seed) { return mix64(fnv_bytes(fnv_start(seed), s)); }

// Seeds keep the key spaces of the different maps apart.
constexpr std::uint64_t kSeedToken = 1, kSeedPhonetic = 2, kSeedDelete = 3, kSeedNick = 4, kSeedDoc = 5,
                        kSeedIban = 6, kSeedBic = 7, kSeedImo = 8, kSeedCrypto = 9;

// uint64 key -> run of uint32 values; built once from (key, value) pairs, then read-only.
class FlatMultiMap {
 public:
  enum class Values { kApart, kInlineSingles };
  // `with_filter`: also keep a key filter (may_contain), for a map most look-ups miss.
  // `values`: kInlineSingles keeps a key's value in its slot when it has one (most keys of the
  // token, group, deletion and nickname maps), so a look-up is one read at random instead of two;
  // such a map has no values() to index by.
  void build(std::vector<std::pair<std::uint64_t, std::uint32_t>>& kv, bool with_filter = false,
             Values values = Values::kApart) {
    inline_singles_ = values == Values::kInlineSingles;
    std::sort(kv.begin(), kv.end());
    kv.erase(std::unique(kv.begin(), kv.end()), kv.end());
    std::size_t keys = 0;
    for (std::size_t i = 0; i < kv.size(); ++i) keys += (i == 0 || kv[i].first != kv[i - 1].first);
    std::size_t cap = 16;
    while (cap < keys * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    filter_.clear();
    if (with_filter) {
      // 16 to 32 bits per key (a power of two of words), two of them set per key in one word:
      // 1.1 % false positives on the matching benchmark's look-ups, in a sixteenth of the slots' memory
      // or less (they take 256 to 512 bits per key).
      std::size_t words = 1;
      while (words * 64 < keys * 16) words <<= 1;
      filter_.assign(words, 0);
      filter_mask_ = words - 1;
      for (std::size_t i = 0; i < kv.size(); ++i) {
        if (i == 0 || kv[i].first != kv[i - 1].first) {
          const std::uint64_t h = mix64(kv[i].first);
          filter_[filter_word(h)] |= filter_bits(h);
        }
      }
    }
    values_.resize(inline_singles_ ? kv.size() - keys_with_one(kv) : kv.size());
    std::size_t apart = 0;  // values_ in use
    for (std::size_t i = 0; i < kv.size();) {
      std::size_t j = i;
      while (j < kv.size() && kv[j].first == kv[i].first) ++j;
      std::uint32_t begin = kv[i].second;  // the value itself, kept in the slot
      if (!inline_singles_ || j - i > 1) {
        begin = static_cast<std::uint32_t>(apart);
        for (std::size_t k = i; k < j; ++k) values_[apart++] = kv[k].second;
      }
      std::size_t pos = mix64(kv[i].first) & mask_;
      while (slots_[pos].count != 0) pos = (pos + 1) & mask_;
      slots_[pos] = Slot{kv[i].first, begin, static_cast<std::uint32_t>(j - i)};
      i = j;
    }
    std::vector<std::pair<std::uint64_t, std::uint32_t>>().swap(kv);
  }
  std::span<const std::uint32_t> find(std::uint64_t key) const {
    if (slots_.empty()) return {};
    std::size_t pos = mix64(key) & mask_;
    while (slots_[pos].count != 0) {
      if (slots_[pos].key == key) {
        const Slot& slot = slots_[pos];
        if (inline_singles_ && slot.count == 1) return {&slot.begin, 1};
        return {values_.data() + slot.begin, slot.count};
      }
      pos = (pos + 1) & mask_;
    }
    return {};
  }
  // Fetches the slot find(key) starts at, ahead of the look-up.
  void prefetch(std::uint64_t key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[mix64(key) & mask_]);
  }
  // With a filter (build's with_filter): false when find(key) is certainly empty, true when it may
  // not be. The filter is small enough to stay in the last-level cache, so a look-up that misses
  // costs no read of the slots (a cache miss each, at a million entries). Without one: true.
  bool may_contain(std::uint64_t key) const {
    if (filter_.empty()) return true;
    const std::uint64_t h = mix64(key);
    const std::uint64_t bits = filter_bits(h);
    return (filter_[filter_word(h)] & bits) == bits;
  }
  // Fetches the filter word may_contain(key) reads.
  void prefetch_filter(std::uint64_t key) const {
    if (!filter_.empty()) __builtin_prefetch(&filter_[filter_word(mix64(key))]);
  }
  // Every value of every key, in the order find() hands them out: values()[k] is find(key)[i] for
  // k = find(key).data() + i - values().data().
  // Not for a map with inline singles, whose spans point into its slots.
  std::span<const std::uint32_t> values() const {
    if (inline_singles_) {
      std::fprintf(stderr, "match_index: values() of a map that keeps single values in its slots\n");
      std::abort();
    }
    return values_;
  }
  std::size_t memory_bytes() const {
    return slots_.capacity() * sizeof(Slot) + values_.capacity() * sizeof(std::uint32_t) +
           filter_.capacity() * sizeof(std::uint64_t);
  }

 private:
  // The slot index uses the hash's low bits; the filter its high half for the word and two 6-bit
  // fields below it for the bits.
  std::size_t filter_word(std::uint64_t h) const { return static_cast<std::size_t>(h >> 32) & filter_mask_; }
  static std::uint64_t filter_bits(std::uint64_t h) {
    return (std::uint64_t{1} << ((h >> 20) & 63)) | (std::uint64_t{1} << ((h >> 26) & 63));
  }
  static std::size_t keys_with_one(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& kv) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < kv.size(); ++i) {
      n += (i == 0 || kv[i].first != kv[i - 1].first) && (i + 1 == kv.size() || kv[i + 1].first != kv[i].first);
    }
    return n;
  }
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t begin = 0;  // into values_; the value itself for a single with inline_singles_
    std::uint32_t count = 0;  // 0: empty
  };
  bool inline_singles_ = false;
  BigVec<Slot> slots_;
  BigVec<std::uint32_t> values_;
  std::size_t mask_ = 0;
  BigVec<std::uint64_t> filter_;  // empty: no filter
  std::size_t filter_mask_ = 0;
};

// ---- dates of birth -----------------------------------------------------------------------------

struct DateSpec {
  int y_lo = 0, y_hi = 0;  // inclusive year range; equal for a single year
  int month = 0, day = 0;  // 0 = not given
  bool approx = false;
};

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::optional<DateSpec> parse_date_spec(std::string_view s) {
  DateSpec d;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '~') {
    d.approx = true;
    s.remove_prefix(1);
  }
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    if (s.size() != 9 || slash != 4) return std::nullopt;
    if (!parse_int(s.substr(0, 4), d.y_lo) || !parse_int(s.substr(5, 4), d.y_hi) || d.y_hi < d.y_lo) {
      return std::nullopt;
    }
    return d;
  }
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return std::nullopt;
  if (!parse_int(s.substr(0, 4), d.y_lo)) return std::nullopt;
  d.y_hi = d.y_lo;
  if (s.size() >= 7) {
    if (s[4] != '-' || !parse_int(s.substr(5, 2), d.month) || d.month < 1 || d.month > 12) return std::nullopt;
  }
  if (s.size() == 10) {
    if (s[7] != '-' || !parse_int(s.substr(8, 2), d.day) || d.day < 1 || d.day > 31) return std::nullopt;
  }
  if (d.y_lo < 1000) return std::nullopt;
  return d;
}

// Contribution of a query date against one listed date, with a short reason.
std::pair<double, const char*> compare_dates(const DateSpec& q, const DateSpec& l) {
  const int qy = q.y_lo;
  if (l.y_lo != l.y_hi) {
    if (qy >= l.y_lo && qy <= l.y_hi) return {0.02, "within the listed range"};
    int dist = qy < l.y_lo ? l.y_lo - qy : qy - l.y_hi;
    if (dist <= 1) return {0.0, "one year outside the listed range"};
    return {-0.10, "outside the listed range"};
  }
  const int diff = std::abs(qy - l.y_lo);
  if (l.approx || q.approx) {
    if (diff <= 1) return {0.02, "approximately the listed year"};
    if (diff <= 3) return {0.0, "a few years from the approximate listed year"};
    return {-0.10, "far from the approximate listed year"};
  }
  if (diff == 1) return {-0.05, "one year apart"};
  if (diff > 1) return {-0.12, "different year"};
  if (q.month == 0 || l.month == 0) return {0.03, "same year"};
  if (q.month != l.month) {
    if (q.day != 0 && l.day != 0 && q.month == l.day && q.day == l.month) return {0.02, "day and month swapped"};
    return {-0.05, "same year, different month"};
  }
  if (q.day == 0 || l.day == 0) return {0.04, "same year and month"};
  if (q.day != l.day) return {-0.03, "same month, different day"};
  return {0.06, "same date"};
}

// ---- built-in weights for names without list statistics ----------------------------------------

// Very common given names, family names and particles across the cultures the lists cover. They
// weigh less than other tokens even when a list is too small to show it.
constexpr std::array<std::string_view, 112> kCommonTokens = {
    "mohammed", "muhammad", "mohamed", "mohammad", "ahmed", "ahmad", "ali", "hassan", "hasan", "hussein",
    "husain", "abdul", "abdel", "abd", "abdullah", "abdallah", "omar", "umar", "ibrahim", "yusuf", "mahmoud",
    "mustafa", "khalid", "said", "saleh", "salem", "karim", "rahman", "aziz", "kim", "lee", "li", "wang",
    "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo",
    "lin", "wei", "park", "choi", "jung", "kang", "nguyen", "tran", "le", "pham", "singh", "kumar", "khan",
    "shah", "garcia", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "perez", "sanchez",
    "smith", "johnson", "williams", "brown", "jones", "miller", "davis", "wilson", "john", "maria", "jose",
    "juan", "david", "michael", "james", "robert", "mary", "ivanov", "ivan", "sergey", "alexander",
    "vladimir", "andrey", "dmitry", "olga", "elena", "ana", "carlos", "luis", "antonio", "peter", "paul",
    "george", "thomas", "daniel", "joseph", "richard", "charles", "william", "anna", "fatima"};
constexpr std::array<std::string_view, 20> kParticles = {"al", "el", "bin", "ibn", "bint", "ben", "abu", "um",
                                                         "de", "da", "del", "la", "dos", "das", "van",
                                                         "der", "von", "di", "du", "mac"};

double builtin_weight(std::string_view token) {
  // One hash look-up instead of scanning 132 strings (this runs for every query token).
  static const std::unordered_map<std::string_view, double> weights = [] {
    std::unordered_map<std::string_view, double> m;
    for (std::string_view t : kCommonTokens) m.emplace(t, 0.4);
    for (std::string_view t : kParticles) m[t] = 0.2;
    return m;
  }();
  if (token.size() > 9) return 1.0;  // no built-in token is longer
  const auto it = weights.find(token);
  return it == weights.end() ? 1.0 : it->second;
}

// Weight from list statistics: 1 for a phonetic group in at most one name per thousand, falling
// log-linearly to 0.3 at one name in twenty. Groups in fewer than five names keep weight 1.
double stats_weight(std::uint32_t group_df, std::size_t names) {
  if (group_df < 5 || names == 0) return 1.0;
  const double f = static_cast<double>(group_df) / static_cast<double>(names);
  if (f <= 0.001) return 1.0;
  const double w = 1.0 - 0.7 * std::log(f / 0.001) / std::log(50.0);
  return std::clamp(w, 0.3, 1.0);
}

// ---- the scorer shared by score_names and the index ---------------------------------------------

struct ScoreToken {
  std::string_view text;
  TokenClass cls = TokenClass::kNormal;
  double weight = 1;
  std::uint32_t tid = UINT32_MAX;  // listed side: dictionary id, when scoring through the index
  std::uint32_t pk = 0;            // ... and its phonetic group
};

struct NameScore {
  double score = 0;        // after order, short-name and weak-alias adjustments
  double base = 0;         // the weighted coverage score
  double order_penalty = 0;
  double short_penalty = 0;
  double weak_alias_penalty = 0;
  double common_penalty = 0;
  std::size_t strong_matched = 0;
};

// Trivially default-constructible (no member initialisers, no string_view), so the scorer's pair
// array is not zero-filled on every call.
struct Pair {
  std::uint8_t qi, lj;
  float sim;
  const char* how;
  std::uint32_t how_len;
};

// The pairs score_tokens chose, in the order it chose them, so a hit's explanation is written
// from the scoring it already did instead of scoring its name again.
struct ChosenPairs {
  std::array<Pair, kMaxQueryTokens> pairs;
  std::size_t n = 0;
};

// One TokenMatch per strong or initial query token (matched or not), in query order, then one
// per listed token left unmatched.
void explain_tokens(std::span<const ScoreToken> q, std::span<const ScoreToken> l, const ChosenPairs& chosen,
                    std::vector<TokenMatch>& explain) {
  explain.clear();
  explain.reserve(std::min(q.size(), kMaxQueryTokens) + std::min(l.size(), kMaxListedTokens));
  std::array<Pair, kMaxQueryTokens> by_q = chosen.pairs;
  const std::size_t nc = chosen.n;
  std::uint32_t l_used = 0;
  for (std::size_t k = 0; k < nc; ++k) l_used |= 1U << by_q[k].lj;
  // By query token (each is in one pair at most), with an insertion sort: a few pairs, and
  // std::sort's heap fallback is what GCC 12 at -O3 wrongly reports as reading past the array.
  for (std::size_t a = 1; a < nc; ++a) {
    const Pair v = by_q[a];
    std::size_t b = a;
    for (; b > 0 && by_q[b - 1].qi > v.qi; --b) by_q[b] = by_q[b - 1];
    by_q[b] = v;
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < q.size() && i < kMaxQueryTokens; ++i) {
    if (q[i].cls == TokenClass::kWeak) continue;
    if (k < nc && by_q[k].qi == i) {
      const Pair& p = by_q[k++];
      explain.push_back(TokenMatch{std::string(q[i].text), std::string(l[p.lj].text), std::string_view(p.how, p.how_len), p.sim,
                                   l[p.lj].weight});
    } else {
      explain.push_back(TokenMatch{std::string(q[i].text), {}, "unmatched", 0, q[i].weight});
    }
  }
  for (std::size_t j = 0; j < l.size() && j < kMaxListedTokens; ++j) {
    if (l[j].cls == TokenClass::kWeak || ((l_used >> j) & 1U)) continue;
    explain.push_back(TokenMatch{{}, std::string(l[j].text), "unmatched", 0, l[j].weight});
  }
}

// Scores query tokens against listed tokens. `sim(i, j)` gives the similarity of query token i
// and listed token j. Weak tokens (legal forms) take no part. When `explain` is given it receives
// one TokenMatch per matched pair and per unmatched token (explain_tokens); `chosen`, when given,
// receives the pairs themselves.
template <typename SimFn>
NameScore score_tokens(std::span<const ScoreToken> q, std::span<const ScoreToken> l, bool weak_alias, SimFn&& sim,
                       std::vector<TokenMatch>* explain, ChosenPairs* chosen_out = nullptr) {
  NameScore r;
  if (chosen_out) chosen_out->n = 0;
  std::array<Pair, kMaxQueryTokens * kMaxListedTokens> pairs;
  std::size_t np = 0;
  std::size_t q_strong = 0, l_strong = 0;
  for (const auto& t : q) q_strong += t.cls == TokenClass::kNormal;
  for (const auto& t : l) l_strong += t.cls == TokenClass::kNormal;
  if (q_strong == 0 || l_strong == 0) return r;  // initials or legal forms alone are no evidence
  for (std::size_t i = 0; i < q.size() && i < kMaxQueryTokens; ++i) {
    if (q[i].cls == TokenClass::kWeak) continue;
    for (std::size_t j = 0; j < l.size() && j < kMaxListedTokens; ++j) {
      if (l[j].cls == TokenClass::kWeak) continue;
      if (q[i].cls == TokenClass::kInitial && l[j].cls == TokenClass::kInitial) continue;
      TokenSimilarity s = sim(i, j);
      if (s.score <= 0) continue;
      pairs[np++] = Pair{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(j), static_cast<float>(s.score), s.how.data(),
                        static_cast<std::uint32_t>(s.how.size())};
    }
  }
  // Greedy best assignment: highest similarity first; among equals, the pair whose relative
  // positions agree best, so "Ali Ali Hassan" pairs up in name order.
  const double qn = static_cast<double>(std::max<std::size_t>(q.size(), 1));
  const double ln = static_cast<double>(std::max<std::size_t>(l.size(), 1));
  std::sort(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(np), [&](const Pair& a, const Pair& b) {
    if (a.sim != b.sim) return a.sim > b.sim;
    const double da = std::abs(a.qi / qn - a.lj / ln), db = std::abs(b.qi / qn - b.lj / ln);
    if (da != db) return da < db;
    return std::tie(a.qi, a.lj) < std::tie(b.qi, b.lj);
  });
  std::uint32_t q_used = 0, l_used = 0;
  std::array<Pair, kMaxQueryTokens> chosen;
  std::size_t nc = 0;
  for (std::size_t k = 0; k < np; ++k) {
    const Pair& p = pairs[k];
    if ((q_used >> p.qi) & 1U || (l_used >> p.lj) & 1U) continue;
    q_used |= 1U << p.qi;
    l_used |= 1U << p.lj;
    chosen[nc++] = p;
  }
  double num = 0, den = 0;
  double strong_weight = 0, strong_sim = 0, evidence = 0;
  for (std::size_t k = 0; k < nc; ++k) {
    const Pair& p = chosen[k];
    // An initial is weak evidence: it weighs a quarter of the token it stands for.
    const bool initial = q[p.qi].cls == TokenClass::kInitial || l[p.lj].cls == TokenClass::kInitial;
    const double w = l[p.lj].weight * (initial ? 0.25 : 1.0);
    num += p.sim * w;
    den += w;
    if (!initial) {
      ++r.strong_matched;
      strong_weight = l[p.lj].weight;
      strong_sim = p.sim;
      evidence += p.sim * std::min(q[p.qi].weight, l[p.lj].weight);  // a common query token is no rarer for
                                                                      // meeting a rare spelling
    }
  }
  // Unmatched tokens dilute the score; middle names (patronymics, second given names) are often
  // left out by one side, so they cost half as much as a missing first or last token.
  const std::size_t q_end = std::min(q.size(), kMaxQueryTokens), l_end = std::min(l.size(), kMaxListedTokens);
  for (std::size_t i = 0; i < q_end; ++i) {
    if (q[i].cls == TokenClass::kWeak || ((q_used >> i) & 1U)) continue;
    const double factor = (i == 0 || i + 1 == q_end) ? kUnmatchedQueryPenalty : kUnmatchedMiddlePenalty;
    den += factor * q[i].weight * (q[i].cls == TokenClass::kInitial ? 0.25 : 1.0);
  }
  for (std::size_t j = 0; j < l_end; ++j) {
    if (l[j].cls == TokenClass::kWeak || ((l_used >> j) & 1U)) continue;
    const double factor = (j == 0 || j + 1 == l_end) ? kUnmatchedListedPenalty : kUnmatchedMiddlePenalty;
    den += factor * l[j].weight * (l[j].cls == TokenClass::kInitial ? 0.25 : 1.0);
  }
  if (r.strong_matched == 0 || den <= 0) {
    r.strong_matched = 0;
  } else {
    r.base = num / den;
    // Order: any inversion among matched pairs (first and last name swapped) costs a little, so a
    // swap never scores as high as the name in its listed order.
    std::array<Pair, kMaxQueryTokens> by_q = chosen;
    std::sort(by_q.begin(), by_q.begin() + static_cast<std::ptrdiff_t>(nc),
              [](const Pair& a, const Pair& b) { return a.qi < b.qi; });
    for (std::size_t k = 1; k < nc; ++k) {
      if (by_q[k].lj < by_q[k - 1].lj) {
        r.order_penalty = kOrderPenalty;
        break;
      }
    }
    // Short names: one strong token on one side and one strong match need stronger evidence: a
    // typo costs double and a common token costs more.
    if (r.strong_matched == 1 && (q_strong == 1 || l_strong == 1)) {
      r.short_penalty = kShortNameBase + (1.0 - strong_sim) + kShortNameCommon * (1.0 - strong_weight);
    } else if (evidence < kMinEvidence) {
      r.common_penalty = kCommonNamePenalty * (kMinEvidence - evidence);
    }
    if (weak_alias) r.weak_alias_penalty = kWeakAliasPenalty;
    r.score = std::clamp(r.base - r.order_penalty - r.short_penalty - r.common_penalty - r.weak_alias_penalty, 0.0, 1.0);
  }
  if (explain || chosen_out) {
    ChosenPairs local;
    ChosenPairs& out = chosen_out ? *chosen_out : local;
    std::copy_n(chosen.begin(), nc, out.pairs.begin());
    out.n = nc;
    if (explain) explain_tokens(q, l, out, *explain);
  }
  return r;
}

void add_name_features(const NameScore& ns, std::vector<FeatureContribution>& features) {
  features.push_back({"name", ns.base, {}});
  if (ns.order_penalty > 0) features.push_back({"token_order", -ns.order_penalty, "tokens in a different order"});
  if (ns.short_penalty > 0) {
    features.push_back({"short_name", -ns.short_penalty, "one strong token: needs stronger evidence"});
  }
  if (ns.common_penalty > 0) {
    features.push_back({"common_name", -ns.common_penalty, "only common tokens matched: weak evidence"});
  }
  if (ns.weak_alias_penalty > 0) {
    features.push_back({"weak_alias", -ns.weak_alias_penalty, "low-quality alias"});
  }
}

std::vector<ScoreToken> plain_tokens(const NormalizedName& n) {
  std::vector<ScoreToken> out;
  for (const auto& t : n.tokens) {
    if (out.size() >= kMaxListedTokens) break;
    out.push_back(ScoreToken{t.text, t.cls, t.cls == TokenClass::kWeak ? 0.0 : builtin_weight(t.text)});
  }
  return out;
}

}  // namespace

double score_names(QueryType /*type*/, std::string_view a, std::string_view b, MatchExplanation* explanation) {
  const NormalizedName na = normalize_for_matching(a.substr(0, kMaxNameBytes));
  const NormalizedName nb = normalize_for_matching(b.substr(0, kMaxNameBytes));
  std::vector<ScoreToken> ta = plain_tokens(na), tb = plain_tokens(nb);
  if (ta.size() > kMaxQueryTokens) ta.resize(kMaxQueryTokens);
  auto sim = [&](std::size_t i, std::size_t j) { return compare_tokens(ta[i].text, tb[j].text); };
  const NameScore ns =
      score_tokens(ta, tb, false, sim, explanation ? &explanation->tokens : nullptr);
  if (explanation) {
    explanation->query_name = std::string(a);
    explanation->listed_name = std::string(b);
    explanation->alias = false;
    explanation->features.clear();
    if (ns.strong_matched > 0) add_name_features(ns, explanation->features);
    explanation->list_id.clear();
    explanation->list_version = 0;
    explanation->score = ns.score;
  }
  return ns.score;
}

// ---- the index ------------------------------------------------------------------------------------

namespace {

struct NameRec {
  std::uint32_t list = 0;
  std::uint32_t text_at = 0;    // into Impl::name_text: the name as listed, for its hits' explanations
  std::uint32_t name = 0;       // names then weak aliases
  std::uint32_t gentry = 0;     // global entry id
  // Into Impl::name_toks. Names with the same tokens (common in large lists: one "Ivan Petrov" per
  // entry) share one run, so tok_begin also identifies the form a query bounds and scores once.
  std::uint32_t tok_begin = 0;
  std::uint8_t tok_count = 0;
  std::uint8_t strong_count = 0;
  bool weak_alias = false;
  EntityType type = EntityType::kPerson;  // the entry's, kept here to spare a cache miss
};

struct EntryInfo {
  std::vector<DateSpec> dobs;
  std::vector<std::string> nationalities;  // upper-case alpha-3
  std::vector<std::string> countries;      // upper-case alpha-3 (organisation countries, flag)
  std::uint8_t gender = 0;                 // 0 unknown, 1 male, 2 female
  EntityType type = EntityType::kPerson;
};

// An entry's corroborating facts in 32 bits, kept beside each posting of its names
// (Impl::facts), so a query that carries a date of birth, a nationality, a gender or a country
// bounds what corroboration can add to each candidate before any record of it is read: a
// namesake born in another year or of the other gender, or a company of another country, falls
// below the threshold there instead of being scored. A fact that does not fit (several dates of
// birth, a year range or an approximate date, several nationalities or countries, more codes in
// the index than the table holds) is kept as "several", and bounded by the most it can add.
// Bits 0-1: gender (EntryInfo::gender). Bits 2-3: what the next twenty say (kOneDate,
// kSeveralDates, kCountry):
//   kOneDate: 4-13 year - kFactsYearBase, 14-17 month, 18-22 day (0: not given), 23 whether the
//   entry lists countries;
//   kSeveralDates: 23 as for kOneDate;
//   kCountry (no date of birth, as for organisations and vessels): 4-11 its country's place.
// Bits 24-31: its nationality's place. A place is 0 for none, kSeveralCodes, or the code's place
// in Impl::code_places (from 1); nationalities and countries are both ISO alpha-3 codes.
constexpr std::uint32_t kOneDate = 1, kSeveralDates = 2, kCountry = 3;
constexpr std::uint32_t kSeveralCodes = 255;
constexpr int kFactsYearBase = 1100, kFactsYearSpan = 1 << 10;

// The facts of entry `e`; `places` maps a code to its place, and grows (up to 254 codes).
std::uint32_t pack_facts(const EntryInfo& e, std::unordered_map<std::string, std::uint32_t>& places) {
  auto place_of = [&](const std::vector<std::string>& codes) -> std::uint32_t {
    if (codes.empty()) return 0;
    if (std::any_of(codes.begin(), codes.end(), [&](const std::string& c) { return c != codes.front(); })) {
      return kSeveralCodes;
    }
    auto it = places.find(codes.front());
    if (it == places.end() && places.size() + 1 < kSeveralCodes) {
      it = places.emplace(codes.front(), static_cast<std::uint32_t>(places.size() + 1)).first;
    }
    return it == places.end() ? kSeveralCodes : it->second;
  };
  std::uint32_t f = e.gender & 3U;
  const std::uint32_t lists_countries = e.countries.empty() ? 0 : 1U << 23;
  if (e.dobs.size() == 1 && e.dobs[0].y_lo == e.dobs[0].y_hi && !e.dobs[0].approx &&
      e.dobs[0].y_lo >= kFactsYearBase && e.dobs[0].y_lo < kFactsYearBase + kFactsYearSpan) {
    const DateSpec& d = e.dobs[0];
    f |= kOneDate << 2 | static_cast<std::uint32_t>(d.y_lo - kFactsYearBase) << 4 |
         static_cast<std::uint32_t>(d.month) << 14 | static_cast<std::uint32_t>(d.day) << 18 | lists_countries;
  } else if (!e.dobs.empty()) {
    f |= kSeveralDates << 2 | lists_countries;
  } else {
    f |= kCountry << 2 | place_of(e.countries) << 4;
  }
  return f | place_of(e.nationalities) << 24;
}

// What a query's corroborating fields are, in the terms of the facts.
struct QueryFacts {
  std::optional<DateSpec> dob;
  bool nationality = false, country = false;
  // Their places in Impl::code_places, 0 when the index has no entry of that code.
  std::uint32_t nationality_place = 0, country_place = 0;
  std::uint8_t gender = 0;
  bool any() const { return dob || nationality || gender != 0 || country; }
};

// The most corroboration can add to a name of the entry with these facts: exactly what the
// matcher's corroboration gives when every fact the query asks about fits, more when one does not.
double corroboration_bound(std::uint32_t facts, const QueryFacts& q) {
  const std::uint32_t kind = (facts >> 2) & 3U;
  double gain = 0;
  if (q.dob) {
    if (kind == kOneDate) {
      DateSpec d;
      d.y_lo = d.y_hi = static_cast<int>((facts >> 4) & (kFactsYearSpan - 1)) + kFactsYearBase;
      d.month = static_cast<int>((facts >> 14) & 15U);
      d.day = static_cast<int>((facts >> 18) & 31U);
      gain += compare_dates(*q.dob, d).first;
    } else if (kind == kSeveralDates) {
      gain += 0.06;  // compare_dates' best
    }
  }
  if (q.nationality) {
    const std::uint32_t nat = facts >> 24;
    if (nat == kSeveralCodes) {
      gain += 0.03;
    } else if (nat != 0) {
      gain += nat == q.nationality_place ? 0.03 : -0.03;
    }
  }
  if (q.gender != 0 && (facts & 3U) != 0) gain += (facts & 3U) == q.gender ? 0.01 : -0.10;
  if (q.country) {
    if (kind == kCountry) {
      const std::uint32_t country = (facts >> 4) & 255U;
      if (country == kSeveralCodes) {
        gain += 0.03;
      } else if (country != 0) {
        gain += country == q.country_place ? 0.03 : -0.02;
      }
    } else if ((facts >> 23) & 1U) {
      gain += 0.03;  // an entry with a date of birth that lists countries: not among the facts
    }
  }
  return std::min(gain, kMaxCorroborationGain);
}

// The most a name can score with corroboration when its name score is at most `name_bound` and
// corroboration adds at most `gain`: corroboration applies only from kCorroborationFloor up, so a
// loss does not reach a name score below it.
double with_corroboration(double name_bound, double gain) {
  return std::max(name_bound + gain, std::min(name_bound, kCorroborationFloor));
}

// The reasons compare_tokens gives, so a Variant stores one byte for its reason.
constexpr std::string_view kHows[] = {"exact", "initial", "typo", "phonetic", "nickname", "unmatched"};

std::uint8_t how_index(std::string_view how) {
  for (std::size_t k = 0; k < std::size(kHows); ++k) {
    if (kHows[k] == how) return static_cast<std::uint8_t>(k);
  }
  // compare_tokens gained a reason kHows does not list: explanations would be wrong.
  std::fprintf(stderr, "match_index: unknown token similarity reason '%.*s'\n", static_cast<int>(how.size()), how.data());
  std::abort();
}

// One listed token in a query token's neighbourhood, with what retrieval needs of it, so that
// retrieval reads no per-token array of the dictionary (each such read is a cache miss at 1M).
struct Variant {
  std::uint32_t tid;
  float sim;
  std::uint32_t post_begin, post_end;  // its postings: Impl::sums[post_begin, post_end)
  std::uint8_t how;                    // kHows[how]: compare_tokens' reason
  bool common;                         // Impl::TokInfo::common: retrieved through its group instead
  std::int8_t first;                   // first_letter of its text: the summary check's reach
};

std::atomic<std::uint64_t> g_index_serial{1};

std::string upper_ascii(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') continue;
    out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  }
  return out;
}

std::string norm_bic(std::string_view s) {
  std::string b = normalize_document(s);
  if (b.size() == 11 && b.compare(8, 3, "XXX") == 0) b.resize(8);
  return b;
}

std::string norm_crypto(std::string_view s) {
  std::string a;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') a.push_back(c);
  }
  if (a.size() > 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) {
    for (char& c : a) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return a;
}

std::string country_code(std::string_view s) {
  if (s.empty()) return {};
  if (auto c = schemas::ids::country_alpha3_of(s)) return std::string(*c);
  return upper_ascii(s);
}

std::uint8_t gender_code(std::string_view g) {
  std::string l;
  for (char c : g) l.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  if (l == "male" || l == "m") return 1;
  if (l == "female" || l == "f") return 2;
  return 0;
}

bool type_compatible(QueryType q, EntityType e) {
  switch (q) {
    case QueryType::kAny: return true;
    case QueryType::kPerson: return e == EntityType::kPerson;
    case QueryType::kOrganization:
      return e == EntityType::kOrganization || e == EntityType::kAccount || e == EntityType::kCryptoAddress;
    case QueryType::kVessel: return e == EntityType::kVessel;
    case QueryType::kAircraft: return e == EntityType::kAircraft;
    case QueryType::kParty: return e != EntityType::kVessel && e != EntityType::kAircraft;
  }
  return false;
}

}  // namespace

struct MatchIndex::Impl {
  std::uint64_t serial = 0;
  // Token dictionary.
  BigString tok_pool;
  BigVec<std::uint32_t> tok_off{0};
  struct TokInfo {
    std::uint32_t pk = 0;  // phonetic group
    float weight = 1;      // rarity weight, 0 for weak tokens
    TokenClass cls = TokenClass::kNormal;
    bool common = false;   // common_pk(pk), so retrieval reads no group statistics
  };
  BigVec<TokInfo> tok;  // one cache line serves all a candidate check needs of a token
  FlatMultiMap tok_by_hash;  // hash(text) -> tid
  // Phonetic groups.
  BigVec<std::uint32_t> pk_df;  // names holding a token of the group
  // The phonetic key of each group (empty for tokens without one), handed to compare_tokens so
  // no key is recomputed at query time.
  BigString pk_pool;
  BigVec<std::uint32_t> pk_off{0};
  FlatMultiMap pk_by_hash;           // hash(key) -> pk id
  FlatMultiMap pk_members;           // pk id -> tids
  // Typo and nickname neighbourhoods.
  FlatMultiMap deletes;  // hash(token minus one letter) -> tids
  FlatMultiMap nicks;    // hash(canonical given name) -> tids
  // Each token's nickname_canonicals (empty for most), so comparing a listed token with a query
  // token outside its neighbourhood needs no nickname table look-up.
  BigVec<std::span<const std::string_view>> tok_nicks;
  // Precomputed neighbourhood of every listed token (what find_variants returns for it), so a
  // query token that is in the dictionary costs no similarity computation.
  BigVec<std::uint32_t> nb_off;  // tid -> range in nb
  BigVec<Variant> nb;
  BigVec<std::uint32_t> nbc_off;  // tid -> range in nb_common
  BigVec<std::uint32_t> nb_common;
  // Postings.
  BigVec<std::uint32_t> post_off;  // tid -> range in sums
  // Their values are the names' ranks in form order (the order the lists keep), read only for
  // their places: a list's names are its summaries in sums.
  FlatMultiMap singles;                 // pk id of a common group -> names with one strong token
  FlatMultiMap pairs;                   // (pk a, pk b) of common groups -> names
  // Names and entries.
  BigVec<NameRec> names;
  // Each name as listed (NameRec::text_at): two bytes of length, little-endian, then the text. A
  // hit's explanation reads it here, one read after its record, where the list's own copy is a
  // chain of three reads at random (the entry, its names, the text). A name of kLongName bytes
  // or more is not held (its length reads kLongName).
  BigString name_text;
  static constexpr std::size_t kLongName = 0xFFFF;
  // The name as listed, or nullopt when it is too long to be held here (MatchIndex::name has it).
  std::optional<std::string_view> listed_text(const NameRec& rec) const {
    const auto* p = reinterpret_cast<const unsigned char*>(name_text.data()) + rec.text_at;
    const std::size_t len = p[0] | (static_cast<std::size_t>(p[1]) << 8);
    if (len == kLongName) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(p) + 2, len);
  }
  // One token of a listed name. A name's records are followed in name_toks by their texts (padded
  // to whole records), so bounding and scoring a candidate read one run of memory and no
  // dictionary entry: at a million entries each dictionary look-up would be a cache miss.
  struct NameTok {
    std::uint32_t tid;
    std::uint32_t pk;  // copied from tok[tid]
    float weight;      // copied from tok[tid]
    std::uint32_t cls_bits : 2;     // TokenClass
    std::uint32_t len : 11;         // of the text, in bytes (0: the text is only in the dictionary)
    std::uint32_t text_at : 13;     // bytes from the run's first record to the text
    std::uint32_t first_bits : 6;   // letter_index of its first byte + 1 (0: none), so most tokens
                                    // are bounded without reading their text
    TokenClass cls() const { return static_cast<TokenClass>(cls_bits); }
    int first() const { return static_cast<int>(first_bits) - 1; }
  };
  static constexpr std::size_t kMaxTextLen = (1U << 11) - 1;
  static constexpr std::size_t kMaxTextAt = (1U << 13) - 1;
  BigVec<NameTok> name_toks;
  // A posting: the name's id and sixteen bytes for the first look at it as a candidate
  // (docs/matching.md, "summary check"): the first letters its tokens start with (letter_bit),
  // what the bound needs of its shape, and its type, so most candidates are turned away without
  // reading their records.
  struct NameSummary {
    std::uint32_t name;
    std::uint32_t first_letters : 29;   // letter_bit of each token that is not weak
    std::uint32_t second_weight : 3;    // the second most a matched token can weigh (of the
                                        // weights max_weight is the most of), rounded up to k/7
    std::uint32_t tok_begin;            // NameRec's, so its tokens are read without its record
    std::uint32_t tok_count : 5;        // NameRec's (at most kMaxListedTokens)
    std::uint32_t strong_count : 5;     // NameRec's
    std::uint32_t nonweak_count : 5;    // strong tokens and initials
    std::uint32_t type_alias : 5;       // EntityType << 1 | weak alias
    std::uint32_t min_weight : 8;       // least weight of a strong token, rounded down to k/255
    std::uint32_t shared : 1;           // other names have the same tokens (tok_begin)
    std::uint32_t max_weight : 3;       // most a matched token can weigh, rounded up to k/7
  };
  // The postings of each token (sums[post_off[tid] ...]), and the values of singles and pairs laid
  // out alike (sums[single_base + k] for singles.values()[k], likewise pairs), each list in form
  // order (tok_begin, type_alias, name: the names of a form side by side):
  // retrieval reads the names with their summaries in sequence, so the summary check costs no
  // cache miss per candidate (at a million entries the summaries are 32 MB, read at random
  // otherwise).
  // One array in three parts: the postings of the tokens from 0, then singles' values from
  // single_base and pairs' values from pair_base, so a candidate's place in it (from
  // Candidate::sum) is also the place of its facts.
  BigVec<NameSummary> sums;
  std::uint32_t single_base = 0, pair_base = 0;
  // The facts of each summary's entry (pack_facts), at the same places: read only by queries
  // with something to corroborate.
  BigVec<std::uint32_t> facts;
  std::unordered_map<std::string, std::uint32_t> code_places;  // the codes facts name (pack_facts)
  BigVec<std::uint32_t> pk_first_letters;  // pk id -> letter_bit of its members' first bytes
  std::vector<EntryInfo> entries;
  BigVec<std::uint32_t> entry_base;  // list -> first global entry id
  FlatMultiMap ids;                       // hash(kind seed, normalised identifier) -> global entry id

  std::string_view tok_text(std::uint32_t tid) const {
    return std::string_view(tok_pool).substr(tok_off[tid], tok_off[tid + 1] - tok_off[tid]);
  }
  // The text of token k of the run starting at `run` (name_toks[tok_begin]).
  std::string_view run_text(const NameTok* run, std::uint32_t k) const {
    const NameTok& nt = run[k];
    if (nt.len == 0) return tok_text(nt.tid);
    return {reinterpret_cast<const char*>(run) + nt.text_at, nt.len};
  }
  std::optional<std::uint32_t> find_token(std::string_view text) const {
    for (std::uint32_t tid : tok_by_hash.find(hash_str(text, kSeedToken))) {
      if (tok_text(tid) == text) return tid;
    }
    return std::nullopt;
  }
  // The group whose key is `key` (a phonetic_key, never empty), checked against the key's text:
  // two tokens are in one group exactly when their keys are equal, so the matcher compares
  // group ids instead of key texts.
  std::optional<std::uint32_t> find_pk(std::string_view key) const {
    for (std::uint32_t pk : pk_by_hash.find(hash_str(key, kSeedPhonetic))) {
      if (pk_text(pk) == key) return pk;
    }
    return std::nullopt;
  }
  bool common_pk(std::uint32_t pk) const { return pk_df[pk] > kCommonDf; }
  std::string_view pk_text(std::uint32_t pk) const {
    return std::string_view(pk_pool).substr(pk_off[pk], pk_off[pk + 1] - pk_off[pk]);
  }
  std::string_view tok_key(std::uint32_t tid) const { return pk_text(tok[tid].pk); }
  std::uint32_t list_of(std::uint32_t gentry) const {
    return static_cast<std::uint32_t>(std::upper_bound(entry_base.begin(), entry_base.end(), gentry) -
                                      entry_base.begin() - 1);
  }
};

namespace {

// Counts of each letter (a..z) and digit of a token, by letter_index, for the Jaro-Winkler bound;
// the last slot (kNoLetter) is for any other byte and stays 0.
constexpr std::size_t kNoLetter = 36;
using LetterCounts = std::array<std::uint8_t, kNoLetter + 1>;

// Per-thread working memory: reused across queries, so a query allocates little. The variant
// cache holds the dictionary neighbourhood of recently seen query tokens for one index.
struct QueryToken {
  std::string text;
  TokenClass cls = TokenClass::kNormal;
  double weight = 1;
  // Its phonetic key (for compare_tokens), neighbourhood (sorted by tid) and the phonetic groups of
  // its common variants: views of the index's precomputed ones for a listed token, else of the
  // variant cache's entry (not cleared during a query) or, for an initial, of key_store.
  std::string_view key;
  std::span<const Variant> variants;
  std::span<const std::uint32_t> common;
  std::string key_store;
  std::span<const std::string_view> nicks;  // nickname_canonicals of its text
  LetterCounts letters{};  // letter and digit counts, for the Jaro-Winkler bound
  std::uint32_t pk = UINT32_MAX;           // its phonetic group in the index, if any
  std::uint64_t id = 0;  // its dictionary id (tid + 1), or a hash of its text (high bit set)
};

// A name retrieved, or the names of one form and type (NameSummary::tok_begin and type_alias) that
// sit side by side in a list: `name` is the first of them, and the postings sum[0, members) are
// theirs. (Only a query checked as its postings are read takes a form's names together; it reads
// at most kMaxCandidates postings.)
struct Candidate {
  std::uint32_t name;
  std::uint16_t bits;
  std::uint16_t members;
  const MatchIndex::Impl::NameSummary* sum;  // beside the posting it came from, in Impl::sums
};
static_assert(kMaxCandidates <= UINT16_MAX, "Candidate::members counts postings of one query");

// A candidate that passed the summary check, with a copy of its summary: the bounds read it from
// the list of these in sequence instead of following the pointer into the postings (a dependent
// load before the run's, per candidate and bound).
struct Checked {
  MatchIndex::Impl::NameSummary sum;
  std::uint16_t bits;
  std::uint16_t form;  // form_position()
  std::uint32_t facts;  // Impl::facts, when the query has something to corroborate
  std::uint32_t at;     // Candidate::sum as a place in Impl::sums: its names are sums[at, at + members)
  std::uint16_t members;
};

struct Source {
  std::span<const MatchIndex::Impl::NameSummary> names;
  std::uint16_t bits;
};

// An entry met by the query. Its name's score is in Scratch::form_scores (form_score), not
// copied here: the lists of these are sorted, and 32 bytes move more cheaply than 88.
struct EntryBest {
  std::uint32_t gentry;
  std::uint32_t name;  // UINT32_MAX: no name part (an identifier hit alone)
  double score;
  double corroboration;
  std::uint8_t matched_on;
  std::uint32_t form_score = UINT32_MAX;  // its name's form in Scratch::form_scores and form_pairs
};

static_assert(sizeof(MatchIndex::Impl::NameSummary) == 16);

// What the current query knows about one listed token (dictionary id), in a query-sized table
// (Scratch::tok_tab, below): a dictionary-sized array would cost a cache miss per listed token.
// Each listed token met by a candidate is compared with every query token once per query
// (resolve_token): the bound and the scorer then read the same exact similarities.
struct TidSlot {
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  enum State : std::uint8_t { kNeighbourhood, kQuick, kQuickExact, kResolved };
  std::uint32_t key = kEmpty;      // the tid
  std::uint32_t row = UINT32_MAX;  // into Scratch::sims: one similarity per query token, once needed
  float sim = 0;            // its best similarity to a strong query token it may meet (mask);
  std::uint16_t mask = 0;   // what they say depends on the state:
  State state = kNeighbourhood;  // neighbourhood similarities only; quick_token's upper bounds;
                                 // the same, found exact (quick_token added nothing to the
                                 // neighbourhood's); exact, every row resolved (resolve_token)
};
static_assert(sizeof(TidSlot) == 16);
static_assert(kMaxQueryTokens <= 16, "TidSlot::mask has a bit per query token");

// One remembered comparison of a query token (QueryToken::id) and a listed token, across queries.
struct PairMemo {
  std::uint64_t key = 0;  // 0 = empty
  std::uint64_t qid = 0;
  std::uint32_t tid = 0;
  TokenSimilarity sim;
};
// 96 KB per thread, direct-mapped, so a probe stays in the core's own cache: a comparison costs
// about 650 cycles, and a probe of the earlier 1.5 MB table missed the core's cache often enough
// to cost more than the comparisons it saved (docs/performance.md). Repeats close together, as
// when a flight lists several travellers with one common given name, still hit.
constexpr std::size_t kPairCacheSlots = 1U << 11;

// A query-sized table of Slots by Slot::key (open addressing, cleared through the slots it used),
// small enough to stay in the L1/L2 cache. A fixed table (kGrows false) needs kSlots to be more than
// twice what a query can insert, so probes stay short and an empty slot (key Slot::kEmpty) always
// ends one. A growing table starts at kSlots, doubles when half full (which moves its slots: a
// reference or position is good until the next upsert) and shrinks back when cleared, so the
// usual query works in a table the L1 cache holds.
template <typename Slot, std::size_t kSlots, bool kGrows = false>
class QueryTable {
 public:
  using Key = decltype(Slot::key);
  void clear() {
    if (slots_.size() != kSlots) {
      slots_.assign(kSlots, Slot{});
    } else {
      for (std::uint32_t pos : used_) slots_[pos] = Slot{};
    }
    used_.clear();
  }
  Slot& upsert(Key key) { return slots_[upsert_position(key)]; }
  // The same, as a position for slot(): a caller may keep it instead of probing again.
  std::uint32_t upsert_position(Key key) {
    if constexpr (kGrows) {
      if ((used_.size() + 1) * 2 > slots_.size()) grow();
    }
    const std::size_t mask = this->mask();
    std::size_t pos = id_slot(key, mask + 1);
    while (slots_[pos].key != Slot::kEmpty && slots_[pos].key != key) pos = (pos + 1) & mask;
    if (slots_[pos].key == Slot::kEmpty) {
      slots_[pos].key = key;
      used_.push_back(static_cast<std::uint32_t>(pos));
    }
    return static_cast<std::uint32_t>(pos);
  }
  Slot& slot(std::uint32_t pos) { return slots_[pos]; }
  const Slot* find(Key key) const {
    const std::size_t mask = this->mask();
    for (std::size_t pos = id_slot(key, mask + 1);; pos = (pos + 1) & mask) {
      const Slot& v = slots_[pos];
      if (v.key == key) return &v;
      if (v.key == Slot::kEmpty) return nullptr;
    }
  }

 private:
  static_assert((kSlots & (kSlots - 1)) == 0);
  std::size_t mask() const {
    if constexpr (kGrows) return slots_.size() - 1;
    return kSlots - 1;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{});
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    std::vector<std::uint32_t> used;
    used.reserve(slots_.size() / 2);
    for (std::uint32_t p : used_) {
      std::size_t pos = id_slot(old[p].key, mask + 1);
      while (slots_[pos].key != Slot::kEmpty) pos = (pos + 1) & mask;
      slots_[pos] = old[p];
      used.push_back(static_cast<std::uint32_t>(pos));
    }
    used_.swap(used);
  }
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> used_;
};

// A common phonetic group of the query tokens (its members are not in their neighbourhoods): the
// query tokens whose group it is or whose variants are in it.
struct GroupSlot {
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  std::uint32_t key = kEmpty;  // the group's id
  std::uint32_t mask = 0;
};
// Every query token's own group and its variants' groups.
constexpr std::size_t kGroupSlots = 2048;
static_assert(kGroupSlots > 2 * kMaxQueryTokens * (kMaxVariants + 1));

// What a query has worked out for one form (a run of listed tokens shared by every name with those
// tokens, NameRec::tok_begin, and the weak-alias flag): the bounds and the score depend on nothing
// else, so each form is bounded and scored once per query, however many entries carry it.
struct FormSlot {
  static constexpr std::uint64_t kEmpty = 0;
  std::uint64_t key = kEmpty;  // form_key()
  double exact = 0;                  // the exact bound of the name score (no corroboration)
  std::uint32_t score = UINT32_MAX;  // into Scratch::form_scores once scored
  bool has_pre = false, has_exact = false;
  bool pre_passed = false;  // whether the quick bound reached the cut
};
// The candidates a query bounds (kMaxCandidates at most).
constexpr std::size_t kFormSlots = 2048;
static_assert(kFormSlots > 2 * kMaxCandidates);
// The listed tokens of a usual query (its tokens' neighbourhoods and its candidates' tokens) in 32 KB;
// more make the table grow.
constexpr std::size_t kTokSlots = 2048;

inline std::uint64_t form_key(std::uint32_t tok_begin, std::uint8_t type_alias) {
  return ((static_cast<std::uint64_t>(tok_begin) << 1) | (type_alias & 1U)) + 1;
}

constexpr int letter_index(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '0' && c <= '9') return 26 + (c - '0');
  return -1;
}
// k / 7 and k / 255, the values of NameSummary::max_weight and min_weight: read from a table, as
// exactly the quotients, so the summary check has no division on its path.
constexpr std::array<double, 8> kSevenths = [] {
  std::array<double, 8> t{};
  for (std::size_t k = 0; k < t.size(); ++k) t[k] = static_cast<double>(k) / 7.0;
  return t;
}();
constexpr std::array<double, 256> kByteFractions = [] {
  std::array<double, 256> t{};
  for (std::size_t k = 0; k < t.size(); ++k) t[k] = static_cast<double>(k) / 255.0;
  return t;
}();
// letter_index of every byte, kNoLetter for the others: a load instead of two compares.
constexpr std::array<std::uint8_t, 256> kLetterSlot = [] {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) {
    const int k = letter_index(static_cast<char>(c));
    t[c] = static_cast<std::uint8_t>(k < 0 ? kNoLetter : static_cast<std::size_t>(k));
  }
  return t;
}();
inline int first_letter(std::string_view t) { return letter_index(t.empty() ? '\0' : t[0]); }

// One bit of 29 (NameSummary::first_letters) for a token's first byte: a..z their own, digits
// folded onto two bits (names rarely start a token with one), anything else the last bit.
constexpr int kLetterBits = 29;
inline std::uint32_t letter_bit(int first) {
  if (first < 0) return 1U << (kLetterBits - 1);
  if (first < 26) return 1U << first;
  return 1U << (26 + (first - 26) % 2);
}

void count_letters(std::string_view t, LetterCounts& out) {
  out.fill(0);
  for (unsigned char c : t) {
    if (const std::size_t k = kLetterSlot[c]; k < kNoLetter && out[k] < 255) ++out[k];
  }
}

// An upper bound of jaro_winkler(q, l) without the matching window: the matched characters are at
// most the letters the two tokens share, transpositions at least none, and the common prefix is
// exact.
double jaro_winkler_bound(std::string_view q, const LetterCounts& q_letters, std::string_view l) {
  if (q.empty() || l.empty()) return 0;
  LetterCounts used{};
  std::size_t m = 0;
  // Without a branch: whether a letter is left to match is data. Other bytes go to kNoLetter,
  // which the query's counts leave at 0.
  for (unsigned char c : l) {
    const std::size_t u = kLetterSlot[c];
    const unsigned take = used[u] < q_letters[u] ? 1U : 0U;
    used[u] = static_cast<std::uint8_t>(used[u] + take);
    m += take;
  }
  if (m == 0) return 0;
  const double md = static_cast<double>(m);
  const double jaro = (md / static_cast<double>(q.size()) + md / static_cast<double>(l.size()) + 1.0) / 3.0;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < q.size() && prefix < l.size() && q[prefix] == l[prefix]) ++prefix;
  return std::min(1.0, jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro));
}

// One listed token's part in the bound: what matching it can add at most to the numerator (a)
// and to the denominator (b, relative to leaving it unmatched; may be negative).
struct BoundItem {
  double a, b;
};

// What the query tokens a candidate may meet (a mask of query token indices) leave for the bounds,
// one table entry per mask, so a bound reads two numbers instead of looping over the query
// tokens: the costs of the tokens outside the mask (unmatched_cost) and the weights of the strong
// tokens in it. Each entry is summed in ascending token order, as a loop over the tokens would.
struct QueryMasks {
  std::vector<double> cost_out;     // by the mask's complement
  std::vector<double> strong_in;    // by the mask's strong tokens
  std::uint32_t all = 0, strong = 0;
  void build(std::span<const double> unmatched_cost, std::span<const double> strong_weight, std::uint32_t strong_mask) {
    const std::size_t n = unmatched_cost.size();
    all = static_cast<std::uint32_t>((std::size_t{1} << n) - 1);
    strong = strong_mask;
    cost_out.resize(std::size_t{1} << n);
    strong_in.resize(std::size_t{1} << n);
    cost_out[0] = strong_in[0] = 0;
    for (std::uint32_t m = 1; m <= all; ++m) {
      const int top = std::bit_width(m) - 1;  // added last: the sum runs in ascending order
      const std::uint32_t rest = m & ~(1U << top);
      cost_out[m] = cost_out[rest] + unmatched_cost[static_cast<std::size_t>(top)];
      strong_in[m] = strong_in[rest] + strong_weight[static_cast<std::size_t>(top)];
    }
  }
  double cost_outside(std::uint32_t may) const { return cost_out[all & ~may]; }
  double strong_weight_inside(std::uint32_t may) const { return strong_in[may & strong]; }
};

struct CachedVariants {
  std::string key;  // the token's phonetic key
  std::vector<Variant> variants;
  std::vector<std::uint32_t> common;
  std::span<const std::string_view> nicks;  // nickname_canonicals of the token
};

void find_variants(const MatchIndex::Impl& x, std::string_view text, CachedVariants& out,
                   std::vector<std::uint32_t>& tids, std::optional<std::uint32_t> listed = std::nullopt);

struct Scratch {
  std::uint64_t index_serial = 0;
  std::unordered_map<std::string, CachedVariants> variant_cache;
  NormalizedName norm;
  std::vector<QueryToken> qtokens;
  std::vector<std::uint32_t> tmp_tids;
  // Candidate accumulation: the candidates in the order found, and a table of where each is, by
  // name id (open addressing; cleared after retrieval).
  std::vector<Source> sources;
  struct PairKey {
    std::uint64_t key;   // the two common groups' ids, lower first
    std::uint16_t bits;  // the two query tokens'
  };
  std::vector<PairKey> pair_keys;  // retrieval's look-ups in the pair table
  struct CandSlot {
    std::uint32_t key;  // name id + 1 (0: empty)
    std::uint32_t at;   // in cands
  };
  std::vector<CandSlot> table;  // only the first table_mask + 1 slots are in use
  std::size_t table_mask = 0;
  std::vector<Candidate> cands;
  std::vector<std::uint32_t> tied_names;  // the candidate cap's (keep_most_retrieved)
  std::vector<Checked> checked;  // the candidates that passed the summary check
  std::vector<EntryBest> best;
  std::vector<ScoreToken> qscore, lscore;
  std::vector<EntryBest> scored;
  // Which query tokens a listed token meets, and how well: one probe per listed token when
  // bounding or scoring a candidate.
  QueryTable<TidSlot, kTokSlots, true> tok_tab;
  // The query tokens' common phonetic groups by group id (their similarity is not used: a member
  // may score up to 1).
  QueryTable<GroupSlot, kGroupSlots> common_tab;
  // Comparisons outside the neighbourhoods, across queries (real traffic repeats given names).
  BigVec<PairMemo> pair_cache;
  // Similarities of (query token, listed token) pairs met in this query: nq per slot row; a
  // negative score is "not computed yet".
  std::vector<TokenSimilarity> sims;
  std::size_t sims_used = 0;
  // Candidates that passed both bounds, with their bound, scored best bound first.
  struct Bounded {
    double bound;
    std::uint32_t name;
    std::uint16_t form;  // form_position()
  };
  std::vector<Bounded> bounded;
  std::vector<std::pair<std::uint32_t, double>> hit_finals;  // entries that reached a threshold
  QueryTable<FormSlot, kFormSlots> forms;  // forms that several names share
  FormSlot lone_form;                      // the form of a name alone with its tokens
  std::vector<NameScore> form_scores;
  std::vector<ChosenPairs> form_pairs;  // the pairs behind each of form_scores
  std::vector<double> kth;
  // Where the quick bound found each listed token of its candidate in tok_tab, so the exact bound
  // that follows at once reads the same slots without probing again.
  std::array<std::uint32_t, kMaxListedTokens> bound_pos{};
  QueryMasks masks;
};

thread_local Scratch t_scratch;
thread_local MatchStats t_stats;

constexpr std::size_t kVariantCacheMax = 4096;

}  // namespace

MatchIndex::MatchIndex(std::vector<Watchlist> lists, MatchOptions options)
    : lists_(std::move(lists)), options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  Impl& x = *impl_;
  x.serial = g_index_serial.fetch_add(1);
  std::unordered_map<std::string, std::uint32_t> dict;
  std::vector<std::uint32_t> tok_df;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> id_kv;
  NormalizedName norm;
  std::vector<std::uint32_t> seen;
  std::string texts;
  // Names with the same tokens share one run of token records (see NameRec::tok_begin).
  std::unordered_map<std::uint64_t, std::uint32_t> forms;  // hash of the tids -> tok_begin

  for (std::uint32_t li = 0; li < lists_.size(); ++li) {
    x.entry_base.push_back(static_cast<std::uint32_t>(x.entries.size()));
    const auto& list = lists_[li];
    for (std::uint32_t ei = 0; ei < list.entries.size(); ++ei) {
      const WatchlistEntry& e = list.entries[ei];
      const auto gentry = static_cast<std::uint32_t>(x.entries.size());
      EntryInfo info;
      info.type = e.type;
      for (const auto& d : e.dates_of_birth) {
        if (auto spec = parse_date_spec(d)) info.dobs.push_back(*spec);
      }
      for (const auto& n : e.nationalities) info.nationalities.push_back(country_code(n));
      for (const auto& c : e.countries) info.countries.push_back(country_code(c));
      if (!e.flag.empty()) info.countries.push_back(country_code(e.flag));
      info.gender = gender_code(e.gender);
      x.entries.push_back(std::move(info));
      ++entry_count_;

      auto add_id = [&](std::uint64_t seed, const std::string& v) {
        if (!v.empty()) id_kv.emplace_back(hash_str(v, seed), gentry);
      };
      for (const auto& d : e.documents) add_id(kSeedDoc, normalize_document(d.number));
      for (const auto& i : e.ibans) add_id(kSeedIban, normalize_iban(i));
      for (const auto& b : e.bics) add_id(kSeedBic, norm_bic(b));
      for (const auto& c : e.crypto_addresses) add_id(kSeedCrypto, norm_crypto(c.address));
      if (!e.imo.empty()) add_id(kSeedImo, normalize_imo(e.imo));

      const std::size_t total_names = e.names.size() + e.weak_aliases.size();
      for (std::uint32_t ni = 0; ni < total_names; ++ni) {
        const std::string& text = ni < e.names.size() ? e.names[ni] : e.weak_aliases[ni - e.names.size()];
        normalize_for_matching(std::string_view(text).substr(0, kMaxNameBytes), norm);
        if (norm.tokens.empty()) continue;
        NameRec rec;
        rec.list = li;
        rec.name = ni;
        rec.gentry = gentry;
        rec.weak_alias = ni >= e.names.size();
        rec.type = e.type;
        rec.tok_begin = static_cast<std::uint32_t>(x.name_toks.size());
        seen.clear();
        for (const auto& t : norm.tokens) {
          if (rec.tok_count >= kMaxListedTokens) break;
          auto [it, inserted] = dict.try_emplace(t.text, static_cast<std::uint32_t>(dict.size()));
          if (inserted) {
            x.tok_pool += t.text;
            x.tok_off.push_back(static_cast<std::uint32_t>(x.tok_pool.size()));
            x.tok.push_back(Impl::TokInfo{0, 1, t.cls, false});
            tok_df.push_back(0);
          }
          const std::uint32_t tid = it->second;
          x.name_toks.push_back(Impl::NameTok{tid, 0, 1, static_cast<std::uint32_t>(t.cls), 0, 0, 0});
          ++rec.tok_count;
          if (t.cls == TokenClass::kNormal) ++rec.strong_count;
          if (std::find(seen.begin(), seen.end(), tid) == seen.end()) {
            seen.push_back(tid);
            ++tok_df[tid];
          }
        }
        std::uint64_t form = mix64(rec.tok_count);
        for (std::uint32_t k = 0; k < rec.tok_count; ++k) form = mix64(form ^ x.name_toks[rec.tok_begin + k].tid);
        auto [fit, new_form] = forms.try_emplace(form, rec.tok_begin);
        if (!new_form && std::equal(x.name_toks.begin() + fit->second, x.name_toks.begin() + fit->second + rec.tok_count,
                                    x.name_toks.begin() + rec.tok_begin,
                                    [](const Impl::NameTok& a, const Impl::NameTok& b) { return a.tid == b.tid; })) {
          x.name_toks.resize(rec.tok_begin);
          rec.tok_begin = fit->second;
        } else {
          // A new form: its texts after its records.
          std::size_t at = rec.tok_count * sizeof(Impl::NameTok);
          texts.clear();
          for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
            const std::string& text = norm.tokens[k].text;
            Impl::NameTok& nt = x.name_toks[rec.tok_begin + k];
            nt.first_bits = static_cast<std::uint32_t>(first_letter(text) + 1);
            if (text.size() > Impl::kMaxTextLen || at + text.size() > Impl::kMaxTextAt) continue;  // read from the dictionary
            nt.len = static_cast<std::uint32_t>(text.size());
            nt.text_at = static_cast<std::uint32_t>(at);
            texts += text;
            at += text.size();
          }
          const std::size_t base = x.name_toks.size();
          x.name_toks.resize(base + (texts.size() + sizeof(Impl::NameTok) - 1) / sizeof(Impl::NameTok), Impl::NameTok{});
          std::memcpy(static_cast<void*>(x.name_toks.data() + base), texts.data(), texts.size());
        }
        if (x.name_text.size() > UINT32_MAX) {  // text_at is 32 bits: 4 GB of listed names
          std::fprintf(stderr, "match_index: %zu bytes of listed names do not fit 32-bit places\n", x.name_text.size());
          std::abort();
        }
        rec.text_at = static_cast<std::uint32_t>(x.name_text.size());
        const std::size_t len = text.size() < Impl::kLongName ? text.size() : Impl::kLongName;
        x.name_text += static_cast<char>(len & 0xFF);
        x.name_text += static_cast<char>(len >> 8);
        if (len != Impl::kLongName) x.name_text += text;
        x.names.push_back(rec);
      }
    }
  }
  x.ids.build(id_kv, false, FlatMultiMap::Values::kInlineSingles);

  // Dictionary look-up, phonetic groups and their frequencies.
  const auto ntok = static_cast<std::uint32_t>(x.tok.size());
  {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> kv;
    kv.reserve(ntok);
    for (std::uint32_t t = 0; t < ntok; ++t) kv.emplace_back(hash_str(x.tok_text(t), kSeedToken), t);
    x.tok_by_hash.build(kv, false, FlatMultiMap::Values::kInlineSingles);
  }
  std::unordered_map<std::string, std::uint32_t> pk_ids;
  {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> members, pk_kv;
    for (std::uint32_t t = 0; t < ntok; ++t) {
      std::string key = phonetic_key(x.tok_text(t));
      const bool keyless = key.empty();
      if (keyless) key = "=" + std::string(x.tok_text(t));
      auto [it, inserted] = pk_ids.try_emplace(key, static_cast<std::uint32_t>(pk_ids.size()));
      if (inserted) {
        pk_kv.emplace_back(hash_str(key, kSeedPhonetic), it->second);
        if (!keyless) x.pk_pool += key;
        x.pk_off.push_back(static_cast<std::uint32_t>(x.pk_pool.size()));
      }
      x.tok[t].pk = it->second;
      members.emplace_back(it->second, t);
    }
    x.pk_members.build(members, false, FlatMultiMap::Values::kInlineSingles);
    x.pk_by_hash.build(pk_kv, false, FlatMultiMap::Values::kInlineSingles);
  }
  x.pk_df.assign(pk_ids.size(), 0);
  for (const auto& rec : x.names) {
    seen.clear();
    for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
      const std::uint32_t pk = x.tok[x.name_toks[rec.tok_begin + k].tid].pk;
      if (std::find(seen.begin(), seen.end(), pk) == seen.end()) {
        seen.push_back(pk);
        ++x.pk_df[pk];
      }
    }
  }
  for (std::uint32_t t = 0; t < ntok; ++t) {
    x.tok[t].common = x.common_pk(x.tok[t].pk);
    x.tok[t].weight = x.tok[t].cls == TokenClass::kWeak
                          ? 0.0F
                          : static_cast<float>(std::min(stats_weight(x.pk_df[x.tok[t].pk], x.names.size()),
                                                        builtin_weight(x.tok_text(t))));
  }

  for (const NameRec& rec : x.names) {  // a shared run is written once per name: the same values
    for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
      Impl::NameTok& nt = x.name_toks[rec.tok_begin + k];
      nt.weight = x.tok[nt.tid].weight;
      nt.pk = x.tok[nt.tid].pk;
    }
  }
  {
    // Runs laid out by their rarest strong token (fewest names, then token id), in their first
    // order within it. A rare token's posting list is in form order, so the names it lists
    // whose rarest token it is get runs side by side: a query that retrieves several of them
    // reads fewer cache lines and pages than with the runs in the order the names came (about
    // 1 % of a median 1M query, docs/performance.md). A run's texts sit after its records
    // (text_at counts from the run's start), so a run moves as one block: from its start to
    // the next run's.
    std::vector<std::uint32_t> starts;
    starts.reserve(x.names.size());
    for (const NameRec& rec : x.names) starts.push_back(rec.tok_begin);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    struct Block {
      std::uint64_t key;
      std::uint32_t begin, end;
    };
    std::vector<Block> blocks(starts.size());
    for (std::size_t b = 0; b < starts.size(); ++b) {
      blocks[b].begin = starts[b];
      blocks[b].end = b + 1 < starts.size() ? starts[b + 1] : static_cast<std::uint32_t>(x.name_toks.size());
      blocks[b].key = UINT64_MAX;
    }
    // Each name's block, by where its run starts: one read instead of a binary search over the
    // blocks (two per name, about a second at 2M names).
    std::vector<std::uint32_t> block_of(x.name_toks.size() + 1);
    for (std::size_t b = 0; b < starts.size(); ++b) block_of[starts[b]] = static_cast<std::uint32_t>(b);
    for (const NameRec& rec : x.names) {
      Block& blk = blocks[block_of[rec.tok_begin]];
      for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
        const std::uint32_t tid = x.name_toks[rec.tok_begin + k].tid;
        if (x.tok[tid].cls != TokenClass::kNormal) continue;
        blk.key = std::min(blk.key, (static_cast<std::uint64_t>(tok_df[tid]) << 32) | tid);
      }
    }
    std::vector<std::uint32_t> moved(blocks.size());  // new begin, by block in `starts` order
    // By key, then by first place: (key, block) pairs sorted in place, not the blocks by an index.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order(blocks.size());
    for (std::uint32_t b = 0; b < order.size(); ++b) order[b] = {blocks[b].key, b};
    std::sort(order.begin(), order.end());
    BigVec<Impl::NameTok> laid(x.name_toks.size());
    std::size_t at = 0;
    for (const auto& [key, b] : order) {
      const std::size_t len = blocks[b].end - blocks[b].begin;
      std::memcpy(static_cast<void*>(laid.data() + at), x.name_toks.data() + blocks[b].begin, len * sizeof(Impl::NameTok));
      moved[b] = static_cast<std::uint32_t>(at);
      at += len;
    }
    for (NameRec& rec : x.names) rec.tok_begin = moved[block_of[rec.tok_begin]];
    laid.resize(at);
    x.name_toks.swap(laid);
  }
  x.name_toks.shrink_to_fit();
  x.pk_first_letters.assign(x.pk_df.size(), 0);
  for (std::uint32_t t = 0; t < ntok; ++t) {
    const std::string_view text = x.tok_text(t);
    x.pk_first_letters[x.tok[t].pk] |= letter_bit(letter_index(text.empty() ? '\0' : text[0]));
  }
  std::vector<std::uint8_t> form_names(x.name_toks.size() + 1, 0);  // names per tok_begin, up to 2
  for (const NameRec& rec : x.names) form_names[rec.tok_begin] = static_cast<std::uint8_t>(std::min(form_names[rec.tok_begin] + 1, 2));
  BigVec<Impl::NameSummary> name_sums(x.names.size());
  for (std::size_t n = 0; n < x.names.size(); ++n) {
    const NameRec& rec = x.names[n];
    Impl::NameSummary sum{};
    sum.name = static_cast<std::uint32_t>(n);
    sum.tok_begin = rec.tok_begin;
    sum.tok_count = rec.tok_count;
    static_assert(kMaxListedTokens < 32, "NameSummary::tok_count has five bits");
    sum.type_alias = (static_cast<unsigned>(rec.type) << 1) | (rec.weak_alias ? 1U : 0U);
    if ((static_cast<unsigned>(sum.type_alias) >> 1) != static_cast<unsigned>(rec.type)) {
      std::fprintf(stderr, "match_index: EntityType %u does not fit NameSummary::type_alias\n", static_cast<unsigned>(rec.type));
      std::abort();
    }
    float min_w = 1.0F, max_w = 0.0F, second_w = 0.0F;
    const Impl::NameTok* run = x.name_toks.data() + rec.tok_begin;
    for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
      const Impl::NameTok& nt = run[k];
      if (nt.cls() == TokenClass::kWeak) continue;
      sum.first_letters |= letter_bit(nt.first());
      ++sum.nonweak_count;
      if (nt.cls() == TokenClass::kNormal) min_w = std::min(min_w, nt.weight);
      // A matched initial weighs a quarter of its weight (score_tokens).
      const float w = nt.cls() == TokenClass::kNormal ? nt.weight : 0.25F * nt.weight;
      if (w > max_w) {
        second_w = max_w;
        max_w = w;
      } else {
        second_w = std::max(second_w, w);
      }
    }
    sum.strong_count = rec.strong_count;
    sum.min_weight = static_cast<std::uint8_t>(std::clamp(std::floor(static_cast<double>(min_w) * 255.0), 0.0, 255.0));
    sum.shared = form_names[rec.tok_begin] > 1 ? 1 : 0;
    sum.max_weight = static_cast<std::uint8_t>(std::clamp(std::ceil(static_cast<double>(max_w) * 7.0 + 1e-6), 0.0, 7.0));
    sum.second_weight = static_cast<std::uint8_t>(std::clamp(std::ceil(static_cast<double>(second_w) * 7.0 + 1e-6), 0.0, 7.0));
    name_sums[n] = sum;
  }

  // Typo neighbourhood (every one-letter deletion of tokens of four letters or more, and every
  // token of three or more as itself, so that one look-up of a query's deletion finds both the
  // tokens it equals and the tokens with a deletion it equals) and nicknames.
  {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> del_kv, nick_kv;
    x.tok_nicks.resize(ntok);
    for (std::uint32_t t = 0; t < ntok; ++t) x.tok_nicks[t] = nickname_canonicals(x.tok_text(t));
    std::string d;
    for (std::uint32_t t = 0; t < ntok; ++t) {
      if (x.tok[t].cls != TokenClass::kNormal) continue;
      const std::string_view text = x.tok_text(t);
      if (text.size() >= 3) del_kv.emplace_back(hash_str(text, kSeedDelete), t);
      if (text.size() >= 4) {
        for (std::size_t k = 0; k < text.size(); ++k) {
          if (k > 0 && text[k] == text[k - 1]) continue;  // same deletion as the previous letter
          d.assign(text.substr(0, k));
          d.append(text.substr(k + 1));
          del_kv.emplace_back(hash_str(d, kSeedDelete), t);
        }
      }
      for (std::string_view canon : x.tok_nicks[t]) nick_kv.emplace_back(hash_str(canon, kSeedNick), t);
    }
    x.deletes.build(del_kv, false, FlatMultiMap::Values::kInlineSingles);
    x.nicks.build(nick_kv, false, FlatMultiMap::Values::kInlineSingles);
  }

  // Postings per token, singles and pairs of common groups. Each list holds its names in form
  // order (tok_begin, then type_alias, then name): what puts a name in a list is its tokens, so a
  // list that holds one name of a form holds them all, side by side, and retrieval can take the
  // names of a form and type as one candidate (Candidate::members). The lists are built from
  // each name's rank in that order.
  {
    std::vector<std::uint32_t> order(x.names.size());
    for (std::uint32_t n = 0; n < x.names.size(); ++n) order[n] = n;
    auto form_of = [&](std::uint32_t n) {
      return (static_cast<std::uint64_t>(name_sums[n].tok_begin) << 5) | name_sums[n].type_alias;
    };
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return form_of(a) != form_of(b) ? form_of(a) < form_of(b) : a < b;
    });
    x.post_off.assign(ntok + 1, 0);
    for (const auto& rec : x.names) {
      seen.clear();
      for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
        const std::uint32_t tid = x.name_toks[rec.tok_begin + k].tid;
        if (x.tok[tid].cls != TokenClass::kNormal || std::find(seen.begin(), seen.end(), tid) != seen.end()) continue;
        seen.push_back(tid);
        ++x.post_off[tid + 1];
      }
    }
    for (std::uint32_t t = 0; t < ntok; ++t) x.post_off[t + 1] += x.post_off[t];
    std::vector<std::uint32_t> post(x.post_off[ntok]);
    std::vector<std::uint32_t> fill(x.post_off.begin(), x.post_off.end() - 1);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> single_kv, pair_kv;
    std::vector<std::uint32_t> common;
    for (std::uint32_t r = 0; r < x.names.size(); ++r) {
      const std::uint32_t n = order[r];
      const auto& rec = x.names[n];
      seen.clear();
      common.clear();
      for (std::uint32_t k = 0; k < rec.tok_count; ++k) {
        const std::uint32_t tid = x.name_toks[rec.tok_begin + k].tid;
        if (x.tok[tid].cls != TokenClass::kNormal) continue;
        if (x.common_pk(x.tok[tid].pk)) common.push_back(x.tok[tid].pk);
        if (std::find(seen.begin(), seen.end(), tid) != seen.end()) continue;
        seen.push_back(tid);
        post[fill[tid]++] = r;
      }
      if (rec.strong_count == 1 && common.size() == 1) single_kv.emplace_back(common[0], r);
      for (std::size_t a = 0; a < common.size(); ++a) {
        for (std::size_t b = a + 1; b < common.size(); ++b) {
          const std::uint64_t lo = std::min(common[a], common[b]), hi = std::max(common[a], common[b]);
          pair_kv.emplace_back((lo << 32) | hi, r);
        }
      }
    }
    x.singles.build(single_kv);
    x.pairs.build(pair_kv, /*with_filter=*/true);  // most pairs of a query's groups are in no name
    std::vector<std::uint32_t> entry_facts(x.entries.size());
    for (std::size_t e = 0; e < x.entries.size(); ++e) entry_facts[e] = pack_facts(x.entries[e], x.code_places);
    const std::size_t total = post.size() + x.singles.values().size() + x.pairs.values().size();
    if (total > UINT32_MAX) {  // places are 32 bits (Variant, the bases): 64 GB of summaries
      std::fprintf(stderr, "match_index: %zu postings do not fit 32-bit places\n", total);
      std::abort();
    }
    x.sums.resize(total);
    x.facts.resize(total);
    std::size_t at = 0;
    auto sums_of = [&](std::span<const std::uint32_t> ids) {
      const auto base = static_cast<std::uint32_t>(at);
      for (std::uint32_t r : ids) {
        const std::uint32_t n = order[r];
        x.sums[at] = name_sums[n];
        x.facts[at++] = entry_facts[x.names[n].gentry];
      }
      return base;
    };
    sums_of(post);
    x.single_base = sums_of(x.singles.values());
    x.pair_base = sums_of(x.pairs.values());
  }

  {
    CachedVariants cv;
    std::vector<std::uint32_t> tmp;
    x.nb_off.assign(ntok + 1, 0);
    x.nbc_off.assign(ntok + 1, 0);
    for (std::uint32_t t = 0; t < ntok; ++t) {
      if (x.tok[t].cls == TokenClass::kNormal) {
        find_variants(x, x.tok_text(t), cv, tmp, t);
        x.nb.insert(x.nb.end(), cv.variants.begin(), cv.variants.end());
        x.nb_common.insert(x.nb_common.end(), cv.common.begin(), cv.common.end());
      }
      x.nb_off[t + 1] = static_cast<std::uint32_t>(x.nb.size());
      x.nbc_off[t + 1] = static_cast<std::uint32_t>(x.nb_common.size());
    }
    x.nb.shrink_to_fit();
    x.nb_common.shrink_to_fit();
  }
}

MatchIndex::~MatchIndex() = default;

MatchStats MatchIndex::last_match_stats() { return t_stats; }

void MatchIndex::forget_thread_caches() {
  Scratch& s = t_scratch;
  s.variant_cache.clear();
  s.pair_cache.assign(kPairCacheSlots, PairMemo{});
  forget_transliteration_cache();
}

std::string_view MatchIndex::name(const EntryRef& ref) const {
  if (ref.list >= lists_.size() || ref.entry >= lists_[ref.list].entries.size()) return {};
  const auto& e = lists_[ref.list].entries[ref.entry];
  if (ref.name < e.names.size()) return e.names[ref.name];
  if (ref.name - e.names.size() < e.weak_aliases.size()) return e.weak_aliases[ref.name - e.names.size()];
  return {};
}

std::size_t MatchIndex::name_count() const { return impl_->names.size(); }

double MatchIndex::threshold(std::uint32_t list) const {
  if (list < lists_.size()) {
    if (auto it = options_.list_thresholds.find(lists_[list].list_id); it != options_.list_thresholds.end()) {
      return it->second;
    }
  }
  return options_.default_threshold;
}

std::size_t MatchIndex::memory_bytes() const {
  const Impl& x = *impl_;
  std::size_t b = x.tok_pool.capacity() + x.tok_off.capacity() * 4 + x.tok.capacity() * sizeof(Impl::TokInfo) +
                  x.pk_df.capacity() * 4 +
                  x.post_off.capacity() * 4 + x.names.capacity() * sizeof(NameRec) + x.name_text.capacity() +
                  x.name_toks.capacity() * sizeof(Impl::NameTok) + x.entry_base.capacity() * 4;
  b += x.tok_by_hash.memory_bytes() + x.pk_by_hash.memory_bytes() + x.pk_members.memory_bytes() +
       x.deletes.memory_bytes() + x.nicks.memory_bytes() + x.singles.memory_bytes() + x.pairs.memory_bytes() +
       x.ids.memory_bytes() + x.nb_off.capacity() * 4 + x.nb.capacity() * sizeof(Variant) +
       x.tok_nicks.capacity() * sizeof(std::span<const std::string_view>) +
       x.nbc_off.capacity() * 4 + x.nb_common.capacity() * 4;
  b += x.sums.capacity() * sizeof(Impl::NameSummary) + x.facts.capacity() * 4 +
       x.code_places.size() * (sizeof(std::string) + 32) +
       x.pk_first_letters.capacity() * 4;
  b += x.entries.capacity() * sizeof(EntryInfo);
  for (const auto& e : x.entries) {
    b += e.dobs.capacity() * sizeof(DateSpec) + e.nationalities.capacity() * sizeof(std::string) +
         e.countries.capacity() * sizeof(std::string);
  }
  return b;
}

namespace {

// The listed tokens one deletion away from `text` (three letters or more): the listed tokens
// with a deletion equal to it (a letter missing from it), and the listed tokens equal to one of
// its deletions or with a deletion equal to one (an extra or a wrong letter). The deletion table
// holds every listed token under its own text too, so each of these is one look-up in it. Each
// look-up is a chain of reads at random in a large table (slot, values), so the deletions' hashes
// are worked out first, from their prefixes' without building the strings, and each link is
// fetched for every deletion at once: the misses overlap instead of running one after another.
// start() works out the hashes and fetches the slots; finish() appends what the look-ups find,
// so the caller's work between the two overlaps with the first link.
class DeletionNeighbours {
 public:
  void start(const MatchIndex::Impl& x, std::string_view text, std::vector<std::uint32_t>& tids) {
    text_ = text;
    m_ = 0;
    if (text.size() < 3) return;
    self_ = hash_str(text, kSeedDelete);
    x.deletes.prefetch(self_);
    const std::size_t n = text.size();
    if (n < 4) return;  // a deletion of three letters or more: those of a three-letter token are not keyed
    std::uint64_t prefix = fnv_start(kSeedDelete);
    for (std::size_t k = 0; k < n; ++k) {
      // Dropping either of two equal neighbours leaves the same string: once.
      if (k == 0 || text[k] != text[k - 1]) {
        const std::uint64_t h = mix64(fnv_bytes(prefix, text.substr(k + 1)));
        if (m_ < kMaxLetters) {
          hashes_[m_++] = h;
          x.deletes.prefetch(h);
        } else {
          for (std::uint32_t t : x.deletes.find(h)) tids.push_back(t);
        }
      }
      prefix = fnv_byte(prefix, static_cast<unsigned char>(text[k]));
    }
  }
  void finish(const MatchIndex::Impl& x, std::vector<std::uint32_t>& tids) {
    if (text_.size() < 3) return;
    // The query itself is no strong listed token (or is the token the index is built for): what
    // its own look-up finds beside it are the tokens with a deletion equal to it.
    for (std::uint32_t t : x.deletes.find(self_)) tids.push_back(t);
    std::array<std::span<const std::uint32_t>, kMaxLetters> found;
    for (std::size_t i = 0; i < m_; ++i) {
      found[i] = x.deletes.find(hashes_[i]);
      if (!found[i].empty()) __builtin_prefetch(found[i].data());
    }
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::uint32_t t : found[i]) tids.push_back(t);
    }
  }

 private:
  static constexpr std::size_t kMaxLetters = 48;  // longer tokens (rare) take one deletion at a time
  std::string_view text_;
  std::uint64_t self_ = 0;
  std::array<std::uint64_t, kMaxLetters> hashes_{};
  std::size_t m_ = 0;
};

// The dictionary neighbourhood of one query token: exact, same phonetic key, one edit away,
// nicknames. Each variant carries its similarity from compare_tokens. `listed` is the token's
// dictionary id when it is a strong listed token (the index build): its key, group and nickname
// list are then the dictionary's, not worked out again. Without it, the text is no strong listed
// token (match() takes those neighbourhoods from the index), so it is not looked up itself.
void find_variants(const MatchIndex::Impl& x, std::string_view text, CachedVariants& out,
                   std::vector<std::uint32_t>& tids, std::optional<std::uint32_t> listed) {
  tids.clear();
  out.variants.clear();
  out.common.clear();
  const std::optional<std::uint32_t> exact = listed;
  if (exact) tids.push_back(*exact);
  // Each look-up below is a chain of reads at random in a large table: the first links of the
  // deletions' and the key's are fetched before the key and the nicknames are worked out, so those
  // misses overlap with the work. (The neighbours are sorted below: the order they are found in
  // does not matter.)
  DeletionNeighbours deletions;
  deletions.start(x, text, tids);
  // The members of a common phonetic group are not listed one by one (a group such as
  // Mohammed/Muhammad/Mohamad has dozens of spellings): the group itself is remembered, and a
  // listed token of the group is compared when a candidate holds one.
  if (listed) {
    out.key = x.tok_key(*listed);
  } else {
    out.key = phonetic_key(text);
  }
  const std::string& key = out.key;
  std::optional<std::uint32_t> own_pk;
  if (!key.empty() && !listed) x.pk_by_hash.prefetch(hash_str(key, kSeedPhonetic));
  out.nicks = listed ? x.tok_nicks[*listed] : nickname_canonicals(text, key);
  for (std::string_view canon : out.nicks) x.nicks.prefetch(hash_str(canon, kSeedNick));
  if (!key.empty()) own_pk = listed ? std::optional<std::uint32_t>(x.tok[*listed].pk) : x.find_pk(key);
  if (own_pk) {
    if (x.common_pk(*own_pk)) {
      out.common.push_back(*own_pk);
    } else {
      for (std::uint32_t t : x.pk_members.find(*own_pk)) tids.push_back(t);
    }
  }
  deletions.finish(x, tids);
  for (std::string_view canon : out.nicks) {
    for (std::uint32_t t : x.nicks.find(hash_str(canon, kSeedNick))) tids.push_back(t);
  }
  std::sort(tids.begin(), tids.end());
  tids.erase(std::unique(tids.begin(), tids.end()), tids.end());
  // What comparing a neighbour reads (its class and group, its text, its key's text, its
  // nicknames, where its postings are) is in large tables at random: each link is fetched for every
  // neighbour at once, so the misses overlap instead of running one neighbour after another.
  for (std::uint32_t t : tids) {
    __builtin_prefetch(&x.tok[t]);
    __builtin_prefetch(&x.tok_off[t]);
    __builtin_prefetch(&x.tok_nicks[t]);
    __builtin_prefetch(&x.post_off[t]);
  }
  for (std::uint32_t t : tids) {
    __builtin_prefetch(x.tok_pool.data() + x.tok_off[t]);
    __builtin_prefetch(&x.pk_off[x.tok[t].pk]);
  }
  for (std::uint32_t t : tids) {
    __builtin_prefetch(x.pk_pool.data() + x.pk_off[x.tok[t].pk]);
    if (!x.tok_nicks[t].empty()) __builtin_prefetch(x.tok_nicks[t].data());
  }
  for (std::uint32_t t : tids) {
    if (x.tok[t].cls != TokenClass::kNormal) continue;
    if (own_pk && x.tok[t].pk == *own_pk && x.common_pk(*own_pk) && t != exact) continue;  // compared lazily
    // With both tokens' nickname lists at hand: the nickname table is not looked up again.
    const TokenSimilarity s =
        compare_tokens(text, key, out.nicks, x.tok_text(t), x.tok_key(t), x.tok_nicks[t], /*check_nicknames=*/true, -1);
    if (s.score <= 0) continue;
    out.variants.push_back(
        Variant{t, static_cast<float>(s.score), x.post_off[t], x.post_off[t + 1], how_index(s.how), x.tok[t].common,
                static_cast<std::int8_t>(first_letter(x.tok_text(t)))});
  }
  if (out.variants.size() > kMaxVariants) {
    std::nth_element(out.variants.begin(), out.variants.begin() + kMaxVariants, out.variants.end(),
                     [](const Variant& a, const Variant& b) { return a.sim > b.sim; });
    out.variants.resize(kMaxVariants);
  }
  std::sort(out.variants.begin(), out.variants.end(), [](const Variant& a, const Variant& b) { return a.tid < b.tid; });
  for (const auto& v : out.variants) {
    const std::uint32_t pk = x.tok[v.tid].pk;
    if (x.common_pk(pk) && std::find(out.common.begin(), out.common.end(), pk) == out.common.end()) {
      out.common.push_back(pk);
    }
  }
}

// A listed token as the bounds and the scorer see it: what its name's run holds of it.
struct ListedToken {
  std::uint32_t tid;
  std::uint32_t pk;
  TokenClass cls;
  int first;  // letter_index of its first byte (-1: none)
  std::string_view text;
};

// Whether outside_neighbourhood_sim compares the two at all (else they are unmatched at once):
// `same_group` says the listed token is in one of the query token's common groups (qt.common).
bool may_compare(const QueryToken& qt, const ListedToken& l, bool same_group) {
  const bool initial = qt.cls == TokenClass::kInitial || l.cls == TokenClass::kInitial;
  return initial || same_group || (!qt.text.empty() && !l.text.empty() && qt.text[0] == l.text[0]);
}
// The pair's key in the per-thread pair cache.
std::uint64_t pair_key(const QueryToken& qt, std::uint32_t tid) {
  return mix64(qt.id ^ (static_cast<std::uint64_t>(tid) * 0x9e3779b97f4a7c15ULL)) | 1U;
}

// Similarity of query token i and a listed token that is not in the token's retrieval
// neighbourhood: initials, the members of a common phonetic group (not listed one by one), and
// tokens more than one edit apart that start alike, through compare_tokens; anything else is
// unmatched. The string comparisons are kept in the per-thread pair cache across queries.
// `same_group`: as for may_compare.
TokenSimilarity outside_neighbourhood_sim(const MatchIndex::Impl& x, Scratch& s, const QueryToken& qt,
                                          const ListedToken& l, bool same_group) {
  const std::string_view text = l.text;
  const bool initial = qt.cls == TokenClass::kInitial || l.cls == TokenClass::kInitial;
  if (!may_compare(qt, l, same_group)) return {0, "unmatched"};
  // compare_tokens reports anything below 0.75 as unmatched, and only three things raise a lower
  // Jaro-Winkler score: equal phonetic keys (the query token's own group), nicknames (in the
  // neighbourhood, so looked at only for members of a common group, which are not) and an
  // article written on. So only initials and the members of the query token's own common group
  // skip the Jaro-Winkler screen; a member of another common group in qt.common (the group of
  // one of its variants) passes it when the score is high enough or one of the last two applies.
  // The letter-count bound (quick_token's) turns most pairs away before Jaro-Winkler is computed,
  // and before the pair cache is read: a probe there costs more than the bound.
  const bool own_group = same_group && l.pk == qt.pk;
  const bool screened = !initial && !own_group;
  bool below = screened && jaro_winkler_bound(qt.text, qt.letters, text) < 0.75;
  if (below && !same_group) return {0, "unmatched"};
  const std::uint64_t key = pair_key(qt, l.tid);
  PairMemo& memo = s.pair_cache[key & (kPairCacheSlots - 1)];
  if (memo.key == key && memo.tid == l.tid && memo.qid == qt.id) return memo.sim;
  double jw = -1.0;
  if (screened && !below) {
    jw = jaro_winkler(qt.text, text);
    below = jw < 0.75;
  }
  TokenSimilarity r;
  if (below &&
      !(same_group && (article_variants(qt.text, text) ||
                       (!qt.nicks.empty() && share_nickname(qt.nicks, x.tok_nicks[l.tid]))))) {
    r = {0, "unmatched"};
  } else {
    // Every nickname pair is in the neighbourhood, except the members of a common phonetic group
    // (compared here) and when the neighbourhood was cut to its size cap. The listed token's key
    // and nickname list are dictionary reads (cache misses at 1M), taken only when they can
    // matter: its key equals the query token's exactly when it is in the query token's group
    // (find_pk), and without nicknames of its own the query token shares none.
    const std::string_view l_key = l.pk == qt.pk ? std::string_view(qt.key) : std::string_view();
    const std::span<const std::string_view> l_nicks =
        qt.nicks.empty() ? std::span<const std::string_view>() : x.tok_nicks[l.tid];
    r = compare_tokens(qt.text, qt.key, qt.nicks, text, l_key, l_nicks, same_group || qt.variants.size() >= kMaxVariants,
                       jw);
  }
  memo = PairMemo{key, qt.id, l.tid, r};
  return r;
}

// The slot of listed token `tid` for the current query (a fresh one knows nothing).
TidSlot& token_slot(Scratch& s, std::uint32_t tid) { return s.tok_tab.upsert(tid); }

// Its row of similarities, one per query token, unknown (negative) until computed.
std::uint32_t token_row(Scratch& s, std::size_t nq, TidSlot& slot) {
  if (slot.row == UINT32_MAX) {
    slot.row = static_cast<std::uint32_t>(s.sims_used);
    if (s.sims.size() < s.sims_used + nq) s.sims.resize(std::max<std::size_t>(s.sims.size() * 2, 1024));
    for (std::size_t i = 0; i < nq; ++i) s.sims[s.sims_used + i].score = -1.0;
    s.sims_used += nq;
  }
  return slot.row;
}

// The slot of a listed token with its similarity to every query token (neighbourhood similarities
// were filled in when the query was prepared; the others are computed here, once per query).
// `slot` is the token's (token_slot); resolve_token finds it.
const TidSlot& resolve_slot(const MatchIndex::Impl& x, Scratch& s, TidSlot& slot, const ListedToken& l) {
  const std::size_t nq = s.qtokens.size();
  if (slot.state == TidSlot::kResolved) return slot;
  const std::uint32_t row = token_row(s, nq, slot);
  slot.state = TidSlot::kResolved;
  // The query tokens whose common groups hold it, from one probe instead of a scan of each
  // token's groups.
  const GroupSlot* group = s.common_tab.find(l.pk);
  const std::uint32_t in_groups = group ? group->mask : 0;
  std::uint32_t mask = 0;  // recomputed over every query token: the neighbourhood's are among them
  float best = 0;
  for (std::size_t i = 0; i < nq; ++i) {
    TokenSimilarity& ts = s.sims[row + i];
    if (ts.score < 0) ts = outside_neighbourhood_sim(x, s, s.qtokens[i], l, (in_groups >> i) & 1U);
    if (ts.score > 0 && s.qtokens[i].cls == TokenClass::kNormal) {
      mask |= 1U << i;
      best = std::max(best, static_cast<float>(ts.score));
    }
  }
  slot.mask = mask;
  slot.sim = best;
  return slot;
}
const TidSlot& resolve_token(const MatchIndex::Impl& x, Scratch& s, const ListedToken& l) {
  return resolve_slot(x, s, token_slot(s, l.tid), l);
}

// An upper bound of a listed token's similarity to each strong query token without comparing
// strings beyond the letter counts: the neighbourhood similarities, 1 for a member of a query
// token's common phonetic group, and for a token that starts like a query token the Jaro-Winkler
// bound or the nickname, article or strong phonetic score compare_tokens may give. Once per query
// and token; it reads only the name's run and query-sized tables. `slot` is the token's (token_slot).
const TidSlot& quick_token(Scratch& s, TidSlot& slot, const ListedToken& l,
                           const std::array<std::uint32_t, 36>& by_first_letter) {
  if (slot.state != TidSlot::kNeighbourhood) return slot;
  bool added = false;
  if (const GroupSlot* m = s.common_tab.find(l.pk); m && m->mask != 0) {
    slot.mask |= m->mask;
    slot.sim = 1.0F;
    added = true;
  }
  if (const int first = l.first; first >= 0) {
    for (std::uint32_t jw = by_first_letter[static_cast<std::size_t>(first)] & ~slot.mask; jw != 0; jw &= jw - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(jw));
      const QueryToken& qt = s.qtokens[i];
      const double b = jaro_winkler_bound(qt.text, qt.letters, l.text);
      if (b < 0.75) continue;
      slot.mask |= 1U << i;
      slot.sim = std::max(slot.sim, static_cast<float>(std::max(b, l.pk == qt.pk ? 0.95 : 0.9)));
      added = true;
    }
  }
  // A strong query token outside the mask cannot meet it (compare_tokens needs the same group or
  // a Jaro-Winkler bound of 0.75), and the neighbourhood's similarities are exact: with nothing
  // added, resolve_token would find the same mask and best similarity, so the exact bound takes
  // them as they are.
  slot.state = added ? TidSlot::kQuick : TidSlot::kQuickExact;
  return slot;
}

// Where the query keeps what it works out for a candidate's form: a slot of the form table, found
// once per candidate, or kLoneForm for a name alone with its tokens (no table probe).
constexpr std::uint16_t kLoneForm = UINT16_MAX;
static_assert(kFormSlots <= kLoneForm);
std::uint16_t form_position(Scratch& s, const MatchIndex::Impl::NameSummary& sum) {
  if (!sum.shared) return kLoneForm;
  return static_cast<std::uint16_t>(s.forms.upsert_position(form_key(sum.tok_begin, static_cast<std::uint8_t>(sum.type_alias))));
}
// The slot at a form_position: a lone form gets a fresh one.
FormSlot& form_slot(Scratch& s, std::uint16_t position) {
  if (position == kLoneForm) {
    s.lone_form = FormSlot{};
    return s.lone_form;
  }
  return s.forms.slot(position);
}

// Where the similarities of each of a name's listed tokens to the query tokens are (rows of
// Scratch::sims, resolved once per token), so score_tokens, which asks for every pair, reads them
// without a table probe per pair. Weak tokens take no part and get no row.
using ListedRows = std::array<std::uint32_t, kMaxListedTokens>;
void listed_rows(const MatchIndex::Impl& x, Scratch& s, std::span<const ScoreToken> l, ListedRows& rows) {
  for (std::size_t j = 0; j < l.size() && j < kMaxListedTokens; ++j) {
    if (l[j].cls == TokenClass::kWeak) continue;
    rows[j] = resolve_token(x, s, ListedToken{l[j].tid, l[j].pk, l[j].cls, first_letter(l[j].text), l[j].text}).row;
  }
}

// The listed tokens of a name, as the scorer takes them.
void listed_score_tokens(const MatchIndex::Impl& x, std::uint32_t tok_begin, std::uint32_t tok_count,
                         std::vector<ScoreToken>& out) {
  const MatchIndex::Impl::NameTok* run = x.name_toks.data() + tok_begin;
  out.resize(tok_count);
  for (std::uint32_t k = 0; k < tok_count; ++k) {
    out[k] = ScoreToken{x.run_text(run, k), run[k].cls(), run[k].weight, run[k].tid, run[k].pk};
  }
}

// Quick: from what the query knows without comparing (neighbourhood similarities, 1 for a member
// of a query token's common phonetic group, the Jaro-Winkler bound, at least the nickname and
// Arabic article score, for a token that starts like a query token); exact: every listed token
// resolved (resolve_token), the similarities the scorer will use. Both are upper bounds of the
// final score (corroboration included); the exact one is the tighter, and costs string
// comparisons, so it runs only on candidates the quick bound lets through.
enum class BoundKind { kQuick, kExact };

// The most (num + a's) / (den + b's) can be over subsets of items[0, np) (every b > 0), capped at 1:
// the items in order of a/b, and the best prefix. A den of 0 or less (listed initials can lower
// it) counts as a ratio of 1 when there is anything in the numerator.
double best_ratio(double num, double den, std::array<BoundItem, kMaxListedTokens>& items, std::size_t np) {
  // Insertion sort: two items on average (a call of std::sort costs more than the sorting).
  for (std::size_t k = 1; k < np; ++k) {
    const BoundItem v = items[k];
    std::size_t j = k;
    for (; j > 0 && v.a * items[j - 1].b > items[j - 1].a * v.b; --j) items[j] = items[j - 1];
    items[j] = v;
  }
  double base = den > 0 ? num / den : (num > 0 ? 1.0 : 0.0);
  for (std::size_t k = 0; k < np; ++k) {
    num += items[k].a;
    den += items[k].b;
    if (den > 0) base = std::max(base, num / den);
  }
  return std::min(base, 1.0);
}

// The bound of a candidate's name score plus `gain`, the most corroboration may add (a loss only
// where it applies: cut_gain): kExact returns its value (the caller adds the entry's corroboration
// with with_corroboration, then the scoring order and the early stop use it); kQuick only whether
// it reaches `cut`, which needs no sort and no division (a division's latency sits on the path of
// a branch that goes either way, hundreds of times per query).
template <BoundKind kKind>
std::conditional_t<kKind == BoundKind::kQuick, bool, double> candidate_bound(
    const MatchIndex::Impl& x, Scratch& s, const MatchIndex::Impl::NameSummary& rec, std::size_t n_strong,
    std::uint32_t initial_mask, const QueryMasks& masks, const std::array<std::uint32_t, 36>& by_first_letter,
    double gain, double cut) {
  std::array<BoundItem, kMaxListedTokens> items;
  std::size_t ni = 0;
  std::uint32_t may_q = initial_mask;
  double den0 = 0, num0 = 0;
  double best_sim = 0, best_w = 0, listed_evidence = 0;
  const MatchIndex::Impl::NameTok* run = x.name_toks.data() + rec.tok_begin;
  const std::uint32_t l_end = std::min<std::uint32_t>(rec.tok_count, kMaxListedTokens);
  for (std::uint32_t k = 0; k < l_end; ++k) {
    const MatchIndex::Impl::NameTok& nt = run[k];
    const TokenClass cls = nt.cls();
    if (cls == TokenClass::kWeak) continue;
    const double f = (k == 0 || k + 1 == l_end) ? kUnmatchedListedPenalty : kUnmatchedMiddlePenalty;
    const double w = nt.weight;
    const ListedToken l{nt.tid, nt.pk, cls, nt.first(), x.run_text(run, k)};
    if (cls == TokenClass::kInitial) {
      // A listed initial may meet a strong query token with its letter (0.6, a quarter of the
      // weight), which is then not unmatched.
      if (l.first >= 0) may_q |= by_first_letter[static_cast<std::size_t>(l.first)];
      den0 += f * 0.25 * w;
      items[ni++] = BoundItem{0.6 * 0.25 * w, (1.0 - f) * 0.25 * w};
      continue;
    }
    den0 += f * w;
    const TidSlot* slotp;
    if constexpr (kKind == BoundKind::kQuick) {
      const std::uint32_t pos = s.tok_tab.upsert_position(nt.tid);
      s.bound_pos[k] = pos;
      slotp = &quick_token(s, s.tok_tab.slot(pos), l, by_first_letter);
    } else {
      // The quick bound of this candidate ran just before, so the slot is where it found it,
      // unless a later token of the candidate grew the table (which moves the slots).
      TidSlot& at = s.tok_tab.slot(s.bound_pos[k]);
      TidSlot& slot = at.key == nt.tid ? at : token_slot(s, nt.tid);
      slotp = slot.state == TidSlot::kQuickExact ? &slot : &resolve_slot(x, s, slot, l);
    }
    const TidSlot& slot = *slotp;
    const std::uint32_t meets = slot.mask;
    const double sim = slot.sim;
    may_q |= meets;
    if (meets != 0) {
      best_sim = std::max(best_sim, sim);
      best_w = std::max(best_w, w);
      listed_evidence += sim * w;
      // A query initial standing for it adds less and costs less: take the most of each.
      items[ni++] = initial_mask != 0 ? BoundItem{sim * w, (0.25 - f) * w} : BoundItem{sim * w, (1.0 - f) * w};
    } else if (initial_mask != 0) {
      items[ni++] = BoundItem{0.6 * 0.25 * w, (0.25 - f) * w};
    }
  }
  if (best_w == 0) {  // no strong listed token can meet: no name score
    if constexpr (kKind == BoundKind::kQuick) {
      return 0.0 >= cut;
    } else {
      return 0.0;
    }
  }
  const double query_evidence = masks.strong_weight_inside(may_q);
  den0 += masks.cost_outside(may_q);
  // The best subset: every item that lowers the denominator, then the others in order of a/b.
  std::size_t np = 0;
  for (std::size_t k = 0; k < ni; ++k) {
    if (items[k].b <= 0) {
      num0 += items[k].a;
      den0 += items[k].b;
    } else {
      items[np++] = items[k];
    }
  }
  double penalty = 0;
  if (n_strong == 1 || rec.strong_count == 1) {
    penalty = kShortNameBase + (1.0 - best_sim) + kShortNameCommon * (1.0 - best_w);
  } else {
    const double evidence = std::min(listed_evidence, query_evidence);
    if (evidence < kMinEvidence) penalty = kCommonNamePenalty * (kMinEvidence - evidence);
  }
  if (rec.type_alias & 1U) penalty += kWeakAliasPenalty;
  if constexpr (kKind == BoundKind::kQuick) {
    // The bound reaches cut when the best ratio reaches r. With den0 > 0 (every b is), some subset
    // S has (num0 + sum a) / (den0 + sum b) >= r exactly when num0 - r den0 + sum (a - r b) >= 0
    // for S = the items with a - r b > 0: no order needed.
    const double r = cut + penalty - gain;
    if (den0 <= 0) return best_ratio(num0, den0, items, np) >= r;
    if (r > 1.0) return false;  // the ratio is capped at 1
    double room = num0 - r * den0;
    for (std::size_t k = 0; k < np; ++k) room += std::max(0.0, items[k].a - r * items[k].b);
    return room >= 0;
  } else {
    return best_ratio(num0, den0, items, np) - penalty + gain;
  }
}

// A candidate's run (its token records and their texts: one or two cache lines; texts average
// about half a record per token), fetched ahead of the bound that reads it first. Inlined:
// GCC finds a function of prefetches alone free of effects and drops the calls to it.
[[gnu::always_inline]] inline void prefetch_run(const MatchIndex::Impl& x, const MatchIndex::Impl::NameSummary& sum) {
  const MatchIndex::Impl::NameTok* toks = x.name_toks.data() + sum.tok_begin;
  __builtin_prefetch(toks);
  __builtin_prefetch(toks + sum.tok_count + sum.tok_count / 2);
}

// The candidates are written where the bounds read them (Scratch::cands), so they are not copied
// out of the table afterwards. Inlined: it runs for most postings read, hundreds per query, and
// GCC left it a call.
[[gnu::always_inline]] inline void add_candidate(Scratch& s, std::uint32_t name, std::uint16_t bits,
                                                 const MatchIndex::Impl::NameSummary* sum, std::uint16_t members = 1) {
  const std::size_t mask = s.table_mask;
  const std::uint32_t key = name + 1;
  std::size_t pos = id_slot(name, mask + 1);
  while (true) {
    Scratch::CandSlot& c = s.table[pos];
    if (c.key == 0) {
      if (s.cands.size() * 2 > mask) return;  // half full: the work cap was reached
      c = Scratch::CandSlot{key, static_cast<std::uint32_t>(s.cands.size())};
      s.cands.push_back(Candidate{name, bits, members, sum});
      return;
    }
    if (c.key == key) {
      s.cands[c.at].bits |= bits;
      return;
    }
    pos = (pos + 1) & mask;
  }
}

// Empties the slots in use, in one pass of stores: the table has two to four slots per posting
// read, so this costs about what emptying each used slot would, without keeping a list of them.
// memset, as std::fill_n of a slot (a struct) compiled to one 8-byte store per slot.
void clear_candidates_table(Scratch& s) {
  static_assert(std::is_trivially_copyable_v<Scratch::CandSlot>);
  std::memset(s.table.data(), 0, (s.table_mask + 1) * sizeof(Scratch::CandSlot));
}

}  // namespace

#if CROSSCHECK_MATCH_AB
namespace {
std::atomic<bool> g_match_variant_b{false};
// Whether the change under test takes its new path; put it in the condition, e.g.
// `if (variant_b()) { new } else { old }`, and remove it with the old path once measured.
[[maybe_unused]] inline bool variant_b() { return g_match_variant_b.load(std::memory_order_relaxed); }
}  // namespace
void set_match_variant_b(bool on) { g_match_variant_b.store(on, std::memory_order_relaxed); }
bool match_variant_b_honoured() { return true; }
#else
namespace {
[[maybe_unused]] constexpr bool variant_b() { return false; }
}  // namespace
void set_match_variant_b(bool /*on*/) {}
bool match_variant_b_honoured() { return false; }
#endif

namespace {
// Adds the CPU cycles since the previous mark to a phase of MatchStats::phase_cycles. Compiled
// to nothing unless CROSSCHECK_MATCH_PHASES is set (the CMake option), so production builds pay
// nothing; the cycle counter is x86's (elsewhere the counts stay 0).
class PhaseClock {
 public:
  explicit PhaseClock(MatchStats& stats) : stats_(stats), last_(now()) {}
  void mark(MatchPhase phase) {
#if CROSSCHECK_MATCH_PHASES
    const std::uint64_t t = now();
    stats_.phase_cycles[static_cast<std::size_t>(phase)] += t - last_;
    last_ = t;
#else
    (void)phase;
#endif
  }

 private:
  static std::uint64_t now() {
#if CROSSCHECK_MATCH_PHASES && (defined(__x86_64__) || defined(__i386__))
    return __rdtsc();
#else
    return 0;
#endif
  }
  [[maybe_unused]] MatchStats& stats_;
  [[maybe_unused]] std::uint64_t last_;
};
}  // namespace

void MatchIndex::match(const MatchQuery& query, std::vector<MatchHit>& out,
                       std::optional<double> threshold_override) const {
  const Impl& x = *impl_;
  Scratch& s = t_scratch;
  MatchStats& stats = t_stats;
  stats = MatchStats{};
  PhaseClock clock(stats);
  if (s.index_serial != x.serial) {
    s.variant_cache.clear();
    s.index_serial = x.serial;
    s.pair_cache.assign(kPairCacheSlots, PairMemo{});
  }
  s.best.clear();

  auto best_for = [&](std::uint32_t gentry) -> EntryBest* {
    for (auto& b : s.best) {
      if (b.gentry == gentry) return &b;
    }
    return nullptr;
  };
  auto entry_type_ok = [&](std::uint32_t gentry) { return type_compatible(query.type, x.entries[gentry].type); };

  // 1. Identifiers.
  struct IdCheck {
    std::string_view value;
    std::uint64_t seed;
    MatchKind kind;
  };
  const IdCheck checks[] = {{query.document_number, kSeedDoc, MatchKind::kDocument},
                            {query.iban, kSeedIban, MatchKind::kIban},
                            {query.bic, kSeedBic, MatchKind::kBic},
                            {query.imo, kSeedImo, MatchKind::kImo},
                            {query.crypto_address, kSeedCrypto, MatchKind::kCryptoAddress}};
  for (const auto& c : checks) {
    if (c.value.empty()) continue;
    std::string norm;
    switch (c.kind) {
      case MatchKind::kDocument: norm = normalize_document(c.value); break;
      case MatchKind::kIban: norm = normalize_iban(c.value); break;
      case MatchKind::kBic: norm = norm_bic(c.value); break;
      case MatchKind::kImo: norm = normalize_imo(c.value); break;
      case MatchKind::kCryptoAddress: norm = norm_crypto(c.value); break;
      case MatchKind::kName: break;
    }
    if (norm.empty()) continue;
    for (std::uint32_t gentry : x.ids.find(hash_str(norm, c.seed))) {
      // Verify against the entry (the map holds hashes) and, for documents, the subject type.
      const auto list_it = std::upper_bound(x.entry_base.begin(), x.entry_base.end(), gentry) - 1;
      const auto li = static_cast<std::uint32_t>(list_it - x.entry_base.begin());
      const WatchlistEntry& e = lists_[li].entries[gentry - *list_it];
      bool equal = false;
      switch (c.kind) {
        case MatchKind::kDocument:
          equal = entry_type_ok(gentry) && std::any_of(e.documents.begin(), e.documents.end(), [&](const auto& d) {
                    return normalize_document(d.number) == norm;
                  });
          break;
        case MatchKind::kIban:
          equal = std::any_of(e.ibans.begin(), e.ibans.end(), [&](const auto& v) { return normalize_iban(v) == norm; });
          break;
        case MatchKind::kBic:
          equal = std::any_of(e.bics.begin(), e.bics.end(), [&](const auto& v) { return norm_bic(v) == norm; });
          break;
        case MatchKind::kImo: equal = normalize_imo(e.imo) == norm; break;
        case MatchKind::kCryptoAddress:
          equal = std::any_of(e.crypto_addresses.begin(), e.crypto_addresses.end(),
                              [&](const auto& v) { return norm_crypto(v.address) == norm; });
          break;
        case MatchKind::kName: break;
      }
      if (!equal) continue;
      if (EntryBest* b = best_for(gentry)) {
        b->matched_on |= static_cast<std::uint8_t>(c.kind);
      } else {
        s.best.push_back(EntryBest{gentry, UINT32_MAX, 1.0, 0, static_cast<std::uint8_t>(c.kind)});
      }
    }
  }
  const std::size_t id_hits = s.best.size();

  // Corroboration: what the query's other fields add to or take from a name score.
  std::optional<DateSpec> q_dob = query.date_of_birth.empty() ? std::nullopt : parse_date_spec(query.date_of_birth);
  const std::string q_nat = country_code(query.nationality);
  const std::string q_country = country_code(query.country);
  const std::uint8_t q_gender = gender_code(query.gender);

  auto corroborate = [&](const EntryInfo& e, std::vector<FeatureContribution>* features) {
    double gain = 0;
    if (q_dob && !e.dobs.empty()) {
      double best = -1;
      const char* why = "";
      for (const auto& d : e.dobs) {
        auto [v, w] = compare_dates(*q_dob, d);
        if (v > best) {
          best = v;
          why = w;
        }
      }
      gain += best;
      if (features) features->push_back({"date_of_birth", best, why});
    }
    if (!q_nat.empty() && !e.nationalities.empty()) {
      const bool same = std::find(e.nationalities.begin(), e.nationalities.end(), q_nat) != e.nationalities.end();
      gain += same ? 0.03 : -0.03;
      if (features) {
        features->push_back({"nationality", same ? 0.03 : -0.03, same ? "a listed nationality" : "not a listed nationality"});
      }
    }
    if (q_gender != 0 && e.gender != 0) {
      const bool same = q_gender == e.gender;
      gain += same ? 0.01 : -0.10;
      if (features) features->push_back({"gender", same ? 0.01 : -0.10, same ? "same gender" : "different gender"});
    }
    if (!q_country.empty() && !e.countries.empty()) {
      const bool same = std::find(e.countries.begin(), e.countries.end(), q_country) != e.countries.end();
      gain += same ? 0.03 : -0.02;
      if (features) features->push_back({"country", same ? 0.03 : -0.02, same ? "a listed country" : "not a listed country"});
    }
    return std::min(gain, kMaxCorroborationGain);
  };

  // The most corroboration can add for this query (each field's best case, capped): a query with
  // a name alone gets nothing, so its bound need not allow for any.
  const double max_gain = std::min(kMaxCorroborationGain, (q_dob ? 0.06 : 0.0) + (q_nat.empty() ? 0.0 : 0.03) +
                                                              (q_gender != 0 ? 0.01 : 0.0) +
                                                              (q_country.empty() ? 0.0 : 0.03));
  // The same per candidate, from its entry's facts (corroboration_bound).
  QueryFacts qf;
  qf.dob = q_dob;
  qf.nationality = !q_nat.empty();
  auto place_of = [&](const std::string& code) -> std::uint32_t {
    const auto it = x.code_places.find(code);
    return it == x.code_places.end() ? 0 : it->second;
  };
  if (qf.nationality) qf.nationality_place = place_of(q_nat);
  qf.gender = q_gender;
  qf.country = !q_country.empty();
  if (qf.country) qf.country_place = place_of(q_country);
  const bool with_facts = qf.any();
  // The score a name reaches with corroboration, as the hits are ranked.
  auto final_name_score = [&](const NameScore& ns, std::uint32_t gentry) {
    const double corr = ns.score >= kCorroborationFloor ? corroborate(x.entries[gentry], nullptr) : 0.0;
    return std::clamp(ns.score + corr, 0.0, kMaxNameBasedScore);
  };

  clock.mark(MatchPhase::kIdentifiers);
  // 2. Names.
  normalize_for_matching(query.name.substr(0, std::min(query.name.size(), kMaxNameBytes)), s.norm);
  s.qtokens.resize(kMaxQueryTokens);
  std::size_t nq = 0, n_strong = 0;
  for (const auto& t : s.norm.tokens) {
    if (t.cls == TokenClass::kWeak) continue;
    if (nq == kMaxQueryTokens) break;
    QueryToken& qt = s.qtokens[nq++];
    qt.text = t.text;
    qt.cls = t.cls;
    n_strong += t.cls == TokenClass::kNormal;
  }
  s.qtokens.resize(nq);
  // The query tokens view cache entries: make room before the first look-up, not during them.
  if (s.variant_cache.size() + kMaxQueryTokens > kVariantCacheMax) s.variant_cache.clear();
  if (n_strong > 0) {
    // A query token's dictionary look-up is a chain of random reads in large tables: its hash
    // slot, the slot's values, the token's records, then its text, key and neighbourhood. Each
    // link is fetched for every query token at once, so the chains of the tokens overlap instead
    // of running one after another.
    std::array<std::uint64_t, kMaxQueryTokens> text_hash{};
    std::array<std::span<const std::uint32_t>, kMaxQueryTokens> found{};
    for (std::size_t i = 0; i < nq; ++i) {
      text_hash[i] = hash_str(s.qtokens[i].text, kSeedToken);
      x.tok_by_hash.prefetch(text_hash[i]);
    }
    for (std::size_t i = 0; i < nq; ++i) {
      found[i] = x.tok_by_hash.find(text_hash[i]);
      if (!found[i].empty()) __builtin_prefetch(found[i].data());
    }
    for (std::size_t i = 0; i < nq; ++i) {
      for (std::uint32_t tid : found[i]) {
        __builtin_prefetch(&x.tok_off[tid]);
        __builtin_prefetch(&x.tok[tid]);
        __builtin_prefetch(&x.tok_nicks[tid]);
        __builtin_prefetch(&x.nb_off[tid]);
        __builtin_prefetch(&x.nbc_off[tid]);
      }
    }
    for (std::size_t i = 0; i < nq; ++i) {
      for (std::uint32_t tid : found[i]) {
        __builtin_prefetch(x.tok_pool.data() + x.tok_off[tid]);
        __builtin_prefetch(&x.pk_off[x.tok[tid].pk]);
        __builtin_prefetch(x.nb.data() + x.nb_off[tid]);
        __builtin_prefetch(x.nb_common.data() + x.nbc_off[tid]);
      }
    }
    for (auto& qt : s.qtokens) {
      qt.variants = {};
      qt.common = {};
      qt.nicks = {};
      qt.pk = UINT32_MAX;
      const std::optional<std::uint32_t> tid = x.find_token(qt.text);
      // What the pair cache knows the token by: everything it is compared with depends on its text.
      qt.id = tid ? static_cast<std::uint64_t>(*tid) + 1 : (hash_str(qt.text, kSeedToken) | (1ULL << 63));
      if (qt.cls != TokenClass::kNormal) {
        qt.weight = 0.25;
        qt.key_store = phonetic_key(qt.text);
        qt.key = qt.key_store;
        continue;
      }
      if (tid && x.tok[*tid].cls == TokenClass::kNormal) {
        qt.nicks = x.tok_nicks[*tid];
        qt.key = x.tok_key(*tid);
        qt.variants = {x.nb.data() + x.nb_off[*tid], x.nb.data() + x.nb_off[*tid + 1]};
        qt.common = {x.nb_common.data() + x.nbc_off[*tid], x.nb_common.data() + x.nbc_off[*tid + 1]};
      } else {
        auto it = s.variant_cache.find(qt.text);
        if (it == s.variant_cache.end()) {
          it = s.variant_cache.emplace(qt.text, CachedVariants{}).first;
          find_variants(x, qt.text, it->second, s.tmp_tids);
        }
        qt.key = it->second.key;
        qt.variants = it->second.variants;
        qt.common = it->second.common;
        qt.nicks = it->second.nicks;
      }
      // The phonetic group of its key: a listed token's own (the group of the same key), else
      // looked up.
      if (!qt.key.empty()) {
        if (tid) {
          qt.pk = x.tok[*tid].pk;
        } else if (auto pk = x.find_pk(qt.key)) {
          qt.pk = *pk;
        }
      }
      // An unmatched query token weighs what the list says about it, or 1 when the list does not
      // know it (a rare token, as far as this list can tell).
      qt.weight = builtin_weight(qt.text);
      if (tid) {
        qt.weight = std::min<double>(qt.weight, x.tok[*tid].weight);
      } else if (!qt.variants.empty()) {
        float w = 0;
        for (const auto& v : qt.variants) w = std::max(w, x.tok[v.tid].weight);
        qt.weight = std::min<double>(qt.weight, w);
      }
    }

    clock.mark(MatchPhase::kQueryTokens);
    // Retrieval: postings of the rare variants of each token, pairs of common groups across two
    // tokens, and one-token names of a common group for one-token queries. The sources are
    // gathered first so the accumulation table can be sized once.
    s.sources.clear();
    std::size_t total = 0;
    // Each source starts somewhere at random and most hold a few postings: the lines of its first
    // 16 postings are fetched as it is found, so those misses overlap with the look-ups that find
    // the next sources instead of waiting until the postings are read.
    auto add_source = [&](std::span<const Impl::NameSummary> names, std::uint16_t bits) __attribute__((always_inline)) {
      if (names.empty()) return;
      s.sources.push_back({names, bits});
      total += names.size();
      const char* first = reinterpret_cast<const char*>(names.data());
      const char* end = reinterpret_cast<const char*>(names.data() + std::min<std::size_t>(names.size(), 16));
      for (const char* p = first; p < end; p += 64) __builtin_prefetch(p);
      __builtin_prefetch(end - 1);
    };
    // The common groups' first letters, read below, are scattered: fetched all at once.
    for (std::size_t i = 0; i < nq; ++i) {
      for (std::uint32_t pk : s.qtokens[i].common) __builtin_prefetch(&x.pk_first_letters[pk]);
    }
    for (std::size_t i = 0; i < nq; ++i) {
      const auto bit = static_cast<std::uint16_t>(1U << i);
      for (const auto& v : s.qtokens[i].variants) {
        if (v.common) continue;
        add_source({x.sums.data() + v.post_begin, v.post_end - v.post_begin}, bit);
      }
      if (n_strong == 1) {
        for (std::uint32_t pk : s.qtokens[i].common) {
          const auto names = x.singles.find(pk);
          if (!names.empty()) {
            add_source({x.sums.data() + x.single_base + (names.data() - x.singles.values().data()), names.size()}, bit);
          }
        }
      }
    }
    // The pair look-ups land at random in a large table, and about three in four find nothing:
    // the pairs are listed with their filter words fetched, the filter drops most of the empty
    // ones, and the slots of the rest are fetched all at once before they are read.
    s.pair_keys.clear();
    for (std::size_t i = 0; i < nq; ++i) {
      for (std::size_t j = i + 1; j < nq; ++j) {
        const auto bits = static_cast<std::uint16_t>((1U << i) | (1U << j));
        for (std::uint32_t a : s.qtokens[i].common) {
          for (std::uint32_t b : s.qtokens[j].common) {
            const std::uint64_t lo = std::min(a, b), hi = std::max(a, b);
            s.pair_keys.push_back({(lo << 32) | hi, bits});
            x.pairs.prefetch_filter(s.pair_keys.back().key);
          }
        }
      }
    }
    std::size_t maybe = 0;
    for (const auto& pk : s.pair_keys) {
      if (!x.pairs.may_contain(pk.key)) continue;
      x.pairs.prefetch(pk.key);
      s.pair_keys[maybe++] = pk;
    }
    for (std::size_t k = 0; k < maybe; ++k) {
      const auto names = x.pairs.find(s.pair_keys[k].key);
      if (!names.empty()) {
        add_source({x.sums.data() + x.pair_base + (names.data() - x.pairs.values().data()), names.size()},
                   s.pair_keys[k].bits);
      }
    }
    // The facts beside the first 16 postings of each source, for a query that reads them.
    if (with_facts) {
      for (const auto& src : s.sources) __builtin_prefetch(x.facts.data() + (src.names.data() - x.sums.data()));
    }
    // Rarest sources first, so that the work cap, when reached, drops the least telling postings.
    // Below the cap every posting is read whatever the order (the candidates and their marks are
    // the same), so most queries skip the sort.
    if (total > kMaxPostingsRead) {
      std::sort(s.sources.begin(), s.sources.end(),
                [](const Source& a, const Source& b) { return a.names.size() < b.names.size(); });
    }
    clock.mark(MatchPhase::kRetrieval);
    s.qscore.resize(nq);
    double unmatched_cost[kMaxQueryTokens] = {};
    std::uint32_t initial_mask = 0;  // initials meet tokens outside their neighbourhood
    for (std::size_t i = 0; i < nq; ++i) {
      const QueryToken& qt = s.qtokens[i];
      s.qscore[i] = ScoreToken{qt.text, qt.cls, qt.weight};
      const double factor = (i == 0 || i + 1 == nq) ? kUnmatchedQueryPenalty : kUnmatchedMiddlePenalty;
      unmatched_cost[i] = factor * qt.weight * (qt.cls == TokenClass::kInitial ? 0.25 : 1.0);
      if (qt.cls == TokenClass::kInitial) initial_mask |= 1U << i;
    }
    // The neighbourhood similarities are known: listed tokens met by a candidate get the others
    // computed once (resolve_token).
    s.sims_used = 0;
    s.tok_tab.clear();
    s.common_tab.clear();
    std::array<std::uint32_t, 36> by_first_letter{};  // strong query tokens by first letter
    for (std::size_t i = 0; i < nq; ++i) {
      QueryToken& qt = s.qtokens[i];
      for (const auto& v : qt.variants) {
        TidSlot& slot = token_slot(s, v.tid);
        s.sims[token_row(s, nq, slot) + i] = TokenSimilarity{v.sim, kHows[v.how]};
        slot.mask |= 1U << i;
        slot.sim = std::max(slot.sim, v.sim);
      }
      for (std::uint32_t pk : qt.common) s.common_tab.upsert(pk).mask |= 1U << i;
      if (qt.cls == TokenClass::kNormal && !qt.text.empty()) {
        count_letters(qt.text, qt.letters);
        if (const int k = letter_index(qt.text[0]); k >= 0) by_first_letter[static_cast<std::size_t>(k)] |= 1U << i;
      }
    }
    // The lowest threshold any hit could need: candidates whose best possible score stays below it
    // are not scored.
    double min_threshold = options_.default_threshold;
    for (const auto& [id, t] : options_.list_thresholds) min_threshold = std::min(min_threshold, t);
    if (threshold_override) min_threshold = *threshold_override;
    s.scored.clear();
    s.bounded.clear();
    s.forms.clear();
    s.form_scores.clear();
    s.form_pairs.clear();
    // Summary check, before any record of a candidate is read. A listed token can only meet query
    // token i through i's neighbourhood (a rare neighbour put the name in a posting list marked
    // with i; a common one is in i's common groups), a member of one of i's common groups, or by
    // starting with i's letter (Jaro-Winkler, initials). So the query tokens a name may meet are
    // its retrieval bits and those whose letters (their own first letter and their common groups'
    // members' first letters: reach) meet the first letters of the name's tokens; or, without the
    // bits, those whose letters with their rare neighbours' first letters (reach_all) do, as a
    // name retrieved through a rare neighbour of i holds that neighbour. Then the score is at
    // most P / (P + U), P the most the matched tokens of the name can weigh when as many pairs
    // form as can: its heaviest token's weight, plus its next heaviest's for each further pair
    // (the score's numerator and matched weights grow with the listed weights; each listed token
    // meets one query token at most), U the costs of the query tokens it cannot meet and of the
    // strong listed tokens left over (at least 0.15 x its least weight each), less the least
    // short-name or common-name penalty (the evidence is at most P too), plus what corroboration
    // can add for the candidate's entry (cut_gain, from its facts). With the bits, exact only when
    // every posting was read (the bits are complete), so skipped otherwise. A query with at most
    // kMaxCandidates postings (none skipped, no cap) checks each posting with reach_all as it is
    // read instead, so the names turned away never enter the candidate table: most queries. With
    // nothing to corroborate, it checks the names of a form and type once, as one candidate.
    std::array<std::uint32_t, kMaxQueryTokens> reach{}, reach_all{};
    std::array<double, kMaxQueryTokens> strong_weight{};
    std::uint32_t strong_q = 0;
    for (std::size_t i = 0; i < nq; ++i) {
      const QueryToken& qt = s.qtokens[i];
      reach[i] = letter_bit(letter_index(qt.text.empty() ? '\0' : qt.text[0]));
      for (std::uint32_t pk : qt.common) reach[i] |= x.pk_first_letters[pk];
      reach_all[i] = reach[i];
      for (const auto& v : qt.variants) reach_all[i] |= letter_bit(v.first);
      if (qt.cls == TokenClass::kNormal) {
        strong_q |= 1U << i;
        strong_weight[i] = qt.weight;
      }
    }
    s.masks.build({unmatched_cost, nq}, {strong_weight.data(), nq}, strong_q);
    // Once per candidate, hundreds per query: inlined, whatever the compiler's budget says.
    const double cut = min_threshold - kBoundSlack;
    // What corroboration can add to a candidate with these facts, as a gain on its name score's
    // bound when that is compared with `cut`: with_corroboration's, where a loss counts only when
    // the cut is above kCorroborationFloor (below it, a name score that corroboration would lower
    // may reach the cut without it).
    auto cut_gain = [&](std::uint32_t facts) {
      if (!with_facts) return 0.0;
      const double gain = corroboration_bound(facts, qf);
      return cut > kCorroborationFloor ? gain : std::max(gain, 0.0);
    };
    auto summary_may_pass = [&](const Impl::NameSummary& sum, std::uint32_t bits, double gain,
                                const std::array<std::uint32_t, kMaxQueryTokens>& letters) __attribute__((always_inline)) {
      if (sum.strong_count == 0) return 0.0 >= cut;
      std::uint32_t may = bits;
      for (std::size_t i = 0; i < nq; ++i) {  // without a branch: whether it meets is data
        may |= static_cast<std::uint32_t>((letters[i] & sum.first_letters) != 0) << i;
      }
      if ((may & strong_q) == 0) return 0.0 >= cut;  // no strong pair can form: no name score
      const int p = std::min(std::popcount(may), static_cast<int>(sum.nonweak_count));
      const int p_strong = std::min(std::popcount(may & strong_q), static_cast<int>(sum.strong_count));
      const double max_w = kSevenths[sum.max_weight];
      const double next_w = kSevenths[sum.second_weight];
      double unmatched = s.masks.cost_outside(may);
      const double evidence = std::min(s.masks.strong_weight_inside(may), max_w + (p_strong - 1) * next_w);
      unmatched += std::max(0, static_cast<int>(sum.strong_count) - p) * kUnmatchedMiddlePenalty *
                   kByteFractions[sum.min_weight];
      double penalty = 0;
      if (n_strong == 1 || sum.strong_count == 1) {
        penalty = kShortNameBase + kShortNameCommon * (1.0 - max_w);
      } else if (evidence < kMinEvidence) {
        penalty = kCommonNamePenalty * (kMinEvidence - evidence);
      }
      if (sum.type_alias & 1U) penalty += kWeakAliasPenalty;
      // bound = matched / (matched + unmatched) - penalty + gain, compared without dividing: a
      // division's latency is on the path of a branch that goes either way.
      const double matched = max_w + (p - 1) * next_w;
      const double need = cut + penalty - gain;  // what the ratio must reach
      return matched > 0 ? matched >= need * (matched + unmatched) : 0.0 >= need;
    };
    // The entity types the query may hit, as bits (NameSummary::type_alias holds the type in 4 bits).
    std::uint32_t compatible_types = 0;
    for (std::uint32_t t = 0; t < 16; ++t) {
      if (type_compatible(query.type, static_cast<EntityType>(t))) compatible_types |= 1U << t;
    }
    clock.mark(MatchPhase::kPreparation);
    const bool check_at_read = total <= kMaxCandidates;
    total = std::min(total, kMaxPostingsRead);
    std::size_t cap = 64;
    while (cap < total * 2) cap <<= 1;
    if (s.table.size() < cap) s.table.assign(cap, Scratch::CandSlot{0, 0});
    s.table_mask = cap - 1;
    s.cands.clear();
    std::size_t read = 0;
    for (const auto& src : s.sources) {
      const std::size_t take = std::min(src.names.size(), kMaxPostingsRead - read);
      if (check_at_read && !with_facts) {
        // The names of a form and type sit side by side in every list that holds them (the index
        // keeps its lists in form order) and have one summary but for the name: one check, and
        // one candidate that stands for them all. (With facts to corroborate, their entries'
        // gains differ, and each name is checked on its own below.)
        for (std::size_t k = 0, end = 0; k < take; k = end) {
          const Impl::NameSummary& sum = src.names[k];
          end = k + 1;
          if (sum.shared) {
            while (end < take && src.names[end].tok_begin == sum.tok_begin &&
                   src.names[end].type_alias == sum.type_alias) {
              ++end;
            }
          }
          const auto members = static_cast<std::uint16_t>(end - k);
          if (((compatible_types >> (sum.type_alias >> 1)) & 1U) == 0) continue;
          if (!summary_may_pass(sum, 0, 0.0, reach_all)) {
            stats.bounded_out += members;
            continue;
          }
          add_candidate(s, sum.name, src.bits, &sum, members);
        }
      } else if (check_at_read) {
        for (std::size_t k = 0; k < take; ++k) {
          const Impl::NameSummary& sum = src.names[k];
          if (((compatible_types >> (sum.type_alias >> 1)) & 1U) == 0) continue;
          const double gain = with_facts ? cut_gain(x.facts[&sum - x.sums.data()]) : 0.0;
          if (!summary_may_pass(sum, 0, gain, reach_all)) {  // the bits are not needed
            ++stats.bounded_out;
            continue;
          }
          add_candidate(s, sum.name, src.bits, &sum);
        }
      } else {
        for (std::size_t k = 0; k < take; ++k) add_candidate(s, src.names[k].name, src.bits, &src.names[k]);
      }
      read += take;
      stats.postings_skipped += src.names.size() - take;
    }
    stats.postings_read = read;
    stats.candidates = 0;
    for (const Candidate& c : s.cands) stats.candidates += c.members;
    clear_candidates_table(s);

    clock.mark(MatchPhase::kRetrieval);  // the postings read, as the sources' look-ups were
    // Verification: the candidates with the most query tokens behind them first, at most
    // kMaxCandidates of them; each entry keeps its best name.
    if (s.cands.size() > kMaxCandidates) {
      stats.candidates_capped = s.cands.size() - kMaxCandidates;
      detail::keep_most_retrieved(s.cands, kMaxCandidates, s.tied_names);
    }
    if (s.checked.size() < s.cands.size()) s.checked.resize(s.cands.size());
    std::size_t kept = 0;
    // Two versions of the loop, so a query with nothing to corroborate reads no facts and adds
    // no gain.
    auto summary_pass = [&]<bool kFacts>() __attribute__((always_inline)) {
      const Impl::NameSummary* const sums = x.sums.data();
      const std::uint32_t* const facts_at = x.facts.data();
      for (const Candidate& c : s.cands) {
        const Impl::NameSummary& sum = *c.sum;  // read with the postings: in cache
        // What corroboration can add to this candidate (cut_gain): its facts are at the place of
        // its summary.
        const std::uint32_t facts = kFacts ? facts_at[c.sum - sums] : 0;
        if (!check_at_read) {
          if (((compatible_types >> (sum.type_alias >> 1)) & 1U) == 0) continue;
          if (stats.postings_skipped == 0 && !summary_may_pass(sum, c.bits, kFacts ? cut_gain(facts) : 0.0, reach)) {
            ++stats.bounded_out;
            continue;
          }
        }
        // The runs of the first candidates left are fetched while their summaries are at hand;
        // the quick bound fetches each later one kRunsAhead candidates before it reads it. (Every
        // run fetched here, a hundred or so at once, left most of them still on their way when
        // the quick bound read them, and stalled this loop on the fetches: docs/performance.md.)
        if (sum.tok_count > 0 && kept < kRunsAhead) prefetch_run(x, sum);
        s.checked[kept++] =
            Checked{sum, c.bits, form_position(s, sum), facts, static_cast<std::uint32_t>(c.sum - sums), c.members};
      }
    };
    if (with_facts) {
      summary_pass.template operator()<true>();
    } else {
      summary_pass.template operator()<false>();
    }
    for (std::size_t ci = 0; ci < kept; ++ci) stats.summary_passed += s.checked[ci].members;
    clock.mark(MatchPhase::kSummaryCheck);
    // The quick bound, then, for a candidate it lets through, the exact bound at once, while the
    // candidate's run is still in the first-level cache. (All the quick bounds first, then the
    // exact bounds, read each run again after a hundred others had passed through the cache: the
    // median query at 1M was 6-7 % slower, docs/performance.md.) quick_token hands over the
    // listed tokens that earlier exact bounds resolved as they are, exact: the quick bound is then
    // tighter but never below the exact bound, so the same candidates pass both.
    for (std::size_t ci = 0; ci < kept; ++ci) {
      if (ci + kRunsAhead < kept) prefetch_run(x, s.checked[ci + kRunsAhead].sum);
      const Checked& c = s.checked[ci];
      const Impl::NameSummary& rec = c.sum;
      FormSlot& form = form_slot(s, c.form);
      if (!form.has_pre) {
        // A shared form's verdict serves every name of it, whatever their entries' facts.
        const double gain = c.form == kLoneForm ? cut_gain(c.facts) : max_gain;
        form.pre_passed = candidate_bound<BoundKind::kQuick>(x, s, rec, n_strong, initial_mask, s.masks, by_first_letter,
                                                             gain, cut);
        form.has_pre = true;
      }
      clock.mark(MatchPhase::kPreBound);
      if (!form.pre_passed) {
        stats.bounded_out += c.members;
        continue;
      }
      stats.pre_passed += c.members;
      // Upper bound of the name score, from which tokens can meet at all and how well (each listed
      // token at its best similarity to any query token). The bound follows score_tokens: the best
      // subset of the tokens that can meet, the costs of the tokens that cannot, the least
      // short-name or common-name penalty the matches allow, and the weak-alias penalty. Once per
      // form (another name of the same form may have been bounded). Every listed token of the run
      // has been through quick_token (just now, or for another name of its form), as the exact bound
      // needs.
      if (!form.has_exact) {
        form.exact = candidate_bound<BoundKind::kExact>(x, s, rec, n_strong, initial_mask, s.masks, by_first_letter,
                                                        0.0, cut);
        form.has_exact = true;
      }
      // Then the most this name's entry's corroboration can add. Candidates that cannot reach the
      // lowest threshold are not scored. (A candidate that stands for several names comes from a
      // query with nothing to corroborate: each of them has its form's bound.)
      const double bound = with_facts ? with_corroboration(form.exact, corroboration_bound(c.facts, qf)) : form.exact;
      if (bound < min_threshold - kBoundSlack) {
        stats.bounded_out += c.members;
      } else {
        for (std::uint32_t m = 0; m < c.members; ++m) s.bounded.push_back({bound, x.sums[c.at + m].name, c.form});
      }
      clock.mark(MatchPhase::kExactBounds);
    }
    stats.exact_passed = s.bounded.size();
    // Best bound first: once max_hits entries have reached their threshold with final scores that
    // no remaining bound can reach, the rest cannot enter the hits. (Not when an identifier hit
    // is present: its explanation wants its best name, whatever the name scores.)
    std::sort(s.bounded.begin(), s.bounded.end(), [](const Scratch::Bounded& a, const Scratch::Bounded& b) {
      return a.bound != b.bound ? a.bound > b.bound : a.name < b.name;
    });
    const bool may_stop = id_hits == 0 && options_.max_hits > 0;
    for (const auto& b : s.bounded) __builtin_prefetch(&x.names[b.name]);
    s.hit_finals.clear();
    double kth_final = -1;  // the max_hits-th best final score among hits so far (-1: fewer hits)
    for (const auto& [bound, name_id, form_pos] : s.bounded) {
      if (may_stop && bound + kBoundSlack < kth_final) {
        ++stats.stopped_early;
        continue;
      }
      const NameRec& rec = x.names[name_id];
      FormSlot& form = form_slot(s, form_pos);
      if (form.score == UINT32_MAX) {
        listed_score_tokens(x, rec.tok_begin, rec.tok_count, s.lscore);
        ListedRows rows;
        listed_rows(x, s, s.lscore, rows);
        auto sim = [&](std::size_t i, std::size_t j) { return s.sims[rows[j] + i]; };
        form.score = static_cast<std::uint32_t>(s.form_scores.size());
        s.form_pairs.emplace_back();
        s.form_scores.push_back(score_tokens(s.qscore, s.lscore, rec.weak_alias, sim, nullptr, &s.form_pairs.back()));
      }
      ++stats.scored;
      const NameScore ns = s.form_scores[form.score];
      if (ns.strong_matched == 0) continue;
      s.scored.push_back(EntryBest{rec.gentry, name_id, ns.score, 0, 0, form.score});
      if (!may_stop) continue;
      const double final_score = final_name_score(ns, rec.gentry);
      if (final_score < (threshold_override ? *threshold_override : threshold(rec.list))) continue;
      auto it = std::find_if(s.hit_finals.begin(), s.hit_finals.end(),
                             [&](const auto& h) { return h.first == rec.gentry; });
      if (it == s.hit_finals.end()) {
        s.hit_finals.emplace_back(rec.gentry, final_score);
      } else if (final_score > it->second) {
        it->second = final_score;
      } else {
        continue;
      }
      // A score no higher than the max_hits-th best leaves it where it is: the scores above it
      // are the same ones.
      if (s.hit_finals.size() >= options_.max_hits && final_score > kth_final) {
        s.kth.clear();
        for (const auto& h : s.hit_finals) s.kth.push_back(h.second);
        std::nth_element(s.kth.begin(), s.kth.begin() + static_cast<std::ptrdiff_t>(options_.max_hits - 1), s.kth.end(),
                         std::greater<>());
        kth_final = s.kth[options_.max_hits - 1];
      }
    }
    // Each entry keeps its best name.
    std::sort(s.scored.begin(), s.scored.end(), [](const EntryBest& a, const EntryBest& b) {
      return a.gentry != b.gentry ? a.gentry < b.gentry : (a.score != b.score ? a.score > b.score : a.name < b.name);
    });
    for (std::size_t k = 0; k < s.scored.size(); ++k) {
      if (k > 0 && s.scored[k].gentry == s.scored[k - 1].gentry) continue;
      const EntryBest& sc = s.scored[k];
      EntryBest* b = nullptr;
      for (std::size_t h = 0; h < id_hits; ++h) {
        if (s.best[h].gentry == sc.gentry) b = &s.best[h];
      }
      if (b) {
        b->name = sc.name;
        b->form_score = sc.form_score;
      } else {
        s.best.push_back(sc);
      }
    }
  }

  clock.mark(n_strong > 0 ? MatchPhase::kScoring : MatchPhase::kQueryTokens);
  // 3. Thresholds (corroboration is prepared above).
  std::size_t kept = 0;
  for (std::size_t k = 0; k < s.best.size(); ++k) {
    EntryBest b = s.best[k];
    const bool name_part = b.name != UINT32_MAX;
    double name_score = 0;
    if (name_part) {
      const double ns_score = s.form_scores[b.form_score].score;
      const double corr = ns_score >= kCorroborationFloor ? corroborate(x.entries[b.gentry], nullptr) : 0.0;
      b.corroboration = corr;
      name_score = std::clamp(ns_score + corr, 0.0, kMaxNameBasedScore);
    }
    const std::uint32_t li = x.names.empty() || !name_part
                                 ? static_cast<std::uint32_t>(std::upper_bound(x.entry_base.begin(), x.entry_base.end(), b.gentry) -
                                                              x.entry_base.begin() - 1)
                                 : x.names[b.name].list;
    const double thr = threshold_override ? *threshold_override : threshold(li);
    if (name_part && name_score >= thr) b.matched_on |= static_cast<std::uint8_t>(MatchKind::kName);
    b.score = (k < id_hits || (b.matched_on & ~static_cast<std::uint8_t>(MatchKind::kName))) ? 1.0 : name_score;
    if (b.matched_on == 0) continue;
    s.best[kept++] = b;
  }
  s.best.resize(kept);
  std::sort(s.best.begin(), s.best.end(), [](const EntryBest& a, const EntryBest& b) {
    return a.score != b.score ? a.score > b.score : a.gentry < b.gentry;
  });
  if (s.best.size() > options_.max_hits) s.best.resize(options_.max_hits);

  clock.mark(MatchPhase::kThresholds);
  // 4. Explanations, for the hits only. Each hit's listed name is read from the index's copy
  // (Impl::name_text), one read after its record: the list's own is a chain of three reads at
  // random (entry, its names, the text). Fetched for every hit at once, so the misses overlap.
  for (const EntryBest& b : s.best) {
    if (b.name == UINT32_MAX) continue;
    const char* p = x.name_text.data() + x.names[b.name].text_at;
    __builtin_prefetch(p);
    __builtin_prefetch(p + 40);  // most names end within this line or the next
  }
  out.reserve(out.size() + s.best.size());
  for (const EntryBest& b : s.best) {
    MatchHit& hit = out.emplace_back();  // filled in place: a hit is too large to move cheaply
    const auto li = static_cast<std::uint32_t>(
        std::upper_bound(x.entry_base.begin(), x.entry_base.end(), b.gentry) - x.entry_base.begin() - 1);
    hit.ref.list = li;
    hit.ref.entry = b.gentry - x.entry_base[li];
    hit.score = b.score;
    hit.matched_on = b.matched_on;
    MatchExplanation& ex = hit.explanation;
    ex.query_name = std::string(query.name);
    ex.list_id = lists_[li].list_id;
    ex.list_version = lists_[li].version;
    ex.score = b.score;
    ex.features.reserve(8);  // the name, its penalties and corroboration, without reallocating
    if (b.name != UINT32_MAX) {
      const NameRec& rec = x.names[b.name];
      hit.ref.name = rec.name;
      const std::optional<std::string_view> listed = x.listed_text(rec);
      ex.listed_name = std::string(listed ? *listed : name(hit.ref));
      ex.alias = rec.name != 0;
      // Its name's form was scored above: the explanation is written from the pairs chosen then.
      if (b.form_score >= s.form_pairs.size()) {
        std::fprintf(stderr, "match_index: a hit's name has no scored form (%u of %zu)\n", b.form_score, s.form_pairs.size());
        std::abort();
      }
      listed_score_tokens(x, rec.tok_begin, rec.tok_count, s.lscore);
      explain_tokens(s.qscore, s.lscore, s.form_pairs[b.form_score], ex.tokens);
      const NameScore& ns = s.form_scores[b.form_score];
      add_name_features(ns, ex.features);
      if (ns.score >= kCorroborationFloor) corroborate(x.entries[b.gentry], &ex.features);
    } else {
      const auto& e = lists_[li].entries[hit.ref.entry];
      ex.listed_name = e.names.empty() ? std::string() : e.names.front();
    }
    static constexpr MatchKind kIdKinds[] = {MatchKind::kDocument, MatchKind::kIban, MatchKind::kBic, MatchKind::kImo,
                                             MatchKind::kCryptoAddress};
    for (MatchKind k : kIdKinds) {
      if (b.matched_on & static_cast<std::uint8_t>(k)) {
        ex.features.push_back({to_string(k), 1.0, "equal to a listed " + std::string(to_string(k))});
      }
    }
  }
  clock.mark(MatchPhase::kExplanations);
}

}  // namespace crosscheck::rules
