// The audit page's stylesheet: inline (the page needs nothing from elsewhere), one ticket per
// A4 page in print, system fonts only.
#include "html_parts.h"

namespace onboard::report {

const char* page_css() {
  return R"css(
@page { size: A4; margin: 14mm 13mm 16mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 190mm; padding: 8mm 0; color: #1d2430; background: #fff;
  font: 10pt/1.42 "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; }
h1 { font-size: 17pt; margin: 0 0 1mm; letter-spacing: .01em; }
h2 { font-size: 13pt; margin: 0; word-break: break-all; }
h3 { font-size: 10.5pt; margin: 5mm 0 1.5mm; text-transform: uppercase; letter-spacing: .06em; color: #475266;
  border-bottom: 1px solid #d5dae3; padding-bottom: .8mm; }
.doc-head { border-bottom: 2.5px solid #1d2430; padding-bottom: 3mm; margin-bottom: 4mm; }
.doc-head .meta { color: #475266; font-size: 9pt; }
.doc-head .meta span { margin-right: 5mm; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #e4e8ef; }
th { color: #475266; font-weight: 600; white-space: nowrap; width: 30%; }
td { word-break: break-word; }
table.summary th, table.summary td { font-size: 9pt; width: auto; }
table.summary thead th { border-bottom: 1.5px solid #1d2430; }
.mono, code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.8pt; word-break: break-all; }
.ticket + .ticket { break-before: page; page-break-before: always; }
.ticket { margin-bottom: 8mm; }
.verdict { display: flex; gap: 5mm; align-items: center; padding: 3mm 4mm; border-radius: 2mm; border: 1.5px solid;
  margin: 2mm 0 3mm; break-inside: avoid; }
.verdict.valid { background: #eaf6ee; border-color: #2e7d4f; }
.verdict.invalid { background: #fbecec; border-color: #b3261e; }
.verdict .word { font-size: 20pt; font-weight: 700; letter-spacing: .04em; }
.verdict.valid .word { color: #1f6b3f; }
.verdict.invalid .word { color: #a11d16; }
.verdict p { margin: .4mm 0; }
.badge { display: inline-block; padding: .2mm 2mm; border-radius: 1mm; font-size: 8.5pt; font-weight: 700; }
.badge.ok { background: #d7efdf; color: #1f6b3f; }
.badge.bad { background: #f7d9d7; color: #a11d16; }
.badge.skip { background: #eceff4; color: #56607a; }
.badge.warn { background: #fff1cc; color: #7a5300; }
.top { display: flex; gap: 6mm; align-items: flex-start; }
.top .payload { flex: 1; }
figure.qr { margin: 0; width: 44mm; text-align: center; break-inside: avoid; }
figure.qr svg { width: 40mm; height: auto; display: block; margin: 0 auto; }
figure.qr figcaption { font-size: 7.5pt; color: #475266; word-break: break-all; margin-top: 1mm; }
.sig { border: 1px solid #d5dae3; border-left: 4px solid; border-radius: 1.5mm; margin: 2.5mm 0; break-inside: avoid; }
.sig.accepted { border-left-color: #2e7d4f; }
.sig.rejected { border-left-color: #b3261e; }
.sig .sig-head { padding: 1.6mm 2.5mm; background: #f5f7fa; font-weight: 600; }
.sig table th { width: 24%; }
.sig table tr:last-child th, .sig table tr:last-child td { border-bottom: 0; }
svg.timeline { width: 100%; height: auto; font-size: 10.5px; font-family: "DejaVu Sans", Arial, sans-serif; break-inside: avoid; }
svg.timeline .axis line { stroke: #e1e5ec; stroke-width: 1; }
svg.timeline .axis text { fill: #6b7488; font-size: 9.5px; }
svg.timeline .sig { font-weight: 700; fill: #1d2430; }
svg.timeline .cert text { fill: #1d2430; }
svg.timeline .cert.current rect { fill: #3f9a66; }
svg.timeline .cert.expired rect { fill: #c8453d; }
svg.timeline .cert.future rect { fill: #d99a1e; }
svg.timeline .at line { stroke: #1f4fb3; stroke-width: 1.6; }
svg.timeline .at text { fill: #1f4fb3; font-weight: 700; }
svg.timeline .until line { stroke: #1f6b3f; stroke-width: 1.6; stroke-dasharray: 5 3; }
svg.timeline .until text { fill: #1f6b3f; font-weight: 700; }
.legend { font-size: 8.5pt; color: #475266; margin-top: 1mm; }
.legend i { display: inline-block; width: 3.2mm; height: 2.4mm; margin: 0 1mm 0 3mm; vertical-align: baseline; }
.note { color: #475266; font-size: 9pt; }
ul.warnings { margin: 0; padding-left: 5mm; color: #7a5300; }
footer { margin-top: 6mm; padding-top: 2mm; border-top: 1px solid #d5dae3; font-size: 8pt; color: #6b7488; }
@media print { body { padding: 0; max-width: none; } }
)css";
}

}  // namespace onboard::report
