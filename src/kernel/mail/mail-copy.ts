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
  /** A second, lesser link after the main one: its words and the template data field holding its URL. */
  secondary?: { action: string; link: string };
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
  account_exists: {
    en: {
      subject: 'Someone tried to sign up with your address',
      heading: 'You already have an account',
      paragraphs: [greeting.en, 'Someone tried to create a new account with this e-mail address, which already has one. No new account was created.', 'If it was you, sign in with your existing account, or reset your password if you have forgotten it.'],
      action: 'Sign in',
      secondary: { action: 'Forgot your password? Reset it', link: 'resetLink' },
      footer: 'If it was not you, you can ignore this message: nothing has changed on your account.',
    },
    fr: {
      subject: "Quelqu'un a tenté de s'inscrire avec votre adresse",
      heading: 'Vous avez déjà un compte',
      paragraphs: [greeting.fr, "Quelqu'un a tenté de créer un compte avec cette adresse e-mail, qui en a déjà un. Aucun nouveau compte n'a été créé.", "Si c'était vous, connectez-vous avec votre compte existant, ou réinitialisez votre mot de passe si vous l'avez oublié."],
      action: 'Se connecter',
      secondary: { action: 'Mot de passe oublié ? Réinitialisez-le', link: 'resetLink' },
      footer: "Si ce n'était pas vous, ignorez ce message : rien n'a changé sur votre compte.",
    },
    ar: {
      subject: 'حاول شخص ما التسجيل باستخدام عنوانك',
      heading: 'لديك حساب بالفعل',
      paragraphs: [greeting.ar, 'حاول شخص ما إنشاء حساب جديد بعنوان البريد الإلكتروني هذا، وهو مرتبط بحساب موجود. لم يُنشأ أي حساب جديد.', 'إذا كنت أنت، فسجّل الدخول بحسابك الحالي، أو أعد تعيين كلمة المرور إذا نسيتها.'],
      action: 'تسجيل الدخول',
      secondary: { action: 'نسيت كلمة المرور؟ أعد تعيينها', link: 'resetLink' },
      footer: 'إذا لم تكن أنت، يمكنك تجاهل هذه الرسالة: لم يتغيّر شيء في حسابك.',
    },
  },
  email_changed: {
    en: {
      subject: 'The e-mail address of your account was changed',
      heading: 'Your e-mail address was changed',
      paragraphs: [greeting.en, 'The e-mail address of your account was changed to {{newAddress}}. From now on, sign in with the new address; this one will receive no more mail about the account.', 'If you did not make this change, contact your administrator at once: whoever made it knows your password. A password reset alone will not help, since its link now goes to the new address.'],
      action: 'Sign in',
      footer: 'If you made this change, you can ignore this message.',
    },
    fr: {
      subject: "L'adresse e-mail de votre compte a été modifiée",
      heading: 'Votre adresse e-mail a été modifiée',
      paragraphs: [greeting.fr, "L'adresse e-mail de votre compte a été remplacée par {{newAddress}}. Connectez-vous désormais avec la nouvelle adresse ; celle-ci ne recevra plus de message concernant le compte.", "Si vous n'êtes pas à l'origine de ce changement, contactez immédiatement votre administrateur : la personne qui l'a fait connaît votre mot de passe. Une réinitialisation du mot de passe ne suffira pas, car son lien part désormais vers la nouvelle adresse."],
      action: 'Se connecter',
      footer: 'Si ce changement vient de vous, ignorez ce message.',
    },
    ar: {
      subject: 'تمّ تغيير عنوان البريد الإلكتروني لحسابك',
      heading: 'تمّ تغيير عنوان بريدك الإلكتروني',
      paragraphs: [greeting.ar, 'تمّ تغيير عنوان البريد الإلكتروني لحسابك إلى {{newAddress}}. من الآن فصاعدًا، سجّل الدخول بالعنوان الجديد؛ لن يتلقى هذا العنوان أي رسائل أخرى بشأن الحساب.', 'إذا لم تُجرِ هذا التغيير، فاتصل بالمسؤول فورًا: من أجراه يعرف كلمة المرور الخاصة بك. إعادة تعيين كلمة المرور وحدها لن تفيد، لأن رابطها يُرسَل الآن إلى العنوان الجديد.'],
      action: 'تسجيل الدخول',
      footer: 'إذا أجريت هذا التغيير بنفسك، يمكنك تجاهل هذه الرسالة.',
    },
  },
};
