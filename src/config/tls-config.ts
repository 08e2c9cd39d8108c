import { z } from 'zod';

// HTTPS termination in the proxy itself. Unset: plain HTTP (behind a TLS-terminating ingress or on loopback).

export const tlsSchema = z
  .object({
    /** PEM certificate chain and private key; both or neither. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** PEM CA bundle: when set, clients must present a certificate it signed (mutual TLS). */
    caFile: z.string().min(1).optional(),
    /** TLS 1.3 only unless the operator allows 1.2 for older clients. */
    minVersion: z.enum(['TLSv1.3', 'TLSv1.2']).default('TLSv1.3'),
    /** How often the certificate files are checked for changes (they are also reloaded on SIGHUP). */
    watchIntervalMs: z.coerce.number().int().positive().default(1_000),
  })
  .strict()
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
    message: 'TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither',
    path: ['certFile'],
  })
  .refine((tls) => tls.caFile === undefined || tls.certFile !== undefined, {
    message: 'TLS_CA_FILE (client certificates) needs TLS_CERT_FILE and TLS_KEY_FILE',
    path: ['caFile'],
  });

export type TlsConfig = z.infer<typeof tlsSchema>;
