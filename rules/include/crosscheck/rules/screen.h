// Screening an event against the watchlists: a plain function, no I/O.
//
// Every subject in the event is screened: passengers (as persons, with date of birth, nationality,
// sex and document number); the consignor and consignee of a manifest (persons or companies) and
// its conveyance (a vessel by name and IMO number); the debtor and creditor of a payment (persons
// or companies, with their IBANs) and the payment's agents (banks, by BIC). One Hit is returned per
// (subject, entry) pair whose score reaches the list's threshold.
// Thread-safety: pure; safe to call concurrently on a shared index.
// Failure behaviour: never throws; a subject with nothing to match on has no hits.
#pragma once

#include <string>
#include <vector>

#include "crosscheck/rules/match_index.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

// A screened subject's minimal identity, copied out of the event (so it may outlive the parser).
struct Subject {
  std::string role;  // "passenger", "consignor", "consignee", "conveyance", "debtor", "creditor",
                     // "debtor_agent", "creditor_agent", "intermediary_agent"
  int index = 0;
  std::string name;  // display form, e.g. "IVAN PETROV"
  std::string date_of_birth;
  std::string nationality;
  std::string gender;  // "male" / "female" from the passenger's sex, else empty
  std::string document_number;
  std::string iban;
  std::string bic;
  std::string imo;
};

struct Hit {
  Subject subject;
  MatchHit match;
};

// Appends the subjects of `event` to `out`, in a stable order.
void subjects_of(const schemas::Event& event, std::vector<Subject>& out);

// Appends the hits for `event` to `hits`, in subject order, then best score first.
void screen(const schemas::Event& event, const MatchIndex& index, std::vector<Hit>& hits);

}  // namespace crosscheck::rules
