//! PKCS#12 export: keys and certificates into a password-protected PFX (DER).

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use der::Encode;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Digest;

use super::ber::write_element;
use super::kdf::{self, Hash, Password};
use super::*;

/// PBKDF2 / KDF iterations of what we write (OpenSSL's default is 2048).
const ITERATIONS: u32 = 10_000;

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("random generator: {e}")))?;
    Ok(b)
}

fn el(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    write_element(&mut out, tag, content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    el(SEQUENCE, &parts.concat())
}

fn oid(o: ObjectIdentifier) -> Vec<u8> {
    el(OID, o.as_bytes())
}

fn int(n: u32) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    let mut c = bytes[skip..].to_vec();
    if c[0] & 0x80 != 0 {
        c.insert(0, 0);
    }
    el(INTEGER, &c)
}

/// A SET OF in DER order (sorted encodings).
fn set_of(mut items: Vec<Vec<u8>>) -> Vec<u8> {
    items.sort();
    el(SET, &items.concat())
}

fn attributes(name: Option<&str>, local_key_id: Option<&[u8]>) -> Vec<u8> {
    let mut attrs = Vec::new();
    if let Some(n) = name {
        let bmp: Vec<u8> = n.encode_utf16().flat_map(u16::to_be_bytes).collect();
        attrs.push(seq(&[
            &oid(FRIENDLY_NAME),
            &set_of(vec![el(BMP_STRING, &bmp)]),
        ]));
    }
    if let Some(id) = local_key_id {
        attrs.push(seq(&[
            &oid(LOCAL_KEY_ID),
            &set_of(vec![el(OCTET_STRING, id)]),
        ]));
    }
    if attrs.is_empty() {
        return Vec::new();
    }
    set_of(attrs)
}

/// Encrypts `plain`; returns the AlgorithmIdentifier and the ciphertext.
fn encrypt(plain: &[u8], password: &Password, legacy: bool) -> Result<(Vec<u8>, Vec<u8>)> {
    if legacy {
        let salt: [u8; 8] = random()?;
        let key = kdf::derive(
            Hash::Sha1,
            &password.bmp,
            &salt,
            kdf::ID_KEY,
            ITERATIONS,
            24,
        );
        let iv = kdf::derive(Hash::Sha1, &password.bmp, &salt, kdf::ID_IV, ITERATIONS, 8);
        let ct = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|e| Error::Crypto(e.to_string()))?
            .encrypt_padded_vec::<Pkcs7>(plain);
        let alg = seq(&[
            &oid(PBE_SHA1_3DES),
            &seq(&[&el(OCTET_STRING, &salt), &int(ITERATIONS)]),
        ]);
        return Ok((alg, ct));
    }
    let salt: [u8; 16] = random()?;
    let iv: [u8; 16] = random()?;
    let params = pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(ITERATIONS, &salt, iv)
        .map_err(|e| Error::Crypto(e.to_string()))?;
    let scheme = pkcs5::EncryptionScheme::Pbes2(params);
    let ct = scheme
        .encrypt(&*password.utf8, plain)
        .map_err(|e| Error::Crypto(e.to_string()))?;
    Ok((scheme.to_der()?, ct))
}

/// A key to write with its certificate (for the localKeyId pairing) and friendlyName.
pub(crate) struct KeyOut<'a> {
    pub key: &'a PrivateKey,
    pub cert: &'a Certificate,
    pub friendly_name: Option<&'a str>,
}

/// Writes a PFX: certificates in one encryptedData, shrouded keys in one data SafeContents, MAC.
/// Default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and an HMAC-SHA-256 MAC; `legacy`:
/// pbeWithSHAAnd3-KeyTripleDES-CBC for keys and certificates and an HMAC-SHA-1 MAC.
pub(crate) fn write(
    keys: &[KeyOut<'_>],
    certs: &[&Certificate],
    password: &str,
    legacy: bool,
) -> Result<Vec<u8>> {
    let password = Password::given(password);
    let local_id = |c: &Certificate| sha1::Sha1::digest(c.as_der()).to_vec();
    // Certificates.
    let mut cert_bags = Vec::new();
    for c in certs {
        let key = keys.iter().find(|k| k.cert == *c);
        let id = key.map(|_| local_id(c));
        let value = seq(&[
            &oid(X509_CERTIFICATE),
            &el(CONTEXT_0, &el(OCTET_STRING, c.as_der())),
        ]);
        cert_bags.push(seq(&[
            &oid(CERT_BAG),
            &el(CONTEXT_0, &value),
            &attributes(key.and_then(|k| k.friendly_name), id.as_deref()),
        ]));
    }
    let cert_safe = seq(&cert_bags.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let (alg, ct) = encrypt(&cert_safe, &password, legacy)?;
    let eci = seq(&[&oid(ID_DATA), &alg, &el(0x80, &ct)]);
    let encrypted_data = seq(&[&int(0), &eci]);
    let certs_ci = seq(&[&oid(ID_ENCRYPTED_DATA), &el(CONTEXT_0, &encrypted_data)]);
    // Keys.
    let mut key_bags = Vec::new();
    for k in keys {
        let plain = k.key.to_pkcs8_der()?;
        let (alg, ct) = encrypt(&plain, &password, legacy)?;
        let epki = seq(&[&alg, &el(OCTET_STRING, &ct)]);
        key_bags.push(seq(&[
            &oid(SHROUDED_KEY_BAG),
            &el(CONTEXT_0, &epki),
            &attributes(k.friendly_name, Some(&local_id(k.cert))),
        ]));
    }
    let key_safe = seq(&key_bags.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let keys_ci = seq(&[&oid(ID_DATA), &el(CONTEXT_0, &el(OCTET_STRING, &key_safe))]);
    let auth_safe = seq(&[&certs_ci, &keys_ci]);
    // MAC over the AuthenticatedSafe octets.
    let (hash, hash_oid) = if legacy {
        (Hash::Sha1, SHA1)
    } else {
        (Hash::Sha256, SHA256)
    };
    let salt: [u8; 16] = random()?;
    let mac_key = kdf::derive(
        hash,
        &password.bmp,
        &salt,
        kdf::ID_MAC,
        ITERATIONS,
        hash.output_len(),
    );
    let mac = if legacy {
        let mut m = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&mac_key)
            .map_err(|e| Error::Crypto(e.to_string()))?;
        m.update(&auth_safe);
        m.finalize().into_bytes().to_vec()
    } else {
        let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&mac_key)
            .map_err(|e| Error::Crypto(e.to_string()))?;
        m.update(&auth_safe);
        m.finalize().into_bytes().to_vec()
    };
    let digest_info = seq(&[
        &seq(&[&oid(hash_oid), &el(0x05, &[])]),
        &el(OCTET_STRING, &mac),
    ]);
    let mac_data = seq(&[&digest_info, &el(OCTET_STRING, &salt), &int(ITERATIONS)]);
    let content_info = seq(&[&oid(ID_DATA), &el(CONTEXT_0, &el(OCTET_STRING, &auth_safe))]);
    Ok(seq(&[&int(3), &content_info, &mac_data]))
}
