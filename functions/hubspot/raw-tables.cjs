// The Resource list of hubspot's OwnRawTables statement, at package time: the catalog, the database
// and exactly one raw table per stream of src/source.ts (`raw_hubspot_<stream>`). The streams are
// the CRM object types the source searches; test/stepfunctions/template.test.ts checks the packaged
// list against the definition's streams.
const STREAMS = ['contacts', 'deals'];

module.exports = async ({ resolveVariable }) => {
  const database = await resolveVariable('self:custom.glueDatabase');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
  const glue = 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}';
  return [
    { 'Fn::Sub': `${glue}:catalog` },
    { 'Fn::Sub': `${glue}:database/${database}` },
    ...STREAMS.map((stream) => ({ 'Fn::Sub': `${glue}:table/${database}/raw_hubspot_${stream}` })),
  ];
};
