import { attribute, complex, type SchemaDefinition } from './attribute.js';
import { URN } from './urns.js';

/** The core Group schema (RFC 7643 §4.2). Roster's roles are served as Groups. */
export const GROUP_SCHEMA: SchemaDefinition = Object.freeze({
  id: URN.group,
  name: 'Group',
  description: 'Group (a Roster role)',
  attributes: Object.freeze([
    attribute('displayName', 'string', { required: true, description: 'The role name.' }),
    complex(
      'members',
      [
        attribute('value', 'string', { mutability: 'immutable', caseExact: true }),
        attribute('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User'] }),
        attribute('display', 'string', { mutability: 'readOnly' }),
        attribute('type', 'string', { mutability: 'immutable', canonicalValues: ['User'] }),
      ],
      { multiValued: true, description: 'Users holding this role.' },
    ),
  ]),
});
