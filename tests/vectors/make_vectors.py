#!/usr/bin/env python3
"""Re-make the conformance vectors in tests/vectors/ (see README.md).

Usage: tests/vectors/make_vectors.sh BIN-DIR [OUT-DIR]
Uses the project's own tools (create-authority, mint-idevid, issue-ldevid, sign-ticket,
countersign-ticket, build-composite-ticket, verify-ticket) and openssl for the malformed
documents. Each case's expectation is declared here by hand; after writing a case the
generator runs verify-ticket once and stops if the result differs from the declaration.
Certificates start at generation time, so the evaluation time is generation + ~6 months."""
import base64, datetime, json, os, shutil, subprocess, sys, tempfile

BIN = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__)))
W = tempfile.mkdtemp(prefix="vectors.")
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
AT = (NOW + datetime.timedelta(days=183)).strftime("%Y-%m-%dT00:00:00Z")
BEFORE = (NOW - datetime.timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z")
SHORT_END = (NOW + datetime.timedelta(days=90)).strftime("%Y-%m-%dT00:00:00Z")
DCTY = "opc-ticket+json;type=DeviceIdentityTicketType"
CCTY = "opc-ticket+json;type=CompositeIdentityTicketType"
PIU = "urn:acme.example:x1:1"
CIU = "urn:builder.example:cell:1"


def sh(*args, check=True, stdin=None):
    r = subprocess.run(list(args), cwd=W, input=stdin, capture_output=True)
    if check and r.returncode != 0:
        sys.exit("make_vectors: %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.decode()))
    return r


def tool(name, *args):
    return sh(os.path.join(BIN, name), *args)


def p(name):
    return os.path.join(W, name)


def read(name, mode="r"):
    with open(p(name), mode) as f:
        return f.read()


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def der_b64(pem):
    return base64.b64encode(sh("openssl", "x509", "-in", p(pem), "-outform", "DER").stdout).decode()


def der_to_raw(der, size=32):
    # ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } → r‖s, each left-padded to size
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        v = der[i + 2:i + 2 + n].lstrip(b"\0")
        out += v.rjust(size, b"\0")
        i += 2 + n
    return out


def sign_input(signing_input, key, der=False, digest="-sha256"):
    sig = sh("openssl", "dgst", digest, "-sign", p(key), stdin=signing_input.encode()).stdout
    return sig if der else der_to_raw(sig)


def sig_obj(header_json, payload_b64, key, der=False, prot=None):
    prot = prot or b64u(header_json)
    return {"protected": prot, "signature": b64u(sign_input(prot + "." + payload_b64, key, der))}


def header(cty, certs, alg="ES256", extra=""):
    x5c = ",".join('"%s"' % der_b64(c) for c in certs)
    return '{"alg":"%s","x5c":[%s],"cty":"%s"%s}' % (alg, x5c, cty, extra)


def doc_text(payload_b64, sigs):
    return json.dumps({"payload": payload_b64, "signatures": sigs}, separators=(",", ":")) + "\n"


def payload_of(ticket_file):
    return json.loads(read(ticket_file))["payload"]


CASES = []


def case(name, description, ticket, trust, expect_code, signatures, args=(), extra_files=(), ticket_text=None):
    """trust: list of (flag, file) pairs; signatures: list of dicts {accepted, failed_check?,
    revocation?, opc_uri?}; ticket_text overrides the ticket file's content."""
    d = os.path.join(OUT, name)
    os.makedirs(d)
    text = ticket_text if ticket_text is not None else read(ticket)
    with open(os.path.join(d, "ticket.json"), "w") as f:
        f.write(text)
    cli = []
    for flag, fname in trust:
        shutil.copy(p(fname), os.path.join(d, fname))
        cli += [flag, fname]
    outargs = []
    for a in args:
        if isinstance(a, tuple):  # (flag, file): a file argument copied into the case
            shutil.copy(p(a[1]), os.path.join(d, os.path.basename(a[1])))
            outargs += [a[0], os.path.basename(a[1])]
        else:
            outargs.append(a)
    at = AT if "--at" not in outargs else None
    exp = {"description": description, "evaluation_time": at or outargs[outargs.index("--at") + 1],
           "trust": cli, "arguments": [a for a in outargs], "valid": expect_code == 0, "exit_code": expect_code,
           "signatures": [dict(index=i, **s) for i, s in enumerate(signatures)]}
    if at is None:
        i = outargs.index("--at")
        exp["arguments"] = outargs[:i] + outargs[i + 2:]
    # Check the declaration against this build once, record the verifier's reasons (informative).
    r = subprocess.run([os.path.join(BIN, "verify-ticket"), "ticket.json", "--json", "--at", exp["evaluation_time"]] + cli +
                       exp["arguments"], cwd=d, capture_output=True)
    if r.returncode != expect_code:
        sys.exit("make_vectors: %s: verify-ticket exit %d, declared %d\n%s%s" % (name, r.returncode, expect_code,
                                                                              r.stdout.decode(), r.stderr.decode()))
    try:
        got = json.loads(r.stdout.decode().splitlines()[0])
    except Exception:
        got = {"signatures": [], "reason": r.stderr.decode().strip()}
    exp["reason"] = got.get("reason", "")
    gs = got.get("signatures", [])
    if len(gs) != len(signatures) and not (expect_code == 3 and not signatures):
        sys.exit("make_vectors: %s: %d signatures reported, %d declared\n%s" % (name, len(gs), len(signatures), r.stdout.decode()))
    for s, g in zip(exp["signatures"], gs):
        if g["accepted"] != s["accepted"]:
            sys.exit("make_vectors: %s: signature %d accepted=%s, declared %s\n%s" % (name, s["index"], g["accepted"], s["accepted"], r.stdout.decode()))
        if not s["accepted"]:
            failed = [c for c in ("header", "chain", "time", "revocation", "signature") if g.get(c, {}).get("result") == "fail"]
            if s.get("failed_check") is None and failed:
                s["failed_check"] = failed[0]  # structural faults: recorded as this verifier reports them
            elif s.get("failed_check") and s["failed_check"] not in failed:
                sys.exit("make_vectors: %s: signature %d failed %s, declared %s\n%s" % (name, s["index"], failed, s["failed_check"], r.stdout.decode()))
        if "revocation" in s and g["revocation"].get("status") != s["revocation"]:
            sys.exit("make_vectors: %s: signature %d revocation %s, declared %s" % (name, s["index"], g["revocation"].get("status"), s["revocation"]))
        if "opc_uri" in s and g.get("opc_uri") != s["opc_uri"]:
            sys.exit("make_vectors: %s: signature %d opc_uri %s, declared %s" % (name, s["index"], g.get("opc_uri"), s["opc_uri"]))
        s["reason"] = g.get("reason", "")
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(exp, f, indent=2, ensure_ascii=False)
        f.write("\n")
    CASES.append(name)


OK = {"accepted": True}
def REJ(check):
    return {"accepted": False, "failed_check": check}


# ---------------------------------------------------------------- PKI
def authority(profile, subject, key, out, issuer=None, *more):
    args = ["--profile", profile, "--subject", subject, "--key", key, "--new-key", "--out", out]
    if issuer:
        args += ["--issuer-cert", issuer + ".pem", "--issuer-key", issuer + ".key"]
    tool("create-authority", *args, *more)


authority("root-ca", "/O=Acme/CN=Acme Root", "root.key", "root.pem")
authority("issuing-ca", "/O=Acme/CN=Acme Device CA", "ca.key", "ca.pem", "root")
authority("ticket-signer", "/O=Acme/CN=Acme Ticket Signer", "signer.key", "signer.pem", "ca")
authority("ticket-signer", "/O=Acme/CN=Acme Short Signer", "short.key", "short.pem", "ca", "--not-after", SHORT_END)
authority("ticket-signer", "/O=Acme/CN=Acme DP Signer", "dpsigner.key", "dpsigner.pem", "ca",
          "--crl-url", "http://crl.acme.example/device-ca.crl")
authority("ticket-signer", "/O=Acme/CN=Acme Revoked Signer", "revsigner.key", "revsigner.pem", "ca")
authority("root-ca", "/O=Dist/CN=Dist Root", "droot.key", "droot.pem")
authority("ticket-signer", "/O=Dist/CN=Dist Signer", "dsigner.key", "dsigner.pem", "droot")
authority("root-ca", "/O=Builder/CN=Builder Root", "broot.key", "broot.pem")
authority("issuing-ca", "/O=Builder/CN=Builder LDevID CA", "bca.key", "bca.pem", "broot")
authority("ticket-signer", "/O=Builder/CN=Builder Ticket Signer", "bsigner.key", "bsigner.pem", "broot")
authority("root-ca", "/O=Evil/CN=Evil Root", "eroot.key", "eroot.pem")
authority("issuing-ca", "/O=Evil/CN=Evil CA", "eca.key", "eca.pem", "eroot")
open(p("bundle.pem"), "w").write(read("ca.pem") + read("root.pem"))
open(p("bbundle.pem"), "w").write(read("bca.pem") + read("broot.pem"))
open(p("chain-with-root.pem"), "w").write(read("ca.pem") + read("root.pem"))

# CRLs of the Device CA (openssl ca), current at AT: one revoking revsigner, one revoking nothing
def make_crl(out, days, *revoke):
    d = tempfile.mkdtemp(dir=W)
    open(os.path.join(d, "index.txt"), "w").close()
    open(os.path.join(d, "crlnumber"), "w").write("01\n")
    cnf = os.path.join(d, "ca.cnf")
    open(cnf, "w").write("[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\n"
                         "default_crl_days=%d\n" % (d, d, days))
    for c in revoke:
        sh("openssl", "ca", "-config", cnf, "-keyfile", p("ca.key"), "-cert", p("ca.pem"), "-revoke", p(c))
    sh("openssl", "ca", "-config", cnf, "-keyfile", p("ca.key"), "-cert", p("ca.pem"), "-gencrl", "-out", p(out))


make_crl("ca-revoked.crl", 400, "revsigner.pem")
make_crl("ca-empty.crl", 400)
make_crl("ca-stale.crl", 30)

# RSA-1024 ticket signer (create-authority refuses to make one): openssl, issued by the Device CA
sh("openssl", "genrsa", "-out", p("rsa1024.key"), "1024")
open(p("ext.cnf"), "w").write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                              "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
sh("openssl", "req", "-new", "-key", p("rsa1024.key"), "-subj", "/O=Acme/CN=Acme RSA1024 Signer", "-out", p("rsa1024.csr"))
sh("openssl", "x509", "-req", "-in", p("rsa1024.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
   "-days", "1000", "-sha256", "-extfile", p("ext.cnf"), "-out", p("rsa1024.pem"))

# Devices: IDevIDs from the Acme Device CA, LDevIDs from the Builder CA, one from the Evil CA
for n in ("1", "2"):
    tool("mint-idevid", "--ca-cert", "ca.pem", "--ca-key", "ca.key", "--product-instance-uri", "urn:acme.example:x1:" + n,
         "--serial-number", n, "--device-key", "dev%s.key" % n, "--new-key", "--out", "idev%s.pem" % n)
tool("mint-idevid", "--ca-cert", "eca.pem", "--ca-key", "eca.key", "--product-instance-uri", PIU, "--serial-number", "1",
     "--device-key", "evildev.key", "--new-key", "--out", "idev1-evil.pem")
tool("issue-ldevid", "--ca-cert", "bca.pem", "--ca-key", "bca.key", "--product-instance-uri", PIU,
     "--composite-instance-uri", CIU, "--from-idevid", "idev1.pem", "--out", "ldev1.pem")

# ---------------------------------------------------------------- tickets made by the tools
open(p("dev1.yaml"), "w").write("manufacturer_name: Acme\nmodel_name: X1\nserial_number: \"1\"\n"
                                "manufacture_date: 2026-11-02\nproduct_instance_uri: %s\n" % PIU)
def sign(out, key="signer", chain="ca.pem", *more):
    tool("sign-ticket", "--ticket", "dev1.yaml", "--key", key + ".key", "--cert", key + ".pem", "--chain", chain,
         "--authority", "bundle.pem", "--out", out, *more)


sign("t.json")
sign("t-root.json", "signer", "chain-with-root.pem")
sign("t-short.json", "short")
sign("t-dp.json", "dpsigner")
sign("t-rev.json", "revsigner")
tool("countersign-ticket", "t.json", "--key", "dsigner.key", "--cert", "dsigner.pem", "--trust-anchor", "root.pem", "--out", "t-multi.json")
tool("countersign-ticket", "t-short.json", "--key", "dsigner.key", "--cert", "dsigner.pem", "--trust-anchor", "root.pem",
     "--out", "t-short-multi.json")
open(p("cell.yaml"), "w").write("manufacturer_name: Builder\nmodel_name: Cell\nserial_number: C1\ncomposite_instance_uri: %s\n" % CIU)
tool("build-composite-ticket", "--composite", "cell.yaml", "--member", "t.json", "--key", "bsigner.key", "--cert", "bsigner.pem",
     "--authority", "bbundle.pem", "--trust-anchor", "root.pem", "--out-dir", "cell")
shutil.copy(p("cell/composite.ticket.json"), p("composite.json"))
shutil.copy(p("cell/urn_acme.example_x1_1.ticket.json"), p("member.json"))

TA = [("--trust-anchor", "root.pem")]
TAD = TA + [("--trust-anchor", "droot.pem")]
TAB = TA + [("--trust-anchor", "broot.pem")]
P = payload_of("t.json")
# The document with one signature re-made by openssl: header text given, signed by the Acme signer
def one(hdr, payload=P, key="signer.key", der=False, prot=None):
    return doc_text(payload, [sig_obj(hdr, payload, key, der, prot)])


H = header(DCTY, ["signer.pem", "ca.pem"])

# ---------------------------------------------------------------- valid tickets
case("valid-single", "One ES256 signature by the Manufacturer's ticket signer, x5c = [signer, issuing CA] (no root); "
     "trust anchor = the Manufacturer's root. No CRL given and no certificate names a CRL DP: revocation not applicable.",
     "t.json", TA, 0, [dict(OK, revocation="not applicable")])
case("valid-ticket-authority-source-device", "The signer certificate itself given as a TicketAuthority, ticket received "
     "from the device (--source device: trust anchors not used).", "t.json", [("--ticket-authority", "signer.pem")], 0, [OK],
     args=["--source", "device"])
case("trust-anchor-source-device", "--source device disables --trust-anchor (Part 21: CA trust only for out-of-band "
     "tickets): untrusted.", "t.json", TA, 10, [REJ("chain")], args=["--source", "device"])
case("x5c-with-root", "Interpretation: x5c = [signer, issuing CA, root] (root included) is accepted like x5c without the "
     "root.", "t-root.json", TA, 0, [OK])
case("x5c-root-not-trusted-by-itself", "x5c carries the Manufacturer's root, but only the Distributor's root is trusted: a "
     "root inside x5c is never trusted by itself.", "t-root.json", [("--trust-anchor", "droot.pem")], 10, [REJ("chain")])
case("multi-signature", "Manufacturer signature + Distributor countersignature, both trusted.", "t-multi.json", TAD, 0, [OK, OK])
case("multi-signature-policy-all", "--policy all with both signatures accepted.", "t-multi.json", TAD, 0, [OK, OK],
     args=["--policy", "all"])
case("multi-signature-one-untrusted-policy-any", "Only the Manufacturer's root is trusted: the countersignature is "
     "untrusted, policy any is still met.", "t-multi.json", TA, 0, [OK, REJ("chain")])
case("multi-signature-one-untrusted-policy-all", "Only the Manufacturer's root is trusted and --policy all: not valid, "
     "the single failure reason (untrusted) gives its code.", "t-multi.json", TA, 10, [OK, REJ("chain")],
     args=["--policy", "all"])
case("countersignature-carries-validity", "The Manufacturer's signer has expired at the evaluation time; the Distributor's "
     "countersignature keeps the ticket valid (policy any).", "t-short-multi.json", TAD, 0, [REJ("time"), OK])
case("countersignature-policy-all-expired", "As countersignature-carries-validity with --policy all: expired (11).",
     "t-short-multi.json", TAD, 11, [REJ("time"), OK], args=["--policy", "all"])
case("mixed-reasons", "Manufacturer signature expired, Distributor's untrusted: no accepted signature for mixed reasons (1).",
     "t-short-multi.json", TA, 1, [REJ("time"), REJ("chain")])
case("require-signer-met", "--require-signer names the Distributor's signer, whose countersignature is accepted.",
     "t-multi.json", TAD, 0, [OK, OK], args=[("--require-signer", "dsigner.pem")])
case("require-signer-missing", "--require-signer names the Distributor's signer, but the ticket only has the "
     "Manufacturer's signature.", "t.json", TAD, 10, [OK], args=[("--require-signer", "dsigner.pem")])

# ---------------------------------------------------------------- §8 failure reasons
case("untrusted", "The chain ends at the Manufacturer's root, only an unrelated root is trusted.", "t.json",
     [("--trust-anchor", "eroot.pem")], 10, [REJ("chain")])
case("untrusted-issuing-ca-as-ticket-authority", "The issuing CA given as --ticket-authority: a TicketAuthority is "
     "trusted as is, it does not make its subordinates trusted.", "t.json", [("--ticket-authority", "ca.pem")], 10, [REJ("chain")])
case("expired", "The signer certificate expired before the evaluation time.", "t-short.json", TA, 11, [REJ("time")])
case("not-yet-valid", "Evaluation time before the certificates' notBefore.", "t.json", TA, 11, [REJ("time")],
     args=["--at", BEFORE])
case("revoked", "The Device CA's CRL lists the signer certificate.", "t-rev.json", TA + [("--crl", "ca-revoked.crl")], 12,
     [dict(REJ("revocation"))])
case("crl-not-revoked", "The Device CA's CRL is given and does not list the signer: revocation checked and passed.",
     "t.json", TA + [("--crl", "ca-empty.crl")], 0, [OK])
case("crl-unknown-reported", "The signer certificate names a CRL distribution point but no CRL is given: the revocation "
     "status is reported as unknown, the signature is still accepted (Part 21: skipped checks are reported).",
     "t-dp.json", TA, 0, [dict(OK, revocation="unknown")])
case("crl-not-applicable-reported", "No CRL given and no certificate names a CRL DP or AIA: reported as not applicable.",
     "t.json", TA, 0, [dict(OK, revocation="not applicable")])
case("crl-stale", "The Device CA's CRL is given but its nextUpdate lies before the evaluation time: not current, "
     "so the revocation check fails; the project reports this as a time failure (11), status unknown.",
     "t.json", TA + [("--crl", "ca-stale.crl")], 11, [dict(REJ("revocation"), revocation="unknown")])

# Device matching
case("device-match", "--device-cert: the IDevID has the ProductInstanceUri as URI SAN and chains to the ticket's "
     "Authorities.", "t.json", TA, 0, [OK], args=[("--device-cert", "idev1.pem")])
case("device-mismatch-uri", "--device-cert of another device (other ProductInstanceUri).", "t.json", TA, 13, [OK],
     args=[("--device-cert", "idev2.pem")])
case("device-mismatch-authority", "--device-cert with the right URI, issued by a CA that is not among the ticket's "
     "Authorities.", "t.json", TA, 13, [OK], args=[("--device-cert", "idev1-evil.pem")])

# Composites
case("composite-ticket", "Interpretation: the CompositeBuilder's signature on the composite's own ticket carries "
     "opc-uri = its CompositeInstanceUri.", "composite.json", TAB, 0, [dict(OK, opc_uri=CIU)])
case("composite-member", "A member device ticket after build-composite-ticket: the Manufacturer's signature plus the "
     "CompositeBuilder's with opc-uri.", "member.json", TAB, 0, [dict(OK, opc_uri=None), dict(OK, opc_uri=CIU)])
case("composite-member-ldevid-match", "Interpretation: the member's LDevID (both URIs) chains to the composite ticket's "
     "Authorities, not the device ticket's; it matches.", "member.json", TAB, 0, [OK, OK],
     args=[("--device-cert", "ldev1.pem"), ("--composite-ticket", "composite.json")])
case("composite-member-partial-match", "The IDevID carries only the ProductInstanceUri: with --composite-ticket this is a "
     "partial match and is rejected.", "member.json", TAB, 13, [OK, OK],
     args=[("--device-cert", "idev1.pem"), ("--composite-ticket", "composite.json")])

# ---------------------------------------------------------------- §6 structural faults (re-made documents)
def fault(name, description, text, code=3, sigs=(), trust=TA, args=()):
    open(p("x.json"), "w").write(text)
    case(name, description, "x.json", trust, code, list(sigs), args=args)


good = json.loads(read("t.json"))
sig0 = good["signatures"][0]
fault("b64url-padding", "The signature value ends in '==' padding (base64url without padding is required).",
      doc_text(P, [{"protected": sig0["protected"], "signature": sig0["signature"] + "=="}]), 3, [REJ(None)])
fault("b64url-whitespace", "A line break inside the signature value.",
      doc_text(P, [{"protected": sig0["protected"], "signature": sig0["signature"][:40] + "\n" + sig0["signature"][40:]}]), 3, [REJ(None)])
raw = b64u_dec(sig0["signature"])
s86 = b64u(raw)  # 64 bytes → 86 chars, the last char carries 2 unused bits
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
last = alphabet.index(s86[-1])
fault("b64url-noncanonical-bits", "The signature's last base64url character has non-zero unused trailing bits.",
      doc_text(P, [{"protected": sig0["protected"], "signature": s86[:-1] + alphabet[last | 1 if last & 3 == 0 else last & ~3]}]), 3, [REJ(None)])
fault("b64url-standard-alphabet", "The payload uses the standard base64 alphabet ('+' '/').",
      doc_text(P.replace("-", "+").replace("_", "/") if ("-" in P or "_" in P) else "+" + P[1:], [sig0]))
fault("ecdsa-der", "An ES256 signature in DER (ECDSA-Sig-Value) instead of raw R‖S.", one(H, der=True), 3, [REJ(None)])
fault("alg-none", "alg none (unsigned).", doc_text(P, [{"protected": b64u(header(DCTY, ["signer.pem", "ca.pem"], "none")), "signature": ""}]),
      3, [REJ(None)])
fault("alg-hs256", "alg HS256 (MAC).", one(header(DCTY, ["signer.pem", "ca.pem"], "HS256")), 3, [REJ(None)])
fault("alg-key-mismatch", "alg RS256 in the header, P-256 key in x5c[0].", one(header(DCTY, ["signer.pem", "ca.pem"], "RS256")),
      3, [REJ(None)])
rsa_h = header(DCTY, ["rsa1024.pem", "ca.pem"], "RS256")
rprot = b64u(rsa_h)
rsig = sh("openssl", "dgst", "-sha256", "-sign", p("rsa1024.key"), stdin=(rprot + "." + P).encode()).stdout
fault("rsa-1024", "RS256 by a 1024-bit RSA key (under 2048 bits).", doc_text(P, [{"protected": rprot, "signature": b64u(rsig)}]),
      3, [REJ(None)])
fault("crit-present", "The protected header has crit.", one(H[:-1] + ',"crit":["exp"],"exp":1}'), 3, [REJ(None)])
fault("duplicate-header-member", "The protected header has alg twice.", one(H[:-1] + ',"alg":"ES256"}'), 3, [REJ(None)])
dup_payload = b64u(b64u_dec(P).decode()[:-1] + ',"ModelName":"X2"}')
fault("duplicate-payload-member", "The payload has ModelName twice.", one(H, payload=dup_payload))
fault("unknown-top-level-member", "The JWS document has a member besides payload/signatures/(flattened) members.",
      read("t.json")[:-2] + ',"extra":1}\n')
fault("payload-not-json", "The payload is not JSON.", one(H, payload=b64u("not json")))
comp_payload = payload_of("composite.json")
fault("cty-mismatch", "cty says DeviceIdentityTicketType, the payload is a CompositeIdentityTicketType.",
      one(header(DCTY, ["signer.pem", "ca.pem"]), payload=comp_payload))
fault("cty-unknown-type", "cty names no Part 21 ticket type.", one(header("opc-ticket+json;type=OtherType", ["signer.pem", "ca.pem"])))
fault("mixed-cty", "Two signatures with different cty ticket types.",
      doc_text(P, [sig0, sig_obj(header(CCTY, ["dsigner.pem"]), P, "dsigner.key")]))
fault("x5c-too-long", "x5c with 9 certificates (limit 8).",
      one(header(DCTY, ["signer.pem"] + ["ca.pem"] * 7 + ["root.pem"])), 3, [REJ(None)])
fault("too-many-signatures", "65 signatures (limit 64).", doc_text(P, [sig0] * 65))
fault("size-limit", "A 4 KiB document verified with --max-size 1024.", read("t.json"), args=["--max-size", "1024"])
fault("flattened-serialization", "Flattened JWS JSON serialization (one signature) is accepted.",
      json.dumps({"payload": P, "protected": sig0["protected"], "signature": sig0["signature"]}, separators=(",", ":")) + "\n",
      0, [OK])
tampered = raw[:10] + bytes([raw[10] ^ 1]) + raw[11:]
fault("signature-tampered", "One bit of the signature flipped.", doc_text(P, [{"protected": sig0["protected"], "signature": b64u(tampered)}]),
      1, [REJ("signature")])
fault("payload-tampered", "The payload changed after signing (SerialNumber 1 → 2), signature kept.",
      doc_text(b64u(b64u_dec(P).decode().replace('"SerialNumber":"1"', '"SerialNumber":"2"')), [sig0]), 1, [REJ("signature")])
fault("unknown-header-member", "An unknown protected header member is ignored with a warning.",
      one(H[:-1] + ',"x-vendor":"v"}'), 0, [OK])
fault("unprotected-header", "An unprotected header object is accepted and never trusted.",
      doc_text(P, [dict(sig0, header={"x-note": "n"})]), 0, [OK])
open(p("dev2.yaml"), "w").write(read("dev1.yaml").replace("x1:1", "x1:2").replace('"1"', '"2"'))
tool("sign-ticket", "--ticket", "dev2.yaml", "--key", "signer.key", "--cert", "signer.pem", "--chain", "ca.pem",
     "--authority", "bundle.pem", "--out", "t2.json")
fault("copied-signature", "The signature of another device's ticket (same signer) copied onto this payload.",
      doc_text(P, [json.loads(read("t2.json"))["signatures"][0]]), 1, [REJ("signature")])

# ---------------------------------------------------------------- tolerant input (SPEC §13.8)
pl = json.loads(b64u_dec(P))
verbose = {"UaTypeId": "nsu=http://opcfoundation.org/UA/Onboarding/;i=15001", "ManufacturerName": pl["ManufacturerName"],
           "ModelName": pl["ModelName"], "ModelVersion": None, "HardwareRevision": "", "SoftwareRevision": None,
           "SerialNumber": pl["SerialNumber"], "ManufactureDate": "0001-01-01T00:00:00Z",
           "Authorities": [dict(a, UaTypeId="nsu=http://opcfoundation.org/UA/Onboarding/;i=15002") for a in pl["Authorities"]],
           "ProductInstanceUri": pl["ProductInstanceUri"]}
vp = b64u(json.dumps(verbose, separators=(",", ":")))
fault("payload-verbose-1.05", "The payload in the OPC UA 1.05 verbose form: defaults present (null, empty string, "
      "ManufactureDate 0001-01-01T00:00:00Z = unknown), UaTypeId members.", one(H, payload=vp), 0, [OK], args=["--strict"])
reversible = {"TypeId": {"Id": 15001, "Namespace": "http://opcfoundation.org/UA/Onboarding/"}, "Encoding": 0,
              "Body": dict(pl, ModelVersion=None, ManufactureDate="1601-01-01T00:00:00Z")}
rp = b64u(json.dumps(reversible, separators=(",", ":")))
fault("payload-reversible-1.04", "The payload in the OPC UA 1.04 reversible form: an ExtensionObject {TypeId, Encoding 0, "
      "Body}, with nulls and ManufactureDate 1601-01-01T00:00:00Z (unknown).", one(H, payload=rp), 0, [OK], args=["--strict"])
cp = b64u(json.dumps(dict(json.loads(b64u_dec(comp_payload)), Composites=[], UaTypeId="x"), separators=(",", ":")))
fault("payload-verbose-composite", "A CompositeIdentityTicketType payload with an empty Composites array and UaTypeId.",
      doc_text(cp, [sig_obj(header(CCTY, ["bsigner.pem"], extra=',"opc-uri":"%s"' % CIU), cp, "bsigner.key")]), 0, [OK], trust=TAB)
fault("cty-spaces-and-case", "cty 'opc-ticket+json ; Type=DeviceIdentityTicketType': parameter name case-insensitive, "
      "blanks around ';' and '='.", one(header("opc-ticket+json ; Type = DeviceIdentityTicketType", ["signer.pem", "ca.pem"])), 0, [OK])
fault("cty-quoted-application", "cty 'application/opc-ticket+json;type=\"DeviceIdentityTicketType\"': application/ prefix "
      "(RFC 7515 §4.1.10) and a quoted value.",
      one(header('application/opc-ticket+json;type=\\"DeviceIdentityTicketType\\"', ["signer.pem", "ca.pem"])), 0, [OK])
fault("cty-two-spellings", "Two signatures whose cty are spelled differently but name the same ticket type: not mixed.",
      doc_text(P, [sig0, sig_obj(header("OPC-Ticket+JSON;TYPE=DeviceIdentityTicketType", ["dsigner.pem"]), P, "dsigner.key")]),
      0, [OK, OK], trust=TAD)
fault("cty-type-value-case", "The type value is a BrowseName and compared exactly: 'deviceidentitytickettype' is not a "
      "ticket type.", one(header("opc-ticket+json;type=deviceidentitytickettype", ["signer.pem", "ca.pem"])))

with open(os.path.join(OUT, "generated.json"), "w") as f:
    json.dump({"generated_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "evaluation_time": AT, "cases": len(CASES)}, f)
    f.write("\n")
shutil.rmtree(W)
print("make_vectors: %d cases in %s (evaluation time %s)" % (len(CASES), OUT, AT))
