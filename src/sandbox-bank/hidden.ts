/** Route options keeping a sandbox bank route out of the host's OpenAPI document. */
export const HIDDEN = { schema: { hide: true } } as const;
