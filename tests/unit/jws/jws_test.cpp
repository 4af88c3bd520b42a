// onboard::jws: sign/verify round trips per algorithm, wrong-key and tampered-input cases, and
// every parse-level adversarial case of issue 4 (SPEC §6).
#include <openssl/evp.h>

#include "alg.h"
#include "ossl.h"
#include "pki.h"

using namespace onboard;
using onboard::testing::TestPki;
using onboard::testing::TestSigner;
using keys::KeyType;

namespace {

const std::string kCty = "opc-ticket+json;type=DeviceIdentityTicketType";
const std::string kPayload = base64url_encode(as_bytes(R"({"ManufacturerName":"Acme","ProductInstanceUri":"urn:x:1"})"));

jws::SignOptions options_for(const TestSigner& s, std::optional<jws::Alg> alg = std::nullopt) {
  return jws::SignOptions{alg, {s.cert, TestPki::get().root()}, kCty, std::nullopt};
}

std::string sign_doc(const TestSigner& s, std::optional<jws::Alg> alg = std::nullopt) {
  auto sig = jws::sign(kPayload, options_for(s, alg), *s.key);
  EXPECT_TRUE(sig) << sig.error().message;
  jws::Document doc;
  doc.payload_b64 = kPayload;
  doc.signatures.push_back(*sig);
  return jws::serialize(doc);
}

std::string x5c_of(const x509::Certificate& c) { return "[\"" + base64_encode(c.der()) + "\"]"; }

// A document whose protected header is exactly `header`, signed by `key` over it (raw R‖S
// unless der_ecdsa), to build inputs the library itself would never write.
std::string crafted(const std::string& header, const keys::Signer& key, keys::Hash hash = keys::Hash::sha256,
                    bool der_ecdsa = false, std::string payload = kPayload) {
  std::string prot = base64url_encode(as_bytes(header));
  auto sig = key.sign(as_bytes(prot + "." + payload), {hash, keys::default_params(key.key_type()).padding});
  EXPECT_TRUE(sig);
  Bytes value = *sig;
  if (!der_ecdsa && key.key_type() == KeyType::p256) value = *jws::detail::ecdsa_der_to_raw(*sig, 32);
  return R"({"payload":")" + payload + R"(","signatures":[{"protected":")" + prot + R"(","signature":")" +
         base64url_encode(value) + "\"}]}";
}

std::string es256_header(const TestSigner& s, const std::string& extra = "") {
  return R"({"alg":"ES256","x5c":)" + x5c_of(s.cert) + R"(,"cty":")" + kCty + "\"" + extra + "}";
}

// Parse and return the first signature's fault (or verify error).
std::string first_problem(const std::string& doc) {
  auto parsed = jws::parse(doc);
  if (!parsed) return "parse: " + parsed.error().message;
  auto ok = jws::verify_signature(parsed->payload_b64, parsed->signatures.at(0));
  return ok ? "" : ok.error().message;
}

}  // namespace

class RoundTrip : public ::testing::TestWithParam<std::pair<KeyType, jws::Alg>> {};

TEST_P(RoundTrip, SignParseVerify) {
  auto [type, alg] = GetParam();
  const auto& s = TestPki::get().signer(type);
  std::string text = sign_doc(s, alg);
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find(' '), std::string::npos);  // compact
  auto doc = jws::parse(text);
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->signatures.size(), 1u);
  const auto& sig = doc->signatures[0];
  ASSERT_FALSE(sig.fault) << sig.fault->message;
  EXPECT_EQ(sig.header->alg, alg);
  EXPECT_EQ(sig.header->cty, kCty);
  EXPECT_EQ(sig.header->x5c.size(), 2u);
  EXPECT_TRUE(jws::verify_signature(doc->payload_b64, sig));
  EXPECT_EQ(jws::serialize(*doc), text);  // re-serialising copies every byte
}

INSTANTIATE_TEST_SUITE_P(Algorithms, RoundTrip,
                         ::testing::Values(std::make_pair(KeyType::p256, jws::Alg::ES256),
                                           std::make_pair(KeyType::p384, jws::Alg::ES384),
                                           std::make_pair(KeyType::rsa2048, jws::Alg::RS256),
                                           std::make_pair(KeyType::rsa2048, jws::Alg::PS256),
                                           std::make_pair(KeyType::ed25519, jws::Alg::EdDSA)));

TEST(Jws, DefaultAlgorithms) {
  EXPECT_EQ(jws::default_alg(KeyType::p256), jws::Alg::ES256);
  EXPECT_EQ(jws::default_alg(KeyType::p384), jws::Alg::ES384);
  EXPECT_EQ(jws::default_alg(KeyType::rsa3072), jws::Alg::RS256);
  EXPECT_EQ(jws::default_alg(KeyType::ed25519), jws::Alg::EdDSA);
  EXPECT_TRUE(jws::alg_emitted(jws::Alg::PS256));
  EXPECT_FALSE(jws::alg_emitted(jws::Alg::RS512));
  EXPECT_TRUE(jws::parse_alg("PS512"));
}

TEST(Jws, Ed25519IsDeterministic) {
  const auto& s = TestPki::get().signer(KeyType::ed25519);
  EXPECT_EQ(sign_doc(s), sign_doc(s));
}

TEST(Jws, EcdsaSignatureIsRawFixedSize) {
  auto doc = jws::parse(sign_doc(TestPki::get().signer(KeyType::p256)));
  EXPECT_EQ(doc->signatures[0].signature.size(), 64u);
  doc = jws::parse(sign_doc(TestPki::get().signer(KeyType::p384)));
  EXPECT_EQ(doc->signatures[0].signature.size(), 96u);
}

TEST(Jws, SignRefusesKeyNotMatchingCertificate) {
  const auto& a = TestPki::get().signer(KeyType::p256, 0);
  const auto& b = TestPki::get().signer(KeyType::p256, 1);
  auto sig = jws::sign(kPayload, options_for(b), *a.key);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, Errc::key);
}

TEST(Jws, SignRefusesAlgNotFittingKey) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto sig = jws::sign(kPayload, options_for(s, jws::Alg::RS256), *s.key);
  ASSERT_FALSE(sig);
  EXPECT_NE(sig.error().message.find("does not fit"), std::string::npos);
}

TEST(Jws, WrongKeyInX5cFailsVerification) {
  const auto& a = TestPki::get().signer(KeyType::p256, 0);
  const auto& b = TestPki::get().signer(KeyType::p256, 1);
  auto problem = first_problem(crafted(es256_header(b), *a.key));  // signed by a, claims b
  EXPECT_NE(problem.find("does not verify"), std::string::npos) << problem;
}

TEST(Jws, TamperedPayloadFailsVerification) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  std::string text = sign_doc(s);
  std::string other = base64url_encode(as_bytes(R"({"ManufacturerName":"Evil","ProductInstanceUri":"urn:x:1"})"));
  text.replace(text.find(kPayload), kPayload.size(), other);
  auto doc = jws::parse(text);
  ASSERT_TRUE(doc);
  auto ok = jws::verify_signature(doc->payload_b64, doc->signatures[0]);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::verify_failed);
}

TEST(Jws, SignatureCopiedFromAnotherTicketFails) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto other_payload = base64url_encode(as_bytes(R"({"ManufacturerName":"Acme","ProductInstanceUri":"urn:x:2"})"));
  auto foreign = jws::sign(other_payload, options_for(s), *s.key);
  ASSERT_TRUE(foreign);
  EXPECT_EQ(jws::verify_signature(kPayload, *foreign).error().code, Errc::verify_failed);
}

TEST(Jws, TamperedProtectedHeaderFails) {
  const auto& s = TestPki::get().signer(KeyType::ed25519);
  auto sig = jws::sign(kPayload, options_for(s), *s.key);
  ASSERT_TRUE(sig);
  jws::Signature forged = *sig;
  forged.protected_b64 = base64url_encode(as_bytes(
      R"({"alg":"EdDSA","x5c":)" + x5c_of(s.cert) + R"(,"cty":"opc-ticket+json;type=CompositeIdentityTicketType"})"));
  EXPECT_EQ(jws::verify_signature(kPayload, forged).error().code, Errc::verify_failed);
}

TEST(JwsAdversarial, AlgNoneAndHmacAreRefused) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  std::string none = R"({"alg":"none","x5c":)" + x5c_of(s.cert) + R"(,"cty":")" + kCty + "\"}";
  EXPECT_NE(first_problem(crafted(none, *s.key)).find("\"none\" is refused"), std::string::npos);
  std::string hs = R"({"alg":"HS256","x5c":)" + x5c_of(s.cert) + R"(,"cty":")" + kCty + "\"}";
  EXPECT_NE(first_problem(crafted(hs, *s.key)).find("HMAC"), std::string::npos);
}

TEST(JwsAdversarial, AlgNotFittingX5cKey) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  const auto& rsa = TestPki::get().signer(KeyType::rsa2048);
  std::string h = R"({"alg":"ES256","x5c":)" + x5c_of(rsa.cert) + R"(,"cty":")" + kCty + "\"}";
  EXPECT_NE(first_problem(crafted(h, *s.key)).find("alg ES256 does not fit the signer's key (RSA 2048 bits)"),
            std::string::npos);
  std::string h384 = R"({"alg":"ES384","x5c":)" + x5c_of(s.cert) + R"(,"cty":")" + kCty + "\"}";
  EXPECT_NE(first_problem(crafted(h384, *s.key)).find("does not fit"), std::string::npos);
}

TEST(JwsAdversarial, SmallRsaKeyIsRefused) {
  ossl::Ptr<EVP_PKEY> k(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  auto cert = TestPki::get().issue(x509::Profile::ticket_signer, "/CN=Weak", ossl::spki_der(k.get()));
  EXPECT_NE(jws::check_alg_fits(jws::Alg::RS256, cert).error().message.find("1024 bits is refused"), std::string::npos);
}

TEST(JwsAdversarial, DerEcdsaIsRejected) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto problem = first_problem(crafted(es256_header(s), *s.key, keys::Hash::sha256, true));
  EXPECT_NE(problem.find("DER-encoded"), std::string::npos) << problem;
}

TEST(JwsAdversarial, SignatureOneByteShort) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto doc = jws::parse(sign_doc(s));
  auto sig = doc->signatures[0];
  sig.signature.pop_back();
  auto ok = jws::verify_signature(doc->payload_b64, sig);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("63 bytes"), std::string::npos) << ok.error().message;
  const auto& r = TestPki::get().signer(KeyType::rsa2048);
  doc = jws::parse(sign_doc(r));
  sig = doc->signatures[0];
  sig.signature.pop_back();
  EXPECT_NE(jws::verify_signature(doc->payload_b64, sig).error().message.find("255 bytes"), std::string::npos);
}

TEST(JwsAdversarial, Base64urlPaddingAndStandardAlphabet) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  std::string text = sign_doc(s);
  // payload with padding / '+' / '/': the whole document is malformed
  std::string padded = text;
  padded.insert(padded.find("\",\"signatures\""), "=");
  auto doc = jws::parse(padded);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("payload: base64url"), std::string::npos) << doc.error().message;
  std::string plus = text;
  plus[plus.find("\"payload\":\"") + 12] = '+';
  EXPECT_FALSE(jws::parse(plus));
  // signature value with '/' or padding: that signature is unusable
  auto sig_at = text.find("\"signature\":\"") + 13;
  std::string slash = text;
  slash[sig_at] = '/';
  EXPECT_NE(first_problem(slash).find("signature value: base64url: invalid character"), std::string::npos);
  std::string sig_pad = text;
  sig_pad.insert(text.find("\"}]}"), "==");
  EXPECT_NE(first_problem(sig_pad).find("signature value: base64url"), std::string::npos);
}

TEST(JwsAdversarial, DuplicateMembers) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto problem = first_problem(crafted(es256_header(s, R"(,"alg":"ES256")"), *s.key));
  EXPECT_NE(problem.find("duplicate member 'alg'"), std::string::npos) << problem;
  problem = first_problem(crafted(es256_header(s, R"(,"\u0061lg":"ES256")"), *s.key));  // escaped spelling
  EXPECT_NE(problem.find("duplicate member 'alg'"), std::string::npos) << problem;
  std::string text = sign_doc(s);
  std::string dup = "{\"payload\":\"e30\"," + text.substr(1);
  EXPECT_NE(jws::parse(dup).error().message.find("duplicate member 'payload'"), std::string::npos);
}

TEST(JwsAdversarial, CritIsRefused) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto problem = first_problem(crafted(es256_header(s, R"(,"crit":["exp"],"exp":1)"), *s.key));
  EXPECT_NE(problem.find("\"crit\""), std::string::npos) << problem;
}

TEST(JwsAdversarial, X5cProblems) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto header = [&](const std::string& x5c) { return R"({"alg":"ES256","x5c":)" + x5c + R"(,"cty":")" + kCty + "\"}"; };
  EXPECT_NE(first_problem(crafted(header("[]"), *s.key)).find("x5c is empty"), std::string::npos);
  EXPECT_NE(first_problem(crafted(header("[\"not base64!\"]"), *s.key)).find("x5c[0] is not standard base64"),
            std::string::npos);
  EXPECT_NE(first_problem(crafted(header("[\"aGVsbG8=\"]"), *s.key)).find("x5c[0] is not a DER certificate"),
            std::string::npos);
  std::string url_alphabet = base64url_encode(s.cert.der());
  EXPECT_NE(first_problem(crafted(header("[\"" + url_alphabet + "\"]"), *s.key)).find("not standard base64"),
            std::string::npos);
  std::string nine = "[";
  for (int i = 0; i < 9; ++i) nine += (i ? ",\"" : "\"") + base64_encode(s.cert.der()) + "\"";
  EXPECT_NE(first_problem(crafted(header(nine + "]"), *s.key)).find("more than the limit of 8"), std::string::npos);
  auto missing = R"({"alg":"ES256","cty":")" + kCty + "\"}";
  EXPECT_NE(first_problem(crafted(missing, *s.key)).find("\"x5c\" is missing"), std::string::npos);
}

TEST(JwsAdversarial, UnprotectedHeaderCannotCarrySignedMembers) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  std::string text = sign_doc(s);
  std::string with_header = text;
  with_header.insert(with_header.find("\"signature\":"), R"("header":{"alg":"none"},)");
  EXPECT_NE(first_problem(with_header).find("both the protected and the unprotected"), std::string::npos);
  std::string harmless = text;
  harmless.insert(harmless.find("\"signature\":"), R"("header":{"tst":"x"},)");
  EXPECT_EQ(first_problem(harmless), "");
}

TEST(JwsAdversarial, UnknownHeaderMemberIsAWarning) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto doc = jws::parse(crafted(es256_header(s, R"(,"typ":"JOSE+JSON")"), *s.key));
  ASSERT_TRUE(doc);
  ASSERT_TRUE(doc->signatures[0].header);
  EXPECT_EQ(doc->signatures[0].header->warnings.size(), 1u);
  EXPECT_TRUE(jws::verify_signature(doc->payload_b64, doc->signatures[0]));
}

TEST(JwsAdversarial, Limits) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  std::string text = sign_doc(s);
  std::string big = text.substr(0, text.size() - 1);
  big.insert(1, "\"pad\":\"" + std::string(2u << 20, 'A') + "\",");
  auto doc = jws::parse(big);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("over the limit of 1048576"), std::string::npos);
  auto one = jws::parse(text)->signatures[0].raw;
  std::string many = "{\"payload\":\"" + kPayload + "\",\"signatures\":[";
  for (int i = 0; i < 100; ++i) many += (i ? "," : "") + one;
  many += "]}";
  doc = jws::parse(many);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("100 signatures, more than the limit of 64"), std::string::npos);
}

TEST(JwsParse, FlattenedIsConverted) {
  const auto& s = TestPki::get().signer(KeyType::p256);
  auto sig = jws::sign(kPayload, options_for(s), *s.key);
  std::string flat = R"({"payload":")" + kPayload + R"(","protected":")" + sig->protected_b64 + R"(","signature":")" +
                     sig->signature_b64 + "\"}";
  auto doc = jws::parse(flat);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE(doc->was_flattened);
  EXPECT_TRUE(jws::verify_signature(doc->payload_b64, doc->signatures[0]));
  EXPECT_EQ(doc->signatures[0].raw, sig->raw);
  auto general = jws::parse(jws::serialize(*doc));
  ASSERT_TRUE(general);
  EXPECT_FALSE(general->was_flattened);
}

TEST(JwsParse, StructuralFaults) {
  EXPECT_FALSE(jws::parse("not json"));
  EXPECT_FALSE(jws::parse("[]"));
  EXPECT_FALSE(jws::parse(R"({"payload":"e30"})"));
  EXPECT_FALSE(jws::parse(R"({"payload":"e30","signatures":[]})"));
  EXPECT_FALSE(jws::parse(R"({"payload":"e30","signatures":[1]})"));
  EXPECT_FALSE(jws::parse(R"({"payload":"e30","signatures":[],"extra":1})"));
  EXPECT_FALSE(jws::parse(R"({"signatures":[{"protected":"e30","signature":"AA"}]})"));
  // a broken signature object is a per-signature fault, not a structural one
  auto doc = jws::parse(R"({"payload":"e30","signatures":[{"protected":"e30"}]})");
  ASSERT_TRUE(doc);
  EXPECT_TRUE(doc->signatures[0].fault);
}

// JWS takes hash and padding from keys' table: the default alg signs as keys::default_params
// says, PS256 is keys' RSASSA-PSS (salt = hash length), and the signature bytes are checked with
// keys::verify under those params (ECDSA after the JWS rule R‖S → DER).
TEST(JwsKeysTable, AlgorithmsSignAsKeysSays) {
  for (auto [type, alg, pss] : std::vector<std::tuple<KeyType, jws::Alg, bool>>{
           {KeyType::p256, jws::Alg::ES256, false},
           {KeyType::p384, jws::Alg::ES384, false},
           {KeyType::rsa2048, jws::Alg::RS256, false},
           {KeyType::rsa2048, jws::Alg::PS256, true},
           {KeyType::ed25519, jws::Alg::EdDSA, false}}) {
    const auto& s = TestPki::get().signer(type);
    auto params = keys::default_params(type, pss);
    EXPECT_EQ(jws::detail::sign_params(jws::detail::info(alg)), params) << jws::alg_name(alg);
    if (!pss) EXPECT_EQ(jws::default_alg(type), alg);
    auto sig = jws::sign(kPayload, options_for(s, alg), *s.key);
    ASSERT_TRUE(sig) << sig.error().message;
    Bytes value = sig->signature;
    if (type == KeyType::p256 || type == KeyType::p384) value = *jws::detail::ecdsa_raw_to_der(value);
    std::string input = sig->protected_b64 + "." + kPayload;
    auto pub = keys::parse_public_key(s.key->public_key_der());
    ASSERT_TRUE(pub);
    EXPECT_TRUE(keys::verify(pub->get(), as_bytes(input), value, params)) << jws::alg_name(alg);
    std::string tampered = input;
    tampered.back() ^= 1;
    EXPECT_FALSE(keys::verify(pub->get(), as_bytes(tampered), value, params)) << jws::alg_name(alg);
    if (type == KeyType::rsa2048)  // the other padding does not verify it
      EXPECT_FALSE(keys::verify(pub->get(), as_bytes(input), value, keys::default_params(type, !pss)));
  }
}

// The refusal names the key it got, whatever its type (the operator fixes the alg or the key). The
// certificates are made with OpenSSL directly: our issuer refuses these key types, an x5c need not.
TEST(JwsAdversarial, AlgNotFittingNamesTheKeyType) {
  auto named = [](const char* type, jws::Alg alg) {
    ossl::Ptr<EVP_PKEY> k(EVP_PKEY_Q_keygen(nullptr, nullptr, type));
    ossl::Ptr<EVP_PKEY> signer(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Odd"), -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, k.get());
    X509_sign(x, signer.get(), nullptr);
    auto cert = x509::Certificate::adopt(x);
    auto r = jws::check_alg_fits(alg, cert);
    return r ? std::string("fits") : r.error().message;
  };
  EXPECT_EQ(named("ED448", jws::Alg::ES256), "alg ES256 does not fit the signer's key (Ed448)");
  EXPECT_EQ(named("ED25519", jws::Alg::ES256), "alg ES256 does not fit the signer's key (Ed25519)");
  EXPECT_EQ(named("ED448", jws::Alg::EdDSA), "fits");  // RFC 8037: EdDSA covers Ed448 too
  EXPECT_EQ(named("X25519", jws::Alg::EdDSA), "alg EdDSA does not fit the signer's key (an unsupported key type)");
}
