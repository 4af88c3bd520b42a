// TCG-CSR-IDEVID (TCG "TPM 2.0 Keys for Device Identity and Attestation" v1.00 r12; layout as in §13.1 of the public-review r2):
// TCG_CSR_IDEVID { structVer, contentSize, sigSz, TCG_IDEVID_CONTENT, signature } with
// TCG_IDEVID_CONTENT { structVer, hashAlgoId, hashSz, 13 sizes, 13 payloads }; every number a
// big-endian UINT32. attest.h says why there is no `hash` member (the two open-source parsers
// disagree; the TCG declaration has none).
#include <array>

#include <openssl/rsa.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest_internal.h"
#include "ossl.h"

namespace onboard::attest {
namespace {

constexpr std::uint32_t kVersion = 0x00000100;
constexpr const char* kFieldNames[] = {"prodModel", "prodSerial", "prodCaData", "bootEvntLog", "ekCert",
                                       "attestPub", "atCreateTkt", "atCertifyInfo", "atCertifyInfoSig",
                                       "signingPub", "sgnCertifyInfo", "sgnCertifyInfoSig", "pad"};
constexpr std::size_t kFields = std::size(kFieldNames);
// Fields the TCG text makes mandatory for an IDevID request (the rest may be empty).
constexpr bool kRequired[kFields] = {false, false, false, false, true, true, false, false, false, true, true, true, false};

void put_u32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

std::array<ByteView, kFields> fields_of(const TcgCsr& c) {
  return {as_bytes(c.prod_model), as_bytes(c.prod_serial), c.prod_ca_data, c.boot_event_log, c.ek_cert,
          c.attest_pub, c.at_create_tkt, c.at_certify_info, c.at_certify_info_sig, c.signing_pub,
          c.sgn_certify_info, c.sgn_certify_info_sig, c.pad};
}

Bytes content_of(const TcgCsr& c) {
  Bytes out;
  put_u32(out, c.content_ver);
  put_u32(out, c.hash_algo_id);
  put_u32(out, c.hash_size);
  auto f = fields_of(c);
  for (auto v : f) put_u32(out, static_cast<std::uint32_t>(v.size()));
  for (auto v : f) out.insert(out.end(), v.begin(), v.end());
  return out;
}

// A bounds-checked big-endian reader: every failure names the field.
struct Reader {
  ByteView in;
  std::size_t pos = 0;
  Expected<std::uint32_t> u32(const char* what) {
    if (in.size() - pos < 4) return fail(Errc::malformed, std::string("TCG-CSR-IDEVID: truncated at ") + what);
    std::uint32_t v = std::uint32_t(in[pos]) << 24 | std::uint32_t(in[pos + 1]) << 16 | std::uint32_t(in[pos + 2]) << 8 | in[pos + 3];
    pos += 4;
    return v;
  }
  Expected<ByteView> take(std::size_t n, const char* what) {
    if (n > in.size() - pos)
      return fail(Errc::malformed, std::string("TCG-CSR-IDEVID: ") + what + " size " + std::to_string(n) +
                                       " exceeds the " + std::to_string(in.size() - pos) + " bytes left");
    ByteView v = in.subspan(pos, n);
    pos += n;
    return v;
  }
};

keys::Hash sign_hash(std::uint32_t alg) {
  return alg == TPM2_ALG_SHA384 ? keys::Hash::sha384 : alg == TPM2_ALG_SHA512 ? keys::Hash::sha512 : keys::Hash::sha256;
}

Expected<TcgCsr> decode_content(ByteView content) {
  Reader r{content};
  TcgCsr c;
  auto ver = r.u32("TCG_IDEVID_CONTENT.structVer");
  if (!ver) return fail(std::move(ver.error()));
  if (*ver != kVersion) return fail(Errc::malformed, "TCG-CSR-IDEVID: TCG_IDEVID_CONTENT.structVer is not 1.0 (0x00000100)");
  c.content_ver = *ver;
  auto alg = r.u32("hashAlgoId");
  auto hsz = alg ? r.u32("hashSz") : Expected<std::uint32_t>(0u);
  if (!alg || !hsz) return fail(std::move(!alg ? alg.error() : hsz.error()));
  const EVP_MD* md = *alg <= 0xffff ? detail::digest_for(static_cast<std::uint16_t>(*alg)) : nullptr;
  if (!md) return fail(Errc::malformed, "TCG-CSR-IDEVID: hashAlgoId " + std::to_string(*alg) + " is not SHA-256/384/512");
  if (*hsz != static_cast<std::uint32_t>(EVP_MD_get_size(md)))
    return fail(Errc::malformed, "TCG-CSR-IDEVID: hashSz " + std::to_string(*hsz) + " does not fit hashAlgoId");
  c.hash_algo_id = *alg;
  c.hash_size = *hsz;
  std::array<std::uint32_t, kFields> sizes{};
  for (std::size_t i = 0; i < kFields; ++i) {
    auto s = r.u32(kFieldNames[i]);
    if (!s) return fail(std::move(s.error()));
    if (*s > kMaxTcgCsrField)
      return fail(Errc::malformed, std::string("TCG-CSR-IDEVID: ") + kFieldNames[i] + " size " + std::to_string(*s) +
                                       " exceeds the limit of " + std::to_string(kMaxTcgCsrField));
    if (kRequired[i] && *s == 0) return fail(Errc::malformed, std::string("TCG-CSR-IDEVID: ") + kFieldNames[i] + " is empty");
    sizes[i] = *s;
  }
  std::array<Bytes, kFields> v;
  for (std::size_t i = 0; i < kFields; ++i) {
    auto f = r.take(sizes[i], kFieldNames[i]);
    if (!f) return fail(std::move(f.error()));
    v[i].assign(f->begin(), f->end());
  }
  if (r.pos != content.size())
    return fail(Errc::malformed, "TCG-CSR-IDEVID: " + std::to_string(content.size() - r.pos) + " bytes after the content's fields");
  c.prod_model = to_string(v[0]);
  c.prod_serial = to_string(v[1]);
  c.prod_ca_data = std::move(v[2]);
  c.boot_event_log = std::move(v[3]);
  c.ek_cert = std::move(v[4]);
  c.attest_pub = std::move(v[5]);
  c.at_create_tkt = std::move(v[6]);
  c.at_certify_info = std::move(v[7]);
  c.at_certify_info_sig = std::move(v[8]);
  c.signing_pub = std::move(v[9]);
  c.sgn_certify_info = std::move(v[10]);
  c.sgn_certify_info_sig = std::move(v[11]);
  c.pad = std::move(v[12]);
  c.content.assign(content.begin(), content.end());
  return c;
}

}  // namespace

Expected<Bytes> encode_tcg_csr(const TcgCsr& csr, const keys::Signer& idevid_key) {
  auto pub = parse_public(csr.signing_pub);
  if (!pub) return fail(std::move(pub.error()).context("signingPub"));
  if (pub->spki_der != idevid_key.public_key_der())
    return fail(Errc::usage, "TCG-CSR-IDEVID: " + idevid_key.description() + " is not the key in signingPub");
  auto v = fields_of(csr);
  for (std::size_t i = 0; i < kFields; ++i)
    if (v[i].size() > kMaxTcgCsrField || (kRequired[i] && v[i].empty()))
      return fail(Errc::usage, std::string("TCG-CSR-IDEVID: ") + kFieldNames[i] + (v[i].empty() ? " is empty" : " is too large"));
  Bytes content = content_of(csr);
  keys::SignParams params{sign_hash(csr.hash_algo_id),
                          pub->type == TPM2_ALG_RSA ? keys::Padding::pkcs1 : keys::Padding::none};
  auto sig = idevid_key.sign(content, params);
  if (!sig) return fail(std::move(sig.error()));
  Bytes out;
  put_u32(out, csr.struct_ver);
  put_u32(out, static_cast<std::uint32_t>(content.size()));
  put_u32(out, static_cast<std::uint32_t>(sig->size()));
  out.insert(out.end(), content.begin(), content.end());
  out.insert(out.end(), sig->begin(), sig->end());
  if (out.size() > kMaxTcgCsr) return fail(Errc::usage, "TCG-CSR-IDEVID: larger than 1 MiB");
  return out;
}

Expected<TcgCsr> decode_tcg_csr(ByteView in) {
  if (in.size() > kMaxTcgCsr) return fail(Errc::malformed, "TCG-CSR-IDEVID: larger than the limit of 1 MiB");
  Reader r{in};
  auto ver = r.u32("structVer");
  if (!ver) return fail(std::move(ver.error()));
  if (*ver != kVersion) return fail(Errc::malformed, "TCG-CSR-IDEVID: structVer is not 1.0 (0x00000100)");
  auto csize = r.u32("contentSize");
  auto ssize = csize ? r.u32("sigSz") : Expected<std::uint32_t>(0u);
  if (!csize || !ssize) return fail(std::move(!csize ? csize.error() : ssize.error()));
  if (*ssize == 0) return fail(Errc::malformed, "TCG-CSR-IDEVID: sigSz is 0 (unsigned)");
  auto content = r.take(*csize, "contentSize");
  if (!content) return fail(std::move(content.error()));
  auto sig = r.take(*ssize, "sigSz");
  if (!sig) return fail(std::move(sig.error()));
  if (r.pos != in.size()) return fail(Errc::malformed, "TCG-CSR-IDEVID: " + std::to_string(in.size() - r.pos) + " trailing bytes");
  auto c = decode_content(*content);
  if (!c) return fail(std::move(c.error()));
  c->struct_ver = *ver;
  c->signature.assign(sig->begin(), sig->end());
  return c;
}

}  // namespace onboard::attest
