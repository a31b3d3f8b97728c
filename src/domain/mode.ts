/**
 * How a deployment runs (`MODE`): `sandbox` serves the sandbox banks and their shortcuts and
 * accepts plain-http callback and webhook URLs; `production` refuses all three.
 */
export type Mode = 'sandbox' | 'production';
