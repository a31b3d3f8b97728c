import type { CalendarDay } from '../calendar.ts';
import { CODES, isOpen, last4, post, type Books, type CustomerDay } from '../posting.ts';

/** The credit card's monthly cycle: a statement cut on its cycle day, paid in full from the current account. */

/** After the day's entries are booked: customers here pay the statement in full, three weeks after it is cut. */
export function cutStatement({ card }: Books, cal: CalendarDay): void {
  if (isOpen(card, cal.day) && cal.dayOfMonth === card.plan.cycleDay && card.balance < 0) {
    card.statement = { dueDay: cal.day + 21, minor: -card.balance };
  }
}

export function payCardStatement({ books, cal, at }: CustomerDay): void {
  const { current, card } = books;
  if (!card?.statement || cal.day !== card.statement.dueDay) return;
  const { minor } = card.statement;
  const ms = at(8, 12);
  post(current, { ms, minor, credit: false, info: `CREDIT CARD PAYMENT CARD ENDING ${last4(card.plan.accountNumber)}`, reference: null, code: CODES.ownTransferOut });
  post(card, { ms, minor, credit: true, info: 'PAYMENT RECEIVED - THANK YOU', reference: null, code: CODES.ownTransferIn });
  card.statement = null;
}
