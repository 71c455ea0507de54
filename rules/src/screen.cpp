#include "crosscheck/rules/screen.h"

#include <algorithm>

#include "crosscheck/rules/normalize.h"

namespace crosscheck::rules {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A subject as views into the event: screening copies nothing unless there is a hit.
struct SubjectView {
  std::string_view role;
  int index = 0;
  std::string_view given;  // the name is given + " " + family, either may be empty
  std::string_view family;
  std::string_view date_of_birth;
  std::string_view nationality;
  std::string_view document_number;
  std::string_view iban;
  std::string_view imo;
};

// A company or account holder: screened by name, and by IBAN where it has one.
SubjectView party(std::string_view role, std::string_view name, std::string_view iban) {
  SubjectView s;
  s.role = role;
  s.family = name;
  s.iban = iban;
  return s;
}

template <class Fn>
void for_each_subject(const schemas::Event& event, Fn&& fn) {
  using schemas::EventKind;
  switch (event.kind) {
    case EventKind::kItinerary: {
      const auto& passengers = event.itinerary.passengers;
      for (std::size_t i = 0; i < passengers.size(); ++i) {
        const auto& p = passengers[i];
        SubjectView s;
        s.role = "passenger";
        s.index = static_cast<int>(i);
        s.given = p.given_names;
        s.family = p.surname;
        s.date_of_birth = p.date_of_birth;
        s.nationality = p.nationality;
        s.document_number = p.document.number;
        fn(s);
      }
      break;
    }
    case EventKind::kManifest: {
      const auto& m = event.manifest;
      fn(party("consignor", m.consignor.name, {}));
      fn(party("consignee", m.consignee.name, {}));
      if (!trim(m.conveyance.imo).empty() || !trim(m.conveyance.name).empty()) {
        SubjectView conveyance;
        conveyance.role = "conveyance";
        conveyance.family = m.conveyance.name;
        conveyance.imo = m.conveyance.imo;
        fn(conveyance);
      }
      break;
    }
    case EventKind::kPayment: {
      const auto& p = event.payment;
      fn(party("debtor", p.debtor.name, p.debtor.iban));
      fn(party("creditor", p.creditor.name, p.creditor.iban));
      break;
    }
  }
}

void display_name(const SubjectView& s, std::string& out) {
  out.clear();
  const auto given = trim(s.given);
  const auto family = trim(s.family);
  out.append(given);
  if (!given.empty() && !family.empty()) out.push_back(' ');
  out.append(family);
}

Subject to_subject(const SubjectView& v, const std::string& name) {
  Subject s;
  s.role.assign(v.role);
  s.index = v.index;
  s.name = name;
  s.date_of_birth.assign(v.date_of_birth);
  s.nationality.assign(v.nationality);
  s.document_number.assign(v.document_number);
  s.iban.assign(v.iban);
  s.imo.assign(v.imo);
  return s;
}

struct Candidate {
  EntryRef ref;
  std::uint8_t matched_on = 0;
};

void merge(std::vector<Candidate>& candidates, const std::vector<EntryRef>& refs, MatchKind kind) {
  for (const EntryRef& ref : refs) {
    auto it = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return c.ref.list == ref.list && c.ref.entry == ref.entry;
    });
    if (it == candidates.end()) {
      candidates.push_back(Candidate{ref, static_cast<std::uint8_t>(kind)});
    } else {
      if (kind == MatchKind::kName && !(it->matched_on & static_cast<std::uint8_t>(MatchKind::kName))) {
        it->ref.name = ref.name;
      }
      it->matched_on |= static_cast<std::uint8_t>(kind);
    }
  }
}

}  // namespace

void subjects_of(const schemas::Event& event, std::vector<Subject>& out) {
  std::string name;
  for_each_subject(event, [&](const SubjectView& v) {
    display_name(v, name);
    out.push_back(to_subject(v, name));
  });
}

void screen(const schemas::Event& event, const WatchlistIndex& index, std::vector<Hit>& hits) {
  // Reused per thread so that a clean event (the common case) allocates little.
  thread_local std::string name;
  thread_local std::vector<Candidate> candidates;
  for_each_subject(event, [&](const SubjectView& v) {
    candidates.clear();
    display_name(v, name);
    if (!name.empty()) merge(candidates, index.by_name(normalize_name(name)), MatchKind::kName);
    if (!v.document_number.empty()) {
      merge(candidates, index.by_document(normalize_document(v.document_number)), MatchKind::kDocument);
    }
    if (!v.iban.empty()) merge(candidates, index.by_iban(normalize_iban(v.iban)), MatchKind::kIban);
    if (!v.imo.empty()) merge(candidates, index.by_imo(normalize_imo(v.imo)), MatchKind::kImo);
    if (candidates.empty()) return;
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return a.ref.list != b.ref.list ? a.ref.list < b.ref.list : a.ref.entry < b.ref.entry;
    });
    const Subject subject = to_subject(v, name);
    for (const Candidate& c : candidates) hits.push_back(Hit{subject, c.ref, c.matched_on});
  });
}

}  // namespace crosscheck::rules
