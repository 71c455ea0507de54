#include "crosscheck/rules/rule_fields.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "crosscheck/ascii.h"

namespace crosscheck::rules {

namespace {

using F = FieldId;
using T = FieldType;

// Kinds: I = itinerary, M = manifest, P = payment.
constexpr FieldInfo field(F id, std::string_view path, bool i, bool m, bool p, T type, bool repeated,
                          bool personal, std::string_view description) {
  return FieldInfo{id, path, i, m, p, type, repeated, personal, description};
}

constexpr std::array kFields = {
    field(F::kEventTime, "event.event_time", true, true, true, T::kDate, false, false,
          "when the source system created the event"),
    field(F::kFlightCarrier, "itinerary.flight.carrier", true, false, false, T::kString, false, false,
          "IATA airline designator"),
    field(F::kFlightNumber, "itinerary.flight.number", true, false, false, T::kString, false, false, "flight number"),
    field(F::kFlightDeparture, "itinerary.flight.departure_airport", true, false, false, T::kString, false, false,
          "IATA departure airport"),
    field(F::kFlightArrival, "itinerary.flight.arrival_airport", true, false, false, T::kString, false, false,
          "IATA arrival airport"),
    field(F::kFlightCorridor, "itinerary.flight.corridor", true, false, false, T::kString, false, false,
          "departure and arrival airport as \"DEP-ARR\", e.g. \"IST-FRA\""),
    field(F::kFlightScheduledDeparture, "itinerary.flight.scheduled_departure", true, false, false, T::kDate, false,
          false, "scheduled departure, UTC"),
    field(F::kFlightScheduledArrival, "itinerary.flight.scheduled_arrival", true, false, false, T::kDate, false, false,
          "scheduled arrival, UTC"),
    field(F::kPnrLocator, "itinerary.pnr.locator", true, false, false, T::kString, false, false,
          "booking reference"),
    field(F::kPnrBookingDate, "itinerary.pnr.booking_date", true, false, false, T::kDate, false, false,
          "date of booking"),
    field(F::kPnrFormOfPayment, "itinerary.pnr.form_of_payment", true, false, false, T::kString, false, false,
          "cash, card, invoice, voucher, miles or other"),
    field(F::kPnrTravelAgentIata, "itinerary.pnr.travel_agent.iata_number", true, false, false, T::kString, false,
          false, "IATA number of the travel agent"),
    field(F::kPassengerCount, "itinerary.passenger_count", true, false, false, T::kNumber, false, false,
          "number of passengers on the booking"),
    field(F::kPassengerNationality, "itinerary.passengers.nationality", true, false, false, T::kString, true, true,
          "a passenger's nationality (ISO alpha-3)"),
    field(F::kPassengerSex, "itinerary.passengers.sex", true, false, false, T::kString, true, true,
          "a passenger's sex as printed in the document (F, M, X)"),
    field(F::kPassengerDateOfBirth, "itinerary.passengers.date_of_birth", true, false, false, T::kDate, true, true,
          "a passenger's date of birth"),
    field(F::kPassengerAge, "itinerary.passengers.age", true, false, false, T::kNumber, true, true,
          "a passenger's age in whole years at scheduled departure"),
    field(F::kPassengerDocumentType, "itinerary.passengers.document.type", true, false, false, T::kString, true, false,
          "ICAO document code (P, I, ...)"),
    field(F::kPassengerDocumentIssuingState, "itinerary.passengers.document.issuing_state", true, false, false,
          T::kString, true, false, "state that issued the travel document (ISO alpha-3)"),
    field(F::kPassengerBags, "itinerary.passengers.bags", true, false, false, T::kNumber, true, false,
          "checked bags of a passenger"),
    field(F::kPassengerEmbarkation, "itinerary.passengers.embarkation", true, false, false, T::kString, true, false,
          "a passenger's embarkation airport"),
    field(F::kPassengerDebarkation, "itinerary.passengers.debarkation", true, false, false, T::kString, true, false,
          "a passenger's debarkation airport"),
    field(F::kManifestTransportMode, "manifest.transport_mode", false, true, false, T::kString, false, false,
          "sea, air, road or rail"),
    field(F::kConveyanceImo, "manifest.conveyance.imo", false, true, false, T::kString, false, false,
          "IMO number of the vessel"),
    field(F::kConveyanceName, "manifest.conveyance.name", false, true, false, T::kString, false, false,
          "name of the vessel or aircraft"),
    field(F::kConveyanceNationality, "manifest.conveyance.nationality", false, true, false, T::kString, false, false,
          "flag state of the conveyance (ISO alpha-2)"),
    field(F::kRoutingCountries, "manifest.routing_countries", false, true, false, T::kString, true, false,
          "a country on the route (ISO alpha-2)"),
    field(F::kPlaceOfLoading, "manifest.place_of_loading", false, true, false, T::kString, false, false, "UN/LOCODE"),
    field(F::kPlaceOfUnloading, "manifest.place_of_unloading", false, true, false, T::kString, false, false,
          "UN/LOCODE"),
    field(F::kFirstPlaceOfArrival, "manifest.first_place_of_arrival", false, true, false, T::kString, false, false,
          "UN/LOCODE"),
    field(F::kEstimatedArrival, "manifest.estimated_arrival", false, true, false, T::kDate, false, false,
          "estimated arrival"),
    field(F::kConsignorCountry, "manifest.consignor.country", false, true, false, T::kString, false, false,
          "country of the consignor's address (ISO alpha-2)"),
    field(F::kConsigneeCountry, "manifest.consignee.country", false, true, false, T::kString, false, false,
          "country of the consignee's address (ISO alpha-2)"),
    field(F::kConsignorEori, "manifest.consignor.eori", false, true, false, T::kString, false, false,
          "EORI number of the consignor"),
    field(F::kConsigneeEori, "manifest.consignee.eori", false, true, false, T::kString, false, false,
          "EORI number of the consignee"),
    field(F::kGoodsCount, "manifest.goods_count", false, true, false, T::kNumber, false, false,
          "number of goods items"),
    field(F::kGoodsHsCode, "manifest.goods.hs_code", false, true, false, T::kString, true, false,
          "a goods item's HS code"),
    field(F::kGoodsDescription, "manifest.goods.description", false, true, false, T::kString, true, false,
          "a goods item's description"),
    field(F::kGoodsGrossMass, "manifest.goods.gross_mass_kg", false, true, false, T::kNumber, true, false,
          "a goods item's gross mass in kg"),
    field(F::kGoodsPackageCount, "manifest.goods.package_count", false, true, false, T::kNumber, true, false,
          "a goods item's package count"),
    field(F::kGoodsContainer, "manifest.goods.container", false, true, false, T::kString, true, false,
          "a goods item's container number (ISO 6346)"),
    field(F::kPaymentAmount, "payment.amount", false, false, true, T::kNumber, false, false, "amount, exact decimal"),
    field(F::kPaymentCurrency, "payment.currency", false, false, true, T::kString, false, false,
          "ISO 4217 currency code"),
    field(F::kPaymentCreationTime, "payment.creation_time", false, false, true, T::kDate, false, false,
          "when the payment message was created"),
    field(F::kPaymentSettlementDate, "payment.settlement_date", false, false, true, T::kDate, false, false,
          "interbank settlement date"),
    field(F::kDebtorCountry, "payment.debtor.country", false, false, true, T::kString, false, false,
          "country of the debtor's postal address (ISO alpha-2)"),
    field(F::kCreditorCountry, "payment.creditor.country", false, false, true, T::kString, false, false,
          "country of the creditor's postal address (ISO alpha-2)"),
    field(F::kDebtorIban, "payment.debtor.iban", false, false, true, T::kString, false, false, "the debtor's IBAN"),
    field(F::kCreditorIban, "payment.creditor.iban", false, false, true, T::kString, false, false,
          "the creditor's IBAN"),
    field(F::kDebtorAgentBic, "payment.debtor.agent_bic", false, false, true, T::kString, false, false,
          "BIC of the debtor's bank"),
    field(F::kCreditorAgentBic, "payment.creditor.agent_bic", false, false, true, T::kString, false, false,
          "BIC of the creditor's bank"),
    field(F::kIntermediaryAgents, "payment.intermediary_agents", false, false, true, T::kString, true, false,
          "BIC of an intermediary bank"),
    field(F::kRemittanceInformation, "payment.remittance_information", false, false, true, T::kString, false, false,
          "free-text remittance information"),
};

// The table is indexed by FieldId: a field added out of order would read another field's values.
constexpr bool table_in_id_order() {
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (static_cast<std::size_t>(kFields[i].id) != i) return false;
  }
  return static_cast<std::size_t>(F::kRemittanceInformation) + 1 == kFields.size();
}
static_assert(table_in_id_order(), "rule_fields: kFields must list every FieldId in enum order");

constexpr std::array<std::string_view, 17> kProtectedWords = {
    "race",   "racial",   "ethnic",   "ethnicity",   "religion",  "religious",          "belief",
    "politic", "political", "health", "medical",     "disability", "sex_life",          "sexual",
    "orientation", "trade_union", "union_membership",
};

}  // namespace

std::span<const FieldInfo> rule_fields() { return kFields; }

const FieldInfo* find_rule_field(std::string_view path) {
  for (const auto& f : kFields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

const FieldInfo& field_info(FieldId id) {
  const auto i = static_cast<std::size_t>(id);
  if (i >= kFields.size()) throw std::logic_error("rule_fields: FieldId out of range");
  return kFields[i];
}

bool field_applies_to(const FieldInfo& f, schemas::EventKind kind) {
  switch (kind) {
    case schemas::EventKind::kItinerary: return f.itinerary;
    case schemas::EventKind::kManifest: return f.manifest;
    case schemas::EventKind::kPayment: return f.payment;
  }
  return false;
}

bool is_protected_category(std::string_view name) {
  std::string lower(name);
  for (auto& c : lower) c = ascii::to_lower(c);
  // A category naming "sex" alone is the document field (personal, not protected); "sex_life" and
  // "sexual ..." are protected.
  return std::any_of(kProtectedWords.begin(), kProtectedWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

}  // namespace crosscheck::rules
