import { describe, expect, it } from 'vitest';
import { callbackOutcome, cognitoLogoutUrl, oidcSettings } from '../../web/src/lib/oidc-settings';

const config = {
  apiUrl: 'https://api.example',
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  clientId: 'client123',
  authDomain: 'https://labels.auth.eu-west-1.amazoncognito.com',
  stage: 'dev',
};

describe('oidcSettings', () => {
  it('asks for the code flow with the console scopes and its own callback', () => {
    expect(oidcSettings(config, 'https://console.example')).toMatchObject({
      authority: config.authority,
      client_id: 'client123',
      response_type: 'code',
      redirect_uri: 'https://console.example/auth/callback',
      post_logout_redirect_uri: 'https://console.example/',
      scope: 'openid email labels/read labels/write',
      automaticSilentRenew: true,
    });
  });
});

describe('cognitoLogoutUrl', () => {
  it("is Cognito's /logout with the client id and the console's signed-out page", () => {
    const url = new URL(cognitoLogoutUrl(config, 'http://localhost:5173'));
    expect(`${url.origin}${url.pathname}`).toBe('https://labels.auth.eu-west-1.amazoncognito.com/logout');
    expect(url.searchParams.get('client_id')).toBe('client123');
    expect(url.searchParams.get('logout_uri')).toBe('http://localhost:5173/');
  });
});

describe('callbackOutcome', () => {
  it('goes on with a code and a state', () => {
    expect(callbackOutcome('?code=abc&state=xyz')).toEqual({ kind: 'code' });
  });

  it('explains an error return in words', () => {
    expect(callbackOutcome('?error=access_denied')).toEqual({
      kind: 'error',
      message: 'Sign-in was cancelled or refused.',
    });
    expect(callbackOutcome('?error=invalid_scope&error_description=bad+scope')).toEqual({
      kind: 'error',
      message: 'Sign-in failed (invalid_scope). bad scope',
    });
  });

  it('refuses a return without a code or state', () => {
    expect(callbackOutcome('?code=abc').kind).toBe('invalid');
    expect(callbackOutcome('').kind).toBe('invalid');
  });
});
