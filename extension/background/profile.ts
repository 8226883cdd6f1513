/**
 * The user's name and colour: stored, told to every room we are in at once, and used by
 * the next handshake.
 */
import type { Connection } from './connection.js';
import type { RoomMembership } from './room-membership.js';
import type { SettingsStore } from './settings.js';

export class Profile {
  constructor(
    private readonly settings: SettingsStore,
    private readonly connection: Connection,
    private readonly membership: RoomMembership,
    private readonly changed: () => void,
  ) {}

  async set(patch: { name?: string; color?: string }): Promise<void> {
    const { name, color } = await this.settings.update(patch);
    this.connection.setAuth(await this.settings.auth());
    this.membership.announceProfile(name, color);
    this.changed();
  }
}
