/**
 * Mails carry single-use secrets in their links (password reset, e-mail verification, invitations).
 * A tenant admin reading the outbox must not be able to use them: a reset link opens a global
 * identity that may belong to other tenants too. Only in capture mode outside production, where the
 * outbox is the delivery channel of a developer's own machine, are links shown as sent.
 */
// `=` may be HTML-escaped in the rendered part (Handlebars writes &#x3D;), and `&` as &amp;.
const secretParameter = /((?:[?&]|&amp;)(?:token|code|key|secret)(?:=|&#x3D;|&#61;))[^"'&\s<>]+/gi;

export function redactLinkSecrets(text: string): string {
  return text.replace(secretParameter, '$1[redacted]');
}
