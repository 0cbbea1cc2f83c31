/**
 * Salesforce (Bulk API 2.0, https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/):
 * `Account` and `Opportunity` read by query jobs. Each stream creates a job with a SOQL query
 * bounded on `SystemModstamp`, polls it until `JobComplete`, reads its CSV results one set at a time
 * by the `Sforce-Locator` each set names, and deletes the job. `SALESFORCE_DOMAIN` is the org's My
 * Domain host (`acme.my.salesforce.com`): the client credentials flow's token endpoint is there too.
 */
import { defineSource, envValue, type SourceInput } from '@tributary/core';

const domain = envValue('SALESFORCE_DOMAIN', {
  pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
  example: 'acme.my.salesforce.com',
});

/** Winter '25. Query jobs need 47.0 or later. */
const API = '/services/data/v62.0';

/** The fields read of each object (SOQL names no `*`): what the curated tables get. */
const FIELDS = {
  Account: [
    'Id',
    'Name',
    'Type',
    'Industry',
    'BillingCity',
    'BillingCountry',
    'AnnualRevenue',
    'NumberOfEmployees',
    'Description',
    'IsDeleted',
    'CreatedDate',
    'LastModifiedDate',
    'SystemModstamp',
  ],
  Opportunity: [
    'Id',
    'AccountId',
    'Name',
    'StageName',
    'Amount',
    'Probability',
    'CloseDate',
    'IsClosed',
    'IsWon',
    'IsDeleted',
    'CreatedDate',
    'LastModifiedDate',
    'SystemModstamp',
  ],
};

const bulkQuery = (object: keyof typeof FIELDS): SourceInput['streams'][string] => ({
  job: {
    create: {
      path: `${API}/jobs/query`,
      // A query job reads only: made twice, it costs a job of the day's quota and nothing else.
      request: {
        type: 'json',
        method: 'POST',
        body: {
          operation: 'query',
          query: `SELECT ${FIELDS[object].join(', ')} FROM ${object} WHERE SystemModstamp >= {since}`,
        },
        retrySafe: true,
      },
      idPath: 'id',
    },
    poll: {
      path: `${API}/jobs/query/{job.id}`,
      statusPath: 'state',
      done: ['JobComplete'],
      failed: ['Failed', 'Aborted'],
      messagePath: 'errorMessage',
      intervalMs: 2000,
      maxIntervalMs: 30_000,
      maxWaitSeconds: 3600,
    },
    cleanup: { method: 'DELETE', path: `${API}/jobs/query/{job.id}` },
  },
  path: `${API}/jobs/query/{job.id}/results`,
  params: { maxRecords: '50000' },
  paginator: { type: 'headerCursor', header: 'Sforce-Locator', param: 'locator', stopValues: ['null'] },
  decoder: { type: 'csv' },
  primaryKey: 'Id',
  incremental: { cursorField: 'SystemModstamp', initialSince: '1999-01-01T00:00:00Z' },
});

export const source = defineSource({
  name: 'salesforce',
  baseUrl: `https://${domain}`,
  auth: {
    type: 'oauth2ClientCredentials',
    tokenUrl: '/services/oauth2/token',
    clientIdKey: 'client_id',
    clientSecretKey: 'client_secret',
    clientAuth: 'body',
  },
  streams: { account: bulkQuery('Account'), opportunity: bulkQuery('Opportunity') },
});
