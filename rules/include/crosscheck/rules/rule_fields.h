// The catalogue of event fields a rule may read, by path ("payment.amount").
//
// It is the data-minimisation boundary of the rule engine: a rule reads only catalogue fields, and
// only those listed in its data_categories; a flag raised by a rule carries only those fields.
// Personal characteristics (nationality, sex, date of birth, age) are in the catalogue because
// watchlist corroboration and some lawful rules need them, but a rule whose condition reads
// nothing else is profiling and is rejected (rule.h validate_rule). Protected characteristics
// (race or ethnicity, religion, politics, health, sex life or orientation, trade-union membership)
// are not in any event schema and can never be declared.
// Thread-safety: immutable tables; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

enum class FieldType : std::uint8_t {
  kString,  // compared as strings; `matches` applies
  kNumber,  // exact decimal strings compared numerically (amounts, masses, counts)
  kDate,    // RFC 3339 instants or YYYY-MM-DD dates (midnight UTC); within_before applies
};

// One id per catalogue field; the engine's accessors switch on it.
enum class FieldId : std::uint16_t {
  kEventTime,
  // itinerary
  kFlightCarrier, kFlightNumber, kFlightDeparture, kFlightArrival, kFlightCorridor,
  kFlightScheduledDeparture, kFlightScheduledArrival,
  kPnrLocator, kPnrBookingDate, kPnrFormOfPayment, kPnrTravelAgentIata,
  kPassengerCount,
  kPassengerNationality, kPassengerSex, kPassengerDateOfBirth, kPassengerAge,
  kPassengerDocumentType, kPassengerDocumentIssuingState, kPassengerBags,
  kPassengerEmbarkation, kPassengerDebarkation,
  // manifest
  kManifestTransportMode, kConveyanceImo, kConveyanceName, kConveyanceNationality,
  kRoutingCountries, kPlaceOfLoading, kPlaceOfUnloading, kFirstPlaceOfArrival, kEstimatedArrival,
  kConsignorCountry, kConsigneeCountry, kConsignorEori, kConsigneeEori,
  kGoodsCount, kGoodsHsCode, kGoodsDescription, kGoodsGrossMass, kGoodsPackageCount, kGoodsContainer,
  // payment
  kPaymentAmount, kPaymentCurrency, kPaymentCreationTime, kPaymentSettlementDate,
  kDebtorCountry, kCreditorCountry, kDebtorIban, kCreditorIban, kDebtorAgentBic, kCreditorAgentBic,
  kIntermediaryAgents, kRemittanceInformation,
};

struct FieldInfo {
  FieldId id;
  std::string_view path;        // "payment.debtor.iban"
  // The kinds whose events have the field. event.event_time applies to all three.
  bool itinerary = false, manifest = false, payment = false;
  FieldType type = FieldType::kString;
  bool repeated = false;        // one value per passenger / goods item / routing country / agent
  bool personal_characteristic = false;  // nationality, sex, date of birth, age
  std::string_view description;  // one line, for docs/rules.md and error messages
};

// Every field, in FieldId order.
std::span<const FieldInfo> rule_fields();
// nullptr when `path` is not in the catalogue.
const FieldInfo* find_rule_field(std::string_view path);
const FieldInfo& field_info(FieldId id);
bool field_applies_to(const FieldInfo& field, schemas::EventKind kind);

// True for a name of a protected characteristic ("religion", "ethnicity", "race", "politics",
// "political_opinion", "health", "sex_life", "sexual_orientation", "trade_union", ... and paths
// that contain one of those words), so a data_categories entry naming one is rejected with its
// own message rather than as an unknown field.
bool is_protected_category(std::string_view name);

}  // namespace crosscheck::rules
