/**
 * Templates: the MJML layout filled with a template's words for one locale, compiled to HTML by MJML
 * once, then to a Handlebars function once (lazily, on first use, and cached): a message costs one
 * Handlebars call per part. Handlebars escapes data in the HTML part; the text part is plain.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { mailCopy } from './mail-copy.ts';
import { mailLocales, type MailLocale, type MailTemplate, type RenderedMail } from './mail.contract.ts';
import { mailLayoutFile } from './paths.ts';

const linkHint: Record<MailLocale, string> = { en: 'Or open this link:', fr: 'Ou ouvrez ce lien :', ar: 'أو افتح هذا الرابط:' };
const rightToLeft = new Set<MailLocale>(['ar']);

/** The supported locale of a language tag, by its primary language (`fr-CA` is `fr`). */
export function supportedLocaleOf(tag: string | null | undefined): MailLocale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return mailLocales.find((locale) => locale === language);
}

/** The first supported locale among the candidates, else English. */
export function pickLocale(...candidates: (string | null | undefined)[]): MailLocale {
  for (const candidate of candidates) {
    const match = supportedLocaleOf(candidate);
    if (match) return match;
  }
  return 'en';
}

interface CompiledTemplate {
  subject: Handlebars.TemplateDelegate;
  html: Handlebars.TemplateDelegate;
  text: Handlebars.TemplateDelegate;
}

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

async function compileTemplate(handlebars: typeof Handlebars, layout: string, template: MailTemplate, locale: MailLocale): Promise<CompiledTemplate> {
  const copy = mailCopy[template][locale];
  const rtl = rightToLeft.has(locale);
  const markers: Record<string, string> = {
    LANG: locale,
    DIR: rtl ? 'rtl' : 'ltr',
    ALIGN: rtl ? 'right' : 'left',
    SUBJECT: escapeXml(copy.subject),
    HEADING: escapeXml(copy.heading),
    PARAGRAPHS: copy.paragraphs.map((paragraph) => `<mj-text>${escapeXml(paragraph)}</mj-text>`).join('\n'),
    ACTION: escapeXml(copy.action),
    LINK_HINT: escapeXml(linkHint[locale]),
    FOOTER: escapeXml(copy.footer),
    // A second, lesser link (e.g. a reset beside a sign-in): the copy names the data field it comes from.
    SECONDARY: copy.secondary ? `<mj-text font-size="13px" color="#52606d">${escapeXml(copy.secondary.action)}: <a href="{{${copy.secondary.link}}}">{{${copy.secondary.link}}}</a></mj-text>` : '',
  };
  const source = layout.replace(/%%([A-Z_]+)%%/g, (_match, name: string) => markers[name] ?? '');
  // Loaded on the first mail, not at start: MJML's dependency tree costs ~40 MB and a second of start-up.
  const { default: mjml2html } = await import('mjml');
  const result = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
  if (result.errors.length > 0) throw new Error(`MJML template ${template}/${locale}: ${result.errors.map((error) => error.formattedMessage).join('; ')}`);
  const secondary = copy.secondary ? [`${copy.secondary.action}: {{${copy.secondary.link}}}`, ''] : [];
  const text = [copy.heading, '', ...copy.paragraphs.flatMap((paragraph) => [paragraph, '']), `${copy.action}: {{link}}`, '', ...secondary, '--', copy.footer, ''].join('\n');
  return {
    subject: handlebars.compile(copy.subject, { noEscape: true, strict: false }),
    html: handlebars.compile(result.html),
    text: handlebars.compile(text, { noEscape: true }),
  };
}

export interface MailRenderer {
  render(template: MailTemplate, locale: MailLocale, data: Record<string, unknown>): Promise<RenderedMail>;
  /** Compiles every template and locale now (a start-up check), instead of on first use. */
  compileAll(): Promise<void>;
}

export function createMailRenderer(): MailRenderer {
  const handlebars = Handlebars.create();
  const layout = readFileSync(mailLayoutFile, 'utf8');
  const compiled = new Map<string, Promise<CompiledTemplate>>();
  const compiledFor = (template: MailTemplate, locale: MailLocale) => {
    const key = `${template}/${locale}`;
    let entry = compiled.get(key);
    if (!entry) {
      entry = compileTemplate(handlebars, layout, template, locale);
      entry.catch(() => compiled.delete(key));
      compiled.set(key, entry);
    }
    return entry;
  };
  return {
    async render(template, locale, data) {
      const parts = await compiledFor(template, locale);
      return {
        locale,
        // One header line, whatever the data holds.
        subject: parts.subject(data).replace(/[\r\n]+/g, ' ').trim(),
        html: parts.html(data),
        text: parts.text(data),
      };
    },
    async compileAll() {
      await Promise.all(Object.keys(mailCopy).flatMap((template) => mailLocales.map((locale) => compiledFor(template as MailTemplate, locale))));
    },
  };
}
