//! PBMAC1 (RFC 9579, on RFC 8018 §7.1) as the PKCS#12 MAC: the key is PBKDF2 over the UTF-8
//! password with the parameters inside the algorithm identifier; MacData's macSalt and iterations
//! are present but unused.

use const_oid::ObjectIdentifier;
use hmac::{Hmac, KeyInit, Mac};
use zeroize::Zeroizing;

use super::kdf::{Hash, Password};
use super::{INTEGER, OCTET_STRING, SEQUENCE, ber, hmac_verify, malformed, oid_of, uint};
use crate::error::{Error, Result};
use crate::identity::oid_name;
use crate::policy;

const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
const HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
const HMAC_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.8");
const HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const HMAC_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
const HMAC_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");

/// Longest MAC key we derive (HMAC hashes longer keys anyway; this only bounds the work).
const MAX_KEY_LEN: u32 = 1024;

/// PBKDF2-params and messageAuthScheme, read from PBMAC1-params.
struct Params<'a> {
    salt: &'a [u8],
    iterations: u32,
    key_len: usize,
    prf: Hash,
    scheme: Hash,
}

fn hmac_hash(oid: ObjectIdentifier) -> Option<Hash> {
    Some(match oid {
        o if o == HMAC_SHA1 => Hash::Sha1,
        o if o == HMAC_SHA224 => Hash::Sha224,
        o if o == HMAC_SHA256 => Hash::Sha256,
        o if o == HMAC_SHA384 => Hash::Sha384,
        o if o == HMAC_SHA512 => Hash::Sha512,
        _ => return None,
    })
}

/// An HMAC AlgorithmIdentifier (parameters absent or NULL) to its hash; `what` names it in errors.
fn hmac_alg(tlv: &ber::Tlv<'_>, what: &str) -> Result<Hash> {
    let alg = ber::children(ber::expect(tlv.whole, SEQUENCE, what)?.content)?;
    let oid = oid_of(
        alg.first()
            .ok_or_else(|| malformed(format!("PBMAC1 {what}")))?,
    )?;
    hmac_hash(oid).ok_or_else(|| Error::UnsupportedPbe(format!("PBMAC1 {what} {}", oid_name(oid))))
}

fn parse<'a>(params: Option<&ber::Tlv<'a>>) -> Result<Params<'a>> {
    let params = params.ok_or_else(|| malformed("PBMAC1 without parameters"))?;
    let p = ber::children(ber::expect(params.whole, SEQUENCE, "PBMAC1-params")?.content)?;
    if p.len() != 2 {
        return Err(malformed(
            "PBMAC1-params: expected keyDerivationFunc and messageAuthScheme",
        ));
    }
    let kdf =
        ber::children(ber::expect(p[0].whole, SEQUENCE, "PBMAC1 keyDerivationFunc")?.content)?;
    let kdf_oid = oid_of(
        kdf.first()
            .ok_or_else(|| malformed("PBMAC1 keyDerivationFunc"))?,
    )?;
    if kdf_oid != PBKDF2 {
        return Err(Error::UnsupportedPbe(format!(
            "PBMAC1 key derivation {}",
            oid_name(kdf_oid)
        )));
    }
    let kp = kdf
        .get(1)
        .ok_or_else(|| malformed("PBMAC1: PBKDF2 without parameters"))?;
    let f = ber::children(ber::expect(kp.whole, SEQUENCE, "PBKDF2-params")?.content)?;
    if f.len() < 2 || f.len() > 4 {
        return Err(malformed("PBKDF2-params: wrong number of fields"));
    }
    if f[0].tag != OCTET_STRING {
        return Err(Error::UnsupportedPbe(
            "PBMAC1: PBKDF2 salt from otherSource".into(),
        ));
    }
    let iterations = uint(&f[1], "PBKDF2 iterations")?;
    if iterations == 0 {
        return Err(malformed("PBKDF2 iterations: 0"));
    }
    if iterations > policy::MAX_PBKDF2_ITERATIONS {
        return Err(Error::UnsupportedPbe(format!(
            "{iterations} PBKDF2 iterations (the limit is {})",
            policy::MAX_PBKDF2_ITERATIONS
        )));
    }
    // RFC 9579 §3: keyLength is OPTIONAL in RFC 8018 but MUST be present in PBMAC1 for PKCS#12.
    let (key_len, rest) = match f.get(2) {
        Some(t) if t.tag == INTEGER => (uint(t, "PBKDF2 keyLength")?, &f[3..]),
        _ => {
            return Err(malformed(
                "PBMAC1: PBKDF2-params without keyLength (RFC 9579 requires it)",
            ));
        }
    };
    if key_len == 0 {
        return Err(malformed("PBKDF2 keyLength: 0"));
    }
    if key_len > MAX_KEY_LEN {
        return Err(Error::UnsupportedPbe(format!(
            "PBMAC1 keyLength {key_len} (the limit is {MAX_KEY_LEN})"
        )));
    }
    let prf = match rest.first() {
        Some(t) => hmac_alg(t, "PRF")?,
        None => Hash::Sha1, // DEFAULT algid-hmacWithSHA1
    };
    let scheme = hmac_alg(&p[1], "messageAuthScheme")?;
    Ok(Params {
        salt: f[0].content,
        iterations,
        key_len: key_len as usize,
        prf,
        scheme,
    })
}

/// PBKDF2 (RFC 8018 §5.2) with HMAC-`M` as PRF, filling `out`.
fn pbkdf2_with<M: Mac + KeyInit + Clone>(password: &[u8], salt: &[u8], c: u32, out: &mut [u8]) {
    // HMAC accepts keys of any length.
    let Ok(prf) = <M as KeyInit>::new_from_slice(password) else {
        return;
    };
    for (i, block) in out.chunks_mut(M::output_size()).enumerate() {
        let mut m = prf.clone();
        m.update(salt);
        m.update(&(i as u32 + 1).to_be_bytes());
        let mut u = Zeroizing::new(m.finalize().into_bytes().to_vec());
        let mut t = Zeroizing::new(u.clone());
        for _ in 1..c {
            let mut m = prf.clone();
            m.update(&u);
            u = Zeroizing::new(m.finalize().into_bytes().to_vec());
            for (a, b) in t.iter_mut().zip(u.iter()) {
                *a ^= b;
            }
        }
        block.copy_from_slice(&t[..block.len()]);
    }
}

fn pbkdf2(prf: Hash, password: &[u8], salt: &[u8], c: u32, n: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; n]);
    match prf {
        Hash::Sha1 => pbkdf2_with::<Hmac<sha1::Sha1>>(password, salt, c, &mut out),
        Hash::Sha224 => pbkdf2_with::<Hmac<sha2::Sha224>>(password, salt, c, &mut out),
        Hash::Sha256 => pbkdf2_with::<Hmac<sha2::Sha256>>(password, salt, c, &mut out),
        Hash::Sha384 => pbkdf2_with::<Hmac<sha2::Sha384>>(password, salt, c, &mut out),
        Hash::Sha512 => pbkdf2_with::<Hmac<sha2::Sha512>>(password, salt, c, &mut out),
    }
    out
}

/// Verifies a PBMAC1 MAC (`params`: the algorithm identifier's parameters) over `data`; returns
/// the index of the candidate password that verifies it.
pub(super) fn verify(
    params: Option<&ber::Tlv<'_>>,
    data: &[u8],
    expected: &[u8],
    candidates: &[Password],
) -> Result<usize> {
    let p = parse(params)?;
    for (i, pw) in candidates.iter().enumerate() {
        let key = pbkdf2(p.prf, &pw.utf8, p.salt, p.iterations, p.key_len);
        if hmac_verify(p.scheme, &key, data, expected) {
            return Ok(i);
        }
    }
    Err(Error::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6070 PBKDF2-HMAC-SHA1 known answers.
    #[test]
    fn pbkdf2_known_answers() {
        let k = pbkdf2(Hash::Sha1, b"password", b"salt", 2, 20);
        assert_eq!(
            k.as_slice(),
            [
                0xea, 0x6c, 0x01, 0x4d, 0xc7, 0x2d, 0x6f, 0x8c, 0xcd, 0x1e, 0xd9, 0x2a, 0xce, 0x1d,
                0x41, 0xf0, 0xd8, 0xde, 0x89, 0x57
            ]
        );
        let k = pbkdf2(
            Hash::Sha1,
            b"passwordPASSWORDpassword",
            b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
            4096,
            25,
        );
        assert_eq!(
            k.as_slice(),
            [
                0x3d, 0x2e, 0xec, 0x4f, 0xe4, 0x1c, 0x84, 0x9b, 0x80, 0xc8, 0xd8, 0x36, 0x62, 0xc0,
                0xe4, 0x4a, 0x8b, 0x29, 0x1a, 0x96, 0x4c, 0xf2, 0xf0, 0x70, 0x38
            ]
        );
    }
}
