// Seeded synthetic watchlists and queries for the matching benchmark.
//
// Names are built from name parts of several cultures (English, Hispanic, Arabic, Russian,
// Chinese, West African, South Asian, German/French): given names four in five from short pools
// of common ones, family names a quarter from pools, the rest composed from 2-4 culture-typical
// syllables, so that token frequencies look like real lists (a few very common tokens, a long
// tail of rare ones) and a large list does not exhaust the names a query can draw.
// Organisations combine words and a legal form. Every entry has about two names (the primary
// name and an alias variant), a date of birth and a nationality for persons, a country for
// organisations. The same seed gives the same list on every machine.
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/rules/watchlist.h"

namespace crosscheck::loadtest {

struct SyntheticOptions {
  std::size_t entries = 10000;
  std::uint64_t seed = 42;
  double organization_share = 0.25;
};

rules::Watchlist synthetic_watchlist(const SyntheticOptions& options);

// A person or organisation name from the same generator (for names that are usually not listed).
std::string synthetic_name(std::mt19937_64& rng, bool organization);

// A realistic variation of a listed name: one typo, swapped order, a dropped middle token, or
// unchanged.
std::string vary_name(std::string_view name, std::mt19937_64& rng);

}  // namespace crosscheck::loadtest
