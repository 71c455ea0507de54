// Typed views of the three input event kinds: itineraries, cargo manifests and payments.
//
// The structs hold std::string_view into buffers owned by the EventParser that produced them, so
// that parsing allocates nothing per field on the hot path. An Event is valid only until the next
// call to EventParser::parse on the same parser. Copy what must outlive that.
//
// Field names follow the JSON wire format (see docs/events.md); the wire format is the contract,
// these structs are its in-memory form. Only the fields the screener reads are here: the schemas
// are also the data-minimisation boundary, and unknown fields are never copied anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace crosscheck::schemas {

enum class EventKind : std::uint8_t { kItinerary = 0, kManifest = 1, kPayment = 2 };
inline constexpr int kEventKindCount = 3;

// "itinerary", "manifest", "payment"
std::string_view to_string(EventKind kind);
std::optional<EventKind> event_kind_from_string(std::string_view name);

// ---- itinerary (after API/PAXLST and PNRGOV) --------------------------------------------------

struct TravelDocument {
  std::string_view type;            // ICAO 9303 document code, e.g. "P" (passport), "I" (ID card)
  std::string_view number;          // as printed, up to 20 characters
  std::string_view issuing_state;   // ISO 3166-1 alpha-3 (ICAO variant, e.g. "D" is not used; "DEU")
  std::string_view expiry;          // YYYY-MM-DD
};

struct Passenger {
  std::string_view surname;
  std::string_view given_names;
  std::string_view date_of_birth;   // YYYY-MM-DD
  std::string_view sex;             // "F", "M" or "X" (ICAO 9303); optional
  std::string_view nationality;     // ISO 3166-1 alpha-3
  TravelDocument document;
};

struct Flight {
  std::string_view carrier;              // IATA airline designator, 2 characters
  std::string_view number;               // 1-4 digits plus an optional suffix letter
  std::string_view departure_airport;    // IATA
  std::string_view arrival_airport;      // IATA
  std::string_view scheduled_departure;  // RFC 3339, UTC
  std::string_view scheduled_arrival;    // RFC 3339, UTC
};

struct Itinerary {
  Flight flight;
  std::string_view pnr_locator;     // optional
  std::vector<Passenger> passengers;  // at least one
};

// ---- manifest (after the ICS2 entry summary declaration) ---------------------------------------

struct Party {
  std::string_view name;
  std::string_view country;  // ISO 3166-1 alpha-2, optional
  std::string_view eori;     // EORI or TIN, optional
};

struct Conveyance {
  std::string_view imo;   // 7-digit IMO ship number, optional (air and road conveyances have none)
  std::string_view name;  // optional
};

struct GoodsItem {
  std::string_view hs_code;      // optional in the foundation subset
  std::string_view description;  // optional
  std::string_view container;    // ISO 6346, optional
};

struct Manifest {
  std::string_view lrn;             // local reference number, optional in the foundation subset
  std::string_view transport_mode;  // "sea", "air", "road", "rail"; optional
  Conveyance conveyance;
  Party consignor;
  Party consignee;
  std::vector<GoodsItem> goods;
};

// ---- payment (after ISO 20022 pacs.008) --------------------------------------------------------

struct PaymentParty {
  std::string_view name;
  std::string_view country;    // ISO 3166-1 alpha-2, optional
  std::string_view iban;       // optional; compact form, no spaces
  std::string_view agent_bic;  // optional
};

struct Payment {
  std::string_view message_id;     // optional in the foundation subset
  std::string_view end_to_end_id;  // optional
  std::string_view amount;         // exact decimal string, e.g. "12500.00"; never a binary float
  std::string_view currency;       // ISO 4217 alpha code
  PaymentParty debtor;
  PaymentParty creditor;
};

// ---- the envelope -----------------------------------------------------------------------------

struct Event {
  EventKind kind = EventKind::kItinerary;
  std::string_view schema_version;  // "1.x"
  std::string_view event_id;        // producer-assigned, unique per source system
  std::string_view event_time;      // RFC 3339; when the source system created the event
  std::int64_t event_time_ms = 0;   // event_time parsed, milliseconds since the epoch
  // Exactly one of these is filled, the one that matches `kind`; the others are empty.
  Itinerary itinerary;
  Manifest manifest;
  Payment payment;

  // Empties all views and vectors but keeps their capacity for the next parse.
  void clear();
};

}  // namespace crosscheck::schemas
