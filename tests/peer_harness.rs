//! Tests of the interop harness itself: the peers of tests/peers/peers.sh must PASS known-good
//! vectors from tests/data (each at the peers that support its algorithm), and FAIL a copy
//! with one octet of the signed body changed, a wrong trust anchor and a wrong `--expect`.
//! If these pass, a PASS in tests/interop_sign.rs means something.
//!
//! Peers are installed by scripts/install-peers.sh; with `CI=true` a missing peer fails.

mod common;

use common::mime;
use common::peers::{
    self, ALL_PEERS, PeerResult, SigAlg, Verdict, VerifyOpts, assert_peers_fail, assert_peers_pass,
    check_verdicts, parse_report, peers_supporting,
};
use common::{data, data_path};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn anchor(rel: &str) -> std::path::PathBuf {
    data_path(rel)
}

/// Verifies a vector (PASS at `good`), and its tampered copy (FAIL at every peer).
fn good_and_tampered(vector: &str, anchor_rel: &str, good: &[&str], opts: &VerifyOpts<'_>) {
    let a = anchor(anchor_rel);
    let res = peers::verify_file(&data_path(vector), &[a.as_path()], opts);
    assert_peers_pass(&res, good);

    let msg = data(vector);
    let bad = mime::tamper_signed_body(&msg);
    assert_eq!(
        msg.iter().zip(&bad).filter(|(x, y)| x != y).count(),
        1,
        "tampering must change exactly one octet"
    );
    let name = format!(
        "tampered-{}",
        vector.trim_end_matches(".eml").replace('/', "-")
    );
    let opts = VerifyOpts {
        name: Some(&name),
        expect: None,
        ..opts.clone()
    };
    let res = peers::verify(&bad, &[a.as_path()], &opts);
    assert_peers_fail(&res, &ALL_PEERS);
}

/// The peers that do NOT verify `alg` must FAIL its vector: keeps `peers_supporting` honest.
fn others_fail(res: &[PeerResult], alg: SigAlg) {
    let supported = peers_supporting(alg);
    let others: Vec<&str> = ALL_PEERS
        .iter()
        .copied()
        .filter(|p| !supported.contains(p))
        .collect();
    assert_peers_fail(res, &others);
}

#[test]
fn rsa_sha256_detached_passes_everywhere_and_tampered_fails_everywhere() {
    let plain = data("generated/plain.txt");
    let opts = VerifyOpts {
        expect: Some(&plain),
        ..Default::default()
    };
    good_and_tampered(
        "generated/signed-detached-rsa-sha256.eml",
        "rfc9216/ca.rsa.crt",
        &peers_supporting(SigAlg::RsaPkcs1v15),
        &opts,
    );
}

#[test]
fn ecdsa_p256_detached_passes_everywhere_and_tampered_fails_everywhere() {
    let plain = data("generated/plain.txt");
    let opts = VerifyOpts {
        expect: Some(&plain),
        ..Default::default()
    };
    good_and_tampered(
        "generated/signed-detached-ecdsa-p256.eml",
        "rfc9216/ca.rsa.crt",
        &peers_supporting(SigAlg::EcdsaP256),
        &opts,
    );
}

/// Thunderbird's own (NSS-made) message. Its certificates are valid 2026-01-26..2031-01-26;
/// the other peers check at `--attime`, NSS has no such switch and checks at the current time,
/// so after that date NSS is no longer required (and the test says so).
#[test]
fn thunderbird_nss_message_passes_and_tampered_fails() {
    const TB_NOT_AFTER: u64 = 1_927_549_475; // 2031-01-26T14:38:35Z, Alice's notAfter
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let mut good = ALL_PEERS.to_vec();
    if now >= TB_NOT_AFTER {
        eprintln!("WARNING: thunderbird-nss certificates expired; NSS (no --attime) not required");
        good.retain(|p| *p != "nss-cmsutil");
    }
    let opts = VerifyOpts {
        attime: Some("2026-06-01"),
        ..Default::default()
    };
    good_and_tampered(
        "thunderbird-nss/alice.dsig.SHA256.multipart.eml",
        "thunderbird-nss/TestCA.pem",
        &good,
        &opts,
    );
    // and the kit's own bad copy (content altered by Thunderbird's test suite)
    let res = peers::verify_file(
        &data_path("thunderbird-nss/alice.dsig.SHA256.multipart.bad.eml"),
        &[anchor("thunderbird-nss/TestCA.pem").as_path()],
        &opts,
    );
    assert_peers_fail(&res, &ALL_PEERS);
}

/// Ed25519 (RFC 8419): two producers, Bouncy Castle and the kit's asn1crypto+pyca code.
#[test]
fn ed25519_passes_at_pyca_and_bc_only_and_tampered_fails() {
    let plain = data("generated/plain.txt");
    let opts = VerifyOpts {
        expect: Some(&plain),
        ..Default::default()
    };
    let supported = peers_supporting(SigAlg::Ed25519);
    good_and_tampered(
        "generated/signed-detached-ed25519-bc.eml",
        "rfc9216/ca.25519.crt",
        &supported,
        &opts,
    );
    let res = peers::verify_file(
        &data_path("generated/signed-detached-ed25519-pyca.eml"),
        &[anchor("rfc9216/ca.25519.crt").as_path()],
        &opts,
    );
    assert_peers_pass(&res, &supported);
    others_fail(&res, SigAlg::Ed25519);
}

/// RSA-PSS with OpenSSL's default salt (222 octets for RSA-2048/SHA-256): the peers that take
/// any salt pass it, gpgsm (salt must equal the hash length) and openssl-smime (no PSS) fail.
#[test]
fn rsa_pss_max_salt_matches_the_support_table() {
    let res = peers::verify_file(
        &data_path("generated/signed-detached-pss-maxsalt.eml"),
        &[anchor("rfc9216/ca.rsa.crt").as_path()],
        &VerifyOpts::default(),
    );
    let alg = SigAlg::RsaPss {
        hash_len: 32,
        salt_len: 222,
    };
    assert_peers_pass(&res, &peers_supporting(alg));
    others_fail(&res, alg);
}

/// Opaque signed-data: `--expect` is checked by every peer, so a wrong one fails everywhere.
#[test]
fn opaque_content_is_compared_with_expect() {
    let vector = data_path("generated/signed-opaque-rsa-sha256.eml");
    let a = anchor("rfc9216/ca.rsa.crt");
    let plain = data("generated/plain.txt");
    let res = peers::verify_file(
        &vector,
        &[a.as_path()],
        &VerifyOpts {
            expect: Some(&plain),
            ..Default::default()
        },
    );
    assert_peers_pass(&res, &ALL_PEERS);
    for r in &res {
        assert!(r.reason.contains("content matches expected"), "{r:?}");
    }
    let mut wrong = plain.clone();
    *wrong.last_mut().expect("plain.txt is empty") ^= 0x01;
    let res = peers::verify_file(
        &vector,
        &[a.as_path()],
        &VerifyOpts {
            expect: Some(&wrong),
            ..Default::default()
        },
    );
    assert_peers_fail(&res, &ALL_PEERS);
    for r in &res {
        assert!(r.reason.contains("content DIFFERS"), "{r:?}");
    }
}

/// A correct signature under an untrusted root fails at every peer.
#[test]
fn wrong_trust_anchor_fails_everywhere() {
    let res = peers::verify_file(
        &data_path("generated/signed-detached-rsa-sha256.eml"),
        &[anchor("thunderbird-nss/TestCA.pem").as_path()],
        &VerifyOpts::default(),
    );
    assert_peers_fail(&res, &ALL_PEERS);
}

/// A peer that cannot run reports SKIP (not FAIL, not PASS), and a required SKIP is an error
/// under CI only.
#[test]
fn missing_peers_report_skip() {
    let env = [
        ("PEERS_JAVA", "/nonexistent/java"),
        ("PEERS_PYTHON", "/bin/false"),
    ];
    let two = ["python", "bouncycastle"];
    let res = peers::verify_file(
        &data_path("generated/signed-detached-rsa-sha256.eml"),
        &[anchor("rfc9216/ca.rsa.crt").as_path()],
        &VerifyOpts {
            peers: Some(&two),
            env: &env,
            ..Default::default()
        },
    );
    assert_eq!(res.len(), 2, "{res:?}");
    for r in &res {
        assert_eq!(r.verdict, Verdict::Skip, "{r:?}");
    }
    assert!(check_verdicts(&res, &two, Verdict::Pass, true).is_err());
    assert!(check_verdicts(&res, &two, Verdict::Pass, false).is_ok());
}

#[test]
fn report_parser_reads_verdict_lines_only() {
    let out = "openssl-cms    PASS CMS Verification successful; content matches expected\n\
               # key/cert pair 1: subject=CN = Bob\n\
               nss-cmsutil    FAIL status: DigestMismatch \n\
               bouncycastle   SKIP no java (install default-jre-headless, see setup.sh)\n\
               gpgsm          PASS\n\
               cannot parse input: not an S/MIME entity\n";
    let r = parse_report(out);
    let got: Vec<(&str, Verdict, &str)> = r
        .iter()
        .map(|x| (x.peer.as_str(), x.verdict, x.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "openssl-cms",
                Verdict::Pass,
                "CMS Verification successful; content matches expected"
            ),
            ("nss-cmsutil", Verdict::Fail, "status: DigestMismatch"),
            (
                "bouncycastle",
                Verdict::Skip,
                "no java (install default-jre-headless, see setup.sh)"
            ),
            ("gpgsm", Verdict::Pass, ""),
        ]
    );
}

#[test]
fn verdict_check_rejects_fail_missing_and_ci_skip() {
    let r = parse_report("a PASS ok\nb FAIL bad sig\nc SKIP not installed\n");
    assert!(check_verdicts(&r, &["a"], Verdict::Pass, true).is_ok());
    let e =
        check_verdicts(&r, &["a", "b", "d"], Verdict::Pass, false).expect_err("b failed, d absent");
    assert!(
        e.contains("b: expected PASS, got FAIL: bad sig") && e.contains("d: gave no verdict"),
        "{e}"
    );
    assert_eq!(
        check_verdicts(&r, &["c"], Verdict::Pass, false),
        Ok(vec!["c NOT RUN (not installed: not installed)".to_string()])
    );
    let e = check_verdicts(&r, &["c"], Verdict::Fail, true).expect_err("SKIP under CI");
    assert!(e.contains("SKIP under CI"), "{e}");
    assert!(check_verdicts(&r, &["b"], Verdict::Fail, true).is_ok());
    assert!(check_verdicts(&r, &["a"], Verdict::Fail, true).is_err());
}

#[test]
fn mime_reader_splits_parts_and_decodes() {
    let msg = b"Content-Type: multipart/signed; micalg=sha-256;\r\n boundary=\"b;1\"\r\n\r\n\
                preamble\r\n--b;1\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                a=3Db  =20\r\nsoft=\r\nbreak  \r\n--b;1\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAE=\r\n--b;1--\r\n";
    let top = mime::parse_entity(msg);
    assert_eq!(top.mime_type(), "multipart/signed");
    assert_eq!(top.ct_param("micalg").as_deref(), Some("sha-256"));
    let parts = top.parts();
    assert_eq!(parts.len(), 2);
    assert!(
        parts[0].starts_with(b"Content-Type: text/plain\r\n") && parts[0].ends_with(b"break  ")
    );
    let leaves = mime::leaves(parts[0]);
    assert_eq!(leaves[0].data, b"a=b   \nsoftbreak");
    assert_eq!(mime::parse_entity(parts[1]).cte(), "7bit");
    assert_eq!(mime::decode_base64(b"AA\r\nE=\r\n"), [0, 1]);
    assert_eq!(mime::first_non_7bit(b"ok\r\nbare\nlf"), Some(8));
    assert_eq!(mime::first_long_line(b"abc\r\nabcdef\r\n", 5), Some((2, 6)));
    let t = mime::tamper_signed_body(msg);
    assert_eq!(t.len(), msg.len());
    assert!(t.windows(8).any(|w| w == b"A=3Db  =") && !t.windows(8).any(|w| w == b"a=3Db  ="));
}

#[test]
fn vectors_and_kit_are_in_the_repository() {
    for p in [
        "tests/peers/peers.sh",
        "tests/peers/lib/BcPeer.java",
        "tests/peers/lib/pypeer.py",
        "tests/peers/lib/smime_split.py",
    ] {
        assert!(common::repo_path(p).is_file(), "{p} missing");
    }
    assert!(data_path("rfc9216/alice.sign.key").is_file());
}
