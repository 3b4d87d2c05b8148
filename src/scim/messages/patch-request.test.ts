import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { parsePatchRequest } from './patch-request.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function errorOf(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}

describe('parsePatchRequest', () => {
  it('reads the Entra disable body, lower-casing "Replace"', () => {
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };
    expect(parsePatchRequest(body)).toStrictEqual([{ op: 'replace', path: 'active', value: 'False' }]);
  });

  it('reads op names in any case', () => {
    const body = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: 'nickName', value: 'Babs' },
        { op: 'REMOVE', path: 'title' },
        { op: 'rePlace', value: { active: true } },
      ],
    };
    expect(parsePatchRequest(body)).toStrictEqual([
      { op: 'add', path: 'nickName', value: 'Babs' },
      { op: 'remove', path: 'title' },
      { op: 'replace', value: { active: true } },
    ]);
  });

  it('matches member names case-insensitively (operations, Op, PATH, Value, Schemas)', () => {
    const body = { Schemas: [PATCH_OP], operations: [{ Op: 'add', PATH: 'members', Value: [{ value: 'u1' }] }] };
    expect(parsePatchRequest(body)).toStrictEqual([{ op: 'add', path: 'members', value: [{ value: 'u1' }] }]);
  });

  it('keeps a remove value (Entra lists the members to remove) and passes values through untouched', () => {
    const value = [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }];
    const [operation] = parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value }] });
    expect(operation).toStrictEqual({ op: 'remove', path: 'members', value });
  });

  it('tolerates a missing or null schemas list', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'remove', path: 'title' }] })).toStrictEqual([{ op: 'remove', path: 'title' }]);
    expect(parsePatchRequest({ schemas: null, Operations: [{ op: 'remove', path: 'title' }] })).toHaveLength(1);
  });

  it('accepts the PatchOp URN among others and in any case', () => {
    const body = { schemas: ['urn:x', PATCH_OP.toUpperCase()], Operations: [{ op: 'remove', path: 'title' }] };
    expect(parsePatchRequest(body)).toHaveLength(1);
  });

  it('reads "path": null as no path', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'replace', path: null, value: { active: false } }] })).toStrictEqual([
      { op: 'replace', value: { active: false } },
    ]);
  });

  it('keeps an explicit null value (it means "clear")', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'replace', path: 'title', value: null }] })).toStrictEqual([
      { op: 'replace', path: 'title', value: null },
    ]);
  });

  it.each([
    ['a non-object body', [], 'invalidSyntax'],
    ['a string body', 'Operations', 'invalidSyntax'],
    ['null', null, 'invalidSyntax'],
    [
      'a schemas list without PatchOp',
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'remove', path: 'x' }] },
      'invalidSyntax',
    ],
    ['schemas that is not a list', { schemas: PATCH_OP, Operations: [{ op: 'remove', path: 'x' }] }, 'invalidSyntax'],
    ['schemas with a non-string', { schemas: [PATCH_OP, 1], Operations: [{ op: 'remove', path: 'x' }] }, 'invalidSyntax'],
    ['no Operations', { schemas: [PATCH_OP] }, 'invalidSyntax'],
    ['Operations that is an object', { Operations: { op: 'remove', path: 'x' } }, 'invalidSyntax'],
    ['empty Operations', { schemas: [PATCH_OP], Operations: [] }, 'invalidSyntax'],
    ['Operations given twice in different case', { Operations: [{ op: 'remove', path: 'x' }], operations: [] }, 'invalidSyntax'],
    ['an operation that is not an object', { Operations: ['remove'] }, 'invalidSyntax'],
    ['an unknown op', { Operations: [{ op: 'move', path: 'x' }] }, 'invalidSyntax'],
    ['a missing op', { Operations: [{ path: 'x' }] }, 'invalidSyntax'],
    ['a non-string op', { Operations: [{ op: 1, path: 'x' }] }, 'invalidSyntax'],
    ['a non-string path', { Operations: [{ op: 'remove', path: ['x'] }] }, 'invalidSyntax'],
    ['a numeric path', { Operations: [{ op: 'remove', path: 5 }] }, 'invalidSyntax'],
    ['add without a value', { Operations: [{ op: 'add', path: 'nickName' }] }, 'invalidSyntax'],
    ['replace without a value', { Operations: [{ op: 'Replace' }] }, 'invalidSyntax'],
  ])('rejects %s', (_name, body, code) => {
    expect(errorOf(() => parsePatchRequest(body)).code).toBe(code);
  });

  it('names the bad operation in the error', () => {
    const error = errorOf(() => parsePatchRequest({ Operations: [{ op: 'add', path: 'a', value: 1 }, { op: 'copy' }] }));
    expect(error.detail).toContain('Operations[1]');
    expect(error.detail).toContain('copy');
  });

  it('limits the number of operations (default 1000)', () => {
    const ops = (n: number) => ({ Operations: Array.from({ length: n }, () => ({ op: 'remove', path: 'title' })) });
    expect(parsePatchRequest(ops(1000))).toHaveLength(1000);
    const error = errorOf(() => parsePatchRequest(ops(1001)));
    expect(error.code).toBe('tooMany');
    expect(error.status).toBe(400);
    expect(parsePatchRequest(ops(3), { maxOperations: 3 })).toHaveLength(3);
    expect(errorOf(() => parsePatchRequest(ops(4), { maxOperations: 3 })).code).toBe('tooMany');
  });
});
