import { ConfigError, type Database, type Logger, type SubgraphExtension } from '@fedstack/kit';
import { LoginThrottle, redisStores } from './auth/loginThrottle';
import { RegisterThrottle, redisRegisterStore } from './auth/registerThrottle';
import { closeRedis, openRedis } from '@fedstack/runtime/redis';
import { revocationPublisher } from './auth/revocationStream';
import { verifyPassword } from './auth/passwords';
import { Sessions } from './auth/sessions';
import { AccessTokenSigner } from './auth/tokens';
import type { UsersConfig } from './config';
import type { Context } from './index';
import type { Loaders } from './loaders';
import type { Models } from './models';
import { jwksHandler, JWKS_PATH } from './jwksRoute';
import { revocationFeedHandler } from './revocationFeed';
import { identitiesHandler } from './identitiesRoute';
import { SEED_ACCOUNTS } from './seed';

/**
 * Refuses production start-up while a development seed account still has its well-known
 * password: anyone who read the README could sign in as it.
 */
async function refuseSeedPasswords(models: Models): Promise<void> {
  for (const account of SEED_ACCOUNTS) {
    const user = await models.User.findOne({ where: { usernameKey: account.username } });
    if (user && (await verifyPassword(user.passwordHash, account.password))) {
      throw new ConfigError(
        `the seed account "${account.username}" still has its default password; change or delete it before running with NODE_ENV=production`,
      );
    }
  }
}

/**
 * The users subgraph's process-wide services, built once at start-up: the token signer, the
 * sessions and throttles (in Redis with `REDIS_URL`), the JWKS, revocation feed and identity-link
 * routes, and what each request's context adds to the kit's.
 */
export async function usersServices(deps: {
  config: UsersConfig;
  db: Database;
  models: Models;
  logger: Logger;
}): Promise<SubgraphExtension<Models, Loaders, Context>> {
  const { config, db, models, logger } = deps;
  if (config.nodeEnv === 'production') await refuseSeedPasswords(models);
  const signer = new AccessTokenSigner({
    privateKeyPem: config.jwtPrivateKey,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  // With REDIS_URL, one client holds the throttles' counts for every users process and announces
  // revocations to the gateways; nothing else here uses Redis, so nothing else fails with it.
  const redis = config.redisUrl
    ? await openRedis(
        config.redisUrl,
        logger,
        'sign-ins and registrations are refused until it answers; gateways learn of revocations at their next feed poll',
      )
    : undefined;
  const sessions = new Sessions(
    db,
    models,
    signer,
    config.refreshTokenTtlSeconds,
    new LoginThrottle(
      config.loginThrottle,
      redis ? redisStores(config.loginThrottle, redis) : undefined,
    ),
    logger,
  );
  if (redis) {
    const { revocations } = sessions;
    revocations.publishTo(revocationPublisher(redis, revocations.retainSeconds * 1000, logger));
  }
  const registerThrottle = new RegisterThrottle(
    config.registerThrottle,
    redis ? redisRegisterStore(config.registerThrottle, redis) : undefined,
  );
  return {
    context: (base) => ({ ...base, sessions, registerThrottle, passwordWork: 0 }),
    routes: (app) => {
      app.get(
        JWKS_PATH,
        jwksHandler({ signingKey: signer.publicJwk, previousKeys: config.jwtPreviousPublicKeys }),
      );
      app.get(
        '/revocations',
        revocationFeedHandler({ config, revocations: sessions.revocations, logger }),
      );
      app.post(
        '/identities',
        identitiesHandler({ config, db, models, revocations: sessions.revocations, logger }),
      );
    },
    stop: redis ? () => closeRedis(redis) : undefined,
  };
}
