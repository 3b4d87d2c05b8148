/**
 * Storage conformance for issue 13, defect 1: whatever a client sends, the entry the provisioning
 * log makes of it (`recordableEntry`) is text both engines store and give back unchanged, so no
 * request can make a write of the log fail. PostgreSQL refuses NUL in text and index rows over
 * 2704 bytes; SQLite refuses neither, so the round trip must hold on both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordableEntry } from '../../src/directory/log/log-redaction.js';
import type { ProvisioningLogEntry } from '../../src/directory/model.js';
import { addWorkspace, logEntry, storeForSuite } from './fixtures.js';

/** Any UTF-16 code unit, with NUL, controls and lone surrogates made frequent. */
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\0', '\ud800', '\udfff', '\u001b', '\n', '\u0085', '😀', '%00'),
);
const hostile = (maxLength: number) => fc.string({ unit, maxLength });

describe('issue 13 defect 1: recorded log entries are storable text on every engine', () => {
  const handle = storeForSuite();

  it('property: a batch of entries built from any client text is written whole and read back unchanged', async () => {
    const ws = (await addWorkspace(handle().store)).id;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(hostile(3000), fc.option(hostile(3000)), fc.option(hostile(3000)), fc.array(hostile(200), { maxLength: 3 })), {
          minLength: 1,
          maxLength: 5,
        }),
        async (requests) => {
          const entries: ProvisioningLogEntry[] = requests.map(([path, resourceId, detail, warnings]) => {
            const time = Date.UTC(2024, 0, 1) + ++n;
            const { id } = logEntry(ws, time);
            return { ...recordableEntry({ ...logEntry(ws, time), path, resourceId, detail, warnings }), id };
          });
          await handle().store.transaction((repos) => repos.provisioningLog.insert(entries));
          const stored = await handle().store.read.provisioningLog.list(ws, { limit: entries.length });
          expect(stored).toStrictEqual([...entries].reverse());
        },
      ),
      { numRuns: 40 },
    );
  });
});
