// keys::tpm2::AttestSession against a real swtpm (SPEC §13.7, TCG Device Identity rev 12).
// Runs when ONBOARD_TEST_TPM2_ATTEST=1 and TPM2OPENSSL_TCTI points at a TPM that swtpm_setup
// gave EK certificates (tests/tpm/attest_session.sh sets that up); the "no EK certificate" case
// also needs ONBOARD_TEST_TPM2_NOEK_TCTI (a second, plain swtpm). Otherwise skipped.
// Credentials are made in software by tpm2_makecredential -T none; certify output is checked
// with OpenSSL. No mocks: the TPM is swtpm.
#include <gtest/gtest.h>
#include <tss2/tss2_mu.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "onboard/keys/keys.h"
#include "onboard/keys/tpm2_attest.h"
#include "tpm2_templates.h"

namespace fs = std::filesystem;
using namespace onboard;
using namespace onboard::keys;
using namespace onboard::keys::tpm2;

namespace {

const char* env(const char* n) {
  const char* v = std::getenv(n);
  return v && *v ? v : nullptr;
}

bool enabled() { return env("ONBOARD_TEST_TPM2_ATTEST") && std::string(env("ONBOARD_TEST_TPM2_ATTEST")) == "1"; }

std::string hex(std::uint32_t h) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", h);
  return b;
}

Bytes read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}
void write_all(const fs::path& p, ByteView b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

TPMT_PUBLIC unmarshal_public(const Bytes& b) {
  TPMT_PUBLIC p{};
  size_t off = 0;
  EXPECT_EQ(Tss2_MU_TPMT_PUBLIC_Unmarshal(b.data(), b.size(), &off, &p), TSS2_RC_SUCCESS);
  EXPECT_EQ(off, b.size());
  return p;
}

bool handle_used(std::uint32_t h) {
  KeyContext ctx(KeyOptions{});
  auto uri = parse_key_uri("tpm2:handle=" + hex(h));
  auto used = ctx.exists(*uri);
  EXPECT_TRUE(used.has_value()) << (used ? "" : used.error().message);
  return used && *used;
}

void evict(std::uint32_t h) {
  std::string cmd = "tpm2_evictcontrol -C o -c " + hex(h) + " >/dev/null 2>&1; tpm2_flushcontext -t >/dev/null 2>&1";
  (void)std::system(cmd.c_str());
}

struct Blob {
  Bytes credential, secret;
};
// tpm2_makecredential -T none (software): the file is 0xBADCC0DE, version 1, TPM2B_ID_OBJECT,
// TPM2B_ENCRYPTED_SECRET.
Blob make_credential(const fs::path& dir, const Bytes& ek_public, const Bytes& name, const Bytes& secret) {
  Bytes pub2b{static_cast<std::uint8_t>(ek_public.size() >> 8), static_cast<std::uint8_t>(ek_public.size())};
  pub2b.insert(pub2b.end(), ek_public.begin(), ek_public.end());
  write_all(dir / "ek.pub", pub2b);
  write_all(dir / "secret", secret);
  std::string cmd = "tpm2_makecredential -T none -u " + (dir / "ek.pub").string() + " -s " +
                    (dir / "secret").string() + " -n " + hex_encode(name) + " -o " + (dir / "cred").string() +
                    " >" + (dir / "mc.log").string() + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Bytes f = read_all(dir / "cred");
  Blob out;
  if (f.size() < 12) {
    ADD_FAILURE() << "tpm2_makecredential wrote " << f.size() << " bytes";
    return out;
  }
  EXPECT_EQ(f[0], 0xBA);
  EXPECT_EQ(f[3], 0xDE);
  std::size_t off = 8;
  auto take = [&](Bytes& into) {
    std::size_t n = (std::size_t(f[off]) << 8) | f[off + 1];
    into.assign(f.begin() + off, f.begin() + off + 2 + n);
    off += 2 + n;
  };
  take(out.credential);
  take(out.secret);
  EXPECT_EQ(off, f.size());
  return out;
}

// The certify result checked in software: magic, type, nonce, the IDevID's name, and the IAK's
// signature over the TPMS_ATTEST bytes.
void check_certified(const Certified& c, const Bytes& iak_public, const Bytes& idevid_name, const Bytes& nonce) {
  TPMS_ATTEST a{};
  size_t off = 0;
  ASSERT_EQ(Tss2_MU_TPMS_ATTEST_Unmarshal(c.attest.data(), c.attest.size(), &off, &a), TSS2_RC_SUCCESS);
  EXPECT_EQ(off, c.attest.size());
  EXPECT_EQ(a.magic, TPM2_GENERATED_VALUE);
  EXPECT_EQ(a.type, TPM2_ST_ATTEST_CERTIFY);
  EXPECT_EQ(Bytes(a.extraData.buffer, a.extraData.buffer + a.extraData.size), nonce);
  const TPM2B_NAME& n = a.attested.certify.name;
  EXPECT_EQ(Bytes(n.name, n.name + n.size), idevid_name);

  TPMT_SIGNATURE sig{};
  off = 0;
  ASSERT_EQ(Tss2_MU_TPMT_SIGNATURE_Unmarshal(c.signature.data(), c.signature.size(), &off, &sig), TSS2_RC_SUCCESS);
  EXPECT_EQ(off, c.signature.size());
  TPMT_PUBLIC iak = unmarshal_public(iak_public);
  auto key = public_key_of(iak);
  ASSERT_TRUE(key) << key.error().message;
  Bytes der;
  SignParams params;
  if (sig.sigAlg == TPM2_ALG_ECDSA) {
    ossl::Ptr<ECDSA_SIG> es(ECDSA_SIG_new());
    const auto& r = sig.signature.ecdsa.signatureR;
    const auto& s = sig.signature.ecdsa.signatureS;
    ECDSA_SIG_set0(es.get(), BN_bin2bn(r.buffer, r.size, nullptr), BN_bin2bn(s.buffer, s.size, nullptr));
    der = ossl::to_der(i2d_ECDSA_SIG, es.get());
    params.hash = sig.signature.ecdsa.hash == TPM2_ALG_SHA384 ? Hash::sha384 : Hash::sha256;
  } else {
    ASSERT_EQ(sig.sigAlg, TPM2_ALG_RSAPSS);
    der.assign(sig.signature.rsapss.sig.buffer, sig.signature.rsapss.sig.buffer + sig.signature.rsapss.sig.size);
    params = {Hash::sha256, Padding::pss};
  }
  EXPECT_TRUE(keys::verify(key->get(), c.attest, der, params)) << "the IAK's signature over TPMS_ATTEST";
  Bytes tampered = c.attest;
  tampered.back() ^= 1;
  EXPECT_FALSE(keys::verify(key->get(), tampered, der, params)) << "a tampered TPMS_ATTEST must not verify";
}

struct Case {
  KeyType type;
  std::uint32_t iak, idevid;
};

class AttestSessionTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    if (!enabled()) GTEST_SKIP() << "no ONBOARD_TEST_TPM2_ATTEST=1 (run tests/tpm/attest_session.sh)";
    dir_ = fs::temp_directory_path() / ("attest-" + std::to_string(::getpid()) + "-" + key_type_name(GetParam().type));
    fs::create_directories(dir_);
    evict(GetParam().iak);
    evict(GetParam().idevid);
  }
  void TearDown() override {
    if (!enabled()) return;
    evict(GetParam().iak);
    evict(GetParam().idevid);
    fs::remove_all(dir_);
  }
  AttestOptions options() const {
    AttestOptions o;
    o.key_type = GetParam().type;
    o.iak_handle = GetParam().iak;
    o.idevid_handle = GetParam().idevid;
    return o;
  }
  fs::path dir_;
};

TEST_P(AttestSessionTest, EkCertificateMatchesTheRecreatedEk) {
  auto s = AttestSession::open(options());
  ASSERT_TRUE(s) << s.error().message;
  auto ek = s->endorsement_key();
  ASSERT_TRUE(ek) << ek.error().message;
  // swtpm_setup --create-ek-cert writes the RSA EK certificate at 0x01c00002 (its ECC one is
  // P-384 at 0x01c00016, which is not template L-2).
  EXPECT_EQ(ek->type, EkType::rsa2048);
  EXPECT_EQ(ek->nv_index, 0x01c00002u);
  auto cert = ossl::parse_cert_der(ek->certificate_der, "EK certificate");
  ASSERT_TRUE(cert) << cert.error().message;
  TPMT_PUBLIC pub = unmarshal_public(ek->public_area);
  EXPECT_EQ(pub.type, TPM2_ALG_RSA);
  EXPECT_EQ(pub.objectAttributes & TPMA_OBJECT_RESTRICTED, TPMA_OBJECT_RESTRICTED);
  auto key = public_key_of(pub);
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert->get()), key->get()), 1);
  EXPECT_EQ(ek->name.size(), 34u);  // SHA-256 nameAlg + digest
}

TEST_P(AttestSessionTest, KeysCarryTheTemplateAttributes) {
  auto s = AttestSession::open(options());
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE(s->endorsement_key());
  ASSERT_TRUE(s->create_keys());
  TPMT_PUBLIC iak = unmarshal_public(s->iak_public());
  TPMT_PUBLIC idevid = unmarshal_public(s->idevid_public());
  const TPMA_OBJECT base = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                           TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_SIGN_ENCRYPT;
  EXPECT_EQ(iak.objectAttributes, base | TPMA_OBJECT_RESTRICTED);
  EXPECT_EQ(idevid.objectAttributes, base);
  const TPMI_ALG_HASH hash = GetParam().type == KeyType::p384 ? TPM2_ALG_SHA384 : TPM2_ALG_SHA256;
  EXPECT_EQ(iak.nameAlg, hash);
  EXPECT_EQ(idevid.nameAlg, hash);
  EXPECT_EQ(iak.type, GetParam().type == KeyType::rsa2048 ? TPM2_ALG_RSA : TPM2_ALG_ECC);
  auto iak_policy = template_auth_policy(GetParam().type, true);
  auto idevid_policy = template_auth_policy(GetParam().type, false);
  ASSERT_TRUE(iak_policy && idevid_policy);
  EXPECT_NE(*iak_policy, *idevid_policy);
  EXPECT_EQ(Bytes(iak.authPolicy.buffer, iak.authPolicy.buffer + iak.authPolicy.size), *iak_policy);
  EXPECT_EQ(Bytes(idevid.authPolicy.buffer, idevid.authPolicy.buffer + idevid.authPolicy.size), *idevid_policy);
  EXPECT_EQ(s->iak_name().size(), 2u + (hash == TPM2_ALG_SHA384 ? 48u : 32u));
  EXPECT_NE(s->iak_name(), s->idevid_name());
  // Primary keys from the endorsement seed: a second session recreates the very same keys.
  const Bytes first = s->idevid_public();
  s = AttestSession::open(options());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->create_keys());
  EXPECT_EQ(s->idevid_public(), first);
}

TEST_P(AttestSessionTest, ActivateCredentialReleasesTheSecretOnlyForTheIak) {
  auto s = AttestSession::open(options());
  ASSERT_TRUE(s) << s.error().message;
  auto ek = s->endorsement_key();
  ASSERT_TRUE(ek) << ek.error().message;
  ASSERT_TRUE(s->create_keys());
  Bytes secret(32);
  for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<std::uint8_t>(i * 7 + 1);
  Blob blob = make_credential(dir_, ek->public_area, s->iak_name(), secret);
  auto got = s->activate_credential(blob.credential, blob.secret);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, secret);
  // Twice in one session: the policy sessions are fresh each time.
  got = s->activate_credential(blob.credential, blob.secret);
  ASSERT_TRUE(got) << got.error().message;
  // Made for another object (the IDevID's name): the TPM refuses to release it.
  Blob other = make_credential(dir_, ek->public_area, s->idevid_name(), secret);
  auto refused = s->activate_credential(other.credential, other.secret);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::key);
  EXPECT_NE(refused.error().message.find("TPM2_ActivateCredential failed"), std::string::npos) << refused.error().message;
  // Bytes that are no TPM2B_ID_OBJECT.
  Bytes junk{0x00, 0x05, 0x01};
  auto bad = s->activate_credential(junk, blob.secret);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
}

TEST_P(AttestSessionTest, CertifyIsSignedByTheIakOverTheNonce) {
  auto s = AttestSession::open(options());
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE(s->endorsement_key());
  ASSERT_TRUE(s->create_keys());
  Bytes nonce{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  auto c = s->certify(nonce);
  ASSERT_TRUE(c) << c.error().message;
  check_certified(*c, s->iak_public(), s->idevid_name(), nonce);
  Bytes too_long(100, 1);
  auto refused = s->certify(too_long);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
}

TEST_P(AttestSessionTest, PersistPutsBothKeysAndTheIdevidSigns) {
  Bytes idevid_public;
  {
    auto s = AttestSession::open(options());
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(s->endorsement_key());
    ASSERT_TRUE(s->create_keys());
    ASSERT_TRUE(s->certify(Bytes(32, 7)));
    auto ok = s->persist();
    ASSERT_TRUE(ok) << ok.error().message;
    idevid_public = s->idevid_public();
  }
  EXPECT_TRUE(handle_used(GetParam().iak));
  EXPECT_TRUE(handle_used(GetParam().idevid));
  // The persistent IDevID signs through the tpm2 backend (provider), and the signature verifies
  // with the public key the session reported.
  KeyContext ctx(KeyOptions{});
  auto signer = ctx.open(*parse_key_uri("tpm2:handle=" + hex(GetParam().idevid)));
  ASSERT_TRUE(signer) << signer.error().message;
  auto params = default_params(GetParam().type);
  auto sig = (*signer)->sign(as_bytes("attested"), params);
  ASSERT_TRUE(sig) << sig.error().message;
  auto key = public_key_of(unmarshal_public(idevid_public));
  ASSERT_TRUE(key);
  EXPECT_TRUE(keys::verify(key->get(), as_bytes("attested"), *sig, params));
  // use_existing: the same keys, attested where they are.
  AttestOptions o = options();
  o.use_existing = true;
  auto again = AttestSession::open(o);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_TRUE(again->endorsement_key());
  ASSERT_TRUE(again->create_keys());
  EXPECT_EQ(again->idevid_public(), idevid_public);
  Bytes nonce(20, 9);
  auto c = again->certify(nonce);
  ASSERT_TRUE(c) << c.error().message;
  check_certified(*c, again->iak_public(), again->idevid_name(), nonce);
  EXPECT_TRUE(again->persist());  // a no-op for existing keys
  // New keys at occupied handles: refused before anything is created.
  auto refused = AttestSession::open(options());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::key);
  EXPECT_NE(refused.error().message.find("already holds a key"), std::string::npos) << refused.error().message;
}

TEST_P(AttestSessionTest, DroppedSessionLeavesBothHandlesFree) {
  {
    auto s = AttestSession::open(options());
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(s->endorsement_key());
    ASSERT_TRUE(s->create_keys());
    ASSERT_TRUE(s->certify(Bytes(32, 1)));
  }
  EXPECT_FALSE(handle_used(GetParam().iak));
  EXPECT_FALSE(handle_used(GetParam().idevid));
  // And nothing transient stayed loaded: three more sessions in a row fit swtpm's 3 slots.
  for (int i = 0; i < 3; ++i) {
    auto s = AttestSession::open(options());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->endorsement_key());
    ASSERT_TRUE(s->create_keys()) << "round " << i;
  }
}

TEST_P(AttestSessionTest, OccupiedHandleIsRefusedAndNothingIsCreated) {
  KeyContext ctx(KeyOptions{});
  auto made = ctx.generate(*parse_key_uri("tpm2:handle=" + hex(GetParam().idevid)), KeyType::p256);
  ASSERT_TRUE(made) << made.error().message;
  auto s = AttestSession::open(options());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::key);
  EXPECT_NE(s.error().message.find(hex(GetParam().idevid)), std::string::npos) << s.error().message;
  EXPECT_FALSE(handle_used(GetParam().iak));
}

INSTANTIATE_TEST_SUITE_P(Tpm2, AttestSessionTest,
                         ::testing::Values(Case{KeyType::p256, 0x81000101, 0x81000102},
                                           Case{KeyType::p384, 0x81000111, 0x81000112},
                                           Case{KeyType::rsa2048, 0x81000121, 0x81000122}),
                         [](const auto& info) { return key_type_name(info.param.type); });

// Without the TPM: argument checks and the template policies.
TEST(AttestSessionArgs, HandlesMustBePersistentAndDistinct) {
  AttestOptions o;
  o.tcti = "swtpm:host=127.0.0.1,port=1";  // never reached: refused before connecting
  o.iak_handle = 0x81000001;
  o.idevid_handle = 0x81000001;
  auto same = AttestSession::open(o);
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, Errc::usage);
  o.idevid_handle = 0x01c00002;
  auto nv = AttestSession::open(o);
  ASSERT_FALSE(nv);
  EXPECT_EQ(nv.error().code, Errc::usage);
  o.idevid_handle = 0x81000002;
  o.key_type = KeyType::ed25519;
  auto ed = AttestSession::open(o);
  ASSERT_FALSE(ed);
  EXPECT_EQ(ed.error().code, Errc::usage);
  o.key_type = KeyType::p256;
  auto unreachable = AttestSession::open(o);
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, Errc::key);
}

TEST(AttestSessionArgs, TemplatePoliciesAreCommandCodeBranches) {
  // IDevID: PolicyCommandCode(TPM_CC_Certify) alone; IAK: PolicyOR of ActivateCredential and
  // Certify. Recomputed here independently of tpm2_templates.cpp.
  auto h = [](const Bytes& in) {
    Bytes out(32);
    unsigned n = 0;
    EVP_Digest(in.data(), in.size(), out.data(), &n, EVP_sha256(), nullptr);
    return out;
  };
  auto cc = [&](std::uint32_t code) {
    Bytes in(32, 0);
    for (std::uint32_t v : {0x0000016Cu, code})
      for (int s = 24; s >= 0; s -= 8) in.push_back(static_cast<std::uint8_t>(v >> s));
    return h(in);
  };
  Bytes certify = cc(0x148), activate = cc(0x147);
  Bytes or_in(32, 0);
  for (std::uint8_t b : {0x00, 0x00, 0x01, 0x71}) or_in.push_back(b);
  or_in.insert(or_in.end(), activate.begin(), activate.end());
  or_in.insert(or_in.end(), certify.begin(), certify.end());
  EXPECT_EQ(*template_auth_policy(KeyType::p256, false), certify);
  EXPECT_EQ(*template_auth_policy(KeyType::rsa2048, true), h(or_in));
  EXPECT_EQ(template_auth_policy(KeyType::p384, true)->size(), 48u);
  EXPECT_FALSE(template_auth_policy(KeyType::rsa4096, true));
}

TEST(AttestSessionNoEk, TpmWithoutEkCertificateIsUntrusted) {
  if (!enabled()) GTEST_SKIP() << "no ONBOARD_TEST_TPM2_ATTEST=1 (run tests/tpm/attest_session.sh)";
  const char* noek = env("ONBOARD_TEST_TPM2_NOEK_TCTI");
  if (!noek) GTEST_SKIP() << "no ONBOARD_TEST_TPM2_NOEK_TCTI";
  auto present = ek_certificate_indices(noek);
  ASSERT_TRUE(present) << present.error().message;
  EXPECT_TRUE(present->empty());
  AttestOptions o;
  o.tcti = noek;
  o.iak_handle = 0x81000131;
  o.idevid_handle = 0x81000132;
  auto s = AttestSession::open(o);
  ASSERT_TRUE(s) << s.error().message;
  auto ek = s->endorsement_key();
  ASSERT_FALSE(ek);
  EXPECT_EQ(ek.error().code, Errc::untrusted);
  EXPECT_NE(ek.error().message.find("no EK certificate in TPM NV"), std::string::npos) << ek.error().message;
}

TEST(AttestSessionNoEk, EccEkWithoutItsCertificateIsUntrusted) {
  if (!enabled()) GTEST_SKIP() << "no ONBOARD_TEST_TPM2_ATTEST=1 (run tests/tpm/attest_session.sh)";
  auto present = ek_certificate_indices("");
  ASSERT_TRUE(present) << present.error().message;
  EXPECT_EQ(*present, std::vector<std::uint32_t>{0x01c00002});
  AttestOptions o;
  o.iak_handle = 0x81000131;
  o.idevid_handle = 0x81000132;
  o.ek_type = EkType::ecc_p256;  // swtpm_setup wrote none at 0x01c0000a
  auto s = AttestSession::open(o);
  ASSERT_TRUE(s) << s.error().message;
  auto ek = s->endorsement_key();
  ASSERT_FALSE(ek);
  EXPECT_EQ(ek.error().code, Errc::untrusted);
}

}  // namespace
