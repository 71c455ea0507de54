// Screening an event against the watchlist index: a plain function, no I/O.
//
// Every subject in the event is screened: passengers; the consignor, consignee and conveyance of a
// manifest; the debtor and creditor of a payment. One Hit is returned per (subject, entry) pair,
// with every way they matched.
// Thread-safety: pure; safe to call concurrently on a shared index.
#pragma once

#include <string>
#include <vector>

#include "crosscheck/rules/watchlist_index.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

// A screened subject's minimal identity, copied out of the event (so it may outlive the parser).
struct Subject {
  std::string role;  // "passenger", "consignor", "consignee", "conveyance", "debtor", "creditor"
  int index = 0;
  std::string name;  // display form, e.g. "IVAN PETROV"
  std::string date_of_birth;
  std::string nationality;
  std::string document_number;
  std::string iban;
  std::string imo;
};

struct Hit {
  Subject subject;
  EntryRef entry;
  std::uint8_t matched_on = 0;  // bit set of MatchKind
};

// Appends the subjects of `event` to `out`, in a stable order.
void subjects_of(const schemas::Event& event, std::vector<Subject>& out);

// Appends the hits for `event` to `hits`, in subject order, then entry order.
void screen(const schemas::Event& event, const WatchlistIndex& index, std::vector<Hit>& hits);

}  // namespace crosscheck::rules
