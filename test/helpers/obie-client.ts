import { bankClient, connect, testPki } from './sandbox-fapi.ts';
import type { TestServer } from './server.ts';

/**
 * A bare OBIE client written for the tests, independent of openlean's connector (openid-client
 * driven by the test helpers): it gets its own consent at one of the server's sandbox banks and
 * reads the bank's raw responses, to compare with what openlean serves.
 */
export async function obieSession(s: TestServer, bankId: string, login: string) {
  const sandbox = { url: `${s.url}/sandbox-banks`, tlsUrl: s.server.ctx.sandboxBanks!.tlsBaseUrl(), pki: await testPki(), close: async () => {} };
  const connection = await connect(await bankClient(sandbox, bankId), login);
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
