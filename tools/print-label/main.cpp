// print-label: IEC 61406-1 labels carrying the ProductInstanceUri, read back before they are
// kept; --scan checks a printed label (SPEC §9, §12).
#include "../batch_flags.h"
#include "onboard/cli/cli.h"
#include "onboard/ops/label.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "print-label", "Print IEC 61406-1 ProductInstanceUri labels (QR, frame, triangle) and scan them back");
  onboard::ops::PrintLabelRequest req;
  onboard::cli::add_output_flags(app, req.json, req.force);
  app.add_option("--uri", req.uri, "The ProductInstanceUri to print (with --device-cert: which of its SAN URIs)");
  app.add_option("--ticket", req.ticket, "Signed ticket: print its ProductInstanceUri (signatures NOT checked)");
  app.add_option("--device-cert,--cert", req.cert, "Device certificate: print its first URI subjectAltName (SPEC §13.5)");
  app.add_option("--format", req.format, "png, svg, pdf or zpl (default: from the --out extension)");
  app.add_option("--dpi", req.dpi, "Printer resolution, dots per inch");
  app.add_option("--module-mm", req.module_mm, "QR module size in mm (whole dots at --dpi; warning under 0.25)");
  app.add_option("--ecc", req.ecc, "QR error correction L, M, Q or H");
  app.add_option("--max-version", req.max_version, "Refuse URIs that need a larger QR version (1-40)");
  app.add_option("--text", req.text, "Human-readable line under the frame (repeatable; {column} from manifest/ticket)");
  app.add_option("--out", req.out, "Output file, - for stdout (with --sheet: the PDF)");
  app.add_option("--scan", req.scan, "Decode this image (PNG, JPEG, PNM): alone, print what it holds; with --uri/--ticket/--device-cert, compare");
  onboard::tools::attach_batch_flags(
      app, {req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error},
      "one label per row (ID.ext)");
  app.add_flag("--sheet", req.sheet, "Batch: all labels on A4 PDF pages in a grid, into --out");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    return onboard::ops::print_label(req, env);
  });
}
