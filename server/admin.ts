/**
 * @socket.io/admin-ui on the `/admin` namespace, only when ADMIN_USER and ADMIN_PASSWORD
 * are set (issue 5). admin-ui wants the password as a bcrypt hash and checks logins with
 * bcryptjs; the plain password from the environment is hashed here once at start-up.
 */
import { instrument } from '@socket.io/admin-ui';
import bcrypt from 'bcryptjs';
import type { Server } from 'socket.io';
import type { Config } from './config.js';

/** bcrypt cost: about 50 ms per login check on a small machine, paid only by admins. */
const BCRYPT_ROUNDS = 10;

export function mountAdmin(io: Server, admin: Config['admin']): boolean {
  if (admin === null) return false;
  instrument(io, {
    namespaceName: '/admin',
    auth: { type: 'basic', username: admin.user, password: bcrypt.hashSync(admin.password, BCRYPT_ROUNDS) },
    // Aggregates only, and no remote disconnects or room changes from the dashboard.
    mode: 'production',
    readonly: true,
  });
  return true;
}
