//! EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083) on the `cms` crate's ASN.1
//! types: the recipient infos we write (KTRI RSA v1.5/OAEP, KARI ECDH P-256/P-384 and X25519),
//! the key derivations, and the parameter types the `cms` crate lacks (GCMParameters,
//! ECC-CMS-SharedInfo).
//!
//! Written here rather than with the `cms` builders: the KARI builder wraps the CEK with an
//! all-zero KEK (CRATES.md F1), the KTRI builder knows only PKCS#1 v1.5, there is no
//! AuthEnvelopedData builder, and the builders take synchronous primitives where ours come from
//! an async [`Provider`].

use cms::content_info::CmsVersion;
use cms::enveloped_data::{
    KeyAgreeRecipientIdentifier, KeyAgreeRecipientInfo, KeyTransRecipientInfo,
    OriginatorIdentifierOrKey, OriginatorPublicKey, RecipientEncryptedKey, RecipientIdentifier,
    RecipientInfo, RecipientKeyIdentifier,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5753, rfc5911, rfc5912, rfc8410};
use der::asn1::{BitString, OctetString};
use der::{Any, Decode, Encode, Sequence};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::provider::{EcdhCurve, KeyTransport, OaepDigest, Provider, RsaDecryption};

/// id-RSAES-OAEP (RFC 8017).
pub(crate) const ID_RSAES_OAEP: ObjectIdentifier = rfc5912::ID_RSAES_OAEP;
/// id-mgf1.
const ID_MGF1: ObjectIdentifier = rfc5912::ID_MGF_1;
/// id-pSpecified.
const ID_P_SPECIFIED: ObjectIdentifier = rfc5912::ID_P_SPECIFIED;
/// des-ede3-cbc (read only).
pub(crate) const DES_EDE3_CBC: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
/// AES-192-GCM (read only: we write 128 and 256).
pub(crate) const ID_AES_192_GCM: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.26");
/// dhSinglePass-stdDH-sha1kdf-scheme (RFC 3278 / 5753).
const STD_DH_SHA1KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.133.16.840.63.0.2");
/// dhSinglePass-stdDH-sha224kdf-scheme.
const STD_DH_SHA224KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.1.11.0");
/// dhSinglePass-stdDH-sha256kdf-scheme.
const STD_DH_SHA256KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.1.11.1");
/// dhSinglePass-stdDH-sha384kdf-scheme.
const STD_DH_SHA384KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.1.11.2");
/// dhSinglePass-stdDH-sha512kdf-scheme.
const STD_DH_SHA512KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.1.11.3");
/// dhSinglePass-stdDH-hkdf-sha256-scheme (RFC 8418).
const STD_DH_HKDF_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.19");
/// dhSinglePass-stdDH-hkdf-sha384-scheme (RFC 8418).
const STD_DH_HKDF_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.20");
/// dhSinglePass-stdDH-hkdf-sha512-scheme (RFC 8418).
const STD_DH_HKDF_SHA512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.21");

// Keep the imported db modules used (the OIDs above are spelled out for readability).
const _: ObjectIdentifier = rfc5753::DH_SINGLE_PASS_STD_DH_SHA_256_KDF_SCHEME;

/// GCMParameters (RFC 5084 §3.2): `aes-ICVlen` defaults to 12, so a 16-byte tag is written.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct GcmParameters {
    /// The nonce (12 bytes written).
    pub nonce: OctetString,
    /// The tag length in bytes.
    #[asn1(default = "default_icv_len")]
    pub icv_len: u8,
}

fn default_icv_len() -> u8 {
    12
}

/// ECC-CMS-SharedInfo (RFC 5753 §7.2), the KDF input for KARI.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EccCmsSharedInfo {
    key_info: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    entity_u_info: Option<OctetString>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    supp_pub_info: OctetString,
}

/// The KDF of a key-agreement scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kdf {
    /// ANSI X9.63 with the digest (RFC 5753).
    X963(OaepDigest),
    /// HKDF with the digest (RFC 8418).
    Hkdf(OaepDigest),
}

impl Kdf {
    /// The KDF for a keyEncryptionAlgorithm OID of a KARI.
    pub(crate) fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        Some(match oid {
            o if o == STD_DH_SHA1KDF => Kdf::X963(OaepDigest::Sha1),
            o if o == STD_DH_SHA224KDF => Kdf::X963(OaepDigest::Sha224),
            o if o == STD_DH_SHA256KDF => Kdf::X963(OaepDigest::Sha256),
            o if o == STD_DH_SHA384KDF => Kdf::X963(OaepDigest::Sha384),
            o if o == STD_DH_SHA512KDF => Kdf::X963(OaepDigest::Sha512),
            o if o == STD_DH_HKDF_SHA256 => Kdf::Hkdf(OaepDigest::Sha256),
            o if o == STD_DH_HKDF_SHA384 => Kdf::Hkdf(OaepDigest::Sha384),
            o if o == STD_DH_HKDF_SHA512 => Kdf::Hkdf(OaepDigest::Sha512),
            _ => return None,
        })
    }

    fn oid(self) -> ObjectIdentifier {
        match self {
            Kdf::X963(OaepDigest::Sha1) => STD_DH_SHA1KDF,
            Kdf::X963(OaepDigest::Sha224) => STD_DH_SHA224KDF,
            Kdf::X963(OaepDigest::Sha384) => STD_DH_SHA384KDF,
            Kdf::X963(OaepDigest::Sha512) => STD_DH_SHA512KDF,
            Kdf::X963(_) => STD_DH_SHA256KDF,
            Kdf::Hkdf(OaepDigest::Sha384) => STD_DH_HKDF_SHA384,
            Kdf::Hkdf(OaepDigest::Sha512) => STD_DH_HKDF_SHA512,
            Kdf::Hkdf(_) => STD_DH_HKDF_SHA256,
        }
    }

    /// `sha256kdf`, `hkdf-sha256`, ... for key-management names.
    pub(crate) fn name(self) -> String {
        match self {
            Kdf::X963(d) => format!("{}kdf", d.name()),
            Kdf::Hkdf(d) => format!("hkdf-{}", d.name()),
        }
    }

    /// Derives `len` bytes from the shared secret `z` and the DER SharedInfo.
    fn derive(
        self,
        z: &[u8],
        shared_info: &[u8],
        salt: Option<&[u8]>,
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            Kdf::X963(d) => Ok(match d {
                OaepDigest::Sha1 => x963::<sha1::Sha1>(z, shared_info, len),
                OaepDigest::Sha224 => x963::<sha2::Sha224>(z, shared_info, len),
                OaepDigest::Sha256 => x963::<sha2::Sha256>(z, shared_info, len),
                OaepDigest::Sha384 => x963::<sha2::Sha384>(z, shared_info, len),
                OaepDigest::Sha512 => x963::<sha2::Sha512>(z, shared_info, len),
            }),
            Kdf::Hkdf(d) => {
                let mut okm = Zeroizing::new(vec![0u8; len]);
                let r = match d {
                    OaepDigest::Sha384 => {
                        hkdf::Hkdf::<sha2::Sha384>::new(salt, z).expand(shared_info, &mut okm)
                    }
                    OaepDigest::Sha512 => {
                        hkdf::Hkdf::<sha2::Sha512>::new(salt, z).expand(shared_info, &mut okm)
                    }
                    _ => hkdf::Hkdf::<sha2::Sha256>::new(salt, z).expand(shared_info, &mut okm),
                };
                r.map_err(|_| Error::DecryptionFailed)?;
                Ok(okm)
            }
        }
    }
}

/// ANSI X9.63 KDF: Hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, ... (SEC 1 §3.6.1).
fn x963<D: Digest>(z: &[u8], shared_info: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 64));
    let mut counter: u32 = 1;
    while out.len() < len {
        let mut h = D::new();
        h.update(z);
        h.update(counter.to_be_bytes());
        h.update(shared_info);
        out.extend_from_slice(&h.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// The AES key-wrap algorithm OID for a KEK length, and back.
fn wrap_oid(kek_len: usize) -> ObjectIdentifier {
    match kek_len {
        16 => rfc5911::ID_AES_128_WRAP,
        24 => rfc5911::ID_AES_192_WRAP,
        _ => rfc5911::ID_AES_256_WRAP,
    }
}

fn wrap_kek_len(oid: ObjectIdentifier) -> Option<usize> {
    match oid {
        o if o == rfc5911::ID_AES_128_WRAP => Some(16),
        o if o == rfc5911::ID_AES_192_WRAP => Some(24),
        o if o == rfc5911::ID_AES_256_WRAP => Some(32),
        _ => None,
    }
}

/// The DER SharedInfo for a wrap algorithm and KEK length.
fn shared_info(
    wrap: &AlgorithmIdentifierOwned,
    ukm: Option<&[u8]>,
    kek_len: usize,
) -> Result<Vec<u8>> {
    let bits = u32::try_from(kek_len * 8).map_err(|_| Error::DecryptionFailed)?;
    let info = EccCmsSharedInfo {
        key_info: AlgorithmIdentifierOwned {
            oid: wrap.oid,
            parameters: None,
        },
        entity_u_info: ukm.map(OctetString::new).transpose()?,
        supp_pub_info: OctetString::new(bits.to_be_bytes().to_vec())?,
    };
    Ok(info.to_der()?)
}

/// AlgorithmIdentifier with absent parameters.
fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// How a recipient is identified in what we write.
pub(crate) enum Rid {
    /// IssuerAndSerialNumber of the certificate.
    IssuerSerial(cms::cert::IssuerAndSerialNumber),
    /// The certificate's subjectKeyIdentifier.
    SubjectKeyId(Vec<u8>),
}

/// RSAES-OAEP-params for SHA-256 / MGF1-SHA-256 / empty label (RFC 4055 §4.1).
fn oaep_sha256_alg() -> Result<AlgorithmIdentifierOwned> {
    let params = pkcs1::RsaOaepParamsRef::new::<sha2::Sha256>();
    let der = params.to_der()?;
    Ok(AlgorithmIdentifierOwned {
        oid: ID_RSAES_OAEP,
        parameters: Some(Any::from_der(&der)?),
    })
}

/// A KeyTransRecipientInfo: the CEK encrypted to an RSA key.
pub(crate) async fn ktri<P: Provider>(
    provider: &P,
    spki: &[u8],
    transport: KeyTransport,
    rid: Rid,
    cek: &[u8],
) -> Result<RecipientInfo> {
    let enc_key = provider.rsa_encrypt(spki, transport, cek).await?;
    let key_enc_alg = match transport {
        KeyTransport::RsaPkcs1v15 => AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        KeyTransport::RsaOaep => oaep_sha256_alg()?,
    };
    let (version, rid) = match rid {
        Rid::IssuerSerial(ias) => (
            CmsVersion::V0,
            RecipientIdentifier::IssuerAndSerialNumber(ias),
        ),
        Rid::SubjectKeyId(ski) => (
            CmsVersion::V2,
            RecipientIdentifier::SubjectKeyIdentifier(x509_cert::ext::pkix::SubjectKeyIdentifier(
                OctetString::new(ski)?,
            )),
        ),
    };
    Ok(RecipientInfo::Ktri(KeyTransRecipientInfo {
        version,
        rid,
        key_enc_alg,
        enc_key: OctetString::new(enc_key)?,
    }))
}

/// The KDF and wrap used for a curve when writing (RFC 5753 + RFC 8551 §2.2; RFC 8418).
fn write_scheme(curve: EcdhCurve) -> (Kdf, usize) {
    match curve {
        EcdhCurve::P256 => (Kdf::X963(OaepDigest::Sha256), 16),
        EcdhCurve::P384 => (Kdf::X963(OaepDigest::Sha384), 32),
        EcdhCurve::X25519 => (Kdf::Hkdf(OaepDigest::Sha256), 16),
    }
}

/// The key-management name of what [`kari`] writes for a curve.
pub(crate) fn kari_name(curve: EcdhCurve, kdf: Kdf, kek_len: usize) -> String {
    let c = match curve {
        EcdhCurve::P256 => "ecdh-p256",
        EcdhCurve::P384 => "ecdh-p384",
        EcdhCurve::X25519 => "x25519",
    };
    format!("{c}-{}-aes{}wrap", kdf.name(), kek_len * 8)
}

/// A KeyAgreeRecipientInfo (ephemeral-static ECDH, one recipient): a fresh ephemeral key, the
/// KEK from the KDF over ECC-CMS-SharedInfo, the CEK AES-wrapped under it.
pub(crate) async fn kari<P: Provider>(
    provider: &P,
    curve: EcdhCurve,
    recipient_public: &[u8],
    rid: Rid,
    cek: &[u8],
) -> Result<RecipientInfo> {
    let (kdf, kek_len) = write_scheme(curve);
    let (ephemeral, z) = provider.ecdh_ephemeral(curve, recipient_public).await?;
    let wrap = alg(wrap_oid(kek_len));
    let info = shared_info(&wrap, None, kek_len)?;
    let kek = kdf.derive(&z, &info, None, kek_len)?;
    let wrapped = provider.wrap_key(&kek, cek).await?;
    let originator_alg = match curve {
        EcdhCurve::X25519 => alg(rfc8410::ID_X_25519),
        EcdhCurve::P256 | EcdhCurve::P384 => alg(rfc5912::ID_EC_PUBLIC_KEY),
    };
    let rid = match rid {
        Rid::IssuerSerial(ias) => KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(ias),
        Rid::SubjectKeyId(ski) => KeyAgreeRecipientIdentifier::RKeyId(RecipientKeyIdentifier {
            subject_key_identifier: x509_cert::ext::pkix::SubjectKeyIdentifier(OctetString::new(
                ski,
            )?),
            date: None,
            other: None,
        }),
    };
    Ok(RecipientInfo::Kari(KeyAgreeRecipientInfo {
        version: CmsVersion::V3,
        originator: OriginatorIdentifierOrKey::OriginatorKey(OriginatorPublicKey {
            algorithm: originator_alg,
            public_key: BitString::from_bytes(&ephemeral)?,
        }),
        ukm: None,
        key_enc_alg: AlgorithmIdentifierOwned {
            oid: kdf.oid(),
            parameters: Some(Any::encode_from(&wrap)?),
        },
        recipient_enc_keys: vec![RecipientEncryptedKey {
            rid,
            enc_key: OctetString::new(wrapped)?,
        }],
    }))
}

/// Reads the RSA scheme of a KTRI's keyEncryptionAlgorithm, with its key-management name.
pub(crate) fn ktri_scheme(
    key_enc_alg: &AlgorithmIdentifierOwned,
) -> Result<(RsaDecryption, String)> {
    if key_enc_alg.oid == rfc5912::RSA_ENCRYPTION {
        return Ok((RsaDecryption::Pkcs1v15, "rsa-pkcs1v15".into()));
    }
    if key_enc_alg.oid != ID_RSAES_OAEP {
        return Err(Error::UnsupportedAlgorithm(format!(
            "key transport {}",
            crate::identity::oid_name(key_enc_alg.oid)
        )));
    }
    let params = match &key_enc_alg.parameters {
        None => pkcs1::RsaOaepParamsOwned::default(),
        Some(p) if p.is_null() => pkcs1::RsaOaepParamsOwned::default(),
        Some(p) => pkcs1::RsaOaepParamsOwned::from_der(&p.to_der()?)
            .map_err(|e| Error::MalformedCms(format!("RSAES-OAEP-params: {e}")))?,
    };
    let unsupported = |what: String| Error::UnsupportedAlgorithm(format!("RSAES-OAEP {what}"));
    let digest = OaepDigest::from_oid(params.hash.oid)
        .ok_or_else(|| unsupported(format!("hash {}", params.hash.oid)))?;
    if params.mask_gen.oid != ID_MGF1 {
        return Err(unsupported(format!(
            "mask generation {}",
            params.mask_gen.oid
        )));
    }
    let mgf1_digest = params
        .mask_gen
        .parameters
        .as_ref()
        .and_then(|a| OaepDigest::from_oid(a.oid))
        .ok_or_else(|| unsupported("MGF1 hash".into()))?;
    if params.p_source.oid != ID_P_SPECIFIED {
        return Err(unsupported(format!("label source {}", params.p_source.oid)));
    }
    let label = match &params.p_source.parameters {
        None => Vec::new(),
        Some(a) => a
            .decode_as::<OctetString>()
            .map_err(|e| Error::MalformedCms(format!("RSAES-OAEP label: {e}")))?
            .into_bytes()
            .into_vec(),
    };
    let name = if digest == mgf1_digest {
        format!("rsa-oaep-{}", digest.name())
    } else {
        format!("rsa-oaep-{}-mgf1-{}", digest.name(), mgf1_digest.name())
    };
    Ok((
        RsaDecryption::Oaep {
            digest,
            mgf1_digest,
            label,
        },
        name,
    ))
}

/// What a KARI says about its key agreement: the KDF, the wrap algorithm and KEK length.
pub(crate) struct KariScheme {
    /// The KDF.
    pub kdf: Kdf,
    /// The key-wrap AlgorithmIdentifier (from the parameters).
    pub wrap: AlgorithmIdentifierOwned,
    /// The KEK length in bytes.
    pub kek_len: usize,
}

/// Reads a KARI's keyEncryptionAlgorithm.
pub(crate) fn kari_scheme(key_enc_alg: &AlgorithmIdentifierOwned) -> Result<KariScheme> {
    let kdf = Kdf::from_oid(key_enc_alg.oid).ok_or_else(|| {
        Error::UnsupportedAlgorithm(format!(
            "key agreement {}",
            crate::identity::oid_name(key_enc_alg.oid)
        ))
    })?;
    let wrap: AlgorithmIdentifierOwned = key_enc_alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::MalformedCms("key agreement without a key-wrap algorithm".into()))?
        .decode_as()
        .map_err(|e| Error::MalformedCms(format!("key-wrap algorithm: {e}")))?;
    let kek_len = wrap_kek_len(wrap.oid).ok_or_else(|| {
        Error::UnsupportedAlgorithm(format!("key wrap {}", crate::identity::oid_name(wrap.oid)))
    })?;
    Ok(KariScheme { kdf, wrap, kek_len })
}

/// Recovers the CEK of a KARI for our key: ECDH with the originator's key, the KDF, unwrap.
/// Every failure is [`Error::DecryptionFailed`].
pub(crate) async fn kari_unwrap<P: Provider>(
    provider: &P,
    key: &crate::identity::PrivateKey,
    originator_public: &[u8],
    ukm: Option<&[u8]>,
    scheme: &KariScheme,
    wrapped: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let z = provider.ecdh(key, originator_public).await?;
    let info = shared_info(&scheme.wrap, ukm, scheme.kek_len)?;
    let kek = scheme.kdf.derive(&z, &info, ukm, scheme.kek_len)?;
    match provider.unwrap_key(&kek, wrapped).await {
        Ok(cek) => Ok(cek),
        // RFC 8418 leaves open whether the ukm is also the HKDF salt; the kit's Bouncy Castle code
        // and cryptostore use it, bc-java's later code does not: try both.
        Err(_) if ukm.is_some() && matches!(scheme.kdf, Kdf::Hkdf(_)) => {
            let kek = scheme.kdf.derive(&z, &info, None, scheme.kek_len)?;
            provider.unwrap_key(&kek, wrapped).await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// X9.63: Hash(Z ‖ counter ‖ SharedInfo) with a 32-bit big-endian counter starting at 1
    /// (SEC 1 §3.6.1), truncated to the asked length.
    #[test]
    fn x963_counter_starts_at_one() {
        let z = [0x11u8; 20];
        let a = x963::<sha2::Sha256>(&z, b"info", 40);
        let mut h = sha2::Sha256::new();
        h.update(z);
        h.update(1u32.to_be_bytes());
        h.update(b"info");
        assert_eq!(&a[..32], h.finalize().as_slice());
        let mut h = sha2::Sha256::new();
        h.update(z);
        h.update(2u32.to_be_bytes());
        h.update(b"info");
        assert_eq!(&a[32..], &h.finalize()[..8]);
    }

    #[test]
    fn gcm_parameters_write_the_tag_length() {
        let p = GcmParameters {
            nonce: OctetString::new(vec![7u8; 12]).expect("octets"),
            icv_len: 16,
        };
        let der = p.to_der().expect("encode");
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x10]);
        let d = GcmParameters::from_der(&[0x30, 0x05, 0x04, 0x03, 1, 2, 3]).expect("decode");
        assert_eq!(d.icv_len, 12);
    }

    #[test]
    fn shared_info_is_rfc5753_form() {
        let der = shared_info(&alg(rfc5911::ID_AES_128_WRAP), None, 16).expect("encode");
        // SEQUENCE { SEQUENCE { OID aes128-wrap } [2] { OCTET STRING 00 00 00 80 } }
        assert_eq!(
            der,
            [
                0x30, 0x15, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01,
                0x05, 0xa2, 0x06, 0x04, 0x04, 0x00, 0x00, 0x00, 0x80
            ]
        );
    }
}
