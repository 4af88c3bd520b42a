// onboard::ticket: exact compact JSON (SPEC §5), lenient-but-checked decoding, YAML input with
// FILE:LINE:COLUMN errors, templates, cty values, ticket lists, authority bundles.
#include <fstream>

#include "pki.h"
#include "onboard/ticket/ticket.h"

using namespace onboard;
using onboard::testing::TestPki;
using ticket::TicketType;

namespace {

ticket::Ticket fixed_ticket() {
  ticket::Ticket t;
  t.manufacturer_name = "Acme \"Industrial\" GmbH";
  t.model_name = "X1";
  t.serial_number = "16273849";
  t.manufacture_date = *parse_time("2024-05-01T00:00:00Z");
  t.product_instance_uri = "urn:acme.example:x1:16273849";
  return t;
}

Expected<ticket::Ticket> decode(const std::string& json, TicketType type = TicketType::device, bool strict = false,
                                std::vector<std::string>* warnings = nullptr) {
  return ticket::decode_json(as_bytes(json), type, {strict}, warnings);
}

std::string error_of(const Expected<ticket::Ticket>& r) { return r ? "" : r.error().message; }

TemplateValues row(TemplateValues values) { return values; }

}  // namespace

TEST(TicketJson, EncodesExactBytes) {
  auto json = ticket::encode_json(fixed_ticket());
  ASSERT_TRUE(json) << json.error().message;
  EXPECT_EQ(*json,
            R"({"ManufacturerName":"Acme \"Industrial\" GmbH","ModelName":"X1","SerialNumber":"16273849",)"
            R"("ManufactureDate":"2024-05-01T00:00:00Z","ProductInstanceUri":"urn:acme.example:x1:16273849"})");
}

TEST(TicketJson, EncodesAuthoritiesAndCompositeFieldsInOrder) {
  const auto& root = TestPki::get().root();
  const auto& signer = TestPki::get().signer(keys::KeyType::p256).cert;
  ticket::Ticket t;
  t.type = TicketType::composite;
  t.manufacturer_name = "Builder";
  t.authorities = {{signer.der(), {root.der()}}, {root.der(), {}}};
  t.composite_instance_uri = "urn:b:c1";
  t.devices = {"urn:a:1", "urn:a:2"};
  std::string a = base64_encode(signer.der()), r = base64_encode(root.der());
  EXPECT_EQ(*ticket::encode_json(t), R"({"ManufacturerName":"Builder","Authorities":[{"AuthorityCertificate":")" + a +
                                         R"(","IssuerCertificates":[")" + r + R"("]},{"AuthorityCertificate":")" + r +
                                         R"("}],"CompositeInstanceUri":"urn:b:c1","Devices":["urn:a:1","urn:a:2"]})");
  auto back = ticket::decode_json(as_bytes(*ticket::encode_json(t)), TicketType::composite, {});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->authorities.size(), 2u);
  EXPECT_EQ(back->authorities[0].issuer_certificates.at(0), root.der());
  EXPECT_EQ(back->devices, t.devices);
}

TEST(TicketJson, EncodeValidates) {
  auto t = fixed_ticket();
  t.manufacturer_name.clear();
  EXPECT_FALSE(ticket::encode_json(t));
  t = fixed_ticket();
  t.product_instance_uri = "not a uri";
  EXPECT_FALSE(ticket::encode_json(t));
  t = fixed_ticket();
  t.model_name = "\xff";
  EXPECT_FALSE(ticket::encode_json(t));
  t = fixed_ticket();
  t.manufacture_date.reset();
  EXPECT_EQ(ticket::encode_json(t)->find("ManufactureDate"), std::string::npos);
}

TEST(TicketJson, RoundTrip) {
  auto t = fixed_ticket();
  auto back = decode(*ticket::encode_json(t));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->manufacturer_name, t.manufacturer_name);
  EXPECT_EQ(back->manufacture_date, t.manufacture_date);
  EXPECT_EQ(back->product_instance_uri, t.product_instance_uri);
}

TEST(TicketJson, DecodesCamelCaseUaTypeIdAndUnknownDates) {
  std::vector<std::string> warnings;
  auto t = decode(R"({"UaTypeId":"nsu=http://opcfoundation.org/UA/Onboarding/;i=1166","manufacturerName":"A",)"
                  R"("ManufactureDate":"0001-01-01T00:00:00Z","productInstanceUri":"urn:a:1"})",
                  TicketType::device, false, &warnings);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->manufacturer_name, "A");
  EXPECT_FALSE(t->manufacture_date);
  EXPECT_EQ(warnings.size(), 2u);  // two camelCase members
  EXPECT_FALSE(decode(R"({"ManufacturerName":"A","ManufactureDate":"1601-01-01T00:00:00Z","ProductInstanceUri":"urn:a:1"})")
                   ->manufacture_date);
  EXPECT_EQ(*decode(R"({"ManufacturerName":"A","ManufactureDate":"2023-06-15T14:30:45.120Z","ProductInstanceUri":"u:1"})")
                 ->manufacture_date,
            *parse_time("2023-06-15T14:30:45Z"));
}

TEST(TicketJson, DecodeRejects) {
  EXPECT_NE(error_of(decode("not json")).find("not JSON"), std::string::npos);
  EXPECT_NE(error_of(decode("[1]")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A"})")).find("no ProductInstanceUri"), std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A","ManufacturerName":"B","ProductInstanceUri":"u:1"})"))
                .find("duplicate member"),
            std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A","manufacturerName":"B","ProductInstanceUri":"u:1"})"))
                .find("appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":5,"ProductInstanceUri":"u:1"})")).find("not a JSON string"),
            std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A","CompositeInstanceUri":"u:c","ProductInstanceUri":"u:1"})"))
                .find("belongs to CompositeIdentityTicketType"),
            std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A","ProductInstanceUri":"u:1","Authorities":[{"AuthorityCertificate":"aGk="}]})"))
                .find("not a DER certificate"),
            std::string::npos);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A","ProductInstanceUri":"u:1","ManufactureDate":"yesterday"})"))
                .find("ManufactureDate"),
            std::string::npos);
  std::string unknown = R"({"ManufacturerName":"A","ProductInstanceUri":"u:1","Colour":"red"})";
  std::vector<std::string> warnings;
  EXPECT_TRUE(decode(unknown, TicketType::device, false, &warnings));
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_NE(error_of(decode(unknown, TicketType::device, true)).find("--strict"), std::string::npos);
}

TEST(TicketJson, DecodeAny) {
  auto c = ticket::decode_json_any(as_bytes(R"({"ManufacturerName":"B","CompositeInstanceUri":"urn:c:1"})"), {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, TicketType::composite);
  EXPECT_FALSE(ticket::decode_json_any(as_bytes(R"({"ManufacturerName":"B"})"), {}));
}

TEST(TicketCty, Values) {
  EXPECT_EQ(ticket::cty_for(TicketType::device), "opc-ticket+json;type=DeviceIdentityTicketType");
  EXPECT_EQ(*ticket::type_from_cty("opc-ticket+json;type=CompositeIdentityTicketType"), TicketType::composite);
  EXPECT_EQ(*ticket::type_from_cty("OPC-Ticket+JSON; Type=\"DeviceIdentityTicketType\""), TicketType::device);
  EXPECT_FALSE(ticket::type_from_cty("opc-ticket+json;type=deviceidentitytickettype"));
  EXPECT_FALSE(ticket::type_from_cty("application/json"));
}

// SPEC §13.8: cty is a media type, not a byte string.
TEST(TicketCty, ParsedAsMediaType) {
  EXPECT_EQ(*ticket::type_from_cty("opc-ticket+json ; TYPE = DeviceIdentityTicketType"), TicketType::device);
  EXPECT_EQ(*ticket::type_from_cty("application/opc-ticket+json;type=DeviceIdentityTicketType"), TicketType::device);
  EXPECT_EQ(*ticket::type_from_cty("opc-ticket+json;charset=utf-8;type=CompositeIdentityTicketType"), TicketType::composite);
  EXPECT_EQ(*ticket::type_from_cty("opc-ticket+json;\ttype=CompositeIdentityTicketType\t"), TicketType::composite);
  EXPECT_FALSE(ticket::type_from_cty("opc-ticket+json"));
  EXPECT_FALSE(ticket::type_from_cty("opc-ticket+json;charset=utf-8"));
  EXPECT_FALSE(ticket::type_from_cty("opc-ticket+json;type=DeviceIdentityTicketType;type=DeviceIdentityTicketType"));
  EXPECT_FALSE(ticket::type_from_cty("opc-ticket+json;type"));
  EXPECT_FALSE(ticket::type_from_cty("text/opc-ticket+json;type=DeviceIdentityTicketType"));
  EXPECT_FALSE(ticket::type_from_cty("opc-ticket+json;type=DeviceIdentityTicketType x"));
}

// SPEC §13.8: OPC UA verbose (1.05) and reversible (1.04) JSON forms are read; output stays compact.
TEST(TicketJson, VerboseAndReversibleForms) {
  std::string verbose =
      R"({"UaTypeId":"nsu=http://opcfoundation.org/UA/Onboarding/;i=1","ManufacturerName":"A","ModelName":null,)"
      R"("ModelVersion":"","HardwareRevision":null,"SoftwareRevision":"","SerialNumber":"7",)"
      R"("ManufactureDate":"0001-01-01T00:00:00Z","Authorities":[],"ProductInstanceUri":"urn:a:7"})";
  std::vector<std::string> warnings;
  auto v = decode(verbose, TicketType::device, true, &warnings);
  ASSERT_TRUE(v) << error_of(v);
  EXPECT_TRUE(warnings.empty());
  EXPECT_FALSE(v->manufacture_date);
  EXPECT_EQ(*ticket::encode_json(*v), R"({"ManufacturerName":"A","SerialNumber":"7","ProductInstanceUri":"urn:a:7"})");

  std::string reversible = R"({"TypeId":{"Id":1,"Namespace":"http://opcfoundation.org/UA/Onboarding/"},"Encoding":0,)"
                           R"("Body":{"ManufacturerName":"B","ManufactureDate":"1601-01-01T00:00:00Z",)"
                           R"("CompositeInstanceUri":"urn:c:1","Devices":["urn:a:7"],"Composites":[]}})";
  auto r = decode(reversible, TicketType::composite, true);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->devices, std::vector<std::string>{"urn:a:7"});
  EXPECT_EQ(*ticket::encode_json(*r), R"({"ManufacturerName":"B","CompositeInstanceUri":"urn:c:1","Devices":["urn:a:7"]})");
  auto any = ticket::decode_json_any(as_bytes(reversible), {});
  ASSERT_TRUE(any);
  EXPECT_EQ(any->type, TicketType::composite);
  // Not a wrapper: a binary body (Encoding 1), or members beside TypeId/Encoding/Body.
  EXPECT_FALSE(decode(R"({"TypeId":1,"Encoding":1,"Body":{"ManufacturerName":"A","ProductInstanceUri":"urn:a:7"}})",
                      TicketType::device, true));
  EXPECT_FALSE(decode(R"({"TypeId":1,"Body":{"ManufacturerName":"A","ProductInstanceUri":"urn:a:7"},"X":1})",
                      TicketType::device, true));
}

TEST(TicketList, RoundTrip) {
  std::string doc = "{\"payload\":\"e30\",\"signatures\":[]}\n";
  std::string list = ticket::encode_ticket_list({doc, doc}, {});
  EXPECT_EQ(list, R"({"Devices":["{\"payload\":\"e30\",\"signatures\":[]}","{\"payload\":\"e30\",\"signatures\":[]}"]})"
                  "\n");
  auto back = ticket::decode_ticket_list(list);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->devices.size(), 2u);
  EXPECT_EQ(back->devices[0] + "\n", doc);
  EXPECT_TRUE(back->composites.empty());
  EXPECT_FALSE(ticket::decode_ticket_list(R"({"Devices":[{}]})"));
}

TEST(TicketYaml, Parses) {
  auto t = ticket::parse_yaml("# a device\nmanufacturer_name: Acme\nmodel_name: X1\nserial_number: 007\n"
                              "manufacture_date: 2024-05-01\nproduct_instance_uri: urn:acme.example:x1:007\n",
                              "t.yaml", TicketType::device);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->serial_number, "007");  // kept as text, not a number
  EXPECT_EQ(*t->manufacture_date, *parse_time("2024-05-01"));
  EXPECT_EQ(t->product_instance_uri, "urn:acme.example:x1:007");
}

TEST(TicketYaml, ErrorsNameFileLineColumn) {
  auto err = [](const std::string& text, TicketType type = TicketType::device) {
    auto t = ticket::parse_yaml(text, "dev.yaml", type);
    return t ? std::string("accepted") : t.error().message;
  };
  EXPECT_EQ(err("manufacturer_name: Acme\nproduct_instance_uri: [urn:x\n").substr(0, 9), "dev.yaml:");
  EXPECT_NE(err("manufacturer_name: Acme\nproduct_instance_uri: urn:a:1\n  colour: red\n").find("dev.yaml:"), std::string::npos);
  EXPECT_NE(err("manufacturer_name: Acme\nproduct_instance_uri: urn:a:1\ncolour: red\n").find("dev.yaml:3:1: unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(err("manufacturer_name: Acme\n").find("dev.yaml:1:1: missing required key 'product_instance_uri'"),
            std::string::npos);
  EXPECT_NE(err("manufacturer_name: Acme\nproduct_instance_uri: no uri here\n").find("dev.yaml:2:23: product_instance_uri"),
            std::string::npos);
  EXPECT_NE(err("manufacturer_name: A\nmanufacturer_name: B\nproduct_instance_uri: urn:a:1\n").find("dev.yaml:2:1: duplicate key"),
            std::string::npos);
  EXPECT_NE(err("manufacturer_name: A\ncomposite_instance_uri: urn:c:1\n").find("build-composite-ticket"), std::string::npos);
  EXPECT_NE(err("manufacturer_name: A\nproduct_instance_uri: urn:a:1\nmanufacture_date: soon\n").find("dev.yaml:3:19"),
            std::string::npos);
  EXPECT_NE(err("- a\n- b\n").find("dev.yaml:1:1"), std::string::npos);
  EXPECT_NE(err("").find("empty"), std::string::npos);
  auto c = ticket::parse_yaml("manufacturer_name: B\ncomposite_instance_uri: urn:c:1\n", "c.yaml", TicketType::composite);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, TicketType::composite);
}

TEST(TicketYaml, TemplatesSubstituteInsideValuesOnly) {
  auto t = ticket::parse_template("manufacturer_name: Acme\nserial_number: {serial}\n"
                                  "product_instance_uri: \"urn:acme.example:x1:{serial}\"\n",
                                  "tpl.yaml", TicketType::device);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*ticket::template_columns(*t), (std::vector<std::string>{"serial", "serial"}));
  auto r = row({{"serial", "42"}});
  auto one = ticket::instantiate(*t, &r);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->serial_number, "42");
  EXPECT_EQ(one->product_instance_uri, "urn:acme.example:x1:42");
  auto evil = row({{"serial", "1\nmodel_name: injected"}});
  auto bad = ticket::instantiate(*t, &evil);  // the newline ends up inside the URI → refused
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("tpl.yaml:3:23: product_instance_uri"), std::string::npos) << bad.error().message;
  auto missing = row({{"other", "1"}});
  EXPECT_FALSE(ticket::instantiate(*t, &missing));
}

TEST(TicketAuthority, BundleFiles) {
  const auto& root = TestPki::get().root();
  auto ca_key = TestPki::get().new_key(keys::KeyType::p256);
  auto ca = TestPki::get().issue(x509::Profile::issuing_ca, "/O=Test/CN=Device CA", ca_key->public_key_der());
  std::string dir = ::testing::TempDir();
  { std::ofstream(dir + "/bundle.pem") << ca.pem() << root.pem(); }
  auto b = ticket::load_authority_bundle(dir + "/bundle.pem");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->authority_certificate, ca.der());
  EXPECT_EQ(b->issuer_certificates, std::vector<Bytes>{root.der()});
  { std::ofstream(dir + "/wrong.pem") << root.pem() << ca.pem(); }
  EXPECT_FALSE(ticket::load_authority_bundle(dir + "/wrong.pem"));
  { std::ofstream(dir + "/leaf.pem") << TestPki::get().signer(keys::KeyType::p256).cert.pem(); }
  EXPECT_NE(ticket::load_authority_bundle(dir + "/leaf.pem").error().message.find("is not a CA"), std::string::npos);
  // YAML: a bundle path relative to the YAML file
  { std::ofstream(dir + "/t.yaml") << "manufacturer_name: A\nproduct_instance_uri: urn:a:1\nauthorities:\n  - bundle.pem\n"; }
  auto t = ticket::load_yaml(dir + "/t.yaml", TicketType::device);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->authorities.size(), 1u);
}

TEST(TicketYaml, ShippedTemplatesParse) {
  std::string dir = ONBOARD_TEST_DATA;
  dir = dir.substr(0, dir.rfind("/tests/data")) + "/templates/";
  auto d = ticket::load_yaml(dir + "device-ticket.yaml", TicketType::device);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->product_instance_uri, "urn:acme.example:x1:16273849");
  EXPECT_TRUE(ticket::encode_json(*d));
  auto c = ticket::load_yaml(dir + "composite.yaml", TicketType::composite);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->composite_instance_uri, "urn:acme-si.example:line3:fl3-0042");
  EXPECT_TRUE(ticket::load_template(dir + "device-ticket.yaml", TicketType::device));
}

// SPEC §5 / Part 21 §5: the base members (HardwareRevision among them) belong to both ticket types.
TEST(TicketJson, BaseMembersBelongToCompositeTicketsToo) {
  for (std::string member : {"ModelVersion", "HardwareRevision", "SoftwareRevision", "SerialNumber"}) {
    auto c = decode(R"({"ManufacturerName":"B","CompositeInstanceUri":"urn:c:1",")" + member + R"(":"r2"})",
                    TicketType::composite);
    ASSERT_TRUE(c) << member << ": " << c.error().message;
  }
  auto c = decode(R"({"ManufacturerName":"B","CompositeInstanceUri":"urn:c:1","HardwareRevision":"r2"})", TicketType::composite);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->hardware_revision, "r2");
}

// Part 21 CertificateAuthorityType: AuthorityCertificate is required; an entry without one is refused.
TEST(TicketJson, AuthorityWithoutCertificateIsRefused) {
  std::string r = base64_encode(TestPki::get().root().der());
  auto t = decode(R"({"ManufacturerName":"A","ProductInstanceUri":"u:1","Authorities":[{"IssuerCertificates":[")" + r +
                  R"("]}]})");
  EXPECT_NE(error_of(t).find("Authorities[0] has no AuthorityCertificate"), std::string::npos) << error_of(t);
  EXPECT_NE(error_of(decode(R"({"ManufacturerName":"A","ProductInstanceUri":"u:1","Authorities":[{}]})"))
                .find("has no AuthorityCertificate"),
            std::string::npos);
}

// Text that is not UTF-8 is refused where it is written, in a template as in a ticket (RFC 3629).
TEST(TicketYaml, InvalidUtf8IsRefusedWithItsPosition) {
  std::string bad = "manufacturer_name: Ac\xff me\nproduct_instance_uri: \"urn:a:{serial}\"\n";
  auto t = ticket::parse_template(bad, "t.yaml", TicketType::device);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("t.yaml:1:20"), std::string::npos) << t.error().message;
  auto y = ticket::parse_yaml("manufacturer_name: Ac\xff me\nproduct_instance_uri: urn:a:1\n", "d.yaml", TicketType::device);
  ASSERT_FALSE(y);
  EXPECT_NE(y.error().message.find("d.yaml:1:20"), std::string::npos) << y.error().message;
}

// SECURITY.md: a YAML ticket or template file is read up to 1 MiB, no more.
TEST(TicketYaml, FilesOverOneMebibyteAreRefusedUnparsed) {
  std::string dir = ::testing::TempDir();
  std::string body = "manufacturer_name: Acme\nproduct_instance_uri: urn:a:1\n";
  for (std::size_t size : {std::size_t{1} << 20, (std::size_t{1} << 20) + 1, std::size_t{3} << 19}) {
    std::string path = dir + "/big-" + std::to_string(size) + ".yaml";
    std::string text = body + "#" + std::string(size - body.size() - 2, ' ') + "\n";
    ASSERT_EQ(text.size(), size);
    std::ofstream(path, std::ios::binary) << text;
    auto t = ticket::load_yaml(path, TicketType::device);
    auto p = ticket::load_template(path, TicketType::device);
    if (size <= (std::size_t{1} << 20)) {
      EXPECT_TRUE(t) << size << ": " << t.error().message;
      EXPECT_TRUE(p) << size << ": " << p.error().message;
    } else {
      ASSERT_FALSE(t) << size;
      EXPECT_NE(t.error().message.find("larger than 1048576 bytes"), std::string::npos) << t.error().message;
      ASSERT_FALSE(p) << size;
      EXPECT_NE(p.error().message.find("larger than 1048576 bytes"), std::string::npos) << p.error().message;
    }
  }
}
