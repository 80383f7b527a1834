//! The PKCS#12 key derivation function (RFC 7292 appendix B.2) and the password encodings.

use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// The hash functions PKCS#12 MACs and PBEs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn output_len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    fn block_len(self) -> usize {
        match self {
            Hash::Sha1 | Hash::Sha224 | Hash::Sha256 => 64,
            Hash::Sha384 | Hash::Sha512 => 128,
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha224 => Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// Purpose byte of the KDF (RFC 7292 B.3).
pub(crate) const ID_KEY: u8 = 1;
pub(crate) const ID_IV: u8 = 2;
pub(crate) const ID_MAC: u8 = 3;

/// A password in the two encodings PKCS#12 uses: BMPString with a trailing NUL (legacy PBEs and
/// the MAC), and UTF-8 (PBES2 / PBKDF2).
pub(crate) struct Password {
    pub bmp: Zeroizing<Vec<u8>>,
    pub utf8: Zeroizing<Vec<u8>>,
}

impl Password {
    /// The password as given: UTF-16BE code units plus two NUL octets. `""` is `00 00`.
    pub(crate) fn given(p: &str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(p.len() * 2 + 2));
        for unit in p.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Self {
            bmp,
            utf8: Zeroizing::new(p.as_bytes().to_vec()),
        }
    }

    /// No password at all: the empty octet string (RFC 7292 B.1 distinguishes it from `""`).
    pub(crate) fn absent() -> Self {
        Self {
            bmp: Zeroizing::new(Vec::new()),
            utf8: Zeroizing::new(Vec::new()),
        }
    }
}

/// RFC 7292 B.2: derives `n` octets for purpose `id` from `password` (already BMP-encoded),
/// `salt` and `iterations`.
pub(crate) fn derive(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    n: usize,
) -> Zeroizing<Vec<u8>> {
    let u = hash.output_len();
    let v = hash.block_len();
    let d = vec![id; v];
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i = Zeroizing::new(fill(salt));
    i.extend_from_slice(&fill(password));
    let mut out = Zeroizing::new(Vec::with_capacity(n + u));
    let mut buf = Zeroizing::new(Vec::with_capacity(v + i.len()));
    while out.len() < n {
        buf.clear();
        buf.extend_from_slice(&d);
        buf.extend_from_slice(&i);
        let mut a = Zeroizing::new(hash.digest(&buf));
        for _ in 1..iterations.max(1) {
            a = Zeroizing::new(hash.digest(&a));
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            break;
        }
        // B = A repeated to v octets; each v-octet block of I becomes (I_j + B + 1) mod 2^(8v).
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i.chunks_mut(v) {
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors computed with OpenSSL's PKCS12_key_gen_uni (password "smeg", SHA-1).
    #[test]
    fn known_answers() {
        let pw = Password::given("smeg");
        let salt = [0x0A, 0x58, 0xCF, 0x64, 0x53, 0x0D, 0x82, 0x3F];
        let key = derive(Hash::Sha1, &pw.bmp, &salt, ID_KEY, 1, 24);
        assert_eq!(
            key.as_slice(),
            [
                0x8A, 0xAA, 0xE6, 0x29, 0x7B, 0x6C, 0xB0, 0x46, 0x42, 0xAB, 0x5B, 0x07, 0x78, 0x51,
                0x28, 0x4E, 0xB7, 0x12, 0x8F, 0x1A, 0x2A, 0x7F, 0xBC, 0xA3
            ]
        );
        let iv = derive(Hash::Sha1, &pw.bmp, &salt, ID_IV, 1, 8);
        assert_eq!(
            iv.as_slice(),
            [0x79, 0x99, 0x3D, 0xFE, 0x04, 0x8D, 0x3B, 0x76]
        );
    }
}
