import type { Permission } from '../domain/permissions.ts';
import type { Language } from '../domain/language.ts';
import type { LinkReason } from './reasons.ts';

type PermissionKeys = `perm_${Permission}` | `perm_${Permission}_detail`;
type ReasonKeys = `reason_${LinkReason}`;
type Keys =
  | PermissionKeys
  | ReasonKeys
  | 'secured'
  | 'cancel'
  | 'theApplication'
  | 'chooseBankTitle'
  | 'chooseBankIntro'
  | 'searchLabel'
  | 'noBankMatches'
  | 'noBanks'
  | 'reviewTitle'
  | 'reviewIntro'
  | 'reconnectTitle'
  | 'reconnectIntro'
  | 'readOnly'
  | 'expiry'
  | 'handOff'
  | 'continue'
  | 'otherBank'
  | 'successTitle'
  | 'successReconnectTitle'
  | 'successIntro'
  | 'returnTo'
  | 'redirecting'
  | 'closeWindow'
  | 'failureTitle'
  | 'errorTitle'
  | 'reasonCode'
  | 'developerDetail';

const MESSAGES: Record<Language, Record<Keys, string>> = {
  en: {
    secured: 'Secured by openlean',
    cancel: 'Cancel',
    theApplication: 'the application',
    chooseBankTitle: 'Choose your bank',
    chooseBankIntro: '{app} would like to read information from your bank accounts. Choose your bank to continue.',
    searchLabel: 'Search for your bank',
    noBankMatches: 'No bank matches your search.',
    noBanks: 'No bank offers what {app} asks for.',
    reviewTitle: 'Review what you share',
    reviewIntro: '{app} asks to read this information from your accounts at {bank}:',
    reconnectTitle: 'Renew your bank connection',
    reconnectIntro: 'The access {app} had to your accounts at {bank} has ended. Renew it so that {app} can keep reading:',
    readOnly: 'This is read-only access: nobody can move money or make payments with it.',
    expiry: 'Access ends on {date}. You can withdraw it earlier at any time.',
    handOff: 'You will sign in at {bank} and choose there which accounts to share.',
    continue: 'Continue to {bank}',
    otherBank: 'Choose another bank',
    perm_accounts: 'Accounts',
    perm_accounts_detail: 'The names, types and numbers (IBAN) of your accounts',
    perm_balance: 'Balances',
    perm_balance_detail: 'The current and available balance of each account',
    perm_transactions: 'Transactions',
    perm_transactions_detail: 'Money in and out: dates, amounts, descriptions and merchants',
    perm_identity: 'Your identity',
    perm_identity_detail: 'Your name, address and contact details as your bank holds them',
    perm_direct_debits: 'Direct debits',
    perm_direct_debits_detail: 'The companies you allowed to collect payments from your accounts',
    perm_standing_orders: 'Standing orders',
    perm_standing_orders_detail: 'The regular payments you set up',
    perm_scheduled_payments: 'Scheduled payments',
    perm_scheduled_payments_detail: 'The future payments you scheduled',
    perm_beneficiaries: 'Beneficiaries',
    perm_beneficiaries_detail: 'The people and companies you saved to pay',
    successTitle: 'Your bank account is connected',
    successReconnectTitle: 'Your bank connection is renewed',
    successIntro: '{app} can now read the information you agreed to share.',
    returnTo: 'Return to {app}',
    redirecting: 'Taking you back to {app}…',
    closeWindow: 'You can close this window now.',
    failureTitle: 'Your bank account was not connected',
    errorTitle: 'This link cannot be used',
    reasonCode: 'Reason: {code}',
    developerDetail: 'Details for the developer',
    reason_USER_DENIED: 'You declined the request at your bank. Nothing was shared.',
    reason_OTP_FAILED: 'The one-time code was wrong too many times. Nothing was shared; you can start again.',
    reason_BANK_UNAVAILABLE: 'Your bank could not be reached or did not answer as expected. Nothing was shared; please try again later.',
    reason_STATE_INVALID: 'This page has expired or was already used. Start again from the application.',
    reason_TOKEN_EXPIRED: 'This link has expired. Start again from the application.',
    reason_TOKEN_INVALID: 'This link is not valid. Start again from the application.',
    reason_CANCELLED: 'You cancelled. Nothing was shared.',
    reason_ENTITY_REVOKED: 'This bank connection was removed in the meantime, so it cannot be renewed. Nothing was shared.',
    reason_INVALID_REQUEST: 'The application that sent you here made a request that cannot be completed.',
    reason_INTERNAL_ERROR: 'Something went wrong on our side. Nothing was shared; please try again.',
  },
  ar: {
    secured: 'محمي بواسطة openlean',
    cancel: 'إلغاء',
    theApplication: 'التطبيق',
    chooseBankTitle: 'اختر بنكك',
    chooseBankIntro: 'يرغب {app} في الاطلاع على معلومات من حساباتك المصرفية. اختر بنكك للمتابعة.',
    searchLabel: 'ابحث عن بنكك',
    noBankMatches: 'لا يوجد بنك يطابق بحثك.',
    noBanks: 'لا يوجد بنك يوفر ما يطلبه {app}.',
    reviewTitle: 'راجع ما ستشاركه',
    reviewIntro: 'يطلب {app} الاطلاع على المعلومات التالية من حساباتك لدى {bank}:',
    reconnectTitle: 'جدّد اتصالك بالبنك',
    reconnectIntro: 'انتهى وصول {app} إلى حساباتك لدى {bank}. جدّده ليتمكن {app} من مواصلة الاطلاع على:',
    readOnly: 'هذا وصول للاطلاع فقط: لا يمكن لأحد تحويل الأموال أو إجراء مدفوعات من خلاله.',
    expiry: 'ينتهي الوصول في {date}. يمكنك سحبه قبل ذلك في أي وقت.',
    handOff: 'ستسجّل الدخول لدى {bank} وتختار هناك الحسابات التي تريد مشاركتها.',
    continue: 'المتابعة إلى {bank}',
    otherBank: 'اختر بنكًا آخر',
    perm_accounts: 'الحسابات',
    perm_accounts_detail: 'أسماء حساباتك وأنواعها وأرقامها (الآيبان)',
    perm_balance: 'الأرصدة',
    perm_balance_detail: 'الرصيد الحالي والمتاح لكل حساب',
    perm_transactions: 'المعاملات',
    perm_transactions_detail: 'الأموال الواردة والصادرة: التواريخ والمبالغ والأوصاف والتجار',
    perm_identity: 'هويتك',
    perm_identity_detail: 'اسمك وعنوانك وبيانات الاتصال بك كما يحتفظ بها بنكك',
    perm_direct_debits: 'الخصم المباشر',
    perm_direct_debits_detail: 'الجهات التي سمحت لها بتحصيل مدفوعات من حساباتك',
    perm_standing_orders: 'الأوامر الدائمة',
    perm_standing_orders_detail: 'الدفعات المنتظمة التي أعددتها',
    perm_scheduled_payments: 'الدفعات المجدولة',
    perm_scheduled_payments_detail: 'الدفعات المستقبلية التي جدولتها',
    perm_beneficiaries: 'المستفيدون',
    perm_beneficiaries_detail: 'الأشخاص والجهات الذين حفظتهم للدفع لهم',
    successTitle: 'تم ربط حسابك المصرفي',
    successReconnectTitle: 'تم تجديد اتصالك بالبنك',
    successIntro: 'يمكن الآن لـ {app} الاطلاع على المعلومات التي وافقت على مشاركتها.',
    returnTo: 'العودة إلى {app}',
    redirecting: 'جارٍ إعادتك إلى {app}…',
    closeWindow: 'يمكنك إغلاق هذه النافذة الآن.',
    failureTitle: 'لم يتم ربط حسابك المصرفي',
    errorTitle: 'لا يمكن استخدام هذا الرابط',
    reasonCode: 'السبب: {code}',
    developerDetail: 'تفاصيل للمطوّر',
    reason_USER_DENIED: 'رفضت الطلب لدى بنكك. لم تتم مشاركة أي معلومات.',
    reason_OTP_FAILED: 'أُدخل رمز التحقق بشكل خاطئ مرات كثيرة. لم تتم مشاركة أي معلومات، ويمكنك البدء من جديد.',
    reason_BANK_UNAVAILABLE: 'تعذّر الوصول إلى بنكك أو لم يستجب كما هو متوقع. لم تتم مشاركة أي معلومات، يُرجى المحاولة لاحقًا.',
    reason_STATE_INVALID: 'انتهت صلاحية هذه الصفحة أو سبق استخدامها. ابدأ من جديد من التطبيق.',
    reason_TOKEN_EXPIRED: 'انتهت صلاحية هذا الرابط. ابدأ من جديد من التطبيق.',
    reason_TOKEN_INVALID: 'هذا الرابط غير صالح. ابدأ من جديد من التطبيق.',
    reason_CANCELLED: 'ألغيت العملية. لم تتم مشاركة أي معلومات.',
    reason_ENTITY_REVOKED: 'أُزيل اتصال البنك هذا في أثناء ذلك، لذا لا يمكن تجديده. لم تتم مشاركة أي معلومات.',
    reason_INVALID_REQUEST: 'أرسل التطبيق الذي أحالك إلى هنا طلبًا لا يمكن إتمامه.',
    reason_INTERNAL_ERROR: 'حدث خطأ من جانبنا. لم تتم مشاركة أي معلومات، يُرجى المحاولة مرة أخرى.',
  },
};

export type MessageKey = Keys;

/**
 * The message in `lang`, with `{name}` placeholders filled. Each value is a bidi isolate (FSI…PDI):
 * a Latin bank name ending in ")" inside Arabic text, or the reverse, keeps its own direction.
 */
export function t(lang: Language, key: MessageKey, vars: Record<string, string> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => `\u2068${vars[name] ?? ''}\u2069`);
}

/** A date as people of that language write it, in UTC (the consent's instant, not the viewer's day). */
export function formatDate(lang: Language, iso: string): string {
  return new Intl.DateTimeFormat(lang === 'ar' ? 'ar-AE' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
}
