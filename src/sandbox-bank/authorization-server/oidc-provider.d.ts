/**
 * The part of oidc-provider v9 the sandbox banks use. The package ships no types and we add no
 * dependency for them; shapes follow `node_modules/oidc-provider/lib` (provider.js, models/,
 * helpers/defaults.js documents the configuration). Configuration itself stays loosely typed:
 * it is one object literal in provider.ts, checked by oidc-provider when the Provider is built.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** Koa's context as oidc-provider extends it; only what our hooks read. */
  export interface KoaContextWithOIDC {
    req: IncomingMessage;
    res: ServerResponse;
    socket: import('node:net').Socket;
    status: number;
    body: unknown;
    path: string;
    method: string;
    /** Sets a response header. */
    set(name: string, value: string): void;
    response: { get(name: string): string };
    oidc: {
      route: string;
      params?: Record<string, unknown>;
      client?: { clientId: string };
      entities: Record<string, any>;
      provider: Provider;
      claims: Record<string, any>;
    };
  }

  /** Artifacts found through the models: tokens carry their payload as properties. */
  export interface TokenArtifact {
    jti: string;
    accountId?: string;
    clientId: string;
    grantId?: string;
    scope?: string;
    exp: number;
    iat: number;
    claims?: Record<string, any>;
    extra?: Record<string, unknown>;
    'x5t#S256'?: string;
    isExpired: boolean;
  }

  export interface Interaction {
    uid: string;
    jti: string;
    exp: number;
    returnTo: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, any>;
    result?: Record<string, unknown>;
    session?: { accountId?: string; uid?: string };
    save(ttlSeconds: number): Promise<string>;
  }

  export interface Grant {
    jti: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    getResourceScope(resource: string): string;
    addOIDCClaims(claims: string[]): void;
    save(ttlSeconds?: number): Promise<string>;
  }

  export interface Client {
    clientId: string;
  }

  export interface AdapterPayload extends Record<string, unknown> {
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: any[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    readonly Interaction: { find(uid: string): Promise<Interaction | undefined> };
    readonly Grant: new (init: { accountId: string; clientId: string }) => Grant;
    readonly AccessToken: { find(value: string): Promise<TokenArtifact | undefined> };
    readonly ClientCredentials: { find(value: string): Promise<TokenArtifact | undefined> };
    readonly Client: { prototype: Record<string, unknown> };
  }

  export const errors: {
    InvalidGrant: new (description?: string) => Error;
    InvalidRequestObject: new (description?: string) => Error;
    InvalidAuthorizationDetails: new (description?: string) => Error;
    InvalidRequest: new (description?: string) => Error;
    InvalidTarget: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
  };

  export default Provider;
}
