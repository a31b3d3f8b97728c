import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localDateRange, nextDay, startOfLocalDay } from '../../src/domain/dates.ts';

describe('dates in a bank time zone', () => {
  it('finds where a local day starts in UTC', () => {
    assert.equal(startOfLocalDay('2026-03-01', 'Asia/Dubai'), '2026-02-28T20:00:00.000Z');
    assert.equal(startOfLocalDay('2026-03-01', 'Asia/Riyadh'), '2026-02-28T21:00:00.000Z');
    assert.equal(startOfLocalDay('2026-03-01', 'UTC'), '2026-03-01T00:00:00.000Z');
    // Zones with daylight saving time resolve on both sides of the change.
    assert.equal(startOfLocalDay('2026-03-29', 'Europe/London'), '2026-03-29T00:00:00.000Z');
    assert.equal(startOfLocalDay('2026-03-30', 'Europe/London'), '2026-03-29T23:00:00.000Z');
  });

  it('rolls over months and leap days', () => {
    assert.equal(nextDay('2026-12-31'), '2027-01-01');
    assert.equal(nextDay('2028-02-28'), '2028-02-29');
  });

  it('makes an inclusive local range half-open in UTC', () => {
    assert.deepEqual(localDateRange('2026-01-01', '2026-01-31', 'Asia/Dubai'), {
      from: '2025-12-31T20:00:00.000Z',
      to: '2026-01-31T20:00:00.000Z',
    });
    assert.deepEqual(localDateRange(undefined, undefined, 'Asia/Dubai'), {});
  });
});
