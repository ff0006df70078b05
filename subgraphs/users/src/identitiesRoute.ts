import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Database, Logger, Role, SubgraphBaseConfig } from '@fedstack/kit';
import { HttpRequestError } from '@fedstack/runtime/http/HttpRequestError';
import { readBodyBytes } from '@fedstack/runtime/http/readJsonBody';
import { NO_PASSWORD } from './auth/passwords';
import type { Revocations } from './auth/revocations';
import { refuse, signedByGateway } from '@fedstack/envelope/gatewaySigned';
import { DELETED_USERNAME } from './loaders';
import type { Models } from './models';
import { ErrorCode } from '@fedstack/runtime/errors';

const MAX_BODY_BYTES = 16 * 1024;
const USERNAME_CHARS = /[^A-Za-z0-9._-]+/g;
const ATTEMPTS = 3;

/** What the gateway sends: a verified external caller and the role their token maps to. */
interface LinkRequest {
  issuer: string;
  subject: string;
  role: Role;
  issuedAt: number | undefined;
  username: string | undefined;
  email: string | undefined;
}

/** The answer: the local account and its token version; or that the token's role is stale. */
type LinkOutcome = { userId: string; tokenVersion: number } | { stale: true };

function optionalText(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

function parseLinkRequest(text: string): LinkRequest | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const issuer = optionalText(raw?.issuer, 255);
  const subject = optionalText(raw?.subject, 255);
  const role = raw?.role;
  const issuedAt = raw?.issuedAt;
  if (!issuer || !subject || (role !== 'ADMIN' && role !== 'USER')) return null;
  if (issuedAt !== undefined && !Number.isSafeInteger(issuedAt)) return null;
  const email = optionalText(raw.email, 254);
  return {
    issuer,
    subject,
    role,
    issuedAt: issuedAt as number | undefined,
    username: optionalText(raw.username, 254),
    email: email?.includes('@') ? email : undefined,
  };
}

/**
 * A username for a new external account: the provider's preferred name cut to the allowed
 * characters, with a suffix derived from (issuer, subject) so that it never takes a local name;
 * on a clash, a random suffix.
 */
function usernameFor(request: LinkRequest, attempt: number): string {
  const base = (request.username ?? 'user').replace(USERNAME_CHARS, '').slice(0, 20) || 'user';
  const suffix =
    attempt === 0
      ? createHash('sha256').update(`${request.issuer}\n${request.subject}`).digest('hex')
      : randomBytes(8).toString('hex');
  const name = `${base}-${suffix.slice(0, 10)}`;
  return name.toLowerCase() === DELETED_USERNAME ? `user-${suffix.slice(0, 10)}` : name;
}

async function link(
  models: Models,
  revocations: Revocations,
  request: LinkRequest,
  attempt: number,
  transaction: Transaction,
): Promise<LinkOutcome> {
  const { issuer, subject, role, issuedAt } = request;
  const identity = await models.ExternalIdentity.findOne({
    where: { issuer, subject },
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
  const user = identity
    ? await models.User.findByPk(identity.userId, { transaction, lock: transaction.LOCK.UPDATE })
    : null;
  if (identity && user) {
    if (user.role !== role) {
      // A token issued before the one that last set the role never changes it back.
      if (
        issuedAt !== undefined &&
        identity.roleIssuedAt !== null &&
        issuedAt < identity.roleIssuedAt
      ) {
        return { stale: true };
      }
      await user.update({ role }, { transaction });
      // The gateway's links to the old role carry the old token version, and are refused.
      await revocations.endAllSessions(user, 'role_changed', transaction);
    }
    if (issuedAt !== undefined && issuedAt > (identity.roleIssuedAt ?? 0)) {
      await identity.update({ roleIssuedAt: issuedAt }, { transaction });
    }
    return { userId: String(user.id), tokenVersion: user.tokenVersion };
  }
  // First sight, or the account linked before was deleted: a new account, never an existing one
  // (an e-mail address proves nothing here: linking by it would hand over that account).
  const username = usernameFor(request, attempt);
  const created = await models.User.create(
    {
      username,
      usernameKey: username.toLowerCase(),
      email: request.email ?? '',
      role,
      passwordHash: NO_PASSWORD,
    },
    { transaction },
  );
  if (identity) {
    await identity.update({ userId: created.id, roleIssuedAt: issuedAt ?? null }, { transaction });
  } else {
    await models.ExternalIdentity.create(
      { issuer, subject, userId: created.id, roleIssuedAt: issuedAt ?? null },
      { transaction },
    );
  }
  return { userId: String(created.id), tokenVersion: created.tokenVersion ?? 0 };
}

/**
 * `POST /identities`, for gateway-signed requests only (the envelope over the exact body): links
 * an external caller `{ issuer, subject, role, issuedAt?, username?, email?, name? }` to a local
 * account, creating one on first sight (with no usable password: it cannot `login`), and keeps
 * the account's role in step with the role the caller's token maps to; a role change ends the
 * account's earlier access tokens, as any role change does. Answers `{ userId, tokenVersion }`;
 * 409 when the token is older than the one that last set a different role. Two first sightings
 * at once create one account: the unique (issuer, subject) refuses the second, which retries and
 * finds the first.
 */
export function identitiesHandler(deps: {
  config: SubgraphBaseConfig;
  db: Database;
  models: Models;
  revocations: Revocations;
  logger: Logger;
}): RequestHandler {
  const { db, models, revocations, logger } = deps;
  return async (req, res) => {
    let body: Buffer;
    try {
      body = await readBodyBytes(req, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      refuse(res, error.status, error.code, error.message);
      return;
    }
    if (!signedByGateway(deps, req, res, { method: 'POST', body, what: 'identity link request' })) {
      return;
    }
    const request = parseLinkRequest(body.toString('utf8'));
    if (!request) {
      refuse(
        res,
        400,
        ErrorCode.BAD_USER_INPUT,
        'issuer, subject and role (ADMIN or USER) are required',
      );
      return;
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        const outcome = await db.write((transaction) =>
          link(models, revocations, request, attempt, transaction),
        );
        if ('stale' in outcome) {
          refuse(res, 409, ErrorCode.CONFLICT, 'A newer token of this issuer set another role');
          return;
        }
        res.setHeader('cache-control', 'no-store');
        res.json(outcome);
        return;
      } catch (error) {
        if (error instanceof UniqueConstraintError && attempt + 1 < ATTEMPTS) continue;
        logger.error({ err: error, issuer: request.issuer }, 'identity link failed');
        refuse(res, 503, ErrorCode.UNAVAILABLE, 'Identity link unavailable');
        return;
      }
    }
  };
}
