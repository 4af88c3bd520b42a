// The swtpm vectors of tests/data/attest (made once by make-vectors.sh; README there).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "onboard/attest/attest.h"

namespace onboard::attest::testing {

inline Bytes vec(const std::string& name) {
  auto text = read_file(std::string(ONBOARD_TEST_DATA) + "/attest/" + name);
  if (!text) throw std::runtime_error(text.error().message);
  return Bytes(text->begin(), text->end());
}
inline TpmPublic pub(const std::string& name) {
  auto p = parse_public(vec(name + ".pub"));
  if (!p) throw std::runtime_error(name + ": " + p.error().message);
  return *p;
}
inline std::vector<x509::Certificate> anchors(const std::string& name) {
  auto c = x509::Certificate::load_all(std::string(ONBOARD_TEST_DATA) + "/attest/" + name);
  if (!c) throw std::runtime_error(c.error().message);
  return *c;
}
/// Inside every certificate's validity (the local CA's certificates start at vector creation).
inline UnixTime now() { return std::time(nullptr); }

}  // namespace onboard::attest::testing
