import { describe, expect, it } from 'vitest';
import { mailLocales, mailTemplates } from './mail.contract.ts';
import { createMailRenderer, pickLocale } from './mail.templates.ts';

const renderer = createMailRenderer();
const data = { link: 'https://app.example.com/x?token=t&a=b', resetLink: 'https://app.example.com/reset-password', newAddress: 'n***@example.org', name: 'Sam', tenantName: 'Acme', expiresInMinutes: 60, lockedMinutes: 15 };

describe('mail templates', () => {
  it('compiles every template in every locale, with a subject, an HTML part and a plain-text part carrying the link', async () => {
    await renderer.compileAll();
    for (const template of mailTemplates) {
      for (const locale of mailLocales) {
        const mail = await renderer.render(template, locale, data);
        expect(mail.subject.length, `${template}/${locale}`).toBeGreaterThan(5);
        expect(mail.html).toMatch(new RegExp(`<html[^>]*lang="${locale}"[^>]*dir="${locale === 'ar' ? 'rtl' : 'ltr'}"`));
        expect(mail.text).toContain(data.link);
        expect(mail.text).not.toMatch(/<[a-z]/i);
        expect(mail.html + mail.text).not.toContain('{{');
      }
    }
  });

  it('escapes data in the HTML part and keeps the subject on one line', async () => {
    const mail = await renderer.render('invitation', 'en', { link: 'https://app.example.com/i', tenantName: 'Acme\r\nBcc: x@evil.test', inviterName: '<script>alert(1)</script>' });
    expect(mail.html).not.toContain('<script>alert(1)</script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.subject).toBe('You are invited to join Acme Bcc: x@evil.test');
  });

  it('puts the sign-in link first and the reset link second in an account-exists notice, in both parts', async () => {
    for (const locale of mailLocales) {
      const mail = await renderer.render('account_exists', locale, { link: 'https://app.example.com/login', resetLink: 'https://app.example.com/reset-password', name: 'Sam' });
      const links = [...mail.html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]);
      expect(links, locale).toEqual(['https://app.example.com/login', 'https://app.example.com/login', 'https://app.example.com/reset-password']);
      expect(mail.text.indexOf('https://app.example.com/login')).toBeLessThan(mail.text.indexOf('https://app.example.com/reset-password'));
    }
  });

  it('names the new address, masked as given, in the notice to the old address', async () => {
    const mail = await renderer.render('email_changed', 'fr', { link: 'https://app.example.com/login', newAddress: 'n***@example.org' });
    expect(mail.subject).toBe("L'adresse e-mail de votre compte a été modifiée");
    expect(mail.text).toContain('remplacée par n***@example.org');
    expect(mail.html).toContain('n***@example.org');
  });

  it("picks the user's locale, else the tenant's, else English", () => {
    expect(pickLocale('fr-CA', 'ar')).toBe('fr');
    expect(pickLocale('de', 'AR')).toBe('ar');
    expect(pickLocale(undefined, null)).toBe('en');
    expect(pickLocale('pt-BR', 'es')).toBe('en');
  });
});
