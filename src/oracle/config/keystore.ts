/**
 * The encrypted keystore: the oracle's secrets (signer keys, the submitter key, per-platform
 * HMAC secrets) in one JSON file, encrypted with AES-256-GCM under a key derived from a
 * password with scrypt (node:crypto only). The GCM tag authenticates the whole content, so a
 * wrong password or a tampered file fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

import { z } from "zod";

import { ConfigError } from "../errors.js";

const KEYSTORE_VERSION = 1;
/** scrypt cost: 2^15 (as geth's "light" keystore); about 100 ms and 32 MiB per open. */
const SCRYPT_N = 1 << 15;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;

const hex = z.string().regex(/^[0-9a-f]*$/);

const keystoreFileSchema = z.strictObject({
  version: z.literal(KEYSTORE_VERSION),
  kdf: z.literal("scrypt"),
  kdfparams: z.strictObject({ n: z.number().int(), r: z.number().int(), p: z.number().int(), salt: hex }),
  cipher: z.literal("aes-256-gcm"),
  iv: hex,
  tag: hex,
  ciphertext: hex,
});

export type KeystoreFile = z.infer<typeof keystoreFileSchema>;

const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex private key");

/** What a keystore holds. */
export const keystoreContentSchema = z.strictObject({
  signerKeys: z.array(privateKey).min(1).optional(),
  submitterKey: privateKey.optional(),
  platformSecrets: z.record(z.string(), z.string().min(16)).optional(),
});

export type KeystoreContent = z.infer<typeof keystoreContentSchema>;

function deriveKey(password: string, salt: Buffer, n: number, r: number, p: number): Buffer {
  return scryptSync(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r });
}

export interface EncryptKeystoreParameters {
  content: KeystoreContent;
  password: string;
}

/** Encrypts `content` under `password`. */
export function encryptKeystore({ content, password }: EncryptKeystoreParameters): KeystoreFile {
  const salt = randomBytes(32);
  const iv = randomBytes(12);
  const key = deriveKey(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const plaintext = Buffer.from(JSON.stringify(keystoreContentSchema.parse(content)), "utf8");
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    version: KEYSTORE_VERSION,
    kdf: "scrypt",
    kdfparams: { n: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, salt: salt.toString("hex") },
    cipher: "aes-256-gcm",
    iv: iv.toString("hex"),
    tag: cipher.getAuthTag().toString("hex"),
    ciphertext: ciphertext.toString("hex"),
  };
}

export interface DecryptKeystoreParameters {
  file: unknown;
  password: string;
}

/** Opens a keystore; throws a {@link ConfigError} on a wrong password or a damaged file. */
export function decryptKeystore({ file, password }: DecryptKeystoreParameters): KeystoreContent {
  const parsed = keystoreFileSchema.safeParse(file);
  if (!parsed.success) throw new ConfigError("the keystore file is not a version 1 oracle keystore");
  const { kdfparams, iv, tag, ciphertext } = parsed.data;
  const key = deriveKey(password, Buffer.from(kdfparams.salt, "hex"), kdfparams.n, kdfparams.r, kdfparams.p);
  let plaintext: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "hex"));
    decipher.setAuthTag(Buffer.from(tag, "hex"));
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "hex")), decipher.final()]).toString("utf8");
  } catch {
    throw new ConfigError("cannot open the keystore: wrong password or damaged file");
  }
  return keystoreContentSchema.parse(JSON.parse(plaintext));
}
