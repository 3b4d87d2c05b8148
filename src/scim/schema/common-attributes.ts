import { attribute, complex } from './attribute.js';

/** Attributes every resource carries (RFC 7643 §3.1); not part of any schema's /Schemas listing. */
export const COMMON_ATTRIBUTES = [
  attribute('id', 'string', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
    description: 'Unique identifier of the resource, issued by Roster.',
  }),
  attribute('externalId', 'string', {
    caseExact: true,
    description: 'Identifier of the resource as defined by the provisioning client.',
  }),
  complex(
    'meta',
    [
      attribute('resourceType', 'string', { caseExact: true, mutability: 'readOnly' }),
      attribute('created', 'dateTime', { mutability: 'readOnly' }),
      attribute('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attribute('location', 'reference', { mutability: 'readOnly', referenceTypes: ['uri'] }),
      attribute('version', 'string', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly', description: 'Resource metadata.' },
  ),
];
