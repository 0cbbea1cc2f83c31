/** A coordination table on moto (tests get its endpoint from test/support/globalSetup.ts). */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

let counter = 0;

/** Creates a fresh table shaped like stepfunctions/resources/coordination.yml; returns its name. */
export async function coordinationTable(prefix = 'coordination'): Promise<string> {
  const name = `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
  const client = new DynamoDBClient({});
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  client.destroy();
  return name;
}
