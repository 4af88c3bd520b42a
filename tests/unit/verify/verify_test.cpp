// onboard::verify: the SPEC §8 model — trust decisions, time, policy, valid until, structural
// faults, required signers and device matching with composite partial-match rejection.
#include "onboard/verify/verify.h"
#include "pki.h"

using namespace onboard;
using namespace onboard::testing;
using x509::Profile;

namespace {

const std::string kPiu = "urn:acme:x1:1";
const std::string kCiu = "urn:builder:line:7";

struct World {
  TestPki f;
  Party root = f.make(Profile::root_ca, "/O=Acme/CN=Acme Root", nullptr);
  Party ca = f.make(Profile::issuing_ca, "/O=Acme/CN=Acme CA", &root);
  Party signer = f.make(Profile::ticket_signer, "/O=Acme/CN=Acme Ticket Signer", &ca, kT0 + 5 * kYear);
  Party droot = f.make(Profile::root_ca, "/O=Dist/CN=Dist Root", nullptr);
  Party dsigner = f.make(Profile::ticket_signer, "/O=Dist/CN=Dist Signer", &droot, kT0 + 10 * kYear);
  Party eroot = f.make(Profile::root_ca, "/O=Evil/CN=Evil Root", nullptr);
  Party esigner = f.make(Profile::ticket_signer, "/O=Acme/CN=Acme Ticket Signer", &eroot);
  Party devca = f.make(Profile::issuing_ca, "/O=Acme/CN=Device CA", &root);
  Party dev_both = f.make(Profile::ldevid, "/O=Acme/CN=X1", &devca, kNoExpiry, {kPiu, kCiu});
  Party dev_piu = f.make(Profile::ldevid, "/O=Acme/CN=X1", &devca, kNoExpiry, {kPiu});
  Party eca = f.make(Profile::issuing_ca, "/O=Evil/CN=Evil CA", &eroot);
  Party other_dev = f.make(Profile::ldevid, "/O=Evil/CN=X1", &eca, kNoExpiry, {kPiu, kCiu});

  std::vector<ticket::CertificateAuthority> authorities() const {
    return {ticket::CertificateAuthority{devca.cert.der(), {root.cert.der()}}};
  }
};

World& world() {
  static World w;
  return w;
}

verify::Options anchors(std::vector<x509::Certificate> a, UnixTime at = kT0 + kYear) {
  verify::Options o;
  o.trust_anchors = std::move(a);
  o.at = at;
  return o;
}

verify::TicketReport check(const verify::Options& o, const std::string& doc) {
  verify::Verifier v(o);
  return v.verify("t.json", doc);
}

}  // namespace

TEST(Verify, RoundTripThroughTrustAnchor) {
  auto& w = world();
  auto r = check(anchors({w.root.cert}), signed_doc(device_ticket(kPiu), {&w.signer}));
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(r.code, Errc::ok);
  EXPECT_EQ(*r.carried_by, 0u);
  EXPECT_EQ(*r.valid_until, w.signer.cert.not_after());
  EXPECT_NE(r.signatures[0].trusted_by.find("Acme Root"), std::string::npos);
  EXPECT_EQ(r.signatures[0].certificates.size(), 3u);
  EXPECT_EQ(r.signatures[0].revocation_status, "not applicable");
  EXPECT_NE(verify::render_text(r).find("VALID"), std::string::npos);
  EXPECT_NE(verify::render_json(r).find("\"valid\":true"), std::string::npos);
}

TEST(Verify, ValidityExtendedByCountersignature) {
  auto& w = world();
  std::string one = signed_doc(device_ticket(kPiu), {&w.signer});
  std::string two = countersign(one, w.dsigner);
  UnixTime later = kT0 + 7 * kYear;  // after the Acme signer expired
  auto r = check(anchors({w.root.cert, w.droot.cert}, later), two);
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(*r.carried_by, 1u);
  EXPECT_EQ(*r.valid_until, w.dsigner.cert.not_after());
  EXPECT_FALSE(r.signatures[0].accepted);
  EXPECT_EQ(r.signatures[0].code, Errc::expired);
  auto alone = check(anchors({w.root.cert, w.droot.cert}, later), one);
  EXPECT_FALSE(alone.valid);
  EXPECT_EQ(alone.code, Errc::expired);
  EXPECT_NE(alone.reason.find("Acme Ticket Signer expired on"), std::string::npos) << alone.reason;
}

TEST(Verify, PolicyAllNeedsEverySignature) {
  auto& w = world();
  std::string two = countersign(signed_doc(device_ticket(kPiu), {&w.signer}), w.dsigner);
  auto o = anchors({w.root.cert, w.droot.cert}, kT0 + 7 * kYear);
  o.policy = verify::Policy::all;
  auto r = check(o, two);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.code, Errc::expired);
  o.at = kT0 + kYear;
  r = check(o, two);
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(*r.valid_until, w.signer.cert.not_after());  // the first to expire limits "all"
  o.trust_anchors = {w.root.cert};
  r = check(o, two);
  EXPECT_EQ(r.code, Errc::untrusted);
}

TEST(Verify, UntrustedRoot) {
  auto& w = world();
  auto r = check(anchors({w.root.cert}), signed_doc(device_ticket(kPiu), {&w.esigner}));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.code, Errc::untrusted);
  EXPECT_NE(r.reason.find("Evil Root"), std::string::npos) << r.reason;
}

TEST(Verify, SourceDeviceAcceptsOnlyTicketAuthorities) {
  auto& w = world();
  std::string doc = signed_doc(device_ticket(kPiu), {&w.signer});
  auto o = anchors({w.root.cert});
  o.source = verify::Source::device;
  auto r = check(o, doc);
  EXPECT_EQ(r.code, Errc::untrusted);
  EXPECT_NE(r.reason.find("--ticket-authority"), std::string::npos) << r.reason;
  o.ticket_authorities = {w.signer.cert};
  r = check(o, doc);
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_NE(r.signatures[0].trusted_by.find("ticket authority"), std::string::npos);
}

TEST(Verify, TamperedPayloadAndCopiedSignature) {
  auto& w = world();
  auto a = *jws::parse(signed_doc(device_ticket(kPiu), {&w.signer}));
  auto b = *jws::parse(signed_doc(device_ticket("urn:acme:x1:2"), {&w.signer}));
  jws::Document mixed{a.payload_b64, a.payload, {b.signatures[0]}, false};
  auto r = check(anchors({w.root.cert}), jws::serialize(mixed));
  EXPECT_EQ(r.code, Errc::verify_failed);
  EXPECT_NE(r.reason.find("signature"), std::string::npos);
  EXPECT_EQ(r.signatures[0].chain.outcome, verify::Outcome::pass);
}

TEST(Verify, SignerThatIsACaIsRejected) {
  auto& w = world();
  auto r = check(anchors({w.root.cert}), signed_doc(device_ticket(kPiu), {&w.ca}));
  EXPECT_EQ(r.code, Errc::verify_failed);
  EXPECT_NE(r.reason.find("is a CA certificate"), std::string::npos) << r.reason;
}

TEST(Verify, StructuralFaults) {
  auto& w = world();
  auto t = device_ticket(kPiu);
  std::string payload = base64url_encode(as_bytes(*ticket::encode_json(t)));
  jws::Document mixed{payload, {}, {sign(payload, w.signer, ticket::cty_for(ticket::TicketType::device)),
                                    sign(payload, w.signer, ticket::cty_for(ticket::TicketType::composite))}, false};
  auto r = check(anchors({w.root.cert}), jws::serialize(mixed));
  EXPECT_EQ(r.code, Errc::malformed);
  EXPECT_NE(r.reason.find("mixed cty"), std::string::npos) << r.reason;

  ticket::Ticket c;
  c.type = ticket::TicketType::composite;
  c.manufacturer_name = "Builder";
  c.composite_instance_uri = kCiu;
  c.devices = {kPiu};
  std::string cp = base64url_encode(as_bytes(*ticket::encode_json(c)));
  jws::Document wrong{cp, {}, {sign(cp, w.signer, ticket::cty_for(ticket::TicketType::device))}, false};
  r = check(anchors({w.root.cert}), jws::serialize(wrong));
  EXPECT_EQ(r.code, Errc::malformed);
  EXPECT_NE(r.reason.find("but the payload is a CompositeIdentityTicketType"), std::string::npos) << r.reason;

  r = check(anchors({w.root.cert}), "{\"payload\":");
  EXPECT_EQ(r.code, Errc::malformed);
}

// SPEC §13.8: cty values are compared as parsed media types, so two spellings of the same type
// on two signatures are not "mixed".
TEST(Verify, CtySpellingsOfOneTypeAreNotMixed) {
  auto& w = world();
  std::string payload = base64url_encode(as_bytes(*ticket::encode_json(device_ticket(kPiu))));
  jws::Document doc{payload, {}, {sign(payload, w.signer, "opc-ticket+json;type=DeviceIdentityTicketType"),
                                  sign(payload, w.signer, "Application/OPC-Ticket+JSON ; Type=\"DeviceIdentityTicketType\"")},
                    false};
  auto r = check(anchors({w.root.cert}), jws::serialize(doc));
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(r.signatures.size(), 2u);
  EXPECT_TRUE(r.signatures[1].accepted) << r.signatures[1].reason;
}

TEST(Verify, RequiredSigner) {
  auto& w = world();
  std::string doc = signed_doc(device_ticket(kPiu), {&w.signer});
  auto o = anchors({w.root.cert, w.droot.cert});
  o.required_signers = {w.dsigner.cert};
  auto r = check(o, doc);
  EXPECT_EQ(r.code, Errc::untrusted);
  EXPECT_NE(r.reason.find("Dist Signer"), std::string::npos);
  r = check(o, countersign(doc, w.dsigner));
  EXPECT_TRUE(r.valid) << r.reason;
}

TEST(Verify, DeviceMatchingWithCompositePartialMatch) {
  auto& w = world();
  auto o = anchors({w.root.cert});
  verify::Verifier v(o);
  ticket::Ticket c;
  c.type = ticket::TicketType::composite;
  c.manufacturer_name = "Builder";
  c.composite_instance_uri = kCiu;
  c.devices = {kPiu};
  auto device = v.verify("d.json", signed_doc(device_ticket(kPiu, w.authorities()), {&w.signer}));
  ASSERT_TRUE(device.valid);

  auto partial = device;
  verify::match_device(partial, {{"piu-only.pem", w.dev_piu.cert}}, &c, o.at);
  EXPECT_EQ(partial.code, Errc::mismatch);
  EXPECT_NE(partial.reason.find("partial match"), std::string::npos) << partial.reason;

  auto both = device;
  verify::match_device(both, {{"piu-only.pem", w.dev_piu.cert}, {"both.pem", w.dev_both.cert}}, &c, o.at);
  EXPECT_TRUE(both.valid) << both.reason;
  EXPECT_EQ(both.device.certificate, "both.pem");

  auto plain = device;
  verify::match_device(plain, {{"piu-only.pem", w.dev_piu.cert}}, nullptr, o.at);
  EXPECT_TRUE(plain.valid) << plain.reason;

  auto foreign = device;
  verify::match_device(foreign, {{"evil.pem", w.other_dev.cert}}, nullptr, o.at);
  EXPECT_EQ(foreign.code, Errc::mismatch);
  EXPECT_NE(foreign.reason.find("Authorities"), std::string::npos) << foreign.reason;

  // A member of a nested composite: not listed in Devices, but countersigned by the builder.
  c.devices.clear();
  auto nested = v.verify("d.json", countersign(signed_doc(device_ticket(kPiu, w.authorities()), {&w.signer}), w.signer, kCiu));
  verify::match_device(nested, {{"piu-only.pem", w.dev_piu.cert}}, &c, o.at);
  EXPECT_EQ(nested.code, Errc::mismatch);
}

TEST(Verify, CombineCodes) {
  EXPECT_EQ(verify::combine_codes({Errc::expired, Errc::expired}), Errc::expired);
  EXPECT_EQ(verify::combine_codes({Errc::expired, Errc::untrusted}), Errc::verify_failed);
  EXPECT_EQ(verify::combine_codes({}), Errc::verify_failed);
}

// SPEC §13.4: the operator's report names the device by manufacturer, model and serial, each when known.
TEST(VerifyReport, TextNamesTheDeviceByWhatIsKnown) {
  auto& w = world();
  auto text = [&](const ticket::Ticket& t) {
    return verify::render_text(check(anchors({w.root.cert}), signed_doc(t, {&w.signer})));
  };
  auto t = device_ticket(kPiu);
  EXPECT_NE(text(t).find("(Acme, model X1, serial 1)"), std::string::npos) << text(t);
  t.model_name.clear();
  EXPECT_NE(text(t).find(kPiu + " (Acme, serial 1)"), std::string::npos) << text(t);
}

// The action line says SOON when the ticket stops verifying within 90 days (report.cpp's horizon).
TEST(VerifyReport, SoonMeansWithinNinetyDays) {
  auto& w = world();
  std::string doc = signed_doc(device_ticket(kPiu), {&w.signer});
  UnixTime until = w.signer.cert.not_after();
  auto at = [&](UnixTime t) { return verify::render_text(check(anchors({w.root.cert}, t), doc)); };
  EXPECT_EQ(at(until - 90 * 86400).find("SOON"), std::string::npos) << at(until - 90 * 86400);
  EXPECT_NE(at(until - 90 * 86400 + 1).find("action: SOON"), std::string::npos) << at(until - 90 * 86400 + 1);
  EXPECT_EQ(at(until - 200 * 86400).find("SOON"), std::string::npos);
  EXPECT_NE(at(until - 86400).find("action: SOON"), std::string::npos);
}

// SPEC §13.4 JSON: every descriptive field under its own name; manufacture_date null when unknown.
TEST(VerifyReport, JsonPayloadFields) {
  auto& w = world();
  auto t = device_ticket(kPiu);
  auto json = verify::render_json(check(anchors({w.root.cert}), signed_doc(t, {&w.signer})));
  EXPECT_NE(json.find(R"("model_name":"X1")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("serial_number":"1")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("manufacture_date":null)"), std::string::npos) << json;
  t.manufacture_date = kT0;
  json = verify::render_json(check(anchors({w.root.cert}), signed_doc(t, {&w.signer})));
  EXPECT_NE(json.find(R"("manufacture_date":"2023-11-14T22:13:20Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("model_name":"X1")"), std::string::npos) << json;
}

// The JSON report has a "device" object only when a device certificate was given to match.
TEST(VerifyReport, JsonDeviceObjectOnlyWhenMatched) {
  auto& w = world();
  auto o = anchors({w.root.cert});
  auto r = check(o, signed_doc(device_ticket(kPiu, w.authorities()), {&w.signer}));
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(verify::render_json(r).find(R"("device":)"), std::string::npos) << verify::render_json(r);
  verify::match_device(r, {{"piu-only.pem", w.dev_piu.cert}}, nullptr, o.at);
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_NE(verify::render_json(r).find(R"("device":{"matched":true,"certificate":"piu-only.pem")"), std::string::npos)
      << verify::render_json(r);
}

// SPEC §8 "valid until": under policy any the signature that lasts longest carries the ticket,
// under policy all the one that ends first limits it, whichever order the signatures come in.
TEST(Verify, ValidUntilPicksAmongAcceptedSignaturesInAnyOrder) {
  auto& w = world();
  std::string acme_first = countersign(signed_doc(device_ticket(kPiu), {&w.signer}), w.dsigner);
  std::string dist_first = countersign(signed_doc(device_ticket(kPiu), {&w.dsigner}), w.signer);
  for (const auto& [doc, longest, shortest] :
       {std::tuple{acme_first, 1u, 0u}, std::tuple{dist_first, 0u, 1u}}) {
    auto o = anchors({w.root.cert, w.droot.cert}, kT0 + kYear);
    auto any = check(o, doc);
    ASSERT_TRUE(any.valid) << any.reason;
    EXPECT_EQ(*any.carried_by, longest);
    EXPECT_EQ(*any.valid_until, w.dsigner.cert.not_after());
    o.policy = verify::Policy::all;
    auto all = check(o, doc);
    ASSERT_TRUE(all.valid) << all.reason;
    EXPECT_EQ(*all.carried_by, shortest);
    EXPECT_EQ(*all.valid_until, w.signer.cert.not_after());
  }
}
