import { merchant as m } from './country.ts';

/** What the generator's countries share. */

/** Family names of Arab expatriates, the same across the Gulf. */
export const EXPAT_FAMILIES = [
  'Haddad',
  'Khoury',
  'Nassar',
  'Saleh',
  'Abdel Rahman',
  'El Sayed',
  'Awad',
  'Darwish',
  'Mahmoud',
  'Barakat',
  'Hijazi',
  'Qasem',
];

/** Streaming services sold across the region; each country adds its own. */
export const REGIONAL_SUBSCRIPTIONS = [
  m('Netflix', '4899'),
  m('Shahid VIP', '4899'),
  m('Spotify', '5815'),
  m('Anghami', '5815'),
  m('APPLE.COM/BILL', '5818'),
  m('YouTube Premium', '5815'),
];
