// TPM 2.0 keys (SPEC §4): placeholder until the TPM issue lands.
#include "backend.h"

namespace onboard::keys {
namespace {
class Tpm2Backend : public KeyContext::Backend {
 public:
  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) override {
    return fail(Errc::key, uri.text + ": TPM keys are not supported by this build yet");
  }
  Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType) override { return open(uri); }
};
}  // namespace
std::unique_ptr<KeyContext::Backend> make_tpm2_backend(const KeyOptions&) { return std::make_unique<Tpm2Backend>(); }
}  // namespace onboard::keys
