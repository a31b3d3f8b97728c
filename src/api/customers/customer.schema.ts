import Type from 'typebox';
import type { CustomerRow } from '../../store/schema.ts';

export const Customer = Type.Object(
  {
    customer_id: Type.String({ format: 'uuid' }),
    app_user_id: Type.String(),
    app_id: Type.String({ format: 'uuid' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Customer' },
);
export type Customer = Type.Static<typeof Customer>;

export const CustomerIdParams = Type.Object({ customer_id: Type.String({ format: 'uuid' }) });

export function toCustomer(row: CustomerRow): Customer {
  return { customer_id: row.id, app_user_id: row.app_user_id, app_id: row.app_id, created_at: row.created_at };
}
