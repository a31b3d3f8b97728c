import type { Selectable } from 'kysely';
import type { Bill, Transaction, TransactionFlag } from '../domain/bank-data.ts';
import { toAmount } from '../domain/money.ts';
import type { TransactionRow, TransactionTable } from './schema.ts';

/**
 * A stored transaction with its JSON columns (`flags`, `bill`) decoded: the one place they are
 * parsed. In place, because the row is the driver's fresh object and a copy per row would cost on
 * every page the read path serves.
 */
export function decodeTransaction(row: Selectable<TransactionTable>): TransactionRow {
  const decoded = row as unknown as TransactionRow;
  decoded.flags = row.flags === null ? null : (JSON.parse(row.flags) as TransactionFlag[]);
  decoded.bill = row.bill === null ? null : (JSON.parse(row.bill) as Bill);
  return decoded;
}

/**
 * A stored transaction as the data API serves it (Lean's `Transaction`): amounts from minor units
 * to decimals of the currency's exponent (ISO 4217), the merchant and charges as objects or null.
 * Throws `MalformedData` for a currency without an exponent (`toAmount`).
 */
export function toTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    amount: { amount: toAmount(row.amount_minor, row.currency), currency: row.currency },
    timestamp: row.booking_at,
    description: row.description,
    credit_debit_indicator: row.credit_debit,
    booking_status: row.status,
    value_timestamp: row.value_at,
    reference: row.reference,
    merchant: row.merchant_name ? { name: row.merchant_name, category_code: row.merchant_category_code } : null,
    bank_transaction_code: row.bank_transaction_code,
    pending_transaction_id: row.pending_transaction_id,
    transaction_mutability: row.transaction_mutability,
    payment_mode: row.payment_mode,
    charge_amount: row.charge_minor === null || row.charge_currency === null ? null : { amount: toAmount(row.charge_minor, row.charge_currency), currency: row.charge_currency },
    charge_vat_amount:
      row.charge_vat_minor === null || row.charge_vat_currency === null ? null : { amount: toAmount(row.charge_vat_minor, row.charge_vat_currency), currency: row.charge_vat_currency },
    flags: row.flags,
    bill: row.bill,
    local_time_zone: row.local_time_zone,
  };
}

/**
 * The version of `toTransaction`'s output kept in `transactions.api_json`: raise it whenever that
 * output changes (a field added, renamed or formatted differently), and rows written before are
 * rendered from their columns again until rewritten (migration 016).
 */
export const TRANSACTION_JSON_VERSION = 1;

/** `toTransaction(row)` as JSON text, as `transactions.api_json` keeps it. */
export function transactionJson(row: TransactionRow): string {
  return JSON.stringify(toTransaction(row));
}
