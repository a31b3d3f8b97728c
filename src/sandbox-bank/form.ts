/** Form fields as the plugin's parser gives them: repeated names become arrays. */
export type Form = Record<string, string | string[]>;

export function formOf(body: unknown): Form {
  return body && typeof body === 'object' ? (body as Form) : {};
}
