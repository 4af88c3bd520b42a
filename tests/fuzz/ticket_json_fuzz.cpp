// OPC UA compact JSON ticket payloads (SPEC §5), the strict JSON reader and TicketListType.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "onboard/core/json.h"
#include "onboard/ticket/ticket.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json::parse(text);
  for (bool strict : {false, true}) {
    std::vector<std::string> warnings;
    auto t = ticket::decode_json_any(as_bytes(text), {strict}, &warnings);
    if (!t) continue;
    // A decoded ticket encodes, and the encoding decodes to the same ticket.
    auto json = ticket::encode_json(*t);
    if (!json) continue;
    auto back = ticket::decode_json(as_bytes(*json), t->type, {true});
    if (!back || back->product_instance_uri != t->product_instance_uri ||
        back->composite_instance_uri != t->composite_instance_uri || back->serial_number != t->serial_number)
      __builtin_trap();
  }
  ticket::decode_ticket_list(text);
  return 0;
}
