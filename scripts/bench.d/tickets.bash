# Setup shared by the ticket benchmarks (sourced by them; scripts/bench runs only *.sh).
bench_ca() { "$BIN/create-authority" "$@" >/dev/null; }
# bench_chain P ORG: ORG's root, issuing CA and ticket signer as P{root,ca,signer}.{key,pem}, and
# Pchain.pem (CA, root: every issuer up to the root, SPEC §13.2).
bench_chain() {
  local p=$1 org=$2
  bench_ca --profile root-ca --subject "/O=$org/CN=Root" --key "${p}root.key" --new-key --out "${p}root.pem"
  bench_ca --profile issuing-ca --crl-url "http://crl.example.com/${p}root.crl" --subject "/O=$org/CN=CA" \
    --key "${p}ca.key" --new-key --ca-cert "${p}root.pem" --ca-key "${p}root.key" --out "${p}ca.pem"
  bench_ca --profile ticket-signer --crl-url "http://crl.example.com/${p}ca.crl" --subject "/O=$org/CN=Signer" \
    --key "${p}signer.key" --new-key --ca-cert "${p}ca.pem" --ca-key "${p}ca.key" --out "${p}signer.pem"
  cat "${p}ca.pem" "${p}root.pem" >"${p}chain.pem"
}
# bench_devices N: tpl.yaml (a device ticket template) and m.csv (N rows: id, serial).
bench_devices() {
  printf 'manufacturer_name: Bench\nmodel_name: X1\nserial_number: "{serial}"\nproduct_instance_uri: "urn:bench.example:x1:{serial}"\n' >tpl.yaml
  { echo "id,serial"; for i in $(seq 1 "$1"); do echo "d$i,$((10000000 + i))"; done; } >m.csv
}
