// YAML ticket input and batch templates (SPEC §5, §12): yaml-cpp exceptions must become errors.
#include <cstddef>
#include <cstdint>
#include <string>

#include "onboard/ticket/ticket.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  std::string text(reinterpret_cast<const char*>(data), size);
  for (auto type : {ticket::TicketType::device, ticket::TicketType::composite}) {
    if (auto t = ticket::parse_yaml(text, "fuzz.yaml", type)) ticket::encode_json(*t);
    if (auto tmpl = ticket::parse_template(text, "fuzz.yaml", type)) {
      ticket::template_columns(*tmpl);
      ticket::instantiate(*tmpl, nullptr);
    }
  }
  return 0;
}
