//! PKCS#12 (RFC 7292) import: a .p12/.pfx file into keys and certificates.
//!
//! Written on `der`/`pkcs5` and RustCrypto primitives (see ARCHITECTURE.md for why): a BER
//! normalizer ([`ber`]), the RFC 7292 appendix B KDF ([`kdf`]), MAC verification (HMAC with
//! SHA-1/SHA-2; PBMAC1, RFC 9579, in [`pbmac1`]), the legacy PKCS#12 PBEs (3DES, 2-key 3DES, RC2-128, RC2-40) and PBES2 through
//! `pkcs5`. Export ([`write`]): PBES2/AES-256-CBC + HMAC-SHA-256, or legacy 3DES + HMAC-SHA-1.

pub(crate) mod ber;
mod kdf;
mod pbmac1;
mod write;

pub(crate) use write::{KeyOut, write};

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit};
use const_oid::ObjectIdentifier;
use der::Decode;
use hmac::{Hmac, KeyInit, Mac};
use zeroize::Zeroizing;

use crate::certificate::Certificate;
use crate::error::{Error, Result};
use crate::identity::{PrivateKey, oid_name};
use crate::policy;
use kdf::{Hash, Password};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");

const PBE_SHA1_RC4_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.1");
const PBE_SHA1_RC4_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.2");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBMAC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14");

const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OCTET_STRING: u8 = 0x04;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const BMP_STRING: u8 = 0x1e;
const CONTEXT_0: u8 = 0xa0;

/// A private key from a PKCS#12 file with its bag attributes.
pub(crate) struct KeyEntry {
    pub key: PrivateKey,
    pub friendly_name: Option<String>,
    #[allow(dead_code)] // kept for pairing keys and certificates in later issues
    pub local_key_id: Option<Vec<u8>>,
}

/// A certificate from a PKCS#12 file with its bag attributes.
pub(crate) struct CertEntry {
    pub cert: Certificate,
    pub friendly_name: Option<String>,
    #[allow(dead_code)]
    pub local_key_id: Option<Vec<u8>>,
}

/// Everything read from a PKCS#12 file.
pub(crate) struct Contents {
    pub keys: Vec<KeyEntry>,
    pub certs: Vec<CertEntry>,
}

fn malformed(why: impl Into<String>) -> Error {
    Error::MalformedPkcs12(why.into())
}

fn oid_of(tlv: &ber::Tlv<'_>) -> Result<ObjectIdentifier> {
    if tlv.tag != OID {
        return Err(malformed("expected an object identifier"));
    }
    ObjectIdentifier::from_bytes(tlv.content).map_err(|_| malformed("bad object identifier"))
}

fn uint(tlv: &ber::Tlv<'_>, what: &str) -> Result<u32> {
    let c = tlv.content;
    if tlv.tag != INTEGER || c.is_empty() || c[0] & 0x80 != 0 {
        return Err(malformed(format!("{what}: not a non-negative INTEGER")));
    }
    let c = if c.len() > 1 && c[0] == 0 { &c[1..] } else { c };
    if c.len() > 4 {
        return Err(Error::UnsupportedPbe(format!(
            "{what} {} octets long",
            c.len()
        )));
    }
    Ok(c.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
}

fn check_iterations(n: u32) -> Result<u32> {
    if n > policy::MAX_PKCS12_ITERATIONS {
        return Err(Error::UnsupportedPbe(format!(
            "{n} iterations (the limit is {})",
            policy::MAX_PKCS12_ITERATIONS
        )));
    }
    Ok(n)
}

/// Reads a PKCS#12 file. `password`: see [`crate::Identity::from_pkcs12`].
pub(crate) fn read(input: &[u8], password: Option<&str>) -> Result<Contents> {
    if input.len() > policy::MAX_PKCS12_INPUT_SIZE {
        return Err(Error::InputTooLarge {
            what: "PKCS#12 input size in bytes",
            limit: policy::MAX_PKCS12_INPUT_SIZE,
        });
    }
    let pfx = ber::normalize(input, policy::MAX_PKCS12_DEPTH)?;
    let pfx = ber::expect(&pfx, SEQUENCE, "PFX")?;
    let fields = ber::children(pfx.content)?;
    if fields.len() < 2 || fields.len() > 3 {
        return Err(malformed(
            "PFX: expected version, authSafe and optional macData",
        ));
    }
    if uint(&fields[0], "PFX version")? != 3 {
        return Err(malformed("PFX version is not 3"));
    }
    let auth_safe = ber::children(ber::expect(fields[1].whole, SEQUENCE, "authSafe")?.content)?;
    if auth_safe.len() != 2 {
        return Err(malformed("authSafe: expected contentType and content"));
    }
    let ctype = oid_of(&auth_safe[0])?;
    if ctype == ID_SIGNED_DATA {
        return Err(Error::UnsupportedPbe(
            "public-key integrity mode (signedData authSafe)".into(),
        ));
    }
    if ctype != ID_DATA {
        return Err(malformed(format!("authSafe content type {ctype}")));
    }
    let inner = ber::expect(auth_safe[1].whole, CONTEXT_0, "authSafe content")?;
    let data = ber::expect(inner.content, OCTET_STRING, "authSafe data")?.content;

    // Candidate passwords: RFC 7292 distinguishes an absent password (empty octet string) from
    // "" (two NUL octets). OpenSSL tries both, and so do we when it matters.
    let candidates: Vec<Password> = match password {
        Some("") | None => vec![Password::given(""), Password::absent()],
        Some(p) => vec![Password::given(p)],
    };

    let mut chosen: Option<usize> = None;
    if let Some(mac_data) = fields.get(2) {
        let idx = verify_mac(mac_data, data, &candidates)?;
        chosen = Some(idx);
    }
    match chosen {
        Some(i) => read_auth_safe(data, &candidates[i], true),
        None => {
            // No MAC: the right password shows at decryption; try each candidate.
            let mut last = Error::WrongPassword;
            for p in &candidates {
                match read_auth_safe(data, p, false) {
                    Ok(c) => return Ok(c),
                    Err(Error::WrongPassword) => last = Error::WrongPassword,
                    Err(e) => return Err(e),
                }
            }
            Err(last)
        }
    }
}

/// Verifies the MAC; returns the index of the candidate password that verifies it.
fn verify_mac(mac_data: &ber::Tlv<'_>, data: &[u8], candidates: &[Password]) -> Result<usize> {
    if mac_data.tag != SEQUENCE {
        return Err(malformed("macData is not a SEQUENCE"));
    }
    let f = ber::children(mac_data.content)?;
    if f.len() < 2 || f.len() > 3 {
        return Err(malformed("macData: wrong number of fields"));
    }
    let digest_info = ber::children(ber::expect(f[0].whole, SEQUENCE, "DigestInfo")?.content)?;
    if digest_info.len() != 2 || digest_info[1].tag != OCTET_STRING {
        return Err(malformed("DigestInfo"));
    }
    let alg = ber::children(ber::expect(digest_info[0].whole, SEQUENCE, "MAC algorithm")?.content)?;
    let alg_oid = oid_of(alg.first().ok_or_else(|| malformed("MAC algorithm"))?)?;
    let expected = digest_info[1].content;
    if f[1].tag != OCTET_STRING {
        return Err(malformed("macSalt"));
    }
    if alg_oid == PBMAC1 {
        // RFC 9579: macSalt and iterations are present but unused; PBMAC1-params hold the KDF.
        return pbmac1::verify(alg.get(1), data, expected, candidates);
    }
    let salt = f[1].content;
    let iterations = match f.get(2) {
        Some(t) => check_iterations(uint(t, "MAC iterations")?)?,
        None => 1,
    };
    let hash = hash_of(alg_oid)
        .ok_or_else(|| Error::UnsupportedPbe(format!("MAC digest {}", oid_name(alg_oid))))?;
    for (i, p) in candidates.iter().enumerate() {
        let key = kdf::derive(
            hash,
            &p.bmp,
            salt,
            kdf::ID_MAC,
            iterations,
            hash.output_len(),
        );
        if hmac_verify(hash, &key, data, expected) {
            return Ok(i);
        }
    }
    Err(Error::WrongPassword)
}

fn hash_of(oid: ObjectIdentifier) -> Option<Hash> {
    Some(match oid {
        o if o == SHA1 => Hash::Sha1,
        o if o == SHA224 => Hash::Sha224,
        o if o == SHA256 => Hash::Sha256,
        o if o == SHA384 => Hash::Sha384,
        o if o == SHA512 => Hash::Sha512,
        _ => return None,
    })
}

fn hmac_verify(hash: Hash, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    macro_rules! check {
        ($h:ty) => {{
            let Ok(mut m) = <Hmac<$h> as KeyInit>::new_from_slice(key) else {
                return false;
            };
            m.update(data);
            m.verify_slice(expected).is_ok()
        }};
    }
    match hash {
        Hash::Sha1 => check!(sha1::Sha1),
        Hash::Sha224 => check!(sha2::Sha224),
        Hash::Sha256 => check!(sha2::Sha256),
        Hash::Sha384 => check!(sha2::Sha384),
        Hash::Sha512 => check!(sha2::Sha512),
    }
}

/// Reads the AuthenticatedSafe. `mac_ok`: the password was confirmed by the MAC, so a
/// decryption failure means a malformed file rather than a wrong password.
fn read_auth_safe(data: &[u8], password: &Password, mac_ok: bool) -> Result<Contents> {
    let data = ber::normalize(data, policy::MAX_PKCS12_DEPTH)?;
    let seq = ber::expect(&data, SEQUENCE, "AuthenticatedSafe")?;
    let mut out = Contents {
        keys: Vec::new(),
        certs: Vec::new(),
    };
    let bad = |why: &str| {
        if mac_ok {
            malformed(why.to_string())
        } else {
            Error::WrongPassword
        }
    };
    for ci in ber::children(seq.content)? {
        if ci.tag != SEQUENCE {
            return Err(malformed("ContentInfo is not a SEQUENCE"));
        }
        let f = ber::children(ci.content)?;
        let ctype = oid_of(f.first().ok_or_else(|| malformed("empty ContentInfo"))?)?;
        let content = match f.get(1) {
            Some(c) if c.tag == CONTEXT_0 => c.content,
            _ => return Err(malformed("ContentInfo without content")),
        };
        if ctype == ID_DATA {
            let octets = ber::expect(content, OCTET_STRING, "data content")?.content;
            let safe = ber::normalize(octets, policy::MAX_PKCS12_DEPTH)?;
            read_safe_contents(&safe, password, mac_ok, &mut out, policy::MAX_PKCS12_DEPTH)?;
        } else if ctype == ID_ENCRYPTED_DATA {
            let ed = ber::children(ber::expect(content, SEQUENCE, "EncryptedData")?.content)?;
            let eci = ed
                .get(1)
                .ok_or_else(|| malformed("EncryptedData without content"))?;
            if eci.tag != SEQUENCE {
                return Err(malformed("EncryptedContentInfo"));
            }
            let e = ber::children(eci.content)?;
            if e.len() < 2 {
                return Err(malformed("EncryptedContentInfo without algorithm"));
            }
            let ciphertext: Vec<u8> = match e.get(2) {
                None => continue, // no encryptedContent: nothing inside
                Some(t) if t.tag == 0x80 => t.content.to_vec(),
                // Normalization kept the constructed [0]; its children are OCTET STRINGs.
                Some(t) if t.tag == CONTEXT_0 => {
                    let mut all = Vec::new();
                    for chunk in ber::children(t.content)? {
                        if chunk.tag != OCTET_STRING {
                            return Err(malformed("encryptedContent chunk"));
                        }
                        all.extend_from_slice(chunk.content);
                    }
                    all
                }
                Some(_) => return Err(malformed("encryptedContent")),
            };
            let plain = decrypt(e[1].whole, &ciphertext, password).map_err(|err| match err {
                Error::WrongPassword => bad("encrypted content does not decrypt"),
                other => other,
            })?;
            let safe = ber::normalize(&plain, policy::MAX_PKCS12_DEPTH)
                .map_err(|_| bad("decrypted content is not ASN.1"))?;
            read_safe_contents(&safe, password, mac_ok, &mut out, policy::MAX_PKCS12_DEPTH)
                .map_err(|err| match err {
                    Error::MalformedPkcs12(_) if !mac_ok => Error::WrongPassword,
                    other => other,
                })?;
        } else if ctype == ID_ENVELOPED_DATA {
            return Err(Error::UnsupportedPbe(
                "public-key privacy mode (envelopedData)".into(),
            ));
        } else {
            return Err(malformed(format!("content type {ctype}")));
        }
    }
    Ok(out)
}

fn read_safe_contents(
    der: &[u8],
    password: &Password,
    mac_ok: bool,
    out: &mut Contents,
    depth: usize,
) -> Result<()> {
    if depth == 0 {
        return Err(Error::NestingTooDeep {
            limit: policy::MAX_PKCS12_DEPTH,
        });
    }
    let seq = ber::expect(der, SEQUENCE, "SafeContents")?;
    for bag in ber::children(seq.content)? {
        if bag.tag != SEQUENCE {
            return Err(malformed("SafeBag is not a SEQUENCE"));
        }
        let f = ber::children(bag.content)?;
        if f.len() < 2 {
            return Err(malformed("SafeBag"));
        }
        let bag_id = oid_of(&f[0])?;
        if f[1].tag != CONTEXT_0 {
            return Err(malformed("SafeBag value"));
        }
        let value = f[1].content;
        let (friendly_name, local_key_id) = match f.get(2) {
            Some(a) if a.tag == SET => attributes(a.content)?,
            Some(_) => return Err(malformed("SafeBag attributes")),
            None => (None, None),
        };
        if bag_id == KEY_BAG {
            let key = PrivateKey::from_pkcs8_der(value)?;
            out.keys.push(KeyEntry {
                key,
                friendly_name,
                local_key_id,
            });
        } else if bag_id == SHROUDED_KEY_BAG {
            let epki =
                ber::children(ber::expect(value, SEQUENCE, "EncryptedPrivateKeyInfo")?.content)?;
            if epki.len() != 2 || epki[1].tag != OCTET_STRING {
                return Err(malformed("EncryptedPrivateKeyInfo"));
            }
            let plain = decrypt(epki[0].whole, epki[1].content, password).map_err(|e| match e {
                Error::WrongPassword if mac_ok => malformed("the key does not decrypt"),
                other => other,
            })?;
            let plain = Zeroizing::new(plain);
            if pkcs8::PrivateKeyInfoRef::from_der(&plain).is_err() {
                // Garbage that passed the padding check: a wrong password (or a broken file).
                return Err(if mac_ok {
                    malformed("decrypted key is not PKCS#8")
                } else {
                    Error::WrongPassword
                });
            }
            let key = PrivateKey::from_pkcs8_der(&plain)?;
            out.keys.push(KeyEntry {
                key,
                friendly_name,
                local_key_id,
            });
        } else if bag_id == CERT_BAG {
            let cb = ber::children(ber::expect(value, SEQUENCE, "CertBag")?.content)?;
            if cb.len() != 2 || cb[1].tag != CONTEXT_0 {
                return Err(malformed("CertBag"));
            }
            if oid_of(&cb[0])? != X509_CERTIFICATE {
                continue; // SDSI certificates: not used in S/MIME
            }
            let der = ber::expect(cb[1].content, OCTET_STRING, "x509Certificate")?.content;
            out.certs.push(CertEntry {
                cert: Certificate::from_der(der)?,
                friendly_name,
                local_key_id,
            });
        } else if bag_id == SAFE_CONTENTS_BAG {
            read_safe_contents(value, password, mac_ok, out, depth - 1)?;
        }
        // crlBag, secretBag and unknown bags are skipped.
    }
    Ok(())
}

/// friendlyName and localKeyId from a bag's attribute SET.
fn attributes(set: &[u8]) -> Result<(Option<String>, Option<Vec<u8>>)> {
    let mut name = None;
    let mut id = None;
    for attr in ber::children(set)? {
        let f = ber::children(attr.content)?;
        if attr.tag != SEQUENCE || f.len() != 2 || f[1].tag != SET {
            return Err(malformed("bag attribute"));
        }
        let oid = oid_of(&f[0])?;
        let values = ber::children(f[1].content)?;
        let Some(first) = values.first() else {
            continue;
        };
        if oid == FRIENDLY_NAME && first.tag == BMP_STRING && first.content.len() % 2 == 0 {
            let units = first
                .content
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            let text: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{fffd}'))
                .collect();
            // Some writers (Windows, pyca's vectors) include the BMPString's trailing NUL.
            name = Some(text.trim_end_matches('\0').to_string());
        } else if oid == LOCAL_KEY_ID && first.tag == OCTET_STRING {
            id = Some(first.content.to_vec());
        }
    }
    Ok((name, id))
}

/// Decrypts `ciphertext` under the encryption AlgorithmIdentifier `alg_der`. A padding failure is
/// [`Error::WrongPassword`].
fn decrypt(alg_der: &[u8], ciphertext: &[u8], password: &Password) -> Result<Vec<u8>> {
    let alg = ber::children(ber::expect(alg_der, SEQUENCE, "encryption algorithm")?.content)?;
    let oid = oid_of(
        alg.first()
            .ok_or_else(|| malformed("encryption algorithm"))?,
    )?;
    if oid == PBES2 {
        let scheme = pkcs5::EncryptionScheme::from_der(alg_der).map_err(|_| {
            Error::UnsupportedPbe(format!("PBES2 with parameters {}", describe_pbes2(alg_der)))
        })?;
        crate::identity::check_kdf_cost(&scheme)
            .map_err(|e| Error::UnsupportedPbe(e.to_string()))?;
        return scheme
            .decrypt(&*password.utf8, ciphertext)
            .map_err(|e| match e {
                pkcs5::Error::UnsupportedAlgorithm { oid }
                | pkcs5::Error::AlgorithmParametersInvalid { oid } => {
                    Error::UnsupportedPbe(format!("PBES2 with {}", oid_name(oid)))
                }
                _ => Error::WrongPassword,
            });
    }
    let (key_len, iv_len) = match oid {
        o if o == PBE_SHA1_3DES => (24, 8),
        o if o == PBE_SHA1_2DES => (16, 8),
        o if o == PBE_SHA1_RC2_128 => (16, 8),
        o if o == PBE_SHA1_RC2_40 => (5, 8),
        o if o == PBE_SHA1_RC4_128 || o == PBE_SHA1_RC4_40 => {
            return Err(Error::UnsupportedPbe(format!("RC4 ({o})")));
        }
        other => return Err(Error::UnsupportedPbe(oid_name(other))),
    };
    let params = alg
        .get(1)
        .ok_or_else(|| malformed("PBE parameters missing"))?;
    let p = ber::children(ber::expect(params.whole, SEQUENCE, "PBE parameters")?.content)?;
    if p.len() != 2 || p[0].tag != OCTET_STRING {
        return Err(malformed("PBE parameters"));
    }
    let salt = p[0].content;
    let iterations = check_iterations(uint(&p[1], "PBE iterations")?)?;
    let key = kdf::derive(
        Hash::Sha1,
        &password.bmp,
        salt,
        kdf::ID_KEY,
        iterations,
        key_len,
    );
    let iv = kdf::derive(
        Hash::Sha1,
        &password.bmp,
        salt,
        kdf::ID_IV,
        iterations,
        iv_len,
    );
    let wrong = |_| Error::WrongPassword;
    let plain = match oid {
        o if o == PBE_SHA1_3DES => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| malformed("3DES key"))?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
            .map_err(wrong)?,
        o if o == PBE_SHA1_2DES => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
            .map_err(|_| malformed("3DES key"))?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
            .map_err(wrong)?,
        _ => {
            let cipher = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                .map_err(|_| malformed("RC2 IV"))?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(wrong)?
        }
    };
    Ok(plain)
}

/// Names the KDF and cipher OIDs of PBES2 parameters `pkcs5` did not accept.
fn describe_pbes2(alg_der: &[u8]) -> String {
    let mut names = Vec::new();
    collect_oids(alg_der, &mut names, 6);
    names
        .iter()
        .skip(1)
        .map(|o| oid_name(*o))
        .collect::<Vec<_>>()
        .join(", ")
}

fn collect_oids(der: &[u8], out: &mut Vec<ObjectIdentifier>, depth: usize) {
    if depth == 0 {
        return;
    }
    let Ok(items) = ber::children(der) else {
        return;
    };
    for t in items {
        if t.tag == OID {
            if let Ok(o) = ObjectIdentifier::from_bytes(t.content) {
                out.push(o);
            }
        } else if t.tag & 0x20 != 0 {
            collect_oids(t.content, out, depth - 1);
        }
    }
}
