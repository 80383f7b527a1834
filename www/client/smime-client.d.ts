// Types of smime-wasm/client (www/client/smime-client.js). Certificates cross the worker boundary as
// plain descriptions (CertificateInfo), identities as ids (IdentityInfo.id).
import type {
  ComposeFields, EncryptOptions, Pkcs12ExportOptions, SignOptions, TestCaOptions,
} from '../../pkg/smime_wasm.js';

export type Bytes = Uint8Array | ArrayBuffer;
/** A certificate input: PEM text, DER bytes, or a CertificateInfo (its `pem` is used). */
export type CertificateInput = string | Bytes | CertificateInfo;

export interface CallOptions {
  /** Aborting rejects the pending call with a SmimeError of code 'ABORTED' (the worker's answer is dropped). */
  signal?: AbortSignal;
  /** Phases: 'reading' (a Blob input is read in the worker), 'started', 'done'. */
  onProgress?: (progress: { phase: 'reading' | 'started' | 'done'; bytes?: number }) => void;
  /** Transfer the ArrayBuffers of data / message / detachedContent to the worker (default true: the caller's buffer becomes detached). */
  transfer?: boolean;
  /** 'blob': a byte result is returned as a Blob built in the worker (no main-thread copy). */
  resultAs?: 'bytes' | 'blob';
}

export interface CertificateInfo {
  pem: string; subject: string; issuer: string; emails: string[]; fingerprintSha256: string;
  notBefore: Date; notAfter: Date; keyAlgorithm: string; keySize: number | null; curve: string | null;
  keyUsage: string[]; extendedKeyUsage: string[]; smimeCapabilities: string[]; isCa: boolean; isSelfSigned: boolean;
}

export interface IdentityInfo {
  id: string;
  certificate: CertificateInfo;
  chain: CertificateInfo[];
  encryptionCertificate: CertificateInfo | null;
  keyAlgorithm: string;
  hasEncryptionKey: boolean;
  friendlyName: string | null;
}

type Data = Bytes | Blob | string;
type Enc = Omit<EncryptOptions, 'identity'> & { identity?: string };

export interface OpenedSignerInfo {
  certificate: CertificateInfo | null; chain: CertificateInfo[]; email: string | null; emailMatchesFrom: boolean;
  signatureValid: boolean; trusted: boolean; trustAnchor: CertificateInfo | null; signingTime: Date | null;
  digest: string; signatureAlgorithm: string; capabilities: string[]; encryptionCertificate: CertificateInfo | null;
  problems: string[];
}
export type OpenedLayerInfo =
  | { type: 'signed'; detached: boolean; lineEndsConverted: boolean; signers: OpenedSignerInfo[] }
  | { type: 'encrypted'; decrypted: boolean; cipher: string; keyManagement: string | null; authenticated: boolean;
      recipients: { keyManagement: string; issuer: string | null; serialNumber: string | null; subjectKeyIdentifier: string | null }[] }
  | { type: 'certificates' };

export class SmimeError extends Error {
  readonly name: 'SmimeError';
  /** A core error code (errorCodes()) or one of CLIENT_ERROR_CODES. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown });
}

export const CLIENT_ERROR_CODES: Record<'ABORTED' | 'UNKNOWN_IDENTITY' | 'WORKER_FAILED' | 'KEYRING_FAILURE' | 'NOT_FOUND', string>;
export const METHODS: Record<string, string[]>;

export class SmimeClient {
  /** Starts the dedicated Worker and instantiates the wasm module in it. */
  static start(options?: { worker?: Worker | MessagePort }): Promise<SmimeClient>;
  importPkcs12(o: { data: Data; password?: string } & CallOptions): Promise<IdentityInfo>;
  importPem(o: { key: string | Bytes; certificates: string | Bytes | (string | Bytes)[]; passphrase?: string } & CallOptions): Promise<IdentityInfo>;
  generateTestCa(o?: TestCaOptions & CallOptions): Promise<IdentityInfo>;
  generateTestIdentity(o: { email: string; name?: string; keyType?: TestCaOptions['keyType']; issuer?: string; validDays?: number } & CallOptions): Promise<IdentityInfo>;
  /** The only call that returns key material: a .p12 encrypted with `password`. */
  exportPkcs12(o: { identity: string; password: string } & Pkcs12ExportOptions & CallOptions): Promise<Uint8Array>;
  forget(o: { identity: string } & CallOptions): Promise<boolean>;
  identities(o?: CallOptions): Promise<IdentityInfo[]>;
  describeCertificates(o: { data: string | Bytes } & CallOptions): Promise<CertificateInfo[]>;
  compose(o: ComposeFields & CallOptions): Promise<Uint8Array>;
  sign(o: { identity: string; message: Data } & SignOptions & CallOptions): Promise<Uint8Array>;
  encrypt(o: { message: Data; recipients: CertificateInput | CertificateInput[] } & Enc & CallOptions): Promise<Uint8Array>;
  signAndEncrypt(o: { identity: string; message: Data; recipients: CertificateInput | CertificateInput[] } & Omit<Enc, 'identity'> & Omit<SignOptions, 'headerProtection'> & CallOptions): Promise<Uint8Array>;
  planEncryption(o: { recipients: CertificateInput | CertificateInput[] } & Enc & CallOptions): Promise<{
    cipher: string; cipherReason: string;
    recipients: { certificate: CertificateInfo; keyManagement: string; isSelf: boolean; reason: string }[];
  }>;
  encryptFile(o: { data: Data; recipients: CertificateInput | CertificateInput[] } & Enc & CallOptions): Promise<Uint8Array | Blob>;
  decryptFile(o: { data: Data; identity: string; provider?: 'auto' | 'webcrypto' | 'rustcrypto' } & CallOptions): Promise<{ content: Uint8Array; cipher: string; keyManagement: string; authenticated: boolean }>;
  open(o: { message: Data; identity?: string; trust?: CertificateInput | CertificateInput[]; intermediates?: CertificateInput | CertificateInput[];
    at?: Date | number; detachedContent?: Data; provider?: 'auto' | 'webcrypto' | 'rustcrypto' } & CallOptions): Promise<{
    content: Uint8Array;
    headers: { fields: { name: string; value: string }[]; mode: string | null; protected: string[]; obscuredOutside: string[]; unprotected: string[] };
    layers: OpenedLayerInfo[]; signers: OpenedSignerInfo[]; certificates: CertificateInfo[];
  }>;
  extractCertificates(o: { message: Data } & CallOptions): Promise<{
    certificate: CertificateInfo; chain: CertificateInfo[]; email: string | null; capabilities: string[];
    encryptionCertificate: CertificateInfo | null; signatureValid: boolean;
  }[]>;
  /** Any method by name (the typed methods above call this). */
  call(method: string, options?: object): Promise<unknown>;
  /** Stops the worker: unlocked identities are gone. */
  terminate(): void;
}
