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

#[test]
fn gpgsm_exports_open_here() {
    use std::io::Write;
    use std::process::Stdio;
    let home = scratch_dir().join("gnupg-export");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("GNUPGHOME");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    std::fs::write(home.join("gpg-agent.conf"), "allow-loopback-pinentry\n").expect("agent conf");
    let gpgsm = |args: &[&str], stdin: &str| {
        let mut child = Command::new("gpgsm")
            .env("GNUPGHOME", &home)
            .args([
                "--batch",
                "--no-tty",
                "--disable-dirmngr",
                "--disable-crl-checks",
            ])
            .args(["--pinentry-mode", "loopback", "--passphrase-fd", "0"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpgsm");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("passphrase");
        let out = child.wait_with_output().expect("gpgsm output");
        assert!(
            out.status.success(),
            "gpgsm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // gpgsm imports an OpenSSL -legacy file (password "test", tests/data/p12/gen.sh) ...
    let source = common::repo_path("tests/data/p12/legacy.p12");
    gpgsm(&["--import", source.to_str().expect("path")], "test\n");
    let listing = String::from_utf8(gpgsm(&["--list-secret-keys"], "")).expect("utf8");
    let id = listing
        .lines()
        .find_map(|l| l.trim().strip_prefix("ID: "))
        .unwrap_or_else(|| panic!("no secret key listed:\n{listing}"))
        .to_string();
    // ... and exports it again as PKCS#12 (it protects the file with the key's passphrase)
    let exported = gpgsm(&["--export-secret-key-p12", &id], "test\n");
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &home)
        .args(["--kill", "all"])
        .status();
    assert!(
        exported.len() > 1000,
        "gpgsm wrote {} bytes",
        exported.len()
    );
    let ours = Identity::from_pkcs12(&exported, Some("test")).expect("gpgsm's export imports");
    assert!(
        ours.certificate()
            .emails()
            .contains(&"alice@smime.example".to_string())
    );
    assert_eq!(
        Identity::from_pkcs12(&exported, Some("wrong"))
            .expect_err("wrong")
            .code(),
        "WRONG_PASSWORD"
    );
}

#[test]
fn openssl_files_made_now_open_here() {
    // the same commands as the committed files (tests/data/p12/gen.sh), run afresh: new salts,
    // IVs and the local OpenSSL's current defaults
    let root = scratch_dir().join("p12-fresh");
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("p12");
    std::fs::create_dir_all(&dir).expect("dir");
    std::os::unix::fs::symlink(
        common::repo_path("tests/data/rfc9216"),
        root.join("rfc9216"),
    )
    .expect("symlink");
    for f in ["gen.sh", "ber.py"] {
        std::fs::copy(
            common::repo_path(&format!("tests/data/p12/{f}")),
            dir.join(f),
        )
        .expect(f);
    }
    let out = Command::new("sh")
        .arg("gen.sh")
        .current_dir(&dir)
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "gen.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leaf = Certificate::from_bytes(&data("rfc9216/alice.sign.crt")).expect("leaf");
    let mut opened = 0;
    for entry in std::fs::read_dir(&dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !name.ends_with(".p12") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("p12");
        let password = match name.as_str() {
            "non-ascii.p12" => "pässwörd€",
            "empty-password.p12" => "",
            _ => "test",
        };
        let result = Identity::from_pkcs12(&bytes, Some(password));
        if name == "certs-only.p12" {
            assert_eq!(result.expect_err(&name).code(), "NO_PRIVATE_KEY");
            continue;
        }
        let id = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(id.certificate(), &leaf, "{name}");
        assert_eq!(id.friendly_name(), Some("alice"), "{name}");
        opened += 1;
    }
    assert!(opened >= 12, "only {opened} files were made and opened");
}
