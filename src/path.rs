//! Certificate path building and validation (RFC 5280 §6.1), pure and synchronous, no network.
//!
//! [`validate`] builds a chain from a leaf certificate through candidate intermediates (the
//! certificates of a message plus any the caller adds) to one of the caller's trust anchors, and
//! checks it:
//!
//! - every certificate's signature with its issuer's key (RSA PKCS#1 v1.5 and PSS, ECDSA P-256
//!   and P-384, Ed25519, DSA with domain parameters inherited from the issuer's key as RFC 3279
//!   allows);
//! - every certificate's validity period at [`PathOptions::at_unix`] (UTCTime, with the RFC 5280
//!   rule that years 50..99 are 19xx, and GeneralizedTime); the anchor's too unless
//!   [`PathOptions::check_anchor_validity`] is off;
//! - intermediates: basicConstraints cA=TRUE (so v1/v2 certificates can only be anchors),
//!   pathLenConstraint (self-issued intermediates are not counted), keyUsage keyCertSign when
//!   keyUsage is present;
//! - name constraints of every CA in the path: permitted and excluded subtrees of directoryName
//!   (DN prefix), rfc822Name (mailbox, host and `.domain` forms, applied to subjectAltName
//!   rfc822Name entries and to emailAddress attributes of the subject DN), dNSName,
//!   uniformResourceIdentifier (the URI's host) and iPAddress; self-issued intermediates are exempt
//!   (§6.1.3 (b), (c)); a name of a form that this module cannot compare, under a constraint of that
//!   form, fails;
//! - any critical extension this module does not know fails;
//! - the leaf: keyUsage and extendedKeyUsage must allow the [`Purpose`].
//!
//! Not done, on purpose or not yet:
//!
//! - **No certificate policy processing** (§6.1.3 (d)–(f), §6.1.4 (a)–(c), (g)–(j)): the
//!   certificatePolicies, policyMappings, policyConstraints and inhibitAnyPolicy extensions are
//!   recognised (a critical one does not fail the path) but not enforced, as if the user-initial
//!   policy set were anyPolicy and no explicit policy were required.
//! - **No revocation checking** (no CRL, no OCSP, no network): every result carries the
//!   informational problem `REVOCATION_NOT_CHECKED`, which does not make a path untrusted. PKITS
//!   `MissingCRLTest1` therefore passes path validation, with that note.
//! - extendedKeyUsage is checked on the leaf only (not "chained" through the CAs).
//! - Name constraints of the trust anchor certificate itself are not applied (RFC 5280 treats the
//!   anchor as trusted input; RFC 5937 leaves it to the relying party).
//!
//! Path building follows the issuer name (compared as RFC 5280 §7.1 asks: attribute by
//! attribute, strings case-insensitively with white space trimmed and runs of it collapsed, so
//! PrintableString and UTF8String spellings of one name match), prefers issuers whose key
//! verifies the signature and whose subjectKeyIdentifier matches the authorityKeyIdentifier, and
//! backtracks over alternatives within the limits of [`crate::policy`]. A certificate is used at
//! most once in a path, so loops end. The first fully valid path wins; when none is valid the
//! problems are those of the complete path with the fewest problems, and when no path reaches
//! an anchor, of the longest partial path, with `NO_PATH_TO_TRUST_ANCHOR`.

use std::collections::HashMap;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::OctetString;
use der::{Any, Tag, Tagged};
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::certificate::Certificate;
use crate::certificate::verify::{Outcome, verify_outcome};
use crate::policy;

/// No chain from the leaf reaches a trust anchor.
pub const NO_PATH_TO_TRUST_ANCHOR: &str = "NO_PATH_TO_TRUST_ANCHOR";
/// A certificate's notAfter is before the validation time.
pub const CERTIFICATE_EXPIRED: &str = "CERTIFICATE_EXPIRED";
/// A certificate's notBefore is after the validation time.
pub const CERTIFICATE_NOT_YET_VALID: &str = "CERTIFICATE_NOT_YET_VALID";
/// A certificate's signature does not verify with its issuer's key.
pub const BAD_CERTIFICATE_SIGNATURE: &str = "BAD_CERTIFICATE_SIGNATURE";
/// A certificate's signature uses an algorithm this crate cannot verify.
pub const UNSUPPORTED_SIGNATURE_ALGORITHM: &str = "UNSUPPORTED_SIGNATURE_ALGORITHM";
/// An intermediate certificate is not a CA certificate (no basicConstraints cA=TRUE).
pub const NOT_A_CA: &str = "NOT_A_CA";
/// A CA's pathLenConstraint allows fewer intermediates than the path has.
pub const PATH_LENGTH_EXCEEDED: &str = "PATH_LENGTH_EXCEEDED";
/// An intermediate's keyUsage does not allow keyCertSign.
pub const CA_KEY_USAGE: &str = "CA_KEY_USAGE";
/// The leaf's keyUsage does not allow the purpose.
pub const SIGNER_KEY_USAGE: &str = "SIGNER_KEY_USAGE";
/// The leaf's extendedKeyUsage has neither emailProtection nor anyExtendedKeyUsage.
pub const EXTENDED_KEY_USAGE: &str = "EXTENDED_KEY_USAGE";
/// A name in a certificate violates a CA's name constraints.
pub const NAME_CONSTRAINTS: &str = "NAME_CONSTRAINTS";
/// A certificate has a critical extension this crate does not process.
pub const UNKNOWN_CRITICAL_EXTENSION: &str = "UNKNOWN_CRITICAL_EXTENSION";
/// An extension this crate processes could not be decoded, or appears twice.
pub const MALFORMED_EXTENSION: &str = "MALFORMED_EXTENSION";
/// Path building stopped at [`PathOptions::max_depth`] without finding a path to an anchor: a
/// longer one may exist.
pub const PATH_TOO_LONG: &str = "PATH_TOO_LONG";
/// Path building gave up after [`policy::MAX_PATH_BUILDING_ATTEMPTS`] issuer candidates.
pub const PATH_BUILDING_LIMIT: &str = "PATH_BUILDING_LIMIT";
/// Informational: revocation (CRL, OCSP) is never checked. Does not make a path untrusted.
pub const REVOCATION_NOT_CHECKED: &str = "REVOCATION_NOT_CHECKED";

/// Every problem code [`validate`] reports, with its meaning. The codes are stable.
pub const PATH_PROBLEMS: &[(&str, &str)] = &[
    (
        NO_PATH_TO_TRUST_ANCHOR,
        "no chain of issuers from the certificate reaches a trust anchor",
    ),
    (
        CERTIFICATE_EXPIRED,
        "a certificate in the path had expired at the validation time",
    ),
    (
        CERTIFICATE_NOT_YET_VALID,
        "a certificate in the path was not yet valid at the validation time",
    ),
    (
        BAD_CERTIFICATE_SIGNATURE,
        "a certificate's signature does not verify with its issuer's key",
    ),
    (
        UNSUPPORTED_SIGNATURE_ALGORITHM,
        "a certificate is signed with an algorithm this library cannot verify",
    ),
    (
        NOT_A_CA,
        "an intermediate certificate is not a CA certificate (basicConstraints cA=TRUE missing)",
    ),
    (
        PATH_LENGTH_EXCEEDED,
        "a CA's pathLenConstraint allows fewer intermediate CAs than the path has",
    ),
    (
        CA_KEY_USAGE,
        "an intermediate CA's keyUsage does not allow certificate signing (keyCertSign)",
    ),
    (
        SIGNER_KEY_USAGE,
        "the certificate's keyUsage does not allow the purpose (signing or encryption)",
    ),
    (
        EXTENDED_KEY_USAGE,
        "the certificate's extendedKeyUsage has neither emailProtection nor anyExtendedKeyUsage",
    ),
    (
        NAME_CONSTRAINTS,
        "a name in a certificate is outside a CA's permitted or inside its excluded subtrees",
    ),
    (
        UNKNOWN_CRITICAL_EXTENSION,
        "a certificate has a critical extension this library does not process",
    ),
    (
        MALFORMED_EXTENSION,
        "a certificate extension could not be decoded or appears more than once",
    ),
    (
        PATH_TOO_LONG,
        "path building reached the maximum depth without reaching a trust anchor (a longer path may exist)",
    ),
    (
        PATH_BUILDING_LIMIT,
        "path building stopped at its limit of attempts before finding a valid path",
    ),
    (
        REVOCATION_NOT_CHECKED,
        "informational: revocation (CRL, OCSP) was not checked",
    ),
];

/// What the leaf certificate is to be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Signing mail: keyUsage digitalSignature or nonRepudiation (or no keyUsage),
    /// extendedKeyUsage emailProtection or anyExtendedKeyUsage (or none).
    EmailSigning,
    /// Encrypting mail to the certificate's key: keyUsage keyEncipherment or keyAgreement (or no
    /// keyUsage), extendedKeyUsage as for signing.
    EmailEncryption,
    /// No keyUsage or extendedKeyUsage check on the leaf.
    Any,
}

/// How to validate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathOptions {
    /// The validation time, in seconds since the Unix epoch (the signing time, or now). This crate
    /// never reads a clock.
    pub at_unix: i64,
    /// What the leaf is for.
    pub purpose: Purpose,
    /// Most certificates in a path, leaf and anchor included (at most
    /// [`policy::MAX_PATH_LENGTH`], which is also the default).
    pub max_depth: usize,
    /// Check the trust anchor's own validity period too (default `true`).
    pub check_anchor_validity: bool,
}

impl PathOptions {
    /// Options for `purpose` at `at_unix`, with the default depth and anchor validity checked.
    pub fn new(at_unix: i64, purpose: Purpose) -> Self {
        Self {
            at_unix,
            purpose,
            max_depth: policy::MAX_PATH_LENGTH,
            check_anchor_validity: true,
        }
    }
}

/// The outcome of [`validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathResult {
    /// True when a path to a trust anchor was found and every check passed (informational
    /// problems such as `REVOCATION_NOT_CHECKED` aside).
    pub trusted: bool,
    /// The path: the leaf first, then its issuers; the trust anchor last when one was reached.
    /// When no path reaches an anchor, the longest partial path found.
    pub chain: Vec<Certificate>,
    /// The trust anchor the path ends at, when one was reached.
    pub trust_anchor: Option<Certificate>,
    /// Problem codes from [`PATH_PROBLEMS`], each once, in the order found. Always holds
    /// `REVOCATION_NOT_CHECKED`.
    pub problems: Vec<&'static str>,
}

/// True for problem codes that only inform and do not make a path untrusted.
pub fn is_informational(code: &str) -> bool {
    code == REVOCATION_NOT_CHECKED
}

/// Builds and validates a path from `leaf` through `candidates` (the message's certificates plus
/// any intermediates the caller has; order does not matter, duplicates are ignored) to one of
/// `trust`. Never panics on malformed certificates: what cannot be decoded is a problem code.
pub fn validate(
    leaf: &Certificate,
    candidates: &[Certificate],
    trust: &[Certificate],
    options: &PathOptions,
) -> PathResult {
    let max_depth = options.max_depth.clamp(1, policy::MAX_PATH_LENGTH);
    // The leaf is itself a trust anchor: nothing to build.
    if let Some(anchor) = trust.iter().find(|a| a.as_der() == leaf.as_der()) {
        let mut problems = Problems::default();
        check_validity(anchor, options.at_unix, &mut problems);
        check_extensions(anchor, &mut problems);
        check_leaf_purpose(anchor, options.purpose, &mut problems);
        return finish(vec![anchor.clone()], Some(anchor.clone()), problems);
    }
    let anchors: Vec<&Certificate> = trust.iter().collect();
    let mut pool: Vec<&Certificate> = Vec::new();
    for c in candidates.iter().take(policy::MAX_PATH_CANDIDATES) {
        let duplicate = c.as_der() == leaf.as_der()
            || pool.iter().any(|p| p.as_der() == c.as_der())
            || anchors.iter().any(|a| {
                a.as_der() == c.as_der()
                    || (a.public_key_info() == c.public_key_info()
                        && names_match(subject_of(a), subject_of(c)))
            });
        if !duplicate {
            pool.push(c);
        }
    }
    // Problems of the leaf alone: when there are any, no path can be valid, and the first
    // complete path found is reported without searching for others.
    let mut leaf_problems = Problems::default();
    check_validity(leaf, options.at_unix, &mut leaf_problems);
    check_extensions(leaf, &mut leaf_problems);
    check_leaf_purpose(leaf, options.purpose, &mut leaf_problems);
    let mut builder = Builder {
        leaf,
        leaf_doomed: leaf_problems.fatal_count() > 0,
        pool,
        anchors,
        options,
        max_depth,
        attempts: 0,
        gave_up: false,
        depth_hit: false,
        signatures: HashMap::new(),
        best: None,
        longest_partial: vec![Node::Leaf],
    };
    let mut path = vec![Node::Leaf];
    builder.search(&mut path);
    builder.result()
}

/// A certificate in the search: the leaf, a pool candidate or an anchor (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Node {
    Leaf,
    Pool(usize),
    Anchor(usize),
}

/// Problem codes, each once, in order.
#[derive(Default, Clone, Debug)]
struct Problems(Vec<&'static str>);

impl Problems {
    fn add(&mut self, code: &'static str) {
        if !self.0.contains(&code) {
            self.0.push(code);
        }
    }

    fn fatal_count(&self) -> usize {
        self.0.iter().filter(|c| !is_informational(c)).count()
    }
}

/// The path search state.
struct Builder<'a> {
    leaf: &'a Certificate,
    /// The leaf has problems of its own: the first complete path is as good as any.
    leaf_doomed: bool,
    pool: Vec<&'a Certificate>,
    anchors: Vec<&'a Certificate>,
    options: &'a PathOptions,
    max_depth: usize,
    attempts: usize,
    gave_up: bool,
    depth_hit: bool,
    /// Signature outcomes by (certificate, issuer), computed once.
    signatures: HashMap<(Node, Node), Outcome>,
    /// The complete path (leaf first, anchor last) with the fewest problems so far.
    best: Option<(Vec<Node>, Problems)>,
    longest_partial: Vec<Node>,
}

/// Whether the search should go on.
enum Flow {
    Continue,
    Done,
}

impl<'a> Builder<'a> {
    fn cert(&self, node: Node) -> &'a Certificate {
        match node {
            Node::Leaf => self.leaf,
            Node::Pool(i) => self.pool[i],
            Node::Anchor(i) => self.anchors[i],
        }
    }

    /// Counts one unit of work; false (and `gave_up`) once the limit is reached.
    fn spend(&mut self, units: usize) -> bool {
        if self.attempts >= policy::MAX_PATH_BUILDING_ATTEMPTS {
            self.gave_up = true;
            return false;
        }
        self.attempts += units;
        true
    }

    /// Depth-first search from the last certificate of `path`: first the issuers whose key
    /// verifies the signature, then the others (so that a complete path with a bad signature
    /// can still be reported).
    fn search(&mut self, path: &mut Vec<Node>) -> Flow {
        let Some(&current) = path.last() else {
            return Flow::Continue;
        };
        let issuers = self.issuers_of(current);
        for verified_pass in [true, false] {
            for &issuer in &issuers {
                if path.contains(&issuer) {
                    continue;
                }
                let outcome = match self.signatures.get(&(current, issuer)) {
                    Some(o) => *o,
                    None => {
                        if !self.spend(1) {
                            return Flow::Done;
                        }
                        let o = signature_outcome(
                            self.cert(current),
                            self.cert(issuer).public_key_info(),
                        );
                        self.signatures.insert((current, issuer), o);
                        o
                    }
                };
                // DSA keys without parameters only verify in the full validation.
                let verified = outcome == Outcome::Valid || lacks_dsa_parameters(self.cert(issuer));
                if verified != verified_pass {
                    continue;
                }
                if let Flow::Done = self.try_issuer(path, issuer) {
                    return Flow::Done;
                }
            }
        }
        Flow::Continue
    }

    /// Extends `path` with `issuer`: evaluates the complete path at an anchor, searches on from
    /// a pool certificate.
    fn try_issuer(&mut self, path: &mut Vec<Node>, issuer: Node) -> Flow {
        match issuer {
            Node::Anchor(_) => {
                if path.len() + 1 > self.max_depth {
                    self.depth_hit = true;
                    return Flow::Continue;
                }
                if !self.spend(path.len()) {
                    return Flow::Done;
                }
                path.push(issuer);
                let problems = self.evaluate(path, true);
                let valid = problems.fatal_count() == 0;
                let better = self
                    .best
                    .as_ref()
                    .is_none_or(|(_, b)| problems.fatal_count() < b.fatal_count());
                if better {
                    self.best = Some((path.clone(), problems));
                }
                path.pop();
                if valid || self.leaf_doomed {
                    Flow::Done
                } else {
                    Flow::Continue
                }
            }
            Node::Pool(_) => {
                // A pool certificate is never the last one: an anchor must follow it.
                if path.len() + 2 > self.max_depth {
                    self.depth_hit = true;
                    return Flow::Continue;
                }
                // Every step down costs a unit, or the many orderings of a few same-named
                // certificates (signatures cached) would be an exponential search.
                if !self.spend(1) {
                    return Flow::Done;
                }
                path.push(issuer);
                if path.len() > self.longest_partial.len() {
                    self.longest_partial = path.clone();
                }
                let flow = self.search(path);
                path.pop();
                flow
            }
            Node::Leaf => Flow::Continue,
        }
    }

    /// The certificates whose subject names `node`'s issuer, best first: anchors before pool
    /// certificates, then those whose key identifier does not contradict the
    /// authorityKeyIdentifier, then those that are not self-issued (a self-issued certificate
    /// is only needed for a key rollover).
    fn issuers_of(&self, node: Node) -> Vec<Node> {
        let cert = self.cert(node);
        let issuer_name = cert.x509().tbs_certificate().issuer();
        let aki = authority_key_id(cert);
        let mut found: Vec<(u8, Node)> = Vec::new();
        let anchors = (0..self.anchors.len()).map(Node::Anchor);
        let pool = (0..self.pool.len()).map(Node::Pool);
        for candidate in anchors.chain(pool) {
            if candidate == node {
                continue;
            }
            let c = self.cert(candidate);
            if !names_match(issuer_name, subject_of(c)) {
                continue;
            }
            let key_id_matches = match (&aki, subject_key_id(c)) {
                (Some(a), Some(s)) => Some(a.as_bytes() == s.as_bytes()),
                _ => None,
            };
            let mut rank = 0u8;
            if matches!(candidate, Node::Pool(_)) {
                rank += 4;
            }
            if key_id_matches == Some(false) {
                rank += 2;
            }
            if matches!(candidate, Node::Pool(_)) && is_self_issued(c) {
                rank += 1;
            }
            found.push((rank, candidate));
        }
        found.sort_by_key(|(rank, _)| *rank);
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// Validates the certificates of `path` (leaf first); `complete` when the last is an anchor.
    fn evaluate(&self, path: &[Node], complete: bool) -> Problems {
        let certs: Vec<&Certificate> = path.iter().map(|n| self.cert(*n)).collect();
        let (chain, anchor) = if complete {
            match certs.split_last() {
                Some((anchor, chain)) => (chain.to_vec(), Some(*anchor)),
                None => (Vec::new(), None),
            }
        } else {
            (certs, None)
        };
        check_path(&chain, anchor, self.options)
    }

    fn result(self) -> PathResult {
        if let Some((path, problems)) = &self.best {
            let chain: Vec<Certificate> = path.iter().map(|n| self.cert(*n).clone()).collect();
            let anchor = chain.last().cloned();
            let mut problems = problems.clone();
            if self.gave_up && problems.fatal_count() > 0 {
                problems.add(PATH_BUILDING_LIMIT);
            }
            return finish(chain, anchor, problems);
        }
        let mut problems = Problems::default();
        problems.add(NO_PATH_TO_TRUST_ANCHOR);
        if self.depth_hit {
            problems.add(PATH_TOO_LONG);
        }
        if self.gave_up {
            problems.add(PATH_BUILDING_LIMIT);
        }
        for p in self.evaluate(&self.longest_partial, false).0 {
            problems.add(p);
        }
        let chain = self
            .longest_partial
            .iter()
            .map(|n| self.cert(*n).clone())
            .collect();
        finish(chain, None, problems)
    }
}

/// The result, with `REVOCATION_NOT_CHECKED` added.
fn finish(
    chain: Vec<Certificate>,
    anchor: Option<Certificate>,
    mut problems: Problems,
) -> PathResult {
    problems.add(REVOCATION_NOT_CHECKED);
    PathResult {
        trusted: anchor.is_some() && problems.fatal_count() == 0,
        chain,
        trust_anchor: anchor,
        problems: problems.0,
    }
}

/// RFC 5280 §6.1.3/§6.1.4 over `chain` (leaf first, top intermediate last) under `anchor`. With
/// no anchor (a partial path), the top certificate's signature is not checked.
fn check_path(
    chain: &[&Certificate],
    anchor: Option<&Certificate>,
    options: &PathOptions,
) -> Problems {
    let mut problems = Problems::default();
    if let Some(a) = anchor.filter(|_| options.check_anchor_validity) {
        check_validity(a, options.at_unix, &mut problems);
    }
    let mut working_key: Option<SubjectPublicKeyInfoOwned> =
        anchor.map(|a| a.public_key_info().clone());
    let mut max_path_length = chain.len();
    let mut constraints = Constraints::default();
    for (index, cert) in chain.iter().enumerate().rev() {
        let is_leaf = index == 0;
        if let Some(key) = &working_key {
            match signature_outcome(cert, key) {
                Outcome::Valid => {}
                Outcome::Invalid => problems.add(BAD_CERTIFICATE_SIGNATURE),
                Outcome::Unsupported => problems.add(UNSUPPORTED_SIGNATURE_ALGORITHM),
            }
        }
        check_validity(cert, options.at_unix, &mut problems);
        let self_issued = is_self_issued(cert);
        if is_leaf || !self_issued {
            constraints.check(cert, &mut problems);
        }
        check_extensions(cert, &mut problems);
        if is_leaf {
            check_leaf_purpose(cert, options.purpose, &mut problems);
            continue;
        }
        // Preparation for the next certificate (§6.1.4).
        match cert
            .x509()
            .tbs_certificate()
            .get_extension::<NameConstraints>()
        {
            Ok(Some((_, nc))) => constraints.add(nc),
            Ok(None) => {}
            Err(_) => problems.add(MALFORMED_EXTENSION),
        }
        let basic = cert
            .x509()
            .tbs_certificate()
            .get_extension::<BasicConstraints>();
        let path_len = match basic {
            Ok(Some((_, bc))) if bc.ca => bc.path_len_constraint,
            Ok(_) => {
                problems.add(NOT_A_CA);
                None
            }
            Err(_) => {
                problems.add(MALFORMED_EXTENSION);
                problems.add(NOT_A_CA);
                None
            }
        };
        if !self_issued {
            if max_path_length == 0 {
                problems.add(PATH_LENGTH_EXCEEDED);
            } else {
                max_path_length -= 1;
            }
        }
        if let Some(limit) = path_len {
            max_path_length = max_path_length.min(usize::from(limit));
        }
        match cert.x509().tbs_certificate().get_extension::<KeyUsage>() {
            Ok(Some((_, ku))) if !ku.0.contains(KeyUsages::KeyCertSign) => {
                problems.add(CA_KEY_USAGE)
            }
            Ok(_) => {}
            Err(_) => problems.add(MALFORMED_EXTENSION),
        }
        working_key = Some(next_working_key(cert, working_key.as_ref()));
    }
    problems
}

/// The certificate's public key as the next working key: a DSA key without domain parameters
/// inherits those of the previous working key when that is a DSA key (RFC 5280 §6.1.4 (d)–(f),
/// RFC 3279 §2.3.2).
fn next_working_key(
    cert: &Certificate,
    previous: Option<&SubjectPublicKeyInfoOwned>,
) -> SubjectPublicKeyInfoOwned {
    let mut key = cert.public_key_info().clone();
    if key.algorithm.oid == rfc5912::ID_DSA
        && key.algorithm.parameters.is_none()
        && let Some(prev) = previous.filter(|p| p.algorithm.oid == rfc5912::ID_DSA)
    {
        key.algorithm.parameters = prev.algorithm.parameters.clone();
    }
    key
}

/// A DSA public key whose domain parameters are to be inherited from its issuer.
fn lacks_dsa_parameters(cert: &Certificate) -> bool {
    let key = cert.public_key_info();
    key.algorithm.oid == rfc5912::ID_DSA && key.algorithm.parameters.is_none()
}

/// Checks `cert`'s signature with `key`.
fn signature_outcome(cert: &Certificate, key: &SubjectPublicKeyInfoOwned) -> Outcome {
    let x = cert.x509();
    if x.signature_algorithm() != x.tbs_certificate().signature() {
        return Outcome::Invalid;
    }
    let (Some(tbs), Some(signature)) = (cert.tbs_der(), x.signature().as_bytes()) else {
        return Outcome::Invalid;
    };
    verify_outcome(x.signature_algorithm(), key, tbs, signature)
}

/// notBefore ≤ at ≤ notAfter.
fn check_validity(cert: &Certificate, at: i64, problems: &mut Problems) {
    let validity = cert.x509().tbs_certificate().validity();
    let secs = |t: &x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).ok();
    match secs(&validity.not_before) {
        Some(nb) if nb <= at => {}
        _ => problems.add(CERTIFICATE_NOT_YET_VALID),
    }
    match secs(&validity.not_after) {
        Some(na) if at <= na => {}
        _ => problems.add(CERTIFICATE_EXPIRED),
    }
}

/// Extensions this module processes, or recognises and may safely ignore when critical.
const KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.19",          // basicConstraints
    "2.5.29.15",          // keyUsage
    "2.5.29.37",          // extendedKeyUsage
    "2.5.29.30",          // nameConstraints
    "2.5.29.17",          // subjectAltName
    "2.5.29.14",          // subjectKeyIdentifier
    "2.5.29.35",          // authorityKeyIdentifier
    "2.5.29.32",          // certificatePolicies (recognised, policies not processed)
    "2.5.29.33",          // policyMappings (recognised, not processed)
    "2.5.29.36",          // policyConstraints (recognised, not processed)
    "2.5.29.54",          // inhibitAnyPolicy (recognised, not processed)
    "2.5.29.31",          // cRLDistributionPoints (revocation is not checked)
    "2.5.29.46",          // freshestCRL
    "2.5.29.18",          // issuerAltName
    "2.5.29.9",           // subjectDirectoryAttributes
    "1.3.6.1.5.5.7.1.1",  // authorityInfoAccess
    "1.3.6.1.5.5.7.1.11", // subjectInfoAccess
];

/// Unknown critical extensions, duplicated extensions, undecodable processed extensions.
fn check_extensions(cert: &Certificate, problems: &mut Problems) {
    let Some(extensions) = cert.x509().tbs_certificate().extensions() else {
        return;
    };
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    for ext in extensions {
        if seen.contains(&ext.extn_id) {
            problems.add(MALFORMED_EXTENSION);
        }
        seen.push(ext.extn_id);
        let dotted = ext.extn_id.to_string();
        if ext.critical && !KNOWN_EXTENSIONS.contains(&dotted.as_str()) {
            problems.add(UNKNOWN_CRITICAL_EXTENSION);
        }
    }
    let tbs = cert.x509().tbs_certificate();
    let decodes = tbs.get_extension::<BasicConstraints>().is_ok()
        && tbs.get_extension::<KeyUsage>().is_ok()
        && tbs.get_extension::<ExtendedKeyUsage>().is_ok()
        && tbs.get_extension::<NameConstraints>().is_ok()
        && tbs.get_extension::<SubjectAltName>().is_ok();
    if !decodes {
        problems.add(MALFORMED_EXTENSION);
    }
}

/// id-kp-emailProtection.
const EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// anyExtendedKeyUsage.
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// The emailAddress attribute (PKCS #9).
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// keyUsage and extendedKeyUsage of the leaf against the purpose.
fn check_leaf_purpose(cert: &Certificate, purpose: Purpose, problems: &mut Problems) {
    let wanted = match purpose {
        Purpose::Any => return,
        Purpose::EmailSigning => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        Purpose::EmailEncryption => KeyUsages::KeyEncipherment | KeyUsages::KeyAgreement,
    };
    let tbs = cert.x509().tbs_certificate();
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if (ku.0 & wanted).is_empty() => problems.add(SIGNER_KEY_USAGE),
        Ok(_) => {}
        Err(_) => problems.add(MALFORMED_EXTENSION),
    }
    match tbs.get_extension::<ExtendedKeyUsage>() {
        Ok(Some((_, eku)))
            if !eku
                .0
                .iter()
                .any(|o| *o == EMAIL_PROTECTION || *o == ANY_EXTENDED_KEY_USAGE) =>
        {
            problems.add(EXTENDED_KEY_USAGE)
        }
        Ok(_) => {}
        Err(_) => problems.add(MALFORMED_EXTENSION),
    }
}

fn subject_of(cert: &Certificate) -> &Name {
    cert.x509().tbs_certificate().subject()
}

/// Subject and issuer names match (RFC 5280 §7.1 comparison).
fn is_self_issued(cert: &Certificate) -> bool {
    names_match(cert.x509().tbs_certificate().issuer(), subject_of(cert))
}

fn authority_key_id(cert: &Certificate) -> Option<OctetString> {
    cert.x509()
        .tbs_certificate()
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, aki)| aki.key_identifier)
}

fn subject_key_id(cert: &Certificate) -> Option<OctetString> {
    cert.x509()
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, ski)| ski.0)
}

/// True when two distinguished names are equal under RFC 5280 §7.1: the same number of RDNs,
/// each RDN holding the same attributes (in any order); string attribute values compared after
/// trimming, collapsing internal white space and case folding (so a PrintableString and a
/// UTF8String with the same text match), other values compared as encoded.
pub fn names_match(a: &Name, b: &Name) -> bool {
    a.len() == b.len()
        && a.iter_rdn()
            .zip(b.iter_rdn())
            .all(|(x, y)| rdns_match(x, y))
}

fn rdns_match(
    a: &x509_cert::name::RelativeDistinguishedName,
    b: &x509_cert::name::RelativeDistinguishedName,
) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let hit = b
            .iter()
            .enumerate()
            .find(|(i, y)| !used[*i] && x.oid == y.oid && values_match(&x.value, &y.value));
        match hit {
            Some((i, _)) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

fn values_match(a: &Any, b: &Any) -> bool {
    match (string_value(a), string_value(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.tag() == b.tag() && a.value() == b.value(),
    }
}

/// A directory string's text, normalised for comparison (RFC 4518 approximated: leading and
/// trailing white space removed, inner runs collapsed to one space, lower case).
fn string_value(value: &Any) -> Option<String> {
    let bytes = value.value();
    let text: String = match value.tag() {
        Tag::Utf8String => core::str::from_utf8(bytes).ok()?.to_string(),
        Tag::PrintableString | Tag::Ia5String | Tag::VisibleString | Tag::NumericString => {
            if !bytes.is_ascii() {
                return None;
            }
            core::str::from_utf8(bytes).ok()?.to_string()
        }
        Tag::TeletexString => bytes.iter().map(|b| char::from(*b)).collect(),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()?
        }
        _ => return None,
    };
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    Some(out)
}

/// The name constraints accumulated from the CAs above the certificate being checked.
#[derive(Default)]
struct Constraints {
    /// One entry per CA with permittedSubtrees: a name must be inside one subtree of its form
    /// in every entry that has subtrees of that form.
    permitted: Vec<Vec<GeneralSubtree>>,
    /// The union of all excludedSubtrees.
    excluded: Vec<GeneralSubtree>,
}

impl Constraints {
    fn add(&mut self, nc: NameConstraints) {
        if let Some(p) = nc.permitted_subtrees {
            self.permitted.push(p);
        }
        if let Some(e) = nc.excluded_subtrees {
            self.excluded.extend(e);
        }
    }

    fn check(&self, cert: &Certificate, problems: &mut Problems) {
        if self.permitted.is_empty() && self.excluded.is_empty() {
            return;
        }
        let tbs = cert.x509().tbs_certificate();
        let mut names: Vec<GeneralName> = Vec::new();
        let subject = tbs.subject();
        if !subject.is_empty() {
            names.push(GeneralName::DirectoryName(subject.clone()));
        }
        for atv in subject.iter().filter(|atv| atv.oid == EMAIL_ADDRESS) {
            match string_value_raw(&atv.value).and_then(|s| der::asn1::Ia5String::new(&s).ok()) {
                Some(addr) => names.push(GeneralName::Rfc822Name(addr)),
                None => {
                    problems.add(NAME_CONSTRAINTS);
                    return;
                }
            }
        }
        match tbs.get_extension::<SubjectAltName>() {
            Ok(Some((_, san))) => names.extend(san.0),
            Ok(None) => {}
            Err(_) => {
                problems.add(MALFORMED_EXTENSION);
                problems.add(NAME_CONSTRAINTS);
                return;
            }
        }
        for name in &names {
            if !self.allows(name) {
                problems.add(NAME_CONSTRAINTS);
                return;
            }
        }
    }

    fn allows(&self, name: &GeneralName) -> bool {
        let excluded = self
            .excluded
            .iter()
            .any(|s| same_form(&s.base, name) && within(name, &s.base) != Some(false));
        if excluded {
            return false;
        }
        self.permitted.iter().all(|set| {
            let mut of_form = set.iter().filter(|s| same_form(&s.base, name)).peekable();
            of_form.peek().is_none() || of_form.any(|s| within(name, &s.base) == Some(true))
        })
    }
}

/// A directory string's text as written (no normalisation).
fn string_value_raw(value: &Any) -> Option<String> {
    match value.tag() {
        Tag::Ia5String | Tag::PrintableString | Tag::Utf8String | Tag::VisibleString => {
            core::str::from_utf8(value.value()).ok().map(str::to_string)
        }
        _ => None,
    }
}

fn same_form(a: &GeneralName, b: &GeneralName) -> bool {
    core::mem::discriminant(a) == core::mem::discriminant(b)
}

/// Whether `name` is inside the subtree `base` (same form): `None` when this module cannot
/// compare names of that form (an excluded subtree then excludes, a permitted one does not
/// permit).
fn within(name: &GeneralName, base: &GeneralName) -> Option<bool> {
    match (name, base) {
        (GeneralName::DirectoryName(n), GeneralName::DirectoryName(b)) => Some(
            b.len() <= n.len()
                && n.iter_rdn()
                    .zip(b.iter_rdn())
                    .all(|(x, y)| rdns_match(x, y)),
        ),
        (GeneralName::Rfc822Name(n), GeneralName::Rfc822Name(b)) => {
            Some(email_within(n.as_ref(), b.as_ref()))
        }
        (GeneralName::DnsName(n), GeneralName::DnsName(b)) => {
            Some(dns_within(n.as_ref(), b.as_ref()))
        }
        (GeneralName::UniformResourceIdentifier(n), GeneralName::UniformResourceIdentifier(b)) => {
            Some(uri_host(n.as_ref()).is_some_and(|h| host_within(h, b.as_ref())))
        }
        (GeneralName::IpAddress(n), GeneralName::IpAddress(b)) => {
            Some(ip_within(n.as_bytes(), b.as_bytes()))
        }
        _ => None,
    }
}

/// rfc822Name constraints (RFC 5280 §4.2.1.10): `user@host` is exactly that mailbox, `host` every
/// mailbox at that host, `.domain` every mailbox at a host inside the domain.
fn email_within(addr: &str, constraint: &str) -> bool {
    let Some((local, host)) = addr.rsplit_once('@') else {
        return false;
    };
    if let Some((c_local, c_host)) = constraint.rsplit_once('@') {
        return local == c_local && host.eq_ignore_ascii_case(c_host);
    }
    host_within(host, constraint)
}

/// `host` against a host constraint: `.domain` matches hosts inside the domain (not the domain
/// itself), `host` matches exactly. Case-insensitive.
fn host_within(host: &str, constraint: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let constraint = constraint.to_ascii_lowercase();
    if constraint.starts_with('.') {
        host.ends_with(&constraint) && host.len() > constraint.len()
    } else {
        host == constraint
    }
}

/// dNSName constraints: the name itself or any name with labels added on the left; an empty
/// constraint matches every name; a leading dot means subdomains only.
fn dns_within(name: &str, constraint: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let constraint = constraint.trim_end_matches('.').to_ascii_lowercase();
    if constraint.is_empty() {
        return true;
    }
    if constraint.starts_with('.') {
        return name.ends_with(&constraint);
    }
    name == constraint || name.ends_with(&format!(".{constraint}"))
}

/// The host of an absolute URI (`scheme://[userinfo@]host[:port]/...`), lower case.
fn uri_host(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// iPAddress constraints: address and mask of the same family.
fn ip_within(addr: &[u8], constraint: &[u8]) -> bool {
    if constraint.len() != addr.len() * 2 {
        return false;
    }
    let (net, mask) = constraint.split_at(addr.len());
    addr.iter()
        .zip(net.iter().zip(mask))
        .all(|(a, (n, m))| a & m == n & m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_forms() {
        assert!(email_within("a@example.com", "example.com"));
        assert!(email_within("a@EXAMPLE.com", "example.com"));
        assert!(!email_within("a@mail.example.com", "example.com"));
        assert!(email_within("a@mail.example.com", ".example.com"));
        assert!(!email_within("a@example.com", ".example.com"));
        assert!(email_within("a@example.com", "a@example.com"));
        assert!(!email_within("b@example.com", "a@example.com"));
        assert!(!email_within("no-at-sign", "example.com"));
    }

    #[test]
    fn dns_and_uri_forms() {
        assert!(dns_within("example.com", "example.com"));
        assert!(dns_within("www.example.com", "example.com"));
        assert!(!dns_within("badexample.com", "example.com"));
        assert!(dns_within("anything", ""));
        assert_eq!(
            uri_host("http://user@host.example:80/x"),
            Some("host.example")
        );
        assert_eq!(uri_host("http://[::1]:80/x"), Some("::1"));
        assert_eq!(uri_host("mailto:a@b"), None);
        assert!(host_within("host.example.com", ".example.com"));
        assert!(!host_within("example.com", ".example.com"));
    }

    #[test]
    fn ip_masks() {
        assert!(ip_within(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_within(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_within(&[10, 1, 2, 3], &[10, 0, 0, 0]));
    }

    /// `CN=<text>` with the string type `tag` (one-byte DER lengths).
    fn cn(tag: u8, text: &[u8]) -> Name {
        use der::Decode;
        let atv_len = 5 + 2 + text.len();
        let mut der = vec![0x30, (atv_len + 4) as u8, 0x31, (atv_len + 2) as u8];
        der.extend([
            0x30,
            atv_len as u8,
            0x06,
            0x03,
            0x55,
            0x04,
            0x03,
            tag,
            text.len() as u8,
        ]);
        der.extend(text);
        Name::from_der(&der).expect("name")
    }

    #[test]
    fn names_compare_as_rfc_5280_says() {
        const UTF8: u8 = 0x0c;
        const PRINTABLE: u8 = 0x13;
        const BMP: u8 = 0x1e;
        assert!(names_match(
            &cn(PRINTABLE, b"Good CA"),
            &cn(UTF8, b"Good CA")
        ));
        assert!(names_match(
            &cn(PRINTABLE, b"  good   ca "),
            &cn(UTF8, b"GOOD CA")
        ));
        assert!(names_match(
            &cn(BMP, b"\0G\0o\0o\0d\0 \0C\0A"),
            &cn(UTF8, b"good ca")
        ));
        assert!(!names_match(&cn(UTF8, b"Good CA"), &cn(UTF8, b"GoodCA")));
        assert!(names_match(
            &cn(UTF8, "Ärger".as_bytes()),
            &cn(UTF8, "ärger".as_bytes())
        ));
        // Other types are compared as encoded.
        assert!(!names_match(&cn(0x04, b"Good CA"), &cn(UTF8, b"Good CA")));
        assert!(names_match(&cn(0x04, b"x"), &cn(0x04, b"x")));
    }

    #[test]
    fn every_code_is_listed_once() {
        for (i, (code, meaning)) in PATH_PROBLEMS.iter().enumerate() {
            assert!(!meaning.is_empty());
            assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
            assert!(PATH_PROBLEMS[i + 1..].iter().all(|(c, _)| c != code));
        }
    }
}
