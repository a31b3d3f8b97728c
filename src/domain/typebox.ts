import Type from 'typebox';

/** A string enum that says `type: string` too, as OpenAPI readers and code generators expect. */
export const StringEnum = <const Values extends string[]>(values: readonly [...Values], options: Type.TSchemaOptions = {}) =>
  Type.Enum(values, { type: 'string', ...options });

/** `T` or null: the bank gave nothing. */
export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
