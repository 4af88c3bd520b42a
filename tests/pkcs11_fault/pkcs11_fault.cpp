// A PKCS#11 module for tests that forwards every call to a real module (SoftHSM2) and makes
// chosen calls fail, as a failing HSM would: tests of error paths no healthy token reaches.
// Not a mock: every call that is not made to fail is the real module's.
//
//   PKCS11_FAULT_MODULE=/usr/lib/softhsm/libsofthsm2.so   the real module
//   PKCS11_FAULT_FAIL=C_FindObjectsInit:2,C_Initialize:2    fail the 2nd call of each (CKR_DEVICE_ERROR)
//   PKCS11_FAULT_COUNT=DIR                                  call counts, one file per function: they
//                                                           survive the module being unloaded and loaded
//                                                           again, which libp11 does on a restart
// Only C_Initialize and C_FindObjectsInit can be made to fail so far.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <p11-kit/pkcs11.h>

namespace {

CK_FUNCTION_LIST shim;
CK_FUNCTION_LIST_PTR real;

// This call's number (1, 2, ...) for `name`: one byte appended to DIR/name per call.
long next_call(const char* name) {
  const char* dir = getenv("PKCS11_FAULT_COUNT");
  if (!dir) return 0;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  if (write(fd, "x", 1) != 1) {
    close(fd);
    return 0;
  }
  struct stat st;
  long n = fstat(fd, &st) == 0 ? static_cast<long>(st.st_size) : 0;
  close(fd);
  return n;
}

int should_fail(const char* name) {
  long n = next_call(name);
  const char* spec = getenv("PKCS11_FAULT_FAIL");
  size_t len = strlen(name);
  for (const char* p = spec; p && *p;) {
    if (strncmp(p, name, len) == 0 && p[len] == ':' && atol(p + len + 1) == n) return 1;
    p = strchr(p, ',');
    if (p) ++p;
  }
  return 0;
}

CK_RV fault_Initialize(CK_VOID_PTR args) {
  if (should_fail("C_Initialize")) return CKR_DEVICE_ERROR;
  return real->C_Initialize(args);
}

CK_RV fault_FindObjectsInit(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  if (should_fail("C_FindObjectsInit")) return CKR_DEVICE_ERROR;
  return real->C_FindObjectsInit(s, t, n);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (!list) return CKR_ARGUMENTS_BAD;
  if (!real) {
    const char* path = getenv("PKCS11_FAULT_MODULE");
    void* lib = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : nullptr;
    CK_C_GetFunctionList get = lib ? reinterpret_cast<CK_C_GetFunctionList>(dlsym(lib, "C_GetFunctionList")) : nullptr;
    if (!get || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
    shim = *real;
    shim.C_Initialize = fault_Initialize;
    shim.C_FindObjectsInit = fault_FindObjectsInit;
  }
  *list = &shim;
  return CKR_OK;
}
