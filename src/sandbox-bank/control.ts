import { pathParam } from './request-parts.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { StringEnum } from '../domain/typebox.ts';
import type { SandboxContext } from './context.ts';
import { ObieError } from './errors.ts';
import { FAULTS, type Fault } from './faults.ts';
import { PROFILES } from './generator/model.ts';
import { HIDDEN } from './hidden.ts';
import type { FaultSwitches } from './state.ts';
import { validBody } from './validate.ts';

/**
 * The sandbox's control panel, which no real bank has: which data profile a login gets and
 * which faults the bank, or one login, shows. Unauthenticated, like the rest of the sandbox.
 */

const Faults = Type.Array(StringEnum(FAULTS), { uniqueItems: true, maxItems: FAULTS.length });

const UserSettingsBody = Compile(Type.Object({ profile: Type.Optional(StringEnum(PROFILES)), faults: Type.Optional(Faults) }, { additionalProperties: false }));
const BankFaultsBody = Compile(Type.Object({ faults: Faults }, { additionalProperties: false }));

function loginOf(request: FastifyRequest): string {
  const login = pathParam(request, 'login');
  if (!login.trim() || login.length > 100) throw new ObieError(400, 'UK.OBIE.Field.Invalid', 'login must be 1 to 100 characters', { path: 'login' });
  return login;
}

export function registerControl(app: FastifyInstance, ctx: SandboxContext): void {
  /** A fault already on keeps the instant it was switched on: faults that shape data act only on what came after. */
  const switches = (faults: readonly Fault[], current: FaultSwitches): FaultSwitches => {
    const nowMs = ctx.now().getTime();
    return Object.fromEntries(faults.map((f) => [f, current[f] ?? nowMs]));
  };
  const userSettings = (bank: string, login: string) => {
    const { profile, faults } = ctx.state.user(bank, login);
    return { bank_identifier: bank, login, profile, faults: Object.keys(faults) };
  };

  app.get('/:bank/control/users/:login', HIDDEN, async (request) => {
    const bank = ctx.bank(request);
    return userSettings(bank.identifier, loginOf(request));
  });

  // Fields left out keep their value, so setting a profile does not clear the faults or back.
  app.put('/:bank/control/users/:login', HIDDEN, async (request) => {
    const bank = ctx.bank(request);
    const login = loginOf(request);
    const body = validBody(UserSettingsBody, request.body);
    const current = ctx.state.user(bank.identifier, login);
    ctx.state.putUser(bank.identifier, login, { profile: body.profile ?? current.profile, faults: body.faults ? switches(body.faults, current.faults) : current.faults });
    return userSettings(bank.identifier, login);
  });

  app.get('/:bank/control/faults', HIDDEN, async (request) => {
    const bank = ctx.bank(request);
    return { bank_identifier: bank.identifier, faults: Object.keys(ctx.state.bankFaults(bank.identifier)) };
  });

  app.put('/:bank/control/faults', HIDDEN, async (request) => {
    const bank = ctx.bank(request);
    const { faults } = validBody(BankFaultsBody, request.body);
    ctx.state.putBankFaults(bank.identifier, switches(faults, ctx.state.bankFaults(bank.identifier)));
    return { bank_identifier: bank.identifier, faults };
  });
}
