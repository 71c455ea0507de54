#include "crosscheck/rules/match_json.h"

#include <cmath>

namespace crosscheck::rules {

double round_score(double score) { return std::round(score * 1000.0) / 1000.0; }

void write_explanation(json::Writer& w, const MatchExplanation& e) {
  w.begin_object();
  w.field("summary", e.summary());
  w.field("query_name", e.query_name);
  w.field("listed_name", e.listed_name);
  w.field("alias", e.alias);
  w.field("list_version", e.list_version);
  w.key("tokens").begin_array();
  for (const auto& t : e.tokens) {
    w.begin_object()
        .field("query", t.query_token)
        .field("listed", t.listed_token)
        .field("how", t.how)
        .field("similarity", round_score(t.similarity))
        .field("weight", round_score(t.weight))
        .end_object();
  }
  w.end_array();
  w.key("features").begin_array();
  for (const auto& f : e.features) {
    w.begin_object()
        .field("feature", f.feature)
        .field("contribution", round_score(f.contribution))
        .optional_field("detail", f.detail)
        .end_object();
  }
  w.end_array();
  w.end_object();
}

std::string explanation_json(const MatchExplanation& explanation) {
  std::string out;
  out.reserve(512);
  json::Writer w(out);
  write_explanation(w, explanation);
  return out;
}

}  // namespace crosscheck::rules
