#include "crosscheck/schemas/event.h"

namespace crosscheck::schemas {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kItinerary: return "itinerary";
    case EventKind::kManifest: return "manifest";
    case EventKind::kPayment: return "payment";
  }
  return "unknown";
}

std::optional<EventKind> event_kind_from_string(std::string_view name) {
  if (name == "itinerary") return EventKind::kItinerary;
  if (name == "manifest") return EventKind::kManifest;
  if (name == "payment") return EventKind::kPayment;
  return std::nullopt;
}

void Event::clear() {
  // Reassigning the scalar members and clear() on the vectors keeps the vectors' capacity.
  kind = EventKind::kItinerary;
  schema_version = {};
  event_id = {};
  event_time = {};
  event_time_ms = 0;
  itinerary.flight = Flight{};
  itinerary.pnr = Pnr{};
  itinerary.passengers.clear();
  manifest.lrn = {};
  manifest.transport_mode = {};
  manifest.conveyance = Conveyance{};
  manifest.routing_countries.clear();
  manifest.place_of_loading = {};
  manifest.place_of_unloading = {};
  manifest.first_place_of_arrival = {};
  manifest.estimated_arrival = {};
  manifest.transport_document_number = {};
  manifest.consignor = Party{};
  manifest.consignee = Party{};
  manifest.goods.clear();
  manifest.seals.clear();
  warnings.clear();
  payment = Payment{};
}

}  // namespace crosscheck::schemas
