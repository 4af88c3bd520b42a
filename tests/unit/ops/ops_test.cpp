// Every tool's operation, in process through Env (DESIGN rule 6): a pinned clock, captured
// stdout/stderr, files in a temporary directory. What the CLI tests do through the binaries,
// here without a process per step, and with the clock under the test's control.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "matchers.h"
#include "onboard/ops/label.h"
#include "onboard/ops/ops.h"
#include "onboard/ops/ticket.h"
#include "onboard/ops/verify.h"
#include "temp_dir.h"
#include "test_env.h"

namespace onboard::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kUri = "urn:acme.example:x1:42";

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
std::string slurp(const std::string& path) { return read_file(path).value_or(""); }

/// Manufacturer PKI made with create_authority itself: root → issuing CA → ticket signer.
class OpsTest : public ::testing::Test {
 protected:
  TempDir dir;
  TestEnv t{"ops-test"};

  std::string f(const std::string& name) const { return dir.file(name); }

  ops::CreateAuthorityRequest authority(const std::string& profile, const std::string& name, const std::string& issuer) {
    ops::CreateAuthorityRequest r;
    r.profile = profile;
    r.subject = "/O=Acme/CN=" + name;
    r.key = f(name + ".key");
    r.new_key = true;
    r.out = f(name + ".pem");
    if (!issuer.empty()) {
      r.issuer_cert = f(issuer + ".pem");
      r.issuer_key = f(issuer + ".key");
      r.crl_urls = {"http://crl.acme.example/" + issuer + ".crl"};  // revocation info (SPEC §13.2)
    }
    return r;
  }
  void make_pki() {
    ASSERT_THAT(ops::create_authority(authority("root-ca", "root", ""), t), IsOk());
    ASSERT_THAT(ops::create_authority(authority("issuing-ca", "ca", "root"), t), IsOk());
    ASSERT_THAT(ops::create_authority(authority("ticket-signer", "signer", "ca"), t), IsOk());
    write(f("bundle.pem"), slurp(f("ca.pem")) + slurp(f("root.pem")));
    t.clear();
  }
  ops::MintIdevidRequest idevid(const std::string& uri, const std::string& serial, const std::string& out) {
    ops::MintIdevidRequest r;
    r.dev.ca_cert = f("ca.pem");
    r.dev.ca_key = f("ca.key");
    r.dev.product_instance_uri = uri;
    r.dev.serial_number = serial;
    r.dev.serial_number_given = true;
    r.dev.device_key = f(serial + ".dev.key");
    r.dev.new_key = true;
    r.dev.out = f(out);
    return r;
  }
  /// A signed DeviceIdentityTicket for `uri` (sign_ticket), written to `out`.
  void signed_ticket(const std::string& uri, const std::string& out) {
    write(f(out + ".yaml"), "manufacturer_name: Acme\nmodel_name: X1\nserial_number: \"42\"\nproduct_instance_uri: " + uri +
                                "\nauthorities:\n  - bundle.pem\n");
    ops::SignTicketRequest r;
    r.signer = {f("signer.key"), f("signer.pem"), f("bundle.pem"), ""};  // every issuer up to the root
    r.ticket = f(out + ".yaml");
    r.out = f(out);
    ASSERT_THAT(ops::sign_ticket(r, t), IsOk());
    t.clear();
  }
  ops::TrustRequest trust_root() {
    ops::TrustRequest tr;
    tr.trust_anchors = {f("root.pem")};
    return tr;
  }
};

// ---- create-authority ----

TEST_F(OpsTest, CreateAuthorityWritesRootAndReportsIt) {
  auto r = authority("root-ca", "root", "");
  ASSERT_THAT(ops::create_authority(r, t), IsOk());
  EXPECT_THAT(slurp(r.out), HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(t.out.str(), HasSubstr(r.out + ": "));
  EXPECT_THAT(t.out.str(), HasSubstr("CN=root"));
  // Valid from the pinned clock: the report names the end of the default validity period.
  EXPECT_THAT(t.out.str(), HasSubstr("until "));
  EXPECT_EQ(t.err.str(), "");
}

TEST_F(OpsTest, CreateAuthorityJsonReportsProfileAndKey) {
  auto r = authority("root-ca", "root", "");
  r.common.json = true;
  ASSERT_THAT(ops::create_authority(r, t), IsOk());
  EXPECT_THAT(t.out.str(), HasSubstr("\"profile\":\"root-ca\""));
  EXPECT_THAT(t.out.str(), HasSubstr(r.key));
}

TEST_F(OpsTest, CreateAuthorityRefusesAnExistingOutputAndAnIssuerForARoot) {
  auto r = authority("root-ca", "root", "");
  ASSERT_THAT(ops::create_authority(r, t), IsOk());
  std::string before = slurp(r.out);
  r.key = f("other.key");
  EXPECT_THAT(ops::create_authority(r, t), HasErrc(Errc::file));
  EXPECT_EQ(slurp(r.out), before);
  EXPECT_FALSE(fs::exists(f("other.key")));  // refused before a key was made

  auto bad = authority("root-ca", "root2", "");
  bad.issuer_cert = r.out;
  EXPECT_THAT(ops::create_authority(bad, t), HasErrc(Errc::usage, HasSubstr("self-signed")));
  bad = authority("idevid", "x", "");
  EXPECT_THAT(ops::create_authority(bad, t), HasErrc(Errc::usage, HasSubstr("--profile")));
  EXPECT_FALSE(fs::exists(f("root2.pem")));
  EXPECT_FALSE(fs::exists(f("x.pem")));
}

// ---- mint-idevid ----

TEST_F(OpsTest, MintIdevidIssuesACertificateForTheUri) {
  make_pki();
  auto r = idevid(kUri, "42", "dev.pem");
  ASSERT_THAT(ops::mint_idevid(r, t), IsOk());
  EXPECT_THAT(slurp(r.dev.out), HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(fs::exists(r.dev.device_key));
  EXPECT_THAT(t.out.str(), HasSubstr(r.dev.out + ": "));
  EXPECT_THAT(t.out.str(), HasSubstr("42"));
}

TEST_F(OpsTest, MintIdevidRejectsABadUriAndWritesNothing) {
  make_pki();
  auto r = idevid("not a uri", "42", "dev.pem");
  EXPECT_THAT(ops::mint_idevid(r, t), HasErrc(Errc::malformed));
  EXPECT_FALSE(fs::exists(r.dev.out));
  EXPECT_FALSE(fs::exists(r.dev.device_key));
  EXPECT_EQ(t.out.str(), "");
}

TEST_F(OpsTest, MintIdevidNotAfterBeforeThePinnedClockIsRejected) {
  make_pki();
  auto r = idevid(kUri, "42", "dev.pem");
  r.dev.not_after = "2025-01-01T00:00:00Z";  // before kPinnedNow
  EXPECT_THAT(ops::mint_idevid(r, t), ::testing::Not(IsOk()));
  EXPECT_FALSE(fs::exists(r.dev.out));
}

// ---- issue-ldevid ----

TEST_F(OpsTest, IssueLdevidFromTheIdevidCarriesTheCompositeUri) {
  make_pki();
  ASSERT_THAT(ops::mint_idevid(idevid(kUri, "42", "idev.pem"), t), IsOk());
  ops::IssueLdevidRequest r;
  r.dev.ca_cert = f("ca.pem");
  r.dev.ca_key = f("ca.key");
  r.dev.product_instance_uri = kUri;
  r.composite_instance_uri = "urn:builder.example:cell:1";
  r.from_idevid = f("idev.pem");
  r.dev.out = f("ldev.pem");
  r.common.json = true;
  t.clear();
  ASSERT_THAT(ops::issue_ldevid(r, t), IsOk());
  EXPECT_THAT(slurp(r.dev.out), HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(t.out.str(), HasSubstr("urn:builder.example:cell:1"));

  // An IDevID of another device: mismatch, nothing written.
  r.dev.product_instance_uri = "urn:acme.example:x1:other";
  r.dev.out = f("ldev2.pem");
  EXPECT_THAT(ops::issue_ldevid(r, t), HasErrc(Errc::mismatch));
  EXPECT_FALSE(fs::exists(r.dev.out));
}

// ---- sign-ticket / verify-ticket ----

TEST_F(OpsTest, SignTicketThenVerifyTicket) {
  make_pki();
  signed_ticket(kUri, "t.json");
  EXPECT_THAT(slurp(f("t.json")), HasSubstr("\"signatures\""));

  ops::VerifyTicketRequest v;
  v.tickets = {f("t.json")};
  v.trust = trust_root();
  ASSERT_THAT(ops::verify_ticket(v, t), IsOk());
  EXPECT_THAT(t.out.str(), HasSubstr(kUri));
}

TEST_F(OpsTest, SignTicketRefusesAnIssuingCaAsSigner) {
  make_pki();
  write(f("t.yaml"), std::string("manufacturer_name: Acme\nproduct_instance_uri: ") + kUri + "\n");
  ops::SignTicketRequest r;
  r.signer = {f("ca.key"), f("ca.pem"), f("root.pem"), ""};  // a CA certificate, not a ticket signer
  r.ticket = f("t.yaml");
  r.out = f("t.json");
  EXPECT_THAT(ops::sign_ticket(r, t), ::testing::Not(IsOk()));
  EXPECT_FALSE(fs::exists(r.out));
}

TEST_F(OpsTest, VerifyTicketFollowsThePinnedClock) {
  make_pki();
  signed_ticket(kUri, "t.json");
  ops::VerifyTicketRequest v;
  v.tickets = {f("t.json")};
  v.trust = trust_root();
  // Far past the signer certificate's validity: the same ticket no longer verifies.
  t.now = parse_time("2090-01-01T00:00:00Z").value();
  EXPECT_THAT(ops::verify_ticket(v, t), HasErrc(Errc::expired));
  // Untrusted: verified against another root.
  t.now = kPinnedNow;
  ASSERT_THAT(ops::create_authority(authority("root-ca", "other", ""), t), IsOk());
  v.trust.trust_anchors = {f("other.pem")};
  EXPECT_THAT(ops::verify_ticket(v, t), HasErrc(Errc::untrusted));
}

// ---- countersign-ticket ----

TEST_F(OpsTest, CountersignTicketAddsASecondSignature) {
  make_pki();
  signed_ticket(kUri, "t.json");
  ASSERT_THAT(ops::create_authority(authority("root-ca", "droot", ""), t), IsOk());
  ASSERT_THAT(ops::create_authority(authority("ticket-signer", "dsigner", "droot"), t), IsOk());
  t.clear();
  ops::CountersignTicketRequest r;
  r.tickets = {f("t.json")};
  r.key = f("dsigner.key");
  r.cert = f("dsigner.pem");
  r.chain = f("droot.pem");
  r.trust = trust_root();
  r.out = f("t2.json");
  ASSERT_THAT(ops::countersign_ticket(r, t), IsOk());
  EXPECT_THAT(t.out.str(), HasSubstr("signature #1 added by O=Acme,CN=dsigner"));

  // Both signatures verify, each against its own root.
  ops::VerifyTicketRequest v;
  v.tickets = {r.out};
  v.trust.trust_anchors = {f("root.pem"), f("droot.pem")};
  v.policy = "all";
  t.clear();
  EXPECT_THAT(ops::verify_ticket(v, t), IsOk());

  // A ticket that does not verify against the given trust is not countersigned.
  r.trust.trust_anchors = {f("droot.pem")};
  r.out = f("t3.json");
  EXPECT_THAT(ops::countersign_ticket(r, t), HasErrc(Errc::untrusted));
  EXPECT_FALSE(fs::exists(r.out));
}

// ---- build-composite-ticket ----

TEST_F(OpsTest, BuildCompositeTicketOfTwoDevices) {
  make_pki();
  signed_ticket("urn:acme.example:x1:1", "t1.json");
  signed_ticket("urn:acme.example:x1:2", "t2.json");
  write(f("cell.yaml"),
        "manufacturer_name: Builder\nmodel_name: Cell\nserial_number: C1\ncomposite_instance_uri: urn:builder.example:cell:1\n");
  // The builder's own signer: the manufacturer's certificate may not sign the members twice (SPEC §13.2).
  ASSERT_THAT(ops::create_authority(authority("ticket-signer", "builder", "ca"), t), IsOk());
  t.clear();
  ops::BuildCompositeTicketRequest r;
  r.composite = f("cell.yaml");
  r.members = {f("t1.json"), f("t2.json")};
  r.key = f("builder.key");
  r.cert = f("builder.pem");
  r.chain = f("bundle.pem");
  r.authorities = {f("bundle.pem")};
  r.trust = trust_root();
  r.out_dir = f("cell");
  ASSERT_THAT(ops::build_composite_ticket(r, t), IsOk());
  EXPECT_THAT(t.out.str(), HasSubstr("composite urn:builder.example:cell:1 with 2 device(s)"));
  EXPECT_TRUE(fs::exists(f("cell/composite.ticket.json")));
  EXPECT_TRUE(fs::exists(f("cell/ticket-list.json")));

  // A member ticket that is not JSON: malformed, no output directory.
  write(f("junk.json"), "not json");
  r.members = {f("t1.json"), f("junk.json")};
  r.out_dir = f("cell2");
  EXPECT_THAT(ops::build_composite_ticket(r, t), HasErrc(Errc::malformed));
  EXPECT_FALSE(fs::exists(f("cell2/composite.ticket.json")));
}

// ---- print-label ----

TEST_F(OpsTest, PrintLabelWritesAPngThatScansBackToTheUri) {
  ops::PrintLabelRequest r;
  r.uri = "https://id.acme.example/x1/42";
  r.out = f("label.png");
  ASSERT_THAT(ops::print_label(r, t), IsOk());
  EXPECT_THAT(t.out.str(), HasSubstr(r.out + ": " + r.uri));
  EXPECT_TRUE(fs::exists(r.out));

  ops::PrintLabelRequest s;
  s.scan = r.out;
  s.uri = r.uri;
  t.clear();
  ASSERT_THAT(ops::print_label(s, t), IsOk());
  EXPECT_THAT(t.out.str(), HasSubstr("match: " + r.uri));

  s.uri = "https://id.acme.example/x1/43";
  EXPECT_THAT(ops::print_label(s, t), HasErrc(Errc::mismatch));
}

TEST_F(OpsTest, PrintLabelRejectsABadUriAndAnUnknownFormat) {
  ops::PrintLabelRequest r;
  r.uri = "no scheme";
  r.out = f("label.png");
  EXPECT_THAT(ops::print_label(r, t), HasErrc(Errc::malformed));
  r.uri = "https://id.acme.example/x1/42";
  r.out = f("label.gif");
  EXPECT_THAT(ops::print_label(r, t), ::testing::Not(IsOk()));
  EXPECT_FALSE(fs::exists(f("label.png")));
  EXPECT_FALSE(fs::exists(f("label.gif")));
}

}  // namespace
}  // namespace onboard::testing
