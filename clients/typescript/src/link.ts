/**
 * The target of the `rel="next"` link of an RFC 8288 `Link` header, or null when there is none
 * (the last page). Handles several links in one header and a space-separated `rel` list.
 *
 * @example nextLink('</data/v2/accounts/a/transactions?size=50&cursor=abc>; rel="next"') // '/data/v2/accounts/a/transactions?size=50&cursor=abc'
 */
export function nextLink(header: string | null | undefined): string | null {
  if (!header) return null;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]!);
    if (rel && (rel[1] ?? rel[2]!).toLowerCase().split(/\s+/).includes('next')) return m[1]!;
  }
  return null;
}

/**
 * The query parameters of the next page, read from a `Link` header: what to pass back to the same
 * operation (a `cursor`, or the next `page` number, with the request's own `size` and filters).
 */
export function nextPageQuery(header: string | null | undefined): Record<string, string> | null {
  const link = nextLink(header);
  return link === null ? null : Object.fromEntries(new URL(link, 'http://next.invalid').searchParams);
}
