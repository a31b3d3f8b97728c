import { connect } from './sandbox-bank.ts';

/**
 * A bare OBIE client written for the tests, independent of openlean's connector: it gets its own
 * consent at a sandbox bank and reads the bank's raw responses, to compare with what openlean serves.
 */
export async function obieSession(bankUrl: string, login: string) {
  const connection = await connect(bankUrl, login);
  const get = async (pathOrUrl: string) => {
    const res = await connection.get(pathOrUrl);
    if (res.status !== 200) throw new Error(`${pathOrUrl}: ${res.status} ${res.text}`);
    return res.body as { Data: Record<string, any>; Links: { Next?: string } };
  };
  /** Every item of `Data[key]` over all pages. */
  const all = async (path: string, key: string) => {
    const items: any[] = [];
    let next: string | undefined = path;
    while (next) {
      const page = await get(next);
      items.push(...(page.Data[key] ?? []));
      next = page.Links.Next;
    }
    return items;
  };
  return { get, all };
}
