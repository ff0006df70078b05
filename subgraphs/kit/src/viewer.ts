import type { Identity } from '@fedstack/envelope/envelope';
import { forbidden, unauthenticated } from '@fedstack/runtime/errors';

export type Role = 'ADMIN' | 'USER';

/**
 * The authenticated caller of one request, or null when anonymous. `role` is what the access
 * token said when it was issued; `sessionId` and `tokenVersion` (when the token carries them) let
 * the users subgraph check that the login and the account still stand as they were.
 */
export interface Viewer {
  id: string;
  role: Role;
  sessionId?: string;
  tokenVersion?: number;
}

/** Turns the identity from a verified envelope into a viewer; an unknown role is treated as USER. */
export function viewerFromIdentity(identity: Identity | null): Viewer | null {
  if (!identity) return null;
  return {
    id: identity.userId,
    role: identity.role === 'ADMIN' ? 'ADMIN' : 'USER',
    ...(identity.sessionId === undefined ? {} : { sessionId: identity.sessionId }),
    ...(identity.tokenVersion === undefined ? {} : { tokenVersion: identity.tokenVersion }),
  };
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

export function requireAdmin(viewer: Viewer | null): Viewer {
  const current = requireViewer(viewer);
  if (current.role !== 'ADMIN') throw forbidden('Admins only');
  return current;
}

export function isAdmin(viewer: Viewer | null): boolean {
  return viewer?.role === 'ADMIN';
}

/** True when the viewer is the user `userId` or an admin. */
export function isSelfOrAdmin(viewer: Viewer | null, userId: string): boolean {
  return viewer !== null && (viewer.role === 'ADMIN' || viewer.id === userId);
}
