#include "crosscheck/rules/screen.h"

#include "crosscheck/schemas/identifiers.h"

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
  QueryType type = QueryType::kAny;
  std::string_view given;  // the name is given + " " + family, either may be empty
  std::string_view family;
  std::string_view date_of_birth;
  std::string_view nationality;
  std::string_view gender;
  std::string_view country;  // alpha-3
  std::string_view document_number;
  std::string_view iban;
  std::string_view bic;
  std::string_view imo;
};

std::string_view gender_of(std::string_view icao_sex) {
  if (icao_sex == "F") return "female";
  if (icao_sex == "M") return "male";
  return {};  // "X" or absent: unknown, so neither raises nor lowers a score
}

// Events carry alpha-2 countries for parties; the lists hold alpha-3.
std::string_view alpha3(std::string_view alpha2) {
  if (alpha2.empty()) return {};
  return schemas::ids::country_alpha3_of(alpha2).value_or(std::string_view());
}

// A company or person named in a manifest or payment: the source does not say which.
SubjectView party(std::string_view role, std::string_view name, std::string_view country, std::string_view iban) {
  SubjectView s;
  s.role = role;
  s.type = QueryType::kParty;
  s.family = name;
  s.country = alpha3(country);
  s.iban = iban;
  return s;
}

SubjectView agent(std::string_view role, int index, std::string_view bic) {
  SubjectView s;
  s.role = role;
  s.index = index;
  s.type = QueryType::kOrganization;
  s.bic = bic;
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
        s.type = QueryType::kPerson;
        s.given = p.given_names;
        s.family = p.surname;
        s.date_of_birth = p.date_of_birth;
        s.nationality = p.nationality;
        s.gender = gender_of(p.sex);
        s.document_number = p.document.number;
        fn(s);
      }
      break;
    }
    case EventKind::kManifest: {
      const auto& m = event.manifest;
      fn(party("consignor", m.consignor.name, m.consignor.address.country, {}));
      fn(party("consignee", m.consignee.name, m.consignee.address.country, {}));
      if (!trim(m.conveyance.imo).empty() || !trim(m.conveyance.name).empty()) {
        SubjectView conveyance;
        conveyance.role = "conveyance";
        conveyance.type = QueryType::kVessel;
        conveyance.family = m.conveyance.name;
        conveyance.imo = m.conveyance.imo;
        conveyance.country = alpha3(m.conveyance.nationality);
        fn(conveyance);
      }
      break;
    }
    case EventKind::kPayment: {
      const auto& p = event.payment;
      fn(party("debtor", p.debtor.name, p.debtor.country, p.debtor.iban));
      fn(party("creditor", p.creditor.name, p.creditor.country, p.creditor.iban));
      if (!p.debtor.agent_bic.empty()) fn(agent("debtor_agent", 0, p.debtor.agent_bic));
      if (!p.creditor.agent_bic.empty()) fn(agent("creditor_agent", 0, p.creditor.agent_bic));
      for (std::size_t i = 0; i < p.intermediary_agents.size(); ++i) {
        if (!p.intermediary_agents[i].empty()) fn(agent("intermediary_agent", static_cast<int>(i), p.intermediary_agents[i]));
      }
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
  s.gender.assign(v.gender);
  s.document_number.assign(v.document_number);
  s.iban.assign(v.iban);
  s.bic.assign(v.bic);
  s.imo.assign(v.imo);
  return s;
}

}  // namespace

void subjects_of(const schemas::Event& event, std::vector<Subject>& out) {
  std::string name;
  for_each_subject(event, [&](const SubjectView& v) {
    display_name(v, name);
    out.push_back(to_subject(v, name));
  });
}

void screen(const schemas::Event& event, const MatchIndex& index, std::vector<Hit>& hits) {
  // Reused per thread so that a clean event (the common case) allocates little.
  thread_local std::string name;
  thread_local std::vector<MatchHit> matches;
  for_each_subject(event, [&](const SubjectView& v) {
    matches.clear();
    display_name(v, name);
    MatchQuery q;
    q.type = v.type;
    q.name = name;
    q.date_of_birth = v.date_of_birth;
    q.nationality = v.nationality;
    q.gender = v.gender;
    q.country = v.country;
    q.document_number = v.document_number;
    q.iban = v.iban;
    q.bic = v.bic;
    q.imo = v.imo;
    index.match(q, matches);
    if (matches.empty()) return;
    const Subject subject = to_subject(v, name);
    for (auto& m : matches) hits.push_back(Hit{subject, std::move(m)});
  });
}

}  // namespace crosscheck::rules
