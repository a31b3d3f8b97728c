import Type from 'typebox';

export const EntityParams = Type.Object({
  customer_id: Type.String({ format: 'uuid' }),
  entity_id: Type.String({ format: 'uuid' }),
});
