// EK certificates (TCG EK Credential Profile for TPM Family 2.0, §3) chained to the --ek-ca
// anchors, and the hwSerialNum an IDevID's hardwareModuleName takes from them (TCG "TPM 2.0
// Keys for Device Identity and Attestation" v1.00 r12, IDevID certificate fields).
#include <algorithm>

#include <openssl/objects.h>

#include "attest_internal.h"
#include "ossl.h"

namespace onboard::attest {
namespace {

// TCG EK certificates carry extensions OpenSSL does not process. They are accepted when
// critical only if they are one of these (EK Credential Profile §3.2): subjectDirectoryAttributes
// (TPM specification / security assertions). The SAN directoryName of TPM manufacturer, model
// and version attributes is critical when the subject is empty (RFC 5280 §4.2.1.6), and OpenSSL
// handles SAN itself; the EKU tcg-kp-EKCertificate is not checked (no purpose is set).
bool only_tcg_critical_extensions(X509* x) {
  for (int i = 0; i < X509_get_ext_count(x); ++i) {
    X509_EXTENSION* e = X509_get_ext(x, i);
    if (!X509_EXTENSION_get_critical(e)) continue;
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
    if (X509_supported_extension(e)) continue;
    if (nid != NID_subject_directory_attributes) return false;
  }
  return true;
}

int tolerate_tcg(int ok, X509_STORE_CTX* ctx) {
  if (ok) return ok;
  // Only the leaf (depth 0, the EK certificate) gets the TCG allowance.
  if (X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION &&
      X509_STORE_CTX_get_error_depth(ctx) == 0 && only_tcg_critical_extensions(X509_STORE_CTX_get_current_cert(ctx)))
    return 1;
  return 0;
}

std::string reason_of(X509_STORE_CTX* ctx) {
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
}

}  // namespace

Expected<x509::Certificate> verify_ek_chain(ByteView der, const std::vector<x509::Certificate>& anchors, UnixTime at) {
  // TPM NV indices are often larger than the certificate: parse one DER object, ignore the rest
  // only when it is padding (0x00 or 0xFF bytes).
  const unsigned char* p = der.data();
  ossl::Ptr<X509> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    ossl::clear_errors();
    return fail(Errc::malformed, "EK certificate: not a DER X.509 certificate");
  }
  std::size_t used = static_cast<std::size_t>(p - der.data());
  if (!std::all_of(der.begin() + static_cast<std::ptrdiff_t>(used), der.end(), [](std::uint8_t b) { return b == 0 || b == 0xff; }))
    return fail(Errc::malformed, "EK certificate: trailing bytes after the DER certificate");
  if (anchors.empty()) return fail(Errc::untrusted, "EK certificate: no --ek-ca anchors");
  ossl::Ptr<X509_STORE> store(X509_STORE_new());
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.raw());
  X509_STORE_set_verify_cb(store.get(), tolerate_tcg);
  ossl::Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  // Intermediates given with --ek-ca may be non-self-signed: a partial chain to any of them is trusted.
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), x.get(), nullptr) != 1) return ossl::fail("X509_STORE_CTX_init");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  // RFC 5280 strictness as for every other chain (x509::verify_chain), plus the TCG allowance.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT);
  int ok = X509_verify_cert(ctx.get());
  std::string reason = ok == 1 ? "" : reason_of(ctx.get());
  ossl::clear_errors();
  if (ok != 1) return fail(Errc::untrusted, "EK certificate does not chain to --ek-ca: " + reason);
  return x509::Certificate::adopt(x.release());
}

Bytes ek_hw_serial(const x509::Certificate& ek_cert) {
  // TCG v1.00 r12 (IDevID subjectAltName hardwareModuleName): hwType tcg-at-tpm20
  // (2.23.133.1.2), hwSerialNum the EK certificate's serial number, as unsigned big-endian bytes.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(ek_cert.raw());
  ossl::Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  Bytes out(static_cast<std::size_t>(std::max(1, BN_num_bytes(bn.get()))), 0);
  if (BN_num_bytes(bn.get()) > 0) BN_bn2bin(bn.get(), out.data());
  return out;
}

Status ek_matches(const x509::Certificate& ek_cert, const TpmPublic& ek) {
  if (ek_cert.public_key_der() != ek.spki_der)
    return fail(Errc::untrusted, "the EK public area's key (" + ek.key_type + ") is not the EK certificate's key");
  return {};
}

Expected<VerifiedEk> verify_ek(ByteView ek_cert_der, ByteView ek_public_area,
                               const std::vector<x509::Certificate>& anchors, UnixTime at) {
  auto ek = parse_public(ek_public_area);
  if (!ek) return fail(std::move(ek.error()).context("EK public area"));
  auto cert = verify_ek_chain(ek_cert_der, anchors, at);
  if (!cert) return fail(std::move(cert.error()));
  if (auto m = ek_matches(*cert, *ek); !m) return fail(std::move(m.error()));
  VerifiedEk out{*cert, std::move(*ek), ek_hw_serial(*cert), ""};
  out.summary = "EK certificate serial " + cert->serial_hex() + " issued by " + cert->issuer() +
                " chains to --ek-ca; its key is the TPM's " + out.ek.key_type + " EK";
  return out;
}

}  // namespace onboard::attest
