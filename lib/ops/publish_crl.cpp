// publish-crl (SPEC §13.6): the CA's next CRL. The last CRL is the CA's revocation record (no
// database): its entries are carried over with their dates and reasons, the new ones are added
// with the time of this run, and cRLNumber counts up from it.
#include <map>
#include <ostream>

#include <nlohmann/json.hpp>

#include "common.h"
#include "onboard/ops/crl.h"
#include "onboard/x509/preflight.h"

namespace onboard::ops {
namespace {

/// An entry this run adds, with the words that name it in warnings and the report.
struct NewEntry {
  x509::CrlEntry entry;
  std::string source;   ///< "--revoke signer.pem (CN=...)" or "--revoke-serial 7A11"
  std::string subject;  ///< of a --revoke certificate; empty for a bare serial
};

/// Usage (exit 2) and serial syntax (exit 3): everything that needs no file.
Expected<std::optional<x509::CrlReason>> check_flags(const PublishCrlRequest& req) {
  if (req.days != 0 && !req.next_update.empty()) return fail(Errc::usage, "give --days or --next-update, not both");
  if (req.days < 0) return fail(Errc::usage, "--days must be at least 1");
  std::optional<x509::CrlReason> reason;
  if (!req.reason.empty()) {
    auto r = x509::parse_crl_reason(req.reason);
    if (!r) return fail(std::move(r.error()));
    // RFC 5280 §5.3.1: "the reason code unspecified SHOULD be absent": no reasonCode extension.
    if (*r != x509::CrlReason::unspecified) reason = *r;
  }
  if (req.revoke.empty() && req.revoke_serials.empty() && !req.reason.empty())
    return fail(Errc::usage, "--reason applies to --revoke/--revoke-serial, and none is given");
  return reason;
}

/// nextUpdate from --days / --next-update / the default, within the CA's validity (§13.2 rule 3).
Expected<UnixTime> next_update_of(const PublishCrlRequest& req, const Issuer& ca, UnixTime now, const Env& env) {
  UnixTime next = now + static_cast<UnixTime>(req.days > 0 ? req.days : kDefaultCrlDays) * 86400;
  std::string flag = req.days > 0 ? "--days" : "";
  if (!req.next_update.empty()) {
    auto t = parse_time(req.next_update);
    if (!t) return fail(Errc::usage, "--next-update: " + t.error().message);
    if (*t <= now) return fail(Errc::usage, "--next-update " + format_time(*t) + " is not after now (" + format_time(now) + ")");
    next = *t;
    flag = "--next-update";
  }
  auto fit = x509::fit_next_update(ca.cert, {ca.flag, ca.path, "CA"}, next, flag);
  if (!fit) return fail(std::move(fit.error()));
  if (!fit->warning.empty()) env.warn(fit->warning);
  return fit->value;
}

/// --revoke CERT... (each issued by this CA) and --revoke-serial HEX..., revoked now with `reason`.
Expected<std::vector<NewEntry>> new_entries(const PublishCrlRequest& req, const Issuer& ca, UnixTime now,
                                            std::optional<x509::CrlReason> reason) {
  std::vector<NewEntry> out;
  for (const auto& text : req.revoke_serials) {
    auto serial = x509::parse_serial_hex(text);
    if (!serial) return fail(std::move(serial.error()).context("--revoke-serial"));
    out.push_back({{*serial, now, reason, std::nullopt}, "--revoke-serial " + text, ""});
  }
  for (const auto& path : req.revoke) {
    auto cert = load_certificate(path, "--revoke", "--ca-key");
    if (!cert) return fail(std::move(cert.error()));
    x509::CertSource src{"--revoke", path, "certificate"};
    if (auto ok = x509::check_issued_by(*cert, src, ca.cert, {ca.flag, ca.path, "CA"}); !ok) return fail(ok.error());
    out.push_back({{cert->serial_hex(), now, reason, std::nullopt}, x509::describe(*cert, src), cert->subject()});
  }
  return out;
}

struct Record {
  std::vector<x509::CrlEntry> entries;  ///< kept, then new
  std::uint64_t number = 1;
  std::size_t kept = 0;
};

/// The previous CRL (checked to be this CA's) as the starting record: its entries and number.
Expected<Record> previous_record(const PublishCrlRequest& req, const Issuer& ca, UnixTime now, const Env& env) {
  Record rec;
  if (req.previous.empty()) return rec;
  auto crl = x509::Crl::load(req.previous);
  if (!crl) return fail(std::move(crl.error()).context("--crl"));
  x509::CertSource src{"--crl", req.previous, "CRL"};
  if (auto ok = x509::check_previous_crl(*crl, src, ca.cert, {ca.flag, ca.path, "CA"}); !ok) return fail(ok.error());
  auto entries = crl->entries();
  if (!entries) return fail(std::move(entries.error()).context("--crl " + req.previous));
  auto number = crl->number();
  if (!number) return fail(std::move(number.error()).context("--crl " + req.previous));
  if (!*number) {
    env.warn("--crl " + req.previous + " has no cRLNumber: the new CRL is number 1");
  } else if (**number == UINT64_MAX) {
    return fail(Errc::malformed, "--crl " + req.previous + ": its cRLNumber is the largest this tool can count up from");
  } else {
    rec.number = **number + 1;
  }
  if (crl->this_update() > now)
    env.warn("--crl " + req.previous + " was issued at " + format_time(crl->this_update()) +
             ", after the current time " + format_time(now) + ": check this machine's clock");
  rec.entries = std::move(*entries);
  rec.kept = rec.entries.size();
  return rec;
}

/// Add the new entries to the record, each serial once: a serial already revoked keeps its first
/// revocation (date and reason), with a warning.
std::vector<const NewEntry*> merge(Record& rec, const std::vector<NewEntry>& added, const std::string& previous,
                                   const Env& env) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < rec.entries.size(); ++i) index.emplace(rec.entries[i].serial, i);
  std::vector<const NewEntry*> fresh;
  for (const auto& n : added) {
    auto it = index.find(n.entry.serial);
    if (it == index.end()) {
      index.emplace(n.entry.serial, rec.entries.size());
      rec.entries.push_back(n.entry);
      fresh.push_back(&n);
      continue;
    }
    const x509::CrlEntry& first = rec.entries[it->second];
    std::string where = it->second < rec.kept ? "--crl " + previous : "an earlier flag of this command";
    env.warn(n.source + ": serial " + n.entry.serial + " is already revoked (" + where + ", on " +
             format_time(first.revoked_at) + ", reason " +
             x509::crl_reason_name(first.reason.value_or(x509::CrlReason::unspecified)) +
             "); the first revocation is kept");
  }
  return fresh;
}

void report(Env& env, const PublishCrlRequest& req, const x509::Crl& crl, const Record& rec,
            const std::vector<const NewEntry*>& fresh) {
  if (req.out == "-") return;  // stdout holds the CRL itself
  auto reason_of = [](const x509::CrlEntry& e) { return x509::crl_reason_name(e.reason.value_or(x509::CrlReason::unspecified)); };
  std::string next = crl.next_update() ? format_time(*crl.next_update()) : "";
  if (req.common.json) {
    nlohmann::ordered_json j;
    j["out"] = req.out;
    j["issuer"] = crl.issuer();
    j["crl_number"] = rec.number;
    j["this_update"] = format_time(crl.this_update());
    j["next_update"] = next;
    j["entries"] = rec.entries.size();
    j["kept"] = rec.kept;
    j["revoked"] = nlohmann::ordered_json::array();
    for (const NewEntry* n : fresh)
      j["revoked"].push_back({{"serial", n->entry.serial}, {"subject", n->subject}, {"reason", reason_of(n->entry)},
                              {"revoked_at", format_time(n->entry.revoked_at)}});
    *env.out << j.dump() << "\n";
    return;
  }
  *env.out << req.out << ": CRL #" << rec.number << " of " << crl.issuer() << ", " << rec.entries.size()
           << " revoked (" << fresh.size() << " new), next update " << next << "\n";
  for (const NewEntry* n : fresh)
    *env.out << "  revoked " << n->entry.serial << (n->subject.empty() ? "" : " (" + n->subject + ")") << ", reason "
             << reason_of(n->entry) << "\n";
}

}  // namespace

Status publish_crl(const PublishCrlRequest& req, Env& env) {
  // Parse, then act (DESIGN rule 7): every input is checked before the CA key is opened.
  auto reason = check_flags(req);
  if (!reason) return fail(std::move(reason.error()));
  const UnixTime now = env.now();
  auto cert = load_certificate(req.ca_cert, "--ca-cert", "--ca-key");
  if (!cert) return fail(std::move(cert.error()));
  Issuer ca{std::move(*cert), {}, nullptr, "--ca-cert", req.ca_cert};
  if (auto ok = x509::check_crl_issuer(ca.cert, {ca.flag, ca.path, "CA"}, now); !ok) return ok;  // SPEC §13.2
  auto next = next_update_of(req, ca, now, env);
  if (!next) return fail(std::move(next.error()));
  auto added = new_entries(req, ca, now, *reason);
  if (!added) return fail(std::move(added.error()));
  auto rec = previous_record(req, ca, now, env);
  if (!rec) return fail(std::move(rec.error()));
  auto fresh = merge(*rec, *added, req.previous, env);
  if (auto ok = check_writable(req.out, req.common.force); !ok) return ok;

  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_issuer_key(ca, req.ca_key, keys, "--ca-key"); !ok) return ok;
  x509::CrlSpec spec;
  spec.this_update = now;
  spec.next_update = *next;
  spec.entries = rec->entries;
  spec.number = rec->number;
  auto crl = x509::make_crl(spec, ca.cert, *ca.key);
  if (!crl) return fail(std::move(crl.error()));
  Bytes der = req.der ? crl->der() : Bytes{};
  std::string data = req.der ? std::string(der.begin(), der.end()) : crl->pem();
  if (auto ok = write_file_atomic(req.out, data, {req.common.force, 0644}); !ok) return ok;
  report(env, req, *crl, *rec, fresh);
  return {};
}

}  // namespace onboard::ops
