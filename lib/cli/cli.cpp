#include <iostream>

#include "onboard/cli/cli.h"
#include "onboard/keys/version.h"

namespace onboard::cli {

void add_json_flag(CLI::App& app, bool& json) { app.add_flag("--json", json, "Machine-readable results on stdout"); }

void add_force_flag(CLI::App& app, bool& force) { app.add_flag("--force", force, "Overwrite existing output files"); }

void add_output_flags(CLI::App& app, bool& json, bool& force) {
  add_json_flag(app, json);
  add_force_flag(app, force);
}

void add_key_flags(CLI::App& app, keys::KeyOptions& keys) {
  app.add_option("--pin-source", keys.pin_source,
                 "PKCS#11 PIN source: file:PATH, env:VAR, fd:N or prompt (default env PKCS11_PIN_SOURCE, "
                 "PKCS11_PIN, else asked on a terminal)");
  app.add_option("--pass-source", keys.pass_source, "Passphrase source for encrypted key files: file:PATH, env:VAR, fd:N or prompt "
                 "(default: asked on a terminal)");
  app.add_option("--tcti", keys.tcti, "TPM TCTI, e.g. swtpm:host=127.0.0.1,port=2321 (default env TPM2OPENSSL_TCTI)");
}

void setup(CLI::App& app, const std::string& tool, const std::string& description) {
  app.name(tool);
  app.description(description);
  // --version: the tool and package version, the OpenSSL in use, the key backends compiled in.
  app.set_version_flag("--version", tool + " (ua-onboard) " ONBOARD_VERSION "\n" + keys::version_info());
  app.footer("Exit status: 0 ok, 1 verification failed, 2 usage, 3 malformed input, 4 key/token, 5 file,\n"
             "10 untrusted, 11 expired, 12 revoked, 13 mismatch, 70 internal, 130/143 interrupted (SIGINT/SIGTERM). See " + tool + "(1).");
  app.option_defaults()->always_capture_default();
}

Status refuse_secret_flags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    // Exactly a secret flag, or one with "=VALUE" (which CLI11 would echo in its own error).
    for (std::string bad : {"--pin", "--pin-value", "--password", "--passphrase", "--pass", "--passwd", "--secret"}) {
      if (a == bad || a.starts_with(bad + "="))
        return fail(Errc::usage, a.substr(0, a.find('=')) +
                                     ": secrets are never taken on the command line; use --pin-source or --pass-source");
    }
  }
  return {};
}

int run(CLI::App& app, int argc, char** argv, const std::function<Status(Env&)>& body) {
  Env env = real_env(app.get_name());
  auto print_error = [&](const std::string& msg) { std::cerr << env.tool << ": error: " << msg << "\n"; };
  if (auto s = refuse_secret_flags(argc, argv); !s) {
    print_error(s.error().message);
    return static_cast<int>(Errc::usage);
  }
  apply_placeholders(app);
  if (auto unknown = unknown_option(app, argc, argv)) {
    print_error(*unknown);
    return static_cast<int>(Errc::usage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError&) {
    // CLI11 says "The following arguments were not expected: ..."; say which and why.
    std::string extras;
    for (const auto& r : app.remaining()) extras += (extras.empty() ? "'" : " '") + r + "'";
    bool takes_operands = !app.get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
    print_error("unexpected argument" + std::string(app.remaining().size() > 1 ? "s " : " ") + extras +
                (takes_operands ? ": more operands than " + app.get_name() + " takes"
                                : ": " + app.get_name() + " takes no operands, only --options") +
                " (see --help)");
    return static_cast<int>(Errc::usage);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    print_error(what + " (see --help)");
    return static_cast<int>(Errc::usage);
  }
  try {
    Status s = body(env);
    if (!s) {
      if (s.error().code == Errc::interrupted || s.error().code == Errc::terminated)
        std::cerr << env.tool << ": " << s.error().message << "\n";  // not an error: a stop on request
      else
        print_error(s.error().message);
      return static_cast<int>(s.error().code);
    }
    return 0;
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
  }
  return static_cast<int>(Errc::internal);
}

}  // namespace onboard::cli
