// Signed ticket documents (SPEC §6): parse (general + flattened), every signature verified, and
// the byte-exact re-serialisation countersign-ticket relies on.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "onboard/jws/jws.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = jws::parse(text);
  if (!doc) return 0;
  for (const auto& sig : doc->signatures) {
    jws::verify_signature(doc->payload_b64, sig);
    if (sig.header)
      for (const auto& cert : sig.header->x5c) jws::check_alg_fits(sig.header->alg, cert);
  }
  // What serialize() writes must parse again to the same payload and signatures.
  auto again = jws::parse(jws::serialize(*doc));
  if (!again || again->payload_b64 != doc->payload_b64 || again->signatures.size() != doc->signatures.size())
    __builtin_trap();
  return 0;
}
