//! SignedData (RFC 5652 §5) with one signer, assembled around an async provider signature.

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode, Tag};

use super::attributes::{
    SignedAttributeValues, algorithm, issuer_and_serial, signature_algorithm, signed_attributes,
};
use crate::certificate::Certificate;
use crate::error::{Error, Result};
use crate::identity::PrivateKey;
use crate::provider::{Provider, SignatureScheme};

/// Everything about the one signer of a SignedData.
pub(crate) struct Signer<'a> {
    pub key: &'a PrivateKey,
    pub certificate: &'a Certificate,
    /// Certificates to carry in the SignedData (the signer's own is always included).
    pub extra_certificates: Vec<&'a Certificate>,
    pub encryption_certificate: Option<&'a Certificate>,
    pub scheme: SignatureScheme,
    pub signing_time: u64,
}

/// Signs `content` and returns a DER ContentInfo holding SignedData: detached (no eContent) or
/// with the content encapsulated.
pub(crate) async fn sign<P: Provider>(
    provider: &P,
    signer: &Signer<'_>,
    content: &[u8],
    detached: bool,
) -> Result<Vec<u8>> {
    let digest_algorithm = signer.scheme.digest();
    let content_digest = provider.digest(digest_algorithm, content).await?;
    let signed_attrs = signed_attributes(&SignedAttributeValues {
        content_digest: &content_digest,
        signing_time: signer.signing_time,
        signer: signer.certificate,
        encryption_certificate: signer.encryption_certificate,
    })?;
    // RFC 5652 §5.4: the signature covers the DER encoding of the SET OF attributes (tag 0x31),
    // not the [0] IMPLICIT form that appears in the SignerInfo.
    let to_be_signed = signed_attrs.to_der()?;
    let signature = provider
        .sign(signer.key, signer.scheme, &to_be_signed)
        .await?;

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(issuer_and_serial(signer.certificate)),
        digest_alg: algorithm(digest_algorithm.oid()),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signature_algorithm(signer.scheme)?,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };

    let mut certificates = vec![CertificateChoices::Certificate(
        signer.certificate.x509().clone(),
    )];
    for cert in signer
        .extra_certificates
        .iter()
        .chain(signer.encryption_certificate.iter())
    {
        let choice = CertificateChoices::Certificate(cert.x509().clone());
        if !certificates.contains(&choice) {
            certificates.push(choice);
        }
    }

    let econtent = if detached {
        None
    } else {
        Some(Any::new(Tag::OctetString, content.to_vec())?)
    };
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm(digest_algorithm.oid())])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certificates)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
    };
    let info = ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    info.to_der().map_err(|e| Error::Encoding(e.to_string()))
}
