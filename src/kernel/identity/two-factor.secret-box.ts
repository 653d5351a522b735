/**
 * Encryption of TOTP secrets at rest: AES-256-GCM with a key derived by HKDF-SHA256 from
 * IDENTITY_TOTP_KEY (else TOKEN_SECRET) under a label of its own, so it is never the access-token
 * key. Sealed form: key version (1 byte) | nonce (12) | ciphertext | tag (16); the additional data
 * (the user id) binds a ciphertext to its row.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const version = 1;
const nonceLength = 12;
const tagLength = 16;

/** A 32-byte key for one purpose, derived from configured key material. */
export function deriveKey(material: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.from('tenantry identity'), Buffer.from(purpose), 32));
}

export function createSecretBox(material: string) {
  const key = deriveKey(material, `totp secret v${version}`);
  return {
    seal(plaintext: Buffer, additionalData: string): Buffer {
      const nonce = randomBytes(nonceLength);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagLength });
      cipher.setAAD(Buffer.from(additionalData));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.from([version]), nonce, body, cipher.getAuthTag()]);
    },
    /** Throws when the sealed value was altered, moved to another row, or sealed with another key. */
    open(sealed: Buffer, additionalData: string): Buffer {
      if (sealed.length < 1 + nonceLength + tagLength + 1 || sealed[0] !== version) throw new Error('unknown sealed secret format');
      const nonce = sealed.subarray(1, 1 + nonceLength);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: tagLength });
      decipher.setAAD(Buffer.from(additionalData));
      decipher.setAuthTag(sealed.subarray(sealed.length - tagLength));
      return Buffer.concat([decipher.update(sealed.subarray(1 + nonceLength, sealed.length - tagLength)), decipher.final()]);
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;
