import type { Selectable } from 'kysely';
import type { Bill, TransactionFlag } from '../domain/bank-data.ts';
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
