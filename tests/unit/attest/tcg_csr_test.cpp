// TCG-CSR-IDEVID: a request built by make-vectors.sh (independently of lib/attest) and signed
// by the IDevID key in swtpm; decode, re-encode, verify, and every kind of damage.
#include <gtest/gtest.h>

#include "vectors.h"

namespace onboard::attest {
namespace {
using testing::anchors;
using testing::now;
using testing::pub;
using testing::vec;

// A Signer holding the TPM's signature over the vector's content (made in swtpm by the IDevID
// key): re-encoding the decoded request must reproduce the same content, so the same bytes.
class RecordedSigner : public keys::Signer {
 public:
  RecordedSigner(Bytes spki, Bytes sig) : spki_(std::move(spki)), sig_(std::move(sig)) {}
  std::string description() const override { return "recorded:idevid"; }
  keys::KeyType key_type() const override { return keys::KeyType::p256; }
  const Bytes& public_key_der() const override { return spki_; }
  Expected<Bytes> sign(ByteView, const keys::SignParams& p) const override {
    if (!(p == keys::SignParams{keys::Hash::sha256, keys::Padding::none})) return fail(Errc::usage, "unexpected params");
    return sig_;
  }

 private:
  Bytes spki_, sig_;
};

void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

TEST(TcgCsr, DecodesTheVector) {
  auto c = decode_tcg_csr(vec("tcg-csr.bin"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->prod_model, "X1");
  EXPECT_EQ(c->prod_serial, "0001");
  EXPECT_EQ(c->ek_cert, vec("ek-rsa.crt.der"));
  EXPECT_EQ(parse_public(c->attest_pub)->name, vec("iak.name"));
  EXPECT_EQ(parse_public(c->signing_pub)->name, vec("idevid.name"));
  EXPECT_EQ(c->sgn_certify_info, vec("certify.attest"));
  EXPECT_EQ(c->at_create_tkt, vec("iak-creation.tkt"));
  EXPECT_EQ(c->hash_algo_id, 0x000Bu);
  EXPECT_TRUE(c->pad.empty());
}

TEST(TcgCsr, EncodeReproducesTheVector) {
  Bytes v = vec("tcg-csr.bin");
  auto c = decode_tcg_csr(v);
  ASSERT_TRUE(c);
  RecordedSigner signer(vec("idevid.spki.der"), c->signature);
  auto again = encode_tcg_csr(*c, signer);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, v);
}

TEST(TcgCsr, EncodeRoundTripsEveryField) {
  auto c = decode_tcg_csr(vec("tcg-csr.bin"));
  ASSERT_TRUE(c);
  c->prod_ca_data = {1, 2, 3};
  c->boot_event_log = {4, 5};
  c->pad = Bytes(7, '=');
  RecordedSigner signer(vec("idevid.spki.der"), c->signature);
  auto bytes = encode_tcg_csr(*c, signer);
  ASSERT_TRUE(bytes);
  auto d = decode_tcg_csr(*bytes);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->prod_ca_data, c->prod_ca_data);
  EXPECT_EQ(d->boot_event_log, c->boot_event_log);
  EXPECT_EQ(d->pad, c->pad);
  EXPECT_EQ(d->signing_pub, c->signing_pub);
  EXPECT_EQ(d->sgn_certify_info_sig, c->sgn_certify_info_sig);
}

TEST(TcgCsr, EncodeRefusesASignerThatIsNotSigningPub) {
  auto c = decode_tcg_csr(vec("tcg-csr.bin"));
  ASSERT_TRUE(c);
  RecordedSigner other(vec("iak.spki.der"), c->signature);
  auto r = encode_tcg_csr(*c, other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);
}

TEST(TcgCsr, VerifiesWithEveryCheck) {
  auto v = verify_tcg_csr(vec("tcg-csr.bin"), anchors("ek-ca.pem"), now());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->all_passed());
  std::vector<std::string> names;
  for (const auto& c : v->checks) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"csr-signature", "idevid-template", "iak-template", "certify-magic",
                                             "certify-type", "certify-nonce", "certify-name", "certify-signature",
                                             "iak-creation", "ek-chain"}));
  ASSERT_TRUE(v->ek_cert);
  EXPECT_EQ(v->ek_cert->der(), vec("ek-rsa.crt.der"));
  EXPECT_EQ(v->hw_serial, ek_hw_serial(*v->ek_cert));
  EXPECT_EQ(v->idevid.name, vec("idevid.name"));
}

TEST(TcgCsr, EkFromAnotherCaIsUntrusted) {
  auto r = verify_tcg_csr(vec("tcg-csr.bin"), anchors("other-ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
  EXPECT_NE(r.error().message.find("ek-chain"), std::string::npos) << r.error().message;
  auto i = inspect_tcg_csr(vec("tcg-csr.bin"), anchors("other-ek-ca.pem"), now());
  ASSERT_TRUE(i);
  EXPECT_FALSE(i->all_passed());
  for (const auto& c : i->checks) EXPECT_EQ(c.passed, c.name != "ek-chain") << c.name;
}

// Where each field's payload starts: 12-byte header, 3 content words, 13 sizes, then payloads.
std::vector<std::pair<std::size_t, std::size_t>> payloads(const Bytes& v) {
  auto c = decode_tcg_csr(v);
  std::vector<std::size_t> sizes = {c->prod_model.size(), c->prod_serial.size(), c->prod_ca_data.size(),
                                    c->boot_event_log.size(), c->ek_cert.size(), c->attest_pub.size(),
                                    c->at_create_tkt.size(), c->at_certify_info.size(), c->at_certify_info_sig.size(),
                                    c->signing_pub.size(), c->sgn_certify_info.size(), c->sgn_certify_info_sig.size(),
                                    c->pad.size()};
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t at = 12 + 12 + 13 * 4;
  for (auto s : sizes) {
    out.emplace_back(at, s);
    at += s;
  }
  out.emplace_back(at, v.size() - at);  // the signature
  return out;
}

TEST(TcgCsr, EveryTamperedFieldFailsVerification) {
  Bytes v = vec("tcg-csr.bin");
  auto fields = payloads(v);
  for (std::size_t f = 0; f < fields.size(); ++f) {
    auto [at, size] = fields[f];
    if (size == 0) continue;
    for (std::size_t where : {at, at + size / 2, at + size - 1}) {
      Bytes t = v;
      t[where] ^= 0x01;
      auto r = verify_tcg_csr(t, anchors("ek-ca.pem"), now());
      ASSERT_FALSE(r) << "field " << f << " byte " << where;
      EXPECT_TRUE(r.error().code == Errc::malformed || r.error().code == Errc::untrusted) << r.error().message;
    }
  }
}

TEST(TcgCsr, TamperedSignatureNamesTheCheck) {
  Bytes v = vec("tcg-csr.bin");
  v[v.size() - 5] ^= 0x01;
  auto r = verify_tcg_csr(v, anchors("ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
  EXPECT_NE(r.error().message.find("csr-signature"), std::string::npos) << r.error().message;
}

TEST(TcgCsr, TruncatedAtEveryLengthIsMalformed) {
  Bytes v = vec("tcg-csr.bin");
  for (std::size_t n = 0; n < v.size(); ++n) {
    auto r = decode_tcg_csr(ByteView(v).first(n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, Errc::malformed) << n;
  }
}

TEST(TcgCsr, OversizedSizeFieldsAreMalformed) {
  Bytes v = vec("tcg-csr.bin");
  // contentSize, sigSz, and each of the 13 content size fields: huge, and one byte too large.
  std::vector<std::size_t> size_words = {4, 8};
  for (std::size_t i = 0; i < 13; ++i) size_words.push_back(12 + 12 + 4 * i);
  for (std::size_t at : size_words) {
    for (std::uint32_t bad : {0xFFFFFFFFu, 0x7FFFFFFFu, 0x00100001u}) {
      Bytes t = v;
      put_u32(t, at, bad);
      auto r = decode_tcg_csr(t);
      ASSERT_FALSE(r) << at;
      EXPECT_EQ(r.error().code, Errc::malformed) << at;
    }
    Bytes t = v;
    std::uint32_t cur = std::uint32_t(t[at]) << 24 | std::uint32_t(t[at + 1]) << 16 | std::uint32_t(t[at + 2]) << 8 | t[at + 3];
    put_u32(t, at, cur + 1);
    auto r = decode_tcg_csr(t);
    ASSERT_FALSE(r) << at;
    EXPECT_EQ(r.error().code, Errc::malformed) << at;
  }
}

TEST(TcgCsr, HeaderFieldsAreChecked) {
  Bytes v = vec("tcg-csr.bin");
  auto refused = [](Bytes t, const std::string& why) {
    auto r = decode_tcg_csr(t);
    ASSERT_FALSE(r) << why;
    EXPECT_EQ(r.error().code, Errc::malformed);
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  };
  Bytes t = v;
  put_u32(t, 0, 0x200);
  refused(t, "structVer");
  t = v;
  put_u32(t, 12, 0x200);
  refused(t, "TCG_IDEVID_CONTENT.structVer");
  t = v;
  put_u32(t, 16, 0x0004);  // SHA-1
  refused(t, "hashAlgoId");
  t = v;
  put_u32(t, 20, 48);
  refused(t, "hashSz");
  t = v;
  t.push_back(0);
  refused(t, "trailing");
  t = v;
  put_u32(t, 8, 0);
  refused(t, "sigSz");
  EXPECT_FALSE(decode_tcg_csr(Bytes(kMaxTcgCsr + 1, 0)));
}

TEST(TcgCsr, MandatoryFieldsMustNotBeEmpty) {
  auto c = decode_tcg_csr(vec("tcg-csr.bin"));
  ASSERT_TRUE(c);
  RecordedSigner signer(vec("idevid.spki.der"), c->signature);
  auto no_ek = *c;
  no_ek.ek_cert.clear();
  auto r = encode_tcg_csr(no_ek, signer);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ekCert is empty"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace onboard::attest
