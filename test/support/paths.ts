/** `/api/v1/orgs/{orgId}` followed by `rest` (which starts with a slash). */
export const orgPath = (orgId: string, rest = '') => `/api/v1/orgs/${orgId}${rest}`;
