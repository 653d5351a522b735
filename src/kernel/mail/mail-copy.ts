/**
 * The words of every template in every locale. Handlebars expressions name the template's data
 * (`{{link}}` is added by the layout); the text is plain (no markup), escaped when rendered to HTML.
 */
import type { MailLocale, MailTemplate } from './mail.contract.ts';

export interface MailCopy {
  subject: string;
  heading: string;
  paragraphs: string[];
  action: string;
  footer: string;
}

const greeting = { en: 'Hello{{#if name}} {{name}}{{/if}},', fr: 'Bonjour{{#if name}} {{name}}{{/if}},', ar: 'مرحبًا{{#if name}} {{name}}{{/if}}،' };

export const mailCopy: Record<MailTemplate, Record<MailLocale, MailCopy>> = {
  verification: {
    en: {
      subject: 'Confirm your e-mail address',
      heading: 'Confirm your e-mail address',
      paragraphs: [greeting.en, 'Please confirm that this address is yours by following the link below.'],
      action: 'Confirm my address',
      footer: 'If you did not create an account, you can ignore this message.',
    },
    fr: {
      subject: 'Confirmez votre adresse e-mail',
      heading: 'Confirmez votre adresse e-mail',
      paragraphs: [greeting.fr, 'Merci de confirmer que cette adresse vous appartient en suivant le lien ci-dessous.'],
      action: 'Confirmer mon adresse',
      footer: "Si vous n'avez pas créé de compte, ignorez ce message.",
    },
    ar: {
      subject: 'أكِّد عنوان بريدك الإلكتروني',
      heading: 'أكِّد عنوان بريدك الإلكتروني',
      paragraphs: [greeting.ar, 'يُرجى تأكيد أن هذا العنوان يخصّك باتباع الرابط أدناه.'],
      action: 'تأكيد عنواني',
      footer: 'إذا لم تُنشئ حسابًا، يمكنك تجاهل هذه الرسالة.',
    },
  },
  invitation: {
    en: {
      subject: 'You are invited to join {{tenantName}}',
      heading: 'Join {{tenantName}}',
      paragraphs: ['{{#if inviterName}}{{inviterName}} has invited you{{else}}You have been invited{{/if}} to join {{tenantName}}.', '{{#if expiresInDays}}The invitation is valid for {{expiresInDays}} days and can be used once.{{else}}The invitation can be used once.{{/if}}'],
      action: 'Accept the invitation',
      footer: 'If you were not expecting this invitation, you can ignore this message.',
    },
    fr: {
      subject: 'Vous êtes invité à rejoindre {{tenantName}}',
      heading: 'Rejoignez {{tenantName}}',
      paragraphs: ['{{#if inviterName}}{{inviterName}} vous invite{{else}}Vous êtes invité{{/if}} à rejoindre {{tenantName}}.', "{{#if expiresInDays}}L'invitation est valable {{expiresInDays}} jours et ne peut servir qu'une fois.{{else}}L'invitation ne peut servir qu'une fois.{{/if}}"],
      action: "Accepter l'invitation",
      footer: 'Si vous ne vous attendiez pas à cette invitation, ignorez ce message.',
    },
    ar: {
      subject: 'دعوة للانضمام إلى {{tenantName}}',
      heading: 'انضمّ إلى {{tenantName}}',
      paragraphs: ['{{#if inviterName}}دعاك {{inviterName}}{{else}}لقد تمّت دعوتك{{/if}} للانضمام إلى {{tenantName}}.', '{{#if expiresInDays}}الدعوة صالحة لمدة {{expiresInDays}} أيام ولمرة واحدة فقط.{{else}}الدعوة صالحة لمرة واحدة فقط.{{/if}}'],
      action: 'قبول الدعوة',
      footer: 'إذا لم تكن تتوقع هذه الدعوة، يمكنك تجاهل هذه الرسالة.',
    },
  },
  password_reset: {
    en: {
      subject: 'Reset your password',
      heading: 'Reset your password',
      paragraphs: [greeting.en, 'We received a request to reset your password. The link below is valid for {{expiresInMinutes}} minutes and can be used once.'],
      action: 'Choose a new password',
      footer: 'If you did not ask for this, ignore this message: your password stays as it is.',
    },
    fr: {
      subject: 'Réinitialisez votre mot de passe',
      heading: 'Réinitialisez votre mot de passe',
      paragraphs: [greeting.fr, "Nous avons reçu une demande de réinitialisation de votre mot de passe. Le lien ci-dessous est valable {{expiresInMinutes}} minutes et ne peut servir qu'une fois."],
      action: 'Choisir un nouveau mot de passe',
      footer: "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
    },
    ar: {
      subject: 'إعادة تعيين كلمة المرور',
      heading: 'إعادة تعيين كلمة المرور',
      paragraphs: [greeting.ar, 'تلقّينا طلبًا لإعادة تعيين كلمة المرور الخاصة بك. الرابط أدناه صالح لمدة {{expiresInMinutes}} دقيقة ولمرة واحدة فقط.'],
      action: 'اختيار كلمة مرور جديدة',
      footer: 'إذا لم تطلب ذلك، تجاهل هذه الرسالة: تبقى كلمة المرور كما هي.',
    },
  },
  lockout: {
    en: {
      subject: 'Your account was locked',
      heading: 'Your account was locked',
      paragraphs: [greeting.en, 'After several failed sign-in attempts, sign-in to your account is paused{{#if lockedMinutes}} for {{lockedMinutes}} minutes{{/if}}.', 'If it was not you, reset your password now: recovery is never locked.'],
      action: 'Reset my password',
      footer: 'If these attempts were yours, you can ignore this message.',
    },
    fr: {
      subject: 'Votre compte a été verrouillé',
      heading: 'Votre compte a été verrouillé',
      paragraphs: [greeting.fr, 'Après plusieurs tentatives de connexion échouées, la connexion à votre compte est suspendue{{#if lockedMinutes}} pendant {{lockedMinutes}} minutes{{/if}}.', "Si ce n'était pas vous, réinitialisez votre mot de passe maintenant : la récupération n'est jamais bloquée."],
      action: 'Réinitialiser mon mot de passe',
      footer: "Si ces tentatives venaient de vous, ignorez ce message.",
    },
    ar: {
      subject: 'تمّ قفل حسابك',
      heading: 'تمّ قفل حسابك',
      paragraphs: [greeting.ar, 'بعد عدة محاولات فاشلة لتسجيل الدخول، تمّ إيقاف تسجيل الدخول إلى حسابك مؤقتًا{{#if lockedMinutes}} لمدة {{lockedMinutes}} دقيقة{{/if}}.', 'إذا لم تكن أنت، فأعد تعيين كلمة المرور الآن: الاستعادة لا تُقفل أبدًا.'],
      action: 'إعادة تعيين كلمة المرور',
      footer: 'إذا كانت هذه المحاولات منك، يمكنك تجاهل هذه الرسالة.',
    },
  },
};
