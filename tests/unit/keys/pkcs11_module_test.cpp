// Loading a PKCS#11 module (SPEC §4, §11): what is not a module gets one clear error, before any
// library code of it runs. No token needed.
#include <gtest/gtest.h>

#include <fstream>

// The component's private headers as the keys library compiles them (libp11 owners in ossl.h).
#define ONBOARD_KEYS_HW 1

#include "pkcs11_module.h"
#include "temp_dir.h"

using namespace onboard;

namespace {
std::string load_error(const std::string& path) {
  auto m = keys::p11::Module::load(path);
  if (m) return "loaded";
  EXPECT_EQ(m.error().code, Errc::key) << m.error().message;
  return m.error().message;
}
}  // namespace

TEST(Pkcs11Module, WhatIsNotAModuleIsRefusedClearly) {
  onboard::testing::TempDir d;
  EXPECT_EQ(load_error(d.path.string()), "PKCS#11 module " + d.path.string() + ": not a file");
  EXPECT_EQ(load_error(d.file("none.so")), "PKCS#11 module " + d.file("none.so") + ": No such file or directory");
  std::ofstream(d.file("text.so")) << "not a shared object\n";
  EXPECT_NE(load_error(d.file("text.so")).find(": cannot load it ("), std::string::npos) << load_error(d.file("text.so"));
  // A shared object that is no PKCS#11 module.
  for (const char* lib : {"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"}) {
    if (std::ifstream(lib).good()) {
      EXPECT_EQ(load_error(lib), std::string("PKCS#11 module ") + lib + ": not a PKCS#11 module (no C_GetFunctionList)");
      break;
    }
  }
}
