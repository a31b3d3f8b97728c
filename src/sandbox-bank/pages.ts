import type { GeneratedAccount } from './generator/model.ts';
import type { ObPermission } from './permissions.ts';

/**
 * The consent journey's pages: server-rendered, self-contained (inline CSS, no scripts, no
 * external assets), every interpolated value escaped. Field names and `data-testid`s are stable:
 * browser tests drive them (`authorizeAtSandboxBank` uses the control API instead).
 */

/** The languages the pages are written in. */
export type Locale = 'en' | 'ar';

export const SANDBOX_OTP = '123456';
export const MAX_OTP_ATTEMPTS = 3;

const MESSAGES = {
  en: {
    signInTitle: 'Sign in to {bank}',
    signInIntro: '{client} is asking to read information about your accounts. Sign in to review the request.',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    sandboxHint: 'Sandbox bank: any username and any password work. The username chooses the customer you sign in as.',
    missingCredentials: 'Enter your username and password.',
    otpTitle: 'Enter your one-time code',
    otpIntro: 'We sent a 6-digit code to the mobile number we hold for you.',
    otpHint: 'Sandbox bank: the code is {otp}.',
    otp: 'One-time code',
    verify: 'Verify',
    wrongOtp: 'That code is not right. Attempts left: {left}.',
    consentTitle: 'Share your account information',
    consentIntro: '{client} will be able to read:',
    until: 'Access ends on {date}.',
    chooseAccounts: 'Accounts to share',
    noAccounts: 'Choose at least one account, or deny the request.',
    approve: 'Allow',
    deny: 'Deny',
    errorTitle: 'This request cannot be completed',
    errorIntro: 'The application that sent you here made a request the bank cannot accept. Nothing was shared.',
    perm_accounts: 'Account names, types and numbers',
    perm_balances: 'Balances',
    perm_transactions: 'Transactions',
    perm_beneficiaries: 'Saved beneficiaries',
    perm_direct_debits: 'Direct debits',
    perm_standing_orders: 'Standing orders',
    perm_scheduled_payments: 'Scheduled payments',
    perm_party: 'Your name and contact details',
    perm_other: 'Other account information',
  },
  ar: {
    signInTitle: 'تسجيل الدخول إلى {bank}',
    signInIntro: 'يطلب {client} الاطلاع على معلومات حساباتك. سجّل الدخول لمراجعة الطلب.',
    username: 'اسم المستخدم',
    password: 'كلمة المرور',
    signIn: 'تسجيل الدخول',
    sandboxHint: 'بنك تجريبي: يُقبل أي اسم مستخدم وأي كلمة مرور. اسم المستخدم يحدد العميل الذي تدخل باسمه.',
    missingCredentials: 'أدخل اسم المستخدم وكلمة المرور.',
    otpTitle: 'أدخل رمز التحقق',
    otpIntro: 'أرسلنا رمزًا من 6 أرقام إلى رقم هاتفك المسجل لدينا.',
    otpHint: 'بنك تجريبي: الرمز هو {otp}.',
    otp: 'رمز التحقق',
    verify: 'تحقق',
    wrongOtp: 'الرمز غير صحيح. المحاولات المتبقية: {left}.',
    consentTitle: 'مشاركة معلومات حسابك',
    consentIntro: 'سيتمكن {client} من الاطلاع على:',
    until: 'تنتهي صلاحية الوصول في {date}.',
    chooseAccounts: 'الحسابات المراد مشاركتها',
    noAccounts: 'اختر حسابًا واحدًا على الأقل، أو ارفض الطلب.',
    approve: 'سماح',
    deny: 'رفض',
    errorTitle: 'لا يمكن إتمام هذا الطلب',
    errorIntro: 'أرسل التطبيق الذي أحالك إلى هنا طلبًا لا يمكن للبنك قبوله. لم تتم مشاركة أي معلومات.',
    perm_accounts: 'أسماء الحسابات وأنواعها وأرقامها',
    perm_balances: 'الأرصدة',
    perm_transactions: 'المعاملات',
    perm_beneficiaries: 'المستفيدون المحفوظون',
    perm_direct_debits: 'الخصم المباشر',
    perm_standing_orders: 'الأوامر الدائمة',
    perm_scheduled_payments: 'الدفعات المجدولة',
    perm_party: 'اسمك وبيانات الاتصال بك',
    perm_other: 'معلومات أخرى عن الحساب',
  },
} as const satisfies Record<Locale, Record<string, string>>;

type MessageKey = keyof (typeof MESSAGES)['en'];

/** `ui_locales` is a space-separated preference list; the first one we speak wins. */
export function pickLocale(uiLocales: unknown): Locale {
  if (typeof uiLocales !== 'string') return 'en';
  for (const tag of uiLocales.split(' ')) {
    const lang = tag.split('-')[0]!.toLowerCase();
    if (lang === 'ar' || lang === 'en') return lang;
  }
  return 'en';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function t(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return MESSAGES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

const PERMISSION_LABELS: Partial<Record<ObPermission, MessageKey>> = {
  ReadAccountsBasic: 'perm_accounts',
  ReadAccountsDetail: 'perm_accounts',
  ReadBalances: 'perm_balances',
  ReadTransactionsBasic: 'perm_transactions',
  ReadTransactionsDetail: 'perm_transactions',
  ReadTransactionsCredits: 'perm_transactions',
  ReadTransactionsDebits: 'perm_transactions',
  ReadBeneficiariesBasic: 'perm_beneficiaries',
  ReadBeneficiariesDetail: 'perm_beneficiaries',
  ReadDirectDebits: 'perm_direct_debits',
  ReadStandingOrdersBasic: 'perm_standing_orders',
  ReadStandingOrdersDetail: 'perm_standing_orders',
  ReadScheduledPaymentsBasic: 'perm_scheduled_payments',
  ReadScheduledPaymentsDetail: 'perm_scheduled_payments',
  ReadParty: 'perm_party',
  ReadPartyPSU: 'perm_party',
};

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Tahoma,sans-serif;background:#f3f5f8;color:#1c2430}
main{max-width:28rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem 1.75rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
header{font-weight:600;color:#0b5cad;margin-bottom:1rem}h1{font-size:1.35rem;margin:0 0 .75rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:500}input[type=text],input[type=password]{width:100%;padding:.6rem;border:1px solid #b8c2cf;border-radius:8px;font:inherit}
button{font:inherit;padding:.6rem 1.2rem;border-radius:8px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer;margin-top:1rem}
button.secondary{background:#fff;color:#0b5cad}.actions{display:flex;gap:.75rem;flex-wrap:wrap}
.hint{font-size:.85rem;color:#5b6675;background:#fff8e1;border-radius:8px;padding:.5rem .75rem}
.error{color:#a11;background:#fdecec;border-radius:8px;padding:.5rem .75rem}
.account{display:flex;gap:.6rem;align-items:flex-start;border:1px solid #dde3ea;border-radius:8px;padding:.6rem;margin:.5rem 0}
.account small{display:block;color:#5b6675}ul{padding-inline-start:1.25rem}fieldset{border:0;padding:0;margin:0}legend{font-weight:500}`;

interface Frame {
  locale: Locale;
  bankName: string;
  title: string;
  body: string;
}

function layout({ locale, bankName, title, body }: Frame): string {
  return `<!doctype html>
<html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main><header>${escapeHtml(bankName)}</header><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

const errorBox = (message: string | null) => (message ? `<p class="error" role="alert" data-testid="error-message">${escapeHtml(message)}</p>` : '');

export interface PageContext {
  locale: Locale;
  bankName: string;
  clientName: string;
  /** Where the step's form posts to (the interaction's URL: the interaction cookie goes with it). */
  action: string;
}

export function loginPage(ctx: PageContext, error: 'missingCredentials' | null = null): string {
  const { locale } = ctx;
  return layout({
    locale,
    bankName: ctx.bankName,
    title: t(locale, 'signInTitle', { bank: ctx.bankName }),
    body: `<p>${escapeHtml(t(locale, 'signInIntro', { client: ctx.clientName }))}</p>
${errorBox(error && t(locale, error))}
<form method="post" action="${escapeHtml(ctx.action)}" data-testid="login-form">
<label for="username">${escapeHtml(t(locale, 'username'))}</label><input type="text" id="username" name="username" autocomplete="username" required data-testid="username">
<label for="password">${escapeHtml(t(locale, 'password'))}</label><input type="password" id="password" name="password" autocomplete="current-password" required data-testid="password">
<button type="submit" data-testid="login-submit">${escapeHtml(t(locale, 'signIn'))}</button>
</form>
<p class="hint">${escapeHtml(t(locale, 'sandboxHint'))}</p>`,
  });
}

export function otpPage(ctx: PageContext, attemptsLeft: number | null = null): string {
  const { locale } = ctx;
  return layout({
    locale,
    bankName: ctx.bankName,
    title: t(locale, 'otpTitle'),
    body: `<p>${escapeHtml(t(locale, 'otpIntro'))}</p>
${errorBox(attemptsLeft === null ? null : t(locale, 'wrongOtp', { left: attemptsLeft }))}
<form method="post" action="${escapeHtml(ctx.action)}" data-testid="otp-form">
<label for="otp">${escapeHtml(t(locale, 'otp'))}</label><input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required data-testid="otp">
<button type="submit" data-testid="otp-submit">${escapeHtml(t(locale, 'verify'))}</button>
</form>
<p class="hint">${escapeHtml(t(locale, 'otpHint', { otp: SANDBOX_OTP }))}</p>`,
  });
}

export interface ConsentPageInput {
  permissions: readonly ObPermission[];
  expiresAt: string | null;
  accounts: readonly GeneratedAccount[];
  /** Checked boxes; all of them on first display. */
  selected: ReadonlySet<string>;
  error: 'noAccounts' | null;
}

export function consentPage(ctx: PageContext, input: ConsentPageInput): string {
  const { locale } = ctx;
  const labels = [...new Set(input.permissions.map((p) => PERMISSION_LABELS[p] ?? 'perm_other'))];
  const date = input.expiresAt
    ? new Intl.DateTimeFormat(locale === 'ar' ? 'ar-AE' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(input.expiresAt))
    : null;
  const accounts = input.accounts
    .map((a) => {
      const id = escapeHtml(a.accountId);
      const checked = input.selected.has(a.accountId) ? ' checked' : '';
      const name = a.nickname ? `${a.description} (${a.nickname})` : a.description;
      // The currency line takes the page's direction, so it aligns with the (wrapped) name in Arabic
      // too; only its text is isolated left to right.
      return `<label class="account"><input type="checkbox" name="account" value="${id}"${checked} data-testid="account-checkbox">
<span>${escapeHtml(name)}<small><bdi dir="ltr">${escapeHtml(`${a.currency} ···· ${a.accountNumber.slice(-4)}`)}</bdi></small></span></label>`;
    })
    .join('\n');
  return layout({
    locale,
    bankName: ctx.bankName,
    title: t(locale, 'consentTitle'),
    body: `<p>${escapeHtml(t(locale, 'consentIntro', { client: ctx.clientName }))}</p>
<ul data-testid="permissions">${labels.map((l) => `<li>${escapeHtml(t(locale, l))}</li>`).join('')}</ul>
${date ? `<p>${escapeHtml(t(locale, 'until', { date }))}</p>` : ''}
${errorBox(input.error && t(locale, input.error))}
<form method="post" action="${escapeHtml(ctx.action)}" data-testid="consent-form">
<fieldset><legend>${escapeHtml(t(locale, 'chooseAccounts'))}</legend>
${accounts}
</fieldset>
<div class="actions"><button type="submit" name="decision" value="approve" data-testid="approve">${escapeHtml(t(locale, 'approve'))}</button>
<button type="submit" name="decision" value="deny" class="secondary" data-testid="deny">${escapeHtml(t(locale, 'deny'))}</button></div>
</form>`,
  });
}

/** Shown instead of redirecting when the request or the journey cannot go on; `detail` is for the developer. */
export function errorPage(locale: Locale, bankName: string, detail: string): string {
  return layout({
    locale,
    bankName,
    title: t(locale, 'errorTitle'),
    body: `<p>${escapeHtml(t(locale, 'errorIntro'))}</p>
<p class="error" role="alert" data-testid="error-message" dir="ltr">${escapeHtml(detail)}</p>`,
  });
}
