//! Runs `tests/peers/peers.sh` (independent S/MIME implementations) and judges the verdicts.
//!
//! peers.sh prints one line per peer: `<peer> PASS|FAIL|SKIP <reason>`. SKIP means the peer
//! is not installed here (scripts/install-peers.sh installs them all). A skipped peer that a
//! test requires is a test FAILURE when the environment variable `CI` is set (to anything but
//! `""`, `0` or `false`), and a loud warning otherwise, so a developer without Java can still
//! run the rest while CI can never pass by not running a peer.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every peer that `peers.sh verify` runs, in its order.
pub const ALL_PEERS: [&str; 6] = [
    "openssl-cms",
    "openssl-smime",
    "gpgsm",
    "nss-cmsutil",
    "python",
    "bouncycastle",
];

/// A peer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The peer verified (and, with `--expect`, recovered the expected content).
    Pass,
    /// The peer rejected the input.
    Fail,
    /// The peer is not installed here.
    Skip,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
        })
    }
}

/// One line of peers.sh output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerResult {
    /// Peer name, e.g. `openssl-cms`.
    pub peer: String,
    /// What it said.
    pub verdict: Verdict,
    /// Its reason (error text or what it verified).
    pub reason: String,
}

/// Options of [`verify`].
#[derive(Debug, Clone, Default)]
pub struct VerifyOpts<'a> {
    /// Run only these peers (peers.sh `PEERS=`); `None` runs all of [`ALL_PEERS`].
    pub peers: Option<&'a [&'a str]>,
    /// `--attime`: `YYYY-MM-DD[THH:MM:SS]` or `@EPOCH` (NSS ignores it).
    pub attime: Option<&'a str>,
    /// `--expect`: the content each peer must recover (compared exactly, or after CRLF->LF).
    pub expect: Option<&'a [u8]>,
    /// `--content`: the signed bytes, for a bare detached CMS signature.
    pub content: Option<&'a [u8]>,
    /// File name under which the message is kept for inspection (see [`verify`]).
    pub name: Option<&'a str>,
    /// Extra environment for peers.sh (e.g. `PEERS_JAVA`, `PEERS_PYTHON`).
    pub env: &'a [(&'a str, &'a str)],
}

/// A whole peers.sh run.
#[derive(Debug, Clone)]
pub struct PeerRun {
    /// The parsed verdict lines.
    pub results: Vec<PeerResult>,
    /// peers.sh exit status (0: no FAIL, 1: some FAIL, 2: usage or unreadable input).
    pub status: Option<i32>,
    /// Raw standard output and error, for failure messages.
    pub output: String,
}

/// The repository's copy of the kit's driver.
pub fn peers_sh() -> PathBuf {
    super::repo_path("tests/peers/peers.sh")
}

/// Parses peers.sh output: every line `<peer> <PASS|FAIL|SKIP> [reason]`; other lines
/// (comments such as `# key/cert pair 1`) are ignored.
pub fn parse_report(stdout: &str) -> Vec<PeerResult> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut it = line.splitn(2, char::is_whitespace);
            let peer = it.next()?.trim();
            let rest = it.next()?.trim_start();
            let (word, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let verdict = match word {
                "PASS" => Verdict::Pass,
                "FAIL" => Verdict::Fail,
                "SKIP" => Verdict::Skip,
                _ => return None,
            };
            if peer.is_empty() || peer.starts_with('#') {
                return None;
            }
            Some(PeerResult {
                peer: peer.to_string(),
                verdict,
                reason: reason.trim().to_string(),
            })
        })
        .collect()
}

/// Runs `peers.sh ARGS...` (with `PEERS=` when `peers` is given, and `env`) and checks that its exit
/// status agrees with its verdict lines; panics on a usage error or on output that is not a
/// verdict report, as that is a broken harness, not a peer's opinion.
pub fn run_peers(args: &[OsString], peers: Option<&[&str]>, env: &[(&str, &str)]) -> PeerRun {
    let mut cmd = Command::new("bash");
    cmd.arg(peers_sh()).args(args).envs(env.iter().copied());
    if let Some(p) = peers {
        cmd.env("PEERS", p.join(" "));
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash {}: {e}", peers_sh().display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let output = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let results = parse_report(&stdout);
    let status = out.status.code();
    let any_fail = results.iter().any(|r| r.verdict == Verdict::Fail);
    match status {
        Some(0) if !any_fail && !results.is_empty() => {}
        Some(1) if any_fail => {}
        _ => panic!(
            "peers.sh {args:?} gave exit status {status:?} with {} verdict line(s):\n{output}",
            results.len()
        ),
    }
    PeerRun {
        results,
        status,
        output,
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// Where test inputs are kept: `$CARGO_TARGET_TMPDIR/peer-inputs/` (left in place after the
/// run, so a failing message can be fed to peers.sh by hand).
pub fn scratch_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("peer-inputs");
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("cannot create {}: {e}", d.display()));
    d
}

/// Writes `bytes` to `scratch_dir()/NAME` and returns the path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let p = scratch_dir().join(safe);
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
    p
}

/// A scratch file name no other run or thread uses.
fn unique(what: &str) -> String {
    format!(
        "{what}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// `peers.sh verify` on a message given as bytes. With `opts.name` the message is kept as
/// `$CARGO_TARGET_TMPDIR/peer-inputs/NAME.eml` (for running peers.sh by hand after a
/// failure; the name must be unique among the tests), else it is removed after the run.
pub fn verify(msg: &[u8], anchors: &[&Path], opts: &VerifyOpts<'_>) -> Vec<PeerResult> {
    let keep = opts.name.is_some();
    let path = scratch_file(
        &format!(
            "{}.eml",
            opts.name.map_or_else(|| unique("msg"), str::to_string)
        ),
        msg,
    );
    let results = verify_file(&path, anchors, opts);
    if !keep {
        let _ = std::fs::remove_file(&path);
    }
    results
}

/// `peers.sh verify FILE ANCHORS... [--attime] [--expect] [--content]`; checks that every
/// selected peer gave a verdict.
pub fn verify_file(msg: &Path, anchors: &[&Path], opts: &VerifyOpts<'_>) -> Vec<PeerResult> {
    let mut args: Vec<OsString> = vec!["verify".into(), msg.into()];
    args.extend(anchors.iter().map(|a| OsString::from(*a)));
    if let Some(t) = opts.attime {
        args.extend(["--attime".into(), t.into()]);
    }
    let mut temps = Vec::new();
    for (flag, bytes) in [("--expect", opts.expect), ("--content", opts.content)] {
        if let Some(b) = bytes {
            let p = scratch_file(&unique(flag.trim_start_matches('-')), b);
            args.extend([flag.into(), p.clone().into()]);
            temps.push(p);
        }
    }
    let run = run_peers(&args, opts.peers, opts.env);
    for p in temps {
        let _ = std::fs::remove_file(p);
    }
    for p in opts.peers.unwrap_or(&ALL_PEERS) {
        assert!(
            run.results.iter().any(|r| r.peer == *p),
            "peer {p} gave no verdict for {}:\n{}",
            msg.display(),
            run.output
        );
    }
    run.results
}

/// True when the environment variable `CI` is set to anything but `""`, `0` or `false`.
pub fn ci_mode() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE"))
}

/// Checks that every `required` peer gave `want`. A SKIP is an error when `ci`, else a warning.
/// Returns the warnings, or every problem found.
pub fn check_verdicts(
    results: &[PeerResult],
    required: &[&str],
    want: Verdict,
    ci: bool,
) -> Result<Vec<String>, String> {
    assert!(want != Verdict::Skip, "cannot require a SKIP");
    let (mut warnings, mut errors) = (Vec::new(), Vec::new());
    for peer in required {
        match results.iter().find(|r| r.peer == *peer) {
            None => errors.push(format!("{peer}: gave no verdict")),
            Some(r) if r.verdict == want => {}
            Some(r) if r.verdict == Verdict::Skip && ci => errors.push(format!(
                "{peer}: SKIP under CI (peer not installed: {}); run scripts/install-peers.sh",
                r.reason
            )),
            Some(r) if r.verdict == Verdict::Skip => {
                warnings.push(format!("{peer} NOT RUN (not installed: {})", r.reason))
            }
            Some(r) => errors.push(format!(
                "{peer}: expected {want}, got {}: {}",
                r.verdict, r.reason
            )),
        }
    }
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(errors.join("\n"))
    }
}

fn table(results: &[PeerResult]) -> String {
    results
        .iter()
        .map(|r| format!("  {:<14} {} {}\n", r.peer, r.verdict, r.reason))
        .collect()
}

fn assert_verdicts(results: &[PeerResult], required: &[&str], want: Verdict, what: &str) {
    match check_verdicts(results, required, want, ci_mode()) {
        Ok(warnings) => {
            for w in warnings {
                eprintln!(
                    "\n!!!!!!!! WARNING: {what}: {w}. This peer proved nothing; under CI=true this fails. !!!!!!!!\n"
                );
            }
        }
        Err(e) => panic!(
            "{what}: peers disagree with the expectation ({want} at {required:?}):\n{e}\nall verdicts:\n{}",
            table(results)
        ),
    }
}

/// Panics unless every `required` peer PASSed (SKIP: see the module docs).
pub fn assert_peers_pass(results: &[PeerResult], required: &[&str]) {
    assert_verdicts(results, required, Verdict::Pass, "assert_peers_pass");
}

/// Panics unless every `required` peer FAILed (SKIP: see the module docs).
pub fn assert_peers_fail(results: &[PeerResult], required: &[&str]) {
    assert_verdicts(results, required, Verdict::Fail, "assert_peers_fail");
}

/// A signature algorithm, as far as peer support goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    /// RSA PKCS#1 v1.5 (sha256WithRSAEncryption etc.).
    RsaPkcs1v15,
    /// RSASSA-PSS with MGF1 over the same hash; lengths in octets.
    RsaPss {
        /// Output length of the hash (32, 48, 64).
        hash_len: usize,
        /// The saltLength parameter written.
        salt_len: usize,
    },
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519 (RFC 8419, SHA-512 message digest).
    Ed25519,
}

/// The peers that verify a correct signature of this kind, with SHA-256, SHA-384 or SHA-512,
/// detached or opaque. Measured with OpenSSL-made messages (and the kit's Ed25519 vectors);
/// commands and raw results in tests/peers/README.md ("Which peer verifies what"):
/// - PKCS#1 v1.5 and ECDSA P-256/P-384: all six peers;
/// - RSA-PSS: never `openssl-smime` (OpenSSL's PKCS7 API checks PKCS#1 v1.5 padding:
///   "RSA_padding_check_PKCS1_type_1:invalid padding"); gpgsm only when the salt length equals
///   the hash length ("PSS hash algorithm 'SHA384' rejected due to salt length 32");
/// - Ed25519: only python (pyca) and bouncycastle (OpenSSL 3.0 "invalid digest", gpgsm
///   "DSA requires the hash length to be a multiple of 8 bits", NSS "SigningCertNotTrusted").
pub fn peers_supporting(alg: SigAlg) -> Vec<&'static str> {
    match alg {
        SigAlg::RsaPkcs1v15 | SigAlg::EcdsaP256 | SigAlg::EcdsaP384 => ALL_PEERS.to_vec(),
        SigAlg::RsaPss { hash_len, salt_len } => {
            let mut v = vec!["openssl-cms", "nss-cmsutil", "python", "bouncycastle"];
            if salt_len == hash_len {
                v.insert(1, "gpgsm");
            }
            v
        }
        SigAlg::Ed25519 => vec!["python", "bouncycastle"],
    }
}
