// The JSON form of a match explanation, shared by flags (reason.explanation), `crosscheck screen`
// and the console, so every place an officer or analyst reads "why" says it the same way:
//   {"summary":"...","query_name":"...","listed_name":"...","alias":false,"list_version":3,
//    "tokens":[{"query":"ivan","listed":"ivan","how":"exact","similarity":1,"weight":2.3}],
//    "features":[{"feature":"name","contribution":0.91,"detail":"..."}]}
// Numbers are rounded to 3 decimals: enough to read, and stable across platforms.
// Thread-safety: plain functions.
#pragma once

#include <string>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/match_index.h"

namespace crosscheck::rules {

void write_explanation(json::Writer& w, const MatchExplanation& explanation);
std::string explanation_json(const MatchExplanation& explanation);

// 3-decimal rounding used for scores in every output.
double round_score(double score);

}  // namespace crosscheck::rules
