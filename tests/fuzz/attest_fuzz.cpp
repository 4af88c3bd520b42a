// TPM structures and TCG-CSR-IDEVID (lib/attest): TPMT_PUBLIC, TPMS_ATTEST/TPMT_SIGNATURE through
// check_certify, and the TCG-CSR-IDEVID decoder and its checks (no anchors: the chain fails).
#include <cstddef>
#include <cstdint>

#include "onboard/attest/attest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  ByteView in(data, size);
  if (auto p = attest::parse_public(in)) {
    (void)attest::check_iak(*p);
    (void)attest::check_idevid(*p);
    (void)attest::make_credential(*p, p->name);
    // The input as attest structure and signature too (split in the middle).
    (void)attest::check_certify(*p, *p, in.first(size / 2), in.subspan(size / 2), {});
  }
  if (auto c = attest::decode_tcg_csr(in)) {
    (void)attest::inspect_tcg_csr(in, {}, 0);
  }
  return 0;
}
