import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { Env } from './config';

/** TLS settings for Temporal connections, from the certificate files the environment names. */
export function temporalTls(env: Env): TLSConfig | undefined {
  if (!env.TEMPORAL_TLS_CERT && !env.TEMPORAL_TLS_CA) return undefined;
  const read = (file: string | undefined, name: string): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch {
      throw new Error(`${name}: cannot read "${file}"; point it at a PEM file`);
    }
  };
  const crt = read(env.TEMPORAL_TLS_CERT, 'TEMPORAL_TLS_CERT');
  const key = read(env.TEMPORAL_TLS_KEY, 'TEMPORAL_TLS_KEY');
  return {
    serverRootCACertificate: read(env.TEMPORAL_TLS_CA, 'TEMPORAL_TLS_CA'),
    clientCertPair: crt && key ? { crt, key } : undefined,
  };
}
