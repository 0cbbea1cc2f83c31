/**
 * The coordination store on DynamoDB: the table serverless.yml creates
 * (stepfunctions/resources/coordination.yml), named by `COORDINATION_TABLE`. Partition key `pk` =
 * the source's name, sort key `sk` = the item's key; `ver` is the version, `exp` the TTL attribute
 * (epoch seconds), every value an attribute `v_<name>`. Writes are conditional on `ver`.
 *
 * The client fails fast (one retry, short timeouts): a store that does not answer must send its
 * caller to its fallback in well under a second, not after the SDK's minute of backoff.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type CoordinationItem,
  type CoordinationStore,
  CoordinationUnavailable,
} from './CoordinationStore.ts';

export interface DynamoCoordinationOptions {
  table: string;
  source: string;
  /** @default a client with 2 attempts and 1 s connection / 2 s request timeouts */
  client?: DynamoDBClient;
}

const VALUE_PREFIX = 'v_';

let sharedClient: DynamoDBClient | undefined;
function defaultClient(): DynamoDBClient {
  sharedClient ??= new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  return sharedClient;
}

export function dynamoCoordinationStore(options: DynamoCoordinationOptions): CoordinationStore {
  const { table, source } = options;
  const client = options.client ?? defaultClient();
  const keyOf = (key: string) => ({ pk: { S: source }, sk: { S: key } });
  const unavailable = (what: string, error: unknown) =>
    new CoordinationUnavailable(
      `coordination store ${table}: ${what} failed (${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? String(error)})`,
      { cause: error },
    );

  return {
    source,
    async get(key) {
      let item: Record<string, AttributeValue> | undefined;
      try {
        ({ Item: item } = await client.send(
          new GetItemCommand({ TableName: table, Key: keyOf(key), ConsistentRead: true }),
        ));
      } catch (error) {
        throw unavailable(`reading ${key}`, error);
      }
      if (!item) return undefined;
      const values: CoordinationItem['values'] = {};
      for (const [name, value] of Object.entries(item)) {
        if (!name.startsWith(VALUE_PREFIX)) continue;
        const v = value.N !== undefined ? Number(value.N) : value.S;
        if (v !== undefined) values[name.slice(VALUE_PREFIX.length)] = v;
      }
      const result: CoordinationItem = { version: Number(item.ver?.N ?? 0), values };
      if (item.exp?.N !== undefined) result.expiresAt = Number(item.exp.N);
      return result;
    },
    async put(key, item, expected) {
      const Item: Record<string, AttributeValue> = { ...keyOf(key), ver: { N: String(item.version) } };
      if (item.expiresAt !== undefined) Item.exp = { N: String(Math.ceil(item.expiresAt)) };
      for (const [name, v] of Object.entries(item.values))
        Item[`${VALUE_PREFIX}${name}`] = typeof v === 'number' ? { N: String(v) } : { S: v };
      try {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item,
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'ver = :expected',
                  ExpressionAttributeValues: { ':expected': { N: String(expected) } },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw unavailable(`writing ${key}`, error);
      }
    },
  };
}
