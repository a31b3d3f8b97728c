import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SANDBOX_BANK_PROFILES, type SandboxBankProfile } from '../../src/sandbox-bank/profiles.ts';
import { formatMinor, toMinor } from '../../src/domain/money.ts';
import { PERMISSIONS, type Permission } from '../../src/domain/permissions.ts';
import { toEntitySnapshot } from '../helpers/direct-snapshot.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import type { GeneratedAccount, GeneratedCustomer, GeneratedTransaction, ObAmount } from '../../src/sandbox-bank/generator/model.ts';

const AS_OF = new Date('2026-11-29T02:00:00.000Z');
const LOGINS = ['user1', 'user2', 'alice', 'bob', 'omar.k'];
const DAY_MS = 86_400_000;

function bank(identifier: string): SandboxBankProfile {
  const found = SANDBOX_BANK_PROFILES.find((b) => b.identifier === identifier);
  assert.ok(found, identifier);
  return found;
}
const FALCON = bank('SANDBOX_FALCON_AE');
const NAKHEEL = bank('SANDBOX_NAKHEEL_SA');
const PEARL = bank('SANDBOX_PEARL_BH');

/** Independent of the generator's own code: ISO 13616 mod-97 over the rearranged IBAN. */
function ibanChecksumValid(iban: string): boolean {
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55));
  return BigInt(digits) % 97n === 1n;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function minor(amount: ObAmount): number {
  return toMinor(amount.amount, amount.currency);
}

function signed(t: GeneratedTransaction): number {
  return t.creditDebitIndicator === 'Credit' ? minor(t.amount) : -minor(t.amount);
}

function balance(account: GeneratedAccount, type: string): number {
  const b = account.balances.find((x) => x.type === type);
  assert.ok(b, `${account.accountId} has a ${type} balance`);
  return b.creditDebitIndicator === 'Credit' ? minor(b.amount) : -minor(b.amount);
}

const cache = new Map<string, GeneratedCustomer>();
function customer(b: SandboxBankProfile, login: string, asOf = AS_OF): GeneratedCustomer {
  const key = `${b.identifier}/${login}/${asOf.toISOString()}`;
  let c = cache.get(key);
  if (!c) {
    c = generateCustomer(b, login, asOf);
    cache.set(key, c);
  }
  return c;
}

describe('determinism', () => {
  test('the same bank, login and profile give deep-equal customers', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      assert.deepEqual(generateCustomer(b, 'user1', AS_OF), generateCustomer(b, 'user1', AS_OF));
      assert.deepEqual(generateCustomer(b, 'user1', AS_OF, { profile: 'thin' }), generateCustomer(b, 'user1', AS_OF, { profile: 'thin' }));
    }
  });

  test('different logins and banks give different customers', () => {
    const a = customer(FALCON, 'user1');
    const b = customer(FALCON, 'user2');
    assert.notEqual(a.accounts[0]!.iban, b.accounts[0]!.iban);
    assert.notDeepEqual(a.party.person, b.party.person);
    assert.notEqual(customer(bank('SANDBOX_OASIS_AE'), 'user1').accounts[0]!.iban, a.accounts[0]!.iban);
  });

  test('the profile changes the banking, not the person', () => {
    const normal = customer(FALCON, 'user1');
    const thin = generateCustomer(FALCON, 'user1', AS_OF, { profile: 'thin' });
    assert.deepEqual(thin.party, normal.party);
    assert.ok(thin.accounts[0]!.transactions.length < normal.accounts[0]!.transactions.length / 5);
  });

  test('an unsupported country, an unknown profile or an invalid date is refused', () => {
    assert.throws(() => generateCustomer({ ...FALCON, identifier: 'X_KW', country: 'KW', currency: 'KWD' }, 'user1', AS_OF), RangeError);
    assert.throws(() => generateCustomer(FALCON, 'user1', AS_OF, { profile: 'huge' as never }), RangeError);
    assert.throws(() => generateCustomer(FALCON, 'user1', new Date('not a date')), RangeError);
  });
});

describe('identifiers', () => {
  const FORMATS: Record<string, { length: number; pattern: RegExp }> = {
    AE: { length: 23, pattern: /^AE\d{2}\d{3}\d{16}$/ },
    SA: { length: 24, pattern: /^SA\d{2}\d{2}[0-9A-Z]{18}$/ },
    BH: { length: 22, pattern: /^BH\d{2}[A-Z]{4}[0-9A-Z]{14}$/ },
  };

  test('every account IBAN has its country format, the bank code and a valid mod-97 check', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      const format = FORMATS[b.country]!;
      for (const login of LOGINS) {
        for (const a of customer(b, login).accounts) {
          assert.equal(a.iban.length, format.length, a.iban);
          assert.match(a.iban, format.pattern);
          assert.equal(a.iban.slice(4, 4 + b.iban_bank_code.length), b.iban_bank_code, a.iban);
          assert.ok(ibanChecksumValid(a.iban), `${a.iban} passes mod-97`);
          assert.ok(a.iban.endsWith(a.accountNumber), `${a.iban} carries account number ${a.accountNumber}`);
          assert.equal(a.servicer.identification, b.bic);
        }
      }
    }
  });

  test('beneficiary and standing-order IBANs are valid too, home-country ones included', () => {
    let foreign = 0;
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        const current = customer(b, login).accounts[0]!;
        const ibans = [...current.beneficiaries, ...current.standingOrders, ...current.scheduledPayments].map((x) => x.creditorAccount.identification);
        for (const iban of ibans) {
          assert.ok(ibanChecksumValid(iban), iban);
          if (!iban.startsWith(b.country)) foreign++;
        }
      }
    }
    assert.ok(foreign > 0, 'some expatriates send money home');
  });

  test('transaction ids are unique within an account', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const a of customer(b, 'user1').accounts) {
        assert.equal(new Set(a.transactions.map((t) => t.transactionId)).size, a.transactions.length);
      }
    }
  });

  test('Emirates IDs are 784-YYYY-NNNNNNN-C with the birth year and a Luhn check digit', () => {
    for (const b of [FALCON, bank('SANDBOX_OASIS_AE')]) {
      for (const login of LOGINS) {
        const { person } = customer(b, login).party;
        assert.equal(person.nationalId.scheme, 'EmiratesId');
        assert.match(person.nationalId.value, /^784-\d{4}-\d{7}-\d$/);
        assert.equal(person.nationalId.value.slice(4, 8), person.birthDate.slice(0, 4));
        assert.ok(luhnValid(person.nationalId.value.replaceAll('-', '')), person.nationalId.value);
        assert.match(person.mobile, /^\+971-5\d{8}$/);
      }
    }
  });

  test('Saudi ids are 10 Luhn-valid digits starting with 1 or 2; Bahraini CPRs are 9 digits', () => {
    for (const login of LOGINS) {
      const saudi = customer(NAKHEEL, login).party.person;
      assert.equal(saudi.nationalId.scheme, 'SaudiNationalId');
      assert.match(saudi.nationalId.value, /^[12]\d{9}$/);
      assert.ok(luhnValid(saudi.nationalId.value), saudi.nationalId.value);
      assert.match(saudi.mobile, /^\+966-5\d{8}$/);
      assert.equal(saudi.address.country, 'SA');
      assert.match(saudi.address.postCode ?? '', /^\d{5}$/);

      const bahraini = customer(PEARL, login).party.person;
      assert.equal(bahraini.nationalId.scheme, 'BahrainCpr');
      assert.match(bahraini.nationalId.value, /^\d{9}$/);
      assert.equal(bahraini.nationalId.value.slice(0, 4), bahraini.birthDate.slice(2, 4) + bahraini.birthDate.slice(5, 7));
      assert.match(bahraini.mobile, /^\+973-3\d{7}$/);
    }
  });
});

describe('accounts', () => {
  test('every account type appears across a handful of logins; the current account always comes first', () => {
    const seen = new Set<string>();
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        const c = customer(b, login);
        assert.ok(c.accounts.length >= 1 && c.accounts.length <= 4);
        assert.equal(c.accounts[0]!.accountSubType, 'CurrentAccount');
        for (const a of c.accounts) {
          seen.add(a.accountSubType);
          assert.equal(a.currency, b.currency);
          assert.equal(a.status, 'Enabled');
        }
      }
    }
    assert.deepEqual([...seen].sort(), ['CreditCard', 'CurrentAccount', 'Loan', 'Savings']);
  });

  test('accounts opened in 2025, so a 2026 refresh sees 10 to 22 months of history', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const a of customer(b, 'user1').accounts) {
        const opened = Date.parse(a.openingDate);
        assert.ok(opened >= Date.parse('2024-12-31T00:00:00Z') && opened < Date.parse('2025-12-31T00:00:00Z'), a.openingDate);
        const months = (AS_OF.getTime() - opened) / (30.44 * DAY_MS);
        assert.ok(months >= 10 && months <= 22, `${months} months`);
      }
    }
  });

  test('an asOf before the opening dates opens the accounts on that day rather than in the future', () => {
    const early = new Date('2025-01-10T12:00:00Z');
    const c = generateCustomer(FALCON, 'user1', early);
    for (const a of c.accounts) assert.ok(Date.parse(a.openingDate) <= early.getTime());
  });
});

describe('balances', () => {
  test('opening + signed sum of booked transactions == InterimBooked, exactly, for every account', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        for (const profile of ['default', 'thin'] as const) {
          const c = profile === 'default' ? customer(b, login) : generateCustomer(b, login, AS_OF, { profile });
          for (const a of c.accounts) {
            const booked = a.transactions.filter((t) => t.status === 'Booked').reduce((sum, t) => sum + signed(t), 0);
            assert.equal(balance(a, 'OpeningBooked') + booked, balance(a, 'InterimBooked'), `${b.identifier} ${login} ${a.accountSubType}`);
            const pendingDebits = a.transactions
              .filter((t) => t.status === 'Pending' && t.creditDebitIndicator === 'Debit')
              .reduce((sum, t) => sum + minor(t.amount), 0);
            const limit = a.creditLimit ? minor(a.creditLimit) : 0;
            assert.equal(balance(a, 'InterimAvailable'), balance(a, 'InterimBooked') - pendingDebits + limit);
          }
        }
      }
    }
  });

  test('cards and loans carry debit balances, cards with their limit as an OBIE credit line', () => {
    let cards = 0;
    let loans = 0;
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        for (const a of customer(b, login).accounts) {
          if (a.accountSubType === 'Loan') {
            loans++;
            assert.ok(balance(a, 'OpeningBooked') < 0 && balance(a, 'InterimBooked') < 0);
            assert.ok(balance(a, 'InterimBooked') > balance(a, 'OpeningBooked'), 'instalments reduce the debt');
          }
          if (a.accountSubType === 'CreditCard') {
            cards++;
            assert.ok(balance(a, 'InterimBooked') <= 0);
            const available = a.balances.find((x) => x.type === 'InterimAvailable')!;
            assert.deepEqual(available.creditLine, [{ included: true, type: 'Credit', amount: a.creditLimit }]);
          }
        }
      }
    }
    assert.ok(cards > 0 && loans > 0);
  });

  test('current accounts stay in credit, near enough: salary outweighs spending', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        const a = customer(b, login).accounts[0]!;
        const salary = minor(a.transactions.find((t) => t.bankTransactionCode.subCode === 'SalaryPayment')!.amount);
        let running = balance(a, 'OpeningBooked');
        for (const t of a.transactions) {
          running += signed(t);
          assert.ok(running > -salary / 2, `${b.identifier} ${login} at ${t.bookingDateTime}: ${running}`);
        }
      }
    }
  });

  test('BHD amounts have three decimals and use the third', () => {
    const amounts = LOGINS.flatMap((login) => customer(PEARL, login).accounts.flatMap((a) => a.transactions.map((t) => t.amount)));
    for (const amount of amounts) {
      assert.equal(amount.currency, 'BHD');
      assert.match(amount.amount, /^\d+\.\d{3}$/);
    }
    const usingFils = amounts.filter((a) => !a.amount.endsWith('0'));
    assert.ok(usingFils.length > amounts.length / 10, `${usingFils.length} of ${amounts.length} use the third decimal`);
    for (const amount of customer(FALCON, 'user1').accounts[0]!.transactions.map((t) => t.amount)) {
      assert.match(amount.amount, /^\d+\.\d{2}$/);
    }
  });
});

describe('history', () => {
  test('nothing is booked after asOf; only recent card entries are pending', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const a of customer(b, 'user1').accounts) {
        let previous = '';
        for (const t of a.transactions) {
          const at = Date.parse(t.bookingDateTime);
          assert.ok(at <= AS_OF.getTime(), t.bookingDateTime);
          assert.equal(t.bookingDateTime, new Date(at).toISOString());
          assert.ok(t.bookingDateTime >= previous, 'oldest first');
          previous = t.bookingDateTime;
          if (t.status === 'Pending') {
            assert.ok(at > AS_OF.getTime() - 2 * DAY_MS);
            assert.equal(t.bankTransactionCode.code, 'CustomerCardTransactions');
            assert.equal(t.valueDateTime, null);
          } else {
            assert.equal(t.valueDateTime, t.bookingDateTime);
          }
        }
      }
    }
  });

  test('ten days later every booked transaction is unchanged, pending ones have booked under their id, and there are new ones', () => {
    const later = new Date(AS_OF.getTime() + 10 * DAY_MS);
    let pendingSeen = 0;
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS.slice(0, 3)) {
        const before = customer(b, login);
        const after = customer(b, login, later);
        assert.equal(after.accounts.length, before.accounts.length);
        before.accounts.forEach((a, i) => {
          const next = after.accounts[i]!;
          assert.equal(next.accountId, a.accountId);
          const byId = new Map(next.transactions.map((t) => [t.transactionId, t]));
          for (const t of a.transactions) {
            const again = byId.get(t.transactionId);
            assert.ok(again, `${t.transactionId} still there`);
            if (t.status === 'Booked') {
              assert.deepEqual(again, t);
            } else {
              pendingSeen++;
              assert.equal(again.status, 'Booked');
              assert.deepEqual(again.amount, t.amount);
              assert.equal(again.bookingDateTime, t.bookingDateTime);
            }
          }
          if (a.accountSubType === 'CurrentAccount') assert.ok(next.transactions.length > a.transactions.length);
        });
      }
    }
    assert.ok(pendingSeen > 0, 'some pending transactions were followed to booking');
  });

  test('salary arrives monthly on a working day around the 25th-28th', () => {
    const a = customer(FALCON, 'user1').accounts[0]!;
    const salaries = a.transactions.filter((t) => t.bankTransactionCode.subCode === 'SalaryPayment' && !t.transactionInformation.startsWith('BONUS'));
    const months = (AS_OF.getTime() - Date.parse(a.openingDate)) / (30.44 * DAY_MS);
    assert.ok(Math.abs(salaries.length - months) <= 1.5, `${salaries.length} salaries in ${months} months`);
    for (const s of salaries) {
      const local = new Date(Date.parse(s.bookingDateTime) + 4 * 3_600_000);
      assert.ok(local.getUTCDate() >= 22 && local.getUTCDate() <= 28, s.bookingDateTime);
      assert.ok(![0, 6].includes(local.getUTCDay()), 'UAE payroll skips Saturday and Sunday');
    }
  });

  test('the default profile books 60-150 transactions a month on the current account; thin a few', () => {
    for (const b of SANDBOX_BANK_PROFILES) {
      const perMonth = (c: GeneratedCustomer) =>
        c.accounts[0]!.transactions.length / ((AS_OF.getTime() - Date.parse(c.accounts[0]!.openingDate)) / (30.44 * DAY_MS));
      const normal = perMonth(customer(b, 'user1'));
      assert.ok(normal >= 50 && normal <= 160, `${b.identifier}: ${normal}`);
      const thin = perMonth(generateCustomer(b, 'user1', AS_OF, { profile: 'thin' }));
      assert.ok(thin >= 2 && thin <= 15, `${b.identifier} thin: ${thin}`);
    }
  });

  test('merchant spending carries an ISO 18245 category code and a card transaction code', () => {
    const purchases = customer(NAKHEEL, 'user1').accounts[0]!.transactions.filter((t) => t.bankTransactionCode.subCode === 'PointOfSalePayment');
    assert.ok(purchases.length > 100);
    for (const t of purchases) assert.match(t.merchantDetails?.merchantCategoryCode ?? '', /^\d{4}$/);
    const names = new Set(purchases.map((t) => t.merchantDetails!.merchantName));
    assert.ok(['Panda', 'Tamimi Markets', 'Danube', 'HungerStation', 'Jahez'].some((n) => names.has(n)), 'Saudi merchants');
  });
});

describe('payment instructions', () => {
  test('direct debits report the last collection in the history', () => {
    let checked = 0;
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        const current = customer(b, login).accounts[0]!;
        for (const dd of current.directDebits) {
          const collections = current.transactions.filter((t) => t.transactionReference === dd.mandateIdentification);
          const last = collections.at(-1);
          assert.equal(dd.previousPaymentDateTime, last?.bookingDateTime ?? null);
          assert.deepEqual(dd.previousPaymentAmount, last?.amount ?? null);
          if (last) checked++;
        }
      }
    }
    assert.ok(checked > 0);
  });

  test('standing orders agree with their executions and are next due after asOf', () => {
    let checked = 0;
    for (const b of SANDBOX_BANK_PROFILES) {
      for (const login of LOGINS) {
        const current = customer(b, login).accounts[0]!;
        for (const so of current.standingOrders) {
          assert.match(so.frequency, /^IntrvlMnthDay:01:(0[1-9]|[12][0-9])$/);
          const executions = current.transactions.filter((t) => t.bankTransactionCode.subCode === 'StandingOrder' && t.transactionReference === so.reference);
          assert.equal(executions[0]?.bookingDateTime ?? so.firstPaymentDateTime, so.firstPaymentDateTime);
          assert.equal(so.lastPaymentDateTime, executions.at(-1)?.bookingDateTime ?? null);
          for (const e of executions) assert.deepEqual(e.amount, so.firstPaymentAmount);
          if (so.nextPaymentDateTime) assert.ok(Date.parse(so.nextPaymentDateTime) > AS_OF.getTime());
          assert.equal(so.standingOrderStatusCode, so.nextPaymentDateTime ? 'Active' : 'Inactive');
          checked++;
        }
      }
    }
    assert.ok(checked > 0);
  });

  test('scheduled payments are dated after asOf and execute as transfers once their day has passed', () => {
    const c = customer(FALCON, 'user2');
    const upcoming = c.accounts[0]!.scheduledPayments;
    assert.ok(upcoming.length > 0);
    for (const p of upcoming) assert.ok(Date.parse(p.scheduledPaymentDateTime) > AS_OF.getTime());
    const first = upcoming[0]!;
    const after = generateCustomer(FALCON, 'user2', new Date(Date.parse(first.scheduledPaymentDateTime) + DAY_MS));
    const executed = after.accounts[0]!.transactions.find((t) => t.bookingDateTime === first.scheduledPaymentDateTime);
    assert.ok(executed, 'the scheduled payment became a transaction');
    assert.deepEqual(executed.amount, first.instructedAmount);
  });

  test('parties: the holder on every account, the consenting user as /party', () => {
    for (const login of LOGINS) {
      const c = customer(FALCON, login);
      assert.equal(c.party.partyType, 'Sole');
      assert.equal(c.party.accountRole, null);
      for (const a of c.accounts) {
        assert.equal(a.parties[0]!.person.partyId, c.party.person.partyId);
        assert.equal(a.parties[0]!.accountRole, 'UK.OBIE.Principal');
      }
    }
  });
});

describe('high_volume profile', () => {
  test('at least three accounts with at least 10 000 transactions each', () => {
    const started = performance.now();
    const c = generateCustomer(FALCON, 'bench', AS_OF, { profile: 'high_volume' });
    const elapsed = performance.now() - started;
    const busy = c.accounts.filter((a) => a.transactions.length >= 10_000);
    console.log(
      `high_volume generateCustomer at ${AS_OF.toISOString()}: ${elapsed.toFixed(0)} ms, ` +
        `transactions per account ${c.accounts.map((a) => a.transactions.length).join(', ')}`,
    );
    assert.ok(busy.length >= 3, `${busy.length} busy accounts`);
    for (const a of c.accounts) {
      const booked = a.transactions.filter((t) => t.status === 'Booked').reduce((sum, t) => sum + signed(t), 0);
      assert.equal(balance(a, 'OpeningBooked') + booked, balance(a, 'InterimBooked'));
    }
  });
});

describe('toEntitySnapshot', () => {
  const b = FALCON;
  const c = customer(b, 'user1');
  const fetchedAt = new Date('2026-11-29T02:00:05.000Z');

  test('maps accounts and every resource under full permissions, with exact amounts', () => {
    const snapshot = toEntitySnapshot(c, b, PERMISSIONS, fetchedAt);
    assert.equal(snapshot.fetched_at, '2026-11-29T02:00:05.000Z');
    assert.equal(snapshot.accounts.length, c.accounts.length);
    const [fetched, source] = [snapshot.accounts[0]!, c.accounts[0]!];
    assert.equal(fetched.bank_account_id, source.accountId);
    assert.deepEqual(fetched.account, {
      name: source.description,
      type: 'CURRENT',
      currency: 'AED',
      iban: source.iban,
      account_number: source.accountNumber,
      bic: b.bic,
      nickname: source.nickname,
      holder_name: c.party.person.name,
      status: 'ENABLED',
      opened_at: source.openingDate,
    });
    assert.equal(fetched.transactions!.from, null);
    assert.equal(fetched.transactions!.items.length, source.transactions.length);
    const t = source.transactions.find((x) => x.merchantDetails)!;
    const item = fetched.transactions!.items.find((x) => x.key === t.transactionId)!;
    assert.deepEqual(item, {
      key: t.transactionId,
      bank_transaction_id: t.transactionId,
      status: t.status === 'Booked' ? 'BOOKED' : 'PENDING',
      booking_at: t.bookingDateTime,
      value_at: t.valueDateTime,
      amount_minor: toMinor(t.amount.amount, 'AED'),
      currency: 'AED',
      credit_debit: t.creditDebitIndicator === 'Credit' ? 'CREDIT' : 'DEBIT',
      description: t.transactionInformation,
      reference: t.transactionReference,
      merchant_name: t.merchantDetails!.merchantName,
      merchant_category_code: t.merchantDetails!.merchantCategoryCode,
      bank_transaction_code: `${t.bankTransactionCode.code}.${t.bankTransactionCode.subCode}`,
    });

    for (const [i, account] of snapshot.accounts.entries()) {
      const opening = account.balances!.find((x) => x.type === 'OPENING_BOOKED')!;
      const interim = account.balances!.find((x) => x.type === 'INTERIM_BOOKED')!;
      const value = (x: typeof opening) => (x.credit_debit_indicator === 'CREDIT' ? 1 : -1) * toMinor(String(x.amount.amount), x.amount.currency);
      const sum = account.transactions!.items.filter((x) => x.status === 'BOOKED').reduce((s, x) => s + (x.credit_debit === 'CREDIT' ? x.amount_minor : -x.amount_minor), 0);
      assert.equal(value(opening) + sum, value(interim), `account ${i}`);
      assert.equal(interim.amount.amount, Number(formatMinor(Math.abs(value(interim)), interim.amount.currency)));
    }
    assert.ok(snapshot.identity);
    assert.equal(snapshot.identity.national_identity_number, c.party.person.nationalId.value);
    assert.equal(snapshot.identity.mobile_number, c.party.person.mobile.replace('-', ''));
    assert.match(snapshot.identity.mobile_number ?? '', /^\+9715\d{8}$/);
    assert.equal(snapshot.identity.party_type, 'SOLE');
    assert.ok(snapshot.accounts[0]!.account_identities!.length >= 1);
    assert.equal(snapshot.accounts[0]!.direct_debits!.length, source.directDebits.length);
    assert.equal(snapshot.accounts[0]!.standing_orders!.length, source.standingOrders.length);
    assert.equal(snapshot.accounts[0]!.scheduled_payments!.length, source.scheduledPayments.length);
    assert.equal(snapshot.accounts[0]!.beneficiaries!.length, source.beneficiaries.length);
  });

  test('leaves out what the permissions do not cover, but always lists the accounts', () => {
    const only: Permission[] = ['accounts', 'balance'];
    const snapshot = toEntitySnapshot(c, b, only, fetchedAt);
    assert.equal(snapshot.accounts.length, c.accounts.length);
    assert.equal(snapshot.identity, undefined);
    for (const a of snapshot.accounts) {
      assert.ok(a.balances);
      assert.equal(a.transactions, undefined);
      assert.equal(a.beneficiaries, undefined);
      assert.equal(a.direct_debits, undefined);
      assert.equal(a.standing_orders, undefined);
      assert.equal(a.scheduled_payments, undefined);
      assert.equal(a.account_identities, undefined);
    }
    const identityOnly = toEntitySnapshot(c, b, ['identity'], fetchedAt);
    assert.ok(identityOnly.identity);
    assert.ok(identityOnly.accounts.every((a) => a.account_identities && a.balances === undefined));
  });

  test('BHD amounts stay exact through the domain mapping', () => {
    const pearl = customer(PEARL, 'user1');
    const snapshot = toEntitySnapshot(pearl, PEARL, PERMISSIONS, fetchedAt);
    const items = snapshot.accounts.flatMap((a) => a.transactions!.items);
    const source = pearl.accounts.flatMap((a) => a.transactions);
    assert.deepEqual(
      items.map((x) => x.amount_minor),
      source.map((t) => toMinor(t.amount.amount, 'BHD')),
    );
    assert.ok(items.some((x) => x.amount_minor % 10 !== 0));
  });

  test('refuses a customer generated for another bank', () => {
    assert.throws(() => toEntitySnapshot(c, PEARL, PERMISSIONS, fetchedAt), RangeError);
  });
});
