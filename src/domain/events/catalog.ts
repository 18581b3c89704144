/**
 * The one catalog of domain event types. Activity entries, live streams and webhooks all use
 * these names; `GET /api/v1/events/catalog` serves it.
 */
export const EVENT_CATALOG = {
  'user.registered': 'A user account was created',
  'user.logged_in': 'A user signed in and a session began',
  'user.logged_out': 'A session, or all of a user’s sessions, ended',
  'user.password_changed': 'A user changed their password; other sessions ended',
  'user.password_reset_requested': 'A password reset was requested',
  'user.password_reset': 'A password was reset with a reset token',
  'user.totp_enrolled': 'TOTP enrolment began',
  'user.totp_enabled': 'TOTP two-factor authentication was confirmed and enabled',
  'user.totp_disabled': 'TOTP two-factor authentication was disabled',
  'user.backup_code_used': 'A TOTP backup code was used to sign in',
  'session.refresh_reuse_detected': 'A rotated refresh token was reused; its session was revoked',
  'organization.created': 'An organization was created',
  'organization.updated': 'An organization was renamed or changed',
  'organization.deleted': 'An organization was deleted',
  'member.added': 'A user joined an organization',
  'member.role_changed': 'A member’s role changed',
  'member.removed': 'A member left or was removed',
  'invite.created': 'An invitation was sent',
  'invite.revoked': 'An invitation was withdrawn',
  'invite.accepted': 'An invitation was accepted',
  'team.created': 'A team was created',
  'team.updated': 'A team was changed',
  'team.deleted': 'A team was deleted',
  'team.member_added': 'A member joined a team',
  'team.member_removed': 'A member left a team',
  'api_key.created': 'An API key was created',
  'api_key.updated': 'An API key was changed',
  'api_key.revoked': 'An API key was revoked',
  'api_key.rotated': 'An API key was rotated; the old secret works for a grace period',
  'api_key.rolled': 'An API key was rolled; the old secret stopped at once',
  'api_key.deleted': 'An API key was deleted',
  'vault.item_created': 'A vault item was stored',
  'vault.item_updated': 'A vault item’s metadata or value changed',
  'vault.item_rotated': 'A vault item got a new version',
  'vault.item_revealed': 'A vault item’s value was revealed',
  'vault.item_deleted': 'A vault item was deleted',
} as const;

export type EventType = keyof typeof EVENT_CATALOG;
