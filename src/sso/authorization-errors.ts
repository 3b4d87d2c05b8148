/**
 * Roster's own wording for the `error` codes an identity provider may put on the redirect back
 * (RFC 6749 §4.1.2.1 and OpenID Connect Core 1.0 §3.1.2.6). Anyone can craft a callback URL, so
 * the console never shows the `error` value itself, and shows `error_description` only for a
 * sign-in this browser started (see the callback route).
 */
const ASK_ADMIN = 'Ask your administrator to check the single sign-on settings of Roster and of the identity provider.';
const REQUEST_FORM =
  'Your identity provider did not accept the form of Roster’s sign-in request (request objects or registration are not used by Roster).';

const MESSAGES: ReadonlyMap<string, string> = new Map([
  // RFC 6749 §4.1.2.1
  ['access_denied', 'The sign-in was declined at your identity provider, by you or by its access rules.'],
  ['invalid_request', `Your identity provider refused Roster’s sign-in request as malformed. ${ASK_ADMIN}`],
  ['unauthorized_client', `Your identity provider does not allow Roster to sign you in this way. ${ASK_ADMIN}`],
  ['unsupported_response_type', `Your identity provider does not support the authorization code flow Roster uses. ${ASK_ADMIN}`],
  ['invalid_scope', `Your identity provider refused the scopes Roster asks for (openid, email, profile). ${ASK_ADMIN}`],
  ['server_error', 'Your identity provider had an internal error. Try again later.'],
  ['temporarily_unavailable', 'Your identity provider is temporarily unavailable. Try again in a few minutes.'],
  // OpenID Connect Core 1.0 §3.1.2.6
  ['interaction_required', 'Your identity provider needs you to interact with it before it signs you in. Start the sign-in again.'],
  ['login_required', 'Your identity provider needs you to sign in to it first. Start the sign-in again.'],
  ['account_selection_required', 'Your identity provider needs you to choose an account. Start the sign-in again.'],
  [
    'consent_required',
    'Your identity provider needs your consent before it signs you in to Roster. Start the sign-in again and give it, or ask your administrator.',
  ],
  ['invalid_request_uri', `${REQUEST_FORM} ${ASK_ADMIN}`],
  ['invalid_request_object', `${REQUEST_FORM} ${ASK_ADMIN}`],
  ['request_not_supported', `${REQUEST_FORM} ${ASK_ADMIN}`],
  ['request_uri_not_supported', `${REQUEST_FORM} ${ASK_ADMIN}`],
  ['registration_not_supported', `${REQUEST_FORM} ${ASK_ADMIN}`],
]);

/** The codes Roster has its own wording for. */
export const KNOWN_AUTHORIZATION_ERRORS: readonly string[] = [...MESSAGES.keys()];

const GENERIC = 'Your identity provider did not sign you in. Start the sign-in again, or ask your administrator if it keeps failing.';

/** Roster's message for an authorization error code; a generic one for codes it does not know. */
export function authorizationErrorMessage(code: string): string {
  return MESSAGES.get(code) ?? GENERIC;
}

/** Longest provider description the console quotes. */
export const MAX_QUOTED_DESCRIPTION = 200;

/**
 * The provider's `error_description`, fit to quote: RFC 6749 allows only printable ASCII without
 * `"` and `\` in it, so anything else is not quoted at all; long texts are cut.
 */
export function quotableDescription(description: string): string | undefined {
  const text = description.trim();
  if (!text || !/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/.test(text)) return undefined;
  return text.length > MAX_QUOTED_DESCRIPTION ? `${text.slice(0, MAX_QUOTED_DESCRIPTION)}…` : text;
}
