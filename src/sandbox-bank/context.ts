import { pathParam } from './request-parts.ts';
import { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { SandboxBankProfile } from './profiles.ts';
import { CustomerCache } from './customers.ts';
import { notFound } from './errors.ts';
import { FaultCounters, type ActiveFaults, type Fault } from './faults.ts';
import type { Consent, SandboxState, StoredConsentStatus } from './state.ts';

/** What a consent reads as: the stored status, or `Expired` once its time (or a fault) says so. */
export type ConsentStatus = StoredConsentStatus | 'Expired';

/** A sandbox bank: what its data is generated from, and its FAPI profile as an ASPSP. */
export type SandboxBank = SandboxBankProfile;

/** Everything the sandbox banks' routes share; one per mounted plugin. */
export interface SandboxContext {
  state: SandboxState;
  customers: CustomerCache;
  counters: FaultCounters;
  now: () => Date;
  /** Absolute URL the plugin is mounted under, for links; the mount path itself is `prefix`. */
  baseUrl: () => string;
  /** The same on the TLS listener, e.g. `https://127.0.0.1:3443/sandbox-banks`. */
  tlsBaseUrl: () => string;
  prefix: string;
  accessTokenTtlSeconds: number;
  hangMs: number;
  /** Aborted when the server closes, so no fault keeps a request (or a timer) alive past it. */
  closing: AbortSignal;
  bank(request: FastifyRequest): SandboxBank;
  /** Bank-wide faults plus the login's own; one switched on both ways counts from the earlier switch. */
  faults(bank: string, login: string | null): ActiveFaults;
  consentStatus(consent: Consent, faults: ActiveFaults, nowMs: number): ConsentStatus;
  /** The request's URL as the client reached it. */
  publicUrl(request: FastifyRequest): string;
}

export type ContextOptions = Pick<SandboxContext, 'state' | 'now' | 'baseUrl' | 'tlsBaseUrl' | 'prefix' | 'accessTokenTtlSeconds' | 'hangMs' | 'closing'> & {
  banks: readonly SandboxBank[];
};

export function createContext(options: ContextOptions): SandboxContext {
  const banks = new Map(options.banks.map((b) => [b.identifier, b]));
  const { state } = options;
  return {
    state,
    customers: new CustomerCache(),
    counters: new FaultCounters(),
    now: options.now,
    baseUrl: options.baseUrl,
    tlsBaseUrl: options.tlsBaseUrl,
    prefix: options.prefix,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    hangMs: options.hangMs,
    closing: options.closing,
    bank(request) {
      const id = pathParam(request, 'bank');
      const bank = banks.get(id);
      if (!bank) throw notFound(`Bank ${JSON.stringify(id)}`);
      return bank;
    },
    faults(bank, login) {
      const all = new Map<Fault, number>();
      for (const switches of [state.bankFaults(bank), login === null ? {} : state.user(bank, login).faults]) {
        for (const [fault, since] of Object.entries(switches) as [Fault, number][]) all.set(fault, Math.min(since, all.get(fault) ?? since));
      }
      return all;
    },
    consentStatus(consent, faults, nowMs) {
      // Only a consent in force can die; one still awaiting authorisation can be authorised
      // whatever its expiry says, so that an already-expired consent can be set up on purpose.
      if (consent.status !== 'Authorised') return consent.status;
      if (faults.has('consent_revoked')) return 'Revoked';
      if (faults.has('consent_expired') || (consent.expiresAt !== null && Date.parse(consent.expiresAt) <= nowMs)) return 'Expired';
      return 'Authorised';
    },
    publicUrl(request) {
      return (request.raw.socket instanceof TLSSocket ? options.tlsBaseUrl() : options.baseUrl()) + request.url.slice(options.prefix.length);
    },
  };
}
