// People's and companies' names for generated events, and the variations under which a listed
// name reaches a screener in real traffic.
//
// Unlisted people are drawn from the given names and surnames of 22 cultures (reference_data.h),
// with the forms those cultures use (two surnames in Hispanic names, feminine Slavic surnames,
// compound given names). Listed names come from the watchlists and are varied as carriers, banks
// and declarants write them: a typo, another transliteration, given names and surname swapped, a
// middle name left out, or unchanged.
// Thread-safety: plain functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crosscheck/loadgen/reference_data.h"
#include "crosscheck/loadgen/rng.h"

namespace crosscheck::loadgen {

struct PersonName {
  std::string surname;      // upper-case ASCII, as printed in a passport
  std::string given_names;  // may be empty
  std::string display() const { return given_names.empty() ? surname : given_names + " " + surname; }
};

PersonName person_name(const Culture& culture, bool female, Rng& rng);
// "Given Surname" in title case, as payment messages carry a private person's name.
std::string title_case(std::string_view upper);

// A company of `country`: "<stem or surname> <industry word> <legal form>".
std::string company_name(const Country& country, Rng& rng);

enum class Variation { kNone, kTypo, kTransliteration, kSwapped, kMiddleDropped };
std::string_view to_string(Variation v);

// A listed person's name (as the lists write it: "SURNAME, Given Names" or "Given Names SURNAME")
// in passport form: ASCII upper case, diacritics folded. nullopt when the name is not in Latin
// script (or leaves nothing usable).
std::optional<PersonName> passport_name(std::string_view listed);
// Folds a listed company or vessel name to the ASCII a declarant would type; nullopt as above.
std::optional<std::string> ascii_name(std::string_view listed);

// Applies a variation to a name; returns what was done (kNone when the variation does not apply,
// e.g. no middle name to drop, no token with a known other transliteration).
Variation vary(PersonName& name, Rng& rng);
Variation vary(std::string& name, Rng& rng);

}  // namespace crosscheck::loadgen
