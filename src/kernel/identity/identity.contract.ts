/**
 * Identity owns users (global identities), their memberships in tenants, sessions and tokens.
 * Glossary: session = one login bound to one tenant, revocable server-side; family = the chain of
 * refresh tokens of one session (reusing a rotated one revokes the session); access token = a
 * short-lived JWT naming user (sub), tenant (tid), session (sid) and roles; refresh token = an
 * opaque rotating secret, stored only as a SHA-256 hash.
 */

export interface User {
  id: string;
  email: string;
  emailVerifiedAt: string | null;
  name: string;
  locale: string;
  createdAt: string;
}

export interface Membership {
  tenantId: string;
  userId: string;
  role: string;
}

export interface SessionInfo {
  id: string;
  tenantId: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  tenantId: string;
  sessionId: string;
}

/** A tenant the signed-in user is a member of, for a tenant picker (then POST /v1/auth/switch-tenant). */
export interface MemberTenant {
  id: string;
  slug: string;
  name: string;
  /** The user's role there. */
  role: string;
  /** The tenant of the session asking. */
  current: boolean;
}

/** Where a request comes from: kept on the session, used for throttling. */
export interface ClientInfo {
  ip: string;
  userAgent?: string | undefined;
  /** The request id (problem traceId), carried into audit events. */
  requestId?: string | undefined;
}

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  locale?: string;
  tenant: { slug: string; name: string };
}

export interface LoginInput {
  email: string;
  password: string;
  /** Tenant slug or id; without it, the user's default tenant. */
  tenant?: string;
}

/** Who a valid, live access token acts as. */
export interface Authenticated {
  tenantId: string;
  userId: string;
  sessionId: string;
  roles: string[];
  /** Where the request comes from (routes set it), for audit events. */
  client?: ClientInfo;
}

/** What kernel/http needs to turn a bearer token into a principal (see HttpDependencies). */
export interface BearerAuthenticator {
  authenticate(token: string): Promise<Authenticated>;
}

export interface IdentityService extends BearerAuthenticator {
  /** Creates tenant, user and owner membership in one transaction. Answers alike for a known e-mail. */
  signUp(input: SignUpInput, client: ClientInfo): Promise<{ status: 'accepted' }>;
  login(input: LoginInput, client: ClientInfo): Promise<TokenPair>;
  refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair>;
  logout(principal: Authenticated): Promise<void>;
  listSessions(principal: Authenticated): Promise<SessionInfo[]>;
  revokeSession(principal: Authenticated, sessionId: string): Promise<void>;
  switchTenant(principal: Authenticated, tenant: string, client: ClientInfo): Promise<TokenPair>;
  /** The active tenants the user is a member of (each membership read under that tenant's RLS), by name. */
  listTenants(principal: Authenticated): Promise<MemberTenant[]>;
  /** Adds (or changes) a user's membership in a tenant; for invitations and admin routes. */
  addMembership(membership: Membership): Promise<void>;
}
