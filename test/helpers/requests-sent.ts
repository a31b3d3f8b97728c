import diagnostics_channel from 'node:diagnostics_channel';

/**
 * Calls `listener` each time this process sends an HTTP request through undici (global `fetch`,
 * and the undici package the bank transports use) once its headers are on the wire, until the
 * returned function is called: an oracle for "the bank was (not) asked" that needs no clock.
 */
export function onRequestSent(listener: () => void): () => void {
  const handler = () => listener();
  diagnostics_channel.subscribe('undici:client:sendHeaders', handler);
  return () => diagnostics_channel.unsubscribe('undici:client:sendHeaders', handler);
}
