import { describe, expect, it } from 'vitest';
import { redactLinkSecrets } from './redact-link-secrets.ts';

describe('redactLinkSecrets', () => {
  it('removes the secret of every link, in HTML attributes and plain text, and keeps the rest', () => {
    const html = '<a href="https://app.example.com/console/reset-password?token=abc.DEF-123_x&amp;lang=fr">Reset</a> or https://app.example.com/v?code=999 now';
    expect(redactLinkSecrets(html)).toBe('<a href="https://app.example.com/console/reset-password?token=[redacted]&amp;lang=fr">Reset</a> or https://app.example.com/v?code=[redacted] now');
    expect(redactLinkSecrets('<a href="https://a.b/v?token&#x3D;nope&amp;x&#x3D;1">')).toBe('<a href="https://a.b/v?token&#x3D;[redacted]&amp;x&#x3D;1">');
    expect(redactLinkSecrets('no links here')).toBe('no links here');
  });
});
