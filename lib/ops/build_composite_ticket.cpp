// build-composite-ticket (SPEC §7, Part 21 §6.2, §8.1): validate every member ticket, sign the
// CompositeIdentityTicket (opc-uri = its CompositeInstanceUri), add the CompositeBuilder's
// signature with opc-uri = this (outermost) CompositeInstanceUri to every member device ticket —
// including those of member composites — and bundle everything as a TicketListType.
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "onboard/ticket/inputs.h"
#include "ticket_signer.h"
#include "verify_common.h"

namespace onboard::ops {
namespace {

struct Member {
  std::string source;
  jws::Document doc;
  ticket::Ticket ticket;
};

struct Plan {
  ticket::Ticket composite;
  std::vector<Member> devices, composites;
  TicketSigner signer;
  std::map<std::string, std::string> device_files;  ///< ProductInstanceUri → output path
  bool outputs_exist = false;  ///< every output is there already (a re-run without --force)
};

/// A member file holds one signed ticket, or a TicketListType (a sub-composite's bundle).
Expected<std::vector<std::pair<std::string, std::string>>> read_member(const std::string& path, std::size_t max) {
  auto text = read_file(path, max);
  if (!text) return fail(std::move(text.error()).context("--member"));
  std::vector<std::pair<std::string, std::string>> docs;
  if (text->find("\"payload\"") == std::string::npos) {
    auto list = ticket::decode_ticket_list(*text);
    if (!list) return fail(std::move(list.error()).context("--member " + path));
    for (std::size_t i = 0; i < list->devices.size(); ++i)
      docs.emplace_back(path + " Devices[" + std::to_string(i) + "]", list->devices[i]);
    for (std::size_t i = 0; i < list->composites.size(); ++i)
      docs.emplace_back(path + " Composites[" + std::to_string(i) + "]", list->composites[i]);
    return docs;
  }
  docs.emplace_back(path, std::move(*text));
  return docs;
}

Status add_member(Plan& plan, const verify::Verifier& verifier, const std::string& source, const std::string& text) {
  auto doc = jws::parse(text, verifier.options().limits);
  if (!doc) return fail(std::move(doc.error()).context("--member " + source));
  auto report = verifier.verify(source, *doc);
  if (!report.valid) return fail(std::move(invalid_ticket_error(report)).context("member"));
  if (report.ticket->type == ticket::TicketType::device)  // member device tickets get our signature
    if (auto ok = check_not_signed_yet(plan.signer, *doc, "--member " + source); !ok) return ok;
  Member m{source, std::move(*doc), std::move(*report.ticket)};
  auto& list = m.ticket.type == ticket::TicketType::device ? plan.devices : plan.composites;
  for (const auto& other : list) {
    bool dup = m.ticket.type == ticket::TicketType::device
                   ? other.ticket.product_instance_uri == m.ticket.product_instance_uri
                   : other.ticket.composite_instance_uri == m.ticket.composite_instance_uri;
    if (dup)
      return fail(Errc::malformed, "members " + other.source + " and " + source + " have the same " +
                                       (m.ticket.type == ticket::TicketType::device
                                            ? "ProductInstanceUri " + m.ticket.product_instance_uri
                                            : "CompositeInstanceUri " + m.ticket.composite_instance_uri));
  }
  list.push_back(std::move(m));
  return {};
}

/// Devices/Composites of the new composite: the members not already inside a member composite.
Status fill_membership(Plan& plan, Env& env) {
  std::set<std::string> nested_devices, nested_composites, given;
  for (const auto& c : plan.composites) {
    if (c.ticket.composite_instance_uri == plan.composite.composite_instance_uri)
      return fail(Errc::malformed, "member " + c.source + " has this composite's own CompositeInstanceUri");
    nested_devices.insert(c.ticket.devices.begin(), c.ticket.devices.end());
    nested_composites.insert(c.ticket.composites.begin(), c.ticket.composites.end());
  }
  plan.composite.devices.clear();
  plan.composite.composites.clear();
  for (const auto& d : plan.devices) {
    given.insert(d.ticket.product_instance_uri);
    if (!nested_devices.count(d.ticket.product_instance_uri)) plan.composite.devices.push_back(d.ticket.product_instance_uri);
  }
  for (const auto& c : plan.composites)
    if (!nested_composites.count(c.ticket.composite_instance_uri))
      plan.composite.composites.push_back(c.ticket.composite_instance_uri);
  for (const auto& uri : nested_devices)
    if (!given.count(uri)) env.warn("a member composite lists device " + uri + " but no ticket for it was given");
  if (plan.composite.devices.empty() && plan.composite.composites.empty())
    return fail(Errc::usage, "give the member device tickets with --member");
  return {};
}

std::string file_name_for(const std::string& uri) {
  std::string s;
  for (char c : uri) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return s + ".ticket.json";
}

Status plan_outputs(Plan& plan, const BuildCompositeTicketRequest& req) {
  if (::mkdir(req.out_dir.c_str(), 0755) != 0 && errno != EEXIST)
    return fail(Errc::file, "--out-dir " + req.out_dir + ": cannot create the directory");
  std::set<std::string> names{"composite.ticket.json", "ticket-list.json"};
  for (const auto& d : plan.devices) {
    std::string name = file_name_for(d.ticket.product_instance_uri);
    if (!names.insert(name).second)
      return fail(Errc::malformed, "two members map to the same output file " + name + "; rename a ProductInstanceUri");
    plan.device_files[d.ticket.product_instance_uri] = req.out_dir + "/" + name;
  }
  std::size_t present = 0;
  for (const auto& name : names) present += file_exists(req.out_dir + "/" + name);
  if (!req.common.force && present == names.size()) {  // SPEC §13.4: a re-run; they must verify
    plan.outputs_exist = true;
    return {};
  }
  for (const auto& name : names)
    if (auto ok = check_writable(req.out_dir + "/" + name, req.common.force); !ok) return ok;
  return {};
}

/// A re-run (SPEC §13.4): the outputs are this composite's when composite.ticket.json holds this
/// payload signed by --cert, each device file is its member plus our signature with this opc-uri
/// (byte for byte otherwise), and ticket-list.json bundles exactly those.
Status check_existing_outputs(const Plan& plan, const BuildCompositeTicketRequest& req) {
  const std::string& uri = plan.composite.composite_instance_uri;
  jws::Limits limits;
  limits.max_document = req.trust.max_size;
  auto refuse = [&](const std::string& path) {
    return fail(Errc::file, path + ": exists but is not this composite's output (use --force to replace)");
  };
  std::vector<std::string> device_docs, composite_docs;
  for (const auto& d : plan.devices) {
    const std::string& path = plan.device_files.at(d.ticket.product_instance_uri);
    auto text = read_file(path, req.trust.max_size);
    if (!text || !extends_by_one(d.doc, *text, plan.signer, limits, uri)) return refuse(path);
    device_docs.push_back(std::move(*text));
  }
  const std::string composite_path = req.out_dir + "/composite.ticket.json";
  auto payload = ticket::encode_json(plan.composite);
  auto text = read_file(composite_path, req.trust.max_size);
  jws::Document unsigned_doc;
  if (payload) unsigned_doc.payload_b64 = base64url_encode(as_bytes(*payload));
  if (!payload || !text || !extends_by_one(unsigned_doc, *text, plan.signer, limits, uri)) return refuse(composite_path);
  composite_docs.push_back(std::move(*text));
  for (const auto& c : plan.composites) composite_docs.push_back(jws::serialize(c.doc));
  const std::string list_path = req.out_dir + "/ticket-list.json";
  auto list = read_file(list_path, ticket::kMaxTicketListBytes);
  if (!list || *list != ticket::encode_ticket_list(device_docs, composite_docs)) return refuse(list_path);
  return {};
}

Expected<Plan> make_plan(const BuildCompositeTicketRequest& req, Env& env) {
  if (req.composite.empty() || req.out_dir.empty()) return fail(Errc::usage, "give --composite and --out-dir");
  if (req.members.empty()) return fail(Errc::usage, "give the member tickets with --member");
  auto composite = ticket::load_yaml(req.composite, ticket::TicketType::composite);
  if (!composite) return fail(std::move(composite.error()).context("--composite"));
  for (const auto& b : req.authorities) {
    auto ca = ticket::load_authority_bundle(b);
    if (!ca) return fail(std::move(ca.error()).context("--authority"));
    composite->authorities.push_back(std::move(*ca));
  }
  auto signer = load_ticket_signer({req.key, req.cert, req.chain, req.alg}, env.now());
  if (!signer) return fail(std::move(signer.error()));
  auto options = load_trust(req.trust, env);
  if (!options) return fail(std::move(options.error()));
  verify::Verifier verifier(std::move(*options));
  Plan plan{std::move(*composite), {}, {}, std::move(*signer), {}};
  for (const auto& path : req.members) {
    auto docs = read_member(path, req.trust.max_size);
    if (!docs) return fail(std::move(docs.error()));
    for (const auto& [source, text] : *docs)
      if (auto ok = add_member(plan, verifier, source, text); !ok) return fail(std::move(ok.error()));
  }
  if (auto ok = fill_membership(plan, env); !ok) return fail(std::move(ok.error()));
  if (auto ok = plan_outputs(plan, req); !ok) return fail(std::move(ok.error()));
  return plan;
}

Expected<std::string> sign_composite(const Plan& plan) {
  auto payload = ticket::encode_json(plan.composite);
  if (!payload) return fail(std::move(payload.error()).context("--composite"));
  jws::Document doc;
  doc.payload_b64 = base64url_encode(as_bytes(*payload));
  auto sig = sign_payload(plan.signer, doc.payload_b64, ticket::cty_for(ticket::TicketType::composite),
                          plan.composite.composite_instance_uri);
  if (!sig) return fail(std::move(sig.error()));
  doc.signatures.push_back(std::move(*sig));
  return jws::serialize(doc);
}

}  // namespace

Status build_composite_ticket(const BuildCompositeTicketRequest& req, Env& env) {
  auto plan = make_plan(req, env);
  if (!plan) return fail(std::move(plan.error()));
  if (plan->outputs_exist) {
    if (auto ok = check_existing_outputs(*plan, req); !ok) return ok;
    if (req.common.json)
      *env.out << nlohmann::ordered_json{{"out_dir", req.out_dir}, {"composite_instance_uri", plan->composite.composite_instance_uri},
                                         {"skipped", true}}.dump() << "\n";
    else
      *env.out << req.out_dir << ": composite " << plan->composite.composite_instance_uri
               << ": every output exists and verifies; skipped (--force to make them again)\n";
    return {};
  }
  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_ticket_signer_key(plan->signer, req.key, keys); !ok) return ok;
  warn_ticket_signer(plan->signer, env);
  auto composite_doc = sign_composite(*plan);
  if (!composite_doc) return fail(std::move(composite_doc.error()));
  const std::string& uri = plan->composite.composite_instance_uri;
  std::vector<std::string> device_docs, composite_docs{*composite_doc};
  for (auto& d : plan->devices) {
    auto sig = sign_payload(plan->signer, d.doc.payload_b64, ticket::cty_for(ticket::TicketType::device), uri);
    if (!sig) return fail(std::move(sig.error()));
    d.doc.signatures.push_back(std::move(*sig));
    device_docs.push_back(jws::serialize(d.doc));
  }
  for (const auto& c : plan->composites) composite_docs.push_back(jws::serialize(c.doc));
  WriteOptions wo{req.common.force, 0644};
  for (std::size_t i = 0; i < plan->devices.size(); ++i)
    if (auto ok = write_file_atomic(plan->device_files[plan->devices[i].ticket.product_instance_uri], device_docs[i], wo); !ok)
      return ok;
  if (auto ok = write_file_atomic(req.out_dir + "/composite.ticket.json", *composite_doc, wo); !ok) return ok;
  if (auto ok = write_file_atomic(req.out_dir + "/ticket-list.json", ticket::encode_ticket_list(device_docs, composite_docs), wo); !ok)
    return ok;
  nlohmann::ordered_json j{{"out_dir", req.out_dir}, {"composite_instance_uri", uri},
                           {"devices", plan->composite.devices}, {"composites", plan->composite.composites},
                           {"countersigned", plan->devices.size()}};
  if (req.common.json)
    *env.out << j.dump() << "\n";
  else
    *env.out << req.out_dir << ": composite " << uri << " with " << plan->composite.devices.size() << " device(s), "
             << plan->composite.composites.size() << " sub-composite(s); " << plan->devices.size()
             << " device ticket(s) countersigned; ticket-list.json written\n";
  return {};
}

}  // namespace onboard::ops
