//! PKCS#12 both ways with the peers: files we export open in OpenSSL, gpgsm, NSS `pk12util`,
//! pyca and Bouncy Castle (`peers.sh p12`); files pyca and NSS write open here.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ffi::OsString;
use std::process::Command;

use common::peers::{assert_peers_pass, run_peers, scratch_dir, scratch_file};
use smime_wasm::{Certificate, Identity};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(common::repo_path(&format!("tests/data/{path}"))).expect(path)
}

fn peers_p12(name: &str, bytes: &[u8], password: &str) -> Vec<common::peers::PeerResult> {
    let file = scratch_file(name, bytes);
    let args: Vec<OsString> = vec!["p12".into(), file.into(), password.into()];
    run_peers(&args, None, &[]).results
}

/// The pyca peer's Python (the venv scripts/install-peers.sh makes), or the system one.
fn python() -> String {
    let venv = std::env::var("HOME").unwrap_or_default() + "/.cache/smime-peers/venv/bin/python";
    if std::path::Path::new(&venv).exists() {
        venv
    } else {
        "python3".into()
    }
}

#[test]
fn our_exports_open_at_every_peer() {
    let mut certs = data("rfc9216/alice.sign.crt");
    certs.extend(data("rfc9216/ca.rsa.crt"));
    let single = Identity::from_pem(&data("rfc9216/alice.sign.key"), &certs, None).expect("alice");
    for legacy in [false, true] {
        let p12 = single.to_pkcs12("Backup pw 1", legacy).expect("export");
        let results = peers_p12(
            &format!("export-single-legacy-{legacy}.p12"),
            &p12,
            "Backup pw 1",
        );
        // gpgsm 2.2 reads only the legacy PBEs: it refuses OpenSSL 3's own default PBES2 file
        // (tests/data/p12/default.p12) with the same "pkcs5PBES2-params" error, so it is asked
        // only about the legacy export.
        let required: &[&str] = if legacy {
            &["openssl", "gpgsm", "nss-pk12util", "python", "bouncycastle"]
        } else {
            &["openssl", "nss-pk12util", "python", "bouncycastle"]
        };
        assert_peers_pass(&results, required);
        // and a wrong password is refused by them too
        let wrong = peers_p12(
            &format!("export-single-legacy-{legacy}-wrong.p12"),
            &p12,
            "nope",
        );
        assert!(
            wrong
                .iter()
                .filter(|r| r.peer == "openssl" || r.peer == "python")
                .all(|r| r.verdict == common::peers::Verdict::Fail),
            "{wrong:?}"
        );
    }
    // two keys (RFC 9216 alice.p12: signing + encryption). gpgsm imports only one secret key
    // per file ("a key has already been received"), so it is not asked here.
    let two = Identity::from_pkcs12(&data("rfc9216/alice.p12"), Some("alice")).expect("alice.p12");
    for legacy in [false, true] {
        let p12 = two.to_pkcs12("Backup pw 2", legacy).expect("export");
        let results = peers_p12(
            &format!("export-two-legacy-{legacy}.p12"),
            &p12,
            "Backup pw 2",
        );
        assert_peers_pass(
            &results,
            &["openssl", "nss-pk12util", "python", "bouncycastle"],
        );
        for r in results
            .iter()
            .filter(|r| r.peer == "nss-pk12util" || r.peer == "bouncycastle")
        {
            assert!(r.reason.starts_with("2 key(s)"), "{}: {}", r.peer, r.reason);
        }
    }
}

#[test]
fn pyca_files_open_here() {
    let dir = scratch_dir();
    let script = r#"
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12, PrivateFormat
from cryptography import x509
key = serialization.load_pem_private_key(open(sys.argv[1], 'rb').read(), None)
cert = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())
ca = x509.load_pem_x509_certificate(open(sys.argv[3], 'rb').read())
best = serialization.BestAvailableEncryption(b'pyca pw')
legacy = (PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2000)
          .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).build(b'pyca pw'))
for name, enc in (('best', best), ('3des', legacy)):
    open(sys.argv[4] + '/pyca-' + name + '.p12', 'wb').write(
        pkcs12.serialize_key_and_certificates(b'alice', key, cert, [ca], enc))
"#;
    let out = Command::new(python())
        .args(["-c", script])
        .arg(common::repo_path("tests/data/rfc9216/alice.sign.key"))
        .arg(common::repo_path("tests/data/rfc9216/alice.sign.crt"))
        .arg(common::repo_path("tests/data/rfc9216/ca.rsa.crt"))
        .arg(&dir)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "pyca: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leaf = Certificate::from_bytes(&data("rfc9216/alice.sign.crt")).expect("leaf");
    for name in ["best", "3des"] {
        let bytes = std::fs::read(dir.join(format!("pyca-{name}.p12"))).expect("written");
        let id = Identity::from_pkcs12(&bytes, Some("pyca pw"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(id.certificate(), &leaf, "{name}");
        assert_eq!(id.chain().len(), 2, "{name}");
        assert_eq!(id.friendly_name(), Some("alice"), "{name}");
        let e = Identity::from_pkcs12(&bytes, Some("wrong")).expect_err(name);
        assert_eq!(e.code(), "WRONG_PASSWORD", "{name}");
    }
}

#[test]
fn nss_exports_open_here() {
    let dir = scratch_dir().join("nssdb-export");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("sql:{}", dir.display());
    let run = |args: &[&str]| {
        let out = Command::new(args[0])
            .args(&args[1..])
            .output()
            .expect(args[0]);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["certutil", "-N", "-d", &db, "--empty-password"]);
    let source = common::repo_path("tests/data/rfc9216/alice.p12");
    run(&[
        "pk12util",
        "-i",
        source.to_str().expect("path"),
        "-d",
        &db,
        "-W",
        "alice",
    ]);
    let nick = "Alice Lovelace"; // the friendlyName alice.p12 carries for its signing key
    let out_file = dir.join("nss-export.p12");
    let listed = Command::new("certutil")
        .args(["-L", "-d", &db])
        .output()
        .expect("certutil");
    let listing = String::from_utf8_lossy(&listed.stdout).to_string();
    let nickname = listing
        .lines()
        .filter_map(|l| l.rsplit_once("  ").map(|(n, _)| n.trim().to_string()))
        .find(|n| n.to_lowercase().contains("alice") || n.contains(nick))
        .unwrap_or_else(|| panic!("no Alice certificate in the NSS db:\n{listing}"));
    run(&[
        "pk12util",
        "-o",
        out_file.to_str().expect("path"),
        "-n",
        &nickname,
        "-d",
        &db,
        "-W",
        "nss pw",
    ]);
    let bytes = std::fs::read(&out_file).expect("exported");
    let id = Identity::from_pkcs12(&bytes, Some("nss pw")).expect("NSS export imports");
    assert!(
        id.certificate()
            .emails()
            .contains(&"alice@smime.example".to_string())
    );
    assert_eq!(
        Identity::from_pkcs12(&bytes, Some("wrong"))
            .expect_err("wrong")
            .code(),
        "WRONG_PASSWORD"
    );
}
