// Typed views of the three input event kinds: itineraries, cargo manifests and payments.
//
// The structs hold std::string_view into buffers owned by the EventParser that produced them, so
// that parsing allocates nothing per field on the hot path. An Event is valid only until the next
// call to EventParser::parse on the same parser. Copy what must outlive that.
//
// Field names follow the JSON wire format of schema 1.0 (docs/events/*.md); the wire
// format is the contract, these structs are its in-memory form (where a name differs, the comment
// gives the wire name). The schemas are also the data-minimisation boundary: unknown fields are
// never copied anywhere.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "crosscheck/schemas/violation.h"

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
  std::string_view issuing_state;   // ISO 3166-1 alpha-3 ("DEU")
  std::string_view expiry;          // YYYY-MM-DD
  std::array<std::string_view, 3> mrz;  // the MRZ lines, optional: TD3 (2 x 44) or TD1 (3 x 30)
  std::uint8_t mrz_lines = 0;           // 0 when there is no MRZ
};

struct Passenger {
  std::string_view surname;
  std::string_view given_names;     // optional
  std::string_view date_of_birth;   // YYYY-MM-DD
  std::string_view sex;             // "F", "M" or "X" (ICAO 9303); optional
  std::string_view nationality;     // ISO 3166-1 alpha-3
  TravelDocument document;
  std::string_view embarkation;     // IATA airport, optional
  std::string_view debarkation;     // IATA airport, optional
  std::string_view seat;            // e.g. "23A", optional
  std::int16_t bags = -1;           // 0-99; -1 when absent
};

struct Flight {
  std::string_view carrier;              // IATA airline designator, 2 characters
  std::string_view number;               // 1-4 digits plus an optional suffix letter
  std::string_view departure_airport;    // IATA
  std::string_view arrival_airport;      // IATA
  std::string_view scheduled_departure;  // RFC 3339, UTC
  std::string_view scheduled_arrival;    // RFC 3339, UTC
};

struct TravelAgent {
  std::string_view name;         // optional
  std::string_view iata_number;  // 7 or 8 digits, optional
};

struct Pnr {
  bool present = false;             // the pnr object was sent (PNR data is not always pushed)
  std::string_view locator;         // required in a pnr, [A-Z0-9]{5,8}
  std::string_view booking_date;    // YYYY-MM-DD, optional
  std::string_view form_of_payment; // cash, card, invoice, voucher, miles, other; optional
  TravelAgent travel_agent;         // optional
};

struct Itinerary {
  Flight flight;
  Pnr pnr;                            // optional
  std::vector<Passenger> passengers;  // 1 to 999
};

// ---- manifest (after the ICS2 entry summary declaration) ---------------------------------------

struct Address {
  std::string_view street;    // optional
  std::string_view city;      // optional
  std::string_view postcode;  // optional
  std::string_view country;   // ISO 3166-1 alpha-2, required
};

struct Party {
  std::string_view name;
  Address address;
  std::string_view eori;  // optional
  std::string_view tin;   // optional
};

struct Conveyance {
  std::string_view imo;          // 7-digit IMO ship number; required for sea transport
  std::string_view flight;       // e.g. "LH8400"; required for air transport
  std::string_view name;         // optional
  std::string_view nationality;  // ISO 3166-1 alpha-2 flag state, optional
};

struct GoodsItem {
  std::string_view hs_code;            // 6-10 digits
  std::string_view description;        // 1-512 characters
  std::uint32_t package_count = 0;     // 1-999999
  std::string_view package_type;       // UN/ECE Rec 21 code, optional
  std::string_view gross_mass_kg;      // exact decimal string, e.g. "1250.5"
  std::string_view container;          // ISO 6346, optional
  std::uint32_t seals_begin = 0;       // this item's seals: Manifest::seals[seals_begin, +seals_count)
  std::uint32_t seals_count = 0;
};

struct Manifest {
  std::string_view lrn;             // local reference number
  std::string_view transport_mode;  // "sea", "air", "road", "rail"
  Conveyance conveyance;
  std::vector<std::string_view> routing_countries;  // ISO alpha-2, optional (empty when absent)
  std::string_view place_of_loading;        // UN/LOCODE
  std::string_view place_of_unloading;      // UN/LOCODE
  std::string_view first_place_of_arrival;  // UN/LOCODE
  std::string_view estimated_arrival;       // RFC 3339
  std::string_view transport_document_number;
  Party consignor;
  Party consignee;
  std::vector<GoodsItem> goods;     // 1 to 9999
  std::vector<std::string_view> seals;  // the seals of all goods items, in order (see GoodsItem)
};

// ---- payment (after ISO 20022 pacs.008.001.08) -------------------------------------------------

struct PaymentParty {
  std::string_view name;
  std::string_view country;       // wire: postal_country; ISO 3166-1 alpha-2, optional
  std::string_view iban;          // wire: account.iban; compact form. Exactly one of iban / other_id
  std::string_view other_id;      // wire: account.other.id
  std::string_view other_scheme;  // wire: account.other.scheme, optional
  std::string_view agent_bic;     // BIC of the party's agent
};

struct Payment {
  std::string_view message_id;      // GrpHdr/MsgId
  std::string_view creation_time;   // GrpHdr/CreDtTm, RFC 3339
  std::string_view end_to_end_id;
  std::string_view uetr;            // UUID v4, lowercase
  std::string_view amount;          // wire: amount.value; exact decimal string, never a binary float
  std::string_view currency;        // wire: amount.currency; ISO 4217 alpha code
  std::string_view settlement_date; // YYYY-MM-DD
  PaymentParty debtor;
  PaymentParty creditor;
  std::array<std::string_view, 3> intermediary_agents;  // BICs, optional
  std::uint8_t intermediary_agent_count = 0;
  std::string_view remittance_information;  // optional
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
  // Findings that do not reject the event (see is_warning), e.g. document_expired. Cleared by
  // every parse; allocates only when there are some.
  std::vector<Violation> warnings;

  // Empties all views and vectors but keeps their capacity for the next parse.
  void clear();
};

}  // namespace crosscheck::schemas
