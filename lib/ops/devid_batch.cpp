// What the mint-idevid and issue-ldevid batches share (the loop itself is lib/batch's runner).
#include "common.h"

namespace onboard::ops {

Status DevIdBatchTool::preflight() {
  auto issuer = load_issuer_cert(dev_.ca_cert, dev_.ca_chain, "--ca-cert", "--ca-key", env_.now());
  if (!issuer) return fail(std::move(issuer.error()));
  issuer_ = std::move(*issuer);
  return {};
}

Status DevIdBatchTool::check_row_not_after(const std::string& text, x509::Profile profile, UnixTime& out) {
  auto t = parse_time(text);
  if (!t) return fail(Errc::malformed, "not_after: " + t.error().message);
  if (*t <= env_.now()) return fail(Errc::malformed, "not_after " + text + " is in the past");
  if (issuer_) {
    auto fitted = not_after_within_issuer(*issuer_, profile, *t, "column not_after", env_);
    if (!fitted) return fail(std::move(fitted.error()));
  }
  out = *t;
  return {};
}

Status DevIdBatchTool::prepare() {
  if (!issuer_)
    if (auto ok = preflight(); !ok) return ok;
  keys::KeyOptions key_options = common_.keys;
  key_options.durable_files = false;  // the runner syncs once at the end
  keys_ = std::make_unique<keys::KeyContext>(key_options);
  return open_issuer_key(*issuer_, dev_.ca_key, *keys_, "--ca-key");
}

keys::KeyContext& DevIdBatchTool::keys_for(const std::string& tcti) {
  if (tcti.empty() || tcti == common_.keys.tcti) return *keys_;
  auto& k = row_keys_[tcti];
  if (!k) {
    keys::KeyOptions key_options = common_.keys;
    key_options.durable_files = false;
    key_options.tcti = tcti;
    k = std::make_unique<keys::KeyContext>(key_options);
  }
  return *k;
}

std::vector<std::pair<std::string, std::string>> DevIdBatchTool::files(const batch::Job& job) {
  return {{"cert", job.stem + ".pem"}};
}

Status DevIdBatchTool::public_key(DevIdJob& job) {
  if (job.pub) return {};
  if (job.key_uri.empty()) {
    auto pub = load_public_key(job);
    if (!pub) return fail(std::move(pub.error()));
    job.pub = std::move(*pub);
    return {};
  }
  auto k = device_key(keys_for(job.tcti), job.key_uri, dev_.new_key, dev_.key_type, true);
  if (!k) return fail(std::move(k.error()));
  job.key = std::move(*k);
  job.pub = job.key.signer->public_key_der();
  on_device_key(job.key);
  return {};
}

Status DevIdBatchTool::verify_existing(batch::Job& j, const std::map<std::string, std::string>& paths) {
  auto& job = static_cast<DevIdJob&>(j);
  if (auto ok = public_key(job); !ok) return ok;
  const std::string& path = paths.at("cert");
  auto old = x509::Certificate::load(path);
  if (old && old->signed_by(issuer_->cert) && old->public_key_der() == *job.pub && old->san_uris() == san_uris(job))
    return {};
  discard_created_key(job.key);  // a key made for a row that cannot complete is not left behind
  // Say what the file is, so that a valid certificate of another CA or key is not replaced on a
  // reflex (issue 10): --force is named only for a file that is not a certificate at all.
  if (!old) return fail(Errc::file, path + ": exists and is not a certificate (remove it, or --force to replace it)");
  if (!old->signed_by(issuer_->cert))
    return fail(Errc::file, path + ": exists and holds a certificate issued by " + old->issuer() + ", not by --ca-cert (" +
                                issuer_->cert.subject() + "): use another --out-dir, or remove it if it is not needed");
  return fail(Errc::file, path + ": exists and holds another certificate of this CA (" + old->subject() +
                              ", other key or URIs): use another --out-dir, or remove it if it is not needed");
}

Expected<std::vector<batch::Output>> DevIdBatchTool::make(batch::Job& j) {
  auto& job = static_cast<DevIdJob&>(j);
  if (auto ok = public_key(job); !ok) return fail(std::move(ok.error()));
  auto cert = issue(job, *job.pub, *issuer_);
  if (!cert) {
    discard_created_key(job.key);
    return fail(std::move(cert.error()));
  }
  std::vector<batch::Output> out{{"cert", job.stem + ".pem", cert->pem(), false, false}};
  if (!job.key.uri.empty()) out.push_back({"key", job.key.uri, {}, false, true});  // a key, not an output
  return out;
}

void DevIdBatchTool::abandon(batch::Job& j) { discard_created_key(static_cast<DevIdJob&>(j).key); }

}  // namespace onboard::ops
