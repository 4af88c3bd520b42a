// Certificate (PEM bundle / DER), CSR (PEM/DER, self-signature checked) and CRL loading.
#include <cstddef>
#include <cstdint>
#include <string>

#include "onboard/x509/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto exercise = [](const x509::Certificate& c) {
    c.subject();
    c.issuer();
    c.serial_hex();
    c.not_before();
    c.not_after();
    c.is_ca();
    c.self_signed();
    c.san_uris();
    c.public_key_der();
    c.allows_digital_signature();
    c.has_revocation_pointer();
    c.signed_by(c);
  };
  if (auto certs = x509::Certificate::parse_pem(text, "fuzz"))
    for (const auto& c : *certs) exercise(c);
  if (auto c = x509::Certificate::parse_der(as_bytes(text), "fuzz")) exercise(*c);
  x509::parse_csr(text, "fuzz");
  if (auto crl = x509::Crl::parse(text, "fuzz")) {
    crl->issuer();
    crl->this_update();
    crl->next_update();
  }
  return 0;
}
