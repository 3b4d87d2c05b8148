import { URN } from '../schema/urns.js';

/** A ListResponse (RFC 7644 §3.4.2). Paging fields are always JSON integers (Okta checks). */
export interface ListResponse<T> {
  schemas: [typeof URN.listResponse];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

export function listResponse<T>(resources: T[], totalResults: number, startIndex: number): ListResponse<T> {
  return {
    schemas: [URN.listResponse],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
